"""The linalg reference reproduces document 002's line fit (both printouts) and agrees with exact arithmetic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from reference import linalg as ref

SMALL_INTS = st.integers(-9, 9)


def test_document_system_is_the_line_through_its_points() -> None:
    """L1: A = [[1, 1], [4, 1]] and b = [[4], [2]] are the system of the line through (1, 4) and (4, 2)."""
    a, b = ref.line_system(*ref.DOC_POINTS)
    np.testing.assert_array_equal(a, ref.DOC_A)
    np.testing.assert_array_equal(b, ref.DOC_B)


def test_exact_answer_is_minus_two_thirds_and_fourteen_thirds() -> None:
    """L1: the line is y = -2/3 x + 14/3, and it passes through both points exactly."""
    slope, intercept = ref.EXACT
    assert (slope, intercept) == (Fraction(-2, 3), Fraction(14, 3))
    for x, y in ref.DOC_POINTS:
        assert slope * Fraction(x) + intercept == Fraction(y)


def test_printed_figures_round_the_exact_answer() -> None:
    """L1: torch's [[-0.6667], [4.6667]] and numpy's [[-0.66666667], [4.66666667]] are the exact answer, rounded."""
    exact = np.array([[float(v)] for v in ref.EXACT])
    np.testing.assert_array_equal(np.round(exact, ref.PRINTED_DECIMALS), ref.PRINTED)
    np.testing.assert_array_equal(np.round(exact, ref.PRINTED_NUMPY_DECIMALS), ref.PRINTED_NUMPY)
    assert np.all(np.abs(exact - ref.PRINTED) <= ref.printed_tolerance(ref.PRINTED_DECIMALS))


def test_inverse_then_mm_reproduces_the_document() -> None:
    """L1: inverse(A) then mm(b), as numpy's inv and matmul, within float64 rounding of the exact answer."""
    solution = ref.mm(ref.inverse(ref.DOC_A), ref.DOC_B)
    exact = np.array([[float(v)] for v in ref.EXACT])
    tolerance = ref.solve_tolerance(ref.DOC_A, ref.DOC_B, "float64")
    assert np.all(np.abs(solution - exact) <= tolerance)
    assert np.all(np.abs(solution - ref.PRINTED_NUMPY) <= ref.printed_tolerance(ref.PRINTED_NUMPY_DECIMALS))
    np.testing.assert_array_equal(np.array(ref.exact_inverse(ref.DOC_A), dtype=float) * 3, [[-1, 1], [4, -1]])


@given(n=st.integers(1, 4), data=st.data())
def test_numpy_inverse_agrees_with_exact_inverse(n: int, data: st.DataObject) -> None:
    """inverse() (numpy) is within inverse_tolerance of the exact rational inverse, for integer matrices."""
    entries = data.draw(st.lists(st.lists(SMALL_INTS, min_size=n, max_size=n), min_size=n, max_size=n))
    try:
        exact = np.array(ref.exact_inverse(entries), dtype=np.float64)
    except ZeroDivisionError:
        assume(False)  # singular: no inverse to compare (floating LU may or may not notice)
    a = np.array(entries, dtype=np.float64)
    assert np.all(np.abs(ref.inverse(a) - exact) <= ref.inverse_tolerance(a, "float64"))


@given(shape=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)), data=st.data())
def test_mm_agrees_with_exact_products(shape: tuple[int, int, int], data: st.DataObject) -> None:
    """mm of integer matrices is exact in float64 and equals the product computed with Python ints."""
    n, k, m = shape
    a = data.draw(st.lists(st.lists(SMALL_INTS, min_size=k, max_size=k), min_size=n, max_size=n))
    b = data.draw(st.lists(st.lists(SMALL_INTS, min_size=m, max_size=m), min_size=k, max_size=k))
    exact = [[sum(a[i][t] * b[t][j] for t in range(k)) for j in range(m)] for i in range(n)]
    np.testing.assert_array_equal(ref.mm(np.array(a), np.array(b)), np.array(exact, dtype=np.float64))


def test_mm_and_inverse_reject_bad_shapes() -> None:
    """mm needs (n, k) @ (k, m); inverse needs a square matrix."""
    with pytest.raises(ValueError):
        ref.mm(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError):
        ref.inverse(np.ones((2, 3)))
    with pytest.raises(ValueError):
        ref.line_through((1.0, 2.0), (1.0, 3.0))
    with pytest.raises(ZeroDivisionError):
        ref.exact_inverse([[1, 2], [2, 4]])


def test_tolerances_grow_with_condition_and_shrink_with_precision() -> None:
    """The inverse tolerance scales with cond(A); float64's is far tighter than float32's."""
    well = np.array([[2.0, 0.0], [0.0, 1.0]])
    ill = np.array([[1.0, 1.0], [1.0, 1.0001]])
    assert ref.condition_number(ill) > 1000 * ref.condition_number(well)
    assert ref.inverse_tolerance(ill, "float32") / ref.inverse_tolerance(well, "float32") > 1000
    assert ref.inverse_tolerance(well, "float64") < 1e-8 * ref.inverse_tolerance(well, "float32")
    assert ref.mm_tolerance(well, well, "float64") < ref.mm_tolerance(well, well, "float32")
