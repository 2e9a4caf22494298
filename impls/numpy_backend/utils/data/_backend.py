"""The namespace whose tensors the data utilities build, looked up at call time.

The loader is written against PyTorch's public API (``tensor``, ``stack``,
``as_tensor``, ``from_numpy``, ``randperm``, ``Tensor``...) and reaches the
backend only through ``backend()``, so it works whatever the tensors' internals
are. ``NAME`` is the package this one sits in, whatever name it was loaded
under (``impls.numpy_backend``, or another when loaded from its folder), so
batches are built by the very backend the user loaded. It is looked up in
``sys.modules``, not imported: Python imports a package before its submodules,
so it is always there; and an import of a computed name is one that
suite/preload.py must take for torch's (so a path to this package, or the
"complete" sample made from it, would get torch preloaded in its workers).
A scratch script may point ``NAME`` at another torch-like module it has imported, to compare.
"""

from __future__ import annotations

import sys
from types import ModuleType

#: The importable name of the module that plays ``torch``: the package above ``.utils``.
NAME = __name__.rpartition(".utils.")[0]


def backend() -> ModuleType:
    """The backend namespace (the package this one belongs to, unless a script changed ``NAME``)."""
    return sys.modules[NAME]


def is_tensor(value: object) -> bool:
    """True for a tensor of the backend."""
    return isinstance(value, backend().Tensor)
