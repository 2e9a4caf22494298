"""Mutant: set_default_dtype is recorded but tensor() never reads it: float literals stay float32. Caught by T4.

get_default_dtype() reports what was set, so only the dtype of the tensors
made from float and complex literals gives it away (float32/complex64 where
float64/complex128 are due).
"""

import torch

BREAKS = "T4"
SUBTLE = True

_recorded = [torch.get_default_dtype()]


def _set_default_dtype(dtype: torch.dtype) -> None:
    """Remember the dtype without applying it."""
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _recorded[0] = dtype


def _get_default_dtype() -> torch.dtype:
    """The dtype last set, as if it were in force."""
    return _recorded[0]


torch.set_default_dtype = _set_default_dtype
torch.get_default_dtype = _get_default_dtype
