"""Running a failure's reproduction snippet as a user would paste it: each in a fresh process at the project root.

The process is forked from the worker server (suite/backends.py), which has
imported numpy, torch and the probes already, as the snippet's own first
lines would. This module imports nothing but the standard library at its top:
a forked child imports the module that holds its target function, and from
the test module that was pandas and pytest, about 0.2 s of every snippet.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

from suite import PROJECT_ROOT


def snippet_child(conn: Any, text: str) -> None:
    """In a fresh process at the project root: run the snippet as pasted, send back what it printed and how it ended."""
    os.chdir(PROJECT_ROOT)
    printed = io.StringIO()
    error = ""
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(text, "<snippet>", "exec"), {"__name__": "__main__"})  # noqa: S102 - the snippet under test
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        error = f"{type(exc).__name__}: {exc}"
    conn.send((printed.getvalue(), error))


def run_snippets(texts: list[str], timeout: float = 60.0) -> list[tuple[str, str]]:
    """(printed, error) of each snippet, each in its own non-daemonic process (DataLoader workers may start), two at once."""
    from suite.backends import worker_context  # here, not at the top: the children import this module

    context = worker_context()
    results: list[tuple[str, str]] = []
    width = os.cpu_count() or 1
    for start in range(0, len(texts), width):
        running = []
        for text in texts[start:start + width]:
            parent, child = context.Pipe()
            process = context.Process(target=snippet_child, args=(child, text), daemon=False)
            process.start()
            running.append((process, parent))
        for process, parent in running:
            results.append(parent.recv() if parent.poll(timeout) else ("", "the snippet did not finish"))
            process.join(5)
            process.kill()
    return results
