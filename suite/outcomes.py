"""The five outcomes of a conformance test, and the one classifier that maps an exception to one.

``passed``; ``failed`` (a wrong result, or a wrong value the backend returned:
``None`` where a tensor is due); ``missing`` (the backend lacks the API the
behaviour needs, whatever form its absence takes); ``error`` (anything else
raised, a crash, a timeout); ``skipped`` (the device is not there).
README.md, "The five outcomes". Conformance probes, benchmark workloads and grading
all use ``classify``; nothing else decides what an exception means.
"""

from __future__ import annotations

import linecache
import os
import re
import sys
import traceback
from dataclasses import dataclass
from enum import Enum
from types import ModuleType
from typing import Any

import numpy as np
import pytest

SUITE_ROOT = os.path.dirname(os.path.abspath(__file__))


class Outcome(str, Enum):
    """One of the five outcomes; the value is the word reports use."""

    PASSED = "passed"
    FAILED = "failed"
    MISSING = "missing"
    ERROR = "error"
    SKIPPED = "skipped"


#: Outcomes that make pytest exit non-zero.
BAD_OUTCOMES = (Outcome.FAILED, Outcome.MISSING, Outcome.ERROR)


class Cause(str, Enum):
    """Why a test that did not pass ended so: a field of every record, read by every report."""

    WRONG_RESULT = "wrong result"  # the suite's comparison with the reference failed
    WRONG_VALUE = "wrong value"  # the backend returned something unusable (None where a tensor is due)
    MISSING_NAME = "missing name"  # no such attribute on the backend's namespace, module, class or object
    NOT_IMPLEMENTED = "not implemented"  # NotImplementedError
    SIGNATURE = "signature"  # the backend's function does not take the arguments the documents pass
    NO_OPERATOR = "no operator"  # an operator or protocol the backend's objects do not support
    EXCEPTION = "exception"  # anything else the backend raised
    TIMEOUT = "timeout"
    CRASH = "crash"
    EXIT = "exit"
    MEMORY = "memory"
    OUTPUT = "output"  # printed past the output limit
    REPLY = "reply"  # sent a reply past the limits of size or depth
    LOAD = "load"  # the backend did not load
    NOT_RUN = "not run"  # the run ended before this test
    SUITE = "suite"  # the suite's own code raised: a bug to report to the suite's authors


#: Causes where the backend's process was stopped (or never started), not an answer it gave.
STOPPED = (Cause.TIMEOUT, Cause.CRASH, Cause.EXIT, Cause.MEMORY, Cause.OUTPUT, Cause.REPLY, Cause.LOAD, Cause.NOT_RUN)
#: Causes that make a test ``missing``.
MISSING_CAUSES = (Cause.MISSING_NAME, Cause.NOT_IMPLEMENTED, Cause.SIGNATURE, Cause.NO_OPERATOR)


@dataclass(frozen=True)
class Verdict:
    """What one exception means: the outcome, its cause, the missing API's name (if any) and a one-line message."""

    outcome: Outcome
    cause: Cause
    message: str
    name: str = ""


class EndsTheTest(pytest.skip.Exception):
    """What the backend did ends the test with its verdict, at the first example.

    Raised as pytest's skip exception, the one kind hypothesis lets through at
    once: a missing API or a hang has nothing to shrink, and replaying it only
    costs time (a timeout per example). The plugin reports these as ``missing``
    or ``error``, never as skipped.
    """

    def __init__(self, message: str = "", cause: Cause = Cause.EXCEPTION, name: str = "") -> None:
        super().__init__(message)
        self.cause = Cause(cause)
        self.name = name


class BackendMissing(EndsTheTest):
    """The backend lacks the API a probe used (an absent name, operator, keyword; NotImplementedError)."""

    def __init__(self, message: str = "", cause: Cause = Cause.MISSING_NAME, name: str = "") -> None:
        super().__init__(message, cause, name)


class BackendError(EndsTheTest):
    """The backend raised something else, crashed, exited or ran out of time or memory."""


class BackendWrongValue(AssertionError):
    """The backend returned a value the probe cannot use (``None`` where a tensor is due): a wrong result."""

    cause = Cause.WRONG_VALUE


# --- where an exception was raised --------------------------------------------------------------

#: Files whose own lines use the backend's objects: an absent API raised on one of these lines is ``missing``.
API_USERS = (os.path.join(SUITE_ROOT, "probes") + os.sep, os.path.join(SUITE_ROOT, "benchmarks", "workloads.py"))
_LOOKUP_FRAMES = {"__getattr__", "__getattribute__"}
#: Values that are plain data, never a backend's object: an absent attribute on one is a wrong value returned.
PLAIN_TYPES = (type(None), bool, int, float, complex, str, bytes, list, tuple, dict, set, np.ndarray, np.generic)
_PLAIN_NAMES = {"NoneType", "bool", "int", "float", "complex", "str", "bytes", "list", "tuple", "dict", "set",
                "numpy.ndarray", "ndarray", "generator", "function", "builtin_function_or_method", "method"}


def _suite_frame(frames: list[traceback.FrameSummary]) -> traceback.FrameSummary | None:
    """The innermost frame, after attribute-lookup hooks, if it is a line of the suite that uses the backend."""
    frames = list(frames)
    while frames and frames[-1].name in _LOOKUP_FRAMES:
        frames.pop()
    if frames and os.path.abspath(frames[-1].filename).startswith(API_USERS):
        return frames[-1]
    return None


def _expression(frame: traceback.FrameSummary) -> str:
    """The part of the line that raised (Python 3.11's column positions), else the whole line."""
    raw = linecache.getline(frame.filename, frame.lineno or 0)
    start, end = getattr(frame, "colno", None), getattr(frame, "end_colno", None)
    if start is not None and end is not None and frame.lineno == getattr(frame, "end_lineno", frame.lineno):
        if raw and 0 <= start < end <= len(raw):
            return raw[start:end].strip()
    return (frame.line or raw).strip()


# --- names of what is missing --------------------------------------------------------------------

def _owner_name(obj: Any, namespace: Any) -> str:
    """How a reader names ``obj``: ``T`` for the namespace, ``T.nn`` for its modules, a class or type name."""
    if obj is namespace:
        return "T"
    path = _path_in(namespace, obj)
    if path:
        return path
    if isinstance(obj, ModuleType):
        root = getattr(namespace, "__name__", None)
        name = obj.__name__
        if root and (name == root or name.startswith(root + ".")):
            return "T" + name[len(root):]
        return name.rsplit(".", 1)[-1]
    if isinstance(obj, type):
        return obj.__name__
    return type(obj).__name__


def _path_in(namespace: Any, obj: Any, depth: int = 2) -> str:
    """``T.nn`` or ``T.utils.data``: where ``obj`` sits among the namespace's non-callable attributes, else ""."""
    level = [("T", namespace)]
    for _ in range(depth):
        found = []
        for prefix, parent in level:
            for name, value in list(getattr(parent, "__dict__", {}).items()):
                if name.startswith("_") or callable(value) or isinstance(value, (int, float, str, bytes, tuple, list, dict)):
                    continue
                if value is obj:
                    return f"{prefix}.{name}"
                found.append((f"{prefix}.{name}", value))
        level = found
    return ""


_TYPE = r"'([\w.]+)'"
#: Python's own words for an operator or protocol an object lacks: the pattern, how the API is named, which groups are types.
_OPERATOR_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[int, ...]], ...] = (
    (re.compile(rf"^{_TYPE} object is not subscriptable"), "{0}[...] (__getitem__)", (0,)),
    (re.compile(rf"^{_TYPE} object does not support item assignment"), "{0}[...] = value (__setitem__)", (0,)),
    (re.compile(rf"^{_TYPE} object is not callable"), "{0}(...) (__call__)", (0,)),
    (re.compile(rf"^{_TYPE} object is not iterable"), "iter({0}) (__iter__)", (0,)),
    (re.compile(rf"^{_TYPE} object is not an iterator"), "next({0}) (__next__)", (0,)),
    (re.compile(rf"^object of type {_TYPE} has no len\(\)"), "len({0}) (__len__)", (0,)),
    (re.compile(rf"^{_TYPE} object does not support the (?:asynchronous )?context manager protocol"),
     "with {0}: (__enter__)", (0,)),
    (re.compile(rf"^{_TYPE} object cannot be interpreted as an integer"), "{0} as an integer (__index__)", (0,)),
    (re.compile(rf"^bad operand type for (unary [-+~]|abs\(\)): {_TYPE}"), "{0} on {1}", (1,)),
    (re.compile(rf"^unsupported operand type\(s\) for ([^:]+): {_TYPE} and {_TYPE}"), "{1} {0} {2}", (1, 2)),
    (re.compile(rf"^'([^']+)' not supported between instances of {_TYPE} and {_TYPE}"), "{1} {0} {2}", (1, 2)),
    (re.compile(rf"^(?:float|int|complex)\(\) argument must be a string or a (?:real )?number, not {_TYPE}"),
     "number from {0} (__float__)", (0,)),
)
_UNKNOWN_KEYWORD = re.compile(r"([\w.<>]+)\(\) got an unexpected keyword argument '(\w+)'")
_POSITIONAL = re.compile(r"([\w.<>]+)\(\) (?:takes (?:from )?\d+ (?:to \d+ )?positional arguments? but \d+ (?:were|was) "
                         r"given|missing \d+ required (?:positional|keyword-only) arguments?)")
#: Python saying a backend's object is not the kind of thing the documents use it as (a function where a class is due).
_WRONG_KIND = re.compile(r"^(isinstance|issubclass)\(\) arg 2 must be a type|^super\(\) argument 1 must be a type"
                         r"|^metaclass conflict|^function\(\) argument 'code' must be code")


def _operator(message: str) -> tuple[str, list[str]] | None:
    """(name of the operator or protocol, the type names involved), when ``message`` is Python saying one is absent."""
    for pattern, template, type_groups in _OPERATOR_PATTERNS:
        match = pattern.match(message)
        if match:
            groups = tuple(g.replace(" or pow()", "") for g in match.groups())
            return template.format(*groups), [groups[i] for i in type_groups]
    return None


def _value_words(obj: Any) -> str:
    """``None``, ``the int 3``, ``a list``: how a message names a plain value."""
    if obj is None:
        return "None"
    if isinstance(obj, (bool, int, float)):
        return f"the {type(obj).__name__} {obj!r}"
    return f"a {type(obj).__name__}"


# --- the classifier ------------------------------------------------------------------------------

def classify(exc: BaseException, namespace: Any = None, root: str | None = None) -> Verdict:
    """What an exception that escaped a probe or workload means.

    ``missing``: NotImplementedError anywhere; on a line of the suite that uses
    the backend, an AttributeError on a backend object (directly, or through its
    ``__getattr__``), a function refusing a keyword or an argument count, or an
    operator or protocol (``[]``, ``**``, ``len``, ``iter``, a call) the
    backend's objects do not support. ``failed``: on such a line, the same on a
    plain value the backend returned (``None`` where a tensor is due).
    ``error``: everything else, an AttributeError deep inside the backend
    included (a bug, not an absent API).
    """
    frames = traceback.extract_tb(exc.__traceback__)
    at_suite = _suite_frame(frames)
    text = " ".join(str(exc).split())
    if isinstance(exc, NotImplementedError):
        name = _not_implemented_name(exc)
        return Verdict(Outcome.MISSING, Cause.NOT_IMPLEMENTED, f"not implemented: {name}" + (f" ({text})" if text else ""), name)
    if at_suite is not None and isinstance(exc, AttributeError):
        obj, attr = getattr(exc, "obj", None), getattr(exc, "name", None) or ""
        if isinstance(obj, PLAIN_TYPES) and (obj is not None or text.startswith("'NoneType' object")):
            expr = _expression(at_suite).removesuffix(f".{attr}") if attr else _expression(at_suite)
            message = f"wrong value: `{expr}` is {_value_words(obj)}, which has no `.{attr}` ({where(at_suite, root)})"
            return Verdict(Outcome.FAILED, Cause.WRONG_VALUE, message)
        name = f"{_owner_name(obj, namespace)}.{attr}" if attr else text
        return Verdict(Outcome.MISSING, Cause.MISSING_NAME, f"missing: {name} ({where(at_suite, root)})", name)
    if at_suite is not None and isinstance(exc, TypeError):
        keyword = _UNKNOWN_KEYWORD.search(text)
        positional = _POSITIONAL.search(text)
        if keyword or positional:
            function = (keyword or positional).group(1).split(".<locals>.")[-1]  # type: ignore[union-attr]
            name = f"{function}(..., {keyword.group(2)}=...)" if keyword else f"{function}(...)"
            return Verdict(Outcome.MISSING, Cause.SIGNATURE, f"missing: {name}: {text} ({where(at_suite, root)})", name)
        if _WRONG_KIND.search(text):
            message = f"wrong value: `{_expression(at_suite)}` raised TypeError: {text} ({where(at_suite, root)})"
            return Verdict(Outcome.FAILED, Cause.WRONG_VALUE, message)
        found = _operator(text)
        if found is not None:
            name, types = found
            expr = _expression(at_suite)
            if types and all(t in _PLAIN_NAMES for t in types):
                message = f"wrong value: `{expr}` raised TypeError: {text} ({where(at_suite, root)})"
                return Verdict(Outcome.FAILED, Cause.WRONG_VALUE, message)
            return Verdict(Outcome.MISSING, Cause.NO_OPERATOR, f"missing: {name} in `{expr}` ({where(at_suite, root)})", name)
    if isinstance(exc, SystemExit):
        return Verdict(Outcome.ERROR, Cause.EXIT, f"exit: the backend called sys.exit({exc.code!r}) ({_innermost(frames, root)})")
    return Verdict(Outcome.ERROR, Cause.EXCEPTION, describe(exc, root))


def _not_implemented_name(exc: BaseException) -> str:
    """The backend function that raised NotImplementedError (``Tensor.view``), from its innermost frame."""
    tb = exc.__traceback__
    code = None
    while tb is not None:
        code = tb.tb_frame.f_code
        tb = tb.tb_next
    return getattr(code, "co_qualname", getattr(code, "co_name", "?")) if code is not None else "?"


def where(frame: traceback.FrameSummary, root: str | None = None) -> str:
    """``the suite's suite/probes/autograd.py:46``, or ``mytorch/tensor.py:12`` relative to the backend's own root."""
    path = os.path.abspath(frame.filename)
    if root and path.startswith(os.path.abspath(root) + os.sep):  # first: a backend may live inside the suite's folder
        return f"{os.path.relpath(path, root)}:{frame.lineno}"
    if path.startswith(SUITE_ROOT + os.sep):
        return f"the suite's {os.path.relpath(path, os.path.dirname(SUITE_ROOT))}:{frame.lineno}"
    return f"{path}:{frame.lineno}"


def innermost_frame(frames: list[traceback.FrameSummary], root: str | None) -> traceback.FrameSummary:
    """Of ``frames`` (outermost first, at least one), the innermost in the backend's own files, else the innermost."""
    if root:
        own = [f for f in frames if os.path.abspath(f.filename).startswith(os.path.abspath(root) + os.sep)]
        if own:
            return own[-1]
    return frames[-1]


def _innermost(frames: list[traceback.FrameSummary], root: str | None) -> str:
    """Where an exception came from: the innermost frame in the backend's own files, else the innermost of all."""
    return where(innermost_frame(frames, root), root) if frames else "no traceback"


def describe(exc: BaseException, root: str | None = None) -> str:
    """``Type: message (at mytorch/tensor.py:12)`` on one line: the innermost line in the backend's own files."""
    message = " ".join(str(exc).split())
    head = f"{type(exc).__name__}: {message[:300]}" if message else type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{head} (at {_innermost(frames, root)})" if frames else head


def backend_root(namespace: Any) -> str | None:
    """The folder a backend's own files are named relative to: a package's parent, a module file's folder."""
    module = namespace if isinstance(namespace, ModuleType) else None
    if module is None:
        module_name = getattr(type(namespace), "__module__", None)
        module = sys.modules.get(module_name or "")
    file = getattr(module, "__file__", None)
    if not file:
        return None
    folder = os.path.dirname(os.path.abspath(file))
    return os.path.dirname(folder) if os.path.basename(file) == "__init__.py" else folder


def classify_test_exception(exc: BaseException) -> Outcome:
    """Map the exception a conformance test ended with to its outcome.

    Hypothesis may end a test with an ExceptionGroup of distinct failures; a
    wrong result among them makes the test ``failed``, else the worst of the rest.
    """
    return test_verdict(exc).outcome


def test_verdict(exc: BaseException) -> Verdict:
    """The outcome and cause of the exception a test ended with (the first decisive one of a group)."""
    if isinstance(exc, BaseExceptionGroup):
        verdicts = [test_verdict(e) for e in exc.exceptions]
        for kind in (Outcome.FAILED, Outcome.ERROR, Outcome.MISSING):
            for verdict in verdicts:
                if verdict.outcome is kind:
                    return verdict
    if isinstance(exc, EndsTheTest):
        outcome = Outcome.MISSING if isinstance(exc, BackendMissing) else Outcome.ERROR
        return Verdict(outcome, exc.cause, " ".join(str(exc.msg).split())[:300], exc.name)
    if isinstance(exc, AssertionError):
        cause = Cause.WRONG_VALUE if isinstance(exc, BackendWrongValue) else Cause.WRONG_RESULT
        return Verdict(Outcome.FAILED, cause, " ".join(str(exc).split("\n\n")[0].split())[:300])
    return Verdict(Outcome.ERROR, Cause.SUITE, f"the suite raised {describe(exc)}; please report it")
