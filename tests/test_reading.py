"""Reading the built book on a phone (390 px), a tablet (800 px) and a laptop (1280 px).

Headless Chromium, offline (every request to another host is blocked): the sidebar buttons work
by mouse and keyboard, search finds Chinese words of one character and shows prose snippets,
formulas fit or scroll visibly, tables and printed tables keep their rows, solutions open from
their title, the interface speaks Chinese, and the pages are light (weights measured here).

Set ``COURSE_SCREENSHOTS=/some/dir`` to keep screenshots at each width, light and dark, and the
measured weights (``weights.json``) there.
"""
from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from softmax_course.tools.browser import serve_folder
from test_notebooks import toc_files

ROOT = Path(__file__).resolve().parents[1]
PAGES = toc_files()
CHAPTERS = [p for p in PAGES if re.search(r"/\d\d-", p) and not p.endswith("00-intro")]
WIDTHS = (390, 800, 1280)
COLD_BUDGET = 2_000_000          # decoded bytes of a chapter's first visit (empty cache)
WARM_BUDGET = 300_000            # gzip bytes of a second chapter with a warm cache
SHOTS = os.environ.get("COURSE_SCREENSHOTS")


@pytest.fixture(scope="module")
def site(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    with serve_folder(built_book.html) as url:
        yield url





def open_page(browser, site, path, width, *, dark=False, context=None, log=None):
    """A page at ``width`` px, offline, after MathJax has typeset it."""
    own = context is None
    if own:
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      color_scheme="dark" if dark else "light",
                                      service_workers="block")
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site)
                      else r.abort())
    page = context.new_page()
    page.set_default_timeout(120_000)      # CI machines and this one are shared and slow
    if log is not None:
        page.on("requestfinished", lambda r: log.append(r))
    page.goto(site + path, wait_until="load")
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) ? "
                  "MathJax.startup.promise.then(() => true) : false")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)
    return context, page


# ---------------------------------------------------------------------------------------------
# Navigation
# ---------------------------------------------------------------------------------------------
VISIBLE_TOGGLE = """kind => [...document.querySelectorAll('.' + kind)]
    .findIndex(b => b.offsetParent !== null && b.getBoundingClientRect().width > 0)"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("how", ["mouse", "keyboard"])
def test_chapter_list_opens_and_closes(browser, site, width, how):
    context, page = open_page(browser, site, "chapters/04-softmax.html", width)
    try:
        index = page.evaluate(VISIBLE_TOGGLE, "primary-toggle")
        assert index >= 0, f"no visible menu button at {width} px"
        button = page.locator(".primary-toggle").nth(index)

        def press():
            if how == "mouse":
                button.click()
            else:
                button.focus()
                page.keyboard.press("Enter")
            page.wait_for_timeout(300)

        links = "#pst-primary-sidebar-modal[open] .bd-links a, #pst-primary-sidebar .bd-links a"
        if width < 992:         # the theme shows the chapter list as a dialog
            press()
            assert page.locator("#pst-primary-sidebar-modal[open]").count() == 1
            assert page.locator("#pst-primary-sidebar-modal[open] .bd-links a").first.is_visible()
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
            assert page.locator("#pst-primary-sidebar-modal[open]").count() == 0
            press()
            page.mouse.click(width - 5, 450)          # beside the dialog closes it
            page.wait_for_timeout(300)
            assert page.locator("#pst-primary-sidebar-modal[open]").count() == 0
        else:                   # the sidebar is shown beside the article and hides
            sidebar = page.locator("#pst-primary-sidebar")
            assert sidebar.is_visible()
            press()
            assert not sidebar.is_visible(), f"the menu button did not hide the sidebar"
            press()
            assert sidebar.is_visible() and page.locator(links).first.is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_page_contents_open_and_close(browser, site, width):
    context, page = open_page(browser, site, "chapters/04-softmax.html", width)
    try:
        index = page.evaluate(VISIBLE_TOGGLE, "secondary-toggle")
        if width >= 1200:       # the contents are shown beside the article
            assert index < 0
            assert page.locator("#pst-secondary-sidebar .toc-entry a").first.is_visible()
            return
        assert index >= 0, f"no visible contents button at {width} px"
        button = page.locator(".secondary-toggle").nth(index)
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        modal = page.locator("#pst-secondary-sidebar-modal[open]")
        assert modal.count() == 1 and modal.locator(".toc-entry a").first.is_visible()
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
        assert page.locator("#pst-secondary-sidebar-modal[open]").count() == 0
        button.click()
        page.wait_for_timeout(300)
        assert page.locator("#pst-secondary-sidebar-modal[open]").count() == 1
    finally:
        context.close()


def test_no_top_bar_with_a_second_search_field(browser, site):
    context, page = open_page(browser, site, "chapters/04-softmax.html", 1280)
    try:
        assert not page.locator(".bd-header").is_visible()
        fields = page.evaluate("""() => [...document.querySelectorAll(
            '.search-button-field, .search-button__button, form.bd-search')]
            .filter(e => e.offsetParent !== null).length""")
        assert fields == 1, f"{fields} search fields visible"
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------
def search(page, site, word):
    page.goto(f"{site}search.html?q={quote(word)}", wait_until="load")
    page.wait_for_function("() => (document.querySelector('#search-results p.search-summary')"
                           " || {}).textContent", timeout=30_000)
    page.wait_for_timeout(1500)       # snippets are fetched page by page
    return page.evaluate("""() => [...document.querySelectorAll('#search-results ul.search li')]
        .map(li => ({href: li.querySelector('a').href,
                     snippet: (li.querySelector('p.context') || {}).textContent || ''}))""")


def pages_containing(built_book, word):
    found = set()
    for entry in PAGES:
        html = (built_book.html / f"{entry}.html").read_text(encoding="utf-8")
        article = html[html.find("<article"):html.find("</article>")]
        if word in re.sub(r"<[^>]+>", "", article):
            found.add(entry)
    return found


SEARCH_WORDS = ["熵", "交叉熵", "梯度"]


@pytest.mark.parametrize("word", SEARCH_WORDS)
def test_search_finds_every_page_using_the_word(browser, site, built_book, word):
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site)
                  else r.abort())
    page = context.new_page()
    try:
        results = search(page, site, word)
        found = {urlsplit(r["href"]).path.lstrip("/").removesuffix(".html") for r in results}
        expected = pages_containing(built_book, word)
        assert expected, f"no page uses {word}"
        assert expected <= found, f"search {word}: missing {sorted(expected - found)}"
        if SHOTS:
            counts = Path(SHOTS, "search.json")
            data = json.loads(counts.read_text()) if counts.exists() else {}
            data[word] = len(results)
            counts.write_text(json.dumps(data, ensure_ascii=False))
        snippets = [r["snippet"] for r in results if r["snippet"]]
        assert snippets, f"search {word}: no snippet"
        for snippet in snippets:
            assert not re.search(r"\\[A-Za-z(\[)\]]|\$", snippet), f"TeX in snippet: {snippet}"
            assert "目录" not in snippet and "pdf" not in snippet.lower(), (
                f"page furniture in snippet: {snippet}")
    finally:
        context.close()


def test_every_course_term_is_found(browser, site, built_book):
    from softmax_course.tools.sphinx_ext import DICTIONARY, course_terms

    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site)
                  else r.abort())
    page = context.new_page()
    missing = []
    try:
        for term in course_terms(DICTIONARY):
            if not pages_containing(built_book, term):
                continue
            if not search(page, site, term):
                missing.append(term)
    finally:
        context.close()
    assert not missing, f"course terms used in the book but not found by search: {missing}"


# ---------------------------------------------------------------------------------------------
# Formulas, tables, code
# ---------------------------------------------------------------------------------------------
LAYOUT_JS = r"""
() => {
  const article = document.querySelector("article.bd-article");
  const a = article.getBoundingClientRect();
  const displays = [...article.querySelectorAll("div.math > mjx-container[display='true']")];
  const clipped = [], scrolling = [], covered = [], numberLeft = [];
  displays.forEach(m => {
    const style = getComputedStyle(m);
    const eq = m.parentElement.querySelector(".eqno");
    const name = (eq ? eq.textContent : m.textContent).trim().slice(0, 20);
    if (m.scrollWidth > m.clientWidth + 1) {
      const scrolls = ["auto", "scroll"].includes(style.overflowX);
      const shadow = style.backgroundImage.includes("gradient");
      (scrolls && shadow ? scrolling : clipped).push(name);
    }
    if (m.getBoundingClientRect().right > a.right + 1) clipped.push(name);
    if (eq) {
      const e = eq.getBoundingClientRect(), r = m.getBoundingClientRect();
      if (e.left < r.right - 1 && e.right > r.left + 1 && e.top < r.bottom && e.bottom > r.top)
        covered.push(name);
      if (e.left < r.right - 1) numberLeft.push(name);
    }
  });
  // closing punctuation right after inline math must stay on the formula's line
  const lonePunctuation = [...article.querySelectorAll("span.math > mjx-container")]
    .filter(m => {
      const next = m.parentElement.nextSibling;
      if (!next || next.nodeType !== Node.TEXT_NODE || !/^[。，、；：！？）]/.test(next.data))
        return false;
      const range = document.createRange();
      range.setStart(next, 0); range.setEnd(next, 1);
      const p = range.getBoundingClientRect(), r = m.getBoundingClientRect();
      return p.top >= r.bottom - 2;
    }).map(m => m.textContent.slice(0, 30));
  const inline = [...article.querySelectorAll("mjx-container:not([display='true'])")]
    .filter(m => {
      const box = m.closest("p, li, td, th, dd, dt, div").getBoundingClientRect();
      const r = m.getBoundingClientRect();
      return r.right > box.right + 1 && !(m.classList.contains("course-wide-math") &&
             m.scrollWidth > m.clientWidth);
    }).map(m => m.textContent.slice(0, 30));
  const wideCode = [...article.querySelectorAll(".cell_input pre")]
    .filter(p => p.scrollWidth > p.clientWidth + 1)
    .map(p => p.textContent.split("\n").reduce((x, y) => y.length > x.length ? y : x, ""));
  const headers = [...article.querySelectorAll("th")].filter(th => {
    const lines = new Set(), walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const range = document.createRange(); range.selectNodeContents(t);
      [...range.getClientRects()].forEach(r => r.width > 0 && lines.add(Math.round(r.top / 4)));
    }
    return th.textContent.trim() && !/\s/.test(th.textContent.trim()) && lines.size > 1;
  }).map(th => th.textContent.trim());
  const alignedWrapped = [...article.querySelectorAll(".output.stream pre.course-aligned")]
    .filter(p => getComputedStyle(p).whiteSpace !== "pre").length;
  return {displays: displays.length, clipped, scrolling, covered, numberLeft, lonePunctuation,
          inline, wideCode, headers, alignedWrapped,
          pageOverflow: document.scrollingElement.scrollWidth > window.innerWidth + 1};
}
"""


@pytest.fixture(scope="module")
def layouts(browser, site):
    cache = {}

    def get(entry, width):
        if (entry, width) not in cache:
            context, page = open_page(browser, site, f"{entry}.html", width)
            try:
                cache[entry, width] = page.evaluate(LAYOUT_JS)
                if SHOTS:
                    page.screenshot(path=str(Path(SHOTS, f"{Path(entry).name}-{width}.png")))
            finally:
                context.close()
        return cache[entry, width]

    yield get
    if SHOTS and cache:
        Path(SHOTS, "layout.json").write_text(json.dumps(
            {f"{e}@{w}": v for (e, w), v in cache.items()}, ensure_ascii=False, indent=1))


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("entry", PAGES)
def test_formulas_fit_or_scroll_visibly(layouts, entry, width):
    facts = layouts(entry, width)
    assert not facts["clipped"], f"{entry} at {width}px: clipped formulas {facts['clipped']}"
    assert not facts["covered"], f"{entry}: equation numbers over formulas {facts['covered']}"
    assert not facts["numberLeft"], f"{entry} at {width}px: equation numbers left of their " \
                                    f"formulas {facts['numberLeft']}"
    assert not facts["lonePunctuation"], (f"{entry} at {width}px: punctuation wrapped alone "
                                          f"after inline math {facts['lonePunctuation']}")
    assert not facts["inline"], f"{entry} at {width}px: inline math overflows {facts['inline']}"
    assert not facts["pageOverflow"], f"{entry} at {width}px: the page scrolls sideways"
    if width == 1280:
        assert not facts["scrolling"], f"{entry}: formulas wider than the column at 1280 px: " \
                                       f"{facts['scrolling']}"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("entry", PAGES)
def test_tables_keep_words_and_rows(layouts, entry, width):
    facts = layouts(entry, width)
    assert not facts["headers"], f"{entry} at {width}px: headers broken mid-word {facts['headers']}"
    assert not facts["alignedWrapped"]


@pytest.mark.parametrize("entry", PAGES)
def test_code_cells_fit_at_1280(layouts, entry):
    wide = layouts(entry, 1280)["wideCode"]
    assert not wide, (f"{entry}: {len(wide)} code cells scroll sideways at 1280 px; longest "
                      f"lines: {wide}")


# ---------------------------------------------------------------------------------------------
# Solutions, labels, anchors, icons, favicon
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_solution_opens_from_its_title(browser, site, width):
    context, page = open_page(browser, site, "chapters/04-softmax.html", width)
    try:
        solution = page.locator(".solution.dropdown").first
        assert "toggle-hidden" in solution.get_attribute("class")
        url = page.url
        solution.locator(".admonition-title a").first.click()
        page.wait_for_timeout(300)
        assert page.url == url, "the solution title jumped away"
        assert "toggle-hidden" not in solution.get_attribute("class"), "the solution stayed shut"
        solution.locator(".admonition-title a").first.click()
        page.wait_for_timeout(300)
        assert "toggle-hidden" in solution.get_attribute("class")
        labels = solution.locator("button.toggle-button").get_attribute("aria-label")
        assert labels == "显示或隐藏解答"
    finally:
        context.close()


@pytest.mark.parametrize("entry", PAGES)
def test_interface_labels_are_chinese(browser, site, entry):
    context, page = open_page(browser, site, f"{entry}.html", 1280)
    try:
        english = page.evaluate("""() => [...document.querySelectorAll('[aria-label], [title]')]
            .flatMap(e => [e.getAttribute('aria-label'), e.getAttribute('title')])
            .filter(t => t && /^[A-Za-z][A-Za-z ]+$/.test(t.trim()))""")
        assert not english, f"{entry}: English interface labels {sorted(set(english))}"
    finally:
        context.close()


def test_heading_anchors_are_readable(built_book):
    numbered = {}
    for entry in PAGES:
        html = (built_book.html / f"{entry}.html").read_text(encoding="utf-8")
        ids = re.findall(r'<section id="(id\d+)"', html)
        if ids:
            numbered[entry] = ids
    assert not numbered, f"sections with numbered anchors: {numbered}"
    html = (built_book.html / "chapters" / "04-softmax.html").read_text(encoding="utf-8")
    assert 'href="#' + "为什么分数不是概率" in unquote(html) or "为什么分数不是概率" in html


def test_every_icon_shown_has_an_svg(built_book):
    css = (ROOT / "_assets" / "icons.css").read_text(encoding="utf-8")
    drawn = set(re.findall(r"\.fa-([a-z0-9-]+)::before", css))
    used = set()
    for page in built_book.html.rglob("*.html"):
        for classes in re.findall(r'class="([^"]*)"', page.read_text(encoding="utf-8")):
            used |= {c[3:] for c in classes.split() if c.startswith("fa-")}
    used -= {"solid", "brands", "regular", "lg", "fw", "xs", "sm", "2x"}
    assert used <= drawn, f"icons without an SVG in _assets/icons.css: {sorted(used - drawn)}"
    assert "fontawesome.js" not in (built_book.html / "chapters" / "04-softmax.html").read_text()


def test_favicon_is_served(browser, site):
    context, page = open_page(browser, site, "chapters/01-classification.html", 1280)
    try:
        href = page.evaluate("() => document.querySelector('link[rel~=icon]').href")
        assert page.request.get(href).ok
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Page weight
# ---------------------------------------------------------------------------------------------
def gzip_size(html_dir: Path, url: str, site: str) -> int:
    path = html_dir / unquote(urlsplit(url).path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return len(gzip.compress(path.read_bytes(), 6)) if path.is_file() else 0


def visit_weights(browser, site, html_dir, entry, first=None):
    """(decoded bytes, gzip bytes, largest files) of a visit to ``entry``; after ``first`` in
    the same browser, files that visit fetched count as cached (a static host's caching)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site)
                  else r.abort())
    cached: set[str] = set()
    try:
        if first:
            log = []
            open_page(browser, site, f"{first}.html", 1280, context=context, log=log)
            cached = {r.url.split("?")[0] for r in log}
        log = []
        _, page = open_page(browser, site, f"{entry}.html", 1280, context=context, log=log)
        fetched = {}
        for request in log:
            url = request.url.split("?")[0]
            if url in cached or url in fetched:
                continue
            response = request.response()
            fetched[url] = (len(response.body()) if response else 0,
                            gzip_size(html_dir, url, site))
        decoded = sum(d for d, _ in fetched.values())
        zipped = sum(z for _, z in fetched.values())
        largest = sorted(((d, u.replace(site, "")) for u, (d, _) in fetched.items()),
                         reverse=True)[:5]
        return decoded, zipped, largest
    finally:
        context.close()


@pytest.fixture(scope="module")
def weights():
    data = {}
    yield data
    if SHOTS and data:
        Path(SHOTS, "weights.json").write_text(json.dumps(data, ensure_ascii=False, indent=1))


@pytest.mark.parametrize("entry", PAGES)
def test_first_visit_weight(browser, site, built_book, weights, entry):
    decoded, zipped, largest = visit_weights(browser, site, built_book.html, entry)
    weights.setdefault(entry, {}).update(cold_decoded=decoded, cold_gzip=zipped, largest=largest)
    assert decoded <= COLD_BUDGET, f"{entry}: first visit {decoded:,} bytes; largest {largest}"


@pytest.mark.parametrize("entry", [e for e in CHAPTERS if not e.endswith("01-classification")])
def test_second_chapter_weight(browser, site, built_book, weights, entry):
    decoded, zipped, largest = visit_weights(browser, site, built_book.html, entry,
                                             first="chapters/01-classification")
    weights.setdefault(entry, {}).update(warm_decoded=decoded, warm_gzip=zipped)
    assert zipped <= WARM_BUDGET, (f"{entry} after chapter 01: {zipped:,} bytes gzip; "
                                   f"largest (decoded) {largest}")


def test_search_index_only_on_the_search_page(built_book):
    for page in built_book.html.rglob("*.html"):
        name = page.relative_to(built_book.html).as_posix()
        if name.startswith("_static"):
            continue
        text = page.read_text(encoding="utf-8")
        assert ("searchindex.js" in text) == (name == "search.html"), name
