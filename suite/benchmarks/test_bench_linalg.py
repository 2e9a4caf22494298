"""Benchmarks of linear algebra (L1): the matrix product and the inverse of n x n float32 matrices.

Each test times one catalogued workload (``suite/benchmarks/workloads.py``) on one backend, device
and size; a plain ``pytest`` runs its body once, untimed.
"""

import pytest

from suite.benchmarks.harness import Bench
from suite.benchmarks.workloads import size_id, sizes

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("size", sizes("mm"), ids=size_id("mm"))
def test_bench_mm(bench: Bench, size: int) -> None:
    """L1: ``a.mm(b)``; throughput in GFLOP/s (2n³ flop)."""
    bench("mm", size)


@pytest.mark.parametrize("size", sizes("inverse"), ids=size_id("inverse"))
def test_bench_inverse(bench: Bench, size: int) -> None:
    """L1: ``a.inverse()``; throughput in GFLOP/s (counted as 2n³ flop)."""
    bench("inverse", size)
