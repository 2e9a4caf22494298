"""Mutant: ``optimizer.zero_grad()`` clears the first parameter group only. Caught by O2.

A from-scratch optimiser that keeps ``param_groups`` but whose ``zero_grad``
loops over ``self.param_groups[0]["params"]``: with one group (the documents'
loops, ``SGD(model.parameters(), lr=...)``) it is right; with a backbone and a
head in two groups, the head's gradients keep accumulating.
"""

import torch

BREAKS = "O2"
SUBTLE = True


def _first_group_only(self: torch.optim.Optimizer, set_to_none: bool = True) -> None:
    """Clear the grads of the first group's parameters (to None or to zeros), and of no other group."""
    for p in self.param_groups[0]["params"]:
        if p.grad is not None:
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_().zero_()


torch.optim.Optimizer.zero_grad = _first_group_only
