"""Mutant: reshape() returns self unchanged when only size-1 dims differ. Caught by V2.

A port with a fast path for "nothing moves": when the new shape and the old one
are the same once their size-1 dims are left out, the data needs neither a copy
nor new strides, so it returns self, and forgets that the shape still has to
change. The document's reshape(2, -1, 1) of a (2, 2, 2) tensor takes the real
path and is right; reshape(2, 3, 1) of a (2, 3) tensor, or reshape(1) of a
0-dim one, comes back with the old shape.
"""

from typing import Any

import torch

BREAKS = "V2"
SUBTLE = True

_reshape = torch.Tensor.reshape


def _without_ones(sizes: Any) -> list[int]:
    """The sizes other than 1."""
    return [int(s) for s in sizes if s != 1]


def _reshape_with_fast_path(self: torch.Tensor, *shape: Any) -> torch.Tensor:
    """torch's reshape, except that self itself is returned when the shapes differ only by size-1 dims."""
    sizes = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list, torch.Size)) else shape
    if all(isinstance(s, int) for s in sizes):
        known = 1
        for s in sizes:
            if s != -1:
                known *= s
        resolved = [self.numel() // known if s == -1 and known else s for s in sizes]
        if _without_ones(resolved) == _without_ones(self.shape) and self.is_contiguous():
            return self
    return _reshape(self, *shape)


torch.Tensor.reshape = _reshape_with_fast_path
