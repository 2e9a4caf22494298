"""Mutant: nelement() of a 0-dim tensor is 0 instead of 1. Caught by T1.

A port that counts elements as the product of the sizes but special-cases an
empty shape as "no elements", mixing up a 0-dim tensor (shape (), one element)
with an empty one (shape (0,)). Right for the document's (2, 3) array and for
every tensor with at least one dim; wrong for tensor(np.float64 0-d array),
whose nelement() must be 1.
"""

import math

import torch

BREAKS = "T1"
SUBTLE = True


def _nelement_of_sizes(self: torch.Tensor) -> int:
    """The product of the sizes, or 0 when there are no sizes at all."""
    return math.prod(self.shape) if self.dim() > 0 else 0


torch.Tensor.nelement = _nelement_of_sizes
