"""The operating system's sandbox for a graded submission's worker: bubblewrap, where the machine allows it.

A graded worker does not come from the run's worker server: it is a new
interpreter started by ``bwrap`` (the sandbox behind Flatpak) in namespaces of
its own. Inside, the submission

- sees the system, Python, the environment and the suite's own packages read-only,
  its own folder read-only, and nothing else of the machine: not the report
  folder, not the project's other files, not a classmate's submission;
- writes only to a private ``/tmp`` (memory, gone when the worker ends) and its
  output file, which the grader reads;
- is process 2 of its own pid namespace: it cannot see, signal or trace any
  process of the grader's, and everything it starts dies with it;
- has no network (its own network namespace, loopback only), its own IPC and
  host name, and dies when the grading process does.

``probe()`` says whether this works here (a container without user namespaces
refuses it) and is what a grading run reports as the isolation in force.

Where it does not, a grader running as root falls back to another user
(``probe_uid()``): each worker runs as an unprivileged uid of its own, leased
for the grading process, which can read what other users may but write none of
the grader's files (checked before any submission runs), signal none of its
processes, and leaves nothing behind: every process of that uid is killed and
every file it owns in the machine's temporary folders removed when a worker
ends. It has the machine's network, though, and what it writes to disk is not
memory. Its workers import the suite from a copy of the grader's that the uid
may read (``readable_copy()``): the grader's own may lie where only root may
enter (a batch's private copy), and each worker's first message says which
suite it imported, checked before the submission runs.
"""

from __future__ import annotations

import atexit
import ctypes
import fcntl
import functools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

#: Folders of the system a Python worker needs, bound read-only where they exist.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/opt", "/sys")
#: Device files a GPU backend needs, bound where they exist (bwrap's --dev gives a minimal /dev otherwise).
DEVICE_PATTERNS = ("nvidia*", "dri")
#: Environment variables passed into the sandbox; the rest of the grader's (tokens, paths of its own) stay out.
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONPATH", "PYTHONHASHSEED", "OMP_NUM_THREADS",
              "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES")
#: The namespaces every sandboxed worker gets, as bwrap's options.
NAMESPACES = ("--unshare-user-try", "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
              "--unshare-cgroup-try")


#: The uids the fallback runs submissions as: one per grading process at a time, leased with a lock file.
UID_RANGE = range(61000, 62000)
#: The most processes (threads included) a submission's uid may have at once: a fork bomb ends there.
UID_PROCESS_LIMIT = 4096
#: The machine's folders any user may write to, where a submission's uid could leave files for the next run.
SHARED_TEMPORARY = ("/tmp", "/var/tmp", "/dev/shm")


@dataclass(frozen=True)
class Isolation:
    """The isolation a grading run's submissions get: ``kind`` is "bubblewrap", "uid" or "none"; ``detail`` says
    why (or which); ``uid`` is the user the fallback runs them as, and ``suite_copy`` the folder its workers import
    the suite from (``readable_copy()``); ``shared`` are the grader's files a sandbox shows its worker, read-only (a
    course's probe modules, which its tests' calls run there)."""

    kind: str
    detail: str
    uid: int | None = None
    shared: tuple[str, ...] = ()
    suite_copy: str = ""

    @property
    def sandboxed(self) -> bool:
        """True when submissions run in bubblewrap's namespaces."""
        return self.kind == "bubblewrap"

    @property
    def confined(self) -> bool:
        """True when each worker is a new interpreter confined by the system: bubblewrap, or a user of its own."""
        return self.kind in ("bubblewrap", "uid")

    def describe(self) -> str:
        """One line for the report and the terminal."""
        if self.sandboxed:
            return (f"bubblewrap ({self.detail}): the submission ran in its own pid, mount, network and IPC namespaces, "
                    "with the system, Python and the suite read-only, its own folder read-only, a private /tmp, no "
                    "network, and no sight of the grader's processes or files")
        if self.kind == "uid":
            return (f"a user of its own ({self.detail}): the submission ran as an unprivileged uid that could write "
                    "none of the grader's files and signal none of its processes, every process and temporary file of "
                    "that uid removed after each worker; it could read what any user may and had the network")
        return (f"none ({self.detail}): the submission ran as the grader's own user, in a separate process but with "
                "the grader's rights over its files and processes")


@functools.lru_cache(maxsize=1)
def probe() -> Isolation:
    """Whether bubblewrap can start a sandbox here: a real ``bwrap ... true``, cached for the run."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Isolation("none", "bwrap is not installed; on Debian or Ubuntu: apt-get install bubblewrap")
    try:
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        tried = subprocess.run([bwrap, *NAMESPACES, "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
                                "--dev", "/dev", "true"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Isolation("none", f"bwrap could not be run: {exc}")
    if tried.returncode != 0:
        reason = (tried.stderr.strip().splitlines() or [f"status {tried.returncode}"])[-1]
        return Isolation("none", f"bwrap is installed but this machine refuses its namespaces: {reason[:200]} "
                         "(a container without user namespaces; run it with them, or as a privileged one)")
    return Isolation("bubblewrap", version or "bwrap")


def suite_folders() -> list[str]:
    """The folders of this project's packages a sandbox sees, read-only: the suite and impls (which the worker
    imports) and the reference (which a course may allow). Not reports: its folder holds the grader's reports."""
    import impls
    import reference
    import suite

    return [str(Path(package.__file__).resolve().parent) for package in (suite, impls, reference)]


def submission_folder(kind: str, target: str) -> str:
    """The folder a submission is imported from, bound read-only: a file's or a package's parent folder, or, for a
    module name, the folder it is found in on this process's path ('' when it cannot be found)."""
    import importlib.util

    if kind == "path":
        path = Path(target if os.path.exists(target) else target.rpartition(":")[0]).expanduser().resolve()
        return str(path.parent)
    top = target.partition(":")[0].split(".")[0]
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return ""
    if found is None or not found.origin or found.origin in ("built-in", "frozen"):
        return ""
    origin = Path(found.origin).resolve()
    return str(origin.parent.parent if origin.name == "__init__.py" else origin.parent)


def readable_folders(own: str) -> list[str]:
    """Every folder bound read-only: the system's, Python's, the environment's, the suite's and the submission's.

    Each is bound where it lies and, if a symbolic link leads there, where the
    link points too; a folder inside another one bound already is left out.
    """
    folders = [f for f in SYSTEM_FOLDERS if not os.path.islink(f)]
    folders += [sys.base_prefix, sys.prefix, sys.exec_prefix, *suite_folders()]
    folders += [entry for entry in sys.path if entry and os.path.isdir(entry) and "site-packages" in entry]
    folders += [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    if own:
        folders.append(own)
    places = [place for folder in folders if folder and os.path.isdir(folder)
              for place in dict.fromkeys([os.path.abspath(folder), os.path.realpath(folder)])]
    kept: list[str] = []
    for place in sorted(dict.fromkeys(places), key=len):
        if not any(place == k or place.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(place)
    return kept


def system_links() -> list[tuple[str, str]]:
    """The system folders that are symbolic links (``/bin`` to ``usr/bin``, ``/lib64``...): (where they point, path)."""
    return [(os.readlink(folder), folder) for folder in SYSTEM_FOLDERS if os.path.islink(folder)]


def command(argv: Sequence[str], own: str, private: Sequence[str], writable_files: Sequence[str],
            workdir: str, readable_files: Sequence[str] = ()) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` sandboxed.

    ``own`` is the submission's folder (read-only), ``private`` folders become
    empty private tmpfs mounts (``/tmp`` always), ``readable_files`` are the
    grader's files it may read (at the same paths), ``writable_files`` (created
    beforehand) are the only host files it can write, ``workdir`` its working folder.
    """
    bwrap = shutil.which("bwrap") or "bwrap"
    args = [bwrap, *NAMESPACES, "--die-with-parent", "--new-session"]
    for folder in dict.fromkeys(["/tmp", *private]):  # first: what is bound below may lie in /tmp (a pytest tmp_path)
        args += ["--tmpfs", folder]
    for folder in readable_folders(own):
        args += ["--ro-bind", folder, folder]
    for path in readable_files:
        args += ["--ro-bind", path, path]
    for target, link in system_links():
        args += ["--symlink", target, link]
    args += ["--dev", "/dev", "--proc", "/proc"]
    for pattern in DEVICE_PATTERNS:
        for device in sorted(Path("/dev").glob(pattern)):
            args += ["--dev-bind", str(device), str(device)]
    for path in writable_files:
        args += ["--bind", path, path]
    args += ["--dir", workdir, "--chdir", workdir, "--clearenv"]
    for name, value in worker_environment("/tmp").items():
        args += ["--setenv", name, value]
    return [*args, *argv]


def worker_environment(home: str, suite_copy: str = "") -> dict[str, str]:
    """A confined worker's whole environment: the grader's PASSED_ENV, ``home`` as HOME and TMPDIR, and a
    PYTHONPATH on which the suite the grader runs comes first, as it does for the grader: the folder it lies in (a
    batch's private copy, say), or ``suite_copy``, a copy of it (the uid's, which may not enter that folder)."""
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ and name != "PYTHONPATH"}
    env["HOME"] = env["TMPDIR"] = home
    first = suite_copy or str(Path(suite_folders()[0]).parent)
    path = [first, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(path))
    return env


def worker_suite(isolation: Isolation) -> str:
    """The folder of the suite package a worker confined by ``isolation`` must import: the grader's own (bubblewrap
    binds it where it lies), or the uid's copy of it."""
    if isolation.suite_copy:
        return os.path.realpath(os.path.join(isolation.suite_copy, "suite"))
    return os.path.realpath(suite_folders()[0])


#: The uid's copies of the suite, the folders its probe works in, and each worker backend's folder (its output, its
#: working folder): ``<tmp>/<prefix><pid of the process that made it>-<rest>``.
COPY_PREFIX, PROBE_PREFIX, WORKER_PREFIX = "conformance-uid-suite-", "conformance-uid-probe-", "conformance-worker-"


def readable_copy() -> str:
    """A copy of the suite's packages (suite, impls, reference) that any user may read and only root may change, for
    the uid's workers, removed when this process ends: the suite the grader runs may lie where only root may enter (a
    batch's private copy), and the uid would then import whatever other version of it its path finds.

    A grader killed outright (SIGKILL) cannot remove its copy; the next one removes every copy whose grader, named by
    the pid in its name, no longer runs (``remove_orphaned_folders``).
    """
    remove_orphaned_folders()
    folder = tempfile.mkdtemp(prefix=f"{COPY_PREFIX}{os.getpid()}-")
    atexit.register(shutil.rmtree, folder, True)
    for source in suite_folders():
        shutil.copytree(source, os.path.join(folder, os.path.basename(source)),  # compiled files kept: the uid
                        ignore=shutil.ignore_patterns("*.egg-info", ".*"))  # cannot write them, and each worker imports
    for place, _, files in os.walk(folder):
        os.chmod(place, 0o755)
        for name in files:
            os.chmod(os.path.join(place, name), 0o644)
    return folder


def remove_orphaned_folders(tmp: str | None = None) -> list[str]:
    """Remove the uid's copies of the suite, its probe's folders and worker backends' folders that this user made and
    whose process no longer runs (it was killed outright, so its exit handlers never ran); return their paths."""
    tmp = tmp or tempfile.gettempdir()
    removed = []
    for name in os.listdir(tmp):
        prefix = next((prefix for prefix in (COPY_PREFIX, PROBE_PREFIX, WORKER_PREFIX) if name.startswith(prefix)), None)
        pid, dash, _ = name.removeprefix(prefix or "").partition("-")
        path = os.path.join(tmp, name)
        if prefix is None or not dash or not pid.isdigit() or running(int(pid)):
            continue
        try:
            if os.lstat(path).st_uid != os.geteuid() or not os.path.isdir(path) or os.path.islink(path):
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def process_tree(pid: int) -> list[int]:
    """``pid`` and its live descendants, from /proc (the first is ``pid`` itself)."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        if current in tree:
            continue
        tree.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    pending.extend(int(child) for child in f.read().split())
        except (OSError, ValueError):
            continue
    return tree


def running(pid: int) -> bool:
    """Whether ``pid`` still runs: neither gone nor a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return False
    return text[text.rfind(")") + 2 :][:1] not in ("Z", "X")  # the name, in parentheses, may hold spaces


def uid_processes(uid: int) -> list[int]:
    """The pids of every process whose real, effective, saved or file-system uid is ``uid``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as f:
                line = next(line for line in f if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if str(uid) in line.split()[1:]:
            found.append(int(entry.name))
    return found


def end_uid_processes(uid: int, rounds: int = 400) -> None:
    """SIGKILL every process of ``uid``, again while any still runs (one may fork while the others die), and return
    once none does (a zombie, ended but not yet reaped, is not waited for)."""
    for _ in range(rounds):
        pids = [pid for pid in uid_processes(uid) if pid != os.getpid() and running(pid)]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.005)


def remove_uid_files(uid: int, folders: Sequence[str] = SHARED_TEMPORARY) -> None:
    """Remove everything ``uid`` owns in ``folders``: it can have written only where any user may write (a folder
    writable by all) or in a folder of its own, so only those are searched, and nothing is followed through a link."""
    for top in folders:
        pending = [top]
        while pending:
            folder = pending.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if info.st_uid == uid:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        try:
                            os.unlink(entry.path)
                        except OSError:
                            pass
                elif entry.is_dir(follow_symlinks=False) and info.st_mode & 0o003 == 0o003:
                    pending.append(entry.path)


@functools.lru_cache(maxsize=1)
def lease_uid() -> int | None:
    """A uid of UID_RANGE for this process alone until it ends (a lock held on its file), cleared of anything an
    earlier holder left; None where the lock folder is not root's own or every uid is taken."""
    folder = Path(tempfile.gettempdir()) / "conformance-uids"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if info.st_uid != 0 or info.st_mode & 0o022 or not folder.is_dir() or folder.is_symlink():
        return None
    for uid in UID_RANGE:
        fd = os.open(folder / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        end_uid_processes(uid)  # an earlier grader killed before it could clean up
        remove_uid_files(uid)
        return uid  # the descriptor stays open, and the lock held, while this process lives
    return None


def prepare_home(private: str, uid: int) -> str:
    """A fresh home and working folder for ``uid`` in the grader's ``private`` folder, which ``uid`` may enter
    but neither list nor write: nothing there can be replaced by a link to the grader's files."""
    os.chmod(private, 0o711)
    home = os.path.join(private, "home")
    shutil.rmtree(home, ignore_errors=True)
    os.mkdir(home, 0o700)
    os.chown(home, uid, uid)
    return home


#: What the probe runs as the leased uid: the worker's imports, then which of the given folders it could write to,
#: which files it could read, and where it found the suite. Prints JSON.
_UID_PROBE = """
import json, os, sys
import suite.worker
given = json.loads(sys.argv[1])
writable = []
for top in given["write"]:
    for folder, _, _ in os.walk(top):
        if os.access(folder, os.W_OK):
            writable.append(folder)
print(json.dumps({"writable": writable, "readable": [p for p in given["read"] if os.access(p, os.R_OK)],
                  "suite": os.path.realpath(os.path.dirname(suite.worker.__file__))}))
"""


def probe_uid(grader_folders: Sequence[str], secrets: Sequence[str]) -> Isolation:
    """Whether submissions can run as a user of their own here: the grader is root, a uid can be leased, Python and
    the suite start as that uid, it imports the suite from its copy of the grader's (``readable_copy()``), and none of
    ``grader_folders`` (the project, the environment, the report folder) is writable by it. ``secrets`` (the course
    file, hidden tests) it can read are named in the detail."""
    if os.geteuid() != 0:
        return Isolation("none", "the grader does not run as root, so it cannot run submissions as another user")
    uid = lease_uid()
    if uid is None:
        return Isolation("none", f"no uid of {UID_RANGE.start}-{UID_RANGE.stop - 1} could be leased (the lock folder "
                         f"{tempfile.gettempdir()}/conformance-uids is not root's own, or every uid is in use)")
    private = tempfile.mkdtemp(prefix=f"{PROBE_PREFIX}{os.getpid()}-")  # removed below, or by the next grader
    copy = readable_copy()
    try:
        home = prepare_home(private, uid)
        folders = [*grader_folders, *sysconfig.get_paths().values(), sys.prefix, sys.base_prefix, copy]
        given = json.dumps({"write": sorted({f for f in folders if f and os.path.isdir(f)}), "read": list(secrets)})
        tried = subprocess.run([sys.executable, "-c", _UID_PROBE, given], user=uid, group=uid, extra_groups=[],
                               env=worker_environment(home, copy), cwd=home, capture_output=True, text=True, timeout=120,
                               stdin=subprocess.DEVNULL)
        found = json.loads(tried.stdout) if tried.returncode == 0 else None
        reason = (tried.stderr.strip().splitlines() or [f"status {tried.returncode}"])[-1]
    except OSError as exc:  # the interpreter could not even be run as the uid
        found, reason = None, f"{exc.strerror}: {exc.filename}"
    except (subprocess.TimeoutExpired, ValueError) as exc:
        return Isolation("none", f"uid {uid} could not be tried: {exc}")
    finally:
        end_uid_processes(uid)
        remove_uid_files(uid, [*SHARED_TEMPORARY, private])
        shutil.rmtree(private, ignore_errors=True)
    if found is None:
        return Isolation("none", f"uid {uid} cannot start the suite's Python here ({reason[:200]}): Python, the "
                         "environment and the suite must be readable by other users")
    if found["writable"]:
        more = f", and {len(found['writable']) - 1} more" if len(found["writable"]) > 1 else ""
        return Isolation("none", f"uid {uid} could write the grader's files ({found['writable'][0]}{more})")
    isolation = Isolation("uid", f"uid {uid}", uid=uid, suite_copy=copy)
    if found["suite"] != worker_suite(isolation):
        return Isolation("none", f"uid {uid} imported the suite from {found['suite']}, not from the grader's copy "
                         f"{worker_suite(isolation)} (a .pth file or sitecustomize that puts another version first?)")
    readable = f"; it can read {', '.join(found['readable'])}" if found["readable"] else ""
    return Isolation("uid", f"uid {uid}{readable}", uid=uid, suite_copy=copy)


def _uid_confinement(file_limit: int) -> Callable[[], None]:
    """What the new worker does before it runs Python, its uid already set (everything it needs looked up here,
    before the fork): it dies with the grader, writes files of at most ``file_limit`` bytes, has at most
    UID_PROCESS_LIMIT processes."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def confine() -> None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: cleared by the change of uid, so set after it
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
        resource.setrlimit(resource.RLIMIT_NPROC, (UID_PROCESS_LIMIT, UID_PROCESS_LIMIT))
    return confine


class SandboxedProcess:
    """A confined worker, with the parts of ``multiprocessing.Process`` that WorkerBackend uses.

    In bubblewrap, ``pid`` is bwrap's own process, outside the sandbox; killing
    it kills the sandbox (its pid namespace dies with its first process, which
    dies with bwrap). A worker killed by a signal is reported as multiprocessing
    does (a negative ``exitcode``): bwrap passes a signal on as status 128 + its number.

    With ``uid`` (the fallback), ``argv`` is the worker's own command, run as
    that user in ``env`` and ``cwd``; killing it kills every process of the uid.
    """

    def __init__(self, argv: list[str], pass_fds: Sequence[int], output_path: str, uid: int | None = None,
                 env: dict[str, str] | None = None, cwd: str | None = None, file_limit: int = 64 * 2**20) -> None:
        self.argv = argv
        self.pass_fds = tuple(pass_fds)
        self.output_path = output_path
        self.uid = uid
        self.env = env
        self.cwd = cwd
        self.file_limit = file_limit
        self._popen: subprocess.Popen[bytes] | None = None
        self._killed: list[int] = []  # bwrap and its sandbox's processes, as kill found them

    def start(self) -> None:
        """Start the worker in a session of its own; what it prints before its own redirection (bwrap's refusal, an
        interpreter that fails to start) goes to its output file."""
        as_user: dict = {} if self.uid is None else {
            "user": self.uid, "group": self.uid, "extra_groups": [], "preexec_fn": _uid_confinement(self.file_limit)}
        with open(self.output_path, "ab") as output:
            self._popen = subprocess.Popen(self.argv, pass_fds=self.pass_fds, start_new_session=True, env=self.env,
                                           cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                           **as_user)

    @property
    def pid(self) -> int | None:
        """bwrap's process id, outside the sandbox."""
        return self._popen.pid if self._popen is not None else None

    def is_alive(self) -> bool:
        """True while the sandbox runs."""
        return self._popen is not None and self._popen.poll() is None

    @property
    def exitcode(self) -> int | None:
        """The worker's exit status, or minus the signal that killed it (None while it runs)."""
        if self._popen is None or self._popen.poll() is None:
            return None
        code = self._popen.returncode
        if code < 0 or self.uid is not None:
            return code
        return -(code - 128) if 128 < code < 128 + signal.NSIG else code

    def kill(self) -> None:
        """SIGKILL bwrap and every process in its sandbox, or every process of the uid: the worker and everything it
        started end with it."""
        if self.is_alive():
            assert self._popen is not None
            # bwrap's child in the sandbox dies with bwrap only once the kernel has sent it its parent-death signal:
            # killed here, each is gone by the time join returns, not left for the grader's final sweep to find.
            self._killed = process_tree(self._popen.pid)
            for pid in reversed(self._killed):
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if self.uid is not None:
            end_uid_processes(self.uid)

    def join(self, timeout: float | None = None) -> None:
        """Wait for bwrap, and every process of its sandbox, to end (at most ``timeout`` seconds).

        The sandbox's processes are those kill() found, or, for a worker ending by itself (asked to stop), those
        running when the wait began: once bwrap has ended they are no longer its children (the grader, as
        subreaper, adopts them) and end a moment later, of its death. Under load that moment was long enough for
        the grader's final sweep to find bwrap's child still running and note it as the submission's doing.
        """
        if self._popen is not None:
            deadline = time.monotonic() + (5 if timeout is None else timeout)
            inside = self._killed[1:] or (process_tree(self._popen.pid)[1:] if self._popen.poll() is None else [])
            try:
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
            while any(running(pid) for pid in inside) and time.monotonic() < deadline:
                time.sleep(0.005)
