"""Mutant: named_parameters() yields the parameters in reverse registration order. Caught by M3.

A port that collects parameters by pushing onto a stack and popping them off:
the names and shapes are right, the order is backwards, so document 004's
``linear_relu_stack.0.weight`` comes last instead of first.
"""

from typing import Iterator

import torch

BREAKS = "M3"
SUBTLE = False

_named_parameters = torch.nn.Module.named_parameters


def _reversed_named_parameters(
    self: torch.nn.Module, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
) -> Iterator[tuple[str, torch.nn.Parameter]]:
    """torch's named_parameters, last registered first."""
    return iter(list(_named_parameters(self, prefix, recurse, remove_duplicate))[::-1])


torch.nn.Module.named_parameters = _reversed_named_parameters
