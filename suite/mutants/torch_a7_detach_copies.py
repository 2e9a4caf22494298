"""Mutant: detach() returns a copy of the data instead of a tensor that shares it. Caught by A7.

The copy does not require grad and holds the right values, so only sharing
is wrong: a write through ``z.detach()`` no longer shows in z.
"""

import torch

BREAKS = "A7"
SUBTLE = False

_detach = torch.Tensor.detach


def _copying_detach(self: torch.Tensor) -> torch.Tensor:
    """torch's detach, then a copy of it."""
    return _detach(self).clone()


torch.Tensor.detach = _copying_detach
