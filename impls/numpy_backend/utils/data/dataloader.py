"""``DataLoader``: batches of a dataset, in the order a sampler gives, loaded here or by worker processes (D1-D6).

The signature is document 000's::

    DataLoader(dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
               collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
               *, prefetch_factor=2, persistent_workers=False)

plus PyTorch's ``multiprocessing_context`` and ``generator``. Options that
contradict each other raise ValueError as PyTorch's do (D5, D6). An epoch is
one pass of the index sampler: a ``BatchSampler`` over ``sampler`` (Sequential,
or Random for ``shuffle=True``) unless a ``batch_sampler`` is given, or the
sampler alone for ``batch_size=None`` (no batching).
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Iterator, TypeVar

from ._backend import backend
from .collate import default_collate, default_convert
from .fetch import make_fetch
from .sampler import BatchSampler, RandomSampler, SequentialSampler
from .worker import MultiProcessIter

T_co = TypeVar("T_co", covariant=True)

#: Attributes fixed once the loader is made (PyTorch refuses to change them too).
_FIXED = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


def _argument_error(batch_size: int | None, shuffle: bool | None, sampler: Any, batch_sampler: Any, drop_last: bool,
                    num_workers: int, timeout: float, prefetch_factor: int | None, persistent_workers: bool) -> str | None:
    """Why these options cannot go together, or None (D5, D6)."""
    if num_workers < 0:
        return "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
    if timeout < 0:
        return "timeout option should be non-negative"
    if num_workers > 0 and prefetch_factor is not None and prefetch_factor < 1:
        return "prefetch_factor option should be a positive integer"
    if persistent_workers and num_workers == 0:
        return "persistent_workers option needs num_workers > 0"
    if sampler is not None and shuffle:
        return "sampler option is mutually exclusive with shuffle"
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
        return "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
    if batch_sampler is None and batch_size is None and drop_last:
        return "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
    return None


class _SingleProcessIter:
    """An epoch loaded in this process: fetch each index batch as the sampler yields it (D1, D2)."""

    def __init__(self, loader: "DataLoader") -> None:
        self._loader = loader
        self._fetch = make_fetch(loader.dataset, loader._auto_collation, loader.collate_fn)
        loader._base_seed()  # one draw per epoch, as the worker processes' seeding makes
        self._indices = iter(loader._index_sampler)

    def __iter__(self) -> "_SingleProcessIter":
        return self

    def __next__(self) -> Any:
        return self._fetch(next(self._indices))

    def __len__(self) -> int:
        return len(self._loader)


class DataLoader(Generic[T_co]):
    """Batches of ``dataset``: ``len(loader)`` of them per epoch, each collated by ``collate_fn`` (D1-D6)."""

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = False,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = 2,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        reason = _argument_error(batch_size, shuffle, sampler, batch_sampler, drop_last, num_workers, timeout,
                                 prefetch_factor, persistent_workers)
        if reason:
            raise ValueError(reason)
        if batch_sampler is not None:
            batch_size, drop_last = None, False  # a user's batch_sampler decides the batches
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn or (default_collate if batch_sampler is not None else default_convert)
        self.pin_memory = pin_memory  # no accelerator here: batches stay where they are
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._iterator: MultiProcessIter | None = None
        self._initialised = True

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_initialised", False) and name in _FIXED:
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        """True when the loader makes batches (``batch_size`` or ``batch_sampler``), False for single samples."""
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        """What one epoch iterates: the batch sampler, or the sampler when there is no batching."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def _base_seed(self) -> int:
        """A seed drawn from ``generator`` (else the default generator), once per epoch, for the workers' RNGs."""
        T = backend()
        options = {} if self.generator is None else {"generator": self.generator}
        return int(T.randint(0, 2**62, (1,), **options).tolist()[0])

    def __len__(self) -> int:
        """Batches per epoch: ceil(N/B), floor with ``drop_last``, or the batch sampler's length (D1)."""
        return len(self._index_sampler)

    def __iter__(self) -> Iterator[Any]:
        """One epoch: in this process, or by ``num_workers`` worker processes, batches in sampler order (D6)."""
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if not self.persistent_workers:
            return MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = MultiProcessIter(self)
        else:
            self._iterator.reset(self)
        return self._iterator
