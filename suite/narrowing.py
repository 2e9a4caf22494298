"""Which of the suite's test modules a ``-m`` expression can select from, so that a run imports and collects no other.

Every test in ``suite/conformance/test_<family>.py`` carries the marks
``<family>`` and ``behaviour`` and one of that family's behaviour ids, and none
of another family's; every test in ``suite/benchmarks/test_bench_<name>.py``
carries ``benchmark`` and no family's or behaviour's mark
(``suite/selftest/test_narrowing.py`` checks both on a real collection). So
``-m views`` can select nothing in ``test_tensors.py``, nor ``-m "not data"``
in ``test_data.py``: such a module is left out before pytest imports it,
rather than collected and then deselected test by test (about 0.4 s of a run's
CPU time, and half of a small run's). Any other mark (``hypothesis``,
``parametrize``, a behaviour id of the module's own family) may or may not be
there, so every way it could be is tried; a module is left out only when the
expression is false for all of them. An expression this cannot read (marker
arguments, a syntax pytest will refuse) leaves every module in.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from reference.behaviours import BEHAVIOURS, FAMILIES
from suite import PROJECT_ROOT

#: What pytest's -m scanner reads as one identifier (_pytest/mark/expression.py).
IDENTIFIER = re.compile(r"(?::?\w|:|\+|-|\.|\[|\]|\\|/)+")
KEYWORDS = frozenset({"and", "or", "not"})
#: The most marks of unknown presence an expression may name before every module is kept (2**N evaluations a module).
MAX_UNKNOWN = 10


def module_marks(path: Path) -> tuple[frozenset[str], frozenset[str]] | None:
    """The marks every test of one of the suite's family modules carries, and those none does; None for any other file."""
    try:
        relative = Path(path).resolve().relative_to(PROJECT_ROOT / "suite")
    except ValueError:
        return None
    every_mark = frozenset(FAMILIES.values()) | frozenset(BEHAVIOURS) | {"benchmark"}
    if len(relative.parts) != 2 or relative.suffix != ".py":
        return None
    folder, stem = relative.parts[0], relative.stem
    family = stem.removeprefix("test_")
    if folder == "conformance" and family in FAMILIES.values():
        own = {family, *(key for key, entry in BEHAVIOURS.items() if entry.family == family)}
        return frozenset({family, "behaviour"}), every_mark - own
    if folder == "benchmarks" and stem.startswith("test_bench_"):
        return frozenset({"benchmark"}), every_mark - {"benchmark"}
    return None


def can_select(expression: str, present: frozenset[str], absent: frozenset[str]) -> bool:
    """Whether ``-m expression`` is true for some test carrying every mark in ``present`` and none in ``absent``."""
    try:
        from _pytest.mark.expression import Expression

        compiled = Expression.compile(expression)
    except Exception:  # noqa: BLE001 - another pytest, or an expression pytest itself will refuse with its message
        return True
    if any(sign in expression for sign in "='\""):  # marker arguments (``-m "behaviour(id='V2')"``): not read here
        return True
    named = compiled.idents() if hasattr(compiled, "idents") else IDENTIFIER.findall(expression)  # pytest < 9: read here
    unknown = sorted({name for name in named if name not in KEYWORDS} - present - absent)
    if len(unknown) > MAX_UNKNOWN:
        return True
    for chosen in itertools.product((False, True), repeat=len(unknown)):
        carried = present | {name for name, there in zip(unknown, chosen) if there}
        if compiled.evaluate(lambda name, /, **kwargs: name in carried):
            return True
    return False


def left_out(path: Path, expression: str) -> bool:
    """True when ``path`` is one of the suite's family modules that ``-m expression`` can select no test from."""
    marks = module_marks(path) if expression.strip() else None
    return marks is not None and not can_select(expression, *marks)
