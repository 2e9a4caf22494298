"""The timing harness without a GPU: cuda synchronisation, warm-up, run-once mode and checks, on a fake namespace.

These are the suite's own tests of ``suite/benchmarks/harness.py`` and the
catalogue; they use no backend, so ``--backend`` deselects them like the other self-tests.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import pytest

from reference.behaviours import BEHAVIOURS
from suite import PROJECT_ROOT
from suite.benchmarks.harness import Bench, Workload, synchroniser, timed, warm_up
from suite.benchmarks.plugin import TIMING_OPTIONS, timing_requested
from suite.benchmarks.workloads import CATALOGUE, sizes
from suite.outcomes import BackendMissing


def fake_namespace(log: list[str]) -> Any:
    """A namespace whose ``cuda.synchronize`` only writes "sync" in ``log``."""
    return SimpleNamespace(cuda=SimpleNamespace(synchronize=lambda: log.append("sync")))


class FakeBenchmark:
    """pytest-benchmark's fixture reduced to what the harness uses: calls the function ``rounds`` times, or once when disabled."""

    def __init__(self, log: list[str], disabled: bool, rounds: int = 4) -> None:
        self.log, self.disabled, self.rounds = log, disabled, rounds
        self.group: str | None = None
        self.extra_info: dict[str, Any] = {}

    def __call__(self, function: Callable[[], Any]) -> Any:
        self.log.append("timing starts")
        for _ in range(1 if self.disabled else self.rounds):
            result = function()
        self.log.append("timing ends")
        return result


def counting_bench(log: list[str], device: str, disabled: bool, check: Callable[[Any], None] | None = None) -> Bench:
    """A Bench on the fake namespace whose only workload writes "run" in ``log``."""

    def build(name: str, T: Any, device: str, size: int) -> tuple[Workload, dict[str, Any]]:
        def run() -> int:
            log.append("run")
            return size

        return Workload(run=run, work=size, unit="elements", check=check or (lambda result: None)), {"exercises": "V1"}

    return Bench(T=fake_namespace(log), backend="fake", device=device, benchmark=FakeBenchmark(log, disabled),
                 warmup_calls=2, build=build)


@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_synchroniser_is_the_namespaces_cuda_synchronize(device: str) -> None:
    """On a cuda device the harness waits with ``T.cuda.synchronize``."""
    log: list[str] = []
    sync = synchroniser(fake_namespace(log), device)
    assert sync is not None
    sync()
    assert log == ["sync"]


def test_nothing_is_synchronised_on_the_cpu() -> None:
    """On the cpu there is nothing to wait for, and the timed function is ``run`` itself (nothing added to time)."""
    run = lambda: 1  # noqa: E731
    assert synchroniser(SimpleNamespace(), "cpu") is None
    assert timed(run, None) is run


def test_the_timed_function_synchronises_before_it_returns() -> None:
    """The cuda timed function returns only after ``synchronize``, with ``run``'s result."""
    log: list[str] = []
    function = timed(lambda: log.append("run") or 42, lambda: log.append("sync"))
    assert function() == 42
    assert log == ["run", "sync"]


def test_on_cuda_every_timed_call_ends_in_a_sync_and_warm_up_comes_first() -> None:
    """Timed run on cuda: inputs synchronised, two warm-up calls before timing starts, then every timed call synchronised."""
    log: list[str] = []
    bench = counting_bench(log, "cuda", disabled=False)
    assert bench("counting", 7) == 7
    assert log == (["sync"] + ["run", "sync"] * 2 + ["timing starts"] + ["run", "sync"] * 4 + ["timing ends"])


def test_plain_run_executes_the_body_once_without_warm_up() -> None:
    """Disabled (a plain ``pytest``): no warm-up, the body runs exactly once."""
    log: list[str] = []
    counting_bench(log, "cpu", disabled=True)("counting", 3)
    assert log == ["timing starts", "run", "timing ends"]


def test_run_details_reach_the_report() -> None:
    """The fixture's group and extra_info name the benchmark, target, size, work and behaviours."""
    log: list[str] = []
    bench = counting_bench(log, "cpu", disabled=True)
    bench("counting", 5)
    info = bench.benchmark.extra_info
    assert bench.benchmark.group == "counting"
    assert {k: info[k] for k in ("backend", "device", "benchmark", "size", "work", "unit", "exercises")} == {
        "backend": "fake", "device": "cpu", "benchmark": "counting", "size": 5, "work": 5, "unit": "elements",
        "exercises": "V1"}


def test_a_wrong_result_fails_the_benchmark() -> None:
    """A hot path whose result fails its check fails the test instead of being timed quietly."""

    def check(result: Any) -> None:
        assert result == -1, "wrong"

    with pytest.raises(AssertionError, match="wrong"):
        counting_bench([], "cpu", disabled=True, check=check)("counting", 3)


def test_warm_up_stops_at_its_budget_but_runs_once() -> None:
    """Warm-up makes at most ``calls`` calls, at least one, and stops early past its time budget."""
    calls: list[int] = []
    assert warm_up(lambda: calls.append(1), calls=5) == 5
    assert warm_up(lambda: calls.append(1), calls=5, budget_s=0.0) == 1


def test_an_api_the_backend_lacks_is_missing() -> None:
    """A namespace without ``tensor``: the benchmark raises BackendMissing (outcome ``missing``), naming the attribute."""
    bench = Bench(T=SimpleNamespace(), backend="bare", device="cpu", benchmark=FakeBenchmark([], disabled=True))
    with pytest.raises(BackendMissing, match="tensor"):
        bench("mm", 10)


def test_an_attribute_error_inside_the_backend_is_not_missing() -> None:
    """An AttributeError raised deep in the backend's own code is a bug there, reported as it is."""

    def broken_tensor(data: Any, **kwargs: Any) -> Any:
        return SimpleNamespace().storage  # the backend's own bug, not an API the workload asked for

    bench = Bench(T=SimpleNamespace(tensor=broken_tensor), backend="broken", device="cpu",
                  benchmark=FakeBenchmark([], disabled=True))
    with pytest.raises(AttributeError):
        bench("mm", 10)


def test_workload_units_are_checked() -> None:
    """A workload counts its work in elements, samples or flop."""
    with pytest.raises(ValueError, match="unit"):
        Workload(run=lambda: None, work=1, unit="bytes")


@pytest.mark.parametrize("options, timed_run", [({}, False), ({"benchmark_only": True}, True),
                                                ({"benchmark_json": "x.json"}, True), ({"benchmark_save": "a"}, True)])
def test_timing_is_on_only_when_asked_for(options: dict[str, Any], timed_run: bool) -> None:
    """Without a pytest-benchmark option asking for results, benchmarks run once, untimed."""
    values = {name: None for name in TIMING_OPTIONS} | options
    config = SimpleNamespace(getoption=lambda name, default=None: values.get(name, default))
    assert timing_requested(config) is timed_run  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_catalogue_entry_is_complete(name: str) -> None:
    """Every benchmark has three or more sizes spanning 100x or more, known behaviour ids and a test."""
    entry = CATALOGUE[name]
    assert len(entry.sizes) >= 3 and entry.span >= 100, f"{name}: sizes {entry.sizes}"
    assert entry.exercises and set(entry.exercises) <= set(BEHAVIOURS), entry.exercises
    tests = "".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "suite" / "benchmarks").glob("test_bench_*.py"))
    assert f'bench("{name}", size)' in tests, f"no test times {name}"


def test_the_agreement_scripts_cases_are_benchmarks_the_suite_runs() -> None:
    """Every case of ``python -m suite.benchmarks.agreement`` names a catalogued benchmark at one of its sizes."""
    from suite.benchmarks.agreement import DEFAULT_CASES, QUICK_CASES

    for name, size in (*DEFAULT_CASES, *QUICK_CASES):
        assert size in sizes(name), f"{name} has no size {size}; its sizes are {sizes(name)}"


def test_synthetic_samples_are_drawn_once_per_count_and_cannot_be_written() -> None:
    """The DataLoader and training benchmarks' MNIST-shaped samples: one read-only draw per count, the same values."""
    from suite.benchmarks.workloads import _mnist_like

    images, targets = _mnist_like(600)
    again = _mnist_like(600)
    assert again[0] is images and again[1] is targets
    assert images.shape == (600, 28, 28) and targets.shape == (600, 10) and (targets.sum(axis=1) == 1).all()
    assert not images.flags.writeable and not targets.flags.writeable
    with pytest.raises(ValueError):
        images[0, 0, 0] = 1.0
    _mnist_like.cache_clear()
    redrawn, _ = _mnist_like(600)
    assert redrawn is not images and (redrawn == images).all()
