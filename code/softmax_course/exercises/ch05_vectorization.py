"""Self-checks of chapter 05 (小批量样本的矢量化).

The expected numbers and choices are stored only as digests (see :mod:`._base`); function
answers are compared with a reference built from the package's own softmax.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import softmax
from ._base import Verdict, check_choice_answer, check_function, check_number

__all__ = ["check_batch_multiplications", "check_batch_forward", "check_bias_column"]


def check_batch_multiplications(answer: Any) -> Verdict:
    """ex-05-mult-count: scalar multiplications in XW for n=256, d=784, q=10."""
    return check_number("ex-05-mult-count", answer, "f0b3dc1023be1e238df10f11", 0.5,
                        "O 的每个元素是 X 的一行与 W 的一列的内积；先数一个元素要做几次乘法，"
                        "再数 O 有多少个元素。")


def _reference_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return softmax(X @ W + b, axis=-1)


def _forward_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(505)
    cases = []
    for n, d, q in [(5, 4, 3), (3, 4, 3), (1, 6, 2), (8, 7, 10), (10, 3, 10)]:
        cases.append((rng.standard_normal((n, d)), rng.standard_normal((d, q)),
                      rng.standard_normal((1, q))))
    return cases


def check_batch_forward(fn: Any) -> Verdict:
    """ex-05-forward: ``fn(X, W, b)`` must return softmax(XW + b) row by row, shape (n, q)."""
    return check_function("ex-05-forward", fn, _reference_forward, _forward_cases(),
                          "先算 O = X @ W + b（形状 n×q），再对每一行（axis=-1）做 softmax；"
                          "每一行应当是一个概率分布。")


def check_bias_column(answer: Any) -> Verdict:
    """ex-05-bias-column: what XW + b gives when b is a (q, 1) column and n == q."""
    return check_choice_answer("ex-05-bias-column", answer, "0aa0a270d7e6618d2702a40e",
                               ("A", "B", "C", "D"),
                               "在 Python 里建一个 3×3 的 XW 和一个形状 (3, 1) 的 b，"
                               "把 XW + b 与 XW + b.reshape(1, 3) 逐个元素比较。")
