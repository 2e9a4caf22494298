"""Benchmark hooks of the pytest plugin: the ``bench`` fixture, plain-run vs timed-run mode, the benchmark tables.

Two ways to run (README, "Benchmarks"):

- plain ``pytest``: every benchmark body runs once, untimed (pytest-benchmark's
  disabled mode), so the benchmarks stay tested and the default run stays fast;
- ``pytest -m benchmark --benchmark-only``: pytest-benchmark times them, and the
  run folder (``--report-dir``) gets benchmarks.csv, benchmarks.md, scaling.csv,
  benchmarks.json and plots/<benchmark>.png next to the conformance tables.

Timing is on when the command line asks pytest-benchmark for results
(``--benchmark-only``, ``--benchmark-enable``, ``--benchmark-save``,
``--benchmark-autosave``, ``--benchmark-json``, ``--benchmark-compare``); a run
without any of them is a plain run.

Benchmarks time a backend in this process; a backend held by a worker process
(any non-built-in backend under the default ``--isolate auto``) is timed in its
worker, by the same rules (``suite/benchmarks/remote.py``), and its rounds are
handed to pytest-benchmark's statistics.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from suite.activation import TIMING_OPTIONS, requested
from suite.backends import InProcessBackend, WorkerBackend
from suite.benchmarks.harness import Bench
from suite.benchmarks.remote import RemoteBench

#: The baseline of the ratio column when ``--baseline`` is not given.
DEFAULT_BASELINE = "torch-cpu"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The benchmark options, in the suite's --help group."""
    group = parser.getgroup("torch-conformance")
    group.addoption(
        "--baseline", default=DEFAULT_BASELINE, metavar="BACKEND-DEVICE",
        help="backend-device whose medians the other targets' are divided by in benchmarks.csv/.md "
        f"(default {DEFAULT_BASELINE})",
    )
    group.addoption(
        "--bench-warmup", type=int, default=3, metavar="CALLS",
        help="calls of each timed benchmark before pytest-benchmark calibrates, never counted (default 3, "
        "capped at one second)",
    )
    group.addoption(
        "--timer-check", type=float, nargs="?", const=0.5, default=None, metavar="SECONDS",
        help="after pytest-benchmark, time each benchmark again with torch.utils.benchmark.Timer for SECONDS "
        "(default 0.5) and keep its median as extra_info timer_median_s (see suite/benchmarks/agreement.py)",
    )


def timing_requested(config: pytest.Config) -> bool:
    """True when the command line asks pytest-benchmark for timings."""
    return any(config.getoption(name, None) for name in TIMING_OPTIONS)


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers; in a plain run, put pytest-benchmark in its run-once mode.

    pytest-benchmark reads its options in its own (trylast) pytest_configure, after this one.
    """
    config.addinivalue_line("markers", "benchmark: a pytest-benchmark timing of a hot path (select with -m benchmark)")
    if requested(config) and timing_requested(config) and getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("timed benchmarks run serially (pytest-benchmark cannot time under pytest-xdist): "
                                "drop -n for a timed run; -n is fine for conformance tests and untimed bodies")
    if requested(config) and not timing_requested(config):
        config.option.benchmark_disable = True


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say whether benchmarks are timed in this run (nothing under --contract, or where the suite was not asked for)."""
    if config.getoption("contract", False) or not requested(config):
        return None
    if timing_requested(config):
        return f"benchmarks: timed by pytest-benchmark; ratios against {config.getoption('baseline')}"
    return "benchmarks: each body runs once, untimed (time them with: pytest -m benchmark --benchmark-only)"


#: pytest-benchmark's complaint when a test ends before timing: a benchmark whose workload could not be
#: built (a missing API) already ends ``missing`` or ``error``, and says why.
UNUSED_FIXTURE_WARNING = "ignore:Benchmark fixture was not used at all in this test"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Benchmark tests ignore pytest-benchmark's unused-fixture warning (their outcome already says what went wrong)."""
    if not requested(config):
        return
    for item in items:
        if "bench" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.filterwarnings(UNUSED_FIXTURE_WARNING))


@pytest.fixture
def bench(request: pytest.FixtureRequest, benchmark: Any) -> Iterator[Bench | RemoteBench]:
    """Time a catalogued workload on this test's backend and device: ``bench("mm", size)``.

    In this process for an in-process backend; in its worker, under the test's limits, for a worker-held one.
    """
    from suite.outcomes import BackendError, Cause
    from suite.plugin import state_for_fixture

    state = state_for_fixture(request, "bench")
    label, device = request.param
    backend = state.backends[label]
    warmup = request.config.getoption("bench_warmup")
    if isinstance(backend, WorkerBackend):
        if backend.load_error:
            raise BackendError(backend.load_error, Cause.LOAD)
        backend.begin_test(state.limits)
        yield RemoteBench(backend=backend, label=label, device=device, benchmark=benchmark, warmup_calls=warmup)
        backend.end_test()
        return
    if not isinstance(backend, InProcessBackend) or backend.namespace is None:
        raise BackendError(backend.load_error or f"{label} is not loaded", Cause.LOAD)
    yield Bench(T=backend.namespace, backend=label, device=device, benchmark=benchmark, warmup_calls=warmup,
                timer_check=request.config.getoption("timer_check"))


def timed_benchmarks(config: pytest.Config) -> list[dict[str, Any]]:
    """This run's timed benchmarks, as pytest-benchmark's JSON has them (no per-round data)."""
    session = getattr(config, "_benchmarksession", None)
    if session is None:
        return []
    return [b.as_dict(include_data=False) for b in session.benchmarks
            if b and not b.has_error and "benchmark" in b.extra_info]


def run_document(config: pytest.Config, benchmarks: list[dict[str, Any]]) -> dict[str, Any]:
    """The run in pytest-benchmark's saved-run format (machine_info, commit_info, benchmarks, datetime, version), plus backend versions."""
    from suite.plugin import STATE

    session = config._benchmarksession
    document = config.hook.pytest_benchmark_generate_json(
        config=config, benchmarks=[], include_data=False, machine_info=session.get_machine_info(),
        commit_info=config.hook.pytest_benchmark_generate_commit_info(config=config),
    )
    document["benchmarks"] = benchmarks
    document["backends"] = {label: backend.version for label, backend in config.stash[STATE].backends.items()}
    document["suite"] = config.stash[STATE].suite_version
    return document


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Write the benchmark tables and plots into the run folder, and list them."""
    from suite.plugin import STATE

    state = config.stash.get(STATE, None)
    benchmarks = timed_benchmarks(config)
    if state is None or not benchmarks:
        return
    from reference.behaviours import BEHAVIOURS
    from reports.benchmarks import write_benchmarks
    from reports.folder import shown_path
    from reports.html import write_report_html

    paths = write_benchmarks(run_document(config, benchmarks), state.report_dir, baseline=config.getoption("baseline"))
    page = write_report_html(state.report_dir, {b: entry.title for b, entry in BEHAVIOURS.items()})
    paths += [page] if page else []
    terminalreporter.section("benchmark report", sep="-")
    for path in paths:
        terminalreporter.write_line(f"wrote {shown_path(path)}")
    terminalreporter.write_line(state.report_folder_line())
