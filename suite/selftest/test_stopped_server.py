"""A submission that stops the worker server (SIGSTOP to its worker's parent) cannot hang the grader's next test."""

from __future__ import annotations

import os
import signal
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from impls.registry import parse_spec
from suite import backends
from suite.backends import Limits, WorkerBackend
from suite.outcomes import BackendError
from suite.probes import selfcheck

#: A backend whose first tensor() (a marker file records it) stops the worker server, then exits.
STOPPER = '''
import os, signal
import numpy as np

def tensor(data):
    if not os.path.exists({marker!r}):
        open({marker!r}, "w").close()
        os.kill(os.getppid(), signal.SIGSTOP)  # the worker's parent is the worker server
        os._exit(3)
    return np.asarray(data)
'''


def _stopper(tmp_path: Path) -> WorkerBackend:
    """A loaded backend that stops its worker server on its first call."""
    path = tmp_path / "mytorch.py"
    path.write_text(textwrap.dedent(STOPPER).format(marker=str(tmp_path / "stopped-once")))
    # torch forbidden, as a grading run may: each fresh server then preloads numpy only, in a fraction of a second
    backend = WorkerBackend(parse_spec(str(path)), Limits(seconds=2), ("cpu",), forbidden=("torch",))
    backend.load()
    backend.begin_test(backend.limits)
    return backend


def _next_test(backend: WorkerBackend) -> float:
    """Begin a new test on ``backend``, call it once, and return how long the call took (it must answer)."""
    backend.end_test()
    backend.begin_test(Limits(seconds=60))  # a fresh server imports its preload first: time the next test pays
    began = time.monotonic()
    np.testing.assert_array_equal(backend.call(selfcheck.make_tensor, "cpu", {}), [1.0, 2.0])
    return time.monotonic() - began


def test_a_stopped_server_is_replaced_before_the_next_worker_starts(tmp_path: Path) -> None:
    """The stopping test ends at its limit; the next test gets a worker from a fresh server, in seconds.

    (With its server stopped, the worker's exit status never arrives: the server is who reports it.)
    """
    backend = _stopper(tmp_path)
    try:
        began = time.monotonic()
        with pytest.raises(BackendError, match="^(timeout|exit)"):
            backend.call(selfcheck.make_tensor, "cpu", {})
        assert time.monotonic() - began < 6  # its 2 s limit, not 5 s more waiting for an exit status that never comes
        stopped = backends._server_pid()
        assert stopped and backends._stopped(stopped)
        assert _next_test(backend) < 30
        assert backends._server_pid() != stopped
    finally:
        backend.close()


def test_a_server_that_does_not_answer_is_killed_at_the_tests_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even unseen as stopped, a server that never answers costs the test its limit, not the run forever."""
    backend = _stopper(tmp_path)
    monkeypatch.setattr(backends, "_stopped", lambda pid: False)  # as if it stopped just after being looked at
    monkeypatch.setattr(backends, "EXIT_STATUS_SECONDS", 1.0)  # the exit status it never sends: waited for 1 s, not 5
    try:
        with pytest.raises(BackendError, match="^(timeout|exit)"):
            backend.call(selfcheck.make_tensor, "cpu", {})
        backend.end_test()
        backend.begin_test(Limits(seconds=2))
        began = time.monotonic()
        with pytest.raises(BackendError, match="timeout: the worker server did not start a worker within"):
            backend.call(selfcheck.make_tensor, "cpu", {})
        assert time.monotonic() - began < 10
        monkeypatch.undo()
        assert _next_test(backend) < 30
    finally:
        backend.close()
        pid = backends._server_pid()
        if pid and backends._stopped(pid):
            os.kill(pid, signal.SIGKILL)
