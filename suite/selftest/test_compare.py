"""The comparison helpers fail exactly when they should, with messages that show expected and actual."""

from __future__ import annotations

import numpy as np
import pytest

from suite.compare import ConformanceFailure, assert_close, assert_equal, assert_true, tolerance


def test_tolerances_follow_torch_testing() -> None:
    """float32 1.3e-6/1e-5, float64 1e-7/1e-7, integers and bool exact (torch.testing.assert_close)."""
    assert tolerance("float32") == (1.3e-6, 1e-5)
    assert tolerance("float64") == (1e-7, 1e-7)
    assert tolerance("float16") == (1e-3, 1e-5)
    assert tolerance("int64") == (0.0, 0.0) and tolerance("bool") == (0.0, 0.0)


@pytest.mark.parametrize(
    ("actual", "expected", "dtype"),
    [
        (np.float32(1.0 + 1e-6), 1.0, "float32"),
        (np.array([1e-6, 2.0]), np.array([0.0, 2.0]), "float32"),
        (np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), "float64"),
        (np.array([3, 4]), np.array([3, 4]), "int64"),
        (np.array([np.inf, -np.inf]), np.array([np.inf, -np.inf]), "float32"),
    ],
    ids=["float32-rtol", "float32-atol", "nan-equals-nan", "ints-exact", "infinities"],
)
def test_close_values_pass(actual: object, expected: object, dtype: str) -> None:
    """Values within the dtype's tolerance pass."""
    assert_close(actual, expected, "x", dtype=dtype)


@pytest.mark.parametrize(
    ("actual", "expected", "dtype", "fragment"),
    [
        (np.float32(1.001), 1.0, "float32", "largest difference 0.001"),
        (np.array([1.0 + 1e-6]), np.array([1.0]), "float64", "1 of 1 values differ"),
        (np.array([3, 5]), np.array([3, 4]), "int64", "at index (1,)"),
        (np.array([np.nan]), np.array([1.0]), "float64", "values differ"),
        (np.array([np.inf]), np.array([-np.inf]), "float32", "values differ"),
        (np.zeros((2, 3)), np.zeros((3, 2)), None, "(shape)"),
        (None, np.zeros(2), None, "expected"),
    ],
    ids=["float32-too-far", "float64-strict", "ints-exact", "nan-vs-number", "opposite-infinities", "shape", "none"],
)
def test_differences_fail_with_a_useful_message(actual: object, expected: object, dtype: str | None, fragment: str) -> None:
    """Outside the tolerance, a ConformanceFailure names what differs and where."""
    with pytest.raises(ConformanceFailure) as info:
        assert_close(actual, expected, "x.grad", dtype=dtype)
    message = str(info.value)
    assert message.startswith("x.grad") and fragment in message and "but got" in message


@pytest.mark.parametrize(
    ("actual", "expected"),
    [((2, 3), (3, 2)), ("float64", "float32"), (1.0, 1), (True, 1), (None, 0), ([1, 2], (1, 2))],
    ids=["shape", "dtype-name", "float-for-int", "bool-for-int", "none-for-zero", "list-for-tuple"],
)
def test_assert_equal_is_exact_about_value_and_kind(actual: object, expected: object) -> None:
    """assert_equal fails on a different value, and on a different kind of value (item() returning a float)."""
    with pytest.raises(ConformanceFailure):
        assert_equal(actual, expected, "x")


def test_assert_equal_passes_on_equal_values() -> None:
    """Equal plain values pass, ints and numpy ints alike."""
    assert_equal((2, 3), (2, 3), "shape")
    assert_equal(np.int64(3), 3, "item")
    assert_equal("AddBackward0", "AddBackward0", "grad_fn")


def test_assert_true() -> None:
    """assert_true fails with its explanation."""
    assert_true(True, "fine")
    with pytest.raises(ConformanceFailure, match="view raised: returned instead"):
        assert_true(False, "view raised", "returned instead")


def test_per_element_tolerances() -> None:
    """Array tolerances bound each element separately, and the message gives the bound that was broken."""
    assert_close(np.array([1.0, 10.5]), np.array([1.0, 10.0]), "x", atol=np.array([0.0, 1.0]), rtol=0.0)
    with pytest.raises(ConformanceFailure, match=r"allowed 0\.1 = atol"):
        assert_close(np.array([1.5, 10.0]), np.array([1.0, 10.0]), "x", atol=np.array([0.1, 1.0]), rtol=0.0)
