"""Mutant: SGD.step treats a parameter without a gradient as having a zero one. Caught by M6.

A port's optimiser that fills in zeros for missing grads: a frozen parameter
(requires_grad=False, grad None) is then still pulled by weight decay and
momentum, so the frozen part of a model drifts during transfer learning.
"""

from typing import Any, Callable

import torch

BREAKS = "M6"
SUBTLE = False

_step = torch.optim.SGD.step


def _step_filling_missing_grads(self: torch.optim.SGD, closure: Callable[[], Any] | None = None) -> Any:
    """Give every gradless parameter a zero gradient, then torch's step."""
    with torch.no_grad():
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    p.grad = torch.zeros_like(p)
    return _step(self, closure)


torch.optim.SGD.step = _step_filling_missing_grads
