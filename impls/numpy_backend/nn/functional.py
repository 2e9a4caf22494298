"""``nn.functional``: layers and losses as functions (M4, A8, O4).

The losses are single graph nodes with their own gradient formulas, named as
PyTorch names them (``MseLossBackward0``, ``NllLossBackward0``,
``BinaryCrossEntropyWithLogitsBackward0``). A8's document example checks the
last one: the gradient of ``binary_cross_entropy_with_logits(z, y)`` with
respect to z is ``(sigmoid(z) - y) / n``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import linalg, ops, reductions, views
from ..autograd import record
from ..random import bernoulli
from ..ops import promote, wrap

Tensor = Any


def _reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The ``reduction`` named by the legacy ``size_average``/``reduce`` flags when they are given."""
    if size_average is None and reduce is None:
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _reduce(loss: np.ndarray, reduction: str) -> tuple[np.ndarray, float]:
    """The reduced loss and the factor each element's gradient carries (1/n for the mean)."""
    if reduction == "none":
        return loss, 1.0
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype), 1.0
    return np.asarray(loss.mean(), dtype=loss.dtype), 1.0 / max(loss.size, 1)


def _spread(g: np.ndarray, reduction: str) -> np.ndarray:
    """The output gradient as a factor for every element (a scalar unless reduction is "none")."""
    return g if reduction == "none" else np.asarray(g).reshape(())


# --------------------------------------------------------------------------- layers (M4)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input @ weight.T + bias``: one ``addmm`` for a batch of rows (AddmmBackward0), ``matmul`` otherwise (M4)."""
    if input.dim() == 2 and bias is not None:
        return linalg.addmm(bias, input, views.t(weight))
    output = linalg.matmul(input, views.t(weight))
    return output if bias is None else ops.add(output, bias)


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """``max(x, 0)`` (ReluBackward0) (M4)."""
    return input.relu_() if inplace else ops.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x for x > 0, else ``negative_slope * x`` (LeakyReluBackward0)."""
    X = input._array
    Y = np.where(X > 0, X, X * negative_slope).astype(X.dtype)
    return record("LeakyReluBackward0", wrap(Y), (input,), (lambda g: np.where(X > 0, g, g * negative_slope),))


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """``1 / (1 + e**-x)`` (SigmoidBackward0)."""
    return ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """Hyperbolic tangent (TanhBackward0)."""
    return ops.tanh(input)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """Probabilities along dim (SoftmaxBackward0) (M4)."""
    return reductions.softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """Log-probabilities along dim (LogSoftmaxBackward0)."""
    return reductions.log_softmax(input, dim, dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability p and scale the rest by 1/(1-p), in training only (MulBackward0)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    keep = bernoulli(wrap(np.full(input._shape, 1.0 - p, dtype=input._array.dtype)))
    return ops.mul(input, ops.div(keep, 1.0 - p)) if p < 1.0 else ops.mul(input, keep)


# --------------------------------------------------------------------------- losses (A8, O1-O4)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean (or sum) of squared differences (MseLossBackward0) (O4)."""
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=2)
    X, T, _ = promote(input, target)
    D = X - T
    loss, factor = _reduce(D * D, reduction)
    grad = lambda g: 2 * factor * D * _spread(g, reduction)  # noqa: E731
    return record("MseLossBackward0", wrap(loss), (input, target), (grad, lambda g: -grad(g)))


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean") -> Tensor:
    """Mean (or sum) of absolute differences (L1LossBackward0)."""
    reduction = _reduction(size_average, reduce, reduction)
    X, T, _ = promote(input, target)
    D = X - T
    loss, factor = _reduce(np.abs(D), reduction)
    grad = lambda g: factor * np.sign(D) * _spread(g, reduction)  # noqa: E731
    return record("L1LossBackward0", wrap(loss), (input, target), (grad, lambda g: -grad(g)))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """``-[y·log σ(x) + (1-y)·log(1-σ(x))]``, computed stably from the logits x (A8).

    The gradient with respect to x is ``σ(x) - y`` per element (with ``pos_weight``
    p: ``(1 + (p-1)y)σ(x) - p·y``), divided by n for the mean: the document's
    ``w.grad`` rows and ``b.grad`` all equal ``sigmoid(z)/3`` for y = 0 and n = 3.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    X, Y, _ = promote(input, target)
    W = 1.0 if weight is None else weight._array
    P = 1.0 if pos_weight is None else pos_weight._array
    softplus_neg = np.log1p(np.exp(-np.abs(X))) + np.maximum(-X, 0)  # log(1 + e**-x), without overflow
    scale = 1 + (P - 1) * Y
    loss, factor = _reduce(W * ((1 - Y) * X + scale * softplus_neg), reduction)
    with np.errstate(over="ignore"):
        S = 1 / (1 + np.exp(-X))
    grad_x = lambda g: factor * W * (scale * S - P * Y) * _spread(g, reduction)  # noqa: E731
    grad_y = lambda g: factor * W * ((P - 1) * softplus_neg - X) * _spread(g, reduction)  # noqa: E731
    return record("BinaryCrossEntropyWithLogitsBackward0", wrap(loss.astype(X.dtype)), (input, target), (grad_x, grad_y))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``-[y·log p + (1-y)·log(1-p)]`` for probabilities p, logs clamped at -100 (BinaryCrossEntropyBackward0)."""
    reduction = _reduction(size_average, reduce, reduction)
    X, Y, _ = promote(input, target)
    if np.any((X < 0) | (X > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    W = 1.0 if weight is None else weight._array
    with np.errstate(divide="ignore"):
        log_p, log_q = np.maximum(np.log(X), -100), np.maximum(np.log1p(-X), -100)
    loss, factor = _reduce(-W * (Y * log_p + (1 - Y) * log_q), reduction)
    grad = lambda g: factor * W * (X - Y) / np.maximum(X * (1 - X), 1e-12) * _spread(g, reduction)  # noqa: E731
    return record("BinaryCrossEntropyBackward0", wrap(loss.astype(X.dtype)), (input, target), (grad, None))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``-input[i, target[i]]`` weighted, averaged over the weights of the targets (NllLossBackward0)."""
    reduction = _reduction(size_average, reduce, reduction)
    X, t = input._array, target._array.astype(np.int64)
    if X.ndim == 1:  # one sample of C classes
        X, t = X[None], t.reshape(1)
    classes = X.shape[1]
    Xc = np.moveaxis(X, 1, -1)  # (N, ..., C): the class dim last
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    if np.any(keep & ((t < 0) | (t >= classes))):
        raise IndexError(f"Target {int(t[keep & ((t < 0) | (t >= classes))][0])} is out of bounds.")
    w = (np.ones(classes, X.dtype) if weight is None else weight._array)[safe] * keep
    picked = np.take_along_axis(Xc, safe[..., None], axis=-1)[..., 0]
    losses = -w * picked
    total = w.sum()
    if reduction == "none":
        loss = losses.reshape(target._shape)
    else:
        loss = np.asarray(losses.sum() / (total if reduction == "mean" else 1), dtype=X.dtype)

    def grad(g: np.ndarray) -> np.ndarray:
        scale = g.reshape(losses.shape) if reduction == "none" else np.asarray(g) / (total if reduction == "mean" else 1)
        full = np.zeros_like(Xc)
        np.put_along_axis(full, safe[..., None], (-w * scale)[..., None], axis=-1)
        return np.moveaxis(full, -1, 1).reshape(input._shape)

    return record("NllLoss2DBackward0" if input.dim() > 2 else "NllLossBackward0", wrap(loss), (input,), (grad,))


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for class indices; ``-Σ target·log_softmax`` for probabilities."""
    reduction = _reduction(size_average, reduce, reduction)
    dim = 0 if input.dim() == 1 else 1
    log_p = reductions.log_softmax(input, dim)
    if target.dtype.is_floating_point:  # class probabilities, the same shape as the input
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / input.shape[dim]
        weighted = log_p * target if weight is None else log_p * target * weight.view(-1, *([1] * (input.dim() - 2)))
        losses = -reductions.sum(weighted, dim)
        if reduction == "none":
            return losses
        total = reductions.sum(losses)
        return total / (input.shape[0] if input.dim() > 1 else 1) if reduction == "mean" else total
    loss = nll_loss(log_p, target, weight, None, ignore_index, None, reduction)
    if not label_smoothing:
        return loss
    smooth = -reductions.sum(log_p if weight is None else log_p * weight.view(-1, *([1] * (input.dim() - 2))), dim)
    keep = wrap((target._array != ignore_index).astype(log_p._array.dtype))
    smooth = smooth * keep
    if reduction == "mean":
        denominator = keep.sum() if weight is None else (weight._array[np.where(keep._array > 0, target._array, 0)] * keep._array).sum()
        smooth = reductions.sum(smooth) / float(denominator)
    elif reduction == "sum":
        smooth = reductions.sum(smooth)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / input.shape[dim])
