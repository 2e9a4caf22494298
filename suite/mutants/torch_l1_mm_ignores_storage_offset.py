"""Mutant: matrix products read a view from the start of its storage. Caught by L1.

A young device backend whose matmul kernel is handed the storage pointer, the
shape and the strides, but not the view's storage offset: fresh tensors (every
operand of the document's example) and transposes multiply correctly, while
``A[1:]`` or ``A[:, 1:]`` are read as if they began at the storage's first
element.
"""

from typing import Any

import torch

BREAKS = "L1"
SUBTLE = True

_mm, _matmul, _rmatmul = torch.Tensor.mm, torch.Tensor.matmul, torch.Tensor.__matmul__
_torch_mm, _torch_matmul = torch.mm, torch.matmul


def _from_storage_start(t: Any) -> Any:
    """The tensor's shape and strides laid over its storage from element 0."""
    if not isinstance(t, torch.Tensor) or t.dim() != 2:
        return t
    return t.as_strided(t.shape, t.stride(), 0)


def _ignoring_offset(product: Any) -> Any:
    """``product`` applied to both operands as the offset-blind kernel reads them."""

    def wrong(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
        """The product of what the kernel reads, not of the views."""
        return product(_from_storage_start(a), _from_storage_start(b), *args, **kwargs)

    return wrong


torch.Tensor.mm = _ignoring_offset(_mm)
torch.Tensor.matmul = _ignoring_offset(_matmul)
torch.Tensor.__matmul__ = _ignoring_offset(_rmatmul)
torch.mm = _ignoring_offset(_torch_mm)
torch.matmul = _ignoring_offset(_torch_matmul)
