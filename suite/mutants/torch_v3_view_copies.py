"""Mutant: view() returns a copy, so writes no longer pass between a view and its base. Caught by V3.

It still raises wherever torch's view raises, so only the sharing of storage is wrong.
"""

import torch

BREAKS = "V3"
SUBTLE = False

_view = torch.Tensor.view


def _copying_view(self: torch.Tensor, *shape: object) -> torch.Tensor:
    """torch's view, then a copy of it."""
    return _view(self, *shape).clone()


torch.Tensor.view = _copying_view
