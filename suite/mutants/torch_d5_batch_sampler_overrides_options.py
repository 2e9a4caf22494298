"""Mutant: a batch_sampler silently overrides batch_size, shuffle, sampler and drop_last instead of raising. Caught by D5.

A lenient port: when a batch_sampler is given the other batching options are
dropped, so ``DataLoader(ds, batch_size=4, batch_sampler=bs)`` no longer raises
ValueError. Every other check (num_workers, timeout, sampler with shuffle) stays.
"""

from typing import Any

import torch
from torch.utils.data import DataLoader

BREAKS = "D5"
SUBTLE = False

_init = DataLoader.__init__


def _lenient_init(self: DataLoader, dataset: Any, *args: Any, **kwargs: Any) -> None:
    """DataLoader.__init__, with the options a batch_sampler excludes reset to their defaults."""
    if kwargs.get("batch_sampler") is not None:
        kwargs.update(batch_size=1, shuffle=False, sampler=None, drop_last=False)
    _init(self, dataset, *args, **kwargs)


DataLoader.__init__ = _lenient_init
