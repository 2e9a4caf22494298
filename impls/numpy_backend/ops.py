"""Elementwise arithmetic: broadcasting, PyTorch's type promotion, and each operation's backward (A1-A3, A5).

Each function computes its result with numpy on the operands' arrays, cast
first to the dtype PyTorch's ``result_type`` picks (``int_tensor + 2.5`` is
float32, ``float32 * 0.1`` stays float32), then ``record``s a node named as
PyTorch names it, with one gradient formula per input. The formulas are
written for the broadcast shape: the engine sums them back to each input's
shape (A2, A8).

Python numbers are operands too (``2 * x``); they get no gradient. Document
000's hand-written logistic regression (A9) is built from these operations
(``mm``, ``exp``, ``log``, ``sum``), which is why its gradients agree with autograd's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from . import tensor as _tensor  # a module reference: tensor.py is still being defined when this file loads
from .autograd import record


def is_tensor(x: Any) -> bool:
    """True for a Tensor (or Parameter)."""
    return isinstance(x, _tensor.Tensor)


def wrap(array: Any) -> "_tensor.Tensor":
    """A fresh result array as a new tensor."""
    return _tensor.Tensor._from_array(array)


def _check_number(x: Any) -> None:
    if not isinstance(x, (int, float, complex, np.generic, bool)):
        raise TypeError(f"unsupported operand type: {type(x).__name__}")


def operand(x: Any, dt: dtypes.dtype) -> np.ndarray:
    """The values of a tensor or Python number, in dtype ``dt`` (no copy when already there)."""
    if is_tensor(x):
        array = x._array
        return array if array.dtype == dt.numpy else array.astype(dt.numpy)
    if not isinstance(x, np.ndarray):
        _check_number(x)
    return np.asarray(x, dtype=dt.numpy)


def promote(a: Any, b: Any, floating: bool = False) -> tuple[np.ndarray, np.ndarray, dtypes.dtype]:
    """Both operands in their common dtype (``floating``: at least the default float, for true division)."""
    dt = dtypes.result_type(a, b)
    if floating and dt.category in ("bool", "integral"):
        dt = dtypes.get_default_dtype()
    A, B = operand(a, dt), operand(b, dt)
    if A.shape != B.shape:
        check_broadcast(A.shape, B.shape)
    return A, B, dt


def check_broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape, or PyTorch's RuntimeError naming the first dim that does not match."""
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        for i in range(1, min(len(a), len(b)) + 1):
            if a[-i] != b[-i] and 1 not in (a[-i], b[-i]):
                raise RuntimeError(f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) "
                                   f"at non-singleton dimension {max(len(a), len(b)) - i}") from None
        raise


def floating(x: "_tensor.Tensor") -> np.ndarray:
    """A tensor's values as floats: integer and bool tensors go to the default dtype (``exp(int)`` is float32)."""
    if x._dtype.category in ("floating", "complex"):
        return x._array
    return x._array.astype(dtypes.get_default_dtype().numpy)


# --------------------------------------------------------------------------- binary arithmetic


def add(a: Any, b: Any, *, alpha: Any = 1) -> "_tensor.Tensor":
    """``a + alpha * b`` (AddBackward0)."""
    A, B, dt = promote(a, b)
    Y = A + B if alpha == 1 else A + B * alpha
    return record("AddBackward0", wrap(Y), (a, b), (lambda g: g, lambda g: g if alpha == 1 else g * alpha), False)


def sub(a: Any, b: Any, *, alpha: Any = 1) -> "_tensor.Tensor":
    """``a - alpha * b`` (SubBackward0)."""
    A, B, dt = promote(a, b)
    if dt is dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported.")
    Y = A - B if alpha == 1 else A - B * alpha
    return record("SubBackward0", wrap(Y), (a, b), (lambda g: g, lambda g: -g if alpha == 1 else -g * alpha), False)


def rsub(a: "_tensor.Tensor", b: Any, *, alpha: Any = 1) -> "_tensor.Tensor":
    """``b - alpha * a`` for a Python number b: ``1 - x`` (RsubBackward1)."""
    A, B, dt = promote(a, b)
    return record("RsubBackward1", wrap(B - A * alpha), (a,), (lambda g: -g * alpha,), False)


def mul(a: Any, b: Any) -> "_tensor.Tensor":
    """``a * b`` (MulBackward0)."""
    A, B, dt = promote(a, b)
    return record("MulBackward0", wrap(A * B), (a, b), (lambda g: g * B, lambda g: g * A))


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> "_tensor.Tensor":
    """True division ``a / b``, always floating (DivBackward0); ``rounding_mode`` "floor" or "trunc"."""
    if rounding_mode is not None:
        A, B, dt = promote(a, b)
        rounded = np.floor_divide(A, B) if rounding_mode == "floor" else np.trunc(A / B).astype(A.dtype)
        return wrap(rounded)
    A, B, dt = promote(a, b, floating=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        Y = A / B
    return record("DivBackward0", wrap(Y), (a, b), (lambda g: g / B, lambda g: -g * A / (B * B)))


def rdiv(a: "_tensor.Tensor", b: Any) -> "_tensor.Tensor":
    """``b / a`` for a Python number b, as PyTorch computes it: ``b * a.reciprocal()`` (MulBackward0)."""
    return mul(reciprocal(a), b)


def floor_divide(a: Any, b: Any) -> "_tensor.Tensor":
    """``a // b``, rounding down (no gradient)."""
    A, B, dt = promote(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.floor_divide(A, B))


def remainder(a: Any, b: Any) -> "_tensor.Tensor":
    """``a % b`` with the sign of b, as Python's (RemainderBackward0: gradient 1 for a)."""
    A, B, dt = promote(a, b)
    return record("RemainderBackward0", wrap(np.mod(A, B)), (a, b), (lambda g: g, None))


def pow(a: Any, b: Any) -> "_tensor.Tensor":  # noqa: A001 (PyTorch's name)
    """``a ** b``: PowBackward0 (number exponent), PowBackward1 (tensor exponent), PowBackward2 (number base)."""
    A, B, dt = promote(a, b)
    if dt.category == "integral" and np.any(B < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide="ignore", invalid="ignore"):
        Y = A ** B
    if not is_tensor(b):
        n = B
        return record("PowBackward0", wrap(Y), (a,), (lambda g: g * n * A ** (n - 1) if n != 0 else np.zeros_like(g),))
    log_a = lambda: np.log(A) if is_tensor(a) else np.log(np.asarray(a, dtype=Y.dtype))  # noqa: E731
    name = "PowBackward1" if is_tensor(a) else "PowBackward2"
    return record(name, wrap(Y), (a, b), (lambda g: g * B * A ** (B - 1), lambda g: g * Y * log_a()))


# --------------------------------------------------------------------------- unary functions


def neg(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """``-x`` (NegBackward0)."""
    if x._dtype is dtypes.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported.")
    return record("NegBackward0", wrap(-x._array), (x,), (lambda g: -g,), False)


def abs(x: "_tensor.Tensor") -> "_tensor.Tensor":  # noqa: A001
    """``|x|`` (AbsBackward0: the sign of x)."""
    X = x._array
    return record("AbsBackward0", wrap(np.abs(X)), (x,), (lambda g: g * np.sign(X),))


def exp(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """``e**x`` (ExpBackward0: the result itself)."""
    with np.errstate(over="ignore"):
        Y = np.exp(floating(x))
    return record("ExpBackward0", wrap(Y), (x,), (lambda g: g * Y,))


def log(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """Natural logarithm (LogBackward0: ``1/x``)."""
    X = floating(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return record("LogBackward0", wrap(np.log(X)), (x,), (lambda g: g / X,))


def log1p(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """``log(1 + x)`` (Log1PBackward0)."""
    X = floating(x)
    return record("Log1PBackward0", wrap(np.log1p(X)), (x,), (lambda g: g / (1 + X),))


def expm1(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """``exp(x) - 1`` (Expm1Backward0)."""
    Y = np.expm1(floating(x))
    return record("Expm1Backward0", wrap(Y), (x,), (lambda g: g * (Y + 1),))


def sqrt(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """Square root (SqrtBackward0: ``1 / (2 sqrt(x))``)."""
    with np.errstate(invalid="ignore"):
        Y = np.sqrt(floating(x))
    return record("SqrtBackward0", wrap(Y), (x,), (lambda g: g / (2 * Y),))


def reciprocal(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """``1 / x`` (ReciprocalBackward0: ``-1/x**2``)."""
    with np.errstate(divide="ignore"):
        Y = 1 / floating(x)
    return record("ReciprocalBackward0", wrap(Y.astype(floating(x).dtype)), (x,), (lambda g: -g * Y * Y,))


def sin(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """Sine (SinBackward0)."""
    X = floating(x)
    return record("SinBackward0", wrap(np.sin(X)), (x,), (lambda g: g * np.cos(X),))


def cos(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """Cosine (CosBackward0)."""
    X = floating(x)
    return record("CosBackward0", wrap(np.cos(X)), (x,), (lambda g: -g * np.sin(X),))


def tanh(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """Hyperbolic tangent (TanhBackward0: ``1 - tanh**2``)."""
    Y = np.tanh(floating(x))
    return record("TanhBackward0", wrap(Y), (x,), (lambda g: g * (1 - Y * Y),))


def sigmoid(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """``1 / (1 + e**-x)`` (SigmoidBackward0: ``s (1 - s)``) (A8)."""
    X = floating(x)
    with np.errstate(over="ignore"):
        Y = (1 / (1 + np.exp(-X))).astype(X.dtype)
    return record("SigmoidBackward0", wrap(Y), (x,), (lambda g: g * Y * (1 - Y),))


def relu(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """``max(x, 0)`` (ReluBackward0: 1 where the result is positive) (M4)."""
    Y = np.maximum(x._array, 0).astype(x._array.dtype, copy=False)
    return record("ReluBackward0", wrap(Y), (x,), (lambda g: g * (Y > 0),))


def clamp(x: "_tensor.Tensor", min: Any = None, max: Any = None) -> "_tensor.Tensor":  # noqa: A002
    """Limit to ``[min, max]`` (ClampBackward1: gradient 1 inside the range)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = dtypes.result_type(x, *(v for v in (min, max) if v is not None))
    X = operand(x, dt)
    low = -np.inf if min is None else operand(min, dt)
    high = np.inf if max is None else operand(max, dt)
    Y = np.minimum(np.maximum(X, low), high).astype(dt.numpy, copy=False)
    return record("ClampBackward1", wrap(Y), (x,), (lambda g: g * ((X >= low) & (X <= high)),))


def sign(x: "_tensor.Tensor") -> "_tensor.Tensor":
    """-1, 0 or 1 (SignBackward0: zero gradient)."""
    return record("SignBackward0", wrap(np.sign(x._array)), (x,), (np.zeros_like,), False)


def rounding(name: str, x: "_tensor.Tensor") -> "_tensor.Tensor":
    """``floor``, ``ceil``, ``round`` or ``trunc`` (zero gradient)."""
    function = {"floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc}[name]
    return record(f"{name.capitalize()}Backward0", wrap(function(x._array)), (x,), (np.zeros_like,), False)


def maximum(a: Any, b: Any) -> "_tensor.Tensor":
    """Elementwise larger (MaximumBackward0: ties share the gradient)."""
    A, B, dt = promote(a, b)
    share = lambda g, win: np.where(A == B, g / 2, g * win)  # noqa: E731
    return record("MaximumBackward0", wrap(np.maximum(A, B)), (a, b), (lambda g: share(g, A > B), lambda g: share(g, B > A)))


def minimum(a: Any, b: Any) -> "_tensor.Tensor":
    """Elementwise smaller (MinimumBackward0)."""
    A, B, dt = promote(a, b)
    share = lambda g, win: np.where(A == B, g / 2, g * win)  # noqa: E731
    return record("MinimumBackward0", wrap(np.minimum(A, B)), (a, b), (lambda g: share(g, A < B), lambda g: share(g, B < A)))


def where(condition: "_tensor.Tensor", a: Any, b: Any) -> "_tensor.Tensor":
    """``a`` where the condition holds, else ``b`` (WhereBackward0)."""
    C = condition._array.astype(bool, copy=False)
    A, B, dt = promote(a, b)
    return record("WhereBackward0", wrap(np.where(C, A, B)), (a, b), (lambda g: g * C, lambda g: g * ~C))


def masked_fill(x: "_tensor.Tensor", mask: "_tensor.Tensor", value: Any) -> "_tensor.Tensor":
    """``value`` where the mask holds (MaskedFillBackward0)."""
    M = mask._array.astype(bool, copy=False)
    V = operand(value, x._dtype)
    return record("MaskedFillBackward0", wrap(np.where(M, V, x._array)), (x,), (lambda g: np.where(M, 0, g),), False)


def to_dtype(x: "_tensor.Tensor", dt: dtypes.dtype) -> "_tensor.Tensor":
    """A copy in another dtype (ToCopyBackward0: the gradient cast back); only float results keep a history."""
    Y = x._array.astype(dt.numpy)
    if dt.category not in ("floating", "complex"):
        return wrap(Y)
    return record("ToCopyBackward0", wrap(Y), (x,), (lambda g: g,), False)


# --------------------------------------------------------------------------- comparisons (no gradient)

COMPARISONS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal}


def compare(name: str, a: Any, b: Any) -> "_tensor.Tensor":
    """``a == b``, ``a < b``, ...: a bool tensor."""
    A, B, dt = promote(a, b)
    if dt.is_complex and name not in ("eq", "ne"):
        raise RuntimeError(f'"{name}_cpu" not implemented for \'{dt.type_name[:-6]}\'')  # complex numbers have no order
    return wrap(COMPARISONS[name](A, B))


def logical(name: str, a: Any, b: Any = None) -> "_tensor.Tensor":
    """``logical_not``, ``logical_and``, ``logical_or``, ``logical_xor``: a bool tensor."""
    function = {"not": np.logical_not, "and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}[name]
    if b is None:
        return wrap(function(a._array))
    return wrap(function(operand(a, a._dtype) if is_tensor(a) else a, b._array if is_tensor(b) else b))


def bitwise(name: str, a: Any, b: Any = None) -> "_tensor.Tensor":
    """``~``, ``&``, ``|``, ``^`` on integer and bool tensors."""
    if b is None:
        return wrap(np.invert(a._array))
    A, B, dt = promote(a, b)
    return wrap({"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}[name](A, B))
