"""report.html: one self-contained page per run folder (no network, no script), from the folder's own tables.

The behaviour × backend-device matrix coloured by outcome; every test that did
not pass with its message, shrunk example and snippet; the grade when the run
graded; the benchmark medians and plots (embedded) when it timed. Each writer
of a run folder (conformance, grading, benchmarks) calls ``write_report_html``
after its own files, so the page always shows everything the folder holds.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from reports.conformance import SEVERITY, behaviour_table, conformance_frame, outcome_counts
from reports.grading import STATUS_WORDS, points_text

#: Outcome colours: passed green, failed red, error orange, missing grey-blue, skipped light grey.
COLOURS = {"passed": "#2e8b57", "failed": "#c0392b", "error": "#e67e22", "missing": "#5d6d7e", "skipped": "#d5d8dc"}
STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; font-size: 13px; }
th { background: #f2f3f4; }
td.cell { color: white; font-weight: bold; }
pre { background: #f8f9f9; border: 1px solid #ddd; padding: 6px; overflow-x: auto; font-size: 12px; }
details { margin: 0.3em 0 0.8em 0; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; color: white; }
img { max-width: 640px; border: 1px solid #ddd; margin: 4px; }
"""


def _worst(cell: str) -> str:
    """The outcome a summary cell (``failed 6 (1/7 passed)``, ``passed``) leads with."""
    first = cell.split(" ")[0] if cell else ""
    return first if first in COLOURS else ""


def _table(frame: pd.DataFrame) -> str:
    """A DataFrame as an HTML table, escaped, its index as the first columns (under one header row, not two)."""
    return frame.reset_index().to_html(escape=True, border=0, index=False)


def matrix_html(frame: pd.DataFrame, titles: Mapping[str, str]) -> str:
    """The behaviour × backend-device matrix, each cell coloured by its worst outcome."""
    table = behaviour_table(frame, titles)
    targets = [c for c in table.columns if c != "title"]
    rows = ["<table id=\"matrix\"><tr><th>id</th><th>behaviour</th>"
            + "".join(f"<th>{html.escape(t)}</th>" for t in targets) + "</tr>"]
    for behaviour_id, row in table.iterrows():
        cells = []
        for target in targets:
            text = str(row[target])
            colour = COLOURS.get(_worst(text), "#ffffff")
            cells.append(f"<td class=\"cell\" style=\"background:{colour}\" title=\"{html.escape(text)}\">"
                         f"{html.escape(text)}</td>")
        rows.append(f"<tr><td>{html.escape(str(behaviour_id))}</td><td>{html.escape(str(row.get('title', '')))}</td>"
                    + "".join(cells) + "</tr>")
    rows.append("</table>")
    return "\n".join(rows)


def problems_html(frame: pd.DataFrame) -> str:
    """Every test that did not pass: where, outcome and cause, message, then its failure, example and snippet."""
    problems = frame[frame["outcome"].isin(SEVERITY[:3])]
    if problems.empty:
        return "<p>Every test that ran passed.</p>"
    parts = []
    for _, record in problems.iterrows():
        colour = COLOURS[record["outcome"]]
        head = (f"<b style=\"color:{colour}\">{html.escape(record['outcome'])}</b> "
                f"({html.escape(str(record['cause']))}) <code>{html.escape(record['test'])}</code> "
                f"[{html.escape(record['target'])}]: {html.escape(str(record['message']))}")
        body = []
        for field, label in (("failure", "failure"), ("example", "shortest input"), ("snippet", "reproduce")):
            if str(record.get(field, "")):
                body.append(f"<p>{label}:</p><pre>{html.escape(str(record[field]))}</pre>")
        parts.append(f"<details><summary>{head}</summary>{''.join(body)}</details>" if body else f"<p>{head}</p>")
    return "\n".join(parts)


def _grade_result(test: Mapping[str, Any]) -> str:
    """A behaviour's result in grade.md's words (its tags hold the suite's status after family and id), not
    Gradescope's status: "not implemented yet" is not "failed"."""
    tags = test.get("tags", [])
    status = tags[2] if len(tags) > 2 and tags[2] in STATUS_WORDS else test.get("status", "")
    return STATUS_WORDS.get(status, status)


def grade_html(results: Mapping[str, Any]) -> str:
    """The grade of a graded run: the score, then each behaviour's points and result (from results.json)."""
    rows = pd.DataFrame([{"behaviour": t.get("name", ""),
                          "points": f"{points_text(t.get('score', 0))} / {points_text(t.get('max_score', 0))}",
                          "result": _grade_result(t)} for t in results.get("tests", [])])
    left_out = (results.get("extra_data") or {}).get("unselected") or []
    narrowed = (f"<p><b>Graded a part of the assignment:</b> {len(left_out)} behaviours had no test in this run and were "
                f"not graded: {html.escape(', '.join(map(str, left_out)))}.</p>" if left_out else "")
    return (f"<p>Score: <b>{points_text(results.get('score', 0))} / {points_text(results.get('max_score', 0))}</b></p>"
            + narrowed
            + (_table(rows.set_index("behaviour")) if not rows.empty else ""))


def _grade_section(path: Path) -> str:
    """The grade in a folder's results.json, or a line saying why it cannot be shown (the page is written anyway)."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # left by another run, cut short, or not JSON: not this page's to fix
        return f"<p>{html.escape(path.name)} here cannot be read ({html.escape(type(exc).__name__)}: {html.escape(str(exc))}), so no grade is shown.</p>"
    if not isinstance(results, dict):
        return f"<p>{html.escape(path.name)} here holds no grade (a JSON {type(results).__name__}), so none is shown.</p>"
    return grade_html(results)


def benchmarks_html(folder: Path) -> str:
    """The medians of a timed run (benchmark × size rows, backend-device columns) and its plots, embedded."""
    table = pd.read_csv(folder / "benchmarks.csv", keep_default_na=False)
    table["target"] = table["backend"] + "-" + table["device"]
    medians = table.pivot_table(index=["benchmark", "size"], columns="target", values="median_s", aggfunc="first")
    parts = [_table(medians.map(lambda s: f"{s:.3g} s"))]
    for plot in sorted((folder / "plots").glob("*.png")):
        data = base64.b64encode(plot.read_bytes()).decode("ascii")
        parts.append(f"<img alt=\"{html.escape(plot.stem)}\" src=\"data:image/png;base64,{data}\">")
    return "\n".join(parts)


def report_html(folder: Path, titles: Mapping[str, str]) -> str:
    """The page for one run folder, from its conformance.json, results.json and benchmarks.csv where present."""
    folder = Path(folder)
    conformance = folder / "conformance.json"
    frame = conformance_frame(json.loads(conformance.read_text(encoding="utf-8")) if conformance.exists() else [])
    judged_by = set(frame["suite"])
    if (folder / "benchmarks.csv").exists():
        judged_by |= set(pd.read_csv(folder / "benchmarks.csv", keep_default_na=False).get("suite", pd.Series([], dtype=str)))
    judged = ", ".join(sorted(judged_by - {""})) or "an unknown version of the suite"
    legend = "".join(f"<span style=\"background:{c}\">{o}</span>" for o, c in COLOURS.items())
    parts = [
        "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>Conformance and benchmark report: {html.escape(folder.name)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Conformance and benchmark report</h1><p>{html.escape(str(folder))}; judged by {html.escape(judged)}.</p>",
    ]
    if not frame.empty:
        parts += [
            f"<p class=\"legend\">{legend}</p>",
            "<h2>Outcomes per backend and device</h2>",
            _table(outcome_counts(frame).rename_axis(index="backend-device", columns=None)),
            "<h2>Behaviours</h2>", matrix_html(frame, titles),
        ]
    results_path = folder / "results.json"
    if results_path.exists():
        parts += ["<h2>Grade</h2>", _grade_section(results_path)]
    if not frame.empty:
        parts += ["<h2>Not passing</h2>", problems_html(frame)]
    if (folder / "benchmarks.csv").exists():
        parts += ["<h2>Benchmarks (median time per call)</h2>", benchmarks_html(folder)]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report_html(folder: Path, titles: Mapping[str, str]) -> Path | None:
    """Write report.html into a run folder with conformance or benchmark tables; return its path (None without either)."""
    folder = Path(folder)
    if not (folder / "conformance.json").exists() and not (folder / "benchmarks.csv").exists():
        return None
    path = folder / "report.html"
    path.write_text(report_html(folder, titles), encoding="utf-8")
    return path
