"""Mutant: the backward of log returns 1/x without multiplying by the incoming gradient. Caught by A4.

The derivative is right but the chain rule is dropped at this node: ``log(x)``
alone (``z = torch.log(y); z.backward()``, where the incoming gradient is 1)
still gives the document's figures, but anything after the log (a scale, a
mean, a loss) no longer reaches what comes before it. The node keeps
PyTorch's name, LogBackward0, so only the numbers are wrong. Document 000's
log-loss (A9) goes through log too and fails with it.
"""

import torch

BREAKS = "A4"
SUBTLE = True

_log = torch.log


class _Log(torch.autograd.Function):
    """log with a backward that forgets grad_output."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return _log(x)

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return 1 / x  # d log(x)/dx, but not times grad


_Log._backward_cls.__name__ = "LogBackward0"


def _log_without_chain_rule(input: torch.Tensor) -> torch.Tensor:
    """torch.log through the broken node."""
    return _Log.apply(input)


torch.log = _log_without_chain_rule
torch.Tensor.log = _log_without_chain_rule
