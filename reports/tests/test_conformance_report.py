"""summary.md's behaviour cells, and the legend that says how to read them."""

from __future__ import annotations

import pandas as pd

from reports.conformance import COLUMNS, LONG_FIELDS, behaviour_cell, conformance_frame, summary_markdown


def test_a_behaviour_cell_is_passed_a_count_of_the_rest_or_skipped() -> None:
    """Every test it ran passed: ``passed``; else each other outcome counted, then the passes; none ran: ``skipped``."""
    assert behaviour_cell(pd.Series(["passed", "passed", "skipped"])) == "passed"
    assert behaviour_cell(pd.Series(["failed"] + ["error"] * 5 + ["passed"] * 6)) == "failed 1, error 5 (6/12 passed)"
    assert behaviour_cell(pd.Series(["missing", "passed", "skipped"])) == "missing 1 (1/2 passed)"
    assert behaviour_cell(pd.Series(["skipped", "skipped"])) == "skipped"


def test_the_legend_shows_the_cells_as_the_table_writes_them() -> None:
    """The legend's example cell is one behaviour_cell writes, and it names both kinds of skip the suite makes."""
    record = {**dict.fromkeys(COLUMNS + LONG_FIELDS, ""), "backend": "b", "device": "cpu", "family": "views",
              "behaviour": "V1", "test": "t::a", "outcome": "passed", "seconds": 0.0, "suite": "torch-conformance 0"}
    legend = summary_markdown(conformance_frame([record])).splitlines()[4]
    assert legend.startswith("Outcomes: `passed`;")
    assert f"`{behaviour_cell(pd.Series(['failed'] + ['error'] * 5 + ['passed'] * 6))}`" in legend
    assert "a device the backend lacks" in legend and "another device only" in legend
