"""T1-T8: what ``tensor(data)`` makes, the type() strings, item(), initialisers, in-place methods, indexing.

The dtype a tensor gets from Python data is PyTorch's ``infer_scalar_type``
rule written out: every leaf has a dtype (a Python float the *default* dtype,
an int int64, a bool bool, a complex the default's complex partner, a numpy
scalar or array its own dtype), and a sequence promotes its leaves'
dtypes. Promotion between categories goes complex > floating > integral >
bool and keeps the higher category's dtype (``[1, 2.5]`` is float32, not
numpy's float64); within a category the wider dtype wins, as numpy's.

Dtypes are named by strings (``"float32"``), the names a backend offers them
under (``T.float32``). Values are numpy arrays.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

Shape = tuple[int, ...]

#: The dtypes a tensor can have, by category, narrowest first.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "bool": ("bool",),
    "integral": ("uint8", "int8", "int16", "int32", "int64"),
    "floating": ("float16", "bfloat16", "float32", "float64"),
    "complex": ("complex64", "complex128"),
}

#: Promotion order of the categories (T4): a higher one absorbs a lower one.
CATEGORY_ORDER: tuple[str, ...] = ("bool", "integral", "floating", "complex")

#: The floating dtypes ``set_default_dtype`` is tested with, and the complex dtype that goes with each.
DEFAULT_COMPLEX: dict[str, str] = {"float32": "complex64", "float64": "complex128"}

#: The legacy tensor type name of each dtype, as ``Tensor.type()`` prints it (T1-T3).
TYPE_NAMES: dict[str, str] = {
    "bool": "BoolTensor",
    "uint8": "ByteTensor",
    "int8": "CharTensor",
    "int16": "ShortTensor",
    "int32": "IntTensor",
    "int64": "LongTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "complex64": "ComplexFloatTensor",
    "complex128": "ComplexDoubleTensor",
}

#: The Python type ``item()`` returns for each category (T8).
ITEM_KINDS: dict[str, str] = {"bool": "bool", "integral": "int", "floating": "float", "complex": "complex"}


# --- T4: dtype inference -------------------------------------------------------------------------


def category(dtype: str) -> str:
    """The category of a dtype name: bool, integral, floating or complex (T4)."""
    for name, members in CATEGORIES.items():
        if dtype in members:
            return name
    raise ValueError(f"not a tensor dtype: {dtype!r}")


def _width(dtype: str) -> int:
    """Bits per element (a complex counts both halves)."""
    return {"bool": 8, "bfloat16": 16}.get(dtype) or np.dtype(dtype).itemsize * 8


def _complex_holding(floating: str) -> str:
    """The narrowest complex dtype whose parts hold ``floating`` exactly."""
    return "complex128" if floating == "float64" else "complex64"


def promote_types(a: str, b: str) -> str:
    """PyTorch's ``promote_types(a, b)`` for the dtype names above (T4).

    Across categories the higher category's dtype wins, except that a complex
    meeting a wider floating dtype widens to hold it (complex64 + float64 is
    complex128). Within a category: integers as numpy (uint8 + int8 is int16),
    floats and complexes the wider, and float16 + bfloat16 is float32.
    """
    if a == b:
        return a
    cat_a, cat_b = category(a), category(b)
    if cat_a != cat_b:
        high, low = (a, b) if CATEGORY_ORDER.index(cat_a) > CATEGORY_ORDER.index(cat_b) else (b, a)
        if category(high) == "complex" and category(low) == "floating" and _width(low) * 2 > _width(high):
            return _complex_holding(low)
        return high
    if cat_a == "integral":
        return _promote_integers(a, b)
    if {a, b} == {"float16", "bfloat16"}:
        return "float32"
    return a if _width(a) > _width(b) else b


def _promote_integers(a: str, b: str) -> str:
    """The narrowest integer dtype holding every value of both (uint8 with a signed type needs a wider signed one)."""
    signed = [d for d in (a, b) if d != "uint8"]
    if len(signed) == 2:
        return a if _width(a) > _width(b) else b
    (other,) = signed
    return "int16" if _width(other) <= 8 else other


def default_complex(default_dtype: str) -> str:
    """The dtype a Python complex gets: complex64, or complex128 when the default dtype is float64 (T4)."""
    try:
        return DEFAULT_COMPLEX[default_dtype]
    except KeyError:
        raise ValueError(f"default dtype must be one of {sorted(DEFAULT_COMPLEX)}, not {default_dtype!r}") from None


def scalar_dtype(value: Any, default_dtype: str = "float32") -> str:
    """The dtype one leaf contributes: numpy scalars keep theirs; Python bool, int, float, complex (T4)."""
    if isinstance(value, np.generic):
        return np.dtype(value.dtype).name
    if isinstance(value, bool):  # before int: bool is a subclass of int
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        default_complex(default_dtype)  # validates the default
        return default_dtype
    if isinstance(value, complex):
        return default_complex(default_dtype)
    raise TypeError(f"not a scalar a tensor can hold: {type(value).__name__}")


def _is_sequence(data: Any) -> bool:
    """Lists and tuples nest; strings and everything else do not."""
    return isinstance(data, (list, tuple))


def infer_shape(data: Any) -> Shape:
    """The shape of nested lists/tuples of scalars, or of a numpy array; ValueError if ragged (T4)."""
    if isinstance(data, np.ndarray):
        return tuple(int(n) for n in data.shape)
    if not _is_sequence(data):
        return ()
    if not data:
        return (0,)
    inner = [infer_shape(item) for item in data]
    if any(shape != inner[0] for shape in inner):
        raise ValueError(f"ragged nested sequence: element shapes {sorted(set(inner))}")
    return (len(data),) + inner[0]


def leaves(data: Any) -> list[Any]:
    """The scalars of nested lists/tuples in row-major order (a scalar is its own only leaf)."""
    if not _is_sequence(data):
        return [data]
    return [leaf for item in data for leaf in leaves(item)]


def infer_dtype(data: Any, default_dtype: str = "float32") -> str:
    """The dtype of ``tensor(data)``: numpy arrays keep theirs; sequences promote their leaves (T1-T4).

    An empty sequence has no leaf to go by and takes the default dtype.
    """
    if isinstance(data, np.ndarray):
        return np.dtype(data.dtype).name
    if _is_sequence(data):
        found = [scalar_dtype(leaf, default_dtype) for leaf in leaves(data)]
        if not found:
            return default_dtype
        result = found[0]
        for dtype in found[1:]:
            result = promote_types(result, dtype)
        return result
    return scalar_dtype(data, default_dtype)


def expected_values(data: Any, default_dtype: str = "float32") -> np.ndarray:
    """What ``tensor(data)`` holds: every leaf converted to the inferred dtype, in the inferred shape (T4).

    (bfloat16 never arises from Python or numpy data, so every result is a numpy dtype.)
    """
    dtype = infer_dtype(data, default_dtype)
    shape = infer_shape(data)
    if isinstance(data, np.ndarray):
        return np.array(data, copy=True)
    converted = [np.asarray(leaf).astype(dtype) for leaf in leaves(data)]
    return np.array(converted, dtype=dtype).reshape(shape)


def type_string(dtype: str, device: str = "cpu") -> str:
    """``Tensor.type()``: ``torch.FloatTensor`` on the cpu, ``torch.<device>.FloatTensor`` elsewhere (T1-T3).

    PyTorch names cuda's ``torch.cuda.FloatTensor`` and every other device the same way (``torch.xpu...``).
    """
    kind = device.split(":")[0]
    return f"torch.{'' if kind == 'cpu' else kind + '.'}{TYPE_NAMES[dtype]}"


# --- T5: memory ----------------------------------------------------------------------------------

#: The ways of making a tensor from a numpy array that T5 compares.
CONSTRUCTORS: tuple[str, ...] = ("tensor", "as_tensor", "from_numpy", "from_numpy().to(device)")


def result_device(constructor: str, device: str) -> str:
    """Where the tensor lives: ``from_numpy`` always on the cpu (it takes no device), the others on ``device`` (T5)."""
    if constructor not in CONSTRUCTORS:
        raise ValueError(f"unknown constructor {constructor!r}; one of {CONSTRUCTORS}")
    return "cpu" if constructor == "from_numpy" else device


def shares_memory(constructor: str, device: str, dtype_changes: bool = False) -> bool:
    """Whether the tensor shares memory with the numpy array it was made from (T5).

    PyTorch documents: ``tensor`` always copies; ``from_numpy`` shares ("modifications
    to the tensor will be reflected in the ndarray and vice versa"); ``as_tensor``
    shares when the array already has the requested dtype and device and otherwise
    copies. A numpy array lives in host memory, so nothing on cuda can share it:
    ``as_tensor(x, device="cuda")`` and ``from_numpy(x).to("cuda")`` are copies.
    """
    where = result_device(constructor, device)
    if constructor == "tensor" or where.split(":")[0] != "cpu":
        return False
    return not (constructor == "as_tensor" and dtype_changes)


def after_numpy_write(made: np.ndarray, written: np.ndarray, shares: bool) -> np.ndarray:
    """What the tensor holds after the numpy array was written: the new values if shared, else what it was made with (T5)."""
    return np.array(written if shares else made, dtype=made.dtype)


#: The value document 002 writes into ``x[-1, -1]`` to show that as_tensor shares memory (T5).
DOC_WRITTEN = 86


# --- T6: initialisers ----------------------------------------------------------------------------


def rand_dtype(default_dtype: str = "float32") -> str:
    """``rand(*shape)`` without a dtype gives the default floating dtype (T6)."""
    default_complex(default_dtype)
    return default_dtype


def in_unit_interval(values: np.ndarray) -> bool:
    """Every value of ``rand`` lies in [0, 1) (T6)."""
    values = np.asarray(values)
    return bool(np.all((values >= 0) & (values < 1)))


def like(values: np.ndarray, fill: int) -> np.ndarray:
    """``zeros_like`` (fill 0) / ``ones_like`` (fill 1): the same shape and dtype, every element ``fill`` (T6)."""
    return np.full(np.shape(values), fill, dtype=np.asarray(values).dtype)


def eye(n: int, m: int | None = None, dtype: str = "float32") -> np.ndarray:
    """``eye(n, m)``: ones on the main diagonal, zeros elsewhere, the default dtype (T6)."""
    m = n if m is None else m
    return np.array([[1 if i == j else 0 for j in range(m)] for i in range(n)], dtype=dtype).reshape(n, m)


# --- T7: in-place methods ------------------------------------------------------------------------

#: In-place methods and how many scalar arguments each takes (T7).
INPLACE_ARITY: dict[str, int] = {"zero_": 0, "fill_": 1, "add_": 1, "sub_": 1, "mul_": 1, "neg_": 0, "abs_": 0, "clamp_": 1}


def is_inplace_name(name: str) -> bool:
    """PyTorch's naming rule: a method that changes its tensor ends in one underscore (T7)."""
    return name.endswith("_") and not name.startswith("_")


def out_of_place_name(name: str) -> str | None:
    """The method that computes the same without changing the tensor, where there is one (T7)."""
    return None if name in ("zero_", "fill_") else name[:-1]


def apply_inplace(name: str, values: np.ndarray, args: Sequence[float] = ()) -> np.ndarray:
    """The tensor's values after ``x.<name>(*args)``, in its own dtype (T7). ``clamp_(v)`` is ``clamp_(min=v)``."""
    values = np.asarray(values)
    if len(args) != INPLACE_ARITY[name]:
        raise TypeError(f"{name} takes {INPLACE_ARITY[name]} argument(s), got {len(args)}")
    wide = values.astype(np.float64) if values.dtype.kind == "f" else values.astype(np.int64)
    results = {
        "zero_": lambda: np.zeros_like(wide),
        "fill_": lambda: np.full_like(wide, args[0] if args else 0),
        "add_": lambda: wide + args[0],
        "sub_": lambda: wide - args[0],
        "mul_": lambda: wide * args[0],
        "neg_": lambda: -wide,
        "abs_": lambda: np.abs(wide),
        "clamp_": lambda: np.maximum(wide, args[0]),
    }
    return np.asarray(results[name]()).astype(values.dtype)


# --- T8: indexing and item() ---------------------------------------------------------------------

#: One entry of an index as plain data: an int; ``(start, stop, step)`` for a slice (None for a blank); "..." .
IndexEntry = Any


def index_key(spec: Sequence[IndexEntry]) -> tuple[Any, ...]:
    """The Python key of an index written as plain data: ``((None, None, None), 1)`` is ``[:, 1]`` (T8)."""
    key: list[Any] = []
    for entry in spec:
        if entry == "...":
            key.append(Ellipsis)
        elif isinstance(entry, tuple):
            key.append(slice(*entry))
        elif isinstance(entry, int) and not isinstance(entry, bool):
            key.append(entry)
        else:
            raise TypeError(f"not an index entry: {entry!r}")
    return tuple(key)


def describe_index(spec: Sequence[IndexEntry]) -> str:
    """The index as it is typed: ``[:, 1]``, ``[0, 0]``, ``[1:3:2, ...]`` (for messages and ids)."""
    parts = []
    for entry in spec:
        if isinstance(entry, tuple):
            start, stop, step = (("" if v is None else str(v)) for v in entry)
            parts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
        else:
            parts.append(str(entry))
    return "[" + ", ".join(parts) + "]"


def _slice_length(size: int, start: int | None, stop: int | None, step: int | None) -> int:
    """How many elements ``[start:stop:step]`` picks from ``size`` (positive steps only, as PyTorch)."""
    step = 1 if step is None else step
    if step <= 0:
        raise ValueError("slice step must be positive")

    def clip(bound: int | None, blank: int) -> int:
        if bound is None:
            return blank
        bound = bound + size if bound < 0 else bound
        return min(max(bound, 0), size)

    first, end = clip(start, 0), clip(stop, size)
    return max(0, math.ceil((end - first) / step))


def index_shape(shape: Sequence[int], spec: Sequence[IndexEntry]) -> Shape:
    """The shape of ``x[key]`` (basic indexing): an int drops its dim, a slice keeps it (T8).

    IndexError for an int out of range or more entries than dims.
    """
    entries = list(spec)
    if entries.count("...") > 1:
        raise IndexError("an index can only have a single ellipsis")
    used = sum(1 for entry in entries if entry != "...")
    if used > len(shape):
        raise IndexError(f"too many indices for a tensor of dimension {len(shape)}")
    if "..." in entries:
        at = entries.index("...")
        entries[at : at + 1] = [(None, None, None)] * (len(shape) - used)
    entries += [(None, None, None)] * (len(shape) - len(entries))
    result: list[int] = []
    for size, entry in zip(shape, entries):
        if isinstance(entry, tuple):
            result.append(_slice_length(size, *entry))
        elif not -size <= entry < size:
            raise IndexError(f"index {entry} is out of bounds for dimension with size {size}")
    return tuple(result)


def index_values(values: np.ndarray, spec: Sequence[IndexEntry]) -> np.ndarray:
    """The values of ``x[key]``: basic indexing is numpy's (T8)."""
    return np.array(np.asarray(values)[index_key(spec)], copy=True)


def item_kind(dtype: str) -> str:
    """The Python type ``item()`` returns: int for integer dtypes, float, bool, complex (T8)."""
    return ITEM_KINDS[category(dtype)]


def item(values: np.ndarray) -> bool | int | float | complex:
    """``item()``: the one element of a one-element tensor of any shape, as a Python number (T8)."""
    values = np.asarray(values)
    if values.size != 1:
        raise ValueError(f"item() needs exactly one element, got {values.size}")
    return values.reshape(()).item()


# --- The documents' own tensors and what they print ----------------------------------------------

#: T2: ``x = [[1, 2, 3], [4, 5, 6]]``.
DOC_INT_LIST: list[list[int]] = [[1, 2, 3], [4, 5, 6]]

#: T3: ``x = [[1., 2., 3.], [4., 5., 6.]]``.
DOC_FLOAT_LIST: list[list[float]] = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]

#: T5, T8: the integer array ``x`` that the as_tensor and element-access snippets of 002 use.
#:
#: The document never shows this array. Its snippets follow one another after
#: ``y = torch.tensor([[1., 2., 3.], [4., 5., 6.]])`` (a float tensor, whose
#: ``y[:, 1]`` would be ``tensor([2., 5.])``), and ``x[-1, -1] = 86`` cannot be
#: written into that list; nor is it the (2, 2, 2) tensor of the reshaping
#: section, whose ``y[0, 0]`` is ``tensor([29, 3])``, not ``tensor(3)``. Every
#: print is consistent with one 2x3 integer array x, from which y = tensor(x)
#: was made before z = as_tensor(x): ``x[0, 0] == 3``, ``x[:, 1] == [29, 18]``,
#: ``x[-1] == [10, 18, ...]``, its last element then overwritten with 86. The two
#: entries no print shows (x[0, 2] and the old x[-1, -1]) are taken from the
#: lecture code these notes transcribe, ``np.array([[3, 29, 82], [10, 18, 84]])``;
#: no printed figure depends on them. The dtype is int64: the document prints
#: ``tensor(3)`` with no ``dtype=`` suffix, which PyTorch shows only for int64.
DOC_X: np.ndarray = np.array([[3, 29, 82], [10, 18, 84]], dtype=np.int64)

#: T1-T3: what 002 prints for each tensor (``shape`` and ``size()`` print as ``torch.Size([2, 3])``).
PRINTED_INFO: dict[str, dict[str, Any]] = {
    "T1": {"ndim": 2, "dim()": 2, "nelement()": 6, "shape": (2, 3), "size()": (2, 3),
           "dtype": "float64", "type()": "torch.DoubleTensor"},
    "T2": {"ndim": 2, "dim()": 2, "nelement()": 6, "shape": (2, 3), "dtype": "int64", "type()": "torch.LongTensor"},
    "T3": {"ndim": 2, "dim()": 2, "nelement()": 6, "shape": (2, 3), "dtype": "float32", "type()": "torch.FloatTensor"},
}

#: T6: ``p = rand(3, 2)`` and what 002 prints for its initialisers (``empty(3)``'s values are whatever memory held).
PRINTED_INITIALISERS: dict[str, Any] = {
    "p.dtype": "float32",
    "q.shape": (3, 2),
    "zeros_like(p)": [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
    "ones_like(p)": [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]],
    "eye(3)": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    "empty(3).shape": (3,),
}

#: T5: ``z = as_tensor(x); x[-1, -1] = 86; print(z[-1])``.
PRINTED_AS_TENSOR: dict[str, list[int]] = {"z[-1]": [10, 18, 86]}

#: T8: ``print(y[:, 1])``, ``print(y[0, 0])`` (a 0-dim tensor) and ``print(y[0, 0].item())`` (a Python int).
PRINTED_ELEMENTS: dict[str, Any] = {"y[:, 1]": [29, 18], "y[0, 0]": 3, "y[0, 0].item()": 3}
