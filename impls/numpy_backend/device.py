"""Devices and sizes: ``torch.device`` and ``torch.Size`` (M5, T1).

This backend computes on the cpu only: ``device("cpu")`` is the one device
there is, ``cuda.is_available()`` is False, and asking for ``cuda`` raises.
"""

from __future__ import annotations

import math
from typing import Any


class device:  # noqa: N801 (PyTorch's name)
    """Where a tensor lives: ``device("cpu")``; ``str()`` is ``"cpu"`` and ``type`` is ``"cpu"`` (M5)."""

    def __init__(self, type: str | "device", index: int | None = None) -> None:  # noqa: A002 (PyTorch's argument name)
        if isinstance(type, device):
            type, index = type.type, type.index
        kind, _, number = str(type).partition(":")
        if kind not in ("cpu", "cuda", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, meta device type at start of device string: {type}")
        self.type = kind
        self.index = int(number) if number else index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, device):
            return (self.type, self.index) == (other.type, other.index)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


CPU = device("cpu")


def check_device(where: Any) -> device:
    """The device asked for, which must be the cpu: RuntimeError for cuda, as PyTorch built without CUDA says (M5)."""
    if where is None:
        return CPU
    found = device(where)
    if found.type != "cpu":
        raise RuntimeError(f"Torch not compiled with CUDA enabled: this numpy backend has no {found.type} device")
    return CPU


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``torch.Size([2, 3])`` (T1)."""

    def __new__(cls, sizes: Any = ()) -> "Size":
        return super().__new__(cls, (int(n) for n in sizes))

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)

    def __getitem__(self, key: Any) -> Any:
        found = super().__getitem__(key)
        return Size(found) if isinstance(key, slice) else found

    def __add__(self, other: Any) -> "Size":
        return Size(tuple(self) + tuple(other))

    def __reduce__(self) -> tuple:
        return (Size, (tuple(self),))
