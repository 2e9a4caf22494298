"""suite/speed.py: its sums, goals and tables on made-up timings, and its CPU count on real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from suite import PROJECT_ROOT
from suite.speed import (RUNS, Run, Timing, area, conditions, goal_of, main, medians_of, profile_table,
                         seconds_by_area, table)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="4">
<testcase classname="suite.conformance.test_views" name="test_a[torch-cpu]" time="1.5"/>
<testcase classname="suite.conformance.test_views" name="test_b[torch-cpu]" time="0.5"/>
<testcase classname="suite.selftest.test_mutants" name="test_mutant_is_caught[x]" time="4.0"/>
<testcase classname="reference.tests.test_views_reference" name="test_c" time="0.25"/>
</testsuite></testsuites>
"""


def test_test_time_is_summed_per_area_and_self_tests_per_file(tmp_path: Path) -> None:
    """JUnit cases add up by folder; a self-test file is an area of its own."""
    (tmp_path / "junit.xml").write_text(JUNIT)
    assert seconds_by_area(tmp_path / "junit.xml") == {"suite/conformance": 2.0, "suite/selftest/test_mutants.py": 4.0,
                                                       "reference/tests": 0.25}
    assert area("x", "suite/selftest/test_plugin.py") == "suite/selftest/test_plugin.py"


def test_goals_in_seconds_and_as_a_ratio_to_the_run_in_the_same_checkout() -> None:
    """A median above its goal is not met; the isolated run is compared with the in-process run of its own checkout."""
    isolated = next(run for run in RUNS if run.goal_ratio_to)
    base = next(run for run in RUNS if run.name == isolated.goal_ratio_to)
    before, after = Path("/x/before"), Path("/x/after")
    slow = Timing(base, before, [9.0, 12.0, 11.0], [0, 0, 1])
    fast = Timing(base, after, [5.0], [0])
    isolated_after = Timing(isolated, after, [7.0, 7.5, 8.0], [0, 0, 0])
    medians = medians_of([slow, fast, isolated_after])
    assert goal_of(isolated_after, medians) == (f"≤ 1.5× `{base.name}` (now 1.50×)", True)
    isolated_after.walls.append(9.0)  # median 7.75: above 1.5 × 5
    assert goal_of(isolated_after, medians_of([fast, isolated_after]))[1] is False
    torch_run = Timing(RUNS[0], before, [9.0, 12.0, 11.0], [0, 0, 1])
    assert goal_of(torch_run, medians) == ("≤ 10 s", False)
    assert goal_of(Timing(RUNS[0], after, [9.5], [0]), medians) == ("≤ 10 s", True)
    torch_run.cpus = [14.0, 13.0, 20.0]
    rows = table([torch_run, fast]).splitlines()
    assert rows[0] == "| run | checkout | median wall | passes | median CPU | exit | goal | met |"
    assert rows[2] == "| `pytest --backend torch` | before | 11.0 s | 9.0, 12.0, 11.0 | 14.0 s | 0,1 | ≤ 10 s | no |"
    assert rows[3].startswith(f"| `{base.name}` | after | 5.0 s | 5.0 |  | 0 |")  # no CPU time taken
    assert "checkout" not in table([fast])


def test_a_profile_table_keeps_the_largest_parts_and_sums_the_rest() -> None:
    """Parts beyond the top few are one row, so the shares still add up to the whole pass."""
    timing = Timing(Run("pytest", ()), PROJECT_ROOT, [10.0], [0])
    timing.profile = {"start-up, imports and collection": 4.0, "tests in a": 3.0, "tests in b": 2.0, "tests in c": 1.0}
    text = profile_table(timing, top=2)
    assert "| start-up, imports and collection | 4.0 | 40% |" in text
    assert "| 2 smaller parts | 3.0 | 30% |" in text and "tests in c" not in text


def test_a_profile_of_a_run_spread_over_workers_says_its_seconds_add_up_over_them() -> None:
    """Tests' seconds summed over pytest-xdist's workers exceed the wall time: the table says why."""
    timing = Timing(Run("pytest", ()), PROJECT_ROOT, [10.0], [0])
    timing.profile = {"start-up, imports and collection": 4.0, "tests in a": 9.0, "tests in b": 7.0}
    assert "spread over pytest-xdist's workers" in profile_table(timing)
    timing.profile["tests in a"] = 3.0
    assert "spread over" not in profile_table(timing)


def test_the_conditions_line_says_whether_bytecode_is_kept() -> None:
    """PYTHONDONTWRITEBYTECODE makes every run compile the project again: the figures' heading says which held."""
    assert "not kept (PYTHONDONTWRITEBYTECODE is set" in conditions({"PYTHONDONTWRITEBYTECODE": "1"})
    assert "kept in __pycache__" in conditions({}) and "not kept" not in conditions({})


#: A command whose process ends at once, leaving a child (an orphan then) that burns 0.5 s of CPU, or sleeps.
ORPHAN = ("import os, sys, time\n"
          "if os.fork() == 0:\n"
          "    time.sleep(0.2)  # its parent has ended by now\n"
          "    if sys.argv[1] == 'burn':\n"
          "        end = time.process_time() + 0.5\n"
          "        while time.process_time() < end: pass\n"
          "    else:\n"
          "        time.sleep(30)\n"
          "os._exit(0)\n")


def _accounted(kind: str, settle_s: float) -> list[str]:
    """run_accounted on ORPHAN, in a process of its own (it adopts and waits for children): its printed lines."""
    code = (f"import sys\nfrom suite.speed import run_accounted\n"
            f"wall, cpu, status = run_accounted([sys.executable, '-c', {ORPHAN!r}, {kind!r}], '.', {settle_s})\n"
            f"print(round(wall, 2), round(cpu, 2), status)")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [done.stdout.strip(), done.stderr.strip()]


def test_the_cpu_time_counts_a_process_the_run_left_behind() -> None:
    """A child orphaned by the run's own process still has its 0.5 s of CPU counted: it is adopted and waited for."""
    (out, _) = _accounted("burn", 30.0)
    wall, cpu, status = out.split()
    assert status == "0" and float(cpu) >= 0.45 and float(wall) < 0.45, out  # counted after the command itself ended


def test_a_process_left_running_is_waited_for_only_so_long_and_said() -> None:
    """One that outlives the settling time is left to run: the pass goes on, and stderr says it was not counted."""
    out, err = _accounted("sleep", 1.0)
    assert float(out.split()[1]) < 0.45 and "1 process(es) the run left behind still ran 1 s after it" in err, (out, err)


def test_an_only_that_matches_no_run_names_the_runs_there_are(capsys: pytest.CaptureFixture[str]) -> None:
    """``--only`` with a name no run has: argparse's usage error, listing every run's name to choose from."""
    with pytest.raises(SystemExit) as stopped:
        main(["--only", "nothing-like-this"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "no run matches --only nothing-like-this" in err and all(f"'{run.name}'" in err for run in RUNS)
