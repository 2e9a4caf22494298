"""Benchmark hooks of the pytest plugin: filled in by the benchmarks work (issue 4)."""
