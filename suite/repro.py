"""The copy-paste snippet that reproduces a failing probe call outside pytest."""

from __future__ import annotations

import inspect
import os
import textwrap
from typing import Any

from impls.registry import loader_snippet
from suite import PROJECT_ROOT
from suite.backends import ProbeRunner


def _call_line(name: str, device: str, kwargs: dict[str, Any]) -> str:
    """``name(T, "cpu", a=1, b=(2, 3))`` with the recorded arguments."""
    args = "".join(f", {key}={value!r}" for key, value in kwargs.items())
    return f"print({name}(T, {device!r}{args}))"


def snippet(runner: ProbeRunner) -> str | None:
    """Python that repeats the runner's last probe call, then the probe's source to read."""
    if runner.last_call is None:
        return None
    probe, kwargs = runner.last_call
    lines = [
        f"# reproduce on {runner.label} (run from the project root)",
        loader_snippet(runner.backend.spec),
        f"from {probe.__module__} import {probe.__name__}",
        _call_line(probe.__name__, runner.device, kwargs),
    ]
    try:
        source = textwrap.dedent(inspect.getsource(probe)).rstrip()
        file = os.path.relpath(inspect.getsourcefile(probe) or "", PROJECT_ROOT)
        line = inspect.getsourcelines(probe)[1]
        lines += ["", f"# the probe, {file}:{line}", source]
    except (OSError, TypeError):
        pass
    return "\n".join(lines)
