"""Self-checks of chapter 7 (信息论基础). Expected values are stored only as digests."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import softmax
from ..info import entropy
from ._base import Verdict, check_choice_answer, check_function, check_number

__all__ = ["check_ternary_block_size", "check_temperature_entropy", "check_wrong_code_cost",
           "check_cross_entropy_minimizer"]

KL_CHOICES = ("H(P)", "H(Q)", "KL(P‖Q)", "KL(Q‖P)")


def check_ternary_block_size(answer: Any) -> Verdict:
    """ex-07-three-classes: smallest block length whose fixed-length code wastes < 0.01 bit."""
    return check_number("ex-07-three-classes", answer, "b46ae1ccf28f19d760c6145c", tol=0.5,
                        hint="对 k = 1, 2, 3, … 逐个计算 ⌈k·log₂3⌉ / k − log₂3，"
                             "注意它并不随 k 单调下降，要一直找到第一个小于 0.01 的 k。")


def _reference_temperature_entropy(o: Any, T: float) -> float:
    return entropy(softmax(o, temperature=T), unit="bit")


def _temperature_cases() -> list[tuple[np.ndarray, float]]:
    rng = np.random.default_rng(7)
    cases = [(np.array([2.0, 1.0, 0.0]), T) for T in (0.1, 0.5, 1.0, 2.0, 10.0, 100.0)]
    cases += [(rng.normal(0, 3, size=q), float(T))
              for q, T in zip((2, 3, 5, 10), rng.uniform(0.2, 5.0, size=4))]
    cases.append((np.array([5.0, 5.0, 5.0]), 0.3))     # equal logits: log2(3) at any T
    return cases


def check_temperature_entropy(fn: Any) -> Verdict:
    """ex-07-temperature: ``fn(o, T)`` returns the entropy in bits of softmax(o / T)."""
    return check_function("ex-07-temperature", fn, _reference_temperature_entropy,
                          _temperature_cases(),
                          hint="先用 softmax(o, temperature=T) 得到概率，再用 info.entropy(…, "
                               "unit=\"bit\") 求熵；注意单位是比特。", rtol=1e-6, atol=1e-9)


def check_wrong_code_cost(answer: Any) -> Verdict:
    """ex-07-wrong-code: extra bits per symbol of the code built for Q on data from P."""
    return check_number("ex-07-wrong-code", answer, "ca636890f8743b836c195be5", tol=1e-3,
                        hint="为 Q 设计的码长是 −log₂Q(j)；先算这套码在 P 下的平均码长，"
                             "再减去为 P 设计的最优码的平均码长。")


def check_cross_entropy_minimizer(answer: Any) -> Verdict:
    """ex-07-kl-vs-ce: minimising H(P, Q) over Q is minimising which quantity?"""
    return check_choice_answer("ex-07-kl-vs-ce", answer, "f05d7e91a1e0c716421b880c",
                               KL_CHOICES,
                               hint="把 H(P, Q) 拆成两项之和，想一想哪一项根本不含 Q。")
