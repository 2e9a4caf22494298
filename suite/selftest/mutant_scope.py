"""A pytest plugin for the mutant self-test: each mutant runs only the tests of the behaviour it breaks.

``MUTANT_SCOPE`` (JSON, ``{label: behaviour id}``) names the mutants of a run;
their tests of any other behaviour are deselected, so a family's run costs
what its mutants' own behaviours cost. Backends not named (the control) keep
every test. Loaded with ``-p suite.selftest.mutant_scope`` by test_mutants.py.

Hypothesis does not shrink a mutant's failures here: what test_mutants.py
checks is each failure's outcome and that its snippet prints what the test
saw, which the first failing example shows as well as the smallest does (a
tenth of a family run went into shrinking).
"""

from __future__ import annotations

import json
import os

import pytest

from suite.plugin import BACKEND_FIXTURES


def _scope() -> dict[str, str]:
    """The mutants of this run and the behaviour each breaks."""
    return json.loads(os.environ.get("MUTANT_SCOPE", "{}"))


def _backend_label(item: pytest.Item) -> str | None:
    """The backend label a conformance test is parametrised with, or None."""
    callspec = getattr(item, "callspec", None)
    for name in BACKEND_FIXTURES:
        if callspec is not None and name in callspec.params:
            return callspec.params[name][0]
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect a mutant's tests of behaviours other than the one it breaks."""
    scope = _scope()
    kept, dropped = [], []
    for item in items:
        label, marker = _backend_label(item), item.get_closest_marker("behaviour")
        off_target = label in scope and (marker is None or marker.args[0] != scope[label])
        (dropped if off_target else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """No shrinking: what is checked is each failure's outcome and snippet, not that its example is the smallest."""
    from hypothesis import Phase, settings

    current = settings.get_profile(settings.get_current_profile_name())
    settings.register_profile("mutants", current, phases=[phase for phase in current.phases if phase is not Phase.shrink])
    settings.load_profile("mutants")
