"""Mutant: Optimizer.state_dict() keeps the hyperparameters but drops the per-parameter state. Caught by M7.

A port that saves only ``param_groups``: a checkpoint then loses SGD's momentum
buffers, so training resumed from it restarts its momentum and drifts away
from the uninterrupted run.
"""

from typing import Any

import torch

BREAKS = "M7"
SUBTLE = False

_state_dict = torch.optim.Optimizer.state_dict


def _state_dict_without_state(self: torch.optim.Optimizer) -> dict[str, Any]:
    """torch's optimizer state_dict with its ``state`` emptied."""
    saved = _state_dict(self)
    return {"state": {}, "param_groups": saved["param_groups"]}


torch.optim.Optimizer.state_dict = _state_dict_without_state
