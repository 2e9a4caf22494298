"""Grading the sample submissions end to end, as a course would: one batch run over a class.

The class is ``examples/submissions/`` (complete, partial, wrong, hostile,
wrapper) plus two more written here: one that raises at import and one that
rewrites the grader's files on disk. Several build on torch, so the class is
graded as a course that allows it would (``examples/courses/torch_allowed.toml``;
``test_forbidden.py`` grades with the defaults, which forbid it). The batch runs once, in
a copy of the project (the file-rewriting submission must not touch this
checkout), on the views tests and the document's line fit, with small limits, and
without the sandbox (``isolation = "none"``): what it tests is the grader's own
defences, all a machine without bubblewrap has (``test_sandbox.py`` tests the sandbox).

Each sample's expected score is derived from its ``expected.toml`` (which
behaviours it is designed to fail, and how) and the weights, over the tests
the run actually held, so it stays right as families are added.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from reference.behaviours import BEHAVIOURS, FAMILIES
from reports.folder import MANIFEST
from reports.grading import points_text, validate_results
from suite import PROJECT_ROOT
from suite.grading.guard import _processes
from suite.grading.settings import load_settings
from suite.outcomes import Cause
from suite.repro import STOPPED_WARNINGS
from suite.selftest.runs import run_environment

EXAMPLES = ("complete", "partial", "wrong", "hostile", "wrapper")
#: The run's selection and limits: views (V1-V7) and L1's document example, 3 s of CPU time a test (an honest one
#: takes under 0.3 s) and a wall-clock backstop of 1.5 times that: the hostile sample's sleeping hangs stop at 4.5 s.
SELECTION = ["-k", "test_views or line_fit", "--max-examples", "5"]
TIME_LIMIT, MEMORY_LIMIT, BACKSTOP = 3, "600MiB", 1.5
#: wrong, hostile and the patcher build on torch (and the patcher on the reference): this course allows it.
TORCH_ALLOWED = PROJECT_ROOT / "examples" / "courses" / "torch_allowed.toml"

BROKEN = "raise RuntimeError('this submission does not import')\n"

PATCHER = '''
"""Honest torch, except squeeze; at import it rewrites the grader's files to agree with it."""
import pathlib
import torch
import reference.views

torch.Tensor.squeeze = lambda self, *dims: self.flatten()  # wrong for every V4 check
here = pathlib.Path(__file__).parent
project = pathlib.Path(reference.views.__file__).parent.parent
with open(reference.views.__file__, "a") as f:  # the reference now agrees with the wrong squeeze
    f.write("\\ndef squeeze_shape(shape, dim=None):\\n    return (int(__import__('math').prod(shape)),)\\n")
(project / "suite" / "conformance" / "test_zz_planted.py").write_text(
    f"open({str(here / 'PLANTED_TEST_RAN')!r}, 'w').close()\\ndef test_planted():\\n    pass\\n")
(project / "suite" / "conformance" / "conftest.py").write_text(
    f"open({str(here / 'PLANTED_CONFTEST_RAN')!r}, 'w').close()\\n")

def __getattr__(name):
    return getattr(torch, name)
'''

def _copy_project(target: Path) -> Path:
    """A copy of this checkout's sources and compiled files (no git, no old reports)."""
    ignore = shutil.ignore_patterns(".git", ".hypothesis", ".pytest_cache", "*.egg-info", "runs", ".venv")
    shutil.copytree(PROJECT_ROOT, target, ignore=ignore)
    return target


def _copy_samples(project: Path, submissions: Path) -> None:
    """The sample submissions in ``submissions/``, with ``complete`` made by its make.py as a user makes it."""
    for name in EXAMPLES:
        shutil.copytree(project / "examples" / "submissions" / name, submissions / name,
                        ignore=shutil.ignore_patterns("mytorch") if name == "complete" else None)
    make = project / "examples" / "submissions" / "complete" / "make.py"
    subprocess.run([sys.executable, str(make), str(submissions / "complete" / "mytorch")],
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Grade the class once: the four samples and the two written above, three at a time (hangs sleep)."""
    root = tmp_path_factory.mktemp("grading")
    project = _copy_project(root / "project")
    submissions = root / "submissions"
    _copy_samples(project, submissions)
    for name, source in (("broken", BROKEN), ("patcher", PATCHER)):
        (submissions / name).mkdir()
        (submissions / name / "mytorch.py").write_text(textwrap.dedent(source))
    out = root / "grades"
    # The grader's own defences, as a machine without bubblewrap gets them: the sandbox is tested in test_sandbox.py.
    course = root / "unsandboxed.toml"
    course.write_text(TORCH_ALLOWED.read_text() + f'isolation = "none"\n\n[limits]\nbackstop = {BACKSTOP}\n')
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "suite.grading.batch", str(submissions), "--jobs", "3", "--out", str(out),
         "--weights", str(course), "--", *SELECTION, "--time-limit", str(TIME_LIMIT), "--memory-limit", MEMORY_LIMIT],
        cwd=project, capture_output=True, text=True, timeout=600, env=run_environment(),
    )
    return {"done": done, "out": out, "project": project, "submissions": submissions, "seconds": time.monotonic() - began}


def results(graded: dict[str, Any], name: str) -> dict[str, Any]:
    """The results.json the batch left for one submission."""
    return json.loads((graded["out"] / name / "results.json").read_text())


def rows(graded: dict[str, Any], name: str) -> pd.DataFrame:
    """The conformance.csv of one submission's run: every check the grader recorded."""
    frame = pd.read_csv(graded["out"] / name / "conformance.csv", keep_default_na=False)
    frame["function"] = frame["test"].str.split("::").str[-1].str.split("[").str[0]
    return frame


def design(name: str) -> dict[str, dict[str, Any]]:
    """What a sample is designed to fail, by behaviour id (family entries spread to their behaviours)."""
    data = tomllib.loads((PROJECT_ROOT / "examples" / "submissions" / name / "expected.toml").read_text())
    fails: dict[str, dict[str, Any]] = {}
    for key, entry in data.get("fails", {}).items():
        ids = [b for b in BEHAVIOURS if BEHAVIOURS[b].family == key] if key in FAMILIES.values() else [key]
        fails.update({b: entry for b in ids})
    return fails


def designed_to_fail(fails: dict[str, dict[str, Any]], behaviour: str, function: str) -> dict[str, Any] | None:
    """The design of a check that is meant to fail, or None for one meant to pass."""
    entry = fails.get(behaviour)
    if entry is None or ("tests" in entry and function not in entry["tests"]):
        return None
    return entry


def expected_score(frame: pd.DataFrame, fails: dict[str, dict[str, Any]]) -> float:
    """The score the design earns over the checks the run held, by weights.toml's rule (written out again here)."""
    settings = load_settings()
    counted = frame[frame["outcome"] != "skipped"]
    share: dict[str, float] = {}
    for behaviour, checks in counted.groupby("behaviour"):
        passing = [designed_to_fail(fails, behaviour, f) is None for f in checks["function"]]
        share[behaviour] = sum(passing) / len(passing)
    families = {BEHAVIOURS[b].family for b in share}
    family_total = sum(settings.family_weight(f) for f in families)
    score = 0.0
    for family in families:
        members = [b for b in share if BEHAVIOURS[b].family == family]
        behaviour_total = sum(settings.behaviour_weight(b) for b in members)
        for b in members:
            points = settings.total * settings.family_weight(family) / family_total * settings.behaviour_weight(b) / behaviour_total
            score += points * share[b]
    return score


def cause(message: str) -> str:
    """The cause the grader's message names (its first word), after hypothesis's 'N distinct failures; first:'."""
    message = message.split("first: ", 1)[-1] if "distinct failures" in message else message
    if message.startswith("SystemExit"):
        return "exit"
    return message.split(":")[0].replace("memory limit", "memory")


def test_the_batch_grades_the_class(graded: dict[str, Any]) -> None:
    """The batch finishes, prints a line per submission, and writes the leaderboard in CSV and Markdown."""
    done = graded["done"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for name in (*EXAMPLES, "broken", "patcher"):
        assert f"\n{name}: " in "\n" + done.stdout
    board = pd.read_csv(graded["out"] / "leaderboard.csv")
    assert list(board["submission"])[0] == "complete" and set(board["submission"]) >= set(EXAMPLES)
    assert list(board["score"]) == sorted(board["score"], reverse=True)
    markdown = (graded["out"] / "leaderboard.md").read_text()
    assert "| submission" in markdown and "| complete" in markdown


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_sample_earns_its_designed_score(graded: dict[str, Any], name: str) -> None:
    """results.json is valid Gradescope output and its score is what expected.toml and the weights say."""
    data = results(graded, name)
    assert validate_results(data) == []
    assert data["extra_data"]["suite"].startswith("torch-conformance ")  # what graded it
    # the terminal, the batch's line, grade.md and the page write the score alike
    shown = f"{points_text(data['score'])} / {points_text(data['max_score'])}"
    assert f"Score: <b>{shown}</b>" in (graded["out"] / name / "report.html").read_text()
    assert f"# Grade for `{name}`: {shown}" in (graded["out"] / name / "grade.md").read_text()
    line = next(line for line in graded["done"].stdout.splitlines() if line.startswith(f"{name}: "))
    assert line.startswith(f"{name}: {shown} in ") and line.endswith(" s"), line  # the samples all load and keep their score
    frame = rows(graded, name)
    assert not frame.empty
    # SELECTION's -k left most behaviours out: the grade names each one the run held no check of, and the flag.
    assert data["extra_data"]["unselected"] == [b for b in BEHAVIOURS if b not in set(frame["behaviour"])]
    assert data["extra_data"]["unselected"] and data["extra_data"]["selection"] == [f"-k {SELECTION[1]}"]
    assert data["score"] == pytest.approx(expected_score(frame, design(name)), abs=0.01)
    assert data["max_score"] == pytest.approx(load_settings().total)
    assert math.isclose(sum(t.get("max_score", 0) for t in data["tests"]), data["max_score"], abs_tol=0.01)


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_sample_fails_where_designed_and_only_there(graded: dict[str, Any], name: str) -> None:
    """Every check meant to fail ends with the designed outcome and cause; every other check passed."""
    fails = design(name)
    for check in rows(graded, name).itertuples():
        if check.outcome == "skipped":
            continue
        entry = designed_to_fail(fails, check.behaviour, check.function)
        if entry is None:
            assert check.outcome == "passed", f"{check.test}: {check.outcome} {check.message}"
        else:
            assert check.outcome == entry["outcome"], f"{check.test}: {check.outcome} {check.message}"
            if "cause" in entry:
                assert cause(check.message) == entry["cause"], f"{check.test}: {check.message}"


def test_the_hostile_sample_is_fully_reported_within_its_limits(graded: dict[str, Any]) -> None:
    """Every check the honest sample had, the hostile one has too; its run took about its stopped tests' limits."""
    hostile, complete = rows(graded, "hostile"), rows(graded, "complete")
    assert sorted(hostile["function"]) == sorted(complete["function"])
    stopped = int((hostile["message"].str.contains("timeout:")).sum())
    assert results(graded, "hostile")["execution_time"] < stopped * TIME_LIMIT * BACKSTOP + 60
    assert hostile["message"].str.contains(f"past its {TIME_LIMIT * BACKSTOP:g} s wall-clock backstop").sum() == stopped
    grade_md = (graded["out"] / "hostile" / "grade.md").read_text()
    for words in ("ran past the time limit", "ran past the memory limit", "the process crashed", "the process exited"):
        assert words in grade_md
    # Each stopped check's snippet warns first that, pasted, it may hang, crash or grow as it did in the worker
    checks = json.loads((graded["out"] / "hostile" / "conformance.json").read_text())
    warned = {(check["cause"], check["snippet"].splitlines()[1]) for check in checks
              if check["snippet"] and Cause(check["cause"]) in STOPPED_WARNINGS}
    assert warned == {(cause.value, f"# careful: {STOPPED_WARNINGS[cause]}")
                      for cause in (Cause.TIMEOUT, Cause.MEMORY, Cause.CRASH, Cause.EXIT)}


def test_the_hostile_samples_forgeries_are_gone(graded: dict[str, Any]) -> None:
    """The report folder holds only the grader's files, made by the grader, and nothing it left runs on."""
    folder = graded["out"] / "hostile"
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "conformance.csv", "conformance.json", "grade.md",
                                                        "report.html", "results.json", "staff.json", "summary.md"]
    listed = json.loads((folder / MANIFEST).read_text())["files"]
    assert sorted(listed) == sorted(p.name for p in folder.iterdir() if p.name != MANIFEST)  # none of the forgeries
    assert not (folder / "summary.md").is_symlink() and "# Conformance summary" in (folder / "summary.md").read_text()
    assert "forged" not in (folder / "results.json").read_text() + (folder / "grade.md").read_text()
    notes = " ".join(results(graded, "hostile")["extra_data"]["integrity"])
    assert "'FORGED.txt' appeared in the report folder" in notes and "link 'summary.md'" in notes
    assert "started by the submission were still running" in notes
    leftovers = []
    for pid in _processes():
        try:
            if b"forged by a left-behind process" in Path(f"/proc/{pid}/cmdline").read_bytes():
                leftovers.append(pid)
        except OSError:
            pass
    assert leftovers == []


def test_a_submission_that_does_not_import_scores_zero_with_the_cause(graded: dict[str, Any]) -> None:
    """Raising at import: every behaviour is still listed, each at zero, saying the submission did not load."""
    data = results(graded, "broken")
    assert validate_results(data) == [] and data["score"] == 0
    behaviours = [t["number"] for t in data["tests"] if "number" in t]
    assert behaviours == [t["number"] for t in results(graded, "complete")["tests"]]
    assert "RuntimeError: this submission does not import" in data["extra_data"]["load_error"]
    assert all("load" in t["tags"] for t in data["tests"])
    # the batch's line for it says why, as the leaderboard's notes do
    line = next(line for line in graded["done"].stdout.splitlines() if line.startswith("broken: "))
    assert line.endswith(" s (did not load)"), line
    # Its log says so in one line a check: no traceback into the suite's own call, no snippet that only imports it.
    log = (graded["out"] / "_logs" / "broken.log").read_text()
    checks = json.loads((graded["out"] / "broken" / "conformance.json").read_text())
    assert log.count("ERROR at call of") == len(checks) > 0  # (under CI=true pytest repeats each line in its summary)
    assert log.count("the backend failed to load: backend 'broken'") >= len(checks)
    assert "BackendError" not in log and " reproduce " not in log and {check["snippet"] for check in checks} == {""}


def test_rewriting_the_graders_files_gains_nothing(graded: dict[str, Any]) -> None:
    """The reference rewritten on disk is not what the grader used; planted tests and conftests never ran; score withheld."""
    data = results(graded, "patcher")
    frame = rows(graded, "patcher")
    assert set(frame.loc[frame["behaviour"] == "V4", "outcome"]) == {"failed"}  # judged by the reference as it was
    assert data["score"] == 0 and "grader's own files changed" in data["extra_data"]["withheld"]
    line = next(line for line in graded["done"].stdout.splitlines() if line.startswith("patcher: "))
    assert line.endswith(" s (score withheld)"), line
    notes = " ".join(data["extra_data"]["integrity"])
    assert "reference/views.py" in notes and "test_zz_planted.py" in notes
    planted = graded["submissions"] / "patcher"
    assert not (planted / "PLANTED_TEST_RAN").exists() and not (planted / "PLANTED_CONFTEST_RAN").exists()


@pytest.mark.skipif(not os.environ.get("GRADING_FULL"), reason="grades the samples on every family (minutes): set GRADING_FULL=1")
def test_the_samples_earn_their_designed_scores_on_every_family(tmp_path: Path) -> None:
    """The samples graded with the whole suite, each with the default limits but for short hangs."""
    out = tmp_path / "grades"
    _copy_samples(PROJECT_ROOT, tmp_path / "submissions")
    done = subprocess.run(
        [sys.executable, "-m", "suite.grading.batch", str(tmp_path / "submissions"), "--jobs", "2",
         "--out", str(out), "--weights", str(TORCH_ALLOWED), "--", "--time-limit", "10", "--memory-limit", "1GiB"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1800, env=run_environment(),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    graded = {"out": out}
    for name in EXAMPLES:
        assert validate_results(results(graded, name)) == [] and results(graded, name)["extra_data"]["unselected"] == []
        assert results(graded, name)["score"] == pytest.approx(expected_score(rows(graded, name), design(name)), abs=0.01)
        test_each_sample_fails_where_designed_and_only_there(graded, name)
