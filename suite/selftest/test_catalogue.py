"""BEHAVIOURS.md ships with the code, generated from the catalogue, and no file cites a document the repository lacks."""

from __future__ import annotations

import re
import subprocess

from reference.behaviours import BEHAVIOURS
from suite import PROJECT_ROOT
from suite.catalogue import CATALOGUE_DOC, catalogue_markdown, cited_ids, code_by_behaviour

#: Upper-case Markdown names that are placeholders in usage text, not documents.
PLACEHOLDERS = {"FILE.md", "NAME.md"}


def test_behaviours_md_is_what_the_catalogue_generates() -> None:
    """The committed BEHAVIOURS.md is current: python -m suite.catalogue --write changes nothing."""
    assert CATALOGUE_DOC.read_text() == catalogue_markdown(), "BEHAVIOURS.md is stale: run python -m suite.catalogue --write"


def test_every_behaviour_has_its_rule_tests_probes_and_reference() -> None:
    """Each of the 43 ids has its rule in full, at least one test, one probe and one reference name it compares with."""
    tests, probes, compared = code_by_behaviour()
    for behaviour_id, entry in BEHAVIOURS.items():
        assert len(entry.rule) > 20, behaviour_id
        assert tests[behaviour_id] and probes[behaviour_id] and compared[behaviour_id], behaviour_id
    assert sum(map(len, tests.values())) > 150


def test_ranges_of_ids_are_read_as_the_ids_they_span() -> None:
    """``V1-V3`` cites V1, V2 and V3; ``(A2, M5)`` cites both; an id not in the catalogue is not cited."""
    assert cited_ids("strides (V1-V3) and (A2, M5); T9 and V1–V2") == {"V1", "V2", "V3", "A2", "M5"}


def test_no_file_cites_a_document_the_repository_lacks() -> None:
    """Every ``NAME.md`` a tracked file mentions (BEHAVIOURS.md, CONTRACT.md, README.md...) is in the repository."""
    files = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.split()
    missing = []
    for name in files:
        path = PROJECT_ROOT / name
        if path.suffix not in {".py", ".md", ".toml", ".txt", ".sh", ""} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for cited in sorted(set(re.findall(r"\b([A-Z][A-Z_]+\.md)\b", text)) - PLACEHOLDERS):
            if not (PROJECT_ROOT / cited).exists():
                missing.append(f"{name} cites {cited}")
    assert not missing, "\n".join(missing)
