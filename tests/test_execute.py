"""`python -m softmax_course execute` runs notebooks in place and reports failures precisely."""
from __future__ import annotations

import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def write_notebook(path, sources):
    nb = new_notebook(cells=[new_markdown_cell("# t")] + [new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def run(*args):
    return subprocess.run([sys.executable, "-m", "softmax_course", *args], capture_output=True,
                          text=True, timeout=300)


def test_execute_writes_outputs_and_no_widget_state(tmp_path):
    path = tmp_path / "ok.ipynb"
    write_notebook(path, ["x = 6 * 7\nprint(x)",
                          "import ipywidgets as w\nw.IntSlider(value=3, description='n')"])
    proc = run("execute", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "[1/1]" in proc.stdout and "ok" in proc.stdout
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2]
    assert code[0].outputs[0].text == "42\n"
    assert "widget-view+json" in str(code[1].outputs)      # the widget itself is displayed,
    assert "widgets" not in nb.metadata                      # but no state weighs on the page


def test_execute_drops_a_previously_saved_widget_state(tmp_path):
    path = tmp_path / "old.ipynb"
    write_notebook(path, ["1 + 1"])
    nb = nbformat.read(path, as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, path)
    assert run("execute", str(path)).returncode == 0
    assert "widgets" not in nbformat.read(path, as_version=4).metadata


def test_execute_names_notebook_cell_and_error(tmp_path):
    path = tmp_path / "bad.ipynb"
    write_notebook(path, ["a = 1", "a / 0", "print('never')"])
    before = path.read_text()
    proc = run("execute", str(path))
    assert proc.returncode == 1
    assert str(path) in proc.stderr
    assert "code cell 2 failed" in proc.stderr
    assert "ZeroDivisionError" in proc.stderr
    assert path.read_text() == before, "a failed run must leave the notebook untouched"


def test_execute_missing_notebook_and_unknown_command(tmp_path):
    proc = run("execute", str(tmp_path / "nope.ipynb"))
    assert proc.returncode == 1 and "does not exist" in proc.stderr
    proc = run("frobnicate")
    assert proc.returncode == 2 and "unknown command 'frobnicate'" in proc.stderr


def test_execute_folds_solution_cells_for_jupyterlab(tmp_path):
    """Re-execution keeps solutions folded in JupyterLab (cell metadata `jupyter`)."""
    path = tmp_path / "ex.ipynb"
    nb = new_notebook(cells=[
        new_markdown_cell("# t"),
        new_code_cell("x = 1", metadata={"jupyter": {"source_hidden": True}}),   # stale fold
        new_markdown_cell("解答", metadata={"tags": ["solution"]}),
        new_code_cell("print(x + 1)", metadata={"tags": ["solution"]})])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    proc = run("execute", str(path))
    assert proc.returncode == 0, proc.stderr
    cells = nbformat.read(path, as_version=4).cells
    assert "jupyter" not in cells[1].metadata
    assert cells[2].metadata["jupyter"] == {"source_hidden": True}
    assert cells[3].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert cells[3].outputs[0]["text"] == "2\n"          # folded, still executed


def test_committed_chapters_fold_their_solutions(root):
    chapters = sorted((root / "chapters").glob("*.ipynb"))
    unfolded = {}
    for path in chapters:
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if "solution" in cell.metadata.get("tags", []) and \
                    not cell.metadata.get("jupyter", {}).get("source_hidden"):
                unfolded.setdefault(path.name, []).append(i)
    assert not unfolded, (f"solution cells not folded (run python -m softmax_course execute): "
                          f"{unfolded}")


def test_folded_solutions_show_no_code_in_their_first_line(root):
    """JupyterLab shows a folded cell's first line: it must be the header, not the answer."""
    import re

    from softmax_course.tools.execute import SOLUTION_HEADER, SOLUTION_PROSE_HEADER

    def safe(cell) -> bool:
        first = cell.source.splitlines()[:1]
        if cell.cell_type == "code":
            return first == [SOLUTION_HEADER]
        return first == [SOLUTION_PROSE_HEADER] or bool(
            re.match(r"\s*(`{3,}|:{3,})\{solution-(start|end)\}", cell.source))

    cells = [(path.name, i, cell) for path in sorted((root / "chapters").glob("*.ipynb"))
             for i, cell in enumerate(nbformat.read(path, as_version=4).cells)
             if "solution" in cell.metadata.get("tags", [])]
    assert len(cells) > 80
    revealing = [(name, i) for name, i, cell in cells if not safe(cell)]
    assert not revealing, f"solution cells whose first line gives the answer away: {revealing}"


def test_execute_copies_a_figures_alt_text_to_the_cell_for_the_book(tmp_path):
    path = tmp_path / "fig.ipynb"
    write_notebook(path, [
                          "from softmax_course import plots\n"
                          "fig, ax = plots.new_figure()\nax.plot([0, 1])\n"
                          "plots.show(fig, alt='一条直线')"])
    assert run("execute", str(path)).returncode == 0
    cell = nbformat.read(path, as_version=4).cells[1]
    assert cell.metadata["mystnb"]["image"]["alt"] == "一条直线"


def _png(array) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG")
    return out.getvalue()


def _pixels(data: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), float)


def test_compact_png_shrinks_a_plot_without_visible_change():
    import io

    import matplotlib
    import numpy as np

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from softmax_course.tools.execute import MAX_PALETTE_RMS, compact_png

    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    x = np.linspace(0, 6, 200)
    for k in range(4):
        ax.plot(x, np.sin(x + k), label=f"k={k}")
    ax.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    raw = buf.getvalue()
    small = compact_png(raw)
    assert len(small) < 0.6 * len(raw)
    change = _pixels(small) - _pixels(raw)
    assert np.sqrt(np.mean(change ** 2)) <= MAX_PALETTE_RMS
    assert compact_png(small) == small                      # idempotent: already a palette


def test_compact_png_keeps_transparency_and_photographs():
    import numpy as np

    from softmax_course.tools.execute import compact_png

    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 3] = 128                                          # half transparent
    assert compact_png(_png(rgba)) == _png(rgba)
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    assert compact_png(_png(noise)) == _png(noise)              # a palette would change it


def test_compact_images_reaches_pngs_inside_html(tmp_path):
    import base64

    import numpy as np

    from softmax_course.tools.execute import compact_images

    stripes = np.zeros((40, 60, 3), np.uint8)
    stripes[:, ::3] = (200, 30, 30)
    png = base64.b64encode(_png(stripes)).decode()
    nb = new_notebook(cells=[new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.from_dict({
        "output_type": "display_data", "metadata": {},
        "data": {"image/png": png, "text/html": f'<img src="data:image/png;base64,{png}">'}})]
    before, after = compact_images(nb)
    data = nb.cells[0].outputs[0]["data"]
    assert before == 2 * len(base64.b64decode(png)) and after < before
    assert data["image/png"] != png and png not in data["text/html"]
    assert np.array_equal(_pixels(base64.b64decode(data["image/png"])), stripes)


def test_committed_chapters_store_compact_pictures(root):
    """The stored outputs are what `execute` writes: compacting them again changes nothing."""
    from softmax_course.tools.execute import compact_images

    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        before, after = compact_images(nb)
        assert after == before, f"{path.name}: re-run python -m softmax_course execute {path}"
