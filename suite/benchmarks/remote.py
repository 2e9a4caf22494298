"""Timing a backend held by a worker process: the worker times the hot path, pytest-benchmark gets the rounds.

Sending every call across the pipe would time the pipe. Instead the worker
runs ``time_workload`` (a probe like any other: ``(T, device, **kwargs)`` to
plain data) with the harness's own rules, the same as in the test process:

1. build the catalogued workload; the timed function is ``run`` (then
   ``T.<device>.synchronize()`` off the cpu), synchronised once before any
   clock starts, warmed up for ``warmup`` calls (at most a second);
2. calibrate as pytest-benchmark does: iterations per round grow tenfold
   until a round lasts at least ``min_time``;
3. run rounds until ``max_time`` has passed and at least ``min_rounds`` ran
   (at most ``MAX_ROUNDS``), reading ``time.perf_counter`` around each;
4. check the last result, so a wrong hot path fails instead of being timed.

The test process (``RemoteBench``) hands those round times to
pytest-benchmark's statistics, so a worker's benchmark reaches
benchmarks.json, benchmarks.csv and the comparisons like any other.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.benchmarks.harness import BenchmarkFixture, _build_from_catalogue, synchroniser, timed, warm_up

#: The most rounds one benchmark runs in a worker (a sub-microsecond hot path would otherwise send millions).
MAX_ROUNDS = 20_000


def time_workload(T: Any, device: str, name: str, size: int, timing: bool, warmup: int = 3, min_rounds: int = 5,
                  max_time: float = 1.0, min_time: float = 5e-6) -> dict[str, Any]:
    """Build benchmark ``name`` at ``size`` on ``T`` and time it here: round durations, iterations and what it is."""
    workload, info = _build_from_catalogue(name, T, device, size)
    sync = synchroniser(T, device)
    function = timed(workload.run, sync)
    threads = getattr(T, "get_num_threads", None)
    info.update(work=workload.work, unit=workload.unit, threads=threads() if callable(threads) else None)
    if sync is not None:
        sync()
    if not timing:  # a plain run: the body once, untimed
        workload.check(function())
        return {"info": info, "iterations": 0, "rounds": np.zeros(0)}
    warm_up(function, warmup)
    iterations, duration = 1, 0.0
    while True:
        duration = _round(function, iterations)
        if duration >= min_time or iterations >= 10**6:
            break
        iterations *= 10
    rounds = min(MAX_ROUNDS, max(min_rounds, math.ceil(max_time / max(duration, 1e-9))))
    durations = np.array([_round(function, iterations) for _ in range(rounds)])
    workload.check(function())
    return {"info": info, "iterations": iterations, "rounds": durations}


def _round(function: Any, iterations: int) -> float:
    """Seconds for ``iterations`` calls of ``function`` in a row."""
    start = time.perf_counter()
    for _ in range(iterations):
        function()
    return time.perf_counter() - start


@dataclass
class RemoteBench:
    """The ``bench`` fixture for a worker-held backend: ``bench("mm", size)`` times it in its worker."""

    backend: Any  # a WorkerBackend
    label: str
    device: str
    benchmark: BenchmarkFixture
    warmup_calls: int = 3

    @property
    def target(self) -> str:
        """``backend-device``, as in test ids and report columns."""
        return f"{self.label}-{self.device}"

    @property
    def timing(self) -> bool:
        """True when pytest-benchmark times this run's benchmarks."""
        return not self.benchmark.disabled

    def __call__(self, name: str, size: int) -> None:
        """Time benchmark ``name`` at ``size`` in the worker and record its rounds as pytest-benchmark's own."""
        __tracebackhide__ = True
        fixture: Any = self.benchmark
        reply = self.backend.call(time_workload, self.device, {
            "name": name, "size": size, "timing": self.timing, "warmup": self.warmup_calls,
            "min_rounds": getattr(fixture, "_min_rounds", 5), "max_time": getattr(fixture, "_max_time", 1.0),
            "min_time": getattr(fixture, "_min_time", 5e-6),
        })
        fixture.group = name
        fixture.extra_info.update(backend=self.label, device=self.device, benchmark=name, size=size,
                                  timed_in="worker", **reply["info"])
        if not self.timing:
            return
        # pytest-benchmark times in this process; these rounds were timed in the worker, so they are added to a
        # stats record the way its own timing loop adds them (BenchmarkFixture._make_stats, then update per round).
        stats = fixture._make_stats(int(reply["iterations"]))
        for duration in np.asarray(reply["rounds"], dtype=float):
            stats.update(float(duration))
        fixture._mode = "timed in the backend's worker"
