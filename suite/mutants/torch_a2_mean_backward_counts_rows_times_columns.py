"""Mutant: the backward of mean() divides by x.shape[0] * x.shape[-1], not by the element count. Caught by A2.

A port whose MeanBackward was written and checked on the document's 2x3
matrix: it counts the elements as rows times columns (a 0-dim tensor as
one). The forward is torch's and the node keeps PyTorch's name,
MeanBackward0. Right for every matrix, the document's [[1, 2, 3], [4, 5, 6]]
included; wrong for a vector of n > 1 elements (divided by n² instead of n)
and for a 3-d tensor whose middle dims are not all 1.
"""

from typing import Any

import torch

BREAKS = "A2"
SUBTLE = True

_mean = torch.Tensor.mean


class _Mean(torch.autograd.Function):
    """mean() of every element, with a backward that counts rows times columns."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor) -> torch.Tensor:
        """torch's mean of every element, remembering the shape."""
        ctx.shape = x.shape
        return _mean(x)

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> torch.Tensor:
        """The incoming gradient spread over the shape, divided by rows times columns."""
        shape = ctx.shape
        count = shape[0] * shape[-1] if len(shape) > 0 else 1
        return grad.expand(shape) / count


_Mean._backward_cls.__name__ = "MeanBackward0"


def _mean_of_matrices(self: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """torch's mean, except that the mean of every element goes through the broken node."""
    if args or kwargs or not self.is_floating_point():
        return _mean(self, *args, **kwargs)
    return _Mean.apply(self)


torch.Tensor.mean = _mean_of_matrices
