"""Benchmarks of forward and backward passes: document 002's A2 chain and document 004's 784-512-512-10 network.

Each test times one catalogued workload (``suite/benchmarks/workloads.py``) on one backend, device
and size; a plain ``pytest`` runs its body once, untimed.
"""

import pytest

from suite.benchmarks.harness import Bench
from suite.benchmarks.workloads import size_id, sizes

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("size", sizes("a2_chain_fwd_bwd"), ids=size_id("a2_chain_fwd_bwd"))
def test_bench_a2_chain_fwd_bwd(bench: Bench, size: int) -> None:
    """A2: ``out = ((2*x + 1)**2).mean(); out.backward()`` on ``size`` elements."""
    bench("a2_chain_fwd_bwd", size)


@pytest.mark.parametrize("size", sizes("network_fwd_bwd"), ids=size_id("network_fwd_bwd"))
def test_bench_network_fwd_bwd(bench: Bench, size: int) -> None:
    """M4/A2: forward and backward of 004's network on a batch of ``size`` images."""
    bench("network_fwd_bwd", size)
