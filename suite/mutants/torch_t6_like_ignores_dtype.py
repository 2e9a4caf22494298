"""Mutant: zeros_like / ones_like keep the shape but take the default dtype. Caught by T6.

Written as ``zeros(x.shape)``: right for the document's float32 ``p``, wrong
for an int64, bool or float64 input, whose dtype must be kept.
"""

import torch

BREAKS = "T6"
SUBTLE = True


def _zeros_like(x: torch.Tensor, **kwargs: object) -> torch.Tensor:
    """zeros of x's shape and device, in the default dtype unless told."""
    return torch.zeros(x.shape, device=kwargs.pop("device", x.device), **kwargs)


def _ones_like(x: torch.Tensor, **kwargs: object) -> torch.Tensor:
    """ones of x's shape and device, in the default dtype unless told."""
    return torch.ones(x.shape, device=kwargs.pop("device", x.device), **kwargs)


torch.zeros_like = _zeros_like
torch.ones_like = _ones_like
