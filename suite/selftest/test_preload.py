"""Whether a backend imports torch, read from its source (suite/preload.py): the worker server preloads torch only then.

Reading "no" where the backend imports torch would make each of its workers
import torch itself; reading "yes" where it does not charges its workers torch's
memory. Each case below fails on a reader that gets it the other way round.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from impls.registry import parse_spec
from suite import PROJECT_ROOT, preload
from suite.backends import Limits, WorkerBackend
from suite.selftest.samples import make_complete
from suite.session import workers_import_torch

FREE = '''
"""A mini-torch on numpy: torch.tensor's rules, without torch ("import torch" is only said here)."""
import numpy as np
import importlib

tensor = np.asarray  # like torch.tensor
legacy = "torch.FloatTensor"
helpers = importlib.import_module("json")
'''


def write(folder: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> source) under ``folder``; return the folder."""
    for name, source in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(source))
    return folder


def imports_torch(path: Path) -> bool:
    """What the reader says of the backend at ``path``, given as ``--backend`` gives it."""
    return preload.imports_torch(parse_spec(str(path)))


def test_the_built_ins() -> None:
    """torch's worker imports torch; the numpy backend's does not."""
    assert preload.imports_torch(parse_spec("torch")) is True
    assert preload.imports_torch(parse_spec("numpy")) is False


def test_the_numpy_backend_and_the_complete_sample_made_from_it_read_as_torch_free(tmp_path: Path) -> None:
    """Given as a folder (as the "complete" sample is graded), numpy's source shows no torch: no computed import."""
    assert imports_torch(PROJECT_ROOT / "impls" / "numpy_backend") is False
    assert imports_torch(make_complete(tmp_path / "mytorch")) is False


def test_a_file_that_only_names_torch_in_text_does_not_import_it(tmp_path: Path) -> None:
    """Docstrings, comments and strings that say torch, and a literal import of something else, are not imports."""
    assert imports_torch(write(tmp_path, {"mytorch.py": FREE}) / "mytorch.py") is False


@pytest.mark.parametrize("line", [
    "import torch", "import numpy, torch.nn as nn", "from torch import nn", "from torch.utils.data import DataLoader",
    "__import__('torch')", "import importlib; importlib.import_module('torch.nn')",
    "def later():\n    import torch",
    "class A:\n    def f(self):\n        try:\n            pass\n        except ImportError:\n            import torch",
    "if False:\n    pass\nelif True:\n    pass\nelse:\n    from torch import nn",
    "match 1:\n    case 1:\n        import torch",
    "for _ in ():\n    pass\nelse:\n    with open(__file__):\n        try:\n            pass\n        finally:\n            import torch",
], ids=["import", "second-of-two", "from", "from-submodule", "dunder-import", "import-module", "inside-a-function",
        "in-a-methods-handler", "in-an-else-of-an-elif", "in-a-match-case", "in-a-finally-in-a-with-in-a-for-else"])
def test_each_way_of_importing_torch_is_read(tmp_path: Path, line: str) -> None:
    """An import statement anywhere in the file, or an import call with torch's name; a statement is found in a file
    that makes no import call too (where only the statements are read)."""
    assert imports_torch(write(tmp_path, {"mytorch.py": FREE + line + "\n"}) / "mytorch.py") is True
    if "import_module" not in line and "__import__" not in line:
        assert imports_torch(write(tmp_path / "no_calls", {"mytorch.py": "import numpy\n" + line + "\n"}) / "mytorch.py")


@pytest.mark.parametrize("line", ["import importlib; importlib.import_module('tor' + 'ch')", "def broken(:\n    pass"],
                         ids=["computed-name", "does-not-parse"])
def test_what_the_source_cannot_tell_counts_as_importing_torch(tmp_path: Path, line: str) -> None:
    """A computed module name or a file that does not parse: torch is preloaded, as if it were imported."""
    assert imports_torch(write(tmp_path, {"mytorch.py": FREE + line + "\n"}) / "mytorch.py") is True


def test_a_sibling_the_file_imports_is_read_and_one_it_does_not_is_not(tmp_path: Path) -> None:
    """The folder is on sys.path when the file loads: its imported siblings count, its other files do not."""
    write(tmp_path, {"mytorch.py": FREE + "import helpers\n", "helpers/__init__.py": "from .ops import add\n",
                     "helpers/ops.py": "import torch\nadd = torch.add\n", "test_mine.py": "import torch\n"})
    assert imports_torch(tmp_path / "mytorch.py") is True
    (tmp_path / "mytorch.py").write_text(FREE)  # now helpers/ is not imported; test_mine.py never was
    assert imports_torch(tmp_path / "mytorch.py") is False


def test_a_package_folder_is_read_whole(tmp_path: Path) -> None:
    """A submodule deep in the package that imports torch counts, whatever imports it (relatively or not)."""
    write(tmp_path, {"mytorch/__init__.py": FREE, "mytorch/nn/__init__.py": "from . import layers\n",
                     "mytorch/nn/layers.py": "from torch.nn import Linear\n"})
    assert imports_torch(tmp_path / "mytorch") is True
    assert imports_torch(tmp_path / "mytorch" / "__init__.py") is True
    (tmp_path / "mytorch" / "nn" / "layers.py").write_text("Linear = None  # like torch.nn.Linear\n")
    assert imports_torch(tmp_path / "mytorch") is False


PORT = {"portpkg/__init__.py": "raise RuntimeError('imported')  # read, never run\n", "portpkg/api.py": FREE,
        "portpkg/_impl.py": "import torch\n", "portpkg/tests/test_against_torch.py": "import torch\n",
        "portpkg/sub/__init__.py": "", "portpkg/sub/ops.py": FREE}


@pytest.mark.parametrize(("module", "change", "expected"), [
    ("portpkg.api", {}, False),
    ("portpkg.api", {"portpkg/api.py": FREE + "from ._impl import kernel\n"}, True),
    ("portpkg.api", {"portpkg/api.py": FREE + "from portpkg import _impl\n"}, True),
    ("portpkg.api", {"portpkg/api.py": FREE + "import portpkg._impl\n"}, True),
    ("portpkg.api", {"portpkg/__init__.py": "from . import _impl\n"}, True),
    ("portpkg.sub.ops", {"portpkg/sub/ops.py": FREE + "from .. import _impl\n"}, True),
    ("portpkg.sub.ops:tensor", {"portpkg/sub/__init__.py": "from portpkg._impl import kernel\n"}, True),
    ("portpkg.sub.ops", {"portpkg/sub/ops.py": FREE + "from . import helpers\n",
                         "portpkg/sub/helpers.py": "from .. import api\n"}, False),
    ("portpkg.sub.ops", {"portpkg/sub/ops.py": FREE + "from . import helpers\n",
                         "portpkg/sub/helpers.py": "from .. import api\n",
                         "portpkg/api.py": FREE + "from ._impl import kernel\n"}, True),
    ("portpkg.api", {"portpkg/api.py": FREE + "importlib.import_module('._impl', __package__)\n"}, True),
], ids=["tests-beside-it-do-not-count", "relative-from", "absolute-from", "absolute-import", "parent-init",
        "relative-up", "with-an-attribute", "followed-to-the-end", "followed-to-torch", "relative-by-a-call"])
def test_an_installed_module_is_read_as_what_importing_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                module: str, change: dict[str, str], expected: bool) -> None:
    """``pkg.mod`` on sys.path: its file, its packages' __init__ files and what they import of ``pkg``, never run."""
    write(tmp_path, {**PORT, **change})
    monkeypatch.syspath_prepend(str(tmp_path))
    assert preload.imports_torch(parse_spec(module)) is expected


def test_the_numpy_backend_given_as_a_module_reads_as_torch_free() -> None:
    """``--backend impls.numpy_backend``: the impls package's tests, which import torch, are not what it imports."""
    assert preload.imports_torch(parse_spec("impls.numpy_backend")) is False
    assert preload.imports_torch(parse_spec("impls.registry")) is True  # it imports backends by computed names


def test_a_tree_too_large_to_read_counts_as_importing_torch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_FILES files, or MAX_BYTES bytes, the reader stops and says yes."""
    write(tmp_path, {"mytorch/__init__.py": FREE, **{f"mytorch/m{i}.py": "x = 1\n" for i in range(5)}})
    assert imports_torch(tmp_path / "mytorch") is False
    monkeypatch.setattr(preload, "MAX_FILES", 4)
    assert imports_torch(tmp_path / "mytorch") is True
    monkeypatch.setattr(preload, "MAX_FILES", 500)
    monkeypatch.setattr(preload, "MAX_BYTES", 100)
    assert imports_torch(tmp_path / "mytorch") is True


def test_a_source_file_that_is_not_a_file_is_not_read(tmp_path: Path) -> None:
    """A ``.py`` name that is a link to a device (a hostile submission's) is skipped, not read forever."""
    write(tmp_path, {"mytorch/__init__.py": FREE})
    os.symlink("/dev/zero", tmp_path / "mytorch" / "endless.py")
    assert imports_torch(tmp_path / "mytorch") is False


def test_a_run_preloads_torch_when_any_backend_in_a_worker_imports_it(tmp_path: Path) -> None:
    """One server for the run: torch if a worker-held backend imports it; built-ins are in-process under ``auto``."""
    free = str(write(tmp_path, {"free/mytorch.py": FREE}) / "free" / "mytorch.py")
    uses = str(write(tmp_path, {"uses/mytorch.py": "import torch\ntensor = torch.tensor\n"}) / "uses" / "mytorch.py")
    assert workers_import_torch([free], "auto") is False
    assert workers_import_torch([free, "torch"], "auto") is False
    assert workers_import_torch([free, "torch"], "always") is True
    assert workers_import_torch([free, uses], "auto") is True
    assert workers_import_torch([free, uses], "never") is False
    for path, torch in ((free, False), (uses, True)):  # a handle made alone decides from its own source
        backend = WorkerBackend(parse_spec(path), Limits(seconds=5))
        assert backend.torch is torch
        backend.close()


def test_a_run_reads_the_source_once_where_it_was_read_already(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RunState.create takes the plugin's reading (the server it started preloads what it read); with none, it reads."""
    from suite.session import RunState

    uses = str(write(tmp_path, {"uses/mytorch.py": "import torch\ntensor = torch.tensor\n"}) / "uses" / "mytorch.py")
    reads: list[str] = []
    read = preload.imports_torch
    monkeypatch.setattr(preload, "imports_torch", lambda spec: reads.append(spec.target) or read(spec))
    for given, expected, times in ((False, False, 0), (None, True, 1)):
        reads.clear()
        state = RunState.create(specs=[uses], devices=["cpu"], isolate="always", limits=Limits(seconds=5),
                                report_dir=None, strict=False, load=False, torch=given)
        assert [backend.torch for backend in state.backends.values()] == [expected] and len(reads) == times
        for backend in state.backends.values():
            backend.close()
