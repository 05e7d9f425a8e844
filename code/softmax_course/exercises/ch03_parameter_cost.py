"""Self-checks of chapter 3 (全连接层的参数开销): PHM parameter counts and the Kronecker sum."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..model import phm_weight
from ._base import Verdict, check_function, check_number

__all__ = ["check_phm_count", "check_best_m", "check_phm_weight"]


def check_phm_count(answer: Any) -> Verdict:
    """ex-03-phm-count: parameters (no bias) of a PHM layer with d=768, q=3072, m=4."""
    return check_number("ex-03-phm-count", answer, "fa6892ddaf94680aa4eb4a00", 0.5,
                        "分别数 m 个 A_i 和 m 个 S_i 的元素个数；S_i 的形状是 (q/m, d/m)。")


def check_best_m(answer: Any) -> Verdict:
    """ex-03-best-m: the divisor m of d = 768 and q = 3072 that makes the PHM layer smallest.

    The stationary point of dq/m + m^3 is m* = (dq/3)^(1/4), about 29.8; the best common
    divisor near it is 32 (106,496 parameters without bias).
    """
    return check_number("ex-03-best-m", answer, "bcabd0e71d03fcec8eb6b01b", 0.5,
                        "m 必须同时整除 d 和 q；对每个可选的 m 计算 dq/m + m³，"
                        "比较大小（可以用 common_divisors 列出它们）。")


def _phm_cases() -> list[tuple]:
    rng = np.random.default_rng(303)
    cases = []
    for m, q, d in ((1, 3, 4), (2, 4, 6), (2, 2, 2), (3, 6, 9), (4, 8, 4)):
        cases.append((rng.standard_normal((m, m, m)), rng.standard_normal((m, q // m, d // m))))
    return cases


def check_phm_weight(fn: Any) -> Verdict:
    """ex-03-phm-weight: a function ``(A, S) -> W`` of shape (d, q), the transposed Kronecker sum."""
    return check_function("ex-03-phm-weight", fn, phm_weight, _phm_cases(),
                          "先检查形状：克罗内克积之和是论文中 (q, d) 形状的矩阵，本课程要的是 (d, q)。")
