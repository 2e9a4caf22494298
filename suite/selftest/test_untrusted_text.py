"""A submission's own text (version, messages, names) cannot drive the staff's terminal or shape grade.md."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from suite.selftest.runs import pytest_run
from suite.untrusted import clean, markdown_text

#: Clears the screen, homes the cursor and prints a fake grade in green; then a NUL and a right-to-left override.
FORGERY = "\x1b[2J\x1b[H\x1b[32mgrade for you: 100.00 / 100.00\x1b[0m\x00\u202e"
#: A message that would be a heading, a link, an image and an HTML block if copied into Markdown as it is.
MARKDOWN = "\n# Full marks\n[click](https://example.com) ![x](https://example.com/x.png) <script>alert(1)</script>"


def test_clean_keeps_the_words_and_drops_what_drives_a_terminal() -> None:
    """Escape sequences, NUL, C1 controls and bidi overrides go; tabs, newlines and the words stay; length is capped."""
    assert clean(FORGERY) == "grade for you: 100.00 / 100.00"
    assert clean("a\tb\nc\x9b") == "a\tb\nc"
    assert clean("x" * 50, limit=10) == "x" * 10 + "… (40 more characters)"


def test_markdown_text_makes_no_structure() -> None:
    """One line; headings, links, images and HTML come out as the characters they are made of."""
    text = markdown_text(MARKDOWN)
    assert "\n" not in text and "https://" not in text
    assert not re.search(r"(?<!\\)(<script|\]\(|!\[)", text)  # every <, ] and [ that could open one is escaped
    assert text.startswith(r"\# Full marks \[click\]")


SUBMISSION = '''
    import numpy as np
    __version__ = {version!r}

    def tensor(data, **kwargs):
        raise RuntimeError({message!r})
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Grade a submission whose version forges a grade and whose every exception message is Markdown."""
    root = tmp_path_factory.mktemp("untrusted")
    (root / "mytorch.py").write_text(textwrap.dedent(SUBMISSION).format(version=FORGERY, message=MARKDOWN))
    done = pytest_run("--grade", "--backend", f"forger={root / 'mytorch.py'}", "--weights", str(_allow_all(root)),
                      "-k", "test_view_document_example", "--report-dir", str(root / "grades"))
    return {"done": done, "grade": (root / "grades" / "grade.md").read_text(),
            "results": json.loads((root / "grades" / "results.json").read_text())}


def _allow_all(root: Path) -> Path:
    """A course file that forbids nothing (this submission needs nothing forbidden, but says nothing either way)."""
    path = root / "course.toml"
    path.write_text("[grading]\nforbidden = []\n")
    return path


def test_the_terminal_gets_no_escape_sequence(graded: dict[str, Any]) -> None:
    """The staff log shows the version's words, never its escapes or NUL."""
    out = graded["done"].stdout + graded["done"].stderr
    assert "\x1b" not in out and "\x00" not in out and "\u202e" not in out
    assert "grade for forger: 0 / " in out


def test_grade_md_and_results_json_hold_no_markdown_of_the_submissions(graded: dict[str, Any]) -> None:
    """Outside code blocks, the submission's text makes no heading, link, image or HTML; escapes are gone."""
    outside_fences = re.sub(r"```.*?```", "", graded["grade"], flags=re.S)
    assert "\x1b" not in graded["grade"] and "(version grade for you: 100.00 / 100.00)" in graded["grade"]
    assert not re.search(r"^#+ Full marks", outside_fences, flags=re.M)
    assert "<script>" not in outside_fences and "](https://" not in outside_fences
    every_output = graded["results"]["output"] + "".join(t["output"] for t in graded["results"]["tests"])
    assert "\x1b" not in every_output and "\x00" not in every_output
    assert not re.search(r"^#+ Full marks", re.sub(r"```.*?```", "", every_output, flags=re.S), flags=re.M)
