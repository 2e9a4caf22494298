"""Views and shape operations: new layouts over the same storage where PyTorch makes views (V1-V7, T8).

``view``, ``squeeze``, ``unsqueeze``, ``transpose``, ``permute``, ``expand``,
``select`` and slicing never copy: each computes a new (shape, strides,
offset) over the base's storage (storage.py), so a write through one shows in
the other (V3). ``view`` raises when no strides can express the new shape
(V7); ``reshape`` then copies. ``contiguous`` and ``clone`` copy.

Each operation records its backward: the gradient of a view is the output
gradient put back into the input's shape (reshaped, transposed, or placed into
zeros for ``select``/``slice``).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from . import storage as layout
from .autograd import record
from .ops import is_tensor, wrap
from .storage import normalise_dim

Tensor = Any  # a Tensor (tensor.py imports this module, so the class cannot be imported here)


def _sizes(args: Sequence[Any]) -> tuple[int, ...]:
    """``view(2, 3)``, ``view((2, 3))`` and ``view(Size)`` all mean (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def _as_view(x: Tensor, shape: tuple[int, ...], stride: tuple[int, ...], offset: int | None = None) -> Tensor:
    return x._view_of(x._offset if offset is None else offset, shape, stride)


# --------------------------------------------------------------------------- view and reshape (V1, V2, V7)


def view(x: Tensor, *shape: Any) -> Tensor:
    """The same storage under a new shape, one ``-1`` inferred (V1); RuntimeError when strides cannot express it (V7)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        raise NotImplementedError(f"view({shape[0]}): reinterpreting the bytes as another dtype")
    new_shape = layout.infer_size(_sizes(shape), x.numel())
    strides = layout.view_strides(x._shape, x._stride, new_shape)
    if strides is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    old = x._shape
    return record("ViewBackward0", _as_view(x, new_shape, strides), (x,), (lambda g: g.reshape(old),), False)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """A view when the strides allow it, else a row-major copy (V2, V7)."""
    new_shape = layout.infer_size(_sizes(shape), x.numel())
    if layout.view_strides(x._shape, x._stride, new_shape) is not None:
        return view(x, new_shape)
    old = x._shape
    copied = wrap(np.ascontiguousarray(x._array).reshape(new_shape))
    return record("UnsafeViewBackward0", copied, (x,), (lambda g: g.reshape(old),), False)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (M4)."""
    if x.dim() == 0:
        return reshape(x, 1)
    start, end = normalise_dim(start_dim, x.dim()), normalise_dim(end_dim, x.dim())
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return x
    shape = x._shape[:start] + (math.prod(x._shape[start : end + 1]),) + x._shape[end + 1 :]
    return reshape(x, shape)


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim into ``sizes``."""
    d = normalise_dim(dim, x.dim())
    return view(x, x._shape[:d] + tuple(sizes) + x._shape[d + 1 :])


# --------------------------------------------------------------------------- squeeze, unsqueeze (V4, V5)


def squeeze(x: Tensor, dim: Any = None, name: str | None = None) -> Tensor:
    """Drop size-1 dims: every one (SqueezeBackward0), or ``dim`` only when its size is 1 (SqueezeBackward1) (V4)."""
    if dim is None:
        drop = {d for d, size in enumerate(x._shape) if size == 1}
        name = name or "SqueezeBackward0"
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        drop = {d for d in (normalise_dim(int(v), x.dim()) for v in dims) if x.dim() and x._shape[d] == 1}
        name = name or ("SqueezeBackward2" if isinstance(dim, (tuple, list)) else "SqueezeBackward1")
    keep = [d for d in range(x.dim()) if d not in drop]
    old = x._shape
    result = _as_view(x, tuple(x._shape[d] for d in keep), tuple(x._stride[d] for d in keep))
    return record(name, result, (x,), (lambda g: g.reshape(old),), False)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim`` in ``[-ndim-1, ndim]`` (V5)."""
    n = x.dim()
    if not -n - 1 <= dim <= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n - 1}, {n}], but got {dim})")
    d = dim if dim >= 0 else dim + n + 1
    inner = x._stride[d] * x._shape[d] if d < n else 1  # any stride works for a size-1 dim; this is PyTorch's
    shape = x._shape[:d] + (1,) + x._shape[d:]
    stride = x._stride[:d] + (inner,) + x._stride[d:]
    old = x._shape
    return record("UnsqueezeBackward0", _as_view(x, shape, stride), (x,), (lambda g: g.reshape(old),), False)


# --------------------------------------------------------------------------- transpose, permute, expand (V6)


def transpose(x: Tensor, dim0: int, dim1: int, name: str = "TransposeBackward0") -> Tensor:
    """Swap two dims by swapping their sizes and strides: no copy, usually not contiguous (V6)."""
    if x.dim() == 0:
        normalise_dim(dim0, 0), normalise_dim(dim1, 0)
        return record(name, _as_view(x, (), ()), (x,), (lambda g: g,), False)
    a, b = normalise_dim(dim0, x.dim()), normalise_dim(dim1, x.dim())
    shape, stride = list(x._shape), list(x._stride)
    shape[a], shape[b] = shape[b], shape[a]
    stride[a], stride[b] = stride[b], stride[a]
    return record(name, _as_view(x, tuple(shape), tuple(stride)), (x,), (lambda g: np.swapaxes(g, a, b),), False)


def t(x: Tensor) -> Tensor:
    """Transpose of a matrix (TBackward0); 0-d and 1-d tensors are returned as views of themselves."""
    if x.dim() > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.dim()}D")
    return transpose(x, 0, -1 if x.dim() == 2 else 0, name="TBackward0") if x.dim() else transpose(x, 0, 0, "TBackward0")


def permute(x: Tensor, *dims: Any) -> Tensor:
    """Reorder the dims (PermuteBackward0)."""
    order = tuple(normalise_dim(d, x.dim()) for d in _sizes(dims))
    if sorted(order) != list(range(x.dim())):
        raise RuntimeError("permute(): dims must be a permutation of the tensor's dims")
    inverse = tuple(np.argsort(order))
    result = _as_view(x, tuple(x._shape[d] for d in order), tuple(x._stride[d] for d in order))
    return record("PermuteBackward0", result, (x,), (lambda g: np.transpose(g, inverse),), False)


def expand(x: Tensor, *sizes: Any) -> Tensor:
    """Broadcast size-1 dims to larger sizes with stride 0: no copy (ExpandBackward0: the engine sums back)."""
    sizes = _sizes(sizes)
    if len(sizes) < x.dim():
        raise RuntimeError("expand: the number of sizes provided must be greater or equal to the number of dimensions")
    lead = len(sizes) - x.dim()
    shape, stride = [], []
    for i, size in enumerate(sizes):
        own = x._shape[i - lead] if i >= lead else 1
        if size == -1:
            size = own
        if i >= lead and own != 1 and own != size:
            raise RuntimeError(f"The expanded size of the tensor ({size}) must match the existing size ({own}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(x._shape)}")
        shape.append(size)
        stride.append(x._stride[i - lead] if i >= lead and own == size else 0)
    return record("ExpandBackward0", _as_view(x, tuple(shape), tuple(stride)), (x,), (lambda g: g,), False)


# --------------------------------------------------------------------------- copies: contiguous, clone


def clone(x: Tensor) -> Tensor:
    """A copy with its own storage, in the same layout when that is dense (CloneBackward0)."""
    return record("CloneBackward0", wrap(x._array.copy(order="K")), (x,), (lambda g: g,), False)


def contiguous(x: Tensor) -> Tensor:
    """Self when already row-major, else a row-major copy: then ``is_contiguous()`` is True (V6)."""
    if x.is_contiguous():
        return x
    return record("CloneBackward0", wrap(np.ascontiguousarray(x._array)), (x,), (lambda g: g,), False)


# --------------------------------------------------------------------------- select, slice, indexing (T8)


def select(x: Tensor, dim: int, index: int) -> Tensor:
    """The sub-tensor at ``index`` along ``dim``: one dim fewer, a view (SelectBackward0) (T8)."""
    if x.dim() == 0:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
                         "to convert a 0-dim tensor to a number")
    d = normalise_dim(dim, x.dim())
    size = x._shape[d]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {size}")
    i = index % size
    shape, stride = x._shape[:d] + x._shape[d + 1 :], x._stride[:d] + x._stride[d + 1 :]
    old, dtype = x._shape, x._array.dtype

    def grad(g: np.ndarray) -> np.ndarray:
        full = np.zeros(old, dtype=g.dtype)
        full[(slice(None),) * d + (i,)] = g
        return full

    return record("SelectBackward0", _as_view(x, shape, stride, x._offset + i * x._stride[d]), (x,), (grad,), False)


def slice_dim(x: Tensor, dim: int, start: int | None, stop: int | None, step: int | None) -> Tensor:
    """Elements ``start:stop:step`` along ``dim``: a view whose stride is multiplied by step (SliceBackward0) (T8)."""
    step = 1 if step is None else int(step)
    if step <= 0:
        raise ValueError("step must be greater than zero")
    d = normalise_dim(dim, x.dim())
    first, end, _ = slice(start, stop, step).indices(x._shape[d])
    length = max(0, -(-(end - first) // step))
    shape = x._shape[:d] + (length,) + x._shape[d + 1 :]
    stride = x._stride[:d] + (x._stride[d] * step,) + x._stride[d + 1 :]
    old = x._shape
    key = (slice(None),) * d + (slice(first, first + length * step, step) if length else slice(0, 0),)

    def grad(g: np.ndarray) -> np.ndarray:
        full = np.zeros(old, dtype=g.dtype)
        full[key] = g
        return full

    offset = x._offset + (first * x._stride[d] if length else 0)
    return record("SliceBackward0", _as_view(x, shape, stride, offset), (x,), (grad,), False)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``length`` elements from ``start`` along ``dim`` (a view)."""
    return slice_dim(x, dim, start, start + length, 1)


def _is_basic(entry: Any) -> bool:
    """Ints, slices, None and Ellipsis give views; tensors, lists and arrays select by value (a copy)."""
    if entry is None or entry is Ellipsis or isinstance(entry, slice):
        return True
    if is_tensor(entry):
        return entry.dim() == 0 and entry._dtype.category == "integral"
    return isinstance(entry, (int, np.integer)) and not isinstance(entry, bool)


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]``: basic indices as a chain of views, as PyTorch applies them (T8); others copy (IndexBackward0)."""
    single = not isinstance(key, tuple)
    entries = (key,) if single else key
    if not all(_is_basic(e) for e in entries):
        return _advanced_index(x, entries)
    specified = sum(1 for e in entries if e is not None and e is not Ellipsis)
    if specified > x.dim():
        raise IndexError(f"too many indices for tensor of dimension {x.dim()}")
    if sum(1 for e in entries if e is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    result, d = x, 0
    for entry in entries:
        if entry is None:
            result, d = unsqueeze(result, d), d + 1
        elif entry is Ellipsis:
            d += x.dim() - specified
        elif isinstance(entry, slice):
            full = entry.start in (None, 0) and entry.stop is None and entry.step in (None, 1)
            if not full or single:  # PyTorch skips ``:`` inside a tuple but slices for a lone ``x[:]``
                result = slice_dim(result, d, entry.start, entry.stop, entry.step)
            d += 1
        else:
            result = select(result, d, int(entry))
    if result is x:  # x[...] or x[:, :]: a new tensor all the same (AliasBackward0)
        result = record("AliasBackward0", _as_view(x, x._shape, x._stride), (x,), (lambda g: g,), False)
    return result


def _numpy_key(entries: Sequence[Any]) -> tuple:
    """The index for numpy: tensors as arrays (bool masks stay bool)."""
    return tuple(e._array if is_tensor(e) else e for e in entries)


def _advanced_index(x: Tensor, entries: Sequence[Any]) -> Tensor:
    """Indexing with tensors, lists or masks: the selected values copied (IndexBackward0)."""
    key = _numpy_key(entries)
    try:
        values = x._array[key]
    except IndexError as exc:
        raise IndexError(str(exc)) from None
    old, dtype = x._shape, x._array.dtype

    def grad(g: np.ndarray) -> np.ndarray:
        full = np.zeros(old, dtype=g.dtype)
        np.add.at(full, key, g)
        return full

    return record("IndexBackward0", wrap(np.array(values, copy=True, order="C")), (x,), (grad,), False)


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value``: write into the selected elements (through a view for basic indices) (T7)."""
    entries = key if isinstance(key, tuple) else (key,)
    if all(_is_basic(e) for e in entries):
        getitem(x, key).copy_(value)
        return
    key = _numpy_key(entries)
    x._inplace(lambda s: _index_put(s, key, value), value)


def _index_put(x: Tensor, key: tuple, value: Any) -> Tensor:
    """A copy of x with ``value`` written at the advanced index ``key`` (IndexPutBackward0)."""
    V = value._array.astype(x._array.dtype, copy=False) if is_tensor(value) else value
    Y = np.array(x._array, copy=True)
    Y[key] = V
    shape = value._shape if is_tensor(value) else ()

    def grad_x(g: np.ndarray) -> np.ndarray:
        kept = np.array(g, copy=True)
        kept[key] = 0
        return kept

    return record("IndexPutBackward0", wrap(Y), (x, value), (grad_x, lambda g: np.broadcast_to(g[key], np.broadcast_shapes(g[key].shape, shape))), False)


# --------------------------------------------------------------------------- joining and splitting


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The sub-tensors along ``dim``, each a view."""
    d = normalise_dim(dim, x.dim())
    return tuple(select(x, d, i) for i in range(x._shape[d]))


def split(x: Tensor, size: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``size`` (or of the listed sizes) along ``dim``, each a view."""
    d = normalise_dim(dim, x.dim())
    n = x._shape[d]
    sizes = list(size) if isinstance(size, (list, tuple)) else [min(size, n - i) for i in range(0, n, size)] or [0]
    starts = np.cumsum([0] + sizes[:-1])
    return tuple(narrow(x, d, int(s), int(k)) for s, k in zip(starts, sizes))


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` nearly equal pieces along ``dim``."""
    n = x._shape[normalise_dim(dim, x.dim())]
    return split(x, max(1, -(-n // chunks)), dim)


def _joined_dtype(tensors: Sequence[Tensor]) -> Any:
    from .dtypes import result_type

    return result_type(*tensors)


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """Join equal-shape tensors along a new dim (StackBackward0)."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shapes = {t._shape for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, but got {sorted(shapes)}")
    d = dim if dim >= 0 else dim + tensors[0].dim() + 1
    dt = _joined_dtype(tensors).numpy
    Y = np.stack([t._array.astype(dt, copy=False) for t in tensors], axis=d)
    grads = [(lambda g, i=i: np.take(g, i, axis=d)) for i in range(len(tensors))]
    return record("StackBackward0", wrap(Y), tensors, grads, False)


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    """Join tensors along an existing dim (CatBackward0)."""
    tensors = [t for t in tensors if not (t.dim() == 1 and t.numel() == 0)] or list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    d = normalise_dim(dim, tensors[0].dim())
    dt = _joined_dtype(tensors).numpy
    try:
        Y = np.concatenate([t._array.astype(dt, copy=False) for t in tensors], axis=d)
    except ValueError as exc:
        raise RuntimeError(f"torch.cat(): {exc}") from None
    bounds = np.cumsum([0] + [t._shape[d] for t in tensors])
    grads = [(lambda g, a=a, b=b: np.take(g, range(a, b), axis=d)) for a, b in zip(bounds[:-1], bounds[1:])]
    return record("CatBackward0", wrap(Y), tensors, grads, False)
