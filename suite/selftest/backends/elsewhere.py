"""A port onto another framework: its devices print that framework's way, backward() leaves grads None, no seeding.

``str(t.device)`` is ``/device:CPU:0`` (TensorFlow's spelling) where torch
says ``cpu``, and ``backward()`` runs but never fills ``.grad``. Checks of
the device name and of gradients are ``failed``, saying which value was
wrong; the rest is still checked. It has no ``manual_seed`` (that framework
seeds otherwise), which the suite and its reproduce snippets must not need.
"""

from _export import public_names
from tiny import Tiny

_lib = Tiny(cpu_label="/device:CPU:0", autograd=False)
globals().update(public_names(_lib, leave_out=("manual_seed",)))
__version__ = _lib.__version__
