"""The built book as a reader sees it: every page in headless Chromium, with the network cut off.

The book is served from 127.0.0.1 and every request to another host is blocked (and recorded),
so the tests show that a page works offline: MathJax typesets every formula, saved widgets are
drawn, no script fails, and nothing is fetched from a CDN. They also check accessibility
(alt text, labelled widget controls, heading order), dark mode, Chinese search and page weight.

Needs Chromium (Debian: ``apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji``)
and the ``playwright`` Python package (its own browser download is not needed). Without a
Chromium the browser tests are skipped; the checks of the built files still run. Set ``COURSE_SCREENSHOTS=/some/dir`` to keep light and dark screenshots of every page
and the transferred bytes of each page (``sizes.json``) there.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from softmax_course.tools.browser import INSTALL_CHROMIUM, find_chromium, serve_folder
from softmax_course.tools.sphinx_ext import DICTIONARY
from test_notebooks import toc_files

ROOT = Path(__file__).resolve().parents[1]
PAGES = toc_files()
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PAGE_BUDGET = 8_000_000      # a loose guard; tests/test_reading.py holds the real budgets


CHROMIUM = find_chromium()
NO_CHROMIUM = f"no Chromium installed (Debian: {INSTALL_CHROMIUM}); the browser tests need one"


def expected_explorers(entry: str) -> int:
    """Explorer outputs (``text/html`` with a ``course-explorer``) in a toc entry's notebook."""
    path = ROOT / f"{entry}.ipynb"
    if not path.is_file():
        return 0
    nb = nbformat.read(path, as_version=4)
    return sum('class="course-explorer' in "".join(out.get("data", {}).get("text/html", ""))
               for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []))


# ---------------------------------------------------------------------------------------------
# Serving the book and loading each page once
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(built_book):
    """The built book served on a free port of 127.0.0.1; yields the base URL."""
    assert built_book.returncode == 0, built_book.log[-3000:]
    with serve_folder(built_book.html) as url:
        yield url


def test_serving_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder must be an existing folder, got .*nope"):
        with serve_folder(tmp_path / "nope"):
            pass


def no_browser() -> None:
    """Skip without a browser, except in CI, which installs one (.ci/run): there it fails."""
    if os.environ.get("CI"):
        pytest.fail(f"{NO_CHROMIUM} CI must install it (see .ci/run).")
    pytest.skip(NO_CHROMIUM)





@dataclass
class Visit:
    """What happened while one page loaded, and what its DOM looked like afterwards."""

    url: str
    outside: list[str] = field(default_factory=list)          # blocked requests to other hosts
    failed: list[str] = field(default_factory=list)           # local requests that failed
    console_errors: list[str] = field(default_factory=list)
    transferred: dict[str, int] = field(default_factory=dict)  # url -> bytes (body + headers)
    facts: dict = field(default_factory=dict)


# Collected in the page after loading (MathJax done, widgets drawn).
FACTS_JS = r"""
() => {
  const article = document.querySelector("article.bd-article") || document.body;
  const maths = [...article.querySelectorAll(".math")];
  const clone = article.cloneNode(true);
  clone.querySelectorAll("pre, code, script, style, textarea, mjx-container, .highlight")
       .forEach(node => node.remove());
  const rawTex = (clone.textContent.match(/\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{/g) || []);
  const controls = [...document.querySelectorAll(".course-explorer input, " +
      ".course-explorer select, .course-explorer textarea, .course-explorer button")]
      .filter(el => el.type !== "hidden");
  const named = el => (el.getAttribute("aria-label") || "").trim() ||
      el.getAttribute("aria-labelledby") ||
      (el.id && document.querySelector(`label[for="${el.id}"]`)) ||
      ((el.closest("label") || {}).textContent || "").trim() ||
      (el.tagName === "BUTTON" && el.textContent.trim()) || (el.title || "").trim();
  return {
    theme: document.documentElement.dataset.theme,
    mathCount: maths.length,
    mathUntypeset: maths.filter(m => !m.querySelector("mjx-container"))
                        .map(m => m.textContent.slice(0, 80)),
    mathErrors: [...document.querySelectorAll("mjx-merror")].map(m => m.textContent),
    mjxContainers: document.querySelectorAll("mjx-container").length,
    rawTex: rawTex,
    widgetViews: document.querySelectorAll(
        "script[type='application/vnd.jupyter.widget-view+json']").length,
    explorers: document.querySelectorAll(".course-explorer").length,
    explorersReady: [...document.querySelectorAll(".course-explorer[data-ready]")]
        .filter(el => el.offsetHeight > 0).length,
    unnamedControls: controls.filter(el => !named(el)).map(el => el.outerHTML.slice(0, 120)),
    imagesWithoutAlt: [...document.images].filter(img => !(img.getAttribute("alt") || "").trim())
        .map(img => (img.getAttribute("src") || "").slice(0, 80)),
    images: document.images.length,
    text: article.innerText,
    headings: [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")]
        .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 40)]),
  };
}
"""


def load(browser, site: str, path: str, *, dark: bool = False, screenshot: Path | None = None
         ) -> tuple[Visit, object, object]:
    """Open ``path`` in a fresh context (empty cache) with every non-local request blocked."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme="dark" if dark else "light",
                                  service_workers="block")
    page = context.new_page()
    visit = Visit(site + path)

    def route(r):
        if r.request.url.startswith(site):
            return r.continue_()
        visit.outside.append(r.request.url)
        return r.abort()

    def finished(request):
        sizes = request.sizes()
        visit.transferred[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def response(resp):
        if resp.status >= 400:
            visit.failed.append(f"{resp.status} {resp.url}")

    context.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
    page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
    page.on("requestfinished", finished)
    page.on("response", response)
    page.on("requestfailed", lambda r: r.url.startswith(site) and
            visit.failed.append(f"{r.failure} {r.url}"))
    page.goto(visit.url, wait_until="load")
    # MathJax typesets after its startup promise; widgets are drawn on the `load` event.
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) ? "
                  "MathJax.startup.promise.then(() => true) : false")
    if page.locator(".course-explorer").count():
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('.course-explorer')]"
                ".every(el => el.hasAttribute('data-ready'))", timeout=20_000)
        except Exception:          # reported by the explorer test through `explorersReady`
            pass
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    if dark:
        page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'",
                               timeout=5_000)
    visit.facts = page.evaluate(FACTS_JS)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    return visit, context, page


@pytest.fixture(scope="module")
def visits(browser, site):
    """Each page loaded once in light mode (and screenshotted when COURSE_SCREENSHOTS is set)."""
    shots = os.environ.get("COURSE_SCREENSHOTS")
    cache: dict[str, Visit] = {}

    def get(entry: str) -> Visit:
        if entry not in cache:
            shot = Path(shots) / f"{Path(entry).name}-light.png" if shots else None
            visit, context, _ = load(browser, site, f"{entry}.html", screenshot=shot)
            context.close()
            cache[entry] = visit
        return cache[entry]

    yield get
    if shots and cache:
        sizes = {entry: {"bytes": sum(v.transferred.values()),
                         "requests": len(v.transferred),
                         "largest": sorted(((n, u.replace(site, "")) for u, n in
                                            v.transferred.items()), reverse=True)[:8]}
                 for entry, v in cache.items()}
        Path(shots, "sizes.json").write_text(json.dumps(sizes, indent=1, ensure_ascii=False))


def test_chromium_has_a_chinese_font():
    """Without one, Chromium draws Chinese text as boxes and the screenshots are useless."""
    if CHROMIUM is None:
        no_browser()
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list (fontconfig) not found")
    import subprocess

    families = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                              text=True).stdout
    assert families.strip(), "no Chinese font for Chromium: apt-get install -y fonts-noto-cjk"


# ---------------------------------------------------------------------------------------------
# Offline
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", PAGES)
def test_no_request_leaves_the_host(visits, entry):
    visit = visits(entry)
    assert not visit.outside, (f"{entry} asked other hosts for {visit.outside}; serve these "
                               f"files from _assets/ (see _assets/vendor/README.md)")
    assert not visit.failed, f"{entry}: local requests failed: {visit.failed}"


@pytest.mark.parametrize("entry", PAGES)
def test_no_console_errors(visits, entry):
    assert not visits(entry).console_errors, visits(entry).console_errors


class _RemoteAssets(HTMLParser):
    """Collects script/link/img/iframe/source/video/audio URLs that point to another host."""

    ATTRS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src",
             "video": "src", "audio": "src", "embed": "src", "object": "data"}

    def __init__(self):
        super().__init__()
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        url = dict(attrs).get(self.ATTRS.get(tag, ""), "") or ""
        if re.match(r"(https?:)?//", url.strip()):
            self.remote.append(f"<{tag}> {url}")


def test_built_html_names_no_remote_asset(built_book):
    """Static twin of the browser check: also covers pages outside the toc (search, index)."""
    offenders = {}
    for page in built_book.html.rglob("*.html"):
        parser = _RemoteAssets()
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.remote:
            offenders[str(page.relative_to(built_book.html))] = parser.remote
    assert not offenders, offenders


def test_vendored_files_have_licences_and_versions(root):
    readme = (root / "_assets" / "vendor" / "README.md").read_text(encoding="utf-8")
    assert re.search(r"`mathjax`\s*\|\s*3\.2\.2", readme)
    assert (root / "_assets" / "vendor" / "mathjax" / "LICENSE").is_file()
    vendored = {p.name for p in (root / "_assets" / "vendor").iterdir() if p.is_dir()}
    assert vendored == {"mathjax"}, f"vendored folders not described in the README: {vendored}"
    assert not (root / "_static").exists(), (
        "a root _static/ folder makes Jupyter Book add every .js file below the static paths "
        "(all of MathJax) to every page; put files in _assets/ instead")


# ---------------------------------------------------------------------------------------------
# Math, widgets, figures
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", PAGES)
def test_math_is_typeset(visits, entry):
    facts = visits(entry).facts
    assert not facts["rawTex"], f"{entry}: TeX left as text: {facts['rawTex'][:10]}"
    assert not facts["mathUntypeset"], f"{entry}: not typeset: {facts['mathUntypeset'][:5]}"
    assert not facts["mathErrors"], f"{entry}: MathJax errors: {facts['mathErrors']}"
    if facts["mathCount"]:
        assert facts["mjxContainers"] >= facts["mathCount"]


def test_some_page_has_math(visits):
    """Guards the math test against passing because MathJax output is never looked for."""
    assert any(visits(entry).facts["mjxContainers"] for entry in PAGES)


@pytest.mark.parametrize("entry", PAGES)
def test_explorers_are_drawn_without_a_widget_manager(visits, entry):
    facts = visits(entry).facts
    expected = expected_explorers(entry)
    assert facts["explorers"] == expected, (
        f"{entry}: the notebook has {expected} explorer outputs, the page {facts['explorers']}; "
        f"re-run `python -m softmax_course execute`")
    assert facts["explorersReady"] == expected, (
        f"{entry}: {facts['explorersReady']} of {expected} explorers were drawn")
    assert facts["widgetViews"] == 0, f"{entry}: saved ipywidgets views need a widget manager"


def test_some_page_has_an_explorer():
    """Guards the explorer test against passing because no page has one."""
    assert sum(expected_explorers(entry) for entry in PAGES) >= 5


@pytest.mark.parametrize("entry", PAGES)
def test_widget_controls_have_names(visits, entry):
    facts = visits(entry).facts
    assert not facts["unnamedControls"], (
        f"{entry}: widget controls without an accessible name (give them a description): "
        f"{facts['unnamedControls']}")


@pytest.mark.parametrize("entry", PAGES)
def test_every_image_has_alt_text(visits, entry):
    missing = visits(entry).facts["imagesWithoutAlt"]
    assert not missing, (
        f"{entry}: images without alt text {missing}. Plot cells set "
        f'"mystnb": {{"image": {{"alt": "..."}}}}; a picture drawn inside a widget\'s Output '
        f'needs display(fig, metadata={{"image/png": {{"alt": "..."}}}})')


@pytest.mark.parametrize("entry", PAGES)
def test_headings_in_order(visits, entry):
    headings = visits(entry).facts["headings"]
    levels = [level for level, _ in headings]
    assert levels and levels[0] == 1 and levels.count(1) == 1, f"{entry}: {headings}"
    for (before, _), (level, text) in zip(headings, headings[1:]):
        assert level <= before + 1, f"{entry}: heading '{text}' (h{level}) follows an h{before}"


@pytest.mark.parametrize("entry", PAGES)
def test_page_weight(visits, entry):
    visit = visits(entry)
    total = sum(visit.transferred.values())
    largest = sorted(((n, u) for u, n in visit.transferred.items()), reverse=True)[:5]
    assert total <= PAGE_BUDGET, f"{entry} transfers {total:,} bytes; largest: {largest}"


# ---------------------------------------------------------------------------------------------
# Dark mode and search
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", PAGES)
def test_dark_mode_keeps_figures_on_white(browser, site, entry):
    """In the theme's dark mode every figure still shows on a light background."""
    from PIL import Image

    shots = os.environ.get("COURSE_SCREENSHOTS")
    shot = Path(shots) / f"{Path(entry).name}-dark.png" if shots else None
    visit, context, page = load(browser, site, f"{entry}.html", dark=True, screenshot=shot)
    try:
        assert visit.facts["theme"] == "dark"
        assert not visit.console_errors, visit.console_errors
        dark_text = []
        for img in page.locator("article.bd-article img").all():
            if not img.is_visible():
                continue
            img.scroll_into_view_if_needed()
            picture = Image.open(io.BytesIO(img.screenshot())).convert("L")
            counts, seen = picture.histogram(), 0      # grey levels 0..255
            for median, count in enumerate(counts):   # a plot is mostly background
                seen += count
                if 2 * seen >= sum(counts):
                    break
            if median < 128:
                dark_text.append((median, img.get_attribute("alt")))
        assert not dark_text, f"{entry}: figures on a dark background in dark mode: {dark_text}"
    finally:
        context.close()


def test_figures_are_opaque(built_book):
    """Plots carry their own white background (plots.setup()), so they stay readable on any
    dark background: the theme's dark mode, a dark JupyterLab, a downloaded notebook."""
    from PIL import Image

    pictures = sorted((built_book.html / "_images").glob("*.png"))
    transparent = []
    for path in pictures:
        with Image.open(path) as picture:
            if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
                alpha = picture.convert("RGBA").getchannel("A")
                if alpha.getextrema()[0] < 255:
                    transparent.append(path.name)
    assert not transparent, f"figures with transparent pixels: {transparent}"


def search_words(facts: dict) -> list[str]:
    """Up to three course terms (softmax_course/tools/jieba_dict.txt) on the page, else words of its
    title."""
    import jieba

    terms = [line.strip() for line in DICTIONARY.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    words = [t for t in terms if t in facts["text"]][:3]
    title = next(text for level, text in facts["headings"] if level == 1)
    return words or sorted({w for w in jieba.cut_for_search(title)
                            if len(w) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in w)})


@pytest.mark.parametrize("entry", PAGES)
def test_chinese_search_finds_the_page(browser, site, visits, entry):
    """The search page, driven like a reader, finds a page by Chinese words it uses."""
    words = search_words(visits(entry).facts)
    assert words, f"{entry}: no Chinese word to search for"
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site)
                  else r.abort())
    page = context.new_page()
    try:
        for word in words:
            page.goto(f"{site}search.html?q={quote(word)}", wait_until="load")
            page.wait_for_function(   # the summary line is written when the search is done
                "() => (document.querySelector('#search-results p.search-summary') || {})"
                ".textContent", timeout=15_000)
            links = page.locator("#search-results ul.search li a").evaluate_all(
                "links => links.map(a => a.href.split(/[?#]/)[0])")
            assert f"{site}{entry}.html" in links, (
                f"searching {word!r} did not list {entry}: {links}")
    finally:
        context.close()
