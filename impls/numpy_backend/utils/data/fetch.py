"""Turning the indices a sampler gives into a batch: the general path, and a fast path for TensorDataset (D1, D3).

General path (PyTorch's map-style fetcher): ``collate_fn([dataset[i] for i in
indices])`` (or ``dataset.__getitems__(indices)`` where a dataset offers it);
without batching, ``collate_fn(dataset[index])``.

Fast path: a ``TensorDataset`` collated by ``default_collate`` gives
``[stack([t[i] for i in indices]) for t in tensors]``; the same batch is one
numpy fancy index per tensor, ``from_numpy(t.numpy()[indices])``: the same
values, dtype and shape, a fresh copy, negative indices wrapping and
out-of-range ones raising IndexError alike. Tensors that require grad keep
the general path (stack records the graph; numpy() refuses them).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ._backend import backend
from .collate import default_collate
from .dataset import TensorDataset

Fetch = Callable[[Any], Any]


def _samples(dataset: Any, indices: Sequence[Any]) -> list[Any]:
    """The samples at ``indices``, through ``__getitems__`` where the dataset has one."""
    getitems = getattr(dataset, "__getitems__", None)
    if callable(getitems):
        return getitems(list(indices))
    return [dataset[i] for i in indices]


def _row_index(indices: Sequence[Any]) -> np.ndarray | None:
    """Indices as an int64 array when they are plain integers (anything else takes the general path)."""
    if not indices or not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in indices):
        return None
    return np.fromiter(indices, dtype=np.int64, count=len(indices))


def _column(tensor: Any, rows: np.ndarray, indices: Sequence[int]) -> Any:
    """``stack([tensor[i] for i in indices])``, by one fancy index where the tensor allows it."""
    T = backend()
    if getattr(tensor, "requires_grad", False) or getattr(getattr(tensor, "device", None), "type", "cpu") != "cpu":
        return T.stack([tensor[i] for i in indices], 0)
    return T.from_numpy(tensor.numpy()[rows])


def _tensor_rows(dataset: TensorDataset, indices: Sequence[Any]) -> list[Any]:
    """The default-collated batch of a TensorDataset at ``indices``: a list, one stacked tensor per column."""
    rows = _row_index(indices)
    if rows is None:
        return default_collate(_samples(dataset, indices))
    return [_column(tensor, rows, indices) for tensor in dataset.tensors]


def make_fetch(dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any]) -> Fetch:
    """The function that turns what the index sampler yields into a batch."""
    if not auto_collation:
        return lambda index: collate_fn(dataset[index])
    if collate_fn is default_collate and type(dataset) is TensorDataset:
        return lambda indices: _tensor_rows(dataset, indices)
    return lambda indices: collate_fn(_samples(dataset, indices))
