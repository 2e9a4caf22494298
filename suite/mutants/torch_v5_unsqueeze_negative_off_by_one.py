"""Mutant: unsqueeze(-k) inserts at ndim - k instead of ndim + 1 - k. Caught by V5.

The range of unsqueeze is one wider than the tensor's dims; treating a negative
dim as for squeeze puts the new dim one place too far left.
"""

import torch

BREAKS = "V5"
SUBTLE = True

_unsqueeze = torch.Tensor.unsqueeze


def _off_by_one(self: torch.Tensor, dim: int) -> torch.Tensor:
    """unsqueeze with negative dims counted from ndim, not ndim + 1."""
    if dim < 0 and dim + self.dim() >= 0:
        dim = dim + self.dim()
    return _unsqueeze(self, dim)


torch.Tensor.unsqueeze = _off_by_one
