"""Binder and Colab, rehearsed locally: install as they do into a fresh venv, run a chapter.

* Binder (repo2docker) installs ``binder/requirements.txt`` (it prefers the ``binder/`` folder
  to the root files), running pip from the repository root; test_launch.py checks what the
  folder holds. Measured on the development machine (fresh venvs, no pip cache, 2 shared
  cores): binder/requirements.txt 738 MB in 440 s; the full requirements.txt 1056 MB in 1421 s.
* Colab runs the chapter's first cell, which installs the package alone from the repository:
  ``pip install "softmax-course @ git+<repository>"``. Here: ``pip install`` of a copy of the
  package's files (offline from GitHub), plus ipykernel, which Colab has.

Each test creates a virtual environment and downloads from PyPI (the pip cache makes repeated
runs fast): together about two to three minutes. Deselect them with ``-k "not binder and not
colab"`` when iterating on something else.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "04-softmax.ipynb"
# Printed by a cell put in front of the chapter: the kernel's Python, and the font file of the
# plot labels, which must come with the installed packages (Binder and Colab have no CJK font).
PROBE = ("import sys\nfrom softmax_course import plots\n"
         "print(sys.prefix)\nprint(plots.cjk_font_path())")


def make_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
    python = path / "bin" / "python"
    pip(python, "install", "--upgrade", "pip")
    return python


def pip(python: Path, *args: str, cwd: Path | None = None) -> None:
    proc = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, f"pip {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


def run_chapter_copy(python: Path, workdir: Path) -> nbformat.NotebookNode:
    """Execute a copy of the chapter with the venv's python; return the executed notebook.

    A first cell prints ``sys.prefix`` (the kernel ran in that venv) and the plot font.
    """
    nb = nbformat.read(CHAPTER, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    copy = workdir / CHAPTER.name
    nbformat.write(nb, copy)
    proc = subprocess.run([str(python), "-m", "softmax_course", "execute", str(copy)],
                          cwd=workdir, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"the chapter failed:\n{proc.stdout}\n{proc.stderr[-4000:]}"
    return nbformat.read(copy, as_version=4)


def check_ran_everything(executed: nbformat.NotebookNode, venv: Path) -> None:
    code = [c for c in executed.cells if c.cell_type == "code"]
    prefix, font = code[0].outputs[0]["text"].strip().splitlines()
    assert prefix == str(venv), f"the kernel ran in {prefix}, not in {venv}"
    assert Path(font).is_relative_to(venv), (
        f"the Chinese plot font comes from {font}, outside what pip installed; Binder and Colab "
        f"have no CJK system font (mplfonts must be a dependency)")
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    figures = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert figures, "the chapter drew no figure"


def test_binder_installs_requirements_and_runs_a_chapter(tmp_path):
    venv = tmp_path / "binder-venv"
    python = make_venv(venv)
    pip(python, "install", "-r", "binder/requirements.txt", cwd=ROOT)   # `-e .`: ROOT
    check_ran_everything(run_chapter_copy(python, tmp_path), venv)


def test_colab_installs_the_package_alone_and_runs_a_chapter(tmp_path):
    venv = tmp_path / "colab-venv"
    python = make_venv(venv)
    package = tmp_path / "package"               # what `git+<repository>` would check out
    package.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, package / name)
    shutil.copytree(ROOT / "code", package / "code",
                    ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    pip(python, "install", str(package), "ipykernel")
    check_ran_everything(run_chapter_copy(python, tmp_path), venv)
