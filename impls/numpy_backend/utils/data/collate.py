"""Default collation: a list of samples becomes a batch of the same structure, with tensors stacked (D3).

The first sample's type decides, as in PyTorch's ``default_collate``: a tensor →
``stack``; a numpy array → a tensor of its dtype, stacked (string/object arrays
are refused); a numpy scalar → a tensor of its dtype; a Python float → float64;
a Python int or bool → ``tensor(batch)`` (int64, or bool); str/bytes → the list
unchanged; a mapping → the same mapping of collated values; a namedtuple → the
same namedtuple; a tuple → a **list** of collated columns; another sequence →
the same kind of sequence (every sample of one length, else RuntimeError).
"""

from __future__ import annotations

import collections.abc
import copy
from typing import Any, Sequence

import numpy as np

from ._backend import backend, is_tensor

_NOT_COLLATABLE = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _numpy_refused(array: np.ndarray | np.generic) -> bool:
    """String, bytes and object dtypes cannot become tensors."""
    return array.dtype.kind in "SUaO"


def _collate_arrays(batch: Sequence[np.ndarray]) -> Any:
    """Equal-shaped numpy arrays → one tensor of their dtype, stacked along a new first dim."""
    T = backend()
    shapes = [a.shape for a in batch]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shapes[0])} at entry 0 "
                               f"and {list(shape)} at entry {i}")
    if all(a.dtype == batch[0].dtype for a in batch):
        return T.from_numpy(np.stack(batch))  # one copy, the dtype kept
    return T.stack([T.as_tensor(a) for a in batch], 0)  # the backend's type promotion


def _collate_sequence(batch: Sequence[Sequence[Any]]) -> Any:
    """Sequences of one length → their columns collated: a list for tuples, else the same kind of sequence."""
    size = len(batch[0])
    if any(len(sample) != size for sample in batch):
        raise RuntimeError("each element in list of batch should be of equal size")
    columns = [default_collate(column) for column in zip(*batch)]  # each column a tuple: strings stay one (D3)
    elem = batch[0]
    if isinstance(elem, tuple):
        return columns  # PyTorch's rule, kept for backwards compatibility
    if isinstance(elem, collections.abc.MutableSequence):
        clone = copy.copy(elem)
        for i, column in enumerate(columns):
            clone[i] = column
        return clone
    try:
        return type(elem)(columns)
    except TypeError:
        return columns


def _collate_mapping(batch: Sequence[collections.abc.Mapping]) -> Any:
    """Mappings → the same kind of mapping, each key's values collated."""
    elem = batch[0]
    collated = {key: default_collate([sample[key] for sample in batch]) for key in elem}
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(collated)
            return clone
        return type(elem)(collated)
    except TypeError:
        return collated


def default_collate(batch: Sequence[Any]) -> Any:
    """Collate a list of samples into a batch (D3); the rules are in the module docstring."""
    elem = batch[0]
    T = backend()
    if is_tensor(elem):
        return T.stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if _numpy_refused(elem):
            raise TypeError(_NOT_COLLATABLE.format(elem.dtype))
        return _collate_arrays(batch)
    if isinstance(elem, (np.bool_, np.number)):
        return T.as_tensor(np.asarray(batch))
    if isinstance(elem, float):
        return T.tensor(list(batch), dtype=T.float64)
    if isinstance(elem, int):
        return T.tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _collate_mapping(batch)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(column) for column in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        return _collate_sequence(batch)
    raise TypeError(_NOT_COLLATABLE.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Without batching (``batch_size=None``): numpy arrays and scalars become tensors, containers are walked (D3)."""
    T = backend()
    if is_tensor(data):
        return data
    if isinstance(data, (np.ndarray, np.bool_, np.number)):
        return data if _numpy_refused(data) else T.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(converted)
                return clone
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
