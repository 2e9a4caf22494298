"""A backend file that is torch itself, seen through a thin wrapper: the smallest plug-in there is.

Validate it with:  pytest --backend examples/backends/thin_torch.py
Every attribute the suite asks of this module is torch's, so it must pass
everything torch passes. The suite's mutant self-test runs it beside each
family's mutants as the control.
"""

import torch

__version__ = f"thin wrapper of torch {torch.__version__}"


def __getattr__(name: str) -> object:
    """Answer every other attribute with torch's."""
    return getattr(torch, name)
