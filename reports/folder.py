"""The files a run writes into its report folder, the list it leaves of them, and clearing them from a folder used again.

A run ends by listing in the folder's MANIFEST the files it wrote there (their
names, sizes and modification times). The next run into the same folder
removes those of them that are still as that run left them, before it writes
its own, so that the folder and its page hold one run's tables, never an older
grade or benchmark beside newer ones: a graded run of several submissions'
``<label>/`` grades too. A file the suite did not write, or one changed since,
is never removed, whatever its name.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

#: Every file a run writes at the top of its report folder (conformance, grading, benchmarks, the page).
RUN_FILES = (
    "conformance.csv", "conformance.json", "summary.md",                       # reports/conformance.py
    "results.json", "grade.md", "staff.json", "leaderboard.csv", "leaderboard.md",  # reports/grading.py, grading
    "benchmarks.json", "benchmarks.csv", "scaling.csv", "benchmarks.md",       # reports/benchmarks.py
    "report.html",                                                             # reports/html.py
)
#: The folder of benchmark plots (reports/plots.py), of which a run writes only the ``.png`` files.
PLOTS = "plots"
#: What a graded run of several submissions writes in each one's ``<label>/`` (suite/grading/plugin.py).
LABEL_FILES = ("results.json", "grade.md")
#: A backend label, as such a folder is named (impls/registry.py's rule): letters, digits, _ and ., no leading digit.
LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
#: The list a run leaves of the files it wrote.
MANIFEST = ".torch-conformance-files.json"


@dataclass(frozen=True)
class Cleared:
    """What clearing a folder did: the earlier run's files it removed, and those it listed but kept, changed since."""

    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    def describe(self) -> str:
        """What the report folder line adds: `` (an earlier run's 7 files were removed from it first, among them those
        in a/ and b/)``; empty when none was."""
        if not self.removed:
            return ""
        folders = sorted({name.partition("/")[0] for name in self.removed if "/" in name} - {PLOTS})
        files = "file was" if len(self.removed) == 1 else f"{len(self.removed)} files were"
        return (f" (an earlier run's {files} removed from it first"
                + (f", among them those in {' and '.join(f'{name}/' for name in folders)}" if folders else "") + ")")


def _ours(name: str) -> bool:
    """Whether ``name`` (relative to the folder) is one a run writes: a manifest names nothing else."""
    head, _, tail = name.partition("/")
    return (name in RUN_FILES or (head == PLOTS and tail.endswith(".png") and "/" not in tail and tail not in ("", ".."))
            or (bool(LABEL.match(head)) and tail in LABEL_FILES))


def _state(path: Path) -> tuple[int, int] | None:
    """(size, modification time in ns) of a regular file, not followed where it is a link; None otherwise."""
    try:
        stat = path.lstat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns) if not path.is_symlink() and path.is_file() else None


def record_run(folder: Path, since_ns: int) -> list[str]:
    """Write ``folder``'s MANIFEST: the run's files there, those modified since ``since_ns``; return their names."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return []
    names = [name for name in RUN_FILES if (folder / name).is_file()]
    if (folder / PLOTS).is_dir() and not (folder / PLOTS).is_symlink():
        names += [f"{PLOTS}/{path.name}" for path in sorted((folder / PLOTS).glob("*.png"))]
    for sub in sorted(folder.iterdir()):
        if LABEL.match(sub.name) and sub.is_dir() and not sub.is_symlink():
            names += [f"{sub.name}/{name}" for name in LABEL_FILES if (sub / name).is_file()]
    files = {name: state for name in names if (state := _state(folder / name)) is not None and state[1] >= since_ns}
    if files:
        (folder / MANIFEST).write_text(json.dumps({
            "about": "The files the last torch-conformance run wrote here; the next run into this folder removes "
                     "those still as it left them.", "files": files}, indent=1) + "\n", encoding="utf-8")
    return list(files)


def clear_earlier_run(folder: Path) -> Cleared:
    """Remove from ``folder`` the files its MANIFEST lists that are still as the run that wrote them left them;
    return their names, and those of the listed files it kept.

    Nothing else is touched: not a file the suite did not write, one changed
    since, a name the suite never writes (a manifest is read as untrusted), or
    anything behind a link. A plot folder or a submission's folder left empty goes too.
    """
    folder = Path(folder)
    manifest = folder / MANIFEST
    if folder.is_symlink() or not folder.is_dir() or manifest.is_symlink() or not manifest.is_file():
        return Cleared()
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
        listed = {str(name): tuple(state) for name, state in listed.items()} if isinstance(listed, dict) else {}
    except (OSError, ValueError, TypeError, AttributeError):
        listed = {}
    removed, kept = [], []
    for name, state in listed.items():
        if not _ours(name) or (folder / name).parent.is_symlink():
            continue
        if _state(folder / name) == state:
            (folder / name).unlink()
            removed.append(name)
        elif _state(folder / name) is not None:
            kept.append(name)
    manifest.unlink()
    for sub in sorted({folder / PLOTS} | {folder / name.partition("/")[0] for name in removed if "/" in name}):
        if sub.is_dir() and not sub.is_symlink() and not any(sub.iterdir()):
            os.rmdir(sub)
    return Cleared(tuple(removed), tuple(kept))


def shown_path(path: Path | str) -> str:
    """A written file's path as the terminal shows it: relative under the working folder, absolute elsewhere."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative
