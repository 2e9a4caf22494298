"""V1-V7: views, reshape, squeeze, unsqueeze, transpose and contiguity (document 002).

Each behaviour is checked twice: on the document's own (2, 2, 2) tensor against
the figures it prints, and as a property over shapes, -1 positions and dims
(negative ones included) against the stride model in ``reference.views``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import views as ref
from suite.compare import assert_close, assert_equal, assert_true
from suite.probes import views as probes
from suite.strategies import dims, factorisations, shapes

behaviour = pytest.mark.behaviour


def arange(shape: tuple[int, ...]) -> np.ndarray:
    """The values the probes' fresh tensors hold: 0, 1, 2, ... in row-major order."""
    return np.arange(math.prod(shape), dtype=np.int64).reshape(shape)


def check_printed(seen: dict, key: str) -> None:
    """A result's shape and values equal what document 002 prints for ``key``."""
    __tracebackhide__ = True
    shape, values = ref.PRINTED[key]
    assert_equal(seen[key]["shape"], shape, f"{key} shape")
    assert_close(seen[key]["values"], np.array(values), f"{key} values")


def check_result(seen: dict, expected: np.ndarray, what: str) -> None:
    """A probe's ``{"shape", "values"}`` equal the reference array."""
    __tracebackhide__ = True
    assert_equal(seen["shape"], expected.shape, f"{what} shape")
    assert_close(seen["values"], expected, f"{what} values")


@behaviour("V1")
def test_view_document_example(run) -> None:
    """y.view(-1), view(1, -1), view(2, -1) print as in document 002."""
    seen = run(probes.document_view)
    for key in ("view(-1)", "view(1,-1)", "view(2,-1)"):
        check_printed(seen, key)


@behaviour("V1")
@given(data=st.data(), shape=shapes(max_dims=4))
def test_view_any_shape(run, data: st.DataObject, shape: tuple[int, ...]) -> None:
    """view(new_shape), with at most one -1, holds the values in row-major order."""
    new_shape = data.draw(factorisations(math.prod(shape)), label="new_shape")
    seen = run(probes.view, shape=shape, new_shape=new_shape)
    check_result(seen, ref.reshape_values(arange(shape), new_shape), f"view{new_shape} of shape {shape}")


@behaviour("V1")
@pytest.mark.parametrize(
    "new_shape", [(-1, -1), (3, -1), (5,), (2, 2, 3), (-1, 3)], ids=["two-holes", "3-not-dividing", "5-elements", "12-elements", "3-not-dividing-last"]
)
def test_view_impossible_size_raises(run, new_shape: tuple[int, ...]) -> None:
    """view of a (2, 2, 2) tensor raises for two -1s or a size that does not fit 8 elements."""
    with pytest.raises(ref.ShapeError):
        ref.infer_shape(8, new_shape)  # the reference agrees this shape is impossible
    error = run(probes.view_error, shape=(2, 2, 2), new_shape=new_shape)
    assert_true(error is not None, f"view{new_shape} of a (2, 2, 2) tensor", "returned instead of raising")


@behaviour("V2")
def test_reshape_document_example(run) -> None:
    """y.reshape(2, -1, 1) gives shape (2, 4, 1) with the printed values."""
    check_printed(run(probes.document_reshape), "reshape(2,-1,1)")


@behaviour("V2")
@given(data=st.data(), shape=shapes(max_dims=4))
def test_reshape_any_shape(run, data: st.DataObject, shape: tuple[int, ...]) -> None:
    """reshape(new_shape) of a contiguous tensor holds the values in row-major order."""
    new_shape = data.draw(factorisations(math.prod(shape)), label="new_shape")
    seen = run(probes.reshape, shape=shape, new_shape=new_shape)
    check_result(seen, ref.reshape_values(arange(shape), new_shape), f"reshape{new_shape} of shape {shape}")


@behaviour("V3")
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=4))
def test_view_shares_storage_both_ways(run, data: st.DataObject, shape: tuple[int, ...]) -> None:
    """Writing through a view changes its base, and writing the base changes the view."""
    new_shape = data.draw(factorisations(math.prod(shape)), label="new_shape")
    seen = run(probes.view_shares_storage, shape=shape, new_shape=new_shape)
    after_view_write = arange(shape) + 100
    assert_close(seen["base_after_view_write"], after_view_write, f"base after view{new_shape}.add_(100)")
    expected_view = ref.reshape_values(after_view_write * 2, new_shape)
    assert_close(seen["view_after_base_write"], expected_view, f"view{new_shape} after base.mul_(2)")


@behaviour("V4")
def test_squeeze_document_example(run) -> None:
    """s.squeeze(2) gives (2, 4); s.squeeze(0) and s.squeeze(1) leave (2, 4, 1) as it is."""
    seen = run(probes.document_squeeze)
    for key in ("squeeze(2)", "squeeze(0)", "squeeze(1)"):
        check_printed(seen, key)


@behaviour("V4")
@pytest.mark.parametrize("dim", [0, 1, -2, -3], ids=lambda d: f"dim{d}")
def test_squeeze_noop(run, dim: int) -> None:
    """squeeze(dim) of a dim whose size is not 1 changes nothing (shape (2, 4, 1))."""
    seen = run(probes.squeeze, shape=(2, 4, 1), dim=dim)
    check_result(seen, arange((2, 4, 1)), f"squeeze({dim}) of shape (2, 4, 1)")


@behaviour("V4")
@given(shape=shapes(max_dims=4, max_side=2), data=st.data())
def test_squeeze_any_dim(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """squeeze(dim) drops dim only when its size is 1; squeeze() drops every size-1 dim."""
    dim = data.draw(st.none() | dims(len(shape)), label="dim")
    seen = run(probes.squeeze, shape=shape, dim=dim)
    expected = arange(shape).reshape(ref.squeeze_shape(shape, dim))
    check_result(seen, expected, f"squeeze({'' if dim is None else dim}) of shape {shape}")


@behaviour("V4")
@given(shape=shapes(min_dims=1, max_dims=4, max_side=3), data=st.data())
def test_squeeze_negative_dim_counts_from_the_end(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """squeeze(-k) drops a size-1 dim as squeeze(ndim - k) does: every example squeezes one, by its negative index."""
    place = data.draw(st.integers(0, len(shape) - 1), label="size-1 place")
    shape = (*shape[:place], 1, *shape[place + 1 :])
    dim = place - len(shape)
    seen = run(probes.squeeze, shape=shape, dim=dim)
    expected = arange(shape).reshape(ref.squeeze_shape(shape, dim))
    check_result(seen, expected, f"squeeze({dim}) of shape {shape}")


@behaviour("V4")
@given(shape=shapes(max_dims=3), data=st.data())
def test_squeeze_out_of_range_raises(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """squeeze(dim) with dim outside [-ndim, ndim) raises."""
    span = max(len(shape), 1)
    dim = data.draw(st.integers(span, span + 3) | st.integers(-span - 3, -span - 1), label="dim")
    with pytest.raises(IndexError):
        ref.squeeze_shape(shape, dim)
    error = run(probes.squeeze_error, shape=shape, dim=dim)
    assert_true(error is not None, f"squeeze({dim}) of shape {shape}", "returned instead of raising")


@behaviour("V5")
def test_unsqueeze_document_example(run) -> None:
    """ss.unsqueeze(0), (1), (2) on (2, 4) give (1, 2, 4), (2, 1, 4), (2, 4, 1)."""
    seen = run(probes.document_unsqueeze)
    for key in ("unsqueeze(0)", "unsqueeze(1)", "unsqueeze(2)"):
        check_printed(seen, key)


@behaviour("V5")
@given(shape=shapes(max_dims=4), data=st.data())
def test_unsqueeze_any_dim(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """unsqueeze(dim) inserts a size-1 dim at any of the ndim+1 places, negative dims included."""
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)), label="dim")
    seen = run(probes.unsqueeze, shape=shape, dim=dim)
    check_result(seen, arange(shape).reshape(ref.unsqueeze_shape(shape, dim)), f"unsqueeze({dim}) of shape {shape}")


@behaviour("V5")
@given(shape=shapes(max_dims=3), data=st.data())
def test_unsqueeze_out_of_range_raises(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """unsqueeze(dim) with dim outside [-ndim-1, ndim] raises."""
    n = len(shape)
    dim = data.draw(st.integers(n + 1, n + 4) | st.integers(-n - 5, -n - 2), label="dim")
    with pytest.raises(IndexError):
        ref.unsqueeze_shape(shape, dim)
    error = run(probes.unsqueeze_error, shape=shape, dim=dim)
    assert_true(error is not None, f"unsqueeze({dim}) of shape {shape}", "returned instead of raising")


@behaviour("V6")
def test_transpose_document_example(run) -> None:
    """transpose(1, 2) and transpose(0, 1) print as in 002 and are not contiguous; contiguous() is."""
    seen = run(probes.document_transpose)
    for key, contiguous in ref.PRINTED_CONTIGUOUS.items():
        check_printed(seen, key)
        assert_equal(seen[key]["is_contiguous"], contiguous, f"{key}.is_contiguous()")


@behaviour("V6")
@given(shape=shapes(min_dims=1, max_dims=4), data=st.data())
def test_transpose_any_dims(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """transpose(d0, d1) swaps two dims without copying; contiguity follows the stride model."""
    dim0 = data.draw(dims(len(shape)), label="dim0")
    dim1 = data.draw(dims(len(shape)), label="dim1")
    seen = run(probes.transpose, shape=shape, dim0=dim0, dim1=dim1)
    what = f"transpose({dim0}, {dim1}) of shape {shape}"
    check_result(seen, ref.transpose_values(arange(shape), dim0, dim1), what)
    t_shape, t_strides = ref.transpose_layout(shape, ref.contiguous_strides(shape), dim0, dim1)
    assert_equal(seen["is_contiguous"], ref.is_contiguous(t_shape, t_strides), f"{what}.is_contiguous()")
    assert_close(seen["base_after_write"], arange(shape) + 100, f"the base after {what}.add_(100) (a view shares storage)")


@behaviour("V6")
@given(shape=shapes(min_dims=1, max_dims=4), data=st.data())
def test_contiguous_copies_to_row_major(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """contiguous() of a transposed tensor is row-major with the same values; it copies only when it must."""
    dim0 = data.draw(dims(len(shape)), label="dim0")
    dim1 = data.draw(dims(len(shape)), label="dim1")
    seen = run(probes.contiguous, shape=shape, dim0=dim0, dim1=dim1)
    what = f"transpose({dim0}, {dim1}).contiguous() of shape {shape}"
    check_result(seen, ref.transpose_values(arange(shape), dim0, dim1), what)
    assert_equal(seen["is_contiguous"], True, f"{what}.is_contiguous()")
    t_shape, t_strides = ref.transpose_layout(shape, ref.contiguous_strides(shape), dim0, dim1)
    already = ref.is_contiguous(t_shape, t_strides)
    # PyTorch: "If self is already in the specified memory format, this function returns self."
    expected_base = arange(shape) + 100 if already else arange(shape)
    note = "(already contiguous: returns self)" if already else "(not contiguous: a copy)"
    assert_close(seen["base_after_write"], expected_base, f"the base after writing to {what} {note}")


@behaviour("V7")
def test_view_of_transposed_document_tensor(run) -> None:
    """y.transpose(1, 2).view(-1) raises on the document's tensor; reshape(-1) copies instead."""
    seen = run(probes.view_after_transpose, shape=(2, 2, 2), dim0=1, dim1=2, new_shape=(-1,))
    assert_true(seen["view_error"] is not None, "view(-1) of a (2, 2, 2) tensor transposed (1, 2)", "returned instead of raising")
    check_result(seen["reshape"], arange((2, 2, 2)).transpose(0, 2, 1).reshape(-1), "reshape(-1) of the transposed tensor")


@behaviour("V7")
@given(shape=shapes(min_dims=2, max_dims=4), data=st.data())
def test_view_raises_exactly_when_strides_cannot_express_it(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """On a transposed tensor, view raises exactly when the stride model has no view; reshape always works."""
    dim0 = data.draw(dims(len(shape)), label="dim0")
    dim1 = data.draw(dims(len(shape)), label="dim1")
    new_shape = data.draw(factorisations(math.prod(shape)), label="new_shape")
    t_shape, t_strides = ref.transpose_layout(shape, ref.contiguous_strides(shape), dim0, dim1)
    possible = ref.view_strides(t_shape, t_strides, ref.infer_shape(math.prod(shape), new_shape)) is not None
    seen = run(probes.view_after_transpose, shape=shape, dim0=dim0, dim1=dim1, new_shape=new_shape)
    what = f"transpose({dim0}, {dim1}) of shape {shape}, then view{new_shape}"
    if possible:
        assert_true(seen["view_error"] is None, what, f"raised {seen['view_error']} though the strides can express it")
    else:
        assert_true(seen["view_error"] is not None, what, "returned though no strides can express it (it must raise)")
    expected = ref.reshape_values(ref.transpose_values(arange(shape), dim0, dim1), new_shape)
    check_result(seen["reshape"], expected, f"{what.replace('view', 'reshape')}")
