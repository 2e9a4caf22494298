"""The views reference reproduces document 002's printed tensors and PyTorch's stride rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import views as ref

SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple)


def test_printed_views_of_document_tensor() -> None:
    """view(-1), view(1,-1), view(2,-1) and reshape(2,-1,1) of DOC_Y are what 002 prints."""
    for key, request in [("view(-1)", (-1,)), ("view(1,-1)", (1, -1)), ("view(2,-1)", (2, -1)), ("reshape(2,-1,1)", (2, -1, 1))]:
        shape, values = ref.PRINTED[key]
        got = ref.reshape_values(ref.DOC_Y, request)
        assert got.shape == shape
        assert got.tolist() == values


def test_printed_squeeze_and_unsqueeze() -> None:
    """squeeze(2) of s gives (2,4); squeeze(0), squeeze(1) leave s; unsqueeze(0/1/2) as printed."""
    s = ref.reshape_values(ref.DOC_Y, (2, -1, 1))
    for dim in (0, 1, 2):
        shape, values = ref.PRINTED[f"squeeze({dim})"]
        assert ref.squeeze_shape(s.shape, dim) == shape
        assert s.reshape(shape).tolist() == values
    ss = s.reshape(2, 4)
    for dim in (0, 1, 2):
        shape, values = ref.PRINTED[f"unsqueeze({dim})"]
        assert ref.unsqueeze_shape(ss.shape, dim) == shape
        assert ss.reshape(shape).tolist() == values


def test_printed_transposes_and_contiguity() -> None:
    """transpose(1,2) and (0,1) hold the printed values and are not contiguous; contiguous() is."""
    strides = ref.contiguous_strides(ref.DOC_Y.shape)
    assert strides == (4, 2, 1)
    for key, dims in [("transpose(1,2)", (1, 2)), ("transpose(0,1)", (0, 1))]:
        shape, values = ref.PRINTED[key]
        assert ref.transpose_values(ref.DOC_Y, *dims).tolist() == values
        t_shape, t_strides = ref.transpose_layout(ref.DOC_Y.shape, strides, *dims)
        assert t_shape == shape
        assert ref.is_contiguous(t_shape, t_strides) is ref.PRINTED_CONTIGUOUS[key]
    assert ref.PRINTED["contiguous()"] == ref.PRINTED["transpose(1,2)"]
    assert ref.is_contiguous((2, 2, 2), ref.contiguous_strides((2, 2, 2))) is ref.PRINTED_CONTIGUOUS["contiguous()"]


@pytest.mark.parametrize("request_", [(-1, -1), (3, -1), (5,), (-1, 3), (-2, 4)], ids=str)
def test_impossible_shapes_raise(request_: tuple[int, ...]) -> None:
    """Two -1s, a size that does not divide, a wrong element count, or a size below -1 are errors (V1)."""
    with pytest.raises(ref.ShapeError):
        ref.infer_shape(8, request_)


def test_view_of_transposed_document_tensor_is_impossible() -> None:
    """V7: transpose(1,2) of DOC_Y has no view as (8,) or (2, 4), but has one as (2, 2, 2)."""
    t_shape, t_strides = ref.transpose_layout((2, 2, 2), (4, 2, 1), 1, 2)
    assert ref.view_strides(t_shape, t_strides, (8,)) is None
    assert ref.view_strides(t_shape, t_strides, (2, 4)) is None
    assert ref.view_strides(t_shape, t_strides, (2, 2, 2)) == (4, 1, 2)
    # Splitting the untouched leading dim is fine: (2, ...) -> (1, 2, ...)
    assert ref.view_strides(t_shape, t_strides, (1, 2, 2, 2)) is not None


@given(shape=SHAPES, data=st.data())
def test_view_strides_of_contiguous_is_contiguous(shape: tuple[int, ...], data: st.DataObject) -> None:
    """Any reshape of a contiguous tensor is a view, with row-major strides (size-1 dims aside)."""
    numel = math.prod(shape)
    new_shape = data.draw(st.sampled_from([(numel,), (1, numel), (numel, 1)]))
    strides = ref.view_strides(shape, ref.contiguous_strides(shape), new_shape)
    assert strides is not None
    assert ref.is_contiguous(new_shape, strides)


@given(shape=SHAPES.filter(lambda s: len(s) >= 2), data=st.data())
def test_view_strides_address_the_same_elements(shape: tuple[int, ...], data: st.DataObject) -> None:
    """Where view_strides gives strides, they address the elements a row-major reshape would (checked with numpy)."""
    d0, d1 = data.draw(st.integers(0, len(shape) - 1)), data.draw(st.integers(0, len(shape) - 1))
    base = np.arange(math.prod(shape))
    t_shape, t_strides = ref.transpose_layout(shape, ref.contiguous_strides(shape), d0, d1)
    transposed = np.lib.stride_tricks.as_strided(base, t_shape, [s * base.itemsize for s in t_strides])
    numel = math.prod(shape)
    new_shape = data.draw(st.sampled_from([(numel,), t_shape[::-1], (t_shape[0], -1)]))
    new_shape = ref.infer_shape(numel, new_shape)
    strides = ref.view_strides(t_shape, t_strides, new_shape)
    if strides is not None:
        viewed = np.lib.stride_tricks.as_strided(base, new_shape, [s * base.itemsize for s in strides])
        np.testing.assert_array_equal(viewed, np.reshape(transposed, new_shape))


@given(shape=SHAPES, data=st.data())
def test_unsqueeze_then_squeeze_round_trips(shape: tuple[int, ...], data: st.DataObject) -> None:
    """squeeze(d) undoes unsqueeze(d) for every d in [-ndim-1, ndim] (V4, V5)."""
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    grown = ref.unsqueeze_shape(shape, dim)
    assert len(grown) == len(shape) + 1
    assert ref.squeeze_shape(grown, dim) == shape


def test_dim_ranges() -> None:
    """Dims out of range raise IndexError; 0-dim tensors accept -1 and 0 (V4, V5)."""
    with pytest.raises(IndexError):
        ref.squeeze_shape((2, 3), 2)
    with pytest.raises(IndexError):
        ref.unsqueeze_shape((2, 3), 3 + 1)
    assert ref.squeeze_shape((), 0) == () and ref.squeeze_shape((), -1) == ()
    assert ref.unsqueeze_shape((), -1) == (1,)
