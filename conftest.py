"""Loads the suite's pytest plugin (suite/plugin.py).

An installed checkout (`pip install -e .`) already loads it through the
`pytest11` entry point; this covers a run without that, so it is loaded once.
The name is defined only when needed: pytest refuses ``pytest_plugins`` in a
conftest that is not at the rootdir, which this one is not when the suite's
tests are collected from another folder.
"""

import sys

if "suite.plugin" not in sys.modules:
    pytest_plugins = ["suite.plugin"]
