"""How fast is the suite itself? Times the runs a user waits for, side by side, and says where their time goes.

Run it as ``python -m suite.speed`` (``--help`` for options). It

1. runs each chosen pytest command (``--backend torch``, ``--backend numpy``,
   one family, ``--isolate always``; the whole default run with
   ``--with-default``) in a fresh interpreter at the project root, the reports
   going to a temporary folder, and takes the wall-clock time of each and the
   CPU time of it and of every process it started (run_accounted): on a
   machine shared with others the wall time stretches with their load, the
   CPU time much less;
2. repeats that ``--repeat`` times, round-robin (every run once, then every
   run again), so that a burst of load from elsewhere on a shared machine
   lands in one pass of every run rather than in all passes of one, and quotes
   the median of the passes against the run's goal;
3. with ``--profile``, splits one pass of each run by where the time went:
   start-up and collection (the same command with ``--collect-only``), each
   area's tests (their setup, call and teardown, from pytest's JUnit XML), and
   the rest (report writing, session teardown).

The exit status is 0 when every goal holds, 1 when one does not. The README's
section on the suite's speed quotes this script's output.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from suite import PROJECT_ROOT
from suite.cli import prog


@dataclass(frozen=True)
class Run:
    """One pytest command a user waits for, and the wall-clock time it should take at most."""

    name: str
    args: tuple[str, ...]
    goal_s: float | None = None
    #: The goal as a ratio to another run's median (``--isolate always`` against the in-process run).
    goal_ratio_to: str | None = None
    goal_ratio: float | None = None


#: The runs the project's speed goals name (2 cores, medians of several passes).
RUNS: tuple[Run, ...] = (
    Run("pytest --backend torch", ("--backend", "torch"), goal_s=10.0),
    Run("pytest --backend numpy", ("--backend", "numpy"), goal_s=8.0),
    Run("pytest --backend torch -m views", ("--backend", "torch", "-m", "views"), goal_s=4.0),
    # Isolated backends' benchmarks are skipped (they are timed in-process only): compare the conformance tests alone.
    Run("pytest --backend torch suite/conformance", ("--backend", "torch", "suite/conformance")),
    Run("pytest --backend torch --isolate always suite/conformance",
        ("--backend", "torch", "--isolate", "always", "suite/conformance"),
        goal_ratio_to="pytest --backend torch suite/conformance", goal_ratio=1.5),
)
#: The README's own test command, which takes minutes: timed only when asked (``--with-default``).
DEFAULT_RUN = Run("pytest", (), goal_s=90.0)


@dataclass
class Timing:
    """The passes of one run: wall-clock seconds and exit status of each, and one pass's profile."""

    run: Run
    project: Path = PROJECT_ROOT
    walls: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    profile: dict[str, float] = field(default_factory=dict)
    cpus: list[float] = field(default_factory=list)  # CPU seconds of each pass, every process of the run counted

    @property
    def median(self) -> float:
        """The median wall-clock time over the passes."""
        return statistics.median(self.walls)

    @property
    def median_cpu(self) -> float | None:
        """The median CPU time over the passes (None where none was taken)."""
        return statistics.median(self.cpus) if self.cpus else None


def pytest_command(run: Run, folder: Path, *extra: str) -> list[str]:
    """The pytest command line for ``run``, its reports and JUnit XML in ``folder``."""
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--report-dir", str(folder / "reports"),
            "--junitxml", str(folder / "junit.xml"), *run.args, *extra]


def time_once(run: Run, folder: Path, *extra: str, project: Path = PROJECT_ROOT) -> tuple[float, float, int]:
    """Run ``run`` once at a checkout's root (``python -m`` puts it first on the path): (wall s, CPU s, exit status)."""
    return run_accounted(pytest_command(run, folder, *extra), project)


#: How long the processes a run left behind (a zygote, a worker server) get to end once it has, to be counted.
SETTLE_SECONDS = 30.0


def run_accounted(command: Sequence[str], cwd: Path, settle_s: float = SETTLE_SECONDS) -> tuple[float, float, int]:
    """Run ``command`` to its end: (wall seconds, CPU seconds of it and of every process it started, exit status).

    The CPU time is what the kernel adds to this process's children's usage
    (``RUSAGE_CHILDREN``) when a child is waited for: the child's own and that
    of the descendants it waited for. A process orphaned on the way (its parent
    ended first) would be counted nowhere; this process makes itself their
    subreaper, so they are adopted here and waited for, for up to ``settle_s``
    after the command has ended. Where the system has no subreapers (not
    Linux), orphans go uncounted. The caller's other children are left alone.
    """
    from suite.grading import guard

    adopting = guard.become_subreaper()
    before = set(guard.children())
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    left = _wait_for_adopted(before, time.monotonic() + settle_s) if adopting else 0
    if left:
        print(f"  {left} process(es) the run left behind still ran {settle_s:g} s after it: their CPU time is not "
              "counted", file=sys.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime), done.returncode


def _wait_for_adopted(before: set[int], deadline: float) -> int:
    """Wait for the children this process adopted (not those in ``before``) until none is left or ``deadline``;
    return how many are left."""
    from suite.grading import guard

    while True:
        adopted = [pid for pid in guard.children() if pid not in before]
        for pid in adopted:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        left = [pid for pid in guard.children() if pid not in before]
        if not left or time.monotonic() > deadline:
            return len(left)
        time.sleep(0.05)


def area(classname: str, file: str | None) -> str:
    """The area a JUnit test case belongs to: its folder, and the file for the self-tests (where the time differs most)."""
    path = file or classname.replace(".", "/") + ".py"
    parts = Path(path).parts
    if len(parts) >= 2 and parts[:2] == ("suite", "selftest"):
        return "/".join(parts[:3])
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]


def seconds_by_area(junit: Path) -> Counter[str]:
    """Seconds spent in tests (setup, call and teardown) per area, read from pytest's JUnit XML."""
    seconds: Counter[str] = Counter()
    for case in ET.parse(junit).getroot().iter("testcase"):
        seconds[area(case.get("classname", ""), case.get("file"))] += float(case.get("time", 0.0))
    return seconds


def profile(run: Run, wall: float, folder: Path, project: Path = PROJECT_ROOT) -> dict[str, float]:
    """Where one pass of ``run`` spent its ``wall`` seconds: start-up and collection, each area's tests, the rest."""
    tests = seconds_by_area(folder / "junit.xml")
    collect_wall, _, _ = time_once(run, folder / "collect", "--collect-only", project=project)
    parts = {"start-up, imports and collection": collect_wall}
    parts.update({f"tests in {name}": seconds for name, seconds in tests.most_common()})
    parts["the rest (reports, teardown)"] = max(0.0, wall - collect_wall - sum(tests.values()))
    return parts


def measure(runs: Sequence[Run], repeat: int, with_profile: bool, projects: Sequence[Path] = (PROJECT_ROOT,)) -> list[Timing]:
    """Time every run in every checkout ``repeat`` times, round-robin; profile the last pass of each when asked."""
    timings = [Timing(run, project) for run in runs for project in projects]
    with tempfile.TemporaryDirectory(prefix="suite-speed-") as scratch:
        for index in range(repeat):
            for number, timing in enumerate(timings):
                folder = Path(scratch) / f"{number}-{index}"
                wall, cpu, status = time_once(timing.run, folder, project=timing.project)
                timing.walls.append(wall)
                timing.cpus.append(cpu)
                timing.statuses.append(status)
                print(f"  pass {index + 1}/{repeat}: {timing.run.name} in {timing.project}: {wall:.1f} s, "
                      f"{cpu:.1f} CPU-s (exit {status})", file=sys.stderr)
                if with_profile and index == repeat - 1:
                    timing.profile = profile(timing.run, wall, folder, timing.project)
    return timings


def goal_of(timing: Timing, medians: dict[tuple[str, Path], float]) -> tuple[str, bool]:
    """The run's goal in words and whether its median meets it (a ratio: to the other run in the same checkout)."""
    run = timing.run
    if run.goal_ratio_to is not None and run.goal_ratio is not None:
        ratio = timing.median / medians[run.goal_ratio_to, timing.project]
        return f"≤ {run.goal_ratio:g}× `{run.goal_ratio_to}` (now {ratio:.2f}×)", ratio <= run.goal_ratio
    if run.goal_s is None:
        return "(the base of a ratio)", True
    return f"≤ {run.goal_s:g} s", timing.median <= run.goal_s


def medians_of(timings: Sequence[Timing]) -> dict[tuple[str, Path], float]:
    """Each run's median, by run name and checkout."""
    return {(timing.run.name, timing.project): timing.median for timing in timings}


def table(timings: Sequence[Timing]) -> str:
    """The Markdown table of medians, passes and goals (with a checkout column when more than one was timed)."""
    medians = medians_of(timings)
    several = len({timing.project for timing in timings}) > 1
    lines = ["| run |" + (" checkout |" if several else "") + " median wall | passes | median CPU | exit | goal | met |",
             "|---|" + ("---|" if several else "") + "---:|---|---:|---|---|---|"]
    for timing in timings:
        goal, met = goal_of(timing, medians)
        passes = ", ".join(f"{wall:.1f}" for wall in timing.walls)
        cpu = "" if timing.median_cpu is None else f"{timing.median_cpu:.1f} s"
        exits = ",".join(sorted({str(status) for status in timing.statuses}))
        checkout = f" {timing.project.name} |" if several else ""
        lines.append(f"| `{timing.run.name}` |{checkout} {timing.median:.1f} s | {passes} | {cpu} | {exits} | {goal} | "
                     f"{'yes' if met else 'no'} |")
    return "\n".join(lines)


def profile_table(timing: Timing, top: int = 12) -> str:
    """The Markdown table of where one pass of a run spent its time, largest parts first."""
    parts = sorted(timing.profile.items(), key=lambda item: -item[1])
    total = sum(timing.profile.values()) or 1.0
    shown, rest = parts[:top], parts[top:]
    if rest:
        shown.append((f"{len(rest)} smaller parts", sum(seconds for _, seconds in rest)))
    lines = [f"`{timing.run.name}` in {timing.project.name} ({timing.walls[-1]:.1f} s):", ""]
    if sum(seconds for name, seconds in parts if name.startswith("tests in ")) > timing.walls[-1]:
        lines += ["(The run was spread over pytest-xdist's workers: its tests' seconds add up over the workers, "
                  "to more than its wall time.)", ""]
    lines += ["| part | seconds | share |", "|---|---:|---:|"]
    lines += [f"| {name} | {seconds:.1f} | {seconds / total:.0%} |" for name, seconds in shown]
    return "\n".join(lines)


def conditions(environ: Mapping[str, str] | None = None) -> str:
    """One line on what the figures depend on besides the code: the cores, and whether compiled bytecode is kept.

    With ``PYTHONDONTWRITEBYTECODE`` set (as on some CI images and sandboxes),
    no run writes ``__pycache__``: every interpreter compiles the project's
    modules again and pytest rewrites every test module's assertions again,
    about a second a run here.
    """
    environ = os.environ if environ is None else environ
    bytecode = ("not kept (PYTHONDONTWRITEBYTECODE is set: each run compiles the project's modules again)"
                if environ.get("PYTHONDONTWRITEBYTECODE") else "kept in __pycache__ after the first run")
    return f"{os.cpu_count()} cores; compiled bytecode {bytecode}"


def main(argv: Sequence[str] | None = None) -> int:
    """Time the runs, print the tables; exit 0 when every goal holds."""
    parser = argparse.ArgumentParser(prog=prog("suite.speed"), description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the runs; each figure is their median (default 3)")
    parser.add_argument("--with-default", action="store_true",
                        help="also time the README's plain `pytest` (minutes per pass)")
    parser.add_argument("--only", action="append", metavar="NAME", default=[],
                        help="time only the runs whose name contains NAME (repeatable), e.g. --only numpy; the runs: "
                             + "; ".join(f"'{run.name}'" for run in RUNS))
    parser.add_argument("--profile", action="store_true", help="also split the last pass of each run by where its time went")
    parser.add_argument("--project", action="append", type=Path, default=[], metavar="DIR",
                        help="time the runs in this checkout of the project (repeatable: before and after, side by side; "
                             "default: this one)")
    options = parser.parse_args(argv)
    runs = list(RUNS) + ([DEFAULT_RUN] if options.with_default else [])
    if options.only:
        runs = [run for run in runs if any(word in run.name for word in options.only)]
        bases = {run.goal_ratio_to for run in runs} - {run.name for run in runs}
        runs = [run for run in RUNS if run.name in bases] + runs  # a ratio needs the run it is a ratio to
    if not runs:
        parser.error(f"no run matches --only {' '.join(options.only)}; the runs: "
                     + "; ".join(f"'{run.name}'" for run in RUNS) + " (and 'pytest' with --with-default)")
    print(f"timing {len(runs)} runs, {options.repeat} passes each, on {os.cpu_count()} cores", file=sys.stderr)
    projects = [folder.resolve() for folder in options.project] or [PROJECT_ROOT]
    timings = measure(runs, options.repeat, options.profile, projects)
    print(conditions())
    print()
    print(table(timings))
    for timing in timings:
        if timing.profile:
            print()
            print(profile_table(timing))
    medians = medians_of(timings)
    missed = [timing.run.name for timing in timings if not goal_of(timing, medians)[1]]
    if missed:
        print(f"exit status 1: {len(missed)} of {len(timings)} goals not met ({'; '.join(missed)}); the runs' own exit "
              "statuses are in the table", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
