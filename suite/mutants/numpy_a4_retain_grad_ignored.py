"""Mutant of the numpy backend: retain_grad() does nothing, so non-leaf tensors never keep a gradient. Caught by A4.

Document 001's ``y.retain_grad(); z.retain_grad(); z.backward()`` must leave
``y.grad == 0.008`` and ``z.grad == 1``; here both stay None and
``retains_grad`` stays False (leaf gradients are unaffected).
"""

import impls.numpy_backend as T

BREAKS = "A4"
SUBTLE = False


def _ignore_retain_grad(self: T.Tensor) -> None:
    """Accept the call and forget it."""


T.Tensor.retain_grad = _ignore_retain_grad
