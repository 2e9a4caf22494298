"""``torch.utils.data`` for the numpy backend: datasets, samplers, collation and the DataLoader (D1-D6).

==========  ===================================================================
D1          dataset.py (``Dataset``, ``TensorDataset``), sampler.py (``BatchSampler``), dataloader.py (``len``)
D2          sampler.py (``SequentialSampler``, ``RandomSampler`` over ``randperm(n, generator=...)``)
D3          collate.py (``default_collate``, ``default_convert``); fetch.py (the TensorDataset fast path)
D4          dataloader.py, fetch.py (``collate_fn`` gets the list of samples)
D5          sampler.py (``Sampler``, ``BatchSampler``), dataloader.py (the options that exclude each other)
D6          worker.py (worker processes, ``worker_init_fn``, ``get_worker_info``), dataloader.py (the signature)
==========  ===================================================================

Nothing here imports torch: the backend is reached at call time through ``_backend.backend()``.
"""

from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler
from .worker import WorkerInfo, get_worker_info

__all__ = [
    "BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "RandomSampler", "Sampler", "SequentialSampler",
    "Subset", "SubsetRandomSampler", "TensorDataset", "WorkerInfo", "default_collate", "default_convert",
    "get_worker_info", "random_split",
]
