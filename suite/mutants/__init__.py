"""Deliberately wrong backends: each is torch (or the numpy backend) with one behaviour broken.

Every mutant file declares ``BREAKS`` (the behaviour id it breaks) and
``SUBTLE`` (True when it is right on the documents' own examples and wrong only
on other inputs). The files are loaded by path as backends
(``--backend suite/mutants/<file>.py:torch``), never imported as part of this
package; this module only reads their constants. ``python -m suite.mutants``
prints the table of mutants by behaviour that the README quotes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from reference.behaviours import BEHAVIOURS, FAMILIES

MUTANTS_DIR = Path(__file__).resolve().parent
#: The attribute of a mutant module that is the (patched) namespace, by file prefix.
NAMESPACE_ATTRIBUTE = {"torch": "torch", "numpy": "T"}


@dataclass(frozen=True)
class Mutant:
    """A wrong backend: its file, the behaviour it breaks, whether it is subtle, and the spec that loads it."""

    path: Path
    breaks: str
    subtle: bool

    @property
    def label(self) -> str:
        """The backend label the mutant runs under (its file stem)."""
        return self.path.stem

    @property
    def family(self) -> str:
        """The family of the broken behaviour."""
        return BEHAVIOURS[self.breaks].family

    @property
    def base(self) -> str:
        """``"torch"`` or ``"numpy"``: the backend the mutant patches."""
        return self.path.stem.split("_")[0]

    @property
    def spec(self) -> str:
        """``label=path:attr`` for --backend."""
        return f"{self.label}={self.path}:{NAMESPACE_ATTRIBUTE[self.base]}"


def _constant(path: Path, name: str) -> object:
    """A module-level constant of a mutant file (``BREAKS``, ``SUBTLE``), read without importing it."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"{path.name} has no {name} = ... (BREAKS: the behaviour id; SUBTLE: True or False)")


def discover(folder: Path = MUTANTS_DIR) -> list[Mutant]:
    """Every mutant file in ``folder``, sorted by name."""
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    return [Mutant(path, str(_constant(path, "BREAKS")), bool(_constant(path, "SUBTLE"))) for path in files]


def sensitivity_table(mutants: list[Mutant]) -> list[dict[str, object]]:
    """One row per family: its ids, how many of them have a mutant, mutants on torch and numpy, subtle ones."""
    rows = []
    for letter, family in FAMILIES.items():
        ids = [b for b in BEHAVIOURS if b.startswith(letter)]
        mine = [m for m in mutants if m.family == family]
        rows.append({
            "family": family, "ids": f"{ids[0]}–{ids[-1]}" if len(ids) > 1 else ids[0],
            "ids with a mutant": f"{len({m.breaks for m in mine})}/{len(ids)}",
            "mutants": len(mine), "on torch": sum(m.base == "torch" for m in mine),
            "on numpy": sum(m.base == "numpy" for m in mine), "subtle": sum(m.subtle for m in mine),
        })
    return rows
