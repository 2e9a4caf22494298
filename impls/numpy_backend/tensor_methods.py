"""The Tensor's methods and operators, each a thin call into ops, views, reductions or linalg (T7, V1-V7).

In-place methods end in ``_`` (T7): ``x.add_(1)`` computes what ``x.add(1)``
would, writes it into x's own storage (so every view of x sees it, V3) and
returns x itself. Under autograd, x's history then continues from the new
operation; a leaf that requires grad refuses, as in PyTorch.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import dtypes, linalg, ops, reductions, views
from . import random as _random
from .autograd import is_grad_enabled, rebase_view, record


class TensorMethods:
    """Arithmetic, shape and in-place methods of ``Tensor``."""

    # ------------------------------------------------------------------ operators (A1-A3)

    def __add__(self, other: Any) -> Any: return ops.add(self, other)
    def __radd__(self, other: Any) -> Any: return ops.add(self, other)
    def __sub__(self, other: Any) -> Any: return ops.sub(self, other)
    def __rsub__(self, other: Any) -> Any: return ops.rsub(self, other)
    def __mul__(self, other: Any) -> Any: return ops.mul(self, other)
    def __rmul__(self, other: Any) -> Any: return ops.mul(self, other)
    def __truediv__(self, other: Any) -> Any: return ops.div(self, other)
    def __rtruediv__(self, other: Any) -> Any: return ops.rdiv(self, other)
    def __floordiv__(self, other: Any) -> Any: return ops.floor_divide(self, other)
    def __rfloordiv__(self, other: Any) -> Any: return ops.floor_divide(other, self)
    def __mod__(self, other: Any) -> Any: return ops.remainder(self, other)
    def __pow__(self, other: Any) -> Any: return ops.pow(self, other)
    def __rpow__(self, other: Any) -> Any: return ops.pow(other, self)
    def __matmul__(self, other: Any) -> Any: return linalg.matmul(self, other)
    def __neg__(self) -> Any: return ops.neg(self)
    def __pos__(self) -> Any: return self
    def __abs__(self) -> Any: return ops.abs(self)
    def __invert__(self) -> Any:
        return ops.logical("not", self) if self.dtype is dtypes.bool else ops.bitwise("not", self)
    def __and__(self, other: Any) -> Any: return ops.bitwise("and", self, other)
    def __or__(self, other: Any) -> Any: return ops.bitwise("or", self, other)
    def __xor__(self, other: Any) -> Any: return ops.bitwise("xor", self, other)
    def __iadd__(self, other: Any) -> Any: return self.add_(other)
    def __isub__(self, other: Any) -> Any: return self.sub_(other)
    def __imul__(self, other: Any) -> Any: return self.mul_(other)
    def __itruediv__(self, other: Any) -> Any: return self.div_(other)
    def __ipow__(self, other: Any) -> Any: return self.pow_(other)

    def _compare(self, name: str, other: Any) -> Any:
        if not (ops.is_tensor(other) or isinstance(other, (int, float, complex, np.generic, np.ndarray))):
            return NotImplemented  # ``t == None`` is False, as in PyTorch
        return ops.compare(name, self, other)

    def __eq__(self, other: Any) -> Any: return self._compare("eq", other)  # type: ignore[override]
    def __ne__(self, other: Any) -> Any: return self._compare("ne", other)  # type: ignore[override]
    def __lt__(self, other: Any) -> Any: return self._compare("lt", other)
    def __le__(self, other: Any) -> Any: return self._compare("le", other)
    def __gt__(self, other: Any) -> Any: return self._compare("gt", other)
    def __ge__(self, other: Any) -> Any: return self._compare("ge", other)
    def __getitem__(self, key: Any) -> Any: return views.getitem(self, key)
    def __setitem__(self, key: Any, value: Any) -> None: views.setitem(self, key, value)

    # ------------------------------------------------------------------ elementwise methods

    def add(self, other: Any, *, alpha: Any = 1) -> Any: return ops.add(self, other, alpha=alpha)
    def sub(self, other: Any, *, alpha: Any = 1) -> Any: return ops.sub(self, other, alpha=alpha)
    def mul(self, other: Any) -> Any: return ops.mul(self, other)
    def div(self, other: Any, *, rounding_mode: str | None = None) -> Any:
        return ops.div(self, other, rounding_mode=rounding_mode)
    def floor_divide(self, other: Any) -> Any: return ops.floor_divide(self, other)
    def remainder(self, other: Any) -> Any: return ops.remainder(self, other)
    def pow(self, exponent: Any) -> Any: return ops.pow(self, exponent)
    def neg(self) -> Any: return ops.neg(self)
    def abs(self) -> Any: return ops.abs(self)
    def exp(self) -> Any: return ops.exp(self)
    def log(self) -> Any: return ops.log(self)
    def log1p(self) -> Any: return ops.log1p(self)
    def expm1(self) -> Any: return ops.expm1(self)
    def sqrt(self) -> Any: return ops.sqrt(self)
    def reciprocal(self) -> Any: return ops.reciprocal(self)
    def square(self) -> Any: return ops.pow(self, 2)
    def sin(self) -> Any: return ops.sin(self)
    def cos(self) -> Any: return ops.cos(self)
    def tanh(self) -> Any: return ops.tanh(self)
    def sigmoid(self) -> Any: return ops.sigmoid(self)
    def relu(self) -> Any: return ops.relu(self)
    def sign(self) -> Any: return ops.sign(self)
    def floor(self) -> Any: return ops.rounding("floor", self)
    def ceil(self) -> Any: return ops.rounding("ceil", self)
    def round(self) -> Any: return ops.rounding("round", self)
    def trunc(self) -> Any: return ops.rounding("trunc", self)
    def clamp(self, min: Any = None, max: Any = None) -> Any: return ops.clamp(self, min, max)  # noqa: A002
    clip = clamp
    def clamp_min(self, min: Any) -> Any: return ops.clamp(self, min, None)  # noqa: A002
    def clamp_max(self, max: Any) -> Any: return ops.clamp(self, None, max)  # noqa: A002
    def maximum(self, other: Any) -> Any: return ops.maximum(self, other)
    def minimum(self, other: Any) -> Any: return ops.minimum(self, other)
    def masked_fill(self, mask: Any, value: Any) -> Any: return ops.masked_fill(self, mask, value)
    def where(self, condition: Any, other: Any) -> Any: return ops.where(condition, self, other)
    def eq(self, other: Any) -> Any: return ops.compare("eq", self, other)
    def ne(self, other: Any) -> Any: return ops.compare("ne", self, other)
    def lt(self, other: Any) -> Any: return ops.compare("lt", self, other)
    def le(self, other: Any) -> Any: return ops.compare("le", self, other)
    def gt(self, other: Any) -> Any: return ops.compare("gt", self, other)
    def ge(self, other: Any) -> Any: return ops.compare("ge", self, other)
    def logical_not(self) -> Any: return ops.logical("not", self)
    def isnan(self) -> Any: return ops.wrap(np.isnan(self._array))
    def isfinite(self) -> Any: return ops.wrap(np.isfinite(self._array))

    def equal(self, other: Any) -> bool:
        """Same shape and the same values."""
        return self._shape == other._shape and bool(np.array_equal(self._array, other._array))

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """All values within ``atol + rtol * |other|``."""
        return bool(np.allclose(self._array, other._array, rtol=rtol, atol=atol, equal_nan=equal_nan))

    # ------------------------------------------------------------------ reductions

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        return reductions.sum(self, dim, keepdim, dtype=dtype)
    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        return reductions.mean(self, dim, keepdim, dtype=dtype)
    def prod(self, dim: Any = None, keepdim: bool = False) -> Any: return reductions.prod(self, dim, keepdim)
    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, **kw: Any) -> Any:
        return reductions.var(self, dim, unbiased, keepdim, **kw)
    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, **kw: Any) -> Any:
        return reductions.std(self, dim, unbiased, keepdim, **kw)
    def amax(self, dim: Any = None, keepdim: bool = False) -> Any: return reductions.amax(self, dim, keepdim)
    def argmax(self, dim: Any = None, keepdim: bool = False) -> Any:
        return reductions.argextreme(self, "max", dim, keepdim)
    def argmin(self, dim: Any = None, keepdim: bool = False) -> Any:
        return reductions.argextreme(self, "min", dim, keepdim)
    def all(self, dim: Any = None, keepdim: bool = False) -> Any: return reductions.all(self, dim, keepdim)
    def any(self, dim: Any = None, keepdim: bool = False) -> Any: return reductions.any(self, dim, keepdim)
    def cumsum(self, dim: int, *, dtype: Any = None) -> Any: return reductions.cumsum(self, dim, dtype=dtype)
    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Any:
        return reductions.norm(self, p, dim, keepdim)
    def softmax(self, dim: Any = None, dtype: Any = None) -> Any: return reductions.softmax(self, dim, dtype)
    def log_softmax(self, dim: Any = None, dtype: Any = None) -> Any:
        return reductions.log_softmax(self, dim, dtype)
    def logsumexp(self, dim: Any, keepdim: bool = False) -> Any:
        return reductions.logsumexp(self, dim, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Largest element, ``(values, indices)`` along a dim, or the elementwise maximum with a tensor."""
        return ops.maximum(self, dim) if ops.is_tensor(dim) else reductions._extreme(self, "max", dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Smallest element, ``(values, indices)`` along a dim, or the elementwise minimum with a tensor."""
        return ops.minimum(self, dim) if ops.is_tensor(dim) else reductions._extreme(self, "min", dim, keepdim)

    # ------------------------------------------------------------------ linear algebra (L1)

    def mm(self, other: Any) -> Any: return linalg.mm(self, other)
    def matmul(self, other: Any) -> Any: return linalg.matmul(self, other)
    def dot(self, other: Any) -> Any: return linalg.dot(self, other)
    def mv(self, other: Any) -> Any: return linalg.mv(self, other)
    def bmm(self, other: Any) -> Any: return linalg.bmm(self, other)
    def inverse(self) -> Any: return linalg.inverse(self)
    def outer(self, other: Any) -> Any: return linalg.outer(self, other)

    # ------------------------------------------------------------------ views and copies (V1-V7)

    def view(self, *shape: Any) -> Any: return views.view(self, *shape)
    def view_as(self, other: Any) -> Any: return views.view(self, other._shape)
    def reshape(self, *shape: Any) -> Any: return views.reshape(self, *shape)
    def reshape_as(self, other: Any) -> Any: return views.reshape(self, other._shape)
    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Any:
        return views.flatten(self, start_dim, end_dim)
    def unflatten(self, dim: int, sizes: Any) -> Any: return views.unflatten(self, dim, sizes)
    def squeeze(self, dim: Any = None) -> Any: return views.squeeze(self, dim)
    def unsqueeze(self, dim: int) -> Any: return views.unsqueeze(self, dim)
    def transpose(self, dim0: int, dim1: int) -> Any: return views.transpose(self, dim0, dim1)
    swapaxes = transpose
    def t(self) -> Any: return views.t(self)
    def permute(self, *dims: Any) -> Any: return views.permute(self, *dims)
    def expand(self, *sizes: Any) -> Any: return views.expand(self, *sizes)
    def expand_as(self, other: Any) -> Any: return views.expand(self, other._shape)
    def contiguous(self, memory_format: Any = None) -> Any: return views.contiguous(self)
    def clone(self, memory_format: Any = None) -> Any: return views.clone(self)
    def select(self, dim: int, index: int) -> Any: return views.select(self, dim, index)
    def narrow(self, dim: int, start: int, length: int) -> Any: return views.narrow(self, dim, start, length)
    def unbind(self, dim: int = 0) -> Any: return views.unbind(self, dim)
    def split(self, size: Any, dim: int = 0) -> Any: return views.split(self, size, dim)
    def chunk(self, chunks: int, dim: int = 0) -> Any: return views.chunk(self, chunks, dim)

    @property
    def T(self) -> Any:  # noqa: N802 (PyTorch's name)
        """All dims reversed (PermuteBackward0); for a matrix, its transpose."""
        return views.permute(self, *reversed(range(self.dim())))

    @property
    def mT(self) -> Any:  # noqa: N802
        """The last two dims swapped."""
        return views.transpose(self, -2, -1)

    def repeat(self, *sizes: Any) -> Any:
        """Tile the tensor ``sizes`` times along each dim (a copy)."""
        sizes = views._sizes(sizes)
        base = self.reshape((1,) * (len(sizes) - self.dim()) + self._shape)
        return ops.wrap(np.tile(base._array, sizes))

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the nonzero elements."""
        found = np.nonzero(self._array)
        if as_tuple:
            return tuple(ops.wrap(i.astype(np.int64)) for i in found)
        return ops.wrap(np.stack(found, axis=1).astype(np.int64) if found else np.zeros((1, 0), np.int64))

    def new_tensor(self, data: Any, *, dtype: Any = None, **kw: Any) -> Any:
        """``tensor(data)`` with this tensor's dtype."""
        from .creation import tensor
        return tensor(data, dtype=dtype or self.dtype, **kw)

    def new_zeros(self, *size: Any, dtype: Any = None, **kw: Any) -> Any:
        from .creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, **kw)

    def new_ones(self, *size: Any, dtype: Any = None, **kw: Any) -> Any:
        from .creation import ones
        return ones(*size, dtype=dtype or self.dtype, **kw)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, **kw: Any) -> Any:
        from .creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, **kw)

    def new_empty(self, *size: Any, dtype: Any = None, **kw: Any) -> Any:
        from .creation import empty
        return empty(*size, dtype=dtype or self.dtype, **kw)

    # ------------------------------------------------------------------ in place (T7)

    def _inplace(self, op: Callable[[Any], Any], *others: Any, cast_check: bool = True) -> Any:
        """Compute ``op(self)`` out of place, write the result into self's storage, return self (T7).

        When autograd records the operation, ``op`` runs on a copy of self's values
        that carries self's history (the backward formulas must see the values
        before they are overwritten), and self then takes the new node as its
        grad_fn; for a view, the base's history is rebased instead (CopySlices).
        """
        requiring = self._requires_grad or any(ops.is_tensor(o) and o.requires_grad for o in others)
        recording = is_grad_enabled() and requiring
        source = self
        if recording:
            if self._requires_grad and self._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            if self._base is not None and self._base.requires_grad and self._base.is_leaf:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
            source = self._snapshot()
        result = op(source)
        if cast_check and not dtypes.can_cast(result.dtype, self.dtype):
            raise RuntimeError(f"result type {result.dtype.type_name[:-6]} can't be cast to the desired output type "
                               f"{self.dtype.type_name[:-6]}")
        if result._shape != self._shape and ops.check_broadcast(result._shape, self._shape) != self._shape:
            raise RuntimeError(f"output with shape {list(self._shape)} doesn't match the broadcast shape "
                               f"{list(ops.check_broadcast(result._shape, self._shape))}")
        self._array[...] = result._array
        if recording and result._grad_fn is not None and self._base is not None:
            rebase_view(self, result)  # the base's history goes on through CopySlices
        elif recording and result._grad_fn is not None:
            old, self._grad_fn, self._requires_grad = self._grad_fn, result._grad_fn, True
            if self._retains_grad:  # the retained gradient is now the new version's
                if old is not None:
                    old._retained = [ref for ref in old._retained if ref() is not self]
                self._retains_grad = False
                self.retain_grad()
        return self

    def _snapshot(self) -> Any:
        """A copy of self's values with self's place in the graph: what an in-place backward must remember."""
        twin = ops.wrap(np.array(self._array, copy=True, order="C"))
        twin._grad_fn, twin._requires_grad, twin._accumulator = self._grad_fn, self._requires_grad, self._accumulator
        return twin

    def _arithmetic_(self, ufunc: np.ufunc, op: Callable[[Any], Any], other: Any, alpha: Any = 1) -> Any:
        """``add_``, ``sub_``, ``mul_``, ``div_``: ``_inplace``, or when nothing is recorded and the dtype stays,
        numpy writes the result straight into self's storage (one pass, no temporary: an optimiser's step)."""
        if not (is_grad_enabled() and (self._requires_grad or (ops.is_tensor(other) and other.requires_grad))):
            A, B, dt = ops.promote(self, other, floating=ufunc is np.true_divide)
            if dt is self._dtype and (B.shape == A.shape or ops.check_broadcast(B.shape, A.shape) == A.shape):
                ufunc(self._array, B if alpha == 1 else B * alpha, out=self._array)
                return self
        return self._inplace(op, other)

    def add_(self, other: Any, *, alpha: Any = 1) -> Any:
        return self._arithmetic_(np.add, lambda s: ops.add(s, other, alpha=alpha), other, alpha)
    def sub_(self, other: Any, *, alpha: Any = 1) -> Any:
        return self._arithmetic_(np.subtract, lambda s: ops.sub(s, other, alpha=alpha), other, alpha)
    def mul_(self, other: Any) -> Any:
        return self._arithmetic_(np.multiply, lambda s: ops.mul(s, other), other)
    def div_(self, other: Any, *, rounding_mode: Any = None) -> Any:
        if rounding_mode is not None:
            return self._inplace(lambda s: ops.div(s, other, rounding_mode=rounding_mode), other)
        return self._arithmetic_(np.true_divide, lambda s: ops.div(s, other), other)
    def pow_(self, exponent: Any) -> Any: return self._inplace(lambda s: ops.pow(s, exponent), exponent)
    def neg_(self) -> Any: return self._inplace(ops.neg)
    def abs_(self) -> Any: return self._inplace(ops.abs)
    def exp_(self) -> Any: return self._inplace(ops.exp)
    def log_(self) -> Any: return self._inplace(ops.log)
    def sqrt_(self) -> Any: return self._inplace(ops.sqrt)
    def sigmoid_(self) -> Any: return self._inplace(ops.sigmoid)
    def tanh_(self) -> Any: return self._inplace(ops.tanh)
    def relu_(self) -> Any: return self._inplace(ops.relu)
    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        return self._inplace(lambda s: ops.clamp(s, min, max))
    clip_ = clamp_
    def clamp_min_(self, min: Any) -> Any:  # noqa: A002
        return self._inplace(lambda s: ops.clamp(s, min, None))
    def masked_fill_(self, mask: Any, value: Any) -> Any:
        return self._inplace(lambda s: ops.masked_fill(s, mask, value), value)

    def copy_(self, src: Any, non_blocking: bool = False) -> Any:
        """Write ``src`` (broadcast, cast to self's dtype) into self (CopyBackwards)."""
        if not ops.is_tensor(src):
            src = ops.wrap(np.asarray(src))
        cast = lambda s: record("CopyBackwards", ops.wrap(np.broadcast_to(src._array, self._shape).astype(self.dtype.numpy)),  # noqa: E731
                                (s, src), (np.zeros_like, lambda g: g), False)
        return self._inplace(cast, src, cast_check=False)

    def fill_(self, value: Any) -> Any:
        """Every element ``value`` (T7)."""
        filled = lambda s: record("FillBackward0", ops.wrap(np.full(self._shape, ops.operand(value, self.dtype))),  # noqa: E731
                                  (s,), (np.zeros_like,), False)
        return self._inplace(filled, cast_check=False)

    def zero_(self) -> Any:
        """Every element 0 (T7)."""
        return self._inplace(lambda s: record("ZeroBackward0", ops.wrap(np.zeros(self._shape, self.dtype.numpy)),
                                              (s,), (np.zeros_like,), False), cast_check=False)

    def _fill_values(self, values: np.ndarray) -> Any:
        """Write values with no history (random initialisers): a leaf that requires grad needs ``no_grad``."""
        if is_grad_enabled() and self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        self._array[...] = values
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Any:
        return self._fill_values(_random.fill_uniform(self, a, b, generator))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        return self._fill_values(_random.fill_normal(self, mean, std, generator))

    def random_(self, low: Any = None, high: Any = None, *, generator: Any = None) -> Any:
        return self._fill_values(_random.fill_random(self, low, high, generator))

    def _relayout(self, view: Any) -> Any:
        """Self takes another view's layout (``squeeze_``, ``t_``...): same storage, new shape and strides."""
        if self._requires_grad and is_grad_enabled():
            raise NotImplementedError("in-place shape changes of tensors that require grad")
        self._shape, self._stride, self._offset, self._array = view._shape, view._stride, view._offset, view._array
        return self

    def squeeze_(self, dim: Any = None) -> Any: return self._relayout(views.squeeze(self, dim))
    def unsqueeze_(self, dim: int) -> Any: return self._relayout(views.unsqueeze(self, dim))
    def t_(self) -> Any: return self._relayout(views.t(self))
    def transpose_(self, dim0: int, dim1: int) -> Any:
        return self._relayout(views.transpose(self, dim0, dim1))
