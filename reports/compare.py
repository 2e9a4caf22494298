"""Compare two saved benchmark runs: the ratio of each benchmark's time, and the ones that slowed past a threshold.

A run is any of: a JSON file pytest-benchmark wrote (``--benchmark-save NAME``
stores ``.benchmarks/<machine>/NNNN_NAME.json``; ``--benchmark-json PATH``), or
a run folder of this suite (it keeps the run as benchmarks.json). From a shell::

    python -m reports.compare BEFORE AFTER --threshold 10%

prints the table (Markdown) and exits 1 when any benchmark slowed by more than
the threshold: the regression check a backend author runs before a release.
From Python, ``compare_runs(before, after, threshold=0.10)`` returns it as a DataFrame.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from reports.benchmarks import benchmark_frame, format_seconds
from suite.cli import prog

#: What identifies one measurement across runs.
KEYS = ["benchmark", "size", "backend", "device"]
#: Statistics a comparison may use, by their benchmarks.csv column.
STATISTICS = {"median": "median_s", "min": "min_s", "mean": "mean_s"}


def load_run(source: Path | str) -> pd.DataFrame:
    """A saved run's benchmark frame, from a pytest-benchmark JSON file or a run folder holding benchmarks.json."""
    path = Path(source)
    if path.is_dir():
        path = path / "benchmarks.json"
    if not path.exists():
        raise FileNotFoundError(f"no saved benchmark run at {source} (give a pytest-benchmark .json file or a run folder)")
    document = json.loads(path.read_text(encoding="utf-8"))
    return benchmark_frame(document["benchmarks"])


def parse_threshold(text: str) -> float:
    """``"10%"`` or ``"0.1"`` → 0.1: the fraction by which a benchmark may slow before it is flagged."""
    value = float(text[:-1]) / 100 if text.strip().endswith("%") else float(text)
    if value < 0:
        raise ValueError(f"a threshold is a fraction or a percentage, not negative: {text!r}")
    return value


def compare_runs(before: pd.DataFrame | Path | str, after: pd.DataFrame | Path | str, threshold: float = 0.05,
                 statistic: str = "median") -> pd.DataFrame:
    """One row per benchmark, size, backend and device: both times, after/before, and a flag.

    ``status`` is ``slower`` when after/before > 1 + threshold, ``faster`` when
    it is < 1 / (1 + threshold), empty otherwise; ``only before`` / ``only after``
    for a measurement one run lacks. Rows are sorted with the worst ratio first.
    """
    column = STATISTICS[statistic]
    old = before if isinstance(before, pd.DataFrame) else load_run(before)
    new = after if isinstance(after, pd.DataFrame) else load_run(after)
    table = pd.merge(old[KEYS + [column]], new[KEYS + [column]], on=KEYS, how="outer", suffixes=("_before", "_after"))
    table = table.rename(columns={f"{column}_before": "before_s", f"{column}_after": "after_s"})
    table["ratio"] = table["after_s"] / table["before_s"]
    table["change_pct"] = 100 * (table["ratio"] - 1)
    status = np.where(table["ratio"] > 1 + threshold, "slower",
                      np.where(table["ratio"] < 1 / (1 + threshold), "faster", ""))
    status = np.where(table["before_s"].isna(), "only after", np.where(table["after_s"].isna(), "only before", status))
    table["status"] = status
    table["statistic"] = statistic
    table["threshold"] = threshold
    return table.sort_values("ratio", ascending=False, na_position="last", kind="stable").reset_index(drop=True)


def regressions(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a comparison flagged ``slower``."""
    return table[table["status"] == "slower"]


def comparison_markdown(table: pd.DataFrame) -> str:
    """A Markdown report of a comparison: the verdict, then every row."""
    threshold = float(table["threshold"].iloc[0]) if len(table) else 0.0
    statistic = table["statistic"].iloc[0] if len(table) else "median"
    slowed = regressions(table)
    shown = table.assign(
        target=table["backend"] + "-" + table["device"],
        before=table["before_s"].map(format_seconds),
        after=table["after_s"].map(format_seconds),
        ratio=table["ratio"].map(lambda r: f"{r:.3f}" if np.isfinite(r) else ""),
        change=table["change_pct"].map(lambda c: f"{c:+.1f}%" if np.isfinite(c) else ""),
    )[["benchmark", "size", "target", "before", "after", "ratio", "change", "status"]]
    both = int(table["before_s"].notna().sum() - table["after_s"].isna().sum())
    verdict = (f"{len(slowed)} of {both} measurements slowed by more than {100 * threshold:g}%"
               if len(slowed) else f"no measurement slowed by more than {100 * threshold:g}% ({both} compared)")
    lone = {status: int((table["status"] == status).sum()) for status in ("only before", "only after")}
    if any(lone.values()):
        verdict += "; " + ", ".join(f"{count} {status}" for status, count in lone.items() if count)
    return "\n".join([
        "# Benchmark comparison", "",
        f"Ratio = after / before of the {statistic} time per call; flagged `slower` above {1 + threshold:g}, "
        f"`faster` below {1 / (1 + threshold):.3g}.", "",
        f"**{verdict}.**", "",
        shown.to_markdown(index=False, disable_numparse=True), "",
    ])


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison of two runs; exit 1 when any benchmark slowed by more than the threshold."""
    parser = argparse.ArgumentParser(prog=prog("reports.compare"), description=__doc__.splitlines()[0])
    parser.add_argument("before", help="the older run: a pytest-benchmark .json file or a run folder")
    parser.add_argument("after", help="the newer run, the same way")
    parser.add_argument("--threshold", type=parse_threshold, default=0.05, help="slowdown to flag, as 10%% or 0.1 (default 5%%)")
    parser.add_argument("--statistic", choices=sorted(STATISTICS), default="median", help="which time to compare (default median)")
    parser.add_argument("--out", type=Path, help="also write the report (Markdown) here, and the table as CSV beside it")
    options = parser.parse_args(argv)
    table = compare_runs(options.before, options.after, options.threshold, options.statistic)
    text = comparison_markdown(table)
    print(text)
    if options.out:
        options.out.write_text(text, encoding="utf-8")
        table.to_csv(options.out.with_suffix(".csv"), index=False)
    return 1 if len(regressions(table)) else 0


if __name__ == "__main__":
    sys.exit(main())
