"""Mutant: binary_cross_entropy_with_logits returns the mean but backpropagates the gradient of the sum. Caught by A8.

A port whose backward for reduction='mean' leaves out the 1/n: the loss value
is right, but w.grad and b.grad are σ(z) − y instead of (σ(z) − y)/n, so
document 004's rows are σ(z), not σ(z)/3.
"""

from typing import Any

import torch

BREAKS = "A8"
SUBTLE = False

_bce = torch.nn.functional.binary_cross_entropy_with_logits


class _BCEWithLogits(torch.autograd.Function):
    """Mean-reduced BCE with logits whose backward is the summed loss's."""

    @staticmethod
    def forward(ctx: Any, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(z, y)
        return _bce(z, y)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        z, y = ctx.saved_tensors
        return grad * (torch.sigmoid(z) - y), None  # the gradient of the sum: the mean's 1/n is missing


def _bce_without_mean_backward(input: torch.Tensor, target: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """The broken node for the default call; torch's own for anything else."""
    if args or kwargs.get("reduction", "mean") != "mean" or set(kwargs) - {"reduction"}:
        return _bce(input, target, *args, **kwargs)
    return _BCEWithLogits.apply(input, target)


torch.nn.functional.binary_cross_entropy_with_logits = _bce_without_mean_backward
