"""Run one probe on a backend namespace and turn what happened into a plain-data reply.

The same function serves a backend loaded in the test process and one loaded
in a worker process (``suite.worker``), so both modes see identical replies:

- ``{"ok": True, "value": <plain data>}``
- ``{"ok": False, "outcome": "missing" | "failed" | "error", "cause": "<Cause>", "name": "<missing API or ''>",
  "message": "<one line>", "traceback": "<text>"}`` (``suite.outcomes.classify`` decides the first three)
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from typing import Any, Callable

from impls import registry
from suite import codec
from suite.outcomes import Cause, backend_root, classify

Probe = Callable[..., Any]


def probe_ref(probe: Probe) -> str:
    """``module:qualname`` of a probe, the name it travels under to a worker.

    A probe from outside the suite (a course's own tests) also names its file,
    ``module:qualname@path``: the worker loads it from there.
    """
    ref = f"{probe.__module__}:{probe.__qualname__}"
    module = sys.modules.get(probe.__module__)
    if not probe.__module__.startswith("suite.") and getattr(module, "__file__", None):
        ref += f"@{module.__file__}"
    return ref


def _load_file(module_name: str, path: str) -> Any:
    """Import ``module_name`` from the file at ``path`` (once)."""
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the probe's module {module_name} from {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def resolve_probe(ref: str) -> Probe:
    """The probe function named by ``probe_ref``."""
    ref, _, path = ref.partition("@")
    module_name, _, qualname = ref.partition(":")
    obj: Any = _load_file(module_name, path) if path else importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


#: The seed of the backend's random generator at the start of every probe call, so that a probe drawing random
#: values (a layer's initial weights, ``T.rand``) gives the same result in the test and in its reproduce snippet.
PROBE_SEED = 7_919_131


def seed(namespace: Any, device: str = "cpu") -> None:
    """``T.manual_seed(PROBE_SEED)``, where the backend offers it (what a snippet's ``T.manual_seed`` line repeats).

    On the cpu, ``T.default_generator.manual_seed`` where there is one: the same state for everything drawn on
    the cpu, a hundred times cheaper than torch's ``manual_seed`` (which also visits every accelerator).
    """
    generator = getattr(namespace, "default_generator", None) if device == "cpu" else None
    manual_seed = getattr(generator, "manual_seed", None) or getattr(namespace, "manual_seed", None)
    if callable(manual_seed):
        try:
            manual_seed(PROBE_SEED)
        except Exception:  # noqa: BLE001 - a backend's broken seeding is for the probes that use it to find
            pass


def execute(namespace: Any, probe: Probe, device: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Seed the backend, call ``probe(namespace, device, **kwargs)`` and return the reply it earns."""
    try:
        seed(namespace, device)
        value = probe(namespace, device, **kwargs)
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except BaseException as exc:  # SystemExit from a backend is its bug, reported like any other
        verdict = classify(exc, namespace, backend_root(namespace))
        message = verdict.message
        for internal, public in registry.internal_names(namespace).items():  # never the registry's made-up names
            message = message.replace(internal, public)
        return {
            "ok": False,
            "outcome": verdict.outcome.value,
            "cause": verdict.cause.value,
            "name": verdict.name,
            "message": message,
            "traceback": "".join(traceback.format_exception(exc))[-4000:],
        }
    try:
        return {"ok": True, "value": codec.roundtrip(value)}
    except codec.CodecError as exc:
        return {"ok": False, "outcome": "error", "cause": Cause.SUITE.value, "name": "",
                "message": f"the probe returned a non-plain value: {exc}", "traceback": ""}
