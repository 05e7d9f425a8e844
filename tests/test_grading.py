"""`python -m softmax_course grade`: sandboxed runs, verdicts judged outside student code, every
file accounted for, notes on the right notebook and cell, points and feedback.

One class is graded once by the command line, in the real bubblewrap sandbox: honest students,
broken notebooks and one student per attack. Each attack turns its own success into a right
answer (``answer_1 = 41`` only if it could read the teacher's file, write outside its sandbox,
...), so a sandbox leak shows up as a passed exercise. Other tests of this folder:
``test_grading_units.py`` (no kernel) and ``test_exercises_base.py`` (shared judging rules).
"""
from __future__ import annotations

import copy
import csv
import hashlib
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

import softmax_course
from exercise_notebooks import chapter_notebook, label
from softmax_course.tools.editions import make_student_notebook
from softmax_course.tools.sandbox import bwrap_path

TIMEOUT = 40        # whole notebook, seconds
CELL_TIMEOUT = 4    # one cell, seconds
PACKAGE = Path(softmax_course.__file__).resolve().parent
LINGER = "312.25"   # a sleep argument no other process uses

if bwrap_path() is None:
    if os.environ.get("CI") or os.environ.get("COURSE_REQUIRE_SANDBOX"):
        pytest.fail("bubblewrap (bwrap), setpriv and prlimit are required in CI: .ci/run "
                    "installs bubblewrap", pytrace=False)
    pytestmark = pytest.mark.skip(reason="bubblewrap is not installed (apt-get install "
                                         "bubblewrap); grading refuses to run without it")

STUBBORN_LOOP = """import time
while True:                     # ignores the interrupt: only killing the kernel stops it
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass"""

C_LOOP = """import ctypes, signal
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])   # the interrupt cannot arrive
ctypes.CDLL(None).sleep(60)                                 # one long C call
answer_2 = 42"""

FORGE_RESULTS = """from softmax_course import exercises
from softmax_course.exercises import _base
LABELS = ["ex-98-demo1", "ex-98-demo2", "ex-99-demo1", "ex-99-demo2"]
exercises.results = lambda: {name: True for name in LABELS}
_base.results = exercises.results
_base._RESULTS.update({name: True for name in LABELS})
answer_1 = 40"""

FORGE_HOOK = """import json
from IPython import get_ipython
from IPython.display import publish_display_data
LABELS = ["ex-98-demo1", "ex-98-demo2", "ex-99-demo1", "ex-99-demo2"]
MIME = "application/vnd.softmax-course.answer+json"
def forge(result):
    print("@@softmax-course-results-0000000000000000@@" + json.dumps({n: True for n in LABELS}))
    for name in LABELS:
        print(f"[{name}] ✅ 正确：在容差内与参考答案一致。")
    for i, name in enumerate(LABELS):       # answers for the chapter never submitted
        publish_display_data({MIME: {"label": name, "answer": {
            "type": "number", "value": 41 + i % 2, "int": True}}})
get_ipython().events.register("post_run_cell", forge)
answer_1 = 40"""


def teacher_reader(teacher_file: Path) -> str:
    return f"""import glob, os
from softmax_course.tools.common import repo_root
candidates = [{str(teacher_file)!r}, str(repo_root() / "chapters"), "/work", "/root"]
for top in ("/tmp", "/work", "/root", "/home", "/job"):
    candidates += glob.glob(top + "/**/99-demo.ipynb", recursive=True)
found = []
for path in candidates:
    try:
        if os.path.isdir(path):
            found += [p for p in os.listdir(path) if p.endswith(".ipynb")]
        else:
            found.append(open(path).read()[:10])
    except OSError:
        pass
print("found:", found)
answer_1 = 41 if found else 40"""


def writer(targets: list[Path]) -> str:
    return f"""import os, glob
wrote = []
for path in {[str(t) for t in targets]!r}:
    try:
        with open(path, "a") as f:
            f.write("\\nraise SystemExit('tampered')\\n")
        wrote.append(path)
    except OSError as exc:
        print(path, exc)
for pid in os.listdir("/proc"):              # other jobs' notebooks, through their command lines
    try:
        cmd = open(f"/proc/{{pid}}/cmdline").read()
    except OSError:
        continue
    for part in cmd.split("\\0"):
        if part.endswith(".ipynb") and not part.startswith("/job/"):
            try:
                open(part, "w").write("{{}}")
                wrote.append(part)
            except OSError:
                pass
print("wrote:", wrote)
answer_1 = 41 if wrote else 40"""


LINGERER = f"""import subprocess, os
subprocess.Popen(["sleep", "{LINGER}"], start_new_session=True)
if os.fork() == 0:                              # a double-forked daemon
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{LINGER}"])
    os._exit(0)
answer_1 = 41"""

HOG = """import numpy as np
hog = np.ones(2**30)        # 8 GiB
answer_1 = 41"""


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


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lingering() -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if LINGER.encode() in cmd and b"sleep" in cmd:
            found.append(int(pid))
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Teacher chapters 98 and 99 (two exercises each; ex-99-demo2 worth 2 points) and a class."""
    base = tmp_path_factory.mktemp("grading")
    teacher = base / "teacher"
    teacher.mkdir()
    t98, t99 = chapter_notebook("98", 2), chapter_notebook("99", 2)
    ex2 = next(c for c in t99.cells if f":label: {label('99', 2)}" in c.source)
    ex2.metadata["grading"] = {"points": 2}
    nbformat.write(t98, teacher / "98-demo.ipynb")
    nbformat.write(t99, teacher / "99-demo.ipynb")
    s98, s99 = make_student_notebook(t98), make_student_notebook(t99)
    right98 = answered(s98, {1: "answer_1 = 41", 2: "answer_2 = 42"})
    right99 = answered(s99, {1: "answer_1 = 41", 2: "answer_2 = 42"})
    subs = base / "submissions"
    subs.mkdir()

    def put(name: str, nb) -> Path:
        path = subs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    alice = put("alice/99-demo.ipynb", right99)                     # the attacked classmate
    put("alice/98-demo.ipynb", right98)
    put("bob.ipynb", answered(s99, {1: "answer_1 = 40"}))             # wrong, stub
    put("carol.ipynb", answered(s99, {1: "while True:\n    pass", 2: "answer_2 = 42"}))
    put("dave.ipynb", answered(s99, {1: "answer_1 = 1 / 0", 2: "answer_2 = 42"}))
    (subs / "erin.ipynb").write_text("这不是笔记本 {", encoding="utf-8")
    put("frank/ch99.ipynb", answered(s99, {1: STUBBORN_LOOP, 2: "answer_2 = 42"}))
    gina = answered(s99, {1: "answer_1 = 41"})
    gina.cells = gina.cells[:next(i for i, c in enumerate(gina.cells) if label("99", 2) in c.source)]
    put("gina.ipynb", gina)
    put("HANK.IPYNB", right99)                                        # upper-case extension
    put("ivy/98.ipynb", answered(s98, {1: "answer_1 = 41",            # crash in chapter 98
                                       2: "import os\nos._exit(1)"}))
    put("ivy/99.ipynb", right99)
    put("jack/a.ipynb", right99)                                      # a chapter twice
    put("jack/b.ipynb", answered(s99, {1: "answer_1 = 40"}))
    with zipfile.ZipFile(subs / "kim.ZIP", "w") as zf:                # zip submission
        zf.writestr("homework/99-demo.ipynb", nbformat.writes(right99))
        zf.writestr("homework/readme.txt", "notes")
    with zipfile.ZipFile(subs / "leo.zip", "w") as zf:                # path traversal
        zf.writestr("../../escaped.ipynb", nbformat.writes(right99))
    (subs / "notes.txt").write_text("not a submission", encoding="utf-8")
    (subs / ".DS_Store").write_text("x", encoding="utf-8")
    (subs / "mia").mkdir()                                            # an empty folder

    # the attacks: each makes its own exercise 1 right only if it succeeds
    put("z_forge_results.ipynb", answered(s99, {1: FORGE_RESULTS, 2: "answer_2 = 42"}))
    put("z_forge_hook.ipynb", answered(s99, {1: FORGE_HOOK, 2: "answer_2 = 42"}))
    put("z_teacher_reader.ipynb", answered(s99, {1: teacher_reader(teacher / "99-demo.ipynb"),
                                                 2: "answer_2 = 42"}))
    targets = [alice, PACKAGE / "tools" / "grade_worker.py", PACKAGE / "exercises" / "__init__.py",
               subs / "bob.ipynb", base / "outside.txt"]
    put("z_writer.ipynb", answered(s99, {1: writer(targets), 2: "answer_2 = 42"}))
    put("z_lingerer.ipynb", answered(s99, {1: LINGERER, 2: "answer_2 = 42"}))
    put("z_hog.ipynb", answered(s99, {1: HOG, 2: "answer_2 = 42"}))
    put("z_c_loop.ipynb", answered(s99, {1: "answer_1 = 41", 2: C_LOOP}))
    roster = base / "roster.txt"
    roster.write_text("alice\nbob\nnora\n", encoding="utf-8")

    before = {p: digest(p) for p in targets if p.exists()}
    listing = sorted(p.name for p in subs.iterdir())
    out = base / "out" / "grades.csv"
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "softmax_course", "grade", str(subs), "--out", str(out),
         "--teacher", str(teacher), "--timeout", str(TIMEOUT), "--cell-timeout",
         str(CELL_TIMEOUT), "--jobs", "2", "--roster", str(roster)],
        capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    print(f"grading took {elapsed:.1f} s")
    rows = read_csv(out) if out.exists() else []
    return {"proc": proc, "elapsed": elapsed, "out": out, "subs": subs, "base": base,
            "before": before, "listing": listing, "lingering": lingering(),
            "grades": {(r["student"], r["exercise"]): r for r in rows}, "rows": rows,
            "files": read_csv(out.with_name("grades-files.csv")) if out.exists() else []}


def verdict(graded, student: str, chapter: str, i: int) -> tuple[str, str]:
    row = graded["grades"][(student, label(chapter, i))]
    return row["passed"], row["note"]


def passes(graded, student: str, chapter: str = "99", i: int = 1) -> bool:
    return verdict(graded, student, chapter, i)[0] == "True"


# --------------------------------------------------------------------------- honest class
def test_cli_succeeds_and_prints_a_summary_table(graded):
    proc = graded["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["student", "passed", "total", "points"]
    assert any(ln.split()[:4] == ["alice", "4", "4", "5/5"] for ln in lines)


def test_honest_students_pass_everything(graded):
    for student in ("alice", "kim", "HANK"):
        chapters = ("98", "99") if student == "alice" else ("99",)
        for chapter in chapters:
            for i in (1, 2):
                assert verdict(graded, student, chapter, i) == ("True", ""), (student, chapter, i)


def test_points_come_from_the_exercise_metadata(graded):
    row = graded["grades"][("alice", label("99", 2))]
    assert (row["points"], row["max_points"]) == ("2", "2")
    row = graded["grades"][("bob", label("99", 2))]
    assert (row["passed"], row["points"], row["max_points"]) == ("False", "0", "2")
    summary = {r["student"]: r for r in read_csv(graded["out"].with_name("grades-summary.csv"))}
    assert (summary["alice"]["points"], summary["alice"]["max_points"]) == ("5", "5")


def test_wide_sheet_has_one_row_per_student_and_a_column_per_exercise(graded):
    wide = read_csv(graded["out"].with_name("grades-wide.csv"))
    assert list(wide[0]) == ["student", *(label(c, i) for c in ("98", "99") for i in (1, 2)),
                             "points", "max_points"]
    alice = next(r for r in wide if r["student"] == "alice")
    assert alice[label("99", 2)] == "2" and alice["points"] == "5"
    assert len(wide) == len({r["student"] for r in graded["rows"]})


def test_feedback_page_per_student_in_chinese(graded):
    page = (graded["out"].parent / "feedback" / "bob.md").read_text(encoding="utf-8")
    assert "bob 的练习反馈" in page and "总分：**0 / 5**" in page
    assert "❌ 未通过" in page and "想一想乘法和减法的顺序" in page   # the hint
    assert "没有提交这道练习所在章节（98-demo.ipynb）" in page


def test_wrong_and_unanswered_fail_with_the_reason(graded):
    passed, note = verdict(graded, "bob", "99", 1)
    assert passed == "False" and "差距超过了容差" in note and note.startswith("bob.ipynb")
    passed, note = verdict(graded, "bob", "99", 2)
    assert passed == "False" and "还没有作答" in note


def test_exercises_of_chapters_not_submitted_fail(graded):
    passed, note = verdict(graded, "bob", "98", 1)
    assert passed == "False" and "没有提交这道练习所在章节" in note


def test_infinite_loop_costs_only_its_exercise(graded):
    passed, note = verdict(graded, "carol", "99", 1)
    assert passed == "False" and "超时" in note and f"{CELL_TIMEOUT}" in note
    assert passes(graded, "carol", "99", 2)


def test_raising_answer_fails_with_the_error_and_its_cell(graded):
    passed, note = verdict(graded, "dave", "99", 1)
    assert passed == "False" and "ZeroDivisionError" in note and "单元格" in note
    assert passes(graded, "dave", "99", 2)


def test_stubborn_loop_is_killed_and_reported_on_its_cell(graded):
    passed, note = verdict(graded, "frank", "99", 1)
    assert passed == "False" and "ch99.ipynb" in note and "超时" in note
    passed, note = verdict(graded, "frank", "99", 2)
    assert passed == "False" and "没有运行到这道练习" in note and "超时" in note


def test_deleted_exercise_still_has_a_row(graded):
    assert passes(graded, "gina", "99", 1)
    passed, note = verdict(graded, "gina", "99", 2)
    assert passed == "False" and "没有这道练习" in note


def test_crash_is_reported_on_its_notebook_and_cell(graded):
    assert passes(graded, "ivy", "98", 1)                 # answered before the crash
    passed, note = verdict(graded, "ivy", "98", 2)
    assert passed == "False" and note.startswith("ivy/98.ipynb") and "内核意外退出" in note
    assert passes(graded, "ivy", "99", 1) and passes(graded, "ivy", "99", 2)
    assert verdict(graded, "ivy", "99", 1)[1] == ""        # nothing written on chapter 99


def test_grading_finishes_in_reasonable_time(graded):
    assert graded["elapsed"] < 400, graded["elapsed"]


# --------------------------------------------------------------------------- nothing lost
def test_every_file_is_listed(graded):
    files = {r["path"]: r for r in graded["files"]}
    assert files["HANK.IPYNB"]["status"] == "graded" and passes(graded, "HANK", "99", 2)
    assert files["erin.ipynb"]["status"] == "rejected"
    assert "不是有效的 Jupyter 笔记本" in files["erin.ipynb"]["detail"]
    assert files["notes.txt"]["status"] == "rejected"
    assert files[".DS_Store"]["status"] == "ignored"
    assert files["mia"]["status"] == "rejected" and "空文件夹" in files["mia"]["detail"]
    assert files["kim.ZIP!homework/99-demo.ipynb"]["status"] == "graded"
    assert files["kim.ZIP!homework/readme.txt"]["status"] == "rejected"
    assert passes(graded, "kim", "99", 1)
    assert files["leo.zip"]["status"] == "rejected" and "路径穿越" in files["leo.zip"]["detail"]
    assert not (graded["base"] / "escaped.ipynb").exists()
    for name in graded["listing"]:                       # every top-level entry appears
        assert any(p == name or p.startswith(name + "/") or p.startswith(name + "!")
                   for p in files), name


def test_duplicates_of_one_chapter_are_reported(graded):
    files = {r["path"]: r for r in graded["files"]}
    for name in ("jack/a.ipynb", "jack/b.ipynb"):
        assert files[name]["status"] == "duplicate" and "提交了 2 份" in files[name]["detail"]
    assert passes(graded, "jack", "99", 1)               # the better of the two counts


def test_roster_lists_students_who_submitted_nothing(graded):
    passed, note = verdict(graded, "nora", "99", 1)
    assert passed == "False" and "没有提交任何笔记本" in note
    missing = [r for r in graded["files"] if r["student"] == "nora"]
    assert missing and missing[0]["status"] == "missing"


# --------------------------------------------------------------------------- attacks
def test_monkeypatched_results_do_not_count(graded):
    assert not passes(graded, "z_forge_results", "99", 1)
    assert passes(graded, "z_forge_results", "99", 2)        # the notebook ran to its end
    assert not passes(graded, "z_forge_results", "98", 1)


def test_hook_and_forged_markers_do_not_count(graded):
    assert not passes(graded, "z_forge_hook", "99", 1)
    assert passes(graded, "z_forge_hook", "99", 2)
    for i in (1, 2):                                         # forged answers of chapter 98
        passed, note = verdict(graded, "z_forge_hook", "98", i)
        assert passed == "False" and "没有提交" in note


def test_teacher_files_are_invisible(graded):
    assert not passes(graded, "z_teacher_reader", "99", 1)
    assert passes(graded, "z_teacher_reader", "99", 2)


def test_nothing_outside_the_sandbox_can_be_written(graded):
    assert not passes(graded, "z_writer", "99", 1)
    assert passes(graded, "z_writer", "99", 2)
    for path, before in graded["before"].items():            # package, classmates' files
        assert digest(path) == before, path
    assert not (graded["base"] / "outside.txt").exists()


def test_attacked_classmate_is_unaffected(graded):
    assert all(passes(graded, "alice", ch, i) for ch in ("98", "99") for i in (1, 2))
    assert passes(graded, "bob", "99", 1) is False
    assert "差距超过了容差" in verdict(graded, "bob", "99", 1)[1]    # bob's file was not emptied


def test_no_process_is_left_behind(graded):
    assert passes(graded, "z_lingerer", "99", 1)             # its processes did start
    assert graded["lingering"] == [], f"processes left running: {graded['lingering']}"


def test_memory_hog_fails_only_its_cell(graded):
    passed, note = verdict(graded, "z_hog", "99", 1)
    assert passed == "False" and "MemoryError" in note
    assert passes(graded, "z_hog", "99", 2)


def test_uninterruptible_c_call_is_a_timeout_of_its_cell(graded):
    assert passes(graded, "z_c_loop", "99", 1)               # answered before: kept
    passed, note = verdict(graded, "z_c_loop", "99", 2)
    assert passed == "False" and "超时" in note and "z_c_loop.ipynb" in note
    assert "NameError" not in note


def test_package_and_submissions_unchanged_after_grading(graded):
    assert sorted(p.name for p in graded["subs"].iterdir()) == graded["listing"]
    worker = (PACKAGE / "tools" / "grade_worker.py").read_text(encoding="utf-8")
    assert "tampered" not in worker


# --------------------------------------------------------------------------- the sandbox itself
def test_sandbox_isolation_directly(tmp_path):
    from softmax_course.tools.sandbox import sandbox_command

    job = tmp_path / "job"
    job.mkdir()
    job.chmod(0o755)
    script = job / "probe.py"
    script.write_text(f"""import os, socket
print("uid", os.getuid())
print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
for path in [{str(PACKAGE.parent.parent / 'chapters')!r}, {str(tmp_path)!r}]:
    print("visible" if os.path.exists(path) else "hidden", path)
try:
    open({str(PACKAGE / 'core.py')!r}, "a")
    print("package writable")
except OSError:
    print("package read-only")
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    print("network")
except OSError:
    print("no network")
""", encoding="utf-8")
    script.chmod(0o644)
    proc = subprocess.run(sandbox_command([sys.executable, "/job/probe.py"], job),
                          capture_output=True, text=True, timeout=60)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert "uid 0" not in out and "uid" in out
    assert "visible" not in out and "package read-only" in out and "no network" in out
    pids = eval(out.split("pids ", 1)[1].splitlines()[0])
    assert max(pids) < 10                                    # its own PID namespace


def test_jobs_import_the_package_copied_when_grading_started(tmp_path):
    """A teacher editing the repository during a long run does not change later notebooks."""
    from softmax_course.tools.grading import Runner
    from softmax_course.tools.sandbox import Limits, sandbox_command

    work = tmp_path / "work"
    work.mkdir()
    work.chmod(0o755)
    runner = Runner(timeout=60, cell_timeout=10, limits=Limits(), unsafe=False, workdir=work)
    copied = sorted(p.relative_to(runner.package) for p in runner.package.rglob("*.py"))
    live = sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py"))
    assert copied == live and not list(runner.package.rglob("__pycache__"))
    # the repository changes after the copy: here, a module that exists only in the live folder
    marker = "edited_after_copy_" + hashlib.sha256(str(tmp_path).encode()).hexdigest()[:8]
    (runner.package / "only_in_copy.py").write_text("VALUE = 7\n", encoding="utf-8")
    (runner.package / "only_in_copy.py").chmod(0o644)
    job = tmp_path / "job"
    job.mkdir()
    job.chmod(0o755)
    code = (f"import importlib.util as u, softmax_course.only_in_copy as c; "
            f"print(c.VALUE, u.find_spec('softmax_course.{marker}') is None)")
    (PACKAGE / f"{marker}.py").write_text("VALUE = 0\n", encoding="utf-8")
    try:
        proc = subprocess.run(sandbox_command([sys.executable, "-c", code], job,
                                              package_copy=runner.package),
                              capture_output=True, text=True, timeout=60)
    finally:
        (PACKAGE / f"{marker}.py").unlink()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["7", "True"]


def test_grade_refuses_without_the_sandbox(tmp_path, monkeypatch):
    from softmax_course.tools import grading

    monkeypatch.setattr(grading, "bwrap_path", lambda: None)
    code = grading.cli([str(tmp_path), "--out", str(tmp_path / "g.csv")])
    assert code == 1 and not (tmp_path / "g.csv").exists()


def test_unsafe_flag_warns_loudly(tmp_path):
    teacher = tmp_path / "teacher"
    teacher.mkdir()
    nbformat.write(chapter_notebook("97", 1), teacher / "97-demo.ipynb")
    subs = tmp_path / "subs"
    subs.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "softmax_course", "grade", str(subs), "--teacher", str(teacher),
         "--out", str(tmp_path / "g.csv"), "--unsafe-no-sandbox", "--no-progress"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PATH": "/nonexistent"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("WITHOUT a sandbox") >= 1
