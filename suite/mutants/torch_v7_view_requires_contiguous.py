"""Mutant: view() of any non-contiguous tensor raises. Caught by V7 (subtle).

A port that checks ``is_contiguous()`` instead of whether the strides can express
the new shape: the document's view of a transposed tensor still raises, as it
must, but so does ``x.t().view(x.t().shape)`` or splitting one dim of a
transposed tensor, which torch allows.
"""

import torch

BREAKS = "V7"
SUBTLE = True

_view = torch.Tensor.view


def _contiguous_only(self: torch.Tensor, *shape: object) -> torch.Tensor:
    """torch's view, refused outright on a non-contiguous tensor (a dtype view is left alone)."""
    if not self.is_contiguous() and not (len(shape) == 1 and isinstance(shape[0], torch.dtype)):
        raise RuntimeError("view size is not compatible with input tensor's size and stride: call .contiguous() first")
    return _view(self, *shape)


torch.Tensor.view = _contiguous_only
