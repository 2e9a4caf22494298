"""When a run is spread over the cores (suite/parallel.py): this project's plain ``pytest`` and a built-in backend's whole suite."""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
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
                "show_fixtures_per_test": False, "benchmark_only": False, "benchmark_json": None, "trace": False,
                "stepwise": False, "stepwise_skip": False, "capture": "fd", "backend": [], "isolate": "auto",
                "markexpr": "", "keyword": ""}
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
    assert added_arguments(config(("--report-dir", "r", "--device=cpu")), namespace(device=["cpu"])) == [
        "-n", "2", "--dist", "loadfile"]
    assert added_arguments(config(("--device", "cuda:1")), namespace(device=["cuda:1"])) == ["-n", "2", "--dist", "loadfile"]


def test_a_built_in_backends_whole_suite_gets_a_worker_per_core_up_to_four(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pytest --backend torch`` (or numpy, or both, kept in this process): -n <cores, at most 4> --dist worksteal."""
    assert added_arguments(config(("--backend", "torch")), namespace(backend=["torch"])) == ["-n", "2", "--dist", "worksteal"]
    both = config(("--backend=numpy", "--backend", "torch", "--isolate", "never"))
    assert added_arguments(both, namespace(backend=["numpy", "torch"], isolate="never")) == ["-n", "2", "--dist", "worksteal"]
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert added_arguments(config(("--backend", "numpy")), namespace(backend=["numpy"])) == ["-n", "4", "--dist", "worksteal"]
    assert added_arguments(config(), namespace()) == ["-n", "16", "--dist", "loadfile"]  # the plain run: every core


@pytest.mark.parametrize("case, args, options", [
    ("a test path", ("suite/selftest/test_codec.py",), {"file_or_dir": ["suite/selftest/test_codec.py"]}),
    ("-n given", ("-n", "0"), {"numprocesses": 0}),
    ("--dist given", ("--dist", "load"), {"dist": "load"}),
    ("grading", ("--grade",), {}),
    ("--contract", ("--contract", "--backend=numpy"), {"backend": ["numpy"]}),
    ("collect only", ("--collect-only",), {"collectonly": True}),
    ("help", ("--help",), {"help": True}),
    ("pdb", ("--pdb",), {"usepdb": True}),
    ("trace", ("--trace",), {"trace": True}),
    ("stepwise", ("--sw",), {"stepwise": True}),
    ("no capture", ("-s",), {"capture": "no"}),
    ("a timed benchmark run", ("--benchmark-only",), {"benchmark_only": True}),
    ("benchmark json", ("--benchmark-json=x.json",), {"benchmark_json": "x.json"}),
    ("a backend's test path", ("--backend", "torch", "suite/conformance"),
     {"backend": ["torch"], "file_or_dir": ["suite/conformance"]}),
    ("a backend's -m selection", ("--backend", "torch", "-m", "views"), {"backend": ["torch"], "markexpr": "views"}),
    ("a backend's -k selection", ("--backend", "torch", "-k", "squeeze"), {"backend": ["torch"], "keyword": "squeeze"}),
    ("a built-in in a worker", ("--backend", "torch", "--isolate", "always"), {"backend": ["torch"], "isolate": "always"}),
    ("a backend file", ("--backend", "mytorch.py"), {"backend": ["mytorch.py"]}),
    ("a file beside a built-in", ("--backend", "torch", "--backend", "mytorch.py"), {"backend": ["torch", "mytorch.py"]}),
    ("a module", ("--backend", "no.such.module"), {"backend": ["no.such.module"]}),
    ("a bad spec", ("--backend", "=",), {"backend": ["="]}),
    ("another device", ("--backend", "torch", "--device", "mps"), {"backend": ["torch"], "device": ["mps"]}),
    ("a mistyped device", ("--device", "cpux"), {"device": ["cpux"]}),
])
def test_any_other_run_is_left_as_typed(case: str, args: tuple[str, ...], options: dict) -> None:
    """A test path, xdist's options, grading, a contract, -s, pdb, timings, a selection, a backend of one's own: as typed."""
    assert added_arguments(config(args), namespace(**options)) == [], case


def test_a_built_in_that_is_not_installed_runs_as_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--backend torch`` where torch cannot be imported: one process, whose start says so in one line."""
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *rest: None)
    assert added_arguments(config(("--backend", "torch")), namespace(backend=["torch"])) == []


def test_elsewhere_without_xdist_on_one_core_or_inside_a_worker_nothing_is_added(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another project's run, ``-p no:xdist``, a one-core machine, an xdist worker's own start: nothing added."""
    assert added_arguments(config(ini=False), namespace()) == []
    elsewhere = config(("--backend", "numpy"), ini=False)  # but a built-in's whole suite, asked for from any folder
    assert added_arguments(elsewhere, namespace(backend=["numpy"])) == ["-n", "2", "--dist", "worksteal"]
    assert added_arguments(config(xdist=False), namespace()) == []
    monkeypatch.setenv("PYTEST_ADDOPTS", "--backend numpy.py")
    assert added_arguments(config(), namespace(backend=["numpy.py"])) == []
    monkeypatch.delenv("PYTEST_ADDOPTS")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert added_arguments(config(), namespace()) == []
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert added_arguments(config(), namespace()) == []


def test_a_plain_run_at_the_root_says_it_is_spread_over_the_workers() -> None:
    """A real ``pytest -k ...`` at the project's root starts a worker per core and the header says how to run serially.

    The self-tests, the reports' tests, the conformance tests and the benchmarks are left out with ``--ignore``,
    which keeps it a plain run (no path, no ``-n``, no backend; each worker still loads torch and numpy): each worker
    collecting them too was most of this test's CPU time.
    """
    from suite.selftest.runs import pytest_run

    done = pytest_run("-k", "test_a1_printed_value_and_gradient", "--ignore", "suite/selftest", "--ignore", "reports",
                      "--ignore", "suite/conformance", "--ignore", "suite/benchmarks")
    cores = os.cpu_count() or 1
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    if cores > 1:
        assert f"tests spread over {cores} pytest-xdist workers" in done.stdout and f"created: {cores}/{cores} workers" in done.stdout
    assert "1 passed" in done.stdout.splitlines()[-1]


def test_a_built_in_backends_run_is_spread_and_its_report_holds_every_test(tmp_path: Path) -> None:
    """A real ``pytest --backend numpy`` (benchmarks and DataLoader tests deselected, 2 examples): workers, header, report."""
    from impls import numpy_backend
    from suite.selftest.runs import pytest_run

    done = pytest_run("--backend", "numpy", "--deselect", "suite/benchmarks", "--deselect", "suite/conformance/test_data.py",
                      "--max-examples", "2", "--report-dir", str(tmp_path / "r"))
    cores = min(os.cpu_count() or 1, 4)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    if cores > 1:
        assert (f"tests spread over {cores} pytest-xdist workers (a built-in backend's whole suite; -n 0 runs them in one "
                f"process)") in done.stdout and f"created: {cores}/{cores} workers" in done.stdout
        # The controller loads no backend, yet names its version (a built-in's, read without loading it)
        assert (f"backend numpy: {numpy_backend.__version__} [built-in]; loaded by each pytest-xdist worker (its "
                "devices: the per-device lines at the end)") in done.stdout.splitlines()
    counts = dict((word, int(number)) for number, word in re.findall(r"(\d+) (passed|skipped)", done.stdout.splitlines()[-1]))
    records = json.loads((tmp_path / "r" / "conformance.json").read_text())
    assert counts["passed"] > 100 and len(records) == counts["passed"] + counts["skipped"]
    assert len({record["test"] for record in records}) == len(records)
    # In the order of the collection, which every worker shares, not of arrival or of the ids as text
    noop = [record["test"].split("[")[1] for record in records if "::test_squeeze_noop[" in record["test"]]
    assert noop == [f"numpy-{device}-dim{dim}]" for device in ("cpu", "cuda") for dim in (0, 1, -2, -3)]  # cuda: skipped


#: A plugin that stops the run from outside once 30 tests have reported, as a CI job's cancel or a Ctrl-C would.
STOP_AFTER = '''
import os, signal
SEEN = []

def pytest_configure(config):
    """Ctrl-C as a terminal's foreground job gets it: a shell's background job (``pytest &``, job control off), as this
    self-test's own run may be, starts with SIGINT ignored, and every process it starts inherits that."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN and not os.environ.get("PYTEST_XDIST_WORKER"):
        signal.signal(signal.SIGINT, signal.default_int_handler)

def pytest_runtest_logreport(report):
    """In the run's main process (serial, or xdist's controller): send it the signal at the 30th test's result."""
    if os.environ.get("PYTEST_XDIST_WORKER") or report.when != "call":
        return
    SEEN.append(report.nodeid)
    if len(SEEN) == 30:
        with open("signalled.txt", "w") as out:  # for the failure's message, should the signal have no effect
            handler = signal.getsignal(signal.{name})
            blocked = sorted(signal.Signals(s).name for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))
            out.write(f"sent {name} at the 30th result, {{report.nodeid}}: its handler {{handler!r}}, blocked {{blocked}}")
        os.kill(os.getpid(), signal.{name})

def pytest_keyboard_interrupt(excinfo):
    """timeout(1) sends SIGTERM to the run, then to its process group: the run takes the second as the same stop."""
    if {again} and not os.environ.get("PYTEST_XDIST_WORKER"):
        os.kill(os.getpid(), signal.{name})
'''


@pytest.mark.parametrize(("name", "how"), [("SIGTERM", ()), ("SIGTERM", ("-n", "2")), ("SIGINT", ("-n", "2")),
                                           ("SIGTERM", ("--grade",))],
                         ids=["sigterm-serial", "sigterm-xdist", "ctrl-c-xdist", "sigterm-graded"])
def test_a_run_stopped_part_way_reports_every_test_that_finished(tmp_path: Path, name: str, how: tuple[str, ...]) -> None:
    """SIGTERM is taken as Ctrl-C is, and under xdist each record comes with its test's report: the report folder
    is written, holding the tests that finished (before, SIGTERM wrote nothing, nor did Ctrl-C under xdist)."""
    from suite.selftest.runs import pytest_run

    (tmp_path / "stop_after.py").write_text(STOP_AFTER.format(name=name, again=name == "SIGTERM"))
    # Run in tmp_path, where -p finds the plugin (the installed suite's tests run from any folder)
    done = pytest_run("--backend", "numpy", "-m", "not data and not benchmark", "--max-examples", "2", "-p", "stop_after",
                      "--report-dir", "r", *how, cwd=tmp_path)
    signalled = tmp_path / "signalled.txt"
    sent = signalled.read_text() if signalled.exists() else "no signal was sent"
    assert done.returncode == 2, sent + "\n" + done.stdout[-2000:] + done.stderr[-2000:]
    assert ("created: 2/2 workers" in done.stdout) == ("-n" in how)
    if name == "SIGTERM":
        assert "KeyboardInterrupt: stopped by SIGTERM; the reports hold the tests that finished" in done.stdout
    records = json.loads((tmp_path / "r" / "conformance.json").read_text())
    counts = dict((word, int(number)) for number, word in re.findall(r"(\d+) (passed|skipped)", done.stdout.splitlines()[-1]))
    assert len(records) >= 29 and abs(len(records) - counts["passed"] - counts.get("skipped", 0)) <= 1
    assert len({record["test"] for record in records}) == len(records)
    if "--grade" in how:  # the grade counts what did not run as not run, and says why first
        results = json.loads((tmp_path / "r" / "results.json").read_text())
        assert results["extra_data"]["interrupted"] and results["output"].startswith("The run was stopped part way")
        assert 0 < results["score"] < results["max_score"]
