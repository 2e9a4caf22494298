"""Mutant of the numpy backend: backward writes a leaf's gradient instead of adding to it. Caught by A6.

The classic slip ``leaf.grad = grad`` for ``leaf.grad += grad``: one backward
is right, but a second backward without zeroing replaces the first gradient
instead of accumulating (O2's "without zero_grad they accumulate" sees it too).
"""

import numpy as np

import impls.numpy_backend as T
from impls.numpy_backend.autograd import AccumulateGrad

BREAKS = "A6"
SUBTLE = False

_accumulate = AccumulateGrad.accumulate


def _overwrite(self: AccumulateGrad, grad: np.ndarray, adoptable: bool) -> None:
    """Forget the gradient the leaf had, then store the new one."""
    self.variable.grad = None
    _accumulate(self, grad, adoptable)


AccumulateGrad.accumulate = _overwrite
