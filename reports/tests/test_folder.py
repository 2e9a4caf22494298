"""A report folder used again: the files the last run listed go, nothing else does, and no link is followed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from reports.folder import LABEL_FILES, MANIFEST, PLOTS, RUN_FILES, Cleared, clear_earlier_run, record_run, shown_path


def _earlier_run(folder: Path, names: list[str]) -> list[str]:
    """Files as a run writes them (``plots/x.png`` in the plot folder), then its manifest; what it lists."""
    started = time.time_ns() - 50_000_000  # file times come from a coarser clock (suite.plugin.CLOCK_SLACK_NS)
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"{name} of the earlier run")
    return record_run(folder, started)


def test_every_file_the_earlier_run_wrote_is_removed_and_the_users_own_are_kept(tmp_path: Path) -> None:
    """What the manifest lists goes, the manifest too; a user's file stays, renamed aside where it is named like one
    the run writes (which would write over it)."""
    (tmp_path / "grade.md").write_text("the user's own, from before the run")
    os.utime(tmp_path / "grade.md", ns=(0, 0))  # older than the run: not the run's
    listed = _earlier_run(tmp_path, [*[n for n in RUN_FILES if n != "grade.md"], f"{PLOTS}/view.png"])
    (tmp_path / "notes.md").write_text("mine")
    (tmp_path / PLOTS / "sketch.txt").write_text("mine")
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "results.json").write_text("{}")

    assert sorted(listed) == sorted([n for n in RUN_FILES if n != "grade.md"] + [f"{PLOTS}/view.png"])
    cleared = clear_earlier_run(tmp_path)
    assert sorted(cleared.removed) == sorted(listed) and cleared.renamed == (("grade.md", "grade.kept.md"),)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alice", "grade.kept.md", "notes.md", PLOTS]
    assert (tmp_path / "grade.kept.md").read_text() == "the user's own, from before the run"
    assert [p.name for p in (tmp_path / PLOTS).iterdir()] == ["sketch.txt"]
    assert clear_earlier_run(tmp_path) == Cleared()  # no manifest left, nothing named as a run's: nothing more goes


def test_each_submissions_grade_of_an_earlier_graded_run_of_several_goes_with_its_emptied_folder(tmp_path: Path) -> None:
    """``alice/`` and ``bob/`` (results.json, grade.md) go, and their folders once empty; a user's file keeps its
    folder; a folder that is a link, or not named as a label is, is not listed."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "grade.md").write_text("someone else's")
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "carol").symlink_to(elsewhere)
    (folder / "1st").mkdir()
    (folder / "1st" / "grade.md").write_text("not a label's")
    graded = [f"{who}/{name}" for who in ("alice", "bob") for name in LABEL_FILES]
    listed = _earlier_run(folder, ["leaderboard.csv", *graded])
    (folder / "bob" / "notes.txt").write_text("mine")

    assert sorted(listed) == sorted(["leaderboard.csv", *graded])
    cleared = clear_earlier_run(folder)
    assert sorted(cleared.removed) == sorted(listed)
    assert cleared.describe() == " (an earlier run's 5 files were removed from it first, among them those in alice/ and bob/)"
    assert sorted(p.name for p in folder.iterdir()) == ["1st", "bob", "carol"]
    assert [p.name for p in (folder / "bob").iterdir()] == ["notes.txt"]
    assert (elsewhere / "grade.md").read_text() == "someone else's" and (folder / "1st" / "grade.md").exists()


def test_a_file_changed_since_the_run_and_a_folder_without_a_manifest_lose_nothing(tmp_path: Path) -> None:
    """A listed file edited after the run is renamed aside, not removed; so is a run's file name in a folder no run
    listed (an older suite's, anyone's); the line says so."""
    _earlier_run(tmp_path, ["summary.md", "results.json", f"{PLOTS}/mm.png"])
    (tmp_path / "summary.md").write_text("edited by hand since")
    cleared = clear_earlier_run(tmp_path)
    assert (sorted(cleared.removed), cleared.renamed) == ([f"{PLOTS}/mm.png", "results.json"],
                                                         (("summary.md", "summary.kept.md"),))
    assert cleared.describe() == (" (an earlier run's 2 files were removed from it first; summary.md, not as a run of "
                                  "the suite left it, was renamed summary.kept.md)")  # plots/ is no submission's
    assert (tmp_path / "summary.kept.md").read_text() == "edited by hand since"
    assert not (tmp_path / "summary.md").exists() and not (tmp_path / PLOTS).exists()  # the emptied plot folder goes

    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("results.json", "results.kept.json", "report.html"):
        (bare / name).write_text(name)
    cleared = clear_earlier_run(bare)
    assert cleared.renamed == (("results.json", "results.kept-2.json"), ("report.html", "report.kept.html"))
    assert cleared.describe() == (" (results.json and report.html, not as a run of the suite left them, were renamed "
                                  "results.kept-2.json and report.kept.html)")
    assert sorted(p.read_text() for p in bare.iterdir()) == ["report.html", "results.json", "results.kept.json"]
    assert sorted(p.name for p in bare.iterdir()) == ["report.kept.html", "results.kept-2.json", "results.kept.json"]
    assert clear_earlier_run(tmp_path / "new") == Cleared() and not (tmp_path / "new").exists()


def test_a_submissions_grade_edited_since_is_renamed_in_its_folder(tmp_path: Path) -> None:
    """``alice/grade.md`` annotated by staff after a graded run becomes ``alice/grade.kept.md``; the rest goes."""
    _earlier_run(tmp_path, [f"alice/{name}" for name in LABEL_FILES])
    (tmp_path / "alice" / "grade.md").write_text("see me after class")
    cleared = clear_earlier_run(tmp_path)
    assert cleared == Cleared(("alice/results.json",), (("alice/grade.md", "alice/grade.kept.md"),))
    assert [p.name for p in (tmp_path / "alice").iterdir()] == ["grade.kept.md"]


def test_a_manifest_naming_what_a_run_never_writes_removes_nothing_of_it(tmp_path: Path) -> None:
    """A manifest is read as untrusted: names outside RUN_FILES and plots/*.png, or climbing out, are skipped."""
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    folder = tmp_path / "report"
    (folder / PLOTS).mkdir(parents=True)
    (folder / "notes.md").write_text("keep")
    files = {}
    for name, path in (("notes.md", folder / "notes.md"), ("../outside.txt", outside),
                       (f"{PLOTS}/../notes.md", folder / "notes.md"), ("../outside.txt/grade.md", outside),
                       ("alice/../notes.md", folder / "notes.md")):
        stat = path.stat()
        files[name] = [stat.st_size, stat.st_mtime_ns]
    (folder / MANIFEST).write_text(json.dumps({"files": files}))
    assert clear_earlier_run(folder) == Cleared()
    assert outside.exists() and (folder / "notes.md").exists()
    (folder / MANIFEST).write_text("not json")
    assert clear_earlier_run(folder) == Cleared() and not (folder / MANIFEST).exists()


def test_links_are_never_followed(tmp_path: Path) -> None:
    """A listed name that is now a link to elsewhere is renamed aside (no run writes through it), its target
    untouched; a folder that is a link is not entered."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "results.json").write_text("someone else's")
    folder = tmp_path / "report"
    folder.mkdir()
    _earlier_run(folder, ["results.json"])
    (folder / "results.json").unlink()
    (folder / "results.json").symlink_to(elsewhere / "results.json")
    assert clear_earlier_run(folder) == Cleared(renamed=(("results.json", "results.kept.json"),))
    assert (folder / "results.kept.json").is_symlink() and not os.path.lexists(folder / "results.json")
    assert (elsewhere / "results.json").read_text() == "someone else's"

    linked = tmp_path / "linked"
    linked.symlink_to(folder)
    _earlier_run(folder, ["summary.md"])
    assert clear_earlier_run(linked) == Cleared() and (folder / "summary.md").exists()


def test_a_written_files_path_is_shown_relative_under_the_working_folder_only(tmp_path: Path, monkeypatch) -> None:
    """Under the working folder: relative; elsewhere: absolute, never ``../..`` (the same in every "wrote" line)."""
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert shown_path(tmp_path / "here" / "grades" / "results.json") == os.path.join("grades", "results.json")
    assert shown_path(tmp_path / "elsewhere" / "results.json") == str(tmp_path / "elsewhere" / "results.json")
