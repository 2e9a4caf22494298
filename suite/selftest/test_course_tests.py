"""A course's own tests (``[grading] tests``): graded with the suite's, shown to staff only when hidden.

The course folder holds one test of V4, written like the suite's (behaviour
marker, the ``run`` fixture, a probe of its own in a module beside it). Two
torch-free submissions are graded with it, on the squeeze tests: the complete
sample, and the same with ``squeeze()`` dropping only the first size-1 dim.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from suite.grading.settings import SettingsError, load_settings
from suite.selftest.runs import pytest_run
from suite.selftest.samples import make_complete

PROBES = '''
    """The course's probes: functions of (T, device, ...) returning plain data."""


    def squeeze_then_unsqueeze(T, device, shape):
        """The shape after squeeze() and then unsqueeze(0)."""
        return list(T.zeros(*shape, device=device).squeeze().unsqueeze(0).shape)
'''
TEST = '''
    """The course's hidden test of V4."""
    import pytest
    from course_probes import squeeze_then_unsqueeze


    @pytest.mark.behaviour("V4")
    def test_squeeze_then_unsqueeze(run) -> None:
        """squeeze() drops every size-1 dim; unsqueeze(0) adds one in front."""
        assert run(squeeze_then_unsqueeze, shape=(1, 3, 1, 2)) == [1, 3, 2]
'''
#: The complete sample with squeeze() (no dim) dropping only the first size-1 dim.
FIRST_ONLY = '''
    import os, sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _complete import *
    import _complete

    _squeeze = _complete.Tensor.squeeze

    def _first_only(self, *dims):
        ones = [i for i, size in enumerate(self.shape) if size == 1]
        return _squeeze(self, *dims) if dims or not ones else _squeeze(self, ones[0])

    _complete.Tensor.squeeze = _first_only
'''


def test_a_course_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    """``tests`` is a folder relative to the file naming it; a wrong one is refused with its path."""
    course = tmp_path / "course.toml"
    course.write_text('[grading]\ntests = "no-such-folder"\n')
    with pytest.raises(SettingsError, match="no-such-folder is not a folder"):
        load_settings(course)
    (tmp_path / "hidden").mkdir()
    course.write_text('[grading]\ntests = "hidden"\n')
    assert load_settings(course).tests == str((tmp_path / "hidden").resolve())
    assert load_settings(course).tests_visibility == "hidden"


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Grade the complete sample and the first-only squeeze with the course's hidden V4 test."""
    root = tmp_path_factory.mktemp("course")
    (root / "hidden").mkdir()
    (root / "hidden" / "course_probes.py").write_text(textwrap.dedent(PROBES))
    (root / "hidden" / "test_course_views.py").write_text(textwrap.dedent(TEST))
    (root / "course.toml").write_text('[grading]\ntests = "hidden"\n')
    make_complete(root / "firstonly" / "_complete")
    (root / "firstonly" / "mytorch.py").write_text(textwrap.dedent(FIRST_ONLY))
    done = pytest_run("--grade", "--backend", f"complete={make_complete(root / 'complete')}",
                      "--backend", f"firstonly={root / 'firstonly' / 'mytorch.py'}", "--weights", str(root / "course.toml"),
                      "-k", "squeeze", "--max-examples", "3", "--report-dir", str(root / "grades"))
    return {"done": done, "grades": root / "grades"}


def _tests(graded: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """One submission's Gradescope tests, by number."""
    data = json.loads((graded["grades"] / name / "results.json").read_text())
    done = graded["done"]
    assert all("number" in test for test in data["tests"]), f"the grading run did not grade {name}:\n" + \
        done.stdout[-3000:] + done.stderr[-2000:]
    return {test["number"]: test for test in data["tests"]}


def test_the_course_tests_earn_their_share_of_the_behaviour_as_a_hidden_test(graded: dict[str, Any]) -> None:
    """V4's points are shared over the suite's checks and the course's; the course's part is its own hidden test."""
    complete, broken = _tests(graded, "complete"), _tests(graded, "firstonly")
    assert complete["V4-course"]["visibility"] == "hidden" and complete["V4"]["visibility"] == "visible"
    assert complete["V4-course"]["score"] == complete["V4-course"]["max_score"] > 0, graded["done"].stdout[-3000:]
    assert complete["V4"]["max_score"] + complete["V4-course"]["max_score"] == pytest.approx(complete["V5"]["max_score"])
    assert broken["V4-course"]["score"] == 0 and broken["V4-course"]["status"] == "failed"


def test_a_hidden_tests_failure_reaches_staff_not_students(graded: dict[str, Any]) -> None:
    """The failure is in the staff log and staff.json; the student's grade.md and visible tests never name it."""
    name = "test_squeeze_then_unsqueeze"
    broken = _tests(graded, "firstonly")
    assert name not in broken["V4"]["output"] and name in broken["V4-course"]["output"]
    assert name not in (graded["grades"] / "firstonly" / "grade.md").read_text()
    staff = json.loads((graded["grades"] / "staff.json").read_text())
    assert [f["test"].split("::")[-1] for f in staff["hidden_failures"]["firstonly"]] == [f"{name}[firstonly-cpu]"]
    assert staff["hidden_failures"]["complete"] == []
    assert f"hidden course test, firstonly: test_course_views.py::{name}[firstonly-cpu]" in graded["done"].stdout
    if staff["isolation"] != "uid":  # the uid cannot read a course folder only root may enter (a pytest tmp_path)
        # A wrong result, as the student's squeeze gives it: the sandbox let the worker load the course's probes.
        assert staff["hidden_failures"]["firstonly"][0]["message"].startswith("assert [1, 3, 1, 2] == [1, 3, 2]"), \
            staff["hidden_failures"]["firstonly"]


def test_a_sandbox_shows_the_courses_probe_modules_and_not_its_tests(tmp_path: Path) -> None:
    """The worker runs the course's probes, so bubblewrap binds their modules read-only; tests and conftests stay out."""
    from suite import sandbox
    from suite.grading.plugin import course_probe_modules

    for name in ("course_probes.py", "test_views.py", "views_test.py", "conftest.py", "helpers/shapes.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    shared = course_probe_modules(tmp_path)
    assert shared == (str(tmp_path / "course_probes.py"), str(tmp_path / "helpers" / "shapes.py"))
    argv = sandbox.command(["python"], own=str(tmp_path / "own"), private=[], writable_files=[], workdir="/tmp/cwd",
                           readable_files=shared)
    bound = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--ro-bind"]
    assert set(shared) <= set(bound) and str(tmp_path) not in bound
    assert not [path for path in bound if path.endswith(("test_views.py", "views_test.py", "conftest.py"))]
