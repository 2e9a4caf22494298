"""The plugin as a user meets it: real `pytest` runs on backend specs typed every way, and the tables they leave."""

from __future__ import annotations

import shutil
import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from reference.behaviours import BEHAVIOURS
from reports.conformance import COLUMNS
from reports.folder import MANIFEST
from suite import PROJECT_ROOT
from suite.selftest.runs import pytest_run

THIN_TORCH = PROJECT_ROOT / "examples" / "backends" / "thin_torch.py"
#: Runs name the test file they need: collecting the whole project costs seconds a run.
VIEWS_TESTS = "suite/conformance/test_views.py"


def rows(folder: Path) -> pd.DataFrame:
    """The conformance.csv a run left in ``folder``."""
    return pd.read_csv(folder / "conformance.csv", keep_default_na=False)


def test_a_file_backend_typed_every_way_is_validated(tmp_path: Path) -> None:
    """``--backend path``, ``--backend=path``, and a path outside the repository (both ways) all validate the file.

    The four forms go in one run, each a copy of the thin torch wrapper under its own name.
    """
    inside = PROJECT_ROOT / "examples" / "backends"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    copies = {"inside_space": inside / "thin_torch.py", "outside_space": outside / "outside_space.py",
              "outside_equals": outside / "outside_equals.py"}
    for name in ("outside_space", "outside_equals"):
        shutil.copy(THIN_TORCH, copies[name])
    report = tmp_path / "report"
    done = pytest_run(
        "--backend", str(copies["inside_space"].relative_to(PROJECT_ROOT)),
        "--backend=inside_equals=examples/backends/thin_torch.py",
        "--backend", str(copies["outside_space"]),
        f"--backend={copies['outside_equals']}",
        "-m", "views", "--device", "cpu", "--report-dir", str(report), VIEWS_TESTS,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    table = rows(report)
    labels = {"thin_torch", "inside_equals", "outside_space", "outside_equals"}
    assert set(table["backend"]) == labels
    for label in labels:
        outcomes = set(table.loc[table["backend"] == label, "outcome"])
        assert outcomes == {"passed"}, f"{label}: {outcomes}"
        assert f"backend {label}: thin wrapper of torch" in done.stdout


def test_a_path_after_a_space_is_an_option_value_not_a_test_path(tmp_path: Path) -> None:
    """``--report-dir /elsewhere`` leaves the rootdir, ini file and testpaths the project's, as ``=`` would."""
    (tmp_path / "elsewhere").mkdir()  # pytest takes a value for a test path only if it exists
    done = pytest_run("--collect-only", "-m", "V4", "--report-dir", str(tmp_path / "elsewhere"))
    assert f"rootdir: {PROJECT_ROOT}\nconfigfile: pyproject.toml\ntestpaths: " in done.stdout, done.stdout[:2000]
    assert "<Dir elsewhere>" not in done.stdout


def test_an_unresolvable_spec_stops_the_run_with_one_line() -> None:
    """``--backend no.such.module``: no test runs, one clear line, pytest's usage-error status; with ``-n 2`` too."""
    for spread in ((), ("-n", "2")):  # under xdist the controller loads it once, before any worker starts
        done = pytest_run("--backend", "no.such.module", *spread)
        assert done.returncode == pytest.ExitCode.USAGE_ERROR, spread
        error_lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        assert error_lines == [
            "ERROR: backend 'no.such.module' (no.such.module): no module named 'no.such.module'; "
            "for a file give its path (./name.py), for a built-in one of torch, numpy"
        ], spread


def test_a_device_no_backend_uses_stops_the_run_with_one_line(tmp_path: Path) -> None:
    """``--device cpux`` (a typo) would skip every test and pass: it stops the run in one line instead, spread or not."""
    # The plain run (-m keeps it spread) and a built-in's whole suite: both would be spread over pytest-xdist's workers.
    for backends in (("-m", "V1"), ("--backend", "numpy")):
        done = pytest_run(*backends, "--device", "cpu", "--device", "cpux")
        assert done.returncode == pytest.ExitCode.USAGE_ERROR, (backends, done.stdout[-2000:], done.stderr[-2000:])
        error_lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(error_lines) == 1 and error_lines[0].startswith(
            "ERROR: --device 'cpux': no backend here uses that device name, so every test would be skipped ("), error_lines
    # A name one backend uses is a device the others lack: their tests skip, saying so.
    accelerator = str(PROJECT_ROOT / "suite" / "selftest" / "backends" / "accelerator.py")
    done = pytest_run("--backend", "numpy", "--backend", accelerator, "--device", "acc", "-m", "V1",
                      "--report-dir", str(tmp_path / "r"), VIEWS_TESTS)
    table = rows(tmp_path / "r")
    assert done.returncode == 0 and set(table.loc[table["backend"] == "numpy", "outcome"]) == {"skipped"}
    assert set(table.loc[table["backend"] == "accelerator", "outcome"]) == {"passed"}


def test_a_broken_file_names_the_exception_and_line(tmp_path: Path) -> None:
    """A file that raises at import is refused before any test, naming the file and line, spread or not."""
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\nx = torch.tensor([1]) + undefined_name\n")
    done = pytest_run("--backend", str(broken))
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"NameError: name 'undefined_name' is not defined at {broken}:2" in done.stderr
    # Spread over xdist's workers, the same one line, not each worker's traceback and xdist's restarts of it.
    (tmp_path / "free.py").write_text("import numpy\nx = numpy.zeros(1) + undefined_name\n")
    done = pytest_run("--backend", str(tmp_path / "free.py"), "-n", "2")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert [line for line in (done.stderr + done.stdout).splitlines() if line.strip()] == [
        f"ERROR: backend 'free' ({tmp_path / 'free.py'}): importing it raised NameError: name 'undefined_name' "
        f"is not defined at {tmp_path / 'free.py'}:2"], done.stdout[-2000:] + done.stderr[-2000:]


def test_a_backend_without_nn_reports_module_behaviours_missing(tmp_path: Path) -> None:
    """Hiding ``nn`` makes the module behaviours `missing`, not failed, while the rest pass; each is reported in its line."""
    no_nn = tmp_path / "no_nn.py"
    no_nn.write_text(textwrap.dedent('''
        """torch without nn."""
        import torch

        def __getattr__(name):
            if name == "nn":
                raise AttributeError("module 'no_nn' has no attribute 'nn'")
            return getattr(torch, name)
    '''))
    report = tmp_path / "report"
    junit = tmp_path / "junit.xml"
    done = pytest_run("--backend", str(no_nn), "-m", "views or modules", "--device", "cpu", "--report-dir", str(report),
                      "--junitxml", str(junit), VIEWS_TESTS, "suite/conformance/test_modules.py")
    assert done.returncode == 1
    table = rows(report)
    modules = table[table["family"] == "modules"]
    assert not modules.empty and set(modules["outcome"]) == {"missing"}
    # A missing API's report is its one line, no traceback (building one per check cost more than the checks).
    failures = {case.get("name"): case.find("failure") for case in ET.parse(junit).iter("testcase")}
    for test, message in zip(modules["test"], modules["message"]):
        failure = failures[test.split("::")[-1]]
        assert failure is not None and failure.text == message == failure.get("message"), (test, failure)
    assert set(table.loc[table["family"] == "views", "outcome"]) == {"passed"}
    assert "missing API" in done.stdout and "MISSING" in done.stdout
    assert " missing" in done.stdout.splitlines()[-1]  # the final count line says "N missing"


def test_every_missing_benchmark_body_is_listed_with_what_it_lacked() -> None:
    """A benchmark makes no conformance record, yet its missing API is named under "missing API" like a behaviour's."""
    backend = str(PROJECT_ROOT / "suite" / "selftest" / "backends" / "no_operators.py")
    done = pytest_run("--backend", backend, "--device", "cpu", "-m", "benchmark", "-k", "a2_chain or mm",
                      "suite/benchmarks/test_bench_autograd.py", "suite/benchmarks/test_bench_linalg.py")
    counted = int(done.stdout.splitlines()[-1].split(" missing")[0].split()[-1])
    listed = [line for line in done.stdout.splitlines() if line.startswith("MISSING suite/benchmarks/")]
    assert counted >= 4 and len(listed) == counted, done.stdout[-3000:]
    assert all(": missing: int * Tensor in `2 * x` (the suite's suite/benchmarks/workloads.py:" in line for line in listed), listed
    assert " passed" in done.stdout.splitlines()[-1]  # the products have no gap: they run


def test_tables_have_the_design_columns_and_cuda_is_skipped_with_a_reason(tmp_path: Path) -> None:
    """conformance.csv has the README's columns; a device that is not there is a skip naming it; summary.md exists."""
    report = tmp_path / "report"
    done = pytest_run("--backend", "torch", "-m", "V1", "--report-dir", str(report), VIEWS_TESTS)
    assert done.returncode == 0, done.stdout[-2000:]
    table = rows(report)
    assert list(table.columns) == COLUMNS
    assert set(table["behaviour"]) == {"V1"} and set(table["family"]) == {"views"}
    import torch

    cuda = table[table["device"] == "cuda"]
    if not torch.cuda.is_available():
        assert set(cuda["outcome"]) == {"skipped"}
        assert all(m == "cuda not available on torch: cuda.is_available() is False" for m in cuda["message"])
        # ... and its line at the end says why, once: every check there was skipped for that one reason
        assert (f"torch-cuda: {len(cuda)} skipped (cuda not available on torch: cuda.is_available() is False)"
                in done.stdout.splitlines())
    assert "torch-cpu: 7 passed" in done.stdout.splitlines()  # passes: no reason to give
    summary = (report / "summary.md").read_text()
    assert "| V1 " in summary and "torch-cpu" in summary
    assert done.stdout.rstrip().splitlines()[-2] == f"report folder: {report}"


def test_backend_runs_leave_out_the_projects_self_tests(tmp_path: Path) -> None:
    """With --backend only conformance tests run; without it the self-tests are collected too."""
    narrowed = pytest_run("--backend", "torch", "--collect-only", "-q", "reference/tests", "suite/conformance/test_views.py")
    assert "reference/tests" not in narrowed.stdout and "test_views.py::" in narrowed.stdout
    assert "deselected" in narrowed.stdout
    everything = pytest_run("--collect-only", "-q", "reference/tests/test_views_reference.py")
    assert "reference/tests/test_views_reference.py::" in everything.stdout


def test_failure_shows_behaviour_and_a_snippet_that_reproduces_it(tmp_path: Path) -> None:
    """A failing test names its behaviour and prints Python that, run alone, shows the same wrong result."""
    mutant = PROJECT_ROOT / "suite" / "mutants" / "torch_v4_squeeze_ignores_dim.py"
    done = pytest_run("--backend", f"m={mutant}:torch", "-k", "test_squeeze_document_example", "--device", "cpu", VIEWS_TESTS,
                      "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 1
    assert "V4 (views): squeeze drops size-1 dims only" in done.stdout
    assert "squeeze(0) shape: expected (2, 4, 1)" in done.stdout
    assert "squeeze(0) shape: expected (2, 4, 1) but got (2, 4)" in set(rows(tmp_path / "r")["message"])  # one line, both sides
    (record,) = [r for r in json.loads((tmp_path / "r" / "conformance.json").read_text()) if r["outcome"] == "failed"]
    assert record["snippet"] in done.stdout  # the section shown is the record's field, whole
    ran = subprocess.run([sys.executable, "-c", record["snippet"]], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "'squeeze(0)': {'shape': (2, 4)" in ran.stdout  # the wrong result, reproduced outside pytest


def test_help_lists_the_suites_options() -> None:
    """``pytest --help`` documents the suite's options in their own group."""
    done = pytest_run("--help")
    for option in ("--backend=SPEC", "--device=NAME", "--report-dir=DIR", "--isolate={auto,always,never}",
                   "--time-limit=SECONDS", "--memory-limit=SIZE", "--max-examples=N", "--contract", "--known-failures=FILE"):
        assert option in done.stdout


def test_a_run_that_collects_no_conformance_test_says_what_to_do(tmp_path: Path) -> None:
    """``pytest --backend X some/folder`` where the folder holds no suite test prints where the tests are."""
    (tmp_path / "empty").mkdir()
    done = pytest_run("--backend", "numpy", "empty", cwd=tmp_path, timeout=120)
    assert done.returncode == 5
    assert f"no conformance test was collected here: run pytest from the suite's folder ({PROJECT_ROOT})" in done.stdout


def test_from_any_folder_backend_runs_the_installed_suite(tmp_path: Path) -> None:
    """In a folder outside the project, ``pytest --backend numpy -m views`` runs the suite's view tests, reports there."""
    done = pytest_run("--backend", "numpy", "-m", "views", "--device", "cpu", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "26 passed" in done.stdout.splitlines()[-1]
    (run_folder,) = (tmp_path / "reports" / "runs").iterdir()
    assert len(rows(run_folder)) == 26
    noop = [test.split("[")[1] for test in rows(run_folder)["test"] if "::test_squeeze_noop[" in test]
    assert noop == ["numpy-cpu-dim0]", "numpy-cpu-dim1]", "numpy-cpu-dim-2]", "numpy-cpu-dim-3]"]  # as collected, not as text


def test_from_any_folder_a_graded_run_grades_what_it_grades_in_the_project(tmp_path: Path) -> None:
    """The README's one-submission command, run in a course's folder: the same checks and scores as in the project."""
    shutil.copytree(PROJECT_ROOT / "examples" / "submissions" / "partial", tmp_path / "submissions" / "alice")
    spec = ["--grade", "--backend", str(tmp_path / "submissions" / "alice" / "mytorch"), "-m", "views"]
    inside = pytest_run(*spec, "--report-dir", str(tmp_path / "inside"))
    outside = pytest_run("--grade", "--backend", "submissions/alice/mytorch", "-m", "views",
                         "--report-dir", "grades/alice", cwd=tmp_path)

    assert outside.returncode == inside.returncode, outside.stdout[-2000:]
    graded = [json.loads((folder / "results.json").read_text()) for folder in (tmp_path / "inside", tmp_path / "grades" / "alice")]
    assert graded[0]["score"] > 0 and graded[0]["tests"], inside.stdout[-2000:]
    assert [(t["name"], t["score"], t["status"]) for t in graded[1]["tests"]] == [
        (t["name"], t["score"], t["status"]) for t in graded[0]["tests"]]
    assert graded[1]["score"] == graded[0]["score"]
    views = [b for b in BEHAVIOURS if BEHAVIOURS[b].family == "views"]
    assert graded[1]["extra_data"]["unselected"] == [b for b in BEHAVIOURS if b not in views]  # -m views graded only those
    assert graded[1]["extra_data"]["selection"] == ["-m views"]
    assert "**Graded a part of the assignment:** " in (tmp_path / "grades" / "alice" / "grade.md").read_text()
    assert f"not graded: mytorch: {len(BEHAVIOURS) - len(views)} of {len(BEHAVIOURS)} behaviours" in outside.stdout


UNRELATED_TESTS = """
import pytest
from hypothesis import given, settings, strategies as st

@pytest.fixture
def run():
    return 3

@pytest.fixture
def bench():
    return "theirs"

def test_uses_its_own_fixtures(run, bench):
    assert (run, bench) == (3, "theirs")

@given(st.integers())
def test_hypothesis_keeps_its_default_profile(x):
    # 100 in both of hypothesis' own profiles ("default", and "ci" where a CI variable is set); the suite's has 25
    assert settings().max_examples == 100

def test_sigterm_is_left_as_python_has_it():
    import signal
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the suite's own runs take it as Ctrl-C; others do not

def test_benchmark_is_timed(benchmark):
    benchmark(lambda: sum(range(10)))
    assert benchmark.stats is not None and not benchmark.disabled
"""


def test_an_unrelated_project_runs_as_if_the_suite_were_not_installed(tmp_path: Path) -> None:
    """Installed, the plugin waits to be asked: another project's run has the same header, tests and outcomes."""
    (tmp_path / "test_theirs.py").write_text(UNRELATED_TESTS)

    def lines(*extra: str) -> list[str]:
        # A new interpreter, not a fork of one that has imported anything: the plainest run there is.
        done = pytest_run("-v", "--benchmark-disable-gc", *extra, cwd=tmp_path, timeout=120, fresh=True)
        assert done.returncode == 0, done.stdout[-2000:]
        keep = [line for line in done.stdout.splitlines() if line.startswith(("test_theirs.py::", "collected", "rootdir"))
                or line.startswith(("platform", "hypothesis profile"))]
        return keep

    assert lines() == lines("-p", "no:torch_conformance")


def test_every_module_tool_is_a_command_with_help() -> None:
    """pyproject's [project.scripts] are the tools suite/cli.py lists, each answering --help under its own name."""
    import tomllib

    from suite.cli import COMMANDS

    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert set(scripts) == set(COMMANDS)
    for command, target in scripts.items():
        module, _, function = target.partition(":")
        assert module.removesuffix(".__main__") == COMMANDS[command]
        code = f"import sys; sys.argv = [{command!r}, '--help']; from {module} import {function}; {function}()"
        done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.startswith(f"usage: {command} "), (command, done.stdout, done.stderr)


def test_xdist_workers_records_are_merged_into_the_same_reports(tmp_path: Path) -> None:
    """``pytest -n 2`` writes the same records as a serial run (timings aside): every worker's, in the same order."""
    mutant = f"m={PROJECT_ROOT / 'suite' / 'mutants' / 'torch_v4_squeeze_ignores_dim.py'}:torch"
    common = ["--backend", "numpy", "--backend", mutant, "-m", "views", "--device", "cpu"]
    serial = pytest_run(*common, "--report-dir", str(tmp_path / "serial"))
    parallel = pytest_run(*common, "-n", "2", "--report-dir", str(tmp_path / "parallel"))
    assert serial.returncode == parallel.returncode == 1
    assert "m-cpu: 19 passed, 7 failed" in parallel.stdout  # the controller's summary counts every worker's tests

    def records(name: str) -> list[dict]:
        rows_ = json.loads((tmp_path / name / "conformance.json").read_text())
        return [{key: value for key, value in row.items() if key != "seconds"} for row in rows_]

    assert len(records("serial")) == 52 and records("parallel") == records("serial")


def test_every_report_says_what_judged_it(tmp_path: Path) -> None:
    """conformance.csv and .json carry the suite's version (and commit, from a checkout); summary.md says it first."""
    from suite import version

    judged = version()
    assert judged.startswith("torch-conformance ") and (", commit " in judged) == (PROJECT_ROOT / ".git").exists()
    done = pytest_run("--backend", "numpy", "-m", "V2", "--device", "cpu", "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 0
    assert set(rows(tmp_path / "r")["suite"]) == {judged}
    assert {row["suite"] for row in json.loads((tmp_path / "r" / "conformance.json").read_text())} == {judged}
    assert (tmp_path / "r" / "summary.md").read_text().splitlines()[2] == f"Judged by {judged}."


def test_a_backend_verdict_escaping_a_self_test_fails_it_rather_than_skipping_it(tmp_path: Path) -> None:
    """BackendError is pytest's skip exception underneath: a test it escapes from is reported failed, not skipped."""
    (tmp_path / "test_escape.py").write_text(
        "from suite.outcomes import BackendError\n\ndef test_escape():\n    raise BackendError('memory limit: 372 MiB')\n")
    done = pytest_run("-q", "test_escape.py", cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "1 failed" in done.stdout.splitlines()[-1], done.stdout


def test_a_timed_benchmark_run_under_xdist_is_refused_saying_why() -> None:
    """``-n 2 --benchmark-only`` stops before any test: timings are taken serially, and the message says so."""
    done = pytest_run("-n", "2", "-m", "benchmark", "--benchmark-only", "--backend", "numpy")
    assert done.returncode == 4
    assert "timed benchmarks run serially" in done.stderr


def test_the_suites_fixtures_say_whose_they_are_where_the_suite_was_not_asked_for(tmp_path: Path) -> None:
    """Another project's test asking for a ``run`` it never defined gets an error naming the suite, not a KeyError."""
    (tmp_path / "test_wants.py").write_text("def test_wants_run(run):\n    assert run\n")
    done = pytest_run("-q", cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "fixture 'run' is torch-conformance's" in done.stdout and "KeyError" not in done.stdout


def test_a_report_folder_used_again_holds_only_the_new_runs_files(tmp_path: Path) -> None:
    """A graded run, then an ungraded one into the same --report-dir: the grade goes, the page shows none, the
    terminal says how many files were removed, a file of the user's there stays, and the grade.md annotated by hand
    is renamed aside, not written over; a run stopped by a backend that does not resolve touches nothing."""
    folder = tmp_path / "mine"
    graded = pytest_run("--grade", "--backend", str(PROJECT_ROOT / "examples" / "submissions" / "partial" / "mytorch"),
                        "-m", "V2", "--report-dir", str(folder), VIEWS_TESTS)
    assert (folder / "results.json").exists() and "Score:" in (folder / "report.html").read_text(), graded.stdout[-2000:]
    (folder / "notes.txt").write_text("mine")
    with open(folder / "grade.md", "a") as grade:
        grade.write("\nSee me after class.\n")
    annotated = (folder / "grade.md").read_text()
    before = sorted(p.name for p in folder.iterdir())
    refused = pytest_run("--backend", str(folder / "no_such_backend.py"), "--report-dir", str(folder), VIEWS_TESTS)
    assert refused.returncode == 4 and sorted(p.name for p in folder.iterdir()) == before  # stopped: nothing removed

    done = pytest_run("--backend", "numpy", "-m", "V2", "--device", "cpu", "--report-dir", str(folder), VIEWS_TESTS)

    assert done.returncode == 0, done.stdout[-2000:]
    assert sorted(p.name for p in folder.iterdir()) == [
        MANIFEST, "conformance.csv", "conformance.json", "grade.kept.md", "notes.txt", "report.html", "summary.md"]
    assert "Score:" not in (folder / "report.html").read_text() and (folder / "grade.kept.md").read_text() == annotated
    assert done.stdout.splitlines()[-2] == (f"report folder: {folder} (an earlier run's 6 files were removed from it "
                                            "first; grade.md, not as a run of the suite left it, was renamed grade.kept.md)")
