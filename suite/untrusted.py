"""Text that came from a backend (its version, output, exception messages, names), made safe to show.

A submission chooses these strings, so before they reach a terminal they lose
every control character (ANSI escapes could clear the staff's screen and print
a fake grade), and before they reach Markdown (grade.md, results.json's
output) they are escaped, so that they can make no heading, emphasis, link,
image, table or HTML the grader did not write. Both cap the length.
"""

from __future__ import annotations

import re

#: The longest piece of a backend's text shown anywhere (a message, a version, a name).
TEXT_LIMIT = 2000

#: ANSI/VT escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \\), and two-character escapes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
#: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that reorder a line.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: What Markdown (CommonMark and GitHub's) reads as structure inline; each is backslash-escaped.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|!~&])")


def clean(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` without escape sequences or control characters (tabs and newlines kept), cut at ``limit`` characters."""
    value = _CONTROLS.sub("", _ESCAPES.sub("", str(text)))
    if len(value) > limit:
        value = value[:limit] + f"… ({len(value) - limit} more characters)"
    return value


def markdown_text(text: object, limit: int = TEXT_LIMIT) -> str:
    """``clean(text)`` on one line with Markdown's structure characters escaped and bare links defused."""
    value = " ".join(clean(text, limit).split())
    value = _MARKDOWN.sub(r"\\\1", value)
    return value.replace("://", r":\/\/").replace("www.", r"www\.")
