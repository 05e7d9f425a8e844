"""Grade submitted notebooks: ``python -m softmax_course grade SUBMISSIONS_DIR``.

Trust
    A submitted notebook is untrusted code. Each one runs in its own sandbox
    (:mod:`.sandbox`: bubblewrap, no network, read-only system, no view of the teacher's files,
    of other submissions or of the grader's output, an unprivileged user, limits on memory, CPU,
    processes and file size). The grader never asks the student's kernel for a verdict: right
    after each exercise's self-check cell it takes the *answer* out as data (the value the
    self-check receives; for a function, its outputs on inputs drawn with a secret seed) and
    judges it in its own process against the teacher's answers, which it obtains by running the
    teacher notebooks (``chapters/`` or ``--teacher``) the same way. Those notebooks and their
    answers never enter a student's sandbox, and the package's self-check digests are not used.
    Without bubblewrap the command refuses to run unless given ``--unsafe-no-sandbox``.

Submissions (``SUBMISSIONS_DIR``)
    ``<student>.ipynb``, ``<student>.zip`` or a folder ``<student>/`` holding notebooks (and zip
    files), any mix; extensions are matched without case. Every file and folder is listed in
    ``<out>-files.csv``: graded, or rejected with the reason (not a notebook, unreadable, hidden,
    a checkpoint, a symbolic link, an unsafe or too large zip, ...). A notebook's chapter is
    recognised by the labels of its exercises; two notebooks of one student for the same chapter
    are both graded (each exercise counts its better result) and reported as duplicates.

Output (``--out grades.csv``)
    ``grades.csv``: one row per student and exercise (student, chapter, exercise, passed,
    points, max_points, note); ``grades-summary.csv``: per student; ``grades-wide.csv``: one row
    per student, one column of points per exercise, and the total (for an LMS);
    ``grades-files.csv``: what happened to every submitted file; ``feedback/<student>.md``: a
    Chinese feedback page per student (each exercise: verdict, points, note or hint). CSV files
    are UTF-8 with a byte-order mark (Excel reads them).

Points
    An exercise is worth 1 point unless its ``{exercise}`` Markdown cell in the teacher notebook
    has the cell metadata ``{"grading": {"points": 2}}``.

Large classes
    ``--jobs N`` runs N notebooks at once. ``--shard i/k`` grades only the students whose name
    hashes to shard i of k (run the k shards on k machines, e.g. as a Slurm job array), and
    ``--merge`` joins the shards' ``grades.csv`` files into one set of sheets.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

import nbformat

from .catalog import chapter_exercises, find_exercises
from .common import repo_root
from .grade_checks import ExerciseCheck, exercise_check, inputs_json, judge, secret_inputs
from .grade_data import DataError, decode
from .sandbox import (JOB_DIR, WORK_DIR, Limits, SandboxUnavailable, bwrap_path, copy_package,
                      sandbox_command)

__all__ = ["Grade", "FileEntry", "Submissions", "discover_submissions", "teacher_exercises",
           "grade_submissions", "write_grades", "summary", "merge_sheets", "cli",
           "GradingError"]

NOTE_LIMIT = 300
MAX_NOTEBOOK_BYTES = 20 * 2**20       # a larger submitted notebook is rejected
MAX_ZIP_BYTES = 100 * 2**20           # total uncompressed size of one zip submission
MAX_ZIP_FILES = 500
MAX_EVENT_BYTES = 64 * 2**20          # output read back from one job
UNSAFE_WARNING = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!! WARNING: --unsafe-no-sandbox: student notebooks run WITHOUT a sandbox, with YOUR user's  !!
!! rights: they can read the teacher's solutions, change other submissions and the grader,  !!
!! use the network and leave processes behind. Grade untrusted submissions only with       !!
!! bubblewrap installed (apt-get install bubblewrap).                                      !!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
"""


class GradingError(RuntimeError):
    """The grading cannot proceed (teacher notebooks broken, no sandbox, bad arguments)."""


@dataclass(frozen=True)
class Grade:
    """One row of the grade sheet."""

    student: str
    exercise: str
    passed: bool
    note: str
    points: float = 0.0
    max_points: float = 1.0
    chapter: str = ""
    hint: str = ""


@dataclass
class FileEntry:
    """What happened to one submitted file or folder (a row of ``<out>-files.csv``)."""

    path: str
    student: str
    status: str          # graded, rejected, duplicate, ignored, missing
    detail: str = ""


@dataclass
class Notebook:
    student: str
    name: str            # as shown in notes: path inside the student's submission
    path: Path           # readable file (a zip's member is extracted to a temporary folder)
    entry: FileEntry


@dataclass
class Submissions:
    students: dict[str, list[Notebook]] = field(default_factory=dict)
    files: list[FileEntry] = field(default_factory=list)


# --------------------------------------------------------------------------- inputs
def _safe_members(zf: zipfile.ZipFile) -> str | None:
    """Why a zip file must not be unpacked, or None when it is safe."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_FILES:
        return f"压缩包里有 {len(infos)} 个文件，超过上限 {MAX_ZIP_FILES}"
    total = 0
    for info in infos:
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or info.filename.startswith("/"):
            return f"压缩包里的路径 {info.filename!r} 指向压缩包外（路径穿越），整个压缩包被拒收"
        if stat.S_ISLNK(info.external_attr >> 16):
            return f"压缩包里的 {info.filename!r} 是符号链接，整个压缩包被拒收"
        if info.flag_bits & 0x1:
            return "压缩包有密码，无法解压"
        total += info.file_size
        if total > MAX_ZIP_BYTES:
            return f"解压后超过 {MAX_ZIP_BYTES // 2**20} MB，整个压缩包被拒收"
    return None


def _visit(path: Path, root: Path, student: str, subs: Submissions, unpack_dir: Path,
           shown: str) -> None:
    """Classify ``path`` (shown as ``shown``) of ``student``'s submission."""
    notebooks = subs.students.setdefault(student, [])
    name = path.name
    if path.is_symlink():
        subs.files.append(FileEntry(shown, student, "rejected", "符号链接，不跟随（只收真实的文件）"))
        return
    if name.startswith("."):
        what = "Jupyter 自动保存的检查点" if name == ".ipynb_checkpoints" else "隐藏文件"
        subs.files.append(FileEntry(shown, student, "ignored", f"{what}，不评分"))
        return
    if path.is_dir():
        children = sorted(path.iterdir())
        if not children:
            subs.files.append(FileEntry(shown, student, "rejected", "空文件夹"))
        for child in children:
            _visit(child, root, student, subs, unpack_dir, f"{shown}/{child.name}")
        return
    if not path.is_file():
        subs.files.append(FileEntry(shown, student, "rejected", "不是普通文件"))
        return
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        entry = FileEntry(shown, student, "graded")
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            entry.status, entry.detail = "rejected", (f"笔记本超过 "
                                                      f"{MAX_NOTEBOOK_BYTES // 2**20} MB")
        else:
            notebooks.append(Notebook(student, shown, path, entry))
        subs.files.append(entry)
    elif suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                problem = _safe_members(zf)
                if problem:
                    subs.files.append(FileEntry(shown, student, "rejected", problem))
                    return
                target = Path(tempfile.mkdtemp(dir=unpack_dir))
                zf.extractall(target)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
            subs.files.append(FileEntry(shown, student, "rejected",
                                        f"无法解压：{type(exc).__name__}: {exc}"))
            return
        subs.files.append(FileEntry(shown, student, "unpacked", "zip 已解压，内容逐个列出"))
        members = sorted(target.iterdir())
        if not members:
            subs.files.append(FileEntry(f"{shown}!", student, "rejected", "压缩包是空的"))
        for child in members:
            _visit(child, root, student, subs, unpack_dir, f"{shown}!{child.name}")
    else:
        subs.files.append(FileEntry(shown, student, "rejected",
                                    f"不是笔记本（.ipynb）或 zip 压缩包（扩展名 {path.suffix or '无'}）"))


def discover_submissions(folder: Path | str, unpack_dir: Path | str | None = None
                         ) -> Submissions:
    """Every student and notebook of ``folder``, and what happens to each file (see module doc).

    ``unpack_dir`` receives the contents of zip submissions (default: a new temporary folder).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist; pass a folder "
                                f"holding <student>.ipynb files or <student>/ folders")
    unpack = Path(unpack_dir) if unpack_dir else Path(tempfile.mkdtemp(prefix="softmax-unzip-"))
    unpack.mkdir(parents=True, exist_ok=True)
    subs = Submissions()
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if entry.is_symlink() or name.startswith(".") or not (entry.is_dir() or entry.is_file()):
            _visit(entry, folder, "", subs, unpack, name)
            subs.students.pop("", None)
            continue
        if entry.is_dir():
            student = name
        elif entry.suffix.lower() in (".ipynb", ".zip"):
            student = entry.stem
        else:
            subs.files.append(FileEntry(name, "", "rejected",
                                        "不是笔记本（.ipynb）、zip 压缩包或学生文件夹"))
            continue
        _visit(entry, folder, student, subs, unpack, name)
    return subs


def teacher_exercises(paths: Iterable[Path | str] | None = None) -> list:
    """The exercises to grade: those of the given notebooks or folders of chapter notebooks.

    With no paths, the exercises of the book's ``chapters/`` folder.
    """
    return [ex for _, _, ex in _teacher_notebooks(paths)]


def _teacher_notebooks(paths: Iterable[Path | str] | None) -> list[tuple[Path, object, object]]:
    files: list[Path] = []
    for path in map(Path, paths or [repo_root() / "chapters"]):
        if path.is_dir():
            files += sorted(path.glob("[0-9][0-9]-*.ipynb"))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"teacher notebook {path} does not exist")
    found = []
    for path in files:
        nb = nbformat.read(path, as_version=4)
        for ex in find_exercises(nb, path.name):
            found.append((path, nb, ex))
    if not found:
        raise ValueError("the teacher notebooks contain no exercises ({exercise} cells with a "
                         ":label:); pass --teacher with the chapter notebooks to grade")
    return found


# --------------------------------------------------------------------------- running one job
@dataclass
class Probe:
    label: str
    after: int           # cell number (from 1) after which the answer is taken
    check: ExerciseCheck
    answer_cell: int = 0


@dataclass
class JobResult:
    events: list[dict] = field(default_factory=list)
    killed: str = ""     # "timeout" / "output" when the grader stopped the job
    returncode: int | None = None
    stderr: str = ""

    def cells(self) -> dict[int, dict]:
        return {e["cell"]: e for e in self.events if e.get("event") == "cell"}

    def answers(self) -> dict[str, dict]:
        return {e["label"]: e for e in self.events if e.get("event") == "answer"}

    def started(self) -> int | None:
        starts = [e["cell"] for e in self.events if e.get("event") == "start"]
        return starts[-1] if starts else None

    def stopped(self) -> dict | None:
        return next((e for e in self.events if e.get("event") == "stopped"), None)

    def done(self) -> bool:
        return any(e.get("event") == "done" for e in self.events)


def _valid_event(event: object) -> bool:
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        return False
    kind = event["event"]
    cell_ok = isinstance(event.get("cell"), int) and not isinstance(event.get("cell"), bool)
    if kind in ("start", "cell", "stopped") and not cell_ok:
        return False
    if kind == "cell":
        return (event.get("status") in ("ok", "error", "timeout")
                and isinstance(event.get("error", ""), str))
    if kind == "answer":
        return (cell_ok and isinstance(event.get("label"), str)
                and event.get("status") in ("ok", "error", "timeout")
                and isinstance(event.get("error", ""), str))
    if kind == "stopped":
        return event.get("reason") in ("timeout", "died")
    return kind in ("start", "done")


class Runner:
    """Runs jobs in the sandbox (or, when allowed, without it)."""

    def __init__(self, *, timeout: float, cell_timeout: float, limits: Limits,
                 unsafe: bool, workdir: Path) -> None:
        self.timeout, self.cell_timeout, self.limits = timeout, cell_timeout, limits
        self.unsafe, self.workdir = unsafe, workdir
        if not unsafe and bwrap_path() is None:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed, so student notebooks cannot be isolated; "
                "install it (Debian/Ubuntu: apt-get install bubblewrap) or, only for "
                "notebooks you trust, pass --unsafe-no-sandbox")
        self.mpl_cache = self._matplotlib_cache()
        # the package as it is now: later edits of the repository do not reach running jobs
        self.package = None if unsafe else copy_package(workdir / "package")

    def _matplotlib_cache(self) -> Path | None:
        try:
            import matplotlib
            from matplotlib import font_manager  # noqa: F401  (builds the font list once)
            cache = Path(matplotlib.get_cachedir())
        except Exception:
            return None
        lists = sorted(cache.glob("fontlist-*.json"))
        if not lists:
            return None
        target = self.workdir / "matplotlib"
        target.mkdir(exist_ok=True)
        for f in lists:
            shutil.copy2(f, target / f.name)
        return target

    def run(self, notebook: Path, probes: list[Probe], inputs: dict[str, str]) -> JobResult:
        job = Path(tempfile.mkdtemp(prefix="job-", dir=self.workdir))
        try:
            return self._run(job, notebook, probes, inputs)
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def _run(self, job: Path, notebook: Path, probes: list[Probe],
             inputs: dict[str, str]) -> JobResult:
        inside = Path(JOB_DIR) if not self.unsafe else job
        shutil.copyfile(notebook, job / "notebook.ipynb")
        (job / "inputs").mkdir()
        spec_probes = []
        for probe in probes:
            entry = {"label": probe.label, "after": probe.after, "kind": probe.check.kind,
                     "variable": probe.check.variable, "inputs": None}
            if probe.check.kind == "function":
                name = f"{len(spec_probes)}.json"
                (job / "inputs" / name).write_text(inputs[probe.label], encoding="utf-8")
                entry["inputs"] = str(inside / "inputs" / name)
            spec_probes.append(entry)
        if self.mpl_cache:
            shutil.copytree(self.mpl_cache, job / "matplotlib")
        work = job / "work"
        if self.unsafe:
            work.mkdir()
        spec = {"notebook": str(inside / "notebook.ipynb"), "cell_timeout": self.cell_timeout,
                "probes": spec_probes, "cwd": str(work) if self.unsafe else WORK_DIR,
                "sandboxed": not self.unsafe,
                "matplotlib_cache": str(inside / "matplotlib") if self.mpl_cache else None}
        (job / "job.json").write_text(json.dumps(spec), encoding="utf-8")
        for path in [job, *job.rglob("*")]:            # readable by the sandbox's user
            path.chmod(0o755 if path.is_dir() else 0o644)
        argv = [sys.executable, "-m", "softmax_course.tools.grade_worker",
                str(inside / "job.json")]
        if self.unsafe:
            env = {k: v for k, v in os.environ.items()}
            env.update({"MPLBACKEND": "agg", "PYTHONUNBUFFERED": "1"})
            cmd, cwd = argv, str(work)
        else:
            cmd = sandbox_command(argv, job, limits=self.limits, package_copy=self.package)
            cwd, env = str(job), None
        return self._execute(cmd, cwd, env)

    def _execute(self, cmd: list[str], cwd: str, env: dict | None) -> JobResult:
        result = JobResult()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        budget = [MAX_EVENT_BYTES]
        stderr_tail: list[bytes] = []

        def read_events() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                budget[0] -= len(line)
                if budget[0] < 0:
                    result.killed = result.killed or "output"
                    _kill_group(proc)
                    break
                try:
                    event = json.loads(line, parse_constant=lambda c: None)
                except ValueError:
                    continue
                if _valid_event(event):
                    result.events.append(event)

        def read_stderr() -> None:
            assert proc.stderr is not None
            kept = 0
            for chunk in iter(lambda: proc.stderr.read(4096), b""):
                if kept < 20_000:
                    stderr_tail.append(chunk)
                    kept += len(chunk)

        readers = [threading.Thread(target=read_events, daemon=True),
                   threading.Thread(target=read_stderr, daemon=True)]
        for t in readers:
            t.start()
        try:
            proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            result.killed = result.killed or "timeout"
            _kill_group(proc)
            proc.wait()
        for t in readers:
            t.join(timeout=10)
        result.returncode = proc.returncode
        result.stderr = b"".join(stderr_tail).decode("utf-8", "replace")[-2000:]
        return result


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the job: its process group (bwrap's death takes the whole PID namespace with it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------------------- judging one job
def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= NOTE_LIMIT else text[:NOTE_LIMIT - 1] + "…"


def _cell_problem(event: dict, cell_timeout: float) -> str:
    if event["status"] == "timeout":
        return f"单元格 {event['cell']} 运行超过 {cell_timeout:g} 秒（超时），已被中断"
    return f"单元格 {event['cell']} 出错：{event.get('error', '')}"


def _stop_note(result: JobResult, timeout: float, cell_timeout: float) -> str:
    stopped = result.stopped()
    if stopped:
        k = stopped["cell"]
        if stopped["reason"] == "timeout":
            return (f"笔记本在单元格 {k} 处停止：运行超过 {cell_timeout:g} 秒（超时），"
                    f"中断无效，内核被终止")
        return f"笔记本在单元格 {k} 处停止：内核意外退出（进程崩溃或被终止）"
    k = result.started()
    where = f"单元格 {k}" if k else "开始运行前"
    if result.killed == "timeout":
        return f"整个笔记本运行超过 {timeout:g} 秒（超时），在{where}处被终止"
    if result.killed == "output":
        return f"笔记本输出的数据超过 {MAX_EVENT_BYTES // 2**20} MB，在{where}处被终止"
    tail = [ln for ln in result.stderr.strip().splitlines() if ln.strip()]
    reason = tail[-1] if tail else f"退出码 {result.returncode}"
    return f"笔记本在{where}处意外停止：{reason}"


def judge_job(nb_name: str, result: JobResult, probes: list[Probe],
              teacher: dict[str, dict], timeout: float,
              cell_timeout: float) -> dict[str, tuple[bool, str]]:
    """``{label: (passed, note)}`` for the probes of one student notebook."""
    cells, answers = result.cells(), result.answers()
    problems = sorted((k, e) for k, e in cells.items() if e["status"] != "ok")
    out: dict[str, tuple[bool, str]] = {}
    for probe in probes:
        event = answers.get(probe.label)
        if event is None:
            out[probe.label] = (False, _short(
                f"{nb_name}：{_stop_note(result, timeout, cell_timeout)}，没有运行到这道练习"
                f"（它的自我检查在单元格 {probe.after}）"))
            continue
        if event["status"] == "timeout":
            out[probe.label] = (False, _short(
                f"{nb_name} 单元格 {probe.after} 之后：取答案时超时（函数在评分输入上运行超过 "
                f"{cell_timeout:g} 秒）"))
            continue
        try:
            got = decode(event.get("answer"))
        except DataError as exc:
            out[probe.label] = (False, _short(f"{nb_name}：取不到这道练习的答案（{exc}）"))
            continue
        passed, message = judge(probe.check.spec, got, teacher[probe.label])
        note = "" if passed else f"{nb_name}：{message}"
        if not passed:
            # the root cause: the answer cell's own failure; for an undefined answer, else
            # the last failure before it
            own = [e for k, e in problems if k == probe.answer_cell]
            before = [e for k, e in problems if k < probe.answer_cell][-1:]
            cause = (own or (before if got["type"] == "missing" else []) or [None])[0]
            if cause is not None:
                note = f"{nb_name} {_cell_problem(cause, cell_timeout)}；{message}"
        out[probe.label] = (passed, _short(note))
    return out


# --------------------------------------------------------------------------- all submissions
def _read_notebook(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return nb


def _shard_of(student: str, k: int) -> int:
    return int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % k


@dataclass
class Outcome:
    grades: list[Grade]
    files: list[FileEntry]
    checks: list[ExerciseCheck]


def grade_submissions(folder: Path | str, teacher: Iterable[Path | str] | None = None, *,
                      timeout: float = 120, cell_timeout: float = 30, jobs: int = 1,
                      progress: bool = True, unsafe: bool = False, seed: int | None = None,
                      limits: Limits = Limits(), roster: Iterable[str] = (),
                      shard: tuple[int, int] = (1, 1)) -> Outcome:
    """Grade every submission of ``folder`` (see the module docstring)."""
    from tqdm.auto import tqdm

    seed = secrets.randbits(63) if seed is None else seed
    teacher_nbs = _teacher_notebooks(teacher)
    checks: list[ExerciseCheck] = []
    by_label: dict[str, ExerciseCheck] = {}
    for path, nb, ex in teacher_nbs:
        check = exercise_check(ex, nb, path.name)
        if check.label in by_label:
            raise GradingError(f"two teacher exercises have the label {check.label}")
        checks.append(check)
        by_label[check.label] = check
    inputs = {c.label: inputs_json(secret_inputs(c, seed))
              for c in checks if c.kind == "function"}

    with tempfile.TemporaryDirectory(prefix="softmax-grade-") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o755)
        subs = discover_submissions(folder, tmp_path / "unzipped")
        roster = [r for r in roster if r]
        index, count = shard
        students = sorted(set(subs.students) | set(roster))
        mine = {s for s in students if _shard_of(s, count) == index - 1}
        files = [f for f in subs.files if not f.student or f.student in mine]
        if index != 1:                      # files of no student are listed by shard 1 only
            files = [f for f in files if f.student]
        runner = Runner(timeout=timeout, cell_timeout=cell_timeout, limits=limits,
                        unsafe=unsafe, workdir=tmp_path)

        # the teacher's answers: the teacher notebooks run like submissions
        teacher_jobs = []
        for path in dict.fromkeys(p for p, _, _ in teacher_nbs):
            probes = [Probe(ex.label, max(ex.self_check_cells + ex.solution_cells),
                            by_label[ex.label]) for p, _, ex in teacher_nbs if p == path]
            teacher_jobs.append((path, probes))

        # the students' notebooks, matched to chapters by their exercise labels
        student_jobs: list[tuple[Notebook, list[Probe]]] = []
        chapters_of: dict[str, dict[str, list[Notebook]]] = {}
        present: dict[str, set[str]] = {}
        for student in sorted(mine):
            for item in subs.students.get(student, []):
                try:
                    nb = _read_notebook(item.path)
                except Exception as exc:
                    item.entry.status = "rejected"
                    item.entry.detail = _short(f"不是有效的 Jupyter 笔记本：{type(exc).__name__}: {exc}")
                    continue
                probes = []
                for ex in find_exercises(nb, item.path.name):
                    check = by_label.get(ex.label)
                    if check is None:
                        continue
                    present.setdefault(student, set()).add(ex.label)
                    cells = ex.self_check_cells or ex.answer_cells
                    if cells:
                        probes.append(Probe(ex.label, cells[-1], check,
                                            (ex.answer_cells or cells)[0]))
                if not probes:
                    item.entry.status = "rejected"
                    item.entry.detail = "笔记本里没有本课程的练习（找不到练习的 label）"
                    continue
                chapters = sorted({by_label[p.label].chapter for p in probes})
                item.entry.detail = "章节：" + "、".join(chapters)
                for chapter in chapters:
                    chapters_of.setdefault(student, {}).setdefault(chapter, []).append(item)
                student_jobs.append((item, probes))
        for student, chapters in chapters_of.items():
            for chapter, items in chapters.items():
                if len(items) > 1:
                    names = "、".join(i.name for i in items)
                    for item in items:
                        item.entry.status = "duplicate"
                        item.entry.detail += (f"；同一章 {chapter} 提交了 {len(items)} 份（{names}），"
                                              f"都已评分，每道练习取较好的结果")

        all_jobs = [("teacher", path, probes) for path, probes in teacher_jobs]
        all_jobs += [("student", item, probes) for item, probes in student_jobs]
        results: dict[int, JobResult] = {}
        with tqdm(total=len(all_jobs), desc="grading", unit="notebook", file=sys.stderr,
                  disable=not progress) as bar, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            def run(i: int) -> None:
                kind, item, probes = all_jobs[i]
                path = item if kind == "teacher" else item.path
                results[i] = runner.run(path, probes, inputs)
                bar.update(1)
            list(pool.map(run, range(len(all_jobs))))

    teacher_answers: dict[str, dict] = {}
    for i, (_, path, probes) in enumerate(all_jobs[:len(teacher_jobs)]):
        answers = results[i].answers()
        for probe in probes:
            event = answers.get(probe.label)
            problem = ""
            if event is None:
                problem = _stop_note(results[i], timeout, cell_timeout)
            elif event["status"] != "ok" or "answer" not in event:
                problem = event.get("error") or event["status"]
            else:
                try:
                    teacher_answers[probe.label] = decode(event["answer"])
                except DataError as exc:
                    problem = str(exc)
                else:
                    value = teacher_answers[probe.label]
                    bad = [v for v in value.get("items", [value])
                           if v["type"] in ("missing", "unanswered", "other", "error",
                                            "not_implemented")]
                    if bad:
                        problem = f"the teacher's answer is {bad[0]}"
            if problem:
                raise GradingError(f"the teacher's answer of {probe.label} ({path.name}) could "
                                   f"not be computed: {problem}; run the teacher notebook and "
                                   f"fix it before grading")

    verdicts: dict[str, dict[str, tuple[bool, str]]] = {}
    for i, (item, probes) in enumerate(student_jobs, len(teacher_jobs)):
        judged = judge_job(item.name, results[i], probes, teacher_answers, timeout, cell_timeout)
        mine_v = verdicts.setdefault(item.student, {})
        for label, (passed, note) in judged.items():
            old = mine_v.get(label)
            if old is None or (passed and not old[0]):
                mine_v[label] = (passed, note)

    grades: list[Grade] = []
    roster_set = set(roster)
    for student in sorted(mine):
        submitted_chapters = set(chapters_of.get(student, {}))
        for check in checks:
            verdict = verdicts.get(student, {}).get(check.label)
            if verdict is None:
                if not subs.students.get(student):
                    note = "没有提交任何笔记本"
                elif check.chapter in submitted_chapters:
                    note = f"提交的 {check.chapter} 章节笔记本里没有这道练习（练习单元格被删除了？）"
                else:
                    note = f"没有提交这道练习所在章节（{check.chapter}）的笔记本"
                verdict = (False, note)
            passed, note = verdict
            grades.append(Grade(student, check.label, passed, note,
                                check.points if passed else 0.0, check.points, check.chapter,
                                "" if passed else check.spec.hint))
        if student in roster_set and not subs.students.get(student):
            files.append(FileEntry("", student, "missing", "名单上的学生，没有提交任何文件"))
        elif roster_set and student not in roster_set:
            files.append(FileEntry("", student, "not-on-roster", "提交者不在 --roster 名单中"))
    return Outcome(grades, files, checks)


# --------------------------------------------------------------------------- output
def summary(grades: list[Grade]) -> list[tuple[str, int, int, float, float]]:
    """``(student, passed, exercises, points, max points)`` per student, in sheet order."""
    table: dict[str, list] = {}
    for g in grades:
        row = table.setdefault(g.student, [0, 0, 0.0, 0.0])
        row[0] += g.passed
        row[1] += 1
        row[2] += g.points
        row[3] += g.max_points
    return [(student, p, t, pts, mx) for student, (p, t, pts, mx) in table.items()]


def _num(x: float) -> str:
    return f"{x:g}"


def _writer(path: Path):
    f = open(path, "w", newline="", encoding="utf-8-sig")
    return f, csv.writer(f)


def write_grades(grades: list[Grade], out: Path | str, files: list[FileEntry] | None = None,
                 *, feedback_dir: Path | str | None = None) -> dict[str, Path]:
    """Write the long and wide sheets, the summary, the file list and the feedback pages."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = {"long": out, "summary": out.with_name(f"{out.stem}-summary.csv"),
             "wide": out.with_name(f"{out.stem}-wide.csv")}
    f, w = _writer(paths["long"])
    with f:
        w.writerow(["student", "chapter", "exercise", "passed", "points", "max_points", "note"])
        for g in grades:
            w.writerow([g.student, g.chapter, g.exercise, g.passed, _num(g.points),
                        _num(g.max_points), g.note])
    f, w = _writer(paths["summary"])
    with f:
        w.writerow(["student", "passed", "total", "points", "max_points"])
        for student, p, t, pts, mx in summary(grades):
            w.writerow([student, p, t, _num(pts), _num(mx)])
    labels = list(dict.fromkeys(g.exercise for g in grades))
    cells: dict[str, dict[str, Grade]] = {}
    for g in grades:
        cells.setdefault(g.student, {})[g.exercise] = g
    f, w = _writer(paths["wide"])
    with f:
        w.writerow(["student", *labels, "points", "max_points"])
        for student, row in cells.items():
            w.writerow([student, *(_num(row[l].points) if l in row else "" for l in labels),
                        _num(sum(g.points for g in row.values())),
                        _num(sum(g.max_points for g in row.values()))])
    if files is not None:
        paths["files"] = out.with_name(f"{out.stem}-files.csv")
        f, w = _writer(paths["files"])
        with f:
            w.writerow(["path", "student", "status", "detail"])
            for e in files:
                w.writerow([e.path, e.student, e.status, e.detail])
    if feedback_dir is not None:
        paths["feedback"] = write_feedback(grades, feedback_dir)
    return paths


def _file_name(student: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in student).strip(".")
    return (safe or "student") + ".md"


def write_feedback(grades: list[Grade], folder: Path | str) -> Path:
    """One Chinese Markdown page per student: every exercise with verdict, points and note."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list[Grade]] = {}
    for g in grades:
        by_student.setdefault(g.student, []).append(g)
    for student, rows in by_student.items():
        got, total = sum(g.points for g in rows), sum(g.max_points for g in rows)
        lines = [f"# {student} 的练习反馈", "",
                 f"总分：**{_num(got)} / {_num(total)}**（通过 {sum(g.passed for g in rows)} / "
                 f"{len(rows)} 道练习）", "",
                 "| 章节 | 练习 | 结果 | 得分 | 说明 |", "| --- | --- | --- | --- | --- |"]
        for g in rows:
            mark = "✅ 正确" if g.passed else "❌ 未通过"
            text = g.note or ("" if g.passed else "")
            if not g.passed and g.hint and "提示" not in text:
                text = f"{text} 提示：{g.hint}".strip()
            text = text.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {g.chapter} | `{g.exercise}` | {mark} | "
                         f"{_num(g.points)} / {_num(g.max_points)} | {text} |")
        lines += ["", "说明：评分在隔离环境中重新运行你的笔记本，取出每道练习的答案，"
                      "与教师版的参考答案比较；函数题在随机生成的评分输入上检验。"]
        (folder / _file_name(student)).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _read_long(path: Path) -> list[Grade]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    need = {"student", "chapter", "exercise", "passed", "points", "max_points", "note"}
    if not rows or not need <= set(rows[0]):
        raise ValueError(f"{path} is not a grades.csv written by this command (columns "
                         f"{sorted(need)})")
    return [Grade(r["student"], r["exercise"], r["passed"] == "True", r["note"],
                  float(r["points"]), float(r["max_points"]), r["chapter"]) for r in rows]


def merge_sheets(parts: list[Path], out: Path) -> dict[str, Path]:
    """Join the ``grades.csv`` of several shards into one set of sheets at ``out``."""
    grades: list[Grade] = []
    seen: set[str] = set()
    files: list[FileEntry] = []
    for part in parts:
        rows = _read_long(Path(part))
        students = {g.student for g in rows}
        twice = students & seen
        if twice:
            raise ValueError(f"{part} grades students already in another part: "
                             f"{', '.join(sorted(twice))}; merge each shard once")
        seen |= students
        grades += rows
        listing = Path(part).with_name(f"{Path(part).stem}-files.csv")
        if listing.is_file():
            with open(listing, encoding="utf-8-sig", newline="") as f:
                files += [FileEntry(**r) for r in csv.DictReader(f)]
    grades.sort(key=lambda g: g.student)
    return write_grades(grades, out, files if files else None)


def _shard(text: str) -> tuple[int, int]:
    try:
        i, k = (int(v) for v in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard must look like 2/5, got {text!r}") from None
    if not 1 <= i <= k:
        raise argparse.ArgumentTypeError(f"--shard {text}: need 1 <= i <= k")
    return i, k


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m softmax_course grade",
        description="Run submitted notebooks in a sandbox, take their answers out as data and "
                    "judge them against the teacher notebooks.")
    parser.add_argument("submissions", type=Path, nargs="?",
                        help="folder of submissions (<student>.ipynb, <student>.zip, <student>/)")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"),
                        help="grade sheet to write (default: grades.csv); the summary, wide "
                             "sheet and file list are written beside it")
    parser.add_argument("--feedback", type=Path, default=None,
                        help="folder of per-student feedback pages (default: feedback/ beside "
                             "--out)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds one notebook may run before it is killed (default 120)")
    parser.add_argument("--cell-timeout", type=float, default=30,
                        help="seconds one cell may run before it is interrupted (default 30)")
    parser.add_argument("--teacher", type=Path, action="append", default=None,
                        help="teacher notebook or folder whose exercises are graded "
                             "(repeatable; default: the book's chapters/)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="notebooks run in parallel (default 1)")
    parser.add_argument("--memory", type=int, default=Limits.memory_mb,
                        help=f"memory (MB of address space) per process of a notebook "
                             f"(default {Limits.memory_mb})")
    parser.add_argument("--roster", type=Path, default=None,
                        help="text file with one student name per line; students who "
                             "submitted nothing are listed")
    parser.add_argument("--shard", type=_shard, default=(1, 1),
                        help="i/k: grade only the students of shard i of k (see README)")
    parser.add_argument("--merge", type=Path, nargs="+", default=None, metavar="GRADES_CSV",
                        help="join the grades.csv files of shards into --out instead of grading")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the secret function inputs (default: random; give all "
                             "shards the same seed)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run notebooks without bubblewrap: ONLY for trusted notebooks")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.merge:
        try:
            paths = merge_sheets(args.merge, args.out)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print("wrote " + ", ".join(str(p) for p in paths.values()))
        return 0
    if args.submissions is None:
        parser.error("give the submissions folder (or --merge)")
    if args.timeout <= 0 or args.cell_timeout <= 0 or args.jobs < 1 or args.memory < 256:
        parser.error("--timeout and --cell-timeout must be positive, --jobs at least 1, "
                     "--memory at least 256")
    if args.unsafe_no_sandbox:
        print(UNSAFE_WARNING, file=sys.stderr)
    elif bwrap_path() is None:
        print("error: bubblewrap (bwrap), setpriv and prlimit are needed to run student "
              "notebooks in a sandbox; install them (Debian/Ubuntu: apt-get install bubblewrap "
              "util-linux) or, only for notebooks you trust, pass --unsafe-no-sandbox",
              file=sys.stderr)
        return 1
    roster: list[str] = []
    if args.roster:
        try:
            roster = [ln.strip() for ln in args.roster.read_text(encoding="utf-8-sig").splitlines()
                      if ln.strip() and not ln.startswith("#")]
        except OSError as exc:
            print(f"error: cannot read the roster: {exc}", file=sys.stderr)
            return 1
    limits = Limits(memory_mb=args.memory, cpu_seconds=int(args.timeout) + 30)
    start = time.perf_counter()
    try:
        outcome = grade_submissions(args.submissions, args.teacher, timeout=args.timeout,
                                    cell_timeout=args.cell_timeout, jobs=args.jobs,
                                    progress=not args.no_progress,
                                    unsafe=args.unsafe_no_sandbox, seed=args.seed,
                                    limits=limits, roster=roster, shard=args.shard)
    except (FileNotFoundError, ValueError, GradingError, SandboxUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    feedback = args.feedback or args.out.parent / "feedback"
    paths = write_grades(outcome.grades, args.out, outcome.files, feedback_dir=feedback)
    rows = summary(outcome.grades)
    width = max([len("student"), *(len(s) for s, *_ in rows)])
    print(f"{'student':<{width}}  passed  total  points")
    for student, passed, total, pts, mx in rows:
        print(f"{student:<{width}}  {passed:>6}  {total:>5}  {_num(pts)}/{_num(mx)}")
    rejected = [f for f in outcome.files if f.status not in ("graded", "unpacked")]
    if rejected:
        print(f"{len(rejected)} file(s) not graded as they are, see {paths['files']}:")
        for f in rejected:
            print(f"  {f.path or f.student}: {f.status}: {f.detail}")
    print(f"graded {len(rows)} student(s) in {time.perf_counter() - start:.1f} s; wrote "
          + ", ".join(str(p) for p in paths.values()))
    if args.unsafe_no_sandbox:
        print(UNSAFE_WARNING, file=sys.stderr)
    return 0
