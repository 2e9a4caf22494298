"""Sample submission "wrapper": no code of its own, every name handed to PyTorch.

By default a grading run forbids importing torch (``[grading] forbidden`` in
``suite/grading/weights.toml``), so this scores zero, with the cause "imports
forbidden module torch" said once at the top of grade.md and results.json:

    pytest --backend examples/submissions/wrapper/mytorch.py --grade --report-dir /tmp/grade-wrapper

A course whose students may build on PyTorch lists nothing
(``--weights examples/courses/torch_allowed.toml``); then this earns the total.
"""

import torch

__version__ = f"wrapper (torch {torch.__version__})"


def __getattr__(name: str) -> object:
    """Every name the suite asks for is torch's."""
    return getattr(torch, name)
