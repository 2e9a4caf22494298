"""Mutant of the numpy backend: from_numpy copies the array instead of sharing its memory. Caught by T5.

The dtype and values are right, but ``x[-1] = 86`` no longer shows in the
tensor, nor ``t.fill_(7)`` in the array: the bug of building the tensor with
``np.array(x)`` (which copies) instead of a view of x's buffer.
"""

import numpy as np

import impls.numpy_backend as T

BREAKS = "T5"
SUBTLE = True

_from_numpy = T.from_numpy


def _copying_from_numpy(array: np.ndarray) -> T.Tensor:
    """The backend's from_numpy of a private copy of the array."""
    return _from_numpy(np.array(array, copy=True))


T.from_numpy = _copying_from_numpy
