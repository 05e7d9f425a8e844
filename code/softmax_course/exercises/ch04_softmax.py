"""Self-checks of the softmax chapter (chapters/04-softmax.ipynb)."""
from __future__ import annotations

import numpy as np

from ..core import logsumexp, softmax
from ._base import Verdict, check_function, check_number

_CASES_SOFTMAX = [
    (np.array([1.0, 2.0, 3.0]),),
    (np.array([1000.0, 0.0, -1000.0]),),
    (np.array([-800.0, -801.0]),),
    (np.random.default_rng(7).normal(size=10) * 300,),
]


def check_overflow_threshold(answer) -> Verdict:
    """ex-04-overflow: the smallest integer x for which np.exp(x) overflows in float64."""
    return check_number("ex-04-overflow", answer, "1a5af1340431783048b906a0", 0.1,
                        "float64 能表示的最大数是 np.finfo(np.float64).max，exp 的反函数是 log。")


def check_stable_softmax(fn) -> Verdict:
    """ex-04-stable: a softmax of a 1-D vector that works for logits like 1000 and -1000."""
    return check_function("ex-04-stable", fn, softmax, _CASES_SOFTMAX,
                          "先从所有分量中减去最大值，再取指数并归一化；结果的每个分量都应在 [0, 1] 内，总和为 1。")


def _real_softmax_reference(x, lam):
    return logsumexp(lam * np.asarray(x, dtype=float)) / lam


def check_real_softmax(fn) -> Verdict:
    """ex-04-realsoftmax: (1/λ)·log Σ exp(λ x_i) for any number of arguments, stably."""
    cases = [([2.0, 3.0], 1.0), ([2.0, 3.0], 10.0), ([1.0, 5.0, -2.0, 4.5], 3.0),
             ([700.0, 720.0, 705.0], 2.0), ([-1000.0, -999.0], 1.0), ([0.0, 0.0, 0.0], 0.5)]
    return check_function("ex-04-realsoftmax", fn, _real_softmax_reference, cases,
                          "先把每个数乘以 λ，再用稳定的 log-sum-exp（减去最大值的技巧），最后除以 λ。")


def check_logsumexp_hessian(fn) -> Verdict:
    """ex-04-logpartition: the Hessian of log Σ exp(o_k) for a 1-D logit vector."""
    from ..calculus import softmax_jacobian

    rng = np.random.default_rng(11)
    cases = [(np.array([0.0, 0.0]),), (np.array([1.0, 2.0, 3.0]),),
             (rng.normal(size=5) * 3,), (np.array([500.0, 0.0, -500.0, 1.0]),)]
    return check_function("ex-04-logpartition", fn, softmax_jacobian, cases,
                          "对 ∂/∂o_j log Σ exp(o_k) = softmax(o)_j 再求一次导数；"
                          "结果应是对称矩阵，每行之和为 0。", atol=1e-12)


def _pinned_reference(W, b):
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    return np.vstack([W - W[:, -1:], (b - b[-1])[None, :]])


def _stack_pair(fn):
    """Call ``fn(W, b)`` and stack its ``(W_new, b_new)`` into one (d + 1, q) array."""
    def call(W, b):
        out = fn(W, b)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(f"应当返回两个数组 (W_new, b_new)，但返回了 {type(out).__name__}")
        W_new = np.asarray(out[0], dtype=float)
        b_new = np.asarray(out[1], dtype=float)
        if W_new.shape != np.shape(W) or b_new.shape != np.shape(b):
            raise ValueError(f"W_new 的形状应当是 {np.shape(W)}、b_new 的形状应当是 "
                             f"{np.shape(b)}，但得到 {W_new.shape} 和 {b_new.shape}")
        return np.vstack([W_new, b_new[None, :]])
    return call


def check_pin_last_class(fn) -> Verdict:
    """ex-04-binary: ``fn(W, b)`` returns an equivalent model whose last class is all zeros.

    Adding one vector to every column of ``W`` and one constant to every bias changes no
    probability; the equivalent model with zero weights and bias for the last class is unique,
    so the answer is compared with it on several models (q = 2, 3 and 10).
    """
    rng = np.random.default_rng(404)
    cases = [(rng.normal(size=(d, q)), rng.normal(size=q))
             for d, q in [(3, 2), (4, 2), (2, 3), (5, 10)]]
    answer = _stack_pair(fn) if callable(fn) else fn     # a stub or non-function is judged as is
    return check_function("ex-04-binary", answer, _pinned_reference, cases,
                          "给所有类别的权重列加上同一个向量、所有偏置加上同一个数，概率不变；"
                          "选这个向量和这个数，使最后一个类别的权重和偏置都变成 0。")


def _lse_gap_reference(q):
    # the gap where one entry dominates (it tends to the infimum) and where all are equal
    def gap(x):
        return logsumexp(x) - x.max()
    return np.array([gap(np.r_[800.0, np.zeros(q - 1)]), gap(np.zeros(q))])


def check_lse_gap_range(fn) -> Verdict:
    """ex-04-lse-gap: ``fn(q)`` returns [inf, max] of log Σ exp(x_i) − max x_i over x in R^q."""
    cases = [(2,), (3,), (10,), (1000,)]
    return check_function("ex-04-lse-gap", fn, _lse_gap_reference, cases,
                          "把 max 提出来：差值等于 log(1 + Σ exp(x_i − max))，和式里每一项在 "
                          "(0, 1] 中；想一想和式最小、最大能是多少。", atol=1e-6)
