"""When a run is spread over the cores (suite/parallel.py): this project's plain ``pytest``, and nothing else."""

from __future__ import annotations

import argparse
import os
from types import SimpleNamespace

import pytest

from suite.parallel import added_arguments


def config(args: tuple[str, ...] = (), ini: bool = True, xdist: bool = True) -> SimpleNamespace:
    """A stand-in for pytest's early config: the command line typed, the ini setting, whether xdist is loaded."""
    def getini(name: str) -> bool:
        assert name == "torch_conformance"
        return ini

    return SimpleNamespace(invocation_params=SimpleNamespace(args=args), getini=getini,
                           pluginmanager=SimpleNamespace(hasplugin=lambda name: xdist and name == "xdist"))


def namespace(**options: object) -> argparse.Namespace:
    """Parsed options as pytest's early parse leaves them, with ``options`` set."""
    defaults = {"file_or_dir": [], "numprocesses": None, "dist": "no", "tx": [], "collectonly": False, "help": False,
                "version": False, "usepdb": False, "markers": False, "showfixtures": False,
                "show_fixtures_per_test": False, "benchmark_only": False, "benchmark_json": None}
    return argparse.Namespace(**(defaults | options))


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on the machine the project targets, outside any xdist worker."""
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)


def test_the_projects_plain_run_gets_a_worker_per_core() -> None:
    """``pytest`` (or with -k / -m) where the ini says torch_conformance: -n <cores> --dist loadfile."""
    assert added_arguments(config(), namespace()) == ["-n", "2", "--dist", "loadfile"]
    assert added_arguments(config(("-m", "views", "-q")), namespace()) == ["-n", "2", "--dist", "loadfile"]
    assert added_arguments(config(("--report-dir", "r", "--device=cpu")), namespace()) == ["-n", "2", "--dist", "loadfile"]


@pytest.mark.parametrize("case, args, options", [
    ("a test path", ("suite/selftest/test_codec.py",), {"file_or_dir": ["suite/selftest/test_codec.py"]}),
    ("-n given", ("-n", "0"), {"numprocesses": 0}),
    ("--dist given", ("--dist", "load"), {"dist": "load"}),
    ("a backend", ("--backend", "torch"), {}),
    ("grading", ("--grade",), {}),
    ("--contract", ("--contract", "--backend=numpy"), {}),
    ("collect only", ("--collect-only",), {"collectonly": True}),
    ("help", ("--help",), {"help": True}),
    ("pdb", ("--pdb",), {"usepdb": True}),
    ("a timed benchmark run", ("--benchmark-only",), {"benchmark_only": True}),
    ("benchmark json", ("--benchmark-json=x.json",), {"benchmark_json": "x.json"}),
])
def test_any_other_run_is_left_as_typed(case: str, args: tuple[str, ...], options: dict) -> None:
    """A test path, pytest-xdist's own options, the suite's options, collect-only, help, pdb, timings: nothing added."""
    assert added_arguments(config(args), namespace(**options)) == [], case


def test_elsewhere_without_xdist_on_one_core_or_inside_a_worker_nothing_is_added(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another project's run, ``-p no:xdist``, a one-core machine, an xdist worker's own start: nothing added."""
    assert added_arguments(config(ini=False), namespace()) == []
    assert added_arguments(config(xdist=False), namespace()) == []
    monkeypatch.setenv("PYTEST_ADDOPTS", "--backend numpy")
    assert added_arguments(config(), namespace()) == []
    monkeypatch.delenv("PYTEST_ADDOPTS")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert added_arguments(config(), namespace()) == []
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert added_arguments(config(), namespace()) == []


def test_a_plain_run_at_the_root_says_it_is_spread_over_the_workers() -> None:
    """A real ``pytest -k ...`` at the project's root starts a worker per core and the header says how to run serially."""
    from suite.selftest.runs import pytest_run

    done = pytest_run("-k", "test_a1_printed_value_and_gradient")
    cores = os.cpu_count() or 1
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    if cores > 1:
        assert f"tests spread over {cores} pytest-xdist workers" in done.stdout and f"created: {cores}/{cores} workers" in done.stdout
    assert "1 passed" in done.stdout.splitlines()[-1]
