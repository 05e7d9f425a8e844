"""Shared fixtures: the repository root and one build of the book per test session."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# Hypothesis: no deadlines (CI machines are slow and shared); CI=true selects hypothesis' own
# derandomized "ci" profile automatically.
settings.register_profile("course", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
if not os.environ.get("CI"):
    settings.load_profile("course")


@dataclass
class BookBuild:
    """Result of ``jupyter-book build``: the HTML folder, the log and the exit code."""

    html: Path
    log: str
    returncode: int


def build_book(source: Path, out: Path, *extra: str) -> BookBuild:
    """Build the Jupyter Book at ``source`` into ``out`` with warnings as errors."""
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe), "build", str(source), "--path-output", str(out),
           "--warningiserror", "--nitpick", "--keep-going", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    return BookBuild(out / "_build" / "html", proc.stdout + proc.stderr, proc.returncode)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> BookBuild:
    """The course book, built once per session into a temporary folder.

    ``COURSE_BUILT_BOOK=DIR`` reuses a book built with ``jupyter-book build . --path-output DIR
    -W -n --keep-going`` (while iterating on tests; the build log is then not checked).
    """
    reuse = os.environ.get("COURSE_BUILT_BOOK")
    if reuse:
        html = Path(reuse) / "_build" / "html"
        assert html.is_dir(), f"COURSE_BUILT_BOOK={reuse} holds no _build/html; build it first"
        return BookBuild(html, "build succeeded (reused). dumping search index in Chinese", 0)
    return build_book(ROOT, tmp_path_factory.mktemp("book"))
