"""Mutant: ``len(loader)`` counts batches of the dataset, not of the sampler. Caught by D1.

``ceil(len(dataset) / batch_size)``, as every tutorial's loader has it: right
whenever the sampler visits each sample once (the default sequential and
random samplers, the documents' loaders), wrong for a sampler that draws a
subset or repeats, and for a batch_sampler.
"""

import torch  # the namespace the suite loads (path:torch)
from torch.utils.data import DataLoader

BREAKS = "D1"
SUBTLE = True


def _len_of_dataset(self: DataLoader) -> int:
    """Batches of len(dataset) samples at the loader's batch size (1 where a batch_sampler sets it)."""
    n, batch_size = len(self.dataset), self.batch_size or 1
    return n // batch_size if self.drop_last else -(-n // batch_size)


DataLoader.__len__ = _len_of_dataset
