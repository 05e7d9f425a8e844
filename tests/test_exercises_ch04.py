"""Self-checks of the softmax chapter: right answers pass, stubs and wrong answers fail."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp

from softmax_course import exercises


def test_overflow_threshold():
    # independent reference: find the first integer whose exp overflows, by trying
    with np.errstate(over="ignore"):
        first = next(x for x in range(700, 720) if np.isinf(np.exp(float(x))))
    assert exercises.check_overflow_threshold(first)
    assert exercises.check_overflow_threshold(np.int64(first))
    for wrong in (first - 1, first + 1, 709.78):
        assert not exercises.check_overflow_threshold(wrong)
    stub = exercises.check_overflow_threshold(...)
    assert not stub and "还没有作答" in repr(stub)
    assert "实数" in repr(exercises.check_overflow_threshold("710"))


def test_overflow_check_does_not_contain_the_answer():
    import inspect

    import softmax_course.exercises.ch04_softmax as module
    assert "710" not in inspect.getsource(module)


def stable(o):
    return sp.softmax(np.asarray(o, dtype=float))


def test_stable_softmax():
    assert exercises.check_stable_softmax(stable)

    def naive(o):
        return np.exp(o) / np.exp(o).sum()

    verdict = exercises.check_stable_softmax(naive)
    assert not verdict and "NaN" in verdict.message

    def stub(o):
        raise NotImplementedError

    assert "还没有实现" in exercises.check_stable_softmax(stub).message
    assert "形状" in exercises.check_stable_softmax(lambda o: stable(o)[:1]).message
    assert "出错" in exercises.check_stable_softmax(lambda o: 1 / 0).message
    assert "函数" in exercises.check_stable_softmax(3).message


def test_real_softmax():
    def right(x, lam):
        return sp.logsumexp(lam * np.asarray(x, dtype=float)) / lam

    assert exercises.check_real_softmax(right)
    assert not exercises.check_real_softmax(lambda x, lam: max(x))
    with np.errstate(over="ignore"):
        assert not exercises.check_real_softmax(
            lambda x, lam: np.log(np.exp(lam * np.asarray(x)).sum()) / lam)


def test_results_are_recorded():
    exercises.reset_results()
    exercises.check_overflow_threshold(...)
    assert exercises.results() == {"ex-04-overflow": False}


def test_logsumexp_hessian():
    def right(o):
        p = sp.softmax(np.asarray(o, dtype=float))
        return np.diag(p) - np.outer(p, p)

    assert exercises.check_logsumexp_hessian(right)
    # a plausible slip: forgetting the outer product (only the diagonal of the Hessian)
    assert not exercises.check_logsumexp_hessian(lambda o: np.diag(sp.softmax(o)))
    assert not exercises.check_logsumexp_hessian(lambda o: np.eye(len(o)))
    assert "还没有作答" in repr(exercises.check_logsumexp_hessian(...))


# --------------------------------------------------------------------- the binary case (拓展)
def pin_last_class(W, b):
    """Independent answer: solve for the shift (v, c) that zeroes the last class."""
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    v, c = -W[:, -1], -b[-1]
    return W + v[:, None], b + c


def test_pin_last_class_reference_is_equivalent_and_binary_is_logistic():
    # the invariant the exercise teaches, checked against scipy: same probabilities, and for
    # two classes P(class 0) = expit(x·w + c) with the pinned model's first column
    rng = np.random.default_rng(0)
    for q in (2, 3, 7):
        W, b, X = rng.normal(size=(4, q)), rng.normal(size=q), rng.normal(size=(6, 4))
        W2, b2 = pin_last_class(W, b)
        np.testing.assert_allclose(sp.softmax(X @ W2 + b2, axis=1),
                                   sp.softmax(X @ W + b, axis=1), rtol=1e-12)
        assert not W2[:, -1].any() and b2[-1] == 0
        if q == 2:
            np.testing.assert_allclose(sp.expit(X @ W2[:, 0] + b2[0]),
                                       sp.softmax(X @ W + b, axis=1)[:, 0], rtol=1e-12)


def test_pin_last_class():
    assert exercises.check_pin_last_class(pin_last_class)
    assert exercises.check_pin_last_class(lambda W, b: list(pin_last_class(W, b)))
    # plausible slips: pinning the first class, forgetting the bias, shifting W only
    assert not exercises.check_pin_last_class(
        lambda W, b: (W - W[:, :1], b - b[0]))
    assert not exercises.check_pin_last_class(
        lambda W, b: (W - W[:, -1:], b))
    not_a_pair = exercises.check_pin_last_class(lambda W, b: W)
    assert not not_a_pair and "(W_new, b_new)" in not_a_pair.message
    wrong_shape = exercises.check_pin_last_class(lambda W, b: (W.T, b))
    assert not wrong_shape and "形状" in wrong_shape.message

    def stub(W, b):
        raise NotImplementedError

    assert "还没有实现" in exercises.check_pin_last_class(stub).message
    assert "还没有作答" in exercises.check_pin_last_class(...).message
    assert "函数" in exercises.check_pin_last_class(3).message


# ------------------------------------------------------ how small can RealSoftMax − max get
def gap(x):
    """log Σ exp(x_i) − max x, as log1p of the other terms (no cancellation when it is tiny)."""
    x = np.asarray(x, dtype=float)
    k = x.argmax()
    return np.log1p(np.exp(np.delete(x, k) - x[k]).sum())


def test_lse_gap_range_reference_is_right_numerically():
    rng = np.random.default_rng(1)
    for q in (2, 3, 10):
        samples = [gap(rng.normal(scale=s, size=q)) for s in (0.1, 1, 10) for _ in range(200)]
        assert 0 < min(samples) and max(samples) <= np.log(q) + 1e-12
        assert gap(np.zeros(q)) == pytest.approx(np.log(q), rel=1e-14)   # all equal: log q
        assert 0 < gap([30.0] + [0.0] * (q - 1)) < 1e-12                 # one dominates: → 0
        # and scipy agrees where no cancellation hides the gap
        x = rng.normal(size=q)
        assert gap(x) == pytest.approx(sp.logsumexp(x) - x.max(), rel=1e-12)


def test_lse_gap_range():
    def right(q):
        return [0.0, float(np.log(q))]

    assert exercises.check_lse_gap_range(right)
    assert exercises.check_lse_gap_range(lambda q: np.array([1e-300, np.log(q)]))
    for wrong in (lambda q: [0.0, 1.0], lambda q: [0.0, np.log(2)], lambda q: [0.0, q],
                  lambda q: [np.log(q), 0.0], lambda q: [0.0, np.log2(q)]):
        assert not exercises.check_lse_gap_range(wrong)
    assert "形状" in exercises.check_lse_gap_range(lambda q: np.log(q)).message
    assert "还没有作答" in exercises.check_lse_gap_range(...).message


def test_new_checks_do_not_contain_their_answers_in_readable_form():
    import inspect

    import softmax_course.exercises.ch04_softmax as module
    source = inspect.getsource(module)
    assert "log(q)" not in source and "log(n)" not in source
