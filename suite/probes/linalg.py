"""Probes for L1: line fitting with ``A.inverse().mm(b)`` (document 002), and inverse and mm on their own."""

from __future__ import annotations

from typing import Any

import numpy as np

from suite.probes import dtype_name, matrix_view, raised, read, shape_of, tensor


def _made(T: Any, t: Any) -> dict[str, Any]:
    """A result's dtype, shape and values."""
    return {"dtype": dtype_name(T, t.dtype), "shape": shape_of(t), "values": read(t)}


def document_line_fit(T: Any, device: str) -> dict[str, Any]:
    """Document 002: ``A = tensor([[1., 1.], [4., 1.]]); b = tensor([[4.], [2.]]); A.inverse().mm(b)``."""
    A = tensor(T, device, [[1.0, 1.0], [4.0, 1.0]])
    b = tensor(T, device, [[4.0], [2.0]])
    A_inv = A.inverse()
    return {"A_inv": _made(T, A_inv), "A_inv.mm(b)": _made(T, A_inv.mm(b))}


def inverse(T: Any, device: str, a: np.ndarray) -> dict[str, Any]:
    """``tensor(a).inverse()`` (a's dtype kept)."""
    return _made(T, tensor(T, device, np.array(a, copy=True)).inverse())


def mm(T: Any, device: str, a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """``tensor(a).mm(tensor(b))``."""
    return _made(T, tensor(T, device, np.array(a, copy=True)).mm(tensor(T, device, np.array(b, copy=True))))


#: The spellings of a matrix product a backend may wire separately (L1).
PRODUCTS = {
    "a.mm(b)": lambda T, a, b: a.mm(b),
    "a @ b": lambda T, a, b: a @ b,
    "matmul(a, b)": lambda T, a, b: T.matmul(a, b),
}


def product_of_views(T: Any, device: str, a: np.ndarray, b: np.ndarray, a_view: tuple, b_view: tuple,
                     product: str) -> dict[str, Any]:
    """``A = tensor(a)[r0::rs, c0::cs]`` (maybe ``.t()``), B likewise, then their product spelled ``product``."""
    A = matrix_view(tensor(T, device, np.array(a, copy=True)), a_view)
    B = matrix_view(tensor(T, device, np.array(b, copy=True)), b_view)
    return _made(T, PRODUCTS[product](T, A, B))


def solve_by_inverse(T: Any, device: str, a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """``tensor(a).inverse().mm(tensor(b))``: the document's way of solving a linear system."""
    A = tensor(T, device, np.array(a, copy=True))
    return _made(T, A.inverse().mm(tensor(T, device, np.array(b, copy=True))))


def inverse_error(T: Any, device: str, a: np.ndarray) -> str | None:
    """Which exception ``tensor(a).inverse()`` raises (for a singular a), or None."""
    A = tensor(T, device, np.array(a, copy=True))
    return raised(lambda: A.inverse())
