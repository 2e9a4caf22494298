"""Grading's parts on their own: settings, the score rule, the guard and the batch runner's bookkeeping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reference.behaviours import BEHAVIOURS, FAMILIES
from reports.grading import validate_results
from suite.grading import batch, guard
from suite.grading.scoring import Check, counts, grade, withhold
from suite.grading.settings import SettingsError, load_settings

# --- settings --------------------------------------------------------------------------------------


def test_the_default_weights_cover_every_family() -> None:
    """weights.toml gives every family a weight, 100 points, and limits a course can read."""
    settings = load_settings()
    assert settings.total == 100
    assert set(settings.families) == set(FAMILIES.values())
    assert all(weight > 0 for weight in settings.families.values())
    assert settings.time_limit > 0 and settings.memory_bytes >= 2**30 and settings.run_budget > 0
    assert settings.behaviour_weight("V4") == 1 and settings.behaviour_weight("A5") == 0.5


def test_a_course_file_changes_only_what_it_names(tmp_path: Path) -> None:
    """A course's file is laid over the defaults key by key."""
    course = tmp_path / "course.toml"
    course.write_text('[grading]\ntotal = 40\n[families]\nviews = 30\n[behaviours]\nV4 = 2\n[limits]\ntime_limit = 7\n')
    settings = load_settings(course)
    assert settings.total == 40 and settings.family_weight("views") == 30 and settings.family_weight("tensors") == 15
    assert settings.behaviour_weight("V4") == 2 and settings.behaviour_weight("V5") == 1
    assert settings.time_limit == 7 and settings.memory_limit == load_settings().memory_limit
    assert settings.files[-1] == str(course)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[grades]\ntotal = 1\n", "unknown table [grades]"),
        ("[families]\ngraphs = 3\n", "unknown key 'graphs' in [families]"),
        ("[behaviours]\nV9 = 3\n", "unknown key 'V9' in [behaviours]"),
        ("[families]\nviews = -1\n", "[families] views must be a number >= 0"),
        ('[grading]\nvisibility = "secret"\n', "visibility must be one of"),
        ('[limits]\nmemory_limit = "lots"\n', "memory_limit: not a size"),
        ("[grading]\ntotal = 0\n", "[grading] total must be more than 0"),
        ("[grading\n", "not valid TOML"),
    ],
    ids=["table", "family", "behaviour", "negative", "visibility", "memory", "zero-total", "syntax"],
)
def test_a_bad_settings_file_is_refused_naming_the_key(tmp_path: Path, text: str, words: str) -> None:
    """Mistakes in a course's file stop the run with the file and the key named."""
    course = tmp_path / "course.toml"
    course.write_text(text)
    with pytest.raises(SettingsError, match=None) as caught:
        load_settings(course)
    assert words in str(caught.value) and str(course) in str(caught.value)


# --- the score rule ----------------------------------------------------------------------------------


#: The cause a record of each outcome carries in these tests.
DEFAULT_CAUSE = {"failed": "wrong result", "missing": "missing name", "error": "exception"}


def checks_and_records(outcomes: dict[str, list[str]], backend: str = "s") -> tuple[list[Check], list[dict]]:
    """Checks named after their behaviour, with records of the given outcomes (``None`` leaves a check unrecorded)."""
    checks, records = [], []
    for behaviour, results in outcomes.items():
        for i, outcome in enumerate(results):
            check = Check(test=f"t::test_{behaviour}_{i}", backend=backend, device="cpu", behaviour=behaviour)
            checks.append(check)
            if outcome is not None:
                records.append({"test": check.test, "backend": backend, "device": "cpu", "family": BEHAVIOURS[behaviour].family,
                                "behaviour": behaviour, "outcome": outcome, "seconds": 0.1,
                                "message": "" if outcome == "passed" else f"{outcome}: why",
                                "cause": DEFAULT_CAUSE.get(outcome, "")})
    return checks, records


def by_id(result: dict) -> dict[str, dict]:
    """A grade's behaviours by id."""
    return {b["id"]: b for b in result["behaviours"]}


def test_a_full_pass_earns_the_total_whatever_ran() -> None:
    """Points are shared among the families and behaviours that ran, so passing all of them earns the total."""
    checks, records = checks_and_records({"V1": ["passed"] * 3, "V4": ["passed"], "L1": ["passed"] * 2})
    result = grade(checks, records, load_settings(), "s")
    assert result["score"] == pytest.approx(100) and result["max_score"] == pytest.approx(100)
    views, linalg = (f for f in result["families"])
    assert views["max_score"] == pytest.approx(100 * 15 / 20) and linalg["max_score"] == pytest.approx(100 * 5 / 20)


def test_a_behaviour_earns_the_share_of_its_checks_that_pass() -> None:
    """Two of three checks passing earn two thirds of the behaviour's points; a behaviour is one status."""
    checks, records = checks_and_records({"V1": ["passed", "passed", "failed"], "V2": ["passed"]})
    behaviours = by_id(grade(checks, records, load_settings(), "s"))
    assert behaviours["V1"]["score"] == pytest.approx(behaviours["V1"]["max_score"] * 2 / 3)
    assert behaviours["V1"]["status"] == "partial" and behaviours["V1"]["problem"] == "failed"
    assert behaviours["V2"]["status"] == "passed"


def test_weights_set_each_family_and_behaviour_share(tmp_path: Path) -> None:
    """A family weighing three times another gets three times its points; a behaviour weighing 2 twice its sibling's."""
    course = tmp_path / "course.toml"
    course.write_text("[families]\nviews = 30\nlinalg = 10\n[behaviours]\nV4 = 2\n")
    checks, records = checks_and_records({"V1": ["passed"], "V4": ["passed"], "L1": ["passed"]})
    behaviours = by_id(grade(checks, records, load_settings(course), "s"))
    assert behaviours["L1"]["max_score"] == pytest.approx(25)
    assert behaviours["V4"]["max_score"] == pytest.approx(50) and behaviours["V1"]["max_score"] == pytest.approx(25)


def test_a_courses_visibility_reaches_results_json(tmp_path: Path) -> None:
    """[grading] visibility in a course file sets results.json's visibility, overall and per test."""
    from reports.grading import results_json

    course = tmp_path / "course.toml"
    course.write_text('[grading]\nvisibility = "after_due_date"\n')
    checks, records = checks_and_records({"V1": ["passed"]})
    data = results_json(grade(checks, records, load_settings(course), "s"))
    assert data["visibility"] == "after_due_date" and {t["visibility"] for t in data["tests"]} == {"after_due_date"}


def test_missing_scores_zero_like_failed_but_is_told_apart() -> None:
    """A behaviour whose API is not there earns nothing, and says `missing`, not `failed`."""
    checks, records = checks_and_records({"V1": ["missing", "missing"], "V2": ["failed"], "V3": ["passed", "missing"]})
    result = grade(checks, records, load_settings(), "s")
    behaviours = by_id(result)
    assert behaviours["V1"]["score"] == 0 == behaviours["V2"]["score"]
    assert (behaviours["V1"]["status"], behaviours["V2"]["status"], behaviours["V3"]["status"]) == ("missing", "failed", "partial")
    assert counts(result) == {"passed": 0, "partial": 1, "failed": 1, "error": 0, "missing": 1}


def test_skipped_checks_do_not_count_and_an_all_skipped_behaviour_is_not_graded() -> None:
    """A device the backend lacks takes nothing away; a behaviour with only skips is listed as not graded."""
    checks, records = checks_and_records({"V1": ["passed", "skipped"], "V2": ["skipped"]})
    result = grade(checks, records, load_settings(), "s")
    assert by_id(result)["V1"]["score"] == pytest.approx(100) and result["ungraded"] == ["V2"]


def test_behaviours_the_run_held_no_check_of_are_listed_as_unselected() -> None:
    """A run narrowed to some behaviours (-k, -m, paths) names every other one; a run holding all of them names none."""
    checks, records = checks_and_records({"V1": ["passed"], "M2": ["skipped"]})
    narrowed = grade(checks, records, load_settings(), "s")
    assert narrowed["unselected"] == [b for b in BEHAVIOURS if b not in ("V1", "M2")]  # M2 had a check: it is ungraded
    assert narrowed["ungraded"] == ["M2"]
    checks, records = checks_and_records({b: ["passed"] for b in BEHAVIOURS})
    assert grade(checks, records, load_settings(), "s")["unselected"] == []


def test_a_check_the_run_never_reached_scores_zero_as_not_run() -> None:
    """The grade is over the collected checks: one without a record (the run ended early) counts, at zero."""
    checks, records = checks_and_records({"V1": ["passed", None]})
    behaviour = by_id(grade(checks, records, load_settings(), "s"))["V1"]
    assert behaviour["score"] == pytest.approx(50) and behaviour["causes"] == ["not run"]


def test_only_the_named_backends_checks_are_graded() -> None:
    """Several backends in one run: each grade uses only its own checks and records."""
    checks, records = checks_and_records({"V1": ["passed"]}, backend="a")
    other_checks, other_records = checks_and_records({"V1": ["failed"]}, backend="b")
    assert grade(checks + other_checks, records + other_records, load_settings(), "a")["score"] == pytest.approx(100)


@pytest.mark.parametrize("cause", ["timeout", "crash", "exit", "memory", "output", "load", "exception", "suite"])
def test_the_cause_of_a_check_is_read_from_its_record_not_its_message(cause: str) -> None:
    """A grade names each check's cause from the record's field, whatever its message says."""
    checks, records = checks_and_records({"V2": ["error", "passed"]})
    records[0]["cause"], records[0]["message"] = cause, "timeout: a message that says something else"
    behaviour = by_id(grade(checks, records, load_settings(), "s"))["V2"]
    assert behaviour["causes"] == [cause] and behaviour["checks"][0]["cause"] == cause


def test_withholding_keeps_what_the_checks_earned_on_record() -> None:
    """A withheld grade scores zero and keeps the earned score and the reason."""
    checks, records = checks_and_records({"V1": ["passed"]})
    withheld = withhold(grade(checks, records, load_settings(), "s"), "files changed")
    assert withheld["score"] == 0 and withheld["score_before_withholding"] == pytest.approx(100)
    assert withheld["withheld"] == "files changed"


# --- the guard -----------------------------------------------------------------------------------------


def test_a_fingerprint_sees_a_rewrite_even_with_the_old_modification_time(tmp_path: Path) -> None:
    """Rewriting a file to the same size and setting its mtime back still shows: the inode change time moved."""
    source = tmp_path / "ref.py"
    source.write_text("x = 1\n")
    before = guard.Fingerprint.take([tmp_path])
    stat = source.stat()
    time.sleep(0.01)
    source.write_text("x = 2\n")
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    (tmp_path / "new.py").write_text("")
    assert guard.Fingerprint.take([tmp_path]).stats[str(source)][:2] == before.stats[str(source)][:2]
    assert before.changes(guard.Fingerprint.take([tmp_path])) == [f"added: {tmp_path / 'new.py'}", f"changed: {source}"]


def test_the_watched_files_include_the_suite_the_reference_and_pytest() -> None:
    """The fingerprint covers the grader's own sources (its tests too) and the test framework, not the inert mutants,
    the caches or the installed packages' own tests."""
    watched = guard.Fingerprint.take(guard.watched_roots()).stats
    names = {Path(p).as_posix() for p in watched}
    assert any(n.endswith("reference/views.py") for n in names) and any(n.endswith("suite/compare.py") for n in names)
    assert any(n.endswith("_pytest/python.py") for n in names) and any("/hypothesis/" in n for n in names)
    assert not any("/suite/mutants/" in n for n in names)
    assert any(n.endswith("reference/tests/test_autograd_reference.py") for n in names)
    assert any("/numpy/" in n for n in names) and not any("/numpy/" in n and "/tests/" in n for n in names)
    assert not any("/__pycache__/" in n for n in names)


def test_the_report_folder_is_cleared_of_what_appeared_during_the_run(tmp_path: Path) -> None:
    """New files and links go; a file that was there stays; an old entry turned into a link goes too."""
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "old.txt").write_text("kept")
    (folder / "results.json").write_text("{}")
    snapshot = guard.FolderSnapshot.take(folder)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (folder / "forged.txt").write_text("x")
    (folder / "summary.md").symlink_to(victim)
    (folder / "results.json").unlink()
    (folder / "results.json").symlink_to(victim)
    notes = snapshot.restore()
    assert sorted(p.name for p in folder.iterdir()) == ["old.txt"]
    assert victim.read_text() == "untouched" and len(notes) == 3


def test_a_report_folder_swapped_for_a_link_is_made_a_folder_again(tmp_path: Path) -> None:
    """When the folder itself becomes a link during the run, the link is removed and a plain folder made."""
    folder = tmp_path / "report"
    snapshot = guard.FolderSnapshot.take(folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder.symlink_to(elsewhere)
    notes = snapshot.restore()
    assert folder.is_dir() and not folder.is_symlink() and "replaced by a link" in notes[0]


def test_a_detached_grandchild_is_found_and_killed() -> None:
    """A subreaper adopts a process that detached (double fork, new session); killing descendants reaches it."""
    script = textwrap.dedent('''
        import os, subprocess, sys, time
        from suite.grading import guard
        assert guard.become_subreaper()
        subprocess.run([sys.executable, "-c",
                        "import subprocess, sys; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True)"])
        time.sleep(0.3)
        orphans = guard.descendants()
        killed = guard.kill_descendants()
        time.sleep(0.1)
        print(len(orphans), len(killed), len(guard.descendants()))
    ''')
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["1", "1", "0"], done.stderr


# --- the batch runner ---------------------------------------------------------------------------------


def test_a_submissions_module_is_found_in_its_usual_forms(tmp_path: Path) -> None:
    """mytorch.py, a mytorch/ package, a lone module of another name, the folder as a package; else mytorch.py."""
    forms = {"file": ["mytorch.py", "notes.txt"], "package": ["mytorch/__init__.py"], "lone": ["impl.py"],
             "folder": ["__init__.py", "a.py", "b.py"], "empty": ["README.md"]}
    for name, files in forms.items():
        for file in files:
            (tmp_path / name / file).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / file).write_text("")
    found = {s.name: s.entry.relative_to(tmp_path.resolve()).as_posix() for s in batch.find_submissions(tmp_path)}
    assert found == {"file": "file/mytorch.py", "package": "package/mytorch", "lone": "lone/impl.py", "folder": "folder",
                     "empty": "empty/mytorch.py"}


def test_names_become_backend_labels_and_shards_split_the_class(tmp_path: Path) -> None:
    """Folder names are made labels; --shard K/N deals submissions round-robin, every one to one shard."""
    subs = [batch.Submission(name=n, folder=tmp_path, entry=tmp_path / "m.py") for n in ("alice-b", "42", "carol", "dan")]
    assert [s.label for s in subs] == ["alice_b", "s_42", "carol", "dan"]
    shares = [batch.shard(subs, f"{k}/3") for k in (1, 2, 3)]
    assert sorted(s.name for share in shares for s in share) == sorted(s.name for s in subs)
    assert [s.name for s in shares[0]] == ["alice-b", "dan"]
    with pytest.raises(SystemExit, match="--shard"):
        batch.shard(subs, "4/3")


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "killed by SIGKILL"),
        ("import sys; sys.exit(3)", "ended with status 3"),
        ("import sys; print('ERROR: grading settings x.toml: cannot read it'); sys.exit(4)",
         "ended with status 4 (ERROR: grading settings x.toml: cannot read it)"),
        ("pass", "without writing a valid results.json"),
        ("import json, os, signal, sys\nopen(sys.argv[1] + '/results.json', 'w').write(json.dumps({'score': 100}))\n"
         "os.kill(os.getpid(), signal.SIGKILL)", "killed by SIGKILL"),
    ],
    ids=["killed", "status", "usage-error-says-why", "no-report", "forged-then-killed"],
)
def test_a_run_that_ends_without_its_own_report_gets_a_zero_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 script: str, reason: str) -> None:
    """Killed, crashed or silent: the batch writes a valid zero results.json saying why (with the run's last words)."""
    monkeypatch.setattr(batch, "pytest_command",
                        lambda submission, grader, report_dir, args: [sys.executable, "-c", script, str(report_dir)])
    submission = batch.Submission(name="s", folder=tmp_path, entry=tmp_path / "mytorch.py")
    reaper = batch.Reaper()
    # This test process's own helpers (the self-tests' zygote, a worker server and its resource tracker) are not the
    # run's strays: a real batch process has none, and killing them here only makes later tests restart them.
    reaper.running |= {pid for pid, (parent, _) in guard._processes().items() if parent == os.getpid()}
    outcome = batch.grade_one(submission, tmp_path / "out" / "s", tmp_path / "s.log", [], 60, reaper, 100.0)
    data = json.loads((tmp_path / "out" / "s" / "results.json").read_text())
    assert validate_results(data) == [] and data["score"] == 0 == outcome["score"]
    assert reason in data["output"] and reason in (tmp_path / "out" / "s" / "grade.md").read_text()
    assert batch.outcome_line(outcome) == f"s: 0 / 100 in {outcome['seconds']:.0f} s ({outcome['reason']})"
    assert reason in outcome["reason"] and outcome["notes"] == []  # the zero results.json names no load error


def test_the_leaderboard_can_be_rebuilt_from_gathered_folders(tmp_path: Path) -> None:
    """--leaderboard-only ranks every results.json found (folders of several shards gathered in one place)."""
    for name, score in (("a", 50.0), ("b", 80.0), ("c", 50.0)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps({"score": score, "max_score": 100.0, "tests": []}))
    assert batch.main(["--leaderboard-only", str(tmp_path)]) == 0
    lines = (tmp_path / "leaderboard.csv").read_text().splitlines()
    assert [line.split(",")[:3] for line in lines[1:]] == [["1", "b", "80.0"], ["2", "a", "50.0"], ["2", "c", "50.0"]]


def test_a_batch_copy_of_the_suite_says_what_judged_it(tmp_path: Path) -> None:
    """The batch grades from a private copy without .git: its reports still name the commit the suite was copied
    from (before, a batch's grade.md and leaderboard said only the version number)."""
    from suite import version

    grader = batch.private_copy(tmp_path / "grader")
    said = subprocess.run([sys.executable, "-c", "import suite; print(suite.__file__); print(suite.version())"],
                          cwd=grader, capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}).stdout.splitlines()
    assert said == [str(grader / "suite" / "__init__.py"), version()]
