"""V1-V7: the shape/stride model of views, reshape, squeeze, unsqueeze, transpose and contiguity.

A tensor here is its shape and its strides (in elements) over one storage.
Values follow from row-major order of the logical tensor, so the reference
for what a view *holds* is numpy's C-order reshape of the values; what this
module adds is *when* a view is possible and which views share storage.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

Shape = tuple[int, ...]

#: The tensor of document 002's reshaping section, shape (2, 2, 2).
DOC_Y = np.array([[[29, 3], [18, 10]], [[27, 10], [12, 5]]])


class ShapeError(ValueError):
    """A requested shape that no tensor of this size can take (V1: two -1s, a size that does not divide)."""


def contiguous_strides(shape: Sequence[int]) -> Shape:
    """Row-major strides of a freshly made tensor of ``shape`` (V1, V6)."""
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def infer_shape(numel: int, requested: Sequence[int]) -> Shape:
    """Resolve one ``-1`` in ``requested`` from ``numel`` (V1, V2); ShapeError if impossible."""
    holes = [i for i, size in enumerate(requested) if size == -1]
    if len(holes) > 1:
        raise ShapeError(f"only one dimension can be inferred, got {tuple(requested)}")
    if any(size < -1 for size in requested):
        raise ShapeError(f"invalid size in {tuple(requested)}")
    known = math.prod(size for size in requested if size != -1)
    if holes:
        if known == 0 or numel % known:
            raise ShapeError(f"shape {tuple(requested)} is invalid for input of size {numel}")
        shape = list(requested)
        shape[holes[0]] = numel // known
        return tuple(shape)
    if known != numel:
        raise ShapeError(f"shape {tuple(requested)} is invalid for input of size {numel}")
    return tuple(requested)


def is_contiguous(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """PyTorch's rule: row-major strides, ignoring the strides of size-1 dims (V6)."""
    if math.prod(shape) == 0:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


def view_strides(shape: Sequence[int], strides: Sequence[int], new_shape: Sequence[int]) -> Shape | None:
    """Strides of ``view(new_shape)`` over this layout, or None when no view can express it (V7).

    This is PyTorch's ``computeStride``: the old dims are cut into chunks that are
    contiguous among themselves; each chunk must be covered exactly by new dims.
    """
    if not shape:
        return tuple(1 for _ in new_shape)
    numel = math.prod(shape)
    if numel == 0:
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base = strides[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[tensor_d]
        chunk_ends = tensor_d == 0 or (shape[tensor_d - 1] != 1 and strides[tensor_d - 1] != tensor_numel * chunk_base)
        if chunk_ends:
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base = strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    return tuple(new_strides) if view_d == -1 else None


def reshape_values(values: np.ndarray, requested: Sequence[int]) -> np.ndarray:
    """What ``view``/``reshape`` hold: the values in row-major order, in the new shape (V1, V2)."""
    return np.reshape(values, infer_shape(values.size, requested), order="C")


def normalise_dim(dim: int, ndim: int) -> int:
    """A dim in ``[-ndim, ndim)`` made non-negative (0-dim tensors accept -1 and 0); IndexError otherwise."""
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise IndexError(f"dimension {dim} out of range [{-span}, {span - 1}]")
    return dim % span


def squeeze_shape(shape: Sequence[int], dim: int | None = None) -> Shape:
    """``squeeze()`` drops every size-1 dim; ``squeeze(d)`` drops d only if its size is 1 (V4)."""
    if dim is None:
        return tuple(size for size in shape if size != 1)
    if not shape:
        normalise_dim(dim, 0)
        return ()
    d = normalise_dim(dim, len(shape))
    return tuple(shape) if shape[d] != 1 else tuple(shape[:d]) + tuple(shape[d + 1 :])


def unsqueeze_shape(shape: Sequence[int], dim: int) -> Shape:
    """Insert a size-1 dim at ``dim``, which ranges over ``[-ndim-1, ndim]`` (V5)."""
    ndim = len(shape)
    if not -ndim - 1 <= dim <= ndim:
        raise IndexError(f"dimension {dim} out of range [{-ndim - 1}, {ndim}]")
    d = dim if dim >= 0 else dim + ndim + 1
    return tuple(shape[:d]) + (1,) + tuple(shape[d:])


def transpose_layout(shape: Sequence[int], strides: Sequence[int], dim0: int, dim1: int) -> tuple[Shape, Shape]:
    """Shape and strides after swapping two dims: the same storage, no copy (V6)."""
    if not shape:
        normalise_dim(dim0, 0), normalise_dim(dim1, 0)
        return (), ()
    a, b = normalise_dim(dim0, len(shape)), normalise_dim(dim1, len(shape))
    new_shape, new_strides = list(shape), list(strides)
    new_shape[a], new_shape[b] = new_shape[b], new_shape[a]
    new_strides[a], new_strides[b] = new_strides[b], new_strides[a]
    return tuple(new_shape), tuple(new_strides)


def transpose_values(values: np.ndarray, dim0: int, dim1: int) -> np.ndarray:
    """The values of ``transpose(dim0, dim1)`` (V6)."""
    if values.ndim == 0:
        return values.copy()
    return np.swapaxes(values, dim0, dim1)


#: A strided view of a matrix as plain data: ``(row_start, row_step, col_start, col_step, transposed)``,
#: meaning ``base[row_start::row_step, col_start::col_step]``, then ``.t()`` when transposed.
MatrixView = tuple[int, int, int, int, bool]


def matrix_view(base: np.ndarray, view: MatrixView) -> np.ndarray:
    """What ``base[r0::rs, c0::cs]`` (then ``.t()``) holds: a view with a storage offset and strides (V3, L1, T7)."""
    row_start, row_step, col_start, col_step, transposed = view
    sliced = np.asarray(base)[row_start::row_step, col_start::col_step]
    return sliced.T if transposed else sliced


def describe_matrix_view(view: MatrixView) -> str:
    """``[1::1, 0::2].t()``: the Python spelling of a view spec."""
    row_start, row_step, col_start, col_step, transposed = view
    return f"[{row_start}::{row_step}, {col_start}::{col_step}]" + (".t()" if transposed else "")


def matrix_view_base_shape(shape: tuple[int, int], view: MatrixView) -> tuple[int, int]:
    """The base from which ``view`` cuts a matrix of ``shape``, ending at the base's last row and column."""
    row_start, row_step, col_start, col_step, transposed = view
    rows, cols = (shape[1], shape[0]) if transposed else shape
    return row_start + (rows - 1) * row_step + 1, col_start + (cols - 1) * col_step + 1


#: What document 002 prints for DOC_Y, transcribed (V1, V2, V4, V5, V6).
PRINTED: dict[str, tuple[Shape, list]] = {
    "view(-1)": ((8,), [29, 3, 18, 10, 27, 10, 12, 5]),
    "view(1,-1)": ((1, 8), [[29, 3, 18, 10, 27, 10, 12, 5]]),
    "view(2,-1)": ((2, 4), [[29, 3, 18, 10], [27, 10, 12, 5]]),
    "reshape(2,-1,1)": ((2, 4, 1), [[[29], [3], [18], [10]], [[27], [10], [12], [5]]]),
    "squeeze(2)": ((2, 4), [[29, 3, 18, 10], [27, 10, 12, 5]]),
    # "s.squeeze(0) and s.squeeze(1) have no effect": s itself.
    "squeeze(0)": ((2, 4, 1), [[[29], [3], [18], [10]], [[27], [10], [12], [5]]]),
    "squeeze(1)": ((2, 4, 1), [[[29], [3], [18], [10]], [[27], [10], [12], [5]]]),
    "unsqueeze(0)": ((1, 2, 4), [[[29, 3, 18, 10], [27, 10, 12, 5]]]),
    "unsqueeze(1)": ((2, 1, 4), [[[29, 3, 18, 10]], [[27, 10, 12, 5]]]),
    "unsqueeze(2)": ((2, 4, 1), [[[29], [3], [18], [10]], [[27], [10], [12], [5]]]),
    "transpose(1,2)": ((2, 2, 2), [[[29, 18], [3, 10]], [[27, 12], [10, 5]]]),
    "contiguous()": ((2, 2, 2), [[[29, 18], [3, 10]], [[27, 12], [10, 5]]]),
    "transpose(0,1)": ((2, 2, 2), [[[29, 3], [27, 10]], [[18, 10], [12, 5]]]),
}

#: is_contiguous() as document 002 prints it (V6).
PRINTED_CONTIGUOUS: dict[str, bool] = {"transpose(1,2)": False, "contiguous()": True, "transpose(0,1)": False}
