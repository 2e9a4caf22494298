"""A run exempts what lives to its end from the garbage collector's walks (suite/heap.py, called by suite/plugin.py)."""

from __future__ import annotations

import gc
import textwrap
from pathlib import Path

from suite.heap import freeze_survivors
from suite.selftest.runs import pytest_run

#: Made when the run loads its conftest (before the plugin's configure) and when it collects the test module.
CONFTEST = '''
import gc

SURVIVOR = ["made before the run was configured"]
EXEMPT_AT_START = []


def pytest_sessionstart(session):
    EXEMPT_AT_START.append(not any(o is SURVIVOR for o in gc.get_objects()))
'''
TESTS = '''
import gc

import conftest

COLLECTED = ["made while the tests were collected"]


def tracked(thing):
    return any(o is thing for o in gc.get_objects())


def test_what_lived_before_the_tests_is_exempt():
    assert conftest.EXEMPT_AT_START == [True], "not frozen when configured"
    assert not tracked(conftest.SURVIVOR) and not tracked(COLLECTED), "not frozen after collection"


def test_what_a_test_makes_is_still_collected():
    made = ["made by this test"]
    assert tracked(made)
'''


def test_a_suite_run_freezes_its_survivors_and_collects_what_tests_make(tmp_path: Path) -> None:
    """In a real run: objects from before configure (then) and from collection (after it) are frozen; a test's are not."""
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_survivors.py").write_text(textwrap.dedent(TESTS))
    done = pytest_run("-q", "-p", "no:cacheprovider", "--device", "cpu", "test_survivors.py",
                      "--report-dir", str(tmp_path / "r"), cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout


def test_freeze_survivors_exempts_what_is_alive() -> None:
    """What is alive when it is called leaves gc.get_objects() and is counted in the permanent generation."""
    survivor = ["alive when frozen"]
    before = gc.get_freeze_count()
    freeze_survivors()  # the rest of this process keeps them frozen, as a run does
    assert gc.get_freeze_count() > before
    assert not any(o is survivor for o in gc.get_objects())
