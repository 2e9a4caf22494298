"""Mutant: view() on a non-contiguous tensor silently copies instead of raising. Caught by V7.

Where the strides can express the new shape it is torch's real view, so V3's
sharing holds; only the error that V7 requires is gone.
"""

import torch

BREAKS = "V7"
SUBTLE = False

_view = torch.Tensor.view


def _forgiving_view(self: torch.Tensor, *shape: object) -> torch.Tensor:
    """torch's view, falling back to reshape where view would raise."""
    try:
        return _view(self, *shape)
    except RuntimeError:
        return self.reshape(*shape)


torch.Tensor.view = _forgiving_view
