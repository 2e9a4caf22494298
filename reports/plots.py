"""Plots of benchmark results: one PNG per benchmark, log-log time against size, one line per backend-device.

Drawn on matplotlib's object API with the Agg canvas, so nothing global
(pyplot's state, the backend choice) is touched.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def _file_name(benchmark: str) -> str:
    """A safe file name for a benchmark's plot."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", benchmark) + ".png"


def scaling_figure(frame: pd.DataFrame, scaling: pd.DataFrame, benchmark: str) -> Figure:
    """Median seconds per call against size, log-log, for one benchmark: a line per target, bars from q1 to q3."""
    rows = frame[frame["benchmark"] == benchmark]
    figure = Figure(figsize=(7, 4.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for target, group in rows.groupby("target", sort=False):
        group = group.sort_values("size")
        backend, device = group["backend"].iloc[0], group["device"].iloc[0]
        fit = scaling[(scaling["benchmark"] == benchmark) & (scaling["backend"] == backend) & (scaling["device"] == device)]
        k = fit["k"].iloc[0] if len(fit) else np.nan
        label = f"{target} (k = {k:.2f})" if np.isfinite(k) else target
        median = group["median_s"].to_numpy()
        below = np.clip(median - group["q1_s"].to_numpy(), 0, None)
        above = np.clip(group["q3_s"].to_numpy() - median, 0, None)
        axes.errorbar(group["size"], median, yerr=[below, above], marker="o", capsize=3, label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    means = rows["size_means"].iloc[0] if len(rows) and rows["size_means"].iloc[0] else "size"
    axes.set_xlabel(f"size: {means} (log scale)")
    axes.set_ylabel("median seconds per call, bars q1 to q3 (log scale)")
    axes.set_title(f"{benchmark}: time per call against size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(title="backend-device (fitted time ∝ size^k)", fontsize="small")
    figure.tight_layout()
    return figure


def scaling_plots(frame: pd.DataFrame, scaling: pd.DataFrame, folder: Path) -> list[Path]:
    """Write ``folder/<benchmark>.png`` for every benchmark in ``frame``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for benchmark in dict.fromkeys(frame["benchmark"]):
        path = folder / _file_name(benchmark)
        scaling_figure(frame, scaling, benchmark).savefig(path)
        paths.append(path)
    return paths
