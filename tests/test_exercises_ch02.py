"""Self-checks of chapter 2 accept right answers and reject stubs, wrong values, wrong types."""
from __future__ import annotations

import numpy as np

from softmax_course import exercises


def test_param_count():
    d, q = 28 * 28, 10
    assert exercises.check_param_count(d * q + q)
    assert "还没有作答" in exercises.check_param_count(...).message
    wrong = exercises.check_param_count(d * q)          # biases forgotten
    assert not wrong and "提示" in wrong.message
    typed = exercises.check_param_count([7850])
    assert not typed and "实数" in typed.message


def _loop_logits(X, W, b):
    n, d = X.shape
    q = W.shape[1]
    O = np.zeros((n, q))
    for i in range(n):
        for j in range(q):
            O[i, j] = sum(X[i, k] * W[k, j] for k in range(d)) + b[j]
    return O


def test_logits():
    assert exercises.check_logits(_loop_logits)
    assert not exercises.check_logits(...)
    no_bias = exercises.check_logits(lambda X, W, b: X @ W)
    assert not no_bias and "提示" in no_bias.message
    transposed = exercises.check_logits(lambda X, W, b: (X @ W + b).T)
    assert not transposed and "形状" in transposed.message
    typed = exercises.check_logits(3.0)
    assert not typed and "函数" in typed.message


def test_orientation():
    # x_3 is input index 2, o_2 is output index 1: the course's W[k, j] with k=2, j=1
    assert exercises.check_orientation("W[2, 1]")
    for wrong in ("W[1, 2]", "W[3, 2]", "W[2, 3]"):
        verdict = exercises.check_orientation(wrong)
        assert not verdict and "提示" in verdict.message
    assert "还没有作答" in exercises.check_orientation(...).message
    # the right choice written with other spacing or case is still right (issue 15, item 10)
    for spelled in ("W[2,1]", "w[2, 1]", " W[ 2 , 1 ] "):
        assert exercises.check_orientation(spelled), spelled
    assert not exercises.check_orientation("W[1,2]")
    outside = exercises.check_orientation("W[0, 0]")
    assert not outside and "之一" in outside.message
