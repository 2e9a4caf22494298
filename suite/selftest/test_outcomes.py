"""Exceptions map to the right outcome: a missing API is `missing`, a bug is `error`, a wrong value `failed`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.compare import ConformanceFailure
from suite.execute import execute
from suite.outcomes import BackendError, BackendMissing, Outcome, classify_test_exception
from suite.probes import selfcheck as probes


class BareTensor:
    """A tensor class with no operators and no indexing, its grad left None."""

    def __init__(self, lib: "Lib") -> None:
        self.grad = None
        self.buggy = lambda: lib._internal()


class Lib:
    """A stand-in backend whose pieces misbehave in chosen ways."""

    def tensor(self, data: Any) -> Any:
        """A bare tensor: no operators, no indexing, a grad left None, a method that raises deep inside the library."""
        return BareTensor(self)

    def returns_none(self) -> None:
        """A function that forgot its return statement."""

    def _internal(self) -> None:
        """A typo'd attribute deep in the backend."""
        return self.no_such_internal  # type: ignore[attr-defined]

    def not_implemented(self) -> None:
        """An API stub."""
        raise NotImplementedError("later")

    def narrow(self, data: Any) -> Any:
        """A function without the keyword the probe passes."""
        return data

    def __getattr__(self, name: str) -> Any:
        """A backend that answers unknown names through __getattr__, the way modules can."""
        raise AttributeError(f"module 'lib' has no attribute {name!r}")


@pytest.mark.parametrize(
    ("probe", "outcome", "cause", "name"),
    [
        (probes.uses_missing_namespace_attribute, "missing", "missing name", "T.nn"),
        (probes.uses_missing_tensor_method, "missing", "missing name", "BareTensor.unsqueeze"),
        (probes.calls_not_implemented, "missing", "not implemented", "Lib.not_implemented"),
        (probes.passes_unknown_keyword, "missing", "signature", "Lib.narrow(..., drop_last=...)"),
        (probes.indexes_a_tensor_without_getitem, "missing", "no operator", "BareTensor[...] (__getitem__)"),
        (probes.raises_a_tensor_to_a_power_without_pow, "missing", "no operator", "BareTensor ** int"),
        (probes.iterates_a_tensor_without_iter, "missing", "no operator", "iter(BareTensor) (__iter__)"),
        (probes.calls_a_module_that_is_not_callable, "missing", "no operator", "BareTensor(...) (__call__)"),
        (probes.reads_attribute_of_none, "failed", "wrong value", ""),
        (probes.indexes_none, "failed", "wrong value", ""),
        (probes.multiplies_none, "failed", "wrong value", ""),
        (probes.hits_bug_inside_backend, "error", "exception", ""),
        (probes.raises_value_error, "error", "exception", ""),
        (probes.exits, "error", "exit", ""),
        (probes.returns_a_tensor_like_object, "error", "suite", ""),
    ],
    ids=lambda v: getattr(v, "__name__", None) if callable(v) else None,
)
def test_probe_exceptions_are_classified(probe: Any, outcome: str, cause: str, name: str) -> None:
    """Each way a probe can end maps to its documented outcome, cause and missing name."""
    reply = execute(Lib(), probe, "cpu", {})
    assert not reply["ok"]
    assert (reply["outcome"], reply["cause"], reply["name"]) == (outcome, cause, name), reply["message"]


def test_a_wrong_value_is_named_by_the_expression_that_holds_it() -> None:
    """A grad left None is reported as `x.grad` being None, at the suite's probe line, not as the suite's crash."""
    message = execute(Lib(), probes.reads_attribute_of_none, "cpu", {})["message"]
    assert message.startswith("wrong value: `x.grad` is None, which has no `.numpy`"), message
    assert "the suite's suite/probes/selfcheck.py:" in message


def test_successful_probe_returns_plain_value() -> None:
    """A probe's plain result comes back as it was."""
    assert execute(Lib(), probes.returns_plain, "cpu", {"n": 3}) == {"ok": True, "value": (3, [1.5], {"k": None})}


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (ConformanceFailure("wrong"), Outcome.FAILED),
        (AssertionError("wrong"), Outcome.FAILED),
        (BackendMissing("no nn"), Outcome.MISSING),
        (BackendError("timeout"), Outcome.ERROR),
        (KeyError("suite bug"), Outcome.ERROR),
        (BaseExceptionGroup("two", [BackendMissing("a"), ConformanceFailure("b")]), Outcome.FAILED),
        (BaseExceptionGroup("two", [BackendMissing("a"), BackendError("b")]), Outcome.ERROR),
        (BaseExceptionGroup("two", [BackendMissing("a"), BackendMissing("b")]), Outcome.MISSING),
    ],
    ids=["conformance", "assertion", "missing", "backend-error", "other", "group-failed", "group-error", "group-missing"],
)
def test_test_exceptions_are_classified(exc: BaseException, outcome: Outcome) -> None:
    """A test's final exception (hypothesis groups included) gives its outcome."""
    assert classify_test_exception(exc) is outcome


@pytest.mark.parametrize("kind", [BackendMissing, BackendError], ids=["missing", "backend-error"])
def test_a_backend_verdict_ends_a_property_test_at_its_first_example(kind: type[Exception]) -> None:
    """Hypothesis neither shrinks nor replays a missing API or a hang: one example, then the test ends."""
    examples: list[int] = []

    @given(st.integers())
    @settings(database=None)
    def prop(x: int) -> None:
        examples.append(x)
        raise kind("no nn")

    with pytest.raises(kind):
        prop()
    assert len(examples) == 1


def test_messages_never_show_the_registrys_made_up_module_names(tmp_path: Path) -> None:
    """A student's ``torch.py``, loaded beside the real torch, is named in messages as ``torch``, not ``_backend_...``."""
    import torch  # noqa: F401 - takes the name "torch", so the student's file is loaded under a made-up one

    from impls import registry

    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "torch.py").write_text(
        "import sys\n\nclass Tensor:\n    def buggy(self):\n        return sys.modules[__name__].no_such_helper\n\n"
        "def tensor(data):\n    return Tensor()\n")
    T = registry.load(str(folder / "torch.py"))
    assert T.__name__.startswith(registry.PRIVATE_PREFIX)
    reply = execute(T, probes.hits_bug_inside_backend, "cpu", {})
    assert reply["outcome"] == "error"
    assert reply["message"] == "AttributeError: module 'torch' has no attribute 'no_such_helper' (at torch.py:5)"
