"""Mutant: retain_grad() is accepted but does nothing. Caught by A4.

A port that offers the method so that code runs, but never keeps the gradient
of a non-leaf: after ``y.retain_grad(); z.backward()`` y.grad is still None
and y.retains_grad still False. Leaf gradients are unaffected.
"""

import torch

BREAKS = "A4"
SUBTLE = False


def _ignored_retain_grad(self: torch.Tensor) -> None:
    """Nothing at all."""


torch.Tensor.retain_grad = _ignored_retain_grad
