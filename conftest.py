"""Loads the suite's pytest plugin (suite/plugin.py).

An installed checkout (`pip install -e .`) already loads it through the
`pytest11` entry point; this covers a run without that, so it is loaded once.
"""

import sys

pytest_plugins = [] if "suite.plugin" in sys.modules else ["suite.plugin"]
