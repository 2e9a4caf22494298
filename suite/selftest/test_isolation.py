"""A worker-held backend survives what broken code does: hangs, crashes, exits, runaway memory, floods of output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from impls.registry import BackendSpecError, parse_spec
from suite import PROJECT_ROOT
from suite.backends import Limits, WorkerBackend, rss_bytes
from suite.outcomes import BackendError
from suite.probes import selfcheck
from suite.selftest.runs import run_environment

#: A torch-like file whose ``tensor`` misbehaves as BODY says, once per worker (a marker file records it).
TEMPLATE = '''
import os, sys, ctypes
import numpy as np

def tensor(data):
    {body}
    return np.asarray(data)
'''


def backend_file(tmp_path: Path, body: str, name: str = "hostile") -> str:
    """Write a backend whose ``tensor()`` runs ``body`` first; return its path."""
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(TEMPLATE).format(body=body))
    return str(path)


@pytest.fixture(scope="module")
def idle_rss(tmp_path_factory: pytest.TempPathFactory) -> int:
    """Resident bytes of a worker holding a healthy backend: torch's build decides it (about 250 MiB CPU, 380 CUDA)."""
    backend = WorkerBackend(parse_spec(backend_file(tmp_path_factory.mktemp("idle"), "pass")), Limits(seconds=30))
    backend.load()
    try:
        backend.begin_test(backend.limits)
        call(backend)
        return rss_bytes(backend.pid or 0)  # the worker's own process, measured as the limit is
    finally:
        backend.close()


@pytest.fixture
def start(tmp_path: Path, idle_rss: int):
    """Start a WorkerBackend on a file, with small limits (memory: what an idle worker holds, plus a margin)."""
    started: list[WorkerBackend] = []

    def _start(path: str, seconds: float = 3.0, margin: int = 256 * 2**20) -> WorkerBackend:
        backend = WorkerBackend(parse_spec(path), Limits(seconds=seconds, memory_bytes=idle_rss + margin))
        backend.load()
        started.append(backend)
        backend.begin_test(backend.limits)
        return backend

    yield _start
    for backend in started:
        backend.close()


def call(backend: WorkerBackend) -> object:
    """Run the tensor-making probe on the backend."""
    return backend.call(selfcheck.make_tensor, "cpu", {})


def test_a_healthy_backend_answers(tmp_path: Path, start) -> None:
    """The plain path: the probe's value comes back through the worker."""
    backend = start(backend_file(tmp_path, "pass"))
    np.testing.assert_array_equal(call(backend), [1.0, 2.0])
    assert backend.devices["cpu"] is None


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ("while True: pass", "timeout: the test ran past its 1.5 s limit while running make_tensor, at hostile.py:8 in "
                             "tensor (`while True: pass`); it was computing"),
        ("import time; time.sleep(60)", "timeout: the test ran past its 1.5 s limit while running make_tensor, at "
                                        "hostile.py:8 in tensor (`import time; time.sleep(60)`); it was waiting, not computing"),
        ("ctypes.string_at(0)", "crash: the backend's process was killed by SIGSEGV"),
        ("os._exit(0)", "exit: the backend's process exited with status 0"),
        ("os._exit(3)", "exit: the backend's process exited with status 3"),
        ("hoard = [bytearray(2**20) for _ in range(4000)]", "memory limit: the backend's process grew to"),
    ],
    ids=["hang", "sleep", "segfault", "exit-0", "exit-3", "memory"],
)
def test_misbehaviour_is_an_error_with_its_cause_and_the_next_test_recovers(tmp_path: Path, start, body: str, cause: str) -> None:
    """The test fails with the cause named, from the test's own line (pytest shows none of the suite's frames), later
    calls in that test fail at once, and a new test gets a fresh worker."""
    marker = tmp_path / "done-once"
    body = f"if not os.path.exists({str(marker)!r}):\n        open({str(marker)!r}, 'w').close()\n        {body}"
    backend = start(backend_file(tmp_path, body), seconds=1.5, margin=128 * 2**20)
    began = time.monotonic()
    with pytest.raises(BackendError, match=cause.replace("(", r"\(").replace(")", r"\)")) as raised:
        call(backend)
    assert time.monotonic() - began < 10
    shown = [str(entry.path) for entry in raised.traceback.filter(raised)]  # what pytest's report keeps
    assert shown and set(shown) == {__file__}, shown  # this test and its call() helper only
    began = time.monotonic()
    with pytest.raises(BackendError, match="^" + cause.split(":")[0]):
        call(backend)  # the same test: fails at once, no second wait
    assert time.monotonic() - began < 0.5
    backend.end_test()
    backend.begin_test(backend.limits)
    np.testing.assert_array_equal(call(backend), [1.0, 2.0])  # next test: fresh worker, misbehaviour done


#: A backend that answers the suite's request for its stack with a stack of its own making, naming FILE, and hangs.
FORGED_STACK = """import signal
    signal.signal(signal.SIGUSR1, lambda *_: print('Current thread 0x1 (most recent call first):\\n  File "{file}", line 1 in leak', flush=True))
    while True: pass"""


@pytest.mark.parametrize("where", ["outside", "linked"])
def test_a_stopped_backend_cannot_have_the_grader_read_a_file_outside_its_folder(tmp_path: Path, start, where: str) -> None:
    """A timeout quotes the backend's line only from its own folder's files: a forged stack naming a course's file, by
    its path or through a link in the submission, gets its place said and not its text."""
    secret = tmp_path / "course" / "hidden_tests.py"
    secret.parent.mkdir()
    secret.write_text("EXPECTED = 'the answer key'\n")
    (tmp_path / "student").mkdir()
    named = secret if where == "outside" else tmp_path / "student" / "link.py"
    if where == "linked":
        named.symlink_to(secret)
    backend = start(backend_file(tmp_path / "student", FORGED_STACK.format(file=named)), seconds=1.0)
    with pytest.raises(BackendError, match="timeout: the test ran past its 1 s limit") as raised:
        call(backend)
    assert "answer key" not in str(raised.value)
    assert (f", at {named}:1 in leak;" if where == "outside" else ", at link.py:1 in leak;") in str(raised.value)


def test_sys_exit_in_a_probe_is_an_error_not_an_exit(tmp_path: Path, start) -> None:
    """SystemExit raised by the backend is caught in the worker and reported like any exception."""
    backend = start(backend_file(tmp_path, "sys.exit(0)"))
    with pytest.raises(BackendError, match=r"exit: the backend called sys.exit\(0\) \(hostile.py:6\)"):
        call(backend)


def test_output_is_kept_out_of_the_way(tmp_path: Path, start) -> None:
    """Megabytes printed by the backend go to its private log, not the test run, and the call still answers."""
    backend = start(backend_file(tmp_path, "print('x' * 2**20 * 5); sys.stderr.write('y' * 2**20)"))
    np.testing.assert_array_equal(call(backend), [1.0, 2.0])
    assert Path(backend.output_path).stat().st_size > 6 * 2**20


def test_crash_message_quotes_the_last_output(tmp_path: Path, start) -> None:
    """What the backend printed last before dying is in the message (a hint for the student)."""
    backend = start(backend_file(tmp_path, "print('about to fail', flush=True); os._exit(1)"))
    with pytest.raises(BackendError, match="last output: about to fail"):
        call(backend)


def test_failing_import_is_a_spec_error(tmp_path: Path) -> None:
    """A backend that raises at import stops loading with the exception and its line."""
    path = tmp_path / "bad.py"
    path.write_text("raise RuntimeError('nope')\n")
    backend = WorkerBackend(parse_spec(str(path)), Limits(seconds=5))
    try:
        with pytest.raises(BackendSpecError, match=r"RuntimeError: nope at .*bad.py:1"):
            backend.load()
    finally:
        backend.close()


def test_hanging_import_is_a_timeout(tmp_path: Path) -> None:
    """A backend that loops at import is stopped at the time limit."""
    path = tmp_path / "loops.py"
    path.write_text("while True:\n    pass\n")
    backend = WorkerBackend(parse_spec(str(path)), Limits(seconds=1.0))
    try:
        with pytest.raises(BackendError, match="timeout: .* while loading the backend"):
            backend.load()
    finally:
        backend.close()


#: A backend whose ``tensor()`` writes its worker's pid to MARKER, then loops forever.
SPINNER = '''
import os
import numpy as np

def tensor(data):
    with open({marker!r}, "w") as f:
        f.write(str(os.getpid()))
    while True:
        pass
'''


def _running(pid: int) -> bool:
    """True while process ``pid`` exists and has not ended (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc (Linux)")
def test_a_run_killed_from_outside_takes_its_looping_worker_with_it(tmp_path: Path) -> None:
    """``kill -9`` of a real ``pytest --backend FILE`` run, its backend looping forever, ends the worker too.

    Nothing in the run can clean up after SIGKILL (nor after a CI job's timeout): the worker dies with the worker
    server it came from, and the server with the run. Before, the worker went on using a core, for good.
    """
    marker = tmp_path / "worker.pid"
    spinner = tmp_path / "spinner.py"
    spinner.write_text(textwrap.dedent(SPINNER).format(marker=str(marker)))
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--backend", str(spinner), "--device", "cpu",
         "--time-limit", "300", "--report-dir", str(tmp_path / "report"), "-k", "test_view_shares_storage_both_ways",
         "suite/conformance/test_views.py"],
        cwd=PROJECT_ROOT, env=run_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = 0
    try:
        deadline = time.monotonic() + 120
        while not worker and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
            worker = int(marker.read_text() or 0) if marker.exists() else 0
        assert worker, f"the backend never looped (the run ended with status {run.poll()})"
        run.kill()
        run.wait()
        deadline = time.monotonic() + 10
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(worker), f"worker {worker} is still running 10 s after its run was killed"
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        if worker and _running(worker):
            os.kill(worker, signal.SIGKILL)


#: A run that makes a worker backend, says where its folder is, and is killed outright (its exit handlers never run).
KILLED_RUN = """
import os, signal, sys
from impls.registry import parse_spec
from suite.backends import Limits, WorkerBackend
backend = WorkerBackend(parse_spec(sys.argv[1]), Limits(seconds=5))
print(os.path.dirname(backend.output_path), flush=True)
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_worker_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    """A worker backend's folder is named for its process; one a killed run left goes when the next run makes its own."""
    from suite.sandbox import WORKER_PREFIX

    spec = backend_file(tmp_path, "pass")
    killed = subprocess.run([sys.executable, "-c", KILLED_RUN, spec, "kill"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=60, env=run_environment())
    left = Path(killed.stdout.strip())
    assert killed.returncode == -signal.SIGKILL and left.is_dir(), killed.stderr[-2000:]
    assert left.name.startswith(f"{WORKER_PREFIX}") and left.name.split("-")[2].isdigit(), left.name
    subprocess.run([sys.executable, "-c", KILLED_RUN, spec, "end"], cwd=PROJECT_ROOT, check=True, capture_output=True,
                   timeout=60, env=run_environment())
    assert not left.exists()
