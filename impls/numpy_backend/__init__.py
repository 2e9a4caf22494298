"""A from-scratch, numpy-only implementation of PyTorch's basic API: ``import impls.numpy_backend as torch``.

Where each behaviour of BEHAVIOURS.md is implemented:

==========  ==================================================================
T1-T4       dtypes.py (names, ``type()`` strings, inference, promotion); creation.py (``tensor``)
T5          creation.py (``from_numpy``, ``as_tensor`` share memory)
T6          creation.py (``zeros_like``, ``eye``, ``empty``...), random.py (``rand``)
T7          tensor_methods.py (in-place methods ending in ``_``)
T8          views.py (indexing), tensor.py (``item()``)
V1-V7       storage.py (strides, ``computeStride``), views.py (views that share storage)
L1          linalg.py (``mm``, ``matmul``, ``inverse``)
A1-A9       autograd.py (graph, topological backward, accumulation); ops.py, reductions.py,
            linalg.py, views.py, nn/functional.py (each operation's backward, PyTorch's node names)
M1-M8       nn/module.py (registration, traversal, state_dict, modes, printed form),
            nn/layers.py, nn/containers.py, nn/parameter.py, serialization.py (``save``/``load``)
O1-O4       optim/sgd.py, optim/optimizer.py
D1-D6       utils/data (DataLoader and friends)
==========  ==================================================================

Nothing here imports torch (impls/tests/test_numpy_backend_independent.py checks the module graph).
"""

from __future__ import annotations

import builtins

from .tensor import Tensor  # first: the operation modules refer back to it

from . import autograd, cuda, dtypes, linalg, nn, optim, random, utils
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, legacy_type, linspace,
                       numel, ones, ones_like, scalar_tensor, tensor, zeros, zeros_like)
from .device import Size, device
from .dtypes import (bool, complex64, complex128, dtype, float16, float32, float64, get_default_dtype, int8, int16,
                     int32, int64, promote_types, result_type, set_default_dtype, uint8)
from .linalg import addmm, bmm, dot, inverse, matmul, mm, mv, outer
from .ops import (abs, add, clamp, cos, div, exp, expm1, floor_divide, log, log1p, maximum, minimum, mul, neg, pow,
                  reciprocal, relu, remainder, sigmoid, sign, sin, sqrt, sub, tanh, where)
from .random import (Generator, bernoulli, default_generator, get_rng_state, initial_seed, manual_seed, multinomial,
                     normal, rand, rand_like, randint, randint_like, randn, randn_like, randperm, seed, set_rng_state)
from .reductions import all, any, cumsum, log_softmax, logsumexp, mean, norm, prod, softmax, std, sum, var
from .serialization import load, save
from .views import cat, chunk, flatten, permute, reshape, split, squeeze, stack, t, transpose, unbind, unsqueeze


__version__ = "0.1.0"

float = float32  # noqa: A001 (PyTorch's aliases: torch.float is torch.float32)
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128
concat = cat
clip = clamp
divide, multiply, subtract, true_divide, negative = div, mul, sub, div, neg

FloatTensor = legacy_type(float32)
DoubleTensor = legacy_type(float64)
HalfTensor = legacy_type(float16)
LongTensor = legacy_type(int64)
IntTensor = legacy_type(int32)
ShortTensor = legacy_type(int16)
CharTensor = legacy_type(int8)
ByteTensor = legacy_type(uint8)
BoolTensor = legacy_type(bool)


def is_tensor(obj: object) -> builtins.bool:
    """True for a Tensor (or Parameter)."""
    return isinstance(obj, Tensor)


def is_floating_point(x: Tensor) -> builtins.bool:
    """True for a float16/32/64 tensor."""
    return x.is_floating_point()


def clone(x: Tensor) -> Tensor:
    """A copy of x (CloneBackward0)."""
    return x.clone()


def max(x: Tensor, dim: object = None, keepdim: builtins.bool = False) -> object:  # noqa: A001
    """Largest element, ``(values, indices)`` along a dim, or the elementwise maximum with another tensor."""
    return x.max(dim, keepdim)


def min(x: Tensor, dim: object = None, keepdim: builtins.bool = False) -> object:  # noqa: A001
    """Smallest element, ``(values, indices)`` along a dim, or the elementwise minimum with another tensor."""
    return x.min(dim, keepdim)


def argmax(x: Tensor, dim: object = None, keepdim: builtins.bool = False) -> Tensor:
    """Index of the largest element."""
    return x.argmax(dim, keepdim)


def argmin(x: Tensor, dim: object = None, keepdim: builtins.bool = False) -> Tensor:
    """Index of the smallest element."""
    return x.argmin(dim, keepdim)


def eq(a: Tensor, b: object) -> Tensor:
    """Elementwise ``a == b``."""
    return a.eq(b)


def equal(a: Tensor, b: Tensor) -> builtins.bool:
    """Same shape and values."""
    return a.equal(b)


def allclose(a: Tensor, b: Tensor, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
             equal_nan: builtins.bool = False) -> builtins.bool:
    """All values within ``atol + rtol * |b|``."""
    return a.allclose(b, rtol, atol, equal_nan)


def set_printoptions(**options: object) -> None:
    """Accepted and ignored: the printed form is fixed (4 decimals)."""


def get_num_threads() -> builtins.int:
    """numpy's BLAS decides its own threads."""
    return 1


def set_num_threads(n: builtins.int) -> None:
    """Accepted and ignored."""
