"""Chinese everywhere it shows: plot labels, the page font stack, the interface texts, search."""
from __future__ import annotations

import json
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pytest

from softmax_course import plots
from softmax_course.tools.sphinx_ext import DICTIONARY
from test_notebooks import toc_files

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
MISSING_GLYPH = re.compile(r"Glyph \d+ .*missing from (current )?font")
SEARCH_DICT = DICTIONARY      # code/softmax_course/tools/jieba_dict.txt


def course_cjk_characters() -> str:
    """Every Chinese character (and CJK punctuation) in the package and the chapters' code."""
    sources = [p.read_text(encoding="utf-8")
               for p in (ROOT / "code" / "softmax_course").rglob("*.py")]
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        sources += [c.source for c in nb.cells if c.cell_type == "code"]
    return "".join(sorted(set(CJK.findall("".join(sources)))))


def missing_glyph_warnings(draw) -> list[str]:
    """Run ``draw(ax)`` on a course figure, render it with Agg, return missing-glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plots.new_figure()
        try:
            draw(ax)
            fig.canvas.draw()
        finally:
            plt.close(fig)
    return [str(w.message) for w in caught if MISSING_GLYPH.search(str(w.message))]


def draw_course_labels(ax) -> None:
    ax.bar(["猫", "鸡", "狗"], [0.7, -0.2, 0.5])           # negative values: the minus sign
    ax.set_title("softmax 概率（温度 T = 1）：交叉熵、独热编码")
    ax.set_xlabel("类别")
    ax.set_ylabel("概率 / 分数")
    ax.legend(["预测"], title="图例")


def test_chinese_plot_labels_have_glyphs():
    assert missing_glyph_warnings(draw_course_labels) == []


def test_every_chinese_character_of_the_course_has_a_glyph():
    text = course_cjk_characters()
    assert len(text) > 50, "expected the package and chapters to contain Chinese text"
    lines = [text[i:i + 40] for i in range(0, len(text), 40)]

    def draw(ax):
        for i, line in enumerate(lines):
            ax.text(0, i, line)
        ax.set_ylim(-1, len(lines))

    assert missing_glyph_warnings(draw) == []


def test_missing_glyphs_would_be_detected():
    """The check above can fail: without the CJK font, matplotlib warns about missing glyphs."""
    found = missing_glyph_warnings(lambda ax: ax.set_title("猫", fontfamily="DejaVu Sans"))
    assert found, "matplotlib gave no missing-glyph warning for 猫 in DejaVu Sans"


# ---------------------------------------------------------------------------------------------
# The built pages
# ---------------------------------------------------------------------------------------------
def read(built_book, entry: str) -> str:
    return (built_book.html / f"{entry}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def book(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    return built_book


def test_font_stack_names_chinese_fonts(book):
    css = (book.html / "_static" / "custom.css").read_text(encoding="utf-8")
    stack = re.search(r"--course-font-cjk:([^;]+);", css).group(1)
    for font in ("Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"):
        assert f'"{font}"' in stack, font
    assert "var(--course-font-cjk)" in re.search(r"--pst-font-family-base:([^;]+);", css)[1]
    for entry in toc_files():
        assert re.search(r'href="[./]*_static/custom\.css', read(book, entry)), entry


# English interface texts of Sphinx, the themes, MyST-NB and sphinx-togglebutton (left: the
# aria-labels "Main" and "Page" of two <nav> elements, fixed in sphinx-book-theme's layout).
ENGLISH_UI = ("Show code cell", "Hide code cell", "Click to show", "Click to hide",
              "Search this book", "© Copyright", "Copyright 20", "Launch on", "Launch interactive",
              "Binder logo", "Colab logo", "Color mode", "System Settings", "Link to this", "Toggle hidden content",
              "Toggle primary sidebar", "Toggle secondary sidebar", "Print to PDF")


@pytest.mark.parametrize("entry", toc_files())
def test_interface_texts_are_chinese(book, entry):
    html = read(book, entry)
    assert [s for s in ENGLISH_UI if s in html] == []
    assert "let toggleHintShow = '点击展开';" in html
    assert "let toggleHintHide = '点击收起';" in html
    assert re.search(r'<p class="copyright">\s*© 版权所有 \d{4} softmax 回归课程组。', html)
    assert 'placeholder="搜索本书……"' in html


def test_hidden_code_prompt_is_chinese(book):
    pages = [read(book, e) for e in toc_files()]
    hidden = [p for p in pages if 'class="admonition hide' in p]
    if not hidden:
        pytest.skip("no page has a hide-input cell yet")
    for html in hidden:
        assert '<p class="collapsed admonition-title">显示代码</p>' in html
        assert '<p class="expanded admonition-title">隐藏代码</p>' in html


# ---------------------------------------------------------------------------------------------
# Chinese search
# ---------------------------------------------------------------------------------------------
class _ArticleText(HTMLParser):
    """The text of a page's <article> (what Sphinx indexes, roughly), without scripts."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article" or self.depth:
            self.depth += tag == "article"
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "article" and self.depth:
            self.depth -= 1
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    parser = _ArticleText()
    parser.feed(html)
    return "".join(parser.parts)


def search_index(book) -> dict:
    text = (book.html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def course_terms() -> list[str]:
    return [line.split()[0] for line in SEARCH_DICT.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def _docs(index: dict, hits) -> set[str]:
    if hits is None:
        return set()
    return {index["docnames"][i] for i in ([hits] if isinstance(hits, int) else hits)}


def search_results(index: dict, word: str) -> set[str]:
    """Pages Sphinx's searchtools.js (7.4) lists for a one-word query: the word as a term or
    title term; when it is no term at all and longer than two characters, terms containing it."""
    found = set()
    for key in ("terms", "titleterms"):
        mapping = index[key]
        found |= _docs(index, mapping.get(word))
        if len(word) > 2 and word not in mapping:
            for term, hits in mapping.items():
                if word in term:
                    found |= _docs(index, hits)
    return found


def pages_using(texts: dict[str, str], word: str) -> set[str]:
    """Pages where jieba (precise mode, course dictionary) finds the word, alone or inside a
    compound: 梯度下降 in 随机梯度下降 counts, 自信息 in 来自信息论 (来自 + 信息论) does not."""
    import jieba

    jieba.load_userdict(str(SEARCH_DICT))
    return {entry for entry, text in texts.items()
            if any(word in token for token in jieba.cut(text))}


def test_search_finds_course_terms_on_every_page_that_uses_them(book):
    index = search_index(book)
    texts = {entry: article_text(read(book, entry)) for entry in toc_files()}
    checked, missing = 0, []
    for word in course_terms():
        pages = pages_using(texts, word)
        checked += len(pages)
        if pages - search_results(index, word):
            missing.append((word, sorted(pages - search_results(index, word))))
    assert checked, "no course term of softmax_course/tools/jieba_dict.txt occurs on any page"
    assert not missing, f"searching these words misses these pages: {missing}"


def test_search_index_has_cross_entropy_as_one_word(book):
    """jieba alone splits 交叉熵 into 交叉 + 熵 (and one character is not indexed)."""
    index = search_index(book)
    pages = {e for e in toc_files() if "交叉熵" in article_text(read(book, e))}
    assert pages, "no page mentions 交叉熵"
    assert "交叉熵" in index["terms"]
    assert pages <= search_results(index, "交叉熵")


def test_search_dictionary_lines_are_words():
    terms = course_terms()
    assert len(terms) == len(set(terms)), "duplicate lines in softmax_course/tools/jieba_dict.txt"
    assert all(CJK.search(t) and " " not in t for t in terms)
