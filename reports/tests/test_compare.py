"""Comparing two saved benchmark runs: ratios per measurement, regressions flagged past a threshold, the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reports.compare import compare_runs, comparison_markdown, load_run, main, parse_threshold, regressions
from reports.tests.test_benchmarks_report import entry


def saved_run(medians: dict[tuple[str, int], float]) -> dict[str, Any]:
    """A pytest-benchmark JSON document with one torch-cpu entry per (benchmark, size)."""
    return {"machine_info": {}, "commit_info": {}, "datetime": "2026-01-01T00:00:00", "version": "5.3.1",
            "benchmarks": [entry(name, size, "torch", "cpu", median) for (name, size), median in medians.items()]}


BEFORE = {("mm", 100): 1.0e-3, ("mm", 1000): 1.0e-1, ("view", 128): 1.0e-6, ("inverse", 10): 5e-5}
AFTER = {("mm", 100): 1.2e-3, ("mm", 1000): 0.8e-1, ("view", 128): 1.04e-6, ("sgd_step", 1000): 2e-5}


def write(folder: Path, name: str, medians: dict[tuple[str, int], float]) -> Path:
    """Save a run as pytest-benchmark would, under ``folder/name``."""
    path = folder / name
    path.write_text(json.dumps(saved_run(medians)), encoding="utf-8")
    return path


def test_ratios_and_flags(tmp_path: Path) -> None:
    """20% slower is flagged at a 10% threshold, 4% is not, 20% faster is flagged faster; lone rows say which run has them."""
    table = compare_runs(write(tmp_path, "a.json", BEFORE), write(tmp_path, "b.json", AFTER), threshold=0.10)
    by_key = table.set_index(["benchmark", "size"])
    assert by_key.loc[("mm", 100), "ratio"] == pytest.approx(1.2)
    assert by_key.loc[("mm", 100), "status"] == "slower"
    assert by_key.loc[("view", 128), "status"] == ""
    assert by_key.loc[("mm", 1000), "status"] == "faster"
    assert by_key.loc[("inverse", 10), "status"] == "only before"
    assert by_key.loc[("sgd_step", 1000), "status"] == "only after"
    assert list(regressions(table)["benchmark"]) == ["mm"]
    assert table.iloc[0]["benchmark"] == "mm" and table.iloc[0]["size"] == 100  # worst ratio first


def test_threshold_decides_what_is_flagged(tmp_path: Path) -> None:
    """At a 25% threshold the 20% slowdown passes."""
    table = compare_runs(write(tmp_path, "a.json", BEFORE), write(tmp_path, "b.json", AFTER), threshold=0.25)
    assert regressions(table).empty


def test_a_run_folder_is_a_saved_run(tmp_path: Path) -> None:
    """A run folder's benchmarks.json loads like pytest-benchmark's own file."""
    folder = tmp_path / "run"
    folder.mkdir()
    write(folder, "benchmarks.json", BEFORE)
    assert len(load_run(folder)) == len(BEFORE)
    with pytest.raises(FileNotFoundError, match="no saved benchmark run"):
        load_run(tmp_path / "nowhere")


@pytest.mark.parametrize("text, value", [("10%", 0.10), ("0.1", 0.1), ("5 %", 0.05), ("0", 0.0)])
def test_parse_threshold(text: str, value: float) -> None:
    """A threshold is a percentage or a fraction."""
    assert parse_threshold(text) == pytest.approx(value)


def test_command_line_exit_status_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m reports.compare`` exits 1 on a regression, 0 without; ``--out`` writes Markdown and CSV."""
    before, after = write(tmp_path, "a.json", BEFORE), write(tmp_path, "b.json", AFTER)
    out = tmp_path / "comparison.md"
    assert main([str(before), str(after), "--threshold", "10%", "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "1 of 3 measurements slowed by more than 10%; 1 only before, 1 only after" in printed
    mm_row = next(line for line in printed.splitlines() if line.startswith("| mm") and "slower" in line)
    assert [cell.strip() for cell in mm_row.strip("|").split("|")][:3] == ["mm", "100", "torch-cpu"]
    assert out.read_text(encoding="utf-8") + "\n" == printed
    assert out.with_suffix(".csv").exists()
    assert main([str(before), str(after), "--threshold", "25%"]) == 0


def test_markdown_verdict_when_nothing_slowed(tmp_path: Path) -> None:
    """The report says plainly that nothing slowed."""
    table = compare_runs(write(tmp_path, "a.json", BEFORE), write(tmp_path, "a2.json", BEFORE))
    assert "**no measurement slowed by more than 5% (4 compared).**" in comparison_markdown(table)
