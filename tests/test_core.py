"""Tests of softmax_course.core against scipy.special, finite differences and invariants."""
from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import softmax_course as sc
from softmax_course.calculus import numerical_gradient
from softmax_course import (cross_entropy, cross_entropy_grad, log_softmax, logsumexp, one_hot,
                            softmax)

RTOL = 1e-12


def logit_batches(max_abs: float = 1e3, min_q: int = 1):
    """Hypothesis strategy: float64 arrays of shape (n, q) with bounded finite entries."""
    shapes = st.tuples(st.integers(1, 6), st.integers(min_q, 7))
    return shapes.flatmap(lambda s: hnp.arrays(
        np.float64, s, elements=st.floats(-max_abs, max_abs, allow_nan=False)))


# --------------------------------------------------------------------- against scipy.special
@pytest.mark.parametrize("shape, axis", [((7,), -1), ((5, 9), -1), ((5, 9), 0), ((3, 4, 6), 1)])
@pytest.mark.parametrize("scale", [1.0, 30.0, 700.0])
def test_matches_scipy(shape, axis, scale):
    o = np.random.default_rng(42).normal(size=shape) * scale
    np.testing.assert_allclose(softmax(o, axis=axis), sp.softmax(o, axis=axis), rtol=RTOL,
                               atol=1e-300)
    # scipy's log_softmax has an absolute error of about 1e-16 near 0 (it takes log(1 + r)
    # where the package takes log1p(r)): relative accuracy there is checked against mpmath
    np.testing.assert_allclose(log_softmax(o, axis=axis), sp.log_softmax(o, axis=axis),
                               rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(logsumexp(o, axis=axis), sp.logsumexp(o, axis=axis), rtol=RTOL)


@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 3.0, 1e6])
def test_temperature_divides_logits(temperature):
    o = np.random.default_rng(1).normal(size=(4, 6)) * 5
    np.testing.assert_allclose(softmax(o, temperature=temperature),
                               sp.softmax(o / temperature, axis=-1), rtol=1e-11, atol=1e-300)
    np.testing.assert_allclose(log_softmax(o, temperature=temperature),
                               sp.log_softmax(o / temperature, axis=-1), rtol=1e-11, atol=1e-15)


def test_float32_stays_float32():
    o = np.random.default_rng(2).normal(size=(3, 5)).astype(np.float32)
    assert softmax(o).dtype == np.float32
    assert log_softmax(o).dtype == np.float32
    np.testing.assert_allclose(softmax(o), sp.softmax(o.astype(np.float64), axis=-1), rtol=1e-5)


def test_integer_input_becomes_float64():
    assert softmax([1, 2, 3]).dtype == np.float64


def test_cross_entropy_against_scipy_and_one_hot():
    rng = np.random.default_rng(3)
    o = rng.normal(size=(8, 5)) * 4
    y = rng.integers(0, 5, size=8)
    expected = -sp.log_softmax(o, axis=1)[np.arange(8), y]
    np.testing.assert_allclose(cross_entropy(o, y, reduction="none"), expected, rtol=RTOL)
    assert cross_entropy(o, y) == pytest.approx(expected.mean(), rel=RTOL)
    assert cross_entropy(o, y, reduction="sum") == pytest.approx(expected.sum(), rel=RTOL)


def test_soft_labels_expected_loss():
    rng = np.random.default_rng(4)
    o = rng.normal(size=(6, 4))
    p = rng.dirichlet(np.ones(4), size=6)
    expected = -(p * sp.log_softmax(o, axis=1)).sum(axis=1)
    np.testing.assert_allclose(cross_entropy(o, p, reduction="none"), expected, rtol=RTOL)


# ------------------------------------------------------------------ finite differences
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("soft", [False, True])
def test_gradient_matches_finite_differences(reduction, soft):
    rng = np.random.default_rng(5)
    o = rng.normal(size=(4, 3)) * 2
    y = rng.dirichlet(np.ones(3), size=4) if soft else rng.integers(0, 3, size=4)
    numeric = numerical_gradient(lambda z: cross_entropy(z, y, reduction=reduction), o)
    np.testing.assert_allclose(cross_entropy_grad(o, y, reduction=reduction), numeric,
                               atol=1e-8)


def test_gradient_none_is_per_sample():
    rng = np.random.default_rng(6)
    o = rng.normal(size=(3, 4))
    y = np.array([0, 3, 1])
    g = cross_entropy_grad(o, y, reduction="none")
    for i in range(3):
        numeric = numerical_gradient(lambda z: cross_entropy(z[None], y[i:i + 1], "sum"), o[i])
        np.testing.assert_allclose(g[i], numeric, atol=1e-8)


# ----------------------------------------------------------------------- properties
@given(logit_batches())
def test_rows_sum_to_one_and_are_in_unit_interval(o):
    p = softmax(o)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert ((p >= 0) & (p <= 1)).all()


@given(logit_batches(), st.floats(-1e3, 1e3))
def test_invariant_to_adding_a_constant(o, c):
    np.testing.assert_allclose(softmax(o + c), softmax(o), atol=1e-9)
    np.testing.assert_allclose(log_softmax(o + c), log_softmax(o), atol=1e-9, rtol=1e-9)


@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.integers(-10**6, 10**6)))
def test_argmax_preserved(o):
    # distinct integers: the argmax is unique, and the ordering of entries is kept
    o = o + np.arange(o.size) * 1e-3
    assert np.argmax(softmax(o)) == np.argmax(o)
    assert np.argmax(log_softmax(o)) == np.argmax(o)


@given(logit_batches(min_q=1), st.data())
def test_cross_entropy_nonnegative_and_grad_rows_sum_to_zero(o, data):
    n, q = o.shape
    y = np.array(data.draw(st.lists(st.integers(0, q - 1), min_size=n, max_size=n)))
    assert (cross_entropy(o, y, reduction="none") >= 0).all()
    np.testing.assert_allclose(cross_entropy_grad(o, y).sum(axis=1), 0.0, atol=1e-12)


@given(logit_batches(), st.data())
def test_integer_and_one_hot_labels_agree(o, data):
    n, q = o.shape
    y = np.array(data.draw(st.lists(st.integers(0, q - 1), min_size=n, max_size=n)))
    Y = one_hot(y, q)
    for reduction in ("mean", "sum", "none"):
        np.testing.assert_array_equal(cross_entropy(o, y, reduction),
                                      cross_entropy(o, Y, reduction))
        np.testing.assert_allclose(cross_entropy_grad(o, y, reduction),
                                   cross_entropy_grad(o, Y, reduction), atol=1e-15)


@given(logit_batches(max_abs=1e3))
def test_logsumexp_bounds(o):
    lse = logsumexp(o)
    m = o.max(axis=1)
    assert (lse >= m).all() and (lse <= m + np.log(o.shape[1]) + 1e-9).all()


# -------------------------------------------------------------------------- extremes
EXTREME = [
    np.array([[1e308, -1e308, 0.0]]),
    np.array([[1.7e308, 1.7e308, 1.6e308]]),
    np.array([[-1.7e308, -1.7e308, -1e308]]),
    np.array([[5e307, -5e307, 1.0], [1e3, 1e3, 1e3]]),
    np.array([[1e308, 1e308]]),
]


@pytest.mark.parametrize("o", EXTREME)
@pytest.mark.parametrize("temperature", [1.0, 0.01, 100.0])
def test_extremes_never_nan_and_never_warn(o, temperature):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(o, temperature=temperature)
        lp = log_softmax(o, temperature=temperature)
        lse = logsumexp(o)
        ce = cross_entropy(o, np.zeros(o.shape[0], dtype=int), reduction="none")
        g = cross_entropy_grad(o, np.zeros(o.shape[0], dtype=int))
    for a in (p, lp, lse, ce, g):
        assert not np.isnan(a).any()
    assert np.isfinite(p).all() and np.isfinite(lse).all() and np.isfinite(g).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    assert (lp <= 0).all()


def test_finite_whenever_the_exact_value_is_representable():
    # logits of magnitude up to 1e308 whose spread stays below the largest float
    o = np.array([[1e308, 0.9e308, 0.0], [-1e308, -0.95e308, -0.2e308]])
    assert np.isfinite(log_softmax(o)).all()
    assert np.isfinite(cross_entropy(o, [2, 0], reduction="none")).all()
    np.testing.assert_allclose(log_softmax(o)[0], [0.0, -1e307, -1e308], rtol=1e-12)


def test_unrepresentable_log_probability_is_minus_inf():
    # the exact value -2e308 is below the most negative float
    assert log_softmax(np.array([1e308, -1e308]))[1] == -np.inf
    assert cross_entropy([[1e308, -1e308]], [1]) == np.inf
    assert softmax(np.array([1e308, -1e308]))[1] == 0.0


def test_soft_labels_with_zero_probability_classes_do_not_make_nan():
    o = np.array([[1e308, -1e308]])
    assert cross_entropy(o, [[1.0, 0.0]]) == 0.0


def test_one_hot_values():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 3), np.eye(3)[[2, 0, 1]])
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])


def test_top_level_reexports():
    for name in ("logsumexp", "softmax", "log_softmax", "one_hot", "cross_entropy",
                 "cross_entropy_grad"):
        assert getattr(sc, name) is getattr(sc.core, name)


# ----------------------------------------------------------- precision at the extremes
mpmath.mp.dps = 60


def mp_log_terms(row):
    """The largest entry m and log(sum(exp(row - m))) in 60-digit arithmetic (as mpf).

    The second is evaluated as log1p of the other terms, so that it has 60 significant digits
    even when it is tiny.
    """
    x = [mpmath.mpf(float(v)) for v in row]
    i = max(range(len(x)), key=x.__getitem__)
    return x[i], mpmath.log1p(mpmath.fsum(mpmath.exp(v - x[i]) for k, v in enumerate(x) if k != i))


def mp_logsumexp(row):
    """log(sum(exp(row))) to 60 digits, rounded to a float."""
    m, rest = mp_log_terms(row)
    return float(m + rest)


def test_logsumexp_keeps_a_dominated_term():
    # scipy issue 18295: m + log(sum) rounds log(1 + e^-40) to 0; the exact value is e^-40
    assert float(logsumexp([0.0, -40.0])) == pytest.approx(np.logaddexp(0, -40), rel=1e-13, abs=0)
    assert np.logaddexp(0, -40) == 4.248354255291589e-18
    for gap in (20.0, 40.0, 300.0, 700.0):
        expected = np.logaddexp(0.0, -gap)
        assert float(logsumexp([0.0, -gap])) == pytest.approx(expected, rel=1e-13, abs=0)
        assert float(logsumexp([-gap, 0.0, -gap])) == pytest.approx(
            np.logaddexp.reduce([0.0, -gap, -gap]), rel=1e-13, abs=0)
    assert float(logsumexp(np.array([0.0, -40.0], dtype=np.float32))) == pytest.approx(
        np.logaddexp(0, -40), rel=1e-6, abs=0)


@pytest.mark.parametrize("row", [
    [0.0, 0.0, -40.0],               # a tie: only one of the maxima is left out of the log1p
    [5.0, 5.0, 5.0, 5.0],
    [-3.0, 7.0, 7.0, -30.0, 6.9],
    [1e308, 1e308, 1e308 - 1e293],
    [0.0, -1e-17, -40.0],            # a near-tie
])
def test_logsumexp_with_several_maxima_against_mpmath(row):
    assert float(logsumexp(row)) == pytest.approx(mp_logsumexp(row), rel=1e-14, abs=0)


@given(hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-800, 800)))
def test_logsumexp_and_log_softmax_relative_accuracy_against_mpmath(o):
    # the rounding of o_k - m (an absolute error up to spread * eps / 2) becomes a relative
    # error of exp(o_k - m): that is the problem's condition, the same for every float method
    rtol = np.finfo(float).eps * (8 + float(o.max() - o.min()))
    assert float(logsumexp(o)) == pytest.approx(mp_logsumexp(o), rel=4e-15, abs=1e-300)
    m, rest = mp_log_terms(o)
    exact = [float(mpmath.mpf(float(x)) - m - rest) for x in o]
    np.testing.assert_allclose(log_softmax(o), exact, rtol=rtol, atol=1e-300)


@pytest.mark.parametrize("gap", [20.0, 40.0, 700.0])
@pytest.mark.parametrize("q", [2, 3, 10])
def test_confident_correct_prediction_has_a_relatively_accurate_loss(gap, q):
    # loss of [[gap, 0, ..., 0]] with label 0: log(1 + (q - 1) e^-gap), about (q - 1) e^-gap
    o = np.zeros((2, q))
    o[:, 0] = gap
    o[1] += 123.25                   # the same gaps around a large logit
    exact = float(mpmath.log1p((q - 1) * mpmath.exp(-mpmath.mpf(gap))))
    assert exact > 0
    np.testing.assert_allclose(cross_entropy(o, [0, 0], reduction="none"), exact, rtol=1e-13,
                               atol=0)
    np.testing.assert_allclose(cross_entropy(o, np.eye(q)[[0, 0]], reduction="none"), exact,
                               rtol=1e-13, atol=0)
    np.testing.assert_allclose(-log_softmax(o)[:, 0], exact, rtol=1e-13, atol=0)
    if q == 2:
        assert cross_entropy(o[:1], [0]) == pytest.approx(np.log1p(np.exp(-gap)), rel=1e-13,
                                                         abs=0)
        assert cross_entropy(o[:1], [0]) == pytest.approx(np.logaddexp(0, -gap) - 0, rel=1e-13,
                                                         abs=0)
    # and the wrong label costs the gap (plus the same tiny term)
    assert cross_entropy(o[:1], [1]) == pytest.approx(gap + exact, rel=1e-15)


def test_mean_loss_near_the_largest_float_is_finite_and_sum_is_inf_without_warning():
    big = 1.7e308
    o = np.array([[0.0, -big]] * 3)                 # each loss is 1.7e308 (+ e^-1.7e308)
    y = np.array([1, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per = cross_entropy(o, y, reduction="none")
        mean = cross_entropy(o, y)
        total = cross_entropy(o, y, reduction="sum")
        grad = cross_entropy_grad(o, y)
    np.testing.assert_array_equal(per, big)
    assert mean == pytest.approx(big, rel=1e-15)      # the exact mean is representable
    assert total == np.inf                              # the exact sum 5.1e308 is not
    assert np.isfinite(grad).all()
    # a mean of different large losses: (1.7e308 + 1.5e308 + 0.1e308) / 3
    o2 = np.array([[0.0, -1.7e308], [0.0, -1.5e308], [0.0, -0.1e308]])
    assert cross_entropy(o2, y) == pytest.approx(1.1e308, rel=1e-15)


@pytest.mark.skipif(np.dtype(np.longdouble).itemsize <= 8,
                    reason="long double is float64 on this platform")
@pytest.mark.parametrize("f", [softmax, log_softmax, logsumexp])
def test_long_double_input_is_a_clear_error_without_a_warning(f):
    o = np.array([[np.longdouble("1e400"), 0.0]])      # beyond float64: a cast would overflow
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match=r"o has dtype float128.*supported dtypes are "
                                            r"float64 and float32"):
            f(o)
        with pytest.raises(TypeError, match=r"logits has dtype float128.*float64 and float32"):
            cross_entropy(o, [0])
        with pytest.raises(TypeError, match=r"logits has dtype float128"):
            cross_entropy_grad(np.ones((1, 2), dtype=np.longdouble), [0])


def test_huge_float_labels_are_an_error_not_a_cast_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"labels must be class indices, but contains 1e\+300"):
            cross_entropy(np.zeros((2, 3)), np.array([0.0, 1e300]))


@pytest.mark.parametrize("call", [
    lambda: logsumexp(np.zeros((3, 0))), lambda: logsumexp([]),
    lambda: log_softmax(np.zeros((0, 4))), lambda: softmax(np.zeros(0)),
])
def test_empty_input_raises_as_the_docstrings_say(call):
    with pytest.raises(ValueError, match=r"o is empty"):
        call()
    for f in (cross_entropy, cross_entropy_grad):
        with pytest.raises(ValueError, match=r"logits is empty"):
            f(np.zeros((0, 3)), np.zeros(0, dtype=int))
    for f in (logsumexp, log_softmax, softmax, cross_entropy, cross_entropy_grad):
        assert "empty" in f.__doc__


# ----------------------------------------------------------------------- bad input
O = np.zeros((2, 3))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: softmax([1.0, np.nan]), ValueError, r"o must be finite.*entry \(1,\) is nan"),
    (lambda: softmax([np.inf, 0.0]), ValueError, r"o must be finite.*inf.*clip"),
    (lambda: log_softmax(5.0), ValueError, r"at least 1 dimension"),
    (lambda: softmax([]), ValueError, r"o is empty"),
    (lambda: softmax(["a", "b"]), TypeError, r"o must hold real numbers.*dtype"),
    (lambda: softmax("abc"), TypeError, r"o must be an array of real numbers"),
    (lambda: softmax([[1.0, 2.0], [3.0]]), ValueError, r"rectangular.*same length"),
    (lambda: softmax(O, axis=2), ValueError, r"axis=2 is out of range.*-2 to 1"),
    (lambda: softmax(O, axis=1.0), TypeError, r"axis must be an int"),
    (lambda: softmax(O, temperature=0.0), ValueError, r"temperature must be a finite number > 0"),
    (lambda: softmax(O, temperature=-1), ValueError, r"temperature.*got -1.0"),
    (lambda: log_softmax(O, temperature="hot"), TypeError, r"temperature must be a positive"),
    (lambda: cross_entropy([1.0, 2.0], [0]), ValueError,
     r"logits must be 2-dimensional.*logits\[None, :\]"),
    (lambda: cross_entropy(np.zeros((0, 3)), []), ValueError, r"logits is empty"),
    (lambda: cross_entropy(O, [0, -1]), ValueError, r"labels must be >= 0.*count from 0"),
    (lambda: cross_entropy(O, [0, 3]), ValueError, r"contains 3.*only 3 classes.*0\.\.2"),
    (lambda: cross_entropy(O, [0, 1.5]), ValueError, r"whole numbers.*1\.5"),
    (lambda: cross_entropy(O, [0, 1, 2]), ValueError, r"3 entries but there are 2 samples"),
    (lambda: cross_entropy(O, [[0.5, 0.6, -0.1], [1, 0, 0]]), ValueError,
     r"non-negative.*\(0, 2\)"),
    (lambda: cross_entropy(O, [[0.5, 0.4, 0.0], [1, 0, 0]]), ValueError,
     r"row 0 sums to 0\.9.*normalise"),
    (lambda: cross_entropy(O, np.ones((2, 2)) / 2), ValueError, r"shape \(2, 3\)"),
    (lambda: cross_entropy(O, np.zeros((2, 3, 1))), ValueError, r"3 dimension\(s\)"),
    (lambda: cross_entropy(O, [0, 1], reduction="avg"), ValueError,
     r"reduction must be one of 'mean', 'sum', 'none'.*'avg'"),
    (lambda: cross_entropy(O, "ab"), TypeError, r"labels must be integer class indices"),
    (lambda: cross_entropy(O, [True, False]), TypeError, r"labels must be integer"),
    (lambda: cross_entropy_grad(O, [0, 5]), ValueError, r"only 3 classes"),
    (lambda: cross_entropy_grad(O, [0, 1], reduction=None), ValueError, r"reduction"),
    (lambda: one_hot([0, 3], 3), ValueError, r"num_classes=3 is too small.*num_classes=4"),
    (lambda: one_hot([0, 1], 0), ValueError, r"num_classes must be at least 1"),
    (lambda: one_hot([0, 1], 2.5), TypeError, r"num_classes must be an int"),
    (lambda: one_hot([[0, 1]], 2), ValueError, r"labels must be 1-dimensional"),
    (lambda: one_hot([0, -2], 3), ValueError, r"labels must be >= 0"),
    (lambda: one_hot([0.5], 3), ValueError, r"whole numbers"),
])
def test_bad_input_messages(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
