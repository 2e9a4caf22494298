"""Mutant: SGD accepts nesterov=True but takes ordinary momentum steps. Caught by O3.

A port that validates the flag (nesterov still needs momentum and zero
dampening) and stores it, but never reads it in the update.
"""

from typing import Any

import torch
import torch.optim.sgd as sgd_module

BREAKS = "O3"
SUBTLE = True

_single_tensor_sgd = sgd_module._single_tensor_sgd


def _sgd_without_nesterov(*args: Any, **kwargs: Any) -> None:
    """torch's update with the nesterov flag forced off."""
    kwargs["nesterov"] = False
    _single_tensor_sgd(*args, **kwargs)


sgd_module._single_tensor_sgd = _sgd_without_nesterov
