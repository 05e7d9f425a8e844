"""Small synthetic chapter notebooks in the course's exercise format, for the tests of the
student edition, the format check and the grading (so that they do not depend on which
chapters exist).

Exercise ``i`` of chapter ``NN`` asks for the number ``40 + i``; its self-check is
``exercises.check_number`` with the digest of that value, its solution computes it as
``6 * 7 - 2 + i`` next to a distinctive comment and Markdown sentence (the "secret" texts that
must never reach the student edition).
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import nbformat.v4 as v4

from softmax_course.exercises import digest

TOL = 1e-6
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def label(chapter: str, i: int) -> str:
    return f"ex-{chapter}-demo{i}"


def secret_sentence(chapter: str, i: int) -> str:
    return f"秘密解法第{chapter}章第{i}题：先把六和七相乘，再减去二，最后加上题号。"


def secret_code(i: int) -> str:
    return f"answer_{i} = 6 * 7 - 2 + {i}  # worked-solution-line-{i}"


def self_check_source(chapter: str, i: int) -> str:
    name = label(chapter, i)
    return (f'exercises.check_number("{name}", answer_{i}, "{digest(name, 40 + i, TOL)}", '
            f'{TOL!r}, "想一想乘法和减法的顺序。")')


def exercise_cells(chapter: str, i: int) -> list:
    """The cells of one exercise: statement, answer, self-check, solution block."""
    sol = {"tags": ["solution"]}
    return [
        v4.new_markdown_cell(f"```{{exercise}} 演示练习 {i}\n:label: {label(chapter, i)}\n"
                             f"算出 $6 \\times 7 - 2 + {i}$。\n```"),
        v4.new_code_cell(f"answer_{i} = ...  # 在这里填入你的答案",
                         metadata={"tags": ["answer"]}),
        v4.new_code_cell(self_check_source(chapter, i), metadata={"tags": ["self-check"]}),
        v4.new_markdown_cell(f"```{{solution-start}} {label(chapter, i)}\n:class: dropdown\n```",
                             metadata=sol),
        v4.new_markdown_cell(secret_sentence(chapter, i), metadata=sol),
        v4.new_code_cell(f"{secret_code(i)}\n{self_check_source(chapter, i)}", metadata=sol),
        v4.new_markdown_cell("```{solution-end}\n```", metadata=sol),
    ]


def chapter_notebook(chapter: str = "99", n_exercises: int = 2, title: str = "演示章节"):
    """A chapter with a title, an import cell, a plain output cell and ``n`` exercises."""
    cells = [
        v4.new_markdown_cell(f"# {title}\n\n本节你将学到：怎样做练习。"),
        v4.new_code_cell("from softmax_course import exercises"),
        v4.new_code_cell('print("普通输出 plain output")'),
        v4.new_markdown_cell("## 练习"),
    ]
    for i in range(1, n_exercises + 1):
        cells += exercise_cells(chapter, i)
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC)})
    return nb


def fake_outputs(nb):
    """Give every code cell an execution count and a stream output (as if it had run)."""
    n = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            n += 1
            cell.execution_count = n
            cell.outputs = [v4.new_output("stream", name="stdout", text=f"output of cell {n}\n")]
            cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    return nb


def write_book(root: Path, chapters: dict[str, int]) -> Path:
    """A minimal Jupyter Book at ``root``: intro page plus one notebook per chapter number."""
    (root / "chapters").mkdir(parents=True)
    (root / "chapters" / "00-intro.md").write_text("# 演示书\n\n介绍。\n", encoding="utf-8")
    files = []
    for chapter, n in chapters.items():
        path = root / "chapters" / f"{chapter}-demo.ipynb"
        nbformat.write(fake_outputs(chapter_notebook(chapter, n, f"第 {chapter} 章")), path)
        files.append(f"  - file: chapters/{chapter}-demo")
    (root / "_toc.yml").write_text("format: jb-book\nroot: chapters/00-intro\nchapters:\n"
                                   + "\n".join(files) + "\n", encoding="utf-8")
    (root / "_assets").mkdir()
    (root / "_assets" / "custom.css").write_text("body {}\n", encoding="utf-8")
    (root / "_config.yml").write_text(
        "title: 演示书\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: 'off'\n"
        "exclude_patterns: [README.md, code, tests]\n"
        "sphinx:\n  extra_extensions: [sphinx_exercise]\n  config:\n"
        "    html_static_path: [_assets]\n", encoding="utf-8")
    (root / "README.md").write_text("secret readme\n", encoding="utf-8")
    (root / "code").mkdir()
    return root
