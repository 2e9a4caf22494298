"""Make the sample submission "complete": a copy of the suite's own numpy backend, as ``mytorch/`` beside this file.

A finished, correct and torch-free submission, for trying the grader. It is
made, not committed, so that the tree holds one numpy backend, not two:

    python examples/submissions/complete/make.py
    pytest --backend examples/submissions/complete/mytorch --grade --report-dir /tmp/grade-complete

Graded where it is, it earns the total: it imports neither torch nor the
suite's packages (the copy lives in the submission's own folder).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "impls" / "numpy_backend"


def make(target: Path = HERE / "mytorch") -> Path:
    """Copy the numpy backend to ``target`` (replacing an older copy) and return it."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(SOURCE, target, ignore=shutil.ignore_patterns("__pycache__"))
    init = target / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "complete (the numpy backend) ', 1))
    return target


if __name__ == "__main__":
    print(f"wrote {make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / 'mytorch')}")
