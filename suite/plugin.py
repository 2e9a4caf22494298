"""The pytest plugin: choose backends, parametrise tests over (backend, device), keep outcomes apart, write reports.

Loaded through the ``pytest11`` entry point (so ``--backend PATH`` parses
before pytest looks for test paths) and by the project's ``conftest.py``.
Everything the run needs is registered here, not in an ini file, so a run
whose rootdir is elsewhere (a backend path outside the project) behaves the same.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from impls.registry import BackendSpecError, builtin_version
from reference.behaviours import BEHAVIOURS, FAMILIES
from reports.folder import Cleared, clear_earlier_run
from suite import PROJECT_ROOT, parallel
from suite.activation import add_ini, requested
from suite.backends import Limits, ProbeRunner, start_worker_server
from suite.heap import freeze_survivors
from suite.known_failures import KnownFailures
from suite.narrowing import left_out
from suite.outcomes import Cause, EndsTheTest, Outcome, Verdict, describe, test_verdict
from suite.repro import snippet
from suite.session import Record, RunState, needs_workers, parse_size, workers_import_torch

#: Sub-plugins, each owning one concern; pytest loads them with this module.
pytest_plugins = ["suite.rootdir", "suite.benchmarks.plugin", "suite.grading.plugin"]

STATE = pytest.StashKey[RunState]()
RUNNER = pytest.StashKey[ProbeRunner]()
WORKER_KNOWN = "torch_conformance_known"  # the key of pytest-xdist's workeroutput
OUTCOME = "conformance_outcome"  # attribute set on reports of conformance tests
#: Attributes set beside it: the verdict's one line, and whether the test is a behaviour's (recorded) or a benchmark's.
MESSAGE, RECORDED = "conformance_message", "conformance_recorded"
RECORD = "conformance_record"  # a worker's report carries its test's record (fields) to xdist's controller

#: Fixtures that make a test depend on a backend; tests without one are the project's self-tests.
BACKEND_FIXTURES = ("run", "bench")


def pytest_addoption(parser: pytest.Parser) -> None:
    """The suite's command-line options, in their own --help group, and the ini setting that switches it on."""
    add_ini(parser)
    group = parser.getgroup("torch-conformance", "conformance suite for PyTorch-like backends")
    group.addoption(
        "--backend", action="append", default=[], metavar="SPEC",
        help="backend to test; repeatable. A built-in (torch, numpy), a module (pkg.mod or pkg.mod:attr), "
        "a file or package folder (./alice/mytorch.py), an installed entry point, or label=SPEC. "
        "Default: every built-in backend. With --backend, only the suite's conformance tests and benchmarks run "
        "(with no test path, nothing else is collected).",
    )
    group.addoption(
        "--device", action="append", default=[], metavar="NAME",
        help="device to test on; repeatable. Any device a backend offers (cpu, cuda, mps, xpu, its own; cuda:1). "
        "Default: cpu and cuda. A device the backend lacks is skipped with the reason: T.<name>.is_available() "
        "where it has one, else a tensor made there. A name no backend uses at all (a typo) stops the run.",
    )
    group.addoption("--report-dir", metavar="DIR",
                    help="folder for this run's tables, an earlier run's there replaced (default: reports/runs/<timestamp>/ "
                         "in the project, or in the working folder when run from outside it)")
    group.addoption(
        "--isolate", choices=("auto", "always", "never"), default="auto",
        help="run backends in worker processes that survive crashes and hangs: auto (default) isolates every "
        "backend except the built-ins; always; never (fastest, no protection)",
    )
    group.addoption("--time-limit", type=float, default=60.0, metavar="SECONDS",
                    help="per-test time limit for an isolated backend (default 60; with --grade, CPU time, the "
                    "default from the grading settings, and a wall-clock backstop a few times as long)")
    group.addoption("--memory-limit", default="4GiB", metavar="SIZE",
                    help="memory limit of an isolated backend's process (default 4GiB)")
    group.addoption("--known-failures", metavar="FILE",
                    help="a backend author's list of what is expected to fail yet (behaviour ids, families or test ids, "
                    "one per line, '# reason'): those report xfailed, and one that passes is reported XPASS")
    group.addoption("--contract", action="store_true",
                    help="run no test: look up on each backend every name the probes use (suite/contract.json) and "
                    "print, per behaviour, what it has and lacks and how many behaviours it can attempt")
    group.addoption("--max-examples", type=int, metavar="N",
                    help="hypothesis examples per property test (default: the profile's, 25 under 'ci')")


def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """This project's plain run, a built-in backend's whole suite: put pytest-xdist's workers in their arguments (suite/parallel.py)."""
    spread = parallel.plan(early_config, early_config.known_args_namespace)
    if spread is not None:
        args[:0] = spread.arguments()
        early_config.stash[parallel.WORKERS_ADDED] = spread


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register markers and hypothesis profiles, then load every backend (or stop with one line)."""
    config.addinivalue_line("markers", "behaviour(id): the documented behaviour (BEHAVIOURS.md id) a test checks")
    for family in FAMILIES.values():
        config.addinivalue_line("markers", f"{family}: conformance tests of the {family} family")
    for behaviour_id, entry in BEHAVIOURS.items():
        config.addinivalue_line("markers", f"{behaviour_id}: {entry.title}")
    if config.option.help or not requested(config):
        return  # --help needs no backend loaded; a run that did not ask for the suite is left as it is
    grading = bool(config.getoption("grade", False))
    isolate = "always" if grading else config.getoption("isolate")
    torch: bool | None = None  # whether the worker server preloads torch: read from the backends' source once a run
    if not grading and not xdist_controller(config) and needs_workers(config.getoption("backend"), isolate):
        # Its seconds of imports overlap hypothesis's, the suite's and the in-process backends'. (Grading starts it
        # itself, once its guard is armed.)
        torch = workers_import_torch(config.getoption("backend"), isolate)
        start_worker_server(torch=torch)
    _register_hypothesis_profiles(config)
    config.addinivalue_line("filterwarnings", "ignore:This DataLoader will create:UserWarning")  # D6: 3 workers
    _collect_the_suite_from_anywhere(config)
    forbidden: tuple[str, ...] = ()
    clock = {"clock": "wall"}
    bench_only: tuple[str, ...] = ()
    isolation = None
    if grading:  # before any submission code runs: grading's limits, report folder and guard
        from suite.grading.plugin import GRADING, prepare_grading

        prepare_grading(config)
        forbidden = config.stash[GRADING].settings.forbidden
        clock = {"clock": "cpu", "backstop": config.stash[GRADING].settings.backstop}  # the grade must not depend on load
        bench_only = config.stash[GRADING].speed_reference
        isolation = config.stash[GRADING].isolation
        torch = config.stash[GRADING].workers_torch
    try:
        limits = Limits(seconds=config.getoption("time_limit"), memory_bytes=parse_size(config.getoption("memory_limit")),
                        **clock)
        state = RunState.create(
            specs=config.getoption("backend"),
            devices=config.getoption("device"),
            isolate=isolate,
            limits=limits,
            report_dir=config.getoption("report_dir"),
            # A submission that fails to load is graded, not refused; so is a built-in nobody asked for by name
            # (its tests report the cause, and a run of self-tests is not stopped by it).
            strict=not grading and bool(config.getoption("backend")),
            load=not xdist_controller(config),  # xdist's workers load the backends; the controller only merges
            forbidden=forbidden,
            isolation=isolation,
            torch=torch,
        )
        known = config.getoption("known_failures")
        state.known = KnownFailures.read(known) if known else None
    except (BackendSpecError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    state.bench_only = bench_only
    # Only once the run is sure to go on: a run stopped by a bad option leaves the folder as it was. (Grading clears
    # it before the snapshot it restores the folder to.)
    state.cleared = config.stash[GRADING].cleared if grading else _clear_earlier_run(config)
    config.stash[STATE] = state
    _interrupt_on_sigterm(config)
    if xdist_controller(config):
        config.pluginmanager.register(RecordMerger(state), "torch-conformance-records")
    freeze_survivors()  # the libraries and backends just imported live to the end: no collection walks them again


#: A SIGTERM this soon after the first is the same stop sent again; a later one ends the run at once.
SIGTERM_REPEAT_SECONDS = 2.0
#: SIGTERM's handler before the run took it (None: the run left it alone), put back when the run ends.
SIGTERM_BEFORE = pytest.StashKey[object]()


def _interrupt_on_sigterm(config: pytest.Config) -> None:
    """Take SIGTERM (a CI job's cancel or timeout, ``kill``) as pytest takes Ctrl-C: the run stops, and its reports
    (and a grade, with what did not run as not run) are written of what finished. Only where no one else handles it."""
    if (xdist_worker(config) or threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL):
        return  # (an xdist worker ends at once, as on Ctrl-C: its reports already went to the controller)

    first: list[float] = []

    def interrupt(signum: int, frame: object) -> None:
        if first and time.monotonic() - first[0] < SIGTERM_REPEAT_SECONDS:
            return  # the same stop sent twice (timeout(1) signals the run, then its process group): taken once
        if first:  # a second SIGTERM, later: the run ends at once, as by default
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        first.append(time.monotonic())
        raise KeyboardInterrupt("stopped by SIGTERM; the reports hold the tests that finished")

    config.stash[SIGTERM_BEFORE] = signal.signal(signal.SIGTERM, interrupt)


class RecordMerger:
    """In xdist's controller: each record as its test's report arrives, so a run stopped part way (Ctrl-C, SIGTERM, a
    worker that died) still reports every test that finished."""

    def __init__(self, state: RunState) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the record a worker's report carries."""
        row = getattr(report, RECORD, None)
        if isinstance(row, dict):
            self.state.records.append(Record(**row))


def _clear_earlier_run(config: pytest.Config) -> Cleared:
    """Remove an earlier run's tables from the named --report-dir (reports.folder), once a run, where tests will run."""
    folder = config.getoption("report_dir")
    if not folder or xdist_worker(config) or config.option.collectonly or config.getoption("contract"):
        return Cleared()
    return clear_earlier_run(Path(folder))


def xdist_controller(config: pytest.Config) -> bool:
    """True in the process that hands tests to pytest-xdist's workers (and runs none itself)."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def xdist_worker(config: pytest.Config) -> bool:
    """True in one of pytest-xdist's worker processes."""
    return hasattr(config, "workerinput")


@pytest.hookimpl(specname="pytest_sessionfinish")
def pytest_sessionfinish_hand_over(session: pytest.Session) -> None:
    """In an xdist worker: hand this worker's known-failure tallies to the controller (records go with each report)."""
    config = session.config
    state = config.stash.get(STATE, None)
    if state is None or not xdist_worker(config):
        return
    if state.known is not None:
        config.workeroutput[WORKER_KNOWN] = {  # type: ignore[attr-defined]
            "still_failing": state.known.still_failing, "now_passing": state.known.now_passing,
            "matched": {str(entry.line): entry.matched for entry in state.known.entries},
        }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """In xdist's controller: merge a finished worker's known-failure tallies."""
    output = getattr(node, "workeroutput", {}) or {}
    config = getattr(node, "config", None)
    state = config.stash.get(STATE, None) if config is not None else None
    if state is None:
        return
    known = output.get(WORKER_KNOWN)
    if known and state.known is not None:
        state.known.still_failing += [tuple(pair) for pair in known["still_failing"]]
        state.known.now_passing += known["now_passing"]
        for entry in state.known.entries:
            entry.matched += known["matched"].get(str(entry.line), [])


def _collect_the_suite_from_anywhere(config: pytest.Config) -> None:
    """No test path given: with --backend, or outside the project, collect only the suite's conformance tests and benchmarks.

    With --backend the project's self-tests would be deselected anyway; not
    importing them (nor what they import) saves about a second a run. A
    grading run in the project keeps its testpaths (it grades the conformance
    tests among them); outside it, it collects the conformance tests, and
    grading adds the benchmarks where the course gives speed points.
    """
    if config.option.file_or_dir:
        return
    try:
        config.rootpath.relative_to(PROJECT_ROOT)
        inside = True
    except ValueError:
        inside = False
    if config.getoption("grade", False):
        if not inside:
            config.args[:] = [str(PROJECT_ROOT / "suite" / "conformance")]
        return
    if inside and not config.getoption("backend"):
        return  # the project itself, or a folder in it, running everything: its testpaths and paths apply
    config.args[:] = [str(PROJECT_ROOT / "suite" / "conformance"), str(PROJECT_ROOT / "suite" / "benchmarks")]


#: Third-party packages the suite imports whose own asserts need no pytest messages (hypothesis, its numpy strategies).
UNREWRITTEN = ("hypothesis", "hypothesis.strategies", "hypothesis.extra.numpy")


def import_unrewritten(names: tuple[str, ...] = UNREWRITTEN) -> None:
    """Import third-party packages with pytest's assert-rewriting hook set aside, as Python itself would import them.

    pytest marks every plugin's package for rewriting, hypothesis's among
    them, so each run parses, rewrites and compiles its 75 modules again
    wherever the rewritten bytecode cannot be cached (``PYTHONDONTWRITEBYTECODE``):
    0.5-0.9 s of every start measured here, for messages on hypothesis's
    internal asserts that no test reads. The suite's test modules are still
    rewritten. Names already imported (a forked self-test run's) are left as they are.
    """
    if all(name in sys.modules for name in names):
        return
    hooks = [finder for finder in sys.meta_path if type(finder).__name__ == "AssertionRewritingHook"]
    for hook in hooks:
        sys.meta_path.remove(hook)
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        sys.meta_path[:0] = hooks


def _register_hypothesis_profiles(config: pytest.Config) -> None:
    """Profiles ``ci`` (the default: derandomised, repeatable), ``dev`` and ``thorough``."""
    import_unrewritten()
    from hypothesis import HealthCheck, Phase, settings

    common = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    # No "explain" phase: its list of the suite's own lines that failing cases ran says nothing to a backend's author.
    quiet = [phase for phase in Phase if phase is not Phase.explain]
    settings.register_profile("ci", max_examples=25, derandomize=True, database=None, print_blob=False, phases=quiet,
                              **common)
    settings.register_profile("dev", max_examples=100, **common)
    settings.register_profile("thorough", max_examples=1000, **common)
    settings.load_profile(config.getoption("hypothesis_profile", None) or "ci")
    examples = config.getoption("max_examples")
    if examples:
        settings.register_profile("ci-examples", settings.get_profile(settings.get_current_profile_name()),
                                  max_examples=examples)
        settings.load_profile("ci-examples")


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> bool | None:
    """With --contract: print each backend's contract check instead of collecting any test."""
    config = session.config
    if not config.getoption("contract"):
        return None
    from suite.contract import check_names, load_contract, report_lines, verdicts

    contract = load_contract()
    writer = config.pluginmanager.get_plugin("terminalreporter")
    state = config.stash[STATE]
    for backend in state.backends.values():
        if backend.load_error:
            lines = [f"{backend.label}: {backend.load_error}"]
        else:
            backend.begin_test(state.limits)
            try:
                found = backend.call(check_names, "cpu", {"names": contract.all_names(), "kinds": contract.member_kinds()})
                lines = report_lines(backend.label, verdicts(contract, found))
            except EndsTheTest as exc:
                lines = [f"{backend.label}: looking the names up ended: {exc.msg}"]
            finally:
                backend.end_test()
        for line in lines:
            writer.write_line(line) if writer else print(line)
    return True


#: The suite's family modules this run left out, -m selecting nothing from them (suite.narrowing).
LEFT_OUT = pytest.StashKey[list[Path]]()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave out, before pytest imports it, a family module that ``-m`` can select no test from (suite.narrowing)."""
    expression = config.option.markexpr
    if not expression or STATE not in config.stash or not left_out(collection_path, expression):
        return None
    config.stash.setdefault(LEFT_OUT, []).append(collection_path)
    return True


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With --contract nothing runs, and that is not a failure."""
    if session.config.getoption("contract", False) and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop worker processes; list in the report folder the files this run wrote there (reports.folder)."""
    state = config.stash.get(STATE, None)
    if SIGTERM_BEFORE in config.stash:
        signal.signal(signal.SIGTERM, config.stash[SIGTERM_BEFORE])  # type: ignore[arg-type]
    if state is not None:
        state.close()
        if not xdist_worker(config):
            from reports.folder import record_run

            record_run(state.report_dir, state.started_ns - CLOCK_SLACK_NS)


#: File times come from a coarser clock than time.time_ns(): a file written just after the start may seem older.
CLOCK_SLACK_NS = 50_000_000


def pytest_report_header(config: pytest.Config) -> list[str]:
    """One line per backend: version, where it runs, and its devices."""
    state = config.stash.get(STATE, None)
    if state is None:
        return []
    lines = parallel.header(config)
    for backend in state.backends.values():
        if xdist_controller(config):
            version = f"{builtin_version(backend.spec.target)} " if backend.spec.builtin else ""
            lines.append(f"backend {backend.label}: {version}[{'built-in' if backend.spec.builtin else backend.spec.target}]; "
                         "loaded by each pytest-xdist worker (its devices: the per-device lines at the end)")
            continue
        where = "worker process" if backend.isolated else "in this process"
        origin = "built-in" if backend.spec.builtin else backend.spec.target
        devices = []
        for device in state.devices:
            reason = backend.devices.get(device)
            devices.append(device if reason is None else f"{device} skipped ({reason})")
        status = f"; LOAD FAILED: {backend.load_error}" if backend.load_error else ""
        lines.append(f"backend {backend.label}: {backend.version} [{origin}, {where}]; devices: {', '.join(devices)}{status}")
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise every test using ``run`` or ``bench`` over (backend, device); absent devices skip."""
    fixture = next((name for name in BACKEND_FIXTURES if name in metafunc.fixturenames), None)
    if fixture is None or STATE not in metafunc.config.stash:
        return
    state = metafunc.config.stash[STATE]
    params = []
    for backend in state.backends.values():
        if fixture == "run" and backend.label in state.bench_only:
            continue  # a speed reference is timed, not tested
        for device in state.devices:
            reason = backend.devices.get(device, f"the backend does not know device {device!r}")
            marks = [pytest.mark.skip(reason=f"{device} not available on {backend.label}: {reason}")] if reason else []
            params.append(pytest.param((backend.label, device), id=f"{backend.label}-{device}", marks=marks))
    metafunc.parametrize(fixture, params, indirect=True)


@pytest.fixture
def run(request: pytest.FixtureRequest) -> Iterator[ProbeRunner]:
    """Call probes on this test's backend and device: ``run(probe, **kwargs)`` returns plain data."""
    state = state_for_fixture(request, "run")
    label, device = request.param
    backend = state.backends[label]
    runner = ProbeRunner(backend, device)
    request.node.stash[RUNNER] = runner
    backend.begin_test(state.limits)
    yield runner
    backend.end_test()


def state_for_fixture(request: pytest.FixtureRequest, name: str) -> RunState:
    """This run's state for one of the suite's fixtures; a clear failure where the run did not ask for the suite."""
    state = request.config.stash.get(STATE, None)
    if state is None or not hasattr(request, "param"):
        pytest.fail(f"fixture {name!r} is torch-conformance's (a backend and device for a conformance test); this run "
                    "did not ask for the suite: define your own, or run with --backend", pytrace=False)
    return state


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each conformance test with its behaviour id and family; with --backend, keep only those."""
    for item in items:
        marker = item.get_closest_marker("behaviour")
        if marker is not None:
            behaviour_id = marker.args[0]
            item.add_marker(behaviour_id)
            item.add_marker(BEHAVIOURS[behaviour_id].family)
    state = config.stash.get(STATE, None)
    if state is None or not state.explicit:
        return
    kept = [item for item in items if any(name in getattr(item, "fixturenames", ()) for name in BACKEND_FIXTURES)]
    deselected = [item for item in items if item not in kept]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


COLLECTED = pytest.StashKey[int]()


@pytest.hookimpl(tryfirst=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_count(config: pytest.Config, items: list[pytest.Item]) -> None:
    """How many tests were collected, before any selection (-m, -k, --backend) leaves some out."""
    config.stash[COLLECTED] = sum(any(name in getattr(item, "fixturenames", ()) for name in BACKEND_FIXTURES)
                                  for item in items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """With --backend and not one conformance test collected (a run from another folder): say what to do."""
    state = session.config.stash.get(STATE, None)
    if state is not None:
        freeze_survivors()  # nor the collected tests
        state.positions = {item.nodeid: index for index, item in enumerate(session.items)}
    if state is None or not state.explicit or session.config.stash.get(COLLECTED, 0) or xdist_controller(session.config):
        return
    writer = session.config.pluginmanager.get_plugin("terminalreporter")
    left = session.config.stash.get(LEFT_OUT, [])
    if left and writer is not None:  # the modules were here: -m can select none of their tests
        writer.write_line(f"-m {session.config.option.markexpr!r} selects no conformance test: {len(left)} of the "
                          "suite's modules were left out unread, none of their tests carrying such marks "
                          "(suite/narrowing.py)", yellow=True)
    elif writer is not None:
        writer.write_line(f"no conformance test was collected here: run pytest from the suite's folder ({PROJECT_ROOT}), "
                          f"or give its tests' path (pytest --backend ... {PROJECT_ROOT / 'suite'})", yellow=True)


def _test_id(item: pytest.Item) -> str:
    """A node id relative to the project root, whatever pytest's rootdir is."""
    try:
        path = Path(item.path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        path = item.nodeid.split("::")[0]
    return f"{path}::{item.name}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Give each conformance test one of the five outcomes, record it, and attach a repro snippet."""
    report: pytest.TestReport = yield
    ended = call.excinfo.value if call.excinfo is not None else None
    on_a_backend = any(name in getattr(item, "fixturenames", ()) for name in BACKEND_FIXTURES)
    if report.skipped and isinstance(ended, EndsTheTest) and not on_a_backend:
        # A backend's verdict travels as pytest's skip exception; outside a conformance test it is a failure, never a skip.
        report.outcome, report.longrepr = "failed", item.repr_failure(call.excinfo)  # type: ignore[union-attr]
        return report
    if STATE not in item.config.stash:
        return report  # the suite was not asked for: an unrelated project's report, left alone
    marker = item.get_closest_marker("behaviour")
    runner = item.stash.get(RUNNER, None)
    callspec = getattr(item, "callspec", None)
    param = next((callspec.params[name] for name in BACKEND_FIXTURES if callspec and name in callspec.params), None)
    if param is None:
        return report
    decisive = report.when == "call" or (report.when == "setup" and not report.passed)
    if not decisive:
        return report
    fields: dict[str, str] = {}
    if report.skipped and call.excinfo is not None and isinstance(call.excinfo.value, EndsTheTest):
        report.outcome, report.longrepr = "failed", _verdict_repr(item, call.excinfo)  # a verdict, not a skip
    if report.skipped:
        outcome, message = Outcome.SKIPPED, _skip_reason(report)
    elif report.passed:
        outcome, message = Outcome.PASSED, ""
    else:
        exc = call.excinfo.value if call.excinfo else None
        verdict = test_verdict(exc) if exc is not None else None
        if verdict is not None and report.when != "call" and not isinstance(exc, EndsTheTest):
            verdict = Verdict(Outcome.ERROR, Cause.SUITE, f"the suite's setup raised {describe(exc)}")
        outcome = verdict.outcome if verdict else Outcome.ERROR
        message = _one_line(exc, verdict) if exc is not None and verdict else "error"
        fields = {"cause": verdict.cause.value if verdict else Cause.EXCEPTION.value,
                  "missing": verdict.name if verdict and outcome is Outcome.MISSING else ""}
        if exc is not None:
            fields["failure"], fields["example"] = _failure_and_example(exc)
        graded = bool(item.config.getoption("grade", False))
        text = (snippet(runner, verdict.cause if verdict else None, graded)
                if runner is not None and not _said_in_one_line(verdict) else None)
        if text:
            report.sections.append(("reproduce", text))
            fields["snippet"] = text
            fields["printed"] = runner.last_printed or ""
    setattr(report, OUTCOME, outcome.value)
    setattr(report, MESSAGE, message)  # travels with the report to xdist's controller, as the attribute above does
    setattr(report, RECORDED, marker is not None)
    if marker is not None:
        behaviour = BEHAVIOURS[marker.args[0]]
        known = _known_failure(item, report, outcome, behaviour.id)
        if known:
            fields["known"] = known
        if not report.passed and not report.skipped:
            report.sections.insert(0, ("behaviour", f"{behaviour.id} ({behaviour.family}): {behaviour.title}"))
        label, device = param
        state = item.config.stash[STATE]
        state.records.append(record := Record(
            backend=label, device=device, family=behaviour.family, behaviour=behaviour.id, test=_test_id(item),
            outcome=outcome.value, seconds=round(report.duration, 6), message=message, suite=state.suite_version,
            position=state.positions.get(item.nodeid, 0), **fields,
        ))
        if xdist_worker(item.config):
            setattr(report, RECORD, record.as_dict())
    return report


def _all_skipped_because(records: list[Record], target: str) -> str:
    """`` (REASON)`` where every check on ``target`` (backend-device) was skipped for one reason, else ''."""
    mine = [record for record in records if f"{record.backend}-{record.device}" == target]
    reasons = {record.message for record in mine if record.outcome == Outcome.SKIPPED.value}
    return f" ({reasons.pop()})" if mine and len(reasons) == 1 and len(mine) == sum(
        record.outcome == Outcome.SKIPPED.value for record in mine) else ""


def _known_failure(item: pytest.Item, report: pytest.TestReport, outcome: Outcome, behaviour: str) -> str:
    """For a test the known-failures file lists: report it xfailed (or XPASS when it passed); return the reason."""
    known = item.config.stash[STATE].known
    entry = known.find(_test_id(item), behaviour) if known is not None and outcome is not Outcome.SKIPPED else None
    if entry is None:
        return ""
    report.wasxfail = f"known failure: {entry.reason}"
    if outcome is Outcome.PASSED:
        known.now_passing.append(_test_id(item))
    else:
        known.still_failing.append((_test_id(item), outcome.value))
        report.outcome = "skipped"  # pytest's xfailed: expected, so the run can pass while the work goes on
    return entry.reason


def _verdict_repr(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> str | object:
    """What pytest keeps of a verdict raised as a skip: the one line of a missing API or of a backend that did not
    load, or the traceback of anything else.

    A missing API is listed in one line under "missing API" and never shown
    with a traceback, so none is built for it: pytest's traceback parses the
    test's module for every entry, which for a partial backend's hundreds of
    missing checks took longer than the checks themselves. A backend that did
    not load (a graded submission raising at import) fails every test the same
    way, which the header says once: each test's traceback would only point at
    the suite's own call.
    """
    verdict = test_verdict(excinfo.value)
    if _said_in_one_line(verdict):
        return verdict.message
    return item.repr_failure(excinfo)


def _said_in_one_line(verdict: Verdict | None) -> bool:
    """Whether a test's verdict is all there is to say of it: a missing API, or a backend that did not load."""
    return verdict is not None and (verdict.outcome is Outcome.MISSING or verdict.cause is Cause.LOAD)


def _failure_and_example(exc: BaseException) -> tuple[str, str]:
    """(the failure's own text, hypothesis's shrunk example): the exception's message and its notes, apart."""
    first = exc.exceptions[0] if isinstance(exc, BaseExceptionGroup) and exc.exceptions else exc
    failure = str(first.msg if isinstance(first, EndsTheTest) else first) or type(first).__name__
    notes = [str(note) for note in getattr(exc, "__notes__", []) or getattr(first, "__notes__", [])]
    example = [note for note in notes if not note.startswith(("Explanation:", "You can reproduce", "Explanation"))]
    return failure.strip(), "\n".join(example).strip()


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason of a skip report."""
    longrepr = report.longrepr
    return str(longrepr[2]).removeprefix("Skipped: ") if isinstance(longrepr, tuple) else str(longrepr)


def _one_line(exc: BaseException, verdict: Verdict) -> str:
    """The verdict's one line; for several distinct failures, how many and the first."""
    if isinstance(exc, BaseExceptionGroup):
        return f"{len(exc.exceptions)} distinct failures; first: {verdict.message}"
    return verdict.message


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    """Show ``missing`` and ``error`` apart from ``failed`` in progress and the final counts."""
    outcome = getattr(report, OUTCOME, None)
    if hasattr(report, "wasxfail"):
        return None  # xfailed or XPASS, as pytest shows them
    if report.when == "call" and outcome == Outcome.MISSING.value:
        return "missing", "M", "MISSING"
    if report.when == "call" and outcome == Outcome.ERROR.value:
        return "error", "E", "ERROR"
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """List missing APIs in one line each, write the report folder, and print its path."""
    state = config.stash.get(STATE, None)
    if state is None:
        return
    if state.known is not None:
        terminalreporter.section("known failures", sep="-")
        for line in state.known.summary_lines():
            terminalreporter.write_line(line)
    order = {behaviour_id: index for index, behaviour_id in enumerate(BEHAVIOURS)}
    # Catalogue order (T, V, L, A, M, O, D), then as collected (dim0, dim1, dim-2 as the parameters are written): the
    # same lines and files whatever order the tests ran in (xdist).
    records = sorted(state.records, key=lambda r: (order[r.behaviour], r.position, r.test, r.backend, r.device))
    missing = [r for r in records if r.outcome == Outcome.MISSING.value and not r.known]
    # A benchmark body has no behaviour and so no record; what it lacked is listed after the behaviours'.
    unrecorded = sorted((report.nodeid, getattr(report, MESSAGE, "")) for report in terminalreporter.stats.get("missing", [])
                        if not getattr(report, RECORDED, True))
    if missing or unrecorded:
        terminalreporter.section("missing API", sep="-")
        for record in missing:
            terminalreporter.write_line(f"MISSING {record.test}: {record.message}")
        for nodeid, message in unrecorded:
            terminalreporter.write_line(f"MISSING {nodeid}: {message}")
    if not state.records or xdist_worker(config):
        return
    state.close()  # workers end before the report is written: nothing of theirs lands after it
    from reports.conformance import conformance_frame, outcome_counts, write_conformance
    from reports.folder import shown_path
    from reports.html import write_report_html

    terminalreporter.ensure_newline()  # ends the progress line first, or the section's first line comes after a blank
    terminalreporter.section("conformance per backend and device", sep="-")
    counts = outcome_counts(conformance_frame(r.as_dict() for r in records))  # sorted: the same order under xdist
    for target, row in counts.iterrows():
        line = f"{target}: " + ", ".join(f"{n} {outcome}{'s' if outcome == 'error' and n != 1 else ''}"
                                         for outcome, n in row.items() if n)  # as pytest's last line counts them
        terminalreporter.write_line(line + _all_skipped_because(records, str(target)))

    titles = {behaviour_id: entry.title for behaviour_id, entry in BEHAVIOURS.items()}
    paths = write_conformance([r.as_dict() for r in records], state.report_dir, titles)
    paths.append(write_report_html(state.report_dir, titles))  # written again by grading and benchmarks, with theirs
    terminalreporter.section("conformance report", sep="-")
    for path in paths:
        terminalreporter.write_line(f"wrote {shown_path(path)}")
    terminalreporter.write_line(state.report_folder_line())
