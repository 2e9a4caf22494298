"""Modules a graded submission may not use: refused at import, looked for after every probe.

A course forbids modules by name (``[grading] forbidden`` in the settings;
by default torch and this suite's own packages, which compute every expected
value or are the model answer). In the submission's worker the guard

- refuses to start if a forbidden module is already loaded (the worker
  server must not have preloaded it);
- refuses every import of a forbidden module, whoever asks for it (the
  submission, a library it uses, ``importlib``), and records the attempt;
- looks again after every probe for forbidden modules that appeared in
  ``sys.modules`` some other way, by name or by where their file lies (a
  forbidden package's file loaded under another name is caught too).

From outside, the grading process also reads the worker's memory map for the
shared libraries of a forbidden package (``mapped_forbidden``), which no code
inside the worker can hide.

The worker's own machinery (``suite.worker``, ``suite.codec``,
``suite.execute``, ``suite.probes`` and the few modules they import) is
exempt: it is loaded before the submission and holds no expected value.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from types import ModuleType
from typing import Sequence

#: What every graded worker runs on: loaded before the submission, or imported later by the worker itself.
MACHINERY = ("suite", "suite.probes", "impls", "impls.registry")


def matches(name: str, forbidden: Sequence[str]) -> str | None:
    """The entry of ``forbidden`` that covers module ``name`` (``torch`` covers ``torch.nn``), or None."""
    for entry in forbidden:
        if name == entry or name.startswith(entry + "."):
            return entry
    return None


def exempt(name: str, machinery: frozenset[str]) -> bool:
    """True for the worker's own modules: those loaded before the submission, and the probes."""
    return name in machinery or name.startswith("suite.probes.")


class ForbiddenImport(ModuleNotFoundError):
    """Raised in the submission where it imports a forbidden module."""


@dataclass
class ImportGuard:
    """The worker's guard: a finder at the head of ``sys.meta_path`` and a record of every breach."""

    forbidden: tuple[str, ...]
    own: str = ""  # the submission's own file or folder: its files are never a breach, wherever they lie
    machinery: frozenset[str] = frozenset()
    breaches: list[str] = field(default_factory=list)  # forbidden entries the submission reached, each once
    folders: dict[str, str] = field(default_factory=dict)  # forbidden entry -> the folder its files lie in
    _seen: dict[str, int] = field(default_factory=dict)  # module name -> id of the module object already looked at

    def _breach(self, entry: str) -> None:
        """Record that the submission reached ``entry`` (once)."""
        if entry not in self.breaches:
            self.breaches.append(entry)

    def install(self) -> None:
        """Note the worker's own modules, refuse to go on if a forbidden one is loaded, and put the finder first."""
        loaded = [name for name in sys.modules if matches(name, self.forbidden)]
        self.machinery = frozenset(name for name in loaded if name in MACHINERY or name.startswith(("suite.", "impls.registry")))
        preloaded = sorted({matches(name, self.forbidden) or name for name in loaded if name not in self.machinery})
        if preloaded:
            raise RuntimeError(f"the grader's worker started with forbidden module(s) already loaded: {', '.join(preloaded)}")
        self.folders = package_folders(self.forbidden)
        self.own = os.path.realpath(self.own) if self.own else ""
        self._seen = {name: id(module) for name, module in sys.modules.items()}  # the worker's own, before the submission
        sys.meta_path.insert(0, _Finder(self))

    def check(self) -> list[str]:
        """Look for forbidden modules loaded some other way since ``install``; return every breach so far."""
        for name, module in list(sys.modules.items()):
            if self._seen.get(name) == id(module):
                continue
            self._seen[name] = id(module)
            entry = matches(name, self.forbidden)
            if entry is None and not exempt(name, self.machinery):
                entry = self._covering(getattr(module, "__file__", None))
            if entry and not exempt(name, self.machinery):
                self._breach(entry)
        return list(self.breaches)

    def _covering(self, file: object) -> str | None:
        """The forbidden entry whose folder holds ``file`` (not counting the submission's own files), or None."""
        if not isinstance(file, str) or not self.folders:
            return None
        path = os.path.realpath(file)
        if self.own and (path == self.own or path.startswith(self.own + os.sep)):
            return None
        return next((entry for entry, folder in self.folders.items() if path.startswith(folder + os.sep)), None)


class _Finder(importlib.abc.MetaPathFinder):
    """Refuses forbidden modules before any other finder looks for them."""

    def __init__(self, guard: ImportGuard) -> None:
        self.guard = guard

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        """Raise ForbiddenImport for a forbidden module (recording the breach); let every other module through."""
        __tracebackhide__ = True  # the submission's import is where it failed, not this finder
        entry = matches(fullname, self.guard.forbidden)
        if entry is None or exempt(fullname, self.guard.machinery):
            return None
        self.guard._breach(entry)
        raise ForbiddenImport(f"No module named {fullname!r}: the course forbids importing {entry} in this assignment",
                              name=fullname)


def package_folders(forbidden: Sequence[str]) -> dict[str, str]:
    """For each forbidden top-level package installed here, the folder its files lie in (found, not imported)."""
    folders: dict[str, str] = {}
    for entry in forbidden:
        if "." in entry:
            continue
        try:
            spec = importlib.util.find_spec(entry)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            folders[entry] = os.path.realpath(next(iter(spec.submodule_search_locations)))
    return folders


def mapped_forbidden(pid: int, folders: dict[str, str]) -> list[str]:
    """The forbidden packages with a shared library mapped into process ``pid`` (read from /proc; [] where unreadable)."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            paths = {parts[5].strip() for parts in (line.split(maxsplit=5) for line in f) if len(parts) == 6}
    except OSError:
        return []
    return [entry for entry, folder in folders.items() if any(p.startswith(folder + os.sep) for p in paths)]
