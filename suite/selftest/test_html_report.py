"""report.html: one self-contained page per run, opened in a real headless browser where the machine has one."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from suite import PROJECT_ROOT
from suite.selftest.runs import pytest_run

MUTANT = f"m={PROJECT_ROOT / 'suite' / 'mutants' / 'torch_v4_squeeze_ignores_dim.py'}:torch"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report.html of a run of numpy and a V4 mutant on the views family (cpu)."""
    folder = tmp_path_factory.mktemp("html")
    pytest_run("-q", "--backend", "numpy", "--backend", MUTANT, "-m", "views", "--device", "cpu", "--report-dir", str(folder))
    path = folder / "report.html"
    assert path.exists(), "the run wrote no report.html"
    return path


def test_the_page_is_self_contained_and_holds_the_matrix_and_the_failures(page: Path) -> None:
    """No script, no external resource; the tab's title is the heading's, with the folder; a row per behaviour; each
    failing test with its failure and snippet."""
    text = page.read_text()
    heading = re.search(r"<h1>(.*?)</h1>", text).group(1)
    assert re.search(r"<title>(.*?)</title>", text).group(1) == f"{heading}: {page.parent.name}"
    assert "<script" not in text and not re.search(r"(src|href)=\"(https?:)?//", text)
    assert text.count("<tr><td>V") == 7  # V1-V7
    assert 'title="failed 7 (1/8 passed)"' in text and "background:#c0392b" in text
    assert "squeeze(0) shape: expected (2, 4, 1)" in text and "# reproduce on m-cpu" in text
    assert "judged by torch-conformance " in text


def _browser() -> str | None:
    """A headless-capable Chromium on this machine, or None."""
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def test_a_real_browser_renders_the_matrix_without_console_messages(page: Path, tmp_path: Path) -> None:
    """Headless Chromium: the rendered DOM holds the matrix, the console stays silent, the screenshot shows the colours."""
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium here (apt-get install chromium, then run again): the page itself is checked above")
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1100", "--enable-logging=stderr",
             "--v=0"]
    dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert '<table id="matrix">' in dom.stdout and dom.stdout.count("<tr><td>V") == 7
    assert ":CONSOLE(" not in dom.stderr, dom.stderr[-2000:]
    shot = tmp_path / "report.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=120)
    import matplotlib.image

    pixels = (matplotlib.image.imread(shot)[..., :3] * 255).round().astype(int)

    def share(colour: tuple[int, int, int]) -> float:
        return float(np.all(pixels == colour, axis=-1).mean())

    assert share((46, 139, 87)) > 0.01, "no passed-green cells in the screenshot"
    assert share((192, 57, 43)) > 0.001, "no failed-red cell in the screenshot"
