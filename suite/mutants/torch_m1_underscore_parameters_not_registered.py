"""Mutant: a Parameter assigned to a name starting with "_" stays a plain attribute. Caught by M1 (subtle).

A port whose Module.__setattr__ passes every "_" name straight through, so
that its own ``_parameters`` and ``_modules`` dictionaries are never taken for
user state: document 000's MyLiner (``weights``, ``bias``) registers both, but
``self._scale = nn.Parameter(...)`` is never trained.
"""

from typing import Any

import torch

BREAKS = "M1"
SUBTLE = True

_setattr = torch.nn.Module.__setattr__


def _underscore_names_pass_through(self: torch.nn.Module, name: str, value: Any) -> None:
    """torch's __setattr__, except that a user module's "_" name holding a Parameter is set as a plain attribute."""
    if name.startswith("_") and isinstance(value, torch.nn.Parameter) and not type(self).__module__.startswith("torch."):
        object.__setattr__(self, name, value)
        return
    _setattr(self, name, value)


torch.nn.Module.__setattr__ = _underscore_names_pass_through
