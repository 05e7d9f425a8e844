"""Grade submitted notebooks by their self-checks: ``python -m softmax_course grade DIR``.

Submissions
    ``DIR/<student>.ipynb`` -- one notebook per student, named after the student; or
    ``DIR/<student>/*.ipynb`` -- a folder per student holding one or more notebooks (for
    example one per chapter). Both forms may be mixed. Other files, and names starting with
    ``.`` or ``_``, are ignored; a file ``DIR/<student>.ipynb`` that is not a valid notebook
    counts as a failed submission.

What is run
    Every notebook runs top to bottom in a fresh kernel, in its own process, with errors
    allowed: a failing cell fails only the exercises that need it. A cell running longer than
    the cell timeout is interrupted; a notebook running longer than the notebook timeout is
    killed (with its kernel) and all its exercises count as not passed. After the student's
    cells, a final cell prints ``softmax_course.exercises.results()`` -- the verdict of every
    self-check that ran -- after a marker unique to this run.

What is written
    ``grades.csv`` (``--out``): one row per student and exercise, columns
    ``student, exercise, passed, note``. The exercises are those of the teacher notebooks
    (``chapters/`` by default, ``--teacher`` to choose), so an exercise a student deleted still
    has its row (``passed`` False). ``grades-summary.csv`` next to it: ``student, passed,
    total``, also printed as a table. Both are UTF-8 with a byte-order mark (Excel reads them).

A self-check verdict comes from the student's own kernel: grading catches honest mistakes, it is
not proof against a student who tampers with the course package. Student code runs with your
permissions: grade untrusted submissions inside a container.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import nbformat

from .common import output_text
from .catalog import Exercise, chapter_exercises, find_exercises

__all__ = ["Grade", "discover_submissions", "teacher_exercises", "grade_notebook",
           "grade_submissions", "write_grades", "summary", "cli"]

VERDICT_RE = re.compile(r"^\[(?P<label>[^\]\s]+)\] (?P<mark>✅ 正确|❌ 还不对)：(?P<message>.*)$", re.M)
RESULTS_CELL = ("import json as _grading_json\n"
                "from softmax_course import exercises as _grading_exercises\n"
                "print({marker!r} + _grading_json.dumps(_grading_exercises.results()))\n")
NOTE_LIMIT = 200


@dataclass(frozen=True)
class Grade:
    """One row of the grade sheet."""

    student: str
    exercise: str
    passed: bool
    note: str


# --------------------------------------------------------------------------- inputs
def discover_submissions(folder: Path | str) -> dict[str, list[Path]]:
    """Students and their notebooks: ``<student>.ipynb`` files and ``<student>/`` folders.

    A folder's notebooks are found recursively (checkpoints skipped); a student whose folder
    holds no notebook is listed with an empty list.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist; pass a folder "
                                f"holding <student>.ipynb files or <student>/ folders")
    found: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found.setdefault(entry.stem, []).append(entry)
        elif entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb")
                               if ".ipynb_checkpoints" not in p.parts)
            found.setdefault(entry.name, []).extend(notebooks)
    return found


def teacher_exercises(paths: Iterable[Path | str] | None = None) -> list[Exercise]:
    """The exercises to grade: those of the given notebooks or folders of chapter notebooks.

    With no paths, the exercises of the book's ``chapters/`` folder.
    """
    if not paths:
        exercises = chapter_exercises()
    else:
        exercises = []
        for path in map(Path, paths):
            if path.is_dir():
                exercises += chapter_exercises(path)
            elif path.is_file():
                exercises += find_exercises(nbformat.read(path, as_version=4), path.name)
            else:
                raise FileNotFoundError(f"teacher notebook {path} does not exist")
    if not exercises:
        raise ValueError("the teacher notebooks contain no exercises ({exercise} cells with a "
                         ":label:); pass --teacher with the chapter notebooks to grade")
    return exercises


# --------------------------------------------------------------------------- one notebook
def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= NOTE_LIMIT else text[:NOTE_LIMIT - 1] + "…"


def _all_failed(labels: list[str], note: str) -> dict[str, tuple[bool, str]]:
    return {label: (False, _short(note)) for label in labels}


def _kill(proc: subprocess.Popen, pid_file: Path) -> None:
    """Kill the worker process group and the kernel it started (it runs in its own group)."""
    kernel: dict = {}
    try:
        kernel = json.loads(pid_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    if hasattr(os, "killpg"):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        pgid, pid = kernel.get("pgid"), kernel.get("pid")
        try:
            if pgid and pgid != os.getpgid(0):
                os.killpg(pgid, signal.SIGKILL)
            elif pid:
                os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    else:  # pragma: no cover - Windows
        proc.kill()
    proc.wait()


def _cell_error(cell: dict) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
    return ""


def _read_verdicts(executed, marker: str, labels: list[str],
                   cell_timeout: float) -> dict[str, tuple[bool, str]]:
    """Verdicts of an executed submission, with a note for every exercise not passed."""
    cells = executed.cells
    final = output_text(cells[-1]) if cells else ""
    results: dict[str, bool] | None = None
    for line in final.splitlines():
        if line.startswith(marker):
            results = json.loads(line[len(marker):])
    messages = {}
    for cell in cells[:-1]:
        for match in VERDICT_RE.finditer(output_text(cell)):
            messages[match.group("label")] = match.group("message")
    submitted = {ex.label: ex for ex in find_exercises(executed)}
    grades = {}
    for label in labels:
        if results and results.get(label) is True:
            grades[label] = (True, "")
            continue
        ex = submitted.get(label)
        errors = []
        if ex is not None:
            for k in ex.answer_cells + ex.self_check_cells:
                error = _cell_error(cells[k - 1])
                if error.startswith("KeyboardInterrupt"):
                    errors.append(f"单元格 {k} 运行超过 {cell_timeout:g} 秒，被中断")
                elif error:
                    errors.append(f"单元格 {k} 出错 {error}")
        if results is not None and label in results:
            note = f"自我检查未通过：{messages.get(label, '')}".rstrip("：")
        elif errors:
            note = "自我检查没有给出结果：" + "；".join(errors)
        elif results is None:
            note = "笔记本没有运行到最后，取不到自我检查的结果：" + (_cell_error(cells[-1]) or "未知原因")
        elif ex is None:
            note = "提交的笔记本里没有这道练习（练习单元格被删除了？）"
        else:
            note = "这道练习的自我检查单元格没有运行"
        grades[label] = (False, _short(note))
    return grades


def grade_notebook(path: Path | str, labels: list[str], *, timeout: float = 120,
                   cell_timeout: float = 30) -> dict[str, tuple[bool, str]]:
    """Run one submitted notebook and return ``{label: (passed, note)}`` for ``labels``.

    The notebook runs in a fresh kernel in a separate process (see the module docstring): a
    cell is interrupted after ``cell_timeout`` seconds, the whole run is killed after
    ``timeout`` seconds.
    """
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # any unreadable file is a failed submission, not a crash
        return _all_failed(labels, f"不是有效的 Jupyter 笔记本：{type(exc).__name__}: {exc}")
    marker = f"@@softmax-course-results-{secrets.token_hex(8)}@@"
    nb.cells.append(nbformat.v4.new_code_cell(RESULTS_CELL.format(marker=marker)))
    cell_timeout = max(1, int(min(cell_timeout, timeout)))
    with tempfile.TemporaryDirectory(prefix="softmax-grade-") as tmp:
        tmp_path = Path(tmp)
        prepared, executed_path = tmp_path / "submission.ipynb", tmp_path / "executed.ipynb"
        pid_file, log_file = tmp_path / "kernel.json", tmp_path / "worker.log"
        nbformat.write(nb, prepared)
        cmd = [sys.executable, "-m", "softmax_course.tools.grade_worker", str(prepared),
               str(executed_path), str(pid_file), str(cell_timeout), str(path.parent.resolve())]
        with open(log_file, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(proc, pid_file)
                return _all_failed(labels, f"超时：整个笔记本运行超过 {timeout:g} 秒，已被终止")
        if proc.returncode != 0 or not executed_path.is_file():
            tail = log_file.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            reason = next((ln for ln in reversed(tail) if "Error" in ln), tail[-1] if tail else "")
            if "DeadKernelError" in "\n".join(tail):
                reason = "内核意外退出（DeadKernelError）"
            return _all_failed(labels, f"笔记本无法运行：{reason}")
        executed = nbformat.read(executed_path, as_version=4)
    return _read_verdicts(executed, marker, labels, cell_timeout)


# --------------------------------------------------------------------------- all submissions
def _grade_student(notebooks: list[Path], labels: list[str], timeout: float,
                   cell_timeout: float) -> dict[str, tuple[bool, str]]:
    if not notebooks:
        return _all_failed(labels, "没有提交笔记本")
    merged: dict[str, tuple[bool, str]] = {}
    for path in notebooks:
        for label, (passed, note) in grade_notebook(path, labels, timeout=timeout,
                                                    cell_timeout=cell_timeout).items():
            if len(notebooks) > 1 and note:
                note = f"{path.name}：{note}"
            old = merged.get(label)
            # a pass in any notebook counts; otherwise prefer the note of a notebook that has
            # the exercise over "the exercise is missing"
            if old is None or passed or (not old[0] and "没有这道练习" in old[1]):
                merged[label] = (passed, note)
    return merged


def grade_submissions(folder: Path | str, exercises: list[Exercise] | None = None, *,
                      timeout: float = 120, cell_timeout: float = 30, jobs: int = 1,
                      progress: bool = True) -> list[Grade]:
    """Grade every submission of ``folder`` (see the module docstring); rows in sheet order."""
    exercises = teacher_exercises() if exercises is None else exercises
    labels = list(dict.fromkeys(ex.label for ex in exercises))
    students = discover_submissions(folder)
    from tqdm.auto import tqdm

    verdicts: dict[str, dict[str, tuple[bool, str]]] = {}
    with tqdm(total=len(students), desc="grading", unit="student", file=sys.stderr,
              disable=not progress) as bar, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(_grade_student, notebooks, labels, timeout, cell_timeout): name
                   for name, notebooks in students.items()}
        for future in as_completed(futures):
            verdicts[futures[future]] = future.result()
            bar.update(1)
    return [Grade(student, label, *verdicts[student][label])
            for student in students for label in labels]


def summary(grades: list[Grade]) -> list[tuple[str, int, int]]:
    """``(student, exercises passed, exercises graded)`` per student, in sheet order."""
    table: dict[str, list[int]] = {}
    for g in grades:
        row = table.setdefault(g.student, [0, 0])
        row[0] += g.passed
        row[1] += 1
    return [(student, p, t) for student, (p, t) in table.items()]


def write_grades(grades: list[Grade], out: Path | str,
                 summary_out: Path | str | None = None) -> tuple[Path, Path]:
    """Write the grade sheet and the per-student summary (default ``<out>-summary.csv``)."""
    out = Path(out)
    summary_out = Path(summary_out) if summary_out else out.with_name(f"{out.stem}-summary.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "exercise", "passed", "note"])
        for g in grades:
            writer.writerow([g.student, g.exercise, g.passed, g.note])
    with open(summary_out, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "passed", "total"])
        writer.writerows(summary(grades))
    return out, summary_out


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m softmax_course grade",
        description="Run submitted notebooks (DIR/<student>.ipynb or DIR/<student>/*.ipynb) "
                    "in fresh kernels and collect the verdicts of their self-checks.")
    parser.add_argument("submissions", type=Path, help="folder of submissions")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"),
                        help="grade sheet to write (default: grades.csv)")
    parser.add_argument("--summary", type=Path, default=None,
                        help="per-student summary (default: <out>-summary.csv)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds one notebook may run before it is killed (default 120)")
    parser.add_argument("--cell-timeout", type=float, default=30,
                        help="seconds one cell may run before it is interrupted (default 30)")
    parser.add_argument("--teacher", type=Path, action="append", default=None,
                        help="teacher notebook or folder whose exercises are graded "
                             "(repeatable; default: the book's chapters/)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="submissions graded in parallel (default 1)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.cell_timeout <= 0 or args.jobs < 1:
        parser.error("--timeout and --cell-timeout must be positive, --jobs at least 1")
    try:
        exercises = teacher_exercises(args.teacher)
        grades = grade_submissions(args.submissions, exercises, timeout=args.timeout,
                                   cell_timeout=args.cell_timeout, jobs=args.jobs,
                                   progress=not args.no_progress)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out, summary_out = write_grades(grades, args.out, args.summary)
    rows = summary(grades)
    width = max([len("student"), *(len(s) for s, _, _ in rows)])
    print(f"{'student':<{width}}  passed  total")
    for student, passed, total in rows:
        print(f"{student:<{width}}  {passed:>6}  {total:>5}")
    print(f"wrote {out} and {summary_out}")
    return 0
