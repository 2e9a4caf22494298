"""Benchmarks: pytest-benchmark timings of every family's hot path, per backend, device and size."""
