"""``Parameter``: a Tensor that a Module registers when it is assigned as an attribute (M1).

A Parameter is a Tensor (``isinstance(p, Tensor)``), shares the storage of the
tensor it wraps, is a leaf, and requires grad unless told otherwise (M1).
Operations on it give plain Tensors; it pickles and deep-copies as a Parameter.
"""

from __future__ import annotations

from typing import Any

from ..creation import empty
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor marked as a module's learnable parameter (M1)."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> "Parameter":
        if data is None:
            data = empty(0)
        p = cls._make(data._storage, data._offset, data._shape, data._stride, array=data._array)
        p.requires_grad_(requires_grad)
        return p

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def is_parameter(value: Any) -> bool:
    """True for a Parameter (what ``Module.__setattr__`` registers)."""
    return isinstance(value, Parameter)
