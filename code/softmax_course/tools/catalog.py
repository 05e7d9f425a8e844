"""The exercises of the course, read from the chapter notebooks, and a check of their format.

An exercise in a chapter notebook is a run of cells in this order (see the conventions):

1. a Markdown cell with a ``{exercise}`` directive carrying ``:label: ex-NN-name``;
2. one code cell tagged ``answer`` (the stub the student edits);
3. one code cell tagged ``self-check`` whose last line calls ``exercises.check_<name>(...)``;
4. the solution: a Markdown cell ``{solution-start} ex-NN-name``, the worked solution (one of
   its code cells calls the self-check again) and a Markdown cell ``{solution-end}``, every
   one of these cells tagged ``solution``.

:func:`scan_notebook` reads the exercises of a notebook and lists every violation of this format
with the number of the cell (counting all cells from 1); the student edition, the grading and
the exercise overview all rely on it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import nbformat

from .common import cell_source, cell_tags, repo_root

__all__ = ["Exercise", "scan_notebook", "exercise_format_problems", "find_exercises",
           "notebook_title", "chapter_exercises", "exercise_overview", "overview_markdown",
           "toc_chapters"]

_FENCE = r"^[ \t]*(?:`{3,}|:{3,})[ \t]*"
EXERCISE_RE = re.compile(_FENCE + r"\{exercise(?:-start)?\}[ \t]*(?P<title>.*?)[ \t]*$", re.M)
LABEL_RE = re.compile(r"^[ \t]*:label:[ \t]*(?P<label>\S+)[ \t]*$", re.M)
SOLUTION_START_RE = re.compile(_FENCE + r"\{solution-start\}[ \t]*(?P<label>\S*)", re.M)
SOLUTION_END_RE = re.compile(_FENCE + r"\{solution-end\}", re.M)
SOLUTION_PLAIN_RE = re.compile(_FENCE + r"\{solution\}", re.M)
CHECK_CALL_RE = re.compile(r"\b(check_\w+)\s*\(")
EXERCISES_HEADING_RE = re.compile(r"^##[ \t]+练习[ \t]*$", re.M)
CHAPTER_NUMBER_RE = re.compile(r"^(\d\d)-")


@dataclass
class Exercise:
    """One exercise of a chapter notebook; cell numbers count all cells from 1."""

    label: str
    title: str
    cell: int
    chapter: str = ""
    chapter_title: str = ""
    answer_cells: list[int] = field(default_factory=list)
    self_check_cells: list[int] = field(default_factory=list)
    check: str = ""
    solutions: list[list[int]] = field(default_factory=list)

    @property
    def solution_cells(self) -> list[int]:
        return [i for block in self.solutions for i in block]


def _last_code_line(source: str) -> str:
    lines = [ln.strip() for ln in source.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    return lines[-1] if lines else ""


def notebook_title(nb: Any) -> str:
    """The text of the first ``# `` heading of the notebook ('' when there is none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#[ \t]+(.+?)[ \t]*$", cell_source(cell), re.M)
            if match:
                return match.group(1)
    return ""


def scan_notebook(nb: Any, name: str = "notebook") -> tuple[list[Exercise], list[str]]:
    """Read the exercises of a notebook and check their format.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (version 4).
    name : str
        Name used in the messages, usually the file name. When it starts with a chapter number
        ``NN-``, every label must start with ``ex-NN-``.

    Returns
    -------
    exercises : list of Exercise
        The exercises in notebook order.
    problems : list of str
        One message per violation, ``"<name>: cell <k>: <what is wrong and how to fix it>"``;
        empty when the format is right.

    Examples
    --------
    >>> import nbformat.v4 as v4
    >>> nb = v4.new_notebook(cells=[v4.new_markdown_cell("## 练习"),
    ...     v4.new_markdown_cell("```{exercise} 演示\\n:label: ex-01-demo\\n题目\\n```")])
    >>> exercises, problems = scan_notebook(nb, "01-demo.ipynb")
    >>> exercises[0].label, len(problems)
    ('ex-01-demo', 3)
    """
    exercises: list[Exercise] = []
    problems: list[str] = []
    chapter = CHAPTER_NUMBER_RE.match(Path(name).name)
    current: Exercise | None = None
    open_block: tuple[str, int, list[int]] | None = None   # (label, start cell, cells)
    heading_seen = False

    def problem(k: int, text: str) -> None:
        problems.append(f"{name}: cell {k}: {text}")

    def close_block(end: int) -> None:
        label, start, cells = open_block  # type: ignore[misc]
        owner = next((ex for ex in exercises if ex.label == label), None)
        if owner is None:
            problem(start, f"{{solution-start}} names {label!r}, but no exercise above has that "
                           f":label:; use the label of the exercise it solves")
            return
        code = [cell_source(nb.cells[k - 1]) for k in cells if nb.cells[k - 1].cell_type == "code"]
        if owner.check and not any(owner.check in src for src in code):
            problem(end, f"the solution of {label} must call the self-check again in a code "
                         f"cell ({owner.check}(...)) so that it prints ✅")
        owner.solutions.append(cells)

    for k, cell in enumerate(nb.cells, 1):
        tags, src, kind = cell_tags(cell), cell_source(cell), cell.cell_type
        is_md = kind == "markdown"
        ex_match = EXERCISE_RE.search(src) if is_md else None
        start_match = SOLUTION_START_RE.search(src) if is_md else None
        end_match = SOLUTION_END_RE.search(src) if is_md else None
        if is_md and EXERCISES_HEADING_RE.search(src):
            heading_seen = True
        if is_md and SOLUTION_PLAIN_RE.search(src):
            problem(k, "a {solution} directive: write solutions as {solution-start} ... "
                       "{solution-end} blocks of cells tagged 'solution'")

        if open_block is not None:                      # inside a solution block
            label = open_block[0]
            if ex_match or start_match:
                what = "an {exercise}" if ex_match else "another {solution-start}"
                problem(k, f"{what} inside the solution of {label} (opened in cell "
                           f"{open_block[1]}): close that solution with a {{solution-end}} "
                           f"cell first")
                close_block(k - 1)
                open_block = None                       # and read this cell normally
            else:
                if "solution" not in tags:
                    problem(k, f"cell inside the solution of {label} is not tagged "
                               f"'solution' (the student edition would keep it): add the tag")
                open_block[2].append(k)
                if end_match:
                    close_block(k)
                    open_block = None
                continue

        if start_match:
            label = start_match.group("label")
            if "solution" not in tags:
                problem(k, "the {solution-start} cell is not tagged 'solution': add the tag")
            if current is None or label != current.label:
                expected = current.label if current else "the exercise above it"
                problem(k, f"{{solution-start}} names {label or 'no label'!r}, but it follows "
                           f"{expected}; a solution comes right after its exercise's self-check")
            elif not current.answer_cells or not current.self_check_cells:
                problem(k, f"the solution of {label} comes before its answer or self-check "
                           f"cell; the order is exercise, answer, self-check, solution")
            open_block = (label, k, [k])
            if end_match:
                close_block(k)
                open_block = None
            continue
        if end_match:
            problem(k, "{solution-end} without a {solution-start} above it")
            continue
        if "solution" in tags:
            problem(k, "cell tagged 'solution' outside a {solution-start} ... {solution-end} "
                       "block: move it into the block or remove the tag")

        if ex_match:
            label_match = LABEL_RE.search(src, ex_match.end())
            label = label_match.group("label") if label_match else ""
            if not label:
                problem(k, "the {exercise} directive has no ':label: ex-NN-name' option")
            elif chapter and not label.startswith(f"ex-{chapter.group(1)}-"):
                problem(k, f"label {label!r} must start with 'ex-{chapter.group(1)}-' "
                           f"(the chapter number), so that labels are unique in the book")
            if label and any(ex.label == label for ex in exercises):
                problem(k, f"label {label!r} is used by two exercises")
            if not heading_seen:
                problem(k, "exercises go at the end of the chapter under a '## 练习' heading")
            current = Exercise(label or f"<cell {k}>", ex_match.group("title"), k)
            exercises.append(current)
            if "answer" in tags or "self-check" in tags:
                problem(k, "the exercise statement must not be tagged 'answer' or 'self-check'")
            continue

        for tag, attr in (("answer", "answer_cells"), ("self-check", "self_check_cells")):
            if tag not in tags:
                continue
            if kind != "code":
                problem(k, f"a {kind} cell is tagged {tag!r}; only code cells can be")
            elif current is None:
                problem(k, f"cell tagged {tag!r} before any {{exercise}}")
            elif current.solutions:
                problem(k, f"cell tagged {tag!r} after the solution of {current.label}; "
                           f"each exercise starts with its own {{exercise}} cell")
            else:
                getattr(current, attr).append(k)
        if "self-check" in tags and kind == "code" and current is not None:
            if "answer" in tags:
                problem(k, "a cell cannot be both 'answer' and 'self-check'")
            if not current.answer_cells or current.answer_cells[-1] == k:
                problem(k, f"the self-check of {current.label} comes before its answer cell")
            call = CHECK_CALL_RE.findall(_last_code_line(src))
            if not call:
                problem(k, f"the last line of the self-check of {current.label} must call "
                           f"exercises.check_<name>(...)")
            else:
                current.check = call[-1]

    if open_block is not None:
        problem(open_block[1], f"{{solution-start}} {open_block[0]} is never closed: add a "
                               f"{{solution-end}} cell tagged 'solution'")
        close_block(len(nb.cells))

    for ex in exercises:
        counts = {"answer cell (tag 'answer')": len(ex.answer_cells),
                  "self-check cell (tag 'self-check')": len(ex.self_check_cells),
                  "solution block": len(ex.solutions)}
        for what, n in counts.items():
            if n != 1:
                problem(ex.cell, f"exercise {ex.label} has {n} {what}s; it needs exactly one")
    return exercises, problems


def exercise_format_problems(nb: Any, name: str = "notebook") -> list[str]:
    """Every violation of the exercise format in ``nb`` (see :func:`scan_notebook`)."""
    return scan_notebook(nb, name)[1]


def find_exercises(nb: Any, name: str = "") -> list[Exercise]:
    """The exercises of a notebook, with its chapter name and title filled in."""
    exercises = scan_notebook(nb, name or "notebook")[0]
    title = notebook_title(nb)
    for ex in exercises:
        ex.chapter, ex.chapter_title = name, title
    return exercises


def _chapters_dir(chapters: Path | None) -> Path:
    if chapters is not None:
        return Path(chapters)

    cwd = Path.cwd()
    for candidate in (cwd, cwd / "chapters", repo_root() / "chapters"):
        if any(candidate.glob("[0-9][0-9]-*.ipynb")):
            return candidate
    return repo_root() / "chapters"


def chapter_exercises(chapters: Path | None = None) -> list[Exercise]:
    """Every exercise of the chapter notebooks ``NN-*.ipynb`` of a folder, in book order.

    ``chapters`` defaults to the ``chapters/`` folder of the book (found from the working
    directory, then from the package's repository).
    """
    folder = _chapters_dir(chapters)
    found: list[Exercise] = []
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found += find_exercises(nb, path.name)
    return found


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def overview_markdown(exercises: list[Exercise], linked: Iterable[str] = ()) -> str:
    """A Markdown (MyST) table of exercises: chapter, exercise title, label and self-check.

    The labels of the chapters named in ``linked`` (notebook stems such as ``04-softmax``)
    become ``{ref}`` links to their exercise; link only chapters that the book builds, or the
    reference is broken.
    """
    linked = set(linked)
    lines = ["| 章节 | 练习 | 标签（label） | 自我检查（self-check） |",
             "| --- | --- | --- | --- |"]
    for ex in exercises:
        check = f"`exercises.{ex.check}`" if ex.check else "（无）"
        label = f"`{ex.label}`"
        if Path(ex.chapter).stem in linked and re.fullmatch(r"[\w-]+", ex.label):
            label = f"{{ref}}`{ex.label} <{ex.label}>`"
        lines.append(f"| {_cell_text(ex.chapter_title or ex.chapter)} | {_cell_text(ex.title)} "
                     f"| {label} | {check} |")
    chapters = len({ex.chapter for ex in exercises})
    lines.append("")
    lines.append(f"共 {len(exercises)} 道练习，分布在 {chapters} 章中。")
    return "\n".join(lines)


def toc_chapters(root: Path) -> list[str]:
    """Stems of the ``chapters/`` files listed in ``root/_toc.yml`` ([] without a toc)."""
    toc = Path(root) / "_toc.yml"
    if not toc.is_file():
        return []
    text = toc.read_text(encoding="utf-8")
    return re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*chapters/([\w.-]+?)(?:\.\w+)?\s*$",
                      text, re.M)


def exercise_overview(chapters: Path | None = None):
    """Display the table of every exercise of the book (the page 练习总览 calls this).

    The exercises of chapters listed in the book's ``_toc.yml`` link to the exercise. The
    output is MyST Markdown: give the displaying cell the metadata
    ``{"mystnb": {"markdown_format": "myst"}}`` so that the book renders its math and links.

    Examples
    --------
    >>> import nbformat.v4 as v4, tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = pathlib.Path(tmp.name) / "chapters"
    >>> folder.mkdir()
    >>> nb = v4.new_notebook(cells=[v4.new_markdown_cell("# 第一章\\n\\n## 练习"),
    ...     v4.new_markdown_cell("```{exercise} 算一算\\n:label: ex-01-sum\\n```")])
    >>> nbformat.write(nb, folder / "01-demo.ipynb")
    >>> print(exercise_overview(folder).data.splitlines()[2])
    | 第一章 | 算一算 | `ex-01-sum` | （无） |
    >>> _ = (folder.parent / "_toc.yml").write_text("root: chapters/01-demo\\n")
    >>> print(exercise_overview(folder).data.splitlines()[2])
    | 第一章 | 算一算 | {ref}`ex-01-sum <ex-01-sum>` | （无） |
    >>> tmp.cleanup()
    """
    from IPython.display import Markdown

    folder = _chapters_dir(chapters)
    return Markdown(overview_markdown(chapter_exercises(folder), toc_chapters(folder.parent)))
