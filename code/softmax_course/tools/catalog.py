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
    scanner = _Scanner(nb, name)
    for k, cell in enumerate(nb.cells, 1):
        scanner.read(k, cell)
    scanner.finish()
    return scanner.exercises, scanner.problems


class _Scanner:
    """The state of :func:`scan_notebook` while it reads the cells in order, one step a method."""

    def __init__(self, nb: Any, name: str):
        self.nb, self.name = nb, name
        self.exercises: list[Exercise] = []
        self.problems: list[str] = []
        match = CHAPTER_NUMBER_RE.match(Path(name).name)
        self.chapter = match.group(1) if match else None
        self.current: Exercise | None = None
        self.block: tuple[str, int, list[int]] | None = None   # open solution: label, start, cells
        self.heading_seen = False

    def problem(self, k: int, text: str) -> None:
        self.problems.append(f"{self.name}: cell {k}: {text}")

    def read(self, k: int, cell: Any) -> None:
        """Read cell ``k``: inside an open solution, a solution start or end, or other cells."""
        tags, src = cell_tags(cell), cell_source(cell)
        md = cell.cell_type == "markdown"
        found = {"exercise": EXERCISE_RE.search(src) if md else None,
                 "start": SOLUTION_START_RE.search(src) if md else None,
                 "end": SOLUTION_END_RE.search(src) if md else None}
        if md and EXERCISES_HEADING_RE.search(src):
            self.heading_seen = True
        if md and SOLUTION_PLAIN_RE.search(src):
            self.problem(k, "a {solution} directive: write solutions as {solution-start} ... "
                            "{solution-end} blocks of cells tagged 'solution'")
        if self.block is not None and self.inside_solution(k, tags, found):
            return
        if found["start"]:
            self.solution_start(k, tags, found["start"].group("label"), bool(found["end"]))
        elif found["end"]:
            self.problem(k, "{solution-end} without a {solution-start} above it")
        elif "solution" in tags:
            self.problem(k, "cell tagged 'solution' outside a {solution-start} ... "
                            "{solution-end} block: move it into the block or remove the tag")
            self.other_cell(k, cell, tags, src, found["exercise"])
        else:
            self.other_cell(k, cell, tags, src, found["exercise"])

    def inside_solution(self, k: int, tags: list[str], found: dict) -> bool:
        """Add cell ``k`` to the open solution; False if it starts something new instead."""
        label, start, cells = self.block  # type: ignore[misc]
        if found["exercise"] or found["start"]:
            what = "an {exercise}" if found["exercise"] else "another {solution-start}"
            self.problem(k, f"{what} inside the solution of {label} (opened in cell {start}): "
                            f"close that solution with a {{solution-end}} cell first")
            self.close_block(k - 1)
            return False                                 # and read this cell normally
        if "solution" not in tags:
            self.problem(k, f"cell inside the solution of {label} is not tagged 'solution' "
                            f"(the student edition would keep it): add the tag")
        cells.append(k)
        if found["end"]:
            self.close_block(k)
        return True

    def solution_start(self, k: int, tags: list[str], label: str, also_ends: bool) -> None:
        if "solution" not in tags:
            self.problem(k, "the {solution-start} cell is not tagged 'solution': add the tag")
        current = self.current
        if current is None or label != current.label:
            expected = current.label if current else "the exercise above it"
            self.problem(k, f"{{solution-start}} names {label or 'no label'!r}, but it follows "
                            f"{expected}; a solution comes right after its exercise's self-check")
        elif not current.answer_cells or not current.self_check_cells:
            self.problem(k, f"the solution of {label} comes before its answer or self-check "
                            f"cell; the order is exercise, answer, self-check, solution")
        self.block = (label, k, [k])
        if also_ends:
            self.close_block(k)

    def close_block(self, end: int) -> None:
        label, start, cells = self.block  # type: ignore[misc]
        self.block = None
        owner = next((ex for ex in self.exercises if ex.label == label), None)
        if owner is None:
            self.problem(start, f"{{solution-start}} names {label!r}, but no exercise above has "
                                f"that :label:; use the label of the exercise it solves")
            return
        code = [cell_source(self.nb.cells[i - 1]) for i in cells
                if self.nb.cells[i - 1].cell_type == "code"]
        if owner.check and not any(owner.check in src for src in code):
            self.problem(end, f"the solution of {label} must call the self-check again in a "
                              f"code cell ({owner.check}(...)) so that it prints ✅")
        owner.solutions.append(cells)

    def other_cell(self, k: int, cell: Any, tags: list[str], src: str, ex_match: Any) -> None:
        if ex_match:
            self.exercise(k, tags, src, ex_match)
            return
        for tag, attr in (("answer", "answer_cells"), ("self-check", "self_check_cells")):
            if tag in tags:
                self.tagged(k, cell.cell_type, tag, attr)
        if "self-check" in tags and cell.cell_type == "code" and self.current is not None:
            self.self_check(k, tags, src)

    def exercise(self, k: int, tags: list[str], src: str, ex_match: Any) -> None:
        label_match = LABEL_RE.search(src, ex_match.end())
        label = label_match.group("label") if label_match else ""
        if not label:
            self.problem(k, "the {exercise} directive has no ':label: ex-NN-name' option")
        elif self.chapter and not label.startswith(f"ex-{self.chapter}-"):
            self.problem(k, f"label {label!r} must start with 'ex-{self.chapter}-' (the chapter "
                            f"number), so that labels are unique in the book")
        if label and any(ex.label == label for ex in self.exercises):
            self.problem(k, f"label {label!r} is used by two exercises")
        if not self.heading_seen:
            self.problem(k, "exercises go at the end of the chapter under a '## 练习' heading")
        self.current = Exercise(label or f"<cell {k}>", ex_match.group("title"), k)
        self.exercises.append(self.current)
        if "answer" in tags or "self-check" in tags:
            self.problem(k, "the exercise statement must not be tagged 'answer' or 'self-check'")

    def tagged(self, k: int, kind: str, tag: str, attr: str) -> None:
        if kind != "code":
            self.problem(k, f"a {kind} cell is tagged {tag!r}; only code cells can be")
        elif self.current is None:
            self.problem(k, f"cell tagged {tag!r} before any {{exercise}}")
        elif self.current.solutions:
            self.problem(k, f"cell tagged {tag!r} after the solution of {self.current.label}; "
                            f"each exercise starts with its own {{exercise}} cell")
        else:
            getattr(self.current, attr).append(k)

    def self_check(self, k: int, tags: list[str], src: str) -> None:
        current = self.current
        if "answer" in tags:
            self.problem(k, "a cell cannot be both 'answer' and 'self-check'")
        if not current.answer_cells or current.answer_cells[-1] == k:
            self.problem(k, f"the self-check of {current.label} comes before its answer cell")
        call = CHECK_CALL_RE.findall(_last_code_line(src))
        if not call:
            self.problem(k, f"the last line of the self-check of {current.label} must call "
                            f"exercises.check_<name>(...)")
        else:
            current.check = call[-1]

    def finish(self) -> None:
        if self.block is not None:
            self.problem(self.block[1], f"{{solution-start}} {self.block[0]} is never closed: "
                                        f"add a {{solution-end}} cell tagged 'solution'")
            self.close_block(len(self.nb.cells))
        for ex in self.exercises:
            counts = {"answer cell (tag 'answer')": len(ex.answer_cells),
                      "self-check cell (tag 'self-check')": len(ex.self_check_cells),
                      "solution block": len(ex.solutions)}
            for what, n in counts.items():
                if n != 1:
                    self.problem(ex.cell, f"exercise {ex.label} has {n} {what}s; it needs "
                                          f"exactly one")


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
    """The exercises in MyST Markdown: per chapter a bold heading line and a two-column table.

    The exercise titles of the chapters named in ``linked`` (notebook stems such as
    ``04-softmax``) become ``{ref}`` links to their exercise; link only chapters that the book
    builds, or the reference is broken. Elsewhere the label is shown after the title. Two
    narrow columns keep the table readable on a phone.
    """
    linked = set(linked)
    lines: list[str] = []
    for chapter in dict.fromkeys(ex.chapter for ex in exercises):
        in_chapter = [ex for ex in exercises if ex.chapter == chapter]
        lines += ["", f"**{_cell_text(in_chapter[0].chapter_title or chapter)}**", "",
                  "| 练习 | 自我检查（self-check） |", "| --- | --- |"]
        for ex in in_chapter:
            title = _cell_text(ex.title) or ex.label
            if Path(chapter).stem in linked and re.fullmatch(r"[\w-]+", ex.label):
                title = f"{{ref}}`{title} <{ex.label}>`"
            else:
                title = f"{title}（`{ex.label}`）"
            check = f"`{ex.check}`" if ex.check else "（无）"
            lines.append(f"| {title} | {check} |")
    chapters = len({ex.chapter for ex in exercises})
    lines += ["", f"共 {len(exercises)} 道练习，分布在 {chapters} 章中。"]
    return "\n".join(lines).lstrip("\n")


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
    >>> print(exercise_overview(folder).data.splitlines()[4])
    | 算一算（`ex-01-sum`） | （无） |
    >>> _ = (folder.parent / "_toc.yml").write_text("root: chapters/01-demo\\n")
    >>> print(exercise_overview(folder).data.splitlines()[4])
    | {ref}`算一算 <ex-01-sum>` | （无） |
    >>> tmp.cleanup()
    """
    from IPython.display import Markdown

    folder = _chapters_dir(chapters)
    return Markdown(overview_markdown(chapter_exercises(folder), toc_chapters(folder.parent)))
