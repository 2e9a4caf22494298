"""results.json against Gradescope's documented format, grade.md as a student reads it, and the leaderboard."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from reports.grading import (
    failed_run_results,
    grade_markdown,
    leaderboard_frame,
    results_json,
    validate_results,
    write_atomic,
    write_grade,
    write_leaderboard,
)
from reports.html import grade_html

#: Gradescope's own example of results.json (its autograder specification), comments removed.
GRADESCOPE_EXAMPLE: dict[str, Any] = {
    "score": 44.0, "execution_time": 136, "output": "Text relevant to the entire submission",
    "output_format": "simple_format", "test_output_format": "text", "test_name_format": "text",
    "visibility": "after_due_date", "stdout_visibility": "visible", "extra_data": {},
    "tests": [{"score": 2.0, "max_score": 2.0, "status": "passed", "name": "Your name here", "name_format": "text",
               "number": "1.1", "output": "Giant multiline string", "output_format": "text",
               "tags": ["tag1", "tag2", "tag3"], "visibility": "visible", "extra_data": {}}],
    "leaderboard": [{"name": "Accuracy", "value": 0.926}, {"name": "Time", "value": 15.1, "order": "asc"},
                    {"name": "Stars", "value": "*****"}],
}

#: What the grader records for a failing hypothesis test, field by field: the failure, the shrunk example, the snippet.
FAILURE = """unsqueeze(-2) of shape (2, 1) shape: expected (2, 1, 1)
                                     but got (1, 2, 1)"""
EXAMPLE = """Failing test case: test_unsqueeze_any_dim(
    run=run(alice-cpu),
    shape=(2, 1),
    data=data(...),
)
Draw 1 (dim): -2"""
SNIPPET = """# reproduce on alice-cpu (run from the suite's folder)
from impls.registry import load; T = load('/home/alice/mytorch.py')
from suite.probes.views import unsqueeze
print(unsqueeze(T, 'cpu', shape=(2, 1), dim=-2))"""


def check(test: str, outcome: str, cause: str, message: str = "", failure: str = "", example: str = "",
          snippet: str = "") -> dict[str, Any]:
    """One check of a grade, as scoring writes it."""
    return {"test": f"suite/conformance/test_views.py::{test}", "device": "cpu", "outcome": outcome, "cause": cause,
            "message": message, "missing": "", "failure": failure, "example": example, "snippet": snippet,
            "seconds": 0.1}


def behaviour(id_: str, family: str, score: float, max_score: float, status: str, checks: list[dict],
              causes: tuple[str, ...] = ()) -> dict[str, Any]:
    """One behaviour of a grade."""
    passed = sum(c["outcome"] == "passed" for c in checks)
    return {"id": id_, "family": family, "title": f"title of {id_}", "weight": 1.0, "score": score, "max_score": max_score,
            "status": status, "problem": None if status == "passed" else status, "causes": list(causes),
            "passed": passed, "counted": len(checks), "checks": checks}


@pytest.fixture
def graded() -> dict[str, Any]:
    """A grade with a passed, a partly passed, a missing and a timed-out behaviour."""
    behaviours = [
        behaviour("V1", "views", 25.0, 25.0, "passed", [check("test_view[alice-cpu]", "passed", "passed")]),
        behaviour("V5", "views", 12.5, 25.0, "partial",
                  [check("test_unsqueeze_document_example[alice-cpu]", "passed", "passed"),
                   check("test_unsqueeze_any_dim[alice-cpu]", "failed", "wrong result",
                         "unsqueeze(-2) of shape (2, 1) shape: expected (2, 1, 1)", FAILURE, EXAMPLE, SNIPPET)], ("wrong result",)),
        behaviour("M1", "modules", 0.0, 25.0, "missing",
                  [check("test_myliner[alice-cpu]", "missing", "missing name", "missing: T.nn (the suite's suite/probes/modules.py:10)")
                   | {"missing": "T.nn"}],
                  ("missing name",)),
        behaviour("V2", "views", 0.0, 25.0, "error",
                  [check("test_reshape[alice-cpu]", "error", "timeout", "timeout: the test ran past its 3 s limit")],
                  ("timeout",)),
    ]
    return {
        "submission": "alice", "score": 37.5, "max_score": 100.0,
        "families": [{"family": "views", "weight": 15, "score": 37.5, "max_score": 75.0, "behaviours": ["V1", "V5", "V2"]},
                     {"family": "modules", "weight": 15, "score": 0.0, "max_score": 25.0, "behaviours": ["M1"]}],
        "behaviours": behaviours, "ungraded": ["V6"],
        "settings": {"total": 100, "time_limit": 3, "memory_limit": "2GiB", "run_budget": 600, "visibility": "visible",
                     "files": ["weights.toml"]},
        "backend": {"label": "alice", "spec": "alice=/home/alice/mytorch.py", "version": "0.1"},
        "execution_time": 12.3, "integrity": [], "load_error": "",
    }


def test_gradescopes_own_example_is_valid() -> None:
    """The validator accepts the example of Gradescope's specification."""
    assert validate_results(GRADESCOPE_EXAMPLE) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(grade=1), "unknown top-level key 'grade'"),
        (lambda d: d.update(visibility="secret"), "visibility must be one of"),
        (lambda d: d.update(score="44"), "score must be int or float"),
        (lambda d: d.update(score=float("nan")), "score must be int or float"),
        (lambda d: d.pop("score") and d["tests"][0].pop("score"), "score is required"),
        (lambda d: d["tests"][0].update(status="ok"), "tests[0].status must be passed or failed"),
        (lambda d: d["tests"][0].update(score=3.0), "score 3.0 is more than max_score 2.0"),
        (lambda d: d["tests"][0].update(output_format="pdf"), "tests[0].output_format must be one of"),
        (lambda d: d["tests"][0].update(tags=[1]), "tests[0].tags must be strings"),
        (lambda d: d["leaderboard"][1].update(order="up"), "leaderboard[1].order must be asc or desc"),
    ],
    ids=["unknown-key", "visibility", "string-score", "nan-score", "no-score", "status", "over-max", "format", "tags",
         "order"],
)
def test_the_validator_names_what_gradescope_would_reject(change, words: str) -> None:
    """Each departure from the documented format is reported in words."""
    data = copy.deepcopy(GRADESCOPE_EXAMPLE)
    change(data)
    assert any(words in problem for problem in validate_results(data)), validate_results(data)


def test_results_json_has_one_test_per_behaviour_with_points_and_feedback(graded: dict[str, Any]) -> None:
    """Valid results.json: top-level score and max_score, a test per behaviour, passed only at full marks."""
    data = results_json(graded)
    assert validate_results(data) == []
    assert (data["score"], data["max_score"], data["execution_time"]) == (37.5, 100.0, 12.3)
    tests = {t["number"]: t for t in data["tests"]}
    assert list(tests) == ["V1", "V5", "M1", "V2"]
    assert tests["V1"]["status"] == "passed" and tests["V5"]["status"] == "failed"
    assert (tests["V5"]["score"], tests["V5"]["max_score"]) == (12.5, 25.0)
    assert "missing" in tests["M1"]["tags"] and "timeout" in tests["V2"]["tags"]
    assert "expected (2, 1, 1)" in tests["V5"]["output"] and tests["V5"]["output_format"] == "md"
    assert data["extra_data"]["counts"] == {"passed": 1, "partial": 1, "failed": 0, "error": 1, "missing": 1}
    assert "1 not implemented yet" in data["output"]


def test_hidden_tests_carrying_points_are_shown_after_the_due_date(graded: dict[str, Any]) -> None:
    """A course asking for hidden tests gets after_due_date, since hidden tests hide the total from students."""
    graded["settings"]["visibility"] = "hidden"
    data = results_json(graded)
    assert {t["visibility"] for t in data["tests"]} == {"after_due_date"} and data["visibility"] == "after_due_date"


def test_integrity_notes_and_withheld_scores_are_reported(graded: dict[str, Any]) -> None:
    """What the guard found becomes an informational failed test; a withheld score says so first."""
    graded.update(integrity=["file 'x' appeared in the report folder during the run: removed"],
                  withheld="the grader's own files changed", score_before_withholding=37.5, score=0.0)
    data = results_json(graded)
    assert validate_results(data) == []
    assert data["tests"][-1]["name"] == "Integrity of the grading run" and data["tests"][-1]["status"] == "failed"
    assert data["output"].startswith("Score withheld: the grader's own files changed")
    text = grade_markdown(graded)
    assert "**Score withheld:** the grader's own files changed (without that, the checks below would have earned 37.5)" in text
    assert "- Integrity: file 'x' appeared" in text


def test_a_grade_of_part_of_the_assignment_says_so_and_how_the_run_was_narrowed(graded: dict[str, Any]) -> None:
    """-k or -m leaving behaviours out: grade.md, results.json's summary and extra_data name them and the flags."""
    assert "Graded a part" not in grade_markdown(graded) + results_json(graded)["output"]  # the fixture's whole grade
    graded.update(unselected=["D1", "D2"], selection=["-k test_views", "-m views"])
    sentence = ("the run was narrowed by `-k test_views`; `-m views`, so 2 of the assignment's behaviours had no test in it "
                "and the score counts only the rest. Not graded: D1, D2")
    assert f"\n**Graded a part of the assignment:** {sentence}.\n" in grade_markdown(graded)
    data = results_json(graded)
    assert validate_results(data) == [] and data["output"].startswith(f"Graded a part of the assignment: {sentence}. Score 37.5")
    assert (data["extra_data"]["unselected"], data["extra_data"]["selection"]) == (["D1", "D2"], ["-k test_views", "-m views"])
    assert "Graded a part of the assignment:</b> 2 behaviours" in grade_html(data)


def test_a_grade_of_an_interrupted_run_says_so_first(graded: dict[str, Any]) -> None:
    """Ctrl-C or SIGTERM: grade.md and results.json's summary say the unreached checks scored zero as not run."""
    assert "stopped part way" not in grade_markdown(graded) + results_json(graded)["output"]
    graded["interrupted"] = True
    assert "\n**The run was stopped part way:** it was interrupted (Ctrl-C or SIGTERM)" in grade_markdown(graded)
    data = results_json(graded)
    assert data["output"].startswith("The run was stopped part way: it was interrupted") and data["extra_data"]["interrupted"]
    assert validate_results(data) == []


def test_a_submission_that_did_not_load_is_told_so_before_how_it_was_graded(graded: dict[str, Any]) -> None:
    """The load error comes first (after a withheld score), before the notes on the run's sandbox or narrowing."""
    graded.update(load_error="importing it raised RuntimeError: nope", unselected=["D1"], selection=["-m views"],
                  isolation={"kind": "none", "detail": "no sandbox"})
    text = grade_markdown(graded)
    said = [text.index(words) for words in ("**The submission did not load**", "**Graded without a sandbox:**",
                                            "**Graded a part of the assignment:**")]
    assert said == sorted(said), text[:1500]
    assert "RuntimeError: nope" in text
    data = results_json(graded)  # results.json's summary puts it first too
    assert validate_results(data) == [] and data["output"].startswith("The submission did not load: importing it raised")


def test_grade_md_says_per_family_what_passed_and_per_failure_what_to_fix(graded: dict[str, Any]) -> None:
    """Score, families table, passed lists, missing apart, and each failing check's feedback as copy-paste code."""
    text = grade_markdown(graded)
    assert text.startswith("# Grade for `alice`: 37.5 / 100")
    assert "## views: 37.5 / 75" in text and "## modules: 0 / 25" in text
    assert "Passed: **V1** title of V1." in text
    assert "Not implemented yet (missing API):\n\n- **M1** title of M1: needs `T.nn`" in text
    assert "### **V5** title of V5: 12.5 / 25 (1 of 2 checks passed; wrong result)" in text
    assert "Shortest input that shows it (hypothesis's shrunk example):" in text
    assert "```python\n# reproduce on alice-cpu" in text
    assert "`test_reshape[alice-cpu]` — stopped: ran past the time limit" in text
    assert "## Not graded in this run" in text and "V6" in text


def test_grade_files_are_written_in_place_of_whatever_was_there(graded: dict[str, Any], tmp_path: Path) -> None:
    """results.json and grade.md replace links rather than write through them."""
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (tmp_path / "results.json").symlink_to(victim)
    paths = write_grade(graded, tmp_path)
    assert [p.name for p in paths] == ["results.json", "grade.md"]
    assert not (tmp_path / "results.json").is_symlink() and victim.read_text() == "untouched"
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 37.5
    write_atomic(tmp_path / "grade.md", "again")
    assert (tmp_path / "grade.md").read_text() == "again"


def test_the_leaderboard_ranks_best_first_with_shared_ranks_for_ties(tmp_path: Path) -> None:
    """Rows by score, ties sharing a rank, counts from each results.json, notes for what went wrong."""
    def results(score: float, passed: int) -> dict[str, Any]:
        return {"score": score, "max_score": 100.0, "execution_time": 9.0,
                "extra_data": {"counts": {"passed": passed}, "integrity": [], "withheld": "", "load_error": ""}}

    dead = failed_run_results("dora", "the grading process was killed by SIGKILL", 3.0)
    frame = leaderboard_frame([("bob", results(70, 5)), ("alice", results(90, 7)), ("carol", results(70, 5)), ("dora", dead)])
    assert list(frame["submission"]) == ["alice", "bob", "carol", "dora"]
    assert list(frame["rank"]) == [1, 2, 2, 4] and list(frame["passed"]) == [7, 5, 5, 0]
    assert "killed by SIGKILL" in frame.loc[3, "notes"]
    csv_path, md_path = write_leaderboard(frame, tmp_path)
    assert list(pd.read_csv(csv_path)["submission"]) == ["alice", "bob", "carol", "dora"]
    assert md_path.read_text().startswith("# Leaderboard\n\n|   rank | submission")
    assert validate_results(dead) == []


def test_a_stopped_check_is_explained_by_the_graders_words_not_hypothesis_replays(graded: dict[str, Any]) -> None:
    """For a timeout, crash or exit the feedback quotes the grader's cause, not hypothesis's account of replays."""
    stopped = graded["behaviours"][3]["checks"][0]
    stopped["message"] = "3 distinct failures; first: crash: the backend's process was killed by SIGSEGV while running unsqueeze"
    stopped["failure"] = "crash: the backend's process was killed by SIGSEGV while running unsqueeze"
    stopped["example"] = "Inconsistent results from replaying a test case!\n  last: INTERESTING from BackendError"
    text = grade_markdown(graded)
    assert "crash: the backend's process was killed by SIGSEGV while running unsqueeze" in text
    assert "Inconsistent results" not in text and "distinct failures" not in text


@pytest.mark.parametrize("text", ["", "[1, 2]", '{"score": 1'], ids=["empty", "a-list", "cut-short"])
def test_a_results_json_that_cannot_be_read_leaves_the_page_written_without_a_grade(tmp_path: Path, text: str) -> None:
    """report.html over a folder whose results.json another run left unreadable: written, saying so, no crash."""
    from reports.html import write_report_html

    (tmp_path / "conformance.json").write_text("[]")
    (tmp_path / "results.json").write_text(text)
    page = write_report_html(tmp_path, {}).read_text()
    assert "results.json here" in page and "no grade" in page and "Score:" not in page


def test_the_pages_grade_table_says_what_grade_md_says(graded: dict[str, Any]) -> None:
    """report.html's grade lists each behaviour's result in grade.md's words, a missing one as not implemented yet
    (Gradescope's status calls it failed), under one header row."""
    page = grade_html(results_json(graded))
    results = re.findall(r"<td>([^<]*)</td>\s*</tr>", page)
    assert results == ["passed", "partly passed", "not implemented yet", "stopped or raised"], results
    assert page.count("<tr") == 1 + len(results)  # no second header row naming the index
