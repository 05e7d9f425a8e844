"""The exercises of every chapter follow the course format, so the student edition can remove
their solutions and the grader can find them."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import nbformat.v4 as v4
import pytest

from exercise_notebooks import chapter_notebook, label
from softmax_course.tools.catalog import (chapter_exercises, exercise_format_problems,
                                    find_exercises, overview_markdown, scan_notebook)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
NUMBERED = [p for p in CHAPTERS if re.match(r"\d\d-", p.name)]


def is_intro(path: Path) -> bool:
    return path.name.startswith("00-")


# --------------------------------------------------------------------------- real chapters
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_exercise_format(path):
    nb = nbformat.read(path, as_version=4)
    problems = exercise_format_problems(nb, path.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", [p for p in NUMBERED if not is_intro(p)], ids=lambda p: p.name)
def test_every_chapter_has_at_least_two_exercises(path):
    exercises = find_exercises(nbformat.read(path, as_version=4), path.name)
    assert len(exercises) >= 2, f"{path.name} has {len(exercises)} exercise(s); it needs ≥ 2"


@pytest.mark.parametrize("path", [p for p in CHAPTERS if not re.match(r"\d\d-", p.name)],
                         ids=lambda p: p.name)
def test_pages_without_chapter_number_have_no_exercises(path):
    """Labels carry the chapter number; a page without one (the overview) has no exercise."""
    assert not find_exercises(nbformat.read(path, as_version=4), path.name)


def test_labels_are_unique_and_checks_exist_in_the_package():
    from softmax_course import exercises as ex_pkg

    found = chapter_exercises(ROOT / "chapters")
    labels = [ex.label for ex in found]
    assert len(labels) == len(set(labels)), sorted(l for l in labels if labels.count(l) > 1)
    for ex in found:
        assert hasattr(ex_pkg, ex.check), f"{ex.chapter}: {ex.label} calls exercises.{ex.check}," \
                                          f" which the package does not define"


# --------------------------------------------------------------------------- the checker
def problems_of(nb) -> list[str]:
    return exercise_format_problems(nb, "99-demo.ipynb")


def cell_index(nb, text: str) -> int:
    """1-based number of the first cell whose source contains ``text``."""
    return next(k for k, c in enumerate(nb.cells, 1) if text in c.source)


def test_well_formed_notebook_has_no_problems():
    nb = chapter_notebook("99", 3)
    assert problems_of(nb) == []
    exercises = find_exercises(nb, "99-demo.ipynb")
    assert [ex.label for ex in exercises] == [label("99", i) for i in (1, 2, 3)]
    ex = exercises[0]
    assert (ex.title, ex.check, ex.chapter_title) == ("演示练习 1", "check_number", "演示章节")
    assert ex.answer_cells == [cell_index(nb, "answer_1 = ...")]
    assert ex.solution_cells == list(range(ex.self_check_cells[0] + 1,
                                           ex.self_check_cells[0] + 5))


def test_missing_solution_end_is_reported_with_cell_number():
    nb = chapter_notebook("99", 2)
    end = next(k for k, c in enumerate(nb.cells) if "{solution-end}" in c.source)
    del nb.cells[end]
    problems = problems_of(nb)
    ex2 = cell_index(nb, f":label: {label('99', 2)}")
    assert any(f"99-demo.ipynb: cell {ex2}: an {{exercise}} inside the solution of "
               f"{label('99', 1)}" in p for p in problems), problems


def test_unclosed_last_solution():
    nb = chapter_notebook("99", 1)
    del nb.cells[-1]
    assert any("is never closed" in p for p in problems_of(nb)), problems_of(nb)


def test_untagged_cell_inside_solution():
    nb = chapter_notebook("99", 2)
    k = cell_index(nb, "秘密解法第99章第1题")
    nb.cells[k - 1].metadata["tags"] = []
    assert problems_of(nb) == [f"99-demo.ipynb: cell {k}: cell inside the solution of "
                               f"{label('99', 1)} is not tagged 'solution' (the student edition "
                               f"would keep it): add the tag"]


def test_solution_tag_outside_a_block():
    nb = chapter_notebook("99", 1)
    nb.cells.insert(2, v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}))
    assert any("cell 3: cell tagged 'solution' outside" in p for p in problems_of(nb))


def test_solution_end_without_start():
    nb = chapter_notebook("99", 1)
    nb.cells.insert(2, v4.new_markdown_cell("```{solution-end}\n```"))
    assert any("cell 3: {solution-end} without a {solution-start}" in p for p in problems_of(nb))


@pytest.mark.parametrize("tag", ["answer", "self-check"])
def test_exercise_needs_exactly_one_answer_and_self_check(tag):
    nb = chapter_notebook("99", 1)
    k = next(k for k, c in enumerate(nb.cells, 1) if tag in c.metadata.get("tags", []))
    missing = copy.deepcopy(nb)
    missing.cells[k - 1].metadata["tags"] = []
    assert any(f"has 0 {tag if tag == 'answer' else 'self-check'} cell" in p
               for p in problems_of(missing)), problems_of(missing)
    doubled = copy.deepcopy(nb)
    doubled.cells.insert(k, copy.deepcopy(nb.cells[k - 1]))
    assert any("has 2" in p for p in problems_of(doubled)), problems_of(doubled)


def test_exercise_without_solution():
    nb = chapter_notebook("99", 1)
    nb.cells = [c for c in nb.cells if "solution" not in c.metadata.get("tags", [])]
    assert problems_of(nb) == [f"99-demo.ipynb: cell 5: exercise {label('99', 1)} has 0 "
                               f"solution blocks; it needs exactly one"]


def test_solution_label_must_match_its_exercise():
    nb = chapter_notebook("99", 2)
    k = cell_index(nb, f"{{solution-start}} {label('99', 2)}")
    nb.cells[k - 1].source = nb.cells[k - 1].source.replace(label("99", 2), label("99", 1))
    problems = problems_of(nb)
    assert any(f"cell {k}: {{solution-start}} names '{label('99', 1)}', but it follows "
               f"{label('99', 2)}" in p for p in problems), problems


def test_label_needs_chapter_prefix_and_uniqueness():
    nb = chapter_notebook("99", 2)
    for cell in nb.cells:
        cell.source = cell.source.replace(label("99", 2), label("99", 1))
    assert any("is used by two exercises" in p for p in problems_of(nb))
    assert any("must start with 'ex-98-'" in p
               for p in exercise_format_problems(chapter_notebook("99", 1), "98-x.ipynb"))


def test_exercise_without_label_or_heading():
    nb = chapter_notebook("99", 1)
    nb.cells[4].source = nb.cells[4].source.replace(f":label: {label('99', 1)}\n", "")
    assert any("has no ':label: ex-NN-name'" in p for p in problems_of(nb))
    nb = chapter_notebook("99", 1)
    nb.cells[3].source = "## 小结"
    assert any("under a '## 练习' heading" in p for p in problems_of(nb))


def test_self_check_must_end_with_a_check_call_and_solution_must_repeat_it():
    nb = chapter_notebook("99", 1)
    k = next(k for k, c in enumerate(nb.cells, 1) if "self-check" in c.metadata.get("tags", []))
    bad = copy.deepcopy(nb)
    bad.cells[k - 1].source += "\nprint('done')"
    assert any("must call exercises.check_<name>" in p for p in problems_of(bad))
    bad = copy.deepcopy(nb)
    code = next(c for c in bad.cells if c.cell_type == "code"
                and "solution" in c.metadata.get("tags", []))
    code.source = "answer_1 = 41"
    assert any("must call the self-check again in a code cell" in p
               for p in problems_of(bad))


def test_plain_solution_directive_is_rejected():
    nb = chapter_notebook("99", 1)
    nb.cells.append(v4.new_markdown_cell(f"```{{solution}} {label('99', 1)}\n答案\n```",
                                         metadata={"tags": ["solution"]}))
    assert any("a {solution} directive" in p for p in problems_of(nb))


def test_answer_tag_on_markdown_cell():
    nb = chapter_notebook("99", 1)
    nb.cells.insert(5, v4.new_markdown_cell("提示", metadata={"tags": ["answer"]}))
    assert any("cell 6: a markdown cell is tagged 'answer'" in p for p in problems_of(nb))


def test_colon_fence_and_four_backticks_are_understood():
    nb = chapter_notebook("99", 1)
    nb.cells[4].source = f":::{{exercise}} 冒号围栏\n:label: {label('99', 1)}\n题目\n:::"
    start = cell_index(nb, "{solution-start}")
    nb.cells[start - 1].source = f"````{{solution-start}} {label('99', 1)}\n````"
    assert problems_of(nb) == []
    assert scan_notebook(nb)[0][0].title == "冒号围栏"


def test_overview_markdown_table():
    exercises = find_exercises(chapter_notebook("99", 2, title="第 | 章"), "99-demo.ipynb")
    exercises += find_exercises(chapter_notebook("98", 1, title="另一章"), "98-demo.ipynb")
    lines = overview_markdown(exercises).splitlines()
    # one heading line and one two-column table per chapter, in the order given
    assert lines[0] == "**第 \\| 章**"
    assert lines[2] == "| 练习 | 自我检查（self-check） |"
    assert lines[4] == f"| 演示练习 1（`{label('99', 1)}`） | `check_number` |"
    assert "**另一章**" in lines and lines.index("**另一章**") > 5
    assert all(line.count(" | ") <= 1 for line in lines if line.startswith("| "))
    assert lines[-1] == "共 3 道练习，分布在 2 章中。"


def test_overview_links_titles_of_built_chapters():
    exercises = find_exercises(chapter_notebook("99", 1), "99-demo.ipynb")
    text = overview_markdown(exercises, linked=["99-demo"])
    assert f"{{ref}}`演示练习 1 <{label('99', 1)}>`" in text


def test_doctests():
    import doctest

    from softmax_course.tools import catalog

    result = doctest.testmod(catalog)
    assert result.attempted >= 5 and result.failed == 0
