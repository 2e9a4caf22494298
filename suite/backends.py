"""Handles on the backends a run tests: loaded in this process, or held by a worker process.

Both kinds answer ``call(probe, device, kwargs)`` with the probe's plain-data
result, or raise ``BackendMissing`` / ``BackendError``. A worker-held backend
also survives what a broken submission does: a hang is stopped at the test's
time limit, a crash or an exit is reported with its cause, memory is capped,
and the next test gets a fresh worker.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import json
import linecache
import math
import multiprocessing
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from impls import registry
from suite import codec, forbidden as forbidden_modules, preload, sandbox, worker
from suite.untrusted import clean
from suite.execute import Probe, execute, probe_ref
from suite.outcomes import BackendError, BackendMissing, BackendWrongValue, Cause, innermost_frame, where

#: How often a waiting test looks at the worker's memory and liveness, in seconds.
POLL_SECONDS = 0.02
#: How often a worker run as a uid of its own has every process of that uid listed (for memory and forbidden libraries).
UID_SCAN_SECONDS = 0.25
#: How long a killed worker's exit status is waited for; its server sends it, and a stopped server never does.
EXIT_STATUS_SECONDS = 5.0
#: The code a confined worker's interpreter runs (``python -c SERVE ARGUMENTS``).
SERVE = "import sys; from suite.worker import serve; serve(sys.argv[1])"
#: How long a worker past its time is given to write its stack (faulthandler writes it at once, from its signal handler).
STACK_SECONDS = 0.5
#: A frame of faulthandler's stack: ``  File "mytorch.py", line 12 in squeeze``.
STACK_FRAME = re.compile(r'^\s*File "(?P<file>.+)", line (?P<line>\d+) in (?P<name>\S+)\s*$')
#: The largest message a worker may send (a probe's value is kilobytes; a benchmark's rounds, a few hundred).
MAX_REPLY_BYTES = 64 * 2**20


@dataclass
class Limits:
    """What a worker-held backend may spend on one test.

    With ``clock = "wall"`` (the default) ``seconds`` is wall-clock time. With
    ``clock = "cpu"`` (grading) it is the CPU time, user and system, of the
    backend's processes, its own children included, so a busy machine does not
    change the verdict; a wall-clock backstop of ``backstop`` times as long
    stops a backend that sleeps or blocks.
    """

    seconds: float = 60.0
    memory_bytes: int = 4 * 1024**3
    clock: str = "wall"
    backstop: float = 3.0

    @property
    def wall_seconds(self) -> float:
        """How long a test may take by the wall clock."""
        return self.seconds * self.backstop if self.clock == "cpu" else self.seconds


#: Clock ticks per second, the unit of /proc's CPU times.
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process, its reaped children and its live descendants, from /proc (0 if gone)."""
    total, pending, seen = 0.0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15]) / CLOCK_TICKS  # utime stime cutime cstime
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    pending.extend(int(child) for child in f.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def _serving_thread(dump: str) -> list[traceback.FrameSummary]:
    """The frames (outermost first) of the thread that was running a probe, from faulthandler's dump of every thread."""
    threads = [[traceback.FrameSummary(m["file"], int(m["line"]), m["name"])
                for m in map(STACK_FRAME.match, block.splitlines()) if m][::-1]
               for block in dump.split("(most recent call first):")[1:]]
    serving = [frames for frames in threads if any(f.filename.endswith(os.path.join("suite", "execute.py")) for f in frames)]
    return (serving or threads or [[]])[0]


def _verdict(excinfo: Any) -> bool:
    """For pytest's ``__tracebackhide__``: hide the suite's frame when what it raised is a verdict on the backend."""
    return excinfo.errisinstance(BackendError)


def _raise_for(reply: dict[str, Any]) -> Any:
    """Return a successful reply's value, or raise the exception its outcome names."""
    __tracebackhide__ = True  # a failure reads from the test's line, not from the suite's plumbing
    if reply["ok"]:
        return reply["value"]
    if reply["outcome"] == "failed":
        raise BackendWrongValue(reply["message"])
    exc_type = BackendMissing if reply["outcome"] == "missing" else BackendError
    raise exc_type(reply["message"], Cause(reply.get("cause", "exception")), reply.get("name", ""))


@dataclass
class Backend:
    """What every handle knows: the spec, the version and which devices are there."""

    spec: registry.BackendSpec
    wanted: tuple[str, ...] = ("cpu", "cuda")  # the devices this run asks about
    version: str = "unknown"
    devices: dict[str, str | None] = field(default_factory=lambda: {"cpu": None, "cuda": "not loaded"})
    unknown_devices: tuple[str, ...] = ()  # wanted devices whose name the backend does not use (registry.DeviceCheck)
    load_error: str | None = None

    @property
    def label(self) -> str:
        """The name this backend carries in test ids and reports."""
        return self.spec.label

    @property
    def isolated(self) -> bool:
        """True when the backend runs in a worker process."""
        return False

    def begin_test(self, limits: Limits) -> None:
        """Called before a test uses this backend."""

    def end_test(self) -> None:
        """Called after a test used this backend."""

    def close(self) -> None:
        """Release whatever the handle holds."""

    def call(self, probe: Probe, device: str, kwargs: dict[str, Any]) -> Any:
        """Run ``probe`` on this backend and device; raise BackendMissing/BackendError."""
        raise NotImplementedError


class InProcessBackend(Backend):
    """A backend imported into the test process itself: fastest, no protection."""

    namespace: Any = None

    def load(self) -> None:
        """Import the namespace; raises BackendSpecError."""
        self.namespace = registry.load(self.spec)
        self.version = registry.version_of(self.namespace)
        checks = registry.check_devices(self.namespace, self.wanted)
        self.devices = {name: check.reason for name, check in checks.items()}
        self.unknown_devices = tuple(name for name, check in checks.items() if not check.known)

    def call(self, probe: Probe, device: str, kwargs: dict[str, Any]) -> Any:
        """Run the probe here, its arguments and reply passing through the codec as they would to a worker."""
        __tracebackhide__ = True
        if self.load_error:
            raise BackendError(self.load_error, Cause.LOAD)
        return _raise_for(execute(self.namespace, probe, device, codec.roundtrip(kwargs)))


#: Fields of a worker's messages that hold the backend's own text, and the most of each that is kept.
BACKEND_TEXT = {"version": 200, "message": 2000, "name": 200, "traceback": 4000}


def _cleaned(message: Any) -> Any:
    """A worker's message with the backend's own text stripped of control characters and capped (suite.untrusted)."""
    if not isinstance(message, dict):
        return message
    tidy = {key: clean(value, BACKEND_TEXT[key]) if key in BACKEND_TEXT and isinstance(value, str) else value
            for key, value in message.items()}
    if isinstance(tidy.get("devices"), dict):
        tidy["devices"] = {clean(device, 50): None if reason is None else clean(reason, 300)
                           for device, reason in tidy["devices"].items()}
    return tidy


def worker_context(forbidden: tuple[str, ...] = (), torch: bool = True) -> multiprocessing.context.BaseContext:
    """A forkserver context preloading what every worker needs, and torch where a worker imports it (``torch``),
    it is installed and not ``forbidden``.

    The server is one per run, its preload decided once for all the run's
    worker-held backends (suite.preload: a torch-free submission's workers are
    not charged torch's memory). A grading run starts it with its forbidden
    modules, so that no submission's worker inherits them already loaded. A
    server already running without a module this preload holds, or with another
    that is forbidden, is stopped, so that the next worker's start makes one
    with this preload; one that holds more is kept (the self-tests' zygote forks
    every run a server with torch).
    """
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    preload = list(worker.PRELOAD)
    if torch and importlib.util.find_spec("torch") is not None and not forbidden_modules.matches("torch", forbidden):
        preload += worker.PRELOAD_TORCH  # 3-5 s a worker, paid once here
    running = _server_pid()
    if running:
        held = list(getattr(forkserver._forkserver, "_preload_modules", []))
        extra = set(held) - set(preload)
        if not set(preload) <= set(held) or any(forbidden_modules.matches(name, forbidden) for name in extra):
            _kill_server(running)
        else:
            preload = held
    context.set_forkserver_preload(preload)
    return context


def start_worker_server(torch: bool = True, forbidden: tuple[str, ...] = ()) -> None:
    """Start the worker server without waiting for its imports, so that they overlap the run's own start-up.

    Its torch import (where ``torch``) takes seconds; the run meanwhile imports
    hypothesis and the suite and loads its in-process backends (a grading run:
    arms its guard), on another core where there is one. The first worker's
    start (warm_up_workers) then waits for the rest.
    """
    from multiprocessing import forkserver

    worker_context(forbidden, torch)  # sets the server's preload
    forkserver.ensure_running()


def warm_up_workers(forbidden: tuple[str, ...] = (), torch: bool = True) -> None:
    """Start the worker server (it imports numpy, and torch where ``torch``, once), so that no test's clock pays for it.

    The server imports its preload after it starts, so a first child is run and
    waited for: it is forked only once the imports are done.
    """
    process = worker_context(forbidden, torch).Process(target=os.getpid, name="conformance-warm-up")
    start_within(process, WARM_UP_SECONDS, "warming up")
    process.join(WARM_UP_SECONDS)


#: How long the worker server may take to start its first worker (it imports torch first, on a busy machine).
WARM_UP_SECONDS = 120.0


def _server_pid() -> int | None:
    """The worker server's process id, while one runs (multiprocessing keeps it on its forkserver object)."""
    from multiprocessing import forkserver

    return getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)


def _stopped(pid: int) -> bool:
    """True when process ``pid`` is stopped (SIGSTOP, or traced), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
    except (OSError, IndexError):
        return False


def _kill_server(pid: int) -> None:
    """Kill the worker server and wait until it is dead, leaving it unreaped so that multiprocessing sees it gone."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    except (ProcessLookupError, ChildProcessError, PermissionError):
        pass


def start_within(process: multiprocessing.process.BaseProcess, seconds: float, doing: str) -> None:
    """``process.start()``, waiting at most ``seconds`` for the worker server; a stopped or hung server is killed.

    A submission can stop the server its worker came from (SIGSTOP, its
    parent): the next start would then wait forever for a pid. A stopped
    server is killed before asking it; one that does not answer in time is
    killed too, which ends the wait. Either way multiprocessing starts a fresh
    server for the next worker.
    """
    __tracebackhide__ = _verdict  # a verdict reads from the test's line; a bug of the suite's own shows here
    pid = _server_pid()
    if pid and _stopped(pid):
        _kill_server(pid)
    done, failure = threading.Event(), []

    def start() -> None:
        try:
            process.start()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=start, name="conformance-worker-start", daemon=True).start()
    if not done.wait(max(seconds, 0.1)):
        pid = _server_pid()
        if pid:
            _kill_server(pid)
        done.wait(5)
        raise BackendError(f"timeout: the worker server did not start a worker within {seconds:.3g} s while {doing} "
                           "(it was stopped or hung; the next test gets a fresh one)", Cause.TIMEOUT)
    if failure:
        raise BackendError(f"the worker could not be started while {doing}: {failure[0]}", Cause.CRASH)


def rss_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (0 where that cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@functools.lru_cache(maxsize=1)
def _sweep_orphaned_folders() -> None:
    """Once a process, before its first worker backend's folder: remove the folders killed runs left in /tmp."""
    sandbox.remove_orphaned_folders()


class WorkerBackend(Backend):
    """A backend held by its own worker process, restarted after anything that kills it.

    With ``forbidden`` modules (a grading run), the worker refuses to import
    them and reports every attempt; this handle also reads the worker's memory
    map for their shared libraries. ``breaches`` collects what it found.

    With a confining ``isolation`` (a grading run: ``suite.sandbox``), each
    worker is a new interpreter, not a child of the run's worker server, in a
    bubblewrap sandbox of its own or run as the isolation's uid: memory and
    forbidden libraries are then read from every process in the sandbox, or of the uid.
    """

    def __init__(self, spec: registry.BackendSpec, limits: Limits, wanted: tuple[str, ...] = ("cpu", "cuda"),
                 forbidden: tuple[str, ...] = (), isolation: sandbox.Isolation | None = None,
                 torch: bool | None = None) -> None:
        super().__init__(spec, wanted)
        self.limits = limits
        self.forbidden = forbidden
        #: Whether the worker server preloads torch: the run's choice for all its workers, else this backend's source's.
        self.torch = preload.imports_torch(spec) if torch is None else torch
        self.isolation = isolation if isolation is not None and isolation.confined else None
        self.sandboxed = self.isolation is not None and self.isolation.sandboxed  # bubblewrap's, not the uid's
        self.uid = self.isolation.uid if self.isolation is not None and not self.sandboxed else None
        self.breaches: list[str] = []  # forbidden modules the backend reached, each once, in the order found
        self._library_folders = forbidden_modules.package_folders(forbidden)
        self._process: multiprocessing.process.BaseProcess | sandbox.SandboxedProcess | None = None
        self._conn: Connection | None = None
        _sweep_orphaned_folders()  # those of runs killed outright, whose exit handlers never removed them
        self._dir = tempfile.mkdtemp(prefix=f"{sandbox.WORKER_PREFIX}{os.getpid()}-{spec.label}-")
        self._deadline: float | None = None
        self._cpu_base = 0.0  # CPU seconds of the current worker when the test (or the worker) began
        self._cpu_carried = 0.0  # CPU seconds this test spent in workers that have since ended
        self._cpu_last = 0.0  # the last reading of the current worker
        self._cpu_read_at = 0.0  # monotonic time of that reading
        self._poisoned: tuple[str, Cause] | None = None
        self.root: str | None = None  # the folder the backend's own files lie in, as its worker found it
        self._uid_scanned: tuple[float, list[int]] = (0.0, [])  # when the uid's processes were last listed, and they
        atexit.register(self._stop)  # before multiprocessing's own exit handler would wait for the worker

    @property
    def isolated(self) -> bool:
        """True: this backend runs in a worker process."""
        return True

    @property
    def pid(self) -> int | None:
        """The worker process's id, while one runs."""
        return self._process.pid if self._process is not None else None

    @property
    def output_path(self) -> str:
        """The file the worker's stdout and stderr go to."""
        return os.path.join(self._dir, "output.log")

    def load(self) -> None:
        """Start the worker and learn version and devices; raises BackendSpecError or BackendError."""
        if self.isolation is None:
            warm_up_workers(self.forbidden, self.torch)  # seconds on a busy machine, and not the backend's doing: before the clock starts
        self._cpu_carried = 0.0
        hello = self._start(deadline=time.monotonic() + self.limits.wall_seconds)
        if not hello["ok"]:
            raise registry.BackendSpecError(hello["message"])
        self.version = hello["version"]
        self.root = str(hello.get("root") or "") or None
        self.devices = hello["devices"]
        self.unknown_devices = tuple(hello.get("unknown_devices", ()))

    def _start(self, deadline: float) -> dict[str, Any]:
        """Start a fresh worker and return its first message."""
        __tracebackhide__ = _verdict  # a verdict reads from the test's line; a bug of the suite's own shows here
        self._stop()
        self._cpu_carried += max(0.0, self._cpu_last - self._cpu_base)  # what the test spent in the worker that ended
        self._cpu_base = self._cpu_last = 0.0
        if self.isolation is not None:
            return self._start_confined(deadline)
        context = worker_context(self.forbidden, self.torch)
        parent, child = context.Pipe()
        workdir = os.path.join(self._dir, "cwd")
        self._process = context.Process(
            # Not daemonic: a backend may start processes of its own (DataLoader workers).
            target=worker.main, daemon=False, name=f"conformance-worker-{self.spec.label}",
            args=(child, self.spec.canonical, self.spec.text, workdir, self.output_path, self.wanted, self.forbidden),
        )
        try:
            start_within(self._process, deadline - time.monotonic(), "starting the backend's worker")
        except BackendError:
            child.close()
            parent.close()
            self._process = None
            raise
        child.close()
        self._conn = parent
        doing = "loading the backend"
        hello = self._decode(self._receive(deadline, doing=doing), deadline, doing)
        self._note_breaches(hello)
        return hello

    def _start_confined(self, deadline: float) -> dict[str, Any]:
        """Start a fresh worker in bubblewrap or as the uid, connected through a socket pair; return its first message.

        As the uid, it first ends whatever an earlier worker left (processes, files in the shared temporary
        folders) and gets a new, empty home: a fresh worker inherits nothing."""
        __tracebackhide__ = _verdict  # a verdict reads from the test's line; a bug of the suite's own shows here
        parent, child = socket.socketpair()
        if os.path.lexists(self.output_path):
            os.unlink(self.output_path)
        open(self.output_path, "wb").close()  # the one host file the sandbox may write
        workdir = os.path.join(self._dir, "cwd")
        home = ""
        if self.uid is not None:
            sandbox.end_uid_processes(self.uid)
            sandbox.remove_uid_files(self.uid)
            home = sandbox.prepare_home(self._dir, self.uid)
            workdir = os.path.join(home, "cwd")
            os.chown(self.output_path, self.uid, self.uid)
        torch = (self.torch and importlib.util.find_spec("torch") is not None
                 and not forbidden_modules.matches("torch", self.forbidden))  # as worker_context decides for the server
        arguments = json.dumps({"fd": child.fileno(), "canonical": self.spec.canonical, "typed": self.spec.text,
                                "workdir": workdir, "output_path": self.output_path, "devices": list(self.wanted),
                                "forbidden": list(self.forbidden), "torch": torch})
        argv = [sys.executable, "-c", SERVE, arguments]
        if self.uid is None:
            process = sandbox.SandboxedProcess(sandbox.command(
                argv, own=sandbox.submission_folder(self.spec.kind, self.spec.target), private=[self._dir],
                writable_files=[self.output_path], workdir=workdir, readable_files=self.isolation.shared),
                pass_fds=[child.fileno()],
                output_path=self.output_path)
        else:
            environment = sandbox.worker_environment(home, self.isolation.suite_copy)
            process = sandbox.SandboxedProcess(argv, pass_fds=[child.fileno()], output_path=self.output_path,
                                               uid=self.uid, env=environment, cwd=home,
                                               file_limit=worker.OUTPUT_LIMIT_BYTES)
        try:
            process.start()
        except OSError as exc:
            parent.close()
            raise BackendError(f"the sandboxed worker could not be started: {exc}", Cause.CRASH) from None
        finally:
            child.close()
        self._process = process
        self._conn = Connection(parent.detach())
        # The new interpreter's imports of numpy (and torch) are the grader's, not the backend's: no CPU time counts
        # against the test until the worker says it has them, before the backend's code runs.
        self._cpu_base = math.inf
        doing = "starting the sandboxed worker"
        first = self._decode(self._receive(deadline, doing=doing), deadline, doing)
        expected = {"preloaded": True, "suite": sandbox.worker_suite(self.isolation)}
        if first != expected:  # sent before the backend's code runs: the grader's own setup is at fault
            self._stop()
            raise RuntimeError(f"the confined worker's first message was {first!r}, not {expected!r}: it imported "
                               "another version of the suite than this grader's")
        self._cpu_base = self._cpu_last = cpu_seconds(self._process.pid or 0)
        doing = "loading the backend"
        hello = self._decode(self._receive(deadline, doing=doing), deadline, doing)
        self._note_breaches(hello)
        return hello

    def _worker_rss(self) -> int:
        """The memory the worker holds: its process's resident memory; in a sandbox, the largest of any process's in
        it, plus the files in its private /tmp and working folder (memory too, being tmpfs)."""
        pid = self._process.pid if self._process is not None else None
        if not pid:
            return 0
        if self.isolation is None:
            return rss_bytes(pid)
        members = self._members()
        largest = max((rss_bytes(member) for member in members), default=0)
        return largest + (self._private_files_bytes(members[1:]) if self.sandboxed else 0)

    def _members(self) -> list[int]:
        """The worker's processes: in bubblewrap, bwrap's tree; as the uid, every process of the uid (a scan of /proc,
        some milliseconds: done again at most every UID_SCAN_SECONDS, the worker's own tree read in between)."""
        pid = self.pid or 0
        if self.uid is not None:
            now = time.monotonic()
            if now - self._uid_scanned[0] > UID_SCAN_SECONDS:
                self._uid_scanned = (now, sandbox.uid_processes(self.uid))
            return list(dict.fromkeys([*sandbox.process_tree(pid), *self._uid_scanned[1]])) if pid else []
        return sandbox.process_tree(pid) if self.sandboxed and pid else [pid]

    def _private_files_bytes(self, inside: list[int]) -> int:
        """Bytes of files in the sandbox's private tmpfs folders, read through a sandboxed process's root (0 if none)."""
        for member in inside:
            try:
                total = 0
                for folder in ("/tmp", self._dir):
                    stat = os.statvfs(f"/proc/{member}/root{folder}")
                    total += (stat.f_blocks - stat.f_bfree) * stat.f_frsize
                return total
            except OSError:
                continue
        return 0

    def _note_breaches(self, message: Any) -> None:
        """Add the forbidden modules the worker reported, and those mapped into its memory, to ``breaches``."""
        if not self.forbidden:
            return
        reported = message.get("forbidden", []) if isinstance(message, dict) else []
        pids = self._members()
        mapped = [entry for pid in pids for entry in forbidden_modules.mapped_forbidden(pid, self._library_folders)]
        for entry in [*(reported if isinstance(reported, list) else []), *mapped]:
            if isinstance(entry, str) and forbidden_modules.matches(entry, self.forbidden) and entry not in self.breaches:
                self.breaches.append(entry)

    def begin_test(self, limits: Limits) -> None:
        """Start the test's clock; a test begins with no earlier failure held against it."""
        self.limits = limits
        self._deadline = time.monotonic() + limits.wall_seconds
        self._cpu_carried = 0.0
        # Read under either clock: a wall-clock timeout says whether the backend was computing or waiting.
        self._cpu_base = self._cpu_last = cpu_seconds(self.pid) if self.pid else 0.0
        self._poisoned = None

    def end_test(self) -> None:
        """Stop the test's clock."""
        self._deadline = None
        self._poisoned = None

    def call(self, probe: Probe, device: str, kwargs: dict[str, Any]) -> Any:
        """Send one probe call to the worker and wait for its reply within the test's time."""
        __tracebackhide__ = True
        if self.load_error:
            raise BackendError(self.load_error, Cause.LOAD)
        if self._poisoned:
            # Once a test has timed out or crashed, its later calls fail the same way at once,
            # so hypothesis's replays do not wait out the limit again.
            raise BackendError(*self._poisoned)
        deadline = self._deadline if self._deadline is not None else time.monotonic() + self.limits.wall_seconds
        try:
            if self._process is None or not self._process.is_alive():
                hello = self._start(deadline)
                if not hello["ok"]:
                    raise BackendError(hello["message"], Cause.LOAD)
            assert self._conn is not None
            self._check_cpu(f"running {probe.__name__}")  # a test of many short calls is held to its CPU time too
            self._conn.send_bytes(codec.dumps({"op": "call", "probe": probe_ref(probe), "device": device, "kwargs": kwargs}))
            doing = f"running {probe.__name__}"
            reply = self._decode(self._receive(deadline, doing=doing), deadline, doing)
        except BackendError as exc:
            self._poisoned = (str(exc.msg), exc.cause)
            raise
        self._note_breaches(reply)
        if not isinstance(reply, dict):
            raise BackendError("the backend's worker sent a malformed reply: not a mapping")
        return _raise_for(reply)

    def _decode(self, raw: bytes, deadline: float, doing: str) -> Any:
        """The worker's message, decoded within the test's time and the codec's depth; past them the worker is stopped."""
        __tracebackhide__ = _verdict  # a verdict reads from the test's line; a bug of the suite's own shows here
        try:
            return _cleaned(codec.loads(raw, deadline=deadline))
        except codec.TooDeep as exc:
            self._stop()
            raise BackendError(f"reply too deep: {exc} (while {doing})", Cause.REPLY) from None
        except codec.TooSlow as exc:
            self._stop()
            raise BackendError(f"timeout: {exc}, the test's {self.limits.wall_seconds:g} s (while {doing})",
                               Cause.TIMEOUT) from None
        except (codec.CodecError, ValueError, UnicodeDecodeError) as exc:
            raise BackendError(f"the backend's worker sent a malformed message while {doing}: {exc}") from None

    def _receive(self, deadline: float, doing: str) -> bytes:
        """Wait for the worker's next message, watching time, memory and liveness; refuse one past MAX_REPLY_BYTES."""
        __tracebackhide__ = _verdict  # a verdict reads from the test's line; a bug of the suite's own shows here
        assert self._conn is not None and self._process is not None
        while True:
            if self._conn.poll(POLL_SECONDS):
                try:
                    return self._conn.recv_bytes(MAX_REPLY_BYTES)
                except OSError as exc:
                    if str(exc) == "bad message length":  # the length came first: nothing of the body was read
                        self._stop()
                        raise BackendError(f"reply too large: the backend's worker sent more than "
                                           f"{MAX_REPLY_BYTES // 2**20} MiB while {doing}", Cause.REPLY) from None
                except EOFError:
                    pass  # the worker died after or while sending: report its death below
            if not self._process.is_alive() or self._conn.closed:
                self._process.join(1)
                raise BackendError(*self._death_message(doing))
            rss = self._worker_rss()
            if rss > self.limits.memory_bytes:
                self._stop()
                raise BackendError(
                    cause=Cause.MEMORY, message="memory limit: the backend's process"
                    + (" (with the files in its private /tmp)" if self.sandboxed else "")
                    + f" grew to {rss / 2**20:.0f} MiB while {doing} "
                    f"(limit {self.limits.memory_bytes / 2**20:.0f} MiB)"
                )
            self._check_cpu(doing)
            if time.monotonic() > deadline:
                at = self._stopped_at()
                self._cpu_last = cpu_seconds(self._process.pid or 0) or self._cpu_last
                used = self._cpu_used()
                self._stop()
                # A fifth of the limit: a busy loop gets less than a core while others run; a sleep gets nothing.
                computed = used >= self.limits.seconds / 5
                if self.limits.clock == "cpu":
                    raise BackendError(
                        f"timeout: the test ran past its {self.limits.wall_seconds:g} s wall-clock backstop while {doing}"
                        f"{at}, having used {used:.1f} s of its {self.limits.seconds:g} s of CPU time "
                        + ("(waiting for most of it: a sleep, a lock, a read that never ends, or a machine too busy to "
                           "run it)" if computed else "(waiting, not computing: a sleep, a lock, a read that never ends)"),
                        Cause.TIMEOUT)
                how = (f"computing ({used:.1f} s of CPU time)" if computed
                       else f"waiting, not computing ({used:.1f} s of CPU time: a sleep, a lock, a read that never ends)")
                raise BackendError(f"timeout: the test ran past its {self.limits.seconds:g} s limit while {doing}{at}; "
                                   f"it was {how}", Cause.TIMEOUT)

    def _cpu_used(self) -> float:
        """CPU seconds this test has spent so far, in the current worker and any before it."""
        return self._cpu_carried + max(0.0, self._cpu_last - self._cpu_base)

    def _check_cpu(self, doing: str, every: float = 0.1) -> None:
        """Under a CPU-time limit, read the worker's CPU time (at most every ``every`` s) and stop it past the limit."""
        __tracebackhide__ = _verdict  # a verdict reads from the test's line; a bug of the suite's own shows here
        if self.limits.clock != "cpu" or self._process is None or time.monotonic() - self._cpu_read_at < every:
            return
        self._cpu_read_at = time.monotonic()
        self._cpu_last = cpu_seconds(self._process.pid or 0) or self._cpu_last
        if self._cpu_used() > self.limits.seconds:
            used = self._cpu_used()
            at = self._stopped_at()
            self._stop()
            raise BackendError(f"timeout: the test used {used:.1f} s of CPU time, past its {self.limits.seconds:g} s limit, "
                               f"while {doing}{at}", Cause.TIMEOUT)

    def _stack_pid(self) -> int | None:
        """The worker's Python process: the one started, or in a sandbox the first of its tree that runs SERVE."""
        pid = self.pid
        if not pid or self.isolation is None:
            return pid
        for member in sandbox.process_tree(pid):
            try:
                with open(f"/proc/{member}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[1:3] == [b"-c", SERVE.encode()]:  # bwrap's own command holds it further on
                        return member
            except OSError:
                continue
        return None

    def _stopped_at(self) -> str:
        """``, at mytorch.py:12 in squeeze (`while True:`)``: where the backend's code was, from the stack its worker
        writes to its output on worker.STACK_SIGNAL; empty when none came in STACK_SECONDS (a backend may catch it)."""
        pid = self._stack_pid()
        try:
            start = os.path.getsize(self.output_path)
            if pid:
                os.kill(pid, worker.STACK_SIGNAL)
        except OSError:
            return ""
        frames: list[traceback.FrameSummary] = []
        waited_until, last = time.monotonic() + STACK_SECONDS, -1
        while time.monotonic() < waited_until:
            time.sleep(POLL_SECONDS)
            try:
                with open(self.output_path, "rb") as f:
                    f.seek(start)
                    text = f.read(64 * 1024).decode("utf-8", "replace")
            except OSError:
                return ""
            if "most recent call first" in text and len(text) == last:  # written, and nothing more came since
                frames = _serving_thread(text)
                break
            last = len(text)
        frames = [f for f in frames if not f.filename.startswith("<")]  # <frozen importlib._bootstrap> says nothing
        if not frames:
            return ""
        frame = innermost_frame(frames, self.root)
        return f", at {clean(where(frame, self.root), 200)} in {clean(frame.name, 80)}" + self._source(frame)

    def _source(self, frame: traceback.FrameSummary) -> str:
        """`` (`while True:`)``: the frame's line, read only from a file of the submission's own folder (a backend
        could name any file in the stack it writes, and a line of a course's hidden test must not reach its grade)."""
        own = worker.own_folder(self.spec)
        path = os.path.realpath(frame.filename)
        if not own or not path.startswith(os.path.realpath(own) + os.sep) or not os.path.isfile(path):
            return ""
        source = " ".join(linecache.getline(path, frame.lineno or 0).split())
        return f" (`{clean(source, 80)}`)" if source else ""

    def _death_message(self, doing: str) -> tuple[str, Cause]:
        """Say how the worker ended, a signal (crash) or an exit status, and name the cause."""
        code = self._process.exitcode if self._process else None
        tail = self._output_tail()
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            cause = Cause.OUTPUT if name == "SIGXFSZ" else Cause.CRASH
            words = "output limit" if cause is Cause.OUTPUT else "crash"
            what = f"{words}: the backend's process was killed by {name} while {doing}"
        else:
            cause = Cause.EXIT
            what = f"exit: the backend's process exited with status {code} while {doing}"
        self._process = None
        return what + (f" (last output: {tail})" if tail else ""), cause

    def _output_tail(self, limit: int = 200) -> str:
        """The last line of what the backend printed, shortened."""
        try:
            with open(self.output_path, "rb") as f:
                f.seek(max(0, os.path.getsize(self.output_path) - 4096))
                lines = f.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return clean(lines[-1], limit) if lines else ""

    def _stop(self) -> None:
        """Kill the worker and every process in its group (the worker leads its own session)."""
        if self._process is not None and self._process.pid is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._process.kill()
            # Its exit status comes from the worker server: a stopped server never sends it, so do not wait for it.
            server = _server_pid()
            self._process.join(0.2 if server and _stopped(server) else EXIT_STATUS_SECONDS)
        self._process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Stop the worker and remove its private folder."""
        if self._conn is not None and self._process is not None and self._process.is_alive():
            try:
                self._conn.send_bytes(codec.dumps({"op": "stop"}))
                self._process.join(2)
            except OSError:
                pass
        self._stop()
        if self.uid is not None:
            sandbox.remove_uid_files(self.uid, [*sandbox.SHARED_TEMPORARY, self._dir])
        shutil.rmtree(self._dir, ignore_errors=True)


class ProbeRunner:
    """The ``run`` fixture: calls probes on one backend and device, remembering the last call."""

    def __init__(self, backend: Backend, device: str) -> None:
        self.backend = backend
        self.device = device
        self.last_call: tuple[Probe, dict[str, Any]] | None = None
        self._last_encoded: bytes | None = None  # the last call's result as the codec wrote it (None: it raised)

    def __repr__(self) -> str:
        """``run(torch-cpu)``: how hypothesis's failing-example report shows the fixture."""
        return f"run({self.label})"

    @property
    def label(self) -> str:
        """``backend-device``, as in test ids."""
        return f"{self.backend.label}-{self.device}"

    def __call__(self, probe: Probe, /, **kwargs: Any) -> Any:
        """Run ``probe(T, device, **kwargs)`` on this backend and return its plain-data result."""
        __tracebackhide__ = True
        self.last_call, self._last_encoded = (probe, kwargs), None
        value = self.backend.call(probe, self.device, kwargs)
        self._last_encoded = codec.dumps(value)  # kept as bytes: the test may change the value; a str costs more
        return value

    @property
    def last_printed(self) -> str | None:
        """What print() shows of the last call's result, as it was returned (None: it raised); made when a report
        asks, since printing arrays costs more than the call itself on most passing tests."""
        return None if self._last_encoded is None else str(codec.loads(self._last_encoded))
