"""Sphinx extension of the course book: Chinese search, Chinese interface texts, two fixes.

Loaded by ``_config.yml`` as ``sphinx: extra_extensions: [..., softmax_course.tools.sphinx_ext]``
(the package is installed wherever the book is built, so no ``local_extensions`` folder).

1. Chinese search. Sphinx splits Chinese text into words with jieba, whose dictionary lacks many
   terms of the course (交叉熵 came out as 交叉 + 熵, and single characters are not indexed, so a
   search for 交叉熵 found only pages with the word in a heading). This package ships the course
   terms as a jieba user dictionary, ``jieba_dict.txt`` next to this module
   (:data:`DICTIONARY`), and uses it when the configuration names none: add a term there, one
   per line. A book can name its own file with ``html_search_options: {dict: PATH}``; Sphinx
   would resolve that path against the working directory and silently ignore a missing file,
   so we resolve it against the book's folder and fail loudly instead. And jieba's search mode
   splits a compound such as 随机梯度下降 into 随机, 梯度, 下降 and the compound only, so a
   search for 梯度下降 (a word of its own on other pages) missed that page: the splitter also
   emits the course terms inside a compound.

2. Duplicate scripts. Sphinx 7.4 adds an inline ``<script>`` that an extension registers after
   the builder started (``app.add_js_file(None, body=...)``) twice to every page: once under the
   name ``None`` and once under ``''`` (``StandaloneHTMLBuilder.prepare_writing``). sphinx-thebe
   registers its configuration that way, ``const THEBE_JS_URL = ...``, so every page threw
   "Identifier 'THEBE_JS_URL' has already been declared". We drop such duplicates.

3. Single-page build (``python -m softmax_course pdf``, :mod:`softmax_course.tools.pdf`). Sphinx gives
   a builder the node handlers registered under its own name and ignores those registered for
   its format ("html") as soon as one extension registers any under the name: sphinx-exercise
   registers "singlehtml" handlers, so MyST-NB's hidden-code node had none and
   ``--builder singlehtml`` crashed. We hand the builder the "html" handlers it lacks.

4. Chinese interface. Sphinx's, the themes' and MyST-NB's zh_CN texts miss a few tooltips and
   labels, which showed in English ("Launch on Binder", "Color mode", "Link to this heading",
   "Toggle hidden content", ...). We add them to the message catalogs (and replace MyST-NB's
   fixed label). ``_templates/`` overrides the two sidebar buttons whose tooltips are fixed;
   the theme's fixed navigation labels "Main" and "Page" are replaced in the written pages.

5. Light pages. pydata-sphinx-theme puts three scripts on every page that only the search page
   needs (``searchtools.js``, ``language_data.js`` and the whole ``searchindex.js``) and
   ``fontawesome.js`` (1.5 MB, it turns the icon classes into SVG). After the build we remove
   them from the written pages (the search page keeps its search scripts); ``_assets/icons.css``
   draws the few icons the pages show. The search page gets ``_assets/search-snippets.js``,
   which makes result snippets from the article's prose instead of the page furniture and TeX.

7. Heading anchors. docutils cannot make an id from a Chinese title and numbers them
   (``#id1``, ``#id2``…), anchors that say nothing and change when a section is added. A section
   whose id is such a number gets its title as id instead (``#为什么分数不是概率``).

6. One-character words. Sphinx's Chinese index drops words of one character, so 熵 found
   nothing: single Chinese characters are kept, and a one-character course term (熵) is also
   indexed inside the words that contain it (交叉熵, 相对熵).
"""
from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import locale
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.search.zh import SearchChinese
from sphinx.transforms import SphinxTransform

#: Interface texts missing from the zh_CN catalogs, by catalog: Sphinx and pydata-sphinx-theme
#: ("sphinx") and sphinx-book-theme ("booktheme").
ZH_CN_MESSAGES = {
    "sphinx": {
        "Link to this heading": "链接到此标题",
        "Link to this equation": "链接到此公式",
        "Link to this image": "链接到此图片",
        "Link to this table": "链接到此表格",
        "Link to this code": "链接到此代码",
        "Color mode": "颜色模式",
        "System Settings": "跟随系统设置",
    },
    "booktheme": {
        "Launch interactive content": "在线运行本页",
        "Launch on": "启动",                 # the theme appends " Binder" / " Colab"
        "logo": "标志",
        "Print to PDF": "打印为 PDF",
    },
}
#: Fixed English attributes in MyST-NB's HTML, replaced in each page body.
ZH_CN_BODY = {
    'aria-label="Toggle hidden content"': 'aria-label="显示或隐藏代码"',
}
#: Fixed English navigation labels of the themes' templates, replaced in every written page.
ZH_CN_PAGE = {
    '<nav class="bd-links bd-docs-nav" aria-label="Main">':
        '<nav class="bd-links bd-docs-nav" aria-label="课程目录">',
    '<nav aria-label="Page">': '<nav aria-label="本页目录">',
}
#: Scripts removed from the written pages (``search`` pages keep the search scripts).
HEAVY_SCRIPTS = re.compile(
    r'[ \t]*<script (?:defer )?src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')
#: sphinx-design's stylesheet (55 KB) and tab script, which Jupyter Book loads on every page;
#: dropped from a page that uses no ``sd-`` class (no card, tab, grid or badge).
DESIGN_FILES = re.compile(
    r'[ \t]*<(?:link rel="stylesheet" type="text/css" href="[^"]*_static/sphinx-design\.min\.css'
    r'[^"]*" />|script [^>]*src="[^"]*_static/design-tabs\.js[^"]*"></script>)\n?')
DESIGN_USED = re.compile(r'class="(?:[^"]* )?sd-')
SEARCH_SCRIPTS = re.compile(
    r'[ \t]*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
    r'searchindex\.js)"></script>\n?')
#: The course terms, a jieba user dictionary (one word per line): the default search dictionary.
DICTIONARY = Path(__file__).with_name("jieba_dict.txt")


def course_terms(path: str | Path) -> list[str]:
    """The words of a jieba user dictionary (first field of each line).

    Example
    -------
    >>> terms = course_terms(DICTIONARY)
    >>> "交叉熵" in terms, len(terms) == len(set(terms))
    (True, True)
    """
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]


class SearchChineseCourse(SearchChinese):
    """Sphinx's Chinese splitter (jieba, search mode) that also emits the course terms found
    inside a compound word, so that every occurrence of a term is indexed under the term."""

    def init(self, options: dict[str, str]) -> None:
        super().init(options)
        self.course_terms = course_terms(options["dict"]) if options.get("dict") else []

    def split(self, input: str) -> list[str]:
        words = super().split(input)
        inside = [term for word in words if len(word) > 1
                  for term in self.course_terms if len(term) < len(word) and term in word]
        return words + inside

    def word_filter(self, stemmed_word: str) -> bool:
        """Keep words of two or more characters, and single Chinese characters (熵, 温)."""
        return len(stemmed_word) > 1 or bool(_CJK.fullmatch(stemmed_word))


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def heading_slug(title: str) -> str:
    """An HTML id made from a heading's text: words joined by hyphens, punctuation dropped.

    Example
    -------
    >>> heading_slug("为什么分数不是概率？"), heading_slug("softmax 的定义"), heading_slug("4.3 小结")
    ('为什么分数不是概率', 'softmax-的定义', '43-小结')
    """
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return re.sub(r"[\s-]+", "-", slug).strip("-")


class ReadableSectionIds(SphinxTransform):
    """Give sections whose id docutils numbered (``id1``) their title as id (see the module)."""

    default_priority = 100       # before the environment collects labels and the toc

    def apply(self, **kwargs: Any) -> None:
        for section in self.document.findall(nodes.section):
            ids = section["ids"]
            if not ids or not re.fullmatch(r"id\d+", ids[0]) or not section.children:
                continue
            base = heading_slug(section[0].astext()) or ids[0]
            slug, n = base, 1
            while slug in self.document.ids:
                n += 1
                slug = f"{base}-{n}"
            ids.insert(0, slug)
            self.document.ids[slug] = section


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str,
                           context: dict[str, Any], doctree: nodes.document | None) -> None:
    """Keep the first of several identical ``<script>`` entries of a page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        attributes = tuple(sorted((k, str(v)) for k, v in script.attributes.items()))
        key = (script.filename or "", script.priority, attributes)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique      # the builder restores its own list after each page


def resolve_search_dictionary(app: Sphinx, config: Config) -> None:
    """Set ``html_search_options["dict"]`` to an absolute path of an existing file.

    Without a ``dict`` in the configuration: the package's :data:`DICTIONARY`. A configured
    path is relative to the book's folder; a missing file is a :class:`ConfigError`.
    """
    options = dict(config.html_search_options or {})
    if options.get("dict"):
        path = Path(app.srcdir, options["dict"])
        if not path.is_file():
            raise ConfigError(f"html_search_options dict {options['dict']!r} does not exist "
                              f"(looked for {path}); fix the path in _config.yml, or remove "
                              f"it to use the course dictionary {DICTIONARY}")
    else:
        path = DICTIONARY
        if not path.is_file():
            raise ConfigError(f"the course search dictionary {path} is missing: reinstall the "
                              f"softmax_course package (pip install -e .)")
    options["dict"] = str(path)
    config.html_search_options = options


def add_chinese_messages(app: Sphinx) -> None:
    """Put ZH_CN_MESSAGES in front of the loaded catalogs (language zh_CN only)."""
    if app.config.language != "zh_CN":
        return
    for catalog, messages in ZH_CN_MESSAGES.items():
        translator = locale.get_translator(catalog)
        if isinstance(translator, gettext.GNUTranslations):
            # The same object is already installed in the HTML templates: update it in place.
            translator._catalog.update(messages)
        else:
            class Messages(gettext.NullTranslations):
                def gettext(self, message: str) -> str:
                    return messages.get(message) or super().gettext(message)

            new = Messages()
            new.add_fallback(translator)
            locale.translators["general", catalog] = new


#: Inline math followed by closing punctuation that must not start a line.
MATH_THEN_PUNCTUATION = re.compile(
    r'(<span class="math notranslate nohighlight">[^<]*</span>)([。，、；：！？）」』”’%]+)')


def keep_punctuation_with_math(body: str) -> str:
    """Wrap inline math and the punctuation right after it in ``<span class="math-punct">``,
    which custom.css keeps on one line, so that a "。" never wraps alone onto the next line
    after a formula (MathJax's formula box offers a line break before it).

    >>> keep_punctuation_with_math('<span class="math notranslate nohighlight">x</span>。')
    '<span class="math-punct"><span class="math notranslate nohighlight">x</span>。</span>'
    """
    return MATH_THEN_PUNCTUATION.sub(r'<span class="math-punct">\1\2</span>', body)


def bind_math_punctuation(app: Sphinx, pagename: str, templatename: str,
                          context: dict[str, Any], doctree: nodes.document | None) -> None:
    """Apply :func:`keep_punctuation_with_math` to a page body."""
    if "body" in context:
        context["body"] = keep_punctuation_with_math(context["body"])


def translate_body(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                   doctree: nodes.document | None) -> None:
    """Replace the fixed English attributes of ZH_CN_BODY in a page body (zh_CN only)."""
    if app.config.language == "zh_CN" and "body" in context:
        for english, chinese in ZH_CN_BODY.items():
            context["body"] = context["body"].replace(english, chinese)


def add_search_snippets(app: Sphinx, pagename: str, templatename: str,
                        context: dict[str, Any], doctree: nodes.document | None) -> None:
    """Load ``search-snippets.js`` on the search page only (after Sphinx's search script)."""
    if pagename == "search":
        app.add_js_file("search-snippets.js", loading_method="defer")


def lighten_page(html: str, *, search_page: bool) -> str:
    """A written page without fontawesome.js, without sphinx-design's files unless it uses
    them, without the search scripts unless it is the search page, and with Chinese navigation
    labels (see ZH_CN_PAGE).

    Example
    -------
    >>> page = ('<script defer src="_static/scripts/fontawesome.js?digest=1"></script>\\n'
    ...         '<script src="searchindex.js"></script>\\n<nav aria-label="Page">')
    >>> lighten_page(page, search_page=False)
    '<nav aria-label="本页目录">'
    >>> lighten_page(page, search_page=True)
    '<script src="searchindex.js"></script>\\n<nav aria-label="本页目录">'
    """
    html = HEAVY_SCRIPTS.sub("", html)
    if not DESIGN_USED.search(html):
        html = DESIGN_FILES.sub("", html)
    if not search_page:
        html = SEARCH_SCRIPTS.sub("", html)
    for english, chinese in ZH_CN_PAGE.items():
        html = html.replace(english, chinese)
    return html


def lighten_pages(app: Sphinx, exception: Exception | None) -> None:
    """Apply :func:`lighten_page` to every page the HTML builder wrote (build-finished)."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for path in outdir.rglob("*.html"):
        if "_static" in path.relative_to(outdir).parts:
            continue
        text = path.read_text(encoding="utf-8")
        new = lighten_page(text, search_page=path.relative_to(outdir).as_posix() == "search.html")
        if new != text:
            path.write_text(new, encoding="utf-8")


def share_html_node_handlers(app: Sphinx) -> None:
    """Give an HTML-format builder with its own handler table the "html" handlers it lacks."""
    builder = app.builder
    handlers = app.registry.translation_handlers
    if builder.format == "html" and builder.name != "html" and builder.name in handlers:
        for node, visitors in handlers.get("html", {}).items():
            handlers[builder.name].setdefault(node, visitors)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the Chinese splitter and connect the fixes (Sphinx's extension entry point)."""
    app.add_search_language(SearchChineseCourse)
    app.add_transform(ReadableSectionIds)
    app.connect("config-inited", resolve_search_dictionary)
    app.connect("builder-inited", share_html_node_handlers)
    app.connect("builder-inited", add_chinese_messages)
    app.connect("html-page-context", translate_body)
    app.connect("html-page-context", bind_math_punctuation)
    app.connect("html-page-context", add_search_snippets)
    app.connect("build-finished", lighten_pages)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
