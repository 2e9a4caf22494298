"""Making tensors: ``tensor``, ``as_tensor``, ``from_numpy`` and the initialisers (T1-T6).

* ``tensor(data)`` always copies and infers the dtype by PyTorch's rules
  (dtypes.py): ``[[1, 2, 3]]`` is int64 (T2), ``[[1., 2.]]`` float32 (T3), a
  float64 numpy array stays float64 (T1).
* ``from_numpy(x)`` and ``as_tensor(x)`` *share* x's memory (T5): the tensor's
  storage is a one-dimensional window onto x's buffer, so ``x[-1, -1] = 86``
  shows in the tensor. ``as_tensor`` copies only when asked for another dtype.
* ``zeros``, ``ones``, ``empty``, ``eye``, ``*_like``, ``arange``, ``linspace``
  take the default dtype unless told otherwise (T6).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import dtypes
from .autograd import no_grad
from .device import check_device
from .ops import is_tensor, wrap
from .storage import Storage

Tensor = Any


def sizes_of(args: Sequence[Any]) -> tuple[int, ...]:
    """``zeros(2, 3)``, ``zeros((2, 3))`` and ``zeros([2, 3])`` all mean shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for a in args:
        if not isinstance(a, (int, np.integer)) and not (is_tensor(a) and a.dim() == 0):
            raise TypeError(f"sizes must be ints, got {type(a).__name__}")
    return tuple(int(a) for a in args)


def finish(t: Tensor, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Check the device (the cpu only) and set ``requires_grad`` on a new leaf."""
    check_device(device)
    if requires_grad:
        t.requires_grad_(True)
    return t


# --------------------------------------------------------------------------- tensor(data) (T1-T4)


def _infer(data: Any) -> dtypes.dtype:
    """The dtype ``tensor(data)`` gets: one per leaf (T4 rules), promoted across a sequence."""
    if is_tensor(data):
        return data.dtype
    if isinstance(data, np.ndarray):
        return dtypes.from_numpy_dtype(data.dtype)
    if isinstance(data, (list, tuple)):
        found: dtypes.dtype | None = None
        for item in data:
            d = _infer(item)
            found = d if found is None else dtypes.promote_types(found, d)
        return found or dtypes.get_default_dtype()  # [] takes the default dtype
    return dtypes.scalar_dtype(data)


def _plain(data: Any) -> Any:
    """Nested data with tensors inside replaced by their values, ready for ``np.array``."""
    if is_tensor(data):
        return data._array
    if isinstance(data, (list, tuple)) and any(is_tensor(item) or isinstance(item, (list, tuple)) for item in data):
        return [_plain(item) for item in data]
    return data


def tensor(data: Any, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (T1-T4): nested lists/tuples of numbers, a numpy array, a tensor."""
    if isinstance(data, str) or (isinstance(data, (list, tuple)) and _has_str(data)):
        raise TypeError(f"new(): invalid data type 'str'")
    wanted = dtype or _infer(data)
    values = np.array(_plain(data), dtype=wanted.numpy, copy=True)
    if values.dtype == object:
        raise ValueError("expected a sequence of numbers of equal lengths (ragged nested sequence)")
    return finish(wrap(values), requires_grad, device)


def _has_str(data: Any) -> bool:
    return any(isinstance(i, str) or (isinstance(i, (list, tuple)) and _has_str(i)) for i in data)


def scalar_tensor(value: Any, *, dtype: dtypes.dtype | None = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """A 0-dim tensor of the default dtype (document 000's ``scalar_tensor(0)`` is ``tensor(0.)``)."""
    return tensor(value, dtype=dtype or dtypes.get_default_dtype(), device=device, requires_grad=requires_grad)


# --------------------------------------------------------------------------- sharing numpy's memory (T5)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor over the numpy array's own memory: writes show on both sides (T5).

    The storage is a one-dimensional view of the array's buffer, from its first
    element to its last; the tensor's strides are the array's (in elements).
    """
    from .tensor import Tensor as TensorClass

    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)  # TypeError for dtypes a tensor cannot hold
    itemsize = array.itemsize
    if any(s < 0 for s in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative strides "
                         "are not currently supported. (You can probably work around this by making a copy of your "
                         "array with array.copy().)")
    if any(s % itemsize for s in array.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory.")
    strides = tuple(s // itemsize for s in array.strides)
    if array.size == 0:
        return TensorClass._make(Storage(np.empty(0, array.dtype)), 0, array.shape, strides)
    span = 1 + sum((n - 1) * s for n, s in zip(array.shape, strides))
    flat = np.lib.stride_tricks.as_strided(array, shape=(span,), strides=(itemsize,))
    return TensorClass._make(Storage(flat), 0, array.shape, strides)


def as_tensor(data: Any, dtype: dtypes.dtype | None = None, device: Any = None) -> Tensor:
    """Share memory where possible: a numpy array of the same dtype (T5), a tensor itself; else ``tensor(data)``."""
    check_device(device)
    if is_tensor(data):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        shared = from_numpy(data)
        return shared if dtype is None or dtype is shared.dtype else shared.to(dtype)
    return tensor(data, dtype=dtype)


# --------------------------------------------------------------------------- initialisers (T6)


def full(size: Sequence[int], fill_value: Any, *, dtype: dtypes.dtype | None = None, device: Any = None,
         requires_grad: bool = False, **_: Any) -> Tensor:
    """Every element ``fill_value``; the dtype follows the value (a bool, an int64, the default float)."""
    dt = dtype or dtypes.scalar_dtype(fill_value)
    return finish(wrap(np.full(sizes_of((size,)), fill_value, dtype=dt.numpy)), requires_grad, device)


def _filled(value: int, args: Sequence[Any], dtype: dtypes.dtype | None, device: Any, requires_grad: bool) -> Tensor:
    dt = dtype or dtypes.get_default_dtype()
    return finish(wrap(np.full(sizes_of(args), value, dtype=dt.numpy)), requires_grad, device)


def zeros(*size: Any, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """All zeros, the default dtype unless told (T6)."""
    return _filled(0, size, dtype, device, requires_grad)


def ones(*size: Any, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """All ones, the default dtype unless told (T6)."""
    return _filled(1, size, dtype, device, requires_grad)


def empty(*size: Any, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """Uninitialised values of the given shape (T6): here zeros, which is one possible garbage."""
    return _filled(0, size, dtype, device, requires_grad)


def _like(x: Tensor, value: int, dtype: dtypes.dtype | None, requires_grad: bool) -> Tensor:
    dt = dtype or x.dtype
    return finish(wrap(np.full(x._shape, value, dtype=dt.numpy)), requires_grad)


def zeros_like(x: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False,
               **_: Any) -> Tensor:
    """Zeros of x's shape and dtype (T6)."""
    check_device(device)
    return _like(x, 0, dtype, requires_grad)


def ones_like(x: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False,
              **_: Any) -> Tensor:
    """Ones of x's shape and dtype (T6)."""
    check_device(device)
    return _like(x, 1, dtype, requires_grad)


def empty_like(x: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False,
               **_: Any) -> Tensor:
    """Uninitialised values of x's shape and dtype (T6)."""
    check_device(device)
    return _like(x, 0, dtype, requires_grad)


def full_like(x: Tensor, fill_value: Any, *, dtype: dtypes.dtype | None = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    """``fill_value`` everywhere, x's shape and dtype."""
    check_device(device)
    dt = dtype or x.dtype
    return finish(wrap(np.full(x._shape, fill_value, dtype=dt.numpy)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: dtypes.dtype | None = None, device: Any = None,
        requires_grad: bool = False, **_: Any) -> Tensor:
    """Ones on the main diagonal, zeros elsewhere (T6)."""
    dt = dtype or dtypes.get_default_dtype()
    return finish(wrap(np.eye(n, n if m is None else m, dtype=dt.numpy)), requires_grad, device)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: dtypes.dtype | None = None, device: Any = None,
           requires_grad: bool = False, **_: Any) -> Tensor:
    """``start, start+step, ...`` below ``end``: int64 for integer arguments, else the default dtype."""
    if end is None:
        start, end = 0, start
    bounds = [float(v) if is_tensor(v) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    integral = all(isinstance(v, (int, np.integer)) for v in bounds)
    dt = dtype or (dtypes.int64 if integral else dtypes.get_default_dtype())
    values = np.arange(*bounds, dtype=np.int64 if integral else np.float64).astype(dt.numpy)
    return finish(wrap(values), requires_grad, device)


def linspace(start: Any, end: Any, steps: int, *, dtype: dtypes.dtype | None = None, device: Any = None,
             requires_grad: bool = False, **_: Any) -> Tensor:
    """``steps`` evenly spaced values from start to end, computed from both ends as PyTorch does."""
    dt = dtype or dtypes.get_default_dtype()
    start, end = (float(v) if is_tensor(v) else v for v in (start, end))
    if steps == 1:
        return finish(wrap(np.array([start], dtype=dt.numpy)), requires_grad, device)
    kind = dt.numpy if dt.category in ("floating", "complex") else np.float64
    first, last = np.asarray(start, dtype=kind), np.asarray(end, dtype=kind)
    step = (last - first) / np.asarray(steps - 1, dtype=kind)
    i = np.arange(steps).astype(kind)
    values = np.where(i < steps // 2, first + step * i, last - step * (steps - 1 - i)).astype(dt.numpy)
    return finish(wrap(values), requires_grad, device)


# --------------------------------------------------------------------------- legacy typed constructors (T1-T3)


class _LegacyType(type):
    """``torch.FloatTensor([1, 2])`` makes a float32 tensor; ``isinstance(t, torch.FloatTensor)`` checks the dtype."""

    dtype: dtypes.dtype

    def __call__(cls, *args: Any) -> Tensor:
        from .tensor import Tensor as TensorClass

        return TensorClass(*args, dtype=cls.dtype)

    def __instancecheck__(cls, obj: Any) -> bool:
        return is_tensor(obj) and obj.dtype is cls.dtype


def legacy_type(d: dtypes.dtype) -> type:
    """The legacy class of a dtype: ``FloatTensor`` for float32."""
    return _LegacyType(d.type_name, (), {"dtype": d, "__doc__": f"Legacy constructor of {d} tensors."})


def numel(x: Tensor) -> int:
    """The number of elements."""
    return x.numel()


def detached_copy(x: Tensor) -> Tensor:
    """A copy with no history (used by ``tensor(t)``)."""
    with no_grad():
        return wrap(np.array(x._array, copy=True))
