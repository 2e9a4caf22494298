"""A first week's mini-torch: tensors with methods (view, sum, mm, backward, ...) but no operators and no indexing.

``a + b``, ``x ** 2``, ``A @ B`` and ``t[0]`` raise TypeError: those
behaviours are ``missing`` (not yet written), and everything reached through
methods is still checked.
"""

from _export import public_names
from tiny import Tiny

_lib = Tiny(operators=False)
globals().update(public_names(_lib))
__version__ = _lib.__version__
