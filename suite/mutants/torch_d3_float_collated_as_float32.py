"""Mutant: default collation turns Python floats into float32 (the default dtype) instead of float64. Caught by D3.

A natural port writes ``tensor(batch)`` for every Python number; PyTorch asks
for ``dtype=float64`` for floats. Tensors, numpy values and ints are untouched.
"""

import torch
from torch.utils.data._utils import collate

BREAKS = "D3"
SUBTLE = False


def _collate_float_as_default(batch, *, collate_fn_map=None):  # type: ignore[no-untyped-def]
    """``tensor(batch)``: float32 under the default dtype."""
    return torch.tensor(batch)


collate.default_collate_fn_map[float] = _collate_float_as_default
