"""``save`` and ``load``: pickle with tensors stored as their storage and layout (M7).

A tensor pickles as (storage, offset, shape, strides, requires_grad); a
storage pickles as its numpy array, once per file (pickle's memo), so views
saved together come back as views of one storage, as PyTorch's files do. A
``state_dict``, a checkpoint dict (epoch, model and optimiser state, loss) or
any picklable object round-trips (M7).
"""

from __future__ import annotations

import os
import pickle
from typing import Any, BinaryIO

#: The first bytes of a file this backend wrote, to tell it from other pickles.
MAGIC = b"numpy-backend-save\n"


def save(obj: Any, f: str | os.PathLike | BinaryIO, pickle_module: Any = pickle, pickle_protocol: int = 4,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Write ``obj`` to a path or a binary file object (M7)."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            save(obj, handle, pickle_module, pickle_protocol)
        return
    f.write(MAGIC)
    pickle_module.dump(obj, f, protocol=pickle_protocol)


def load(f: str | os.PathLike | BinaryIO, map_location: Any = None, pickle_module: Any = pickle, *,
         weights_only: bool | None = None, mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """Read back what ``save`` wrote; tensors come back as cpu leaves (``map_location`` may only name the cpu) (M7)."""
    from .device import check_device

    if map_location is not None and not callable(map_location) and not isinstance(map_location, dict):
        check_device(map_location)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            return load(handle, map_location, pickle_module, **pickle_load_args)
    head = f.read(len(MAGIC))
    if head != MAGIC:
        raise RuntimeError("not a file written by this backend's save()")
    return pickle_module.load(f, **pickle_load_args)

