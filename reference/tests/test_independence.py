"""The reference is independent: importing all of it loads neither torch, nor a backend, nor the suite."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import reference

FORBIDDEN = ("torch", "impls", "suite")


def test_reference_module_graph_has_no_torch_backend_or_suite() -> None:
    """Every reference module imported in a fresh interpreter leaves no forbidden module in sys.modules."""
    names = [f"reference.{m.name}" for m in pkgutil.iter_modules(reference.__path__) if m.name != "tests"]
    assert names, "no reference modules found"
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    root = Path(reference.__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"reference imported {done.stdout.strip()}"
