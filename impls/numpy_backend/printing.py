"""How a tensor prints: ``tensor([[1., 2.],\\n        [3., 4.]], requires_grad=True)``, as PyTorch lays it out.

Floats print with 4 decimals (``0.2826``), or as ``1.`` when every value is
whole, or in scientific notation when the magnitudes span more than 1000x;
every element is padded to one width; rows break at 80 columns; tensors over
1000 elements show 3 items at each edge around ``...``. The suffix names a
dtype that is not implied by the values, then ``requires_grad`` or ``grad_fn``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

import numpy as np

from . import dtypes

if TYPE_CHECKING:
    from .tensor import Tensor

LINE_WIDTH = 80
THRESHOLD = 1000
EDGE_ITEMS = 3


def _float_formatter(values: np.ndarray) -> Callable[[float], str]:
    """One format for every element of a floating tensor: whole, fixed 4 decimals, or scientific."""
    finite = values[np.isfinite(values)].astype(np.float64)
    nonzero = np.abs(finite[finite != 0])
    whole = bool(np.all(finite == np.ceil(finite))) if finite.size else True
    wide = nonzero.size and (nonzero.max() / nonzero.min() > 1000.0 or nonzero.max() > 1.0e8)
    if whole and not wide:
        return lambda v: f"{v:.0f}." if math.isfinite(v) else str(v)
    if wide or (not whole and nonzero.size and nonzero.min() < 1.0e-4):
        return lambda v: f"{v:.4e}" if math.isfinite(v) else str(v)
    return lambda v: f"{v:.4f}" if math.isfinite(v) else str(v)


def _formatter(values: np.ndarray) -> Callable[[object], str]:
    """The element formatter for a tensor's dtype (bool, integer, float, complex)."""
    if values.dtype.kind == "f":
        return _float_formatter(values)
    if values.dtype.kind == "c":
        real, imag = _float_formatter(values.real), _float_formatter(values.imag)
        return lambda v: f"{real(v.real)}{'+' if v.imag >= 0 else '-'}{imag(abs(v.imag))}j"
    return str


def _summarised(values: np.ndarray) -> np.ndarray:
    """The elements that will be shown: every one, or the edges of every dim for large tensors."""
    if values.ndim == 0 or values.size <= THRESHOLD:
        return values
    for axis in range(values.ndim):
        if values.shape[axis] > 2 * EDGE_ITEMS:
            index = list(range(EDGE_ITEMS)) + list(range(values.shape[axis] - EDGE_ITEMS, values.shape[axis]))
            values = np.take(values, index, axis=axis)
    return values


def _body(values: np.ndarray, fmt: Callable[[object], str], width: int, indent: int, summarise: bool) -> str:
    """The bracketed text of an array (recursively for each dim)."""
    def cell(v: object) -> str:
        return fmt(v).rjust(width)

    if values.ndim == 0:
        return cell(values.item())
    n = values.shape[0]
    cut = summarise and n > 2 * EDGE_ITEMS
    shown = list(range(EDGE_ITEMS)) + [-1] + list(range(n - EDGE_ITEMS, n)) if cut else list(range(n))
    if values.ndim == 1:
        cells = [" ..." if i < 0 else cell(values[i].item()) for i in shown]
        per_line = max(1, (LINE_WIDTH - indent) // (width + 2))
        lines = [", ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = ["..." if i < 0 else _body(values[i], fmt, width, indent + 1, summarise) for i in shown]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def tensor_repr(t: "Tensor", prefix: str = "tensor(") -> str:
    """``repr(t)`` in PyTorch's layout."""
    values = t._array
    suffixes = []
    if values.size == 0:
        body = "[]"
        if values.shape != (0,):
            suffixes.append(f"size={tuple(values.shape)}")
    else:
        summarise = values.size > THRESHOLD
        shown = _summarised(values)
        fmt = _formatter(shown)
        width = max(len(fmt(v)) for v in shown.reshape(-1).tolist())
        body = _body(values, fmt, width, len(prefix), summarise)
    implied = (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool, dtypes.default_complex())
    if t.dtype not in implied or (values.size == 0 and t.dtype is not dtypes.get_default_dtype()):
        suffixes.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + ", ".join([body] + suffixes) + ")"

