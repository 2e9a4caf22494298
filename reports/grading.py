"""A grade, written for the people who read it: ``results.json`` for Gradescope, ``grade.md`` for the
student, and a leaderboard (CSV and Markdown) for course staff.

The input is the plain-data grade ``suite.grading.scoring.grade`` computes (the
grading process adds who was graded, how long it took and any integrity
notes). Nothing here decides a score; it only says it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from suite.untrusted import clean, markdown_text

# --- Gradescope's format (https://gradescope-autograders.readthedocs.io/en/latest/specs/) ------------------

#: Top-level keys of results.json and the JSON types each may have. ``max_score`` is ours (the total's
#: maximum, for people and the leaderboard); the rest are Gradescope's documented keys.
TOP_LEVEL: dict[str, tuple[type, ...]] = {
    "score": (int, float), "max_score": (int, float), "execution_time": (int, float), "output": (str,),
    "output_format": (str,), "test_output_format": (str,), "test_name_format": (str,), "visibility": (str,),
    "stdout_visibility": (str,), "extra_data": (dict,), "tests": (list,), "leaderboard": (list,),
}
#: Keys of one entry of ``tests`` and their JSON types.
TEST_KEYS: dict[str, tuple[type, ...]] = {
    "score": (int, float), "max_score": (int, float), "status": (str,), "name": (str,), "name_format": (str,),
    "number": (str,), "output": (str,), "output_format": (str,), "tags": (list,), "visibility": (str,),
    "extra_data": (dict,),
}
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
OUTPUT_FORMATS = ("text", "simple_format", "html", "md", "ansi")
STATUSES = ("passed", "failed")
#: The most one test's output holds; longer feedback is cut with a pointer to grade.md.
OUTPUT_LIMIT = 8000
#: Failing checks shown in full per behaviour (the rest are listed by name).
SHOWN_CHECKS = 3


def _is_number(value: Any) -> bool:
    """A finite JSON number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_results(data: Any) -> list[str]:
    """Problems that would make ``data`` an invalid Gradescope results.json (an empty list when valid)."""
    if not isinstance(data, dict):
        return ["results.json must be a JSON object"]
    problems = []
    for key, value in data.items():
        if key not in TOP_LEVEL:
            problems.append(f"unknown top-level key {key!r}")
        elif not isinstance(value, TOP_LEVEL[key]) or (TOP_LEVEL[key] == (int, float) and not _is_number(value)):
            problems.append(f"{key} must be {' or '.join(t.__name__ for t in TOP_LEVEL[key])}, not {type(value).__name__}")
    tests = data["tests"] if isinstance(data.get("tests"), list) else []
    if "score" not in data and (not tests or not all(isinstance(t, dict) and "score" in t for t in tests)):
        problems.append("score is required at the top level unless every test has one")
    for key in ("visibility", "stdout_visibility"):
        if key in data and data[key] not in VISIBILITIES:
            problems.append(f"{key} must be one of {', '.join(VISIBILITIES)}")
    for key in ("output_format", "test_output_format", "test_name_format"):
        if key in data and data[key] not in OUTPUT_FORMATS:
            problems.append(f"{key} must be one of {', '.join(OUTPUT_FORMATS)}")
    for i, test in enumerate(tests):
        where = f"tests[{i}]"
        if not isinstance(test, dict):
            problems.append(f"{where} must be an object")
            continue
        for key, value in test.items():
            if key not in TEST_KEYS:
                problems.append(f"{where}: unknown key {key!r}")
            elif not isinstance(value, TEST_KEYS[key]) or (TEST_KEYS[key] == (int, float) and not _is_number(value)):
                problems.append(f"{where}.{key} must be {' or '.join(t.__name__ for t in TEST_KEYS[key])}")
        if "status" in test and test["status"] not in STATUSES:
            problems.append(f"{where}.status must be passed or failed")
        if "visibility" in test and test["visibility"] not in VISIBILITIES:
            problems.append(f"{where}.visibility must be one of {', '.join(VISIBILITIES)}")
        if "output_format" in test and test["output_format"] not in OUTPUT_FORMATS:
            problems.append(f"{where}.output_format must be one of {', '.join(OUTPUT_FORMATS)}")
        if "tags" in test and not all(isinstance(tag, str) for tag in test.get("tags", [])):
            problems.append(f"{where}.tags must be strings")
        if _is_number(test.get("score")) and _is_number(test.get("max_score")) and test["score"] > test["max_score"] + 1e-9:
            problems.append(f"{where}: score {test['score']} is more than max_score {test['max_score']}")
        if "score" not in test and "status" not in test:
            problems.append(f"{where}: a test needs a score or a status")
    for i, entry in enumerate(data.get("leaderboard", []) if isinstance(data.get("leaderboard"), list) else []):
        if not isinstance(entry, dict) or "name" not in entry or "value" not in entry:
            problems.append(f"leaderboard[{i}] needs a name and a value")
        elif entry.get("order", "desc") not in ("asc", "desc"):
            problems.append(f"leaderboard[{i}].order must be asc or desc")
    return problems


# --- reading a check's failure text -----------------------------------------------------------------

# --- words for outcomes -------------------------------------------------------------------------------

#: What each cause means, in the words a student reads.
CAUSE_WORDS: dict[str, str] = {
    "wrong result": "wrong result",
    "wrong value": "wrong result: the backend returned an unusable value",
    "missing name": "not implemented yet (missing API)",
    "not implemented": "not implemented yet (NotImplementedError)",
    "signature": "not implemented yet (the function does not take these arguments)",
    "no operator": "not implemented yet (an operator or protocol the objects lack)",
    "exception": "raised an exception",
    "suite": "the suite itself raised (not your code: please tell the course staff)",
    "timeout": "stopped: ran past the time limit",
    "crash": "stopped: the process crashed",
    "exit": "stopped: the process exited",
    "memory": "stopped: ran past the memory limit",
    "output": "stopped: printed past the output limit",
    "reply": "stopped: sent a reply past the size or depth limit",
    "forbidden": "scored zero: the submission imports a forbidden module",
    "load": "the submission did not load",
    "not run": "not run",
}
STATUS_WORDS: dict[str, str] = {
    "passed": "passed", "partial": "partly passed", "failed": "wrong result", "error": "stopped or raised",
    "missing": "not implemented yet",
}


def points_text(value: float) -> str:
    """Points as people write them: 7.5, 12, 0.33."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _cut(text: str, limit: int) -> str:
    """``text`` cut at ``limit`` characters, with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _code(text: object) -> str:
    """Inline code that no backtick inside the text can close, on one line, cleaned of control characters."""
    value = " ".join(clean(text, 300).split())
    ticks = "`"
    while ticks in value:
        ticks += "`"
    pad = " " if len(ticks) > 1 or value.startswith("`") or value.endswith("`") else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def _fence(text: str, language: str = "") -> str:
    """A Markdown code block that no backtick inside the text can close."""
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{language}\n{text}\n{ticks}"


#: Causes where the grader stopped the submission: its own message says more than any exception text.
STOP_CAUSES = ("timeout", "crash", "exit", "memory", "output", "reply", "load", "not run")


def _check_feedback(check: Mapping[str, Any], heading: str = "####") -> str:
    """One failing check: which test, why, expected against actual, the shortest input and a snippet."""
    test_name = check["test"].split("::")[-1]
    parts = [f"{heading} `{test_name}` — {CAUSE_WORDS.get(check['cause'], check['cause'])}", ""]
    failure, example = check.get("failure") or check["message"], check.get("example", "")
    if check["cause"] in STOP_CAUSES:  # not hypothesis's account of replays that were stopped too
        example = ""
    if failure:
        parts += [_fence(failure), ""]
    if example:
        parts += ["Shortest input that shows it (hypothesis's shrunk example):", "", _fence(example), ""]
    if check.get("snippet"):
        parts += ["Reproduce it:", "", _fence(check["snippet"], "python"), ""]
    return "\n".join(parts)


def _problem_checks(behaviour: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The checks of a behaviour that did not pass, the most instructive first (wrong results, then errors)."""
    order = {"failed": 0, "error": 1, "missing": 2}
    bad = [c for c in behaviour["checks"] if c["outcome"] not in ("passed", "skipped")]
    return sorted(bad, key=lambda c: order.get(c["outcome"], 3))


def behaviour_feedback(behaviour: Mapping[str, Any], heading: str = "####") -> str:
    """Everything a student needs to fix one behaviour: its checks that did not pass, in full or by name."""
    bad = _problem_checks(behaviour)
    parts = [_check_feedback(check, heading) for check in bad[:SHOWN_CHECKS]]
    if len(bad) > SHOWN_CHECKS:
        rest = ", ".join(f"`{c['test'].split('::')[-1]}` ({c['cause']})" for c in bad[SHOWN_CHECKS:])
        parts.append(f"Also not passing: {rest}.\n")
    return "\n".join(parts)


def _summary_line(behaviour: Mapping[str, Any]) -> str:
    """``V4 squeeze ...: 1.8 / 2.1 (6 of 7 checks passed; timeout)``."""
    causes = ", ".join(CAUSE_WORDS.get(c, c) for c in behaviour["causes"])
    return (f"**{behaviour['id']}** {behaviour['title']}: {points_text(behaviour['score'])} / {points_text(behaviour['max_score'])} "
            f"({behaviour['passed']} of {behaviour['counted']} checks passed{'; ' + causes if causes else ''})")


# --- grade.md --------------------------------------------------------------------------------------------


def family_frame(grade: Mapping[str, Any]) -> pd.DataFrame:
    """Families (rows): points, and how many behaviours passed, partly passed, failed, stopped or are missing."""
    rows = []
    for family in grade["families"]:
        members = [b for b in grade["behaviours"] if b["family"] == family["family"] and b.get("part") != "course"]
        row = {"family": family["family"], "points": f"{points_text(family['score'])} / {points_text(family['max_score'])}"}
        for status in ("passed", "partial", "failed", "error", "missing"):
            row[STATUS_WORDS[status]] = sum(b["status"] == status for b in members)
        rows.append(row)
    return pd.DataFrame(rows)


#: What a grade of an interrupted run (Ctrl-C, SIGTERM) says first.
STOPPED_PART_WAY = ("it was interrupted (Ctrl-C or SIGTERM), and every check it had not reached scores zero as "
                    "*not run*; grade it again to grade them")


def narrowed_text(grade: Mapping[str, Any]) -> str:
    """One sentence for a grade over part of the assignment (-k, -m or paths left behaviours out); empty for a whole one."""
    left_out = grade.get("unselected") or []
    if not left_out:
        return ""
    how = "; ".join(_code(way) for way in grade.get("selection", []))
    return ((f"the run was narrowed by {how}, so " if how else "")
            + f"{len(left_out)} of the assignment's behaviours had no test in it and the score counts only the rest. "
            + "Not graded: " + ", ".join(left_out))


def grade_markdown(grade: Mapping[str, Any]) -> str:
    """The text of grade.md: the score, per family what passed, and per failing behaviour what to fix."""
    backend = grade.get("backend", {})
    parts = [
        f"# Grade for `{grade['submission']}`: {points_text(grade['score'])} / {points_text(grade['max_score'])}",
        "",
    ]
    if grade.get("suite"):
        parts += [f"Graded by {grade['suite']}.", ""]
    if grade.get("withheld"):
        earned = grade["score_before_withholding"]
        parts += [f"**Score withheld:** {markdown_text(grade['withheld'])}"
                  + (f" (without that, the checks below would have earned {points_text(earned)})." if earned else "."), ""]
    if grade.get("load_error"):  # before the notes on how it was graded: what the student must fix first
        parts += [f"**The submission did not load**, so no behaviour could pass: {markdown_text(grade['load_error'])}", ""]
    isolation = grade.get("isolation") or {}
    if isolation.get("kind") == "none":  # staff decide whether that will do; the report never hides it
        parts += [f"**Graded without a sandbox:** {markdown_text(isolation.get('detail', ''))}.", ""]
    if grade.get("interrupted"):
        parts += [f"**The run was stopped part way:** {STOPPED_PART_WAY}.", ""]
    if narrowed_text(grade):
        parts += [f"**Graded a part of the assignment:** {narrowed_text(grade)}.", ""]
    parts += [
        "Each behaviour of the assignment is worth the points shown; a behaviour checked by several tests "
        "earns its points in proportion to the tests that pass. *Not implemented yet* (missing API) scores "
        "zero like a wrong result, but is listed apart: it is unfinished, not wrong.",
        "",
    ]
    if grade["families"]:
        parts += [family_frame(grade).to_markdown(index=False), ""]
    for family in grade["families"]:
        # The course's own tests, where the course hides them, are left out here: staff read them in the run's log.
        members = [b for b in grade["behaviours"] if b["family"] == family["family"]
                   and not (b.get("part") == "course" and b.get("visibility") == "hidden")]
        parts += [f"## {family['family']}: {points_text(family['score'])} / {points_text(family['max_score'])}", ""]
        passed = [b for b in members if b["status"] == "passed"]
        if passed:
            parts += ["Passed: " + "; ".join(f"**{b['id']}** {b['title']}" for b in passed) + ".", ""]
        missing = [b for b in members if b["status"] == "missing"]
        if missing:
            parts += ["Not implemented yet (missing API):", ""]
            for b in missing:
                names = list(dict.fromkeys(c["missing"] for c in _problem_checks(b) if c.get("missing")))
                what = ", ".join(_code(name) for name in names) or _code(_problem_checks(b)[0]["message"])
                parts.append(f"- **{b['id']}** {b['title']}: needs {what}")
            parts.append("")
        for b in members:
            if b["status"] in ("passed", "missing"):
                continue
            parts += [f"### {_summary_line(b)}", "", behaviour_feedback(b)]
    if grade.get("speed"):
        parts += [speed_markdown(grade["speed"]), ""]
    if grade.get("ungraded"):
        parts += ["## Not graded in this run", "",
                  "Every check of these was skipped (a device the submission does not have): "
                  + ", ".join(grade["ungraded"]) + ".", ""]
    settings = grade.get("settings", {})
    parts += [
        "## How this grade was made", "",
        f"- Submission: {_code(backend.get('spec', grade['submission']))} (version {markdown_text(backend.get('version', 'unknown'))}).",
        f"- Limits per test: {points_text(settings.get('time_limit', 0))} s of CPU time"
        + (f" ({points_text(settings['time_limit'] * settings['backstop'])} s by the wall clock)" if "backstop" in settings else "")
        + f" and {settings.get('memory_limit', '?')} of memory; "
        f"the whole run may take {points_text(settings.get('run_budget', 0))} s. The run took {grade.get('execution_time', 0):.0f} s.",
        f"- Weights: {', '.join(settings.get('files', [])) or 'defaults'}.",
        "- The submission ran in a separate process; the grade comes from what the grading process observed.",
    ]
    if isolation.get("text"):
        parts.append(f"- Isolation: {markdown_text(isolation['text'])}.")
    for problem in grade.get("grader_problems", []):
        parts.append(f"- Grader: {problem}")
    for note in grade.get("integrity", []):
        parts.append(f"- Integrity: {markdown_text(note)}")
    return "\n".join(parts) + "\n"


def speed_markdown(speed: Mapping[str, Any], heading: str = "##") -> str:
    """The speed points: per benchmark the submission's median, the reference's, their ratio and the points."""
    rows = [{"benchmark": f"{b['benchmark']} [{b['size']}]",
             "yours": _seconds(b["submission_s"]), speed["reference"]: _seconds(b["reference_s"]),
             "ratio": f"{b['ratio']:.2f}x" if b["ratio"] else "-",
             "points": f"{points_text(b['points'])} / {points_text(b['max_points'])}", "note": b["note"]} for b in speed["benchmarks"]]
    return (f"{heading} Speed: {points_text(speed['points'])} / {points_text(speed['max_points'])}\n\n"
            f"Each benchmark's median time per call on your submission, divided by the same benchmark's on "
            f"{speed['reference']} timed in the same run (both in worker processes). A ratio up to "
            f"{speed['full_at']:g} earns the benchmark's whole share, {speed['zero_at']:g} or more earns nothing, "
            "and in between the share falls on a log scale.\n\n" + pd.DataFrame(rows).to_markdown(index=False) + "\n")


def _seconds(value: float | None) -> str:
    """A median in the unit that suits it (as benchmarks.md writes it), or '-' where there is none."""
    from reports.benchmarks import format_seconds

    return "-" if value is None else format_seconds(value)


# --- results.json ----------------------------------------------------------------------------------------


def _test_visibility(visibility: str) -> str:
    """Tests carrying points are never ``hidden`` (that hides the total): after_due_date instead."""
    return "after_due_date" if visibility == "hidden" else visibility


def _test_output(behaviour: Mapping[str, Any]) -> str:
    """The Markdown shown under one behaviour's test on Gradescope."""
    head = _summary_line(behaviour)
    if behaviour["status"] == "passed":
        return head
    text = head + "\n\n" + behaviour_feedback(behaviour, heading="####")
    if len(text) > OUTPUT_LIMIT:
        text = text[: OUTPUT_LIMIT - 80].rsplit("\n", 1)[0] + "\n\n… (cut here: grade.md has the whole feedback)"
    return text


def grade_counts(grade: Mapping[str, Any]) -> dict[str, int]:
    """Behaviours by status: passed, partial, failed, error, missing."""
    result = {status: 0 for status in STATUS_WORDS}
    for behaviour in grade["behaviours"]:
        if behaviour.get("part") != "course":  # a behaviour's course checks are a part of it, not another behaviour
            result[behaviour["status"]] += 1
    return result


def results_json(grade: Mapping[str, Any]) -> dict[str, Any]:
    """Gradescope's results.json for a grade: one test per behaviour, with points and feedback."""
    visibility = _test_visibility(grade.get("settings", {}).get("visibility", "visible"))
    tests: list[dict[str, Any]] = []
    for b in grade["behaviours"]:
        status = "passed" if b["status"] == "passed" else "failed"
        course = b.get("part") == "course"
        tests.append({
            "name": f"{b['id']} ({b['family']}): {b['title']}" + (": the course's own tests" if course else ""),
            "number": f"{b['id']}-course" if course else b["id"],
            "score": round(b["score"], 4),
            "max_score": round(b["max_score"], 4),
            "status": status,
            "output": _test_output(b),
            "output_format": "md",
            "tags": list(dict.fromkeys([b["family"], b["id"], b["status"], *b["causes"], *(["course"] if course else [])])),
            "visibility": b.get("visibility", visibility),
        })
    if grade.get("speed"):
        speed = grade["speed"]
        tests.append({"name": f"Speed (against {speed['reference']})", "number": "speed",
                      "score": round(0.0 if grade.get("withheld") else speed["points"], 4),
                      "max_score": round(speed["max_points"], 4),
                      "status": "passed" if speed["points"] >= speed["max_points"] - 1e-9 else "failed",
                      "output": speed_markdown(speed, heading="####"), "output_format": "md", "tags": ["speed"],
                      "visibility": visibility})
    notes = list(grade.get("integrity", []))
    if notes:
        tests.append({"name": "Integrity of the grading run", "status": "failed",
                      "output": "\n".join(f"- {markdown_text(n)}" for n in notes),
                      "output_format": "md", "tags": ["integrity"], "visibility": visibility})
    counts = grade_counts(grade)
    summary = (f"Score {points_text(grade['score'])} / {points_text(grade['max_score'])}. Behaviours: {counts['passed']} passed, "
               f"{counts['partial']} partly passed, {counts['failed']} with wrong results, {counts['error']} stopped or "
               f"raised, {counts['missing']} not implemented yet. Each test below says what to fix.")
    isolation = grade.get("isolation") or {}
    if isolation.get("kind") == "none":
        summary = f"Graded without a sandbox: {markdown_text(isolation.get('detail', ''))}. " + summary
    if narrowed_text(grade):
        summary = f"Graded a part of the assignment: {narrowed_text(grade)}. " + summary
    if grade.get("interrupted"):
        summary = f"The run was stopped part way: {STOPPED_PART_WAY}. " + summary
    if grade.get("load_error"):
        summary = f"The submission did not load: {markdown_text(grade['load_error'])}. " + summary
    if grade.get("withheld"):  # first: why the score is zero whatever the checks did
        summary = f"Score withheld: {markdown_text(grade['withheld'])}. " + summary
    return {
        "score": round(grade["score"], 4),
        "max_score": round(grade["max_score"], 4),
        "execution_time": round(float(grade.get("execution_time", 0.0)), 3),
        "output": summary,
        "output_format": "md",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "extra_data": {"submission": grade["submission"], "counts": counts, "integrity": notes,
                       "withheld": grade.get("withheld", ""), "load_error": grade.get("load_error", ""),
                       "forbidden": list(grade.get("forbidden", [])), "suite": grade.get("suite", ""),
                       "unselected": list(grade.get("unselected", [])), "selection": list(grade.get("selection", [])),
                       "interrupted": bool(grade.get("interrupted")),
                       "isolation": {key: isolation.get(key, "") for key in ("kind", "detail")}},
        "tests": tests,
        "leaderboard": [{"name": "Score", "value": round(grade["score"], 4)},
                        {"name": "Behaviours passed", "value": counts["passed"]}],
    }


def failed_run_results(submission: str, reason: str, execution_time: float = 0.0, max_score: float = 100.0) -> dict[str, Any]:
    """results.json for a run that ended without a grade of its own (the grader was killed, say): zero, with why."""
    return {
        "score": 0.0, "max_score": max_score, "execution_time": round(execution_time, 3),
        "output": f"The grading run did not finish: {reason}. Score 0; course staff can regrade.",
        "output_format": "md", "visibility": "visible", "stdout_visibility": "hidden",
        "extra_data": {"submission": submission, "counts": {s: 0 for s in STATUS_WORDS}, "integrity": [reason],
                       "withheld": "", "load_error": ""},
        "tests": [{"name": "Grading run", "status": "failed", "output": reason, "tags": ["integrity"]}],
    }


# --- files ---------------------------------------------------------------------------------------------------


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a new file renamed into place (a link there is replaced, not followed)."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_grade(grade: Mapping[str, Any], folder: Path) -> list[Path]:
    """Write results.json and grade.md into ``folder``; refuse a results.json Gradescope would not take."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = results_json(grade)
    problems = validate_results(results)
    if problems:
        raise ValueError("results.json would not be valid: " + "; ".join(problems))
    return [
        write_atomic(folder / "results.json", json.dumps(results, indent=1) + "\n"),
        write_atomic(folder / "grade.md", grade_markdown(grade)),
    ]


# --- leaderboard ---------------------------------------------------------------------------------------------

LEADERBOARD_COLUMNS = ["rank", "submission", "score", "max_score", "percent", "passed", "partial", "failed", "error",
                       "missing", "seconds", "suite", "notes"]


def leaderboard_frame(results: Iterable[tuple[str, Mapping[str, Any]]]) -> pd.DataFrame:
    """One row per (submission name, results.json), best score first; ties share a rank."""
    rows = []
    for name, data in results:
        extra = data.get("extra_data", {})
        counts = extra.get("counts", {})
        notes = [*extra.get("integrity", [])]
        if extra.get("withheld"):
            notes.insert(0, f"withheld: {extra['withheld']}")
        if extra.get("load_error"):
            notes.insert(0, "did not load")
        max_score = float(data.get("max_score", 0.0))
        score = float(data.get("score", 0.0))
        rows.append({
            "submission": name, "score": round(score, 2), "max_score": round(max_score, 2),
            "percent": round(100 * score / max_score, 1) if max_score else 0.0,
            **{key: int(counts.get(key, 0)) for key in ("passed", "partial", "failed", "error", "missing")},
            "seconds": round(float(data.get("execution_time", 0.0)), 1),
            "suite": str(extra.get("suite", "")),
            "notes": _cut("; ".join(notes), 200),
        })
    frame = pd.DataFrame(rows, columns=[c for c in LEADERBOARD_COLUMNS if c != "rank"])
    frame = frame.sort_values(["score", "submission"], ascending=[False, True], kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", frame["score"].rank(method="min", ascending=False).astype(int) if len(frame) else [])
    return frame


def write_leaderboard(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """Write leaderboard.csv and leaderboard.md into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = write_atomic(folder / "leaderboard.csv", frame.to_csv(index=False))
    text = "# Leaderboard\n\n" + (frame.to_markdown(index=False) if len(frame) else "(no submissions)") + "\n"
    md_path = write_atomic(folder / "leaderboard.md", text)
    return [csv_path, md_path]
