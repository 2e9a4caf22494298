"""Mutant: Module.__setattr__ registers any tensor that requires grad as a parameter. Caught by M2.

A port that decides registration by ``requires_grad`` rather than by type
("a parameter is a tensor the optimiser must train"): document 000's plain
``Tensor(randn(...))`` attributes do not require grad and still register
nothing, but ``self.scale = torch.randn(3).requires_grad_()`` turns up in
parameters(), where PyTorch registers only nn.Parameter. M3's test of
user-defined modules sees the extra names too.
"""

from typing import Any

import torch

BREAKS = "M2"
SUBTLE = True

_setattr = torch.nn.Module.__setattr__


def _setattr_registering_by_requires_grad(self: torch.nn.Module, name: str, value: Any) -> None:
    """torch's __setattr__, except that in a user's subclass a plain tensor requiring grad is put among the parameters."""
    if (isinstance(value, torch.Tensor) and not isinstance(value, torch.nn.Parameter) and value.requires_grad
            and not type(self).__module__.startswith("torch.") and "_parameters" in self.__dict__):
        self.__dict__.pop(name, None)
        self._parameters[name] = value
        return
    _setattr(self, name, value)


torch.nn.Module.__setattr__ = _setattr_registering_by_requires_grad
