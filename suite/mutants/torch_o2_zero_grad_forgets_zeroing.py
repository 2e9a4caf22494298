"""Mutant: zero_grad(set_to_none=False) leaves the gradients as they are. Caught by O2.

A port that implemented only the default branch of zero_grad (set the grads to
None) and forgot the other (fill them with zeros): with set_to_none=False the
gradients silently keep accumulating.
"""

import torch

BREAKS = "O2"
SUBTLE = True

_zero_grad = torch.optim.Optimizer.zero_grad


def _zero_grad_only_to_none(self: torch.optim.Optimizer, set_to_none: bool = True) -> None:
    """torch's zero_grad when set_to_none is True; nothing at all otherwise."""
    if set_to_none:
        _zero_grad(self, set_to_none=True)


torch.optim.Optimizer.zero_grad = _zero_grad_only_to_none
