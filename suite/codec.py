"""A safe codec for the plain data that probes return and take.

What crosses from a backend's worker process to the process that grades must
never be able to run code there, so this is JSON with a few tagged forms, not
pickle: a numpy array travels as its dtype's name, its shape and its bytes in C
order (a structured one as ``np.save`` bytes with ``allow_pickle=False``).
Plain data is None, bool, int, float, complex, str, bytes, tuple, list, dict,
numpy arrays of non-object dtype and numpy scalars.
"""

from __future__ import annotations

import base64
import io
import json
import math
import time
from typing import Any

import numpy as np


class CodecError(TypeError):
    """A value that is not plain data (a tensor, an object) where plain data is required."""


class TooDeep(CodecError):
    """A message nested deeper than ``MAX_DEPTH``."""


class TooSlow(CodecError):
    """A message whose decoding ran past its deadline (colliding dictionary keys, say)."""


#: The deepest nesting a message may have (probes' values are a few levels deep).
MAX_DEPTH = 100
#: Nodes decoded between two looks at the clock.
CLOCK_EVERY = 1024


def _encode(value: Any) -> Any:
    """Turn plain data into JSON-able data, tagging what JSON lacks."""
    if isinstance(value, np.generic):  # first: np.float64 is also a float, np.complex128 a complex
        return {"__npscalar__": _encode(np.asarray(value))}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, complex):
        return {"__complex__": [_encode(value.real), _encode(value.imag)]}
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise CodecError(f"an object array cannot cross the process boundary: {value!r:.80}")
        if value.dtype.fields is None:  # the common case: a dozen times faster than np.save's header and parser
            raw = np.ascontiguousarray(value).tobytes()
            return {"__array__": [value.dtype.str, list(value.shape), base64.b64encode(raw).decode("ascii")]}
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"__ndarray__": base64.b64encode(buffer.getvalue()).decode("ascii")}
    raise CodecError(f"not plain data: {type(value).__module__}.{type(value).__qualname__} (probes return numpy arrays and Python values)")


class _Budget:
    """How deep and how long a decoding may go: depth is checked at every level, the clock every CLOCK_EVERY nodes."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.nodes = 0

    def tick(self, depth: int) -> None:
        """Count one node at ``depth``; raise TooDeep or TooSlow past the limits."""
        if depth >= MAX_DEPTH:  # depth counts from 0: MAX_DEPTH levels at most
            raise TooDeep(f"the message is nested more than {MAX_DEPTH} levels deep")
        self.nodes += 1
        if self.deadline is not None and self.nodes % CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            raise TooSlow(f"decoding the message ran past its deadline after {self.nodes} values")


def _decode(value: Any, budget: _Budget | None = None, depth: int = 0) -> Any:
    """Invert ``_encode``, within ``budget``."""
    budget = budget or _Budget(None)
    budget.tick(depth)
    depth += 1
    if isinstance(value, list):
        return [_decode(v, budget, depth) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise CodecError("malformed message")
    ((tag, body),) = value.items()
    if tag == "__float__":
        return float(body)
    if tag == "__complex__":
        return complex(_decode(body[0], budget, depth), _decode(body[1], budget, depth))
    if tag == "__bytes__":
        return base64.b64decode(body)
    if tag == "__tuple__":
        return tuple(_decode(v, budget, depth) for v in body)
    if tag == "__dict__":
        result = {}
        for key, item in body:  # one entry at a time, so that the clock is read between slow insertions
            result[_decode(key, budget, depth)] = _decode(item, budget, depth)
        return result
    if tag == "__array__":
        return _array(body)
    if tag == "__ndarray__":
        return np.load(io.BytesIO(base64.b64decode(body)), allow_pickle=False)
    if tag == "__npscalar__":
        return _decode(body, budget, depth)[()]
    raise CodecError(f"malformed message: unknown tag {tag!r}")


def _array(body: Any) -> np.ndarray:
    """An array from its dtype's name, shape and bytes, each checked: no object dtype, bytes that fit the shape."""
    if not (isinstance(body, list) and len(body) == 3 and isinstance(body[0], str) and isinstance(body[1], list)
            and isinstance(body[2], str) and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                                 for n in body[1])):
        raise CodecError("malformed message: an array is [dtype, shape, bytes]")
    try:
        dtype = np.dtype(body[0])
    except (TypeError, ValueError):
        raise CodecError(f"malformed message: no dtype {body[0]!r:.40}") from None
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise CodecError(f"malformed message: an array of dtype {dtype} cannot cross the process boundary")
    raw = base64.b64decode(body[2])
    if len(raw) != math.prod(body[1]) * dtype.itemsize:
        raise CodecError(f"malformed message: {len(raw)} bytes do not fill an array of shape {tuple(body[1])}, {dtype}")
    try:
        return np.frombuffer(raw, dtype=dtype).reshape(body[1]).copy()
    except ValueError as error:  # too many dimensions, or one too large for numpy
        raise CodecError(f"malformed message: an array of shape {tuple(body[1])!r:.60}: {error}") from None


def dumps(value: Any) -> bytes:
    """Encode plain data to bytes; CodecError names what is not plain."""
    return json.dumps(_encode(value), separators=(",", ":")).encode("utf-8")


def loads(data: bytes, deadline: float | None = None) -> Any:
    """Decode bytes from ``dumps``; never executes anything it reads.

    Raises TooDeep past MAX_DEPTH levels and TooSlow once ``time.monotonic()`` passes ``deadline``.
    """
    try:
        parsed = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise TooDeep(f"the message is nested more than {MAX_DEPTH} levels deep") from None
    return _decode(parsed, _Budget(deadline))


def roundtrip(value: Any) -> Any:
    """Pass a value through the codec, as it would cross a process boundary."""
    return loads(dumps(value))
