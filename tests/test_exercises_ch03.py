"""Self-checks of chapter 3 accept right answers and reject stubs, wrong values, wrong types."""
from __future__ import annotations

import numpy as np

from softmax_course import exercises


def test_phm_count():
    d, q, m = 768, 3072, 4
    right = m * m * m + m * (q // m) * (d // m)          # A_i entries + S_i entries
    assert exercises.check_phm_count(right)
    assert "还没有作答" in exercises.check_phm_count(...).message
    wrong = exercises.check_phm_count(d * q // m)          # the m^3 forgotten
    assert not wrong and "提示" in wrong.message
    typed = exercises.check_phm_count("589888")
    assert not typed and "实数" in typed.message


def test_best_m():
    d, q = 768, 3072                                    # the layer of the exercise
    counts = {m: d * q // m + m ** 3 for m in range(1, d + 1) if d % m == 0 and q % m == 0}
    right = min(counts, key=counts.get)
    assert exercises.check_best_m(right)
    # the stationary point of dq/m + m^3 (derivative -dq/m^2 + 3m^2 = 0) lies near the answer
    m_star = (d * q / 3) ** 0.25
    assert abs(m_star - 29.8) < 0.05 and right == 32
    assert not exercises.check_best_m(24)              # the other divisor next to m*
    assert not exercises.check_best_m(round((d * q) ** 0.25))   # where the two terms are equal
    assert not exercises.check_best_m(right * 2)
    assert not exercises.check_best_m(right // 2)
    assert "还没有作答" in exercises.check_best_m(None).message
    assert "实数" in exercises.check_best_m(True).message


def _kron_sum(A, S):
    return sum(np.kron(A[i], S[i]) for i in range(A.shape[0])).T


def test_phm_weight():
    assert exercises.check_phm_weight(_kron_sum)
    assert not exercises.check_phm_weight(...)
    untransposed = exercises.check_phm_weight(lambda A, S: _kron_sum(A, S).T)
    assert not untransposed and "形状" in untransposed.message
    swapped = exercises.check_phm_weight(
        lambda A, S: sum(np.kron(A[i].T, S[i]) for i in range(A.shape[0])).T)
    assert not swapped and "提示" in swapped.message
    typed = exercises.check_phm_weight({"A": 1})
    assert not typed and "函数" in typed.message
