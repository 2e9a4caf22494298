"""L1: the line through (1, 4) and (4, 2) by ``A.inverse().mm(b)`` (document 002), and inverse and mm in general.

The document's answer is checked three ways: against what it prints
(``[[-0.6667], [4.6667]]``, four decimals), against the exact -2/3 and 14/3,
and against numpy. Random matrices then check inverse and mm in float32 and
float64, with tolerances from ``reference.linalg`` that grow with the matrix
size and, for the inverse, with its condition number.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference import linalg as ref
from reference import views as ref_views
from suite.compare import assert_close, assert_equal, assert_true
from suite.probes import linalg as probes
from suite.strategies import float_dtypes, matrix_views

behaviour = pytest.mark.behaviour

ENTRIES = st.floats(-10, 10, width=32)


def matrices(rows: int, cols: int, dtype: str) -> st.SearchStrategy[np.ndarray]:
    """A (rows, cols) matrix of ``dtype`` with entries in [-10, 10]."""
    return arrays(np.float32, (rows, cols), elements=ENTRIES).map(lambda m: m.astype(dtype))


@st.composite
def well_conditioned(draw: st.DrawFn, n: int, dtype: str) -> np.ndarray:
    """A non-symmetric, strictly diagonally dominant (hence invertible) n x n matrix of ``dtype``.

    Each diagonal entry exceeds the rest of its row by a margin of 0.5 to 10 with
    either sign, which keeps the condition number in the hundreds at most; the
    tolerances still scale with it.
    """
    m = draw(matrices(n, n, "float64"), label="entries")
    margin = draw(st.floats(0.5, 10), label="margin")
    signs = draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n), label="signs")
    for i in range(n):
        m[i, i] = signs[i] * (np.abs(m[i]).sum() - abs(m[i, i]) + margin)
    return m.astype(dtype)


def exact_solution() -> np.ndarray:
    """The exact slope and intercept, -2/3 and 14/3, as a (2, 1) float64 column."""
    return np.array([[float(v)] for v in ref.EXACT])


@behaviour("L1")
def test_line_fit_document_example(run) -> None:
    """A.inverse().mm(b) prints [[-0.6667], [4.6667]]: float32, shape (2, 1), within float32 rounding of -2/3, 14/3."""
    seen = run(probes.document_line_fit)
    solution = seen["A_inv.mm(b)"]
    assert_equal(solution["dtype"], "float32", "A.inverse().mm(b).dtype (float literals: the default dtype)")
    assert_equal(solution["shape"], (2, 1), "A.inverse().mm(b).shape")
    # What the document prints is the answer rounded to 4 decimals: within half a unit of the last place.
    assert_close(solution["values"], ref.PRINTED, "A.inverse().mm(b) against the printed [[-0.6667], [4.6667]]",
                 rtol=0.0, atol=ref.printed_tolerance(ref.PRINTED_DECIMALS))
    assert_close(solution["values"], exact_solution(), "A.inverse().mm(b) against the exact [[-2/3], [14/3]]",
                 atol=ref.solve_tolerance(ref.DOC_A, ref.DOC_B, "float32"))
    exact_inverse = np.array(ref.exact_inverse(ref.DOC_A), dtype=np.float64)
    assert_close(seen["A_inv"]["values"], exact_inverse, "A.inverse() against the exact [[-1/3, 1/3], [4/3, -1/3]]",
                 atol=ref.inverse_tolerance(ref.DOC_A, "float32"))


@behaviour("L1")
@pytest.mark.parametrize(
    "a",
    [[[1.0, 2.0], [3.0, 4.0]], [[2.0, 1.0, 0.0], [0.0, 1.0, 3.0], [1.0, 0.0, 1.0]], [[1.0, 5.0], [0.0, 2.0]],
     [[0.0, 1.0], [1.0, 0.0]]],
    ids=["2x2", "3x3", "upper-triangular", "needs-pivoting"],
)
def test_inverse_of_small_non_symmetric_matrices(run, a: list[list[float]]) -> None:
    """inverse() of small non-symmetric matrices (one needing a row swap) is their exact inverse, in float64."""
    matrix = np.array(a)
    seen = run(probes.inverse, a=matrix)
    assert_equal(seen["dtype"], "float64", "inverse().dtype of a float64 matrix")
    expected = np.array(ref.exact_inverse(a), dtype=np.float64)
    assert_close(seen["values"], expected, f"tensor({a}).inverse()", atol=ref.inverse_tolerance(matrix, "float64"))


@behaviour("L1")
@given(dtype=float_dtypes(), n=st.integers(1, 5), data=st.data())
def test_inverse_of_well_conditioned_matrices(run, dtype: str, n: int, data: st.DataObject) -> None:
    """inverse() agrees with numpy's inv, in float32 and float64, within a tolerance scaled by cond(A)."""
    a = data.draw(well_conditioned(n, dtype), label="a")
    seen = run(probes.inverse, a=a)
    assert_equal(seen["dtype"], dtype, "inverse().dtype")
    # Rounding in A's factorisation is amplified by cond(A) in A^-1: the tolerance says how much.
    assert_close(seen["values"], ref.inverse(a), f"inverse() of a {dtype} matrix with cond {ref.condition_number(a):.1f}",
                 dtype=dtype, atol=ref.inverse_tolerance(a, dtype))


@behaviour("L1")
@given(dtype=float_dtypes(), shape=st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)), data=st.data())
def test_mm_of_random_matrices(run, dtype: str, shape: tuple[int, int, int], data: st.DataObject) -> None:
    """(n, k).mm((k, m)) is (n, m) and agrees with numpy's matmul, within k roundings of |a| @ |b|."""
    n, k, m = shape
    a = data.draw(matrices(n, k, dtype), label="a")
    b = data.draw(matrices(k, m, dtype), label="b")
    seen = run(probes.mm, a=a, b=b)
    assert_equal(seen["dtype"], dtype, "mm().dtype")
    assert_equal(seen["shape"], (n, m), f"({n}, {k}).mm(({k}, {m})).shape")
    # A dot product may cancel to near zero, so the error is bounded by |a| @ |b|, not by the result itself.
    assert_close(seen["values"], ref.mm(a, b), f"a.mm(b) of {dtype} matrices", dtype=dtype, atol=ref.mm_tolerance(a, b, dtype))


@st.composite
def viewed_operands(draw: st.DrawFn, shape: tuple[int, int], dtype: str) -> tuple[np.ndarray, tuple]:
    """A base matrix and a view spec cutting a (rows, cols) operand from it: offset, steps, maybe transposed."""
    view = draw(matrix_views(), label="view")
    base = draw(matrices(*ref_views.matrix_view_base_shape(shape, view), dtype), label="base")
    return base, view


def check_product_of_views(run, dtype: str, a: np.ndarray, a_view: tuple, b: np.ndarray, b_view: tuple,
                           product: str) -> None:
    """The product of two views agrees with numpy's product of the same views of the same bases."""
    __tracebackhide__ = True
    left, right = ref_views.matrix_view(a, a_view), ref_views.matrix_view(b, b_view)
    seen = run(probes.product_of_views, a=a, b=b, a_view=a_view, b_view=b_view, product=product)
    describe = ref_views.describe_matrix_view
    what = f"{product} with a = base{a.shape}{describe(a_view)}, b = base{b.shape}{describe(b_view)}"
    assert_equal(seen["dtype"], dtype, f"dtype of {what}")
    assert_equal(seen["shape"], (left.shape[0], right.shape[1]), f"shape of {what}")
    assert_close(seen["values"], ref.mm(left, right), what, dtype=dtype, atol=ref.mm_tolerance(left, right, dtype))


#: The views a kernel that ignores offsets or strides gets wrong first: rows from 1, columns from 1, a transpose, every other row.
OPERAND_VIEWS = {"rows-from-1": (1, 1, 0, 1, False), "cols-from-1": (0, 1, 1, 1, False),
                 "transposed": (0, 1, 0, 1, True), "every-other-row": (0, 2, 0, 1, False)}


@behaviour("L1")
@pytest.mark.parametrize("product", list(probes.PRODUCTS))
@pytest.mark.parametrize("view", list(OPERAND_VIEWS))
def test_product_of_a_view_reads_the_view(run, view: str, product: str) -> None:
    """A[1:], A[:, 1:], A.t() and A[::2] as either operand of mm, @ and matmul: their values, not the storage's start."""
    spec, whole = OPERAND_VIEWS[view], (0, 1, 0, 1, False)
    a = np.arange(1.0, 1.0 + 4 * 4).reshape(4, 4) / 4
    rows, cols = ref_views.matrix_view(a, spec).shape
    check_product_of_views(run, "float64", a, spec, np.linspace(-1.0, 1.0, cols * 2).reshape(cols, 2), whole, product)
    check_product_of_views(run, "float64", np.linspace(-1.0, 1.0, 2 * rows).reshape(2, rows), whole, a, spec, product)


@behaviour("L1")
@given(dtype=float_dtypes(), shape=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
       product=st.sampled_from(list(probes.PRODUCTS)), data=st.data())
def test_product_of_views_with_any_offset_and_strides(run, dtype: str, shape: tuple[int, int, int], product: str,
                                                      data: st.DataObject) -> None:
    """Operands cut from larger matrices (storage offset, row and column steps, transposes) multiply as their values do."""
    n, k, m = shape
    a, a_view = data.draw(viewed_operands((n, k), dtype), label="a")
    b, b_view = data.draw(viewed_operands((k, m), dtype), label="b")
    check_product_of_views(run, dtype, a, a_view, b, b_view, product)


@behaviour("L1")
@given(dtype=float_dtypes(), n=st.integers(1, 5), m=st.integers(1, 3), data=st.data())
def test_solve_by_inverse(run, dtype: str, n: int, m: int, data: st.DataObject) -> None:
    """A.inverse().mm(b), the document's way of solving A x = b, agrees with numpy's inv then matmul."""
    a = data.draw(well_conditioned(n, dtype), label="a")
    b = data.draw(matrices(n, m, dtype), label="b")
    seen = run(probes.solve_by_inverse, a=a, b=b)
    assert_equal(seen["shape"], (n, m), "A.inverse().mm(b).shape")
    assert_close(seen["values"], ref.mm(ref.inverse(a), b), f"A.inverse().mm(b) in {dtype}", dtype=dtype,
                 atol=ref.solve_tolerance(a, b, dtype))


@behaviour("L1")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inverse_of_singular_matrix_raises(run, dtype: str) -> None:
    """inverse() of an exactly singular matrix raises, as numpy's inv does (PyTorch documents a RuntimeError)."""
    singular = np.array([[1.0, 2.0], [2.0, 4.0]], dtype=dtype)
    with pytest.raises(np.linalg.LinAlgError):
        ref.inverse(singular)  # the reference agrees there is no inverse
    error = run(probes.inverse_error, a=singular)
    assert_true(error is not None, f"tensor([[1., 2.], [2., 4.]], dtype={dtype}).inverse()", "returned instead of raising")
