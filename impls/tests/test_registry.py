"""The registry resolves every backend spec form the README lists, and says clearly why one does not resolve."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from impls import registry
from impls.registry import BackendSpecError, load, parse_spec

TORCH_LIKE = "def tensor(data):\n    return data\n__version__ = '1.2.3'\n"


def write(path: Path, text: str) -> Path:
    """Write a file (and its folders) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize(
    ("text", "label", "kind"),
    [
        ("torch", "torch", "builtin"),
        ("numpy", "numpy", "builtin"),
        ("mine=torch", "mine", "builtin"),
        ("pkg.mod", "pkg.mod", "module"),
        ("pkg.mod:ns", "pkg.mod.ns", "module"),
        ("./alice/mytorch.py", "mytorch", "path"),
        ("alice/mytorch.py:T", "mytorch", "path"),
        ("subs/bob/", "bob", "path"),
        ("alice=./alice/mytorch.py", "alice", "path"),
    ],
    ids=["builtin", "builtin-numpy", "labelled-builtin", "module", "module-attr", "file", "file-attr", "folder", "labelled-file"],
)
def test_parse_spec(text: str, label: str, kind: str) -> None:
    """Each spec form gets the label and kind a user would expect, without importing anything."""
    spec = parse_spec(text)
    assert (spec.label, spec.kind) == (label, kind)
    assert spec.text == text


def test_path_targets_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative file is fixed against the folder the user typed it in (workers run elsewhere)."""
    monkeypatch.chdir(tmp_path)
    spec = parse_spec("a/b.py:T")
    assert spec.target == f"{tmp_path}/a/b.py:T"
    assert parse_spec(spec.canonical) == registry.BackendSpec(spec.label, spec.target, "path", spec.canonical)


def test_empty_spec_is_refused() -> None:
    """An empty spec says what to give instead."""
    with pytest.raises(BackendSpecError, match="empty backend spec"):
        parse_spec("alice=")


def test_load_builtin_torch_is_torch_itself() -> None:
    """The torch backend is PyTorch's own module, cpu always available."""
    import torch

    assert load("torch") is torch
    assert registry.device_availability(torch)["cpu"] is None


def test_load_file_and_attribute(tmp_path: Path, isolated_imports: None) -> None:
    """A .py file loads without installing it; ``file.py:attr`` picks an object inside."""
    file = write(tmp_path / "mytorch.py", TORCH_LIKE + "class Box:\n    tensor = staticmethod(tensor)\nns = Box()\n")
    module = load(str(file))
    assert module.tensor(5) == 5 and registry.version_of(module) == "1.2.3"
    assert load(f"{file}:ns").tensor(7) == 7


def test_load_package_folder_with_relative_and_absolute_imports(tmp_path: Path, isolated_imports: None) -> None:
    """A package folder loads with its own submodules, imported relatively or by its own name."""
    write(tmp_path / "minitorch" / "__init__.py", "from .core import tensor\nfrom minitorch import extra\n")
    write(tmp_path / "minitorch" / "core.py", TORCH_LIKE)
    write(tmp_path / "minitorch" / "extra.py", "VALUE = 1\n")
    module = load(str(tmp_path / "minitorch"))
    assert module.tensor(3) == 3 and module.extra.VALUE == 1


def test_file_named_like_an_imported_module_loads_under_its_own_name(tmp_path: Path, isolated_imports: None) -> None:
    """A student's ``numpy.py`` does not collide with the real numpy already imported."""
    file = write(tmp_path / "numpy.py", TORCH_LIKE)
    module = load(str(file))
    import numpy

    assert module is not numpy and module.tensor(1) == 1 and hasattr(numpy, "ndarray")


def test_load_module_and_module_attribute(tmp_path: Path, isolated_imports: None) -> None:
    """``pkg.mod`` and ``pkg.mod:attr`` import an installed or importable module."""
    write(tmp_path / "cpkg" / "__init__.py", "")
    write(tmp_path / "cpkg" / "backend.py", TORCH_LIKE + "class NS:\n    tensor = staticmethod(tensor)\n")
    sys.path.insert(0, str(tmp_path))
    assert load("cpkg.backend").tensor(2) == 2
    assert load("cpkg.backend:NS").tensor(4) == 4


def test_entry_point_backend(tmp_path: Path, isolated_imports: None) -> None:
    """An installed package offering ``torch_conformance.backends = name`` resolves by that name."""
    write(tmp_path / "epkg.py", TORCH_LIKE)
    info = tmp_path / "epkg-1.0.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: epkg\nVersion: 1.0\n")
    write(info / "entry_points.txt", f"[{registry.ENTRY_POINT_GROUP}]\nmytorch-ep = epkg\n")
    sys.path.insert(0, str(tmp_path))
    spec = parse_spec("mytorch-ep")
    assert spec.kind == "entry_point"
    assert load(spec).tensor(9) == 9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no.such.module", "no module named 'no.such.module'"),
        ("./no/such/file.py", "no such file or folder"),
        ("numpy:no_such_attr", "has no attribute 'no_such_attr'"),
        ("json", "json is not a torch-like namespace (it has none of tensor, Tensor, from_numpy"),
    ],
    ids=["unknown-module", "missing-file", "missing-attribute", "not-torch-like"],
)
def test_unresolvable_specs_say_why_in_one_line(text: str, message: str) -> None:
    """What was asked and what failed, on one line."""
    with pytest.raises(BackendSpecError) as info:
        load(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("import definitely_not_installed_pkg\n", "ModuleNotFoundError: No module named 'definitely_not_installed_pkg' at "),
        ("x = 1\nraise ValueError('broken on purpose')\n", "ValueError: broken on purpose at "),
        ("def f(:\n", "SyntaxError"),
        ("import sys\nsys.exit(0)\n", "SystemExit"),
    ],
    ids=["missing-dependency", "raises", "syntax-error", "exits"],
)
def test_import_errors_name_file_and_line(tmp_path: Path, isolated_imports: None, body: str, fragment: str) -> None:
    """A backend that fails at import is reported with the exception and where it came from."""
    file = write(tmp_path / "broken.py", body)
    with pytest.raises(BackendSpecError) as info:
        load(str(file))
    text = str(info.value)
    assert fragment in text and "importing it raised" in text
    if fragment != "SystemExit":
        assert "broken.py:" in text


def test_device_availability_reports_reasons() -> None:
    """cpu is always there; cuda is there only when cuda.is_available() says so, else the reason."""
    has_cuda = SimpleNamespace(tensor=None, cuda=SimpleNamespace(is_available=lambda: True))
    no_cuda = SimpleNamespace(tensor=None, cuda=SimpleNamespace(is_available=lambda: False))

    def boom() -> bool:
        raise RuntimeError("driver")

    broken = SimpleNamespace(tensor=None, cuda=SimpleNamespace(is_available=boom))
    assert registry.device_availability(has_cuda) == {"cpu": None, "cuda": None}
    assert registry.device_availability(no_cuda)["cuda"] == "cuda.is_available() is False"
    assert registry.device_availability(SimpleNamespace(tensor=None))["cuda"].startswith(
        "the backend has no cuda.is_available(), and tensor([0.0], device='cuda') raised TypeError")
    assert "RuntimeError: driver" in registry.device_availability(broken)["cuda"]


def test_a_device_name_the_backend_does_not_use_is_told_from_one_it_lacks() -> None:
    """Unknown: no ``T.<name>.is_available()`` and no tensor there. Known: either, even when the device is absent."""
    def refuse(data: list[float], device: str) -> None:
        raise RuntimeError(f"no device {device!r}")

    def make(data: list[float], device: str) -> SimpleNamespace:
        return SimpleNamespace(device=device)

    checks = registry.check_devices(SimpleNamespace(tensor=refuse, mps=SimpleNamespace(is_available=lambda: False)),
                                    ("cpu", "mps", "cpux"))
    assert [checks[name].known for name in ("cpu", "mps", "cpux")] == [True, True, False]
    assert checks["mps"].reason == "mps.is_available() is False" and "no device 'cpux'" in checks["cpux"].reason
    made = registry.check_devices(SimpleNamespace(tensor=make), ("acc",))["acc"]
    assert made.known and made.reason is None


def test_loader_snippet_gives_T() -> None:
    """Repro snippets start with a line that binds the backend to T."""
    assert registry.loader_snippet(parse_spec("torch")) == "import torch as T"
    assert registry.loader_snippet(parse_spec("numpy")) == "import impls.numpy_backend as T"
    assert registry.loader_snippet(parse_spec("pkg.mod")) == "import pkg.mod as T"
    assert registry.loader_snippet(parse_spec("/x/m.py")) == "from impls.registry import load; T = load('/x/m.py')"


def test_a_namespace_without_lowercase_tensor_is_accepted(tmp_path: Path) -> None:
    """Offering some of torch's API is enough to load: what is absent is reported missing per behaviour."""
    (tmp_path / "mini.py").write_text("class Tensor:\n    pass\n\ndef zeros(*shape):\n    return Tensor()\n")
    namespace = load(str(tmp_path / "mini.py"))
    assert not hasattr(namespace, "tensor") and hasattr(namespace, "zeros")


@pytest.mark.parametrize("layout", ["torch/__init__.py", "torch.py", "numpy/__init__.py"])
def test_a_submission_named_like_a_built_in_takes_its_folders_name(tmp_path: Path, layout: str) -> None:
    """``alice/torch/`` is labelled ``alice``, never ``torch``: reports must not mistake it for PyTorch."""
    file = tmp_path / "alice" / layout
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("def tensor(data):\n    return data\n")
    target = file.parent if file.name == "__init__.py" else file
    spec = parse_spec(str(target))
    assert (spec.label, spec.kind) == ("alice", "path")


def test_a_built_in_name_in_a_built_in_named_folder_asks_for_a_label(tmp_path: Path) -> None:
    """``torch/torch.py`` cannot be named for its folder either: the error says how to label it."""
    file = tmp_path / "numpy" / "torch.py"
    file.parent.mkdir()
    file.write_text("tensor = list\n")
    with pytest.raises(BackendSpecError, match=r"give it a label: mine="):
        parse_spec(str(file))
    assert parse_spec(f"mine={file}").label == "mine"


def test_any_device_is_asked_of_the_backend() -> None:
    """``T.<name>.is_available()`` where the backend has it, else a tensor made there must say it is there."""
    class Made:
        def __init__(self, device: str) -> None:
            self.device = device

    def tensor(data: object, device: str = "cpu") -> Made:
        if device.startswith("npu"):
            return Made("npu:0")
        if device == "fake":
            return Made("cpu")
        raise RuntimeError(f"no device {device}")

    lib = SimpleNamespace(tensor=tensor, xpu=SimpleNamespace(is_available=lambda: True))
    found = registry.device_availability(lib, ("cpu", "xpu", "npu", "npu:1", "fake", "mps"))
    assert found["cpu"] is None and found["xpu"] is None and found["npu"] is None and found["npu:1"] is None
    assert found["fake"].endswith("says it is on 'cpu'")
    assert "raised RuntimeError: no device mps" in found["mps"]


def test_a_built_in_backends_version_is_read_without_loading_it() -> None:
    """torch's version comes from its installed metadata (no import of torch); numpy's from the backend itself."""
    import importlib.metadata
    import subprocess
    import sys

    from impls import numpy_backend

    code = ("import sys; from impls.registry import builtin_version; "
            "print(builtin_version('torch'), builtin_version('numpy'), 'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    torch_version = importlib.metadata.version("torch")
    assert done.stdout.split() == [torch_version, numpy_backend.__version__, "False"]

