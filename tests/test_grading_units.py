"""Grading without a kernel: the answer-data codec, finding submissions, the checks read from the
teacher notebooks, secret inputs, judging, the sheets, shards and their merge."""
from __future__ import annotations

import csv
import json
import os
import zipfile

import nbformat
import numpy as np
import pytest

from exercise_notebooks import chapter_notebook, label
from softmax_course import exercises
from softmax_course.exercises import describe_check
from softmax_course.tools import grade_checks
from softmax_course.tools.catalog import find_exercises
from softmax_course.tools.grade_checks import exercise_check, judge, secret_inputs
from softmax_course.tools.grade_data import DataError, decode, encode, loads
from softmax_course.tools.grading import (FileEntry, Grade, _shard_of, discover_submissions,
                                          merge_sheets, summary, teacher_exercises,
                                          write_grades)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- answer data
@pytest.mark.parametrize("value", [0.5, 3, np.float32(2.5), np.int64(7), "KL(P‖Q)", True,
                                   np.arange(6.0).reshape(2, 3), np.array([1, 2]),
                                   [[1.0, 2.0]], np.array([np.inf, -np.inf, np.nan]),
                                   (np.ones(2), 3.0)])
def test_encode_decode_round_trip(value):
    text = json.dumps(encode(value), allow_nan=False)
    back = decode(loads(text))
    if isinstance(value, np.ndarray):
        np.testing.assert_array_equal(back["array"], value)
        assert back["array"].dtype.kind == ("f" if value.dtype.kind == "f" else "i")
    elif isinstance(value, tuple):
        assert back["type"] == "tuple" and len(back["items"]) == 2
    elif isinstance(value, list):
        assert back["type"] == "list" and back["array"].tolist() == value
    else:
        assert back["value"] == value


def test_unknown_objects_leave_only_their_type_name():
    assert encode(object()) == {"type": "other", "name": "object"}
    assert encode(lambda: 1) == {"type": "other", "name": "function"}
    assert encode(...) == {"type": "unanswered"}


@pytest.mark.parametrize("payload, message", [
    ({"type": "pickle", "data": "gASV"}, "unknown value type"),
    ({"type": "array", "dtype": "O", "shape": [1], "data": [1]}, "dtype"),
    ({"type": "array", "dtype": "f8", "shape": [3], "data": [1, 2]}, "3 numbers"),
    ({"type": "array", "dtype": "f8", "shape": [1], "data": ["1e3"]}, "not a number"),
    ({"type": "array", "dtype": "i8", "shape": [1], "data": [1.5]}, "non-integer"),
    ({"type": "array", "dtype": "f8", "shape": [10**7], "data": []}, "shape"),
    ({"type": "number", "value": True}, "boolean"),
    ({"type": "str", "value": "x" * 20_000}, "string"),
    ({"type": "str", "value": "x", "extra": 1}, "unexpected keys"),
    ([1, 2], "object with a 'type'"),
])
def test_decode_rejects_anything_outside_the_schema(payload, message):
    with pytest.raises(DataError, match=message):
        decode(payload)


def test_loads_is_strict():
    with pytest.raises(DataError, match="constant"):
        loads('{"type": "number", "value": NaN}')
    with pytest.raises(DataError, match="exceeds"):
        loads("[" + "1," * 100 + "1]", max_bytes=50)
    with pytest.raises(DataError, match="not valid JSON"):
        loads("{")


# --------------------------------------------------------------------------- submissions
def test_discover_lists_every_file(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    nb = nbformat.writes(chapter_notebook("99", 1))
    (subs / "Amy.IPYNB").write_text(nb)
    (subs / "ben").mkdir()
    (subs / "ben" / "a.ipynb").write_text(nb)
    (subs / "ben" / "draft.py").write_text("x")
    (subs / "ben" / ".ipynb_checkpoints").mkdir()
    (subs / "ben" / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text(nb)
    (subs / "cat").mkdir()
    (subs / "readme.txt").write_text("x")
    os.symlink("/etc/passwd", subs / "dan.ipynb")
    with zipfile.ZipFile(subs / "eve.zip", "w") as zf:
        zf.writestr("sub/x.ipynb", nb)
    with zipfile.ZipFile(subs / "fay.zip", "w") as zf:
        zf.writestr("/etc/evil.ipynb", nb)
    (subs / "gus.zip").write_bytes(b"not a zip")
    found = discover_submissions(subs, tmp_path / "unzip")
    files = {f.path: (f.student, f.status) for f in found.files}
    assert files["Amy.IPYNB"] == ("Amy", "graded")
    assert files["ben/a.ipynb"] == ("ben", "graded")
    assert files["ben/draft.py"][1] == "rejected"
    assert files["ben/.ipynb_checkpoints"][1] == "ignored"
    assert files["cat"] == ("cat", "rejected")
    assert files["readme.txt"][1] == "rejected"
    assert files["dan.ipynb"][1] == "rejected"                     # a symlink is not followed
    assert files["eve.zip!sub/x.ipynb"] == ("eve", "graded")
    assert files["fay.zip"][1] == "rejected"
    assert files["gus.zip"][1] == "rejected"
    assert [n.name for n in found.students["ben"]] == ["ben/a.ipynb"]
    assert found.students["cat"] == []
    assert not (tmp_path / "etc").exists()


def test_zip_bombs_are_refused(tmp_path, monkeypatch):
    from softmax_course.tools import grading

    monkeypatch.setattr(grading, "MAX_ZIP_BYTES", 1000)
    subs = tmp_path / "subs"
    subs.mkdir()
    with zipfile.ZipFile(subs / "big.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.ipynb", "0" * 5000)
    found = discover_submissions(subs, tmp_path / "u")
    assert found.files[0].status == "rejected" and "MB" in found.files[0].detail


def test_discover_submissions_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="submissions folder .* does not exist"):
        discover_submissions(tmp_path / "nope")


# --------------------------------------------------------------------------- checks
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


def test_exercise_check_reads_the_self_check_and_points():
    nb = chapter_notebook("99", 2)
    ex = find_exercises(nb, "99-demo.ipynb")
    nb.cells[ex[1].cell - 1].metadata["grading"] = {"points": 2.5}
    checks = [exercise_check(e, nb, "99-demo.ipynb") for e in ex]
    assert [c.variable for c in checks] == ["answer_1", "answer_2"]
    assert checks[0].spec.kind == "number" and checks[0].spec.tol == 1e-6
    assert [c.points for c in checks] == [1.0, 2.5]
    nb.cells[ex[1].cell - 1].metadata["grading"] = {"points": 0}
    with pytest.raises(ValueError, match="positive number"):
        exercise_check(ex[1], nb, "99-demo.ipynb")
    nb.cells[ex[0].self_check_cells[0] - 1].source = "exercises.check_number(a, b, 'x', 1, 'h')"
    with pytest.raises(ValueError, match="exactly one variable"):
        exercise_check(ex[0], nb, "99-demo.ipynb")


def test_every_chapter_exercise_can_be_graded():
    """Each exercise of the book: its check is described and function inputs exist."""
    from softmax_course.tools.grading import _teacher_notebooks

    for path, nb, ex in _teacher_notebooks(None):
        check = exercise_check(ex, nb, path.name)
        assert check.spec.kind in ("number", "choice", "function"), ex.label
        if check.kind == "function":
            a, b = secret_inputs(check, 1), secret_inputs(check, 2)
            assert a and len(a) == len(b), ex.label
            # secret means: not the self-check's public cases, and not the same for two seeds
            assert repr(a) != repr(b), f"{ex.label}: add a generator to grade_checks.GENERATORS"
            assert repr(a) != repr(list(check.spec.cases)), ex.label
            # a reference answer exists for every secret input
            for args in a:
                check.spec.reference(*args)


def test_secret_inputs_depend_on_the_seed():
    spec = describe_check(exercises.check_one_hot, None)
    check = grade_checks.ExerciseCheck("ex-01-one-hot", "01.ipynb", "", "f", spec)
    a, b = secret_inputs(check, 1), secret_inputs(check, 2)
    assert repr(a) != repr(b) and repr(a) == repr(secret_inputs(check, 1))


def test_judge_numbers_functions_and_errors():
    spec = describe_check(exercises.check_soft_distance, None)
    assert judge(spec, decode(encode(0.3)), decode(encode(0.3004)))[0]
    ok, message = judge(spec, decode(encode(0.31)), decode(encode(0.3)))
    assert not ok and "提示" in message
    ok, message = judge(spec, decode(encode("0.3")), decode(encode(0.3)))
    assert not ok and "实数" in message
    ok, message = judge(spec, {"type": "missing", "error": "NameError: x"}, decode(encode(0.3)))
    assert not ok and "没有定义" in message
    spec = describe_check(exercises.check_one_hot, None)
    expected = decode({"type": "outputs", "items": [encode(np.eye(2))]})
    errors = decode({"type": "outputs", "items": [{"type": "error", "error": "ValueError: x"}]})
    ok, message = judge(spec, errors, expected)
    assert not ok and "ValueError" in message
    todo = decode({"type": "outputs", "items": [{"type": "not_implemented"}]})
    assert "还没有实现" in judge(spec, todo, expected)[1]
    assert "函数" in judge(spec, decode(encode(3.0)), expected)[1]


# --------------------------------------------------------------------------- sheets
GRADES = [Grade("张三", "ex-1", True, "", 1, 1, "01.ipynb"),
          Grade("张三", "ex-2", False, "01.ipynb：未通过", 0, 2, "01.ipynb", "想一想"),
          Grade("李四", "ex-1", False, "超时", 0, 1, "01.ipynb"),
          Grade("李四", "ex-2", True, "", 2, 2, "01.ipynb")]


def test_write_grades_long_wide_summary_files_feedback(tmp_path):
    files = [FileEntry("x.txt", "", "rejected", "不是笔记本")]
    paths = write_grades(GRADES, tmp_path / "sheet.csv", files, feedback_dir=tmp_path / "fb")
    assert paths["long"].read_bytes().startswith(b"\xef\xbb\xbf")        # Excel reads UTF-8
    assert read_csv(paths["long"])[1] == {"student": "张三", "chapter": "01.ipynb",
                                          "exercise": "ex-2", "passed": "False", "points": "0",
                                          "max_points": "2", "note": "01.ipynb：未通过"}
    assert read_csv(paths["wide"]) == [
        {"student": "张三", "ex-1": "1", "ex-2": "0", "points": "1", "max_points": "3"},
        {"student": "李四", "ex-1": "0", "ex-2": "2", "points": "2", "max_points": "3"}]
    assert read_csv(paths["summary"])[0] == {"student": "张三", "passed": "1", "total": "2",
                                             "points": "1", "max_points": "3"}
    assert read_csv(paths["files"])[0]["status"] == "rejected"
    page = (tmp_path / "fb" / "张三.md").read_text(encoding="utf-8")
    assert "总分：**1 / 3**" in page and "提示：想一想" in page and "✅ 正确" in page
    assert summary(GRADES) == [("张三", 1, 2, 1, 3), ("李四", 1, 2, 2, 3)]


def test_shards_partition_the_class_and_merge(tmp_path):
    students = [f"s{i:03d}" for i in range(60)]
    shards = [{s for s in students if _shard_of(s, 3) == i} for i in range(3)]
    assert set().union(*shards) == set(students) and sum(map(len, shards)) == 60
    assert all(shards)                                       # none empty for 60 students
    a = write_grades(GRADES[:2], tmp_path / "a" / "grades.csv", [])["long"]
    b = write_grades(GRADES[2:], tmp_path / "b" / "grades.csv", [])["long"]
    merged = merge_sheets([a, b], tmp_path / "all.csv")
    assert read_csv(merged["long"]) == read_csv(write_grades(GRADES, tmp_path / "one.csv")["long"])
    assert len(read_csv(merged["wide"])) == 2
    with pytest.raises(ValueError, match="already in another part"):
        merge_sheets([a, a], tmp_path / "twice.csv")


def test_merge_from_the_command_line(tmp_path, capsys):
    from softmax_course.tools.grading import cli

    a = write_grades(GRADES[:2], tmp_path / "a" / "grades.csv")["long"]
    b = write_grades(GRADES[2:], tmp_path / "b" / "grades.csv")["long"]
    assert cli(["--merge", str(a), str(b), "--out", str(tmp_path / "m.csv")]) == 0
    assert len(read_csv(tmp_path / "m-wide.csv")) == 2
    assert cli(["--merge", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "x.csv")]) == 1


def test_cli_rejects_bad_arguments(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "softmax_course", "grade", str(tmp_path),
                           "--timeout", "0"], capture_output=True, text=True)
    assert proc.returncode == 2 and "must be positive" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "softmax_course", "grade", str(tmp_path),
                           "--shard", "4/3"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--shard" in proc.stderr
