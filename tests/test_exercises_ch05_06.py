"""Self-checks of chapters 05 (vectorization) and 06 (loss): right answers pass, others fail.

The right answers are computed here independently of the stored digests.
"""
import re

import numpy as np
import pytest
import scipy.optimize
import scipy.special

from softmax_course import exercises

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_rejected(verdict, *fragments):
    assert not verdict
    text = repr(verdict)
    assert "❌" in text and CHINESE.search(text)
    for fragment in fragments:
        assert fragment in text


def assert_accepted(verdict):
    assert verdict, repr(verdict)
    assert "✅" in repr(verdict)


# --- chapter 05 -----------------------------------------------------------------------------

def test_batch_multiplications():
    n, d, q = 256, 784, 10
    X, W = np.ones((n, d)), np.ones((d, q))
    count = int((X @ W).sum())          # each entry of XW sums d products of ones
    check = exercises.check_batch_multiplications
    assert_accepted(check(count))
    assert_accepted(check(np.int64(count)))
    assert_rejected(check(...), "还没有作答")
    assert_rejected(check(n * d + d * q), "容差")
    assert_rejected(check(n * q), "容差")
    assert_rejected(check("2007040"), "实数")


def _forward(X, W, b):
    O = X @ W + b
    return scipy.special.softmax(O, axis=1)


def test_batch_forward():
    check = exercises.check_batch_forward
    assert_accepted(check(_forward))
    assert_rejected(check(...), "还没有作答")

    def stub(X, W, b):
        raise NotImplementedError("在这里实现")
    assert_rejected(check(stub), "还没有实现")
    assert_rejected(check(lambda X, W, b: scipy.special.softmax(X @ W + b, axis=0)), "不一致")
    assert_rejected(check(lambda X, W, b: X @ W + b), "不一致")
    assert_rejected(check(lambda X, W, b: scipy.special.softmax(X @ W + b)), "不一致")
    assert_rejected(check(lambda X, W, b: _forward(X, W, b).T), "形状")
    assert_rejected(check(np.ones((2, 2))), "函数")


def test_bias_column():
    # Build the situation of the exercise and see which statement holds.
    XW = np.arange(9.0).reshape(3, 3)
    b = np.array([10.0, 20.0, 30.0])
    column = XW + b.reshape(3, 1)
    assert column.shape == (3, 3)
    assert not np.array_equal(column, XW + b)                  # so not B
    assert np.array_equal(column - XW, np.repeat(b[:, None], 3, axis=1))   # row i gets b_i: C
    check = exercises.check_bias_column
    assert_accepted(check("C"))
    for wrong in ("A", "B", "D"):
        assert_rejected(check(wrong), "提示")
    assert_rejected(check(...), "还没有作答")
    assert_rejected(check(3), "之一")


# --- chapter 06 -----------------------------------------------------------------------------

def test_ce_second_derivative():
    def hessian_diag(o):
        p = scipy.special.softmax(o)
        return p - p ** 2
    check = exercises.check_ce_second_derivative
    assert_accepted(check(hessian_diag))
    assert_rejected(check(...), "还没有作答")
    assert_rejected(check(lambda o: scipy.special.softmax(o)), "不一致")          # first derivative
    assert_rejected(check(lambda o: -scipy.special.softmax(o) ** 2), "不一致")
    assert_rejected(check(lambda o: np.full(2, 0.25)), "形状")
    assert_rejected(check(0.25), "函数")


def test_exp_overflow_float32():
    with np.errstate(over="ignore"):
        threshold = next(k for k in range(1, 200) if np.isinf(np.exp(np.float32(k))))
    check = exercises.check_exp_overflow
    assert_accepted(check(threshold))
    assert_rejected(check(threshold - 1), "容差")
    assert_rejected(check(710), "容差")                       # the float64 threshold
    assert_rejected(check(...), "还没有作答")
    assert_rejected(check([threshold]), "实数")
    assert_rejected(check(float("inf")), "有限")


def test_stable_cross_entropy():
    def stable(o, y):
        o = np.asarray(o, dtype=float)
        return scipy.special.logsumexp(o) - o[y]

    def naive(o, y):
        with np.errstate(all="ignore"):
            return -np.log(np.exp(o) / np.exp(o).sum())[y]

    def shift_only(o, y):           # fixes overflow but still takes log of a probability
        with np.errstate(all="ignore"):
            e = np.exp(o - np.max(o))
            return -np.log(e / e.sum())[y]

    check = exercises.check_stable_cross_entropy
    assert_accepted(check(stable))
    assert_rejected(check(naive), "NaN")
    assert_rejected(check(shift_only), "不一致")
    assert_rejected(check(lambda o, y: np.asarray(o)[y]), "不一致")
    assert_rejected(check(...), "还没有作答")
    assert_rejected(check("stable"), "函数")


def test_soft_label_minimum():
    y = np.array([0.7, 0.2, 0.1])
    # Brute force over a grid of the probability simplex, independent of the closed form.
    g = np.arange(1, 1000) / 1000
    a, b = np.meshgrid(g, g, indexing="ij")
    c = 1 - a - b
    ok = c > 0
    losses = -(y[0] * np.log(a[ok]) + y[1] * np.log(b[ok]) + y[2] * np.log(c[ok]))
    best = losses.min()
    check = exercises.check_soft_label_minimum
    assert_accepted(check(best))
    assert_rejected(check(-np.log(0.7)), "容差")               # loss of the most likely class only
    assert_rejected(check(np.log(3)), "容差")                  # uniform prediction
    assert_rejected(check(...), "还没有作答")
    assert_rejected(check(None), "还没有作答")
    assert_rejected(check("0.8"), "实数")


def test_smoothed_logit_gap():
    """Independent reference: minimise the smoothed loss over the gap numerically."""
    q, eps = 10, 0.1
    target = np.full(q, eps / q)
    target[0] += 1 - eps

    def loss(gap):                  # logits (gap, 0, ..., 0); true class 0
        logits = np.zeros(q)
        logits[0] = gap
        return scipy.special.logsumexp(logits) - target @ logits

    best = scipy.optimize.minimize_scalar(loss, bounds=(0, 20), method="bounded",
                                          options={"xatol": 1e-10}).x
    check = exercises.check_smoothed_logit_gap
    assert_accepted(check(best))
    assert_accepted(check(np.array([best])))                # size-1 array is a number
    assert_rejected(check(np.log(0.9 / (0.1 / 9))), "容差")  # eps/(q-1) convention
    assert_rejected(check(np.log(0.9 / 0.1)), "容差")        # ratio without the eps/q share
    assert_rejected(check(np.inf), "")                       # no smoothing: no finite optimum
    assert_rejected(check(...), "还没有作答")
