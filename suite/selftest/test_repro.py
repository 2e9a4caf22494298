"""A reproduce snippet carries the probe's arguments bit for bit: arrays of any size and dtype, scalars, containers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import namedtuple
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from suite.repro import python_literal

Point = namedtuple("Point", "x y")

DTYPES = ("bool", "int8", "uint8", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128")


def same(a: Any, b: Any) -> bool:
    """Equal in type, dtype, shape and every bit (nan equal to nan)."""
    if isinstance(a, (np.ndarray, np.generic)):
        return (type(a) is type(b) and a.dtype == b.dtype and np.shape(a) == np.shape(b)
                and np.asarray(a).tobytes() == np.asarray(b).tobytes())
    if isinstance(a, tuple) and hasattr(a, "_fields"):  # a class made on the spot is another class of the same shape
        return type(a).__name__ == type(b).__name__ and a._fields == b._fields and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return type(a) is type(b) and a == b


def rebuilt(value: Any) -> Any:
    """What the snippet's text for ``value`` evaluates to, after only the imports it asked for (and numpy)."""
    imports: set[str] = set()
    text = python_literal(value, imports)
    namespace: dict[str, Any] = {"np": np}
    exec("\n".join(sorted(imports)), namespace)  # noqa: S102 - the text under test
    return eval(text, namespace)  # noqa: S307 - the text under test


def test_a_namedtuple_brings_its_import_or_is_made_on_the_spot() -> None:
    """A module-level namedtuple is imported from where it lives; one defined in a function is rebuilt inline."""
    imports: set[str] = set()
    assert python_literal(Point(1, 2.5), imports) == "Point(x=1, y=2.5)"
    assert imports == {f"from {__name__} import Point"}
    Local = namedtuple("Local", "a b")
    assert same(rebuilt(Local(np.int8(3), [Local(1, 2), None])), Local(np.int8(3), [Local(1, 2), None]))


@given(array=st.sampled_from(DTYPES).flatmap(lambda d: hnp.arrays(np.dtype(d), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))))
def test_arrays_of_any_dtype_and_shape_come_back_exactly(array: np.ndarray) -> None:
    """Any numpy array, empty, 0-dim, with nan or inf, comes back with its dtype, shape and bits."""
    assert same(rebuilt(array), array), python_literal(array)


def test_large_arrays_are_written_whole() -> None:
    """An array beyond numpy's print threshold is written out in full, not shortened with ``...``."""
    array = np.arange(5000, dtype=np.float32) / 7
    text = python_literal(array)
    assert "..." not in text
    assert same(rebuilt(array), array)


@pytest.mark.parametrize("value", [
    np.float32(0.1), np.int64(-3), np.bool_(True), (1,), (1, "a", None), [np.array([1.5]), {"k": (2.0, float("inf"))}],
    {"nested": [np.zeros((0, 3), dtype=np.int32)]}, float("nan"), Point(1, 2.5), ("a", b"b"),
], ids=lambda v: type(v).__name__)
def test_scalars_and_containers_come_back_exactly(value: Any) -> None:
    """numpy scalars, tuples of one, nested lists and dicts, nan and namedtuples come back as they were."""
    assert same(rebuilt(value), value), python_literal(value)


def test_a_snippet_of_a_call_that_stopped_its_worker_warns_first_and_says_where_to_run() -> None:
    """A timeout's snippet says first that it may hang here too; a wrong result's says only where to run it."""
    from impls.registry import parse_spec
    from suite.backends import InProcessBackend, ProbeRunner
    from suite.outcomes import Cause
    from suite.probes import selfcheck
    from suite.repro import STOPPED_WARNINGS, snippet, where_to_run

    runner = ProbeRunner(InProcessBackend(parse_spec("numpy")), "cpu")
    runner.last_call = (selfcheck.make_tensor, {})
    plain, stopped = snippet(runner, Cause.WRONG_RESULT) or "", snippet(runner, Cause.TIMEOUT) or ""
    assert plain.splitlines()[0] == stopped.splitlines()[0] == f"# reproduce on numpy-cpu ({where_to_run(False)})"
    assert stopped.splitlines()[1] == f"# careful: {STOPPED_WARNINGS[Cause.TIMEOUT]}"
    assert stopped.splitlines()[2:] == plain.splitlines()[1:] and "careful" not in plain


def test_a_snippet_says_where_it_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """In this Python, from any folder where the suite is installed (as the README's set-up installs it), else from
    its own folder; in a grade, from the suite's folder (the grader's own copy is of no use to the student)."""
    from impls.registry import parse_spec
    from suite import repro
    from suite.backends import InProcessBackend, ProbeRunner
    from suite.probes import selfcheck

    runner = ProbeRunner(InProcessBackend(parse_spec("numpy")), "cpu")
    runner.last_call = (selfcheck.make_tensor, {})
    repro.installed.cache_clear()
    monkeypatch.setattr(repro, "PROJECT_ROOT", tmp_path)  # a checkout nobody installed
    try:
        assert (repro.snippet(runner) or "").splitlines()[0] == (
            f"# reproduce on numpy-cpu (paste into {sys.executable}, started in {tmp_path})")
        assert (repro.snippet(runner, graded=True) or "").splitlines()[0] == (
            "# reproduce on numpy-cpu (run from the suite's folder)")
    finally:
        repro.installed.cache_clear()
    monkeypatch.undo()
    found = subprocess.run([sys.executable, "-c", "import suite; print(suite.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    from_elsewhere = Path(found.stdout.strip() or tmp_path).resolve() == (repro.PROJECT_ROOT / "suite" / "__init__.py").resolve()
    assert repro.installed() is from_elsewhere  # as the README's set-up leaves it, this checkout is installed
    if from_elsewhere:
        assert (repro.snippet(runner) or "").splitlines()[0] == (
            f"# reproduce on numpy-cpu (paste into {sys.executable}, in any folder)")
