"""Benchmarks of one SGD step (O1, O3) over N parameter elements, without and with momentum.

Each test times one catalogued workload (``suite/benchmarks/workloads.py``) on one backend, device
and size; a plain ``pytest`` runs its body once, untimed.
"""

import pytest

from suite.benchmarks.harness import Bench
from suite.benchmarks.workloads import size_id, sizes

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("size", sizes("sgd_step"), ids=size_id("sgd_step"))
def test_bench_sgd_step(bench: Bench, size: int) -> None:
    """O1/O3: ``SGD(params, lr=0.01).step()`` over ``size`` parameter elements."""
    bench("sgd_step", size)


@pytest.mark.parametrize("size", sizes("sgd_momentum_step"), ids=size_id("sgd_momentum_step"))
def test_bench_sgd_momentum_step(bench: Bench, size: int) -> None:
    """O3: ``SGD(params, lr=0.01, momentum=0.9).step()`` over ``size`` parameter elements."""
    bench("sgd_momentum_step", size)
