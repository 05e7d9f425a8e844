"""`python -m softmax_course grade`: verdicts of the self-checks, robust to broken submissions."""
from __future__ import annotations

import copy
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from exercise_notebooks import chapter_notebook, label
from softmax_course.tools.editions import make_student_notebook
from softmax_course.tools.grading import (Grade, discover_submissions, summary, teacher_exercises,
                                    write_grades)

TIMEOUT = 15        # whole notebook, seconds
CELL_TIMEOUT = 3    # one cell, seconds

STUBBORN_LOOP = """import os, time
open("stubborn-kernel.pid", "w").write(str(os.getpid()))
while True:                     # ignores the interrupt: only killing the kernel stops it
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass"""


def answered(nb, answers: dict[int, str]):
    """A copy of the student notebook with answer cell ``i`` (from 1) replaced."""
    nb = copy.deepcopy(nb)
    cells = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    for i, source in answers.items():
        cells[i - 1].source = source
    return nb


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A teacher chapter with two exercises and seven submissions, graded once by the CLI."""
    base = tmp_path_factory.mktemp("grading")
    teacher = base / "teacher"
    teacher.mkdir()
    nb = chapter_notebook("99", 2)
    nbformat.write(nb, teacher / "99-demo.ipynb")
    student = make_student_notebook(nb)
    student.cells.insert(2, nbformat.v4.new_code_cell(   # an Output widget, as chapters have
        "import ipywidgets\nshown = ipywidgets.Output()\nwith shown:\n    print('图')\nshown"))
    subs = base / "submissions"
    subs.mkdir()
    nbformat.write(answered(student, {1: "answer_1 = 41", 2: "answer_2 = 42"}),
                   subs / "alice.ipynb")                                   # all right
    nbformat.write(answered(student, {1: "answer_1 = 40"}), subs / "bob.ipynb")  # wrong, stub
    nbformat.write(answered(student, {1: "while True:\n    pass", 2: "answer_2 = 42"}),
                   subs / "carol.ipynb")                 # infinite loop, interrupted per cell
    nbformat.write(answered(student, {1: "answer_1 = 1 / 0", 2: "answer_2 = 42"}),
                   subs / "dave.ipynb")                                    # raises
    (subs / "erin.ipynb").write_text("这不是笔记本 {", encoding="utf-8")    # not a notebook
    (subs / "frank").mkdir()                                               # folder form
    nbformat.write(answered(student, {1: STUBBORN_LOOP}), subs / "frank" / "ch99.ipynb")
    gina = answered(student, {1: "answer_1 = 41"})
    first_of_ex2 = next(i for i, c in enumerate(gina.cells) if label("99", 2) in c.source)
    gina.cells = gina.cells[:first_of_ex2]                                 # deleted exercise 2
    nbformat.write(gina, subs / "gina.ipynb")
    (subs / "notes.txt").write_text("not a submission", encoding="utf-8")

    out = base / "grades.csv"
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "softmax_course", "grade", str(subs), "--out", str(out),
         "--teacher", str(teacher), "--timeout", str(TIMEOUT), "--cell-timeout",
         str(CELL_TIMEOUT), "--jobs", "2"],
        capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    print(f"grading 7 submissions took {elapsed:.1f} s")
    rows = read_csv(out) if out.exists() else []
    return {"proc": proc, "elapsed": elapsed, "out": out, "subs": subs, "teacher": teacher,
            "grades": {(r["student"], r["exercise"]): r for r in rows}, "rows": rows}


def verdict(graded, student: str, i: int) -> tuple[str, str]:
    row = graded["grades"][(student, label("99", i))]
    return row["passed"], row["note"]


def test_cli_succeeds_and_prints_a_summary_table(graded):
    proc = graded["proc"]
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["student", "passed", "total"]
    assert lines[1].split() == ["alice", "2", "2"]
    assert "grading" in proc.stderr and "7/7" in proc.stderr    # tqdm progress on stderr


def test_one_row_per_student_and_teacher_exercise(graded):
    rows = graded["rows"]
    assert list(rows[0]) == ["student", "exercise", "passed", "note"]
    students = ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]
    assert [(r["student"], r["exercise"]) for r in rows] == [
        (s, label("99", i)) for s in students for i in (1, 2)]


def test_correct_submission_passes(graded):
    assert verdict(graded, "alice", 1) == ("True", "")
    assert verdict(graded, "alice", 2) == ("True", "")


def test_wrong_and_unanswered_fail_with_the_self_check_message(graded):
    passed, note = verdict(graded, "bob", 1)
    assert passed == "False" and "自我检查未通过" in note and "想一想乘法" in note
    passed, note = verdict(graded, "bob", 2)
    assert passed == "False" and "还没有作答" in note


def test_infinite_loop_costs_only_its_exercise(graded):
    passed, note = verdict(graded, "carol", 1)
    assert passed == "False" and f"超过 {CELL_TIMEOUT} 秒" in note
    assert verdict(graded, "carol", 2) == ("True", "")


def test_raising_answer_fails_with_the_error(graded):
    passed, note = verdict(graded, "dave", 1)
    assert passed == "False" and "ZeroDivisionError" in note
    assert verdict(graded, "dave", 2) == ("True", "")


def test_invalid_notebook_fails_every_exercise_with_a_reason(graded):
    for i in (1, 2):
        passed, note = verdict(graded, "erin", i)
        assert passed == "False" and "不是有效的 Jupyter 笔记本" in note


def test_uninterruptible_notebook_is_killed_with_its_kernel(graded):
    for i in (1, 2):
        passed, note = verdict(graded, "frank", i)
        assert passed == "False" and f"超过 {TIMEOUT} 秒" in note
    pid = int((graded["subs"] / "frank" / "stubborn-kernel.pid").read_text())
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            break
        if "\nState:\tZ" in status:          # killed, waiting to be reaped
            break
        time.sleep(0.2)
    else:
        os.kill(pid, 9)
        pytest.fail(f"the kernel {pid} of the timed-out notebook is still running")


def test_deleted_exercise_still_has_a_row(graded):
    assert verdict(graded, "gina", 1) == ("True", "")
    passed, note = verdict(graded, "gina", 2)
    assert passed == "False" and "没有这道练习" in note


def test_summary_file(graded):
    rows = read_csv(graded["out"].with_name("grades-summary.csv"))
    assert {r["student"]: (r["passed"], r["total"]) for r in rows} == {
        "alice": ("2", "2"), "bob": ("0", "2"), "carol": ("1", "2"), "dave": ("1", "2"),
        "erin": ("0", "2"), "frank": ("0", "2"), "gina": ("1", "2")}


def test_grading_finishes_within_the_timeouts(graded):
    # 7 submissions on 2 workers; the stubborn one alone may take TIMEOUT seconds
    assert graded["elapsed"] < TIMEOUT + 45, graded["elapsed"]


# --------------------------------------------------------------------------- units, no kernel
def test_discover_submissions_files_and_folders(tmp_path):
    (tmp_path / "amy.ipynb").write_text("{}")
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / "a.ipynb").write_text("{}")
    (tmp_path / "ben" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "ben" / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")
    (tmp_path / "cat").mkdir()
    (tmp_path / ".hidden.ipynb").write_text("{}")
    (tmp_path / "readme.txt").write_text("x")
    found = discover_submissions(tmp_path)
    assert found == {"amy": [tmp_path / "amy.ipynb"], "ben": [tmp_path / "ben" / "a.ipynb"],
                     "cat": []}


def test_discover_submissions_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="submissions folder .* does not exist"):
        discover_submissions(tmp_path / "nope")


def test_teacher_exercises_from_notebook_and_folder(tmp_path):
    nbformat.write(chapter_notebook("98", 3), tmp_path / "98-x.ipynb")
    labels = [ex.label for ex in teacher_exercises([tmp_path / "98-x.ipynb"])]
    assert labels == [label("98", i) for i in (1, 2, 3)]
    assert [ex.label for ex in teacher_exercises([tmp_path])] == labels
    with pytest.raises(FileNotFoundError, match="teacher notebook .* does not exist"):
        teacher_exercises([tmp_path / "missing.ipynb"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="contain no exercises"):
        teacher_exercises([empty])


def test_cli_rejects_bad_arguments(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "softmax_course", "grade", str(tmp_path / "x"),
                           "--teacher", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 1 and "contain no exercises" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "softmax_course", "grade", str(tmp_path),
                           "--timeout", "0"], capture_output=True, text=True)
    assert proc.returncode == 2 and "must be positive" in proc.stderr


def test_write_grades_and_summary(tmp_path):
    grades = [Grade("张三", "ex-1", True, ""), Grade("张三", "ex-2", False, "未通过"),
              Grade("李四", "ex-1", False, "超时")]
    assert summary(grades) == [("张三", 1, 2), ("李四", 0, 1)]
    out, summary_out = write_grades(grades, tmp_path / "sheet.csv")
    assert summary_out == tmp_path / "sheet-summary.csv"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")        # BOM: Excel reads UTF-8
    assert read_csv(out)[1] == {"student": "张三", "exercise": "ex-2", "passed": "False",
                                "note": "未通过"}
    assert read_csv(summary_out) == [{"student": "张三", "passed": "1", "total": "2"},
                                     {"student": "李四", "passed": "0", "total": "1"}]
