"""Mutant: in-place methods write their result into x but return a new tensor. Caught by T7.

Written as ``result = self.add(other); self.copy_(result); return result``:
x changes as it should, but ``x.add_(1) is x`` is False and a chain like
``x.add_(1).mul_(2)`` applies mul_ to the copy, not to x.
"""

import torch

BREAKS = "T7"
SUBTLE = False

_METHODS = ("zero_", "fill_", "add_", "sub_", "mul_", "neg_", "abs_", "clamp_")


def _returning_result(method):
    """Wrap an in-place method so that it returns a copy of its result instead of self."""

    def inplace(self: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        return method(self, *args, **kwargs).clone()

    inplace.__name__ = method.__name__
    return inplace


for _name in _METHODS:
    setattr(torch.Tensor, _name, _returning_result(getattr(torch.Tensor, _name)))
