"""Probes for T1-T8: making tensors, their dtype and type(), memory sharing, initialisers, in-place methods, indexing."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from suite.probes import device_name, dtype_name, matrix_view, python_kind, raised, read, shape_of, tensor


def _on(device: str) -> dict[str, str]:
    """``device=`` for factory functions, passed only off the cpu (as the documents never pass it)."""
    return {} if device == "cpu" else {"device": device}


def _made(T: Any, t: Any) -> dict[str, Any]:
    """A tensor's dtype, shape and values."""
    return {"dtype": dtype_name(T, t.dtype), "shape": shape_of(t), "values": read(t)}


def _info(T: Any, t: Any) -> dict[str, Any]:
    """Everything document 002 prints about a new tensor: ndim, dim(), nelement(), shape, size(), dtype, type()."""
    return {
        "ndim": int(t.ndim),
        "dim()": int(t.dim()),
        "nelement()": int(t.nelement()),
        "shape": shape_of(t),
        "size()": tuple(int(n) for n in t.size()),
        "dtype": dtype_name(T, t.dtype),
        "type()": t.type(),
        "values": read(t),
    }


# --- T1-T4 -----------------------------------------------------------------------------------------


def document_numpy_tensor(T: Any, device: str, x: np.ndarray) -> dict[str, Any]:
    """Document 002: ``x = np.random.rand(2, 3); y = torch.tensor(x)  # cf. y = torch.from_numpy(x)``."""
    y = tensor(T, device, x)
    from_numpy = T.from_numpy(np.array(x, copy=True))
    return {"tensor(x)": _info(T, y), "from_numpy(x)": _info(T, from_numpy)}


def tensor_info(T: Any, device: str, x: Any) -> dict[str, Any]:
    """Document 002: ``y = torch.tensor(x)`` and what it prints about y, for ``x = [[1, 2, 3], [4, 5, 6]]`` and others."""
    if isinstance(x, np.ndarray):
        x = np.array(x, copy=True)
    return _info(T, tensor(T, device, x))


def tensor_from_data(T: Any, device: str, data: Any) -> dict[str, Any]:
    """``torch.tensor(data)``: the dtype it infers, the shape and the values."""
    return _made(T, tensor(T, device, data))


def tensor_with_default_dtype(T: Any, device: str, data: Any, default: str) -> dict[str, Any]:
    """``torch.tensor(data)`` after ``torch.set_default_dtype(default)``; the previous default is restored."""
    previous = T.get_default_dtype()
    T.set_default_dtype(getattr(T, default))
    try:
        seen = _made(T, tensor(T, device, data))
        seen["default_inside"] = dtype_name(T, T.get_default_dtype())
    finally:
        T.set_default_dtype(previous)
    return seen


# --- T5 --------------------------------------------------------------------------------------------


def document_as_tensor(T: Any, device: str, x: np.ndarray) -> dict[str, Any]:
    """Document 002: ``y = torch.tensor(x); z = torch.as_tensor(x); x[-1, -1] = 86; print(z[-1])``.

    As in the document, ``as_tensor`` is given no device: it makes a cpu tensor
    on every run (what cuda must do is ``memory_sharing``'s to check).
    """
    x = np.array(x, copy=True)
    y = T.tensor(x)
    z = T.as_tensor(x)
    x[-1, -1] = 86
    return {"z[-1]": read(z[-1]), "y[-1]": read(y[-1])}


def memory_sharing(T: Any, device: str, constructor: str, x: np.ndarray, dtype: str | None = None) -> dict[str, Any]:
    """Make a tensor from x, write 86 into x's last element, then fill the tensor with 7, reading both after each."""
    x = np.array(x, copy=True)
    kwargs = {} if dtype is None else {"dtype": getattr(T, dtype)}
    if constructor == "tensor":
        t = tensor(T, device, x, **kwargs)
    elif constructor == "as_tensor":
        t = T.as_tensor(x, **kwargs, **_on(device))
    elif constructor == "from_numpy":
        t = T.from_numpy(x)
    elif constructor == "from_numpy().to(device)":
        t = T.from_numpy(x).to(device)
    else:
        raise ValueError(f"unknown constructor {constructor!r}")
    seen = {"device": device_name(t), "made": _made(T, t)}
    x.reshape(-1)[-1] = 86
    seen["tensor_after_numpy_write"] = read(t)
    t.fill_(7)
    seen["numpy_after_tensor_write"] = x.copy()
    return seen


# --- T6 --------------------------------------------------------------------------------------------


def document_initialisers(T: Any, device: str) -> dict[str, Any]:
    """Document 002: ``p = rand(3, 2)``, ``zeros_like(p)``, ``ones_like(p)``, ``eye(3)``, ``empty(3)``."""
    p = T.rand(3, 2, **_on(device))
    q = T.empty(3, **_on(device))
    return {
        "p": _made(T, p),
        "zeros_like(p)": _made(T, T.zeros_like(p)),
        "ones_like(p)": _made(T, T.ones_like(p)),
        "eye(3)": _made(T, T.eye(3, **_on(device))),
        "empty(3)": {"dtype": dtype_name(T, q.dtype), "shape": shape_of(q)},
    }


def like(T: Any, device: str, which: str, shape: tuple[int, ...], dtype: str) -> dict[str, Any]:
    """``zeros_like(x)`` or ``ones_like(x)`` of a tensor of ``shape`` and ``dtype``."""
    x = tensor(T, device, np.arange(math.prod(shape)).reshape(shape), dtype=getattr(T, dtype))
    made = getattr(T, which)(x)
    return {**_made(T, made), "device": device_name(made)}


def rand(T: Any, device: str, shape: tuple[int, ...]) -> dict[str, Any]:
    """``rand(*shape)``."""
    return _made(T, T.rand(*shape, **_on(device)))


def eye(T: Any, device: str, n: int, m: int | None) -> dict[str, Any]:
    """``eye(n)`` or ``eye(n, m)``."""
    return _made(T, T.eye(n, **_on(device)) if m is None else T.eye(n, m, **_on(device)))


def empty(T: Any, device: str, shape: tuple[int, ...]) -> dict[str, Any]:
    """``empty(*shape)``: only its dtype and shape are defined."""
    e = T.empty(*shape, **_on(device))
    return {"dtype": dtype_name(T, e.dtype), "shape": shape_of(e)}


# --- T7 --------------------------------------------------------------------------------------------


def inplace_chain(T: Any, device: str, values: np.ndarray, calls: list[tuple[str, tuple]]) -> dict[str, Any]:
    """``r = x; r = r.<method>(*args)`` for each call: is every result x itself, and what does x hold."""
    x = tensor(T, device, np.array(values, copy=True))
    returned_self = []
    r = x
    for name, args in calls:
        r = getattr(r, name)(*args)
        returned_self.append(r is x)
    return {"returned_self": returned_self, **_made(T, x)}


def inplace_chain_on_view(T: Any, device: str, values: np.ndarray, view: tuple, calls: list[tuple[str, tuple]]) -> dict[str, Any]:
    """``v = base[r0::rs, c0::cs]`` (maybe ``.t()``), then each in-place call on v: is each result v, and what v and base hold."""
    base = tensor(T, device, np.array(values, copy=True))
    v = matrix_view(base, view)
    returned_self = []
    r = v
    for name, args in calls:
        r = getattr(r, name)(*args)
        returned_self.append(r is v)
    return {"returned_self": returned_self, "view": read(v), "base": read(base)}


def out_of_place(T: Any, device: str, values: np.ndarray, name: str, args: tuple) -> dict[str, Any]:
    """``r = x.<name>(*args)`` without the underscore: x, r and whether r is x."""
    x = tensor(T, device, np.array(values, copy=True))
    r = getattr(x, name)(*args)
    return {"x": read(x), "result": read(r), "is_x": r is x}


# --- T8 --------------------------------------------------------------------------------------------


def _key(spec: tuple) -> tuple:
    """A Python index from plain data: an int, ``(start, stop, step)`` for a slice, ``"..."`` for Ellipsis."""
    return tuple(Ellipsis if e == "..." else slice(*e) if isinstance(e, tuple) else e for e in spec)


def document_elements(T: Any, device: str, x: np.ndarray) -> dict[str, Any]:
    """Document 002: ``print(y[:, 1])``, ``print(y[0, 0])``, ``print(y[0, 0].item())`` for y = tensor(x).

    The document never shows x; the tests pass ``reference.tensors.DOC_X``, the
    2x3 integer array every one of its prints agrees with (see there).
    """
    y = tensor(T, device, np.array(x, copy=True))
    column = y[:, 1]
    element = y[0, 0]
    value = element.item()
    return {
        "y[:, 1]": _made(T, column),
        "y[0, 0]": {**_made(T, element), "kind": python_kind(element)},
        "y[0, 0].item()": {"value": value, "kind": python_kind(value)},
    }


def index(T: Any, device: str, shape: tuple[int, ...], spec: tuple) -> dict[str, Any]:
    """``x[key]`` of a fresh int64 tensor of ``shape`` holding 0, 1, 2, ... (key as plain data, see ``_key``)."""
    x = tensor(T, device, np.arange(math.prod(shape), dtype=np.int64).reshape(shape))
    r = x[_key(spec)]
    return {**_made(T, r), "kind": python_kind(r)}


def item(T: Any, device: str, values: np.ndarray) -> dict[str, Any]:
    """``tensor(values).item()``: the value and its Python type."""
    value = tensor(T, device, np.array(values, copy=True)).item()
    return {"value": value, "kind": python_kind(value)}


def item_error(T: Any, device: str, values: np.ndarray) -> str | None:
    """Which exception ``item()`` of a tensor with more than one element raises, or None."""
    t = tensor(T, device, np.array(values, copy=True))
    return raised(lambda: t.item())
