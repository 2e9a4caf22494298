"""Mutant: item() of a bool tensor returns the int 0 or 1. Caught by T8 (subtle).

Written as ``float(v) if floating else int(v)``, forgetting bool: the document's
``y[0, 0].item()`` (int64) is still the int 3, but ``tensor(True).item()`` is 1, not True.
"""

import torch

BREAKS = "T8"
SUBTLE = True

_item = torch.Tensor.item


def _bool_as_int(self: torch.Tensor) -> object:
    """torch's item(), with a bool made an int."""
    value = _item(self)
    return int(value) if isinstance(value, bool) else value


torch.Tensor.item = _bool_as_int
