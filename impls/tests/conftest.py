"""Fixtures for the registry's and backends' tests."""

from __future__ import annotations

import sys
from typing import Iterator

import pytest


@pytest.fixture
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let a test import throwaway modules without leaving them in sys.modules or sys.path.

    sys.modules is restored in place: the import machinery keeps using the original dict.
    """
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]
