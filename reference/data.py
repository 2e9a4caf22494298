"""D1-D6: what a DataLoader yields, described without any tensor library.

A loader is an order of dataset indices cut into batches (D1, D5), the order
being the identity, a permutation (D2) or whatever a sampler yields; each batch
of samples is then collated (D3) into a structure that is described here as
plain data: ``("tensor", dtype, values)``, ``("list", children)``,
``("tuple", children)``, ``("dict", ((key, child), ...))``, ``("str", text)``
and the like. Where the documents are silent (the exact collation rules, which
argument combinations are errors) PyTorch's documented behaviour is the rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

#: Document 000's DataLoader signature, in order: (name, default); ``dataset`` has none (D6).
PRINTED_SIGNATURE: tuple[tuple[str, Any], ...] = (
    ("dataset", None),
    ("batch_size", 1),
    ("shuffle", False),
    ("sampler", None),
    ("batch_sampler", None),
    ("num_workers", 0),
    ("collate_fn", None),
    ("pin_memory", False),
    ("drop_last", False),
    ("timeout", 0),
    ("worker_init_fn", None),
    ("prefetch_factor", 2),
    ("persistent_workers", False),
)

#: The parameters document 000 lists after ``*`` (keyword-only) (D6).
KEYWORD_ONLY: tuple[str, ...] = ("prefetch_factor", "persistent_workers")

#: PyTorch's test_dataloader figures: (N, batch_size, drop_last) -> len(loader) (D1).
ANCHOR_LENGTHS: dict[tuple[int, int, bool], int] = {
    (100, 2, False): 50,
    (100, 3, False): 34,
    (100, 2, True): 50,
    (100, 3, True): 33,
}

Described = tuple[Any, ...]


class CollateError(TypeError):
    """Samples that default collation cannot batch: ragged sequences, mismatched shapes, unknown types (D3)."""


# --------------------------------------------------------------------------- batching (D1, D2, D5)


def batch_count(n: int, batch_size: int, drop_last: bool) -> int:
    """Batches in one epoch over ``n`` indices: ceil(n/B), or floor(n/B) with ``drop_last`` (D1)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    return n // batch_size if drop_last else math.ceil(n / batch_size)


def last_batch_size(n: int, batch_size: int, drop_last: bool) -> int:
    """Samples in the last batch: n mod B when it is partial and kept, else B (0 when there is none) (D1)."""
    if batch_count(n, batch_size, drop_last) == 0:
        return 0
    partial = n % batch_size
    return partial if partial and not drop_last else batch_size


def chunk(order: Sequence[int], batch_size: int, drop_last: bool) -> list[list[int]]:
    """An order of indices cut into consecutive batches of ``batch_size`` (BatchSampler; D1, D5)."""
    count = batch_count(len(order), batch_size, drop_last)
    return [list(order[i * batch_size : (i + 1) * batch_size]) for i in range(count)]


def sequential_batches(n: int, batch_size: int, drop_last: bool) -> list[list[int]]:
    """The index batches of ``shuffle=False`` over a dataset of ``n`` samples (D1, D2)."""
    return chunk(range(n), batch_size, drop_last)


def is_permutation(order: Sequence[int], n: int) -> bool:
    """True when ``order`` holds each of 0..n-1 exactly once (D2)."""
    return len(order) == n and sorted(int(i) for i in order) == list(range(n))


def covers_distinct_subset(order: Sequence[int], n: int, size: int) -> bool:
    """True when ``order`` holds ``size`` distinct indices of 0..n-1 (a shuffled epoch with ``drop_last``; D2)."""
    values = [int(i) for i in order]
    return len(values) == size and len(set(values)) == size and all(0 <= i < n for i in values)


def batch_sizes(batches: Sequence[Sequence[int]]) -> list[int]:
    """How many indices each batch holds (D1, D5)."""
    return [len(batch) for batch in batches]


# --------------------------------------------------------------------------- argument rules (D5, D6)


def argument_error(
    *,
    batch_size: int | None = 1,
    shuffle: bool = False,
    sampler: bool = False,
    batch_sampler: bool = False,
    drop_last: bool = False,
    num_workers: int = 0,
    timeout: float = 0,
) -> str | None:
    """Why ``DataLoader(...)`` must raise ValueError for these options, or None when it must accept them.

    ``sampler`` and ``batch_sampler`` say whether one is given. PyTorch's rules (D5, D6):
    num_workers < 0; timeout < 0; a sampler with shuffle; a batch_sampler with a batch_size
    other than the default 1, with shuffle, with a sampler or with drop_last;
    batch_size=None with drop_last.
    """
    if num_workers < 0:
        return "num_workers must be non-negative"
    if timeout < 0:
        return "timeout must be non-negative"
    if sampler and shuffle:
        return "sampler is mutually exclusive with shuffle"
    if batch_sampler and (batch_size != 1 or shuffle or sampler or drop_last):
        return "batch_sampler is mutually exclusive with batch_size, shuffle, sampler and drop_last"
    if batch_size is None and drop_last:
        return "batch_size=None (no auto-collation) is mutually exclusive with drop_last"
    return None


# --------------------------------------------------------------------------- default collation (D3)

_NUMPY_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128")


def _dtype_name(dtype: np.dtype) -> str:
    """The torch-style dtype name of a numpy dtype that tensors can hold; CollateError otherwise."""
    name = np.dtype(dtype).name
    if name not in _NUMPY_DTYPES:
        raise CollateError(f"default collation cannot make a tensor of numpy dtype {name}")
    return name


def _tensor(values: np.ndarray) -> Described:
    """A batched tensor, described."""
    return ("tensor", _dtype_name(values.dtype), values)


def _python_numbers_dtype(values: Sequence[Any]) -> str:
    """The dtype ``tensor(values)`` infers for Python numbers: float32 if any float, int64 if any int, else bool."""
    if any(isinstance(v, float) for v in values):
        return "float32"
    if any(not isinstance(v, bool) for v in values):
        return "int64"
    return "bool"


def _stack(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Stack equal-shaped arrays along a new first dim; CollateError when shapes differ."""
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise CollateError(f"stack expects each array to be equal size, got shapes {sorted(shapes)}")
    return np.stack(arrays)


def collate(samples: Sequence[Any]) -> Described:
    """What default collation makes of a batch of samples, described as plain data (D3).

    The first sample's type decides, as in PyTorch's ``default_collate``:
    numpy array → stacked tensor keeping its dtype (string/object dtypes raise);
    numpy scalar → tensor keeping its dtype; Python float → float64 tensor;
    Python int or bool → ``tensor(batch)`` (int64, bool for all-bool);
    str/bytes → the batch itself, unchanged: the list the DataLoader (or a
    dict's values) gave, but the *tuple* a column of sequences is, since
    columns come from ``zip(*samples)``; Mapping → dict of collated values;
    namedtuple → the same namedtuple; tuple → **list** of collated columns;
    other sequences → list (all of one length, else CollateError).
    """
    if not samples:
        raise CollateError("cannot collate an empty batch")
    first = samples[0]
    if isinstance(first, np.ndarray):
        if first.dtype.kind in "SUaO":
            raise CollateError(f"default collation cannot make a tensor of numpy dtype {first.dtype}")
        return _tensor(_stack([np.asarray(s) for s in samples]))
    if isinstance(first, np.generic):
        return _tensor(np.asarray(samples, dtype=first.dtype))
    if isinstance(first, float):
        return _tensor(np.asarray(samples, dtype=np.float64))
    if isinstance(first, int):
        return _tensor(np.asarray(samples, dtype=_python_numbers_dtype(samples)))
    if isinstance(first, (str, bytes)):
        return ("tuple" if isinstance(samples, tuple) else "list", tuple((type(s).__name__, s) for s in samples))
    if isinstance(first, Mapping):
        return ("dict", tuple((key, collate([s[key] for s in samples])) for key in first))
    if isinstance(first, Sequence):
        if len({len(s) for s in samples}) != 1:
            raise CollateError("each element in list of batch should be of equal size")
        columns = tuple(collate(column) for column in zip(*samples))  # each column a tuple, as in PyTorch
        if isinstance(first, tuple) and hasattr(first, "_fields"):
            return ("namedtuple", type(first).__name__, columns)
        return ("list", columns)
    raise CollateError(f"default collation found an unsupported type {type(first).__name__}")


def collate_batches(samples: Sequence[Any], batches: Sequence[Sequence[int]]) -> list[Described]:
    """The collated description of every batch, each batch given as indices into ``samples`` (D1, D3)."""
    return [collate([samples[i] for i in batch]) for batch in batches]
