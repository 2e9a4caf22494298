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
from suite.backends import warm_up_workers

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
    interpreter's run starts one that imports it again. Either serves workers, and a run that then forbids torch
    (as grading does) gets a new server without it."""
    (tmp_path / "test_server.py").write_text(SERVER_TESTS)
    forked = pytest_run("-s", "-q", cwd=tmp_path)
    fresh = pytest_run("-s", "-q", cwd=tmp_path, fresh=True)
    assert "server forked parent-is-run True" in forked.stdout, forked.stdout + forked.stderr
    assert "server fresh parent-is-run True" in fresh.stdout, fresh.stdout + fresh.stderr
    assert forked.returncode == fresh.returncode == 0
