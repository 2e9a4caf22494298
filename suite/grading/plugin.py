"""Grading hooks of the pytest plugin (``--grade``): filled in by the grading work (issue 5)."""

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """The grading options."""
    group = parser.getgroup("torch-conformance")
    group.addoption("--grade", action="store_true", help="grade the backend: isolate it, score it, write results.json and grade.md")
