"""Benchmark of one full training epoch of document 004's network on synthetic MNIST-shaped data (O4, M4, D1).

Each test times one catalogued workload (``suite/benchmarks/workloads.py``) on one backend, device
and size; a plain ``pytest`` runs its body once, untimed.
"""

import pytest

from suite.benchmarks.harness import Bench
from suite.benchmarks.workloads import size_id, sizes

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("size", sizes("train_epoch"), ids=size_id("train_epoch"))
def test_bench_train_epoch(bench: Bench, size: int) -> None:
    """O4/M4/D1: zero_grad, forward, backward and step for every batch of 64 samples."""
    bench("train_epoch", size)
