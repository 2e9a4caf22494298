"""A run with ``-m`` leaves out the family modules it can select nothing from, and selects the same tests as before.

What suite/narrowing.py assumes of the marks is checked on a real collection
of the whole suite: every test of ``suite/conformance/test_<family>.py``
carries its family's mark and ``behaviour``, and no other family's marks;
every benchmark carries ``benchmark`` and no family's. Then, for many ``-m``
expressions, a module is kept whenever one of its tests matches (the
narrowing never drops a test pytest would have run), and a narrowed run's
selection is the one pytest makes from the whole collection.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression
from hypothesis import given, settings
from hypothesis import strategies as st

from suite import PROJECT_ROOT
from suite.narrowing import can_select, left_out, module_marks

#: A plugin writing every collected test's marks (and the modules the suite left out) to marks.json.
MARKS_DUMP = '''
import json
from suite.plugin import LEFT_OUT

def pytest_collection_finish(session):
    """Every selected test's file and mark names, by node id; the modules left out."""
    marks = {item.nodeid: [str(item.path), sorted({mark.name for mark in item.iter_markers()})] for item in session.items}
    left = sorted(str(path) for path in session.config.stash.get(LEFT_OUT, []))
    with open("marks.json", "w") as out:
        json.dump({"marks": marks, "left_out": left}, out)
'''

#: Mark names an expression is drawn from: families, behaviour ids, and marks some tests carry and others do not.
VOCABULARY = ["views", "tensors", "data", "autograd", "optim", "V2", "V4", "T1", "A9", "D6", "benchmark", "behaviour",
              "hypothesis", "parametrize", "skip", "filterwarnings", "slow"]


def collect(folder: Path, *args: str) -> dict:
    """A real ``pytest --backend numpy --collect-only`` of the installed suite (from ``folder``): marks and modules left out."""
    from suite.selftest.runs import pytest_run

    (folder / "marks_dump.py").write_text(MARKS_DUMP)
    done = pytest_run("--backend", "numpy", "--collect-only", "-q", "-p", "marks_dump", *args, cwd=folder)
    assert done.returncode in (0, 5), done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads((folder / "marks.json").read_text())


class Collection(dict):
    """Each collected module's file: its tests' node ids and their mark names (shown short in hypothesis's reports)."""

    def __repr__(self) -> str:
        """``Collection(14 modules)``."""
        return f"Collection({len(self)} modules)"


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Collection:
    """The whole suite's collection, with no -m."""
    found = collect(tmp_path_factory.mktemp("whole"))
    assert found["left_out"] == []
    modules = Collection()
    for nodeid, (path, names) in found["marks"].items():
        modules.setdefault(Path(path), {})[nodeid] = set(names)
    return modules


def matches(expression: str, names: set[str]) -> bool:
    """What pytest's -m decides for a test carrying the mark ``names``."""
    return Expression.compile(expression).evaluate(lambda name, /, **kwargs: name in names)


def test_every_family_modules_tests_carry_the_marks_the_narrowing_counts_on(whole) -> None:
    """The marks every test of a family module carries are on each test there, and the marks none does are on none."""
    families = [module for module in whole if module_marks(module) is not None]
    assert len(families) == 14, sorted(whole)  # seven conformance modules and seven of benchmarks
    for module in families:
        present, absent = module_marks(module) or (frozenset(), frozenset())
        for nodeid, names in whole[module].items():
            assert present <= names and not absent & names, (nodeid, sorted(names))


@settings(max_examples=80, deadline=None)
@given(expression=st.recursive(st.sampled_from(VOCABULARY),
                               lambda inner: st.one_of(st.builds("not {}".format, inner),
                                                       st.builds("({} and {})".format, inner, inner),
                                                       st.builds("({} or {})".format, inner, inner)), max_leaves=6))
def test_a_module_with_a_test_the_expression_selects_is_never_left_out(whole, expression: str) -> None:
    """For any expression over the marks tests carry, a module where pytest would select a test is kept."""
    for module, tests in whole.items():
        if any(matches(expression, names) for names in tests.values()):
            assert not left_out(module, expression), (module.name, expression)


def test_a_family_module_is_left_out_where_no_test_of_it_can_match(whole) -> None:
    """``-m views`` keeps test_views.py alone; ``-m "not data and not benchmark"`` drops test_data.py and the benchmarks."""
    assert {module.name for module in whole if not left_out(module, "views")} == {"test_views.py"}
    dropped = {module.name for module in whole if left_out(module, "not data and not benchmark")}
    assert dropped == {"test_data.py", *(module.name for module in whole if module.name.startswith("test_bench_"))}


@pytest.mark.parametrize("expression", ["V2", "not data and not benchmark", "benchmark and not optim", "views and tensors"])
def test_a_narrowed_run_selects_what_pytest_selects_from_the_whole_collection(whole, tmp_path: Path,
                                                                                expression: str) -> None:
    """A real run with -m: the tests it selects are those its expression matches in the whole collection."""
    narrowed = collect(tmp_path, "-m", expression)
    expected = {nodeid for tests in whole.values() for nodeid, names in tests.items() if matches(expression, names)}
    assert set(narrowed["marks"]) == expected
    assert narrowed["left_out"], "nothing was left out"


def test_a_run_whose_marks_no_test_carries_says_so(tmp_path: Path) -> None:
    """``-m "views and tensors"``: every module is left out, and the run says why it collected nothing (not that it
    was run from the wrong folder)."""
    from suite.selftest.runs import pytest_run

    done = pytest_run("--backend", "numpy", "-m", "views and tensors", "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    assert done.returncode == 5, done.stdout[-2000:]
    assert ("-m 'views and tensors' selects no conformance test: 14 of the suite's modules were left out unread, none "
            "of their tests carrying such marks (suite/narrowing.py)") in done.stdout.splitlines()
    assert "run pytest from the suite's folder" not in done.stdout


def test_what_the_narrowing_cannot_read_keeps_every_module() -> None:
    """Marker arguments, a syntax error, and names of other files: nothing is left out."""
    views = PROJECT_ROOT / "suite" / "conformance" / "test_views.py"
    assert left_out(views, "tensors")
    assert left_out(views, "(tensors or data) and not views")
    for expression in ("tensors(x=1)", "tensors(name='x')", "tensors and (", "", "   "):
        assert not left_out(views, expression), expression
    assert module_marks(PROJECT_ROOT / "suite" / "selftest" / "test_plugin.py") is None
    assert module_marks(Path("/elsewhere/suite/conformance/test_views.py")) is None
    assert can_select("not behaviour", frozenset({"benchmark"}), frozenset({"views"}))
