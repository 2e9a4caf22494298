"""Benchmarks of views (V1, V2, V6): view, reshape and transpose without copying, and the contiguous() copy.

Each test times one catalogued workload (``suite/benchmarks/workloads.py``) on one backend, device
and size; a plain ``pytest`` runs its body once, untimed.
"""

import pytest

from suite.benchmarks.harness import Bench
from suite.benchmarks.workloads import size_id, sizes

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("size", sizes("view"), ids=size_id("view"))
def test_bench_view(bench: Bench, size: int) -> None:
    """V1: ``y.view(-1)`` of a contiguous (2, r, r) tensor."""
    bench("view", size)


@pytest.mark.parametrize("size", sizes("reshape"), ids=size_id("reshape"))
def test_bench_reshape(bench: Bench, size: int) -> None:
    """V2: ``y.reshape(2, -1, 1)`` of a contiguous (2, r, r) tensor."""
    bench("reshape", size)


@pytest.mark.parametrize("size", sizes("transpose"), ids=size_id("transpose"))
def test_bench_transpose(bench: Bench, size: int) -> None:
    """V6: ``y.transpose(1, 2)``, no copy."""
    bench("transpose", size)


@pytest.mark.parametrize("size", sizes("contiguous"), ids=size_id("contiguous"))
def test_bench_contiguous(bench: Bench, size: int) -> None:
    """V6: ``y.transpose(1, 2).contiguous()``, the copy to row-major order."""
    bench("contiguous", size)
