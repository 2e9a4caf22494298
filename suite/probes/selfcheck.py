"""Probes that end in each possible way, for the suite's own test of its outcome rules (suite/selftest/test_outcomes.py)."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any


def uses_missing_namespace_attribute(T: Any, device: str) -> Any:
    """Looks up a name the backend does not have (through its __getattr__): missing."""
    return T.nn


def uses_missing_tensor_method(T: Any, device: str) -> Any:
    """Calls a method the backend's tensor lacks: missing."""
    return T.tensor([1]).unsqueeze(0)


def calls_not_implemented(T: Any, device: str) -> Any:
    """Calls an API stub raising NotImplementedError: missing."""
    return T.not_implemented()


def passes_unknown_keyword(T: Any, device: str) -> Any:
    """Passes a keyword the backend's function does not take: missing."""
    return T.narrow([1], drop_last=True)


def hits_bug_inside_backend(T: Any, device: str) -> Any:
    """Calls a method that fails on an attribute deep inside the backend: error."""
    return T.tensor([1]).buggy()


def reads_attribute_of_none(T: Any, device: str) -> Any:
    """Reads an attribute of a grad the backend left None: failed (a wrong value), never the suite's crash."""
    x = T.tensor([1])
    return x.grad.numpy()


def indexes_a_tensor_without_getitem(T: Any, device: str) -> Any:
    """Indexes a tensor whose class has no __getitem__: missing."""
    return T.tensor([1])[0]


def raises_a_tensor_to_a_power_without_pow(T: Any, device: str) -> Any:
    """Uses ``**`` on a tensor whose class has no __pow__: missing."""
    return T.tensor([1]) ** 2


def iterates_a_tensor_without_iter(T: Any, device: str) -> Any:
    """Iterates a tensor whose class has neither __iter__ nor __getitem__: missing."""
    return list(T.tensor([1]))


def calls_a_module_that_is_not_callable(T: Any, device: str) -> Any:
    """Calls an object the backend offers but did not make callable: missing."""
    return T.tensor([1])()


def indexes_none(T: Any, device: str) -> Any:
    """Indexes what the backend returned, None where a tensor is due: failed."""
    return T.returns_none()[0]


def multiplies_none(T: Any, device: str) -> Any:
    """Multiplies what the backend returned, None where a tensor is due: failed."""
    return T.returns_none() * 2


def raises_value_error(T: Any, device: str) -> Any:
    """Raises an ordinary exception: error."""
    raise ValueError("bad value")


def exits(T: Any, device: str) -> Any:
    """Calls sys.exit, as a hostile backend might: error."""
    sys.exit(0)


def returns_a_tensor_like_object(T: Any, device: str) -> Any:
    """Returns an object instead of plain data: error (the probe broke the contract)."""
    return SimpleNamespace(data=1)


def returns_plain(T: Any, device: str, n: int) -> Any:
    """Returns plain data."""
    return (n, [1.5], {"k": None})


def make_tensor(T: Any, device: str) -> Any:
    """Makes a tensor and reads it back: what a hostile ``tensor`` is given the chance to spoil."""
    from suite.probes import read

    return read(T.tensor([1.0, 2.0]))
