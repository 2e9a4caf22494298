"""Mutant: the backward of x**2 is taken from the saved output as 2*sqrt(y), losing the sign of x. Caught by A1.

A port that, as for exp (y' = y) or sigmoid (y' = y(1 - y)), writes the
square's derivative from the result it saved: 2·sqrt(x²) is 2·|x|, not 2·x.
Right at the document's x = 2 (y = 9, x.grad = 8) and for every positive x;
wrong for negative x, where the gradient points the wrong way. Other powers
keep torch's pow, and the node keeps PyTorch's name, PowBackward0. The
square in A2's (2x+1)**2 and in A3's cubic goes through it too.
"""

from typing import Any

import torch

BREAKS = "A1"
SUBTLE = True

_pow = torch.Tensor.__pow__


class _Square(torch.autograd.Function):
    """x**2 with a backward computed from the saved output."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor) -> torch.Tensor:
        """x**2, saving the output."""
        y = _pow(x, 2)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> torch.Tensor:
        """2 * sqrt(output) times the incoming gradient."""
        (y,) = ctx.saved_tensors
        return grad * 2 * torch.sqrt(y)  # 2|x|, where d(x**2)/dx is 2x


_Square._backward_cls.__name__ = "PowBackward0"


def _pow_with_square_from_output(self: torch.Tensor, exponent: Any) -> torch.Tensor:
    """torch's pow, except that x**2 goes through the broken node."""
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool) and exponent == 2:
        return _Square.apply(self)
    return _pow(self, exponent)


torch.Tensor.__pow__ = _pow_with_square_from_output
