"""Benchmarks of tensor creation (T1-T5): from nested lists, copied from numpy, sharing numpy's memory.

Each test times one catalogued workload (``suite/benchmarks/workloads.py``) on one backend, device
and size; a plain ``pytest`` runs its body once, untimed.
"""

import pytest

from suite.benchmarks.harness import Bench
from suite.benchmarks.workloads import size_id, sizes

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("size", sizes("tensor_from_list"), ids=size_id("tensor_from_list"))
def test_bench_tensor_from_list(bench: Bench, size: int) -> None:
    """T2/T3: ``tensor(nested_list)`` of ``size`` Python floats, rows of ten."""
    bench("tensor_from_list", size)


@pytest.mark.parametrize("size", sizes("tensor_from_numpy"), ids=size_id("tensor_from_numpy"))
def test_bench_tensor_from_numpy(bench: Bench, size: int) -> None:
    """T1/T5: ``tensor(ndarray)`` copies ``size`` float32 elements."""
    bench("tensor_from_numpy", size)


@pytest.mark.parametrize("size", sizes("from_numpy"), ids=size_id("from_numpy"))
def test_bench_from_numpy(bench: Bench, size: int) -> None:
    """T5: ``from_numpy(ndarray)`` shares the array (and ``.to(device)`` off the cpu)."""
    bench("from_numpy", size)
