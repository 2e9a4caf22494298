"""Mutant: ``Module.requires_grad_`` reaches only the module's own parameters. Caught by M6.

A from-scratch Module whose ``requires_grad_`` loops over its own parameter
registry instead of ``self.parameters()``: on a Linear it works, but
transfer learning's ``model.backbone.requires_grad_(False)`` on a container
freezes nothing, and its children keep training. Setting
``param.requires_grad = False`` one by one (the document's way) still works.
"""

import torch

BREAKS = "M6"
SUBTLE = True


def _own_parameters_only(self: torch.nn.Module, requires_grad: bool = True) -> torch.nn.Module:
    """Set requires_grad on the parameters registered on this module itself, not on its children's."""
    for param in self._parameters.values():
        if param is not None:
            param.requires_grad_(requires_grad)
    return self


torch.nn.Module.requires_grad_ = _own_parameters_only
