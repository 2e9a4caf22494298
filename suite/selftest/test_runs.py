"""The self-tests' pytest runs (suite/selftest/runs.py): a forked run behaves as a new ``python -m pytest`` would."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from suite.selftest.runs import pytest_run, run_environment

#: A project of its own (the suite stays inert there): it reports what its process looks like.
PROBE_TESTS = '''
import os, sys

def test_reports_its_process():
    print("pid", os.getpid(), "session", os.getsid(0), "cwd", os.getcwd(), "path0", sys.path[0])
    print("marker", os.environ.get("RUNS_MARKER"), "xdist", os.environ.get("PYTEST_XDIST_WORKER"))
    print("main", sys.modules["__main__"].__file__)

def test_fails_on_purpose():
    assert 1 + 1 == 3
'''


def facts(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """The words the probe test printed, as key -> value."""
    words = " ".join(line for line in done.stdout.splitlines() if line.startswith(("pid ", "marker ", "main "))).split()
    return dict(zip(words[::2], words[1::2]))


def test_a_forked_run_looks_like_a_new_interpreters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same status, outcomes and assertion message as ``fresh``; its own process, session, folder and environment."""
    (tmp_path / "test_probe.py").write_text(PROBE_TESTS)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw7")  # as inside an xdist worker: not passed on
    forked = pytest_run("-s", "-q", cwd=tmp_path, env={"RUNS_MARKER": "forked"})
    fresh = pytest_run("-s", "-q", cwd=tmp_path, env={"RUNS_MARKER": "fresh"}, fresh=True)
    assert forked.returncode == fresh.returncode == 1
    for done in (forked, fresh):
        assert "1 failed, 1 passed" in done.stdout.splitlines()[-1], done.stdout + done.stderr
        assert "assert (1 + 1) == 3" in done.stdout  # pytest rewrote the test's asserts as it does
    mine, theirs = facts(forked), facts(fresh)
    assert mine["cwd"] == theirs["cwd"] == mine["path0"] == theirs["path0"] == str(tmp_path)
    assert mine["marker"] == "forked" and theirs["marker"] == "fresh"
    assert mine["xdist"] == theirs["xdist"] == "None"
    assert mine["main"] == theirs["main"] and mine["main"].endswith(os.path.join("pytest", "__main__.py"))
    assert mine["pid"] == mine["session"] != str(os.getpid())  # a new process leading its own session


def test_a_run_past_its_timeout_is_killed_and_raises_as_subprocess_does(tmp_path: Path) -> None:
    """A hanging run raises ``subprocess.TimeoutExpired``, and the process it was is gone."""
    (tmp_path / "test_hang.py").write_text("import os, time\n\ndef test_hang():\n"
                                            "    open('pid', 'w').write(str(os.getpid()))\n    time.sleep(600)\n")
    with pytest.raises(subprocess.TimeoutExpired):
        pytest_run("-q", cwd=tmp_path, timeout=3)
    proc = Path(f"/proc/{int((tmp_path / 'pid').read_text())}")
    deadline = time.monotonic() + 5
    while proc.exists() and time.monotonic() < deadline:  # the zygote reaps it within a poll or two
        time.sleep(0.05)
    assert not proc.exists()


#: A project of its own, run with ``-n 2``: each worker says what it is and whether torch came with it.
WORKER_TESTS = '''
import os, sys
import pytest

@pytest.mark.parametrize("n", [1, 2])
def test_reports_its_worker(n):
    print("worker", os.environ["PYTEST_XDIST_WORKER"], "pid", os.getpid(), "cwd", os.getcwd(),
          "marker", os.environ.get("RUNS_MARKER"), "torch", "torch" in sys.modules)
    assert n != 2, "fails on purpose"
'''


def worker_facts(done: subprocess.CompletedProcess[str]) -> list[dict[str, str]]:
    """What each xdist worker's test printed (its captured output, which pytest shows with ``-rA``)."""
    lines = [line.split() for line in done.stdout.splitlines() if line.startswith("worker gw")]
    return [dict(zip(words[::2], words[1::2])) for words in lines]


def test_a_forked_runs_xdist_workers_are_forked_from_the_zygote_and_behave_as_new_ones(tmp_path: Path) -> None:
    """``-n 2`` in a forked run: two workers with torch already imported (a new interpreter's have not), each in
    the run's folder and environment, with the same outcomes, assertion messages and exit status as ``fresh``."""
    (tmp_path / "test_workers.py").write_text(WORKER_TESTS)
    forked = pytest_run("-n", "2", "-rA", cwd=tmp_path, env={"RUNS_MARKER": "forked"})
    fresh = pytest_run("-n", "2", "-rA", cwd=tmp_path, env={"RUNS_MARKER": "fresh"}, fresh=True)
    assert forked.returncode == fresh.returncode == 1
    for done, marker, torch in ((forked, "forked", "True"), (fresh, "fresh", "False")):
        assert "created: 2/2 workers" in done.stdout and "1 failed, 1 passed" in done.stdout.splitlines()[-1]
        assert "AssertionError: fails on purpose" in done.stdout and "assert 2 != 2" in done.stdout
        seen = worker_facts(done)
        assert len(seen) == 2, done.stdout + done.stderr
        assert {fact["cwd"] for fact in seen} == {str(tmp_path)} and {fact["marker"] for fact in seen} == {marker}
        assert {fact["torch"] for fact in seen} == {torch}
        assert all(fact["pid"] != str(os.getpid()) for fact in seen)


def test_a_forked_run_killed_at_its_timeout_takes_its_xdist_workers_with_it(tmp_path: Path) -> None:
    """The workers are the zygote's children, not the run's: they end when the run is killed all the same."""
    (tmp_path / "test_hang.py").write_text("import os, time\nimport pytest\n\n@pytest.mark.parametrize('n', [1, 2])\n"
                                            "def test_hang(n):\n    open(f'pid{n}', 'w').write(str(os.getpid()))\n"
                                            "    time.sleep(600)\n")
    with pytest.raises(subprocess.TimeoutExpired):
        pytest_run("-n", "2", "-q", cwd=tmp_path, timeout=5)  # forked, a worker starts its test in about 1 s
    procs = [Path(f"/proc/{int(path.read_text())}") for path in tmp_path.glob("pid*")]
    assert procs  # at least one worker had started its test
    deadline = time.monotonic() + 5
    while any(proc.exists() for proc in procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(proc.exists() for proc in procs)


def test_a_run_whose_test_process_has_gone_is_killed(tmp_path: Path) -> None:
    """A test process killed mid-run (a nested self-test's, at its timeout) leaves no run behind: its connection to
    the zygote closes with it, and the zygote kills that run's session."""
    import json
    import socket

    from suite.selftest.runs import zygote

    (tmp_path / "test_hang.py").write_text("import os, time\n\ndef test_hang():\n"
                                            "    open('pid', 'w').write(str(os.getpid()))\n    time.sleep(600)\n")
    request = {"args": ["-q", "-p", "no:cacheprovider"], "cwd": str(tmp_path), "env": run_environment(),
               "stdout": str(tmp_path / "out"), "stderr": str(tmp_path / "err")}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:  # the test process's end, as a killed one has it
        conn.connect(zygote().address)
        conn.sendall(json.dumps(request).encode() + b"\n")
        assert conn.makefile("r").readline().startswith("pid ")
        deadline = time.monotonic() + 60
        while not (tmp_path / "pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc = Path(f"/proc/{int((tmp_path / 'pid').read_text())}")
        assert proc.exists()
    deadline = time.monotonic() + 5
    while proc.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not proc.exists()


def test_the_current_runs_variables_are_not_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """PYTEST_CURRENT_TEST, PYTEST_VERSION and pytest-xdist's variables stay behind; the rest and ``extra`` go."""
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "abc")
    monkeypatch.setenv("KEEP_ME", "1")
    env = run_environment({"ADDED": "2"})
    assert "PYTEST_XDIST_TESTRUNUID" not in env and "PYTEST_CURRENT_TEST" not in env and "PYTEST_VERSION" not in env
    assert env["KEEP_ME"] == "1" and env["ADDED"] == "2"


#: A project of its own: starts the suite's worker server, runs one worker from it, and says what the server is.
SERVER_TESTS = '''
import os
from multiprocessing import forkserver
from impls.registry import parse_spec
from suite.backends import Limits, WorkerBackend, rss_bytes, warm_up_workers

def test_reports_a_torch_free_backends_worker():
    backend = WorkerBackend(parse_spec(os.path.join(os.path.dirname(__file__), "free", "mytorch.py")), Limits(seconds=60))
    backend.load()
    try:
        maps = open(f"/proc/{backend.pid}/maps").read()
        print("torch-free-worker", "with-torch" if "libtorch" in maps else "without-torch",
              "MiB", rss_bytes(backend.pid) // 2**20)
    finally:
        backend.close()

def test_reports_its_worker_server():
    warm_up_workers()
    pid = forkserver._forkserver._forkserver_pid
    command = open(f"/proc/{pid}/cmdline", "rb").read()
    print("server", "fresh" if b"multiprocessing.forkserver import main" in command else "forked",
          "parent-is-run", os.getppid() != pid and open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]
          == str(os.getpid()))

def test_a_run_that_forbids_torch_gets_a_server_without_it():
    warm_up_workers(("torch",))  # as a grading run does
    pid = forkserver._forkserver._forkserver_pid
    command = open(f"/proc/{pid}/cmdline", "rb").read()
    assert b"multiprocessing.forkserver import main" in command and b"'torch'" not in command
'''


def test_a_forked_runs_worker_server_is_forked_from_the_zygote_too(tmp_path: Path) -> None:
    """A forked run finds its worker server already running, a child of its own forked with torch imported; a new
    interpreter's run starts one without torch for a torch-free backend, then one that imports it when asked. Either
    serves workers, and a run that then forbids torch (as grading does) gets a new server without it."""
    (tmp_path / "test_server.py").write_text(SERVER_TESTS)
    (tmp_path / "free").mkdir()
    (tmp_path / "free" / "mytorch.py").write_text('"""Like torch.tensor, on numpy."""\nimport numpy\ntensor = numpy.asarray\n')
    forked = pytest_run("-s", "-q", cwd=tmp_path)
    fresh = pytest_run("-s", "-q", cwd=tmp_path, fresh=True)
    assert "server forked parent-is-run True" in forked.stdout, forked.stdout + forked.stderr
    assert "server fresh parent-is-run True" in fresh.stdout, fresh.stdout + fresh.stderr
    # As a user's run has it, the torch-free backend's worker holds no torch (suite.preload); the forked run's
    # server, forked with torch, is kept for it (a server holding more than a run needs is not restarted).
    free = fresh.stdout.split("torch-free-worker ")[1].split()
    assert free[0] == "without-torch" and int(free[2]) < 120, fresh.stdout
    assert "torch-free-worker with-torch" in forked.stdout, forked.stdout
    assert forked.returncode == fresh.returncode == 0
