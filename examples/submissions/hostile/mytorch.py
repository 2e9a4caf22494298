"""Sample submission "hostile": PyTorch underneath, but it breaks, hangs, crashes and tries to game the grader.

Every attack is aimed at probes of one behaviour, so the grade it must get is
known in advance (``expected.toml`` beside this file says which):

==========  =====================================================================
V1          prints megabytes, then answers correctly (it passes: printing costs nothing)
V2          loops forever (timeout)
V3          allocates without bound (memory limit)
V4          answers wrongly where the suite's comparison would have been patched to agree;
            its out-of-range check is left honest, so V4 earns partial credit
V5          dereferences a null pointer through ctypes (crash: SIGSEGV)
V6          calls ``os._exit(0)``, an early exit with status 0 (exit)
L1          calls ``sys.exit(0)`` in the document's example (exit); its other tests are honest
==========  =====================================================================

Each time it is imported (a fresh worker after every stopped test) it also:
patches the suite's comparisons, the reference and pytest in its own process;
finds the grader's report folder from its ancestors' command lines and writes a
forged results.json (score 100), a forged grade.md, an extra file and a link
named summary.md pointing at a file of its own; and leaves a detached process
behind (once) that keeps forging those files for a minute.

None of it changes the grade: the grader compares in its own process, kills what
the submission left running and rewrites its report folder. Never run this
file outside the grader.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import time

import torch

__version__ = "hostile 1.0"

FORGED = {"score": 100.0, "max_score": 100.0, "output": "forged by the submission", "tests": []}
FORGED_GRADE = "# Grade for `hostile`: 100 / 100\n\nforged by the submission\n"

#: The probes (by function name) each attack is aimed at, by the behaviour they check.
HANG = {"document_reshape", "reshape"}                                    # V2
HOARD = {"view_shares_storage"}                                           # V3
WRONG = {"document_squeeze", "squeeze"}                                   # V4 (not squeeze_error)
SEGFAULT = {"document_unsqueeze", "unsqueeze", "unsqueeze_error"}         # V5
EXIT_ZERO = {"document_transpose", "transpose", "contiguous"}             # V6
SHOUT = {"document_view"}                                                 # V1


def _probe() -> str:
    """The suite probe that is calling, by name ('' when not called from views or linalg probes)."""
    frame = sys._getframe(2)
    for _ in range(6):
        if frame is None:
            return ""
        path = frame.f_code.co_filename.replace("\\", "/")
        name = frame.f_code.co_name
        if path.endswith(("suite/probes/views.py", "suite/probes/linalg.py")) and not name.startswith(("_", "<")):
            return name
        frame = frame.f_back
    return ""


def _hostile(method: str, attacks: dict) -> None:
    """Replace ``torch.Tensor.<method>`` with one that attacks when called by the named probes."""
    honest = getattr(torch.Tensor, method)

    def attacking(self, *args, **kwargs):
        action = attacks.get(_probe())
        if action is not None:
            result = action(honest, self, *args, **kwargs)
            if result is not NotImplemented:
                return result
        return honest(self, *args, **kwargs)

    setattr(torch.Tensor, method, attacking)


def _hang(honest, self, *args, **kwargs):
    """Loop forever (politely: it sleeps, so the machine's other work goes on)."""
    while True:
        time.sleep(0.1)


def _hoard(honest, self, *args, **kwargs):
    """Allocate until stopped."""
    hoard = []
    while True:
        hoard.append(b"\x01" * (32 * 2**20))


def _wrong_squeeze(honest, self, *args, **kwargs):
    """Flatten instead of squeezing: wrong for every input the document and the property test use."""
    return self.flatten()


def _segfault(honest, self, *args, **kwargs):
    """Read address 0."""
    ctypes.string_at(0)


def _exit_zero(honest, self, *args, **kwargs):
    """Leave at once, reporting success."""
    os._exit(0)


def _shout(honest, self, *args, **kwargs):
    """Print four megabytes, then answer honestly."""
    sys.stdout.write("x" * (4 * 2**20) + "\n")
    sys.stdout.flush()
    return NotImplemented


def _sys_exit(honest, self, *args, **kwargs):
    """Ask Python to exit with status 0."""
    sys.exit(0)


def _patch_the_grader_in_this_process() -> None:
    """Make the suite's comparisons, the reference and pytest agree with anything (here, in the worker)."""
    import pytest
    import reference.views
    import suite.compare

    def agree(*args, **kwargs):
        return None

    for name in ("assert_close", "assert_equal", "assert_true", "fail"):
        setattr(suite.compare, name, agree)
    reference.views.squeeze_shape = lambda shape, dim=None: (int(torch.tensor(shape).prod()),)
    pytest.fail = agree
    pytest.raises = agree


def _report_folder() -> str | None:
    """The grader's --report-dir, read from the command line of an ancestor process."""
    pid = os.getppid()
    for _ in range(8):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
            cwd = os.readlink(f"/proc/{pid}/cwd")
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            return None
        for i, arg in enumerate(args):
            if arg == "--report-dir" and i + 1 < len(args):
                return os.path.join(cwd, args[i + 1])
            if arg.startswith("--report-dir="):
                return os.path.join(cwd, arg.split("=", 1)[1])
        pid = int(stat[stat.rfind(")") + 2 :].split()[1])
        if pid <= 1:
            return None
    return None


def _forge(folder: str) -> None:
    """Write forged results into the grader's report folder, and a link aimed at a file of our own."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "results.json"), "w") as f:
        json.dump(FORGED, f)
    with open(os.path.join(folder, "grade.md"), "w") as f:
        f.write(FORGED_GRADE)
    with open(os.path.join(folder, "FORGED.txt"), "w") as f:
        f.write("the submission was here\n")
    victim = os.path.abspath("victim.txt")  # in the worker's private folder
    with open(victim, "w") as f:
        f.write("untouched\n")
    link = os.path.join(folder, "summary.md")
    if not os.path.lexists(link):
        os.symlink(victim, link)


#: What the left-behind process runs: forge the report for a minute, whatever happens to the worker.
DAEMON = """
import json, os, sys, time
folder = sys.argv[1]
end = time.time() + 60
while time.time() < end:
    try:
        with open(os.path.join(folder, "results.json"), "w") as f:
            json.dump({"score": 100.0, "max_score": 100.0, "output": "forged by a left-behind process", "tests": []}, f)
        with open(os.path.join(folder, "grade.md"), "w") as f:
            f.write("# Grade for `hostile`: 100 / 100\\n\\nforged by a left-behind process\\n")
    except OSError:
        pass
    time.sleep(0.05)
"""


def _leave_a_process_behind(folder: str) -> None:
    """Start a detached process (its own session) that outlives this worker; once per run."""
    if os.path.exists("left-behind"):  # the worker's folder outlives its restarts
        return
    open("left-behind", "w").close()
    subprocess.Popen([sys.executable, "-c", DAEMON, folder], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_patch_the_grader_in_this_process()
_folder = _report_folder()
if _folder:
    _forge(_folder)
    _leave_a_process_behind(_folder)

_hostile("reshape", {name: _hang for name in HANG})
_hostile("view", {**{name: _hoard for name in HOARD}, **{name: _shout for name in SHOUT}})
_hostile("squeeze", {name: _wrong_squeeze for name in WRONG})
_hostile("unsqueeze", {name: _segfault for name in SEGFAULT})
_hostile("transpose", {name: _exit_zero for name in EXIT_ZERO})
_hostile("inverse", {"document_line_fit": _sys_exit})


def __getattr__(name: str) -> object:
    """Every other name is torch's."""
    return getattr(torch, name)
