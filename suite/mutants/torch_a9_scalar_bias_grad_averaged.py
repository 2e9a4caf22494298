"""Mutant: ``tensor + scalar tensor`` gives the 0-dim operand the mean of the gradient, not its sum. Caught by A9.

A port that reduces a gradient back to a broadcast operand's shape with a
mean where a sum is due ("the bias was added to every sample, so average
it"). Document 000's LR adds its 0-dim bias to every sample's logit,
``z = w.T x + b``: autograd's b.grad comes out 1/m of the hand-written
``db = (1/m)·Σ(ŷ−y)``. Right when nothing is broadcast, one sample (m = 1),
and for every other gradient (w's, and an addition of equal shapes); wrong
for a batch of two or more. The node keeps PyTorch's name, AddBackward0.
Not subtle by this suite's rule: document 000 gives its LR no data, so A9
has no document example for a mutant to be right on.
"""

from typing import Any

import torch

BREAKS = "A9"
SUBTLE = False

_add = torch.Tensor.__add__


class _AddScalarTensor(torch.autograd.Function):
    """x + s for a 0-dim tensor s, with a backward that averages the gradient for s."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """torch's x + s."""
        return _add(x, s)

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> tuple[Any, Any]:
        """The gradient for x as it is, and its mean (not its sum) for s."""
        return (grad if ctx.needs_input_grad[0] else None), grad.mean()  # grad.sum() is right


_AddScalarTensor._backward_cls.__name__ = "AddBackward0"


def _add_averaging_the_scalar(self: torch.Tensor, other: Any) -> torch.Tensor:
    """``self + other`` through the broken node when other is a 0-dim tensor that needs a gradient; torch's otherwise."""
    if isinstance(other, torch.Tensor) and other.dim() == 0 and self.dim() > 0 and other.requires_grad:
        return _AddScalarTensor.apply(self, other)
    return _add(self, other)


torch.Tensor.__add__ = _add_averaging_the_scalar
