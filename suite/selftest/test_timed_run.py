"""One timed benchmark run end to end, in a fresh pytest: the tables and plots it writes, and its agreement with torch's Timer.

The run times a counting test (proof that timing calls the body many times),
cheap catalogue cases, and, with ``--timer-check``, the same functions again
under ``torch.utils.benchmark.Timer``, back to back. The default run of the
suite shares its machine with other work, and a 0.1-second window of either
tool can land on a burst of someone else's load, so this self-test holds the
harness to a factor of two of Timer (GROSS_BAND): enough to catch a harness
that times the wrong thing (the build, warm-up calls, a round not divided by
its iterations). It also settles what it can: one torch thread (a two-thread
parallel region now and then waits a whole scheduler tick for its second
thread) and rounds of at least 10 ms, as long as Timer's blocks. The 0.9-1.1
agreement is ``python -m suite.benchmarks.agreement``'s, with longer windows
and repeated passes; the README quotes its figures.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from reports.benchmarks import COLUMNS, SCALING_COLUMNS
from suite import PROJECT_ROOT
from suite.selftest.runs import pytest_run
from suite.benchmarks.agreement import QUICK_CASES, agreements, markdown, median_ratio, node_id
from suite.benchmarks.plugin import timing_requested

#: A benchmark test whose workload counts its calls into the file named by $COUNT_FILE.
COUNTING_TEST = '''
import os
from suite.benchmarks.harness import Workload


def test_counting(bench):
    """Counts how often the hot path runs."""
    calls = []

    def build(name, T, device, size):
        def run():
            calls.append(1)
            return size
        return Workload(run=run, work=size, unit="elements"), {"size_means": "elements", "exercises": "V1"}

    bench.build = build
    bench("counting", 10)
    with open(os.environ["COUNT_FILE"], "a") as f:
        f.write(f"{len(calls)}\\n")
'''

#: How far apart the harness and Timer may be in this short self-test (see the module docstring).
GROSS_BAND = (0.5, 2.0)
#: Catalogue cases of the run: the agreement cases, and three sizes of view for a scaling fit.
CASES = [*QUICK_CASES, ("view", 128), ("view", 1250), ("view", 12_800)]


@pytest.fixture(scope="module")
def timed_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the counting test and CASES with ``--benchmark-only --timer-check`` once; return paths and counts."""
    folder = tmp_path_factory.mktemp("timed-run")
    test_file = folder / "test_counting.py"
    test_file.write_text(COUNTING_TEST, encoding="utf-8")
    count_file, report, saved = folder / "counts.txt", folder / "report", folder / "saved.json"
    # A new interpreter: OMP_NUM_THREADS and MKL_NUM_THREADS are read when torch is first imported.
    done = pytest_run(
        "--rootdir", str(PROJECT_ROOT), "--backend", "torch", "--device", "cpu", "--benchmark-only",
        "--benchmark-max-time=0.1", "--benchmark-min-time=0.01", "--bench-warmup=2", "--timer-check=0.1",
        f"--benchmark-json={saved}", "--report-dir", str(report), str(test_file), *[node_id(n, s) for n, s in CASES],
        env={"COUNT_FILE": str(count_file), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}, fresh=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    counts = [int(line) for line in count_file.read_text().split()]
    return {"report": report, "saved": json.loads(saved.read_text(encoding="utf-8")), "counts": counts}


def test_this_plain_run_runs_bodies_once(request: pytest.FixtureRequest) -> None:
    """Without a timing option pytest-benchmark is disabled: each benchmark body runs once, untimed."""
    session = request.config._benchmarksession  # type: ignore[attr-defined]
    assert session.disabled is not timing_requested(request.config)


def test_timed_body_runs_many_times(timed_run: dict[str, Any]) -> None:
    """Timed, the hot path runs for two warm-up calls, calibration and at least five rounds of several calls."""
    assert timed_run["counts"] and timed_run["counts"][0] >= 2 + 5


def test_timed_run_writes_every_table_and_plot(timed_run: dict[str, Any]) -> None:
    """benchmarks.csv (its columns), benchmarks.md, scaling.csv, benchmarks.json and one PNG per benchmark."""
    report = timed_run["report"]
    table = pd.read_csv(report / "benchmarks.csv")
    assert list(table.columns) == [*COLUMNS, "suite"]
    assert table["suite"].str.startswith("torch-conformance ").all()
    assert set(table["benchmark"]) == {"counting"} | {name for name, _ in CASES}
    assert (table["rounds"] >= 5).all() and (table["median_s"] > 0).all()
    assert set(table["ratio_to_baseline"]) == {1.0}  # torch-cpu is its own baseline
    mm = table[table["benchmark"] == "mm"].iloc[0]
    assert mm["throughput_unit"] == "GFLOP/s"
    assert mm["throughput"] == pytest.approx(2 * mm["size"] ** 3 / mm["median_s"] / 1e9)
    scaling = pd.read_csv(report / "scaling.csv")
    assert list(scaling.columns) == [*SCALING_COLUMNS, "suite"]
    assert scaling.set_index("benchmark").loc["view", "points"] == 3
    markdown_text = (report / "benchmarks.md").read_text(encoding="utf-8")
    assert "| view [12800]" in markdown_text and "## Scaling" in markdown_text and "timed by torch-conformance " in markdown_text
    assert json.loads((report / "benchmarks.json").read_text(encoding="utf-8"))["benchmarks"]
    for name in set(table["benchmark"]):
        assert (report / "plots" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (report / "report.html").read_text(encoding="utf-8")
    assert "Benchmarks (median time per call)" in page and page.count("data:image/png;base64,") == len(set(table["benchmark"]))


def test_harness_agrees_with_torch_timer(timed_run: dict[str, Any]) -> None:
    """On the agreement cases, the median of harness median / Timer median lies within GROSS_BAND on cpu."""
    results = agreements(timed_run["saved"], QUICK_CASES)
    assert GROSS_BAND[0] <= median_ratio(results) <= GROSS_BAND[1], markdown(results)
