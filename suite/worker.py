"""The worker process that holds one backend apart from the process that tests it.

It loads the backend, reports what it found, then answers probe calls until
told to stop. Everything it sends is encoded by ``suite.codec`` (no pickle), so
a backend that takes the worker over still cannot run code in the test
process. Its output goes to a capped file, its working folder is private.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

from impls import registry
from suite import codec
from suite.execute import execute, resolve_probe
from suite.forbidden import ImportGuard

#: The most a backend may print before the worker is stopped (RLIMIT_FSIZE).
OUTPUT_LIMIT_BYTES = 64 * 1024 * 1024


def _confine(workdir: str, output_path: str) -> None:
    """Own a process group, start processes as a script would, log output to a capped file, work in ``workdir``.

    The process group lets the test process stop the backend together with any
    processes it started (DataLoader workers); resetting the start method gives
    the backend the platform's default instead of the forkserver this worker came from.
    """
    os.setsid()
    multiprocessing.set_start_method(None, force=True)
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    fd = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    limit = OUTPUT_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, OUTPUT_LIMIT_BYTES)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))


def _own_folder(spec: registry.BackendSpec) -> str:
    """The folder a path backend's files lie in (a package folder, or the folder of a module file); '' otherwise."""
    if spec.kind != "path":
        return ""
    target = spec.target if os.path.exists(spec.target) else spec.target.rpartition(":")[0]
    return target if os.path.isdir(target) else os.path.dirname(target)


def main(conn: Connection, canonical: str, typed: str, workdir: str, output_path: str, devices: tuple[str, ...],
         forbidden: tuple[str, ...] = ()) -> None:
    """Load the backend ``canonical`` names (messages quote it as the user ``typed`` it) and serve probe calls.

    With ``forbidden`` modules, an import guard is in place before the backend
    loads, and every message says which of them the backend reached so far.
    """
    _confine(workdir, output_path)
    spec = replace(registry.parse_spec(canonical), text=typed)
    guard = ImportGuard(tuple(forbidden), own=_own_folder(spec))
    try:
        if forbidden:
            guard.install()
        namespace = registry.load(spec)
        hello: dict[str, Any] = {
            "ok": True,
            "version": registry.version_of(namespace),
            "devices": registry.device_availability(namespace, devices),
        }
    except registry.BackendSpecError as exc:
        hello = {"ok": False, "message": str(exc)}
    except RuntimeError as exc:  # the guard's own refusal: the grader's fault, said as such
        hello = {"ok": False, "message": str(exc)}
    hello["forbidden"] = guard.check() if forbidden else []
    conn.send_bytes(codec.dumps(hello))
    if not hello["ok"]:
        return
    while True:
        try:
            request = codec.loads(conn.recv_bytes())
        except EOFError:
            return
        if request["op"] == "stop":
            return
        reply = execute(namespace, resolve_probe(request["probe"]), request["device"], request["kwargs"])
        reply["forbidden"] = guard.check() if forbidden else []
        conn.send_bytes(codec.dumps(reply))
