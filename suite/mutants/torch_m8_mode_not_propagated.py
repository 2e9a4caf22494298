"""Mutant: train()/eval() set the flag on the module itself but not on its children. Caught by M8.

A port whose Module.train forgets the recursion: ``model.eval()`` leaves every
Dropout and BatchNorm inside the model in training mode.
"""

import torch

BREAKS = "M8"
SUBTLE = False


def _train_this_module_only(self: torch.nn.Module, mode: bool = True) -> torch.nn.Module:
    """Set ``self.training`` and return self, without visiting the children."""
    if not isinstance(mode, bool):
        raise ValueError("training mode is expected to be boolean")
    self.training = mode
    return self


torch.nn.Module.train = _train_this_module_only
