"""Run one probe on a backend namespace and turn what happened into a plain-data reply.

The same function serves a backend loaded in the test process and one loaded
in a worker process (``suite.worker``), so both modes see identical replies:

- ``{"ok": True, "value": <plain data>}``
- ``{"ok": False, "outcome": "missing" | "failed" | "error", "cause": "<Cause>", "name": "<missing API or ''>",
  "message": "<one line>", "traceback": "<text>"}`` (``suite.outcomes.classify`` decides the first three)
"""

from __future__ import annotations

import importlib
import traceback
from typing import Any, Callable

from suite import codec
from suite.outcomes import Cause, backend_root, classify

Probe = Callable[..., Any]


def probe_ref(probe: Probe) -> str:
    """``module:qualname`` of a probe, the name it travels under to a worker."""
    return f"{probe.__module__}:{probe.__qualname__}"


def resolve_probe(ref: str) -> Probe:
    """The probe function named by ``probe_ref``."""
    module_name, _, qualname = ref.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def execute(namespace: Any, probe: Probe, device: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Call ``probe(namespace, device, **kwargs)`` and return the reply it earns."""
    try:
        value = probe(namespace, device, **kwargs)
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except BaseException as exc:  # SystemExit from a backend is its bug, reported like any other
        verdict = classify(exc, namespace, backend_root(namespace))
        return {
            "ok": False,
            "outcome": verdict.outcome.value,
            "cause": verdict.cause.value,
            "name": verdict.name,
            "message": verdict.message,
            "traceback": "".join(traceback.format_exception(exc))[-4000:],
        }
    try:
        return {"ok": True, "value": codec.roundtrip(value)}
    except codec.CodecError as exc:
        return {"ok": False, "outcome": "error", "cause": Cause.SUITE.value, "name": "",
                "message": f"the probe returned a non-plain value: {exc}", "traceback": ""}
