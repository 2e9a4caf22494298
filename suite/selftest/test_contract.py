"""The backend contract (suite/contract.json) is derived from the probes, kept current, and checks backends correctly."""

from __future__ import annotations

import json

import pytest

from impls import registry
from suite import PROJECT_ROOT
from suite.selftest.runs import pytest_run
from suite.contract import (CONTRACT_DOC, CONTRACT_PATH, README, README_MARKERS, check_names, contract_markdown,
                            derive, load_contract, readme_block, verdicts)

BACKENDS_DIR = PROJECT_ROOT / "suite" / "selftest" / "backends"


@pytest.fixture(scope="module")
def contract():
    """The committed contract."""
    return load_contract()


def test_the_contract_is_what_the_probes_use_now() -> None:
    """Deriving it again from the probes gives the committed file: nobody edits it by hand, no probe change slips by."""
    fresh = derive()
    committed = json.loads(CONTRACT_PATH.read_text())
    assert fresh == committed, "suite/contract.json is stale: run python -m suite.contract --derive --write-docs"


def test_the_generated_documents_are_current(contract) -> None:
    """CONTRACT.md and the README's contract block are what the contract generates."""
    assert CONTRACT_DOC.read_text() == contract_markdown(contract), "run python -m suite.contract --write-docs"
    start, end = README_MARKERS
    quoted = README.read_text().split(start)[1].split(end)[0].strip()
    assert quoted == readme_block(contract).strip(), "run python -m suite.contract --write-docs"


def test_every_behaviour_needs_something_and_names_are_well_formed(contract) -> None:
    """Each of the 43 behaviours uses at least one namespace name; names are T.x..., Tensor.x or a T class's member."""
    for behaviour_id, needs in contract.behaviours.items():
        assert needs.namespace, f"{behaviour_id} records no namespace name"
        assert all(n.startswith("T.") for n in needs.namespace)
        assert all(not n.startswith("T.") and n.count(".") >= 1 for n in needs.members)
    assert set(contract.conventions) >= {"read", "tensor", "dtype_name", "device_name"}


def test_the_numpy_backend_lacks_nothing(contract) -> None:
    """The conforming backend it was derived from has every name: all 43 behaviours ready."""
    T = registry.load("numpy")
    found = check_names(T, "cpu", contract.all_names(), contract.member_kinds())
    assert [n for n, state in found.items() if state == "lacks"] == []
    assert all(v.ready for v in verdicts(contract, found))


@pytest.mark.parametrize(("backend", "behaviour", "lacking"), [
    ("no_operators", "T8", "Tensor.__getitem__"),
    ("no_operators", "A3", "Tensor.__pow__"),
    ("capital_tensor", "T1", "T.tensor"),
    ("capital_tensor", "D1", "T.utils"),
])
def test_a_partial_backend_lacks_what_it_lacks(contract, backend: str, behaviour: str, lacking: str) -> None:
    """A gap shows in the behaviours that use it, by its name; a name under an absent one is not listed again."""
    T = registry.load(str(BACKENDS_DIR / f"{backend}.py"))
    found = check_names(T, "cpu", contract.all_names(), contract.member_kinds())
    verdict = {v.behaviour: v for v in verdicts(contract, found)}[behaviour]
    assert lacking in verdict.lacks and not verdict.ready
    assert not any(n.startswith("T.utils.") for n in verdict.lacks)


def test_pytest_contract_runs_no_test_and_says_how_many_behaviours_can_be_attempted() -> None:
    """``pytest --backend X --contract`` prints per behaviour what X has and lacks, runs nothing, and exits 0."""
    done = pytest_run("--contract", "--backend", str(BACKENDS_DIR / "no_operators.py"), "--backend", "numpy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no_operators can attempt 13 of 43 behaviours; 30 lack something" in done.stdout
    assert "numpy can attempt 43 of 43 behaviours; 0 lack something" in done.stdout
    assert "  T8  indexing: slices, 0-dim results, item() gives a Python…     lacks Tensor.__getitem__" in done.stdout
    assert " passed" not in done.stdout.splitlines()[-1]
