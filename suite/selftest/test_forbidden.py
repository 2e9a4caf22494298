"""Forbidden modules under ``--grade``: a submission may not import torch or the suite's own packages.

One grading run, with the default settings, over six small submissions that
reach a forbidden module in different ways (at import, lazily inside a probe,
after removing the guard, by loading a forbidden file under another name), a
witness that reports what its worker had loaded before it, and the torch-free
``complete`` sample. Each sneaky one must score zero with its cause named;
``complete`` must earn the total.
"""

from __future__ import annotations

import json
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

from suite import PROJECT_ROOT
from suite.forbidden import ImportGuard, matches
from suite.grading.settings import SettingsError, load_settings
from suite.selftest.runs import pytest_run
from suite.selftest.samples import make_complete

#: Each sneaky submission, and the forbidden module its grade must name.
SNEAKY: dict[str, tuple[str, str]] = {
    "wrapper": ("torch", ""),  # the sample examples/submissions/wrapper, copied below
    "lazy": ("reference", '''
        from _complete import *
        import _complete

        def tensor(*args, **kwargs):
            import reference.views  # lazily: only once a probe runs
            return _complete.tensor(*args, **kwargs)
    '''),
    "unguarded": ("torch", '''
        import sys
        sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "suite.forbidden"]
        import torch  # the guard is gone, but torch is in sys.modules and its libraries in the worker's memory

        def __getattr__(name):
            return getattr(torch, name)
    '''),
    "renamed": ("impls", '''
        import importlib.util, pathlib, sys
        folder = pathlib.Path("IMPLS") / "numpy_backend"
        spec = importlib.util.spec_from_file_location("answers", folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])
        answers = importlib.util.module_from_spec(spec)
        sys.modules["answers"] = answers  # the model answer under a name no list forbids
        spec.loader.exec_module(answers)

        def __getattr__(name):
            return getattr(answers, name)
    '''),
}
#: A torch-free submission whose version says which forbidden modules its worker held before it loaded.
WITNESS = '''
    import sys
    __version__ = "preloaded: " + ",".join(sorted({m.split(".")[0] for m in sys.modules} & {"torch", "reference", "reports"}))
    from _complete import *
'''


def test_a_name_covers_its_submodules_only() -> None:
    """``torch`` forbids ``torch.nn`` but not ``torchvision``; the probes are the worker's own."""
    assert matches("torch.nn.functional", ("reference", "torch")) == "torch"
    assert matches("torchvision", ("torch",)) is None


def test_a_forbidden_module_already_loaded_stops_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard refuses to start where a forbidden module is loaded before the submission (no finder is added)."""
    monkeypatch.setitem(sys.modules, "forbidden_witness", types.ModuleType("forbidden_witness"))
    before = list(sys.meta_path)
    with pytest.raises(RuntimeError, match="already loaded: forbidden_witness"):
        ImportGuard(("forbidden_witness",)).install()
    assert sys.meta_path == before


@pytest.mark.parametrize("entry, message", [
    ('"torch"', "must be a list of module names"),
    ('["torch", "not a name"]', "must be a list of module names"),
    ('["numpy"]', "numpy cannot be forbidden, the grader's worker needs numpy"),
    ('["suite.probes"]', "suite.probes cannot be forbidden"),
])
def test_a_forbidden_list_the_worker_cannot_honour_is_refused(tmp_path: Path, entry: str, message: str) -> None:
    """Settings name modules; numpy and the worker's own modules cannot be forbidden."""
    course = tmp_path / "course.toml"
    course.write_text(f"[grading]\nforbidden = {entry}\n")
    with pytest.raises(SettingsError, match=message):
        load_settings(course)


def test_by_default_torch_and_the_suites_packages_are_forbidden() -> None:
    """weights.toml forbids torch, the reference, the model answer's package, the suite and its reports."""
    assert set(load_settings().forbidden) == {"torch", "reference", "impls", "suite", "reports"}


def _write(folder: Path, source: str) -> str:
    """A submission file in its own folder, with the complete sample beside it as ``_complete``; its path.

    IMPLS in its source stands for the suite's impls folder.
    """
    make_complete(folder / "_complete")
    head = "import os, sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
    (folder / "mytorch.py").write_text(head + textwrap.dedent(source).replace("IMPLS", str(PROJECT_ROOT / "impls")))
    return str(folder / "mytorch.py")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Grade the sneaky submissions, the witness and the complete sample in one run with the default settings."""
    root = tmp_path_factory.mktemp("forbidden")
    specs = []
    for name, (_, source) in SNEAKY.items():
        path = (str(PROJECT_ROOT / "examples" / "submissions" / "wrapper" / "mytorch.py") if not source
                else _write(root / name, source))
        specs += ["--backend", f"{name}={path}"]
    specs += ["--backend", f"witness={_write(root / 'witness', WITNESS)}", "--backend", f"complete={make_complete(root / 'complete')}"]
    done = pytest_run("--grade", *specs, "-k", "line_fit or squeeze", "--max-examples", "3",
                      "--report-dir", str(root / "grades"))
    return {"done": done, "grades": root / "grades"}


def _results(graded: dict[str, Any], name: str) -> dict[str, Any]:
    """One submission's results.json."""
    return json.loads((graded["grades"] / name / "results.json").read_text())


@pytest.mark.parametrize("name", list(SNEAKY))
def test_a_submission_reaching_a_forbidden_module_scores_zero_with_the_cause(graded: dict[str, Any], name: str) -> None:
    """At import, lazily, with the guard removed or under another name: zero, the module named once at the top."""
    module = SNEAKY[name][0]
    results = _results(graded, name)
    assert results["score"] == 0 and all(test["score"] == 0 for test in results["tests"]), graded["done"].stdout[-3000:]
    assert results["extra_data"]["forbidden"] == [module]
    assert results["output"].startswith(f"Score withheld: imports forbidden module {module}.")
    grade_md = (graded["grades"] / name / "grade.md").read_text()
    assert grade_md.count(f"**Score withheld:** imports forbidden module {module}") == 1
    assert f"forbidden: {name} imports {module}: every behaviour scores zero" in graded["done"].stdout


def test_a_torch_free_submission_earns_the_total_from_a_worker_without_torch(graded: dict[str, Any]) -> None:
    """The complete sample scores 100; a worker starts with none of the forbidden modules loaded."""
    complete = _results(graded, "complete")
    assert complete["score"] == complete["max_score"] == 100 and not complete["extra_data"]["forbidden"]
    witness = _results(graded, "witness")
    assert (graded["grades"] / "witness" / "grade.md").read_text().count("(version preloaded:)") == 1
    assert witness["score"] == 100
