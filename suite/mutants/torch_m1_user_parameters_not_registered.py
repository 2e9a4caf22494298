"""Mutant: Module.__setattr__ never intercepts Parameters; only built-in layers register theirs. Caught by M1.

A port whose Linear, Conv, ... call register_parameter themselves but whose base
Module stores any other attribute as a plain one: document 000's MyLiner assigns
``self.weights = nn.Parameter(...)`` and ends up with no parameters at all.
(M3's test of user-defined modules sees the same missing registrations.)
"""

from typing import Any

import torch

BREAKS = "M1"
SUBTLE = False

_setattr = torch.nn.Module.__setattr__


def _setattr_ignoring_user_parameters(self: torch.nn.Module, name: str, value: Any) -> None:
    """torch's __setattr__, except that a Parameter assigned in a user's subclass becomes a plain attribute."""
    if isinstance(value, torch.nn.Parameter) and not type(self).__module__.startswith("torch."):
        object.__setattr__(self, name, value)
        return
    _setattr(self, name, value)


torch.nn.Module.__setattr__ = _setattr_ignoring_user_parameters
