"""Mutant: shuffle=True draws from the global RNG and ignores ``generator=``. Caught by D2.

Each epoch is still a permutation of the indices, but seeding the loader's
generator no longer makes the order reproducible: two loaders seeded alike
shuffle differently.
"""

import torch
from torch.utils.data import RandomSampler

BREAKS = "D2"
SUBTLE = False

_iter = RandomSampler.__iter__


def _iter_unseeded(self: RandomSampler):  # type: ignore[no-untyped-def]
    """torch's RandomSampler.__iter__ as if no generator had been given."""
    generator, self.generator = self.generator, None
    try:
        yield from _iter(self)
    finally:
        self.generator = generator


RandomSampler.__iter__ = _iter_unseeded
