"""Mutant: workers never call ``worker_init_fn``. Caught by D6.

The worker loop drops the init function it is handed (a port that forgets to
call it); batches are still right, in order, with and without workers.
"""

import inspect
from typing import Any

import torch
from torch.utils.data._utils import worker

BREAKS = "D6"
SUBTLE = True

_worker_loop = worker._worker_loop
_INIT_FN = list(inspect.signature(_worker_loop).parameters).index("init_fn")


def _loop_without_init(*args: Any, **kwargs: Any) -> None:
    """torch's worker loop, handed no worker_init_fn."""
    if "init_fn" in kwargs:
        kwargs["init_fn"] = None
    else:
        args = args[:_INIT_FN] + (None,) + args[_INIT_FN + 1 :]
    _worker_loop(*args, **kwargs)


worker._worker_loop = _loop_without_init
