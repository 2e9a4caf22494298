"""Datasets: ``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset`` and ``random_split`` (D1).

A map-style dataset is anything with ``__getitem__`` (and usually ``__len__``);
``Dataset`` is the base class the documents subclass (000, 003).
"""

from __future__ import annotations

import bisect
import math
from itertools import accumulate
from typing import Any, Generic, Iterable, Sequence, TypeVar

from ._backend import backend

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """The base of map-style datasets: subclasses define ``__getitem__`` and ``__len__`` (D1)."""

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset[T_co]") -> "ConcatDataset[T_co]":
        return ConcatDataset([self, other])


class TensorDataset(Dataset[tuple[Any, ...]]):
    """Samples are slices of tensors along their first dimension: ``dataset[i] == tuple(t[i] for t in tensors)`` (D1, D3)."""

    def __init__(self, *tensors: Any) -> None:
        if any(int(t.shape[0]) != int(tensors[0].shape[0]) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> T_co:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: list[int]) -> list[T_co]:
        """A batch of samples at once, through the dataset's own ``__getitems__`` where it has one."""
        wrapped = [self.indices[i] for i in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(wrapped)
        return [self.dataset[i] for i in wrapped]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Datasets one after another: indices run through the first, then the second, ..."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes = list(accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> T_co:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def _lengths_from_fractions(total: int, fractions: Sequence[float]) -> list[int]:
    """Split sizes for fractions that sum to 1: floors, then the remainder one by one round-robin."""
    if any(not 0 <= f <= 1 for f in fractions):
        raise ValueError(f"Fraction at every index should be between 0 and 1, got {list(fractions)}")
    lengths = [int(math.floor(total * f)) for f in fractions]
    for i in range(total - sum(lengths)):
        lengths[i % len(lengths)] += 1
    return lengths


def random_split(dataset: Any, lengths: Sequence[float], generator: Any = None) -> list[Subset]:
    """Split into non-overlapping Subsets of the given lengths (or fractions summing to 1), by a random permutation."""
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(n, lengths)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    T = backend()
    order = (T.randperm(n) if generator is None else T.randperm(n, generator=generator)).tolist()
    return [Subset(dataset, order[end - int(length) : end]) for end, length in zip(accumulate(int(x) for x in lengths), lengths)]
