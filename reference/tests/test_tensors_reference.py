"""The tensors reference reproduces document 002's printed figures and agrees with numpy where numpy has the same rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import tensors as ref

NUMPY_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128")
SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple)


def test_printed_dtypes_and_types_of_documents_tensors() -> None:
    """T1-T3: rand(2,3) as numpy is float64/DoubleTensor, int lists int64/LongTensor, float lists float32/FloatTensor."""
    examples = {"T1": np.random.default_rng(0).random((2, 3)), "T2": ref.DOC_INT_LIST, "T3": ref.DOC_FLOAT_LIST}
    for key, data in examples.items():
        printed = ref.PRINTED_INFO[key]
        dtype = ref.infer_dtype(data)
        shape = ref.infer_shape(data)
        assert dtype == printed["dtype"]
        assert ref.type_string(dtype) == printed["type()"]
        assert shape == printed["shape"] and len(shape) == printed["ndim"] == printed["dim()"]
        assert math.prod(shape) == printed["nelement()"]
    assert ref.PRINTED_INFO["T1"]["size()"] == ref.PRINTED_INFO["T1"]["shape"]


def test_printed_as_tensor_and_elements() -> None:
    """T5, T8: x[-1, -1] = 86 shows as z[-1] = [10, 18, 86]; y[:, 1] = [29, 18]; y[0, 0] = 3, an int."""
    written = ref.DOC_X.copy()
    written[-1, -1] = ref.DOC_WRITTEN
    z = ref.after_numpy_write(ref.DOC_X, written, ref.shares_memory("as_tensor", "cpu"))
    assert z[-1].tolist() == ref.PRINTED_AS_TENSOR["z[-1]"]
    y = ref.after_numpy_write(ref.DOC_X, written, ref.shares_memory("tensor", "cpu"))
    assert y[-1].tolist() == ref.DOC_X[-1].tolist()  # tensor(x) copied before the write
    assert ref.index_values(y, ((None, None, None), 1)).tolist() == ref.PRINTED_ELEMENTS["y[:, 1]"]
    assert ref.index_shape(y.shape, (0, 0)) == ()
    assert ref.index_values(y, (0, 0)).tolist() == ref.PRINTED_ELEMENTS["y[0, 0]"]
    value = ref.item(ref.index_values(y, (0, 0)))
    assert value == ref.PRINTED_ELEMENTS["y[0, 0].item()"] and type(value) is int
    assert ref.item_kind(ref.infer_dtype(ref.DOC_X)) == "int"


def test_printed_initialisers() -> None:
    """T6: rand is float32; zeros_like/ones_like of a (3, 2) tensor and eye(3) are what 002 prints."""
    printed = ref.PRINTED_INITIALISERS
    assert ref.rand_dtype() == printed["p.dtype"]
    p = np.zeros((3, 2), dtype=np.float32)
    assert ref.like(p, 0).tolist() == printed["zeros_like(p)"] and ref.like(p, 0).shape == printed["q.shape"]
    assert ref.like(p, 1).tolist() == printed["ones_like(p)"] and ref.like(p, 1).dtype == np.float32
    assert ref.eye(3).tolist() == printed["eye(3)"]
    assert ref.in_unit_interval(np.array([0.0, 0.5, 0.9999])) and not ref.in_unit_interval(np.array([1.0]))


@pytest.mark.parametrize(
    "data, dtype",
    [([1, 2.5], "float32"), ([True, False], "bool"), ([1, True], "int64"), (1 + 2j, "complex64"), (3, "int64"),
     (np.array([1, 2], dtype=np.int32), "int32"), ([], "float32"), ([[], []], "float32"), ([np.float16(1), 2.5], "float32"),
     ([np.int8(1), np.uint8(2)], "int16"), ([np.complex64(1), np.float64(2)], "complex128"), ([np.float16(1), 3], "float16")],
    ids=repr,
)
def test_documented_literals(data: object, dtype: str) -> None:
    """T4: the literals BEHAVIOURS.md lists, and numpy scalars mixed in, infer PyTorch's dtypes."""
    assert ref.infer_dtype(data) == dtype


def test_default_dtype_changes_float_and_complex_literals() -> None:
    """T4: with the default float64, float literals are float64 and complex literals complex128; ints stay int64."""
    assert ref.infer_dtype([1.5, 2], "float64") == "float64"
    assert ref.infer_dtype(1j, "float64") == "complex128"
    assert ref.infer_dtype([1, 2], "float64") == "int64"
    assert ref.infer_dtype([np.float32(1), 2.0], "float64") == "float64"
    with pytest.raises(ValueError):
        ref.infer_dtype(1.0, "int64")


def test_promotion_agrees_with_numpy_within_a_category() -> None:
    """For every pair: where both share a category, or one is bool, promote_types is numpy's; else the higher category wins."""
    for a in NUMPY_DTYPES:
        for b in NUMPY_DTYPES:
            mine = ref.promote_types(a, b)
            assert mine == ref.promote_types(b, a)
            if ref.category(a) == ref.category(b) or "bool" in (a, b):
                assert mine == np.promote_types(a, b).name, (a, b)
            else:
                high = max(a, b, key=lambda d: ref.CATEGORY_ORDER.index(ref.category(d)))
                widened = ref.category(high) == "complex" and mine == "complex128"  # complex64 meeting float64
                assert mine == high or widened, (a, b)


@given(shape=SHAPES, dtype=st.sampled_from(NUMPY_DTYPES))
def test_numpy_arrays_keep_dtype_and_shape(shape: tuple[int, ...], dtype: str) -> None:
    """T4: an array's dtype and shape pass through unchanged, and so do a numpy scalar's."""
    array = np.zeros(shape, dtype=dtype)
    assert ref.infer_dtype(array) == dtype and ref.infer_shape(array) == shape
    assert ref.infer_dtype(array.reshape(-1)[0]) == dtype
    np.testing.assert_array_equal(ref.expected_values(array), array)


@given(shape=SHAPES, dtypes=st.lists(st.sampled_from(NUMPY_DTYPES[1:]), min_size=1, max_size=6), data=st.data())
def test_nested_numpy_scalars_agree_with_numpy(shape: tuple[int, ...], dtypes: list[str], data: st.DataObject) -> None:
    """Lists of numpy scalars of one category: shape as np.array's, dtype as np.result_type's."""
    kind = ref.category(dtypes[0])
    dtypes = [d for d in dtypes if ref.category(d) == kind]
    flat = [np.dtype(data.draw(st.sampled_from(dtypes))).type(i % 7) for i in range(math.prod(shape))]
    nested = np.array(flat, dtype=object).reshape(shape).tolist() if shape else flat[0]
    assert ref.infer_shape(nested) == np.array(nested).shape
    assert ref.infer_dtype(nested) == np.result_type(*flat).name
    np.testing.assert_array_equal(ref.expected_values(nested), np.array(nested, dtype=np.result_type(*flat)))


def test_ragged_and_unknown_data_raise() -> None:
    """A ragged nested list has no shape; a string is no scalar."""
    with pytest.raises(ValueError):
        ref.infer_shape([[1, 2], [3]])
    with pytest.raises(TypeError):
        ref.infer_dtype(["a"])


@pytest.mark.parametrize("dtype", NUMPY_DTYPES)
def test_item_kind_agrees_with_numpy(dtype: str) -> None:
    """T8: item() gives the Python type that numpy's item() gives for the same dtype."""
    assert ref.item_kind(dtype) == type(np.ones((), dtype=dtype).item()).__name__
    assert type(ref.item(np.ones((1, 1), dtype=dtype))).__name__ == ref.item_kind(dtype)
    with pytest.raises(ValueError):
        ref.item(np.ones(2, dtype=dtype))


def test_type_strings() -> None:
    """T1-T3: legacy type names on the cpu and on cuda."""
    assert ref.type_string("float32") == "torch.FloatTensor"
    assert ref.type_string("int32") == "torch.IntTensor"
    assert ref.type_string("bool") == "torch.BoolTensor"
    assert ref.type_string("float64", "cuda:0") == "torch.cuda.DoubleTensor"
    assert ref.type_string("int64", "cuda") == "torch.cuda.LongTensor"


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_memory_sharing_rules(device: str) -> None:
    """T5: tensor copies; from_numpy shares (on the cpu); as_tensor shares on the cpu with the same dtype only."""
    on_cpu = device == "cpu"
    assert not ref.shares_memory("tensor", device)
    assert ref.shares_memory("from_numpy", device)
    assert ref.result_device("from_numpy", device) == "cpu"
    assert ref.shares_memory("as_tensor", device) is on_cpu
    assert not ref.shares_memory("as_tensor", device, dtype_changes=True)
    assert ref.shares_memory("from_numpy().to(device)", device) is on_cpu


@pytest.mark.parametrize("name", list(ref.INPLACE_ARITY))
def test_inplace_names_and_results(name: str) -> None:
    """T7: every in-place method ends in _, keeps the dtype, and computes what numpy's operator does."""
    assert ref.is_inplace_name(name) and not ref.is_inplace_name(name[:-1]) and not ref.is_inplace_name("__add__")
    values = np.array([[-2.0, 0.5], [3.0, -0.25]], dtype=np.float32)
    args = (1.5,) * ref.INPLACE_ARITY[name]
    numpy_op = {"zero_": lambda v: v * 0, "fill_": lambda v: v * 0 + 1.5, "add_": lambda v: v + 1.5, "sub_": lambda v: v - 1.5,
                "mul_": lambda v: v * 1.5, "neg_": np.negative, "abs_": np.abs, "clamp_": lambda v: np.clip(v, 1.5, None)}
    got = ref.apply_inplace(name, values, args)
    assert got.dtype == values.dtype
    np.testing.assert_array_equal(got, numpy_op[name](values).astype(np.float32))


@given(shape=SHAPES, data=st.data())
def test_index_shape_agrees_with_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    """T8: the shape of basic indexing (ints, positive-step slices, an ellipsis) is numpy's."""
    def entry(size: int) -> object:
        bound = st.none() | st.integers(-5, 5)
        return data.draw(st.integers(-size, size - 1) | st.tuples(bound, bound, st.none() | st.integers(1, 3)))

    head = data.draw(st.integers(0, len(shape)))
    spec: list[object] = [entry(size) for size in shape[:head]]
    if data.draw(st.booleans()):  # an ellipsis, then entries for the trailing dims
        tail = data.draw(st.integers(0, len(shape) - head))
        spec += ["..."] + [entry(size) for size in shape[len(shape) - tail :]]
    values = np.arange(math.prod(shape)).reshape(shape)
    assert ref.index_shape(shape, spec) == values[ref.index_key(spec)].shape
    np.testing.assert_array_equal(ref.index_values(values, spec), values[ref.index_key(spec)])


def test_index_errors_and_description() -> None:
    """T8: out-of-range ints and too many indices raise IndexError; the description reads as typed."""
    with pytest.raises(IndexError):
        ref.index_shape((2, 3), (2,))
    with pytest.raises(IndexError):
        ref.index_shape((2,), (0, 0))
    assert ref.describe_index(((None, None, None), 1)) == "[:, 1]"
    assert ref.describe_index((0, (1, None, 2), "...")) == "[0, 1::2, ...]"


@pytest.mark.parametrize("n, m", [(1, None), (3, None), (2, 4), (4, 2)])
def test_eye_agrees_with_numpy(n: int, m: int | None) -> None:
    """T6: eye(n, m) is numpy's eye."""
    np.testing.assert_array_equal(ref.eye(n, m), np.eye(n, m, dtype=np.float32))
