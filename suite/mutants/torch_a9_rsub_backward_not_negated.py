"""Mutant: the backward of ``number - tensor`` passes the gradient through without negating it. Caught by A9.

A port whose __rsub__ reuses __add__'s backward (d(c - x)/dx taken as +1, not
-1), while tensor - tensor is right. Document 000's log-loss goes through
``1 - yhat`` in ``(1 - y) * log(1 - yhat)``: autograd's w.grad and b.grad no
longer agree with the hand-written dw and db whenever a label is 0. The node
keeps PyTorch's name, RsubBackward1.
"""

from typing import Any

import torch

BREAKS = "A9"
SUBTLE = False

_rsub = torch.Tensor.__rsub__


class _Rsub(torch.autograd.Function):
    """c - x for a Python number c, with a backward that forgets the minus sign."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor, c: float) -> torch.Tensor:
        """c - x."""
        return _rsub(x, c)

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        """The incoming gradient, not negated."""
        return grad, None  # d(c - x)/dx is -1, not +1


_Rsub._backward_cls.__name__ = "RsubBackward1"


def _rsub_without_negation(self: torch.Tensor, other: Any) -> torch.Tensor:
    """``other - self`` through the broken node when other is a Python number; torch's otherwise."""
    if isinstance(other, (int, float)) and not isinstance(other, bool):
        return _Rsub.apply(self, other)
    return _rsub(self, other)


torch.Tensor.__rsub__ = _rsub_without_negation
