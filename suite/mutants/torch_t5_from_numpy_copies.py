"""Mutant: from_numpy copies the array instead of sharing its memory. Caught by T5.

A port that makes its own buffer for every tensor: values, dtype and shape
are right, but writes no longer pass between the tensor and the array.
as_tensor (which torch implements apart from this function) still shares.
"""

import numpy as np
import torch

BREAKS = "T5"
SUBTLE = True

_from_numpy = torch.from_numpy


def _copying_from_numpy(array: np.ndarray) -> torch.Tensor:
    """torch.from_numpy of a copy of the array."""
    return _from_numpy(np.array(array, copy=True))


torch.from_numpy = _copying_from_numpy
