"""Probes: the documents' snippets, run on a backend ``T``, returning plain data.

A probe is a module-level function ``probe(T, device, **kwargs)`` that uses a
backend the way the documents use torch and returns only plain data (numpy
arrays, Python values, tuples, dicts): never a tensor. The test that calls it
compares that data with ``reference`` in the test process, so a probe can run
in a worker process apart from the checks. One module per family.

The helpers here are the only way probes read values back.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

#: dtype names a backend may offer, as attributes of its namespace (``T.float32``).
DTYPE_NAMES = (
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
)


def tensor(T: Any, device: str, data: Any, **kwargs: Any) -> Any:
    """``T.tensor(data, **kwargs)`` made on ``device`` (device= is passed only off the cpu)."""
    if device != "cpu":
        kwargs["device"] = device
    return T.tensor(data, **kwargs)


def read(t: Any) -> np.ndarray | None:
    """A tensor's values as a numpy array (a copy), or None for None."""
    if t is None:
        return None
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    array = t.numpy() if hasattr(t, "numpy") else np.asarray(t)
    return np.array(array, copy=True)


def matrix_view(t: Any, view: tuple[int, int, int, int, bool]) -> Any:
    """``t[r0::rs, c0::cs]``, then ``.t()`` when ``transposed``: a view with an offset and strides (plain-data spec)."""
    row_start, row_step, col_start, col_step, transposed = view
    sliced = t[row_start::row_step, col_start::col_step]
    return sliced.t() if transposed else sliced


def dtype_name(T: Any, dtype: Any) -> str:
    """The name under which ``T`` offers ``dtype`` (``"float32"``), else its str()."""
    for name in DTYPE_NAMES:
        candidate = getattr(T, name, None)
        if candidate is not None and candidate == dtype:
            return name
    return str(dtype)


def shape_of(t: Any) -> tuple[int, ...]:
    """A tensor's shape as a tuple of ints."""
    return tuple(int(n) for n in t.shape)


def grad_fn_name(t: Any) -> str | None:
    """The class name of a tensor's grad_fn (``"AddBackward0"``), or None."""
    fn = getattr(t, "grad_fn")
    return None if fn is None else type(fn).__name__


def raised(action: Callable[[], Any]) -> str | None:
    """Run ``action``; return the name of the Exception it raised, or None if it returned.

    A missing API (AttributeError, NotImplementedError) is not an answer: it
    propagates, so the test is reported ``missing`` rather than passing because
    "something was raised".
    """
    try:
        action()
    except (AttributeError, NotImplementedError):
        raise
    except Exception as exc:  # the probe records which error; the test decides if it was right
        return type(exc).__name__
    return None


def python_kind(value: Any) -> str:
    """``"int"``, ``"float"``, ``"bool"`` or ``"complex"`` for a Python number, else its type name."""
    for kind in (bool, int, float, complex):
        if type(value) is kind:
            return kind.__name__
    return type(value).__name__
