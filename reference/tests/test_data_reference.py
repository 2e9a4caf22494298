"""The data reference agrees with PyTorch's documented DataLoader figures and collation rules."""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import data as ref


@pytest.mark.parametrize(("n", "batch_size", "drop_last"), list(ref.ANCHOR_LENGTHS), ids=str)
def test_anchor_lengths(n: int, batch_size: int, drop_last: bool) -> None:
    """100 samples: 50 batches at bs=2, 34 at bs=3, 33 at bs=3 with drop_last (D1)."""
    assert ref.batch_count(n, batch_size, drop_last) == ref.ANCHOR_LENGTHS[(n, batch_size, drop_last)]
    assert len(ref.sequential_batches(n, batch_size, drop_last)) == ref.ANCHOR_LENGTHS[(n, batch_size, drop_last)]


def test_hundred_samples_by_three() -> None:
    """The 34th batch of 100 samples at bs=3 holds sample 99 alone; drop_last ends at 98 (D1)."""
    batches = ref.sequential_batches(100, 3, drop_last=False)
    assert batches[0] == [0, 1, 2] and batches[-1] == [99]
    assert ref.last_batch_size(100, 3, drop_last=False) == 1
    kept = ref.sequential_batches(100, 3, drop_last=True)
    assert kept[-1] == [96, 97, 98] and ref.last_batch_size(100, 3, drop_last=True) == 3


@given(n=st.integers(0, 60), batch_size=st.integers(1, 12), drop_last=st.booleans())
def test_batches_partition_the_order(n: int, batch_size: int, drop_last: bool) -> None:
    """Batches are consecutive, full except maybe the last, and cover all (or all full-batch) indices (D1)."""
    batches = ref.sequential_batches(n, batch_size, drop_last)
    flat = [i for batch in batches for i in batch]
    expected_count = n // batch_size if drop_last else math.ceil(n / batch_size)
    assert len(batches) == expected_count
    assert flat == list(range(len(flat)))
    assert len(flat) == (n - n % batch_size if drop_last else n)
    assert all(size == batch_size for size in ref.batch_sizes(batches[:-1]))
    if batches:
        assert len(batches[-1]) == ref.last_batch_size(n, batch_size, drop_last)


def test_chunk_keeps_a_custom_order() -> None:
    """A sampler's order is cut as it comes, repeats included (D5)."""
    assert ref.chunk([5, 3, 3, 0, 9], 2, drop_last=False) == [[5, 3], [3, 0], [9]]
    assert ref.chunk([5, 3, 3, 0, 9], 2, drop_last=True) == [[5, 3], [3, 0]]


def test_batch_size_must_be_positive() -> None:
    """A batch size below 1 is an error (D1)."""
    with pytest.raises(ValueError):
        ref.batch_count(10, 0, drop_last=False)


def test_permutation_checks() -> None:
    """is_permutation accepts each index once and rejects repeats, gaps and extras (D2)."""
    assert ref.is_permutation([2, 0, 1], 3)
    assert not ref.is_permutation([2, 2, 1], 3)
    assert not ref.is_permutation([0, 1], 3)
    assert ref.covers_distinct_subset([4, 0, 2], 5, 3)
    assert not ref.covers_distinct_subset([4, 4, 2], 5, 3)
    assert not ref.covers_distinct_subset([5, 0, 2], 5, 3)


@pytest.mark.parametrize(
    ("options", "raises"),
    [
        ({}, False),
        ({"num_workers": -1}, True),
        ({"timeout": -1}, True),
        ({"timeout": 5}, False),
        ({"sampler": True}, False),
        ({"sampler": True, "shuffle": True}, True),
        ({"batch_sampler": True}, False),
        ({"batch_sampler": True, "batch_size": 4}, True),
        ({"batch_sampler": True, "batch_size": None}, True),
        ({"batch_sampler": True, "shuffle": True}, True),
        ({"batch_sampler": True, "sampler": True}, True),
        ({"batch_sampler": True, "drop_last": True}, True),
        ({"batch_size": None}, False),
        ({"batch_size": None, "shuffle": True}, False),
        ({"batch_size": None, "drop_last": True}, True),
        ({"batch_size": 4, "drop_last": True, "shuffle": True}, False),
    ],
    ids=lambda value: str(value),
)
def test_argument_rules(options: dict, raises: bool) -> None:
    """The ValueError cases of PyTorch's test_dataloader, and their allowed neighbours (D5, D6)."""
    assert (ref.argument_error(**options) is not None) is raises


def test_signature_of_document_000() -> None:
    """The printed signature: dataset first, 13 parameters, prefetch_factor=2 and persistent_workers keyword-only (D6)."""
    names = [name for name, _ in ref.PRINTED_SIGNATURE]
    assert names[0] == "dataset" and len(names) == 13
    assert names[-2:] == list(ref.KEYWORD_ONLY)
    assert dict(ref.PRINTED_SIGNATURE)["prefetch_factor"] == 2
    assert dict(ref.PRINTED_SIGNATURE)["batch_size"] == 1


def tensor_of(described: tuple) -> tuple[str, np.ndarray]:
    """(dtype, values) of a described tensor."""
    assert described[0] == "tensor", described
    return described[1], described[2]


def test_collate_python_scalars() -> None:
    """int → int64, float → float64, bool → bool (D3)."""
    assert tensor_of(ref.collate([1, 2, 3]))[0] == "int64"
    dtype, values = tensor_of(ref.collate([0.5, 1.25]))
    assert dtype == "float64" and values.tolist() == [0.5, 1.25]
    assert tensor_of(ref.collate([True, False]))[0] == "bool"


def test_collate_numpy_keeps_dtype() -> None:
    """numpy arrays stack keeping their dtype; numpy scalars keep theirs (D3)."""
    dtype, values = tensor_of(ref.collate([np.arange(3, dtype=np.int32), np.arange(3, 6, dtype=np.int32)]))
    assert dtype == "int32" and values.shape == (2, 3) and values[1].tolist() == [3, 4, 5]
    assert tensor_of(ref.collate([np.float32(1.5), np.float32(2)]))[0] == "float32"
    assert tensor_of(ref.collate([np.int16(1), np.int16(2)]))[0] == "int16"
    assert tensor_of(ref.collate([np.bool_(True), np.bool_(False)]))[0] == "bool"
    assert tensor_of(ref.collate([np.float64(1.5), np.float64(2)]))[0] == "float64"  # a float subclass, still numpy


def test_collate_containers() -> None:
    """Tuples → list of columns, dicts → dict by key, a column of strings → their tuple, namedtuples keep their type (D3)."""
    kind, (first, second) = ref.collate([(1, "a"), (2, "b")])
    assert kind == "list"
    assert tensor_of(first)[1].tolist() == [1, 2]
    assert second == ("tuple", (("str", "a"), ("str", "b")))
    kind, items = ref.collate([{"X": 1.0, "y": 0}, {"X": 2.0, "y": 1}])
    assert kind == "dict" and [key for key, _ in items] == ["X", "y"]
    assert tensor_of(items[0][1])[0] == "float64" and tensor_of(items[1][1])[0] == "int64"
    Point = namedtuple("Point", "x y")
    described = ref.collate([Point(1, 2.0), Point(3, 4.0)])
    assert described[:2] == ("namedtuple", "Point")


@pytest.mark.parametrize(
    "samples",
    [[[1, 2], [1, 2, 3]], [np.zeros(2), np.zeros(3)], [np.array(["a"]), np.array(["b"])], [object(), object()], []],
    ids=["ragged-lists", "ragged-arrays", "string-arrays", "objects", "empty"],
)
def test_collate_errors(samples: list) -> None:
    """Ragged sequences, mismatched arrays, string arrays, unknown objects and empty batches raise (D3)."""
    with pytest.raises(ref.CollateError):
        ref.collate(samples)


def test_collate_batches_by_index() -> None:
    """collate_batches collates the samples each index batch names (D1, D3)."""
    out = ref.collate_batches([10, 11, 12], [[2, 0], [1]])
    assert [tensor_of(d)[1].tolist() for d in out] == [[12, 10], [11]]


def test_collated_strings_are_the_batch_as_collation_passed_it() -> None:
    """D3: strings stay as given: a list at the top and under a dict's key, a tuple in a column of tuples (zip)."""
    assert ref.collate(["a", "b"]) == ("list", (("str", "a"), ("str", "b")))
    assert ref.collate([{"k": "a"}, {"k": "b"}]) == ("dict", (("k", ("list", (("str", "a"), ("str", "b")))),))
    assert ref.collate([("a", 1), ("b", 2)])[1][0] == ("tuple", (("str", "a"), ("str", "b")))
