"""Speed points under ``--grade`` (``[speed]``): benchmarks timed in the workers, against a built-in reference.

Two torch-free submissions are graded on ``mm`` beside the numpy backend: the
complete sample (the numpy backend's own code, so about 1x), and the same
with every ``mm`` done twenty times over (about 20x slower).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from suite.grading.scoring import speed_points
from suite.grading.settings import SettingsError, Speed, load_settings
from reports.folder import LABEL_FILES, MANIFEST, PLOTS, RUN_FILES
from suite.selftest.runs import pytest_run
from suite.selftest.samples import make_complete

#: The complete sample, but each matrix product computed twenty times.
SLOW = '''
    import os, sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _complete import *
    import _complete

    _mm = _complete.Tensor.mm

    def _twenty_times(self, other):
        for _ in range(19):
            _mm(self, other)
        return _mm(self, other)

    _complete.Tensor.mm = _twenty_times
'''
COURSE = '[speed]\npoints = 10\nbenchmarks = ["mm"]\nfull_at = 4.0\nzero_at = 100.0\n'


def test_a_ratio_earns_its_share_on_a_log_scale() -> None:
    """Whole up to full_at, nothing from zero_at, halfway at their geometric mean; nothing for no ratio."""
    speed = Speed(points=10, full_at=2.0, zero_at=50.0)
    assert speed.share(0.5) == speed.share(2.0) == 1.0 and speed.share(50.0) == speed.share(400.0) == 0.0
    assert speed.share(10.0) == pytest.approx(0.5) and speed.share(0.0) == 0.0


def test_a_benchmark_the_submission_did_not_complete_earns_nothing() -> None:
    """Points per benchmark from the two medians; one without the submission's median is 0, saying why."""
    def entry(backend: str, name: str, median: float) -> dict[str, Any]:
        return {"extra_info": {"backend": backend, "device": "cpu", "benchmark": name, "size": 10}, "stats": {"median": median}}

    timed = [entry("ref", "mm", 1.0), entry("me", "mm", 2.0), entry("ref", "view", 1.0)]
    result = speed_points(timed, ["mm", "view"], "me", "ref", Speed(points=10, full_at=2.0, zero_at=50.0))
    rows = {row["benchmark"]: row for row in result["benchmarks"]}
    assert rows["mm"]["ratio"] == 2.0 and rows["mm"]["points"] == 5.0 and result["points"] == 5.0
    assert rows["view"]["points"] == 0 and "did not complete" in rows["view"]["note"]


@pytest.mark.parametrize(("text", "message"), [
    ('[speed]\nreference = "mine"\n', "reference must be a built-in backend"),
    ('[speed]\nbenchmarks = ["warp"]\n', "unknown: warp"),
    ('[speed]\nfull_at = 60.0\n', "needs 0 < full_at < zero_at"),
])
def test_speed_settings_that_cannot_be_used_are_refused(tmp_path: Path, text: str, message: str) -> None:
    """A reference that is not built in, an unknown benchmark, or bounds the wrong way round."""
    course = tmp_path / "course.toml"
    course.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_settings(course)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Grade the complete sample and the slow one on mm, with 10 speed points against numpy."""
    root = tmp_path_factory.mktemp("speed")
    make_complete(root / "slow" / "_complete")
    (root / "slow" / "mytorch.py").write_text(textwrap.dedent(SLOW))
    (root / "course.toml").write_text(COURSE)
    done = pytest_run("--grade", "--backend", f"complete={make_complete(root / 'complete')}",
                      "--backend", f"slow={root / 'slow' / 'mytorch.py'}", "--weights", str(root / "course.toml"),
                      "-k", "test_mm_of_random_matrices or test_bench_mm", "--max-examples", "3", "--report-dir", str(root / "grades"))
    return {"done": done, "grades": root / "grades"}


def _speed(graded: dict[str, Any], name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(results.json, its speed test) of one submission."""
    results = json.loads((graded["grades"] / name / "results.json").read_text())
    return results, next(test for test in results["tests"] if test["number"] == "speed")


def test_both_submissions_and_the_reference_are_timed_in_one_run(graded: dict[str, Any]) -> None:
    """benchmarks.csv holds mm at its largest size for the reference and both submissions; numpy is not graded."""
    frame = pd.read_csv(graded["grades"] / "benchmarks.csv")
    assert sorted(frame["backend"]) == ["complete", "numpy", "slow"], graded["done"].stdout[-3000:]
    assert set(frame["benchmark"]) == {"mm"} and frame["size"].nunique() == 1
    assert not (graded["grades"] / "numpy").exists()


def test_every_file_the_run_wrote_is_one_a_later_run_into_its_folder_removes(graded: dict[str, Any]) -> None:
    """The graded, timed run's manifest lists every file it wrote at the top of its folder, its plots, and each
    submission's grade in its own folder."""
    written = {p.name for p in graded["grades"].iterdir() if p.is_file()} - {MANIFEST}
    assert {"conformance.csv", "benchmarks.csv", "leaderboard.csv", "report.html"} <= written, sorted(written)
    assert written <= set(RUN_FILES), f"not in reports.folder.RUN_FILES: {sorted(written - set(RUN_FILES))}"
    plots = {f"{PLOTS}/{p.name}" for p in (graded["grades"] / PLOTS).glob("*.png")}
    folders = {p.name for p in graded["grades"].iterdir() if p.is_dir()}
    assert folders == {PLOTS, "complete", "slow"}, sorted(folders)
    grades = {f"{p.parent.name}/{p.name}" for label in ("complete", "slow") for p in (graded["grades"] / label).iterdir()}
    assert grades == {f"{label}/{name}" for label in ("complete", "slow") for name in LABEL_FILES}, sorted(grades)
    listed = json.loads((graded["grades"] / MANIFEST).read_text())["files"]
    assert set(listed) == written | plots | grades


def test_speed_points_follow_the_ratio_to_the_reference(graded: dict[str, Any]) -> None:
    """The reference's own code earns the whole 10; twenty times the work earns a part; both add to the total."""
    complete, complete_speed = _speed(graded, "complete")
    slow, slow_speed = _speed(graded, "slow")
    assert complete_speed["score"] == complete_speed["max_score"] == 10
    assert 0 < slow_speed["score"] < 10 and complete["max_score"] == slow["max_score"] == 110
    assert complete["score"] == pytest.approx(sum(test["score"] for test in complete["tests"]))
    grade_md = (graded["grades"] / "slow" / "grade.md").read_text()
    assert "## Speed: " in grade_md and "| mm [1000]" in grade_md
