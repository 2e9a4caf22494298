"""The Tensor: a numpy array seen through PyTorch's API. Views are numpy views, so storage is shared."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes


def _dim(dim: int, ndim: int) -> int:
    """A dim in ``[-ndim, ndim)`` made non-negative (a 0-dim tensor takes -1 and 0); IndexError outside."""
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-span}, {span - 1}], but got {dim})")
    return dim % span


class Tensor:
    """An n-dimensional array of one dtype on the cpu."""

    def __init__(self, array: np.ndarray) -> None:
        self._a = array
        self.dtype = dtypes.from_numpy_dtype(array.dtype)

    # --- what a tensor is -------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The sizes of the dims."""
        return tuple(self._a.shape)

    @property
    def ndim(self) -> int:
        """How many dims."""
        return self._a.ndim

    @property
    def device(self) -> str:
        """Where the data lives: always the cpu."""
        return "cpu"

    def size(self, dim: int | None = None) -> Any:
        """The shape, or one dim's size."""
        return self.shape if dim is None else self.shape[_dim(dim, self.ndim)]

    def dim(self) -> int:
        """How many dims."""
        return self.ndim

    def nelement(self) -> int:
        """How many elements."""
        return int(self._a.size)

    numel = nelement

    def type(self) -> str:
        """The legacy type name, as PyTorch prints it."""
        return f"torch.{self.dtype.legacy}"

    def numpy(self) -> np.ndarray:
        """The data as a numpy array sharing its memory."""
        return self._a

    def item(self) -> Any:
        """The one element, as a Python number."""
        if self._a.size != 1:
            raise ValueError(f"a Tensor with {self._a.size} elements cannot be converted to Scalar")
        return self._a.reshape(-1)[0].item()

    def to(self, device: str) -> "Tensor":
        """Itself on the cpu; no other device exists here."""
        if str(device) != "cpu":
            raise RuntimeError(f"no device {device!r}")
        return self

    def __repr__(self) -> str:
        return f"tensor({self._a.tolist()}, dtype={self.dtype})"

    # --- views --------------------------------------------------------------------------------------

    def view(self, *shape: int) -> "Tensor":
        """The same storage in another shape; an error when the strides cannot say it."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        viewed = self._a.view()
        try:
            viewed.shape = shape  # numpy refuses when a copy would be needed
        except AttributeError as exc:
            raise RuntimeError(f"view size is not compatible with input tensor's size and stride: {exc}") from None
        return Tensor(viewed)

    def reshape(self, *shape: int) -> "Tensor":
        """A view when the strides allow it, else a copy."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Tensor(self._a.reshape(shape))

    def squeeze(self, dim: int | None = None) -> "Tensor":
        """Drop every size-1 dim, or ``dim`` if its size is 1 (otherwise change nothing)."""
        if dim is None:
            return Tensor(np.squeeze(self._a))
        if self.ndim == 0:
            _dim(dim, 0)
            return Tensor(self._a.view())
        dim = _dim(dim, self.ndim)
        return Tensor(np.squeeze(self._a, axis=dim) if self.shape[dim] == 1 else self._a.view())

    def unsqueeze(self, dim: int) -> "Tensor":
        """A size-1 dim inserted at ``dim`` (one of ndim + 1 places)."""
        n = self.ndim
        if not -n - 1 <= dim <= n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n - 1}, {n}], but got {dim})")
        return Tensor(np.expand_dims(self._a, dim % (n + 1)))

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        """Two dims swapped, sharing storage."""
        return Tensor(np.swapaxes(self._a, _dim(dim0, self.ndim), _dim(dim1, self.ndim)))

    def t(self) -> "Tensor":
        """The transpose of a tensor of at most 2 dims, sharing storage."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.transpose(0, 1) if self.ndim == 2 else Tensor(self._a.view())

    def is_contiguous(self) -> bool:
        """True when the elements lie in row-major order."""
        return bool(self._a.flags.c_contiguous)

    def contiguous(self) -> "Tensor":
        """Itself when row-major already, else a row-major copy."""
        return self if self.is_contiguous() else Tensor(np.ascontiguousarray(self._a))

    def __getitem__(self, key: Any) -> "Tensor":
        """Basic indexing: a view (a 0-dim tensor when every dim gets an int)."""
        key = key if isinstance(key, tuple) else (key,)
        if Ellipsis not in key:
            key = key + (Ellipsis,)  # numpy then gives a 0-dim array, not a scalar
        return Tensor(self._a[key])

    # --- in place, and not --------------------------------------------------------------------------

    def _apply(self, ufunc: np.ufunc, *args: Any) -> "Tensor":
        """Run ``ufunc`` writing into this tensor's storage; return it."""
        ufunc(self._a, *args, out=self._a, casting="unsafe")
        return self

    def zero_(self) -> "Tensor":
        """Fill with zeros."""
        self._a[...] = 0
        return self

    def fill_(self, value: Any) -> "Tensor":
        """Fill with ``value``."""
        self._a[...] = value
        return self

    def add_(self, other: Any) -> "Tensor":
        """Add in place."""
        return self._apply(np.add, other)

    def sub_(self, other: Any) -> "Tensor":
        """Subtract in place."""
        return self._apply(np.subtract, other)

    def mul_(self, other: Any) -> "Tensor":
        """Multiply in place."""
        return self._apply(np.multiply, other)

    def neg_(self) -> "Tensor":
        """Negate in place."""
        return self._apply(np.negative)

    def abs_(self) -> "Tensor":
        """Absolute value in place."""
        return self._apply(np.absolute)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002 - PyTorch's names
        """Clip to [min, max] in place."""
        if min is not None:
            self._apply(np.maximum, min)
        if max is not None:
            self._apply(np.minimum, max)
        return self

    def _copy(self) -> "Tensor":
        """A tensor with its own copy of the data."""
        return Tensor(self._a.copy())

    def add(self, other: Any) -> "Tensor":
        """A new tensor: self + other."""
        return self._copy().add_(other)

    def sub(self, other: Any) -> "Tensor":
        """A new tensor: self - other."""
        return self._copy().sub_(other)

    def mul(self, other: Any) -> "Tensor":
        """A new tensor: self * other."""
        return self._copy().mul_(other)

    def neg(self) -> "Tensor":
        """A new tensor: -self."""
        return self._copy().neg_()

    def abs(self) -> "Tensor":
        """A new tensor: |self|."""
        return self._copy().abs_()

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        """A new tensor clipped to [min, max]."""
        return self._copy().clamp_(min, max)
