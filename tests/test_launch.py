"""Launching and downloading: Binder and Colab buttons, the Colab install cell, downloads.

Everything here is checked offline, on the built HTML and the repository files. That Binder can
really install the environment and run a chapter is tested in test_binder.py.
"""
from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
import yaml

from test_notebooks import toc_files

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
ORG, REPO = urlsplit(REPO_URL).path.strip("/").split("/")
NOTEBOOK_ENTRIES = [e for e in toc_files() if (ROOT / f"{e}.ipynb").is_file()]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PACKAGE = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def install_cell(repo_url: str) -> str:
    """The first code cell every chapter starts with (see the conventions)."""
    return ("# 本地和 Binder 上课程代码包已经装好；在 Colab 上则先从代码仓库安装它。\n"
            "try:\n"
            "    import softmax_course\n"
            "except ModuleNotFoundError:\n"
            f'    %pip install -q "{PACKAGE["name"]} @ git+{repo_url}"\n'
            "    import softmax_course")


class _Links(HTMLParser):
    """Every <a> of a page: (href, title, class)."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            a = dict(attrs)
            self.links.append((a.get("href") or "", a.get("title") or "", a.get("class") or ""))


def links_of(built_book, entry: str) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed((built_book.html / f"{entry}.html").read_text(encoding="utf-8"))
    return parser.links


@pytest.fixture(scope="module")
def book(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    return built_book


# ---------------------------------------------------------------------------------------------
# The repository URL, once
# ---------------------------------------------------------------------------------------------
def test_repository_url_is_a_github_repository():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", REPO_URL), REPO_URL
    assert CONFIG["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_installs_from_the_configured_repository(path):
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source == install_cell(REPO_URL), (
        f"{path.name}: the first code cell must be the Colab install cell with the repository "
        f"URL of _config.yml ({REPO_URL})")


# ---------------------------------------------------------------------------------------------
# Launch buttons
# ---------------------------------------------------------------------------------------------
def test_there_are_notebook_pages():
    assert NOTEBOOK_ENTRIES, "no notebook in _toc.yml"


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_binder_button_opens_this_notebook(book, entry):
    expected = (f"https://mybinder.org/v2/gh/{ORG}/{REPO}/{BRANCH}"
                f"?urlpath=lab/tree/{entry}.ipynb")
    binder = [href for href, _, _ in links_of(book, entry) if "mybinder.org" in href]
    assert binder == [expected]


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_colab_button_opens_this_notebook(book, entry):
    expected = (f"https://colab.research.google.com/github/{ORG}/{REPO}/blob/{BRANCH}/"
                f"{entry}.ipynb")
    colab = [href for href, _, _ in links_of(book, entry) if "colab.research" in href]
    assert colab == [expected]


@pytest.mark.parametrize("entry", toc_files())
def test_repository_button(book, entry):
    assert (REPO_URL, "源码库") in [(h, t) for h, t, _ in links_of(book, entry)]


# ---------------------------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------------------------
def test_download_button_is_switched_on():
    assert CONFIG["html"]["use_download_button"] is True


@pytest.mark.parametrize("entry", toc_files())
def test_page_offers_its_source_for_download(book, entry):
    source = next(p for p in (ROOT / f"{entry}.ipynb", ROOT / f"{entry}.md") if p.is_file())
    downloads = [h for h, _, c in links_of(book, entry) if "btn-download-source-button" in c]
    assert len(downloads) == 1, downloads
    target = (book.html / entry).parent / downloads[0]
    assert target.resolve() == (book.html / "_sources" / f"{entry}{source.suffix}").resolve()
    assert target.is_file(), f"{target} is missing from the build"
    # the very notebook of the repository, outputs and widget state included
    assert target.read_bytes() == source.read_bytes()


# ---------------------------------------------------------------------------------------------
# What Binder and Colab install
# ---------------------------------------------------------------------------------------------
def requirement_names(lines: list[str]) -> set[str]:
    names = set()
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\s<>=!~;\[@]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_binder_python_version_fits_the_package():
    """Binder reads runtime.txt (Python 3.10 without it); the package states what it needs."""
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert match, f"runtime.txt should read python-3.X, not {runtime!r}"
    lowest = re.fullmatch(r">=\s*3\.(\d+)", PACKAGE["requires-python"])
    assert lowest and int(match[1]) >= int(lowest[1])


def test_binder_needs_nothing_but_requirements():
    """repo2docker would prefer these over requirements.txt, or add system packages."""
    for name in ("environment.yml", "Pipfile", "setup.py", "apt.txt", "postBuild", "Dockerfile",
                 "binder", ".binder"):
        assert not (ROOT / name).exists(), f"{name} changes what Binder builds"
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[-1].strip() == "-e .", "the course package is installed from the repository"


def test_colab_gets_every_runtime_dependency_of_the_package():
    """Colab installs the package alone (first cell): its own dependencies must cover what the
    chapters import from it, including the Chinese plot font."""
    declared = requirement_names(PACKAGE["dependencies"])
    for needed in ("numpy", "matplotlib", "ipywidgets", "mplfonts"):
        assert needed in declared, f"add {needed} to [project] dependencies in pyproject.toml"
