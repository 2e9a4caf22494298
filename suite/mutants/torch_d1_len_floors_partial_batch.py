"""Mutant: len(loader) counts only full batches, even when drop_last=False. Caught by D1.

A common slip: ``len(sampler) // batch_size`` for the number of batches. The
batches themselves are right (the last partial one is still yielded), so only
``len(loader)`` is wrong: 33 instead of 34 for 100 samples at batch_size=3.
"""

import torch
from torch.utils.data import BatchSampler

BREAKS = "D1"
SUBTLE = False


def _floor_len(self: BatchSampler) -> int:
    """Full batches only, whatever drop_last says."""
    return len(self.sampler) // self.batch_size


BatchSampler.__len__ = _floor_len
