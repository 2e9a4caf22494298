"""An adapter: gives a library that is not torch-shaped torch's names, and nothing else.

``suite/selftest/backends/capital_tensor.py`` spells its constructor
``Tensor(data)`` and has no lowercase ``tensor``; torch's ``Tensor`` is the
class of tensors. ``pytest --backend examples/backends/adapted_capital.py``
validates the library through this file, which the library's authors never saw.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "suite" / "selftest" / "backends"))

import capital_tensor as _lib  # noqa: E402 (after the path it lives on)
from capital_tensor import *  # noqa: E402,F401,F403 (everything it already names torch's way)

tensor = _lib.Tensor  # torch's lowercase constructor
Tensor = type(_lib.Tensor([0.0]))  # torch's Tensor is the class of tensors
__version__ = f"capital_tensor through an adapter ({_lib.__version__})"
