"""One repository setting for every launch link: ``python -m softmax_course launch``.

The repository URL in ``_config.yml`` (``repository: url:``) drives the book's repository
button and its Binder, Colab and JupyterHub launch links (Jupyter Book builds them from it), and
the install cell at the top of every chapter, which Colab runs to install the course package
from that repository. This command writes the URL into both places, so that a fork (or a
school's copy) points at itself::

    python -m softmax_course launch --repository-url https://github.com/OWNER/REPO
    python -m softmax_course launch --jupyterhub-url https://hub.example.edu   # "" switches off
    python -m softmax_course launch --check      # exit 1 when the chapters disagree

Only the install cell's source changes (it has no output), so the chapters need no
re-execution and keep their execution counts. Each notebook is read and written in one go;
when other people may edit notebooks at the same time, hold the notebook's lock, for example
``flock .locks/04-softmax.lock python -m softmax_course launch --repository-url URL
chapters/04-softmax.ipynb``.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from .common import repo_root

__all__ = ["PACKAGE", "install_cell", "is_install_cell", "configured_repository",
           "set_config_value", "rewrite_install_cell", "check", "cli"]

#: The distribution name of the course package (pyproject.toml ``[project] name``).
PACKAGE = "softmax-course"
_GITHUB = re.compile(r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def install_cell(repository_url: str) -> str:
    """The first code cell of every chapter: on Colab, install the package from the repository.

    Example
    -------
    >>> print(install_cell("https://github.com/a/b"))
    # 本地和 Binder 上课程代码包已经装好；在 Colab 上则先从代码仓库安装它。
    REPOSITORY = "https://github.com/a/b"
    try:
        import softmax_course
    except ModuleNotFoundError:
        %pip install -q "softmax-course @ git+$REPOSITORY"
        import softmax_course
    """
    _check_github_url(repository_url, "repository_url")
    return ("# 本地和 Binder 上课程代码包已经装好；在 Colab 上则先从代码仓库安装它。\n"
            f'REPOSITORY = "{repository_url}"\n'
            "try:\n"
            "    import softmax_course\n"
            "except ModuleNotFoundError:\n"
            f'    %pip install -q "{PACKAGE} @ git+$REPOSITORY"\n'
            "    import softmax_course")


def is_install_cell(source: str) -> bool:
    """Whether a cell is a chapter's install cell (this form or the older one-line form)."""
    return "import softmax_course" in source and "%pip install" in source and \
        "ModuleNotFoundError" in source


def _check_github_url(url: str, name: str) -> None:
    if not isinstance(url, str) or not _GITHUB.fullmatch(url):
        raise ValueError(f"{name} must be a GitHub repository URL like "
                         f"https://github.com/OWNER/REPO (no trailing slash or .git), got {url!r}")


def configured_repository(config_text: str) -> str:
    """The ``repository: url:`` of a ``_config.yml`` text.

    Example
    -------
    >>> configured_repository("repository:\\n  url: https://github.com/a/b\\n  branch: main\\n")
    'https://github.com/a/b'
    """
    match = re.search(r"^repository:\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*(\S+)", config_text, re.M)
    if not match:
        raise ValueError("_config.yml has no `repository: url:` setting; add one")
    return match[1].strip("\"'")


def set_config_value(config_text: str, section: str, key: str, value: str) -> str:
    """``config_text`` with ``section: key:`` set to ``value``, comments and order kept.

    Example
    -------
    >>> text = "launch_buttons:\\n  # hub\\n  jupyterhub_url: \\"\\"\\nhtml:\\n  x: 1\\n"
    >>> print(set_config_value(text, "launch_buttons", "jupyterhub_url", "https://hub.example"))
    launch_buttons:
      # hub
      jupyterhub_url: "https://hub.example"
    html:
      x: 1
    <BLANKLINE>
    """
    pattern = re.compile(rf"(^{re.escape(section)}:\n(?:(?:[ \t]+.*|[ \t]*)\n)*?[ \t]+"
                         rf"{re.escape(key)}:)[ \t]*.*$", re.M)
    new, count = pattern.subn(lambda m: f'{m[1]} "{value}"' if value == "" or ":" in value
                              else f"{m[1]} {value}", config_text, count=1)
    if not count:
        raise ValueError(f"_config.yml has no `{section}: {key}:` setting to change; add it")
    return new


def rewrite_install_cell(path: Path, repository_url: str) -> bool:
    """Put the install cell for ``repository_url`` into a notebook; True when it changed.

    The first code cell must be an install cell (:func:`is_install_cell`); only its source
    changes, outputs and execution counts stay.
    """
    nb = nbformat.read(path, as_version=4)
    first = next((c for c in nb.cells if c.cell_type == "code"), None)
    if first is None or not is_install_cell(first.source):
        raise ValueError(f"{path}: the first code cell is not the install cell; make it "
                         f"softmax_course.tools.launch.install_cell(URL)")
    wanted = install_cell(repository_url)
    if first.source == wanted:
        return False
    first.source = wanted
    nbformat.write(nb, path)
    return True


def chapter_paths(root: Path) -> list[Path]:
    return sorted((root / "chapters").glob("*.ipynb"))


def check(root: Path | None = None) -> list[str]:
    """Disagreements between ``_config.yml``'s repository URL and the chapters' install cells."""
    root = root or repo_root()
    url = configured_repository((root / "_config.yml").read_text(encoding="utf-8"))
    wanted = install_cell(url)
    problems = []
    for path in chapter_paths(root):
        nb = nbformat.read(path, as_version=4)
        first = next((c for c in nb.cells if c.cell_type == "code"), None)
        if first is None or first.source != wanted:
            problems.append(f"{path.relative_to(root)}: the install cell does not install from "
                            f"{url}")
    return problems


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m softmax_course launch",
        description="Point the repository button, the Binder/Colab/JupyterHub links and every "
                    "chapter's install cell at one repository (see _config.yml).")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="chapters to rewrite (default: every chapter)")
    parser.add_argument("--repository-url", help="https://github.com/OWNER/REPO")
    parser.add_argument("--jupyterhub-url", help="a JupyterHub for the launch button; '' = none")
    parser.add_argument("--check", action="store_true",
                        help="only report chapters that disagree with _config.yml (exit 1)")
    args = parser.parse_args(argv)
    root = repo_root()
    config_path = root / "_config.yml"
    if args.check:
        problems = check(root)
        print("\n".join(problems) or "every install cell uses the configured repository")
        return 1 if problems else 0
    text = config_path.read_text(encoding="utf-8")
    try:
        if args.repository_url is not None:
            _check_github_url(args.repository_url, "--repository-url")
            text = set_config_value(text, "repository", "url", args.repository_url)
        if args.jupyterhub_url is not None:
            if args.jupyterhub_url and not re.fullmatch(r"https?://\S+", args.jupyterhub_url):
                raise ValueError(f"--jupyterhub-url must be an http(s) URL or '', got "
                                 f"{args.jupyterhub_url!r}")
            text = set_config_value(text, "launch_buttons", "jupyterhub_url",
                                    args.jupyterhub_url.rstrip("/"))
        config_path.write_text(text, encoding="utf-8")
        url = configured_repository(text)
        changed = [p for p in (args.notebooks or chapter_paths(root))
                   if rewrite_install_cell(p, url)]
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"repository {url}: {len(changed)} install cells rewritten")
    return 0
