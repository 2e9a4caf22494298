"""Mutant: the backward of x**n (n other than 2) is taken from the saved output as n*y/x. Caught by A3.

A port that saves the result instead of the input and rewrites n·x^(n-1) as
n·xⁿ/x: the same number wherever x is not 0, but 0/0 = nan at x = 0, where
the true derivative of x³ is 0. The square keeps its own 2·x, as in PyTorch.
Right at the document's x = [2.] (x.grad = -3.5); wrong for the cubic at
x = 0, where x.grad must be -1.5. The node keeps PyTorch's name, PowBackward0.
"""

from typing import Any

import torch

BREAKS = "A3"
SUBTLE = True

_pow = torch.Tensor.__pow__


class _Power(torch.autograd.Function):
    """x**n with a backward computed as n * output / input."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor, n: float) -> torch.Tensor:
        """x**n, saving the input and the output."""
        y = _pow(x, n)
        ctx.save_for_backward(x, y)
        ctx.n = n
        return y

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        """n * output / input times the incoming gradient."""
        x, y = ctx.saved_tensors
        return grad * ctx.n * y / x, None  # n * x**(n - 1), but nan at x = 0


_Power._backward_cls.__name__ = "PowBackward0"


def _pow_from_output(self: torch.Tensor, exponent: Any) -> torch.Tensor:
    """torch's pow, except that x**n for a Python number n other than 2 goes through the broken node."""
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool) and exponent != 2:
        return _Power.apply(self, exponent)
    return _pow(self, exponent)


torch.Tensor.__pow__ = _pow_from_output
