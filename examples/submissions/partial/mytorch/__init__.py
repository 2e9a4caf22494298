"""Sample submission "partial": a from-scratch library, numpy underneath, that so far does tensors and views.

What is there: ``tensor``, ``from_numpy``, ``as_tensor``, the dtypes and the
default dtype, ``rand``, ``zeros_like``, ``ones_like``, ``eye``, ``empty``; on
tensors their shape and type, in-place arithmetic, indexing, ``item()``, and
``view``, ``reshape``, ``squeeze``, ``unsqueeze``, ``transpose``,
``contiguous``. What is not there yet: autograd, linear algebra, ``nn``,
``optim``, ``utils.data``, cuda. Those are *missing*, which scores zero but is
reported apart from wrong results.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .dtypes import (  # noqa: F401 - the dtypes are part of the API
    bool_ as bool,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from . import dtypes as _dtypes
from .tensor import Tensor

__version__ = "0.1 (tensors and views)"


def _cpu(device: Any) -> None:
    """Refuse every device but the cpu."""
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"no device {device!r}: this library has only the cpu")


def _leaves(data: Any) -> tuple[list[Any], tuple[int, ...]]:
    """The scalars of nested lists/tuples in row-major order, and their shape; ValueError when ragged."""
    if not isinstance(data, (list, tuple)):
        return [data], ()
    if not data:
        return [], (0,)
    parts = [_leaves(item) for item in data]
    shapes = {shape for _, shape in parts}
    if len(shapes) != 1:
        raise ValueError(f"expected a rectangular sequence, got element shapes {sorted(shapes)}")
    return [leaf for leaves, _ in parts for leaf in leaves], (len(data),) + shapes.pop()


def tensor(data: Any, dtype: _dtypes.dtype | None = None, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested sequences of numbers, or a numpy array)."""
    _cpu(device)
    if isinstance(data, Tensor):
        data = data.numpy()
    if isinstance(data, np.ndarray):
        array = np.array(data, dtype=None if dtype is None else dtype.numpy, copy=True)
        return Tensor(array)
    leaves, shape = _leaves(data)
    made = dtype or _dtypes.infer(leaves)
    return Tensor(np.array([np.asarray(leaf).astype(made.numpy) for leaf in leaves], dtype=made.numpy).reshape(shape))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory."""
    return Tensor(array)


def as_tensor(data: Any, dtype: _dtypes.dtype | None = None, device: Any = None) -> Tensor:
    """Share a numpy array's memory when its dtype fits; copy otherwise."""
    _cpu(device)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.numpy == data.dtype):
        return Tensor(data)
    return tensor(data, dtype=dtype)


def _shape(size: tuple[Any, ...]) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean shape (2, 3)."""
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def rand(*size: int, dtype: _dtypes.dtype | None = None, device: Any = None) -> Tensor:
    """Uniform samples from [0, 1) in the default dtype."""
    _cpu(device)
    made = dtype or get_default_dtype()
    return Tensor(np.random.default_rng().random(_shape(size), dtype=made.numpy))


def empty(*size: int, dtype: _dtypes.dtype | None = None, device: Any = None) -> Tensor:
    """A tensor of that shape whose values mean nothing."""
    _cpu(device)
    return Tensor(np.empty(_shape(size), dtype=(dtype or get_default_dtype()).numpy))


def zeros_like(t: Tensor) -> Tensor:
    """Zeros of ``t``'s shape and dtype."""
    return Tensor(np.zeros_like(t.numpy()))


def ones_like(t: Tensor) -> Tensor:
    """Ones of ``t``'s shape and dtype."""
    return Tensor(np.ones_like(t.numpy()))


def eye(n: int, m: int | None = None, dtype: _dtypes.dtype | None = None, device: Any = None) -> Tensor:
    """Ones on the diagonal, zeros elsewhere."""
    _cpu(device)
    return Tensor(np.eye(n, m, dtype=(dtype or get_default_dtype()).numpy))
