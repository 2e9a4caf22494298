"""How one benchmark is timed: a workload's hot path, device synchronisation, warm-up, pytest-benchmark.

A *workload* is what a builder in ``suite.benchmarks.workloads`` makes for a
backend ``T``, a device and a size: the inputs are built once, and
``workload.run()`` is the hot path, one call of which is the unit that gets
timed. The harness then

1. makes the timed function: ``run`` itself on the cpu; on a cuda device
   ``run`` followed by ``T.cuda.synchronize()``, because kernels are
   asynchronous and a clock read before they finish measures only the launch;
2. synchronises once before any clock starts, so the inputs' own kernels are
   not charged to the first call;
3. warms up (cuda context, cuBLAS handles, allocator, caches): calls that are
   never handed to the statistics;
4. hands the timed function to pytest-benchmark, whose calibration chooses
   iterations per round and the number of rounds;
5. with ``--timer-check``, times the same function again, straight after, with
   ``torch.utils.benchmark.Timer`` (``suite/benchmarks/agreement.py`` compares the two);
6. checks the last call's result, so a benchmark whose body computes the
   wrong thing fails instead of timing it.

A backend that lacks an API a workload uses ends the benchmark ``missing``
(``BackendMissing``), as a probe's missing API ends a conformance test.

When pytest-benchmark is disabled (a plain ``pytest`` run) there is no
warm-up: the body runs exactly once, untimed.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol

from suite.outcomes import BackendMissing, Outcome, classify

#: Units in which a workload counts the work one call does; throughput is work per second.
UNITS = ("elements", "samples", "flop")


@dataclass(frozen=True)
class Workload:
    """A hot path ready to time: ``run()`` does ``work`` units of ``unit`` (see UNITS) per call."""

    run: Callable[[], Any]
    work: float
    unit: str
    check: Callable[[Any], None] = field(default=lambda result: None)

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit {self.unit!r} is not one of {UNITS}")


class BenchmarkFixture(Protocol):
    """What the harness uses of pytest-benchmark's ``benchmark`` fixture."""

    disabled: bool
    group: str | None
    extra_info: dict[str, Any]

    def __call__(self, function_to_benchmark: Callable[[], Any]) -> Any:
        """Time the function (or, disabled, call it once) and return its result."""


def synchroniser(T: Any, device: str) -> Callable[[], None] | None:
    """``T.<device>.synchronize`` for any device but the cpu that offers it (``cuda``, ``mps``, ``xpu``, ``cuda:N``)."""
    kind = device.split(":")[0]
    if kind == "cpu":
        return None
    return getattr(getattr(T, kind, None), "synchronize", None)


def timed(run: Callable[[], Any], sync: Callable[[], None] | None) -> Callable[[], Any]:
    """The function whose calls are timed: ``run`` itself, or ``run`` then ``sync`` before it returns."""
    if sync is None:
        return run  # nothing added on the cpu: the harness times exactly what torch's Timer would

    def run_and_wait() -> Any:
        result = run()
        sync()
        return result

    return run_and_wait


def warm_up(function: Callable[[], Any], calls: int, budget_s: float = 1.0) -> int:
    """Call ``function`` up to ``calls`` times, stopping early once ``budget_s`` has passed; return how many ran."""
    start = time.perf_counter()
    done = 0
    while done < calls:
        function()
        done += 1
        if time.perf_counter() - start > budget_s:
            break
    return done


@dataclass
class Bench:
    """The ``bench`` fixture: times named workloads on one backend and device."""

    T: Any
    backend: str
    device: str
    benchmark: BenchmarkFixture
    warmup_calls: int = 3
    timer_check: float | None = None  # seconds of torch.utils.benchmark.Timer after each timing, or None
    build: Callable[[str, Any, str, int], tuple[Workload, dict[str, Any]]] | None = None

    @property
    def target(self) -> str:
        """``backend-device``, as in test ids and report columns."""
        return f"{self.backend}-{self.device}"

    @property
    def timing(self) -> bool:
        """True when pytest-benchmark times the body; False when it runs it once (a plain ``pytest``)."""
        return not self.benchmark.disabled

    def __call__(self, name: str, size: int) -> Any:
        """Build benchmark ``name`` at ``size`` on this backend and device, time its hot path, check the result."""
        with missing_api_reported():
            return self._time(name, size)

    def _time(self, name: str, size: int) -> Any:
        """Build, describe for the reports, synchronise, warm up, time, check."""
        build = self.build or _build_from_catalogue
        workload, info = build(name, self.T, self.device, size)
        sync = synchroniser(self.T, self.device)
        function = timed(workload.run, sync)
        self.benchmark.group = name
        threads = getattr(self.T, "get_num_threads", None)
        self.benchmark.extra_info.update(
            backend=self.backend, device=self.device, benchmark=name, size=size,
            work=workload.work, unit=workload.unit, threads=threads() if callable(threads) else None, **info,
        )
        if sync is not None:
            sync()  # the inputs' kernels finish before any clock starts
        if self.timing:
            warm_up(function, self.warmup_calls)
        result = self.benchmark(function)
        if self.timing and self.timer_check:
            self.benchmark.extra_info["timer_median_s"] = torch_timer_median(function, self.timer_check)
        workload.check(result)
        return result


def _build_from_catalogue(name: str, T: Any, device: str, size: int) -> tuple[Workload, dict[str, Any]]:
    """The workload the catalogue names, and what the reports should know about it."""
    from suite.benchmarks.workloads import CATALOGUE

    entry = CATALOGUE[name]
    return entry.build(T, device, size), {"exercises": ",".join(entry.exercises), "size_means": entry.size_means}


@contextmanager
def missing_api_reported() -> Iterator[None]:
    """Re-raise a missing API as BackendMissing (``suite.outcomes.classify`` decides), so the test ends ``missing``."""
    try:
        yield
    except Exception as exc:
        verdict = classify(exc)
        if verdict.outcome is not Outcome.MISSING:
            raise
        raise BackendMissing(verdict.message, verdict.cause, verdict.name) from exc


def torch_timer_median(function: Callable[[], Any], min_run_time: float) -> float:
    """Median seconds per call of ``function`` under ``torch.utils.benchmark.Timer.blocked_autorange``.

    Timer runs one thread unless told otherwise; it is given torch's current
    thread count, so it measures under the same conditions as the harness.
    """
    import torch
    from torch.utils.benchmark import Timer

    timer = Timer(stmt="function()", globals={"function": function}, num_threads=torch.get_num_threads())
    return float(timer.blocked_autorange(min_run_time=min_run_time).median)

