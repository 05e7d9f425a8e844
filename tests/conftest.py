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


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by playwright, one per test module.

    Skipped without a Chromium, except in CI (``.ci/run`` installs one), where it fails; a
    Chromium without the ``playwright`` package is an incomplete environment: it fails too.
    """
    from softmax_course.tools.browser import CHROMIUM_ARGS, INSTALL_CHROMIUM, find_chromium

    chromium = find_chromium()
    if chromium is None:
        message = f"no Chromium installed (Debian: {INSTALL_CHROMIUM}); the browser tests need one"
        if os.environ.get("CI"):
            pytest.fail(f"{message}. CI must install it (see .ci/run).")
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need the `playwright` package (pip install -r "
                    "requirements.txt); its browser download is not needed")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
