"""Tests of softmax_course.timing: the loop and the matrix product agree; timings are well-formed."""
import doctest

import numpy as np
import pytest

from softmax_course import timing
from softmax_course.timing import LoopVsMatmul, linear_batch, linear_loop, loop_vs_matmul


def test_doctests():
    result = doctest.testmod(timing)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize("n, d, q", [(1, 1, 1), (5, 4, 3), (7, 784, 10), (3, 2, 6)])
def test_loop_and_batch_agree_with_einsum_reference(n, d, q):
    rng = np.random.default_rng(n * 100 + d + q)
    X, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, q)), rng.standard_normal(q)
    reference = np.einsum("nd,dq->nq", X, W) + b[None, :]
    np.testing.assert_allclose(linear_loop(X, W, b), reference, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(linear_batch(X, W, b), reference, rtol=1e-12, atol=1e-12)
    assert linear_loop(X, W, b).shape == (n, q)


def test_bias_of_shape_1_by_q_is_the_same_as_q():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    b = np.array([0.5, -0.5, 1.0])
    expected = [[1.5, 1.5, 1.0], [3.5, 3.5, 3.0], [5.5, 5.5, 5.0]]
    for fn in (linear_loop, linear_batch):
        assert fn(X, W, b).tolist() == expected
        assert fn(X, W, b[None, :]).tolist() == expected


@pytest.mark.parametrize("fn", [linear_loop, linear_batch])
@pytest.mark.parametrize("X, W, b, match", [
    (np.ones((2, 3)), np.ones((4, 2)), np.ones(2), r"W must have one row per feature.*\(3, q\)"),
    (np.ones((2, 3)), np.ones((3, 2)), np.ones((2, 1)), r"b must have shape \(2,\) or \(1, 2\)"),
    (np.ones((2, 3)), np.ones((3, 2)), np.ones(3), r"b must have shape"),
    (np.ones(3), np.ones((3, 2)), np.ones(2), "X must be 2-dimensional"),
    (np.ones((2, 3)), np.ones((3, 2)), [np.nan, 0.0], "b must be finite"),
])
def test_shape_errors_name_the_argument_and_the_fix(fn, X, W, b, match):
    with pytest.raises(ValueError, match=match):
        fn(X, W, b)


def test_loop_vs_matmul_results_are_consistent():
    r = loop_vs_matmul([1, 3, 50], d=20, q=4, seed=3, repeats=2)
    assert isinstance(r, LoopVsMatmul)
    assert r.batch_sizes.tolist() == [1, 3, 50]
    for field in (r.loop_seconds, r.matmul_seconds, r.ratios, r.max_abs_diff):
        assert field.shape == (3,)
    assert (r.loop_seconds > 0).all() and (r.matmul_seconds > 0).all()
    np.testing.assert_allclose(r.ratios, r.loop_seconds / r.matmul_seconds)
    assert (r.max_abs_diff <= 1e-12).all()


def test_loop_vs_matmul_max_abs_diff_is_the_real_difference():
    # Recompute the batches the function draws (same seed, same order) and compare.
    r = loop_vs_matmul([4, 9], d=30, q=5, seed=11, repeats=1)
    rng = np.random.default_rng(11)
    W, b = rng.standard_normal((30, 5)), rng.standard_normal((1, 5))
    for n, diff in zip([4, 9], r.max_abs_diff):
        X = rng.standard_normal((n, 30))
        assert diff == np.abs(linear_loop(X, W, b) - (X @ W + b)).max()


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"batch_sizes": []}, ValueError, "batch_sizes is empty"),
    ({"batch_sizes": 16}, TypeError, "batch_sizes must be a sequence"),
    ({"batch_sizes": [4, 0]}, ValueError, "each batch size must be at least 1"),
    ({"batch_sizes": [2.5]}, TypeError, "each batch size must be an int"),
    ({"d": 0}, ValueError, "d must be at least 1"),
    ({"repeats": 0}, ValueError, "repeats must be at least 1"),
    ({"seed": -1}, ValueError, "seed must be at least 0"),
    ({"threads": 0}, ValueError, "threads must be at least 1"),
    ({"threads": "one"}, TypeError, "threads must be an int"),
])
def test_loop_vs_matmul_rejects_bad_arguments(kwargs, exc, match):
    args = {"batch_sizes": [2], "d": 3, "q": 2, "repeats": 1} | kwargs
    with pytest.raises(exc, match=match):
        loop_vs_matmul(**args)


def test_loop_vs_matmul_limits_blas_threads_only_inside():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    seen = []
    original = timing.linear_batch

    def spy(X, W, b):
        seen.extend(p["num_threads"] for p in threadpoolctl.threadpool_info()
                    if p["user_api"] == "blas")
        return original(X, W, b)

    timing.linear_batch = spy
    try:
        r = loop_vs_matmul([3], d=4, q=2, repeats=1, threads=1)
    finally:
        timing.linear_batch = original
    assert seen and set(seen) == {1}
    after = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    assert after == before
    assert r.max_abs_diff[0] <= 1e-12
    assert loop_vs_matmul([3], d=4, q=2, repeats=1, threads=None).batch_sizes.tolist() == [3]


def test_blas_threads_limits_inside_and_restores_after():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas():
        return [p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"]

    before = blas()
    with timing.blas_threads(1):
        assert set(blas()) == {1}
    assert blas() == before
    with timing.blas_threads(None):
        assert blas() == before
    with pytest.raises(ValueError, match="limit must be at least 1"):
        timing.blas_threads(0)
    with pytest.raises(TypeError, match="limit must be an int"):
        timing.blas_threads(1.5)


def test_one_blas_limiter_for_the_whole_package():
    # train.fit and the benchmark use timing.blas_threads; no module keeps its own copy
    import inspect

    from softmax_course import train
    from softmax_course.tools import bench

    assert train.blas_threads is timing.blas_threads
    assert bench.blas_threads is timing.blas_threads
    for module in (train, bench, timing):
        assert inspect.getsource(module).count("threadpool_limits(") <= (module is timing)


def test_single_threaded_timing_uses_the_threads_cpu_clock(monkeypatch):
    # with one BLAS thread the timings are CPU time of the calling thread, which waiting for
    # the CPU on a busy machine does not inflate; with more threads they are wall clock
    import time

    from softmax_course import timing

    calls = {"thread": 0, "wall": 0}
    real_thread, real_wall = time.thread_time, time.perf_counter

    def thread_clock():
        calls["thread"] += 1
        return real_thread()

    def wall_clock():
        calls["wall"] += 1
        return real_wall()

    monkeypatch.setattr(timing.time, "thread_time", thread_clock)
    monkeypatch.setattr(timing.time, "perf_counter", wall_clock)
    timing.loop_vs_matmul([2], d=3, q=2, repeats=2, threads=1)
    assert calls["thread"] == 8 and calls["wall"] == 0
    timing.loop_vs_matmul([2], d=3, q=2, repeats=2, threads=None)
    assert calls["wall"] == 8
