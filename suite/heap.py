"""The run's long-lived objects and Python's garbage collector.

A run holds a few hundred thousand objects that live until it ends: the
modules of torch, numpy, pandas, hypothesis and pytest, the loaded backends,
the collected tests. Every full collection walks all of them again, for
nothing: about a dozen such collections in ``pytest --backend torch``, each
0.1 s once torch is imported, and pytest's own two at its end, 1.5-1.9 s of
a 13 s run here (``gc.callbacks`` timing). ``freeze_survivors`` moves what
is alive at that moment into the collector's permanent generation
(``gc.freeze``), which later collections skip; what the tests create is
collected as before. It does not count them: ``gc.get_freeze_count()`` walks
the whole permanent generation (35 ms a call with torch imported).
"""

from __future__ import annotations

import gc


def freeze_survivors() -> None:
    """Exempt every object alive now from later collections (``gc.freeze``)."""
    gc.freeze()
