"""The five outcomes of a conformance test, and how an exception maps to one.

``passed``; ``failed`` (a wrong result: an assertion about what the backend
produced); ``missing`` (the backend lacks the API the behaviour needs);
``error`` (anything else raised, a crash, a timeout); ``skipped`` (the device
is not there). DESIGN.md, "Outcomes".
"""

from __future__ import annotations

import os
import re
import traceback
from enum import Enum
from types import TracebackType

import numpy as np
import pytest


class Outcome(str, Enum):
    """One of the five outcomes; the value is the word reports use."""

    PASSED = "passed"
    FAILED = "failed"
    MISSING = "missing"
    ERROR = "error"
    SKIPPED = "skipped"


#: Outcomes that make pytest exit non-zero.
BAD_OUTCOMES = (Outcome.FAILED, Outcome.MISSING, Outcome.ERROR)


class EndsTheTest(pytest.skip.Exception):
    """What the backend did ends the test with its verdict, at the first example.

    Raised as pytest's skip exception, the one kind hypothesis lets through at
    once: a missing API or a hang has nothing to shrink, and replaying it only
    costs time (a timeout per example). The plugin reports these as ``missing``
    or ``error``, never as skipped.
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)


class BackendMissing(EndsTheTest):
    """The backend lacks the API a probe used (AttributeError on its objects, NotImplementedError)."""


class BackendError(EndsTheTest):
    """The backend raised something else, crashed, exited or ran out of time or memory."""


_PROBE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probes")
_LOOKUP_FRAMES = {"__getattr__", "__getattribute__"}
# Objects whose missing attributes are the probe's own mistake or a wrong value, never missing API.
_PLAIN_TYPES = (type(None), bool, int, float, complex, str, bytes, list, tuple, dict, set, np.ndarray, np.generic)
_SIGNATURE_MISMATCH = re.compile(r"unexpected keyword argument|takes \d+ positional argument|positional argument but")


def _frames(tb: TracebackType | None) -> list[tuple[str, str]]:
    """(filename, function) for every frame of a traceback, outermost first."""
    return [(frame.filename, frame.name) for frame in traceback.extract_tb(tb)]


def _raised_at_probe_call(exc: BaseException) -> bool:
    """True when the innermost frames are a probe's own line (plus attribute-lookup hooks)."""
    frames = _frames(exc.__traceback__)
    while frames and frames[-1][1] in _LOOKUP_FRAMES:
        frames.pop()
    return bool(frames) and os.path.abspath(frames[-1][0]).startswith(_PROBE_DIR)


def classify_probe_exception(exc: BaseException) -> Outcome:
    """Map an exception that escaped a probe to ``missing`` or ``error``.

    ``missing`` is NotImplementedError anywhere; an AttributeError raised where a
    probe looked up an attribute on a backend object (directly, or through that
    object's ``__getattr__``); a TypeError saying the backend's function does not
    take an argument the probe passed. Everything else is ``error``: an
    AttributeError deep inside the backend is a bug, not a missing API.
    """
    if isinstance(exc, NotImplementedError):
        return Outcome.MISSING
    if isinstance(exc, AttributeError) and _raised_at_probe_call(exc):
        if not isinstance(getattr(exc, "obj", None), _PLAIN_TYPES[1:]) and "'NoneType' object" not in str(exc):
            return Outcome.MISSING
    if isinstance(exc, TypeError) and _raised_at_probe_call(exc) and _SIGNATURE_MISMATCH.search(str(exc)):
        return Outcome.MISSING
    return Outcome.ERROR


def describe(exc: BaseException) -> str:
    """``Type: message`` on one line, with the innermost file and line it came from."""
    message = " ".join(str(exc).split()) or repr(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {message[:300]}{where}"


def classify_test_exception(exc: BaseException) -> Outcome:
    """Map the exception a conformance test ended with to its outcome.

    Hypothesis may end a test with an ExceptionGroup of distinct failures; a
    wrong result among them makes the test ``failed``, else the worst of the rest.
    """
    if isinstance(exc, BaseExceptionGroup):
        kinds = {classify_test_exception(e) for e in exc.exceptions}
        for kind in (Outcome.FAILED, Outcome.ERROR, Outcome.MISSING):
            if kind in kinds:
                return kind
    if isinstance(exc, BackendMissing):
        return Outcome.MISSING
    if isinstance(exc, AssertionError):
        return Outcome.FAILED
    return Outcome.ERROR
