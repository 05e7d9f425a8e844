"""A chapter in JupyterLab, as Binder serves it: MyST rendered, solutions folded.

Starts JupyterLab (with the jupyterlab-myst extension of binder/requirements.txt) on 127.0.0.1
without a token, on a copy of one chapter, opens it in headless Chromium with every request to
another host blocked, and checks that the exercises render as MyST (no raw ``:label:`` fence)
and that solution cells are folded. ``COURSE_SCREENSHOTS=DIR`` keeps a screenshot there.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "04-softmax.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="pip install -r requirements.txt (jupyterlab)")
    pytest.importorskip("jupyterlab_myst", reason="pip install -r requirements.txt")
    work = tmp_path_factory.mktemp("lab")
    shutil.copy2(CHAPTER, work / CHAPTER.name)
    # every cell in the page (JupyterLab 4 otherwise draws only the cells in view)
    tracker = work / ".settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(work / ".config"),
               JUPYTER_RUNTIME_DIR=str(work / ".runtime"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
         "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={work}",
         "--allow-root",                                 # CI containers run as root
         f"--LabApp.user_settings_dir={work / '.settings'}",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(240):
        try:
            direct.open(url + "api/status", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab did not start: {proc.stderr.read()[-3000:]}")
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not answer within 2 minutes")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def notebook_page(lab, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab)
                  else r.abort())
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto(f"{lab}lab/tree/{CHAPTER.name}", wait_until="load")
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell")
    # let the MyST renderer draw the markdown cells (JupyterLab renders lazily: scroll)
    page.wait_for_timeout(3000)
    page.evaluate("""async () => {
        const panel = document.querySelector('.jp-WindowedPanel-outer') ||
                      document.querySelector('.jp-Notebook');
        for (let y = 0; y < panel.scrollHeight; y += 600) {
            panel.scrollTop = y; await new Promise(r => setTimeout(r, 60)); }
        panel.scrollTop = 0; }""")
    page.wait_for_timeout(2000)
    shots = os.environ.get("COURSE_SCREENSHOTS")
    if shots:                       # before any test runs a cell: as a student first sees it
        exercise = page.locator(".jp-MarkdownCell:has(aside), "
                                ".jp-MarkdownCell:has([class*='admonition'])").nth(1)
        exercise.scroll_into_view_if_needed(timeout=30_000)
        page.wait_for_timeout(500)
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots, "jupyterlab-exercise.png")))
        page.evaluate("""() => { const panel = document.querySelector('.jp-WindowedPanel-outer')
            || document.querySelector('.jp-Notebook'); panel.scrollTop = 0; }""")
    yield page
    context.close()


def test_exercises_render_as_myst(notebook_page):
    text = notebook_page.evaluate("""() => [...document.querySelectorAll(
        '.jp-MarkdownCell .jp-Cell-inputWrapper')].map(e => e.innerText).join('\\n')""")
    assert text.strip(), "no rendered markdown cell"
    assert ":label:" not in text and "```{exercise" not in text, (
        "MyST exercise fences shown raw: is jupyterlab-myst installed and enabled?")
    assert notebook_page.locator(".jp-MarkdownCell aside, .jp-MarkdownCell .admonition, "
                                 ".jp-MarkdownCell [class*='admonition']").count() > 0


def test_solutions_are_folded(notebook_page):
    import nbformat

    nb = nbformat.read(CHAPTER, as_version=4)
    solutions = [i for i, c in enumerate(nb.cells) if "solution" in c.metadata.get("tags", [])]
    assert solutions
    hidden = notebook_page.evaluate("""ids => {
        const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
        return ids.map(i => cells[i] && !!cells[i].querySelector('.jp-InputPlaceholder'));
    }""", solutions)
    assert all(hidden), f"solution cells not folded: {[i for i, h in zip(solutions, hidden) if not h]}"


def explorer_cell() -> int:
    import nbformat

    nb = nbformat.read(CHAPTER, as_version=4)
    return next(i for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and "temperature_explorer(" in c.source
                and c.get("outputs"))


OUTPUT_JS = """i => {
    const cell = [...document.querySelectorAll('.jp-Notebook .jp-Cell')][i];
    const area = cell.querySelector('.jp-OutputArea');
    return {text: area ? area.innerText : '',
            images: [...cell.querySelectorAll('.jp-OutputArea img')]
                .map(img => ({alt: img.alt, width: img.naturalWidth})),
            readouts: [...cell.querySelectorAll('.widget-readout')].map(r => r.innerText.trim())};
}"""


def test_explorer_shows_its_saved_picture_before_a_run(notebook_page):
    shown = notebook_page.evaluate(OUTPUT_JS, explorer_cell())
    assert "VBox(" not in shown["text"] and "Error" not in shown["text"], shown["text"][:300]
    pictures = [img for img in shown["images"] if img["width"] > 0]
    assert pictures, "the explorer shows no picture before its cell runs"
    assert all(img["alt"].startswith("温度 T = 1.00") for img in pictures), pictures


def test_running_explorer_shows_values_as_its_controls_round_them(notebook_page):
    """Run the chapter in its kernel, move the temperature slider by keyboard, and compare the
    picture's description (its alt text, which names T) with the slider's readout."""
    page, i = notebook_page, explorer_cell()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    cell = page.locator(".jp-Notebook .jp-Cell").nth(i)
    handle = cell.locator(".noUi-handle, input[type=range]").first
    handle.wait_for(state="attached", timeout=240_000)
    handle.scroll_into_view_if_needed()
    seen = []
    for _ in range(3):
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(2500)          # continuous_update=False: redraw on release
        shown = page.evaluate(OUTPUT_JS, i)
        readout = shown["readouts"][-1]
        alts = [img["alt"] for img in shown["images"] if img["width"] > 0]
        seen.append((readout, alts))
        assert any(alt.startswith(f"温度 T = {readout} ") for alt in alts), seen
    assert len({r for r, _ in seen}) == 3, f"the slider did not move: {seen}"


def test_code_solutions_stay_folded_after_run_all(notebook_page):
    """After "Run All Cells" (previous test) the solution code cells are still folded.
    (JupyterLab unhides every markdown cell it runs, so solution prose opens then.)"""
    import nbformat

    nb = nbformat.read(CHAPTER, as_version=4)
    code = [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and "solution" in c.metadata.get("tags", [])]
    hidden = notebook_page.evaluate("""ids => {
        const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
        return ids.map(i => cells[i] && !!cells[i].querySelector('.jp-InputPlaceholder'));
    }""", code)
    assert code and all(hidden), [i for i, h in zip(code, hidden) if not h]
