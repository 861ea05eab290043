"""Driving JupyterLab in a real headless browser: a JupyterLab server in a scratch folder and Debian's Chromium
through Playwright (``playwright`` from PyPI; its own browser download is never used).

Used by ``tests/test_jupyterlab.py`` and by ``make screenshots`` (``python -m tests.browser``), which saves the
pictures the README shows into ``docs/images/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("ASYMMETRY_QDA_CHROMIUM", "/usr/bin/chromium"))
#: flags for a root user on a machine without a network (see the machine notes): no sandbox, no background calls
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "asymmetry-qda-test"
#: the notebook on screen (other open notebooks stay in the page, hidden)
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def unavailable() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (make test installs Debian's chromium; or set ASYMMETRY_QDA_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make test installs it from PyPI)"
    if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
        return "JupyterLab is not installed in this environment"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder: Path) -> Path:
    """User settings that keep JupyterLab quiet and every cell in the page: no news toast, no windowing."""
    settings = folder / "settings"
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    return settings


@contextmanager
def jupyterlab(folder: Path, notebooks: list[str]):
    """A JupyterLab server whose root is ``folder``, holding copies of ``notebooks``; yields its base URL."""
    for name in notebooks:
        shutil.copy(REPO / "notebooks" / name, folder / name)
    port = _free_port()
    env = dict(os.environ, ASYMMETRY_QDA_REPO=str(REPO), ASYMMETRY_QDA_WORK=str(folder),
               JUPYTER_CONFIG_DIR=str(folder / ".jupyter"), IPYTHONDIR=str(folder / ".ipython"))
    log = open(folder / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={folder}",
         f"--LabApp.user_settings_dir={_settings(folder)}", f"--LabApp.workspaces_dir={folder / 'workspaces'}",
         "--LabApp.news_url=", "--ServerApp.open_browser=False"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start: " + (folder / "jupyterlab.log").read_text()[-2000:])
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            server.kill()
        log.close()


VIEWPORT = {"width": 1400, "height": 1000}
#: for screenshots: room for a long output's first 1,100 pixels below JupyterLab's menus
TALL = {"width": 1400, "height": 1400}


@contextmanager
def chromium():
    """Debian's Chromium driven by Playwright; yields the browser (``new_page(viewport=VIEWPORT)`` for a tab)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def browser():
    """One page of a headless Chromium."""
    with chromium() as launched:
        yield launched.new_page(viewport=VIEWPORT)


def open_notebook(page, base: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?token={TOKEN}")
    page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell", timeout=60_000)
    # the kernel is connected when the status bar says "| Idle" (the toolbar's indicator says idle before that)
    page.wait_for_function("() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')",
                           timeout=120_000, polling=500)


def run_all(page, *, timeout: float = 900) -> None:
    """Run > Run All Cells, then wait until every code cell has run (no ``[*]`` prompt, all numbered)."""
    for attempt in range(3):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:  # a click before the kernel is really connected runs nothing: then click again
            page.wait_for_function(f"() => {{ const p = document.querySelector('{PANEL} .jp-CodeCell .jp-InputPrompt');"
                                   " return p && /\\[(\\*|\\d+)\\]/.test(p.textContent); }",
                                   timeout=60_000, polling=500)
            break
        except Exception:
            if attempt == 2:
                raise
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('PANEL .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
            return prompts.length > 0 && prompts.every(t => /\\[\\d+\\]/.test(t));
        }""".replace("PANEL", PANEL), timeout=timeout * 1000, polling=1000)


def errors_shown(page) -> list[str]:
    return page.eval_on_selector_all(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']",
                                     "els => els.filter(e => e.textContent.includes('Traceback')).map(e => e.textContent)")


def output_of(page, text_in_source: str):
    """The output area of the code cell whose source holds ``text_in_source``."""
    cell = page.locator(f"{PANEL} .jp-CodeCell").filter(has=page.locator(".jp-InputArea", has_text=text_in_source)).first
    return cell.locator(".jp-OutputArea")


def shoot(page, area, path: Path, *, max_height: int = 1100) -> None:
    """A picture of ``area``: whole when it fits the notebook on screen, else its first ``max_height`` pixels.

    An element taller than the notebook panel cannot be photographed whole (the page around it, the menus and
    the status bar, would be drawn over it), so a long output is scrolled to the top of the panel and cut.
    """
    area.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    box = area.bounding_box()
    panel = page.locator(f"{PANEL} .jp-WindowedPanel-outer, {PANEL} .jp-Notebook").first.bounding_box()
    bottom = panel["y"] + panel["height"]
    height = min(box["height"], max_height, bottom - box["y"])
    page.screenshot(path=str(path), clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": height})


def screenshots(folder: Path, out: Path) -> list[Path]:
    """Run notebooks 01 and 02 in JupyterLab and save pictures of the document view, the review panel, the quotes
    table and the figures into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with jupyterlab(folder, ["01_coding_transcripts.ipynb", "02_theme_tables.ipynb"]) as base, chromium() as launched:
        # each notebook in its own browser context: a second notebook opened in the same page shares its workspace
        # and its status bar, and Run All then waited on the wrong notebook's kernel
        page = launched.new_context(viewport=TALL).new_page()
        open_notebook(page, base, "01_coding_transcripts.ipynb")
        run_all(page)
        for name, source in [("review_panel", "queue = project.review_queue"),
                             ("document_view", 'project.show("INT04"'),
                             ("quotes", "quotes(")]:
            path = out / f"{name}.png"
            shoot(page, output_of(page, source), path)
            saved.append(path)
        page.context.close()
        page = launched.new_context(viewport=TALL).new_page()
        open_notebook(page, base, "02_theme_tables.ipynb")
        run_all(page)
        for name, source in [("balance_plot", "balance_plot(groups"),
                             ("cooccurrence_heatmap", "cooccurrence_heatmap(turn"),
                             ("cooccurrence_network", "cooccurrence_network(edges")]:
            path = out / f"{name}.png"
            shoot(page, output_of(page, source).locator("img").first, path)
            saved.append(path)
    return saved


if __name__ == "__main__":  # make screenshots
    import tempfile

    why = unavailable()
    if why:
        sys.exit(f"cannot take screenshots: {why}")
    with tempfile.TemporaryDirectory() as scratch:
        for path in screenshots(Path(scratch), REPO / "docs" / "images"):
            print(path.relative_to(REPO))
