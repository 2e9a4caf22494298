"""The suite bites: every deliberately wrong backend in suite/mutants/ makes its behaviour's tests fail.

Each mutant names the behaviour it breaks (``BREAKS = "V4"``). Mutants of one
family run together in one pytest subprocess (each in its own worker process,
so their patches never meet), restricted to that family's tests, and the
families' subprocesses run side by side over the cores; the run must
fail, and the rows of the broken behaviour must include the outcome ``failed``
(a wrong result, not a crash or a missing API).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

from reference.behaviours import BEHAVIOURS, FAMILIES
from suite import PROJECT_ROOT

MUTANTS_DIR = PROJECT_ROOT / "suite" / "mutants"
CONFORMANCE_DIR = PROJECT_ROOT / "suite" / "conformance"
#: An unmutated torch file, run beside every family's mutants: it must pass all.
CONTROL = f"control={PROJECT_ROOT / 'examples' / 'backends' / 'thin_torch.py'}"
#: The attribute of a mutant module that is the (patched) namespace, by file prefix.
NAMESPACE_ATTRIBUTE = {"torch": "torch", "numpy": "T"}


@dataclass(frozen=True)
class Mutant:
    """A wrong backend: its file, the behaviour it breaks, and the spec that loads it."""

    path: Path
    breaks: str

    @property
    def label(self) -> str:
        """The backend label the mutant runs under (its file stem)."""
        return self.path.stem

    @property
    def family(self) -> str:
        """The family of the broken behaviour."""
        return BEHAVIOURS[self.breaks].family

    @property
    def spec(self) -> str:
        """``label=path:attr`` for --backend."""
        return f"{self.label}={self.path}:{NAMESPACE_ATTRIBUTE[self.path.stem.split('_')[0]]}"


def _breaks(path: Path) -> str:
    """The BREAKS constant of a mutant file, read without importing it."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "BREAKS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} has no BREAKS = '<behaviour id>'")


def discover() -> list[Mutant]:
    """Every mutant file in suite/mutants/, sorted by name."""
    files = sorted(p for p in MUTANTS_DIR.glob("*.py") if not p.name.startswith("_"))
    return [Mutant(path, _breaks(path)) for path in files]


MUTANTS = discover()


def run_family(family: str, folder: Path) -> tuple[int, pd.DataFrame, str]:
    """Run the control and the family's mutants on the family's tests: (exit status, conformance rows, output tail)."""
    command = [sys.executable, "-m", "pytest", str(CONFORMANCE_DIR / f"test_{family}.py"), "-m", family,
               "--device", "cpu", "-q", "-p", "no:cacheprovider", "--max-examples", "5",
               "--report-dir", str(folder), "--backend", CONTROL]
    for mutant in MUTANTS:
        if mutant.family == family:
            command += ["--backend", mutant.spec]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    csv = folder / "conformance.csv"
    rows = pd.read_csv(csv, keep_default_na=False) if csv.exists() else pd.DataFrame(columns=["backend"])
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
