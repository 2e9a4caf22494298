"""The zygote: a process that imports the heavy libraries once, then forks one child per pytest run it is asked for.

It is started by suite/selftest/runs.py as ``python -c <this file's text>
SOCKET FORKED_PYTHON`` (not with ``-m``: importing this project's packages by
Python's own loader would stop pytest from rewriting their asserts in the
children, and pytest would warn about it). It imports torch, numpy, pandas,
matplotlib and pytest, then the pytest plugins and this project's modules
through pytest's assert-rewriting hook (as a run would import them), listens
on the Unix socket SOCKET and prints ``ready``. Each connection carries one
request, a JSON line (``args``, ``cwd``, ``env``, ``stdout``, ``stderr``: the
files the run's output goes to); the zygote forks, answers ``pid N``, and when
that child ends, ``exit S`` (S as ``subprocess`` gives it: negative for a
signal). A client that hangs up first has its child's session killed. It
stays single-threaded, so that every fork copies a process with one thread,
and it exits when the process that started it has gone.

The child becomes the leader of a new session (so that a timeout can kill it
with everything it started), points its standard streams at the request's
files, moves to its folder with its environment and ``sys.argv``, and runs
pytest as ``python -m pytest`` does, and ends as an interpreter does (exit
handlers run, streams flushed) but without tearing down every module, which
with torch loaded takes a second. Its pytest-xdist workers come from the
zygote too: the run starts FORKED_PYTHON (suite/selftest/forked_python.py)
for each, which asks for a ``python`` request (``code``, ``cwd``, ``env``,
``server``, and its standard streams passed with the request), and the child
runs that code on those streams as ``python -c CODE`` would.
"""

import json
import os
import select
import signal
import socket
import sys
from typing import Any, Callable, NoReturn

#: The socket this zygote listens on, and forked_python.py, which a run starts for an xdist worker (set by main).
ADDRESS = FORKED_PYTHON = ""

#: What a child would otherwise import on every run: about 4 s of a 6 s pytest run on 2 cores.
PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "torch", "torch._dynamo", "pytest")
#: Imported through pytest's assert-rewriting import hook, as a run imports them: pytest plugins and their packages.
PRELOAD_REWRITTEN = ("hypothesis", "_hypothesis_pytestplugin", "xdist.plugin", "pytest_benchmark.plugin",
                     "suite.plugin", "impls.numpy_backend", "suite.strategies", "suite.probes", "reports.conformance",
                     "reports.html", "reports.benchmarks", "reports.plots")


def preload() -> None:
    """Import the heavy libraries once (torch only where installed), then the plugins as pytest would; then settle
    what every child would otherwise redo on its own pages."""
    import gc
    import importlib
    import importlib.util

    for name in PRELOAD:
        if importlib.util.find_spec(name.partition(".")[0]) is not None:
            importlib.import_module(name)
    preload_rewritten()
    scan_local_constants()
    gc.freeze()  # what every child inherits: no collection of theirs walks it (and writes to its pages) again


def scan_local_constants() -> None:
    """Have hypothesis read the constants of the modules imported so far, as each run's first example would.

    Hypothesis draws some examples from constants in the source of the
    project's own modules; before a run's first example it classifies every
    module in ``sys.modules`` (torch's thousands among them) and remembers
    which it has seen, then looks only at new ones. Done here, each run
    inherits that scan (0.1 s of a run) and scans only what it imported itself.
    A private API: where it has changed, every run scans as before.
    """
    import warnings

    try:
        from hypothesis.internal.conjecture.providers import _get_local_constants
    except ImportError:
        return
    with warnings.catch_warnings():  # hypothesis warns of slow plugins when this happens before a run's session starts
        warnings.simplefilter("ignore")
        _get_local_constants()


def preload_rewritten() -> None:
    """Import PRELOAD_REWRITTEN through an instance of pytest's own assert-rewriting hook, then remove the hook.

    A run marks the packages of every pytest plugin for rewriting (this
    project's among them) and warns about any it finds imported by another
    loader. Imported here by that hook's class, each is what the run would
    import itself: rewritten, and quiet. The hook is pytest's internal API
    (``_pytest``); where it has changed, nothing is imported here and every
    run imports these itself, as before.
    """
    import importlib

    try:
        from _pytest.assertion import AssertionState
        from _pytest.assertion.rewrite import AssertionRewritingHook, assertstate_key
        from _pytest.config import get_config

        config = get_config()
        config.stash[assertstate_key] = AssertionState(config, "rewrite")
        hook = AssertionRewritingHook(config)
        config._mark_plugins_for_rewrite(hook, disable_autoload=False)  # the names a run marks: every plugin's packages
    except Exception:  # noqa: BLE001 - another pytest: the runs import these themselves
        return
    sys.meta_path.insert(0, hook)
    try:
        for name in PRELOAD_REWRITTEN:
            importlib.import_module(name)
    finally:
        sys.meta_path.remove(hook)


def read_request(conn: socket.socket) -> tuple[dict | None, list[int]]:
    """The request a client sent on this connection (one JSON line; None if it sent none), and the file descriptors
    it passed with it (a forked_python.py client passes its standard streams)."""
    data, fds = b"", []
    while not data.endswith(b"\n"):
        chunk, passed, _, _ = socket.recv_fds(conn, 65536, 3)
        fds += passed
        if not chunk:
            for fd in fds:
                os.close(fd)
            return None, []
        data += chunk
    return json.loads(data), fds


def _receive_quietly(conn: socket.socket) -> bytes:
    """A byte from the connection; b"" once the client has closed it or gone."""
    try:
        return conn.recv(1)
    except OSError:
        return b""


def serve(listener: socket.socket, parent: int) -> tuple[dict, list[int]]:
    """Fork a child per request and report its end; in a child, return the request it is to run (and its streams).

    A client whose connection closes before its child ended has gone (killed, or gave up): the child's session is
    killed with everything in it.
    """
    children: dict[int, socket.socket] = {}
    hung_up: set[int] = set()
    while True:
        watched = {conn: pid for pid, conn in children.items() if pid not in hung_up}
        ready, _, _ = select.select([listener, *watched], [], [], 0.05)
        for conn in ready:
            if conn is not listener and not _receive_quietly(conn):  # the client hung up on a running child
                hung_up.add(watched[conn])
                try:
                    os.killpg(watched[conn], signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            conn = children.pop(pid)
            hung_up.discard(pid)
            try:
                conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            except OSError:
                pass  # the client gave up on it
            conn.close()
        if os.getppid() != parent:
            raise SystemExit(0)
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        request, fds = read_request(conn)
        if request is None:
            conn.close()
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            listener.close()
            for other in children.values():
                other.close()
            conn.close()
            return request, fds
        for fd in fds:
            os.close(fd)
        conn.sendall(f"pid {pid}\n".encode())
        children[pid] = conn


def run(request: dict, streams: list[int]) -> None:
    """In the forked child: become what the request asks for, in its folder with its environment, and exit as an
    interpreter would."""
    os.setsid()
    if request.get("kind") == "python":
        for fd, passed in zip((0, 1, 2), streams):
            os.dup2(passed, fd)
            os.close(passed)
    else:
        for passed in streams:  # none are expected with a pytest request: keep none open
            os.close(passed)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if request.get("kind") == "python":
        if request["server"]:
            fork_worker_server()
        exit_as_interpreter(lambda: run_code(request["code"]))
    grading = "--grade" in request["args"]
    if not grading:  # a grading run's server must not have torch loaded: it starts its own
        fork_worker_server()
    fork_xdist_workers(server=not grading)
    sys.path[0] = os.getcwd()  # what ``python -m`` puts first
    sys.argv = ["-m", *request["args"]]
    import runpy

    # ``python -m pytest``: it raises SystemExit
    exit_as_interpreter(lambda: runpy.run_module("pytest", run_name="__main__", alter_sys=True))


def run_code(code: str) -> None:
    """What ``python -c CODE`` runs: CODE in a new ``__main__`` module (sys.path[0] is '' here too, as for -c)."""
    import types

    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    sys.argv = ["-c"]
    exec(compile(code, "<string>", "exec"), main.__dict__)


def exit_as_interpreter(body: Callable[[], object]) -> NoReturn:
    """Run ``body`` and exit with the status an interpreter running it would, less tearing down every module."""
    import atexit
    import traceback

    try:
        body()
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - what the interpreter would print and exit 1 for
        traceback.print_exc()
        status = 1
    # With torch loaded, tearing down every module alone takes a second.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def fork_xdist_workers(server: bool) -> None:
    """Have this run's pytest-xdist workers forked from the zygote too (forked_python.py), not started as new
    interpreters that import pytest, the plugins and torch again.

    Only a worker on this machine with the run's own Python (``-n N``, ``--tx popen``): one with a ``python=`` or
    ``via=`` of its own starts as execnet starts it. ``server`` says whether each worker gets its worker server
    forked with torch imported too.
    """
    try:
        from execnet import gateway_io
    except ImportError:  # no pytest-xdist: nothing to fork
        return
    started = gateway_io.popen_args

    def popen_args(spec: Any) -> list[str]:
        if spec.python or spec.via or spec.dont_write_bytecode:
            return started(spec)
        return [sys.executable, "-S", FORKED_PYTHON, ADDRESS, "server" if server else "none",
                "-c", gateway_io.popen_bootstrapline]

    gateway_io.popen_args = popen_args


#: The attributes of multiprocessing's ForkServer that fork_worker_server fills in as ensure_running would (3.8-3.13;
#: 3.14 adds an authentication key, and then the run starts its server itself, as before).
FORKSERVER_FIELDS = {"_forkserver_address", "_forkserver_alive_fd", "_forkserver_pid", "_inherited_fds", "_lock",
                     "_preload_modules"}


def fork_worker_server() -> None:
    """Fork the run's worker server (multiprocessing's forkserver) from this process, which has torch imported,
    instead of letting the run start a new interpreter that imports it again (seconds of CPU a run).

    The child runs ``multiprocessing.forkserver.main`` as the interpreter ensure_running starts would, with the
    preload the suite's worker_context asks for; the run's forkserver object is given its address, pipe and pid,
    so the run finds it running (it is the run's child: a dead one is seen and started again the usual way).
    Only where the worker's module came with the preload and the forkserver has the fields this version knows.
    """
    from multiprocessing import connection, forkserver, util

    worker = sys.modules.get("suite.worker")
    server = forkserver._forkserver
    if worker is None or set(vars(server)) != FORKSERVER_FIELDS or server._forkserver_pid is not None:
        return
    preload = [*worker.PRELOAD, *(worker.PRELOAD_TORCH if "torch" in sys.modules else ())]
    listener = socket.socket(socket.AF_UNIX)
    address = connection.arbitrary_address("AF_UNIX")
    listener.bind(address)
    if not util.is_abstract_socket_namespace(address):
        os.chmod(address, 0o600)
    listener.listen()
    alive_r, alive_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(alive_w)
        try:
            forkserver.main(listener.fileno(), alive_r, preload)
        finally:
            os._exit(0)
    listener.close()
    os.close(alive_r)
    server._forkserver_address, server._forkserver_alive_fd, server._forkserver_pid = address, alive_w, pid
    server._preload_modules = preload


def main() -> None:
    """Preload, listen on the socket named on the command line, say ready, serve."""
    global ADDRESS, FORKED_PYTHON
    parent = os.getppid()
    ADDRESS, FORKED_PYTHON = sys.argv[1], os.path.abspath(sys.argv[2])
    preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(ADDRESS)
    listener.listen(64)
    print("ready", flush=True)
    run(*serve(listener, parent))


if __name__ == "__main__":
    main()
