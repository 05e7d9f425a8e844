"""The course's Sphinx extension: which search dictionary it picks, and the Chinese splitter.

The built book (search index, interface texts, scripts) is checked in test_fonts.py and
test_browser.py; these tests cover the configuration logic without a build.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ConfigError

from softmax_course.tools import sphinx_ext
from softmax_course.tools.sphinx_ext import (DICTIONARY, SearchChineseCourse, course_terms,
                                       resolve_search_dictionary)


def resolve(srcdir: Path, options: dict | None) -> dict:
    app, config = SimpleNamespace(srcdir=str(srcdir)), SimpleNamespace(html_search_options=options)
    resolve_search_dictionary(app, config)
    return config.html_search_options


def test_package_ships_the_dictionary():
    assert DICTIONARY.is_file()
    assert DICTIONARY.parent == Path(sphinx_ext.__file__).parent
    assert {"交叉熵", "独热编码", "梯度下降"} <= set(course_terms(DICTIONARY))


@pytest.mark.parametrize("options", [None, {}, {"dict": ""}])
def test_default_is_the_package_dictionary(tmp_path, options):
    assert resolve(tmp_path, options)["dict"] == str(DICTIONARY)


def test_other_options_are_kept(tmp_path):
    assert resolve(tmp_path, {"type": "default"}) == {"type": "default", "dict": str(DICTIONARY)}


def test_configured_path_is_relative_to_the_book(tmp_path, monkeypatch):
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "terms.txt").write_text("交叉熵\n", encoding="utf-8")
    monkeypatch.chdir(Path(sphinx_ext.__file__).parent)      # not the book's folder
    assert resolve(tmp_path, {"dict": "words/terms.txt"})["dict"] == str(
        tmp_path / "words" / "terms.txt")


def test_missing_configured_dictionary_fails_loudly(tmp_path):
    with pytest.raises(ConfigError, match=r"html_search_options dict 'nope\.txt' does not exist "
                                          r"\(looked for .*nope\.txt\); fix the path"):
        resolve(tmp_path, {"dict": "nope.txt"})


def test_missing_package_dictionary_fails_loudly(tmp_path, monkeypatch):
    monkeypatch.setattr(sphinx_ext, "DICTIONARY", tmp_path / "gone.txt")
    with pytest.raises(ConfigError, match="course search dictionary .*gone.txt is missing: "
                                          "reinstall"):
        resolve(tmp_path, None)


def test_course_terms_skip_comments_and_blank_lines(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("# comment\n\n交叉熵 5 n\n梯度下降\n", encoding="utf-8")
    assert course_terms(path) == ["交叉熵", "梯度下降"]


def test_splitter_indexes_terms_inside_compounds():
    """jieba's search mode alone gives 随机, 梯度, 下降 and 随机梯度下降, never 梯度下降."""
    pytest.importorskip("jieba")
    splitter = SearchChineseCourse({"dict": str(DICTIONARY)})
    words = splitter.split("我们用随机梯度下降训练模型，损失是交叉熵。")
    assert "随机梯度下降" in words and "梯度下降" in words and "交叉熵" in words


DESIGN_HEAD = ('<link rel="stylesheet" type="text/css" href="../_static/sphinx-design.min.css'
               '?v=6a604523" />\n<script data-sd-tabs-storage-prefix="sphinx-design-tab-id-" '
               'src="../_static/design-tabs.js?v=fcb327ea"></script>\n')


def test_pages_without_design_elements_drop_sphinx_design_files():
    from softmax_course.tools.sphinx_ext import lighten_page

    plain = lighten_page(DESIGN_HEAD + '<div class="section">文字</div>', search_page=False)
    assert plain == '<div class="section">文字</div>'
    card = DESIGN_HEAD + '<div class="sd-card sd-shadow-sm">卡片</div>'
    assert lighten_page(card, search_page=False) == card
    tab = DESIGN_HEAD + '<div class="docutils sd-tab-set">x</div>'
    assert lighten_page(tab, search_page=False) == tab
