"""Mutant: inverse() returns the inverse of the transpose, as a row-major port calling column-major LAPACK does. Caught by L1.

inv(A^T) = inv(A)^T: right for symmetric matrices (and for the identity), wrong
for the document's A = [[1, 1], [4, 1]], whose line then comes out as
[[1.3333], [0.6667]] instead of [[-0.6667], [4.6667]].
"""

import torch

BREAKS = "L1"
SUBTLE = False

_inverse = torch.Tensor.inverse


def _inverse_of_transpose(self: torch.Tensor) -> torch.Tensor:
    """The inverse of self's transpose (its last two dims swapped)."""
    return _inverse(self.mT.contiguous())


torch.Tensor.inverse = _inverse_of_transpose
torch.inverse = _inverse_of_transpose
torch.linalg.inv = _inverse_of_transpose
