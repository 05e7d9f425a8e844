"""Structural checks of the chapter notebooks that nbval alone cannot see."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
PACKAGE_OWNED = ("softmax", "log_softmax", "logsumexp", "cross_entropy", "cross_entropy_grad",
                 "one_hot", "accuracy", "confusion_matrix")


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            for part in entry.get("parts", []) or []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    return files


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_executed_in_order(path):
    """nbval skips cells without stored outputs, so a never-executed notebook would pass it."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)}; re-run it with "
        f"`python -m softmax_course execute {path.relative_to(ROOT)}`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_error_outputs_and_no_figure_reprs(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{path.name}: code cell {i + 1} errored"
            if out.get("output_type") == "stream":
                assert out.get("name") != "stderr", (
                    f"{path.name}: code cell {i + 1} wrote to stderr: {out.get('text', '')[:200]}")
            text = out.get("data", {}).get("text/plain", "")
            if "image/png" not in out.get("data", {}):
                assert not re.match(r"<(Figure|matplotlib)", text), (
                    f"{path.name}: code cell {i + 1} shows a figure repr; end it with plt.show()")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_the_package_and_copies_nothing(path):
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "sys.path" not in source
    for name in PACKAGE_OWNED:
        assert not re.search(rf"^\s*def {name}\(", source, re.M), (
            f"{path.name} defines {name}(), which the package owns; import it instead")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_images_have_alt_text(path):
    """Every picture the book shows has alt text.

    The book prefers an output's ``text/html`` to its ``image/png`` (``nb_mime_priority_overrides``
    in _config.yml): an explorer's picture is then the ``<img>`` in its HTML, which must carry
    ``alt``; a plain figure's PNG takes its alt text from the cell's ``mystnb.image.alt``.
    """
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                html = "".join(data["text/html"])
                imgs = re.findall(r"<img\b[^>]*>", html)
                bare = [tag[:80] for tag in imgs if not re.search(r'\balt="[^"]*\S[^"]*"', tag)]
                assert not bare, f"{path.name}: code cell {i + 1} shows images without alt {bare}"
            elif "image/png" in data:
                alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
                assert alt.strip(), f"{path.name}: code cell {i + 1} draws a figure without alt text"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_is_in_the_toc(path):
    assert f"chapters/{path.stem}" in toc_files()
