"""Self-checks of chapter 06 (损失函数).

The expected numbers are stored only as digests (see :mod:`._base`); function answers are
compared with the package's own implementations on generated and extreme inputs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..calculus import cross_entropy_hessian_diag
from ..core import cross_entropy
from ._base import Verdict, check_function, check_number

__all__ = ["check_ce_second_derivative", "check_exp_overflow", "check_stable_cross_entropy",
           "check_soft_label_minimum", "check_smoothed_logit_gap"]


def _hessian_cases() -> list[tuple[np.ndarray]]:
    rng = np.random.default_rng(606)
    cases = [(np.array([2.0, 1.0, -1.0]),), (np.zeros(4),), (np.array([20.0, 0.0, -20.0]),)]
    cases += [(3.0 * rng.standard_normal(q),) for q in (2, 3, 5, 10)]
    return cases


def check_ce_second_derivative(fn: Any) -> Verdict:
    """ex-06-hessian: ``fn(o)`` must return the q second derivatives d²l/do_j² at 1-D o."""
    return check_function("ex-06-hessian", fn, cross_entropy_hessian_diag, _hessian_cases(),
                          "对梯度的第 j 个分量 softmax(o)_j − y_j 再对 o_j 求导；"
                          "y 与 o 无关，而 softmax(o)_j 的分子分母都含 o_j。",
                          rtol=1e-6, atol=1e-9)


def check_exp_overflow(answer: Any) -> Verdict:
    """ex-06-overflow: the smallest integer o with np.exp(np.float32(o)) == inf."""
    return check_number("ex-06-overflow", answer, "755cbbd41975976229425eb5", 0.5,
                        "最大的单精度数是 np.finfo(np.float32).max；np.exp(o) 溢出，"
                        "就是 o 超过了它的自然对数。也可以用一个循环逐个试整数。")


def _reference_ce(o: np.ndarray, y: int) -> float:
    return float(cross_entropy(np.asarray(o, dtype=float)[None, :], [y], reduction="sum"))


def _stable_cases() -> list[tuple[np.ndarray, int]]:
    rng = np.random.default_rng(607)
    cases = [(np.array([2.0, 1.0, -1.0]), 0), (np.array([1000.0, 0.0, -1000.0]), 0),
             (np.array([1000.0, 0.0, -1000.0]), 1), (np.array([1000.0, 0.0, -1000.0]), 2),
             (np.array([0.0, -800.0]), 1), (np.array([-1000.0, -1001.0]), 0),
             (np.array([50.0, 60.0, 70.0]), 0)]
    cases += [(5.0 * rng.standard_normal(q), int(rng.integers(q))) for q in (2, 4, 10)]
    return cases


def check_stable_cross_entropy(fn: Any) -> Verdict:
    """ex-06-stable-ce: ``fn(o, y)`` must return -log softmax(o)[y], finite for extreme o."""
    return check_function("ex-06-stable-ce", fn, _reference_ce, _stable_cases(),
                          "不要先算概率再取对数：把 −log softmax(o)_y 化成只含 o_y 和 "
                          "log Σ exp(o_k) 的式子，并在求指数前减去 o 的最大值。",
                          rtol=1e-9, atol=1e-9)


def check_soft_label_minimum(answer: Any) -> Verdict:
    """ex-06-soft-min: min over ŷ of the cross-entropy for the soft label (0.7, 0.2, 0.1)."""
    return check_number("ex-06-soft-min", answer, "f1380c99cdde2e12d6fe6bd2", 1e-3,
                        "先想清楚最小值在哪个 ŷ 处取到（本节第 3 部分用网格检查过），"
                        "再把它代入 −Σ y_j log ŷ_j。单位是 nat（自然对数）。")


def check_smoothed_logit_gap(answer: Any) -> Verdict:
    """ex-06-smoothing: logit gap o_true - o_other minimising the smoothed loss, q=10, eps=0.1."""
    return check_number("ex-06-smoothing", answer, "5cb95ae8c32731900790ff31", 1e-3,
                        "损失最小时 softmax(o) 等于平滑后的标签；真实类别与其他类别的概率之比"
                        "是 exp(o_真实 − o_其他)。注意平滑标签里真实类别得到 1 − ε + ε/q，"
                        "其他类别各得 ε/q。")
