"""The copy-paste snippet that reproduces a failing probe call outside pytest."""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from impls.registry import loader_snippet
from suite import PROJECT_ROOT
from suite.backends import ProbeRunner
from suite.execute import PROBE_SEED
from suite.outcomes import Cause

#: What a snippet warns of first, where the test's worker was stopped in the call it repeats: here nothing stops it.
STOPPED_WARNINGS = {
    Cause.TIMEOUT: "this call ran past the test's time limit: here it may not return either (Ctrl-C stops it)",
    Cause.MEMORY: "this call went past the test's memory limit: here it may take as much, with no limit",
    Cause.CRASH: "this call crashed the backend's process: it may crash this interpreter too",
    Cause.EXIT: "this call ended the backend's process: it may end this interpreter too",
    Cause.OUTPUT: "this call printed past the test's output limit: it may print as much here",
    Cause.REPLY: "this call's reply went past the limits of size or depth: printing it may take long",
}


def _dtype(dtype: np.dtype) -> str:
    """``"float32"`` where numpy reads the name back as the same dtype, else its exact code (``"<U3"``)."""
    return repr(dtype.name if np.dtype(dtype.name) == dtype else dtype.str)


def python_literal(value: Any, imports: set[str] | None = None) -> str:
    """Python source that rebuilds ``value`` bit for bit, given ``import numpy as np`` and the lines added to ``imports``.

    numpy arrays of any size and dtype become ``np.array(<nested list>, dtype=...)``
    (never repr's shortened ``...`` form), numpy scalars ``np.<type>(...)``;
    a namedtuple its class called with its fields (the class imported where
    it can be, else made on the spot); containers are written element by
    element; anything else by its repr.
    """
    imports = set() if imports is None else imports
    if isinstance(value, np.ndarray):
        shape = "" if value.size or value.ndim <= 1 else f".reshape({value.shape!r})"
        return f"np.array({python_literal(value.tolist(), imports)}, dtype={_dtype(value.dtype)}){shape}"
    if isinstance(value, np.generic):
        return f"np.array({python_literal(value.item(), imports)}, dtype={_dtype(value.dtype)})[()]"
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        fields = ", ".join(f"{name}={python_literal(v, imports)}" for name, v in zip(value._fields, value))
        return f"{_namedtuple_class(type(value), imports)}({fields})"
    if isinstance(value, tuple):
        items = ", ".join(python_literal(v, imports) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v, imports) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_literal(k, imports)}: {python_literal(v, imports)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and not np.isfinite(value):
        return f"float({str(value)!r})"
    return repr(value)


def _namedtuple_class(cls: type, imports: set[str]) -> str:
    """The name to call for a namedtuple class: imported from its module where it lives there, else made inline."""
    module = sys.modules.get(cls.__module__)
    if module is not None and getattr(module, cls.__qualname__, None) is cls and cls.__module__ != "__main__":
        imports.add(f"from {cls.__module__} import {cls.__qualname__}")
        return cls.__qualname__
    imports.add("from collections import namedtuple")
    return f"namedtuple({cls.__name__!r}, {list(cls._fields)!r})"  # type: ignore[attr-defined]


def _call_line(name: str, device: str, kwargs: dict[str, Any], imports: set[str]) -> str:
    """``name(T, "cpu", a=1, b=np.array([2, 3], dtype='int64'))`` with the recorded arguments."""
    args = "".join(f", {key}={python_literal(value, imports)}" for key, value in kwargs.items())
    return f"print({name}(T, {device!r}{args}))"


@functools.cache
def installed() -> bool:
    """Whether this Python imports this suite from any folder: installed from this checkout (editable) or into
    site-packages, not only run from its own folder."""
    try:
        found = importlib.metadata.distribution("torch-conformance")
    except importlib.metadata.PackageNotFoundError:
        return False
    root = PROJECT_ROOT.resolve()
    if Path(str(found.locate_file(""))).resolve() == root:
        return True  # installed: the suite's packages lie in site-packages itself
    try:
        direct = json.loads(found.read_text("direct_url.json") or "{}")
    except ValueError:
        return False
    return bool(direct.get("dir_info", {}).get("editable")) and direct.get("url") == root.as_uri()


def where_to_run(graded: bool) -> str:
    """Where a snippet runs, for its first line: in a grade, the suite's folder (the grader's own is a private copy
    of no use to the student); else this Python, from any folder where the suite is installed, else from its own."""
    if graded:
        return "run from the suite's folder"
    return f"paste into {sys.executable}" + (", in any folder" if installed() else f", started in {PROJECT_ROOT}")


def snippet(runner: ProbeRunner, cause: Cause | None = None, graded: bool = False) -> str | None:
    """Python that repeats the runner's last probe call, then the probe's source to read; first where to run it
    (``where_to_run``), and a warning where the test's ``cause`` says its worker was stopped in that call (a hang,
    a crash: STOPPED_WARNINGS)."""
    if runner.last_call is None:
        return None
    probe, kwargs = runner.last_call
    imports: set[str] = set()
    call = _call_line(probe.__name__, runner.device, kwargs, imports)
    lines = [
        f"# reproduce on {runner.label} ({where_to_run(graded)})",
        *([f"# careful: {STOPPED_WARNINGS[cause]}"] if cause in STOPPED_WARNINGS else []),
        loader_snippet(runner.backend.spec),
        "import numpy as np",
        *sorted(imports),
        f"from {probe.__module__} import {probe.__name__}",
        f"from suite.execute import seed; seed(T, {runner.device!r})  # T.manual_seed({PROBE_SEED}) where T has it, "
        "as before every probe call",
        call,
    ]
    try:
        source = textwrap.dedent(inspect.getsource(probe)).rstrip()
        file = os.path.relpath(inspect.getsourcefile(probe) or "", PROJECT_ROOT)
        line = inspect.getsourcelines(probe)[1]
        lines += ["", f"# the probe, {file}:{line}", *(f"# {text}".rstrip() for text in source.splitlines())]
    except (OSError, TypeError):
        pass
    return "\n".join(lines)
