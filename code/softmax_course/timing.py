"""Why vectorize: one sample at a time in a Python loop against one matrix product.

:func:`linear_loop` computes the affine layer ``O = XW + b`` row by row (``n`` matrix–vector
products), :func:`linear_batch` with one matrix–matrix product, and :func:`loop_vs_matmul`
times both on the same random batches. The *results* of the two are identical up to rounding
(the tests check that); the *timings* depend on the machine. :func:`blas_threads` limits the
threads of numpy's matrix products, here and wherever the package times or trains.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ._validation import as_float_array, check_int

__all__ = ["linear_loop", "linear_batch", "LoopVsMatmul", "loop_vs_matmul", "blas_threads"]


def _check_affine(X: Any, W: Any, b: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate ``X`` (n, d), ``W`` (d, q) and ``b`` (q,) or (1, q); return b as shape (q,)."""
    X = as_float_array(X, "X", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", min_ndim=1)
    n, d = X.shape
    if W.shape[0] != d:
        raise ValueError(f"W must have one row per feature: X has d={d} columns, so W needs "
                         f"shape ({d}, q), but got {W.shape}; if you have the (q, d) weights "
                         f"of the single-sample form o = Wx + b, pass W.T.")
    q = W.shape[1]
    if b.shape not in ((q,), (1, q)):
        raise ValueError(f"b must have shape ({q},) or (1, {q}) (one bias per class), but got "
                         f"{b.shape}; reshape it with b.reshape(1, {q}).")
    return X, W, b.reshape(q)


def linear_loop(X: Any, W: Any, b: Any) -> np.ndarray:
    r"""Affine layer one sample at a time: row ``i`` of the result is ``X[i] @ W + b``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        One sample per row.
    W : array_like, shape (d, q)
        Weights.
    b : array_like, shape (q,) or (1, q)
        Biases.

    Returns
    -------
    numpy.ndarray, shape (n, q)

    Notes
    -----
    .. math:: \mathbf o^{(i)} = \mathbf x^{(i)\top} \mathbf W + \mathbf b,
              \qquad i = 1, \dots, n,

    a Python loop of ``n`` matrix–vector products. Same result as :func:`linear_batch`
    (up to rounding), only slower: it exists to be timed against it.

    Examples
    --------
    >>> from softmax_course.timing import linear_loop
    >>> linear_loop([[1.0, 2.0]], [[1.0, 0.0], [0.0, 1.0]], [0.5, -0.5]).tolist()
    [[1.5, 1.5]]
    """
    X, W, b = _check_affine(X, W, b)
    O = np.empty((X.shape[0], W.shape[1]))
    for i in range(X.shape[0]):
        O[i] = X[i] @ W + b
    return O


def linear_batch(X: Any, W: Any, b: Any) -> np.ndarray:
    r"""Affine layer for a whole minibatch at once: ``X @ W + b``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        The minibatch, one sample per row.
    W, b
        Weights and biases, as for :func:`linear_loop`.

    Returns
    -------
    numpy.ndarray, shape (n, q)

    Notes
    -----
    .. math:: \mathbf O = \mathbf X \mathbf W + \mathbf b, \qquad
              \mathbf X \in \mathbb R^{n \times d},\ \mathbf W \in \mathbb R^{d \times q},\
              \mathbf b \in \mathbb R^{1 \times q},

    one matrix–matrix product; ``b`` is broadcast to every row.

    Examples
    --------
    >>> from softmax_course.timing import linear_batch
    >>> linear_batch([[1.0, 2.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [0.5, -0.5]).tolist()
    [[1.5, 1.5], [0.5, -0.5]]
    """
    X, W, b = _check_affine(X, W, b)
    return X @ W + b


@dataclass(frozen=True)
class LoopVsMatmul:
    """Result of :func:`loop_vs_matmul`; every field has one entry per batch size."""

    batch_sizes: np.ndarray     #: the batch sizes n
    loop_seconds: np.ndarray    #: best time of :func:`linear_loop`
    matmul_seconds: np.ndarray  #: best time of :func:`linear_batch`
    ratios: np.ndarray          #: speed-up loop_seconds / matmul_seconds
    max_abs_diff: np.ndarray    #: max |loop result - matrix result|


def _best_time(fn: Callable[[], Any], repeats: int,
               clock: Callable[[], float] = time.perf_counter) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return max(best, 1e-9)     # a clock tick of 0 would make the ratio infinite


def blas_threads(limit: int | None) -> contextlib.AbstractContextManager:
    """Context manager in which BLAS (numpy's matrix products) uses at most ``limit`` threads.

    Parameters
    ----------
    limit : int or None
        Maximum number of BLAS threads inside the ``with`` block; ``None`` leaves the
        library's setting unchanged.

    Returns
    -------
    context manager
        On leaving the block the previous thread count is restored. Without ``threadpoolctl``
        (installed with scikit-learn) it does nothing.

    Notes
    -----
    Small products (a minibatch of 256×784 by 784×10) finish before extra threads pay for
    their start, and on a shared two-core machine several threads fighting for the cores made
    training 5–10 times slower; one thread also makes timings steadier. Results agree up to
    rounding. :func:`loop_vs_matmul`, :func:`softmax_course.train.fit` and the benchmark
    command all limit BLAS with this one function.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course.timing import blas_threads
    >>> with blas_threads(1):
    ...     product = np.ones((2, 3)) @ np.ones((3, 2))
    >>> product.tolist()
    [[3.0, 3.0], [3.0, 3.0]]
    """
    if limit is None:
        return contextlib.nullcontext()
    limit = check_int(limit, "limit", minimum=1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:         # pragma: no cover - scikit-learn installs it
        return contextlib.nullcontext()
    return threadpool_limits(limits=limit, user_api="blas")


def loop_vs_matmul(batch_sizes: Sequence[int] = (1, 4, 16, 64, 256, 1024), d: int = 784,
                   q: int = 10, seed: int = 0, repeats: int = 5,
                   threads: int | None = 1) -> LoopVsMatmul:
    r"""Time the per-sample loop against one matrix product on the same random batches.

    Parameters
    ----------
    batch_sizes : sequence of int
        Batch sizes ``n`` to try (each >= 1).
    d, q : int, default 784, 10
        Number of features and of classes (784 and 10 are Fashion-MNIST's).
    seed : int, default 0
        Seed of the standard-normal ``X``, ``W`` and ``b``.
    repeats : int, default 5
        Each timing is the best of this many runs.
    threads : int or None, default 1
        Number of BLAS threads during the timing (``None``: leave the library's setting).
        With one thread both versions use one core, so the ratio measures vectorization
        alone; the timings are then the CPU time of the calling thread
        (``time.thread_time``), which does not count the time the process waits while other
        programs use the CPU. With more threads they are wall-clock times.

    Returns
    -------
    LoopVsMatmul
        Timings, speed-ups and the largest difference between the two results.

    Notes
    -----
    The speed-up is :math:`t_\text{loop} / t_\text{matmul}`. The loop pays Python and numpy
    call overhead ``n`` times and multiplies a vector by ``W`` each time; the matrix product
    makes one call and lets BLAS reuse ``W`` from cache across rows. Timings vary with the
    machine and its load; the results do not. The BLAS thread limit uses ``threadpoolctl``
    (a dependency of scikit-learn); without it the limit is skipped.

    Examples
    --------
    >>> from softmax_course.timing import loop_vs_matmul
    >>> r = loop_vs_matmul([2, 8], d=5, q=3, repeats=1)
    >>> r.batch_sizes.tolist(), bool((r.max_abs_diff < 1e-12).all())
    ([2, 8], True)
    """
    if isinstance(batch_sizes, (str, bytes)) or not hasattr(batch_sizes, "__len__"):
        raise TypeError(f"batch_sizes must be a sequence of ints, but got "
                        f"{type(batch_sizes).__name__}; pass e.g. batch_sizes=[1, 16, 256].")
    if len(batch_sizes) == 0:
        raise ValueError("batch_sizes is empty; pass at least one batch size, e.g. [1, 16, 256].")
    sizes = [check_int(n, "each batch size", minimum=1) for n in batch_sizes]
    d = check_int(d, "d", minimum=1)
    q = check_int(q, "q", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    repeats = check_int(repeats, "repeats", minimum=1)
    if threads is not None:
        threads = check_int(threads, "threads", minimum=1)

    rng = np.random.default_rng(seed)
    W = rng.standard_normal((d, q))
    b = rng.standard_normal((1, q))
    loop_t, mat_t, diffs = [], [], []
    clock = time.thread_time if threads == 1 else time.perf_counter
    with blas_threads(threads):
        for n in sizes:
            X = rng.standard_normal((n, d))
            diffs.append(float(np.abs(linear_loop(X, W, b) - linear_batch(X, W, b)).max()))
            loop_t.append(_best_time(lambda: linear_loop(X, W, b), repeats, clock))
            mat_t.append(_best_time(lambda: linear_batch(X, W, b), repeats, clock))
    loop_s, mat_s = np.array(loop_t), np.array(mat_t)
    return LoopVsMatmul(np.array(sizes), loop_s, mat_s, loop_s / mat_s, np.array(diffs))
