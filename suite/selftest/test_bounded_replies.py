"""What a worker sends the grading process is bounded: in size, in depth and in the time its decoding takes.

Each backend here takes over its worker's pipe (found through ``gc``) and
writes a message of its own, as a hostile submission would; the test process
must end the test with the cause named, stop the worker, and go on.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from impls.registry import parse_spec
from suite import codec
from suite.backends import MAX_REPLY_BYTES, Limits, WorkerBackend
from suite.outcomes import BackendError
from suite.probes import selfcheck

#: A backend whose ``tensor()`` sends MESSAGE (an expression giving bytes) on its worker's pipe, then waits.
TEMPLATE = '''
import gc, time
import numpy as np
from multiprocessing.connection import Connection

def tensor(data):
    message = {message}
    pipe = next(o for o in gc.get_objects() if isinstance(o, Connection) and not o.closed)
    pipe.send_bytes(message)
    time.sleep(60)
'''


def _backend(tmp_path: Path, message: str, seconds: float = 10.0) -> WorkerBackend:
    """A started worker-held backend whose tensor() sends ``message``, its test begun."""
    path = tmp_path / "mytorch.py"
    path.write_text(textwrap.dedent(TEMPLATE).format(message=message))
    backend = WorkerBackend(parse_spec(str(path)), Limits(seconds=seconds), ("cpu",))
    backend.load()
    backend.begin_test(backend.limits)
    return backend


@pytest.mark.parametrize(("message", "match"), [
    (f"b' ' * {MAX_REPLY_BYTES + 1}", "reply too large: the backend's worker sent more than 64 MiB while running make_tensor"),
    ("b'[' * 200_000 + b']' * 200_000", "reply too deep: the message is nested more than 100 levels deep"),
    ("b'[' * 150 + b']' * 150", "reply too deep: the message is nested more than 100 levels deep"),
], ids=["too-large", "too-deep-for-json", "deeper-than-the-codec-allows"])
def test_a_reply_past_the_limits_is_an_error_with_its_cause(tmp_path: Path, message: str, match: str) -> None:
    """Too large (refused from its length, before any of it is read) or too deep: cause ``reply``, worker stopped."""
    backend = _backend(tmp_path, message)
    began = time.monotonic()
    try:
        with pytest.raises(BackendError, match=match.replace("(", r"\(")) as raised:
            backend.call(selfcheck.make_tensor, "cpu", {})
        assert raised.value.cause.value == "reply" and backend.pid is None and time.monotonic() - began < 8
    finally:
        backend.close()


def test_a_reply_that_decodes_slowly_is_stopped_at_the_tests_limit(tmp_path: Path) -> None:
    """40,000 dictionary keys with one hash (multiples of 2**61 - 1): decoding stops at the limit, as a timeout."""
    colliding = ("b'{\"__dict__\":[' + b','.join(b'[%d,0]' % (i * (2**61 - 1)) for i in range(40_000)) + b']}'")
    backend = _backend(tmp_path, colliding, seconds=1.5)
    began = time.monotonic()
    try:
        with pytest.raises(BackendError, match="timeout: decoding the message ran past its deadline"):
            backend.call(selfcheck.make_tensor, "cpu", {})
        assert time.monotonic() - began < 5, "the grader waited out the decoding"
    finally:
        backend.close()


def test_the_codec_refuses_depth_and_deadline_in_process() -> None:
    """codec.loads itself: TooDeep past MAX_DEPTH levels, TooSlow once its deadline has passed."""
    with pytest.raises(codec.TooDeep):
        codec.loads(b"[" * 101 + b"]" * 101)
    assert codec.loads(b"[" * 100 + b"]" * 100) is not None  # exactly MAX_DEPTH levels
    with pytest.raises(codec.TooSlow):
        codec.loads(codec.dumps(list(range(5000))), deadline=time.monotonic() - 1)
