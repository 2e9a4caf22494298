"""Derive the backend contract by watching the probes use a conforming backend (the numpy backend, in this process).

A pytest plugin (``-p suite.contract_recorder``), used only by
``python -m suite.contract --derive`` and its self-test. While each
conformance test runs, it records, under the test's behaviour id, every use
that a line of ``suite/probes/`` makes of the numpy backend:

- a name looked up on the namespace or one of its modules (``T.tensor``, ``T.nn.Linear``, ``T.utils.data.DataLoader``),
  seen by giving those modules a ``__getattribute__`` that notes lookups from probe lines;
- a member of one of its objects (``Tensor.view``, ``nn.Module.parameters``, ``nn.Linear.weight``), read through the
  classes' ``__getattribute__``, and an operator or protocol (``Tensor.__getitem__``, ``Tensor.__pow__``,
  ``utils.data.DataLoader.__iter__``) called from a probe line;
- a convention, through the ``@convention`` helpers of ``suite.probes`` a probe calls.

Lookups by the backend's own code, and by the suite outside the probes, are not recorded.
Nothing is patched until the plugin is configured, and everything is put back at the end.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import types
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from suite import PROJECT_ROOT

PROBES_DIR = str(PROJECT_ROOT / "suite" / "probes") + os.sep
BACKEND_PACKAGE = "impls.numpy_backend"
#: Operators and protocols whose use is recorded (the ones object itself has are always there and are not).
OPERATORS = tuple(f"__{name}__" for name in (
    "add radd iadd sub rsub isub mul rmul imul truediv rtruediv itruediv floordiv rfloordiv mod pow rpow matmul rmatmul "
    "neg pos abs invert lt le gt ge and or xor getitem setitem delitem len iter next contains call enter exit "
    "bool float int index complex array"
).split())
#: The modules a user reaches torch's API through; the backend's other modules are its own business.
PUBLIC_MODULES = ("T", "T.nn", "T.nn.functional", "T.nn.init", "T.optim", "T.utils", "T.utils.data", "T.cuda",
                  "T.autograd", "T.linalg")
#: Where the plugin writes what it saw (a JSON file); set by ``python -m suite.contract --derive``.
OUTPUT_ENV = "CONTRACT_RECORD_TO"


class Recorder:
    """What the probes of each behaviour used: namespace names, members (with where they live), conventions."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.namespace: dict[str, set[str]] = {}
        self.members: dict[str, dict[str, str]] = {}
        self.conventions: dict[str, set[str]] = {}
        self.labels: dict[type, str] = {}
        self.tensor_class: type | None = None
        self._undo: list[Callable[[], None]] = []

    # --- what is recorded
    def name(self, path: str) -> None:
        """A name looked up on the namespace or one of its modules."""
        if self.current:
            self.namespace.setdefault(self.current, set()).add(path)

    def member(self, obj: Any, name: str) -> None:
        """A member of a backend object (an attribute, method, property or operator)."""
        if not self.current or name in object.__dict__ and name not in OPERATORS or name.startswith("_") and name not in OPERATORS:
            return
        mro = [c for c in type(obj).__mro__ if c.__module__.startswith(BACKEND_PACKAGE)]
        labelled = [c for c in mro if c in self.labels]
        if not labelled:
            return
        definer = next((c for c in mro if name in c.__dict__), None)
        if definer is None and type(obj) not in self.labels:
            return  # an attribute a probe's own subclass set (self.fc1), not the backend's
        owner = labelled[0]  # the object's own public class, where a backend's check looks: optim.SGD.zero_grad
        self.members.setdefault(self.current, {})[f"{self.labels[owner]}.{name}"] = "class" if definer else "instance"

    def convention(self, helper: str) -> None:
        """A ``@convention`` helper a probe called."""
        if self.current:
            self.conventions.setdefault(self.current, set()).add(helper)

    # --- installing and removing the watch
    def install(self, namespace: types.ModuleType) -> None:
        """Watch the namespace's modules, its classes and the probes' helpers."""
        self.tensor_class = namespace.Tensor
        for path, module in _modules(namespace):
            self._watch_module(module, path)
            for value in list(vars(module).values()):
                if (isinstance(value, type) and value.__module__.startswith(BACKEND_PACKAGE) and value not in self.labels
                        and not value.__name__.startswith("_")):
                    label = "Tensor" if issubclass(value, namespace.Tensor) else f"{path}.{value.__name__}".removeprefix("T.")
                    self.labels[value] = label
        for cls in list(self.labels):
            self._watch_class(cls)
        self._watch_helpers()

    def uninstall(self) -> None:
        """Put back everything install changed."""
        while self._undo:
            self._undo.pop()()

    def _watch_module(self, module: types.ModuleType, path: str) -> None:
        recorder = self

        class Watched(types.ModuleType):
            def __getattribute__(self, name: str) -> Any:
                if not name.startswith("__") and _called_from_probe():
                    recorder.name(f"{path}.{name}")
                return types.ModuleType.__getattribute__(self, name)

        original = module.__class__
        module.__class__ = Watched
        self._undo.append(lambda: setattr(module, "__class__", original))

    def _watch_class(self, cls: type) -> None:
        recorder = self
        own = cls.__dict__.get("__getattribute__")
        lookup = own or object.__getattribute__

        def __getattribute__(obj: Any, name: str) -> Any:
            if _called_from_probe():
                recorder.member(obj, name)
            return lookup(obj, name)

        cls.__getattribute__ = __getattribute__  # type: ignore[method-assign]
        self._undo.append(lambda: _restore(cls, "__getattribute__", own))
        for name in OPERATORS:  # wrapped on this class, wherever in the backend's bases it is defined
            definer = next((c for c in cls.__mro__ if name in c.__dict__), object)
            function = definer.__dict__.get(name)
            if callable(function) and definer.__module__.startswith(BACKEND_PACKAGE) and \
                    (definer is cls or definer not in self.labels):
                self._wrap_operator(cls, name, function)

    def _wrap_operator(self, cls: type, name: str, function: Callable[..., Any]) -> None:
        recorder = self

        @functools.wraps(function)
        def operator(obj: Any, *args: Any, **kwargs: Any) -> Any:
            if _called_from_probe():
                recorder.member(obj, name)
            return function(obj, *args, **kwargs)

        previous = cls.__dict__.get(name)
        setattr(cls, name, operator)
        self._undo.append(lambda: _restore(cls, name, previous))

    def _watch_helpers(self) -> None:
        import suite.probes as helpers

        for module in [m for n, m in sorted(sys.modules.items()) if n.startswith("suite.probes.")] + [helpers]:
            for key, value in list(vars(module).items()):
                text = getattr(value, "__convention__", None)
                if text is None or getattr(value, "__module__", "") != "suite.probes":
                    continue
                wrapped = self._wrap_helper(value)
                setattr(module, key, wrapped)
                self._undo.append(functools.partial(setattr, module, key, value))

    def _wrap_helper(self, helper: Callable[..., Any]) -> Callable[..., Any]:
        recorder = self

        @functools.wraps(helper)
        def watched(*args: Any, **kwargs: Any) -> Any:
            if _called_from_probe():
                recorder.convention(helper.__name__)
            return helper(*args, **kwargs)

        return watched

    def as_data(self) -> dict[str, Any]:
        """Plain, sorted data: behaviour -> namespace names, members (name -> class/instance), conventions."""
        ids = sorted(set(self.namespace) | set(self.members) | set(self.conventions))
        return {b: {"namespace": sorted(self.namespace.get(b, ())),
                    "members": dict(sorted(self.members.get(b, {}).items())),
                    "conventions": sorted(self.conventions.get(b, ()))} for b in ids}


def _restore(cls: type, name: str, original: Any) -> None:
    """Put a class attribute back, or remove the one that was added."""
    if original is None:
        delattr(cls, name)
    else:
        setattr(cls, name, original)


#: Helpers whose lookups are optional (``hasattr(t, "cpu")``, ``getattr(T, "bfloat16", None)``): their
#: conventions are recorded, not the names they try.
OPTIONAL_LOOKUPS = ("read", "dtype_name")


def _called_from_probe() -> bool:
    """True when the code two frames up (the caller of the hook) is a line of suite/probes/, not an optional lookup."""
    code = sys._getframe(2).f_code
    return code.co_filename.startswith(PROBES_DIR) and not (
        code.co_name in OPTIONAL_LOOKUPS and code.co_filename.endswith(os.sep + "__init__.py"))


def _modules(namespace: types.ModuleType) -> Iterator[tuple[str, types.ModuleType]]:
    """``("T", namespace)``, ``("T.nn", ...)``, ...: the backend's modules as a user reaches them."""
    seen: set[int] = set()
    queue = [("T", namespace)]
    while queue:
        path, module = queue.pop(0)
        if id(module) in seen:
            continue
        seen.add(id(module))
        yield path, module
        for name, value in sorted(vars(module).items()):
            if (isinstance(value, types.ModuleType) and value.__name__.startswith(BACKEND_PACKAGE)
                    and f"{path}.{name}" in PUBLIC_MODULES):
                queue.append((f"{path}.{name}", value))


RECORDER = pytest.StashKey[Recorder]()


def pytest_configure(config: pytest.Config) -> None:
    """Start watching the numpy backend."""
    import importlib

    recorder = Recorder()
    recorder.install(importlib.import_module(BACKEND_PACKAGE))
    config.stash[RECORDER] = recorder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Record under the behaviour id of the test that runs."""
    recorder = item.config.stash[RECORDER]
    marker = item.get_closest_marker("behaviour")
    recorder.current = marker.args[0] if marker else None
    try:
        return (yield)
    finally:
        recorder.current = None


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop watching and write what was seen."""
    recorder = config.stash.get(RECORDER, None)
    if recorder is None:
        return
    recorder.uninstall()
    target = os.environ.get(OUTPUT_ENV)
    if target:
        Path(target).write_text(json.dumps(recorder.as_data(), indent=1) + "\n", encoding="utf-8")
