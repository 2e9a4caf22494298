"""A backend in a worker process is benchmarked in its worker, by the harness's rules, and reported like the others."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from impls import numpy_backend
from suite import PROJECT_ROOT
from suite.benchmarks.remote import time_workload
from suite.selftest.runs import pytest_run


def test_a_worker_times_rounds_of_calibrated_iterations() -> None:
    """Rounds until max_time (at least min_rounds), each of enough iterations to last min_time; the result is checked."""
    reply = time_workload(numpy_backend, "cpu", name="mm", size=30, timing=True, warmup=1, min_rounds=5,
                          max_time=0.05, min_time=1e-4)
    rounds = np.asarray(reply["rounds"])
    # mm at 30 takes microseconds: a round needs several calls to last 0.1 ms (later rounds may run a little faster)
    assert len(rounds) >= 5 and reply["iterations"] > 1 and np.median(rounds) >= 0.5e-4
    assert reply["info"]["unit"] == "flop" and reply["info"]["work"] == 2 * 30**3


def test_a_plain_run_calls_the_body_once_untimed() -> None:
    """Without timing, no rounds: the hot path ran once and its result was checked."""
    reply = time_workload(numpy_backend, "cpu", name="mm", size=10, timing=False)
    assert reply["iterations"] == 0 and len(reply["rounds"]) == 0


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Time mm on the numpy backend in the pytest process and the same backend in a worker, in one run.

    BLAS runs one thread in both (a new interpreter, so that the variable is read when numpy loads): with its
    default two, a neighbour on the other core (the plain run's other pytest-xdist worker) halves the speed of
    whichever side it overlaps, and the pair measured 2.2x apart in one such run.
    """
    report = tmp_path_factory.mktemp("remote") / "report"
    done = pytest_run("--backend", "numpy", "--backend", f"iso={PROJECT_ROOT / 'impls' / 'numpy_backend'}",
                      "-m", "benchmark", "--benchmark-only", "-k", "test_bench_mm", "--device", "cpu",
                      "--benchmark-max-time", "0.4", "--baseline", "numpy-cpu", "--report-dir", str(report),
                      env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}, fresh=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return report


def test_the_workers_rounds_reach_the_benchmark_tables(side_by_side: Path) -> None:
    """benchmarks.csv has the worker's rows for every size; benchmarks.json says where they were timed."""
    frame = pd.read_csv(side_by_side / "benchmarks.csv")
    sizes = {target: sorted(rows["size"]) for target, rows in frame.groupby("backend")}
    assert sizes["iso"] == sizes["numpy"] and len(sizes["iso"]) >= 3
    assert (frame.loc[frame["backend"] == "iso", "rounds"] >= 5).all()
    where = {entry["extra_info"]["backend"]: entry["extra_info"].get("timed_in", "test process")
             for entry in json.loads((side_by_side / "benchmarks.json").read_text())["benchmarks"]}
    assert where == {"numpy": "test process", "iso": "worker"}


def test_the_same_backend_times_alike_in_a_worker(side_by_side: Path) -> None:
    """At the largest size (milliseconds a call) the worker's fastest round is within 1.5x of the in-process one.

    The fastest round, not the median: load from elsewhere only ever adds time, so the minimum is what the two
    sides' own cost shows through (timeit's advice), while a worker that timed more than the call (its inputs'
    set-up, the pipe) is slower in every round.
    """
    frame = pd.read_csv(side_by_side / "benchmarks.csv")
    largest = frame[frame["size"] == frame["size"].max()].set_index("backend")["min_s"]
    assert 1 / 1.5 < largest["iso"] / largest["numpy"] < 1.5, largest.to_dict()
