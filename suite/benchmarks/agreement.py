"""Does the harness time what ``torch.utils.benchmark.Timer`` times? Both measure the same workloads in one run.

Run it as ``python -m suite.benchmarks.agreement`` (``--help`` for options). It

1. runs the suite's own benchmark tests for the chosen cases through pytest,
   in this process, on torch-cpu, timed by pytest-benchmark with the ``bench``
   fixture (``--benchmark-only --benchmark-json``);
2. with ``--timer-check``, each test times the same timed function again,
   straight after pytest-benchmark, with
   ``Timer("function()").blocked_autorange(min_run_time=...)``, ``num_threads``
   set to torch's own (Timer's default is one thread): the two tools measure
   the same object back to back;
3. repeats that ``--repeat`` times, so that each tool's figure for a case is
   the median of its medians over the passes (a burst of load from elsewhere
   lands in one pass, not in all);
4. prints, per case, both figures and their ratio (harness / Timer), and the
   median of the ratios, which should lie within [0.9, 1.1]. The exit status is
   0 when it does, 1 when it does not.

The README quotes this script's output.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from suite import PROJECT_ROOT
from suite.cli import prog

#: The band the median ratio must lie in.
BAND = (0.9, 1.1)
#: Cases from about a microsecond to tens of milliseconds, one or more per family.
DEFAULT_CASES = (
    ("tensor_from_list", 10_000), ("tensor_from_numpy", 10_000), ("view", 12_800), ("contiguous", 125_000),
    ("mm", 100), ("mm", 300), ("inverse", 100), ("a2_chain_fwd_bwd", 10_000), ("network_fwd_bwd", 8),
    ("sgd_step", 100_000), ("sgd_momentum_step", 100_000), ("dataloader_w0_epoch", 600),
)
#: A quicker selection for the self-test.
QUICK_CASES = (("tensor_from_list", 10_000), ("contiguous", 125_000), ("mm", 100), ("a2_chain_fwd_bwd", 10_000))
BENCHMARK_FOLDER = PROJECT_ROOT / "suite" / "benchmarks"


@dataclass(frozen=True)
class Agreement:
    """One case measured both ways."""

    benchmark: str
    size: int
    harness_s: float
    timer_s: float

    @property
    def ratio(self) -> float:
        """Harness median over Timer median."""
        return self.harness_s / self.timer_s


def node_id(benchmark: str, size: int) -> str:
    """The pytest node id of a benchmark's test on torch-cpu at ``size``."""
    from suite.benchmarks.workloads import size_id

    for module in sorted(BENCHMARK_FOLDER.glob("test_bench_*.py")):
        if f"def test_bench_{benchmark}(" in module.read_text(encoding="utf-8"):
            return f"{module}::test_bench_{benchmark}[torch-cpu-{size_id(benchmark)(size)}]"
    raise ValueError(f"no test_bench_{benchmark} under {BENCHMARK_FOLDER}")


def agreements(document: dict[str, Any], cases: Sequence[tuple[str, int]]) -> list[Agreement]:
    """Both medians per case from a run's pytest-benchmark JSON (the tests ran with ``--timer-check``)."""
    measured = {(b["extra_info"]["benchmark"], int(b["extra_info"]["size"])): b for b in document["benchmarks"]}
    return [Agreement(name, size, measured[(name, size)]["stats"]["median"], measured[(name, size)]["extra_info"]["timer_median_s"])
            for name, size in cases]


def measure_once(cases: Sequence[tuple[str, int]], max_time: float, min_run_time: float,
                 round_time: float | None = None) -> list[Agreement]:
    """Run the cases' benchmark tests once, in this process, with ``--timer-check``: both medians per case.

    ``round_time`` sets pytest-benchmark's shortest round (``--benchmark-min-time``).
    By default its rounds last microseconds while Timer's blocks last about
    10 ms; on a machine other processes share, a long block averages in the
    time spent waiting for the cpu while the median of short rounds leaves it
    out. Rounds of 0.01 s measure the way Timer's blocks do.
    """
    import pytest

    with tempfile.TemporaryDirectory(prefix="timer-agreement-") as folder:
        json_path = Path(folder) / "harness.json"
        args = ["-q", "-p", "no:cacheprovider", "--backend", "torch", "--device", "cpu", "--benchmark-only",
                f"--benchmark-json={json_path}", f"--benchmark-max-time={max_time}", f"--timer-check={min_run_time}",
                *([f"--benchmark-min-time={round_time}"] if round_time else []),
                "--report-dir", str(Path(folder) / "report"), *[node_id(name, size) for name, size in cases]]
        status = pytest.main(args)
        if status != 0:
            raise RuntimeError(f"the benchmark run failed (pytest exit status {status})")
        return agreements(json.loads(json_path.read_text(encoding="utf-8")), cases)


def measure(cases: Sequence[tuple[str, int]], max_time: float, min_run_time: float, repeat: int = 1,
            round_time: float | None = None) -> list[Agreement]:
    """``repeat`` passes of ``measure_once``; per case, each tool's median over the passes."""
    passes = [measure_once(cases, max_time, min_run_time, round_time) for _ in range(repeat)]
    return [Agreement(name, size, statistics.median(p[i].harness_s for p in passes),
                      statistics.median(p[i].timer_s for p in passes)) for i, (name, size) in enumerate(cases)]


def median_ratio(results: Sequence[Agreement]) -> float:
    """The median of the per-case ratios."""
    return statistics.median(r.ratio for r in results)


def markdown(results: Sequence[Agreement]) -> str:
    """A table of both medians and their ratio per case, and the median ratio with its verdict."""
    from reports.benchmarks import format_seconds

    lines = ["| benchmark [size] | harness median | Timer median | harness / Timer |", "|:--|--:|--:|--:|"]
    for r in results:
        lines.append(f"| {r.benchmark} [{r.size}] | {format_seconds(r.harness_s)} | {format_seconds(r.timer_s)} | {r.ratio:.3f} |")
    middle = median_ratio(results)
    verdict = "within" if BAND[0] <= middle <= BAND[1] else "OUTSIDE"
    lines += ["", f"Median ratio over {len(results)} cases: {middle:.3f} ({verdict} [{BAND[0]}, {BAND[1]}])."]
    return "\n".join(lines)


def _case(text: str) -> tuple[str, int]:
    """``mm:100`` → ("mm", 100)."""
    name, _, size = text.partition(":")
    return name, int(size)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the table, optionally write JSON; exit 0 when the median ratio is in the band."""
    parser = argparse.ArgumentParser(prog=prog("suite.benchmarks.agreement"), description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", type=_case, metavar="BENCHMARK:SIZE", help="cases (default: one or more per family)")
    parser.add_argument("--quick", action="store_true", help="four cases, short timings")
    parser.add_argument("--max-time", type=float, help="pytest-benchmark's --benchmark-max-time (default 1.0; 0.2 quick)")
    parser.add_argument("--min-run-time", type=float, help="Timer.blocked_autorange's min_run_time (default 1.0; 0.2 quick)")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the cases; each figure is the median over them")
    parser.add_argument("--round-time", type=float, help="pytest-benchmark's --benchmark-min-time (default: its own, 5 µs)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads for the whole run (default: torch's own)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    options = parser.parse_args(argv)
    import torch

    if options.threads:
        torch.set_num_threads(options.threads)
    cases = options.cases or (QUICK_CASES if options.quick else DEFAULT_CASES)
    short = 0.2 if options.quick else 1.0
    results = measure(cases, options.max_time or short, options.min_run_time or short, options.repeat, options.round_time)
    print()
    print(markdown(results))
    if options.json:
        payload: dict[str, Any] = {
            "cases": [dict(asdict(r), ratio=r.ratio) for r in results], "median_ratio": median_ratio(results),
            "band": list(BAND), "threads": torch.get_num_threads(), "repeat": options.repeat, "round_time": options.round_time,
        }
        options.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0 if BAND[0] <= median_ratio(results) <= BAND[1] else 1


if __name__ == "__main__":
    sys.exit(main())
