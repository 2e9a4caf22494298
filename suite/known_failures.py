"""A backend author's list of what is expected to fail yet (``--known-failures FILE``), as array-api-tests' xfails file.

One entry per line, ``#`` starts a comment, and the comment after an entry is
its reason::

    # mytorch 0.3: not written yet
    A5                      # grad_fn names: we use our own
    views                   # a whole family
    test_view_after_transpose_matches_contiguity     # one test, on every device
    suite/conformance/test_views.py::test_view_shares_storage_both_ways[mytorch-cpu]   # one test, one device

A listed test that does not pass is reported ``xfailed`` (its real outcome
stays in the records, with the reason), so the run can pass while the work
goes on; one that passes is ``XPASS`` and the summary says to strike it off.
An entry that matches no test is reported too (a typo, or a renamed test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reference.behaviours import BEHAVIOURS


@dataclass
class Entry:
    """One line of the file: what it names, why, and which tests it matched in this run."""

    pattern: str
    reason: str
    line: int
    matched: list[str] = field(default_factory=list)

    def matches(self, test_id: str, behaviour: str, family: str) -> bool:
        """True when the entry names this test: its behaviour id, family, function name or (parametrised) test id."""
        function = test_id.split("::")[-1]
        return self.pattern in (behaviour, family, test_id, test_id.split("[")[0], function, function.split("[")[0])


class KnownFailureError(ValueError):
    """A known-failures file that cannot be read; ``str()`` is one line."""


@dataclass
class KnownFailures:
    """The entries of one file, and what became of them in this run."""

    path: Path
    entries: list[Entry]
    still_failing: list[tuple[str, str]] = field(default_factory=list)  # (test id, outcome)
    now_passing: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: str | Path) -> "KnownFailures":
        """Parse the file; a missing file or an unknown behaviour id or family is refused with its line."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise KnownFailureError(f"--known-failures {path}: cannot read it ({exc.strerror})") from None
        entries = []
        for number, raw in enumerate(text.splitlines(), start=1):
            pattern, _, reason = raw.partition("#")
            pattern = pattern.strip()
            if not pattern:
                continue
            if " " in pattern:
                raise KnownFailureError(f"{path}:{number}: one entry per line, then '# reason' (got {pattern!r})")
            if pattern[:1].isupper() and pattern[1:].isdigit() and pattern not in BEHAVIOURS:
                raise KnownFailureError(f"{path}:{number}: {pattern!r} is not a behaviour id (T1-T8, V1-V7, L1, ...)")
            entries.append(Entry(pattern, reason.strip() or "listed as a known failure", number))
        return cls(file, entries)

    def find(self, test_id: str, behaviour: str) -> Entry | None:
        """The first entry naming this test, noting the match."""
        family = BEHAVIOURS[behaviour].family
        matching = [entry for entry in self.entries if entry.matches(test_id, behaviour, family)]
        for entry in matching:  # each entry naming the test is used, not only the first
            entry.matched.append(test_id)
        return matching[0] if matching else None

    def unused(self) -> list[Entry]:
        """Entries that named no test of this run."""
        return [entry for entry in self.entries if not entry.matched]

    def summary_lines(self) -> list[str]:
        """What the terminal summary says about the file."""
        lines = [f"{self.path}: {_count(len(self.entries), 'entry', 'entries')}; "
                 f"{_count(len(self.still_failing), 'test')} still {'fails' if len(self.still_failing) == 1 else 'fail'} "
                 f"as listed, {len(self.now_passing)} now {'passes' if len(self.now_passing) == 1 else 'pass'}"]
        if self.now_passing:
            lines.append("now passing (strike them off the list):")
            lines += [f"  XPASS {test}" for test in self.now_passing]
        for entry in self.unused():
            lines.append(f"  line {entry.line}: {entry.pattern!r} matched no test of this run")
        return lines


def _count(n: int, one: str, many: str | None = None) -> str:
    """``1 entry``, ``3 entries``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
