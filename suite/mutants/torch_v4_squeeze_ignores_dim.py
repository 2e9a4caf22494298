"""Mutant: squeeze(dim) ignores dim and drops every size-1 dim. Caught by V4.

A common slip: forwarding squeeze(dim) to squeeze(). On the document's (2, 4, 1)
tensor squeeze(0) must change nothing, but here it drops dim 2.
"""

import torch

BREAKS = "V4"
SUBTLE = False

_squeeze = torch.Tensor.squeeze


def _squeeze_all(self: torch.Tensor, *dims: object) -> torch.Tensor:
    """squeeze() whatever dim was asked for (out-of-range dims still raise)."""
    if dims:
        _squeeze(self, *dims)  # keeps torch's range check
    return _squeeze(self)


torch.Tensor.squeeze = _squeeze_all
