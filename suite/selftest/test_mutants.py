"""The suite bites: every deliberately wrong backend in suite/mutants/ makes its behaviour's tests fail.

Each mutant names the behaviour it breaks (``BREAKS = "V4"``) and says whether
it is subtle (``SUBTLE = True``: right on the documents' own examples, wrong
only on other inputs). Every behaviour id has a mutant, and every family at
least two subtle ones. Mutants of one family run together in one pytest
subprocess (each in its own worker process, so their patches never meet),
each on the tests of the behaviour it breaks (the control on the whole
family), and the families' subprocesses run side by side over the cores; the run must fail, and the rows of the broken behaviour
must include the outcome ``failed`` (a wrong result, not a crash or a missing
API). A subtle mutant must also pass every test of its behaviour named for a
document example (``document`` in the test's name), which is what makes it subtle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

from reference.behaviours import BEHAVIOURS, FAMILIES
from suite import PROJECT_ROOT
from suite.selftest.runs import pytest_run
from suite.selftest.snippets import run_snippets
from suite.mutants import Mutant, discover

CONFORMANCE_DIR = PROJECT_ROOT / "suite" / "conformance"
#: An unmutated torch file, run beside every family's mutants: it must pass all.
CONTROL = f"control={PROJECT_ROOT / 'examples' / 'backends' / 'thin_torch.py'}"


MUTANTS = discover()


def run_family(family: str, folder: Path) -> tuple[int, pd.DataFrame, str]:
    """Run the control and the family's mutants on the family's tests: (exit status, conformance rows, output tail)."""
    # --tb=line: what is checked here are the records, and pytest's long tracebacks of a family's hundred failures
    # (each parsing the test's module again) were a quarter of the run's CPU time.
    command = [str(CONFORMANCE_DIR / f"test_{family}.py"), "-m", family,
               "--device", "cpu", "-q", "--tb=line", "-p", "suite.selftest.mutant_scope",
               "--max-examples", "5", "--report-dir", str(folder), "--backend", CONTROL]
    mine = [mutant for mutant in MUTANTS if mutant.family == family]
    for mutant in mine:
        command += ["--backend", mutant.spec]
    # Each mutant runs its own behaviour's tests only (suite/selftest/mutant_scope.py); the control runs them all.
    scope = json.dumps({mutant.label: mutant.breaks for mutant in mine})
    done = pytest_run(*command, timeout=600, env={"MUTANT_SCOPE": scope})
    records = folder / "conformance.json"
    rows = pd.read_json(records, dtype=False) if records.exists() else pd.DataFrame(columns=["backend"])
    return done.returncode, rows, (done.stdout + done.stderr)[-3000:]


@pytest.fixture(scope="session")
def family_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future]]:
    """The family runs the selected tests need, started together over the cores: family -> future result."""
    wanted = set()
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "family" in params:
            wanted.add(params["family"])
        elif "mutant" in params:
            wanted.add(params["mutant"].family)
    pool = ThreadPoolExecutor(max_workers=max(1, min(len(wanted), os.cpu_count() or 1)))
    runs = {family: pool.submit(run_family, family, tmp_path_factory.mktemp(f"mutants-{family}"))
            for family in sorted(wanted)}
    yield runs
    pool.shutdown(wait=True)


def test_there_are_enough_mutants_covering_every_family() -> None:
    """At least 15 torch mutants, and every family has at least one."""
    torch_mutants = [m for m in MUTANTS if m.path.name.startswith("torch_")]
    assert len(torch_mutants) >= 15, f"only {len(torch_mutants)} torch mutants"
    uncovered = set(FAMILIES.values()) - {m.family for m in torch_mutants}
    assert not uncovered, f"families without a torch mutant: {sorted(uncovered)}"


def test_every_behaviour_has_a_mutant() -> None:
    """Each of the catalogue's behaviour ids is broken by at least one shipped mutant, and no mutant names an unknown id."""
    unknown = sorted({m.breaks for m in MUTANTS} - set(BEHAVIOURS))
    assert not unknown, f"mutants name ids the catalogue does not have: {unknown}"
    uncovered = [b for b in BEHAVIOURS if b not in {m.breaks for m in MUTANTS}]
    assert not uncovered, f"{len(uncovered)} of {len(BEHAVIOURS)} behaviours have no mutant: {uncovered}"


def test_every_family_has_two_subtle_mutants() -> None:
    """Each family has at least two mutants that are right on the documents' examples and wrong elsewhere."""
    counts = {family: sum(m.subtle and m.family == family for m in MUTANTS) for family in FAMILIES.values()}
    short = {family: n for family, n in counts.items() if n < 2}
    assert not short, f"families with fewer than two subtle mutants: {short}"


def test_readme_quotes_the_current_table() -> None:
    """The README's table of mutants by family is what ``python -m suite.mutants`` prints now."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    quoted = readme.split("<!-- mutants-table:start -->")[1].split("<!-- mutants-table:end -->")[0].strip()
    printed = subprocess.run([sys.executable, "-m", "suite.mutants"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
    assert quoted == printed, f"README.md's mutant table is stale; paste the output of python -m suite.mutants:\n{printed}"


@pytest.mark.parametrize("family", sorted({m.family for m in MUTANTS}))
def test_control_passes_beside_the_mutants(family: str, family_runs) -> None:
    """The unmutated torch wrapper passes every test its family's mutants ran, so failures are the mutants' own."""
    _, rows, output = family_runs[family].result()
    control = rows[rows["backend"] == "control"]
    assert not control.empty, f"no results for the control; the run said:\n{output}"
    bad = control[~control["outcome"].isin(["passed", "skipped"])]
    assert bad.empty, f"the control did not pass:\n{bad[['behaviour', 'outcome', 'test', 'message']].to_string(index=False)}"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.label for m in MUTANTS])
def test_mutant_is_caught(mutant: Mutant, family_runs) -> None:
    """The suite fails on this mutant, and the behaviour it breaks is among the failures."""
    status, rows, output = family_runs[mutant.family].result()
    mine = rows[rows["backend"] == mutant.label]
    assert not mine.empty, f"no results for {mutant.label}; the run said:\n{output}"
    assert status != 0, f"the run on {mutant.label} passed:\n{output}"
    caught = mine[(mine["behaviour"] == mutant.breaks) & (mine["outcome"] == "failed")]
    summary = mine[mine["outcome"] != "passed"][["behaviour", "outcome", "test"]].to_string(index=False)
    assert not caught.empty, f"{mutant.label} breaks {mutant.breaks} but no {mutant.breaks} test failed; not passing:\n{summary}"


@pytest.mark.parametrize("mutant", [m for m in MUTANTS if m.subtle], ids=[m.label for m in MUTANTS if m.subtle])
def test_subtle_mutant_passes_the_document_examples(mutant: Mutant, family_runs) -> None:
    """A mutant called subtle passes every test of its behaviour that runs a document's own example, and not only those fail."""
    _, rows, output = family_runs[mutant.family].result()
    mine = rows[(rows["backend"] == mutant.label) & (rows["behaviour"] == mutant.breaks)]
    assert not mine.empty, f"no results for {mutant.label}; the run said:\n{output}"
    examples = mine[mine["test"].str.contains("document")]
    wrong = examples[examples["outcome"] != "passed"]
    assert wrong.empty, (f"{mutant.label} is marked SUBTLE but fails the document examples of {mutant.breaks}:\n"
                         f"{wrong[['test', 'outcome']].to_string(index=False)}")
    assert (mine["outcome"] == "passed").any(), f"{mutant.label} is marked SUBTLE but passes no test of {mutant.breaks}"


@pytest.mark.parametrize("family", sorted({m.family for m in MUTANTS}))
def test_every_failure_snippet_reproduces_the_wrong_result(family: str, family_runs) -> None:
    """Each failure's snippet, pasted into a fresh interpreter at the project root, prints the value that was wrong.

    Every snippet runs in its own process, forked from a server that has
    imported torch already (what the snippet's own first lines would do), so
    one mutant's patches never reach another's snippet.
    """
    _, rows, output = family_runs[family].result()
    failures = rows[(rows["backend"] != "control") & (rows["outcome"] == "failed")]
    assert not failures.empty, f"no failures; the run said:\n{output}"
    assert (failures["snippet"] != "").all(), failures[failures["snippet"] == ""][["backend", "test"]].to_string()
    results = run_snippets(list(failures["snippet"]))
    wrong = []
    for (_, row), (printed, error) in zip(failures.iterrows(), results):
        if row["printed"] and (error or printed.strip() != row["printed"].strip()):
            wrong.append(f"{row['test']} [{row['backend']}]: printed {printed.strip()[:200]!r}, {error or 'no error'}; "
                         f"the test saw {row['printed'][:200]!r}")
        elif not row["printed"] and not error:
            wrong.append(f"{row['test']} [{row['backend']}]: the probe raised in the test, but its snippet did not")
    assert not wrong, f"{len(wrong)} of {len(failures)} snippets do not reproduce:\n" + "\n".join(wrong[:10])
