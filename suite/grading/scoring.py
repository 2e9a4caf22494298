"""From the checks a run collected and the outcomes the grading process recorded, to points.

A *check* is one conformance test on one device. A behaviour's points are
shared among its checks (partial credit); a family's points among its
behaviours by weight; the total among the families that ran by weight
(``weights.toml`` explains it to course staff). Everything here is pure: the
same checks, records and settings always give the same grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from reference.behaviours import BEHAVIOURS, FAMILIES
from suite import outcomes
from suite.grading.settings import Settings, Speed

#: Causes where the grader stopped the submission (or never started it), as opposed to a wrong answer or an exception.
STOPPED = tuple(cause.value for cause in outcomes.STOPPED)
#: Non-passing outcomes from the one a student should read first to the last.
PROBLEM_ORDER = ("failed", "error", "missing")


@dataclass(frozen=True)
class Check:
    """One graded check: a conformance test of one behaviour, on one backend and device."""

    test: str
    backend: str
    device: str
    behaviour: str
    course: bool = False  # one of the course's own tests ([grading] tests), shown as the course's visibility says

    @property
    def key(self) -> tuple[str, str, str]:
        """What links the check to its record."""
        return (self.test, self.backend, self.device)


def _check_result(check: Check, record: Mapping[str, Any] | None) -> dict[str, Any]:
    """The check with what happened to it, read from the record's fields; a check without a record was never run."""
    if record is None:
        record = {"outcome": "error", "cause": outcomes.Cause.NOT_RUN.value, "message": "not run: the run ended before this test"}
    result = {"test": check.test, "device": check.device, "course": check.course, "outcome": str(record["outcome"]),
              "cause": str(record.get("cause", "")), "message": str(record.get("message", "")),
              "seconds": float(record.get("seconds", 0.0) or 0.0)}
    for name in ("missing", "failure", "example", "snippet"):
        result[name] = str(record.get(name, "") or "")
    return result


def _status(results: list[dict[str, Any]]) -> tuple[str, str | None]:
    """(status, problem): passed, partial, failed, error or missing; and the worst non-passing outcome."""
    counted = [r for r in results if r["outcome"] != "skipped"]
    problems = {r["outcome"] for r in counted if r["outcome"] != "passed"}
    if not problems:
        return "passed", None
    problem = next(kind for kind in PROBLEM_ORDER if kind in problems)
    return ("partial" if any(r["outcome"] == "passed" for r in counted) else problem), problem


def _shares(weights: Mapping[str, float]) -> dict[str, float]:
    """Each key's share of the weights' sum (all zero when the sum is zero)."""
    total = sum(weights.values())
    return {key: (weight / total if total > 0 else 0.0) for key, weight in weights.items()}


def grade(
    checks: Iterable[Check],
    records: Iterable[Mapping[str, Any]],
    settings: Settings,
    backend: str,
) -> dict[str, Any]:
    """The grade of one backend: total, families and behaviours with their checks, as plain data."""
    by_key = {(r["test"], r["backend"], r["device"]): r for r in records if r["backend"] == backend}
    per_behaviour: dict[str, list[dict[str, Any]]] = {}
    for check in checks:
        if check.backend == backend:
            per_behaviour.setdefault(check.behaviour, []).append(_check_result(check, by_key.get(check.key)))
    graded = {b: results for b, results in per_behaviour.items() if any(r["outcome"] != "skipped" for r in results)}
    ungraded = sorted(set(per_behaviour) - set(graded), key=list(BEHAVIOURS).index)

    families_present = {BEHAVIOURS[b].family for b in graded}
    family_share = _shares({f: settings.family_weight(f) for f in FAMILIES.values() if f in families_present})
    behaviours_out: list[dict[str, Any]] = []
    families_out: list[dict[str, Any]] = []
    for family in (f for f in FAMILIES.values() if f in families_present):
        members = [b for b in BEHAVIOURS if b in graded and BEHAVIOURS[b].family == family]
        behaviour_share = _shares({b: settings.behaviour_weight(b) for b in members})
        family_score = 0.0
        for behaviour_id in members:
            results = graded[behaviour_id]
            all_counted = len([r for r in results if r["outcome"] != "skipped"])
            behaviour_max = settings.total * family_share[family] * behaviour_share[behaviour_id]
            for part, part_results in _parts(results):
                # Each part (the suite's checks, the course's own) carries its checks' share of the behaviour's points.
                counted = [r for r in part_results if r["outcome"] != "skipped"]
                passed = sum(r["outcome"] == "passed" for r in counted)
                max_score = behaviour_max * len(counted) / all_counted
                score = behaviour_max * passed / all_counted
                status, problem = _status(part_results)
                family_score += score
                behaviours_out.append({
                    "id": behaviour_id, "family": family, "title": BEHAVIOURS[behaviour_id].title,
                    "weight": settings.behaviour_weight(behaviour_id), "score": score, "max_score": max_score,
                    "status": status, "problem": problem,
                    "causes": sorted({r["cause"] for r in counted if r["outcome"] != "passed"}),
                    "passed": passed, "counted": len(counted), "checks": part_results,
                    "part": part, **({"visibility": settings.tests_visibility} if part == "course" else {}),
                })
        families_out.append({
            "family": family, "weight": settings.family_weight(family), "score": family_score,
            "max_score": settings.total * family_share[family], "behaviours": members,
        })
    score = sum(b["score"] for b in behaviours_out)
    max_score = sum(b["max_score"] for b in behaviours_out)
    return {
        "submission": backend,
        "score": score,
        "max_score": max_score,
        "families": families_out,
        "behaviours": behaviours_out,
        "ungraded": ungraded,
        # Behaviours of the assignment with no check in this run at all (-k, -m or paths left them out): not graded either.
        "unselected": [b for b in BEHAVIOURS if b not in per_behaviour],
        "settings": settings.describe(),
    }


def speed_points(benchmarks: Iterable[Mapping[str, Any]], names: Iterable[str], submission: str, reference: str,
                 speed: Speed) -> dict[str, Any]:
    """Speed points of one submission: each named benchmark's cpu median against the reference's, from the timed runs.

    ``benchmarks`` are pytest-benchmark's entries (``extra_info`` names backend, device, benchmark and size). A
    benchmark the submission did not complete (it failed, raised or is missing) earns nothing.
    """
    medians = {(b["extra_info"]["backend"], b["extra_info"]["benchmark"]): (b["stats"]["median"], b["extra_info"].get("size"))
               for b in benchmarks if b.get("extra_info", {}).get("device") == "cpu"}
    names = sorted(set(names))
    each = speed.points / len(names) if names else 0.0
    rows = []
    for name in names:
        mine, theirs = medians.get((submission, name)), medians.get((reference, name))
        ratio = mine[0] / theirs[0] if mine and theirs and theirs[0] > 0 else None
        rows.append({"benchmark": name, "size": (mine or theirs or (None, None))[1],
                     "submission_s": mine[0] if mine else None, "reference_s": theirs[0] if theirs else None,
                     "ratio": ratio, "points": each * speed.share(ratio) if ratio else 0.0, "max_points": each,
                     "note": "" if ratio else ("not timed: the benchmark did not complete on the submission" if theirs
                                               else "not timed on the reference")})
    return {"reference": reference, "points": sum(r["points"] for r in rows), "max_points": speed.points,
            "full_at": speed.full_at, "zero_at": speed.zero_at, "benchmarks": rows}


def add_speed(grade_: dict[str, Any], speed: dict[str, Any]) -> dict[str, Any]:
    """The grade with its speed points added to the score and the maximum."""
    return {**grade_, "speed": speed, "score": grade_["score"] + speed["points"],
            "max_score": grade_["max_score"] + speed["max_points"]}


def _parts(results: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A behaviour's checks as ("suite", ...) and, where the course added tests of it that ran, ("course", ...)."""
    course = [r for r in results if r.get("course")]
    if not any(r["outcome"] != "skipped" for r in course):
        return [("suite", results)]
    suite = [r for r in results if not r.get("course")]
    return ([("suite", suite)] if any(r["outcome"] != "skipped" for r in suite) else []) + [("course", course)]


def withhold(grade_: dict[str, Any], reason: str) -> dict[str, Any]:
    """The grade with its score set to zero for ``reason`` (the course's ``on_tamper = "zero"``); reasons add up."""
    withheld = dict(grade_)
    withheld.setdefault("score_before_withholding", grade_["score"])
    withheld["score"] = 0.0
    withheld["withheld"] = f"{grade_['withheld']}; {reason}" if grade_.get("withheld") else reason
    return withheld


def disqualify(grade_: dict[str, Any], forbidden: list[str]) -> dict[str, Any]:
    """The grade with every behaviour, family and the total at zero: the submission used ``forbidden`` modules."""
    reason = "imports forbidden module " + ", ".join(forbidden)
    zeroed = withhold(grade_, reason)
    zeroed["forbidden"] = list(forbidden)
    # What each check did stays as observed; only the points go.
    zeroed["behaviours"] = [{**b, "score": 0.0, "causes": sorted({*b["causes"], "forbidden"})} for b in grade_["behaviours"]]
    zeroed["families"] = [{**f, "score": 0.0} for f in grade_["families"]]
    return zeroed


def counts(grade_: Mapping[str, Any]) -> dict[str, int]:
    """How many behaviours ended each way (passed, partial, failed, error, missing)."""
    result = {status: 0 for status in ("passed", "partial", "failed", "error", "missing")}
    for behaviour in grade_["behaviours"]:
        if behaviour.get("part") != "course":
            result[behaviour["status"]] += 1
    return result
