"""Mutant of the numpy backend: view() returns a copy, so writes no longer pass between a view and its base. Caught by V3.

It still raises wherever the real view raises (the stride check runs first), so
only the sharing of storage is wrong: the bug of a port that builds every
result with ``np.reshape(...).copy()``.
"""

from typing import Any

import impls.numpy_backend as T

BREAKS = "V3"
SUBTLE = False

_view = T.Tensor.view


def _copying_view(self: T.Tensor, *shape: Any) -> T.Tensor:
    """The backend's view, then a copy of it."""
    return _view(self, *shape).clone()


T.Tensor.view = _copying_view
