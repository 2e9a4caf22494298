"""BEHAVIOURS.md, generated: every behaviour in full, and where its reference, probes, tests, benchmarks and mutants live.

The catalogue (``reference/behaviours.py``) says what each behaviour is; this
module finds, by reading the project's source (never by a hand-kept list),
the code that serves each id:

- reference: what the id's tests compare with (``ref.squeeze_shape``), and the functions, classes and
  constants of ``reference/`` whose docstring or ``#:`` comment cites the id (``(V1, V6)``, ``V1-V3``);
- tests: the conformance tests marked ``@behaviour("V4")``;
- probes: the probes those tests call (``probes.squeeze``);
- benchmarks: the workloads whose catalogue entry exercises the id;
- mutants: the files of ``suite/mutants/`` that break it.

``python -m suite.catalogue --write`` writes BEHAVIOURS.md; a self-test fails when it is stale.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path
from typing import Iterable

from reference.behaviours import BEHAVIOURS, FAMILIES
from suite import PROJECT_ROOT
from suite.cli import prog

CATALOGUE_DOC = PROJECT_ROOT / "BEHAVIOURS.md"
_ID = re.compile(r"\b([TVLAMOD])(\d)(?:\s*[-–]\s*(?:\1)?(\d))?\b")


def cited_ids(text: str) -> set[str]:
    """The behaviour ids a text cites, ranges expanded (``V1-V3`` is V1, V2, V3)."""
    found: set[str] = set()
    for letter, first, last in _ID.findall(text or ""):
        for number in range(int(first), int(last or first) + 1):
            if f"{letter}{number}" in BEHAVIOURS:
                found.add(f"{letter}{number}")
    return found


def _relative(path: Path) -> str:
    """A path as the project names it."""
    return path.relative_to(PROJECT_ROOT).as_posix()


def reference_map() -> dict[str, list[str]]:
    """id -> ``reference/views.py::squeeze_shape``: each reference function or class whose docstring cites the id."""
    found: dict[str, list[str]] = {b: [] for b in BEHAVIOURS}
    for path in sorted((PROJECT_ROOT / "reference").glob("*.py")):
        if path.name in ("__init__.py", "behaviours.py"):
            continue
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                name, text = node.name, ast.get_docstring(node) or ""
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):  # a constant, described by the "#:" lines above it
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                name = getattr(target, "id", "")
                above = []
                for line in reversed(lines[:node.lineno - 1]):
                    if not line.startswith("#:"):
                        break
                    above.append(line)
                text = " ".join(above)
            else:
                continue
            if name and not name.startswith("_"):
                for behaviour_id in sorted(cited_ids(text)):
                    found[behaviour_id].append(f"{_relative(path)}::{name}")
    return found


def _behaviour_of(node: ast.FunctionDef) -> str | None:
    """The id of a test's ``@behaviour("V4")`` decorator, if it has one."""
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "behaviour" and decorator.args:
            argument = decorator.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                return argument.value
    return None


def code_by_behaviour() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """id -> its tests, -> the probes they call, -> the reference names they compare with (``ref.a1_grad``)."""
    tests: dict[str, list[str]] = {b: [] for b in BEHAVIOURS}
    probes: dict[str, list[str]] = {b: [] for b in BEHAVIOURS}
    references: dict[str, list[str]] = {b: [] for b in BEHAVIOURS}
    for path in sorted((PROJECT_ROOT / "suite" / "conformance").glob("test_*.py")):
        family = path.stem.removeprefix("test_")
        tree = ast.parse(path.read_text())
        aliases = {"probes": f"suite/probes/{family}.py"}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module == "reference":
                aliases.update({a.asname or a.name: f"reference/{a.name}.py" for a in node.names})
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for node in functions.values():
            behaviour_id = _behaviour_of(node)
            if behaviour_id is None:
                continue
            tests[behaviour_id].append(f"{_relative(path)}::{node.name}")
            for alias, name in _names_used(node, functions, aliases):
                bucket = probes if alias == "probes" else references
                if name not in bucket[behaviour_id]:
                    bucket[behaviour_id].append(name)
    return tests, probes, references


def _names_used(node: ast.FunctionDef, functions: dict[str, ast.FunctionDef],
                aliases: dict[str, str]) -> list[tuple[str, str]]:
    """(alias, ``file::name``) for each ``alias.name`` a test uses, directly or through the module's helpers it calls."""
    used: list[tuple[str, str]] = []
    seen: set[str] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        for inner in ast.walk(current):
            alias = getattr(getattr(inner, "value", None), "id", None)
            if isinstance(inner, ast.Attribute) and alias in aliases:
                entry = (alias, f"{aliases[alias]}::{inner.attr}")
                if entry not in used:
                    used.append(entry)
            if isinstance(inner, ast.Name) and inner.id in functions and inner.id not in seen and inner.id != node.name:
                seen.add(inner.id)
                todo.append(functions[inner.id])
    return used


def benchmark_map() -> dict[str, list[str]]:
    """id -> the benchmarks (``mm``) whose workload exercises it."""
    from suite.benchmarks.workloads import CATALOGUE

    found: dict[str, list[str]] = {b: [] for b in BEHAVIOURS}
    for name, entry in CATALOGUE.items():
        for behaviour_id in entry.exercises:
            found[behaviour_id].append(name)
    return found


def mutant_map() -> dict[str, list[tuple[str, bool]]]:
    """id -> the mutant files that break it, each with whether it is subtle."""
    from suite.mutants import discover

    found: dict[str, list[tuple[str, bool]]] = {b: [] for b in BEHAVIOURS}
    for mutant in discover():
        found[mutant.breaks].append((_relative(mutant.path), mutant.subtle))
    return found


def _mutant_list(mutants: Iterable[tuple[str, bool]]) -> str:
    """The mutants for Markdown: each path as code, "(subtle)" after a subtle one; a dash where there is none."""
    return ", ".join(f"`{path}`" + (" (subtle)" if subtle else "") for path, subtle in mutants) or "—"


def _code_list(items: Iterable[str]) -> str:
    """``a``, ``b`` for Markdown, or a dash."""
    return ", ".join(f"`{item}`" for item in items) or "—"


def catalogue_markdown() -> str:
    """The text of BEHAVIOURS.md."""
    cited = reference_map()
    tests, probes, compared = code_by_behaviour()
    reference = {b: list(dict.fromkeys(compared[b] + cited[b])) for b in BEHAVIOURS}
    benchmarks = benchmark_map()
    mutants = mutant_map()
    parts = [
        "# The documented behaviours",
        "",
        "Generated from `reference/behaviours.py` by `python -m suite.catalogue --write`; do not edit.",
        "",
        "Every behaviour the five notes on PyTorch basics describe, with an id that tests, reports and mutants",
        "use. Figures in backticks are the ones the notes print; a backend conforms when it reproduces them,",
        "and where the notes are silent PyTorch's documented behaviour is the rule, checked against the",
        "numpy-only reference. Sources: 000 (modules and data), 001 (the autograd tutorial), 002 (tensors,",
        "views, linear algebra, autograd, SGD), 003 (a summary: modules, data, checkpoints), 004 (layers,",
        "parameters, autodiff, no_grad). What each behaviour needs of a backend is in `CONTRACT.md`.",
        "",
    ]
    for letter, family in FAMILIES.items():
        parts += [f"## {letter}: {family}", ""]
        for behaviour_id, entry in BEHAVIOURS.items():
            if entry.family != family:
                continue
            parts += [
                f"### {behaviour_id}: {entry.title}",
                "",
                f"{entry.rule} (sources: {', '.join(entry.sources)})",
                "",
                f"- reference: {_code_list(reference[behaviour_id])}",
                f"- probes: {_code_list(probes[behaviour_id])}",
                f"- tests (`pytest -m {behaviour_id}`): {_code_list(t.split('::')[1] for t in tests[behaviour_id])} "
                f"in `suite/conformance/test_{family}.py`",
                f"- benchmarks: {_code_list(benchmarks[behaviour_id])}",
                f"- mutants: {_mutant_list(mutants[behaviour_id])}",
                "",
            ]
    return "\n".join(parts)


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m suite.catalogue [--write]``: print BEHAVIOURS.md, or write it."""
    parser = argparse.ArgumentParser(prog=prog("suite.catalogue"), description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {CATALOGUE_DOC.name} at the project root")
    args = parser.parse_args(list(argv) if argv is not None else None)
    text = catalogue_markdown()
    if args.write:
        CATALOGUE_DOC.write_text(text, encoding="utf-8")
        print(f"wrote {CATALOGUE_DOC.name}")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
