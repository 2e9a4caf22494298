"""The codec carries plain data across the process boundary and refuses everything else."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from suite import codec

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.complex_numbers() | st.text() | st.binary()
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3),
    max_leaves=10,
)


def same(a: object, b: object) -> bool:
    """Equality that treats NaN as equal to NaN and compares types too."""
    if isinstance(a, float) and isinstance(b, float):
        return (a != a and b != b) or a == b
    if isinstance(a, complex) and isinstance(b, complex):
        return same(a.real, b.real) and same(a.imag, b.imag)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@given(PLAIN)
def test_plain_values_round_trip(value: object) -> None:
    """Every plain value comes back equal and of the same type (tuples stay tuples)."""
    assert same(codec.roundtrip(value), value)


@given(hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)))
def test_arrays_round_trip_with_dtype_and_shape(array: np.ndarray) -> None:
    """numpy arrays keep dtype, shape and values (NaN included)."""
    back = codec.roundtrip(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("array", [
    np.arange(12.0).reshape(3, 4).T,  # a transposed view: Fortran order
    np.arange(24, dtype=">i4").reshape(2, 3, 4)[:, ::2, 1:],  # big-endian and strided
    np.zeros((2, 0, 3), dtype=np.complex64),
    np.array([(1, 2.0)], dtype=[("a", "<i2"), ("b", "<f8")]),  # structured: the np.save form
], ids=["fortran-order", "big-endian-strided", "empty", "structured"])
def test_views_and_unusual_dtypes_round_trip(array: np.ndarray) -> None:
    """Non-contiguous, big-endian, empty and structured arrays come back equal, with their dtype and shape."""
    back = codec.roundtrip(array)
    assert back.dtype == array.dtype and back.shape == array.shape and back.flags.writeable
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("body, message", [
    (["|O", [1], "AAAAAAAAAAA="], "cannot cross"),
    (["(2,)<f8", [1], "A" * 24], "cannot cross"),
    (["<f8", [2], "AAAAAAAAAAA="], "do not fill"),
    (["no such dtype", [1], ""], "no dtype"),
    (["<f8", [-1], ""], "is \\[dtype, shape, bytes\\]"),
    (["<f8", [1]], "is \\[dtype, shape, bytes\\]"),
    (["<f8", [0, 10**20], ""], "an array of shape"),
    (["<f8", [0] * 100, ""], "an array of shape"),
], ids=["object", "subarray", "short", "unknown-dtype", "negative-shape", "two-fields", "huge-empty-dim", "100-dims"])
def test_a_forged_array_is_refused(body: list, message: str) -> None:
    """An array message whose dtype holds objects, or whose bytes do not fit its shape, is refused, never built."""
    with pytest.raises(codec.CodecError, match=message):
        codec.loads(json.dumps({"__array__": body}).encode())


@pytest.mark.parametrize("scalar", [np.int32(7), np.float64(0.5), np.complex128(1j), np.bool_(True), np.float32(2)],
                         ids=lambda v: type(v).__name__)
def test_numpy_scalars_keep_their_dtype(scalar: np.generic) -> None:
    """A numpy scalar comes back as a numpy scalar of the same dtype (np.float64 is not sent as a float)."""
    back = codec.roundtrip(scalar)
    assert type(back) is type(scalar) and back == scalar


@pytest.mark.parametrize("value", [object(), np.array([object()]), {1, 2}, lambda: 0], ids=["object", "object-array", "set", "function"])
def test_non_plain_values_are_refused(value: object) -> None:
    """Objects, object arrays, sets and functions cannot cross."""
    with pytest.raises(codec.CodecError):
        codec.dumps(value)


def test_decoding_never_unpickles() -> None:
    """A pickle, or an array saved with pickled objects, is rejected rather than executed."""
    with pytest.raises((codec.CodecError, ValueError, UnicodeDecodeError)):
        codec.loads(pickle.dumps(print))
    import base64
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    forged = json.dumps({"__ndarray__": base64.b64encode(buffer.getvalue()).decode()}).encode()
    with pytest.raises(ValueError, match="allow_pickle"):
        codec.loads(forged)
    with pytest.raises(codec.CodecError):
        codec.loads(b'{"__reduce__": 1}')
