"""The book builds offline with warnings as errors, and every toc entry becomes a page."""
from __future__ import annotations

from test_notebooks import ROOT, toc_files


def test_book_builds_without_warnings(built_book):
    assert built_book.returncode == 0, built_book.log[-5000:]
    warnings = [line for line in built_book.log.splitlines()
                if "WARNING" in line or "build finished with problems" in line]
    assert not warnings, warnings


def test_every_toc_entry_has_a_page(built_book):
    for entry in toc_files():
        page = built_book.html / f"{entry}.html"
        assert page.is_file(), f"{entry} from _toc.yml produced no page {page}"


def test_search_index_is_chinese(built_book):
    assert "dumping search index in Chinese" in built_book.log


def test_chapter_page_has_explorers_math_and_no_widget_state(built_book):
    html = (built_book.html / "chapters" / "04-softmax.html").read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-state+json" not in html    # no 40-70 KB dead state
    assert 'class="course-explorer' in html                  # the explorers compute in the page
    assert "\\operatorname*{argmax}" in html           # math is left for MathJax to render
    notebook = ROOT / "chapters" / "04-softmax.ipynb"
    solutions = notebook.read_text(encoding="utf-8").count("{solution-start}")
    assert solutions >= 2
    assert html.count('class="solution dropdown admonition"') == solutions
    assert "点击展开" in html                             # the toggle hint is in Chinese
