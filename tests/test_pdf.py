"""``python -m softmax_course pdf``: the command line and its messages when a tool is missing.

The real export (a book build plus Chromium, minutes) is not part of the test run; it is
``python -m softmax_course pdf /tmp/book.pdf``.
"""
from __future__ import annotations

import builtins
import sys

import pytest

from softmax_course import __main__ as course_main
from softmax_course.tools import pdf
from softmax_course.tools.common import repo_root


def test_command_is_registered():
    assert course_main.COMMANDS["pdf"] == "softmax_course.tools.pdf"
    assert "pdf [OUT.pdf]" in course_main.__doc__


def test_root_is_the_repository_and_not_computed_at_import():
    assert (repo_root() / "_toc.yml").is_file()
    assert not hasattr(pdf, "ROOT"), "the root is looked up when a PDF is made, not at import"


def test_no_chromium_names_the_install_command(monkeypatch, capsys):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    monkeypatch.setattr(pdf, "build_single_page",
                        lambda *a: pytest.fail("must not build without a browser"))
    assert course_main.main(["pdf", "out.pdf"]) == 1
    err = capsys.readouterr().err
    assert "no Chromium found" in err
    assert "apt-get install -y chromium fonts-noto-cjk" in err


def test_no_playwright_says_how_to_install_it(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_playwright(name, *args, **kwargs):
        if name.startswith("playwright"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(pdf, "find_chromium", lambda: sys.executable)
    monkeypatch.delitem(sys.modules, "playwright.sync_api", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_playwright)
    monkeypatch.setattr(pdf, "build_single_page",
                        lambda *a: pytest.fail("must not build without playwright"))
    assert pdf.cli([]) == 1
    err = capsys.readouterr().err
    assert "needs the `playwright` package" in err and "pip install -r requirements.txt" in err


def test_failed_build_is_reported(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "jupyter_book", lambda: sys.executable)   # python build ... fails
    with pytest.raises(pdf.PdfError, match="jupyter-book build --builder singlehtml failed"):
        pdf.build_single_page(tmp_path)


def test_too_many_arguments_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        pdf.cli(["a.pdf", "b.pdf"])
    assert stop.value.code == 2
    assert "unrecognized arguments: b.pdf" in capsys.readouterr().err
