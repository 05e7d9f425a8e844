"""Re-execute the course's notebooks in place, the one way their stored outputs are produced."""
from __future__ import annotations

import argparse
import base64
import io
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from .common import repo_root

__all__ = ["chapter_notebooks", "compact_png", "compact_images", "execute_notebook",
           "fold_solutions", "NotebookExecutionError", "cli"]

#: Cells with this tag are solutions (see the exercise format in the README).
SOLUTION_TAG = "solution"
#: First line of every solution code cell: a folded cell shows its first line in JupyterLab,
#: which must not give the answer away.
SOLUTION_HEADER = "# 参考解答"
#: The same for a solution's prose: a MyST comment, which the book does not show.
SOLUTION_PROSE_HEADER = "% 参考解答"
#: Marker cells of a solution begin with its directive fence, which gives nothing away.
_FENCE_LINE = re.compile(r"^\s*(`{3,}|:{3,})")


class NotebookExecutionError(RuntimeError):
    """A cell failed: carries the notebook path, the cell number and the error text."""

    def __init__(self, path: Path, cell_number: int, error: str):
        self.path, self.cell_number, self.error = path, cell_number, error
        super().__init__(f"{path}: code cell {cell_number} failed:\n{error}")


def chapter_notebooks(root: Path | None = None) -> list[Path]:
    """Every notebook under ``chapters/``, in name order."""
    root = root or repo_root()
    return sorted(p for p in (root / "chapters").glob("*.ipynb"))


def fold_solutions(nb: nbformat.NotebookNode) -> int:
    """Fold every solution cell in JupyterLab until the student opens it; return how many.

    JupyterLab (and Notebook 7) hide a cell's source when its metadata has
    ``jupyter.source_hidden`` and a code cell's outputs with ``jupyter.outputs_hidden``; a
    click on the fold bar opens it. A folded cell still shows its first line, so a solution
    code cell starts with :data:`SOLUTION_HEADER` and a solution's prose with
    :data:`SOLUTION_PROSE_HEADER` (added when missing; marker cells start with their fence).
    The book ignores this metadata (sphinx-exercise draws the solutions as dropdowns). Other
    cells are unfolded, so a cell that stops being a solution does not stay hidden.

    Example
    -------
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("练习", metadata={}),
    ...     nbformat.v4.new_code_cell("answer = 1", metadata={"tags": ["solution"]})])
    >>> fold_solutions(nb), nb.cells[1].metadata["jupyter"]
    (1, {'source_hidden': True, 'outputs_hidden': True})
    >>> nb.cells[1].source
    '# 参考解答\\nanswer = 1'
    >>> "jupyter" in nb.cells[0].metadata
    False
    """
    folded = 0
    for cell in nb.cells:
        meta = cell.setdefault("metadata", {})
        if SOLUTION_TAG in meta.get("tags", []):
            fold = {"source_hidden": True}
            if cell.cell_type == "code":
                fold["outputs_hidden"] = True
                if cell.source.splitlines()[:1] != [SOLUTION_HEADER]:
                    cell.source = SOLUTION_HEADER + "\n" + cell.source
            elif cell.cell_type == "markdown" and not _FENCE_LINE.match(cell.source):
                if cell.source.splitlines()[:1] != [SOLUTION_PROSE_HEADER]:
                    cell.source = SOLUTION_PROSE_HEADER + "\n" + cell.source
            meta.setdefault("jupyter", {}).update(fold)
            folded += 1
        elif "jupyter" in meta:
            for key in ("source_hidden", "outputs_hidden"):
                meta["jupyter"].pop(key, None)
            if not meta["jupyter"]:
                del meta["jupyter"]
    return folded


def copy_figure_alt_text(nb: nbformat.NotebookNode) -> int:
    """Give the book the alt text a figure was displayed with; return how many cells got it.

    ``plots.show(fig, alt=...)`` puts the alt text in the PNG output's metadata, which
    JupyterLab reads; MyST-NB reads only the cell's ``mystnb.image.alt``. A cell showing one
    PNG with alt text and no ``mystnb.image.alt`` of its own gets that text copied there.
    """
    copied = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        alts = [out.get("metadata", {}).get("image/png", {}).get("alt", "")
                for out in cell.get("outputs", []) if "image/png" in out.get("data", {})
                and "text/html" not in out.get("data", {})]
        image = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
        if len(alts) == 1 and alts[0].strip() and not image.get("alt", "").strip():
            image["alt"] = alts[0]
            copied += 1
        if not image:
            del cell.metadata["mystnb"]["image"]
        if not cell.metadata["mystnb"]:
            del cell.metadata["mystnb"]
    return copied


#: Largest root-mean-square change of a colour channel (0–255) a palette PNG may make.
MAX_PALETTE_RMS = 2.0
DATA_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def compact_png(data: bytes) -> bytes:
    """``data`` (a PNG) as a 256-colour palette PNG when that is smaller and looks the same.

    Matplotlib writes 32-bit RGBA; a plot's flat colours and anti-aliased edges fit a palette,
    which makes the file about a third as large. An image with transparency, or one the palette
    would change by more than :data:`MAX_PALETTE_RMS` (a photograph-like gradient), is kept.
    """
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.mode == "P":
            return data
        if "A" in image.getbands() and image.getchannel("A").getextrema()[0] < 255:
            return data
        rgb = image.convert("RGB")
    palette = rgb.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    change = np.asarray(palette.convert("RGB"), float) - np.asarray(rgb, float)
    if np.sqrt(np.mean(change ** 2)) > MAX_PALETTE_RMS:
        return data
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue() if out.tell() < len(data) else data


def _compact_base64(text: str) -> str:
    return base64.b64encode(compact_png(base64.b64decode(text))).decode("ascii")


def compact_images(nb: nbformat.NotebookNode) -> tuple[int, int]:
    """Apply :func:`compact_png` to every PNG output and every PNG inside an HTML output.

    Returns the total size of those PNGs (bytes, decoded) before and after.
    """
    before = after = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                old = "".join(data["image/png"]).strip()
                data["image/png"] = _compact_base64(old)
                before += len(base64.b64decode(old))
                after += len(base64.b64decode(data["image/png"]))
            if "text/html" in data:
                html = "".join(data["text/html"])
                sizes = [len(base64.b64decode(m)) for m in DATA_PNG.findall(html)]
                html = DATA_PNG.sub(lambda m: "data:image/png;base64," + _compact_base64(m[1]),
                                    html)
                before += sum(sizes)
                after += sum(len(base64.b64decode(m)) for m in DATA_PNG.findall(html))
                data["text/html"] = html
    return before, after


def execute_notebook(path: Path, *, timeout: int = 300, kernel_name: str = "python3",
                     write: bool = True) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel and write it in place.

    No ipywidgets state is stored: the book shows each explorer's ``text/html`` view, which
    computes in the browser, and JupyterLab shows that view (or its picture) until the cell is
    run in a kernel; a saved state would only add weight to every page. The working directory
    of the kernel is the notebook's folder. On a failing cell the file is left untouched and
    :class:`NotebookExecutionError` names the notebook, the number of the failing code cell
    (counting from 1) and the error.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {path} does not exist; pass a path like "
                                f"chapters/04-softmax.ipynb")
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)          # a state saved by an earlier run or by JupyterLab
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name,
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=False, record_timing=False)
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as exc:
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        failing = next((i for i, c in enumerate(code_cells, 1)
                        if any(o.get("output_type") == "error" for o in c.get("outputs", []))),
                       sum(1 for c in code_cells if c.get("execution_count")) or 1)
        raise NotebookExecutionError(path, failing, str(exc).strip()[-2000:]) from None
    for cell in nb.cells:      # keep diffs small: no per-run metadata
        cell.get("metadata", {}).pop("execution", None)
    fold_solutions(nb)         # solutions folded in JupyterLab until opened
    copy_figure_alt_text(nb)   # alt text of plots.show(fig, alt=...) for the book
    compact_images(nb)         # palette PNGs: a third of the bytes for a reader on a phone
    if write:
        nbformat.write(nb, path)
    return nb


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m softmax_course execute",
                                     description="Re-execute notebooks in place (all chapters "
                                                 "when none is named).")
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or chapter_notebooks()
    if not paths:
        print("no notebooks found under chapters/", file=sys.stderr)
        return 1
    for i, path in enumerate(paths, 1):
        start = time.perf_counter()
        print(f"[{i}/{len(paths)}] {path} ...", end=" ", flush=True)
        try:
            execute_notebook(path, timeout=args.timeout)
        except (NotebookExecutionError, FileNotFoundError) as exc:
            print("FAILED")
            print(exc, file=sys.stderr)
            return 1
        print(f"ok ({time.perf_counter() - start:.1f} s)")
    return 0
