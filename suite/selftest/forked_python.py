"""``python -c CODE``, run by a process forked from the self-tests' zygote: what a forked run starts for an xdist worker.

A forked pytest run (suite/selftest/runs.py) that spreads its tests with
pytest-xdist would start each worker as a new interpreter (execnet's
``python -u -c BOOTSTRAP``), which imports pytest, the plugins and torch
again, and starts a worker server of its own that imports torch once more:
3-4 s of CPU a worker. The zygote has them imported, so the run starts this
script instead (``python -S forked_python.py SOCKET SERVER -c CODE``, standard
library only): it sends the zygote its folder, environment and standard
streams, and the zygote forks a child that runs CODE on those streams, as the
new interpreter would have, forking it a worker server too where SERVER is
``server`` (not in a grading run, whose server must not have torch loaded).
This process stands in for the child: it passes on the signals it gets, and
exits as the child did. If it is killed, the zygote sees its connection close
and kills the child and everything the child started.
"""

import json
import os
import signal
import socket
import sys


def main() -> None:
    """Have the zygote run ``-c CODE`` on this process's streams, folder and environment; exit as that run did."""
    address, server, flag, code = sys.argv[1:5]
    if flag != "-c":
        raise SystemExit(f"usage: python -S {sys.argv[0]} SOCKET server|none -c CODE")
    request = {"kind": "python", "code": code, "server": server == "server", "cwd": os.getcwd(),
               "env": dict(os.environ)}
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(address)
    socket.send_fds(conn, [b"{"], [0, 1, 2])
    conn.sendall(json.dumps(request).encode()[1:] + b"\n")
    reader = conn.makefile("r")
    pid = int(reader.readline().split()[1])

    def forward(signum: int, frame: object) -> None:
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    line = reader.readline()
    status = int(line.split()[1]) if line.startswith("exit ") else 1
    if status < 0:  # ended by a signal: end by the same one
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    raise SystemExit(status)


if __name__ == "__main__":
    main()
