"""Mutant: nn.Linear computes ``x @ W.T + b`` as two operations, so its grad_fn is AddBackward0. Caught by A5.

A port without a fused addmm: the values and gradients are right, but the node
PyTorch prints as ``grad_fn=<AddmmBackward0>`` (document 004's hidden1) is
an AddBackward0.
"""

from typing import Optional

import torch

BREAKS = "A5"
SUBTLE = False


def _unfused_linear(input: torch.Tensor, weight: torch.Tensor, bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``input @ weight.T + bias``, as a matmul and an add."""
    out = input @ weight.T
    return out if bias is None else out + bias


torch.nn.functional.linear = _unfused_linear
