"""Probes: the documents' snippets, run on a backend ``T``, returning plain data.

A probe is a module-level function ``probe(T, device, **kwargs)`` that uses a
backend the way the documents use torch and returns only plain data (numpy
arrays, Python values, tuples, dicts): never a tensor. The test that calls it
compares that data with ``reference`` in the test process, so a probe can run
in a worker process apart from the checks. One module per family.

The helpers here are the only way probes read values back. Each states the
convention it relies on (``@convention``): ``suite.contract`` lists, per
behaviour, which conventions its probes rely on, next to the names they use.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


def convention(text: str) -> Callable[[F], F]:
    """Mark a helper with the convention a backend must follow for it (one sentence, for the contract)."""
    def mark(helper: F) -> F:
        helper.__convention__ = text  # type: ignore[attr-defined]
        return helper

    return mark


#: dtype names a backend may offer, as attributes of its namespace (``T.float32``).
DTYPE_NAMES = (
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
)


@convention("a tensor is made as `T.tensor(data, dtype=..., requires_grad=...)`, with `device=` passed only off the cpu")
def tensor(T: Any, device: str, data: Any, **kwargs: Any) -> Any:
    """``T.tensor(data, **kwargs)`` made on ``device`` (device= is passed only off the cpu)."""
    if device != "cpu":
        kwargs["device"] = device
    return T.tensor(data, **kwargs)


@convention("values are read back as `t.detach().cpu().numpy()`, each step taken where the tensor has it, else `np.asarray(t)`")
def read(t: Any) -> np.ndarray | None:
    """A tensor's values as a numpy array (a copy), or None for None."""
    if t is None:
        return None
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    array = t.numpy() if hasattr(t, "numpy") else np.asarray(t)
    return np.array(array, copy=True)


@convention("views are taken as `t[r0::rs, c0::cs]` and `.t()`: basic slicing with steps")
def matrix_view(t: Any, view: tuple[int, int, int, int, bool]) -> Any:
    """``t[r0::rs, c0::cs]``, then ``.t()`` when ``transposed``: a view with an offset and strides (plain-data spec)."""
    row_start, row_step, col_start, col_step, transposed = view
    sliced = t[row_start::row_step, col_start::col_step]
    return sliced.t() if transposed else sliced


@convention("a dtype is recognised by `T.<name> == t.dtype` for torch's names (float32, int64, bool, ...)")
def dtype_name(T: Any, dtype: Any) -> str:
    """The name under which ``T`` offers ``dtype`` (``"float32"``), else its str()."""
    for name in DTYPE_NAMES:
        candidate = getattr(T, name, None)
        if candidate is not None and candidate == dtype:
            return name
    return str(dtype)


@convention("`t.shape` iterates over ints (a tuple, or torch.Size)")
def shape_of(t: Any) -> tuple[int, ...]:
    """A tensor's shape as a tuple of ints."""
    return tuple(int(n) for n in t.shape)


@convention("`type(t.grad_fn).__name__` is torch's node name (AddBackward0), and `t.grad_fn` is None on a leaf")
def grad_fn_name(t: Any) -> str | None:
    """The class name of a tensor's grad_fn (``"AddBackward0"``), or None."""
    fn = getattr(t, "grad_fn")
    return None if fn is None else type(fn).__name__


@convention("an error is any Exception, compared by class name (RuntimeError, IndexError); AttributeError and NotImplementedError mean missing")
def raised(action: Callable[[], Any]) -> str | None:
    """Run ``action``; return the name of the Exception it raised, or None if it returned.

    A missing API (AttributeError, NotImplementedError) is not an answer: it
    propagates, so the test is reported ``missing`` rather than passing because
    "something was raised".
    """
    try:
        action()
    except (AttributeError, NotImplementedError):
        raise
    except Exception as exc:  # the probe records which error; the test decides if it was right
        return type(exc).__name__
    return None


@convention("`item()` and `tolist()` give Python numbers: int, float, bool, complex")
def python_kind(value: Any) -> str:
    """``"int"``, ``"float"``, ``"bool"`` or ``"complex"`` for a Python number, else its type name."""
    for kind in (bool, int, float, complex):
        if type(value) is kind:
            return kind.__name__
    return type(value).__name__


@convention("`str(t.device)` is the device's name, optionally with `:index` (`cpu`, `cuda:0`, `acc:0`)")
def device_name(t: Any) -> str:
    """Where a tensor says it is, as printed: ``str(t.device)``."""
    return str(t.device)
