"""Mutant: ``with torch.no_grad():`` does not switch tracking off. Caught by A7.

A port whose ``no_grad`` is a context manager that was never wired to the
grad mode: results computed inside it still require grad and carry a grad_fn.
torch's own modules (nn.init fills parameters inside no_grad) keep the real
one, as a from-scratch backend's internals would not go through its public
``no_grad``; only user code sees the broken context.
"""

import sys
from typing import Any

import torch

BREAKS = "A7"
SUBTLE = False

_no_grad = torch.no_grad


class _NoGradThatTracks(_no_grad):
    """torch.no_grad for torch's own modules; for everyone else a context that changes nothing."""

    def __enter__(self) -> None:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        self._real = caller.split(".")[0] == "torch"
        if self._real:
            super().__enter__()

    def __exit__(self, *exc: Any) -> None:
        if self._real:
            super().__exit__(*exc)


torch.no_grad = _NoGradThatTracks
