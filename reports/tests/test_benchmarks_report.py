"""Benchmark tables from pytest-benchmark's JSON: rows, throughput, ratios, scaling exponents, Markdown, plots, loading back."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from reports.benchmarks import (
    COLUMNS, benchmark_frame, benchmarks_markdown, fit_exponent, format_seconds, load_benchmarks, scaling_frame,
    write_benchmarks,
)
from reports.plots import scaling_figure


def entry(benchmark: str, size: int, backend: str, device: str, median: float, unit: str = "elements",
          work: float | None = None, rounds: int = 10) -> dict[str, Any]:
    """One benchmark as pytest-benchmark's JSON holds it, with the extra_info the ``bench`` fixture sets."""
    return {
        "group": benchmark, "name": f"test_bench_{benchmark}[{backend}-{device}-{size}]",
        "fullname": f"suite/benchmarks/test_bench_x.py::test_bench_{benchmark}[{backend}-{device}-{size}]",
        "params": {"bench": [backend, device], "size": size}, "param": f"{backend}-{device}-{size}",
        "extra_info": {"backend": backend, "device": device, "benchmark": benchmark, "size": size,
                       "work": work if work is not None else size, "unit": unit, "size_means": "n", "exercises": "L1",
                       "threads": 2},
        "stats": {"min": 0.9 * median, "max": 1.2 * median, "mean": 1.01 * median, "stddev": 0.05 * median,
                  "median": median, "iqr": 0.1 * median, "q1": 0.95 * median, "q3": 1.05 * median,
                  "rounds": rounds, "iterations": 1, "ops": 1 / median},
    }


def cubic_run() -> dict[str, Any]:
    """mm on two targets: torch-cpu takes 1e-9·n³ s, numpy-cpu twice that; a view that takes 1 µs whatever its size."""
    benchmarks = []
    for n in (10, 100, 1000):
        benchmarks.append(entry("mm", n, "torch", "cpu", 1e-9 * n**3, unit="flop", work=2.0 * n**3))
        benchmarks.append(entry("mm", n, "numpy", "cpu", 2e-9 * n**3, unit="flop", work=2.0 * n**3))
    for n in (100, 10_000, 1_000_000):
        benchmarks.append(entry("view", n, "torch", "cpu", 1e-6))
    return {"machine_info": {"cpu": {"brand_raw": "Test CPU", "count": 2}, "python_version": "3.11"},
            "commit_info": {}, "benchmarks": benchmarks, "datetime": "2026-01-01T00:00:00", "version": "5.3.1"}


def test_rows_carry_stats_throughput_and_ratio() -> None:
    """One row per measurement; GFLOP/s for a matrix product; the ratio is the median over the baseline's."""
    frame = benchmark_frame(cubic_run()["benchmarks"])
    assert set(COLUMNS) <= set(frame.columns)
    row = frame[(frame["benchmark"] == "mm") & (frame["size"] == 100) & (frame["backend"] == "numpy")].iloc[0]
    assert row["median_s"] == pytest.approx(2e-3)
    assert row["throughput_unit"] == "GFLOP/s"
    assert row["throughput"] == pytest.approx(2.0 * 100**3 / 2e-3 / 1e9)
    assert row["ratio_to_baseline"] == pytest.approx(2.0)
    assert row["iqr_s"] == pytest.approx(0.2e-3)
    view = frame[frame["benchmark"] == "view"].iloc[0]
    assert view["throughput_unit"] == "elements/s" and view["throughput"] == pytest.approx(100 / 1e-6)


def test_another_baseline_and_an_absent_one() -> None:
    """``--baseline numpy-cpu`` halves torch's ratios; a baseline not in the run leaves the ratios empty."""
    frame = benchmark_frame(cubic_run()["benchmarks"], baseline="numpy-cpu")
    torch_mm = frame[(frame["benchmark"] == "mm") & (frame["backend"] == "torch")]
    assert np.allclose(torch_mm["ratio_to_baseline"], 0.5)
    absent = benchmark_frame(cubic_run()["benchmarks"], baseline="torch-cuda")
    assert absent["ratio_to_baseline"].isna().all()
    markdown = benchmarks_markdown(absent, scaling_frame(absent), "torch-cuda")
    assert "torch-cuda is not in this run" in markdown


@pytest.mark.parametrize("k", [0.0, 1.0, 3.0])
def test_fit_exponent_recovers_a_power_law(k: float) -> None:
    """time = c·size^k gives back k with r² = 1."""
    sizes = [10, 100, 1000, 10_000]
    fitted, r2 = fit_exponent(sizes, [3e-7 * s**k for s in sizes])
    assert fitted == pytest.approx(k, abs=1e-9) and r2 == pytest.approx(1.0)


def test_fit_exponent_needs_two_sizes() -> None:
    """One size gives no exponent."""
    assert all(math.isnan(v) for v in fit_exponent([10, 10], [1.0, 2.0]))


def test_scaling_table_per_benchmark_and_target() -> None:
    """mm scales as n³ on both targets, view as size⁰."""
    frame = benchmark_frame(cubic_run()["benchmarks"])
    scaling = scaling_frame(frame).set_index(["benchmark", "backend"])
    assert scaling.loc[("mm", "torch"), "k"] == pytest.approx(3.0)
    assert scaling.loc[("mm", "numpy"), "k"] == pytest.approx(3.0)
    assert scaling.loc[("view", "torch"), "k"] == pytest.approx(0.0, abs=1e-9)
    assert scaling.loc[("mm", "torch"), "points"] == 3


def test_markdown_has_medians_ratios_and_exponents() -> None:
    """benchmarks.md: a row per benchmark and size, a column per target (baseline first), then the exponents."""
    frame = benchmark_frame(cubic_run()["benchmarks"])
    text = benchmarks_markdown(frame, scaling_frame(frame), "torch-cpu", "Test CPU")
    assert "| mm [100]" in text
    assert "1 ms (1.00×)" in text and "2 ms (2.00×)" in text
    header = next(line for line in text.splitlines() if line.startswith("| benchmark [size]"))
    assert header.index("torch-cpu") < header.index("numpy-cpu")
    scaling = text.split("## Scaling")[1]
    mm_row = next(line for line in scaling.splitlines() if line.startswith("| mm "))
    assert [cell.strip() for cell in mm_row.strip("|").split("|")] == ["mm", "n", "L1", "3.00", "3.00"]


@pytest.mark.parametrize("seconds, text", [(2.5, "2.5 s"), (1.234e-3, "1.23 ms"), (4.56e-5, "45.6 µs"), (7.89e-7, "789 ns"),
                                           (float("nan"), "")])
def test_format_seconds(seconds: float, text: str) -> None:
    """Times read with three significant figures in the unit that fits."""
    assert format_seconds(seconds) == text


def test_written_folder_loads_back_into_dataframes(tmp_path: Path) -> None:
    """write_benchmarks writes every file; load_benchmarks gives the same medians, ratios and exponents."""
    paths = write_benchmarks(cubic_run(), tmp_path, baseline="torch-cpu")
    names = {p.relative_to(tmp_path).as_posix() for p in paths}
    assert names == {"benchmarks.csv", "benchmarks.md", "scaling.csv", "benchmarks.json", "plots/mm.png", "plots/view.png"}
    tables = load_benchmarks(tmp_path)
    assert tables.medians.loc[("mm", 1000), "numpy-cpu"] == pytest.approx(2.0)
    assert tables.ratios.loc[("mm", 1000), "numpy-cpu"] == pytest.approx(2.0)
    assert tables.scaling.loc["mm", "torch-cpu"] == pytest.approx(3.0)
    again = load_benchmarks(tmp_path, baseline="numpy-cpu")
    assert again.ratios.loc[("mm", 10), "torch-cpu"] == pytest.approx(0.5)
    assert isinstance(tables.results, pd.DataFrame) and len(tables.results) == 9


def test_plot_draws_one_log_log_line_per_target() -> None:
    """A benchmark's figure: log-log axes, one line per backend-device through its medians, k in the legend."""
    frame = benchmark_frame(cubic_run()["benchmarks"])
    figure = scaling_figure(frame, scaling_frame(frame), "mm")
    axes = figure.axes[0]
    assert axes.get_xscale() == "log" and axes.get_yscale() == "log"
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert labels == ["torch-cpu (k = 3.00)", "numpy-cpu (k = 3.00)"]
    lines = [line for line in axes.get_lines() if len(line.get_xdata()) == 3]
    # float: with numpy 1.x matplotlib hands the data back as an object array, which allclose refuses
    assert np.allclose(np.asarray(lines[0].get_ydata(), dtype=float), [1e-6, 1e-3, 1.0])
    assert np.allclose(np.asarray(lines[1].get_xdata(), dtype=float), [10, 100, 1000])
