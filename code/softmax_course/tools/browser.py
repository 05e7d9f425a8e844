"""Headless Chromium for the built book: finding the browser and serving the pages locally.

Shared by the browser tests (``tests/test_browser.py``) and the PDF export
(``python -m softmax_course pdf``, :mod:`softmax_course.tools.pdf`). The browser is Debian's
``chromium`` driven by the ``playwright`` package (its own browser download is never used):

    apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "INSTALL_CHROMIUM", "find_chromium", "serve_folder"]

#: Chromium flags: no sandbox (CI runs as root in a container), and nothing that phones home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: The Debian command that installs a Chromium and a Chinese font for it.
INSTALL_CHROMIUM = "apt-get install -y chromium fonts-noto-cjk"


def find_chromium() -> str | None:
    """The Chromium to drive: $COURSE_CHROMIUM, else Debian's /usr/bin/chromium or one on PATH.

    Returns
    -------
    str or None
        Path of an existing executable file, or None when no Chromium is installed.

    Example
    -------
    >>> import os
    >>> os.environ["COURSE_CHROMIUM"] = os.__file__    # any existing file is taken as is
    >>> find_chromium() == os.__file__
    True
    >>> del os.environ["COURSE_CHROMIUM"]
    """
    candidates = [os.environ.get("COURSE_CHROMIUM", ""), "/usr/bin/chromium"]
    candidates += [shutil.which(name) or "" for name in
                   ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr (keeps test output readable)."""

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: str | Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a free port of 127.0.0.1 while the block runs.

    Parameters
    ----------
    folder : path
        An existing folder (a built book's HTML folder).

    Yields
    ------
    str
        The base URL, ``http://127.0.0.1:PORT/``, ending with a slash.

    Raises
    ------
    FileNotFoundError
        When ``folder`` is not a folder.

    Example
    -------
    >>> import tempfile, urllib.request
    >>> direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = Path(tmp, "page.html").write_text("<p>你好</p>", encoding="utf-8")
    ...     with serve_folder(tmp) as site:
    ...         direct.open(site + "page.html").read().decode("utf-8")
    '<p>你好</p>'
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"serve_folder: folder must be an existing folder, got "
                                f"{str(folder)!r}; build the book first")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
