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
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

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


@dataclass(frozen=True)
class Isolation:
    """The isolation a grading run's submissions get: ``kind`` is "bubblewrap" or "none"; ``detail`` says why."""

    kind: str
    detail: str

    @property
    def sandboxed(self) -> bool:
        """True when submissions run in bubblewrap's namespaces."""
        return self.kind == "bubblewrap"

    def describe(self) -> str:
        """One line for the report and the terminal."""
        if self.sandboxed:
            return (f"bubblewrap ({self.detail}): the submission ran in its own pid, mount, network and IPC namespaces, "
                    "with the system, Python and the suite read-only, its own folder read-only, a private /tmp, no "
                    "network, and no sight of the grader's processes or files")
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
            workdir: str) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` sandboxed.

    ``own`` is the submission's folder (read-only), ``private`` folders become
    empty private tmpfs mounts (``/tmp`` always), ``writable_files`` (created
    beforehand) are the only host files it can write, ``workdir`` its working folder.
    """
    bwrap = shutil.which("bwrap") or "bwrap"
    args = [bwrap, *NAMESPACES, "--die-with-parent", "--new-session"]
    for folder in dict.fromkeys(["/tmp", *private]):  # first: what is bound below may lie in /tmp (a pytest tmp_path)
        args += ["--tmpfs", folder]
    for folder in readable_folders(own):
        args += ["--ro-bind", folder, folder]
    for target, link in system_links():
        args += ["--symlink", target, link]
    args += ["--dev", "/dev", "--proc", "/proc"]
    for pattern in DEVICE_PATTERNS:
        for device in sorted(Path("/dev").glob(pattern)):
            args += ["--dev-bind", str(device), str(device)]
    for path in writable_files:
        args += ["--bind", path, path]
    args += ["--dir", workdir, "--chdir", workdir, "--clearenv", "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp"]
    for name in PASSED_ENV:
        if name in os.environ and name != "PYTHONPATH":
            args += ["--setenv", name, os.environ[name]]
    # The suite the grader runs (a batch's private copy, say) comes first, as it does for the grader itself.
    path = [str(Path(suite_folders()[0]).parent), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    args += ["--setenv", "PYTHONPATH", os.pathsep.join(dict.fromkeys(path))]
    return [*args, *argv]


class SandboxedProcess:
    """A worker started in bubblewrap, with the parts of ``multiprocessing.Process`` that WorkerBackend uses.

    ``pid`` is bwrap's own process, outside the sandbox; killing it kills the
    sandbox (its pid namespace dies with its first process, which dies with bwrap).
    A worker killed by a signal is reported as multiprocessing does (a negative
    ``exitcode``): bwrap passes a signal on as status 128 + its number.
    """

    def __init__(self, argv: list[str], pass_fds: Sequence[int], output_path: str) -> None:
        self.argv = argv
        self.pass_fds = tuple(pass_fds)
        self.output_path = output_path
        self._popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start bwrap in a session of its own; what it or the worker prints before the worker's own redirection
        (bwrap's refusal, an interpreter that fails to start) goes to the worker's output file."""
        with open(self.output_path, "ab") as output:
            self._popen = subprocess.Popen(self.argv, pass_fds=self.pass_fds, start_new_session=True,
                                           stdin=subprocess.DEVNULL, stdout=output, stderr=output)

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
        if code < 0:
            return code
        return -(code - 128) if 128 < code < 128 + signal.NSIG else code

    def kill(self) -> None:
        """SIGKILL bwrap: the sandbox and everything in it end with it."""
        if self.is_alive():
            assert self._popen is not None
            try:
                self._popen.kill()
            except ProcessLookupError:
                pass

    def join(self, timeout: float | None = None) -> None:
        """Wait for bwrap to end (at most ``timeout`` seconds)."""
        if self._popen is not None:
            try:
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
