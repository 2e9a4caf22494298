"""Probes for D1-D6: Dataset, DataLoader, samplers, collation and worker processes (documents 000, 003, 004).

Every batch a loader yields is returned *described* as plain data, in the
forms of ``reference.data``: ``("tensor", dtype, values)``, ``("list", children)``,
``("tuple", children)``, ``("dict", ((key, child), ...))``, ``("str", text)``,
``("int", value)`` ... so a test can compare the structure with the reference.

Datasets that worker processes load are defined at module level and return
only plain Python and numpy values (default collation turns them into the
backend's tensors), so they pickle whatever start method a backend uses.
Datasets and samplers that subclass the backend's classes, as the documents
write them, are defined inside the probe that uses them (no workers there).
"""

from __future__ import annotations

import functools
import gc
import os
import tempfile
from collections import namedtuple
from typing import Any, Iterator, Sequence

import numpy as np

from suite.probes import dtype_name, python_kind, raised, read, shape_of, tensor

#: A sample type whose collation must keep its type (PyTorch's default_collate rule for namedtuples).
Point = namedtuple("Point", "x y")

# Set in a worker process by ``record_worker_init``; a fresh worker starts from these values.
_INIT_CALLS = 0
_INIT_WORKER_ID = -1


# --------------------------------------------------------------------------- datasets for worker processes


class Samples:
    """A map-style dataset over a list of plain samples: ``dataset[i]`` is ``samples[i]``."""

    def __init__(self, samples: Sequence[Any]) -> None:
        self.samples = list(samples)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> Any:
        return self.samples[index]


class WorkerSeen:
    """``dataset[i]`` is ``(i, init calls seen in this process, worker id the init saw)``."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> tuple[int, int, int]:
        return index, _INIT_CALLS, _INIT_WORKER_ID


class FailsAt:
    """``dataset[i]`` is ``i``, except that index ``bad`` raises ValueError."""

    def __init__(self, n: int, bad: int) -> None:
        self.n, self.bad = n, bad

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> int:
        if index == self.bad:
            raise ValueError(f"sample {index} is broken")
        return index


def record_worker_init(directory: str, worker_id: int) -> None:
    """A worker_init_fn: count the call in this process and leave a file ``<worker_id>-<pid>`` in ``directory``."""
    global _INIT_CALLS, _INIT_WORKER_ID
    _INIT_CALLS += 1
    _INIT_WORKER_ID = worker_id
    with open(os.path.join(directory, f"{worker_id}-{os.getpid()}-{_INIT_CALLS}"), "x"):
        pass


def received(samples: Any) -> dict[str, Any]:
    """A collate_fn that returns what it was given: the container's type name and its samples."""
    return {"type": type(samples).__name__, "samples": list(samples)}


# --------------------------------------------------------------------------- describing what a loader yields


def describe(T: Any, value: Any) -> Any:
    """A batch (or anything in it) as plain data, in the forms of ``reference.data``."""
    if isinstance(value, (np.ndarray, np.generic)):
        return ("numpy", str(value.dtype), np.asarray(value))
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        return ("tensor", dtype_name(T, value.dtype), read(value))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return ("namedtuple", type(value).__name__, tuple(describe(T, v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((key, describe(T, v)) for key, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(describe(T, v) for v in value))
    if isinstance(value, (str, bytes)):
        return (type(value).__name__, value)
    if isinstance(value, (bool, int, float, complex)):
        return (python_kind(value), value)
    return ("object", type(value).__name__)


def _epoch(T: Any, loader: Any) -> list[Any]:
    """One pass over a loader, every batch described."""
    return [describe(T, batch) for batch in loader]


def _index_epoch(loader: Any) -> list[np.ndarray]:
    """One pass over a loader of index samples: each batch's values."""
    return [read(batch) for batch in loader]


# --------------------------------------------------------------------------- D1, D2: batching and shuffling


def _numbers_dataset(T: Any, n: int) -> Any:
    """A ``Dataset`` subclass as the documents write one: ``dataset[i]`` is ``i``."""

    class Numbers(T.utils.data.Dataset):
        def __init__(self, n: int) -> None:
            self.n = n

        def __len__(self) -> int:
            return self.n

        def __getitem__(self, index: int) -> int:
            return index

    return Numbers(n)


def batches(T: Any, device: str, n: int, batch_size: int, drop_last: bool, epochs: int = 1) -> dict[str, Any]:
    """``DataLoader(Numbers(n), batch_size=..., drop_last=...)``: ``len(loader)`` and each epoch's batches."""
    loader = T.utils.data.DataLoader(_numbers_dataset(T, n), batch_size=batch_size, drop_last=drop_last)
    return {"len": len(loader), "epochs": [_index_epoch(loader) for _ in range(epochs)]}


def shuffled_epochs(
    T: Any, device: str, n: int, batch_size: int, drop_last: bool, seed: int | None, num_workers: int = 0
) -> dict[str, Any]:
    """Two epochs of ``shuffle=True`` seeded by ``generator`` (seed None: no generator), twice from the same seed."""

    def two_epochs() -> list[list[np.ndarray]]:
        options: dict[str, Any] = {"batch_size": batch_size, "drop_last": drop_last, "shuffle": True, "num_workers": num_workers}
        if seed is not None:
            generator = T.Generator()
            generator.manual_seed(seed)
            options["generator"] = generator
        loader = T.utils.data.DataLoader(Samples(range(n)), **options)
        return [_index_epoch(loader), _index_epoch(loader)]

    return {"first": two_epochs(), "again": two_epochs()}


# --------------------------------------------------------------------------- D3, D4: collation


def collated(T: Any, device: str, samples: list[Any], batch_size: int) -> list[Any]:
    """Every batch that default collation makes of ``samples``, described."""
    return _epoch(T, T.utils.data.DataLoader(Samples(samples), batch_size=batch_size))


def collation_error(T: Any, device: str, samples: list[Any]) -> str | None:
    """Which exception collating all of ``samples`` into one batch raises, or None."""
    loader = T.utils.data.DataLoader(Samples(samples), batch_size=len(samples))
    return raised(lambda: next(iter(loader)))


def collated_tensors(T: Any, device: str, columns: list[np.ndarray], batch_size: int) -> list[Any]:
    """Batches of ``TensorDataset(tensor(c) for c in columns)``, described (each sample a tuple of tensors)."""
    dataset = T.utils.data.TensorDataset(*[tensor(T, device, column) for column in columns])
    return _epoch(T, T.utils.data.DataLoader(dataset, batch_size=batch_size))


def collated_namedtuples(T: Any, device: str, n: int, batch_size: int) -> list[Any]:
    """Batches of ``Point(x=i, y=i / 2)`` samples, described (namedtuples keep their type)."""
    samples = [Point(i, i / 2) for i in range(n)]
    return _epoch(T, T.utils.data.DataLoader(Samples(samples), batch_size=batch_size))


def custom_collate(T: Any, device: str, samples: list[Any], batch_size: int, drop_last: bool, num_workers: int = 0) -> list[Any]:
    """What ``collate_fn=received`` got for each batch (it returns its argument); any other batch, described."""
    loader = T.utils.data.DataLoader(Samples(samples), batch_size=batch_size, drop_last=drop_last, collate_fn=received,
                                     num_workers=num_workers)
    batches = [batch if isinstance(batch, dict) else describe(T, batch) for batch in loader]
    del loader
    return batches


# --------------------------------------------------------------------------- D5: samplers


def sampler_batches(T: Any, device: str, n: int, order: list[int], batch_size: int, drop_last: bool) -> dict[str, Any]:
    """A ``Sampler`` subclass yielding ``order``: ``len(loader)`` and the batches of indices of two epochs."""

    class FixedOrder(T.utils.data.Sampler):
        def __init__(self, order: list[int]) -> None:
            self.order = order

        def __iter__(self) -> Iterator[int]:
            return iter(self.order)

        def __len__(self) -> int:
            return len(self.order)

    loader = T.utils.data.DataLoader(Samples(range(n)), batch_size=batch_size, drop_last=drop_last, sampler=FixedOrder(order))
    return {"len": len(loader), "batches": _index_epoch(loader), "next epoch": _index_epoch(loader)}


def batch_sampler_batches(T: Any, device: str, n: int, index_batches: list[list[int]]) -> dict[str, Any]:
    """A ``Sampler`` subclass yielding index lists, given as ``batch_sampler``: ``len(loader)`` and the batches."""

    class FixedBatches(T.utils.data.Sampler):
        def __init__(self, index_batches: list[list[int]]) -> None:
            self.index_batches = index_batches

        def __iter__(self) -> Iterator[list[int]]:
            return iter(self.index_batches)

        def __len__(self) -> int:
            return len(self.index_batches)

    loader = T.utils.data.DataLoader(Samples(range(n)), batch_sampler=FixedBatches(index_batches))
    return {"len": len(loader), "batches": _index_epoch(loader)}


def builtin_batch_sampler(T: Any, device: str, n: int, batch_size: int, drop_last: bool) -> dict[str, Any]:
    """``BatchSampler(SequentialSampler(...), batch_size, drop_last)``: its own lists, and the batches of a loader given it."""
    data = T.utils.data
    sampler = data.BatchSampler(data.SequentialSampler(range(n)), batch_size, drop_last)
    loader = data.DataLoader(Samples(range(n)), batch_sampler=sampler)
    return {"lists": [list(b) for b in sampler], "batches": _index_epoch(loader)}


def argument_error(
    T: Any, device: str, n: int, *, sampler: bool = False, batch_sampler: bool = False, **options: Any
) -> str | None:
    """Which exception ``DataLoader(dataset, **options)`` raises, or None (a given sampler/batch_sampler is sequential)."""
    data = T.utils.data
    dataset = Samples(range(n))
    if sampler:
        options["sampler"] = data.SequentialSampler(dataset)
    if batch_sampler:
        options["batch_sampler"] = data.BatchSampler(data.SequentialSampler(dataset), 2, False)
    return raised(lambda: data.DataLoader(dataset, **options))


# --------------------------------------------------------------------------- D6: worker processes and the signature


def worker_epochs(T: Any, device: str, samples: list[Any], batch_size: int, num_workers: int, **options: Any) -> list[list[Any]]:
    """Two epochs of ``DataLoader(Samples(samples), num_workers=..., **options)``, every batch described."""
    loader = T.utils.data.DataLoader(Samples(samples), batch_size=batch_size, num_workers=num_workers, **options)
    epochs = [_epoch(T, loader), _epoch(T, loader)]
    del loader
    return epochs


def worker_init_calls(T: Any, device: str, n: int, batch_size: int, num_workers: int) -> dict[str, Any]:
    """One epoch with ``worker_init_fn``: the files the calls left and what each sample saw in its worker."""
    with tempfile.TemporaryDirectory() as directory:
        init = functools.partial(record_worker_init, directory)
        loader = T.utils.data.DataLoader(WorkerSeen(n), batch_size=batch_size, num_workers=num_workers, worker_init_fn=init)
        seen = [[read(column).tolist() for column in batch] for batch in loader]
        del loader
        files = sorted(os.listdir(directory))
    return {"files": files, "seen": seen}


def worker_error(T: Any, device: str, n: int, bad: int, num_workers: int) -> str | None:
    """Which exception reaches the main process when ``dataset[bad]`` raises ValueError in a worker."""
    loader = T.utils.data.DataLoader(FailsAt(n, bad), batch_size=2, num_workers=num_workers)
    iterator = iter(loader)
    error = raised(lambda: [batch for batch in iterator])
    # The exception's frames hold the iterator in a reference cycle; collected with it, torch's
    # queues close before the iterator's shutdown and each worker waits out a 5 s join. Collect
    # the frames while the iterator is still referenced here, then let it shut down normally.
    gc.collect()
    del iterator, loader
    return error


def full_signature(T: Any, device: str, samples: list[Any], options: dict[str, Any]) -> list[list[Any]]:
    """Two epochs of a loader given every keyword of document 000's signature (``options``), described."""
    loader = T.utils.data.DataLoader(Samples(samples), **options)
    epochs = [_epoch(T, loader), _epoch(T, loader)]
    del loader
    return epochs


def pinned_batches(T: Any, device: str, n: int, batch_size: int) -> dict[str, Any]:
    """``pin_memory=True``: each batch's values and whether it sits in pinned memory."""
    loader = T.utils.data.DataLoader(Samples(range(n)), batch_size=batch_size, pin_memory=True)
    batches = list(loader)
    return {"values": [read(b) for b in batches], "pinned": [bool(b.is_pinned()) for b in batches],
            "shapes": [shape_of(b) for b in batches]}
