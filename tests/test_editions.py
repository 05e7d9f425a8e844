"""Student edition: no solution anywhere, stubs fail their self-checks, solutions pass them.

The kernel tests run the code cells of every real chapter twice, in fresh kernels running side
by side: the teacher version (all cells) must pass every self-check, the student version
(solution cells removed) must fail every one of them, each with a message. The student book is
built once per module and searched for every solution text.
"""
from __future__ import annotations

import asyncio
import html
import json
import re
import secrets
from pathlib import Path

import nbformat
import nbformat.v4 as v4
import pytest
from nbclient import NotebookClient

from exercise_notebooks import (chapter_notebook, fake_outputs, label, secret_code,
                                secret_sentence, write_book)
from softmax_course.tools.catalog import find_exercises
from softmax_course.tools.editions import (MARKER_FILE, StudentEditionError, find_leaks,
                                     make_student_edition, make_student_notebook, normalize,
                                     solution_needles)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
WITH_EXERCISES = [p for p in CHAPTERS if find_exercises(nbformat.read(p, as_version=4))]


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


# --------------------------------------------------------------------------- student notebook
def test_student_notebook_removes_solutions_and_clears_answers():
    teacher = fake_outputs(chapter_notebook("99", 2))
    before = nbformat.writes(teacher)
    student = make_student_notebook(teacher)
    assert nbformat.writes(teacher) == before, "the teacher notebook must not change"
    assert not any("solution" in tags(c) for c in student.cells)
    assert len(student.cells) == len(teacher.cells) - 2 * 4
    nbformat.validate(student)
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        if {"answer", "self-check"} & set(tags(cell)):
            assert cell.outputs == [] and cell.execution_count is None
            assert "execution" not in cell.metadata
        else:   # other outputs stay, so the student book still shows them
            assert cell.outputs and cell.execution_count is not None
    text = nbformat.writes(student)
    for i in (1, 2):
        assert secret_sentence("99", i) not in text and secret_code(i) not in text
        assert f"answer_{i} = ..." in text


def widget_view(model_id: str) -> dict:
    return v4.new_output("display_data", data={
        "text/plain": "Widget", "application/vnd.jupyter.widget-view+json": {
            "model_id": model_id, "version_major": 2, "version_minor": 0}})


def test_widgets_shown_only_by_solutions_lose_their_saved_state():
    teacher = chapter_notebook("99", 1)
    teacher.cells[2].outputs = [widget_view("aa01")]
    solution = next(c for c in teacher.cells if c.cell_type == "code"
                    and "solution" in tags(c))
    solution.outputs = [widget_view("bb02")]
    state = {"aa01": {"state": {"children": ["IPY_MODEL_aa02"]}}, "aa02": {"state": {}},
             "bb02": {"state": {"outputs": [{"data": {"text/plain": "秘密的图"}}],
                                "layout": "IPY_MODEL_bb03"}},
             "bb03": {"state": {}}}
    teacher.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": state, "version_major": 2, "version_minor": 0}}
    student = make_student_notebook(teacher)
    kept = student.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert sorted(kept) == ["aa01", "aa02"]
    assert sorted(state) == ["aa01", "aa02", "bb02", "bb03"]     # teacher unchanged
    del solution.outputs[:]
    assert sorted(make_student_notebook(teacher).metadata["widgets"][
        "application/vnd.jupyter.widget-state+json"]["state"]) == sorted(state)


# --------------------------------------------------------------------------- leak search
def test_needles_skip_generic_lines_and_find_rendered_text(tmp_path):
    teacher = chapter_notebook("99", 1)
    needles = solution_needles([teacher])
    assert normalize(secret_sentence("99", 1)) in needles
    assert normalize(secret_code(1)) in needles
    assert normalize(":class: dropdown") not in needles          # directive option
    assert normalize(teacher.cells[6].source) not in needles     # the self-check call is public
    page = tmp_path / "page.html"
    page.write_text("<p>秘密解法第99章<strong>第1题</strong>：先把六和七相乘，<br>再减去二，"
                    "最后加上题号。</p>", encoding="utf-8")
    assert find_leaks(tmp_path, needles) == [(page, normalize(secret_sentence("99", 1)))]
    page.unlink()
    index = tmp_path / "searchindex.js"
    index.write_text(json.dumps({"t": secret_sentence("99", 1)}), encoding="utf-8")  # \\u escapes
    assert find_leaks(tmp_path, needles)[0][0] == index


def test_leak_in_downloadable_notebook_is_found(tmp_path):
    teacher = chapter_notebook("99", 1)
    (tmp_path / "_sources").mkdir()
    nbformat.write(teacher, tmp_path / "_sources" / "99-demo.ipynb")
    leaks = find_leaks(tmp_path, solution_needles([teacher]))
    assert leaks and all(path.name == "99-demo.ipynb" for path, _ in leaks)
    nbformat.write(make_student_notebook(teacher), tmp_path / "_sources" / "99-demo.ipynb")
    assert find_leaks(tmp_path, solution_needles([teacher])) == []


# --------------------------------------------------------------------------- the edition, no build
@pytest.fixture
def book(tmp_path):
    return write_book(tmp_path / "book", {"01": 2, "02": 3})


def test_edition_copies_the_book_without_solutions(book, tmp_path):
    out = tmp_path / "student"
    lines: list[str] = []
    assert make_student_edition(out, root=book, build=False, log=lines.append) == out.resolve()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [MARKER_FILE, "_assets", "_config.yml", "_toc.yml", "chapters"])
    assert (out / "_toc.yml").read_text() == (book / "_toc.yml").read_text()
    assert "（学生版）" in (out / "_config.yml").read_text(encoding="utf-8")
    assert (out / "chapters" / "00-intro.md").is_file()
    assert any(line.startswith("[1/2] chapters/01-demo.ipynb: 2 exercise(s), 8 solution")
               for line in lines), lines
    assert any(line.startswith("[2/2] chapters/02-demo.ipynb: 3 exercise(s), 12 solution")
               for line in lines), lines
    for chapter, n in (("01", 2), ("02", 3)):
        nb = nbformat.read(out / "chapters" / f"{chapter}-demo.ipynb", as_version=4)
        assert not any("solution" in tags(c) for c in nb.cells)
        assert [ex.label for ex in find_exercises(nb)] == [label(chapter, i)
                                                           for i in range(1, n + 1)]
        raw = (out / "chapters" / f"{chapter}-demo.ipynb").read_text(encoding="utf-8")
        assert "秘密解法" not in raw and "worked-solution-line" not in raw


def test_edition_refuses_bad_output_folders(book, tmp_path):
    with pytest.raises(StudentEditionError, match="inside the repository's chapters/ folder"):
        make_student_edition(book / "chapters" / "student", root=book, build=False)
    with pytest.raises(StudentEditionError, match="inside the repository's _assets/ folder"):
        make_student_edition(book / "_assets" / "student", root=book, build=False)
    with pytest.raises(StudentEditionError, match="contains the repository"):
        make_student_edition(tmp_path, root=book, build=False)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.txt").write_text("precious")
    with pytest.raises(StudentEditionError, match="is not empty; pass --force"):
        make_student_edition(busy, root=book, build=False)
    with pytest.raises(StudentEditionError, match="was not made by this command"):
        make_student_edition(busy, root=book, build=False, force=True)
    assert (busy / "thesis.txt").read_text() == "precious"
    with pytest.raises(StudentEditionError, match="is not the course repository"):
        make_student_edition(tmp_path / "out", root=tmp_path / "nothing", build=False)


def test_student_config_title_and_repository(book, tmp_path):
    import yaml

    out = tmp_path / "student"
    make_student_edition(out, root=book, build=False, log=lambda _: None,
                         repository_url="https://example.org/class/student-book")
    config = yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8"))
    original = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    assert config["title"] == original["title"] + "（学生版）"
    assert config["repository"]["url"] == "https://example.org/class/student-book"
    assert config["sphinx"] == original["sphinx"]


def test_force_replaces_a_previous_edition(book, tmp_path):
    out = tmp_path / "student"
    make_student_edition(out, root=book, build=False, log=lambda _: None)
    (out / "chapters" / "stale.txt").write_text("old")
    make_student_edition(out, root=book, build=False, force=True, log=lambda _: None)
    assert not (out / "chapters" / "stale.txt").exists()


def test_broken_format_aborts_before_writing(book, tmp_path):
    path = book / "chapters" / "01-demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    k = next(k for k, c in enumerate(nb.cells, 1) if "秘密解法第01章第1题" in c.source)
    nb.cells[k - 1].metadata["tags"] = []       # a solution cell that lost its tag
    nbformat.write(nb, path)
    out = tmp_path / "student"
    with pytest.raises(StudentEditionError, match=rf"chapters/01-demo.ipynb: cell {k}: cell "
                                                  rf"inside the solution of ex-01-demo1 is not"):
        make_student_edition(out, root=book, build=False)
    assert not out.exists()


def test_solution_in_markdown_page_is_refused(book, tmp_path):
    (book / "chapters" / "00-intro.md").write_text("```{solution-start} ex-01-demo1\n```\n")
    with pytest.raises(StudentEditionError, match="00-intro.md: a solution in a Markdown page"):
        make_student_edition(tmp_path / "student", root=book, build=False)


def test_cli_reports_errors_without_traceback(book, tmp_path):
    from softmax_course.tools.editions import cli

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    assert cli([str(busy), "--root", str(book), "--no-build"]) == 1
    assert cli([str(tmp_path / "ok"), "--root", str(book), "--no-build"]) == 0
    assert (tmp_path / "ok" / MARKER_FILE).is_file()


# --------------------------------------------------------------------------- real chapters: kernels
def code_notebook(nb, *, student: bool, marker: str):
    """The chapter's code cells in order (without solutions for the student), plus a final
    cell printing the recorded verdicts."""
    cells = [v4.new_code_cell(c.source, metadata={"tags": tags(c)}) for c in nb.cells
             if c.cell_type == "code" and not (student and "solution" in tags(c))]
    cells.append(v4.new_code_cell(
        "import json\nfrom softmax_course import exercises as _ex\n"
        f"print({marker!r} + json.dumps(_ex.results()))"))
    return v4.new_notebook(cells=cells, metadata={"kernelspec": nb.metadata.get("kernelspec")})


async def run_both(path: Path) -> dict[str, tuple[dict, object]]:
    nb = nbformat.read(path, as_version=4)
    marker = f"@@results-{secrets.token_hex(6)}@@"
    runs = {}
    for variant in ("teacher", "student"):
        code = code_notebook(nb, student=variant == "student", marker=marker)
        runs[variant] = (code, NotebookClient(code, kernel_name="python3", timeout=120,
                                              resources={"metadata": {"path": str(path.parent)}}))
    await asyncio.gather(*(client.async_execute() for _, client in runs.values()))
    found = {}
    for variant, (code, _) in runs.items():
        text = "".join(o.get("text", "") for o in code.cells[-1].outputs)
        line = next(ln for ln in text.splitlines() if ln.startswith(marker))
        found[variant] = (json.loads(line[len(marker):]), code)
    return found


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_solutions_pass_and_stubs_fail_their_self_checks(path):
    labels = [ex.label for ex in find_exercises(nbformat.read(path, as_version=4), path.name)]
    found = asyncio.run(run_both(path))
    teacher, _ = found["teacher"]
    assert {lb: teacher.get(lb) for lb in labels} == {lb: True for lb in labels}, (
        f"{path.name}: with the solutions, these self-checks did not pass: "
        f"{[lb for lb in labels if teacher.get(lb) is not True]}")
    student, code = found["student"]
    assert {lb: student.get(lb) for lb in labels} == {lb: False for lb in labels}, (
        f"{path.name}: an unmodified stub must fail its self-check: {student}")
    shown = [("".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                      for o in c.outputs))
             for c in code.cells if "self-check" in tags(c)]
    assert len(shown) == len(labels)
    for lb, text in zip(labels, shown):
        assert re.search(rf"\[{re.escape(lb)}\] ❌ 还不对：\S", text), (
            f"{path.name}: the self-check of the stub of {lb} shows no verdict with a hint: "
            f"{text!r}")


# --------------------------------------------------------------------------- real student book
def visible_text(path: Path) -> str:
    """What a reader or downloader sees in a file (HTML without tags), letters and digits only."""
    raw = path.read_text(encoding="utf-8", errors="ignore")
    if path.suffix == ".html":
        raw += html.unescape(re.sub(r"<[^>]+>", "", raw))
    if path.suffix == ".ipynb":
        raw += "".join("".join(c["source"]) for c in json.loads(raw).get("cells", []))
    raw += re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), raw)
    return re.sub(r"[\W_]+", "", raw)


@pytest.fixture(scope="module")
def student_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("student") / "edition"
    lines: list[str] = []
    try:
        html_dir = make_student_edition(out, root=ROOT, build=True, log=lines.append)
    except StudentEditionError as exc:
        pytest.fail(f"the student edition failed: {exc}")
    return out, html_dir, lines


def test_student_book_is_built(student_book):
    out, html_dir, lines = student_book
    assert (html_dir / "index.html").is_file()
    assert (html_dir / "chapters" / "00-intro.html").is_file()
    assert sum(line.startswith("[") for line in lines) == len(CHAPTERS)
    for path in CHAPTERS:
        nb = nbformat.read(out / "chapters" / path.name, as_version=4)
        assert not any("solution" in tags(c) for c in nb.cells), path.name
        for cell in nb.cells:
            if {"answer", "self-check"} & set(tags(cell)):
                assert cell.outputs == [] and cell.execution_count is None


def test_student_book_contains_no_solution_text(student_book):
    out, html_dir, _ = student_book
    public, secret = [], []
    for path in CHAPTERS:
        for cell in nbformat.read(path, as_version=4).cells:
            (secret if "solution" in tags(cell) else public).append(cell)
    public_text = "\x00".join(re.sub(r"[\W_]+", "", c.source + json.dumps(c.get("outputs", []),
                                                                            ensure_ascii=False))
                              for c in public)
    needles = set()
    for cell in secret:
        for text in [cell.source, *cell.source.splitlines()]:
            needle = re.sub(r"[\W_]+", "", text)
            if len(needle) >= 15 and needle not in public_text and not re.match(
                    r"\s*(`{3,}|:\w+:)", text):
                needles.add(needle)
    if not secret:
        pytest.skip("no chapter has a solution yet")
    assert needles, "no distinctive solution text found: the search would be vacuous"
    teacher_text = "".join(visible_text(p) for p in CHAPTERS)
    assert all(n in teacher_text for n in needles), "the search must find them in the teacher book"
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix in (
        ".html", ".ipynb", ".md", ".txt", ".js", ".json", ".py", ".yml")]
    assert any(p.parent.name == "_sources" or "_sources" in p.parts for p in files)
    leaks = []
    for path in files:
        text = visible_text(path)
        leaks += [(str(path.relative_to(out)), n[:40]) for n in needles if n in text]
    assert not leaks, leaks[:20]


def test_doctests():
    import doctest

    from softmax_course.tools import editions

    result = doctest.testmod(editions)
    assert result.attempted >= 3 and result.failed == 0
