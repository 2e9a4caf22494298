"""Mutant: in-place methods on a non-contiguous tensor change a contiguous copy. Caught by T7.

A backend whose elementwise kernels need contiguous memory: for a transposed
or strided view it makes a contiguous copy, runs the kernel there and forgets
to write the result back. Every contiguous tensor (all of the document's, and
``x[1:]``) is changed and returned as it should be; ``x.t().add_(1)`` or
``x[:, 1:].zero_()`` return the view unchanged, and its base with it.
"""

from typing import Any, Callable

import torch

BREAKS = "T7"
SUBTLE = True

#: The in-place methods T7 names.
NAMES = ("zero_", "fill_", "add_", "sub_", "mul_", "neg_", "abs_", "clamp_")


def _on_a_copy(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` as the backend runs it: on self when contiguous, else on a contiguous copy that is thrown away."""

    def inplace(self: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        """Run the kernel where the memory is contiguous; return self either way."""
        if self.is_contiguous():
            return method(self, *args, **kwargs)
        method(self.contiguous(), *args, **kwargs)
        return self

    return inplace


for _name in NAMES:
    setattr(torch.Tensor, _name, _on_a_copy(getattr(torch.Tensor, _name)))
