"""The numpy backend is independent of PyTorch: its module graph never contains torch, and it works where torch cannot be imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import impls

ROOT = Path(impls.__file__).resolve().parent.parent

#: Import every module of the backend (the namespace and each submodule), then report what sys.modules holds.
IMPORT_ALL = """
import importlib, pkgutil, sys
import impls.numpy_backend as backend
for info in pkgutil.walk_packages(backend.__path__, prefix="impls.numpy_backend."):
    importlib.import_module(info.name)
"""

#: A meta-path finder that refuses torch, as if it were not installed.
REFUSE_TORCH = """
import sys

class RefuseTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"torch is not importable in this test (asked for {name})")
        return None

sys.meta_path.insert(0, RefuseTorch())
"""

#: A short use of the backend: a tensor, a view, a backward pass, a module and an optimiser step.
USE = """
import impls.numpy_backend as T
x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
(x.view(-1) ** 2).sum().backward()
model = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU(), T.nn.Linear(3, 1))
optimizer = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
T.nn.functional.mse_loss(model(x.detach()), T.zeros(2, 1)).backward()
optimizer.step()
assert x.grad.tolist() == [[2.0, 4.0], [6.0, 8.0]], x.grad
"""


def run_python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter at the repository root."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_module_graph_has_no_torch() -> None:
    """Importing the backend and every one of its submodules leaves no torch module in sys.modules."""
    done = run_python(IMPORT_ALL + USE + "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'torch')))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"the numpy backend imported {done.stdout.strip()}"


def test_works_where_torch_cannot_be_imported() -> None:
    """With torch made unimportable, the backend imports, computes and trains all the same."""
    done = run_python(REFUSE_TORCH + IMPORT_ALL + USE + "print('ok')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_guard_does_refuse_torch() -> None:
    """The meta-path guard of the test above really stops ``import torch`` (so its passing means something)."""
    done = run_python(REFUSE_TORCH + "import torch")
    assert done.returncode != 0
    assert "torch is not importable" in done.stderr
