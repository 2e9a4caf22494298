"""Turn a ``tiny.Tiny`` namespace into module-level names, the way a library's ``__init__`` lists its API."""

from __future__ import annotations

from typing import Any


def public_names(namespace: Any, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every public attribute of ``namespace`` (bound methods included), less ``leave_out``."""
    return {name: getattr(namespace, name) for name in dir(namespace)
            if not name.startswith("_") and name not in leave_out}
