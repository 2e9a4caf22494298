"""Conformance results as DataFrames, and the files a run leaves: conformance.csv, conformance.json, summary.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

#: The columns of conformance.csv, in order (README.md, "Reports").
COLUMNS = ["backend", "device", "family", "behaviour", "test", "outcome", "seconds", "message", "cause", "missing", "suite"]
#: The long fields of a record, kept in conformance.json only.
LONG_FIELDS = ["failure", "example", "snippet", "printed", "known"]
#: Outcomes from worst to best, for summarising several tests of one behaviour.
SEVERITY = ["failed", "error", "missing", "passed", "skipped"]


def conformance_frame(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """One row per test and (backend, device), with the columns of conformance.csv."""
    frame = pd.DataFrame(list(rows), columns=COLUMNS + LONG_FIELDS).fillna("")
    frame["target"] = frame["backend"] + "-" + frame["device"]
    return frame


def _targets(frame: pd.DataFrame) -> list[str]:
    """backend-device columns in the order they first appear."""
    return list(dict.fromkeys(frame["target"]))


def behaviour_cell(outcomes: pd.Series) -> str:
    """Summarise one behaviour's tests on one target: ``passed``, ``failed 1, error 5 (6/12 passed)``, ``skipped``."""
    counted = outcomes[outcomes != "skipped"]
    if counted.empty:
        return "skipped" if len(outcomes) else ""
    passed = int((counted == "passed").sum())
    if passed == len(counted):
        return "passed"
    problems = ", ".join(f"{kind} {int((counted == kind).sum())}" for kind in SEVERITY[:3] if (counted == kind).any())
    return f"{problems} ({passed}/{len(counted)} passed)"


def behaviour_table(frame: pd.DataFrame, titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Behaviours (rows) x backend-device (columns), each cell the summary of its tests."""
    table = frame.pivot_table(index="behaviour", columns="target", values="outcome", aggfunc=behaviour_cell, fill_value="")
    table = table.reindex(columns=_targets(frame))
    order = sorted(table.index, key=lambda b: ("TVLAMOD".index(b[0]) if b[0] in "TVLAMOD" else 9, int(b[1:]) if b[1:].isdigit() else 0))
    table = table.reindex(order)
    if titles:
        table.insert(0, "title", [titles.get(b, "") for b in table.index])
    return table


def family_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Families (rows) x backend-device (columns): the share of non-skipped tests that passed."""

    def rate(outcomes: pd.Series) -> str:
        counted = outcomes[outcomes != "skipped"]
        if counted.empty:
            return "skipped"
        passed = int((counted == "passed").sum())
        return f"{100 * passed / len(counted):.0f}% ({passed}/{len(counted)})"

    table = frame.pivot_table(index="family", columns="target", values="outcome", aggfunc=rate, fill_value="")
    families = list(dict.fromkeys(frame["family"]))
    return table.reindex(index=families, columns=_targets(frame))


def outcome_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """backend-device (rows) x outcome (columns): how many tests ended each way."""
    counts = frame.groupby(["target", "outcome"]).size().unstack(fill_value=0)
    return counts.reindex(index=_targets(frame), columns=SEVERITY[3:4] + SEVERITY[:3] + SEVERITY[4:], fill_value=0)


def summary_markdown(frame: pd.DataFrame, titles: Mapping[str, str] | None = None) -> str:
    """The text of summary.md: outcome counts, per-family pass rates, behaviours x targets."""
    judged = ", ".join(sorted(set(frame["suite"]) - {""})) or "an unknown version of the suite"
    parts = [
        "# Conformance summary",
        "",
        f"Judged by {judged}.",
        "",
        "Outcomes: `passed`; `failed` (wrong result); `missing` (the backend lacks the API); "
        "`error` (raised, crashed or timed out); `skipped` (not run here, with its reason: a device the backend "
        "lacks, or a check made on another device only). "
        "A behaviour cell reads `passed` when every test it ran passed, else how many ended each other way and "
        "how many of those it ran passed (`failed 1, error 5 (6/12 passed)`); `skipped` when it ran none.",
        "",
        "## Outcomes per backend and device",
        "",
        outcome_counts(frame).rename_axis(index="backend-device", columns=None).to_markdown(),
        "",
        "## Pass rate per family",
        "",
        family_table(frame).rename_axis(index="family", columns=None).to_markdown(),
        "",
        "## Behaviours",
        "",
        behaviour_table(frame, titles).rename_axis(index="id", columns=None).to_markdown(),
        "",
    ]
    problems = frame[frame["outcome"].isin(["failed", "error", "missing"])]
    if not problems.empty:
        parts += ["## Not passing", "", problems[["target", "behaviour", "outcome", "test", "message"]]
                  .to_markdown(index=False), ""]
    return "\n".join(parts)


def write_conformance(
    rows: Iterable[Mapping[str, object]], folder: Path, titles: Mapping[str, str] | None = None
) -> list[Path]:
    """Write conformance.csv, conformance.json (every field of every record) and summary.md; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = conformance_frame(rows)
    csv_path = folder / "conformance.csv"
    frame[COLUMNS].to_csv(csv_path, index=False)
    json_path = folder / "conformance.json"
    json_path.write_text(frame[COLUMNS + LONG_FIELDS].to_json(orient="records", indent=1), encoding="utf-8")
    md_path = folder / "summary.md"
    md_path.write_text(summary_markdown(frame, titles), encoding="utf-8")
    return [csv_path, json_path, md_path]


def load_conformance(folder: Path) -> pd.DataFrame:
    """Read a run folder's records (conformance.json, every field) back into the frame ``conformance_frame`` gives."""
    return conformance_frame(json.loads((Path(folder) / "conformance.json").read_text(encoding="utf-8")))
