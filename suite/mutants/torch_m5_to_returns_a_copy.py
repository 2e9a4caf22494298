"""Mutant: Module.to() returns a moved copy of the model and leaves the model itself as it was. Caught by M5.

A port that writes Module.to like Tensor.to, which returns a new tensor: the
copy's parameters are on the device with the same values, but ``model.to(device)``
is not ``model``, so code that calls ``model.to(device)`` without assigning the
result (legal in PyTorch, whose Module.to moves in place and returns self)
keeps training the parameters that never moved. On the cpu only the identity
shows; on cuda the model's own parameters also stay behind.
"""

import copy
from typing import Any

import torch

BREAKS = "M5"
SUBTLE = False

_to = torch.nn.Module.to


def _to_on_a_copy(self: torch.nn.Module, *args: Any, **kwargs: Any) -> torch.nn.Module:
    """torch's Module.to applied to a deep copy of self, which is returned."""
    return _to(copy.deepcopy(self), *args, **kwargs)


torch.nn.Module.to = _to_on_a_copy
