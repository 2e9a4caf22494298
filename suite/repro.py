"""The copy-paste snippet that reproduces a failing probe call outside pytest."""

from __future__ import annotations

import inspect
import os
import textwrap
from typing import Any

import numpy as np

from impls.registry import loader_snippet
from suite import PROJECT_ROOT
from suite.backends import ProbeRunner


def _dtype(dtype: np.dtype) -> str:
    """``"float32"`` where numpy reads the name back as the same dtype, else its exact code (``"<U3"``)."""
    return repr(dtype.name if np.dtype(dtype.name) == dtype else dtype.str)


def python_literal(value: Any) -> str:
    """Python source that rebuilds ``value`` bit for bit, given ``import numpy as np``.

    numpy arrays of any size and dtype become ``np.array(<nested list>, dtype=...)``
    (never repr's shortened ``...`` form), numpy scalars ``np.<type>(...)``;
    containers are written element by element; anything else by its repr.
    """
    if isinstance(value, np.ndarray):
        shape = "" if value.size or value.ndim <= 1 else f".reshape({value.shape!r})"
        return f"np.array({python_literal(value.tolist())}, dtype={_dtype(value.dtype)}){shape}"
    if isinstance(value, np.generic):
        return f"np.array({python_literal(value.item())}, dtype={_dtype(value.dtype)})[()]"
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return repr(value)
    if isinstance(value, tuple):
        items = ", ".join(python_literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and not np.isfinite(value):
        return f"float({str(value)!r})"
    return repr(value)


def _call_line(name: str, device: str, kwargs: dict[str, Any]) -> str:
    """``name(T, "cpu", a=1, b=np.array([2, 3], dtype='int64'))`` with the recorded arguments."""
    args = "".join(f", {key}={python_literal(value)}" for key, value in kwargs.items())
    return f"print({name}(T, {device!r}{args}))"


def snippet(runner: ProbeRunner) -> str | None:
    """Python that repeats the runner's last probe call, then the probe's source to read."""
    if runner.last_call is None:
        return None
    probe, kwargs = runner.last_call
    lines = [
        f"# reproduce on {runner.label} (run from the project root)",
        loader_snippet(runner.backend.spec),
        "import numpy as np",
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
