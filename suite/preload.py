"""Whether a backend imports torch, read from its source without running it: the worker server preloads torch only then.

The worker server (multiprocessing's forkserver, suite/backends.py) imports
what every worker needs once, so that no worker pays for it again. torch is
seconds of CPU and about 190 MiB of resident memory that every forked worker
then shows as its own; a student's numpy mini-torch should not be charged it,
nor its run wait for it. So torch is preloaded only where a backend held in a
worker imports it, as its source says:

* a built-in: ``torch`` does, ``numpy`` (impls/numpy_backend) does not;
* a file or package folder: its own files, and those of its folder's other
  modules and packages that they import (the folder is on ``sys.path`` when it
  loads), are parsed for ``import torch``, ``from torch...``, and
  ``__import__`` / ``import_module`` with a literal name; a computed name, a
  file that does not parse or a tree too large to read counts as importing it;
* an installed module or entry point: the files of its top-level package.

A backend that reaches torch only through another installed package, or
through ``exec``, imports it in each worker itself: slower, and its memory is
then honestly its own, but never wrong.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import os
from pathlib import Path

from impls import registry

#: The built-ins whose workers import torch (impls/tests/test_numpy_backend_independent.py: numpy's does not).
BUILTINS_WITH_TORCH = frozenset({"torch"})
#: Past this many files, or this many bytes of them, the source is not read and the backend counts as importing torch.
MAX_FILES, MAX_BYTES = 500, 8 * 2**20
#: The calls that import a module named by their first argument.
IMPORT_CALLS = frozenset({"__import__", "import_module"})


class _Unknown(Exception):
    """The source cannot say (a computed import, a file that does not parse, too much to read)."""


def imports_torch(spec: registry.BackendSpec) -> bool:
    """True unless this backend's source shows that loading it imports no torch."""
    try:
        if spec.builtin:
            return spec.target in BUILTINS_WITH_TORCH
        if spec.kind == "path":
            return _path_imports_torch(Path(registry._split_attribute(spec.target)[0]))
        target = spec.target
        if spec.kind == "entry_point":
            (entry,) = [ep for ep in importlib.metadata.entry_points(group=registry.ENTRY_POINT_GROUP)
                        if ep.name == spec.target]
            target = entry.value
        return _package_imports_torch(target.partition(":")[0].partition(".")[0])
    except (_Unknown, OSError, ValueError, ImportError):
        return True


def _path_imports_torch(path: Path) -> bool:
    """A file or package folder, with what it imports from the folder it sits in."""
    path = path.expanduser().resolve()
    if path.name == "__init__.py":
        path = path.parent
    folder = path.parent
    pending = _module_files(path)
    seen: set[Path] = set()
    budget = [MAX_BYTES]
    while pending:
        file = pending.pop()
        if file in seen:
            continue
        seen.add(file)
        if len(seen) > MAX_FILES:
            raise _Unknown(f"more than {MAX_FILES} files")
        for name in _imported_names(file, budget):
            top = name.partition(".")[0]
            if top == "torch":
                return True
            for local in (folder / f"{top}.py", folder / top):
                if local.exists() and local != path:
                    pending += _module_files(local)
    return False


def _package_imports_torch(top: str) -> bool:
    """An installed (or importable) top-level module or package: its own files only."""
    if top == "torch":
        return True
    found = importlib.util.find_spec(top)  # a top-level name: located, not imported
    if found is None or found.origin is None:
        raise _Unknown(f"{top} is not found as source")
    locations = list(found.submodule_search_locations or [])
    files = [file for location in locations for file in _module_files(Path(location))] or _module_files(Path(found.origin))
    if len(files) > MAX_FILES:
        raise _Unknown(f"more than {MAX_FILES} files")
    budget = [MAX_BYTES]
    return any(name.partition(".")[0] == "torch" for file in files for name in _imported_names(file, budget))


def _module_files(path: Path) -> list[Path]:
    """The Python files of a module: the file itself, or every ``.py`` file under a package folder."""
    if path.is_dir():
        files: list[Path] = []
        for root, dirs, names in os.walk(path):  # symlinked folders are not followed
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            files += [Path(root) / name for name in names if name.endswith(".py") and (Path(root) / name).is_file()]
            if len(files) > MAX_FILES:
                raise _Unknown(f"more than {MAX_FILES} files")
        return files
    return [path] if path.suffix == ".py" and path.is_file() else []


def _imported_names(file: Path, budget: list[int]) -> list[str]:
    """The absolute module names a file imports, statements and literal ``__import__``/``import_module`` calls.

    ``budget`` holds the bytes still to be read; a file past it is not read.
    """
    budget[0] -= file.stat().st_size  # a regular file (_module_files): its size is what reading it gives
    if budget[0] < 0:
        raise _Unknown(f"more than {MAX_BYTES} bytes of source")
    try:
        tree = ast.parse(file.read_bytes(), filename=str(file))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _Unknown(f"{file} does not parse") from None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and _called_name(node.func) in IMPORT_CALLS:
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                raise _Unknown(f"{file} imports a computed name")
            if not first.value.startswith("."):
                names.append(first.value)
    return names


def _called_name(func: ast.expr) -> str:
    """``f`` for ``f(...)`` and ``m.f(...)``; "" for anything else."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
