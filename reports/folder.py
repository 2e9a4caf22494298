"""The files a run writes into its report folder, and clearing an earlier run's from a folder used again."""

from __future__ import annotations

from pathlib import Path

#: Every file a run writes at the top of its report folder (conformance, grading, benchmarks, the page).
RUN_FILES = (
    "conformance.csv", "conformance.json", "summary.md",                       # reports/conformance.py
    "results.json", "grade.md", "staff.json", "leaderboard.csv", "leaderboard.md",  # reports/grading.py, grading
    "benchmarks.json", "benchmarks.csv", "scaling.csv", "benchmarks.md",       # reports/benchmarks.py
    "report.html",                                                             # reports/html.py
)
#: The folder of benchmark plots (reports/plots.py), of which a run writes only the ``.png`` files.
PLOTS = "plots"


def clear_earlier_run(folder: Path) -> list[str]:
    """Remove from ``folder`` the files an earlier run wrote there (RUN_FILES, plots/*.png); return their names.

    A run used with the same ``--report-dir`` again would otherwise leave the
    earlier run's grade or benchmark tables beside its own, and its page would
    show them as this run's. Only those names are touched, never followed
    where they are links; what else the folder holds is left as it is.
    """
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return []
    removed = []
    for name in RUN_FILES:
        path = folder / name
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed.append(name)
    plots = folder / PLOTS
    if plots.is_dir() and not plots.is_symlink():
        for path in sorted(plots.glob("*.png")):
            if path.is_symlink() or path.is_file():
                path.unlink()
                removed.append(f"{PLOTS}/{path.name}")
        if not any(plots.iterdir()):
            plots.rmdir()
    return removed
