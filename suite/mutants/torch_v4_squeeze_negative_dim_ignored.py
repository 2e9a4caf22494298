"""Mutant: squeeze(dim) with a negative dim changes nothing. Caught by V4 (subtle).

A port that drops ``dim`` only when ``0 <= dim < ndim`` and its size is 1: the
document's squeeze(2), squeeze(0) and squeeze(1) on (2, 4, 1) are right, but
squeeze(-1) leaves (2, 4, 1) as it is instead of giving (2, 4).
"""

import torch

BREAKS = "V4"
SUBTLE = True

_squeeze = torch.Tensor.squeeze


def _negative_ignored(self: torch.Tensor, *dims: object) -> torch.Tensor:
    """torch's squeeze, except that a negative int dim (in range) returns the tensor's shape unchanged."""
    if len(dims) == 1 and isinstance(dims[0], int) and dims[0] < 0:
        _squeeze(self, *dims)  # keeps torch's range check
        return self.view(self.shape)
    return _squeeze(self, *dims)


torch.Tensor.squeeze = _negative_ignored
