"""Linear algebra: ``mm``, ``matmul``/``@``, ``addmm`` (what ``Linear`` computes), ``inverse`` (L1, A5, A8, M4).

For ``C = A @ B`` the gradients are ``dA = dC @ Bᵀ`` and ``dB = Aᵀ @ dC``.
When B is a transposed view (``Linear`` multiplies by ``weight.t()``), dB is
computed as ``(dCᵀ @ A)ᵀ`` so that the gradient the weight finally receives
is laid out row-major like the weight itself, with no copy (PyTorch's
``mm_mat2_backward`` makes the same choice).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import views
from .autograd import record
from .ops import floating, wrap

Tensor = Any


class LinAlgError(RuntimeError):
    """A matrix with no inverse (PyTorch's ``torch.linalg.LinAlgError`` is a RuntimeError too) (L1)."""


def _same_dtype(a: Tensor, b: Tensor, what: str) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{what}: expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")


def product(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` for matrices; an outer product (inner size 1, a batch of one) by broadcasting, which BLAS does slowly."""
    if A.shape[1] == 1:
        return A * B
    return A @ B


def _right_grad(A: np.ndarray, g: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``Aᵀ @ g``, laid out like B (row-major, or transposed when B is a transposed view)."""
    if B.ndim == 2 and not B.flags.c_contiguous and B.flags.f_contiguous:
        return product(g.T, A).T
    return product(A.T, g)


def mm(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product of two 2-dim tensors (MmBackward0) (L1)."""
    if a.dim() != 2 or b.dim() != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got {a.dim()}-D and {b.dim()}-D")
    if a._shape[1] != b._shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a._shape[0]}x{a._shape[1]} and "
                           f"{b._shape[0]}x{b._shape[1]})")
    _same_dtype(a, b, "mm")
    A, B = a._array, b._array
    return record("MmBackward0", wrap(product(A, B)), (a, b), (lambda g: product(g, B.T), lambda g: _right_grad(A, g, B)))


def addmm(bias: Tensor, a: Tensor, b: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * bias + alpha * (a @ b)``: one node for a Linear layer's affine map (AddmmBackward0) (A5, M4)."""
    if a.dim() != 2 or b.dim() != 2 or a._shape[1] != b._shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, a._shape))} and "
                           f"{'x'.join(map(str, b._shape))})")
    _same_dtype(a, b, "addmm")
    A, B, C = a._array, b._array, bias._array
    AB = product(A, B)
    if alpha != 1:
        AB *= alpha
    Y = AB + (C if beta == 1 else beta * C)
    return record("AddmmBackward0", wrap(Y), (bias, a, b), (
        lambda g: g if beta == 1 else g * beta,
        lambda g: product(g, B.T) if alpha == 1 else product(g, B.T) * alpha,
        lambda g: _right_grad(A, g, B) if alpha == 1 else _right_grad(A, g, B) * alpha,
    ))


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Inner product of two 1-dim tensors (DotBackward0)."""
    if a.dim() != 1 or b.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.dim()}D and {b.dim()}D tensors")
    _same_dtype(a, b, "dot")
    A, B = a._array, b._array
    return record("DotBackward0", wrap(np.dot(A, B)), (a, b), (lambda g: g * B, lambda g: g * A))


def mv(a: Tensor, v: Tensor) -> Tensor:
    """Matrix times vector (MvBackward0)."""
    _same_dtype(a, v, "mv")
    A, V = a._array, v._array
    return record("MvBackward0", wrap(A @ V), (a, v), (lambda g: np.outer(g, V), lambda g: A.T @ g))


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product of two 3-dim tensors (BmmBackward0)."""
    if a.dim() != 3 or b.dim() != 3:
        raise RuntimeError("batch1 and batch2 must be 3D tensors")
    return _batched(a, b, "BmmBackward0")


def _batched(a: Tensor, b: Tensor, name: str) -> Tensor:
    """Broadcast batched product; the engine sums each gradient back over broadcast batch dims."""
    _same_dtype(a, b, "matmul")
    A, B = a._array, b._array
    try:
        Y = np.matmul(A, B)
    except ValueError as exc:
        raise RuntimeError(f"matmul: shapes {tuple(a._shape)} and {tuple(b._shape)} cannot be multiplied") from exc
    return record(name, wrap(Y), (a, b), (lambda g: g @ np.swapaxes(B, -1, -2), lambda g: np.swapaxes(A, -1, -2) @ g))


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` by the dims: dot (1, 1), mv (2, 1), mm (2, 2), a row vector (1, 2), batched (≥ 3) (A8)."""
    if a.dim() == 0 or b.dim() == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D")
    if a.dim() == 1 and b.dim() == 1:
        return dot(a, b)
    if a.dim() == 2 and b.dim() == 1:
        return mv(a, b)
    if a.dim() == 2 and b.dim() == 2:
        return mm(a, b)
    if a.dim() == 1 and b.dim() == 2:  # as PyTorch: (1, n) @ (n, m), then the 1 dropped (SqueezeBackward4)
        return views.squeeze(mm(views.unsqueeze(a, 0), b), 0, name="SqueezeBackward4")
    if b.dim() == 1:
        return views.squeeze(_batched(a, views.unsqueeze(b, -1), "UnsafeViewBackward0"), -1, name="SqueezeBackward4")
    if a.dim() == 1:
        return views.squeeze(_batched(views.unsqueeze(a, 0), b, "UnsafeViewBackward0"), -2, name="SqueezeBackward4")
    return _batched(a, b, "UnsafeViewBackward0" if b.dim() == 2 else "BmmBackward0")


def outer(a: Tensor, b: Tensor) -> Tensor:
    """Outer product of two vectors (MulBackward0, as PyTorch computes it)."""
    return views.unsqueeze(a, 1) * b


def inverse(x: Tensor) -> Tensor:
    """Inverse of a square matrix, or of each in a batch (LinalgInvExBackward0: ``-Xᵀ⁻¹ g Xᵀ⁻¹``) (L1)."""
    if x.dim() < 2 or x._shape[-1] != x._shape[-2]:
        raise RuntimeError(f"linalg.inv: A must be batches of square matrices, but they are {x._shape[-2:]} matrices")
    if x.dtype.category not in ("floating", "complex"):
        raise RuntimeError(f"linalg.inv: Expected a floating point or complex tensor as input. Got {x.dtype.type_name[:-6]}")
    X = floating(x)
    try:
        Y = np.linalg.inv(X)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.inv: The diagonal element is zero, the inversion could not be completed because "
                          "the input matrix is singular.") from None
    Yt = np.swapaxes(Y, -1, -2)
    return record("LinalgInvExBackward0", wrap(Y), (x,), (lambda g: -(Yt @ g @ Yt),))


inv = inverse  # ``torch.linalg.inv``
