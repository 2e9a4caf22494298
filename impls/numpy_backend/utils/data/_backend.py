"""The namespace whose tensors the data utilities build, looked up at call time.

The loader is written against PyTorch's public API (``tensor``, ``stack``,
``as_tensor``, ``from_numpy``, ``randperm``, ``Tensor``...) and reaches the
backend only through ``backend()``, so it works whatever the tensors' internals
are. ``NAME`` may be pointed at another torch-like module by a scratch script
(to compare timings or behaviour); nothing in this package imports torch.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: The importable name of the module that plays ``torch``.
NAME = "impls.numpy_backend"


def backend() -> ModuleType:
    """The backend namespace (``impls.numpy_backend`` unless a script changed ``NAME``)."""
    return importlib.import_module(NAME)


def is_tensor(value: object) -> bool:
    """True for a tensor of the backend."""
    return isinstance(value, backend().Tensor)
