"""The pytest plugin, the probes, the conformance tests and the benchmarks."""

from pathlib import Path

#: The folder holding suite/, reference/, impls/ and reports/.
PROJECT_ROOT: Path = Path(__file__).resolve().parent.parent
#: In a copy of the suite without its git folder (a class batch's private copy), what judged it, as the original said.
COPIED_VERSION = ".judged-by"


def version() -> str:
    """What judged a run, for every report file: ``torch-conformance 0.1.0`` (and ``, commit 1a2b3c4`` from a checkout,
    or from a copy of one that wrote COPIED_VERSION)."""
    import importlib.metadata
    import subprocess

    copied = PROJECT_ROOT / COPIED_VERSION
    if not (PROJECT_ROOT / ".git").exists() and copied.is_file():
        return copied.read_text(encoding="utf-8").strip()

    try:
        number = importlib.metadata.version("torch-conformance")
    except importlib.metadata.PackageNotFoundError:
        number = "unknown"
    text = f"torch-conformance {number}"
    if (PROJECT_ROOT / ".git").exists():
        try:
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                    text=True, timeout=10).stdout.strip()
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                                   capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit, dirty = "", ""
        if commit:
            text += f", commit {commit}" + (" with local changes" if dirty else "")
    return text
