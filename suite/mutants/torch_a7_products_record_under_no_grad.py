"""Mutant: matrix products keep recording the graph inside ``no_grad()``. Caught by A7.

A port whose grad-mode switch is checked by the elementwise kernels but was
never wired into the matrix-product ones: ``r @ w``, ``matmul`` and ``mm``
inside ``no_grad()`` still require grad and carry a grad_fn. The document's
``z = torch.matmul(x, w) + b`` hides it, since the final addition records
nothing; a product that is the last operation shows it.
"""

from typing import Any, Callable

import torch

BREAKS = "A7"
SUBTLE = True


def _always_recording(product: Callable[..., Any]) -> Callable[..., Any]:
    """``product`` computed with grad mode on, whatever the caller's mode is."""

    def recording(*args: Any, **kwargs: Any) -> Any:
        """The product, recorded for autograd even inside no_grad()."""
        with torch.enable_grad():
            return product(*args, **kwargs)

    return recording


torch.Tensor.mm = _always_recording(torch.Tensor.mm)
torch.Tensor.matmul = _always_recording(torch.Tensor.matmul)
torch.Tensor.__matmul__ = _always_recording(torch.Tensor.__matmul__)
torch.mm = _always_recording(torch.mm)
torch.matmul = _always_recording(torch.matmul)
