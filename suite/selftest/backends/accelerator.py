"""A device backend's stand-in: tiny with a second device, ``acc``, that computes on the cpu.

Tensors made with ``device="acc"`` or moved with ``.to("acc")`` live apart:
``str(t.device)`` is ``acc:0``, mixing them with cpu tensors raises, and
``.numpy()`` refuses them until ``.cpu()`` copies them back, as a GPU's would.
``T.acc.is_available()`` says the device is there and ``T.acc.synchronize()``
counts how often the suite waited for it. ``pytest --backend
suite/selftest/backends/accelerator.py --device acc`` validates it on ``acc``.
"""

from _export import public_names
from tiny import Tiny

_lib = Tiny(accelerator="acc")
globals().update(public_names(_lib))
__version__ = _lib.__version__
