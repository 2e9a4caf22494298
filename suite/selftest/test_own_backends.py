"""The suite on code it did not shape: four small from-scratch backends (suite/selftest/backends/), each partial its own way.

None imports torch. Each gap must get its documented outcome, named as a
student would need it, and the rest of each backend must still be checked:

- ``no_operators``: tensors with methods but no operators and no indexing: ``missing``, naming the operator;
- ``capital_tensor``: no lowercase ``tensor`` (``Tensor(data)`` instead): the behaviours that need it ``missing``,
  the others run;
- ``elsewhere``: devices printed as ``/device:CPU:0``, grads left None: ``failed``, saying which value was wrong;
- ``accelerator``: a second device ``acc``, checked like cuda would be (parametrisation, skips, ``.to(device)``,
  reading values back, synchronised timing).

One pytest run holds all four (each in its own worker process), on cpu and acc.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pandas as pd
import pytest

from impls import registry
from suite import PROJECT_ROOT
from suite.selftest.runs import pytest_run
from suite.selftest.snippets import run_snippets
from suite.benchmarks.harness import synchroniser, timed
from suite.contract import check_names, load_contract, verdicts

BACKENDS_DIR = PROJECT_ROOT / "suite" / "selftest" / "backends"
NAMES = ("no_operators", "capital_tensor", "elsewhere", "accelerator")


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Every record of one run of the conformance suite over the four backends, on cpu and acc."""
    folder = tmp_path_factory.mktemp("own-backends")
    # --tb=line: the records and the per-device lines are checked here, not pytest's tracebacks of the partial
    # backends' failures, which (each parsing the test's module again) were a quarter of the run's CPU time.
    command = ["-q", "--tb=line", "--max-examples", "2", "--device", "cpu", "--device", "acc", "--report-dir", str(folder),
               "-m", "not benchmark"]
    for name in NAMES:
        command += ["--backend", str(BACKENDS_DIR / f"{name}.py")]
    done = pytest_run(*command, timeout=600)
    path = folder / "conformance.json"
    assert path.exists(), f"no records; the run said:\n{(done.stdout + done.stderr)[-3000:]}"
    assert done.returncode == 1, f"the run should fail (these backends are partial); status {done.returncode}"
    frame = pd.DataFrame(json.loads(path.read_text()))
    frame.attrs["stdout"] = done.stdout
    return frame


def of(records: pd.DataFrame, backend: str, device: str = "cpu") -> pd.DataFrame:
    """The records of one backend on one device."""
    return records[(records["backend"] == backend) & (records["device"] == device)]


def test_no_record_blames_the_suite_and_every_record_says_why(records: pd.DataFrame) -> None:
    """No backend's gap surfaces as the suite's own exception; missing names its API, failed its wrong value."""
    assert not (records["cause"] == "suite").any(), records[records["cause"] == "suite"][["test", "message"]].to_string()
    missing = records[records["outcome"] == "missing"]
    assert (missing["missing"] != "").all(), missing[missing["missing"] == ""][["test", "message"]].to_string()
    failed = records[records["outcome"] == "failed"]
    assert (failed["failure"] != "").all() and failed["cause"].isin(["wrong result", "wrong value"]).all()


def test_locations_are_relative_to_the_backends_own_folder(records: pd.DataFrame) -> None:
    """An error inside the backend is located as ``tiny.py:N``, never as the suite's file or an absolute path."""
    errors = records[records["outcome"] == "error"]
    assert not errors.empty, "tiny has bugs of its own (a complex literal, squeeze of a 0-dim tensor)"
    assert errors["message"].str.contains(r"\(at tiny\.py:\d+\)").all(), errors["message"].tolist()
    assert not records["message"].str.contains("_backend_|the suite's suite/selftest").any()


def test_tensors_without_operators_or_indexing_are_missing_them(records: pd.DataFrame) -> None:
    """``t[0]``, ``x ** 2`` and ``a + b`` on a class without them are missing, named as operators; methods still pass."""
    mine = of(records, "no_operators")
    names = set(mine.loc[mine["cause"] == "no operator", "missing"])
    assert {"Tensor[...] (__getitem__)", "Tensor ** int", "Tensor + Tensor"} <= names, names
    assert not mine["message"].str.contains("not subscriptable|unsupported operand").loc[mine["outcome"] == "error"].any()
    assert (mine["outcome"] == "passed").sum() >= 50
    view_tests = mine[mine["behaviour"].isin(["V1", "V2", "V4", "V6"])]
    assert (view_tests["outcome"] == "passed").mean() > 0.7, "view, reshape, squeeze, contiguous are methods: checked"


def test_a_failures_snippet_reproduces_it_on_a_backend_without_manual_seed(records: pd.DataFrame) -> None:
    """elsewhere's wrong results, pasted as the terminal shows them, print what the test saw: it has no manual_seed,
    which the snippet must not call (before, each snippet stopped there with an AttributeError)."""
    assert not hasattr(registry.load(str(BACKENDS_DIR / "elsewhere.py")), "manual_seed")
    failures = of(records, "elsewhere")
    failures = failures[(failures["outcome"] == "failed") & (failures["printed"] != "")].head(4)
    assert not failures.empty
    for (_, row), (printed, error) in zip(failures.iterrows(), run_snippets(list(failures["snippet"])), strict=True):
        assert (printed.strip(), error) == (row["printed"].strip(), ""), row["test"]


def test_a_namespace_without_lowercase_tensor_is_checked_where_it_can_be(records: pd.DataFrame) -> None:
    """Every behaviour needing ``T.tensor`` is missing it by name; the others (from_numpy, zeros, modules) run."""
    mine = of(records, "capital_tensor")
    assert (mine["missing"] == "T.tensor").sum() > 100
    assert (mine["outcome"] == "passed").sum() >= 5
    assert mine.loc[mine["outcome"] == "passed", "behaviour"].nunique() >= 3


def test_a_device_printed_another_way_fails_saying_what_it_printed(records: pd.DataFrame) -> None:
    """M5's check quotes ``/device:CPU:0`` against the convention (``cpu`` or ``cpu:N``)."""
    m5 = of(records, "elsewhere")
    m5 = m5[m5["behaviour"] == "M5"]
    assert (m5["outcome"] == "failed").all() and not m5.empty
    assert m5["message"].str.contains("expected str(t.device) to be 'cpu' or 'cpu:N'", regex=False).all()
    assert m5["message"].str.contains("'/device:CPU:0'").all()


def test_grads_left_none_are_wrong_values_named_by_expression(records: pd.DataFrame) -> None:
    """``x.grad`` left None after backward() is failed: 'wrong value: `x.grad` is None', not an AttributeError."""
    mine = of(records, "elsewhere")
    autograd = mine[mine["family"] == "autograd"]
    wrong = autograd[autograd["cause"] == "wrong value"]
    assert not wrong.empty and wrong["message"].str.startswith("wrong value: `x.grad` is None").any()
    assert not autograd["message"].str.contains("AttributeError").any()
    assert (mine["outcome"] == "passed").sum() >= 50, "tensors and views are still checked"


def test_the_accelerator_is_checked_on_its_device_like_on_the_cpu(records: pd.DataFrame) -> None:
    """On ``acc``: the same outcomes as on the cpu, M5 (model.to('acc')) and T1's type() passing there."""
    cpu, acc = of(records, "accelerator", "cpu"), of(records, "accelerator", "acc")
    assert len(acc) == len(cpu) > 0
    assert acc["outcome"].value_counts().to_dict() == cpu["outcome"].value_counts().to_dict()
    for behaviour in ("M5", "T1", "T2"):
        rows = acc[acc["behaviour"] == behaviour]
        assert not rows.empty and (rows["outcome"] == "passed").all(), rows[["test", "outcome", "message"]].to_string()


def test_the_per_device_lines_count_each_outcome_as_pytest_does(records: pd.DataFrame) -> None:
    """The terminal's line for the accelerator on acc: its records' counts, errors counted as pytest counts them."""
    counts = of(records, "accelerator", "acc")["outcome"].value_counts()
    assert counts.get("error", 0) > 1, counts  # the plural is what this checks
    shown = ", ".join(f"{counts[o]} {o}{'s' if o == 'error' else ''}" for o in
                      ("passed", "failed", "error", "missing", "skipped") if counts.get(o, 0))
    assert f"accelerator-acc: {shown}" in records.attrs["stdout"].splitlines(), records.attrs["stdout"][-3000:]


def test_a_device_the_backend_lacks_is_a_skip_naming_it(records: pd.DataFrame) -> None:
    """On the three backends without ``acc`` every test is skipped, the reason naming the device and why."""
    for name in ("no_operators", "capital_tensor", "elsewhere"):
        rows = of(records, name, "acc")
        assert not rows.empty and (rows["outcome"] == "skipped").all()
        assert rows["message"].str.startswith(f"acc not available on {name}: the backend has no acc.is_available()").all()


def test_timing_on_the_accelerator_waits_for_it() -> None:
    """The benchmark harness synchronises any device offering ``T.<name>.synchronize()``: here ``T.acc``."""
    T: Any = registry.load(str(BACKENDS_DIR / "accelerator.py"))
    sync = synchroniser(T, "acc")
    assert sync is not None and synchroniser(T, "cpu") is None
    before = T._lib.synchronized
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], device="acc")
    result = timed(lambda: x.mm(x), sync)()
    assert T._lib.synchronized == before + 1
    assert str(result.device) == "acc:0" and result.cpu().numpy().tolist() == [[7.0, 10.0], [15.0, 22.0]]


def test_none_of_them_imports_torch() -> None:
    """From scratch: loading each backend in a fresh interpreter imports numpy, never torch."""
    code = ("import sys; from impls import registry\n"
            f"for name in {list(NAMES)!r}:\n"
            f"    registry.load({str(BACKENDS_DIR)!r} + '/' + name + '.py')\n"
            "print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"



@pytest.mark.parametrize("name", NAMES)
def test_what_the_contract_says_is_lacking_is_missing_when_run(records: pd.DataFrame, name: str) -> None:
    """Every behaviour ``--contract`` says the backend lacks something for has a ``missing`` test in a real run."""
    contract = load_contract()
    T = registry.load(str(BACKENDS_DIR / f"{name}.py"))
    lacking = [v.behaviour for v in verdicts(contract, check_names(T, "cpu", contract.all_names(), contract.member_kinds()))
               if not v.ready]
    mine = of(records, name)
    without_missing = [b for b in lacking if not (mine.loc[mine["behaviour"] == b, "outcome"] == "missing").any()]
    assert lacking and without_missing == [], f"the contract says these lack something, yet none of their tests is missing: {without_missing}"
