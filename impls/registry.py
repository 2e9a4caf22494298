"""Resolve a backend spec, as a user types it after ``--backend``, to a torch-like namespace.

The forms, tried in this order (README.md, "Validate a backend"):

=============================  =====================================================
``label=SPEC``                 any form below, shown under ``label`` in test ids
``torch``, ``numpy``           a built-in backend, by name
``./dir/mytorch.py``, ``dir/``  a file, or a package folder, loaded without installing
a name in the entry-point      an installed package that registered itself under
group ``torch_conformance.backends``
``pkg.mod`` / ``pkg.mod:attr``  an importable module, or an object inside one
=============================  =====================================================

``parse_spec`` only reads the text; ``load`` imports. Errors are
``BackendSpecError`` with a one-line message saying what was asked and what
failed, so the plugin can stop the run before any test.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

#: Built-in backends: name -> importable target. torch is PyTorch itself; nothing here imports it.
BUILTINS: dict[str, str] = {
    "torch": "torch",
    "numpy": "impls.numpy_backend",
}

#: The entry-point group through which an installed package offers a backend.
ENTRY_POINT_GROUP = "torch_conformance.backends"

#: Names of torch's API: a namespace offering none of them is not torch-like at all (a typo'd file, the wrong
#: attribute). One that offers some is accepted, and whatever it lacks is reported ``missing`` per behaviour.
TORCH_LIKE_NAMES = ("tensor", "Tensor", "from_numpy", "zeros", "ones", "randn", "float32", "no_grad", "nn", "optim", "utils")

_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class BackendSpecError(Exception):
    """A backend spec that does not resolve; ``str()`` is one line for the user."""


@dataclass(frozen=True)
class BackendSpec:
    """A parsed ``--backend`` value: the label shown in ids, the target and its kind."""

    label: str
    target: str
    kind: str  # "builtin", "path", "entry_point" or "module"
    text: str  # what the user typed

    @property
    def canonical(self) -> str:
        """``label=target``: parses back to this spec from any working folder."""
        return f"{self.label}={self.target}"

    @property
    def builtin(self) -> bool:
        """True for the backends that ship with the suite."""
        return self.kind == "builtin"


def _looks_like_path(target: str) -> bool:
    """True when ``target`` is meant as a file or folder rather than a module name."""
    return "/" in target or "\\" in target or target.endswith(".py") or target.startswith(".") or Path(target).exists()


def _entry_point_names() -> set[str]:
    """Names registered in the backends entry-point group."""
    return {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def parse_spec(text: str) -> BackendSpec:
    """Parse one ``--backend`` value without importing anything."""
    raw = text.strip()
    label = None
    head, sep, rest = raw.partition("=")
    if sep and _LABEL.match(head):
        label, raw = head, rest.strip()
    if not raw:
        raise BackendSpecError(f"--backend {text!r}: empty backend spec; give a name, module, file or label=spec")
    if raw in BUILTINS:
        kind = "builtin"
    elif _looks_like_path(raw):
        kind = "path"
    elif raw in _entry_point_names():
        kind = "entry_point"
    else:
        kind = "module"
    if label is None:
        label = _default_label(raw, kind)
    if kind == "path":
        raw = _absolute(raw)  # fixed now: a worker process loads it from another working folder
    return BackendSpec(label=label, target=raw, kind=kind, text=text)


def _split_attribute(target: str) -> tuple[str, str]:
    """``("dir/file.py", "attr")`` from ``dir/file.py:attr``; the attribute is "" when absent."""
    if ":" in target and not Path(target).exists():
        path, _, attr = target.rpartition(":")
        return path, attr
    return target, ""


def _absolute(target: str) -> str:
    """A path target (``file.py`` or ``file.py:attr``) made absolute against the current folder."""
    path, attr = _split_attribute(target)
    resolved = str(Path(path).expanduser().absolute())
    return f"{resolved}:{attr}" if attr else resolved


def _default_label(target: str, kind: str) -> str:
    """The label a spec gets when the user gave none: name, file stem or module."""
    if kind == "path":
        path = Path(_split_attribute(target)[0]).expanduser().absolute()
        if path.name == "__init__.py":
            path = path.parent
        stem = path.stem if path.suffix == ".py" else path.name
        if stem in BUILTINS:  # a submission's own torch/ or torch.py must not pass for the built-in
            parent = path.parent.name
            if not _LABEL.match(parent) or parent in BUILTINS:
                raise BackendSpecError(
                    f"--backend {target!r}: its name {stem!r} is a built-in backend's; give it a label: mine={target}"
                )
            return parent
        return stem or "backend"
    if kind == "module":
        return target.replace(":", ".")
    return target


def load(spec: BackendSpec | str) -> Any:
    """Import the namespace a spec names, or raise BackendSpecError saying why not."""
    if isinstance(spec, str):
        spec = parse_spec(spec)
    if spec.kind == "builtin":
        namespace = _import_target(spec, BUILTINS[spec.target])
    elif spec.kind == "path":
        namespace = _load_path(spec)
    elif spec.kind == "entry_point":
        namespace = _load_entry_point(spec)
    else:
        namespace = _import_target(spec, spec.target)
    _check_torch_like(spec, namespace)
    return namespace


def _describe_import_error(spec: BackendSpec, exc: BaseException) -> str:
    """One line: what was asked, the exception, and the file and line it came from."""
    # Frames that hide themselves the way pytest's own do (``__tracebackhide__``), such as a grading run's import
    # guard, are not where the backend failed.
    frames = [traceback.FrameSummary(frame.f_code.co_filename, lineno, frame.f_code.co_name, lookup_line=False)
              for frame, lineno in traceback.walk_tb(exc.__traceback__) if not frame.f_locals.get("__tracebackhide__")]
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" at {exc.filename}:{exc.lineno}"
    elif frames:
        # The innermost frame outside the import machinery is the line that failed.
        user = [f for f in frames if "importlib" not in f.filename and f.filename != __file__]
        frame = (user or frames)[-1]
        where = f" at {frame.filename}:{frame.lineno}"
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"backend {spec.label!r} ({spec.text}): importing it raised {type(exc).__name__}: {message}{where}"


def _import_target(spec: BackendSpec, target: str) -> Any:
    """Import ``module`` or ``module:attr.path`` and return the object."""
    module_name, _, attr_path = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            hint = "" if spec.kind != "module" else "; for a file give its path (./name.py), for a built-in one of " + ", ".join(BUILTINS)
            raise BackendSpecError(f"backend {spec.label!r} ({spec.text}): no module named {module_name!r}{hint}") from None
        raise BackendSpecError(_describe_import_error(spec, exc)) from None
    except BaseException as exc:  # a backend may raise anything at import, SystemExit included
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise BackendSpecError(_describe_import_error(spec, exc)) from None
    return _follow_attributes(spec, module, attr_path)


def _follow_attributes(spec: BackendSpec, obj: Any, attr_path: str) -> Any:
    """Follow ``a.b.c`` from ``obj``, with an error naming the missing piece."""
    for name in filter(None, attr_path.split(".")):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            raise BackendSpecError(
                f"backend {spec.label!r} ({spec.text}): {getattr(obj, '__name__', obj)!s} has no attribute {name!r}"
            ) from None
    return obj


def _load_path(spec: BackendSpec) -> Any:
    """Load a ``.py`` file or a package folder (optionally ``path:attr``) without installing it."""
    target, attr_path = _split_attribute(spec.target)
    path = Path(target).expanduser().resolve()
    if not path.exists():
        raise BackendSpecError(f"backend {spec.label!r} ({spec.text}): no such file or folder: {path}")
    if path.is_dir():
        init = path / "__init__.py"
        if not init.exists():
            raise BackendSpecError(f"backend {spec.label!r} ({spec.text}): folder {path} is not a package (no __init__.py)")
        file, package_dir = init, path
    else:
        file, package_dir = path, None
    name = package_dir.name if package_dir else path.stem
    # Import under its own name so a package's absolute self-imports work, unless
    # that name is taken by another module (a student's "torch.py", say).
    taken = sys.modules.get(name)
    if taken is not None and Path(getattr(taken, "__file__", "") or "").resolve() != file:
        name = f"{PRIVATE_PREFIX}{spec.label.replace('.', '_')}_{name}"
    module_spec = importlib.util.spec_from_file_location(
        name, file, submodule_search_locations=[str(package_dir)] if package_dir else None
    )
    if module_spec is None or module_spec.loader is None:
        raise BackendSpecError(f"backend {spec.label!r} ({spec.text}): cannot load {file} as Python")
    module: ModuleType = importlib.util.module_from_spec(module_spec)
    parent = str((package_dir or path).parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)  # lets the file import its siblings, as `python file.py` would
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except BaseException as exc:
        sys.modules.pop(name, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise BackendSpecError(_describe_import_error(spec, exc)) from None
    return _follow_attributes(spec, module, attr_path)


def _load_entry_point(spec: BackendSpec) -> Any:
    """Load the object an installed package registered under ``spec.target``."""
    (entry_point,) = [ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == spec.target]
    try:
        return entry_point.load()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise BackendSpecError(_describe_import_error(spec, exc)) from None


def _check_torch_like(spec: BackendSpec, namespace: Any) -> None:
    """Refuse an object that offers none of torch's API (a typo'd file, the wrong attribute)."""
    if not any(hasattr(namespace, name) for name in TORCH_LIKE_NAMES):
        what = getattr(namespace, "__name__", type(namespace).__name__)
        raise BackendSpecError(
            f"backend {spec.label!r} ({spec.text}): {what} is not a torch-like namespace (it has none of "
            f"{', '.join(TORCH_LIKE_NAMES)}); point at the module offering torch's API, or at an object inside one "
            "with module:attr"
        )


#: The prefix of the module name a file is loaded under when its own name is taken (a student's ``torch.py``).
PRIVATE_PREFIX = "_backend_"


def internal_names(namespace: Any) -> dict[str, str]:
    """``{"_backend_alice_torch": "torch"}``: module names the registry made up, and the names the user knows."""
    name = getattr(namespace, "__name__", "") if isinstance(namespace, ModuleType) else ""
    file = getattr(namespace, "__file__", None)
    if not name.startswith(PRIVATE_PREFIX) or not file:
        return {}
    path = Path(file)
    return {name: path.parent.name if path.name == "__init__.py" else path.stem}


def version_of(namespace: Any) -> str:
    """The version a namespace declares, or ``"unversioned"``."""
    return str(getattr(namespace, "__version__", None) or "unversioned")


def builtin_version(name: str) -> str:
    """A built-in backend's version, without importing torch for it: torch's from its installed metadata.

    For a process that does not load the backend itself (pytest-xdist's
    controller, whose workers each load it).
    """
    import importlib.metadata

    target = BUILTINS[name]
    if target == "torch":
        try:
            return importlib.metadata.version("torch")
        except importlib.metadata.PackageNotFoundError:
            return "not installed"
    return version_of(importlib.import_module(target))


@dataclass(frozen=True)
class DeviceCheck:
    """What a backend said of one device: why it is not there (None where it is), and whether it knows the name."""

    reason: str | None
    known: bool = True  # False: no ``T.<kind>.is_available()``, and making a tensor there raised (a name it does not use)


def check_devices(namespace: Any, devices: tuple[str, ...] = ("cpu", "cuda")) -> dict[str, DeviceCheck]:
    """For each device name: whether the backend has it, and if not, why, and whether it knows the name at all.

    The cpu is always there. For any other device ``kind`` (or ``kind:N``) the
    backend is asked: ``T.<kind>.is_available()`` where it offers that, else a
    tensor is made there (``T.tensor([0.0], device=name)``) and must say it is there.
    """
    checks: dict[str, DeviceCheck] = {}
    for name in devices:
        kind = name.split(":")[0]
        if kind == "cpu":
            checks[name] = DeviceCheck(None)
            continue
        module = getattr(namespace, kind, None)
        asks = module is not None and hasattr(module, "is_available")
        try:
            if asks:
                checks[name] = DeviceCheck(None if module.is_available() else f"{kind}.is_available() is False")
                continue
            made = namespace.tensor([0.0], device=name)
            printed = str(made.device)
            checks[name] = DeviceCheck(None if printed.split(":")[0] == kind else (
                f"the backend has no {kind}.is_available(), and a tensor made with device={name!r} says it is on {printed!r}"))
        except Exception as exc:  # a backend's own bug must not stop the run
            message = " ".join(str(exc).split())[:200]
            if asks:
                checks[name] = DeviceCheck(f"{kind}.is_available() raised {type(exc).__name__}: {message}")
            else:
                checks[name] = DeviceCheck(f"the backend has no {kind}.is_available(), and tensor([0.0], device={name!r}) "
                                           f"raised {type(exc).__name__}: {message}", known=False)
    return checks


def device_availability(namespace: Any, devices: tuple[str, ...] = ("cpu", "cuda")) -> dict[str, str | None]:
    """For each device name: None where the backend has it, else the reason it does not (see check_devices)."""
    return {name: check.reason for name, check in check_devices(namespace, devices).items()}


def loader_snippet(spec: BackendSpec) -> str:
    """The line of Python that gives a reader this backend as ``T`` (for repro snippets)."""
    if spec.kind == "builtin":
        return "import torch as T" if spec.target == "torch" else f"import {BUILTINS[spec.target]} as T"
    if spec.kind == "module" and ":" not in spec.target:
        return f"import {spec.target} as T"
    return f"from impls.registry import load; T = load({spec.target!r})"
