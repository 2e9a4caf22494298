"""This project's own plain ``pytest`` spreads its tests over the cores, with pytest-xdist.

The README's test command runs the whole project: the reference's checks, the
conformance suite on every built-in backend, the benchmark bodies and the
self-tests, most of whose time is spent waiting on pytest runs of their own.
In one process that takes minutes; over the cores, much less. So a run that
reads ``torch_conformance = true`` from its ini file (this project's
pyproject.toml), names no test path and no backend (``--backend``,
``--grade``, ``--contract``), and says nothing of pytest-xdist itself, gets
``-n <cores> --dist loadfile`` added to its arguments before they are parsed
(the hook pytest documents for this), and the header says so. ``loadfile``
keeps each test module on one worker: most self-test modules share an
expensive fixture among their tests (a pytest run of the suite, a class
batch, the mutant families), made once per worker that needs it. (Measured
against ``loadgroup`` with the conformance tests spread one by one, loadfile
was faster: 246 s against 360 s, the serial run 390 s; see the README.)

Everything else runs as typed: ``pytest --backend X``, a test path, ``-n 0``
(one process), ``-p no:xdist``, a timed benchmark run (timings are taken
serially), ``--collect-only``, ``--pdb``, an installed plugin in another
project.
"""

from __future__ import annotations

import argparse
import os
import shlex

import pytest

from suite.activation import INI_NAME, TIMING_OPTIONS

#: The suite's options that make a run of their own (a backend's verdict, a grade, a contract): left as typed.
OWN_RUNS = ("--backend", "--grade", "--contract")
#: The number of workers added here, for the header.
WORKERS_ADDED = pytest.StashKey[str]()


def added_arguments(config: pytest.Config, namespace: argparse.Namespace) -> list[str]:
    """The pytest-xdist arguments to put in front of this run's own, or none (see the module's docstring)."""
    cores = os.cpu_count() or 1
    if cores < 2 or "PYTEST_XDIST_WORKER" in os.environ or not config.pluginmanager.hasplugin("xdist"):
        return []
    try:
        if not config.getini(INI_NAME):
            return []
    except ValueError:
        return []
    words = [*map(str, config.invocation_params.args), *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
    if any(word.split("=", 1)[0] in OWN_RUNS for word in words):
        return []
    if getattr(namespace, "file_or_dir", None) or getattr(namespace, "numprocesses", None) is not None:
        return []
    if getattr(namespace, "dist", "no") != "no" or getattr(namespace, "tx", None):
        return []
    quiet_runs = ("collectonly", "help", "version", "usepdb", "markers", "showfixtures", "show_fixtures_per_test")
    if any(getattr(namespace, name, False) for name in quiet_runs + TIMING_OPTIONS):
        return []
    return ["-n", str(cores), "--dist", "loadfile"]


def header(config: pytest.Config) -> list[str]:
    """The header's line saying the run was spread over the cores, and how to run it in one process."""
    workers = config.stash.get(WORKERS_ADDED, None)
    if not workers:
        return []
    return [f"tests spread over {workers} pytest-xdist workers (this project's plain run; -n 0 runs them in one process)"]
