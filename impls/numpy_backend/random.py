"""Random numbers: ``Generator`` over numpy's PCG64, ``manual_seed``, ``rand``, ``randn``, ``randperm`` (T6, D2).

A ``Generator`` wraps a ``numpy.random.Generator``; ``manual_seed(s)`` makes
the stream a function of s alone, so ``randperm(n, generator=g)`` after
``g.manual_seed(s)`` is reproducible (D2). The values differ from PyTorch's
(its generator is a Mersenne Twister), which no behaviour depends on.
Functions without ``generator=`` use the default generator that the
module-level ``manual_seed`` seeds.
"""

from __future__ import annotations

import pickle
import secrets
from typing import Any

import numpy as np

from . import dtypes
from .creation import finish, sizes_of
from .device import check_device
from .ops import wrap

Tensor = Any


class Generator:
    """A seeded stream of random numbers (``torch.Generator``) (D2)."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = check_device(device)
        self.manual_seed(67280421310721)  # PyTorch's default seed

    def manual_seed(self, seed: int) -> "Generator":
        """Restart the stream from ``seed``; returns the generator (``Generator().manual_seed(0)``)."""
        seed = int(seed)
        self._seed = seed
        self._numpy = np.random.Generator(np.random.PCG64(seed & 0xFFFF_FFFF_FFFF_FFFF))
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        value = secrets.randbits(63)
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._seed

    def get_state(self) -> Tensor:
        """The full state as a uint8 tensor (restore it with ``set_state``)."""
        blob = pickle.dumps((self._seed, self._numpy.bit_generator.state))
        return wrap(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, state: Tensor) -> "Generator":
        """Continue from a state ``get_state`` returned."""
        self._seed, bit_state = pickle.loads(state._array.tobytes())
        self._numpy.bit_generator.state = bit_state
        return self

    @property
    def numpy(self) -> np.random.Generator:
        """The numpy generator doing the work."""
        return self._numpy

    def __reduce__(self) -> tuple:
        return (_restore, (self._seed, self._numpy.bit_generator.state))


def _restore(seed: int, bit_state: dict) -> Generator:
    g = Generator().manual_seed(seed)
    g._numpy.bit_generator.state = bit_state
    return g


default_generator = Generator()


def _stream(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator).numpy


def manual_seed(seed: int) -> Generator:
    """Seed the default generator: every unseeded random call after it repeats (T6, D2)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator from entropy."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state."""
    return default_generator.get_state()


def set_rng_state(state: Tensor) -> None:
    """Restore the default generator's state."""
    default_generator.set_state(state)


def _float_dtype(dtype: dtypes.dtype | None) -> dtypes.dtype:
    dt = dtype or dtypes.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{dt.type_name[:-6]}'")
    return dt


def rand(*size: Any, generator: Generator | None = None, dtype: dtypes.dtype | None = None, device: Any = None,
         requires_grad: bool = False, **_: Any) -> Tensor:
    """Uniform on [0, 1), the default dtype (T6)."""
    dt = _float_dtype(dtype)
    kind = dt.numpy if dt.numpy in (np.float32, np.float64) else np.float64
    values = _stream(generator).random(sizes_of(size), dtype=kind).astype(dt.numpy, copy=False)
    return finish(wrap(values), requires_grad, device)


def randn(*size: Any, generator: Generator | None = None, dtype: dtypes.dtype | None = None, device: Any = None,
          requires_grad: bool = False, **_: Any) -> Tensor:
    """Standard normal, the default dtype."""
    dt = _float_dtype(dtype)
    kind = dt.numpy if dt.numpy in (np.float32, np.float64) else np.float64
    values = _stream(generator).standard_normal(sizes_of(size), dtype=kind).astype(dt.numpy, copy=False)
    return finish(wrap(values), requires_grad, device)


def randint(low: int, high: int | None = None, size: Any = None, *, generator: Generator | None = None,
            dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``; int64."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    values = _stream(generator).integers(low, high, size=sizes_of((size,)), dtype=np.int64)
    return finish(wrap(values.astype((dtype or dtypes.int64).numpy)), requires_grad, device)


def randperm(n: int, *, generator: Generator | None = None, dtype: dtypes.dtype | None = None, device: Any = None,
             requires_grad: bool = False, **_: Any) -> Tensor:
    """A random order of ``0..n-1``, each index once (D2)."""
    values = _stream(generator).permutation(int(n)).astype((dtype or dtypes.int64).numpy)
    return finish(wrap(values), requires_grad, device)


def rand_like(x: Tensor, *, dtype: dtypes.dtype | None = None, **kwargs: Any) -> Tensor:
    """Uniform on [0, 1), x's shape and dtype."""
    return rand(*x._shape, dtype=dtype or x.dtype, **kwargs)


def randn_like(x: Tensor, *, dtype: dtypes.dtype | None = None, **kwargs: Any) -> Tensor:
    """Standard normal, x's shape and dtype."""
    return randn(*x._shape, dtype=dtype or x.dtype, **kwargs)


def randint_like(x: Tensor, low: int, high: int | None = None, *, dtype: dtypes.dtype | None = None) -> Tensor:
    """Random integers of x's shape and dtype."""
    return randint(low, high, x._shape, dtype=dtype or x.dtype)


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None, **kwargs: Any) -> Tensor:
    """Normal values: ``normal(mean, std, size)`` with numbers, or elementwise from tensors of means/stds."""
    if size is not None:
        return randn(*sizes_of((size,)), generator=generator, **kwargs) * std + mean
    means = mean if hasattr(mean, "_array") else None
    shape = (means if means is not None else std)._shape
    return randn(*shape, generator=generator, dtype=(means if means is not None else std).dtype) * std + mean


def multinomial(weights: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:
    """Indices drawn with probability proportional to ``weights`` (each row of a 2-dim tensor separately)."""
    rows = weights._array.reshape(-1, weights._shape[-1]).astype(np.float64)
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    stream = _stream(generator)
    drawn = [stream.choice(row.size, size=num_samples, replace=replacement, p=row / row.sum()) for row in rows]
    result = np.array(drawn, dtype=np.int64)
    return wrap(result.reshape(num_samples) if weights.dim() == 1 else result)


def bernoulli(p: Tensor, *, generator: Generator | None = None) -> Tensor:
    """1 with probability p (elementwise), else 0, in p's dtype."""
    return wrap((_stream(generator).random(p._shape) < p._array).astype(p._array.dtype))


# --------------------------------------------------------------------------- in-place fills used by Tensor methods


def fill_uniform(x: Tensor, low: float = 0.0, high: float = 1.0, generator: Generator | None = None) -> np.ndarray:
    """Values for ``x.uniform_(low, high)``."""
    return _stream(generator).uniform(low, high, size=x._shape)


def fill_normal(x: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None) -> np.ndarray:
    """Values for ``x.normal_(mean, std)``."""
    return _stream(generator).normal(mean, std, size=x._shape)


def fill_random(x: Tensor, low: int | None = None, high: int | None = None,
                generator: Generator | None = None) -> np.ndarray:
    """Values for ``x.random_()``, ``x.random_(high)`` or ``x.random_(low, high)``: integers in [low, high)."""
    if high is None:
        low, high = 0, low
    if high is None:  # the whole range the dtype holds exactly
        high = 2**24 if x.dtype is dtypes.float32 else 2**53 if x.dtype.is_floating_point else None
        high = high or (int(np.iinfo(x.dtype.numpy).max) + 1 if x.dtype.category == "integral" else 2)
    return _stream(generator).integers(low, high - 1, size=x._shape, dtype=np.int64, endpoint=True)
