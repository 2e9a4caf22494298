"""A grading run's per-test limit is CPU time, so a busy machine does not change a grade; a wall clock backs it up.

Contention is made certain, not hoped for: the worker and two busy processes
started by the test share one core (``sched_setaffinity``), so the worker
gets about a third of it whatever the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from impls.registry import parse_spec
from suite.backends import Limits, WorkerBackend, cpu_seconds
from suite.outcomes import BackendError
from suite.probes import selfcheck

#: A torch-like file whose ``tensor`` first runs BODY.
TEMPLATE = '''
import os, subprocess, sys, time
import numpy as np

def tensor(data):
    {body}
    return np.asarray(data)
'''
#: Busy for SECONDS of this process's own CPU time, however long that takes by the wall clock.
BURN = "end = time.process_time() + {seconds}\n    while time.process_time() < end: pass"

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs Linux's sched_setaffinity")


def _backend(tmp_path: Path, body: str, limits: Limits) -> WorkerBackend:
    """A started worker-held backend whose ``tensor()`` runs ``body``, its test begun under ``limits``."""
    path = tmp_path / "mytorch.py"
    path.write_text(textwrap.dedent(TEMPLATE).format(body=body))
    backend = WorkerBackend(parse_spec(str(path)), limits, ("cpu",))
    backend.load()
    backend.begin_test(limits)
    return backend


@pytest.fixture
def one_core() -> int:
    """The core the contended tests share (the first this process may use)."""
    return min(os.sched_getaffinity(0))


@pytest.fixture
def busy(one_core: int) -> Iterator[list[subprocess.Popen]]:
    """Two processes spinning on ``one_core`` for the length of the test."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    for spinner in spinners:
        os.sched_setaffinity(spinner.pid, {one_core})
    yield spinners
    for spinner in spinners:
        spinner.kill()
        spinner.wait()


def _timed_call(backend: WorkerBackend, core: int | None = None) -> float:
    """Run the tensor probe (on ``core`` only, if given) and return its wall-clock seconds; raises what the call raises."""
    if core is not None:
        os.sched_setaffinity(backend.pid or 0, {core})
    began = time.monotonic()
    np.testing.assert_array_equal(backend.call(selfcheck.make_tensor, "cpu", {}), [1.0, 2.0])
    return time.monotonic() - began


def test_cpu_seconds_counts_this_process() -> None:
    """The reading from /proc grows with work done."""
    before = cpu_seconds(os.getpid())
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    assert cpu_seconds(os.getpid()) - before >= 0.25


def test_a_test_needing_three_quarters_of_its_cpu_time_passes_idle_and_beside_busy_processes(
        tmp_path: Path, one_core: int, busy: list[subprocess.Popen]) -> None:
    """1.5 s of CPU under a 2 s limit passes with the core shared three ways, where a 2 s wall-clock limit fails it."""
    limits = Limits(seconds=2.0, clock="cpu", backstop=4.0)
    backend = _backend(tmp_path, BURN.format(seconds=1.5), limits)
    try:
        contended = _timed_call(backend, one_core)
        assert contended > 2.0, f"the core was not shared: {contended:.1f} s"  # a wall-clock limit would have failed it
    finally:
        backend.close()
    wall = _backend(tmp_path, BURN.format(seconds=1.5), Limits(seconds=2.0))
    try:
        # Slow, not stuck: the message says the backend was computing, and where
        with pytest.raises(BackendError, match=r"timeout: the test ran past its 2 s limit while running make_tensor, at "
                           r"mytorch.py:\d+ in tensor \(`while time.process_time\(\) < end: pass`\); it was computing"):
            _timed_call(wall, one_core)
    finally:
        wall.close()


def test_a_test_needing_three_quarters_of_its_cpu_time_passes_on_an_idle_core(tmp_path: Path) -> None:
    """The same test without the busy processes passes the same way."""
    backend = _backend(tmp_path, BURN.format(seconds=1.5), Limits(seconds=2.0, clock="cpu", backstop=4.0))
    try:
        assert _timed_call(backend) < 8.0
    finally:
        backend.close()


# A burner's backstop is 4 s: on a loaded machine (the plain run's other worker and its runs beside it) a busy loop
# can get half a core or less, and with a 2 s backstop it met that first, having used only 1.0 s of CPU time.
@pytest.mark.parametrize(("body", "backstop", "message"), [
    (BURN.format(seconds=5), 4.0, r"timeout: the test used 1\.\d s of CPU time, past its 1 s limit, while running make_tensor"
                                  r", at mytorch.py:\d+ in tensor \(`while time.process_time\(\) < end: pass`\)$"),
    ("subprocess.run([sys.executable, '-c', 'import time\\nend = time.process_time() + 5\\n"
     "while time.process_time() < end: pass'])", 4.0, r"timeout: the test used 1\.\d s of CPU time, past its 1 s limit, "
                                                      r"while running make_tensor, at mytorch.py:\d+ in tensor \(`subprocess"),
    ("time.sleep(60)", 2.0, r"timeout: the test ran past its 2 s wall-clock backstop while running make_tensor, at "
                            r"mytorch.py:\d+ in tensor \(`time.sleep\(60\)`\), having used 0\.\d s of its 1 s of CPU time "
                            r"\(waiting, not computing"),
    (BURN.format(seconds=0.5) + "\n    time.sleep(60)", 4.0, r"timeout: the test ran past its 4 s wall-clock backstop while "
     r"running make_tensor, at mytorch.py:\d+ in tensor \(`time.sleep\(60\)`\), having used 0\.\d s of its 1 s of CPU "
     r"time \(waiting for most of it"),
], ids=["own-cpu", "a-child-process", "sleeps", "computes-then-sleeps"])
def test_past_its_cpu_time_or_the_backstop_a_test_stops_with_the_cause(tmp_path: Path, body: str, backstop: float,
                                                                       message: str) -> None:
    """CPU time counts the backend's live children; a backend that only waits meets the wall-clock backstop."""
    backend = _backend(tmp_path, body, Limits(seconds=1.0, clock="cpu", backstop=backstop))
    began = time.monotonic()
    try:
        with pytest.raises(BackendError, match=message):
            backend.call(selfcheck.make_tensor, "cpu", {})
        assert time.monotonic() - began < backstop + 2.0
    finally:
        backend.close()
