"""Worker processes: each loads and collates the batches it is sent; the main process puts them back in order (D6).

The main process sends ``(batch number, indices)`` to the workers in turn,
keeping ``prefetch_factor`` batches outstanding per worker, and yields the
results strictly by batch number, whichever worker finishes first. A worker
calls ``worker_init_fn(worker_id)`` once when it starts, after seeding
``random``, numpy's global RNG and the backend's default generator with
``base_seed + worker_id``. Results travel pickled; an exception in a worker
travels as text and is raised again, with its type, in the main process.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import queue
import random
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ._backend import backend
from .fetch import make_fetch

#: How often a waiting process checks that the other side is still alive, in seconds.
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` tells code running in a worker (D6)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's id, the number of workers, its seed and its dataset copy; None in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process as its type and traceback text."""

    def __init__(self, exc: BaseException, where: str) -> None:
        self.exc_type: type = type(exc)
        try:
            pickle.dumps(self.exc_type)
        except Exception:  # a class pickle cannot name travels as RuntimeError
            self.exc_type = RuntimeError
        self.message = f"Caught {type(exc).__name__} {where}.\nOriginal {''.join(traceback.format_exception(exc))}"

    def reraise(self) -> None:
        """Raise the worker's exception in this process (RuntimeError where its type cannot take a message)."""
        try:
            error = self.exc_type(self.message)
        except Exception:
            error = RuntimeError(self.message)
        try:
            raise error
        finally:
            error = None  # no frame -> exception -> traceback -> frame cycle keeping the iterator alive


def _seed_worker(seed: int) -> None:
    """Seed every RNG a dataset may use in this worker."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    backend().manual_seed(seed)


def _worker_loop(dataset: Any, auto_collation: bool, collate_fn: Callable, index_queue: Any, result_queue: Any,
                 seed: int, init_fn: Callable[[int], None] | None, worker_id: int, num_workers: int, parent: int) -> None:
    """Serve ``(number, indices)`` tasks until None arrives or the parent process is gone."""
    global _worker_info
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    init_error: ExceptionWrapper | None = None
    try:
        _seed_worker(seed)
        if init_fn is not None:
            init_fn(worker_id)
    except Exception as exc:
        init_error = ExceptionWrapper(exc, f"in worker_init_fn of DataLoader worker process {worker_id}")
    fetch = make_fetch(dataset, auto_collation, collate_fn)
    while True:
        try:
            task = index_queue.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if task is None:
            break
        number, indices = task
        try:
            result = init_error or fetch(indices)
        except Exception as exc:
            result = ExceptionWrapper(exc, f"in DataLoader worker process {worker_id}")
        try:
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a batch pickle cannot carry: say so rather than leave the main process waiting
            payload = pickle.dumps(ExceptionWrapper(exc, f"sending a batch from DataLoader worker process {worker_id}"))
        result_queue.put((number, payload))
    result_queue.cancel_join_thread()


class MultiProcessIter:
    """An epoch over a loader with ``num_workers > 0``; with persistent workers it is reset for the next epoch."""

    def __init__(self, loader: Any) -> None:
        context = loader.multiprocessing_context
        if context is None or isinstance(context, str):
            context = multiprocessing.get_context(context)
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._prefetch = max(1, loader.prefetch_factor or 2) * loader.num_workers
        self._result_queue = context.Queue()
        self._index_queues = []
        self._workers = []
        base_seed = loader._base_seed()
        for worker_id in range(loader.num_workers):
            index_queue = context.Queue()
            args = (loader.dataset, loader._auto_collation, loader.collate_fn, index_queue, self._result_queue,
                    base_seed + worker_id, loader.worker_init_fn, worker_id, loader.num_workers, os.getpid())
            process = context.Process(target=_worker_loop, args=args, daemon=True)
            process.start()
            self._index_queues.append(index_queue)
            self._workers.append(process)
        self._shut = False
        self.reset(loader, first=True)

    def reset(self, loader: Any, first: bool = False) -> None:
        """Start an epoch: a fresh pass of the index sampler, the first batches sent out at once."""
        if not first:
            self._drain()
            loader._base_seed()  # one draw per epoch, as the single-process iterator makes
        self._index_sampler = loader._index_sampler  # not the loader: a persistent loader holds this iterator
        self._persistent = loader.persistent_workers
        self._sampler_iter = iter(self._index_sampler)
        self._sent = self._received = 0
        self._buffer: dict[int, bytes] = {}
        self._next_worker = itertools.cycle(range(self._num_workers))
        for _ in range(self._prefetch):
            self._send_one()

    def _send_one(self) -> None:
        """Send the next indices to the next worker, if the sampler has more."""
        try:
            indices = next(self._sampler_iter)
        except StopIteration:
            return
        self._index_queues[next(self._next_worker)].put((self._sent, indices))
        self._sent += 1

    def _get(self) -> tuple[int, bytes]:
        """The next result any worker finished, within ``timeout`` (0: wait as long as the workers live)."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = POLL_SECONDS if deadline is None else min(POLL_SECONDS, max(0.0, deadline - time.monotonic()))
            try:
                return self._result_queue.get(timeout=wait)
            except queue.Empty:
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self.shutdown(patience=0.0)
                    raise RuntimeError(f"DataLoader worker (pid(s) {dead}) exited unexpectedly") from None
                if deadline is not None and time.monotonic() >= deadline:
                    self.shutdown(patience=0.0)
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None

    def _drain(self) -> None:
        """Collect and drop what is still outstanding from an epoch left unfinished."""
        while len(self._buffer) < self._sent - self._received:
            number, payload = self._get()
            self._buffer[number] = payload
        self._buffer.clear()
        self._received = self._sent

    def __iter__(self) -> "MultiProcessIter":
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __next__(self) -> Any:
        if self._received == self._sent:  # the sampler is spent and every batch delivered
            if not self._persistent:
                self.shutdown()
            raise StopIteration
        while self._received not in self._buffer:
            number, payload = self._get()
            self._buffer[number] = payload
        payload = self._buffer.pop(self._received)
        self._received += 1
        self._send_one()
        data = pickle.loads(payload)
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def shutdown(self, patience: float = 2 * POLL_SECONDS) -> None:
        """Stop the workers (wait up to ``patience`` seconds each, then terminate) and close the queues."""
        if self._shut:
            return
        self._shut = True
        for index_queue in self._index_queues:
            index_queue.put(None)
        for process in self._workers:
            process.join(timeout=patience)
            if process.is_alive():
                process.terminate()
        for q in [*self._index_queues, self._result_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self) -> None:
        try:
            self.shutdown()
        except Exception:  # interpreter shutdown: queues may already be gone
            pass
