"""Mutant: nn.Flatten flattens every dim, the batch dim too. Caught by M4.

The classic mix-up of ``nn.Flatten()`` (start_dim=1) with ``torch.flatten(x)``
(start_dim=0): document 004's (3, 28, 28) image becomes (2352,), not (3, 784).
The layer still prints ``Flatten(start_dim=1, end_dim=-1)``.
"""

import torch

BREAKS = "M4"
SUBTLE = False


def _flatten_everything(self: torch.nn.Flatten, input: torch.Tensor) -> torch.Tensor:
    """torch.flatten with its own defaults (start_dim=0), ignoring the layer's start_dim and end_dim."""
    return torch.flatten(input)


torch.nn.Flatten.forward = _flatten_everything
