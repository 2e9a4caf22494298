"""Grade a whole class: every submission in a folder, several at a time, then a leaderboard.

    python -m suite.grading.batch submissions/ --jobs 4 --out grades/ [-- PYTEST OPTIONS]

Each ``submissions/<name>/`` is graded by its own ``pytest --grade`` process
(the same command a course runs for one submission), working in its own copy
of the grader's sources, into ``grades/<name>/``
(results.json, grade.md, conformance.csv, summary.md); the processes run
``--jobs`` at a time through ``concurrent.futures``. Then ``grades/`` gets
leaderboard.csv and leaderboard.md. Over several machines, each takes a share
with ``--shard K/N`` (submission i goes to shard i mod N), and once the folders
are gathered in one place ``--leaderboard-only grades/`` ranks them all.

A grading run that ends without its own report (killed, stopped at the
``--timeout``) gets a zero results.json saying so, whatever else is in its
folder: only a grader that finished writes a grade.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from suite import COPIED_VERSION, PROJECT_ROOT, version
from suite.cli import prog
from suite.grading import guard
from suite.grading.settings import SettingsError, load_settings

#: pytest exit statuses of a run that went to its end (and so wrote its report): all passed, some failed,
#: interrupted (the report covers what ran), no tests collected.
FINISHED = (0, 1, 2, 5)
#: Names the submission's module may have in its folder, tried in order after --entry.
DEFAULT_ENTRY = "mytorch"


@dataclass(frozen=True)
class Submission:
    """One student's folder and the backend spec the grader is given for it."""

    name: str
    folder: Path
    entry: Path

    @property
    def label(self) -> str:
        """The name as a backend label (letters, digits, _ and .; not starting with a digit)."""
        label = re.sub(r"[^A-Za-z0-9_.]", "_", self.name)
        return label if re.match(r"^[A-Za-z_]", label) else f"s_{label}"

    @property
    def spec(self) -> str:
        """``label=path``, as ``--backend`` takes it."""
        return f"{self.label}={self.entry}"


def entry_of(folder: Path, entry: str = DEFAULT_ENTRY) -> Path:
    """The module a submission offers: ``<entry>.py``, a package ``<entry>/``, the only .py file, or the folder.

    When nothing fits, the path ``<entry>.py`` is returned anyway: the grader then
    reports that the submission did not load, and every behaviour scores zero.
    """
    folder = Path(folder).resolve()
    candidates = [folder / f"{entry}.py", folder / entry]
    for candidate in candidates:
        if candidate.is_file() or (candidate / "__init__.py").is_file():
            return candidate
    modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
    if len(modules) == 1:
        return modules[0]
    if (folder / "__init__.py").is_file():
        return folder
    return candidates[0]


def find_submissions(folder: Path, entry: str = DEFAULT_ENTRY) -> list[Submission]:
    """Every submission folder under ``folder``, by name (hidden and ``_`` folders left out)."""
    subs = sorted(p for p in Path(folder).iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    return [Submission(name=p.name, folder=p.resolve(), entry=entry_of(p, entry)) for p in subs]


def shard(submissions: list[Submission], spec: str | None) -> list[Submission]:
    """The share ``K/N`` of this machine: submissions K-1, K-1+N, K-1+2N... in name order."""
    if not spec:
        return submissions
    match = re.fullmatch(r"(\d+)/(\d+)", spec)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise SystemExit(f"--shard {spec!r}: give K/N with 1 <= K <= N, e.g. --shard 2/3")
    k, n = int(match.group(1)), int(match.group(2))
    return [sub for i, sub in enumerate(submissions) if i % n == k - 1]


def private_copy(target: Path) -> Path:
    """A copy of the grader's sources (suite, reference, reports, impls and the pytest settings) for one run, saying
    what version of the suite it is (``suite.COPIED_VERSION``: the commit, which the copy cannot read without .git).

    Each run works in its own copy, so a submission that rewrites the grader's
    files on disk spoils only its own run (which then withholds its score),
    never a classmate's graded beside or after it.
    """
    ignore = shutil.ignore_patterns("*.egg-info", "runs", ".*")  # __pycache__ kept: pytest's rewritten tests
    for part in ("suite", "reference", "reports", "impls", "conftest.py", "pyproject.toml"):
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=ignore)
        elif source.is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)
    (target / COPIED_VERSION).write_text(version() + "\n", encoding="utf-8")  # the copy has no .git to read a commit from
    return target


def pytest_command(submission: Submission, grader: Path, report_dir: Path, pytest_args: list[str]) -> list[str]:
    """The command that grades one submission with the grader in ``grader`` (cpu only unless the options name devices).

    The settings file and rootdir are named outright: pytest would otherwise
    count the (existing) report folder among the paths it derives its rootdir from.
    """
    devices = [] if any(a == "--device" or a.startswith("--device=") for a in pytest_args) else ["--device", "cpu"]
    return [sys.executable, "-m", "pytest", "-c", str(grader / "pyproject.toml"), "--rootdir", str(grader),
            "-p", "no:cacheprovider", "-q", "--grade", "--backend", submission.spec, "--report-dir", str(report_dir),
            *devices, *pytest_args]


class Reaper:
    """Kills what finished grading runs leave behind, sparing the runs still going."""

    def __init__(self) -> None:
        self.running: set[int] = set()
        self.lock = threading.Lock()
        self.subreaper = guard.become_subreaper()

    def sweep(self) -> int:
        """Kill every process that is this one's child but not a running grader (orphans re-parent here)."""
        with self.lock:
            table = guard._processes()
            strays = [pid for pid, (parent, state) in table.items()
                      if parent == os.getpid() and pid not in self.running and state not in ("Z", "X")]
            for pid in strays:
                for victim in [*guard.descendants(pid), pid]:
                    try:
                        os.kill(victim, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            return len(strays)


def _valid_results(path: Path) -> dict | None:
    """The results.json at ``path`` if it is there and valid, else None."""
    from reports.grading import validate_results

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if not validate_results(data) else None


def _last_words(log_path: Path, limit: int = 300) -> str:
    """`` (its last line)`` of a grading run's log, where it said why it stopped (a usage error, say); '' otherwise."""
    try:
        with open(log_path, "rb") as f:
            f.seek(max(0, os.path.getsize(log_path) - 4096))
            lines = f.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return f" ({lines[-1].strip()[:limit]})" if lines else ""


def grade_one(submission: Submission, report_dir: Path, log_path: Path, pytest_args: list[str], timeout: float,
              reaper: Reaper, max_score: float) -> dict:
    """Run the grader on one submission; make sure its folder ends with a results.json and a grade.md."""
    from reports.grading import failed_run_results, write_atomic

    shutil.rmtree(report_dir, ignore_errors=True)
    report_dir.mkdir(parents=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    workspace = Path(tempfile.mkdtemp(prefix=f"grading-{submission.label}-"))
    grader = private_copy(workspace / "grader")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(pytest_command(submission, grader, report_dir, pytest_args), cwd=grader,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        with reaper.lock:
            reaper.running.add(process.pid)
        try:
            code = process.wait(timeout=timeout)
            reason = None if code in FINISHED else (
                f"the grading process was killed by {signal.Signals(-code).name}" if code < 0
                else f"the grading process ended with status {code}{_last_words(log_path)}")
        except subprocess.TimeoutExpired:
            for victim in [*guard.descendants(process.pid), process.pid]:
                try:
                    os.kill(victim, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            process.wait()
            code, reason = None, f"the grading run took longer than the batch's {timeout:g} s limit"
        finally:
            with reaper.lock:
                reaper.running.discard(process.pid)
    reaper.sweep()
    shutil.rmtree(workspace, ignore_errors=True)
    seconds = time.monotonic() - began
    results = None if reason else _valid_results(report_dir / "results.json")
    if results is None:
        reason = reason or "the grading process ended without writing a valid results.json"
        results = failed_run_results(submission.name, reason, seconds, max_score)
        write_atomic(report_dir / "results.json", json.dumps(results, indent=1) + "\n")
        write_atomic(report_dir / "grade.md", f"# Grade for `{submission.name}`: 0 / {max_score:g}\n\n"
                     f"The grading run did not finish: {reason}. Course staff can regrade.\n")
    return {"name": submission.name, "score": results["score"], "max_score": results.get("max_score", max_score),
            "status": code, "reason": reason or "", "notes": run_notes(results), "seconds": round(seconds, 1)}


def run_notes(results: dict) -> list[str]:
    """What a finished run's results.json says besides the score, as the leaderboard's notes say it: the submission
    did not load, or its score was withheld (its grade.md says why)."""
    extra = results.get("extra_data", {})
    return [note for note, said in (("did not load", extra.get("load_error")), ("score withheld", extra.get("withheld")))
            if said]


def outcome_line(outcome: dict, seconds: bool = True) -> str:
    """The batch's line for one graded submission: ``name: score / max in N s`` (the grading run's wall-clock time),
    then in parentheses why the run did not finish, or that the submission did not load or had its score withheld
    (grade.md says why)."""
    from reports.grading import points_text

    line = f"{outcome['name']}: {points_text(outcome['score'])} / {points_text(outcome['max_score'])}"
    if seconds:
        line += f" in {outcome['seconds']:.0f} s"
    said = [note for note in (outcome["reason"], *outcome.get("notes", [])) if note]
    return line + (f" ({'; '.join(said)})" if said else "")


def write_leaderboard_of(out: Path) -> list[Path]:
    """Rank every ``out/<name>/results.json`` into out/leaderboard.csv and leaderboard.md."""
    from reports.grading import leaderboard_frame, write_leaderboard

    graded = []
    for folder in sorted(p for p in Path(out).iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        data = _valid_results(folder / "results.json")
        if data is not None:
            graded.append((folder.name, data))
    return write_leaderboard(leaderboard_frame(graded), out)


def _arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Parse the batch options; what follows ``--`` goes to each pytest run."""
    own, pytest_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(prog=prog("suite.grading.batch"), description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, nargs="?", help="folder holding one folder per submission")
    parser.add_argument("--out", type=Path, help="where the report folders and the leaderboard go (default: grades/ "
                        "beside the submissions folder)")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help="submissions graded at once (default: half the cores; each run uses about one)")
    parser.add_argument("--shard", metavar="K/N", help="grade only this machine's share of the submissions")
    parser.add_argument("--entry", default=DEFAULT_ENTRY, help="the module name each submission provides "
                        "(<entry>.py or a package <entry>/; default mytorch)")
    parser.add_argument("--weights", type=Path, help="the course's grading settings (passed to each run)")
    parser.add_argument("--timeout", type=float, help="wall-clock limit of one submission's run (default: the "
                        "settings' run_budget plus two time limits and two minutes)")
    parser.add_argument("--single", action="store_true", help="SUBMISSIONS is one submission's folder (Gradescope's "
                        "/autograder/submission): grade it and put results.json and grade.md straight into --out")
    parser.add_argument("--leaderboard-only", type=Path, metavar="OUT",
                        help="grade nothing; rank the report folders already in OUT (after gathering shards)")
    return parser.parse_args(own), pytest_args


def main(argv: list[str] | None = None) -> int:
    """Grade the submissions, then write the leaderboard; print one line per submission."""
    args, pytest_args = _arguments(sys.argv[1:] if argv is None else argv)
    if args.leaderboard_only:
        for path in write_leaderboard_of(args.leaderboard_only):
            print(f"wrote {path}")
        return 0
    if args.submissions is None or not args.submissions.is_dir():
        print(f"error: {args.submissions} is not a folder of submissions", file=sys.stderr)
        return 2
    try:
        settings = load_settings(args.weights)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.weights:
        pytest_args = ["--weights", str(args.weights.resolve()), *pytest_args]
    timeout = args.timeout or settings.run_budget + 2 * settings.time_limit + 120
    reaper = Reaper()
    if args.single:
        out = (args.out or Path("results")).resolve()
        out.mkdir(parents=True, exist_ok=True)
        submission = Submission(name="submission", folder=args.submissions.resolve(), entry=entry_of(args.submissions, args.entry))
        with tempfile.TemporaryDirectory(prefix="grading-run-") as private:
            log = Path(private) / "grading.log"
            outcome = grade_one(submission, Path(private) / "report", log, pytest_args, timeout, reaper, settings.total)
            for name in ("results.json", "grade.md"):
                shutil.copyfile(Path(private) / "report" / name, out / name)
            print(log.read_text(encoding="utf-8", errors="replace")[-20000:])  # for course staff (Gradescope's stdout)
        print(outcome_line(outcome, seconds=False))
        return 0
    out = (args.out or args.submissions.resolve().parent / "grades").resolve()
    submissions = shard(find_submissions(args.submissions, args.entry), args.shard)
    if not submissions:
        print(f"no submissions to grade in {args.submissions}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    print(f"grading {len(submissions)} submission(s), {args.jobs} at a time, into {out}", flush=True)

    def run(submission: Submission) -> dict:
        outcome = grade_one(submission, out / submission.name, out / "_logs" / f"{submission.name}.log", pytest_args,
                            timeout, reaper, settings.total)
        print(outcome_line(outcome), flush=True)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(run, submissions))
    for path in write_leaderboard_of(out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
