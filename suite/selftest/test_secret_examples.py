"""Under ``--grade`` the examples come from the course's secret and the submission's name, and ``--seed`` replays them.

A torch-free submission writes down every shape it is asked to build; it is
graded on one property test four times: twice with one secret, once with
another, and once replaying the first run's seed (read from its staff.json)
with no secret at all.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from suite.grading.plugin import examples_seed, seed_of_test
from suite.grading.settings import SettingsError, load_settings
from suite.selftest.runs import pytest_run
from suite.selftest.samples import make_complete

#: The submission: the complete sample, but every view() call appends the base's shape to a log.
RECORDER = '''
    import os, sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _complete import *
    import _complete

    _view = _complete.Tensor.view

    def _recording_view(self, *shape):
        with open(LOG, "a") as log:
            log.write(f"{tuple(self.shape)} -> {shape}\\n")
        return _view(self, *shape)

    _complete.Tensor.view = _recording_view
'''


def test_the_seed_depends_on_the_secret_and_the_submission_only() -> None:
    """Same secret and names: same seed, in any order; another secret or another student: another seed."""
    assert examples_seed("s3cret", ["alice"]) == examples_seed("s3cret", ["alice"])
    assert examples_seed("s3cret", ["alice", "bob"]) == examples_seed("s3cret", ["bob", "alice"])
    assert len({examples_seed("s3cret", ["alice"]), examples_seed("other", ["alice"]), examples_seed("s3cret", ["bob"])}) == 3
    assert seed_of_test(1, "test_views.py::a") != seed_of_test(1, "test_views.py::b")


def test_two_students_files_under_one_name_draw_their_own_inputs(tmp_path: Path) -> None:
    """Graded as ``mytorch`` (or Gradescope's ``submission``), two different submissions still get different seeds."""
    from suite.grading.plugin import submission_digest

    for name, source in (("alice", "x = 1\n"), ("bob", "x = 2\n"), ("carol", "x = 1\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "mytorch.py").write_text(source)
    alice, bob, carol = (submission_digest(str(tmp_path / name / "mytorch.py")) for name in ("alice", "bob", "carol"))
    assert alice != bob and alice == carol  # the same files are the same submission, wherever they lie
    assert examples_seed("s", [f"mytorch:{alice}"]) != examples_seed("s", [f"mytorch:{bob}"])


def test_examples_default_to_well_above_the_ci_profiles_and_must_be_a_count(tmp_path: Path) -> None:
    """100 examples per property test when grading; a course's value must be a whole number >= 1."""
    assert load_settings().examples == 100 and load_settings().secret == ""
    course = tmp_path / "course.toml"
    course.write_text("[grading]\nexamples = 0\n")
    with pytest.raises(SettingsError, match="examples must be a whole number"):
        load_settings(course)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Grade the recorder four times on test_view_any_shape: secret A, secret A, secret B, and A's seed replayed."""
    root = tmp_path_factory.mktemp("secret")
    folder = root / "alice"
    make_complete(folder / "_complete")
    log = root / "views.log"
    (folder / "mytorch.py").write_text(textwrap.dedent(RECORDER).replace("LOG", repr(str(log))))
    done: dict[str, dict[str, Any]] = {}
    for name, secret, extra in (("A", "A", []), ("again", "A", []), ("B", "B", []), ("replay", "", None)):
        course = root / f"{name}.toml"
        # The recorder's log lies outside its folder, which a sandboxed submission cannot write: graded unsandboxed.
        course.write_text(f"[grading]\nsecret = {secret!r}\nisolation = \"none\"\n")
        if extra is None:
            extra = ["--seed", str(done["A"]["staff"]["seed"])]
        log.unlink(missing_ok=True)
        report = root / f"grades-{name}"
        result = pytest_run("--grade", "--backend", f"alice={folder / 'mytorch.py'}", "--weights", str(course),
                            "-k", "test_view_any_shape", "--max-examples", "8", "--report-dir", str(report), *extra)
        done[name] = {"out": result.stdout, "views": log.read_text() if log.exists() else "",
                      "score": json.loads((report / "results.json").read_text())["score"],
                      "staff": json.loads((report / "staff.json").read_text()),
                      "results": (report / "results.json").read_text(), "grade": (report / "grade.md").read_text()}
    return done


def test_one_secret_draws_the_same_inputs_and_another_draws_others(runs: dict[str, dict[str, Any]]) -> None:
    """Secret A twice: the same views asked for, the same seed and score; secret B: other views."""
    assert runs["A"]["views"], runs["A"]["out"][-2000:]
    assert runs["A"]["views"] == runs["again"]["views"] and runs["A"]["score"] == runs["again"]["score"]
    assert runs["A"]["staff"]["seed"] == runs["again"]["staff"]["seed"] != runs["B"]["staff"]["seed"]
    assert runs["A"]["views"] != runs["B"]["views"]
    assert runs["A"]["staff"]["seed_source"] == "secret" and runs["A"]["staff"]["examples"] == 8


def test_the_seed_replays_a_run_and_is_kept_from_students(runs: dict[str, dict[str, Any]]) -> None:
    """--seed with A's seed draws A's inputs; the seed is in the staff log and staff.json, not in grade.md or results.json."""
    seed = str(runs["A"]["staff"]["seed"])
    assert runs["replay"]["views"] == runs["A"]["views"] and runs["replay"]["staff"]["seed_source"] == "--seed"
    assert f"examples: seed {seed} (from the course secret and the submission's name and files)" in runs["A"]["out"]
    assert seed not in runs["A"]["results"] and seed not in runs["A"]["grade"]
