"""Probes for V1-V7: view, reshape, squeeze, unsqueeze, transpose, contiguous (document 002)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from suite.probes import raised, read, shape_of, tensor


def _arange(T: Any, device: str, shape: tuple[int, ...]) -> Any:
    """A fresh int64 tensor of ``shape`` holding 0, 1, 2, ... in row-major order."""
    return tensor(T, device, np.arange(math.prod(shape), dtype=np.int64).reshape(shape))


def _seen(t: Any) -> dict[str, Any]:
    """Shape and values of a result."""
    return {"shape": shape_of(t), "values": read(t)}


def _document_y(T: Any, device: str) -> Any:
    """``y = torch.tensor(x)`` for the document's x, of shape (2, 2, 2)."""
    x = np.array([[[29, 3], [18, 10]], [[27, 10], [12, 5]]])
    return tensor(T, device, x)


def document_view(T: Any, device: str) -> dict[str, Any]:
    """Document 002: ``y.view(-1)``, ``y.view(1, -1)``, ``y.view(2, -1)``."""
    y = _document_y(T, device)
    return {"view(-1)": _seen(y.view(-1)), "view(1,-1)": _seen(y.view(1, -1)), "view(2,-1)": _seen(y.view(2, -1))}


def document_reshape(T: Any, device: str) -> dict[str, Any]:
    """Document 002: ``s = y.reshape(2, -1, 1)``."""
    return {"reshape(2,-1,1)": _seen(_document_y(T, device).reshape(2, -1, 1))}


def document_squeeze(T: Any, device: str) -> dict[str, Any]:
    """Document 002: ``s.squeeze(2)``; ``s.squeeze(0)`` and ``s.squeeze(1)`` have no effect."""
    s = tensor(T, device, np.array([[[29], [3], [18], [10]], [[27], [10], [12], [5]]]))
    return {"squeeze(2)": _seen(s.squeeze(2)), "squeeze(0)": _seen(s.squeeze(0)), "squeeze(1)": _seen(s.squeeze(1))}


def document_unsqueeze(T: Any, device: str) -> dict[str, Any]:
    """Document 002: ``ss.unsqueeze(0)``, ``(1)``, ``(2)`` on ss of shape (2, 4)."""
    ss = tensor(T, device, np.array([[29, 3, 18, 10], [27, 10, 12, 5]]))
    return {f"unsqueeze({d})": _seen(ss.unsqueeze(d)) for d in (0, 1, 2)}


def document_transpose(T: Any, device: str) -> dict[str, Any]:
    """Document 002: ``y.transpose(1, 2)``, its ``contiguous()``, and ``y.transpose(0, 1)``."""
    y = _document_y(T, device)
    t_021 = y.transpose(1, 2)
    c_021 = t_021.contiguous()
    t_012 = y.transpose(0, 1)
    return {
        "transpose(1,2)": {**_seen(t_021), "is_contiguous": bool(t_021.is_contiguous())},
        "contiguous()": {**_seen(c_021), "is_contiguous": bool(c_021.is_contiguous())},
        "transpose(0,1)": {**_seen(t_012), "is_contiguous": bool(t_012.is_contiguous())},
    }


def view(T: Any, device: str, shape: tuple[int, ...], new_shape: tuple[int, ...]) -> dict[str, Any]:
    """``x.view(*new_shape)`` of a fresh tensor of ``shape``."""
    return _seen(_arange(T, device, shape).view(*new_shape))


def view_error(T: Any, device: str, shape: tuple[int, ...], new_shape: tuple[int, ...]) -> str | None:
    """Which exception ``x.view(*new_shape)`` raises, or None."""
    x = _arange(T, device, shape)
    return raised(lambda: x.view(*new_shape))


def reshape(T: Any, device: str, shape: tuple[int, ...], new_shape: tuple[int, ...]) -> dict[str, Any]:
    """``x.reshape(*new_shape)`` of a fresh tensor of ``shape``."""
    return _seen(_arange(T, device, shape).reshape(*new_shape))


def view_shares_storage(T: Any, device: str, shape: tuple[int, ...], new_shape: tuple[int, ...]) -> dict[str, Any]:
    """Write through a view, read the base; write the base, read the view."""
    base = _arange(T, device, shape)
    v = base.view(*new_shape)
    v.add_(100)
    base_after_view_write = read(base)
    base.mul_(2)
    return {"base_after_view_write": base_after_view_write, "view_after_base_write": read(v)}


def squeeze(T: Any, device: str, shape: tuple[int, ...], dim: int | None) -> dict[str, Any]:
    """``x.squeeze()`` (dim None) or ``x.squeeze(dim)``."""
    x = _arange(T, device, shape)
    return _seen(x.squeeze() if dim is None else x.squeeze(dim))


def squeeze_error(T: Any, device: str, shape: tuple[int, ...], dim: int) -> str | None:
    """Which exception ``x.squeeze(dim)`` raises, or None."""
    x = _arange(T, device, shape)
    return raised(lambda: x.squeeze(dim))


def unsqueeze(T: Any, device: str, shape: tuple[int, ...], dim: int) -> dict[str, Any]:
    """``x.unsqueeze(dim)``."""
    return _seen(_arange(T, device, shape).unsqueeze(dim))


def unsqueeze_error(T: Any, device: str, shape: tuple[int, ...], dim: int) -> str | None:
    """Which exception ``x.unsqueeze(dim)`` raises, or None."""
    x = _arange(T, device, shape)
    return raised(lambda: x.unsqueeze(dim))


def transpose(T: Any, device: str, shape: tuple[int, ...], dim0: int, dim1: int) -> dict[str, Any]:
    """``x.transpose(dim0, dim1)``: shape, values, contiguity, and whether it shares x's storage."""
    x = _arange(T, device, shape)
    t = x.transpose(dim0, dim1)
    seen = {**_seen(t), "is_contiguous": bool(t.is_contiguous())}
    t.add_(100)
    seen["base_after_write"] = read(x)
    return seen


def contiguous(T: Any, device: str, shape: tuple[int, ...], dim0: int, dim1: int) -> dict[str, Any]:
    """``x.transpose(dim0, dim1).contiguous()``: values, contiguity, and independence from x when copied."""
    x = _arange(T, device, shape)
    t = x.transpose(dim0, dim1)
    was_contiguous = bool(t.is_contiguous())
    c = t.contiguous()
    seen = {**_seen(c), "is_contiguous": bool(c.is_contiguous()), "transposed_was_contiguous": was_contiguous}
    c.add_(100)
    seen["base_after_write"] = read(x)
    return seen


def view_after_transpose(
    T: Any, device: str, shape: tuple[int, ...], dim0: int, dim1: int, new_shape: tuple[int, ...]
) -> dict[str, Any]:
    """On ``x.transpose(dim0, dim1)``: does ``view(new_shape)`` raise, and what does ``reshape`` give."""
    t = _arange(T, device, shape).transpose(dim0, dim1)
    return {"view_error": raised(lambda: t.view(*new_shape)), "reshape": _seen(t.reshape(*new_shape))}
