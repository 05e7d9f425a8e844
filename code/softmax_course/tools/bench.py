"""Benchmarks: the package's kernels and training against scipy, scikit-learn and ``np.exp``.

``python -m softmax_course bench`` measures, in one run, and prints Markdown tables of
*ratios* (absolute times vary from machine to machine):

1. **Kernels** — :func:`~softmax_course.core.log_softmax`, ``softmax``, ``logsumexp``,
   ``cross_entropy`` and ``cross_entropy_grad`` on float64 and float32 logits of shape
   4096×1000 and 256×10, against ``scipy.special`` and against one ``np.exp`` pass over the
   same array (the cost floor: every kernel exponentiates each entry once).
2. **Training** — :func:`softmax_course.train.fit` on scikit-learn's digits against
   ``sklearn.linear_model.LogisticRegression`` on the same split (time and test accuracy):
   chapter 08's recipe to its final accuracy, and it and a large-batch recipe stopped at the
   first epoch that reaches scikit-learn's accuracy − 0.5 point; then ``fit`` against its cost
   floor (only the two matrix products of every step, no softmax, no update), on digits and
   for one epoch on random data of Fashion-MNIST's shape (60000×784, 10 classes, batch 256).
   What is timed is ``fit`` itself, which runs the chapter's ``sgd_step``.
3. **Course** — the time to execute each chapter notebook, the whole nbval run and the book
   build from stored outputs.
4. **Grading** (only with ``--only grading``: about 20 minutes for 40 students on 2 cores) —
   a class of ``--students`` honest students, each submitting every chapter (the student
   edition with the worked solutions typed into the answer cells), graded by
   :func:`~softmax_course.tools.grading.grade_submissions` in the bubblewrap sandbox with
   ``--jobs`` parallel notebooks: wall time, CPU time of the grader and of the whole machine,
   and whether every student got every point.

``--smoke`` runs everything on tiny inputs once (a generated two-cell notebook stands in for
the chapters); the test suite uses it to check that every row is produced. Progress goes to
stderr, the tables to stdout.

Timing follows ``timeit``: a warm-up call, then ``repeat`` rounds of enough calls to last
``min_seconds``, keeping the fastest round; the candidates of one table are measured
interleaved, round by round, so that a burst of load on a shared machine hits all of them.
The single-threaded numpy kernels are timed with the CPU time of the calling thread (so that
other processes do not inflate them); training and the course, which may use several threads
or processes, with the wall clock.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .._validation import check_int
from ..timing import blas_threads

__all__ = ["Table", "time_calls", "markdown_table", "machine_info", "kernel_benchmarks",
           "training_benchmarks", "course_benchmarks", "cli"]

#: Shapes (n, q) of the kernel benchmark: a large batch (memory-bound) and a small one.
KERNEL_SHAPES = ((4096, 1000), (256, 10))
SMOKE_KERNEL_SHAPES = ((64, 50), (8, 3))

#: The course's digits recipe (chapter 08-evaluation), and scikit-learn's settings there.
DIGITS_HPARAMS = dict(num_epochs=50, batch_size=32, lr=0.5, seed=0)
#: A recipe with 4× larger batches: a quarter of the steps, each a little dearer.
LARGE_BATCH_HPARAMS = dict(num_epochs=50, batch_size=128, lr=2.0, seed=0)
SKLEARN_MAX_ITER = 1000

#: Targets of issue 9.
TARGET_VS_SCIPY = 1.0        # kernel time / scipy.special time
TARGET_VS_EXP = 3.0          # kernel time / one np.exp pass, on the large shape
TARGET_ACC_GAP = 0.005       # digits: our accuracy >= scikit-learn's - 0.5 point ...
TARGET_VS_SKLEARN = 0.5      # ... in at most half its fit time
TARGET_CHAPTER_SECONDS = 30.0

SECTIONS = ("kernels", "training", "course", "grading")
DEFAULT_SECTIONS = ("kernels", "training", "course")    # grading a class takes 20 minutes


@dataclass
class Table:
    """One table of the report: a title, column names, rows of cells and notes below it."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ timing
def time_calls(funcs: dict[str, Callable[[], Any]], *, repeat: int = 7,
               min_seconds: float = 0.02,
               clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Fastest time per call of each function, measured interleaved, ``timeit``-style.

    Parameters
    ----------
    funcs : dict of str to callable
        Functions without arguments to time.
    repeat : int, default 7
        Rounds; in each round every function runs ``number`` times in a row.
    min_seconds : float, default 0.02
        A round of one function lasts at least this long (``number`` is chosen from the
        warm-up call).
    clock : callable, default time.perf_counter
        ``time.perf_counter`` (wall clock) or ``time.thread_time`` (CPU time of this thread).

    Returns
    -------
    dict of str to float
        Seconds per call: the minimum over the rounds of the round's time / ``number``.

    Notes
    -----
    The minimum estimates the undisturbed cost :math:`t = \\min_r T_r / N`; noise on a busy
    machine only ever adds time. Garbage collection is off while timing, as in ``timeit``.

    Examples
    --------
    >>> times = time_calls({"sum": lambda: sum(range(100))}, repeat=2, min_seconds=0.001)
    >>> list(times), times["sum"] > 0
    (['sum'], True)
    """
    repeat = check_int(repeat, "repeat", minimum=1)
    numbers, best = {}, {}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for name, f in funcs.items():
            f()                                       # warm-up: caches, allocator, imports
            start = clock()
            f()
            once = max(clock() - start, 1e-7)
            numbers[name] = max(1, int(min_seconds / once))
            best[name] = float("inf")
        for _ in range(repeat):
            for name, f in funcs.items():
                number = numbers[name]
                start = clock()
                for _ in range(number):
                    f()
                best[name] = min(best[name], (clock() - start) / number)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best


def _fmt_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


# --------------------------------------------------------------------------- markdown
def markdown_table(table: Table) -> str:
    """Render a :class:`Table` as a GitHub-flavoured Markdown table with its title and notes.

    Examples
    --------
    >>> print(markdown_table(Table("T", ["a", "b"], [["1", "2"]], ["a note"])))
    ### T
    <BLANKLINE>
    | a | b |
    | --- | --- |
    | 1 | 2 |
    <BLANKLINE>
    a note
    """
    lines = [f"### {table.title}", "", "| " + " | ".join(table.columns) + " |",
             "| " + " | ".join("---" for _ in table.columns) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    if table.notes:
        lines += [""] + table.notes
    return "\n".join(lines)


# ------------------------------------------------------------------------- machine
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas_description() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    parts = []
    for info in threadpool_info():
        if info.get("user_api") != "blas":
            continue
        lib = Path(info.get("filepath", "")).name
        owner = "numpy" if "numpy" in info.get("filepath", "") else \
            "scipy" if "scipy" in info.get("filepath", "") else lib
        parts.append(f"{owner}: {info.get('internal_api')} {info.get('version')} "
                     f"({info.get('architecture', '?')}, {info.get('num_threads')} threads)")
    return "; ".join(parts) or "none found"


def machine_info() -> list[str]:
    """Lines describing the machine: CPU, cores, library versions, BLAS, load average."""
    import scipy
    import sklearn

    env = ", ".join(f"{k}={os.environ[k]}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                    "OMP_NUM_THREADS") if k in os.environ)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return [f"- CPU: {_cpu_model()}, {os.cpu_count()} logical cores",
            f"- Python {platform.python_version()}, numpy {np.__version__}, scipy "
            f"{scipy.__version__}, scikit-learn {sklearn.__version__}",
            f"- BLAS: {_blas_description()}",
            f"- BLAS environment: {env or 'OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE not set'}",
            f"- load average at start (1, 5, 15 min): {load}"]


# ------------------------------------------------------------------------- kernels
def _kernel_cases(o: np.ndarray, y: np.ndarray) -> dict[str, tuple[Callable, Callable]]:
    """For each kernel: (the package's call, the scipy.special reference) on logits ``o``."""
    import scipy.special as sp

    from .. import core

    n, q = o.shape
    rows = np.arange(n)
    onehot = np.eye(q, dtype=o.dtype)[y]
    return {
        "log_softmax": (lambda: core.log_softmax(o), lambda: sp.log_softmax(o, axis=-1)),
        "softmax": (lambda: core.softmax(o), lambda: sp.softmax(o, axis=-1)),
        "logsumexp": (lambda: core.logsumexp(o), lambda: sp.logsumexp(o, axis=-1)),
        "cross_entropy": (lambda: core.cross_entropy(o, y),
                          lambda: -sp.log_softmax(o, axis=-1)[rows, y].mean()),
        "cross_entropy_grad": (lambda: core.cross_entropy_grad(o, y),
                               lambda: (sp.softmax(o, axis=-1) - onehot) / n),
    }


def kernel_benchmarks(shapes: Sequence[tuple[int, int]] = KERNEL_SHAPES, *, repeat: int = 7,
                      min_seconds: float = 0.02, seed: int = 0, judge: bool = True) -> Table:
    """Time the package's kernels against ``scipy.special`` and one ``np.exp`` pass.

    Before timing, each kernel's result is checked against its scipy reference (relative
    tolerance 1e-10 in float64, 1e-4 in float32, absolute 1e-14 and 1e-6): a fast wrong answer
    raises ``AssertionError``.
    Logits are standard normal times 3; labels uniform. With ``judge``, the last column says
    whether the targets are met (the np.exp target applies to the largest shape only).
    """
    table = Table("Kernels: time relative to scipy.special and to one np.exp pass",
                  ["kernel", "dtype", "shape", "ours / scipy", "ours / np.exp",
                   "scipy / np.exp", "ours", "target met"])
    finite_share = []
    rng = np.random.default_rng(seed)
    for dtype in (np.float64, np.float32):
        for n, q in shapes:
            _progress(f"kernels {np.dtype(dtype).name} {n}x{q}")
            o = (3.0 * rng.standard_normal((n, q))).astype(dtype)
            y = rng.integers(0, q, size=n)
            cases = _kernel_cases(o, y)
            # atol: near 0, scipy's log_softmax takes log(1 + r) where the package takes
            # log1p(r), an absolute difference of about one rounding error
            rtol, atol = (1e-10, 1e-14) if dtype == np.float64 else (1e-4, 1e-6)
            for name, (ours, ref) in cases.items():
                np.testing.assert_allclose(ours(), ref(), rtol=rtol, atol=atol,
                                           err_msg=f"{name} disagrees with scipy.special")
            funcs: dict[str, Callable] = {"exp": lambda: np.exp(o),
                                          "isfinite": lambda: np.isfinite(o).all()}
            for name, (ours, ref) in cases.items():
                funcs[f"{name}/ours"], funcs[f"{name}/scipy"] = ours, ref
            t = time_calls(funcs, repeat=repeat, min_seconds=min_seconds,
                           clock=time.thread_time)
            large = (n, q) == max(shapes, key=lambda s: s[0] * s[1])
            finite_share.append(f"{np.dtype(dtype).name} {n}×{q}: "
                                f"{t['isfinite'] / t['exp']:.2f}")
            for name in cases:
                vs_scipy = t[f"{name}/ours"] / t[f"{name}/scipy"]
                vs_exp = t[f"{name}/ours"] / t["exp"]
                ok = (vs_scipy <= TARGET_VS_SCIPY and (vs_exp <= TARGET_VS_EXP or not large)
                      ) if judge else None
                table.rows.append([f"`{name}`", np.dtype(dtype).name, f"{n}×{q}",
                                   f"{vs_scipy:.2f}", f"{vs_exp:.2f}",
                                   f"{t[f'{name}/scipy'] / t['exp']:.2f}",
                                   _fmt_seconds(t[f"{name}/ours"]), _verdict(ok)])
    table.notes += [
        f"Targets: ours / scipy ≤ {TARGET_VS_SCIPY:g} on every shape; ours / np.exp ≤ "
        f"{TARGET_VS_EXP:g} on the large shape (the small one is dominated by the fixed cost "
        f"of a Python call). CPU time of the timing thread, best of {repeat} rounds.",
        "A separate finiteness pass over the input, `np.isfinite(o).all()`, costs (in np.exp "
        "passes) " + "; ".join(finite_share) + "; the kernels instead check each cache-sized "
        "block of rows while it is in cache."]
    return table


# ------------------------------------------------------------------------- training
def _matmul_floor(X: np.ndarray, *, num_epochs: int, batch_size: int, num_classes: int,
                  seed: int, **_: Any) -> None:
    """The cost floor of ``fit``'s epochs: per minibatch only the gather of its rows and the
    two matrix products of a step, ``X_B @ W`` and ``X_B.T @ G`` (one BLAS thread).

    A reference like one ``np.exp`` pass for the kernels, not a copy of the training: no
    softmax, no loss, no update, no checks; whatever ``fit`` costs above it is the price of
    the rest of the step.
    """
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((X.shape[1], num_classes))
    G = rng.standard_normal((batch_size, num_classes))
    with blas_threads(1):
        for _ in range(num_epochs):
            order = rng.permutation(X.shape[0])
            for start in range(0, X.shape[0], batch_size):
                X_B = X[order[start:start + batch_size]]
                X_B @ W
                X_B.T @ G[:len(X_B)]


def _digits_rows(smoke: bool, repeat: int) -> list[list[str]]:
    """Rows: chapter 08's recipe to its final accuracy; it and a large-batch recipe stopped at
    the first epoch that reaches scikit-learn's accuracy - 0.5 point, each against
    ``LogisticRegression``; chapter 08's recipe against its matrix-product floor.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    from ..data import load_digits_split
    from ..metrics import accuracy
    from ..train import fit

    X_train, y_train, X_test, y_test, _ = load_digits_split(test_size=0.25, seed=0)
    recipes = {"chapter": dict(DIGITS_HPARAMS), "large": dict(LARGE_BATCH_HPARAMS)}
    if smoke:
        recipes = {k: dict(hp, num_epochs=2) for k, hp in recipes.items()}
    max_iter = 5 if smoke else SKLEARN_MAX_ITER

    def sklearn(threads: int | None) -> Callable[[], Any]:
        def run() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)   # only in --smoke
                with blas_threads(threads):
                    return LogisticRegression(max_iter=max_iter).fit(X_train, y_train)
        return run

    acc_sk = accuracy(y_test, sklearn(None)().predict(X_test))
    histories, reach = {}, {}
    for key, hp in recipes.items():   # untimed runs with test data: accuracy after each epoch
        histories[key] = fit(X_train, y_train, X_test, y_test, progress=False, **hp)[1]
        reach[key] = next((e for e, a in enumerate(histories[key].test_acc, 1)
                           if a >= acc_sk - TARGET_ACC_GAP), None)

    def ours(hp: dict[str, Any]) -> Callable[[], Any]:
        return lambda: fit(X_train, y_train, progress=False, **hp)

    funcs: dict[str, Callable[[], Any]] = {
        "final": ours(recipes["chapter"]),
        "floor": lambda: _matmul_floor(X_train, num_classes=10, **recipes["chapter"]),
        "sklearn, default BLAS threads": sklearn(None),
        "sklearn, 1 BLAS thread": sklearn(1)}
    for key, epochs in reach.items():
        if epochs is not None:
            funcs[f"reach {key}"] = ours(dict(recipes[key], num_epochs=epochs))
    _progress("training: timing the digits runs")
    t = time_calls(funcs, repeat=repeat, min_seconds=0.0, clock=time.perf_counter)
    sk_keys = [k for k in t if k.startswith("sklearn")]
    best = min(sk_keys, key=t.get)
    other = next(k for k in sk_keys if k != best)
    sk_cell = (f"{_fmt_seconds(t[best])} ({best.split(', ')[1]}; "
               f"{other.split(', ')[1]}: {_fmt_seconds(t[other])})")
    vs_sk = f"vs `LogisticRegression(max_iter={max_iter})`"
    gap = f"scikit-learn's accuracy − {100 * TARGET_ACC_GAP:g} point"

    def head(key: str) -> str:
        recipe = ", ".join(f"{k}={v}" for k, v in recipes[key].items())
        return f"digits {len(y_train)}×{X_train.shape[1]} → 10, `fit({recipe})`"

    def row(task: str, key: str, acc: float) -> list[str]:
        ratio = t[key] / t[best]
        ok = acc >= acc_sk - TARGET_ACC_GAP and ratio <= TARGET_VS_SKLEARN
        return [task, _fmt_seconds(t[key]), sk_cell, f"{ratio:.2f}",
                f"{acc:.4f} vs {acc_sk:.4f} ({100 * (acc - acc_sk):+.2f} points)", _verdict(ok)]

    rows = [row(f"{head('chapter')} to its final accuracy {vs_sk}", "final",
                histories["chapter"].test_acc[-1])]
    for key, epochs in reach.items():
        if epochs is None:
            rows.append([f"{head(key)} stopped once it reaches {gap}",
                         f"not reached in {recipes[key]['num_epochs']} epochs", sk_cell, "–",
                         "–", _verdict(False)])
        else:
            rows.append(row(f"{head(key)} stopped after epoch {epochs}, the first to reach "
                            f"{gap}, {vs_sk}", f"reach {key}",
                            histories[key].test_acc[epochs - 1]))
    rows.append([f"{head('chapter')} vs its floor: only the two matrix products of each step",
                 _fmt_seconds(t["final"]), _fmt_seconds(t["floor"]),
                 f"{t['final'] / t['floor']:.2f}", "–", "–"])
    return rows


def _epoch_row(smoke: bool, repeat: int) -> list[str]:
    from ..train import fit

    n, d, q = (1024, 64, 10) if smoke else (60000, 784, 10)
    rng = np.random.default_rng(0)
    X = rng.random((n, d))
    y = rng.integers(0, q, size=n)
    hp = dict(num_epochs=1, batch_size=256, lr=0.1, seed=0)

    def ours() -> None:
        fit(X, y, num_classes=q, progress=False, **hp)

    def floor() -> None:
        _matmul_floor(X, num_classes=q, **hp)

    t = time_calls({"ours": ours, "floor": floor}, repeat=repeat, min_seconds=0.0)
    return [f"one epoch, random data of Fashion-MNIST's shape {n}×{d} → {q}, batch 256: "
            f"`fit(num_epochs=1)` vs its floor (the two matrix products of each step)",
            _fmt_seconds(t["ours"]), _fmt_seconds(t["floor"]), f"{t['ours'] / t['floor']:.2f}",
            "–", "–"]


def training_benchmarks(*, smoke: bool = False, repeat: int = 3) -> Table:
    """Time :func:`softmax_course.train.fit` against scikit-learn and its matrix-product floor."""
    table = Table("Training: the package's minibatch SGD (`train.fit`)",
                  ["task and reference", "ours", "reference", "ours / reference",
                   "test accuracy ours vs reference", "target met"])
    _progress("training: digits vs scikit-learn and the matrix-product floor")
    table.rows += _digits_rows(smoke, repeat)
    _progress("training: one epoch of Fashion-MNIST's shape")
    table.rows.append(_epoch_row(smoke, repeat))
    table.notes.append(
        f"Target on digits: test accuracy ≥ scikit-learn's − {100 * TARGET_ACC_GAP:g} point in "
        f"≤ {TARGET_VS_SKLEARN:g}× its fit time. Wall clock, best of {repeat} runs. The "
        f"batch-32 recipe is chapter 08's; the batch-128 one takes 4× larger batches with 4× the "
        f"learning rate. \"Stopped after epoch k\": the first epoch whose test accuracy reaches "
        f"the target, found in an untimed run, then timed as `fit(num_epochs=k)`. `fit` runs "
        f"BLAS single-threaded; scikit-learn is timed with its default BLAS threads and with "
        f"one, and the faster of the two is the reference.")
    return table


# --------------------------------------------------------------------------- course
def _tiny_notebook(folder: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(cells=[new_markdown_cell("# smoke"),
                             new_code_cell("from softmax_course import softmax\n"
                                           "print(softmax([0.0, 0.0]))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    path = folder / "smoke.ipynb"
    nbformat.write(nb, path)
    return path


def _run(cmd: list[str], cwd: Path, timeout: int) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return time.perf_counter() - start, proc.returncode, lines[-1] if lines else ""


def course_benchmarks(*, smoke: bool = False, root: Path | None = None) -> Table:
    """Execute every chapter notebook, run nbval on ``chapters/`` and build the book, timed.

    With ``smoke`` a generated two-cell notebook stands in for the chapters and the nbval run
    and the book build are skipped (their rows say so).
    """
    from .common import repo_root
    from .execute import chapter_notebooks, execute_notebook

    root = root or repo_root()
    table = Table("The course: execution and build times (wall clock, one run each)",
                  ["item", "time", "result", "target met"])
    with tempfile.TemporaryDirectory() as tmp:
        paths = [_tiny_notebook(Path(tmp))] if smoke else chapter_notebooks(root)
        for path in paths:
            _progress(f"course: executing {path.name}")
            start = time.perf_counter()
            execute_notebook(path, write=False)
            seconds = time.perf_counter() - start
            table.rows.append([f"execute `{path.name}`", f"{seconds:.1f} s", "ok",
                               _verdict(seconds <= TARGET_CHAPTER_SECONDS)])
        if smoke:
            table.rows.append(["nbval `python -m pytest chapters -q`", "–", "skipped (--smoke)",
                               "–"])
            table.rows.append(["book build `jupyter-book build`", "–", "skipped (--smoke)",
                               "–"])
        else:
            _progress("course: nbval run of chapters/")
            seconds, code, last = _run([sys.executable, "-m", "pytest", "chapters", "-q"],
                                       root, 3600)
            table.rows.append(["nbval `python -m pytest chapters -q`", f"{seconds:.1f} s",
                               f"exit {code}: {last}", "–"])
            _progress("course: book build")
            exe = Path(sys.executable).with_name("jupyter-book")
            seconds, code, last = _run([str(exe), "build", str(root), "--path-output", tmp,
                                        "--warningiserror", "--nitpick", "--keep-going"],
                                       root, 3600)
            table.rows.append(["book build `jupyter-book build -W -n --keep-going` from stored "
                               "outputs", f"{seconds:.1f} s", f"exit {code}", "–"])
    table.notes.append(f"Target: every chapter executes in ≤ {TARGET_CHAPTER_SECONDS:g} s "
                       f"(fresh kernel, including its start).")
    return table


# --------------------------------------------------------------------------- grading
def _machine_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux), else ``None``."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def grading_benchmarks(*, students: int = 40, jobs: int = 2, smoke: bool = False,
                       root: Path | None = None) -> Table:
    """Grade a generated class of honest students (see the module docstring), timed.

    With ``smoke`` one student submits chapter 01 only.
    """
    import resource

    import nbformat

    from .catalog import find_exercises
    from .common import repo_root
    from .editions import honest_submission
    from .execute import chapter_notebooks
    from .grading import grade_submissions

    root = root or repo_root()
    chapters = [path for path in chapter_notebooks(root)       # the ones with exercises
                if find_exercises(nbformat.read(path, as_version=4))]
    if smoke:
        students, chapters = 1, chapters[:1]
    table = Table("Grading: a class of honest students in the sandbox (wall clock, one run)",
                  ["item", "time", "result", "target met"])
    with tempfile.TemporaryDirectory(prefix="softmax-bench-grade-") as tmp:
        subs = Path(tmp) / "submissions"
        answered = {path.name: honest_submission(nbformat.read(path, as_version=4))
                    for path in chapters}
        for i in range(students):
            folder = subs / f"student{i:03d}"
            folder.mkdir(parents=True)
            for name, nb in answered.items():
                nbformat.write(nb, folder / name)
        _progress(f"grading: {students} students × {len(chapters)} chapters, --jobs {jobs}")
        before = resource.getrusage(resource.RUSAGE_SELF), _machine_cpu_seconds()
        start = time.perf_counter()
        outcome = grade_submissions(subs, chapters, jobs=jobs, seed=2026, progress=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF), _machine_cpu_seconds()
    grader = (after[0].ru_utime + after[0].ru_stime) - (before[0].ru_utime + before[0].ru_stime)
    machine = None if after[1] is None or before[1] is None else after[1] - before[1]
    notebooks = students * len(chapters)
    full = sum(1 for student in {g.student for g in outcome.grades}
               if all(g.passed for g in outcome.grades if g.student == student))
    exercises = len(outcome.checks)
    table.rows.append([
        f"{students} students × {len(chapters)} chapters = {notebooks} notebooks "
        f"(+ {len(chapters)} teacher notebooks), `--jobs {jobs}`",
        f"{wall:.0f} s ({wall / 60:.1f} min)",
        f"{full}/{students} students got all {exercises} exercises; "
        f"{wall * jobs / (notebooks + len(chapters)):.1f} s per notebook per job slot",
        _verdict(full == students)])
    table.rows.append(["CPU time of the grader process (judging, bookkeeping)",
                       _fmt_seconds(grader), "–", "–"])
    if machine is not None:   # the sandboxed jobs are not the grader's waited-for children
        table.rows.append(["CPU busy time of the whole machine during the run (`/proc/stat`)",
                           f"{machine:.0f} s",
                           f"{machine / (notebooks + len(chapters)):.1f} s per notebook; "
                           f"{machine / wall:.2f} cores busy on average", "–"])
    table.notes.append("Every student types the worked solutions into the answer cells of the "
                       "student edition, so every answer is right: the target is that every "
                       "student gets every point.")
    return table


# ------------------------------------------------------------------------------ CLI
def cli(argv: list[str]) -> int:
    """``python -m softmax_course bench [--smoke] [--only SECTION ...] [--repeat N]``."""
    parser = argparse.ArgumentParser(prog="python -m softmax_course bench",
                                     description="Benchmark the kernels, the training and the "
                                                 "course; print Markdown tables of ratios.")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny inputs, one round, a generated notebook instead of the "
                             "chapters (for the test suite)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(DEFAULT_SECTIONS),
                        help="sections to run (default: all but grading)")
    parser.add_argument("--students", type=int, default=40,
                        help="class size of the grading benchmark (default 40)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="notebooks graded in parallel in the grading benchmark (default 2)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="timing rounds per measurement (default 7 for kernels, 3 for "
                             "training; 1 with --smoke)")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error(f"--repeat must be at least 1, but got {args.repeat}")
    if args.students < 1 or args.jobs < 1:
        parser.error(f"--students and --jobs must be at least 1, but got {args.students} and "
                     f"{args.jobs}")
    started = time.perf_counter()
    print("## Benchmark of softmax_course\n")
    command = " ".join(["python -m softmax_course bench", *argv])
    print("\n".join([f"- command: `{command}`", *machine_info()]) + "\n", flush=True)
    if "kernels" in args.only:
        if args.smoke:
            table = kernel_benchmarks(SMOKE_KERNEL_SHAPES, repeat=1, min_seconds=0.0,
                                      judge=False)
        else:
            table = kernel_benchmarks(repeat=args.repeat or 7)
        print(markdown_table(table) + "\n", flush=True)
    if "training" in args.only:
        table = training_benchmarks(smoke=args.smoke, repeat=1 if args.smoke
                                    else args.repeat or 3)
        print(markdown_table(table) + "\n", flush=True)
    if "course" in args.only:
        print(markdown_table(course_benchmarks(smoke=args.smoke)) + "\n", flush=True)
    if "grading" in args.only:
        table = grading_benchmarks(students=args.students, jobs=args.jobs, smoke=args.smoke)
        print(markdown_table(table) + "\n", flush=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"Total benchmark time {time.perf_counter() - started:.0f} s; load average at the "
          f"end (1, 5, 15 min): {load}.")
    return 0
