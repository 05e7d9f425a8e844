"""Self-checks of chapter 2 (网络架构): parameter count, logits, weight orientation."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._base import Verdict, check_choice_answer, check_function, check_number

__all__ = ["check_param_count", "check_logits", "check_orientation"]

ORIENTATION_CHOICES = ("W[2, 1]", "W[1, 2]", "W[3, 2]", "W[2, 3]")


def check_param_count(answer: Any) -> Verdict:
    """ex-02-param-count: weights plus biases of softmax regression on 28×28 images, 10 classes."""
    return check_number("ex-02-param-count", answer, "3225e3f108a1eee30bca2b9b", 0.5,
                        "先数输入特征有多少个，再想每个输出需要多少个权重；别忘了偏置。")


def _reference_logits(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return X @ W + b


def _logits_cases() -> list[tuple]:
    rng = np.random.default_rng(202)
    cases = []
    for n, d, q in ((1, 4, 3), (5, 4, 3), (3, 2, 5), (6, 7, 2)):
        cases.append((rng.standard_normal((n, d)), rng.standard_normal((d, q)),
                      rng.standard_normal(q)))
    return cases


def check_logits(fn: Any) -> Verdict:
    """ex-02-logits: a function ``(X, W, b) -> O`` with X (n, d), W (d, q), b (q,)."""
    return check_function("ex-02-logits", fn, _reference_logits, _logits_cases(),
                          "本课程的 W 形状是 (d, q)：第 j 个输出用的是 W 的第 j 列；结果形状应为 (n, q)。")


def check_orientation(answer: Any) -> Verdict:
    """ex-02-orientation: which entry of the course's W connects x_3 to o_2."""
    return check_choice_answer("ex-02-orientation", answer, "bc5de96fbad676fecc8a405b",
                               ORIENTATION_CHOICES,
                               "本课程的 W 的行对应输入、列对应输出，且 numpy 下标从 0 开始。")
