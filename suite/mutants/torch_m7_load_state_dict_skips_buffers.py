"""Mutant: ``load_state_dict`` restores parameters and silently skips buffers. Caught by M7.

A port that wrote ``load_state_dict`` over ``named_parameters()`` only: every
parameter comes back, so a model of Linear layers (the document's, and every
checkpoint of parameters and optimiser state) round-trips exactly, but
registered buffers such as BatchNorm's running statistics keep the fresh
model's values, and nothing says so.
"""

from typing import Any, Mapping

import torch

BREAKS = "M7"
SUBTLE = True

_load_state_dict = torch.nn.Module.load_state_dict


def _parameters_only(self: torch.nn.Module, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False) -> Any:
    """Load the entries that name a parameter; drop the rest without a word."""
    names = {name for name, _ in self.named_parameters()}
    return _load_state_dict(self, {k: v for k, v in state_dict.items() if k in names}, strict=False, assign=assign)


torch.nn.Module.load_state_dict = _parameters_only
