"""Comparing what a backend produced with what the reference says, with messages that help.

Tolerances follow ``torch.testing.assert_close``: ``|actual - expected| <=
atol + rtol * |expected|`` with rtol/atol chosen by dtype (float32 1.3e-6 /
1e-5, float64 1e-7 / 1e-7, ...); integers, bools, shapes and strings compare
exactly. Every failure raises ``ConformanceFailure`` (an AssertionError) whose
message says what was compared, the expected and the actual value; the plugin
adds the behaviour's id and title and a snippet that reproduces it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: (rtol, atol) by dtype name, as torch.testing.assert_close defaults.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


class ConformanceFailure(AssertionError):
    """A backend produced a wrong result."""


def tolerance(dtype: str) -> tuple[float, float]:
    """(rtol, atol) for a dtype name; (0, 0) for exact dtypes (ints, bool)."""
    return TOLERANCES.get(dtype, (0.0, 0.0))


def _show(value: Any, limit: int = 400) -> str:
    """A compact one-paragraph rendering of a value for messages."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=40, separator=", ")
        text = f"{text} (dtype {value.dtype}, shape {value.shape})"
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fail(what: str, expected: Any, actual: Any, note: str = "") -> None:
    """Raise ConformanceFailure: ``what`` differs, expected vs actual."""
    __tracebackhide__ = True
    lines = [f"{what}: expected {_show(expected)}", f"{' ' * len(what)}  but got {_show(actual)}"]
    if note:
        lines.append(note)
    raise ConformanceFailure("\n".join(lines))


def assert_equal(actual: Any, expected: Any, what: str) -> None:
    """Exact equality of plain values: shapes, dtype names, ints, strings, None, tuples."""
    __tracebackhide__ = True
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        assert_close(actual, expected, what, rtol=0.0, atol=0.0)
        return
    if _kind(actual) != _kind(expected):
        fail(what, expected, actual, f"(expected a {_kind(expected)}, got a {_kind(actual)})")
    if actual != expected:
        fail(what, expected, actual)


def _kind(value: Any) -> str:
    """The kind of a plain value: Python and numpy scalars of one kind are alike (3 and np.int64(3))."""
    for kind, types in (("bool", (bool, np.bool_)), ("int", (int, np.integer)), ("float", (float, np.floating)),
                        ("complex", (complex, np.complexfloating))):
        if isinstance(value, types):
            return kind
    return type(value).__name__


def assert_true(condition: bool, what: str, detail: str = "") -> None:
    """Fail with ``what`` (and ``detail``) unless ``condition`` holds."""
    __tracebackhide__ = True
    if not condition:
        raise ConformanceFailure(what + (f": {detail}" if detail else ""))


def assert_on_device(printed: str | list[str], device: str, what: str) -> None:
    """Each ``str(t.device)`` is ``device`` or ``device:N``: the convention by which the suite reads where a tensor is."""
    __tracebackhide__ = True
    names = [printed] if isinstance(printed, str) else list(printed)
    kind = device.split(":")[0]
    if not all(name == device or name.split(":")[0] == kind for name in names):
        shown = printed if isinstance(printed, str) else names
        raise ConformanceFailure(f"{what}: expected str(t.device) to be {device!r} or '{kind}:N'\n"
                                 f"{' ' * len(what)}  but got {shown!r}")


def assert_close(
    actual: Any,
    expected: Any,
    what: str,
    *,
    dtype: str | None = None,
    rtol: float | np.ndarray | None = None,
    atol: float | np.ndarray | None = None,
) -> None:
    """Values equal up to the dtype's tolerance, shapes exactly equal.

    ``rtol``/``atol`` may be arrays broadcasting against the values (per-element bounds).
    ``dtype`` names the backend dtype whose tolerance applies (default: the
    actual array's numpy dtype). ``None`` on either side must be None on both.
    """
    __tracebackhide__ = True
    if actual is None or expected is None:
        if actual is not expected:
            fail(what, expected, actual)
        return
    got = np.asarray(actual)
    want = np.asarray(expected)
    if got.shape != want.shape:
        fail(f"{what} (shape)", want.shape, got.shape, f"values: expected {_show(want)}, got {_show(got)}")
    if got.dtype.kind not in "biufc" or want.dtype.kind not in "biufc":
        if not np.array_equal(got, want):
            fail(what, want, got)
        return
    default_rtol, default_atol = tolerance(dtype or str(got.dtype))
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    g = got.astype(np.complex128 if "c" in (got.dtype.kind + want.dtype.kind) else np.float64)
    w = want.astype(g.dtype)
    equal = (g == w) | (np.isnan(g) & np.isnan(w))  # NaN matches NaN; equal infinities match
    with np.errstate(invalid="ignore"):
        error = np.where(equal, 0.0, np.abs(g - w))
    allowed = atol + rtol * np.abs(w)
    bad = ~equal & ~(np.isfinite(w) & (error <= allowed))  # an infinite expectation admits only itself
    if bad.any():
        index = np.unravel_index(int(np.argmax(np.where(bad, np.nan_to_num(error, nan=np.inf), -1.0))), bad.shape)
        where = f" at index {tuple(int(i) for i in index)}" if got.ndim else ""
        note = (
            f"{int(bad.sum())} of {bad.size} values differ; largest difference {error[index]:.3g}{where} "
            f"(expected {w[index]}, got {g[index]}; allowed {np.broadcast_to(allowed, bad.shape)[index]:.3g}"
            f" = atol + rtol*|expected|)"
        )
        fail(what, want, got, note)
