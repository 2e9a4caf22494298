"""Mutant of the numpy backend: squeeze(dim) ignores dim and drops every size-1 dim. Caught by V4.

Document 002's ``s.squeeze(0)`` on shape (2, 4, 1) must leave it alone; this
squeeze gives (2, 4), and an out-of-range dim no longer raises.
"""

from typing import Any

import impls.numpy_backend as T

BREAKS = "V4"
SUBTLE = False

_squeeze = T.Tensor.squeeze


def _squeeze_everything(self: T.Tensor, dim: Any = None) -> T.Tensor:
    """squeeze() whatever dim was asked for."""
    return _squeeze(self)


T.Tensor.squeeze = _squeeze_everything
