"""The worker process that holds one backend apart from the process that tests it.

It loads the backend, reports what it found, then answers probe calls until
told to stop. Everything it sends is encoded by ``suite.codec`` (no pickle), so
a backend that takes the worker over still cannot run code in the test
process. Its output goes to a capped file, its working folder is private.
"""

from __future__ import annotations

import ctypes
import faulthandler
import json
import multiprocessing
import os
import resource
import signal
import sys
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

from impls import registry
from suite import codec
from suite.execute import execute, resolve_probe
from suite.forbidden import ImportGuard
from suite.outcomes import backend_root

#: What every worker has imported before the backend loads (its import guard counts them as its own machinery).
PRELOAD = ("numpy", "suite.worker", "suite.probes", "suite.benchmarks.remote", "suite.benchmarks.workloads")
#: Imported too where installed and not forbidden; torch._dynamo is what torch.optim imports on its first step.
PRELOAD_TORCH = ("torch", "torch._dynamo")

#: The most a backend may print before the worker is stopped (RLIMIT_FSIZE).
OUTPUT_LIMIT_BYTES = 64 * 1024 * 1024
#: The signal on which a worker writes its Python stack to its output (faulthandler): the test process sends it
#: before stopping a worker past its time, to say where the backend was.
STACK_SIGNAL = signal.SIGUSR1
#: prctl's option by which the kernel signals a process when the one that forked it ends (Linux).
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Have the kernel kill this worker when the process that started it ends: the worker server, which ends with
    the test process however that ends (``kill -9``, a CI job's timeout), so a backend looping forever does not go
    on using a core after the run. Where prctl is missing (not Linux), nothing changes.

    multiprocessing hands every worker the write end of its server's liveness pipe (the server exits once no
    process holds it), so that a worker could start workers of its own through the server; this one starts
    processes as a script would (``_confine``), so it closes its copy: otherwise a worker that never ends keeps
    its server alive, and the server it. A parent gone before the signal was set ends the worker at once.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        try:
            os.close(alive)
        except OSError:
            pass
        server._forkserver_alive_fd = None
    parent = os.getppid()
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    if prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0 and os.getppid() != parent:
        os._exit(1)


def _confine(workdir: str, output_path: str) -> None:
    """Die with the process that started it, own a process group, start processes as a script would, log output to a
    capped file, write its stack there on STACK_SIGNAL, work in ``workdir``.

    The process group lets the test process stop the backend together with any
    processes it started (DataLoader workers); resetting the start method gives
    the backend the platform's default instead of the forkserver this worker came from.
    """
    _die_with_parent()
    try:
        os.setsid()
    except PermissionError:  # already a session's leader: a sandboxed worker (bwrap --new-session)
        pass
    multiprocessing.set_start_method(None, force=True)
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    fd = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    faulthandler.register(STACK_SIGNAL, file=sys.stderr, all_threads=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    limit = OUTPUT_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, OUTPUT_LIMIT_BYTES)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))


def own_folder(spec: registry.BackendSpec) -> str:
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
    guard = ImportGuard(tuple(forbidden), own=own_folder(spec))
    try:
        if forbidden:
            guard.install()
        namespace = registry.load(spec)
        checks = registry.check_devices(namespace, devices)
        hello: dict[str, Any] = {
            "ok": True,
            "version": registry.version_of(namespace),
            "devices": {name: check.reason for name, check in checks.items()},
            "unknown_devices": [name for name, check in checks.items() if not check.known],
            "root": backend_root(namespace) or "",  # what locations in messages are relative to
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


def serve(arguments: str) -> None:
    """The sandboxed worker's entry (``python -c 'from suite.worker import serve; serve(ARGS)'``): ``main`` on a passed fd.

    ``arguments`` is JSON: the connection's file descriptor, whether to preload torch, and ``main``'s other
    arguments by name. Its first message, ``{"preloaded": True, "suite": FOLDER}`` (the suite it imported), comes
    before the backend's code runs.
    """
    import importlib

    given = json.loads(arguments)
    # What the worker server would have preloaded: torch too where the backend's source imports it and it is allowed
    # (the test process decides, as for the server). Then say so, before the backend's code runs: the test's CPU clock
    # starts there, so that a worker started again within a test is not charged the grader's own imports.
    for name in (*PRELOAD, *(PRELOAD_TORCH if given.get("torch") else ())):
        importlib.import_module(name)
    conn = Connection(given.pop("fd"))
    conn.send_bytes(codec.dumps({"preloaded": True, "suite": os.path.realpath(os.path.dirname(__file__))}))
    main(conn, given["canonical"], given["typed"], given["workdir"], given["output_path"], tuple(given["devices"]),
         tuple(given["forbidden"]))
