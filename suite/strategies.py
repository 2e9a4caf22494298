"""Hypothesis strategies for the spaces behaviours hold over: shapes, dims, dtypes, data sizes."""

from __future__ import annotations

import math

from hypothesis import strategies as st

#: dtype names every torch-like backend is expected to offer.
FLOAT_DTYPES = ("float32", "float64")
INT_DTYPES = ("int32", "int64")


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Tensor shapes of ``min_dims``..``max_dims`` dims with sides in ``min_side``..``max_side``."""
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def dims(ndim: int, extra: int = 0) -> st.SearchStrategy[int]:
    """A valid dim for a tensor of ``ndim`` dims, negative ones included (``extra`` widens the range)."""
    span = max(ndim, 1) + extra
    return st.integers(-span, span - 1)


@st.composite
def factorisations(draw: st.DrawFn, numel: int, max_dims: int = 4) -> tuple[int, ...]:
    """A shape whose sizes multiply to ``numel``, possibly with size-1 dims and one ``-1``."""
    sizes: list[int] = []
    remaining = numel
    for _ in range(draw(st.integers(0, max_dims - 1))):
        divisors = [d for d in range(1, remaining + 1) if remaining % d == 0]
        size = draw(st.sampled_from(divisors))
        sizes.append(size)
        remaining //= size
    sizes.append(remaining)
    sizes = draw(st.permutations(sizes))
    if draw(st.booleans()):
        hole = draw(st.integers(0, len(sizes) - 1))
        if math.prod(s for i, s in enumerate(sizes) if i != hole) > 0:
            sizes[hole] = -1
    return tuple(sizes)


def float_dtypes() -> st.SearchStrategy[str]:
    """A floating dtype name every backend should offer."""
    return st.sampled_from(FLOAT_DTYPES)


def seeds() -> st.SearchStrategy[int]:
    """A seed for a backend's generator."""
    return st.integers(0, 2**31 - 1)


def matrix_views() -> st.SearchStrategy[tuple[int, int, int, int, bool]]:
    """A view spec ``(row_start, row_step, col_start, col_step, transposed)``: offsets 0-2, steps 1-3 (see reference.views)."""
    return st.tuples(st.integers(0, 2), st.integers(1, 3), st.integers(0, 2), st.integers(1, 3), st.booleans())
