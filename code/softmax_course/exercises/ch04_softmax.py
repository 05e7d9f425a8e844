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
