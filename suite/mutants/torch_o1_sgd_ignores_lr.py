"""Mutant: SGD ignores the lr it is given and always steps with 0.1. Caught by O1.

A port whose constructor reads ``def __init__(self, params, lr=0.1, ...)``
and then builds its defaults as ``dict(lr=0.1, ...)``, the default's literal
copied where the argument belonged: every group steps with 0.1. Right for
document 002's ``SGD([x], lr=0.1)``, whose printed trace and settled 6.147,
-10.822 it reproduces; wrong for any other learning rate. O3's and O4's
tests, which use other rates, fail with it.
"""

from typing import Any

import torch

BREAKS = "O1"
SUBTLE = True

_init = torch.optim.SGD.__init__


def _init_with_literal_lr(self: torch.optim.SGD, params: Any, lr: Any = 0.1, *args: Any, **kwargs: Any) -> None:
    """torch's SGD constructor, given 0.1 whatever lr was passed."""
    _init(self, params, 0.1, *args, **kwargs)


torch.optim.SGD.__init__ = _init_with_literal_lr
