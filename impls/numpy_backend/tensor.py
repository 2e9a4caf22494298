"""The Tensor: a storage seen through a shape, strides and an offset, plus what autograd needs.

Layout (V1-V7, T5): ``_storage`` is a flat numpy array; ``_shape``,
``_stride`` (in elements) and ``_offset`` say which of its elements the tensor
holds and in which order; ``_array`` is the numpy array that sees exactly those
elements (built by ``storage.window``, sharing memory). Every computation
reads ``_array``; every in-place method writes into it, hence into the storage
and every view of it.

Autograd (A1-A7): ``requires_grad``, ``grad``, ``grad_fn`` (None for a leaf),
``retain_grad()``, ``detach()``, ``backward()``.

The arithmetic, views and in-place methods are in ``TensorMethods``
(tensor_methods.py); printing is in printing.py.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any, Iterator

import numpy as np

from . import autograd, dtypes, printing
from .device import CPU, Size, check_device, device
from .storage import Storage, contiguous_strides, is_contiguous, is_dense, window
from .tensor_methods import TensorMethods


class Tensor(TensorMethods):
    """A multi-dimensional array over a shared storage, with autograd (T1-T8, V1-V7, A1-A7)."""

    __array_priority__ = 1000  # numpy scalars defer to our operators: np.float64(2) * t is a Tensor
    __hash__ = object.__hash__  # by identity, as PyTorch: tensors key optimiser state and sets

    # ------------------------------------------------------------------ construction

    def __new__(cls, *args: Any, dtype: dtypes.dtype | None = None, device: Any = None) -> "Tensor":
        """The legacy constructor ``torch.Tensor(...)``: ``Tensor(2, 3)``, ``Tensor([1, 2])`` or ``Tensor(t)`` (M2)."""
        from . import creation

        wanted = dtype or dtypes.get_default_dtype()
        check_device(device)
        if len(args) == 1 and isinstance(args[0], Tensor):
            if dtype is not None and args[0].dtype is not dtype:
                raise TypeError(f"expected {dtype} (got {args[0].dtype})")
            return args[0].detach()  # an alias: same storage, no history
        if all(isinstance(a, int) for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
            sizes = args[0] if len(args) == 1 and isinstance(args[0], Size) else args
            return creation.zeros(*sizes, dtype=wanted) if sizes else creation.empty(0, dtype=wanted)
        if len(args) == 1:
            return creation.tensor(args[0], dtype=wanted)
        raise TypeError(f"Tensor(): invalid arguments {args!r}")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Everything is done in ``__new__``."""

    @classmethod
    def _make(cls, storage: Storage, offset: int, shape: tuple[int, ...], stride: tuple[int, ...],
              array: np.ndarray | None = None, base: "Tensor | None" = None) -> "Tensor":
        """A tensor seeing ``storage`` through this layout (``array`` if the caller already has the window)."""
        t = object.__new__(cls)
        t._storage = storage
        t._offset = int(offset)
        t._shape = tuple(shape)
        t._stride = tuple(stride)
        t._array = window(storage, offset, shape, stride) if array is None else array
        t._dtype = dtypes.from_numpy_dtype(storage.array.dtype)
        t._base = base
        t._requires_grad = False
        t._grad_fn = None
        t._accumulator = None
        t._retains_grad = False
        t.grad = None
        return t

    @classmethod
    def _from_array(cls, array: Any) -> "Tensor":
        """A new tensor that owns ``array`` (a fresh result), keeping its layout when it is dense."""
        array = np.asarray(array)
        if array.dtype.kind not in "biufc":
            raise TypeError(f"can't make a tensor of numpy dtype {array.dtype}")
        if array.size == 0:
            return cls._make(Storage(np.empty(0, array.dtype)), 0, array.shape, contiguous_strides(array.shape))
        if not array.flags.c_contiguous and not is_dense(array):
            array = np.ascontiguousarray(array)
        if array.flags.c_contiguous:
            flat, strides = array.reshape(-1), contiguous_strides(array.shape)
        else:  # dense in another order (the result of an elementwise op on a transposed tensor): keep those strides
            flat = np.lib.stride_tricks.as_strided(array, (array.size,), (array.itemsize,))
            strides = tuple(s // array.itemsize for s in array.strides)
        return cls._make(Storage(flat), 0, array.shape, strides, array=array)

    def _view_of(self, offset: int, shape: tuple[int, ...], stride: tuple[int, ...]) -> "Tensor":
        """A view: the same storage through another layout, remembering its base (V3)."""
        return Tensor._make(self._storage, offset, shape, stride, base=self._base if self._base is not None else self)

    # ------------------------------------------------------------------ layout (T1, V1-V7)

    @property
    def shape(self) -> Size:
        """The sizes of the dims, as a ``Size`` (T1)."""
        return Size(self._shape)

    def size(self, dim: int | None = None) -> Any:
        """``size()`` is the shape; ``size(d)`` the size of dim d (T1)."""
        if dim is None:
            return Size(self._shape)
        from .storage import normalise_dim

        return self._shape[normalise_dim(dim, len(self._shape))]

    def dim(self) -> int:
        """The number of dims (T1)."""
        return len(self._shape)

    ndimension = dim

    @property
    def ndim(self) -> int:
        """The number of dims (T1)."""
        return len(self._shape)

    def numel(self) -> int:
        """The number of elements (T1)."""
        return int(self._array.size)

    nelement = numel

    def stride(self, dim: int | None = None) -> Any:
        """Strides in elements: how far one step along each dim moves in the storage (V6)."""
        if dim is None:
            return self._stride
        from .storage import normalise_dim

        return self._stride[normalise_dim(dim, len(self._shape))]

    def storage_offset(self) -> int:
        """Where the first element sits in the storage (V3)."""
        return self._offset

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Row-major layout, size-1 dims ignored (V6)."""
        return is_contiguous(self._shape, self._stride)

    def untyped_storage(self) -> Storage:
        """The storage this tensor looks at (shared by its views) (V3)."""
        return self._storage

    def data_ptr(self) -> int:
        """Address of the first element."""
        return self._storage.data_ptr() + self._offset * self.element_size()

    def element_size(self) -> int:
        """Bytes per element."""
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of the elements this tensor holds."""
        return self.numel() * self._dtype.itemsize

    @property
    def dtype(self) -> dtypes.dtype:
        """The element type (T1-T4)."""
        return self._dtype

    @property
    def device(self) -> device:
        """Always the cpu (M5)."""
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False

    def is_floating_point(self) -> bool:
        """True for float16/32/64."""
        return self._dtype.is_floating_point

    def is_complex(self) -> bool:
        """True for complex64/128."""
        return self._dtype.is_complex

    # ------------------------------------------------------------------ values (T5, T8)

    def item(self) -> Any:
        """The one element as a Python number of the matching kind: int, float, bool, complex (T8)."""
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted to Scalar")
        return self._array.reshape(-1)[0].item()

    def tolist(self) -> Any:
        """Nested Python lists of Python numbers (a number for a 0-dim tensor)."""
        return self._array.tolist()

    def numpy(self, force: bool = False) -> np.ndarray:
        """A numpy array sharing this tensor's memory (T5); refused while it requires grad, as PyTorch does."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._array.view()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def _scalar(self, kind: type) -> Any:
        if self._array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self.item())

    def __bool__(self) -> bool:
        if self._array.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __int__(self) -> int:
        return self._scalar(int)

    def __float__(self) -> float:
        return self._scalar(float)

    def __complex__(self) -> complex:
        return self._scalar(complex)

    def __index__(self) -> int:
        if self._dtype.category not in ("integral", "bool") or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if not self._shape:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        return printing.tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # ------------------------------------------------------------------ dtype and device (T1-T3, M5)

    def type(self, dtype: Any = None) -> Any:
        """``type()`` is the legacy name, ``'torch.FloatTensor'`` (T1-T3); ``type(dtype)`` converts."""
        if dtype is None:
            return dtypes.type_string(self._dtype)
        if isinstance(dtype, str):
            names = {d.type_name: d for d in dtypes.ALL}
            dtype = names[dtype.rsplit(".", 1)[-1]]
        return self.to(getattr(dtype, "dtype", dtype))

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(other)``: self when nothing changes (M5)."""
        wanted: dtypes.dtype | None = kwargs.pop("dtype", None)
        where = kwargs.pop("device", None)
        copy_ = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None), kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, dtypes.dtype):
                wanted = arg
            elif isinstance(arg, Tensor):
                wanted, where = arg.dtype, arg.device
            elif isinstance(arg, (str, device)):
                where = arg
            elif arg is not None and not isinstance(arg, bool):
                raise TypeError(f"to() received an invalid argument {arg!r}")
        check_device(where)
        if (wanted is None or wanted is self._dtype) and not copy_:
            return self
        from . import ops

        return ops.to_dtype(self, wanted or self._dtype)

    def cpu(self) -> "Tensor":
        """Already on the cpu: self (M5)."""
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> "Tensor":
        """There is no cuda here: RuntimeError, as PyTorch built without CUDA (M5)."""
        return self.to("cuda")

    def float(self) -> "Tensor": return self.to(dtypes.float32)  # noqa: E704 (one-line conversions)
    def double(self) -> "Tensor": return self.to(dtypes.float64)  # noqa: E704
    def half(self) -> "Tensor": return self.to(dtypes.float16)  # noqa: E704
    def long(self) -> "Tensor": return self.to(dtypes.int64)  # noqa: E704
    def int(self) -> "Tensor": return self.to(dtypes.int32)  # noqa: E704
    def short(self) -> "Tensor": return self.to(dtypes.int16)  # noqa: E704
    def byte(self) -> "Tensor": return self.to(dtypes.uint8)  # noqa: E704
    def bool(self) -> "Tensor": return self.to(dtypes.bool)  # noqa: E704

    # ------------------------------------------------------------------ autograd (A1-A7)

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward (A1)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if value and self._dtype.category not in ("floating", "complex"):
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value) or self._grad_fn is not None

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return self (A1, M6)."""
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self) -> autograd.Node | None:
        """The node that made this tensor, named as PyTorch names it; None for a leaf (A1, A5)."""
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        """True for tensors no recorded operation made: the ones whose ``.grad`` backward fills (A4)."""
        return self._grad_fn is None

    def retain_grad(self) -> None:
        """Ask backward to keep this non-leaf tensor's gradient in ``.grad`` too (A4)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._grad_fn._retained.append(weakref.ref(self))
        self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        """True once ``retain_grad()`` was called on a non-leaf tensor (A4)."""
        return self._retains_grad

    def backward(self, gradient: "Tensor | None" = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Backpropagate from this tensor into the leaves' ``.grad``; returns None (A1, A6)."""
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> "Tensor":
        """The same storage and layout, cut from the graph: ``requires_grad`` False (A7)."""
        return Tensor._make(self._storage, self._offset, self._shape, self._stride, array=self._array)

    def detach_(self) -> "Tensor":
        """Cut this tensor itself from the graph (it becomes a leaf)."""
        self._grad_fn, self._requires_grad = None, False
        return self

    @property
    def data(self) -> "Tensor":
        """A detached alias (``p.data``): changing it changes the tensor without autograd seeing it."""
        return self.detach()

    @data.setter
    def data(self, other: "Tensor") -> None:
        self._storage, self._offset, self._shape = other._storage, other._offset, other._shape
        self._stride, self._array, self._dtype = other._stride, other._array, other._dtype

    # ------------------------------------------------------------------ pickling and copying

    def __reduce_ex__(self, protocol: int) -> tuple:
        # The storage is pickled once per pickle (pickle's memo), so views saved together stay views.
        return (_rebuild, (type(self), self._storage, self._offset, self._shape, self._stride, self._requires_grad))

    def __deepcopy__(self, memo: dict) -> "Tensor":
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.")
        new = _rebuild(type(self), copy.deepcopy(self._storage, memo), self._offset, self._shape, self._stride,
                       self._requires_grad)
        new.grad = copy.deepcopy(self.grad, memo)
        return new


def _rebuild(cls: type, storage: Storage, offset: int, shape: tuple[int, ...], stride: tuple[int, ...],
             requires_grad: bool) -> Tensor:
    """Rebuild a pickled tensor (or Parameter) over its storage; it comes back a leaf."""
    t = Tensor._make(storage, offset, shape, stride)
    if cls is not Tensor:
        t.__class__ = cls
    t._requires_grad = requires_grad
    return t

