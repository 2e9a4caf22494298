"""Real pytest runs for the self-tests, each a new process, forked from one that imported torch once.

A self-test of the plugin runs pytest as a user would: a new process with its
own folder, environment and arguments, its output and exit status read back.
Starting an interpreter and importing torch, pandas and matplotlib is about 4 s
of the 6 s such a run takes on 2 cores, and the self-tests make dozens of them,
so they are forked from a *zygote* (suite/selftest/zygote.py), started once per
test process, that has imported those libraries and nothing else. Each run is
still its own process and session: its patches, hypothesis profile, worker
servers and exit handlers are its own. What it shares with its siblings is
what an interpreter fixes at start-up: the hash seed and the ``PYTHON*``
start-up variables. A run that spreads its tests over pytest-xdist workers
gets them forked from the zygote too (suite/selftest/forked_python.py). A test
that needs an interpreter that has imported nothing passes ``fresh=True`` and
gets a plain subprocess, whose xdist workers are new interpreters too.

Variables pytest and pytest-xdist set for the run under way
(``PYTEST_XDIST_WORKER`` and the like) are not passed on: a run started from
inside an xdist worker is not itself one (pytest-benchmark would disable
itself, reading that variable).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Mapping

from suite import PROJECT_ROOT

ZYGOTE_SOURCE = Path(__file__).with_name("zygote.py")
#: What a forked run starts for each of its pytest-xdist workers: it has the zygote fork the worker.
FORKED_PYTHON = Path(__file__).with_name("forked_python.py")
#: Set by the pytest run under way for itself; a run it starts must not inherit them.
RUN_VARIABLES = ("PYTEST_CURRENT_TEST", "PYTEST_VERSION")
RUN_VARIABLE_PREFIXES = ("PYTEST_XDIST_",)


def run_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the current pytest run's own variables, with ``extra`` on top."""
    env = {key: value for key, value in os.environ.items()
           if key not in RUN_VARIABLES and not key.startswith(RUN_VARIABLE_PREFIXES)}
    env.update(extra or {})
    return env


class Zygote:
    """A started zygote process and the socket it listens on."""

    def __init__(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="selftest-zygote-")
        self.address = os.path.join(self._folder, "socket")
        self.process = subprocess.Popen([sys.executable, "-c", ZYGOTE_SOURCE.read_text(), self.address,
                                         str(FORKED_PYTHON)],
                                        cwd=PROJECT_ROOT, env=run_environment(), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.process.kill()
            raise RuntimeError(f"the self-tests' zygote did not start (status {self.process.wait()})")

    def run(self, args: list[str], cwd: Path, env: Mapping[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run ``python -m pytest ARGS`` as a forked child: its status and output, as ``subprocess.run`` gives them."""
        with tempfile.TemporaryDirectory(prefix="selftest-run-") as folder:
            out, err = os.path.join(folder, "stdout"), os.path.join(folder, "stderr")
            request = {"args": args, "cwd": str(cwd), "env": dict(env), "stdout": out, "stderr": err}
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.connect(self.address)
                conn.sendall(json.dumps(request).encode() + b"\n")
                reader = conn.makefile("r")
                pid = int(reader.readline().split()[1])
                conn.settimeout(timeout)
                try:
                    line = reader.readline()
                except TimeoutError:
                    os.killpg(pid, signal.SIGKILL)
                    raise subprocess.TimeoutExpired(["pytest", *args], timeout) from None
                finally:
                    conn.settimeout(None)
            status = int(line.split()[1]) if line.startswith("exit ") else -signal.SIGKILL  # the zygote ended it
            stdout = Path(out).read_text(errors="replace") if os.path.exists(out) else ""
            stderr = Path(err).read_text(errors="replace") if os.path.exists(err) else ""
        return subprocess.CompletedProcess([sys.executable, "-m", "pytest", *args], status, stdout, stderr)

    def close(self) -> None:
        """Stop the zygote (its children are their own sessions and end on their own); again is a no-op."""
        self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        if os.path.exists(self.address):
            os.unlink(self.address)
        if os.path.isdir(self._folder):
            os.rmdir(self._folder)


_started: dict[int, Zygote] = {}
_lock = threading.Lock()


def zygote() -> Zygote:
    """This process's zygote, started on first use (and again if something killed it), stopped when the process exits.

    Some self-tests kill every descendant of the test process on purpose
    (grading's clean-up); the zygote is one of them.
    """
    with _lock:
        running = _started.get(os.getpid())
        if running is None or running.process.poll() is not None:
            if running is not None:
                running.close()
            running = _started[os.getpid()] = Zygote()
            atexit.register(running.close)
        return running


def pytest_run(*args: str, cwd: Path = PROJECT_ROOT, env: Mapping[str, str] | None = None, timeout: float = 300,
               fresh: bool = False) -> subprocess.CompletedProcess[str]:
    """``python -m pytest -p no:cacheprovider ARGS`` in a new process at ``cwd``, as a user would run it.

    ``env`` adds to this process's environment; ``fresh`` starts a new
    interpreter instead of forking one that has imported torch.
    """
    command = ["-p", "no:cacheprovider", *args]
    environment = run_environment(env)
    if fresh:
        return subprocess.run([sys.executable, "-m", "pytest", *command], cwd=cwd, env=environment,
                              capture_output=True, text=True, timeout=timeout)
    try:
        return zygote().run(command, cwd, environment, timeout)
    except (ConnectionRefusedError, FileNotFoundError):  # killed since it was last seen alive: start another
        return zygote().run(command, cwd, environment, timeout)
