"""Which runs spread their tests over the cores, with pytest-xdist: the project's plain run and a built-in backend's.

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

A backend's whole suite, ``pytest --backend torch`` (any ``--backend``
options, each a built-in backend loaded in the test process), in this
project or from any other folder (naming a backend asks for the suite),
gets ``-n <cores, at most 4> --dist worksteal``: its tests share no fixture,
every worker loads the backend itself, and a worker that runs out of tests
takes some of the other's, which evens out the few long ones (a DataLoader
epoch with workers, 1.5 s, beside tests of milliseconds): 9.0-9.4 s against
9.8-10.5 s for ``--dist load``, alternating four times here. Only built-ins:
a backend in a worker process already runs its calls on another core, and
one that does not load must stop the run with one line (a built-in that is
importable here loads). A selection (``-m``, ``-k``) runs as typed: its few
tests would wait on the workers' start.

Everything else runs as typed: a test path, a ``--device`` other than cpu or
cuda (a name no backend knows must stop the run in one line), ``-n 0`` (one process),
``-p no:xdist``, ``-s`` (pytest-xdist shows no output of a test), a timed
benchmark run (timings are taken serially), ``--collect-only``, ``--pdb``,
``--stepwise``, grading, a contract check, a backend of the user's own, another
project's plain run with the plugin installed.
"""

from __future__ import annotations

import argparse
import importlib.util
from dataclasses import dataclass
import os
import shlex

import pytest

from impls import registry
from suite.activation import INI_NAME, TIMING_OPTIONS
from suite.session import DEVICES

#: The suite's options that make a run of their own (a backend's verdict, a grade, a contract): left as typed.
OWN_RUNS = ("--backend", "--grade", "--contract")
#: The most workers a backend's run is spread over: each loads the backend, and ~300 tests gain little past that.
BACKEND_RUN_WORKERS = 4


@dataclass(frozen=True)
class Spread:
    """How a run is spread over the cores: pytest-xdist's workers and schedule, and which kind of run it is."""

    workers: int
    dist: str  # pytest-xdist's --dist: loadfile (the plain run) or worksteal (a backend's suite)
    run: str  # for the header: "this project's plain run", "a built-in backend's whole suite"

    def arguments(self) -> list[str]:
        """The arguments put in front of the run's own."""
        return ["-n", str(self.workers), "--dist", self.dist]


#: The spread added here, for the header.
WORKERS_ADDED = pytest.StashKey[Spread]()
#: Options that make a run that pytest-xdist would change (no output shown, a debugger, a resumed series).
AS_TYPED = ("collectonly", "help", "version", "usepdb", "trace", "markers", "showfixtures", "show_fixtures_per_test",
            "stepwise", "stepwise_skip")


def added_arguments(config: pytest.Config, namespace: argparse.Namespace) -> list[str]:
    """The pytest-xdist arguments to put in front of this run's own, or none (see the module's docstring)."""
    spread = plan(config, namespace)
    return spread.arguments() if spread else []


def plan(config: pytest.Config, namespace: argparse.Namespace) -> Spread | None:
    """How this run is spread over the cores, or None where it runs as typed (see the module's docstring)."""
    cores = os.cpu_count() or 1
    if cores < 2 or "PYTEST_XDIST_WORKER" in os.environ or not config.pluginmanager.hasplugin("xdist"):
        return None
    if getattr(namespace, "file_or_dir", None) or getattr(namespace, "numprocesses", None) is not None:
        return None
    if getattr(namespace, "dist", "no") != "no" or getattr(namespace, "tx", None):
        return None
    if any(getattr(namespace, name, False) for name in AS_TYPED + TIMING_OPTIONS) or getattr(namespace, "capture", "") == "no":
        return None
    if any(str(device).split(":")[0] not in DEVICES for device in getattr(namespace, "device", None) or []):
        return None  # a device name no backend may know must stop the run with one line, which only one process can say
    words = [*map(str, config.invocation_params.args), *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
    named = {word.split("=", 1)[0] for word in words} & set(OWN_RUNS)
    if not named:
        return Spread(cores, "loadfile", "this project's plain run") if projects_ini(config) else None
    if named == {"--backend"} and builtin_suite_run(namespace):
        return Spread(min(cores, BACKEND_RUN_WORKERS), "worksteal", "a built-in backend's whole suite")
    return None


def projects_ini(config: pytest.Config) -> bool:
    """True where the ini file says ``torch_conformance = true``: this project, not another that has the plugin installed."""
    try:
        return bool(config.getini(INI_NAME))
    except ValueError:
        return False


def builtin_suite_run(namespace: argparse.Namespace) -> bool:
    """True for a backend's whole suite with only built-in, importable backends kept in this process."""
    specs = getattr(namespace, "backend", None) or []
    if not specs or getattr(namespace, "markexpr", "") or getattr(namespace, "keyword", ""):
        return False
    if getattr(namespace, "isolate", "auto") == "always":
        return False
    try:
        parsed = [registry.parse_spec(text) for text in specs]
    except registry.BackendSpecError:
        return False  # the run's configure says what is wrong with it, in one line
    return all(spec.builtin and importlib.util.find_spec(registry.BUILTINS[spec.target].partition(":")[0]) is not None
               for spec in parsed)


def header(config: pytest.Config) -> list[str]:
    """The header's line saying the run was spread over the cores, and how to run it in one process."""
    spread = config.stash.get(WORKERS_ADDED, None)
    if spread is None:
        return []
    return [f"tests spread over {spread.workers} pytest-xdist workers ({spread.run}; -n 0 runs them in one process)"]
