"""Self-checks of chapter 1 (分类问题): soft-to-one-hot distance, one-hot encoding, ordinal labels."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import one_hot
from ._base import Verdict, check_choice_answer, check_function, check_number

__all__ = ["check_soft_distance", "check_one_hot", "check_ordinal"]

ORDINAL_CHOICES = ("A", "B", "C")


def check_soft_distance(answer: Any) -> Verdict:
    """ex-01-soft-distance: distance between a soft prediction and the one-hot label of 狗."""
    return check_number("ex-01-soft-distance", answer, "efd415f65c616358890f80f7", 1e-3,
                        "先用 one_hot 写出“狗”的独热标签（注意类别顺序 0=猫、1=鸡、2=狗），"
                        "再用 np.linalg.norm 求差向量的长度。")


def _one_hot_cases() -> list[tuple]:
    rng = np.random.default_rng(101)
    cases: list[tuple] = [(np.array([0, 2, 1]), 3), (np.array([1, 1, 0, 3]), 4),
                          (np.array([0]), 1)]
    for q in (2, 5, 10):
        cases.append((rng.integers(0, q, size=7), q))
    cases.append((np.array([0, 0]), 3))          # a class that never occurs still gets a column
    return cases


def check_one_hot(fn: Any) -> Verdict:
    """ex-01-one-hot: a function ``(labels, num_classes) -> (n, q)`` one-hot matrix."""
    return check_function("ex-01-one-hot", fn, one_hot, _one_hot_cases(),
                          "结果应当有 num_classes 列（即使某个类别没有出现），每行只在标签对应的列上为 1。")


def check_ordinal(answer: Any) -> Verdict:
    """ex-01-ordinal: which labels suit an integer coding (A, B or C)."""
    return check_choice_answer("ex-01-ordinal", answer, "7560f38ba51ed7684e0ed7b9",
                               ORDINAL_CHOICES,
                               "整数编码默认类别之间有先后和远近；哪一组类别本身就有这种顺序？")
