"""Mutant: nn.Linear's backward averages the bias gradient over the batch instead of summing it. Caught by O4.

A port with a hand-written Linear backward whose bias term is
``grad_output.mean(0)`` (the loss is already a mean, so it "averages again")
rather than ``grad_output.sum(0)``: the forward, the input's and the weight's
gradients are right, but the bias learns n times too slowly, so document
000's four-step loop on 64 samples stops far from the least-squares bias.
The node keeps PyTorch's name, AddmmBackward0.
"""

from typing import Any

import torch

BREAKS = "O4"
SUBTLE = False


class _Linear(torch.autograd.Function):
    """``x @ W.T + b`` with a bias gradient averaged over the batch."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor, weight: torch.Tensor,
                bias: torch.Tensor) -> torch.Tensor:
        """x @ W.T + b, saving x and W."""
        ctx.save_for_backward(x, weight)
        return torch.addmm(bias, x, weight.T)

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> tuple[Any, Any, Any]:
        """The gradients of x and W, and the batch mean (not sum) of the gradient for b."""
        x, weight = ctx.saved_tensors
        grad_x = grad @ weight if ctx.needs_input_grad[0] else None
        grad_weight = grad.T @ x if ctx.needs_input_grad[1] else None
        grad_bias = grad.mean(0) if ctx.needs_input_grad[2] else None  # sum(0) is right
        return grad_x, grad_weight, grad_bias


_Linear._backward_cls.__name__ = "AddmmBackward0"

_forward = torch.nn.Linear.forward


def _linear_forward(self: torch.nn.Linear, input: torch.Tensor) -> torch.Tensor:
    """torch's Linear forward, through the broken node for a batch of vectors with a bias."""
    if input.dim() == 2 and self.bias is not None:
        return _Linear.apply(input, self.weight, self.bias)
    return _forward(self, input)


torch.nn.Linear.forward = _linear_forward
