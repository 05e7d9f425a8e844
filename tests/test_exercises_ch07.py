"""Self-checks of chapter 7 accept right answers and reject stubs, wrong values, wrong types."""
from __future__ import annotations

import math

import numpy as np
import scipy.special as sp
import scipy.stats

from softmax_course import exercises


def test_ternary_block_size():
    # independent computation: smallest k with ceil(k log2 3) / k - log2 3 < 0.01
    waste = [math.ceil(k * math.log2(3)) / k - math.log2(3) for k in range(1, 100)]
    right = next(k for k, w in enumerate(waste, 1) if w < 0.01)
    assert exercises.check_ternary_block_size(right)
    assert exercises.check_ternary_block_size(np.int64(right))
    stub = exercises.check_ternary_block_size(...)
    assert not stub and "还没有作答" in stub.message
    for wrong in (1, 5, right - 1, right + 1):     # 5 is the first k with a small waste (0.015)
        verdict = exercises.check_ternary_block_size(wrong)
        assert not verdict and "提示" in verdict.message
    typed = exercises.check_ternary_block_size("17")
    assert not typed and "实数" in typed.message


def _my_temperature_entropy(o, T):
    p = sp.softmax(np.asarray(o, dtype=float) / T)
    return scipy.stats.entropy(p, base=2)


def _stub(o, T):
    raise NotImplementedError("在这里实现")


def test_temperature_entropy():
    assert exercises.check_temperature_entropy(_my_temperature_entropy)
    stub = exercises.check_temperature_entropy(_stub)
    assert not stub and "还没有实现" in stub.message
    assert "还没有作答" in exercises.check_temperature_entropy(...).message
    in_nats = exercises.check_temperature_entropy(
        lambda o, T: scipy.stats.entropy(sp.softmax(np.asarray(o) / T)))
    assert not in_nats and "提示" in in_nats.message
    times_t = exercises.check_temperature_entropy(                    # o * T instead of o / T
        lambda o, T: scipy.stats.entropy(sp.softmax(np.asarray(o) * T), base=2))
    assert not times_t and "提示" in times_t.message
    probs = exercises.check_temperature_entropy(lambda o, T: sp.softmax(np.asarray(o) / T))
    assert not probs and "形状" in probs.message
    typed = exercises.check_temperature_entropy(1.58)
    assert not typed and "函数" in typed.message


def test_wrong_code_cost():
    p = np.array([0.5, 0.25, 0.25])
    q = np.array([0.25, 0.25, 0.5])
    lengths_for_q = -np.log2(q)                      # 2, 2, 1
    lengths_for_p = -np.log2(p)                      # 1, 2, 2
    right = float(p @ lengths_for_q - p @ lengths_for_p)
    assert exercises.check_wrong_code_cost(right)
    assert exercises.check_wrong_code_cost(right + 4e-4)
    assert "还没有作答" in exercises.check_wrong_code_cost(...).message
    for wrong in (float(p @ lengths_for_q), right * math.log(2), -right):
        verdict = exercises.check_wrong_code_cost(wrong)
        assert not verdict and "提示" in verdict.message
    typed = exercises.check_wrong_code_cost([right])
    assert not typed and "实数" in typed.message


def test_cross_entropy_minimizer():
    # H(P, Q) = H(P) + KL(P‖Q) and H(P) does not depend on Q
    assert exercises.check_cross_entropy_minimizer("KL(P‖Q)")
    for wrong in ("H(P)", "H(Q)", "KL(Q‖P)"):
        verdict = exercises.check_cross_entropy_minimizer(wrong)
        assert not verdict and "提示" in verdict.message
    assert "还没有作答" in exercises.check_cross_entropy_minimizer(...).message
    typed = exercises.check_cross_entropy_minimizer("KL")
    assert not typed and "之一" in typed.message
