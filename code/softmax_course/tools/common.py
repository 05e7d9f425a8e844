"""Helpers shared by the course tools: where the repository is, how to run Jupyter Book, and
how to read a notebook cell's tags, source and printed outputs. Each lives here once."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

__all__ = ["repo_root", "jupyter_book", "run_jupyter_book", "cell_tags", "cell_source",
           "output_text"]


def repo_root() -> Path:
    """The repository root: the folder holding ``_toc.yml`` above this package (else the cwd)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "_toc.yml").is_file():
            return parent
    return Path.cwd()


def jupyter_book() -> str:
    """The ``jupyter-book`` executable of this Python environment (else the one on PATH)."""
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def run_jupyter_book(args: Sequence[str], *, timeout: float | None = None,
                     cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``jupyter-book ARGS`` with its output captured as text."""
    return subprocess.run([jupyter_book(), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def cell_tags(cell: Any) -> list[str]:
    """The tags in a cell's metadata (empty when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def cell_source(cell: Any) -> str:
    """A cell's source as one string (nbformat stores it as a string or a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def output_text(cell: Any, *, rich: bool = False) -> str:
    """What a code cell printed: its stream text and ``text/plain`` results, in order.

    With ``rich=True`` every ``text/*`` and JSON output (HTML, Markdown, widget state) is
    included too, for searching a notebook for a piece of text wherever it was rendered.
    """
    parts = []
    for out in cell.get("outputs", []) or []:
        if "text" in out:
            text = out["text"]
            parts.append(text if isinstance(text, str) else "".join(text))
        for mime, value in (out.get("data") or {}).items():
            if mime == "text/plain" or (rich and (mime.startswith("text/")
                                                   or mime.endswith("json"))):
                parts.append(value if isinstance(value, str)
                             else "".join(value) if mime.startswith("text/")
                             else json.dumps(value))
    return "".join(parts) if not rich else "\n".join(parts)
