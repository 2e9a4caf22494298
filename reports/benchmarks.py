"""Benchmark results as DataFrames, and the files a timed run leaves: benchmarks.csv, benchmarks.md, scaling.csv.

The input is pytest-benchmark's own JSON (what ``--benchmark-json`` and
``--benchmark-save`` write, and what a run folder keeps as benchmarks.json):
``{"machine_info", "commit_info", "benchmarks": [{"name", "params", "extra_info",
"stats": {"min", "median", ...}}]}``. The suite's ``bench`` fixture puts backend,
device, benchmark, size, work and unit in ``extra_info``.

From Python, ``load_benchmarks(folder)`` gives every table of a run folder::

    from reports.benchmarks import load_benchmarks
    tables = load_benchmarks("reports/runs/20260101-120000")
    tables.results            # one row per (benchmark, size, backend, device), the columns of benchmarks.csv
    tables.medians            # (benchmark, size) x backend-device: median seconds
    tables.ratios             # the same cells divided by the baseline's median
    tables.scaling            # benchmark x backend-device: the exponent k of time ∝ size^k
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

#: The columns of benchmarks.csv, in order.
COLUMNS = [
    "backend", "device", "benchmark", "size", "size_means", "rounds", "iterations",
    "min_s", "median_s", "mean_s", "stddev_s", "iqr_s", "q1_s", "q3_s",
    "throughput", "throughput_unit", "baseline", "ratio_to_baseline", "threads", "exercises", "test",
]
#: The columns of scaling.csv, in order.
SCALING_COLUMNS = ["benchmark", "backend", "device", "k", "r2", "points", "size_min", "size_max"]
#: How a workload's unit of work becomes a throughput: (unit shown, divisor of work per second).
THROUGHPUT_UNITS = {"elements": ("elements/s", 1.0), "samples": ("samples/s", 1.0), "flop": ("GFLOP/s", 1e9)}
_STATS = {"min_s": "min", "median_s": "median", "mean_s": "mean", "stddev_s": "stddev", "iqr_s": "iqr",
          "q1_s": "q1", "q3_s": "q3"}


def _row(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One benchmarks.csv row from one entry of pytest-benchmark's ``benchmarks`` list."""
    info = dict(entry.get("extra_info") or {})
    params = dict(entry.get("params") or {})
    stats = entry["stats"]
    backend, device = info.get("backend"), info.get("device")
    if backend is None and isinstance(params.get("bench"), (list, tuple)):
        backend, device = params["bench"]  # a saved run from before extra_info named them
    row: dict[str, Any] = {
        "backend": backend or "", "device": device or "",
        "benchmark": info.get("benchmark") or entry["name"].split("[")[0],
        "size": info.get("size", params.get("size")),
        "size_means": info.get("size_means", ""),
        "rounds": stats["rounds"], "iterations": stats.get("iterations", 1),
        "threads": info.get("threads"), "exercises": info.get("exercises", ""),
        "test": entry.get("fullname", entry["name"]),
    }
    for column, key in _STATS.items():
        row[column] = stats.get(key, np.nan)
    unit, scale = THROUGHPUT_UNITS.get(info.get("unit", ""), ("", 1.0))
    work = info.get("work")
    row["throughput"] = work / row["median_s"] / scale if work and row["median_s"] else np.nan
    row["throughput_unit"] = unit
    return row


def benchmark_frame(benchmarks: Iterable[Mapping[str, Any]], baseline: str = "torch-cpu") -> pd.DataFrame:
    """One row per (benchmark, size, backend, device), with the columns of benchmarks.csv and ``target``."""
    frame = pd.DataFrame([_row(entry) for entry in benchmarks], columns=[c for c in COLUMNS if c not in
                                                                        ("baseline", "ratio_to_baseline")])
    frame["size"] = pd.to_numeric(frame["size"])
    frame["target"] = frame["backend"] + "-" + frame["device"]
    frame = add_ratios(frame, baseline)
    benchmarks, targets = _benchmark_order(frame), _targets(frame)
    rank = pd.DataFrame({"_b": frame["benchmark"].map(benchmarks.index), "_t": frame["target"].map(targets.index)})
    order = rank.assign(size=frame["size"]).sort_values(["_b", "size", "_t"], kind="stable").index
    return frame.loc[order].reset_index(drop=True)


#: Families in the order of BEHAVIOURS.md (and of summary.md), by the letter of a behaviour id.
FAMILY_ORDER = "TVLAMOD"


def _benchmark_order(frame: pd.DataFrame) -> list[str]:
    """Benchmarks grouped by the family of the first behaviour they exercise (T, V, L, A, M, O, D), else as they came."""

    def family_rank(benchmark: str) -> int:
        exercises = frame.loc[frame["benchmark"] == benchmark, "exercises"].iloc[0]
        letter = str(exercises)[:1] if isinstance(exercises, str) else ""
        return FAMILY_ORDER.index(letter) if letter and letter in FAMILY_ORDER else len(FAMILY_ORDER)

    return sorted(dict.fromkeys(frame["benchmark"]), key=family_rank)


def add_ratios(frame: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Set ``ratio_to_baseline`` = median / the baseline target's median at the same benchmark and size (NaN where absent)."""
    frame = frame.copy()
    reference = frame.loc[frame["target"] == baseline].set_index(["benchmark", "size"])["median_s"]
    keys = pd.MultiIndex.from_frame(frame[["benchmark", "size"]])
    frame["baseline"] = baseline
    frame["ratio_to_baseline"] = frame["median_s"].to_numpy() / reference.reindex(keys).to_numpy()
    return frame


def _targets(frame: pd.DataFrame) -> list[str]:
    """backend-device columns: the baseline first, then the others in the order they appear."""
    targets = list(dict.fromkeys(frame["target"]))
    baseline = frame["baseline"].iloc[0] if "baseline" in frame and len(frame) else None
    return sorted(targets, key=lambda target: target != baseline)


def _pivot(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """(benchmark, size) rows x backend-device columns of one numeric column, rows in run order."""
    table = frame.pivot_table(index=["benchmark", "size"], columns="target", values=column, aggfunc="first", sort=False)
    rows = list(dict.fromkeys(zip(frame["benchmark"], frame["size"])))
    return table.reindex(index=pd.MultiIndex.from_tuples(rows, names=["benchmark", "size"]), columns=_targets(frame))


def median_table(frame: pd.DataFrame) -> pd.DataFrame:
    """(benchmark, size) x backend-device: median seconds per call."""
    return _pivot(frame, "median_s")


def ratio_table(frame: pd.DataFrame) -> pd.DataFrame:
    """(benchmark, size) x backend-device: median over the baseline's median."""
    return _pivot(frame, "ratio_to_baseline")


def fit_exponent(sizes: Iterable[float], seconds: Iterable[float]) -> tuple[float, float]:
    """Least-squares fit of log(time) = k·log(size) + c: return (k, r²); NaNs with fewer than two distinct sizes."""
    x = np.log(np.asarray(list(sizes), dtype=float))
    y = np.log(np.asarray(list(seconds), dtype=float))
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(np.unique(x)) < 2:
        return float("nan"), float("nan")
    k, c = np.polyfit(x, y, 1)
    residual = y - (k * x + c)
    spread = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((residual**2).sum()) / spread if spread > 0 else 1.0
    return float(k), r2


def scaling_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (benchmark, backend, device): the exponent k of time ∝ size^k, its fit's r², the sizes it used."""
    rows = []
    for (benchmark, backend, device), group in frame.groupby(["benchmark", "backend", "device"], sort=False):
        k, r2 = fit_exponent(group["size"], group["median_s"])
        rows.append({"benchmark": benchmark, "backend": backend, "device": device, "k": k, "r2": r2,
                     "points": len(group), "size_min": group["size"].min(), "size_max": group["size"].max()})
    return pd.DataFrame(rows, columns=SCALING_COLUMNS)


def scaling_table(scaling: pd.DataFrame) -> pd.DataFrame:
    """benchmark x backend-device: the exponent k."""
    scaling = scaling.assign(target=scaling["backend"] + "-" + scaling["device"])
    table = scaling.pivot_table(index="benchmark", columns="target", values="k", aggfunc="first", sort=False)
    return table.reindex(index=list(dict.fromkeys(scaling["benchmark"])), columns=list(dict.fromkeys(scaling["target"])))


def format_seconds(seconds: float) -> str:
    """``1.23 ms``, ``45.6 µs``, ``789 ns``, ``2.50 s``: three significant figures."""
    if not np.isfinite(seconds):
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _cell(median: float, ratio: float) -> str:
    """A benchmarks.md cell: the median and its ratio to the baseline."""
    if not np.isfinite(median):
        return ""
    return format_seconds(median) + (f" ({ratio:.2f}×)" if np.isfinite(ratio) else "")


def _machine_line(document: Mapping[str, Any]) -> str:
    """One line on the machine and versions a saved run came from."""
    info = document.get("machine_info") or {}
    cpu = info.get("cpu") or {}
    parts = [cpu.get("brand_raw") or info.get("processor") or "", f"{cpu.get('count')} cores" if cpu.get("count") else "",
             f"Python {info.get('python_version')}" if info.get("python_version") else "", document.get("datetime", "")]
    backends = document.get("backends") or {}
    if backends:
        parts.append("backends " + ", ".join(f"{label} {version}" for label, version in backends.items()))
    if document.get("suite"):
        parts.append(f"timed by {document['suite']}")
    return ", ".join(p for p in parts if p)


def benchmarks_markdown(frame: pd.DataFrame, scaling: pd.DataFrame, baseline: str, machine: str = "") -> str:
    """The text of benchmarks.md: medians and ratios per benchmark and size, then the scaling exponents."""
    medians, ratios = median_table(frame), ratio_table(frame)
    cells = pd.DataFrame(
        [[_cell(medians.iat[i, j], ratios.iat[i, j]) for j in range(medians.shape[1])] for i in range(medians.shape[0])],
        index=medians.index, columns=medians.columns,
    )
    cells.index = [f"{benchmark} [{int(size) if float(size).is_integer() else size}]" for benchmark, size in medians.index]
    has_baseline = baseline in set(frame["target"])
    first = frame.drop_duplicates("benchmark").set_index("benchmark")
    exponents = scaling_table(scaling).map(lambda k: f"{k:.2f}" if np.isfinite(k) else "")
    exponents.insert(0, "size counts", [first["size_means"].get(b, "") for b in exponents.index])
    exponents.insert(1, "behaviours", [str(first["exercises"].get(b, "")).replace(",", ", ") for b in exponents.index])
    parts = [
        "# Benchmarks",
        "",
        *([f"Machine: {machine}.", ""] if machine else []),
        "Median time per call of each benchmark's hot path, by size (in brackets), on each backend and device. "
        + (f"In parentheses: the median over {baseline}'s median at the same size (above 1: slower than {baseline})."
           if has_baseline else f"The baseline {baseline} is not in this run, so there are no ratios "
           "(choose another with --baseline)."),
        "",
        cells.rename_axis(index="benchmark [size]", columns=None).to_markdown(disable_numparse=True),
        "",
        "## Scaling",
        "",
        "The exponent k of a least-squares fit of log(time) = k·log(size) + c over the sizes run: "
        "about 1 is linear in the size, 3 is cubic (an n×n matrix product), 0 does not depend on it (a view).",
        "",
        exponents.rename_axis(index="benchmark", columns=None).to_markdown(disable_numparse=True),
        "",
    ]
    return "\n".join(parts)


def write_benchmarks(document: Mapping[str, Any], folder: Path, baseline: str = "torch-cpu") -> list[Path]:
    """Write benchmarks.json, benchmarks.csv, scaling.csv, benchmarks.md and plots/*.png into ``folder``; return their paths."""
    from reports.plots import scaling_plots

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "benchmarks.json"
    json_path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    frame = benchmark_frame(document["benchmarks"], baseline)
    scaling = scaling_frame(frame)
    judged = str(document.get("suite", ""))
    csv_path = folder / "benchmarks.csv"
    frame[COLUMNS].assign(suite=judged).to_csv(csv_path, index=False)
    scaling_path = folder / "scaling.csv"
    scaling.assign(suite=judged).to_csv(scaling_path, index=False)
    md_path = folder / "benchmarks.md"
    md_path.write_text(benchmarks_markdown(frame, scaling, baseline, _machine_line(document)), encoding="utf-8")
    plots = scaling_plots(frame, scaling, folder / "plots")
    return [csv_path, md_path, scaling_path, json_path, *plots]


@dataclass(frozen=True)
class BenchmarkTables:
    """Every benchmark table of one run folder, as DataFrames."""

    results: pd.DataFrame  # benchmarks.csv (plus ``target``)
    medians: pd.DataFrame  # (benchmark, size) x backend-device, median seconds
    ratios: pd.DataFrame   # (benchmark, size) x backend-device, median / baseline median
    scaling: pd.DataFrame  # benchmark x backend-device, exponent k
    fits: pd.DataFrame     # scaling.csv: k, r², points and size range per (benchmark, backend, device)


def load_benchmarks(folder: Path | str, baseline: str | None = None) -> BenchmarkTables:
    """Read a run folder's benchmark tables into DataFrames (``baseline`` recomputes the ratios against another target)."""
    folder = Path(folder)
    results = pd.read_csv(folder / "benchmarks.csv", keep_default_na=False, na_values=[""])
    for column in ("backend", "device", "benchmark", "size_means", "throughput_unit", "baseline", "exercises", "test"):
        results[column] = results[column].fillna("").astype(str)
    results["target"] = results["backend"] + "-" + results["device"]
    if baseline is not None:
        results = add_ratios(results, baseline)
    fits = scaling_frame(results)
    return BenchmarkTables(results=results, medians=median_table(results), ratios=ratio_table(results),
                           scaling=scaling_table(fits), fits=fits)
