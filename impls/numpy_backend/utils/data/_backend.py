"""The namespace whose tensors the data utilities build, looked up at call time.

The loader is written against PyTorch's public API (``tensor``, ``stack``,
``as_tensor``, ``from_numpy``, ``randperm``, ``Tensor``...) and reaches the
backend only through ``backend()``, so it works whatever the tensors' internals
are. ``NAME`` is the package this one sits in, whatever name it was loaded
under (``impls.numpy_backend``, or another when loaded from its folder), so
batches are built by the very backend the user loaded. A scratch script may
point it at another torch-like module to compare; nothing here imports torch.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: The importable name of the module that plays ``torch``: the package above ``.utils``.
NAME = __name__.rpartition(".utils.")[0]


def backend() -> ModuleType:
    """The backend namespace (the package this one belongs to, unless a script changed ``NAME``)."""
    return importlib.import_module(NAME)


def is_tensor(value: object) -> bool:
    """True for a tensor of the backend."""
    return isinstance(value, backend().Tensor)
