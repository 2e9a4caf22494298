"""Mutant of the numpy backend: SGD accepts dampening but never applies it. Caught by O3.

The momentum buffer should grow by ``(1 - dampening) * g`` after the first
step; here it grows by the whole g. Plain momentum (dampening 0), Nesterov and
weight decay are still right, and ``param_groups`` still shows the dampening asked for.
"""

from typing import Any

import impls.numpy_backend as T

BREAKS = "O3"
SUBTLE = True

_step = T.optim.SGD.step


def _step_without_dampening(self: T.optim.SGD, closure: Any = None) -> Any:
    """The backend's step with every group's dampening set to 0 for its duration."""
    asked = [group["dampening"] for group in self.param_groups]
    for group in self.param_groups:
        group["dampening"] = 0
    try:
        return _step(self, closure)
    finally:
        for group, dampening in zip(self.param_groups, asked):
            group["dampening"] = dampening


T.optim.SGD.step = _step_without_dampening
