"""--known-failures: listed tests that fail are xfailed (and keep their real outcome), listed tests that pass are XPASS."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from suite import PROJECT_ROOT
from suite.selftest.runs import pytest_run
from suite.known_failures import KnownFailureError, KnownFailures

BACKEND = str(PROJECT_ROOT / "suite" / "selftest" / "backends" / "no_operators.py")


def run(tmp_path: Path, listed: str, *selection: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """A run of no_operators on cpu with ``listed`` as its known-failures file: the process and its records."""
    known = tmp_path / "known.txt"
    known.write_text(listed)
    done = pytest_run("-q", "--backend", BACKEND, "--device", "cpu", "--known-failures", str(known),
                      "--report-dir", str(tmp_path / "r"), *selection)
    records = json.loads((tmp_path / "r" / "conformance.json").read_text())
    return done, records


def test_listed_failures_let_the_run_pass_and_keep_their_outcome(tmp_path: Path) -> None:
    """T8 (indexing, missing here) listed: the run passes, its missing tests xfailed, their records still missing."""
    done, records = run(tmp_path, "T8   # indexing comes next week\n", "-m", "T8")
    assert done.returncode == 0, done.stdout[-2000:]
    assert " xfailed" in done.stdout.splitlines()[-1] and "missing" not in done.stdout.splitlines()[-1]
    t8 = [r for r in records if r["behaviour"] == "T8"]
    assert t8 and all(r["known"] == "indexing comes next week" for r in t8)
    assert "missing" in {r["outcome"] for r in t8} and {r["outcome"] for r in t8} <= {"missing", "passed"}
    assert "xfailed" in done.stdout.splitlines()[-1] and done.stdout.count("XPASS") == sum(r["outcome"] == "passed" for r in t8)


def test_unlisted_failures_still_fail_the_run(tmp_path: Path) -> None:
    """Listing T8 does not excuse A3 (``x ** 2`` missing too)."""
    done, _ = run(tmp_path, "T8\n", "-m", "T8 or A3")
    assert done.returncode == 1
    assert "MISSING suite/conformance/test_autograd.py" in done.stdout


def test_a_listed_test_that_passes_is_reported_and_an_unused_entry_too(tmp_path: Path) -> None:
    """V1 passes on no_operators: each of its tests is XPASS and the summary says to strike it off; a typo is named."""
    done, records = run(tmp_path, "V1  # views\ntest_no_such_thing\ntest_view_any_shape  # also under V1\n", "-m", "V1")
    assert done.returncode == 0
    assert "xpassed" in done.stdout.splitlines()[-1]
    assert "now passing (strike them off the list):" in done.stdout
    assert "XPASS suite/conformance/test_views.py::test_view_document_example[no_operators-cpu]" in done.stdout
    assert "line 2: 'test_no_such_thing' matched no test of this run" in done.stdout
    assert "line 3" not in done.stdout, "an entry covered by an earlier one still named a test: it is used"
    assert all(r["outcome"] == "passed" and r["known"] == "views" for r in records)


@pytest.mark.parametrize(("text", "message"), [
    ("Q1\n", "'Q1' is not a behaviour id"),
    ("T8 V1\n", "one entry per line"),
])
def test_a_bad_file_is_refused_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    """An unknown id or two entries on a line stop the run before any test, saying which line."""
    path = tmp_path / "known.txt"
    path.write_text(text)
    with pytest.raises(KnownFailureError, match=f"known.txt:1: {message}"):
        KnownFailures.read(path)
