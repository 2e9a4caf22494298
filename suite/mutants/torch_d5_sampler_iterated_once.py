"""Mutant: a DataLoader iterates a custom sampler only once. Caught by D5 (subtle).

A port that calls ``iter(sampler)`` once and keeps the iterator: the first
epoch follows the sampler's order, as the document's example shows, and
every later epoch is empty.
"""

from typing import Any

import torch
from torch.utils.data import DataLoader, Sampler

BREAKS = "D5"
SUBTLE = True

_init = DataLoader.__init__


class _IteratedOnce(Sampler):
    """The sampler given, its iterator made on the first epoch and handed out again ever after."""

    def __init__(self, sampler: Any) -> None:
        self.sampler, self.iterator = sampler, None

    def __iter__(self):  # type: ignore[no-untyped-def]
        if self.iterator is None:
            self.iterator = iter(self.sampler)
        return self.iterator

    def __len__(self) -> int:
        return len(self.sampler)


def _keeps_the_iterator(self: DataLoader, dataset: Any, *args: Any, **kwargs: Any) -> None:
    """DataLoader.__init__, with a sampler of the user's own wrapped to be iterated once."""
    sampler = kwargs.get("sampler")
    if sampler is not None and type(sampler).__module__.split(".")[0] != "torch":
        kwargs["sampler"] = _IteratedOnce(sampler)
    _init(self, dataset, *args, **kwargs)


DataLoader.__init__ = _keeps_the_iterator
