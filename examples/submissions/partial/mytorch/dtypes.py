"""dtypes, the default dtype, and how ``tensor(data)`` infers a dtype from Python and numpy data."""

from __future__ import annotations

from typing import Any

import numpy as np


class dtype:
    """A tensor element type; wraps the numpy dtype that stores it."""

    def __init__(self, name: str, legacy: str) -> None:
        self.name = name
        self.numpy = np.dtype(name)
        self.legacy = legacy  # the name type() prints: torch.FloatTensor

    @property
    def category(self) -> int:
        """0 bool, 1 integer, 2 floating, 3 complex: a higher one wins when data mixes them."""
        return "biufc".index(self.numpy.kind) - (1 if self.numpy.kind in "ufc" else 0)

    def __repr__(self) -> str:
        return f"mytorch.{self.name}"


bool_ = dtype("bool", "BoolTensor")
uint8 = dtype("uint8", "ByteTensor")
int8 = dtype("int8", "CharTensor")
int16 = dtype("int16", "ShortTensor")
int32 = dtype("int32", "IntTensor")
int64 = dtype("int64", "LongTensor")
float16 = dtype("float16", "HalfTensor")
float32 = dtype("float32", "FloatTensor")
float64 = dtype("float64", "DoubleTensor")
complex64 = dtype("complex64", "ComplexFloatTensor")
complex128 = dtype("complex128", "ComplexDoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_BY_NUMPY = {d.numpy: d for d in ALL}

_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype Python floats become."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Make Python floats become ``d`` (float32 or float64)."""
    if d not in (float32, float64):
        raise TypeError("only float32 and float64 can be the default dtype")
    _default[0] = d


def from_numpy_dtype(np_dtype: Any) -> dtype:
    """Our dtype for a numpy dtype."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"unsupported dtype {np_dtype}") from None


def _leaf_dtype(value: Any) -> dtype:
    """The dtype one scalar asks for: numpy scalars keep theirs, Python numbers by kind."""
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype)
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return get_default_dtype()
    if isinstance(value, complex):
        return complex128 if get_default_dtype() is float64 else complex64
    raise TypeError(f"cannot make a tensor of {type(value).__name__}")


def promote(a: dtype, b: dtype) -> dtype:
    """The dtype that holds both: the higher category wins; inside one, the wider (as numpy for integers)."""
    if a is b:
        return a
    if a.category != b.category:
        high, low = (a, b) if a.category > b.category else (b, a)
        if high.category == 3 and low is float64:
            return complex128  # complex64 cannot hold a float64
        return high
    return from_numpy_dtype(np.promote_types(a.numpy, b.numpy))


def infer(leaves: list[Any]) -> dtype:
    """The dtype of a tensor made of these scalars (the default dtype when there are none)."""
    if not leaves:
        return get_default_dtype()
    result = _leaf_dtype(leaves[0])
    for leaf in leaves[1:]:
        result = promote(result, _leaf_dtype(leaf))
    return result
