"""``torch.utils``: here only ``data`` (D1-D6)."""

from . import data

__all__ = ["data"]
