"""Mutant: train()/eval() reach the children and the grandchildren, but nothing deeper. Caught by M8 (subtle).

A port whose Module.train is two nested loops instead of a recursion: document
004's network (its stack's layers are the root's grandchildren) switches
completely, but ``model.eval()`` leaves a module three levels down (a Dropout
in a block in a stack) in training mode.
"""

import torch

BREAKS = "M8"
SUBTLE = True


def _two_levels(self: torch.nn.Module, mode: bool = True) -> torch.nn.Module:
    """Set the flag on ``self``, its children and their children; return self."""
    if not isinstance(mode, bool):
        raise ValueError("training mode is expected to be boolean")
    self.training = mode
    for child in self.children():
        child.training = mode
        for grandchild in child.children():
            grandchild.training = mode
    return self


torch.nn.Module.train = _two_levels
