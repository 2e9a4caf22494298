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
* an installed module or entry point: its own file or package, the
  ``__init__`` files of the packages above it (importing it runs them), and
  the modules of its top-level package that these import, absolutely or
  relatively, followed to the end; a package's tests or tools that import
  torch but that loading the backend never imports do not count.

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
from typing import Iterator

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
        return _module_imports_torch(target.partition(":")[0])
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


def _module_imports_torch(name: str) -> bool:
    """An installed (or importable) module ``name``: what importing it runs, followed within its top-level package.

    The top-level package is located, never imported; its modules are found by
    their paths under it.
    """
    top = name.partition(".")[0]
    if top == "torch":
        return True
    found = importlib.util.find_spec(top)  # a top-level name: located, not imported
    if found is None or found.origin is None and not found.submodule_search_locations:
        raise _Unknown(f"{top} is not found as source")
    roots = [Path(location) for location in found.submodule_search_locations or []]
    budget = [MAX_BYTES]
    if not roots:  # a one-file module: nothing of its own to follow
        return any(n.partition(".")[0] == "torch" for file in _module_files(Path(found.origin))
                   for n in _imported_names(file, budget))
    pending, seen_modules, seen_files = [name], set(), set()
    while pending:
        module = pending.pop()
        if module in seen_modules:
            continue
        seen_modules.add(module)
        for file, package in _files_run_by_importing(module, roots):
            if file in seen_files:
                continue
            seen_files.add(file)
            if len(seen_files) > MAX_FILES:
                raise _Unknown(f"more than {MAX_FILES} files")
            for imported in _imported_names(file, budget, package):
                first = imported.partition(".")[0]
                if first == "torch":
                    return True
                if first == top:
                    pending.append(imported)
    return False


def _files_run_by_importing(module: str, roots: list[Path]) -> list[tuple[Path, str]]:
    """The files importing ``module`` runs that exist under its top-level package's folders, each with its package.

    The ``__init__.py`` of every package on the way, then the module's own
    file; a name that is no file here (an attribute, a module that does not
    exist) gives only what exists.
    """
    parts = module.split(".")
    files: list[tuple[Path, str]] = []
    for root in roots:
        folder = root
        for depth, part in enumerate(parts):
            package = ".".join(parts[: depth + 1])
            if depth:
                if (folder / f"{part}.py").is_file():
                    files.append((folder / f"{part}.py", ".".join(parts[:depth])))
                    break
                folder = folder / part
            if not folder.is_dir():
                break
            if (folder / "__init__.py").is_file():
                files.append((folder / "__init__.py", package))
    return files


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


def _imported_names(file: Path, budget: list[int], package: str = "") -> list[str]:
    """The absolute module names a file imports, statements and literal ``__import__``/``import_module`` calls.

    ``budget`` holds the bytes still to be read; a file past it is not read.
    With the ``package`` the file belongs to, its relative imports are given
    as the absolute names they stand for (``from .x import y``: ``package.x``
    and ``package.x.y``, either of which may be the module); without it they
    are left out (a package folder read whole holds them already).
    """
    budget[0] -= file.stat().st_size  # a regular file (_module_files): its size is what reading it gives
    if budget[0] < 0:
        raise _Unknown(f"more than {MAX_BYTES} bytes of source")
    source = file.read_bytes()
    try:
        tree = ast.parse(source, filename=str(file))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _Unknown(f"{file} does not parse") from None
    names: list[str] = []
    # Import statements lie in statement bodies; only a file that names an import call needs its expressions read too.
    calls = any(name.encode() in source for name in IMPORT_CALLS)
    for node in ast.walk(tree) if calls else _statements(tree.body):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.ImportFrom) and package and node.level <= package.count(".") + 1:
            above = package.split(".")[: package.count(".") + 2 - node.level]  # level 1: the package itself
            base = ".".join(above + ([node.module] if node.module else []))
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Call) and _called_name(node.func) in IMPORT_CALLS:
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                raise _Unknown(f"{file} imports a computed name")
            if not first.value.startswith("."):
                names.append(first.value)
            elif package:  # relative to whatever its ``package`` argument says: not read here
                raise _Unknown(f"{file} imports a relative name by a call")
    return names


def _statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement of a body and of the bodies nested in it (functions, classes, branches, handlers, cases)."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            nested = getattr(node, field, None)
            if isinstance(nested, list):
                pending += nested


def _called_name(func: ast.expr) -> str:
    """``f`` for ``f(...)`` and ``m.f(...)``; "" for anything else."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
