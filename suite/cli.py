"""What the suite's command-line tools share: the name a tool was started under, and the tools themselves."""

from __future__ import annotations

import os
import sys

#: The installed commands (pyproject.toml's [project.scripts]) and the ``python -m`` module each one runs.
COMMANDS: dict[str, str] = {
    "torch-conformance-grade": "suite.grading.batch",
    "torch-conformance-compare": "reports.compare",
    "torch-conformance-timer-agreement": "suite.benchmarks.agreement",
    "torch-conformance-contract": "suite.contract",
    "torch-conformance-catalogue": "suite.catalogue",
    "torch-conformance-mutants": "suite.mutants",
    "torch-conformance-speed": "suite.speed",
}


def prog(module: str) -> str:
    """``torch-conformance-grade`` when started as that command, ``python -m suite.grading.batch`` when run with -m."""
    started = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return started if started in COMMANDS else f"python -m {module}"
