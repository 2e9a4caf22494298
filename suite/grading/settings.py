"""What a grading run is told: points, weights, visibility and limits, from ``weights.toml`` and a course's file.

The defaults live in ``suite/grading/weights.toml`` (read it: it explains the
score). A course gives its own file with ``--weights``; it holds only what it
changes, table by table and key by key.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from reference.behaviours import BEHAVIOURS, FAMILIES
from suite.session import parse_size

#: The suite's own settings file.
DEFAULTS = Path(__file__).with_name("weights.toml")
#: Gradescope's visibility values (its autograder specification).
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
#: The isolation a course may ask for (suite/sandbox.py): bubblewrap or the uid fallback required, the best the
#: machine allows, or none.
ISOLATIONS = ("bubblewrap", "uid", "auto", "none")
#: What to do with a run in which the grader's own files changed on disk.
TAMPER_POLICIES = ("flag", "zero")
#: Every key a settings file may hold, by table (families and behaviours are checked against the catalogue).
KEYS: dict[str, tuple[str, ...]] = {
    "grading": ("total", "visibility", "on_tamper", "forbidden", "secret", "examples", "tests", "tests_visibility",
                "isolation"),
    "limits": ("time_limit", "memory_limit", "run_budget", "backstop"),
    "speed": ("points", "reference", "benchmarks", "full_at", "zero_at"),
    "families": tuple(FAMILIES.values()),
    "behaviours": tuple(BEHAVIOURS),
}


#: A module name as ``import`` takes it.
MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
#: What every submission's worker itself runs on (replies travel as numpy arrays): these cannot be forbidden.
UNFORBIDDABLE = ("numpy", "suite.worker", "suite.codec", "suite.execute", "suite.outcomes", "suite.probes", "impls.registry")


class SettingsError(ValueError):
    """A settings file that cannot be used; ``str()`` names the file and the key."""


@dataclass(frozen=True)
class Speed:
    """Optional points for speed: each benchmark's median against a built-in reference timed in the same run."""

    points: float = 0.0  # added to the total; 0: speed is not graded and no benchmark runs
    reference: str = "numpy"
    benchmarks: tuple[str, ...] = ()  # catalogued names, each timed at its largest size; (): all of them
    full_at: float = 2.0  # a ratio (submission / reference) at or below this earns the benchmark's whole share
    zero_at: float = 50.0  # at or above this, nothing; in between, log-linearly

    def share(self, ratio: float) -> float:
        """The part (0 to 1) of a benchmark's points a ratio to the reference earns."""
        if not ratio > 0:
            return 0.0
        if ratio <= self.full_at:
            return 1.0
        if ratio >= self.zero_at:
            return 0.0
        return math.log(self.zero_at / ratio) / math.log(self.zero_at / self.full_at)


@dataclass(frozen=True)
class Settings:
    """Points, weights and limits of one grading run."""

    total: float
    visibility: str
    on_tamper: str
    forbidden: tuple[str, ...]  # modules a submission may not import (torch, the suite's own packages by default)
    secret: str  # the course's secret: with the submission's name, it seeds the examples ("": fixed examples)
    examples: int  # hypothesis examples per property test under grading
    tests: str  # a folder of the course's own tests, graded with the suite's ("": none)
    tests_visibility: str  # Gradescope visibility of the course's tests (hidden by default)
    isolation: str  # "bubblewrap", "uid", "auto" or "none": the sandbox each submission's worker runs in
    time_limit: float
    memory_limit: str
    run_budget: float
    backstop: float  # the wall-clock limit of a test, in multiples of its CPU-time limit
    families: dict[str, float]
    speed: "Speed" = field(default_factory=lambda: Speed())
    behaviours: dict[str, float] = field(default_factory=dict)  # only the behaviours a file names
    files: tuple[str, ...] = ()

    def family_weight(self, family: str) -> float:
        """The relative weight of a family (0 for one no file names)."""
        return self.families.get(family, 0.0)

    def behaviour_weight(self, behaviour_id: str) -> float:
        """The relative weight of a behaviour inside its family (1 unless a file says otherwise)."""
        return self.behaviours.get(behaviour_id, 1.0)

    @property
    def memory_bytes(self) -> int:
        """The memory limit in bytes."""
        return parse_size(self.memory_limit)

    def describe(self) -> dict[str, Any]:
        """The settings as plain data, for the grade's record of how it was computed."""
        return {
            "total": self.total, "visibility": self.visibility, "isolation": self.isolation, "forbidden": list(self.forbidden), "examples": self.examples, "time_limit": self.time_limit, "backstop": self.backstop, "memory_limit": self.memory_limit,
            "run_budget": self.run_budget, "families": dict(self.families), "behaviours": dict(self.behaviours),
            "files": [_shown(path) for path in self.files],
        }


def _shown(path: str) -> str:
    """A settings file's path as a reader knows it: relative to the suite's folder when inside it."""
    from suite import PROJECT_ROOT

    resolved = Path(path).resolve()
    return resolved.relative_to(PROJECT_ROOT).as_posix() if resolved.is_relative_to(PROJECT_ROOT) else str(path)


def _read(path: Path) -> dict[str, Any]:
    """Parse one TOML file, naming it in any error."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise SettingsError(f"grading settings {path}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"grading settings {path}: not valid TOML ({exc})") from None


def _check(path: Path, data: Mapping[str, Any]) -> None:
    """Refuse unknown tables and keys, and values of the wrong kind."""
    for table, entries in data.items():
        if table not in KEYS:
            raise SettingsError(f"grading settings {path}: unknown table [{table}]; known: {', '.join(KEYS)}")
        if not isinstance(entries, dict):
            raise SettingsError(f"grading settings {path}: {table} must be a table ([{table}])")
        for key, value in entries.items():
            if key not in KEYS[table]:
                raise SettingsError(f"grading settings {path}: unknown key {key!r} in [{table}]; known: {', '.join(KEYS[table])}")
            if table in ("families", "behaviours") or key in ("total", "time_limit", "run_budget", "backstop"):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise SettingsError(f"grading settings {path}: [{table}] {key} must be a number >= 0, not {value!r}")
    grading = data.get("grading", {})
    if "visibility" in grading and grading["visibility"] not in VISIBILITIES:
        raise SettingsError(f"grading settings {path}: visibility must be one of {', '.join(VISIBILITIES)}")
    if "on_tamper" in grading and grading["on_tamper"] not in TAMPER_POLICIES:
        raise SettingsError(f"grading settings {path}: on_tamper must be one of {', '.join(TAMPER_POLICIES)}")
    if "isolation" in grading and grading["isolation"] not in ISOLATIONS:
        raise SettingsError(f"grading settings {path}: [grading] isolation must be one of {', '.join(ISOLATIONS)}")
    if "forbidden" in grading:
        _check_forbidden(path, grading["forbidden"])
    _check_speed(path, data.get("speed", {}))
    if "tests" in grading and not isinstance(grading["tests"], str):
        raise SettingsError(f"grading settings {path}: [grading] tests must be a folder's path (a string)")
    if "tests_visibility" in grading and grading["tests_visibility"] not in VISIBILITIES:
        raise SettingsError(f"grading settings {path}: tests_visibility must be one of {', '.join(VISIBILITIES)}")
    if "secret" in grading and not isinstance(grading["secret"], str):
        raise SettingsError(f"grading settings {path}: [grading] secret must be a string")
    if "examples" in grading and (isinstance(grading["examples"], bool) or not isinstance(grading["examples"], int)
                                  or grading["examples"] < 1):
        raise SettingsError(f"grading settings {path}: [grading] examples must be a whole number >= 1")
    limits = data.get("limits", {})
    if "memory_limit" in limits:
        try:
            parse_size(str(limits["memory_limit"]))
        except ValueError as exc:
            raise SettingsError(f"grading settings {path}: memory_limit: {exc}") from None
    for table, key in (("grading", "total"), ("limits", "time_limit"), ("limits", "run_budget")):
        if data.get(table, {}).get(key, 1) == 0:
            raise SettingsError(f"grading settings {path}: [{table}] {key} must be more than 0")
    if limits.get("backstop", 1) < 1:
        raise SettingsError(f"grading settings {path}: [limits] backstop must be at least 1 (times the time limit)")


def _check_speed(path: Path, speed: Mapping[str, Any]) -> None:
    """Speed points: numbers, a built-in reference, catalogued benchmarks, 0 < full_at < zero_at."""
    from impls.registry import BUILTINS
    from suite.benchmarks.workloads import CATALOGUE

    for key in ("points", "full_at", "zero_at"):
        value = speed.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise SettingsError(f"grading settings {path}: [speed] {key} must be a number >= 0, not {value!r}")
    if "reference" in speed and speed["reference"] not in BUILTINS:
        raise SettingsError(f"grading settings {path}: [speed] reference must be a built-in backend ({', '.join(BUILTINS)})")
    unknown = [name for name in speed.get("benchmarks", []) if name not in CATALOGUE]
    if not isinstance(speed.get("benchmarks", []), list) or unknown:
        raise SettingsError(f"grading settings {path}: [speed] benchmarks must list catalogued benchmarks "
                            f"({', '.join(CATALOGUE)}); unknown: {', '.join(map(str, unknown))}")


def _check_forbidden(path: Path, value: Any) -> None:
    """A list of module names, none of them one the worker itself needs."""
    if not isinstance(value, list) or not all(isinstance(name, str) and MODULE_NAME.fullmatch(name) for name in value):
        raise SettingsError(f"grading settings {path}: [grading] forbidden must be a list of module names "
                            f'(["torch", "reference"]), not {value!r}')
    for name in value:
        needed = [m for m in UNFORBIDDABLE if m == name or m.startswith(name + ".") or name.startswith(m + ".")]
        if needed and name not in ("suite", "impls"):
            raise SettingsError(f"grading settings {path}: [grading] forbidden: {name} cannot be forbidden, "
                                f"the grader's worker needs {needed[0]}")


def load_settings(course_file: str | Path | None = None) -> Settings:
    """The suite's defaults, with a course's file (if any) laid over them key by key."""
    files = [DEFAULTS] + ([Path(course_file)] if course_file else [])
    merged: dict[str, dict[str, Any]] = {table: {} for table in KEYS}
    for path in files:
        data = _read(path)
        _check(path, data)
        for table, entries in data.items():
            merged[table].update(entries)
        if data.get("grading", {}).get("tests"):  # a folder named by a file is relative to that file
            folder = (path.parent / data["grading"]["tests"]).resolve()
            if not folder.is_dir():
                raise SettingsError(f"grading settings {path}: [grading] tests: {folder} is not a folder")
            merged["grading"]["tests"] = str(folder)
    grading, limits = merged["grading"], merged["limits"]
    if not 0 < merged["speed"]["full_at"] < merged["speed"]["zero_at"]:
        raise SettingsError(f"grading settings {', '.join(map(str, files))}: [speed] needs 0 < full_at < zero_at")
    return Settings(
        total=float(grading["total"]),
        visibility=str(grading["visibility"]),
        on_tamper=str(grading["on_tamper"]),
        forbidden=tuple(dict.fromkeys(grading["forbidden"])),
        secret=str(grading["secret"]),
        examples=int(grading["examples"]),
        tests=str(grading["tests"]),
        tests_visibility=str(grading["tests_visibility"]),
        isolation=str(grading["isolation"]),
        time_limit=float(limits["time_limit"]),
        memory_limit=str(limits["memory_limit"]),
        run_budget=float(limits["run_budget"]),
        backstop=float(limits["backstop"]),
        families={name: float(weight) for name, weight in merged["families"].items()},
        speed=Speed(points=float(merged["speed"]["points"]), reference=str(merged["speed"]["reference"]),
                    benchmarks=tuple(merged["speed"]["benchmarks"]),
                    full_at=float(merged["speed"]["full_at"]), zero_at=float(merged["speed"]["zero_at"])),
        behaviours={name: float(weight) for name, weight in merged["behaviours"].items()},
        files=tuple(str(path) for path in files),
    )
