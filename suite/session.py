"""What one pytest run knows about its backends, its limits and the results it collected."""

from __future__ import annotations

import importlib.util
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from impls import registry
from reports.folder import Cleared
from suite import PROJECT_ROOT, preload
from suite import version as suite_version_text
from suite.backends import Backend, InProcessBackend, Limits, WorkerBackend
from suite.known_failures import KnownFailures
from suite.outcomes import BackendError
from suite.sandbox import Isolation

#: The devices a run asks about unless --device names others.
DEVICES = ("cpu", "cuda")
_DEVICE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(:\d+)?$")


def parse_devices(names: list[str]) -> tuple[str, ...]:
    """The devices --device named (any name a backend may offer: mps, xpu, npu, cuda:1), or the default two."""
    for name in names:
        if not _DEVICE_NAME.match(name):
            raise ValueError(f"--device {name!r}: a device is a name, optionally with an index (cpu, cuda, xpu, cuda:1)")
    return tuple(dict.fromkeys(names)) or DEVICES
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B?|B)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from ``"4GiB"``, ``"512MB"``, ``"1G"`` or a plain number of bytes."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (try 2GiB, 512MiB)")
    number, unit = float(match.group(1)), (match.group(2) or "B").upper()
    scale = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(unit[0], 1)
    return int(number * scale)


@dataclass
class Record:
    """One row of conformance.csv: a test's outcome on one backend and device."""

    backend: str
    device: str
    family: str
    behaviour: str
    test: str
    outcome: str
    seconds: float
    message: str
    cause: str = ""  # why it did not pass (suite.outcomes.Cause), "" when it passed
    missing: str = ""  # the absent API, for a ``missing`` outcome (``T.nn``, ``Tensor[...] (__getitem__)``)
    failure: str = ""  # the whole failure message (expected against actual)
    example: str = ""  # hypothesis's shrunk failing example
    snippet: str = ""  # Python that reproduces the last probe call
    printed: str = ""  # what the snippet prints: the last probe call's result as print() shows it
    known: str = ""  # the reason given in the known-failures file, when the test is listed there
    suite: str = ""  # what judged it: the suite's version (and commit), as suite.version() says
    position: int = 0  # the test's place in the run's collection (the same in every xdist worker): reports list in it

    def as_dict(self) -> dict[str, Any]:
        """The record as a dict: every field (conformance.json); conformance.csv keeps the short ones."""
        return asdict(self)


def builtin_specs() -> list[str]:
    """The built-in backends that are importable here (what a bare ``pytest`` runs)."""
    names = []
    for name, target in registry.BUILTINS.items():
        if importlib.util.find_spec(target.partition(":")[0]) is not None:
            names.append(name)
    return names


def default_report_dir() -> Path:
    """A new timestamped folder under reports/runs/: the project's, or the working folder's when run from outside it."""
    cwd = Path.cwd()
    base = PROJECT_ROOT if cwd == PROJECT_ROOT or PROJECT_ROOT in cwd.parents else cwd
    return base / "reports" / "runs" / time.strftime("%Y%m%d-%H%M%S")


@dataclass
class RunState:
    """The backends of this run, keyed by label, and the results collected so far."""

    backends: dict[str, Backend]
    devices: tuple[str, ...]
    limits: Limits
    report_dir: Path
    explicit: bool  # True when the user named backends with --backend
    bench_only: tuple[str, ...] = ()  # labels of backends only benchmarked, never tested (a grading run's speed reference)
    records: list[Record] = field(default_factory=list)
    known: KnownFailures | None = None  # the --known-failures file, with what became of its entries
    suite_version: str = field(default_factory=lambda: suite_version_text())  # suite.version(), read once a run
    cleared: Cleared = field(default_factory=Cleared)  # what the start did to an earlier run's files in report_dir
    started_ns: int = field(default_factory=time.time_ns)  # what report_dir holds modified since is this run's
    positions: dict[str, int] = field(default_factory=dict)  # each collected test's node id: its place in the collection

    @classmethod
    def create(
        cls,
        specs: list[str],
        devices: list[str],
        isolate: str,
        limits: Limits,
        report_dir: str | None,
        strict: bool = True,
        load: bool = True,
        forbidden: tuple[str, ...] = (),
        isolation: Isolation | None = None,
        torch: bool | None = None,
    ) -> "RunState":
        """Parse and load every backend; raise BackendSpecError (one line) for a bad spec.

        With ``load`` False (pytest-xdist's controller, which runs no test) backends are parsed, not loaded; but
        where ``strict``, each one that is not built in (and a built-in that is not installed) is loaded once and
        closed again, so that one that does not load stops the run here in one line, not every xdist worker with a
        traceback (xdist would restart each of them and give up after eight).

        With ``strict`` False (grading), a backend that fails to load is kept,
        marked with its load error, so every test still runs and records why it failed.

        ``forbidden`` modules (grading) are refused to every worker-held backend but the built-in ones, and a
        confining ``isolation`` (suite.sandbox) confines those backends' workers.

        ``torch`` says whether the worker server preloads torch, where the caller has read it from the backends'
        source already (workers_import_torch); None reads it here.
        """
        explicit = bool(specs)
        parsed = [registry.parse_spec(text) for text in (specs or builtin_specs())]
        labels = [spec.label for spec in parsed]
        for label in labels:
            if labels.count(label) > 1:
                raise registry.BackendSpecError(
                    f"two backends are labelled {label!r}; name them apart with label=spec (alice=./alice/mytorch.py)"
                )
        wanted = parse_devices(devices)
        if torch is None:  # one server for all: it preloads torch if any worker needs it
            torch = _torch_in_workers(parsed, isolate)
        backends: dict[str, Backend] = {}
        try:
            for spec in parsed:
                backend = _make_backend(spec, isolate, limits, wanted, () if spec.builtin else forbidden,
                                        None if spec.builtin else isolation, torch)
                backends[spec.label] = backend
                if not load:
                    if strict and (not spec.builtin or importlib.util.find_spec(spec.target) is None):
                        _load_once(backend)
                    continue
                try:
                    backend.load()
                except (registry.BackendSpecError, BackendError) as exc:
                    if strict:
                        raise registry.BackendSpecError(str(exc)) from None
                    backend.load_error = f"the backend failed to load: {exc}"
            if load and devices:
                refuse_unknown_devices(wanted, [backend for backend in backends.values() if backend.load_error is None])
        except BaseException:
            for backend in backends.values():
                backend.close()
            raise
        return cls(
            backends=backends,
            devices=wanted,
            limits=limits,
            report_dir=Path(report_dir) if report_dir else default_report_dir(),
            explicit=explicit,
        )

    def report_folder_line(self) -> str:
        """The terminal's last line of a run's reports: the folder, and what it did to an earlier run's files there."""
        return f"report folder: {self.report_dir}{self.cleared.describe()}"

    def close(self) -> None:
        """Stop every worker."""
        for backend in self.backends.values():
            backend.close()


def _load_once(backend: Backend) -> None:
    """Load the backend and close it again; raise BackendSpecError (one line) when it does not load."""
    try:
        backend.load()
    except BackendError as exc:
        raise registry.BackendSpecError(str(exc)) from None
    finally:
        backend.close()


def refuse_unknown_devices(devices: tuple[str, ...], backends: list[Backend]) -> None:
    """Raise ValueError (one line) for a named device that no loaded backend uses the name of: a typo, not a skip.

    cpu and cuda are the documented defaults: a backend without cuda skips it.
    Any other name (mps, xpu, a backend's own ``acc``) must be one that at
    least one backend knows, having ``T.<name>.is_available()`` or making a
    tensor there; otherwise every test would skip and the run would pass.
    """
    for device in devices:
        if device.split(":")[0] in DEVICES or not backends:
            continue
        if all(device in backend.unknown_devices for backend in backends):
            first = backends[0]
            raise ValueError(f"--device {device!r}: no backend here uses that device name, so every test would be skipped "
                             f"({first.label}: {first.devices.get(device)}); check the spelling, or name a device a "
                             f"backend offers (cpu, cuda, mps, xpu, ...)")


def runs_in_process(spec: registry.BackendSpec, isolate: str) -> bool:
    """True when ``--isolate`` keeps this backend in the pytest process (a built-in under ``auto``, all under ``never``)."""
    return isolate == "never" or (isolate == "auto" and spec.builtin)


def needs_workers(specs: list[str], isolate: str) -> bool:
    """True when any of these backends will run in a worker process (a spec that does not parse: False, create says why)."""
    try:
        return not all(runs_in_process(registry.parse_spec(text), isolate) for text in (specs or builtin_specs()))
    except registry.BackendSpecError:
        return False


def workers_import_torch(specs: list[str], isolate: str) -> bool:
    """True when a backend that will run in a worker imports torch (suite.preload): the worker server then preloads it."""
    try:
        parsed = [registry.parse_spec(text) for text in (specs or builtin_specs())]
    except registry.BackendSpecError:
        return False
    return _torch_in_workers(parsed, isolate)


def _torch_in_workers(specs: list[registry.BackendSpec], isolate: str) -> bool:
    """True when any of these backends that ``--isolate`` puts in a worker imports torch, as its source shows."""
    return any(preload.imports_torch(spec) for spec in specs if not runs_in_process(spec, isolate))


def _make_backend(spec: registry.BackendSpec, isolate: str, limits: Limits, wanted: tuple[str, ...],
                  forbidden: tuple[str, ...] = (), isolation: Isolation | None = None, torch: bool = True) -> Backend:
    """An in-process or worker-held handle (confined where asked), as ``--isolate`` decides for this spec; ``torch``
    says whether the run's worker server preloads torch."""
    if runs_in_process(spec, isolate):
        return InProcessBackend(spec, wanted)
    return WorkerBackend(spec, limits, wanted, forbidden, isolation=isolation, torch=torch)
