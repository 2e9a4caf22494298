"""The sample submissions as the self-tests build on them: ``complete`` made by its own make.py, as a user makes it."""

from __future__ import annotations

import runpy
from pathlib import Path

from suite import PROJECT_ROOT

#: The script that makes the torch-free ``complete`` sample (a copy of the numpy backend).
MAKE_COMPLETE = PROJECT_ROOT / "examples" / "submissions" / "complete" / "make.py"


def make_complete(target: Path) -> Path:
    """A torch-free, complete submission package at ``target`` (examples/submissions/complete/make.py's copy)."""
    return runpy.run_path(str(MAKE_COMPLETE))["make"](target)
