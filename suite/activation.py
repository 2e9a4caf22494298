"""Whether a pytest run asked for the suite: until it does, the installed plugin only registers its options and markers.

A run asks with any of the suite's own options (``--backend``, ``--grade``,
``--contract``, ``--known-failures``, a benchmark option of the suite's), or
with ``torch_conformance = true`` in its ini file, as this project's
pyproject.toml says so that a plain ``pytest`` at its root runs everything.
An unrelated project's run, in an environment where the suite is installed,
is left exactly as it would be without it.
"""

from __future__ import annotations

import os
import shlex

import pytest

INI_NAME = "torch_conformance"
#: The suite's options (its --help group): giving any of them asks for the suite.
OPTIONS = ("--backend", "--device", "--report-dir", "--isolate", "--time-limit", "--memory-limit", "--max-examples",
           "--contract", "--known-failures", "--grade", "--weights", "--run-budget", "--baseline", "--bench-warmup",
           "--timer-check")
#: pytest-benchmark's options that ask for timings (their argparse names): a run with any of them is timed.
TIMING_OPTIONS = (
    "benchmark_only", "benchmark_enable", "benchmark_save", "benchmark_autosave", "benchmark_json", "benchmark_compare",
)


def add_ini(parser: pytest.Parser) -> None:
    """Register the ini setting that switches the suite on for a whole project."""
    parser.addini(INI_NAME, type="bool", default=False,
                  help="run the torch-conformance suite in every pytest run of this project (as if --backend were given)")


def requested(config: pytest.Config) -> bool:
    """True when this run asked for the suite: one of its options given (command line, PYTEST_ADDOPTS, addopts), or the ini setting."""
    words = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
    try:
        words += list(config.getini("addopts"))
        if config.getini(INI_NAME):
            return True
    except ValueError:
        pass
    return any(str(word).split("=", 1)[0] in OPTIONS for word in words)
