"""`python -m softmax_course bench`: runs, prints every row, and measures what it claims.

No timing thresholds here: the numbers depend on the machine. The smoke mode checks that each
section runs and prints all its rows; the helpers are checked with a scripted clock.
"""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from softmax_course.tools import bench
from softmax_course.data import toy_images

KERNELS = ("log_softmax", "softmax", "logsumexp", "cross_entropy", "cross_entropy_grad")


def table_rows(text: str, title: str) -> list[list[str]]:
    """Cells of the data rows of the Markdown table under the heading that contains ``title``."""
    section = text.split(title, 1)[1].split("\n### ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[1:]
            if not set(line) <= set("|- ")]


def test_smoke_run_prints_every_row(capsys):
    assert bench.cli(["--smoke"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    for line in ("- CPU: ", "numpy ", "scipy ", "- BLAS: ", "load average"):
        assert line in out
    kernels = table_rows(out, "### Kernels")
    assert len(kernels) == len(KERNELS) * 2 * len(bench.SMOKE_KERNEL_SHAPES)
    for dtype in ("float64", "float32"):
        for n, q in bench.SMOKE_KERNEL_SHAPES:
            names = [r[0] for r in kernels if r[1] == dtype and r[2] == f"{n}×{q}"]
            assert names == [f"`{k}`" for k in KERNELS]
    for row in kernels:
        assert all(re.fullmatch(r"\d+\.\d\d", c) for c in row[3:6]), row
    training = table_rows(out, "### Training")
    assert len(training) == 5
    assert all(r[0].startswith("digits 1347×64 → 10, `fit(") for r in training[:4])
    assert "batch_size=32" in training[0][0] and "batch_size=128" in training[2][0]
    assert "LogisticRegression" in training[0][0] and "floor" in training[3][0]
    assert "Fashion-MNIST's shape 1024×64" in training[4][0]
    assert re.search(r"\d\.\d{4} vs \d\.\d{4}", training[0][4])
    course = table_rows(out, "### The course")
    assert [r[0] for r in course] == ["execute `smoke.ipynb`",
                                      "nbval `python -m pytest chapters -q`",
                                      "book build `jupyter-book build`"]
    assert course[0][2] == "ok" and course[1][2] == "skipped (--smoke)"
    assert "[bench] kernels float64" in captured.err      # progress goes to stderr
    assert "[bench]" not in out


def test_command_line_runs_one_section():
    proc = subprocess.run([sys.executable, "-m", "softmax_course", "bench", "--smoke", "--only",
                           "kernels"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "### Kernels" in proc.stdout
    assert "### Training" not in proc.stdout and "### The course" not in proc.stdout


def test_bad_arguments_are_refused(capsys):
    with pytest.raises(SystemExit):
        bench.cli(["--repeat", "0"])
    assert "--repeat must be at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.cli(["--only", "everything"])
    assert "invalid choice" in capsys.readouterr().err


def scripted_clock(ticks):
    values = iter(np.cumsum([0.0, *ticks]))
    return lambda: float(next(values))


def test_time_calls_keeps_the_fastest_round_per_call():
    calls = []
    # calibration: one call lasting 0.01 s -> number = 0.05 / 0.01 = 5 calls per round;
    # rounds then last 0.5 s, 0.2 s and 0.35 s (with 0.1 s between clock reads)
    clock = scripted_clock([0.01, 0.1, 0.5, 0.1, 0.2, 0.1, 0.35])
    times = bench.time_calls({"f": lambda: calls.append(1)}, repeat=3, min_seconds=0.05,
                             clock=clock)
    assert times == {"f": pytest.approx(0.2 / 5)}
    assert len(calls) == 2 + 3 * 5          # warm-up, calibration, 3 rounds of 5


def test_time_calls_interleaves_the_candidates():
    order = []
    bench.time_calls({"a": lambda: order.append("a"), "b": lambda: order.append("b")},
                     repeat=2, min_seconds=0.0)
    assert order == ["a", "a", "b", "b", "a", "b", "a", "b"]


def test_time_calls_rejects_zero_rounds():
    with pytest.raises(ValueError, match="repeat must be at least 1"):
        bench.time_calls({"f": lambda: None}, repeat=0)


def test_kernel_benchmark_refuses_a_wrong_kernel(monkeypatch):
    monkeypatch.setattr(bench, "_kernel_cases",
                        lambda o, y: {"softmax": (lambda: o, lambda: o + 1.0)})
    with pytest.raises(AssertionError, match="softmax disagrees with scipy.special"):
        bench.kernel_benchmarks(((4, 3),), repeat=1, min_seconds=0.0)


def test_training_benchmark_times_the_package_fit(monkeypatch):
    # the timed training is train.fit itself (which runs sgd_step), not a copy of it
    from softmax_course import train

    calls = []
    real_fit = train.fit

    def spy(*args, **kwargs):
        calls.append(kwargs.get("num_epochs"))
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(train, "fit", spy)
    steps = []
    real_step = train.sgd_step
    monkeypatch.setattr(train, "sgd_step", lambda *a, **k: steps.append(1) or real_step(*a, **k))
    table = bench.training_benchmarks(smoke=True, repeat=1)
    assert len(table.rows) == 5
    assert len(calls) >= 6 and steps       # untimed runs, timed runs, the epoch row
    assert not hasattr(bench, "_bare_fit") and not hasattr(bench, "_sgd_epoch_bare")


def test_matmul_floor_only_multiplies():
    X, _ = toy_images(40, seed=1)
    before = X.copy()
    assert bench._matmul_floor(X, num_epochs=2, batch_size=16, num_classes=3, seed=0) is None
    np.testing.assert_array_equal(X, before)


def test_markdown_table_has_the_same_number_of_cells_on_every_line():
    table = bench.Table("t", ["a", "b", "c"], [["1", "2", "3"], ["x", "y", "z"]])
    lines = bench.markdown_table(table).splitlines()
    assert lines[0] == "### t"
    assert {line.count("|") for line in lines[2:]} == {4}


def test_grading_section_grades_an_honest_class(capsys):
    """`bench --only grading`: one honest student (--smoke: chapter 01) gets every point."""
    import os

    from softmax_course.tools.sandbox import bwrap_path

    if bwrap_path() is None and not (os.environ.get("CI") or
                                     os.environ.get("COURSE_REQUIRE_SANDBOX")):
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)")
    assert bench.cli(["--smoke", "--only", "grading", "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    rows = table_rows(out, "### Grading")
    assert len(rows) == 3
    assert rows[0][0].startswith("1 students × 1 chapters = 1 notebooks (+ 1 teacher")
    assert re.fullmatch(r"1/1 students got all \d+ exercises; \d+\.\d s per notebook per job "
                        r"slot", rows[0][2]) and rows[0][3] == "yes"
    assert "### Kernels" not in out and "### The course" not in out


def test_bench_rejects_a_class_of_nobody():
    proc = subprocess.run([sys.executable, "-m", "softmax_course", "bench", "--only", "grading",
                           "--students", "0"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--students and --jobs must be at least 1" in proc.stderr
