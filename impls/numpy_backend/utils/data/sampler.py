"""Samplers: which dataset indices an epoch visits, and how they are grouped into batches (D1, D2, D5)."""

from __future__ import annotations

from typing import Any, Generic, Iterable, Iterator, Sequence, Sized, TypeVar

from ._backend import backend

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """The base of samplers: ``__iter__`` yields indices (or lists of indices, for a batch sampler) (D5)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """0, 1, ..., len(data_source) - 1: the order of ``shuffle=False`` (D2)."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _random_indices(n: int, generator: Any) -> list[int]:
    """``randperm(n, generator=...)`` as a list; the default generator when none is given (D2)."""
    T = backend()
    return (T.randperm(n) if generator is None else T.randperm(n, generator=generator)).tolist()


class RandomSampler(Sampler[int]):
    """A new random order every epoch, reproducible from a seeded ``generator`` (``shuffle=True``; D2).

    Without replacement each epoch is a permutation (repeated whole, then cut, when
    ``num_samples`` exceeds the dataset); with replacement indices are drawn uniformly.
    """

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None, generator: Any = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, int) or isinstance(self.num_samples, bool) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        """Indices per epoch: the dataset's length unless given."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.replacement:
            T = backend()
            options = {} if self.generator is None else {"generator": self.generator}
            yield from T.randint(0, n, (self.num_samples,), **options).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from _random_indices(n, self.generator)
        if self.num_samples % n:
            yield from _random_indices(n, self.generator)[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a random order each epoch."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in _random_indices(len(self.indices), self.generator):
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler[list[int]]):
    """Groups a sampler's indices into lists of ``batch_size``; the last may be short unless ``drop_last`` (D1, D5)."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        """ceil(len(sampler) / batch_size), or floor with ``drop_last`` (D1)."""
        full, partial = divmod(len(self.sampler), self.batch_size)  # type: ignore[arg-type]
        return full if self.drop_last or not partial else full + 1
