"""``cuda``: this backend has no GPU, so ``is_available()`` is False (M5).

Everything that would need a GPU raises, as PyTorch built without CUDA does;
the suite skips the cuda device for this backend because of ``is_available()``.
"""

from __future__ import annotations


def is_available() -> bool:
    """False: computations run on the cpu with numpy (M5)."""
    return False


def device_count() -> int:
    """No GPUs."""
    return 0


def manual_seed(seed: int) -> None:
    """Nothing to seed (as PyTorch, silently)."""


def manual_seed_all(seed: int) -> None:
    """Nothing to seed."""


def synchronize(device: object = None) -> None:
    """Nothing runs asynchronously."""
