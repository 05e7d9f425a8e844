"""The whole book as one PDF, printed offline by Chromium (not part of the test run).

    python -m softmax_course pdf [OUT.pdf]     (default: _build/pdf/softmax-regression.pdf)

Builds the book as a single HTML page (``jupyter-book build --builder singlehtml``) into a
temporary folder, opens it in headless Chromium with every request to another host blocked,
waits for MathJax and the saved widgets, opens every collapsed block (hidden code, solutions)
and prints it (long code lines wrap). Needs what the browser tests need (see
:mod:`softmax_course.tools.browser`): Debian's ``chromium`` and ``fonts-noto-cjk``, and the
``playwright`` package (not its browser download). Jupyter Book's own ``--builder pdfhtml``
cannot be used: it asks playwright for its downloaded browser. The PDF is the teacher edition
(solutions included).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .browser import CHROMIUM_ARGS, INSTALL_CHROMIUM, find_chromium, serve_folder
from .common import jupyter_book, repo_root

__all__ = ["PdfError", "build_single_page", "print_pdf", "make_pdf", "cli"]

DEFAULT_PDF = Path("_build", "pdf", "softmax-regression.pdf")     # relative to the root

#: Run in the page before printing: every folded block open, the toggle buttons gone.
OPEN_EVERYTHING = """
() => {
  document.querySelectorAll("details").forEach(d => d.open = true);
  document.querySelectorAll(".toggle-hidden").forEach(e => e.classList.remove("toggle-hidden"));
  document.querySelectorAll("button.toggle-button").forEach(b => b.remove());
}
"""


class PdfError(RuntimeError):
    """The PDF cannot be made: a missing tool, or a failed build."""


def build_single_page(out: Path, root: Path | None = None) -> Path:
    """Build the book at ``root`` as one HTML page under ``out``; return the HTML folder.

    The page is ``book.html`` in the returned folder, next to ``_static/`` and ``_images/``.

    Raises
    ------
    PdfError
        When ``jupyter-book build`` fails (the end of its log is in the message).
    """
    root = Path(root) if root is not None else repo_root()
    proc = subprocess.run([jupyter_book(), "build", str(root), "--builder", "singlehtml",
                           "--path-output", str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise PdfError(f"jupyter-book build --builder singlehtml failed:\n"
                       f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    html = out / "_build" / "singlehtml"
    # The single page is written as chapters/00-intro.html (the toc root, with index.html a
    # redirect to it) but its links to _static/ and _images/ are relative to the top folder.
    root_doc = re.search(r'url=([^"]+)"', (html / "index.html").read_text(encoding="utf-8"))[1]
    (html / "book.html").write_bytes((html / root_doc).read_bytes())
    return html


def _playwright():
    """playwright's ``sync_playwright``, or a PdfError saying how to install it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError("the PDF needs the `playwright` package: pip install -r requirements.txt "
                       "(its browser download is not needed)") from None
    return sync_playwright


def _chromium() -> str:
    """The Chromium executable, or a PdfError with the command that installs one."""
    chromium = find_chromium()
    if chromium is None:
        raise PdfError(f"no Chromium found; on Debian/Ubuntu: {INSTALL_CHROMIUM} (or set "
                       f"COURSE_CHROMIUM to a Chromium executable)")
    return chromium


def print_pdf(html: Path, pdf: Path) -> None:
    """Print ``html/book.html`` to ``pdf`` (A4) with headless Chromium, offline.

    Raises
    ------
    PdfError
        Without Chromium or the ``playwright`` package.
    """
    chromium = _chromium()
    sync_playwright = _playwright()
    with serve_folder(html) as site, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site)
                          else r.abort())
            page = context.new_page()
            page.goto(site + "book.html", wait_until="networkidle")
            page.evaluate("() => (window.MathJax && MathJax.startup) ? "
                          "MathJax.startup.promise.then(() => true) : false")
            page.evaluate(OPEN_EVERYTHING)
            page.add_style_tag(content="pre { white-space: pre-wrap !important; }")  # no cut lines
            page.wait_for_timeout(1000)
            pdf.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(pdf), format="A4", print_background=True,
                     margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
        finally:
            browser.close()


def make_pdf(pdf: Path | str | None = None, root: Path | None = None) -> Path:
    """Build the book at ``root`` and print it to ``pdf``; return the PDF's absolute path.

    Parameters
    ----------
    pdf : path, optional
        Output file (default ``_build/pdf/softmax-regression.pdf`` in the repository).
    root : path
        The course repository (the folder holding ``_toc.yml``).

    Raises
    ------
    PdfError
        Without Chromium or playwright (checked before the build), or when the build fails.
    """
    root = Path(root) if root is not None else repo_root()
    pdf = Path(pdf).expanduser().resolve() if pdf else root / DEFAULT_PDF
    _chromium()            # fail before a build of several minutes
    _playwright()
    with tempfile.TemporaryDirectory() as tmp:
        html = build_single_page(Path(tmp), root)
        print_pdf(html, pdf)
    return pdf


def cli(argv: list[str]) -> int:
    """``python -m softmax_course pdf [OUT.pdf]``: print the book; 1 on error, with a message."""
    parser = argparse.ArgumentParser(
        prog="python -m softmax_course pdf",
        description="Print the whole book (teacher edition) to one PDF with headless Chromium.")
    parser.add_argument("out", nargs="?", metavar="OUT.pdf",
                        help=f"output file (default: {DEFAULT_PDF})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        pdf = make_pdf(args.out)
    except PdfError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{pdf} ({pdf.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.0f} s")
    return 0
