"""Mutant of the numpy backend: Module.__setattr__ registers the built-in layers' Parameters only. Caught by M1.

A port whose Linear registers its weight itself but whose base Module stores
any other attribute as a plain one: document 000's MyLiner assigns
``self.weights = nn.Parameter(...)`` and ends up with no parameters at all.
(M3's test of user-defined modules sees the same missing registrations.)
"""

from typing import Any

import impls.numpy_backend as T

BREAKS = "M1"
SUBTLE = False

_setattr = T.nn.Module.__setattr__


def _setattr_ignoring_user_parameters(self: T.nn.Module, name: str, value: Any) -> None:
    """The backend's __setattr__, except that a Parameter assigned in a user's subclass becomes a plain attribute."""
    if isinstance(value, T.nn.Parameter) and not type(self).__module__.startswith("impls.numpy_backend"):
        object.__setattr__(self, name, value)
        return
    _setattr(self, name, value)


T.nn.Module.__setattr__ = _setattr_ignoring_user_parameters
