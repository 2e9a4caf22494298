"""``python -m suite.mutants``: the shipped mutants by family, as the Markdown table the README quotes."""

from __future__ import annotations

import argparse

from suite.cli import prog
from suite.mutants import discover, sensitivity_table


def main(argv: list[str] | None = None) -> int:
    """Print the sensitivity table (and, with --list, every mutant with its behaviour and kind)."""
    parser = argparse.ArgumentParser(prog=prog("suite.mutants"), description=__doc__)
    parser.add_argument("--list", action="store_true", help="also list every mutant file with its behaviour id and kind")
    options = parser.parse_args(argv)
    mutants = discover()
    rows = sensitivity_table(mutants)
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    subtle = sum(m.subtle for m in mutants)
    print(f"\n{len(mutants)} mutants, {subtle} subtle, covering {len({m.breaks for m in mutants})} behaviour ids.")
    if options.list:
        print()
        for m in mutants:
            print(f"{m.breaks:3} {'subtle' if m.subtle else 'plain ':6} {m.path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
