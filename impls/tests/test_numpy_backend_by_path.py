"""The numpy backend loaded from its folder (``--backend np=impls/numpy_backend``) is one backend, not two."""

from __future__ import annotations

from pathlib import Path

from impls.registry import load


def test_loader_batches_are_tensors_of_the_backend_loaded(isolated_imports: None) -> None:
    """DataLoader batches come from the same copy of the package the user loaded by path."""
    T = load(str(Path(__file__).resolve().parents[1] / "numpy_backend"))
    batch = next(iter(T.utils.data.DataLoader([1, 2, 3], batch_size=2)))
    assert isinstance(batch, T.Tensor)
    assert batch.dtype == T.int64
