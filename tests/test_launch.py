"""Launching and downloading: Binder and Colab buttons, the Colab install cell, downloads.

Everything here is checked offline, on the built HTML and the repository files. That Binder can
really install the environment and run a chapter is tested in test_binder.py.
"""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
import yaml

from softmax_course.tools import launch
from test_notebooks import toc_files

try:                      # Python 3.11+
    import tomllib
except ModuleNotFoundError:          # Python 3.10: requirements.txt installs tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
ORG, REPO = urlsplit(REPO_URL).path.strip("/").split("/")
NOTEBOOK_ENTRIES = [e for e in toc_files() if (ROOT / f"{e}.ipynb").is_file()]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PACKAGE = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def install_cell(repo_url: str) -> str:
    """The first code cell every chapter starts with (see softmax_course.tools.launch)."""
    return launch.install_cell(repo_url)


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
def test_install_cell_installs_the_package_of_pyproject():
    assert f'%pip install -q "{PACKAGE["name"]} @ git+$REPOSITORY"' in install_cell(REPO_URL)
    assert f'REPOSITORY = "{REPO_URL}"' in install_cell(REPO_URL)


def test_launch_check_passes_on_the_repository():
    proc = subprocess.run([sys.executable, "-m", "softmax_course", "launch", "--check"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def fake_course(tmp_path, monkeypatch, url: str):
    """A copy of _config.yml and two chapters in ``tmp_path``, as the repository root."""
    import shutil

    (tmp_path / "chapters").mkdir()
    shutil.copy2(ROOT / "_config.yml", tmp_path / "_config.yml")
    for path in CHAPTERS[:2]:
        shutil.copy2(path, tmp_path / "chapters" / path.name)
    monkeypatch.setattr(launch, "repo_root", lambda: tmp_path)
    return tmp_path


def test_launch_rewrites_config_and_chapters_for_a_fork(tmp_path, monkeypatch):
    root = fake_course(tmp_path, monkeypatch, REPO_URL)
    before = {p.name: nbformat.read(p, as_version=4) for p in (root / "chapters").glob("*")}
    fork = "https://github.com/a-school/softmax-fork"
    assert launch.cli(["--repository-url", fork, "--jupyterhub-url", "https://hub.example.edu"]) == 0
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"]["url"] == fork
    assert config["launch_buttons"]["jupyterhub_url"] == "https://hub.example.edu"
    assert config["launch_buttons"]["binderhub_url"] == CONFIG["launch_buttons"]["binderhub_url"]
    assert launch.check(root) == []
    for path in (root / "chapters").glob("*"):
        nb, old = nbformat.read(path, as_version=4), before[path.name]
        first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        assert nb.cells[first].source == install_cell(fork)
        # nothing else changed: outputs, execution counts, the other cells
        assert [c.get("execution_count") for c in nb.cells] == \
            [c.get("execution_count") for c in old.cells]
        nb.cells[first].source = old.cells[first].source
        assert nb == old
    # and back: a hub of "" switches the JupyterHub button off
    assert launch.cli(["--jupyterhub-url", ""]) == 0
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    assert config["launch_buttons"]["jupyterhub_url"] == ""


def test_launch_check_names_a_chapter_that_disagrees(tmp_path, monkeypatch, capsys):
    root = fake_course(tmp_path, monkeypatch, REPO_URL)
    path = sorted((root / "chapters").glob("*"))[0]
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = first.source.replace(REPO_URL, "https://github.com/someone/else")
    nbformat.write(nb, path)
    assert launch.cli(["--check"]) == 1
    assert path.name in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["github.com/a/b", "https://github.com/a/b/", "https://gitlab.com/a/b",
                                 "https://github.com/a/b.git x"])
def test_launch_rejects_a_url_that_is_not_a_repository(tmp_path, monkeypatch, capsys, bad):
    fake_course(tmp_path, monkeypatch, REPO_URL)
    assert launch.cli(["--repository-url", bad]) == 2
    assert "must be a GitHub repository URL like https://github.com/OWNER/REPO" in \
        capsys.readouterr().err


def test_jupyterhub_button_is_off_when_no_hub_is_set(book):
    hub = CONFIG["launch_buttons"].get("jupyterhub_url", None)
    assert hub is not None, "keep the jupyterhub_url setting in _config.yml (empty = off)"
    links = [h for e in NOTEBOOK_ENTRIES for h, _, _ in links_of(book, e) if "hub/user-redirect" in h]
    assert bool(links) == bool(hub)


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
    """Binder reads binder/runtime.txt; the package states what it needs."""
    for runtime_file in (ROOT / "runtime.txt", ROOT / "binder" / "runtime.txt"):
        runtime = runtime_file.read_text(encoding="utf-8").strip()
        match = re.fullmatch(r"python-3\.(\d+)", runtime)
        assert match, f"{runtime_file} should read python-3.X, not {runtime!r}"
        lowest = re.fullmatch(r">=\s*3\.(\d+)", PACKAGE["requires-python"])
        assert lowest and int(match[1]) >= int(lowest[1])


def test_binder_folder_holds_only_what_running_the_chapters_needs():
    """repo2docker uses binder/ instead of the root files: the package, a kernel, JupyterLab
    with MyST rendering; not the book build, the test tools or the browser driver."""
    for name in ("environment.yml", "Pipfile", "setup.py", "apt.txt", "postBuild", "Dockerfile"):
        assert not (ROOT / "binder" / name).exists(), f"binder/{name} changes what Binder builds"
    assert not (ROOT / ".binder").exists()
    lines = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "-e ." in [line.strip() for line in lines], "binder installs the course package"
    names = requirement_names(lines)
    assert {"jupyterlab", "jupyterlab-myst", "ipykernel"} <= names
    heavy = names & {"jupyter-book", "sphinx", "playwright", "pytest", "nbval", "hypothesis",
                     "sphinx-exercise", "jieba"}
    assert not heavy, f"binder/requirements.txt installs tools the chapters do not need: {heavy}"


def test_test_imports_are_declared():
    """Every third-party module the tests import comes from a distribution named in
    requirements.txt (how the declared floors were checked: see also the scipy floor below)."""
    import ast
    from importlib.metadata import packages_distributions

    declared = requirement_names((ROOT / "requirements.txt").read_text().splitlines())
    declared |= requirement_names(PACKAGE["dependencies"])
    dists = packages_distributions()
    local = {p.stem for p in (ROOT / "tests").glob("*.py")} | {"softmax_course"}
    missing = {}
    for path in (ROOT / "tests").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and \
                not node.level else []
            for name in names:
                top = name.split(".")[0]
                if top in local or top in sys.stdlib_module_names or top == "tomli":
                    continue
                owners = {d.lower().replace("_", "-") for d in dists.get(top, [])}
                if not owners & declared:
                    missing.setdefault(top, set()).add(path.name)
    assert not missing, f"imported by tests but not in requirements.txt: {missing}"


def test_declared_floors_cover_what_the_tests_use():
    """scipy.differentiate is new in scipy 1.15; tomllib in Python 3.11 (tomli below)."""
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    uses_differentiate = any("scipy.differentiate" in p.read_text(encoding="utf-8")
                             for p in (ROOT / "tests").glob("*.py"))
    floor = re.search(r"^scipy>=(\d+)\.(\d+)", text, re.M)
    assert floor, "requirements.txt must give scipy a floor"
    if uses_differentiate:
        assert (int(floor[1]), int(floor[2])) >= (1, 15), "scipy.differentiate needs scipy>=1.15"
    assert re.search(r'^tomli[^\n]*python_version\s*<\s*"3\.11"', text, re.M)


def test_colab_gets_every_runtime_dependency_of_the_package():
    """Colab installs the package alone (first cell): its own dependencies must cover what the
    chapters import from it, including the Chinese plot font."""
    declared = requirement_names(PACKAGE["dependencies"])
    for needed in ("numpy", "matplotlib", "ipywidgets", "mplfonts"):
        assert needed in declared, f"add {needed} to [project] dependencies in pyproject.toml"
