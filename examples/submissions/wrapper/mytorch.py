"""Sample submission "complete": every API the assignment asks for, by handing each name to PyTorch.

It stands for a finished, correct submission (until the suite's own numpy
backend lands, a thin wrapper of torch is the honest way to get one). Grade it:

    pytest --backend examples/submissions/complete/mytorch.py --grade --report-dir /tmp/grade-complete
"""

import torch

__version__ = f"complete (torch {torch.__version__})"


def __getattr__(name: str) -> object:
    """Every name the suite asks for is torch's."""
    return getattr(torch, name)
