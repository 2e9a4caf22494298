"""Sample submission "wrong": a port of PyTorch with three subtle bugs a student could well write.

1. ``type()`` calls an int64 tensor ``torch.IntTensor`` (int64 is a *Long*; Int is int32).      -> T2
2. ``view()`` returns a copy with the right shape and values, so writes no longer reach the base. -> V3
3. ``detach()`` copies instead of sharing data (it does stop gradients, as it should).            -> A7,
   only its detach() tests: the no_grad() example of A7 is unaffected (partial credit)

Everything else is PyTorch's. The bugs are made by patching torch's tensor
methods in this process only (the grader runs each submission in a process of
its own). ``expected.toml`` beside this file says what the grade must be.
"""

import torch

__version__ = f"wrong (torch {torch.__version__} with three bugs)"

_type = torch.Tensor.type
_view = torch.Tensor.view
_detach = torch.Tensor.detach


def _wrong_type(self, dtype=None, non_blocking=False, **kwargs):
    """Bug 1: int64 tensors call themselves IntTensor."""
    if dtype is None and not kwargs and self.dtype == torch.int64:
        return "torch.cuda.IntTensor" if self.is_cuda else "torch.IntTensor"
    return _type(self, dtype, non_blocking, **kwargs) if dtype is not None else _type(self)


def _wrong_view(self, *shape):
    """Bug 2: the right shape and values, but a new storage."""
    return _view(self, *shape).clone()


def _wrong_detach(self):
    """Bug 3: a tensor outside the graph, but with its own copy of the data."""
    return _detach(self).clone()


torch.Tensor.type = _wrong_type
torch.Tensor.view = _wrong_view
torch.Tensor.detach = _wrong_detach


def __getattr__(name: str) -> object:
    """Every other name is torch's."""
    return getattr(torch, name)
