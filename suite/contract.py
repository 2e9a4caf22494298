"""The backend contract as data: for each behaviour, the names, members and conventions its probes use.

``suite/contract.json`` is derived, never written by hand: ``python -m
suite.contract --derive`` runs the conformance suite on the numpy backend with
``suite.contract_recorder`` watching what the probes touch, and a self-test
derives it again to keep it in step with the probes. From it:

- ``pytest --backend X --contract`` (or ``python -m suite.contract --backend X``)
  looks each name up on X, running no test, and says per behaviour what X has
  and lacks and how many behaviours X can attempt;
- ``CONTRACT.md`` (every behaviour's needs) and the README's section for
  implementers are generated (``python -m suite.contract --write-docs``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from reference.behaviours import BEHAVIOURS, FAMILIES
from suite import PROJECT_ROOT
from suite.cli import prog

CONTRACT_PATH = PROJECT_ROOT / "suite" / "contract.json"
CONTRACT_DOC = PROJECT_ROOT / "CONTRACT.md"
README = PROJECT_ROOT / "README.md"
README_MARKERS = ("<!-- contract:start -->", "<!-- contract:end -->")
#: Examples per property test while deriving (the ci profile is derandomised: the same inputs every time).
DERIVE_EXAMPLES = 10

HAS, LACKS, UNCHECKED = "has", "lacks", "unchecked"


@dataclass(frozen=True)
class Needs:
    """What one behaviour's probes use: namespace names, members (name -> "class"/"instance"), conventions."""

    behaviour: str
    namespace: tuple[str, ...]
    members: dict[str, str]
    conventions: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        """Every name and member, in the order the reports list them."""
        return [*self.namespace, *self.members]


@dataclass(frozen=True)
class Contract:
    """The whole contract: every behaviour's needs, and what each convention says."""

    behaviours: dict[str, Needs]
    conventions: dict[str, str]

    def all_names(self) -> list[str]:
        """Every namespace name and member any behaviour uses, each once."""
        return list(dict.fromkeys(n for needs in self.behaviours.values() for n in needs.names))

    def member_kinds(self) -> dict[str, str]:
        """Every member, with where the conforming backend keeps it (class or instance)."""
        kinds: dict[str, str] = {}
        for needs in self.behaviours.values():
            kinds.update(needs.members)
        return kinds


def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    """Read suite/contract.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    behaviours = {
        b: Needs(b, tuple(entry["namespace"]), dict(entry["members"]), tuple(entry["conventions"]))
        for b, entry in data["behaviours"].items()
    }
    return Contract(behaviours=behaviours, conventions=dict(data["conventions"]))


# --- deriving it ---------------------------------------------------------------------------------

def derive(examples: int = DERIVE_EXAMPLES) -> dict[str, Any]:
    """Run the conformance suite on the numpy backend under the recorder; return the contract's data."""
    from suite import probes
    from suite.contract_recorder import OUTPUT_ENV

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "seen.json"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "suite.contract_recorder",
                   "--backend", "numpy", "--device", "cpu", "-m", "not benchmark", "--max-examples", str(examples),
                   "--report-dir", str(Path(folder) / "report"), "-x"]
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                              env={**os.environ, OUTPUT_ENV: str(out)})
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"deriving the contract needs the numpy backend to pass; the run said:\n"
                               f"{(done.stdout + done.stderr)[-3000:]}")
        seen = json.loads(out.read_text())
    conventions = {name: value.__convention__ for name, value in vars(probes).items() if hasattr(value, "__convention__")}
    return {
        "about": "What each behaviour's probes use of a backend, derived by running them on the numpy backend "
                 "(python -m suite.contract --derive); do not edit by hand.",
        "conventions": dict(sorted(conventions.items())),
        "behaviours": {b: seen.get(b, {"namespace": [], "members": {}, "conventions": []}) for b in BEHAVIOURS},
    }


# --- checking a backend against it (runs where the backend runs: in its worker, for an isolated one) -----------

def _sample_tensor(T: Any) -> Any:
    """A small tensor of the backend's, made the first way it offers (tensor, zeros, ones), or None."""
    for make in (lambda: T.tensor([[1.0, 2.0], [3.0, 4.0]]), lambda: T.zeros(2, 2), lambda: T.ones(2, 2)):
        try:
            return make()
        except Exception:  # noqa: BLE001 (any failure: try the next way)
            continue
    return None


def _resolve(T: Any, path: list[str]) -> tuple[bool, Any]:
    """(found, object) for ``T.a.b`` given ``["a", "b"]``."""
    obj = T
    for part in path:
        try:
            obj = getattr(obj, part)
        except Exception:  # noqa: BLE001 (AttributeError, or a backend's hook raising anything)
            return False, None
    return True, obj


def check_names(T: Any, device: str, names: list[str], kinds: dict[str, str]) -> dict[str, str]:
    """For each contract name: ``has``, ``lacks`` or ``unchecked: why``, by looking it up on ``T`` (a probe-like call)."""
    sample = _sample_tensor(T)
    result: dict[str, str] = {}
    for name in names:
        parts = name.split(".")
        if parts[0] == "T":
            result[name] = HAS if _resolve(T, parts[1:])[0] else LACKS
            continue
        owner_path, member = parts[:-1], parts[-1]
        if owner_path in (["Tensor"], ["Size"]):
            if sample is None:
                result[name] = f"{UNCHECKED}: no tensor could be made (T.tensor, T.zeros and T.ones failed)"
                continue
            owner = sample if owner_path == ["Tensor"] else getattr(sample, "shape", None)
            on = type(owner) if member.startswith("__") else owner
            try:
                result[name] = HAS if hasattr(on, member) else LACKS
            except Exception:  # noqa: BLE001 (a property raising)
                result[name] = LACKS
            continue
        found, owner = _resolve(T, owner_path)
        if not found:
            result[name] = LACKS
        elif not isinstance(owner, type):
            result[name] = f"{UNCHECKED}: T.{'.'.join(owner_path)} is not a class"
        elif kinds.get(name) == "instance":
            result[name] = f"{UNCHECKED}: set on instances"
        else:
            result[name] = HAS if hasattr(owner, member) else LACKS
    return result


@dataclass(frozen=True)
class Verdict:
    """What a backend has and lacks of each behaviour's needs."""

    behaviour: str
    lacks: tuple[str, ...]
    unchecked: tuple[str, ...]
    total: int

    @property
    def ready(self) -> bool:
        """True when nothing the behaviour uses is known to be absent."""
        return not self.lacks


def verdicts(contract: Contract, found: dict[str, str]) -> list[Verdict]:
    """Per behaviour, in catalogue order: the names it needs that the backend lacks, and those not checkable."""
    out = []
    for behaviour_id in BEHAVIOURS:
        needs = contract.behaviours[behaviour_id]
        absent = [n for n in needs.names if found.get(n) == LACKS]
        lacks = tuple(n for n in absent if not _implied(n, absent))
        unchecked = tuple(n for n in needs.names if str(found.get(n, "")).startswith(UNCHECKED))
        out.append(Verdict(behaviour_id, lacks, unchecked, len(needs.names)))
    return out


def _implied(name: str, absent: list[str]) -> bool:
    """True when an absent name lies under another absent one (``T.utils.data`` under ``T.utils``): not worth listing."""
    full = name if name.startswith("T.") else f"T.{name}"
    return any(full != other and full.startswith(other + ".") for other in absent if other.startswith("T."))


def report_lines(label: str, results: list[Verdict], shown: int = 4) -> list[str]:
    """The lines ``--contract`` prints for one backend."""
    lines = [f"contract of {label}: the names each behaviour's probes use, looked up on {label} (no test run)"]
    for v in results:
        title = BEHAVIOURS[v.behaviour].title
        if v.ready:
            state = f"ready ({v.total} names" + (f", {len(v.unchecked)} checked only when run)" if v.unchecked else ")")
        else:
            more = f" and {len(v.lacks) - shown} more" if len(v.lacks) > shown else ""
            state = "lacks " + ", ".join(v.lacks[:shown]) + more
        lines.append(f"  {v.behaviour:<3} {textwrap.shorten(title, 58, placeholder='…'):<58}  {state}")
    ready = sum(v.ready for v in results)
    lines.append(f"{label} can attempt {ready} of {len(results)} behaviours; "
                 f"{len(results) - ready} lack something (their tests would be missing)")
    return lines


# --- documents generated from it -----------------------------------------------------------------

def _short(name: str, owner: str) -> str:
    """A member or name without its owner's prefix, in backticks."""
    return f"`{name.removeprefix(owner + '.')}`"


def readme_block(contract: Contract) -> str:
    """The README's generated part of "Bring your own implementation": names by owner, then conventions."""
    owners: dict[str, list[str]] = {}
    for name in contract.all_names():
        owner = name.rsplit(".", 1)[0]
        owners.setdefault(owner, []).append(name)
    rows = ["| on | what the probes use |", "| --- | --- |"]
    order = sorted(owners, key=lambda o: (not o.startswith("T"), o != "T", o != "Tensor", o))
    for owner in order:
        names = sorted(owners[owner], key=lambda n: (n.rsplit(".", 1)[-1].startswith("__"), n.lower()))
        shown = ", ".join(_short(n, owner) for n in names)
        rows.append(f"| `{owner}` | {shown} |")
    conventions = [f"- {text} (`suite.probes.{name}`)" for name, text in contract.conventions.items()]
    total = len(contract.all_names())
    return "\n".join([
        f"{total} names in all. Names on `T...` are looked up on the namespace; `Tensor.x` on its tensors;",
        "`nn.Linear.x` on instances of that class (a member set in `__init__` is checked only when the tests run).",
        "",
        *rows,
        "",
        "Conventions the probes rely on:",
        "",
        *conventions,
    ])


def contract_markdown(contract: Contract) -> str:
    """CONTRACT.md: per family, each behaviour's namespace names, members and conventions."""
    parts = ["# The backend contract", "",
             "Generated from `suite/contract.json` by `python -m suite.contract --write-docs`; do not edit.",
             "For each behaviour: the names its probes look up on the namespace `T`, the members they use on",
             "what `T` returns, and the conventions of `suite/probes/__init__.py` they rely on.",
             "`pytest --backend X --contract` checks X against it without running a test.", ""]
    for letter, family in FAMILIES.items():
        parts += [f"## {family}", "", "| id | behaviour | namespace | members | conventions |", "| --- | --- | --- | --- | --- |"]
        for behaviour_id, entry in BEHAVIOURS.items():
            if entry.family != family:
                continue
            needs = contract.behaviours[behaviour_id]
            cells = [", ".join(f"`{n}`" for n in needs.namespace) or "—",
                     ", ".join(f"`{n}`" for n in needs.members) or "—",
                     ", ".join(f"`{c}`" for c in needs.conventions) or "—"]
            parts.append(f"| {behaviour_id} | {entry.title} | " + " | ".join(cells) + " |")
        parts.append("")
    return "\n".join(parts)


def readme_with_block(readme: str, block: str) -> str:
    """The README with its generated contract block replaced."""
    start, end = README_MARKERS
    if start not in readme or end not in readme:
        raise ValueError(f"README.md has no {start} ... {end} markers for the contract block")
    head, _, rest = readme.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{block}\n{end}{tail}"


# --- the command line ------------------------------------------------------------------------------

def check_backend(spec: str, contract: Contract) -> tuple[str, list[Verdict] | str]:
    """(label, verdicts) for one backend spec, looked up where it would run (its worker, for a submission)."""
    from suite.backends import Limits
    from suite.outcomes import EndsTheTest
    from suite.session import RunState

    state = RunState.create([spec], ["cpu"], "auto", Limits(seconds=60), report_dir=None, strict=False)
    try:
        (backend,) = state.backends.values()
        if backend.load_error:
            return backend.label, backend.load_error
        backend.begin_test(state.limits)
        try:
            found = backend.call(check_names, "cpu", {"names": contract.all_names(), "kinds": contract.member_kinds()})
        except EndsTheTest as exc:
            return backend.label, str(exc.msg)
        finally:
            backend.end_test()
        return backend.label, verdicts(contract, found)
    finally:
        state.close()


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m suite.contract [--backend SPEC ...] [--derive] [--write-docs]``."""
    parser = argparse.ArgumentParser(prog=prog("suite.contract"), description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", default=[], metavar="SPEC",
                        help="check a backend against the contract (any --backend form pytest takes)")
    parser.add_argument("--derive", action="store_true", help="derive suite/contract.json again from the probes")
    parser.add_argument("--write-docs", action="store_true", help="write CONTRACT.md and the README's contract block")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.derive:
        CONTRACT_PATH.write_text(json.dumps(derive(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {CONTRACT_PATH.relative_to(PROJECT_ROOT)}")
    contract = load_contract()
    if args.write_docs:
        CONTRACT_DOC.write_text(contract_markdown(contract), encoding="utf-8")
        README.write_text(readme_with_block(README.read_text(encoding="utf-8"), readme_block(contract)), encoding="utf-8")
        print(f"wrote {CONTRACT_DOC.name} and the contract block of {README.name}")
    for spec in args.backend:
        label, result = check_backend(spec, contract)
        print("\n".join(report_lines(label, result)) if isinstance(result, list) else f"{label}: {result}")
    if not (args.backend or args.derive or args.write_docs):
        parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
