"""Keeping a grade the grader's own: what the grading process does before and after a submission runs.

The submission runs in a worker process (``suite.backends``), so it cannot touch
the grading process's memory. It runs as the same user, though, so it can touch
files and start processes. Against that, the grading process:

- becomes a *child subreaper* (Linux), so every process the submission starts,
  however it detaches, stays its descendant and is killed before the report is written;
- imports, before any submission code runs, every module it will need later
  (suite, reference, the conformance tests, the report writers), so files
  rewritten on disk during the run are never executed by it;
- fingerprints its own files and the test framework's before the run and
  compares after it, so a change is reported and the score withheld (weights.toml);
- snapshots the report folder before the run, and removes what appeared in it
  during the run, before writing its own files (atomically, replacing links).

This is not a sandbox: a course facing determined cheats runs each submission
in its own container or as another user (Gradescope gives each its own container).
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    import pytest

from suite import PROJECT_ROOT

#: prctl option that makes orphaned descendants re-parent to the caller (Linux >= 3.4).
PR_SET_CHILD_SUBREAPER = 36
#: The project's folders and files whose sources the grading process runs.
PROJECT_PARTS = ("suite", "reference", "reports", "impls/__init__.py", "impls/registry.py", "conftest.py", "pyproject.toml")
#: Parts of those folders the grading process never imports (only a worker may: a built-in backend, a mutant).
INERT = ("suite/mutants",)
#: Installed packages the grading process runs (their .py files are fingerprinted).
PACKAGES = ("pytest", "_pytest", "pluggy", "hypothesis", "numpy", "pandas", "tabulate")
#: Modules imported before the submission runs, besides the suite's and the reference's own.
PRELOAD = ("pandas", "tabulate", "reports.conformance", "reports.grading", "suite.compare", "suite.repro",
           "suite.strategies", "suite.grading.scoring")


def become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state letter) for every process /proc shows."""
    table: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()  # the name, in parentheses, may hold spaces
        table[int(entry)] = (int(fields[1]), fields[0])
    return table


def children(root: int | None = None) -> list[int]:
    """The direct children of ``root`` (default: this process), ended ones not yet waited for included."""
    root = os.getpid() if root is None else root
    return [pid for pid, (parent, _) in _processes().items() if parent == root]


def descendants(root: int | None = None) -> list[int]:
    """Live (not zombie) processes descended from ``root`` (default: this process)."""
    root = os.getpid() if root is None else root
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        if table.get(pid, (0, "Z"))[1] not in ("Z", "X"):
            found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def grader_helpers() -> set[int]:
    """The processes multiprocessing started for the grader itself (the fork server, the resource tracker).

    Read from the grading process's own memory, not from anything a submission
    could imitate (a process's command line, its name).
    """
    from multiprocessing import forkserver, resource_tracker

    pids = {getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None),
            getattr(getattr(resource_tracker, "_resource_tracker", None), "_pid", None)}
    return {pid for pid in pids if isinstance(pid, int)}


def kill_descendants(root: int | None = None, spare: set[int] = frozenset(), rounds: int = 100) -> list[int]:
    """SIGKILL every descendant of ``root`` but the ``spare`` ones, until none is left alive.

    A spared process's own descendants are killed too. A process that forks
    while this runs is caught in the next round.
    """
    killed: list[int] = []
    for _ in range(rounds):
        alive = [pid for pid in descendants(root) if pid not in spare]
        if not alive:
            break
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)
    return sorted(set(killed))


def _project_modules() -> list[str]:
    """The suite's probes, the reference and the conformance test modules, by import name."""
    names = []
    for package in ("reference", "suite/probes", "suite/conformance"):
        for path in sorted((PROJECT_ROOT / package).glob("*.py")):
            if path.name == "__init__.py" or (package == "reference" and path.name.startswith("test")):
                continue
            if package == "suite/conformance" and not path.name.startswith("test_"):
                continue
            names.append(f"{package.replace('/', '.')}.{path.stem}")
    return names


def preload() -> list[str]:
    """Import what the grading process will run later; return ``module: error`` for any that would not import.

    A module that fails here is imported (and fails) again when pytest collects
    it, which reports it as usual; preloading never stops a run.
    """
    failures = []
    for name in (*PRELOAD, *_project_modules()):
        try:
            importlib.import_module(name)
        except Exception as exc:  # a family being written may not import yet: pytest will say so
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    return failures


def preload_conftests(config: "pytest.Config") -> int:
    """Load every conftest.py the run could meet now, so none written later is ever imported.

    pytest loads a folder's conftest.py when it first collects that folder and
    remembers the answer; asking for every folder before the submission runs
    settles all those answers. Returns how many folders were settled (0 where
    this pytest does not offer the hook).
    """
    manager = config.pluginmanager
    load = getattr(manager, "_loadconftestmodules", None)
    if load is None:
        return 0
    settled = 0
    skip = {"__pycache__", "node_modules", "runs"}
    for folder, subfolders, _ in os.walk(PROJECT_ROOT):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in skip
                         and not (Path(folder) / d / "pyvenv.cfg").exists()]
        try:
            load(Path(folder), config.getoption("importmode"), config.rootpath,
                 consider_namespace_packages=config.getini("consider_namespace_packages"))
        except TypeError:  # another pytest's signature: detection by fingerprint still holds
            return settled
        except Exception:  # a broken conftest: pytest meets it again when collecting and reports it
            continue
        settled += 1
    return settled


def watched_roots() -> list[Path]:
    """The project's own sources and the installed test framework, numerics and report libraries."""
    roots = [PROJECT_ROOT / part for part in PROJECT_PARTS]
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        roots.append(origin.parent if origin.name == "__init__.py" else origin)
    return [root for root in roots if root.exists()]


def _source_files(root: Path) -> Iterable[Path]:
    """The .py and .toml files of a root, leaving out caches, inert parts and installed packages' own tests.

    Walked with ``os.walk``, which leaves those folders out unread: the
    installed packages' trees hold thousands of other files (numpy's and
    pandas' tests among them), and a run takes this fingerprint twice.
    """
    if root.is_file():
        yield root
        return
    inert = {str(PROJECT_ROOT / part) for part in INERT}
    installed = not any(root.is_relative_to(PROJECT_ROOT / part) for part in PROJECT_PARTS)  # a venv in the project too
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "__pycache__" and os.path.join(folder, name) not in inert
                         and not (installed and name == "tests")]
        for name in files:
            if name.endswith((".py", ".toml")):
                yield Path(folder, name)


@dataclass
class Fingerprint:
    """Every source file under some roots, as (size, modification time, inode change time, inode) at one moment.

    A process may set a file's modification time back; the inode change time it
    cannot, so any write (or a file swapped in by rename) shows, without reading
    the tens of megabytes the roots hold.
    """

    stats: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    @classmethod
    def take(cls, roots: Iterable[Path]) -> "Fingerprint":
        """Record every source file under ``roots`` now."""
        stats = {}
        for root in roots:
            for path in _source_files(root):
                try:
                    st = path.stat()
                except OSError:
                    continue
                stats[str(path)] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        return cls(stats)

    def changes(self, later: "Fingerprint") -> list[str]:
        """``changed: path``, ``added: path``, ``removed: path`` from this fingerprint to ``later``."""
        notes = [f"changed: {p}" for p in self.stats if p in later.stats and later.stats[p] != self.stats[p]]
        notes += [f"added: {p}" for p in later.stats if p not in self.stats]
        notes += [f"removed: {p}" for p in self.stats if p not in later.stats]
        return sorted(notes, key=lambda note: note.split(": ", 1)[1])


def _entry_state(path: Path) -> tuple[str, int, int, int]:
    """(kind, size, mtime in ns, inode) of a folder entry, not following links."""
    st = path.lstat()
    kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
    return (kind, st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class FolderSnapshot:
    """What a report folder held before the submission ran (nothing, when it did not exist)."""

    folder: Path
    existed_as: str | None
    entries: dict[str, tuple[str, int, int, int]]

    @classmethod
    def take(cls, folder: Path) -> "FolderSnapshot":
        """Record the folder's entries now."""
        folder = Path(folder)
        if folder.is_symlink():
            return cls(folder, "link", {})
        if not folder.is_dir():
            return cls(folder, None, {})
        return cls(folder, "dir", {p.name: _entry_state(p) for p in folder.iterdir()})

    def restore(self) -> list[str]:
        """Remove what appeared in the folder since the snapshot; say what was found.

        New entries are removed (files, links, folders), and so are entries
        replaced by a link; other entries that changed are named and left alone
        (the grader's own files are rewritten next); a folder replaced by a link
        is made a plain folder again.
        """
        folder, notes = self.folder, []
        if folder.is_symlink() and self.existed_as != "link":
            notes.append(f"the report folder {folder} was replaced by a link to {os.readlink(folder)}: removed the link")
            folder.unlink()
        if not folder.exists():
            folder.mkdir(parents=True, exist_ok=True)
            return notes
        for path in sorted(folder.iterdir()):
            before = self.entries.get(path.name)
            if before is None:
                kind = _entry_state(path)[0]
                notes.append(f"{kind} {path.name!r} appeared in the report folder during the run: removed")
                if kind == "dir":
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            elif path.is_symlink() and before[0] != "link":
                notes.append(f"{path.name!r} in the report folder was replaced by a link during the run: removed")
                path.unlink()
            elif _entry_state(path) != before:
                notes.append(f"{path.name!r} in the report folder changed during the run")
        return notes
