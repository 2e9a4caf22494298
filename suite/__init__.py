"""The pytest plugin, the probes, the conformance tests and the benchmarks."""

from pathlib import Path

#: The folder holding suite/, reference/, impls/ and reports/.
PROJECT_ROOT: Path = Path(__file__).resolve().parent.parent
