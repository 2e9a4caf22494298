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
