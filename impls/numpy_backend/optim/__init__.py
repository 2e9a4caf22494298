"""``optim``: ``Optimizer`` and ``SGD`` (O1-O4)."""

from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD"]
