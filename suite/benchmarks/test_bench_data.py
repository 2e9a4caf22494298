"""Benchmarks of one DataLoader epoch (D1, D6) over synthetic MNIST-shaped samples, with 0 and 2 workers.

Each test times one catalogued workload (``suite/benchmarks/workloads.py``) on one backend, device
and size; a plain ``pytest`` runs its body once, untimed.
"""

import pytest

from suite.benchmarks.harness import Bench
from suite.benchmarks.workloads import size_id, sizes

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("size", sizes("dataloader_w0_epoch"), ids=size_id("dataloader_w0_epoch"))
def test_bench_dataloader_w0_epoch(bench: Bench, size: int) -> None:
    """D1: one epoch of ``DataLoader(dataset, batch_size=64)``."""
    bench("dataloader_w0_epoch", size)


@pytest.mark.parametrize("size", sizes("dataloader_w2_epoch"), ids=size_id("dataloader_w2_epoch"))
def test_bench_dataloader_w2_epoch(bench: Bench, size: int) -> None:
    """D6: one epoch of ``DataLoader(dataset, batch_size=64, num_workers=2)``."""
    bench("dataloader_w2_epoch", size)
