"""A report folder used again: an earlier run's files are removed, nothing else is, and no link is followed."""

from __future__ import annotations

from pathlib import Path

from reports.folder import PLOTS, RUN_FILES, clear_earlier_run


def test_every_file_an_earlier_run_wrote_is_removed_and_the_users_own_are_kept(tmp_path: Path) -> None:
    """Each RUN_FILES name and each plot goes; a file of the user's, a plot folder's other files, a subfolder stay."""
    for name in RUN_FILES:
        (tmp_path / name).write_text("earlier run")
    (tmp_path / PLOTS).mkdir()
    (tmp_path / PLOTS / "view.png").write_bytes(b"png")
    (tmp_path / PLOTS / "notes.txt").write_text("mine")
    (tmp_path / "notes.md").write_text("mine")
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "results.json").write_text("{}")

    removed = clear_earlier_run(tmp_path)

    assert removed == [*RUN_FILES, f"{PLOTS}/view.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alice", "notes.md", PLOTS]
    assert [p.name for p in (tmp_path / PLOTS).iterdir()] == ["notes.txt"]
    assert (tmp_path / "alice" / "results.json").exists()


def test_an_emptied_plot_folder_goes_too_and_a_fresh_folder_is_left_alone(tmp_path: Path) -> None:
    """A plot folder holding only plots is removed with them; a folder that does not exist yet gives nothing."""
    (tmp_path / PLOTS).mkdir()
    (tmp_path / PLOTS / "mm.png").write_bytes(b"png")
    assert clear_earlier_run(tmp_path) == [f"{PLOTS}/mm.png"]
    assert not (tmp_path / PLOTS).exists()
    assert clear_earlier_run(tmp_path / "new") == []
    assert not (tmp_path / "new").exists()


def test_links_are_removed_never_followed(tmp_path: Path) -> None:
    """A results.json that links elsewhere loses the link, not its target; a folder that is a link is not entered."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "results.json").write_text("someone else's")
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "results.json").symlink_to(elsewhere / "results.json")
    (folder / PLOTS).symlink_to(elsewhere)
    (elsewhere / "a.png").write_bytes(b"png")

    assert clear_earlier_run(folder) == ["results.json"]
    assert (elsewhere / "results.json").read_text() == "someone else's"
    assert (elsewhere / "a.png").exists() and (folder / PLOTS).is_symlink()

    linked = tmp_path / "linked"
    linked.symlink_to(elsewhere)
    assert clear_earlier_run(linked) == []
    assert (elsewhere / "results.json").exists()
