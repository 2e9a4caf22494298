"""Mutant: worker processes collate with ``default_collate``, not the loader's collate_fn. Caught by D4.

A from-scratch DataLoader whose worker loop was written before custom
collation: with ``num_workers=0`` the user's ``collate_fn`` gets each batch's
samples, while in worker processes the batches are default-collated and the
user's function is never called.
"""

from typing import Any

import torch  # the namespace the suite loads (path:torch)
from torch.utils.data import default_collate
from torch.utils.data.dataloader import _MultiProcessingDataLoaderIter

BREAKS = "D4"
SUBTLE = True

_init = _MultiProcessingDataLoaderIter.__init__


def _workers_with_default_collate(self: _MultiProcessingDataLoaderIter, loader: Any) -> None:
    """Start the workers as torch does, but hand them default_collate instead of loader.collate_fn."""
    asked = loader.collate_fn
    loader.collate_fn = default_collate
    try:
        _init(self, loader)
    finally:
        loader.collate_fn = asked


_MultiProcessingDataLoaderIter.__init__ = _workers_with_default_collate
