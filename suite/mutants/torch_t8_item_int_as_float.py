"""Mutant: item() returns a Python float for integer and bool tensors. Caught by T8.

Written as ``float(self.numpy())`` for every real dtype: ``y[0, 0].item()``
gives ``3.0`` where the document prints ``3``; complex tensors are untouched.
"""

import torch

BREAKS = "T8"
SUBTLE = False

_item = torch.Tensor.item


def _item_as_float(self: torch.Tensor) -> object:
    """torch's item(), converted to float unless complex."""
    value = _item(self)
    return value if isinstance(value, complex) else float(value)


torch.Tensor.item = _item_as_float
