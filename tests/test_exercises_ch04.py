"""Self-checks of the softmax chapter: right answers pass, stubs and wrong answers fail."""
from __future__ import annotations

import numpy as np
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
