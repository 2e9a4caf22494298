"""Storage and layout: a flat buffer of elements, and the arithmetic of shapes and strides over it.

A tensor is a *window* onto a storage: ``element[i0, i1, ...]`` lives at
``storage[offset + i0*stride[0] + i1*stride[1] + ...]`` (strides counted in
elements, as PyTorch counts them). Views (V1-V7) are new windows onto the same
storage; nothing is copied, which is why writing through a view changes the
base (V3). This module holds the storage and the pure functions that decide
which windows exist:

* ``contiguous_strides``: the row-major strides of a fresh tensor (V1, V6);
* ``is_contiguous``: PyTorch's rule, ignoring size-1 dims (V6);
* ``view_strides``: PyTorch's ``computeStride``: the strides that make a new
  shape a view of an old layout, or None when no strides can (V7).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

Shape = tuple[int, ...]


class Storage:
    """A flat, one-dimensional numpy array that one or more tensors look at."""

    __slots__ = ("array", "__weakref__")

    def __init__(self, array: np.ndarray) -> None:
        if array.ndim != 1:
            raise ValueError("a storage is one-dimensional")
        self.array = array

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the elements."""
        return self.array.dtype

    def size(self) -> int:
        """Number of elements."""
        return int(self.array.shape[0])

    def nbytes(self) -> int:
        """Number of bytes."""
        return int(self.array.nbytes)

    def data_ptr(self) -> int:
        """Address of the first element: two tensors share memory when their storages' pointers agree."""
        return int(self.array.__array_interface__["data"][0])

    def __len__(self) -> int:
        return self.size()

    def __reduce__(self) -> tuple:
        # Pickle's memo writes a storage once per pickle, so views saved together stay views of one storage.
        return (Storage, (np.array(self.array, copy=True),))

    def __deepcopy__(self, memo: dict) -> "Storage":
        return Storage(np.array(self.array, copy=True))

    def __repr__(self) -> str:
        return f"Storage(size={self.size()}, dtype={self.dtype})"


def window(storage: Storage, offset: int, shape: Sequence[int], strides: Sequence[int]) -> np.ndarray:
    """The numpy array that sees ``storage`` through this layout: same memory, no copy (V3)."""
    base = storage.array
    itemsize = base.itemsize
    if math.prod(shape) == 0:
        return np.empty(tuple(shape), dtype=base.dtype)  # an empty window holds no element of the storage
    return np.ndarray(tuple(shape), dtype=base.dtype, buffer=base, offset=offset * itemsize,
                      strides=tuple(s * itemsize for s in strides))


def contiguous_strides(shape: Sequence[int]) -> Shape:
    """Row-major strides: the last dim moves by 1, each earlier one by the product of the later sizes (V1, V6)."""
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def is_contiguous(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """True when the layout is row-major; size-1 dims may have any stride; empty tensors are contiguous (V6)."""
    if math.prod(shape) == 0:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


def infer_size(requested: Sequence[int], numel: int) -> Shape:
    """Resolve a single ``-1`` in a requested shape (V1, V2); RuntimeError when the shape cannot hold ``numel``."""
    holes = [i for i, size in enumerate(requested) if size == -1]
    if len(holes) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for size in requested:
        if size < -1:
            raise RuntimeError(f"invalid shape dimension {size}")
    known = math.prod(size for size in requested if size != -1)
    shape = list(requested)
    if holes and known != 0 and numel % known == 0:
        shape[holes[0]] = numel // known
    elif holes or known != numel:
        raise RuntimeError(f"shape '{list(requested)}' is invalid for input of size {numel}")
    return tuple(shape)


def view_strides(shape: Sequence[int], strides: Sequence[int], new_shape: Sequence[int]) -> Shape | None:
    """Strides under which ``new_shape`` sees the same elements in the same row-major order, or None (V7).

    The old dims are cut into *chunks*: runs of dims that are laid out
    contiguously among themselves (each dim's stride is the next dim's stride
    times its size). Within a chunk, the elements are evenly spaced, so any
    regrouping of its sizes is expressible. A new shape is a view exactly when
    its dims can be grouped, from the right, into blocks whose sizes multiply
    to each chunk's size. This is PyTorch's ``computeStride``.
    """
    numel = math.prod(shape)
    if not shape:
        return tuple(1 for _ in new_shape)
    if numel == 0:
        return contiguous_strides(new_shape) if tuple(shape) != tuple(new_shape) else tuple(strides)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_stride = strides[-1]  # the stride of the chunk's innermost dim
    chunk_numel = 1
    view_numel = 1
    for d in range(len(shape) - 1, -1, -1):
        chunk_numel *= shape[d]
        chunk_ends = d == 0 or (shape[d - 1] != 1 and strides[d - 1] != chunk_numel * chunk_stride)
        if not chunk_ends:
            continue
        # give this chunk to new dims from the right until their sizes multiply to the chunk's size
        while view_d >= 0 and (view_numel < chunk_numel or new_shape[view_d] == 1):
            new_strides[view_d] = view_numel * chunk_stride
            view_numel *= new_shape[view_d]
            view_d -= 1
        if view_numel != chunk_numel:
            return None
        if d > 0:
            chunk_stride, chunk_numel, view_numel = strides[d - 1], 1, 1
    return tuple(new_strides) if view_d == -1 else None


def normalise_dim(dim: int, ndim: int) -> int:
    """A dim in ``[-ndim, ndim)`` as a non-negative index (a 0-dim tensor accepts -1 and 0) (V4, V6)."""
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-span}, {span - 1}], but got {dim})")
    return dim % span


def is_dense(array: np.ndarray) -> bool:
    """True when the array's elements fill one block of memory without gaps or overlap, strides positive."""
    expected = array.itemsize
    for size, stride in sorted(zip(array.shape, array.strides), key=lambda pair: pair[1]):
        if size == 1:
            continue
        if stride != expected:
            return False
        expected *= size
    return True
