"""L1: the line through two points by ``A.inverse().mm(b)`` (document 002), and inverse/mm in general.

A line ``y = a*x + c`` through (x1, y1) and (x2, y2) solves ``[[x1, 1], [x2, 1]] @ [[a], [c]] = [[y1], [y2]]``.
The exact answer comes from fractions (no rounding at all); numpy's ``inv`` and
``matmul`` in float64 are the reference for other matrices; the tolerances say
how far a backend computing in float32 or float64 may honestly be from them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

Point = tuple[float, float]

#: The two points of document 002 ("(1, 4) and (4, 1)" in its prose; the code and the system use (4, 2)).
DOC_POINTS: tuple[Point, Point] = ((1.0, 4.0), (4.0, 2.0))

#: ``A = torch.tensor([[1., 1.], [4., 1.]])`` and ``b = torch.tensor([[4.], [2.]])`` of document 002.
DOC_A: np.ndarray = np.array([[1.0, 1.0], [4.0, 1.0]])
DOC_B: np.ndarray = np.array([[4.0], [2.0]])

#: ``print(A_inv.mm(b))`` with torch: ``tensor([[-0.6667], [4.6667]])``, four decimals.
PRINTED: np.ndarray = np.array([[-0.6667], [4.6667]])
PRINTED_DECIMALS = 4

#: ``print(np.matmul(A_inv, b))`` with numpy: ``[[-0.66666667], [4.66666667]]``, eight decimals.
PRINTED_NUMPY: np.ndarray = np.array([[-0.66666667], [4.66666667]])
PRINTED_NUMPY_DECIMALS = 8

#: Machine epsilon of the dtypes the backends compute in.
EPS: dict[str, float] = {"float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps)}

#: Slack for the constants the textbook error bounds leave out (pivot growth, summation order).
SAFETY = 10.0


def line_system(p: Point, q: Point) -> tuple[np.ndarray, np.ndarray]:
    """``A`` and ``b`` of the system whose solution ``[[slope], [intercept]]`` is the line through p and q (L1)."""
    (x1, y1), (x2, y2) = p, q
    return np.array([[x1, 1.0], [x2, 1.0]]), np.array([[y1], [y2]])


def line_through(p: Point, q: Point) -> tuple[Fraction, Fraction]:
    """The exact slope and intercept of the line through p and q (L1); ValueError for a vertical line."""
    (x1, y1), (x2, y2) = ((Fraction(x), Fraction(y)) for x, y in (p, q))
    if x1 == x2:
        raise ValueError("a vertical line is not y = a*x + c")
    slope = (y2 - y1) / (x2 - x1)
    return slope, y1 - slope * x1


#: The exact answer of document 002: slope -2/3, intercept 14/3.
EXACT: tuple[Fraction, Fraction] = line_through(*DOC_POINTS)


def exact_inverse(a: Sequence[Sequence[float]]) -> list[list[Fraction]]:
    """The exact inverse by Gauss-Jordan elimination over fractions (L1); ZeroDivisionError if singular."""
    n = len(a)
    rows = [[Fraction(v) for v in row] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(a)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            raise ZeroDivisionError("the matrix is singular")
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col]
        rows[col] = [v / lead for v in rows[col]]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [v - factor * w for v, w in zip(rows[r], rows[col])]
    return [row[n:] for row in rows]


def inverse(a: np.ndarray) -> np.ndarray:
    """``A.inverse()``: numpy's ``inv`` in float64 of exactly the values given (L1); LinAlgError if singular."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"inverse needs a square matrix, got shape {a.shape}")
    return np.linalg.inv(a)


def mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a.mm(b)``: the matrix product of two 2-D arrays, in float64 (L1); ValueError on mismatched shapes."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"mm needs (n, k) and (k, m) matrices, got {a.shape} and {b.shape}")
    return np.matmul(a, b)


def condition_number(a: np.ndarray) -> float:
    """The 2-norm condition number ``||A|| * ||A^-1||``: how much an inverse amplifies rounding (L1)."""
    return float(np.linalg.cond(np.asarray(a, dtype=np.float64), 2))


def inverse_tolerance(a: np.ndarray, dtype: str) -> float:
    """Absolute tolerance for each entry of ``A.inverse()`` computed in ``dtype`` (L1).

    An elementwise tolerance like float32's 1.3e-6 assumes one rounding. An
    inverse computed by a backward-stable method (LU with pivoting) is the exact
    inverse of a matrix within ``n * eps`` of A, and that perturbation is
    amplified by the condition number: ``||X - A^-1|| <= c * n * eps * cond(A) * ||A^-1||``.
    Every entry's error is at most the 2-norm of the error matrix, so this bound
    (with ``c = SAFETY``) serves as the absolute tolerance for every entry.
    """
    n = np.asarray(a).shape[0]
    return SAFETY * n * EPS[dtype] * condition_number(a) * float(np.linalg.norm(inverse(a), 2))


def mm_tolerance(a: np.ndarray, b: np.ndarray, dtype: str) -> float:
    """Absolute tolerance for each entry of ``a.mm(b)`` computed in ``dtype`` (L1).

    A dot product of length k accumulates at most ``k * eps * sum |a_ik * b_kj|``
    of rounding (summation order is the backend's choice), so the tolerance
    scales with k and with the largest entry of ``|a| @ |b|``, not with the result
    itself, which may cancel to near zero.
    """
    k = np.asarray(a).shape[1]
    scale = float(np.max(mm(np.abs(a), np.abs(b)), initial=0.0))
    return SAFETY * max(k, 1) * EPS[dtype] * scale


def solve_tolerance(a: np.ndarray, b: np.ndarray, dtype: str) -> float:
    """Absolute tolerance for each entry of ``A.inverse().mm(b)`` in ``dtype`` (L1).

    The inverse's error (``inverse_tolerance`` per entry) reaches each result
    entry through a row of b, adding up to ``n * tol * max|b|``; the product adds
    its own rounding on top.
    """
    n = np.asarray(a).shape[0]
    carried = n * inverse_tolerance(a, dtype) * float(np.max(np.abs(b), initial=0.0))
    return carried + mm_tolerance(inverse(a), b, dtype)


def printed_tolerance(decimals: int) -> float:
    """How far a value printed with ``decimals`` decimals may be from the true one: half a unit in the last place."""
    return 0.5 * 10.0**-decimals
