"""Reductions and normalisations: sum, mean, max, var, softmax, ... with their backward (A2, A4, M4).

The gradient of a reduction spreads the output gradient back over the
reduced dims: ``sum`` copies it to every element, ``mean`` divides it by the
count (A2: ``out = z.mean()`` gives each element 1/6 of the gradient),
``max`` gives it to the maximal elements.
"""

from __future__ import annotations

from collections import namedtuple
import warnings
from typing import Any

import numpy as np

from . import dtypes
from .autograd import record
from .ops import floating, wrap
from .storage import normalise_dim

Tensor = Any

#: ``max(dim)``/``min(dim)`` return a named pair of values and indices, as PyTorch's ``torch.return_types.max``.
RETURN_TYPES = {"max": namedtuple("max", ["values", "indices"]), "min": namedtuple("min", ["values", "indices"])}


def _axes(x: Tensor, dim: Any) -> tuple[int, ...]:
    """The reduced dims as non-negative ints: all of them for None (or an empty list)."""
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    if x.dim() == 0:
        for d in dims:
            if d is not None:
                normalise_dim(int(d), 0)  # a 0-dim tensor accepts dim 0 and -1, and has nothing to reduce
        return ()
    if dim is None or not dims:
        return tuple(range(x.dim()))
    return tuple(sorted({normalise_dim(int(d), x.dim()) for d in dims}))


def _spread(g: np.ndarray, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """The gradient of a reduction over ``axes``, broadcast back to the input's shape (read-only view)."""
    if not keepdim and shape:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


def _name(base: str, dim: Any) -> str:
    """``SumBackward0`` for a full reduction, ``SumBackward1`` for one over given dims."""
    return f"{base}Backward{0 if dim is None else 1}"


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: dtypes.dtype | None = None) -> Tensor:  # noqa: A001
    """Sum over ``dim`` (all dims for None); bool and integer tensors sum to int64 (SumBackward0/1)."""
    out_dtype = dtype or (dtypes.int64 if x.dtype.category in ("bool", "integral") else x.dtype)
    axes, shape = _axes(x, dim), x._shape
    Y = np.sum(x._array, axis=axes, keepdims=keepdim, dtype=out_dtype.numpy)
    return record(_name("Sum", dim), wrap(Y), (x,), (lambda g: _spread(g, shape, axes, keepdim),), False)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: dtypes.dtype | None = None) -> Tensor:
    """Average over ``dim``; floating tensors only, as in PyTorch (MeanBackward0/1) (A2)."""
    out_dtype = dtype or x.dtype
    if out_dtype.category not in ("floating", "complex"):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {x.dtype.type_name.replace('Tensor', '')}")
    axes, shape = _axes(x, dim), x._shape
    count = int(np.prod([shape[a] for a in axes])) if shape else 1
    Y = np.mean(x._array, axis=axes, keepdims=keepdim, dtype=out_dtype.numpy)
    return record(_name("Mean", dim), wrap(Y), (x,), (lambda g: _spread(g / count, shape, axes, keepdim),), False)


def prod(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Product over ``dim`` (ProdBackward0/1: the product of the others)."""
    axes, shape, X = _axes(x, dim), x._shape, x._array
    Y = np.prod(X, axis=axes, keepdims=keepdim)
    full = np.prod(X, axis=axes, keepdims=True)
    return record(_name("Prod", dim), wrap(Y), (x,), (lambda g: _spread(g, shape, axes, keepdim) * full / X,))


def var(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None) -> Tensor:
    """Variance with Bessel's correction by default (VarBackward0)."""
    c = correction if correction is not None else (0 if unbiased is False else 1)
    axes, shape, X = _axes(x, dim), x._shape, floating(x)
    count = int(np.prod([shape[a] for a in axes])) if shape else 1
    centred = X - X.mean(axis=axes, keepdims=True)
    Y = np.sum(centred * centred, axis=axes, keepdims=keepdim) / max(count - c, 0)
    return record("VarBackward0", wrap(Y), (x,), (lambda g: _spread(g, shape, axes, keepdim) * 2 * centred / (count - c),))


def std(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None) -> Tensor:
    """Standard deviation (StdBackward0)."""
    v = var(x, dim, unbiased, keepdim, correction=correction)
    c = correction if correction is not None else (0 if unbiased is False else 1)
    axes, shape, X = _axes(x, dim), x._shape, floating(x)
    count = int(np.prod([shape[a] for a in axes])) if shape else 1
    centred = X - X.mean(axis=axes, keepdims=True)
    Y = np.sqrt(v._array)
    spread_y = _spread(Y, shape, axes, keepdim)
    return record("StdBackward0", wrap(Y), (x,), (lambda g: _spread(g, shape, axes, keepdim) * centred / ((count - c) * spread_y),))


def _extreme(x: Tensor, which: str, dim: Any = None, keepdim: bool = False) -> Any:
    """``max()``/``min()`` of everything (MaxBackward1), or values and indices along ``dim`` (MaxBackward0)."""
    if x.numel() == 0:
        raise RuntimeError(f"{which}(): Expected reduction dim to be specified for input.numel() == 0.")
    pick, arg = (np.max, np.argmax) if which == "max" else (np.min, np.argmin)
    X, shape, name = x._array, x._shape, which.capitalize()
    if dim is None:
        Y = pick(X)
        ties = X == Y
        count = int(ties.sum())
        return record(f"{name}Backward1", wrap(Y), (x,), (lambda g: ties * (g / count),))
    d = normalise_dim(dim, x.dim())
    if not shape:
        indices = np.zeros((), dtype=np.int64)
        return RETURN_TYPES[which](record(f"{name}Backward0", wrap(X.copy()), (x,), (lambda g: g,)), wrap(indices))
    where = np.expand_dims(arg(X, axis=d), d)  # keeps the reduced dim, for the backward

    def grad(g: np.ndarray) -> np.ndarray:
        full = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(full, where, g if keepdim else np.expand_dims(g, d), axis=d)
        return full

    values, indices = np.take_along_axis(X, where, axis=d), where
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return RETURN_TYPES[which](record(f"{name}Backward0", wrap(values), (x,), (grad,)), wrap(indices.astype(np.int64)))


def amax(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Largest value over dims (AmaxBackward0: ties share the gradient)."""
    axes, shape, X = _axes(x, dim), x._shape, x._array
    Y = np.max(X, axis=axes, keepdims=True)
    ties = X == Y
    count = ties.sum(axis=axes, keepdims=True)
    out = Y if keepdim else np.squeeze(Y, axis=axes) if shape else Y
    return record("AmaxBackward0", wrap(out), (x,), (lambda g: _spread(g, shape, axes, keepdim) * ties / count,))


def argextreme(x: Tensor, which: str, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest/smallest element (flat for dim None); int64."""
    arg = np.argmax if which == "max" else np.argmin
    if dim is None:
        return wrap(np.asarray(arg(x._array), dtype=np.int64))
    d = normalise_dim(dim, x.dim())
    found = arg(x._array, axis=d) if x.dim() else np.zeros((), np.int64)
    return wrap((np.expand_dims(found, d) if keepdim and x.dim() else found).astype(np.int64))


def all(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element is nonzero."""
    return wrap(np.all(x._array, axis=None if dim is None else normalise_dim(dim, x.dim()), keepdims=keepdim))


def any(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element is nonzero."""
    return wrap(np.any(x._array, axis=None if dim is None else normalise_dim(dim, x.dim()), keepdims=keepdim))


def cumsum(x: Tensor, dim: int, *, dtype: dtypes.dtype | None = None) -> Tensor:
    """Running sum along ``dim`` (CumsumBackward0: the reversed running sum of the gradient)."""
    d = normalise_dim(dim, x.dim())
    Y = np.cumsum(x._array, axis=d, dtype=None if dtype is None else dtype.numpy)
    return record("CumsumBackward0", wrap(Y), (x,), (lambda g: np.flip(np.cumsum(np.flip(g, d), axis=d), d),))


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """The 2-norm (or p-norm) of the elements (LinalgVectorNormBackward0)."""
    order = 2 if p in ("fro", None) else p
    axes, shape, X = _axes(x, dim), x._shape, floating(x)
    Y = np.sum(np.abs(X) ** order, axis=axes, keepdims=True) ** (1 / order)
    out = Y if keepdim or not shape else np.squeeze(Y, axis=axes)

    def grad(g: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            local = np.where(Y == 0, 0, np.sign(X) * np.abs(X) ** (order - 1) / Y ** (order - 1))
        return _spread(g, shape, axes, keepdim) * local

    return record("LinalgVectorNormBackward0", wrap(out.astype(X.dtype)), (x,), (grad,))


# --------------------------------------------------------------------------- softmax family (M4)


def softmax_dim(ndim: int, dim: int | None, name: str = "softmax") -> int:
    """The dim softmax works along: the one given, or PyTorch's legacy choice (0 for 0-, 1- and 3-dim input, else 1)."""
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                      "as an argument.", UserWarning, stacklevel=3)
        return 0 if ndim in (0, 1, 3) else 1
    return normalise_dim(dim, ndim)


def softmax(x: Tensor, dim: int | None = None, dtype: dtypes.dtype | None = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along dim, shifted by the max for stability (SoftmaxBackward0) (M4)."""
    d = softmax_dim(x.dim(), dim)
    X = floating(x) if dtype is None else x._array.astype(dtype.numpy)
    shifted = X - np.max(X, axis=d, keepdims=True) if X.ndim else X - X
    E = np.exp(shifted)
    Y = E / np.sum(E, axis=d, keepdims=True)
    return record("SoftmaxBackward0", wrap(Y), (x,), (lambda g: Y * (g - np.sum(g * Y, axis=d, keepdims=True)),))


def log_softmax(x: Tensor, dim: int | None = None, dtype: dtypes.dtype | None = None) -> Tensor:
    """``x - logsumexp(x)`` along dim (LogSoftmaxBackward0)."""
    d = softmax_dim(x.dim(), dim, "log_softmax")
    X = floating(x) if dtype is None else x._array.astype(dtype.numpy)
    shifted = X - np.max(X, axis=d, keepdims=True) if X.ndim else X - X
    Y = shifted - np.log(np.sum(np.exp(shifted), axis=d, keepdims=True))
    return record("LogSoftmaxBackward0", wrap(Y), (x,), (lambda g: g - np.exp(Y) * np.sum(g, axis=d, keepdims=True),))


def logsumexp(x: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over dims, computed stably (LogsumexpBackward0)."""
    axes, shape, X = _axes(x, dim), x._shape, floating(x)
    top = np.max(X, axis=axes, keepdims=True) if X.ndim else X
    Y = top + np.log(np.sum(np.exp(X - top), axis=axes, keepdims=True))
    out = Y if keepdim or not shape else np.squeeze(Y, axis=axes)
    return record("LogsumexpBackward0", wrap(out), (x,), (lambda g: _spread(g, shape, axes, keepdim) * np.exp(X - Y),))

