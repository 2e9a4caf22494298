"""Dtypes: PyTorch's names for numpy's element types, and the rules that pick one.

A ``dtype`` object is a thin label around a numpy dtype. Its ``str()`` is
PyTorch's (``torch.float32``), it compares equal only to itself (``float`` and
``float32`` are the same object, as in PyTorch), and it pickles by name, so a
tensor sent to another process keeps its dtype.

The rules implemented here:

* T1-T4 ``tensor(data)`` inference: a Python float takes the *default* dtype
  (float32 unless ``set_default_dtype`` changed it), an int int64, a bool bool,
  a complex the default's complex partner; numpy scalars and arrays keep theirs;
  a sequence promotes its leaves by category (bool < integral < floating < complex).
* T1-T3 ``Tensor.type()`` strings: ``torch.FloatTensor``, ``torch.LongTensor``...
* The result dtype of an operation (PyTorch's ``result_type``): dimensioned tensors
  outrank 0-dim tensors, which outrank Python numbers, *unless* a lower rank
  brings a higher category (``int_tensor + 2.5`` is float32, ``float32 + float64
  0-dim`` stays float32).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
    "complex64", "complex128", "get_default_dtype", "set_default_dtype", "promote_types", "result_type",
]

_builtin_bool = bool


class dtype:  # noqa: N801 (PyTorch's class name)
    """An element type: PyTorch's name for it, and the numpy dtype that stores it."""

    def __init__(self, name: str, numpy_dtype: Any, type_name: str, category: str) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.type_name = type_name  # legacy class name: "FloatTensor" (T1-T3)
        self.category = category  # "bool", "integral", "floating" or "complex" (T4)

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.numpy.itemsize

    @property
    def is_floating_point(self) -> _builtin_bool:
        """True for float16/32/64."""
        return self.category == "floating"

    @property
    def is_complex(self) -> _builtin_bool:
        """True for complex64/128."""
        return self.category == "complex"

    @property
    def is_signed(self) -> _builtin_bool:
        """True unless the type is bool or unsigned."""
        return self.name not in ("bool", "uint8")

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # pickled as a reference to the module-level object of that name


bool = dtype("bool", np.bool_, "BoolTensor", "bool")  # noqa: A001 (shadows the builtin, as torch.bool does)
uint8 = dtype("uint8", np.uint8, "ByteTensor", "integral")
int8 = dtype("int8", np.int8, "CharTensor", "integral")
int16 = dtype("int16", np.int16, "ShortTensor", "integral")
int32 = dtype("int32", np.int32, "IntTensor", "integral")
int64 = dtype("int64", np.int64, "LongTensor", "integral")
float16 = dtype("float16", np.float16, "HalfTensor", "floating")
float32 = dtype("float32", np.float32, "FloatTensor", "floating")
float64 = dtype("float64", np.float64, "DoubleTensor", "floating")
complex64 = dtype("complex64", np.complex64, "ComplexFloatTensor", "complex")
complex128 = dtype("complex128", np.complex128, "ComplexDoubleTensor", "complex")

ALL: tuple[dtype, ...] = (bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)

#: PyTorch's aliases: ``torch.float`` is ``torch.float32`` and so on.
ALIASES: dict[str, dtype] = {
    "half": float16, "float": float32, "double": float64, "short": int16, "int": int32, "long": int64,
    "cfloat": complex64, "cdouble": complex128,
}

_BY_NUMPY: dict[np.dtype, dtype] = {d.numpy: d for d in ALL}
_CATEGORY_ORDER = ("bool", "integral", "floating", "complex")


def from_numpy_dtype(np_dtype: Any) -> dtype:
    """The dtype object for a numpy dtype; TypeError for types a tensor cannot hold (strings, objects)."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
                        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.") from None


def to_dtype(value: Any) -> dtype:
    """Accept a dtype object, a numpy dtype or a Python type (``float``, ``int``, ``bool``) and return the dtype."""
    if isinstance(value, dtype):
        return value
    if value is float:
        return float64
    if value is int:
        return int64
    if value is _builtin_bool:
        return bool
    return from_numpy_dtype(value)


# --------------------------------------------------------------------------- the default dtype (T3, T4)

_default = {"dtype": float32}


def get_default_dtype() -> dtype:
    """The dtype that Python floats and ``rand``/``zeros`` take (float32 unless changed) (T3, T6)."""
    return _default["dtype"]


def set_default_dtype(d: dtype) -> None:
    """Change the default floating dtype; only float32 and float64 are allowed, as in PyTorch (T4)."""
    if d not in (float32, float64):
        raise TypeError(f"only float32 and float64 are supported as the default type here, got {d}")
    _default["dtype"] = d


def default_complex() -> dtype:
    """The dtype a Python complex takes: complex64, or complex128 under a float64 default (T4)."""
    return complex128 if get_default_dtype() is float64 else complex64


# --------------------------------------------------------------------------- promotion (T4)


def _rank(d: dtype) -> int:
    return _CATEGORY_ORDER.index(d.category)


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's ``promote_types``: the higher category wins; within one, the wider type (T4).

    numpy's ``promote_types`` gives the same answer within a category (uint8 +
    int8 is int16), so it is used there. Across categories PyTorch keeps the
    higher category's own type: ``int64 + float32`` is float32 (numpy says
    float64); a complex meeting a wider float widens (complex64 + float64 is complex128).
    """
    if a is b:
        return a
    if a.category == b.category:
        return from_numpy_dtype(np.promote_types(a.numpy, b.numpy))
    high, low = (a, b) if _rank(a) > _rank(b) else (b, a)
    if high.category == "complex" and low is float64:
        return complex128
    return high


def scalar_dtype(value: Any) -> dtype:
    """The dtype one Python or numpy scalar contributes to ``tensor(data)`` (T4)."""
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype)
    if isinstance(value, _builtin_bool):  # before int: bool is a subclass of int
        return bool
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return get_default_dtype()
    if isinstance(value, complex):
        return default_complex()
    raise TypeError(f"Could not infer dtype of {type(value).__name__}")


def type_string(d: dtype, device_type: str = "cpu") -> str:
    """``Tensor.type()``: ``torch.FloatTensor`` for float32 on the cpu (T1-T3)."""
    return f"torch.{'cuda.' if device_type == 'cuda' else ''}{d.type_name}"


# --------------------------------------------------------------------------- result_type of operations


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """PyTorch's ``combine_categories``: a lower-priority group only counts if it brings a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return {float64: complex128}.get(higher, complex64) if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def _wrapped_scalar_dtype(value: Any) -> dtype:
    """A Python number in an operation: bool, int64, or the default float/complex dtype."""
    if isinstance(value, np.generic):
        value = value.item()
    return scalar_dtype(value)


def result_type(*operands: Any) -> dtype:
    """The dtype an operation on these tensors and Python numbers computes in (PyTorch's ``result_type``).

    Three groups are promoted separately: tensors with dims, 0-dim tensors, and
    Python numbers; then combined in that order of priority.
    """
    groups: list[dtype | None] = [None, None, None]
    for operand in operands:
        if operand is None:
            continue
        if hasattr(operand, "_array"):  # a Tensor
            slot, d = (0 if operand.dim() else 1), operand.dtype
        elif isinstance(operand, np.ndarray):  # a numpy array counts as the tensor it would become
            slot, d = (0 if operand.ndim else 1), from_numpy_dtype(operand.dtype)
        else:
            slot, d = 2, _wrapped_scalar_dtype(operand)
        groups[slot] = d if groups[slot] is None else promote_types(groups[slot], d)
    found = _combine(groups[0], _combine(groups[1], groups[2]))
    if found is None:
        raise TypeError("result_type needs at least one operand")
    return found


def can_cast(from_: dtype, to: dtype) -> _builtin_bool:
    """PyTorch's ``can_cast`` for in-place results: never to a lower category (float into int is an error)."""
    return _rank(from_) <= _rank(to)
