"""Grading hooks of the pytest plugin: ``pytest --backend SUBMISSION --grade`` scores a submission.

The order of a grading run, and who does what:

1. ``prepare_grading`` (called by ``suite/plugin.py`` before any submission code
   runs): read the weights, settle the limits, fix the report folder, and arm
   the guard (``suite.grading.guard``: subreaper, preloaded modules,
   fingerprints, a snapshot of the report folder).
2. The main plugin loads the submission in a worker process and records every
   conformance test's outcome in the grading process.
3. Collection: the checks to grade are every collected conformance test, per
   backend and device. Anything else (benchmarks, self-tests) is deselected; a
   test file that was not there before the submission ran is never collected.
4. Each test starts only while the run's time budget lasts; later ones are
   recorded as ``not run``.
5. ``pytest_terminal_summary_lock_down`` (first of the terminal summaries): stop the workers, kill every
   process the submission left behind, compare the fingerprints, and clear out
   of the report folder whatever appeared in it during the run.
6. The main plugin writes conformance.csv and summary.md; then ``pytest_terminal_summary_write_grades``
   (last) computes each grade from the collected checks and the records, and
   writes results.json and grade.md atomically.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shlex
import time
from dataclasses import dataclass, field, replace
from typing import Sequence
from pathlib import Path

import pytest

from reports.folder import Cleared
from suite.grading import guard
from suite.grading.scoring import Check, add_speed, disqualify, grade, speed_points, withhold
from suite.grading.settings import Settings, SettingsError, load_settings
from suite.backends import start_worker_server
from suite.sandbox import Isolation, probe as probe_sandbox, probe_uid
from suite.outcomes import BackendError, Cause
from suite.untrusted import clean


@dataclass
class GradingRun:
    """What the grading process knows about its own run, apart from the submission."""

    settings: Settings
    armed_ns: int  # wall clock (ns) when the guard was armed, before any submission code ran
    started: float
    fingerprint: guard.Fingerprint
    snapshot: guard.FolderSnapshot
    subreaper: bool
    preload_failures: list[str]
    examples: int = 0  # hypothesis examples per property test
    seed: int | None = None  # the base seed of every property test's examples (None: hypothesis's fixed examples)
    seed_source: str = "fixed"  # where the seed came from: "secret", "--seed" or "fixed"
    course_tests: Path | None = None  # the folder of the course's own tests, graded beside the suite's
    speed_reference: tuple[str, ...] = ()  # the label of the backend timed beside the submissions for speed points
    speed_benchmarks: set[str] = field(default_factory=set)  # the benchmarks collected for them
    checks: list[Check] = field(default_factory=list)
    integrity: list[str] = field(default_factory=list)  # what the guard found after the run
    tampered: list[str] = field(default_factory=list)  # the grader's own files that changed
    grader_problems: list[str] = field(default_factory=list)  # test modules that would not import
    isolation: Isolation = field(default_factory=lambda: Isolation("none", "not chosen yet"))  # the submissions' sandbox
    cleared: Cleared = field(default_factory=Cleared)  # what clearing the report folder did, before its snapshot
    workers_torch: bool = True  # whether the worker server preloads torch (suite.preload, read once a run)


GRADING = pytest.StashKey[GradingRun]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The grading options."""
    group = parser.getgroup("torch-conformance")
    group.addoption("--grade", action="store_true",
                    help="grade the backend: isolate it, score it, write results.json and grade.md into the report folder")
    group.addoption("--weights", metavar="TOML",
                    help="a course's grading settings laid over suite/grading/weights.toml (points, weights, limits)")
    group.addoption("--seed", type=int, metavar="N",
                    help="with --grade: draw the examples from this seed (a grading run prints the seed it used, for "
                    "staff, and writes it to staff.json: this replays it)")
    group.addoption("--run-budget", type=float, metavar="SECONDS",
                    help="with --grade: time for the whole run; tests that would start later score zero as 'not run' "
                    "(default: weights.toml's run_budget)")


def _given(config: pytest.Config, flag: str) -> bool:
    """True when the user set ``flag`` (on the command line, in PYTEST_ADDOPTS or in addopts)."""
    args = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", "")), *config.getini("addopts")]
    return any(str(arg) == flag or str(arg).startswith(flag + "=") for arg in args)


def selection(config: pytest.Config) -> list[str]:
    """How the run was narrowed, as the user typed it: -k, -m, --deselect and the test paths given (none: the whole suite)."""
    narrowed = [f"-k {config.option.keyword}"] if config.option.keyword else []
    narrowed += [f"-m {config.option.markexpr}"] if config.option.markexpr else []
    narrowed += [f"--deselect {item}" for item in config.option.deselect or ()]
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        narrowed += [f"the test paths {' '.join(config.args)}"]
    return narrowed


def examples_seed(secret: str, submissions: list[str]) -> int:
    """The base seed of a grading run's examples, from the course's secret and the submissions (64 bits).

    Each submission is named by its label and a digest of its files (``submission_digest``): a file graded as
    ``mytorch`` and Gradescope's single ``submission`` still draw inputs of their own.
    """
    digest = hashlib.sha256("\0".join([secret, *sorted(submissions)]).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def seed_of_test(base: int, test: str) -> int:
    """The seed of one property test's examples: each test draws its own stream from the run's base seed."""
    return int.from_bytes(hashlib.sha256(f"{base}:{test}".encode()).digest()[:8], "big")


def submission_digest(target: str, limit: int = 16 * 2**20) -> str:
    """sha256 of a path backend's source: the file, or every .py file of its folder (name and bytes), in order."""
    path = Path(target if os.path.exists(target) else target.rpartition(":")[0])
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for file in files:
        try:
            if file.stat().st_size <= limit:
                digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode() + b"\0")
                digest.update(file.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()


def _submission_labels(config: pytest.Config) -> list[str]:
    """Each submission this run grades (a backend not built in) as its label and the digest of its files."""
    from impls.registry import BackendSpecError, parse_spec

    labels = []
    for text in config.getoption("backend") or []:
        try:
            spec = parse_spec(text)
        except BackendSpecError:
            continue
        if not spec.builtin:
            labels.append(f"{spec.label}:{submission_digest(spec.target)}" if spec.kind == "path" else spec.label)
    return labels


def _choose_examples(config: pytest.Config, settings: Settings) -> tuple[int, int | None, str]:
    """(examples per property test, base seed or None, its source), and the hypothesis profile that draws that many."""
    from hypothesis import settings as hypothesis_settings

    examples = config.getoption("max_examples") or settings.examples
    if not config.getoption("max_examples"):
        current = hypothesis_settings.get_profile(hypothesis_settings.get_current_profile_name())
        hypothesis_settings.register_profile("grading", current, max_examples=examples)
        hypothesis_settings.load_profile("grading")
    if config.getoption("seed") is not None:
        return examples, int(config.getoption("seed")), "--seed"
    if settings.secret:
        return examples, examples_seed(settings.secret, _submission_labels(config)), "secret"
    return examples, None, "fixed"


def prepare_grading(config: pytest.Config) -> None:
    """Before any submission code runs: read the settings, settle limits and report folder, arm the guard."""
    from reports.folder import clear_earlier_run
    from suite.session import default_report_dir, workers_import_torch

    try:
        settings = load_settings(config.getoption("weights"))
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    if not _given(config, "--time-limit"):
        config.option.time_limit = settings.time_limit
    if not _given(config, "--memory-limit"):
        config.option.memory_limit = settings.memory_limit
    budget = config.getoption("run_budget")
    settings = replace(settings, time_limit=float(config.option.time_limit), memory_limit=str(config.option.memory_limit),
                       run_budget=settings.run_budget if budget is None else float(budget))
    if not config.option.report_dir:
        config.option.report_dir = str(default_report_dir())
    config.option.continue_on_collection_errors = True  # a family that fails to import is not the student's fault
    armed_ns = time.time_ns()
    subreaper = guard.become_subreaper()
    isolation = choose_isolation(settings.isolation, grader_folders=[str(guard.PROJECT_ROOT), config.option.report_dir],
                                 secrets=[str(path) for path in (config.getoption("weights"), settings.tests) if path])
    graded_backends = [*(config.getoption("backend") or []), *([settings.speed.reference] if settings.speed.points > 0 else [])]
    workers_torch = workers_import_torch(graded_backends, "always")
    if not isolation.confined:  # a sandboxed submission's worker is a new interpreter of its own, not the server's child
        # torch is preloaded where a submission or the speed reference imports it and the course allows it
        # (suite.preload). Its seconds of imports overlap the guard's below; loading the backends then waits for the
        # rest (warm_up_workers), before the first test's clock starts: the server's start is not the submission's.
        start_worker_server(workers_torch, settings.forbidden)
    failures = guard.preload()
    guard.preload_conftests(config)
    examples, seed, seed_source = _choose_examples(config, settings)
    course_tests = Path(settings.tests) if settings.tests else None
    if course_tests is not None:  # the probes a course's tests call run in the worker: its sandbox shows them
        isolation = replace(isolation, shared=course_probe_modules(course_tests))
    if course_tests is not None:
        config.args.append(str(course_tests))  # collected with whatever the command line or testpaths give
    speed_reference: tuple[str, ...] = ()
    if settings.speed.points > 0:  # benchmarks are timed (in the workers) beside a built-in reference
        config.option.benchmark_enable, config.option.benchmark_disable = True, False
        config.option.backend = [*(config.getoption("backend") or []), settings.speed.reference]
        config.args.append(str(guard.PROJECT_ROOT / "suite" / "benchmarks"))
        config.option.baseline = f"{settings.speed.reference}-cpu"  # benchmarks.csv's ratios are the grade's
        speed_reference = (settings.speed.reference,)
    # Once the run is sure to go on, and before the snapshot: what the folder held before is then this run's to keep.
    cleared = Cleared() if hasattr(config, "workerinput") or config.option.collectonly else clear_earlier_run(
        Path(config.option.report_dir))
    config.stash[GRADING] = GradingRun(
        course_tests=course_tests,
        speed_reference=speed_reference,
        examples=examples,
        seed=seed,
        seed_source=seed_source,
        settings=settings,
        armed_ns=armed_ns,
        started=time.monotonic(),
        fingerprint=guard.Fingerprint.take(guard.watched_roots()),
        snapshot=guard.FolderSnapshot.take(Path(config.option.report_dir)),
        subreaper=subreaper,
        preload_failures=failures,
        isolation=isolation,
        cleared=cleared,
        workers_torch=workers_torch,
    )


def course_probe_modules(folder: Path) -> tuple[str, ...]:
    """A course's tests folder's modules that are not tests or conftests: its probes, which run in the worker.

    Its test modules (``test_*.py``, ``*_test.py``) and ``conftest.py`` hold the expected values and stay out of
    a sandbox's sight.
    """
    return tuple(str(path.resolve()) for path in sorted(folder.rglob("*.py"))
                 if not (path.name.startswith("test_") or path.name.endswith("_test.py") or path.name == "conftest.py")
                 and "__pycache__" not in path.parts)


def choose_isolation(wanted: str, grader_folders: Sequence[str] = (), secrets: Sequence[str] = ()) -> Isolation:
    """The isolation this run's submissions get, as ``[grading] isolation`` asks: bubblewrap where it works, else a
    uid of their own (which must not be able to write ``grader_folders``; ``secrets`` it can read are named); stops
    the run where one is required and cannot be had."""
    if wanted == "none":
        return Isolation("none", 'the course asks for none: [grading] isolation = "none"')
    found = probe_sandbox() if wanted != "uid" else Isolation("none", 'the course asks for the uid fallback')
    if found.sandboxed:
        return found
    if wanted == "bubblewrap":
        raise pytest.UsageError(f'[grading] isolation = "bubblewrap", but {found.detail}. Install it, or set '
                                'isolation = "auto" to grade without it (each report then says which isolation it had)')
    fallback = probe_uid(grader_folders, secrets)
    if fallback.confined:
        return fallback
    if wanted == "uid":
        raise pytest.UsageError(f'[grading] isolation = "uid", but {fallback.detail}. Set isolation = "auto" to grade '
                                'without it (each report then says so)')
    return Isolation("none", f"{found.detail}; {fallback.detail}")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """While grading, only suite/conformance is collected, and no test file written after the guard was armed.

    A file's inode change time says when it was last written: a process can set
    a file's modification time back, but not that.
    """
    run = config.stash.get(GRADING, None)
    if run is None:
        return None
    path = collection_path.resolve()
    folders = [guard.PROJECT_ROOT / "suite" / "conformance", *([run.course_tests] if run.course_tests else []),
               *([guard.PROJECT_ROOT / "suite" / "benchmarks"] if run.speed_reference else [])]
    if not any(path == graded or graded in path.parents or path in graded.parents for graded in folders):
        return True  # only the conformance tests (and the course's) are graded: nothing else is imported, let alone run
    if path.suffix != ".py" or not any(fnmatch.fnmatch(path.name, p) for p in config.getini("python_files")):
        return None
    try:
        changed = collection_path.stat().st_ctime_ns >= run.armed_ns
    except OSError:
        return None
    if changed:
        run.integrity.append(f"{collection_path} was written during the run: not collected")
        return True
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Grade only conformance tests (deselect the rest) and note every check the run will grade."""
    run = config.stash.get(GRADING, None)
    if run is None:
        return
    from suite.plugin import _test_id

    from hypothesis import seed as hypothesis_seed

    kept, dropped = [], []
    for item in items:
        if _timed_for_speed(item, run):
            kept.append(item)
            run.speed_benchmarks.add(getattr(item, "originalname", item.name).removeprefix("test_bench_"))
            continue
        if run.seed is not None and getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            hypothesis_seed(seed_of_test(run.seed, f"{item.path.name}::{getattr(item, 'originalname', item.name)}"))(item.obj)
        marker = item.get_closest_marker("behaviour")
        callspec = getattr(item, "callspec", None)
        param = callspec.params.get("run") if callspec else None
        if marker is None or param is None:
            dropped.append(item)
            continue
        kept.append(item)
        label, device = param
        course = run.course_tests is not None and run.course_tests in item.path.resolve().parents
        run.checks.append(Check(test=_test_id(item), backend=label, device=device, behaviour=marker.args[0], course=course))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _timed_for_speed(item: pytest.Item, run: GradingRun) -> bool:
    """True for a benchmark the speed points use: one the settings name (or any), at its largest size."""
    from suite.benchmarks.workloads import CATALOGUE, sizes

    callspec = getattr(item, "callspec", None)
    if not run.speed_reference or callspec is None or "bench" not in callspec.params:
        return False
    name = getattr(item, "originalname", item.name).removeprefix("test_bench_")
    wanted = run.settings.speed.benchmarks or tuple(CATALOGUE)
    return name in wanted and callspec.params.get("size") == max(sizes(name))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Past the run's time budget a test does not start: it is recorded as not run (zero points)."""
    run = item.config.stash.get(GRADING, None)
    if run is None or item.get_closest_marker("skip") is not None:
        return
    spent = time.monotonic() - run.started
    if spent > run.settings.run_budget:
        raise BackendError(f"not run: the run's time budget of {run.settings.run_budget:g} s was spent before this test",
                           Cause.NOT_RUN)


@pytest.hookimpl(tryfirst=True, specname="pytest_terminal_summary")
def pytest_terminal_summary_lock_down(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Before any report is written: stop the submission and everything it started; check files and folder."""
    run = config.stash.get(GRADING, None)
    if run is None:
        return
    from suite.plugin import STATE

    state = config.stash.get(STATE, None)
    if state is not None:
        state.close()
    if not run.subreaper:
        run.integrity.append("this system would not let the grader adopt detached processes (Linux's subreaper): "
                             "any the submission detached may have outlived it")
    killed = guard.kill_descendants(spare=guard.grader_helpers())
    if killed:
        run.integrity.append(f"{len(killed)} process(es) started by the submission were still running after the tests: "
                             "killed before writing the report")
    run.tampered = run.fingerprint.changes(guard.Fingerprint.take(guard.watched_roots()))
    if run.tampered:
        shown = "; ".join(run.tampered[:5]) + (f"; and {len(run.tampered) - 5} more" if len(run.tampered) > 5 else "")
        run.integrity.append(f"the grader's own files changed on disk during the run ({shown}); the grading process "
                             "had loaded them before the submission ran. Restore them before grading again")
    run.integrity.extend(run.snapshot.restore())


@pytest.hookimpl(trylast=True, specname="pytest_terminal_summary")
def pytest_terminal_summary_write_grades(terminalreporter: pytest.TerminalReporter, exitstatus: int,
                                         config: pytest.Config) -> None:
    """Compute each backend's grade from the grader's own records, and write results.json and grade.md."""
    run = config.stash.get(GRADING, None)
    if run is None:
        return
    from reference.behaviours import BEHAVIOURS
    from reports.folder import shown_path
    from reports.grading import leaderboard_frame, points_text, results_json, write_grade, write_leaderboard
    from reports.html import write_report_html
    from suite.plugin import STATE

    state = config.stash[STATE]
    records = [record.as_dict() for record in state.records]
    run.grader_problems = [f"{report.nodeid} could not be collected, so its behaviours are not graded in this run"
                           for report in terminalreporter.stats.get("error", [])
                           if isinstance(report, pytest.CollectReport) and report.nodeid]
    run.grader_problems += [f"could not load {failure} before the submission ran" for failure in run.preload_failures]
    several = len([label for label in state.backends if label not in state.bench_only]) > 1
    terminalreporter.section("grade", sep="-")
    terminalreporter.write_line(f"isolation: {run.isolation.describe()}")
    written = []
    hidden: dict[str, list[dict[str, str]]] = {}
    from suite.benchmarks.plugin import timed_benchmarks

    for label, backend in state.backends.items():
        if label in state.bench_only:
            continue
        result = grade(run.checks, records, run.settings, label)
        if run.speed_reference:
            result = add_speed(result, speed_points(timed_benchmarks(config), run.speed_benchmarks, label,
                                                    run.speed_reference[0], run.settings.speed))
        result.update(
            backend={"label": label, "spec": backend.spec.text, "version": backend.version},
            load_error=backend.load_error or "",
            execution_time=time.monotonic() - run.started,
            integrity=list(run.integrity),
            isolation={"kind": run.isolation.kind, "detail": run.isolation.detail, "text": run.isolation.describe()},
            grader_problems=list(run.grader_problems),
            suite=state.suite_version,
            selection=selection(config),
            interrupted=exitstatus == pytest.ExitCode.INTERRUPTED,  # Ctrl-C or SIGTERM: the rest was not run
        )
        breaches = list(getattr(backend, "breaches", []))
        if breaches:
            result = disqualify(result, breaches)
            terminalreporter.write_line(f"forbidden: {label} imports {', '.join(breaches)}: every behaviour scores zero")
        if run.tampered and run.settings.on_tamper == "zero":
            result = withhold(result, "the grader's own files changed on disk during the run")
        hidden[label] = [{"test": check["test"], "outcome": check["outcome"], "cause": check["cause"], "message": check["message"]}
                         for b in result["behaviours"] if b.get("part") == "course" and b.get("visibility") == "hidden"
                         for check in b["checks"] if check["outcome"] not in ("passed", "skipped")]
        if result["unselected"]:
            terminalreporter.write_line(f"not graded: {label}: {len(result['unselected'])} of {len(BEHAVIOURS)} behaviours had "
                                        f"no test in this run ({', '.join(result['selection']) or 'none collected'})")
        folder = state.report_dir / label if several else state.report_dir
        paths = write_grade(result, folder)
        if folder == state.report_dir:  # the run's page shows the grade too
            write_report_html(state.report_dir, {b: entry.title for b, entry in BEHAVIOURS.items()})
        written.append((label, results_json(result)))
        terminalreporter.write_line(
            f"grade for {label}: {points_text(result['score'])} / {points_text(result['max_score'])}; wrote "
            + ", ".join(shown_path(path) for path in paths)
        )
    if several:
        for path in write_leaderboard(leaderboard_frame(written), state.report_dir):
            terminalreporter.write_line(f"wrote {shown_path(path)}")
    for note in run.integrity:
        terminalreporter.write_line(f"integrity: {clean(note)}")  # file names in it are the submission's
    _write_staff_record(terminalreporter, run, state.report_dir, hidden)


def _write_staff_record(terminalreporter: pytest.TerminalReporter, run: GradingRun, report_dir: Path,
                        hidden: dict[str, list[dict[str, str]]]) -> None:
    """What staff see and students do not, in the terminal and staff.json: the examples' seed, hidden tests' failures.

    (grade.md and results.json never hold the seed: a student who knew it could draw the same inputs.)
    """
    from reports.folder import shown_path

    if run.seed is None:
        how = (f"examples: hypothesis's fixed examples, {run.examples} per property test, the same for every submission "
               "(no [grading] secret is set)")
    else:
        source = "from the course secret and the submission's name and files" if run.seed_source == "secret" else "given by --seed"
        how = f"examples: seed {run.seed} ({source}), {run.examples} per property test; replay with --grade --seed {run.seed}"
    terminalreporter.write_line(how)
    for label, failures in hidden.items():
        for failure in failures:
            terminalreporter.write_line(f"hidden course test, {label}: {failure['test']}: {failure['message']}")
    staff = {"isolation": run.isolation.kind, "seed": run.seed, "seed_source": run.seed_source, "examples": run.examples, "hidden_failures": hidden}
    (report_dir / "staff.json").write_text(json.dumps(staff, indent=1) + "\n")
    terminalreporter.write_line(f"wrote {shown_path(report_dir / 'staff.json')} (for staff: the seed, hidden tests)")
