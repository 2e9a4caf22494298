"""The files a run writes into its report folder, the list it leaves of them, and clearing them from a folder used again.

A run ends by listing in the folder's MANIFEST the files it wrote there (their
names, sizes and modification times). The next run into the same folder
removes those of them that are still as that run left them, before it writes
its own, so that the folder and its page hold one run's tables, never an older
grade or benchmark beside newer ones: a graded run of several submissions'
``<label>/`` grades too. A file the suite did not write, or one changed since,
is never removed, whatever its name: where it bears the name of one a run
writes, it is renamed aside (``summary.md`` to ``summary.kept.md``), so that
the run neither writes over it nor shows it as its own.
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
    """What clearing a folder did: the earlier run's files it removed, and the files named as a run's own that it
    renamed aside (not an earlier run's, or changed since), each as (old name, new name)."""

    removed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """What the report folder line adds: `` (an earlier run's 7 files were removed from it first, among them those
        in a/ and b/; summary.md, not as a run of the suite left it, was renamed summary.kept.md)``; empty when
        nothing was done."""
        parts = []
        if self.removed:
            folders = sorted({name.partition("/")[0] for name in self.removed if "/" in name} - {PLOTS})
            files = "file was" if len(self.removed) == 1 else f"{len(self.removed)} files were"
            parts.append(f"an earlier run's {files} removed from it first"
                         + (f", among them those in {' and '.join(f'{name}/' for name in folders)}" if folders else ""))
        if self.renamed:
            old, new = (" and ".join(names) for names in zip(*self.renamed))
            one = len(self.renamed) == 1
            parts.append(f"{old}, not as a run of the suite left {'it' if one else 'them'}, "
                         f"{'was' if one else 'were'} renamed {new}")
        return f" ({'; '.join(parts)})" if parts else ""


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


def _listed(manifest: Path) -> dict[str, tuple]:
    """The files a MANIFEST lists, by name, with their (size, mtime); none where it is missing, a link or unreadable."""
    if manifest.is_symlink() or not manifest.is_file():
        return {}
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
        return {str(name): tuple(state) for name, state in listed.items()} if isinstance(listed, dict) else {}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}
    finally:
        manifest.unlink()


def _aside(path: Path) -> Path:
    """A free name beside ``path`` to keep it under: ``summary.kept.md``, then ``summary.kept-2.md`` and on."""
    for number in range(1, 10_000):
        candidate = path.with_name(f"{path.stem}.kept{'' if number == 1 else f'-{number}'}{path.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(f"no free name to keep {path} under")


def clear_earlier_run(folder: Path) -> Cleared:
    """Remove from ``folder`` the files its MANIFEST lists that are still as the run that wrote them left them; rename
    aside every other file bearing the name of one a run writes at the top, and each listed one changed since.

    Nothing is removed but what the manifest lists as it left it (a manifest
    is read as untrusted: a name the suite never writes is skipped), and
    nothing behind a link is touched (a link bearing a run's file name is
    renamed itself, so that no run writes through it). A plot folder or a
    submission's folder left empty goes too.
    """
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return Cleared()
    removed, changed = [], []
    for name, state in _listed(folder / MANIFEST).items():
        if not _ours(name) or (folder / name).parent.is_symlink():
            continue
        if _state(folder / name) == state:
            (folder / name).unlink()
            removed.append(name)
        else:
            changed.append(name)
    for sub in sorted({folder / PLOTS} | {folder / name.partition("/")[0] for name in removed if "/" in name}):
        if sub.is_dir() and not sub.is_symlink() and not any(sub.iterdir()):
            os.rmdir(sub)
    renamed = []
    for name in [*RUN_FILES, *(name for name in changed if "/" in name)]:
        path = folder / name
        if path.is_symlink() or path.is_file():
            new = _aside(path)
            path.rename(new)
            renamed.append((name, str(new.relative_to(folder))))
    return Cleared(tuple(removed), tuple(renamed))


def shown_path(path: Path | str) -> str:
    """A written file's path as the terminal shows it: relative under the working folder, absolute elsewhere."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative
