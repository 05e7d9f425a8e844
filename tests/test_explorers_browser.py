"""The explorers in a browser with no kernel: every control moved, every number checked.

Each explorer's ``text/html`` view is hydrated by ``_assets/explorers/explorers.js``. These tests
drive its native controls in headless Chromium, by keyboard (arrow keys, Home/End, typing) and
by pointer (clicks on the track, on radio buttons), and after every move compare each number
the page shows with the package's own functions called in Python (``temperature_panel``,
``loss_panel_data``, ``info_quantities``, ``training_curves``, ``region_accuracy``).

Two pages are checked: a small page made of the explorers' own ``text/html`` (fast, no book
build) and the chapters of the built book (the ``built_book`` fixture), with every request to
another host blocked.
"""
from __future__ import annotations

import gzip
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from softmax_course.data import TOY_CLASSES
from softmax_course.tools.browser import serve_folder
from softmax_course.widgets.info import cross_entropy_explorer, format_info, info_quantities, \
    q_from_weights
from softmax_course.widgets.loss import loss_explorer, loss_panel_data
from softmax_course.widgets.regions import region_accuracy, regions_explorer
from softmax_course.widgets.softmax import format_prob, temperature_explorer, temperature_panel
from softmax_course.widgets.training import load_training_grid, training_curves, \
    training_explorer

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "_assets" / "explorers" / "explorers.js"
KINDS = ("temperature", "loss", "info", "training", "regions")
#: chapter page -> explorer kinds it must show
BOOK_EXPLORERS = {"chapters/02-architecture": ["regions"], "chapters/04-softmax": ["temperature"],
                  "chapters/06-loss": ["loss"], "chapters/07-information-theory": ["info"],
                  "chapters/08-evaluation": ["training"]}


def harness_explorers():
    return [temperature_explorer([2.0, -1.0, 0.5], TOY_CLASSES),
            loss_explorer((2.0, 1.0, -1.0), label=1),
            cross_entropy_explorer([0.5, 0.3, 0.2], TOY_CLASSES, weights=[0.2, 0.3, 0.5]),
            training_explorer(),
            regions_explorer()]


# ---------------------------------------------------------------------------------------------
# What the page shows, and what the package says it should show
# ---------------------------------------------------------------------------------------------
STATE_JS = r"""
root => ({
  ready: root.dataset.ready === "1",
  kind: root.dataset.kind,
  ranges: [...root.querySelectorAll("input[type=range]")].map(input => ({
      label: input.getAttribute("aria-label"),
      shown: root.querySelector(`output[for="${input.id}"]`).textContent,
      valuetext: input.getAttribute("aria-valuetext")})),
  numbers: [...root.querySelectorAll("input[type=number]")].map(input => ({
      label: input.getAttribute("aria-label"), value: input.value})),
  radios: [...root.querySelectorAll("fieldset")].map(set => ({
      legend: set.querySelector("legend").textContent,
      checked: (set.querySelector("input:checked") || {}).value,
      label: set.querySelector("input:checked").parentElement.textContent.trim()})),
  outs: Object.fromEntries([...root.querySelectorAll("[data-out]")]
      .map(el => [el.dataset.out, el.textContent])),
  titles: [...root.querySelectorAll("svg text.ce-title")].map(t => t.textContent),
  polygons: root.querySelectorAll("polygon.ce-region").length,
})
"""


def close(shown: str, value: float, decimals: int) -> bool:
    """``shown`` is ``value`` printed with ``decimals`` digits (NaN / ∞ spelled out)."""
    if math.isnan(value):
        return shown == "NaN"
    if math.isinf(value):
        return shown == "∞"
    try:
        return abs(float(shown) - value) <= 0.5 * 10 ** -decimals + 1e-9
    except ValueError:
        return False


def check_state(state: dict) -> int:
    """Assert that every number shown matches the package; return how many were compared."""
    assert state["ready"], f"{state['kind']} explorer was not hydrated"
    kind, outs = state["kind"], state["outs"]
    for r in state["ranges"]:       # screen readers hear the value the reader sees
        assert r["valuetext"] == r["shown"], r
    shown = {r["label"]: r["shown"] for r in state["ranges"]}
    checked = {r["legend"]: r["checked"] for r in state["radios"]}
    compared = 0

    def expect(key: str, value: float, decimals: int) -> None:
        nonlocal compared
        assert close(outs[key], value, decimals), (kind, key, outs[key], value, state)
        compared += 1

    if kind == "temperature":
        t = float(shown["温度 T"])
        assert f"温度 T = {shown['温度 T']}" in state["titles"], state["titles"]
        o = [float(n["value"]) for n in state["numbers"]]
        panel = temperature_panel(o, t)
        for j in range(3):
            expect(f"stable{j}", panel["stable"][j], 3)
            expect(f"naive{j}", panel["naive"][j], 3)
            assert outs[f"naive{j}"] == format_prob(panel["naive"][j]) or \
                not math.isnan(panel["naive"][j])
        assert ("NaN" in outs["note"]) == bool(np.isnan(panel["naive"]).any())
    elif kind == "loss":
        o = [float(shown[f"o{'₁₂₃'[j]}（{n}的 logit）"]) for j, n in enumerate(TOY_CLASSES)]
        panel = loss_panel_data(o, int(checked["真实标签"]))
        expect("loss", panel.loss, 3)
        for j in range(3):
            expect(f"p{j}", panel.probs[j], 3)
            expect(f"g{j}", panel.grad[j], 3)
            assert outs[f"g{j}"][0] in "+-", outs
        assert any(f"= {panel.loss:.3f}" in t for t in state["titles"]), state["titles"]
    elif kind == "info":
        unit = checked["单位"]
        pw = [float(shown[f"P 中{n}的权重"]) for n in TOY_CLASSES]
        qw = [float(shown[f"Q 中{n}的权重"]) for n in TOY_CLASSES]
        assert outs["unit"] == {"bit": "比特", "nat": "纳特"}[unit]
        if sum(pw) == 0 or sum(qw) == 0:
            assert "至少要有一个正的权重" in outs["note"]
            return 0
        p, q = q_from_weights(pw), q_from_weights(qw)
        values = info_quantities(p, q, unit)
        for j in range(3):
            expect(f"p{j}", p[j], 3)
            expect(f"q{j}", q[j], 3)
        for key, name in (("H", "H(P)"), ("CE", "H(P,Q)"), ("KL", "KL(P‖Q)")):
            expect(key, values[name], 3)
            assert outs[key] == format_info(values[name]) or math.isfinite(values[name])
    elif kind == "training":
        grid = load_training_grid()
        lr, b, e = float(shown["学习率"]), int(checked["批量大小"]), int(shown["轮数"])
        assert (outs["lr"], outs["batch"], outs["epochs"]) == (shown["学习率"], str(b), str(e))
        curves = training_curves(grid, lr, b, e)
        expect("loss", curves["loss"][-1], 4)
        expect("acc", curves["acc"][-1], 4)
    elif kind == "regions":
        W = np.array([[float(shown[f"{n}的权重 w{'₁₂'[k]}"]) for n in TOY_CLASSES]
                      for k in range(2)])
        b = np.array([float(shown[f"{n}的偏置 b"]) for n in TOY_CLASSES])
        explorer = regions_explorer()
        right, total = region_accuracy(W, b, explorer.X, explorer.y)
        assert (outs["right"], outs["total"]) == (str(right), str(total)), (W, b, outs)
        assert 1 <= state["polygons"] <= 3
        compared += 2
    else:
        pytest.fail(f"unknown explorer kind {kind}")
    return compared


# ---------------------------------------------------------------------------------------------
# Driving the controls
# ---------------------------------------------------------------------------------------------
def state_of(root) -> dict:
    return root.evaluate(STATE_JS)


def exercise(page, root) -> int:
    """Move every control of one explorer by keyboard and pointer; check after every move.

    Returns the number of checked values (so a test can insist that something was compared).
    """
    compared = check_state(state_of(root))
    before = state_of(root)["outs"]
    changed = 0

    def after_move() -> None:
        nonlocal compared, changed
        state = state_of(root)
        compared += check_state(state)
        if state["outs"] != before:
            changed += 1

    ranges = root.locator("input[type=range]")
    for i in range(ranges.count()):
        r = ranges.nth(i)
        r.focus()
        page.keyboard.press("ArrowRight")              # keyboard, one step
        after_move()
        page.keyboard.press("End")                     # keyboard, to the end
        after_move()
        box = r.bounding_box()                         # pointer: click at 30 % of the track
        page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + box["height"] / 2)
        after_move()
        page.keyboard.press("Home")
        after_move()
        page.mouse.click(box["x"] + 0.62 * box["width"], box["y"] + box["height"] / 2)
        after_move()
    numbers = root.locator("input[type=number]")
    for i in range(numbers.count()):
        n = numbers.nth(i)
        n.fill("800")                                  # typing: naive softmax overflows
        after_move()
        n.focus()
        page.keyboard.press("ArrowDown")               # keyboard step
        after_move()
        n.fill(str(-1.5 + i))
        after_move()
    radios = root.locator("input[type=radio]")
    for i in range(radios.count()):
        radios.nth(i).click()                          # pointer
        after_move()
    if radios.count():
        radios.first.focus()
        page.keyboard.press("ArrowRight")              # keyboard within the group
        after_move()
    assert changed >= ranges.count() + numbers.count(), (
        f"only {changed} moves changed what {state_of(root)['kind']} shows")
    return compared


# ---------------------------------------------------------------------------------------------
# Browser and pages
# ---------------------------------------------------------------------------------------------



def open_page(browser, url: str, site: str, *, dark: bool = False, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme="dark" if dark else "light")
    outside, errors = [], []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site)
                  else (outside.append(r.request.url), r.abort()))
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(60_000)          # shared CI machines can be slow
    # The explorers start on DOMContentLoaded; a chapter's "load" also waits for every figure.
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelectorAll('.course-explorer').length > 0 && "
                           "[...document.querySelectorAll('.course-explorer')]"
                           ".every(e => e.dataset.ready === '1')", timeout=30_000)
    return context, page, outside, errors


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorers")
    shutil.copy(SCRIPT, folder / "explorers.js")
    body = "\n".join(e.html() for e in harness_explorers())
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>explorers</title>'
        f'<script defer src="explorers.js"></script></head><body>{body}</body></html>',
        encoding="utf-8")
    with serve_folder(folder) as url:
        yield url


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("kind", KINDS)
def test_every_control_in_the_harness(browser, harness, kind, width):
    context, page, outside, errors = open_page(browser, harness + "index.html", harness,
                                               width=width)
    try:
        root = page.locator(f'.course-explorer[data-kind="{kind}"]')
        assert root.count() == 1
        assert exercise(page, root.first) >= 10
        assert not errors and not outside, (errors, outside)
    finally:
        context.close()


def test_the_script_has_the_package_math(browser, harness):
    """The script's own functions at extremes, against the package (beyond the controls)."""
    from softmax_course import logsumexp, softmax

    context, page, _, errors = open_page(browser, harness + "index.html", harness)
    try:
        for o in ([1000.0, 0.0, -1000.0], [1e300, 1e299, 0.0], [-800.0, -800.5, -801.0]):
            js = page.evaluate("o => [courseExplorers.softmax(o), courseExplorers.logsumexp(o)]",
                               o)
            np.testing.assert_allclose(js[0], softmax(np.array(o)), rtol=1e-12, atol=1e-300)
            assert js[1] == pytest.approx(float(logsumexp(np.array(o))), rel=1e-14)
        for p, q in (([0.5, 0.5, 0.0], [0.25, 0.75, 0.0]), ([0.2, 0.3, 0.5], [0.0, 0.5, 0.5])):
            for unit in ("bit", "nat"):
                js = page.evaluate("([p, q, u]) => courseExplorers.info(p, q, u)", [p, q, unit])
                ref = info_quantities(p, q, unit)
                for key, name in (("H", "H(P)"), ("CE", "H(P,Q)"), ("KL", "KL(P‖Q)")):
                    value = js[key] if js[key] is not None else math.inf
                    assert value == pytest.approx(ref[name], rel=1e-12, abs=1e-15), (p, q, key)
        assert not errors, errors
    finally:
        context.close()


def test_controls_are_named_in_chinese(browser, harness):
    context, page, _, _ = open_page(browser, harness + "index.html", harness)
    try:
        unnamed = page.evaluate("""() => [...document.querySelectorAll(
            '.course-explorer input')].filter(i => !(i.getAttribute('aria-label') ||
            i.closest('label') || document.querySelector(`label[for="${i.id}"]`)))
            .map(i => i.outerHTML)""")
        assert not unnamed
        labels = page.evaluate("() => [...document.querySelectorAll('.course-explorer "
                               "[aria-label], .course-explorer legend')].map(e => "
                               "e.getAttribute('aria-label') || e.textContent)")
        assert labels and all(re.search(r"[\u4e00-\u9fff]", t) for t in labels), labels
    finally:
        context.close()


def test_dark_mode_uses_the_theme_colours(browser, harness):
    """Text in the explorers follows the page's text colour (theme variables / currentColor)."""
    context, page, _, _ = open_page(browser, harness + "index.html", harness)
    try:
        page.evaluate("""() => { document.documentElement.style.setProperty(
            '--pst-color-text-base', 'rgb(230, 230, 230)');
            document.documentElement.style.setProperty('--pst-color-background', 'rgb(18, 18, 18)'); }""")
        colours = page.evaluate("""() => [...document.querySelectorAll('.course-explorer')].map(e =>
            [getComputedStyle(e).color, getComputedStyle(e).backgroundColor,
             getComputedStyle(e.querySelector('svg text')).fill])""")
        for text, background, svg_text in colours:
            assert text == "rgb(230, 230, 230)" and background == "rgb(18, 18, 18)"
            assert svg_text == "rgb(230, 230, 230)"
    finally:
        context.close()


CHART_TEXT_JS = r"""
() => [...document.querySelectorAll(".course-explorer svg.ce-chart")].flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const frame = svg.getBoundingClientRect();
  return [...svg.querySelectorAll("text")].map(t => {
    const r = t.getBoundingClientRect();
    return {kind: svg.closest(".course-explorer").dataset.kind, text: t.textContent,
            px: parseFloat(getComputedStyle(t).fontSize) * scale,
            inside: r.left >= frame.left - 1 && r.right <= frame.right + 1};
  });
})
"""
MIN_CHART_TEXT_PX = 9.0


def check_chart_text(page, where: str) -> None:
    texts = page.evaluate(CHART_TEXT_JS)
    assert texts
    small = [(t["kind"], t["text"], round(t["px"], 1)) for t in texts
             if t["px"] < MIN_CHART_TEXT_PX]
    assert not small, f"{where}: chart text under {MIN_CHART_TEXT_PX} px: {small[:8]}"
    cut = [(t["kind"], t["text"]) for t in texts if not t["inside"]]
    assert not cut, f"{where}: chart text cut at the chart's edge: {cut[:8]}"


def test_chart_text_is_readable_on_a_phone_and_after_a_resize(browser, harness):
    """At 390 px the panels stack instead of shrinking; turning the window redraws them."""
    context, page, _, errors = open_page(browser, harness + "index.html", harness, width=390)
    try:
        check_chart_text(page, "390 px")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_timeout(500)
        check_chart_text(page, "390 → 1280 px")
        wide = page.evaluate("() => [...document.querySelectorAll('svg.ce-chart')]"
                             ".map(s => s.viewBox.baseVal.width)")
        page.set_viewport_size({"width": 390, "height": 900})
        page.wait_for_timeout(500)
        check_chart_text(page, "1280 → 390 px")
        narrow = page.evaluate("() => [...document.querySelectorAll('svg.ce-chart')]"
                               ".map(s => s.viewBox.baseVal.width)")
        assert sum(w > n for w, n in zip(wide, narrow)) == 3     # loss, info, training stack
        assert not errors, errors
    finally:
        context.close()


def test_the_script_is_small():
    raw = SCRIPT.read_bytes()
    assert len(gzip.compress(raw, 9)) < 12_000, len(gzip.compress(raw, 9))
    assert "http://" not in raw.decode().replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in raw.decode()


# ---------------------------------------------------------------------------------------------
# The built book
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def book_site(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    with serve_folder(built_book.html) as url:
        yield url


@pytest.mark.parametrize("entry", sorted(BOOK_EXPLORERS))
def test_book_explorers_respond_offline(browser, book_site, entry):
    context, page, outside, errors = open_page(browser, f"{book_site}{entry}.html", book_site)
    try:
        kinds = page.evaluate("() => [...document.querySelectorAll('.course-explorer')]"
                              ".map(e => e.dataset.kind)")
        assert kinds == BOOK_EXPLORERS[entry]
        assert page.locator("script[src*='embed']").count() == 0   # no widget manager
        for i in range(len(kinds)):
            root = page.locator(".course-explorer").nth(i)
            root.scroll_into_view_if_needed()
            assert exercise(page, root) >= 10
        assert not outside, outside
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("entry", sorted(BOOK_EXPLORERS))
def test_book_explorer_text_is_readable_on_a_phone(browser, book_site, entry):
    context, page, _, errors = open_page(browser, f"{book_site}{entry}.html", book_site,
                                         width=390)
    try:
        check_chart_text(page, f"{entry} at 390 px")
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("entry", sorted(BOOK_EXPLORERS))
def test_book_explorer_pages_are_light(built_book, entry):
    """What the explorers add to a page, as a static host serves it (gzip): ≤ 250 KB."""
    page = (built_book.html / f"{entry}.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<div class="course-explorer".*?</div>', page, flags=re.S)
    assert len(blocks) == len(BOOK_EXPLORERS[entry])
    added = "".join(blocks).encode() + (built_book.html / "_static/explorers/explorers.js").read_bytes()
    assert len(gzip.compress(added, 6)) <= 250_000
    assert "application/vnd.jupyter.widget-view+json" not in page
