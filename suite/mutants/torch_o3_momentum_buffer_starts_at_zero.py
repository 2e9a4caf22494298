"""Mutant: SGD's momentum buffer starts at zero instead of at the first gradient. Caught by O3.

The textbook form ``b ← μ·b + (1 − τ)·g`` applied from b = 0 on the first step
too: PyTorch documents ``b ← g`` there. With no dampening the two agree; with
dampening τ the first step is (1 − τ) times too short, and every later one follows.
"""

from typing import Any

import torch
import torch.optim.sgd as sgd_module

BREAKS = "O3"
SUBTLE = True

_single_tensor_sgd = sgd_module._single_tensor_sgd


def _sgd_from_zero_buffers(params: list[torch.Tensor], grads: list[torch.Tensor], momentum_buffer_list: list[Any],
                           *args: Any, **kwargs: Any) -> None:
    """Give every parameter without a buffer a zero one, then torch's update."""
    if kwargs.get("momentum", 0) != 0:
        for i, param in enumerate(params):
            if momentum_buffer_list[i] is None:
                momentum_buffer_list[i] = torch.zeros_like(param)
    _single_tensor_sgd(params, grads, momentum_buffer_list, *args, **kwargs)


sgd_module._single_tensor_sgd = _sgd_from_zero_buffers
