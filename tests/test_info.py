"""Tests of softmax_course.info against scipy, with property tests of the inequalities."""
from __future__ import annotations

import doctest
import math
import warnings

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_course import cross_entropy as ce_loss
from softmax_course import info, one_hot, softmax
from softmax_course.info import (NAT_IN_BITS, cross_entropy_dist, entropy, expectation,
                                 kl_divergence, label_smoothing, surprisal)

LN2 = math.log(2.0)


def random_distributions(rng, shape, zeros=False):
    """Dirichlet rows, optionally with some exact zeros (then renormalised)."""
    p = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    if zeros:
        p[rng.random(p.shape) < 0.3] = 0.0
        p[..., 0] += (p.sum(axis=-1) == 0)          # keep at least one positive entry
        p /= p.sum(axis=-1, keepdims=True)
    return p


@st.composite
def distributions(draw, k=None):
    """Hypothesis strategy: a 1-D distribution of length k (drawn if None), zeros allowed."""
    k = draw(st.integers(1, 8)) if k is None else k
    w = draw(hnp.arrays(np.float64, k, elements=st.floats(0, 1, allow_nan=False)))
    if w.sum() == 0:
        w[0] = 1.0
    return w / w.sum()


@st.composite
def distribution_pairs(draw):
    k = draw(st.integers(1, 8))
    return draw(distributions(k)), draw(distributions(k))


def test_doctests():
    result = doctest.testmod(info)
    assert result.attempted >= 10 and result.failed == 0


# ------------------------------------------------------------------------------ against scipy
@pytest.mark.parametrize("zeros", [False, True])
def test_entropy_matches_scipy(zeros):
    rng = np.random.default_rng(0)
    for k in (1, 2, 3, 10, 100):
        p = random_distributions(rng, (k,), zeros)
        assert entropy(p) == pytest.approx(scipy.stats.entropy(p), rel=1e-12, abs=1e-15)
        assert entropy(p) == pytest.approx(sp.entr(p).sum(), rel=1e-12, abs=1e-15)
        assert entropy(p, unit="bit") == pytest.approx(scipy.stats.entropy(p, base=2),
                                                       rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("zeros", [False, True])
def test_cross_entropy_and_kl_match_scipy(zeros):
    rng = np.random.default_rng(1)
    for k in (2, 3, 10, 50):
        p = random_distributions(rng, (k,), zeros)
        q = random_distributions(rng, (k,))          # q > 0: everything finite
        assert cross_entropy_dist(p, q) == pytest.approx(-sp.xlogy(p, q).sum(), rel=1e-12)
        assert kl_divergence(p, q) == pytest.approx(sp.rel_entr(p, q).sum(), rel=1e-10,
                                                    abs=1e-15)
        assert kl_divergence(p, q) == pytest.approx(scipy.stats.entropy(p, q), rel=1e-10,
                                                    abs=1e-15)
        assert kl_divergence(p, q, unit="bit") == pytest.approx(
            scipy.stats.entropy(p, q, base=2), rel=1e-10, abs=1e-15)


def test_bits_are_nats_divided_by_ln2():
    assert NAT_IN_BITS == pytest.approx(1 / LN2, rel=1e-15)
    assert NAT_IN_BITS == pytest.approx(math.log2(math.e), rel=1e-15)
    rng = np.random.default_rng(2)
    p, q = random_distributions(rng, (6,)), random_distributions(rng, (6,))
    for fn, args in [(entropy, (p,)), (cross_entropy_dist, (p, q)), (kl_divergence, (p, q))]:
        assert fn(*args, unit="bit") == pytest.approx(fn(*args, unit="nat") / LN2, rel=1e-14)
    np.testing.assert_allclose(surprisal(p, unit="bit"), surprisal(p) / LN2, rtol=1e-14)


def test_known_values():
    assert entropy([0.5, 0.5], unit="bit") == 1.0
    assert entropy([0.25] * 4, unit="bit") == pytest.approx(2.0, rel=1e-15)
    assert entropy([1 / 3] * 3, unit="bit") == pytest.approx(math.log2(3), rel=1e-14)
    assert entropy([1.0]) == 0.0
    assert entropy([0.0, 1.0, 0.0]) == 0.0
    assert math.copysign(1.0, entropy([1.0, 0.0])) == 1.0        # 0.0, not -0.0
    assert surprisal(0.125, unit="bit") == pytest.approx(3.0, rel=1e-15)
    assert surprisal(1.0) == 0.0 and math.copysign(1.0, surprisal(1.0)) == 1.0
    assert cross_entropy_dist([0.5, 0.5], [0.25, 0.75], unit="bit") == pytest.approx(
        0.5 * 2 + 0.5 * math.log2(4 / 3), rel=1e-14)


def test_surprisal_is_elementwise_minus_log():
    p = np.array([[0.1, 0.5], [1.0, 0.9]])
    np.testing.assert_allclose(surprisal(p), -np.log(p), rtol=1e-15)
    assert surprisal(p).shape == (2, 2)
    assert isinstance(surprisal(0.3), float)


def test_entropy_is_expected_surprisal():
    p = np.array([0.5, 0.3, 0.2])
    assert entropy(p) == pytest.approx(float(np.sum(p * surprisal(p))), rel=1e-15)


# ------------------------------------------------------------------------------ conventions
def test_zero_log_zero_is_zero():
    assert entropy([0.5, 0.5, 0.0]) == entropy([0.5, 0.5])
    assert cross_entropy_dist([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(math.log(2))
    assert kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(math.log(2))


def test_q_zero_where_p_positive_is_inf_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert surprisal(0.0) == math.inf
        assert cross_entropy_dist([0.5, 0.5], [1.0, 0.0]) == math.inf
        assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
        assert kl_divergence([0.5, 0.5], [1.0, 0.0], unit="bit") == math.inf
        batch = cross_entropy_dist([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]], [1.0, 0.0, 0.0])
        assert batch[0] == math.inf and batch[1] == math.inf
        # but q = 0 where p = 0 is harmless
        assert kl_divergence([1.0, 0.0], [1.0, 0.0]) == 0.0
        assert np.isfinite(cross_entropy_dist([0.0, 1.0], [0.0, 1.0]))


def test_slightly_unnormalised_input_is_rescaled():
    p = np.array([0.5, 0.5 + 5e-7])
    assert entropy(p) == pytest.approx(scipy.stats.entropy(p), rel=1e-12)
    assert kl_divergence(p, p[::-1] / p.sum()) >= 0


# ------------------------------------------------------------------------------ batches
def test_batches_along_last_axis_and_broadcasting():
    rng = np.random.default_rng(3)
    P = random_distributions(rng, (4, 5, 3), zeros=True)
    Q = random_distributions(rng, (5, 3))
    h, ce, kl = entropy(P), cross_entropy_dist(P, Q), kl_divergence(P, Q)
    assert h.shape == ce.shape == kl.shape == (4, 5)
    for i in range(4):
        for j in range(5):
            assert h[i, j] == entropy(P[i, j])
            assert ce[i, j] == pytest.approx(cross_entropy_dist(P[i, j], Q[j]), rel=1e-15)
            assert kl[i, j] == pytest.approx(kl_divergence(P[i, j], Q[j]), rel=1e-15, abs=0)
    assert isinstance(entropy(P[0, 0]), float)


def test_links_to_the_loss_of_the_package():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(20, 3)) * 3
    labels = rng.integers(0, 3, size=20)
    per_sample = ce_loss(logits, labels, reduction="none")
    np.testing.assert_allclose(cross_entropy_dist(one_hot(labels, 3), softmax(logits)), per_sample,
                               rtol=1e-12)


# ------------------------------------------------------------------------------ properties
@given(distribution_pairs())
def test_gibbs_inequality(pair):
    p, q = pair
    h, ce, kl = entropy(p), cross_entropy_dist(p, q), kl_divergence(p, q)
    assert kl >= 0
    assert ce >= h - 1e-12
    if math.isfinite(ce):
        assert kl == pytest.approx(ce - h, abs=1e-12)
    else:
        assert kl == math.inf


@given(distributions())
def test_equality_at_q_equals_p(p):
    assert cross_entropy_dist(p, p) == entropy(p)
    assert kl_divergence(p, p) == 0.0


@given(distributions())
def test_entropy_between_zero_and_log_k(p):
    h = entropy(p)
    assert 0.0 <= h <= math.log(p.size) + 1e-12
    assert entropy(p, unit="bit") <= math.log2(p.size) + 1e-12


@given(distribution_pairs())
def test_kl_asymmetric_but_both_nonnegative(pair):
    p, q = pair
    assert kl_divergence(p, q) >= 0 and kl_divergence(q, p) >= 0


def test_kl_is_not_symmetric():
    p, q = [0.9, 0.1], [0.5, 0.5]
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p))


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("fn", [entropy, lambda p, unit="nat": cross_entropy_dist(p, p, unit),
                                lambda p, unit="nat": kl_divergence(p, p, unit)])
@pytest.mark.parametrize("p, exc, match", [
    ([0.2, 0.3], ValueError, r"p must sum to 1, but it sums to 0\.5; normalise it"),
    ([[0.5, 0.5], [0.2, 0.3]], ValueError,
     r"each distribution of p \(along the last axis\) must sum to 1, but p\[1\] sums to 0\.5"),
    ([0.5, -0.5, 1.0], ValueError, r"p must be non-negative probabilities, but entry 1 is -0\.5"),
    ([np.nan, 1.0], ValueError, r"p must be finite"),
    ([], ValueError, r"p is empty"),
    (3.0, ValueError, r"p must have at least 1 dimension"),
    ("abc", TypeError, r"p must be an array of real numbers"),
    ([True, False], TypeError, r"p must hold real numbers"),
])
def test_bad_distributions(fn, p, exc, match):
    with pytest.raises(exc, match=match):
        fn(p)


@pytest.mark.parametrize("fn", [cross_entropy_dist, kl_divergence])
def test_bad_q_and_pairs(fn):
    with pytest.raises(ValueError, match=r"q must sum to 1, but it sums to 1\.5"):
        fn([0.5, 0.5], [1.0, 0.5])
    with pytest.raises(ValueError, match=r"q must be non-negative probabilities"):
        fn([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(ValueError, match=r"p and q must have the same number of outcomes, but "
                                         r"p has 2 and q has 3"):
        fn([0.5, 0.5], [1 / 3] * 3)
    with pytest.raises(ValueError, match=r"the batch shapes of p \(2, 3\) and q \(4, 3\) do not "
                                         r"broadcast"):
        fn(np.full((2, 3), 1 / 3), np.full((4, 3), 1 / 3))


@pytest.mark.parametrize("call", [
    lambda u: surprisal(0.5, unit=u), lambda u: entropy([1.0], unit=u),
    lambda u: cross_entropy_dist([1.0], [1.0], unit=u),
    lambda u: kl_divergence([1.0], [1.0], unit=u)])
@pytest.mark.parametrize("unit", ["bits", "nats", "Bit", None, 2])
def test_bad_unit(call, unit):
    with pytest.raises(ValueError, match=r"unit must be one of 'nat', 'bit', but got"):
        call(unit)


@pytest.mark.parametrize("p, match", [
    (1.5, r"p must be probabilities in \[0, 1\], but it is 1\.5"),
    ([0.2, -0.1], r"p must be probabilities in \[0, 1\], but entry 1 is -0\.1"),
    ([[0.2, 0.3], [2.0, 0.1]], r"but entry \(1, 0\) is 2\.0"),
    (np.inf, r"p must be finite"),
])
def test_bad_surprisal_input(p, match):
    with pytest.raises(ValueError, match=match):
        surprisal(p)


# ------------------------------------------------------------------------------ public API
def test_public_names_and_no_name_clash_with_the_loss():
    """info's cross-entropy of two distributions no longer shadows the loss of logits."""
    assert not hasattr(info, "cross_entropy")
    assert set(info.__all__) >= {"expectation", "cross_entropy_dist", "label_smoothing"}
    assert all(not name.startswith("_") for name in info.__all__)


# ------------------------------------------------------------------------------ expectation
def test_expectation_against_a_weighted_sum():
    rng = np.random.default_rng(5)
    P = random_distributions(rng, (7, 4))
    V = rng.normal(size=(7, 4))
    np.testing.assert_allclose(expectation(P, V), np.einsum("ij,ij->i", P, V), rtol=1e-14)
    assert expectation([0.25, 0.75], [4.0, 8.0]) == 7.0
    assert isinstance(expectation([1.0], [2.0]), float)
    # one value vector broadcast against a batch of distributions
    np.testing.assert_allclose(expectation(P, V[0]), P @ V[0], rtol=1e-14)


def test_expectation_skips_impossible_outcomes_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert expectation([0.5, 0.5, 0.0], [1.0, 3.0, np.inf]) == 2.0
        assert expectation([0.5, 0.5, 0.0], [1.0, 3.0, -np.inf]) == 2.0
        assert expectation([0.5, 0.5], [1.0, np.inf]) == math.inf


def test_expectation_bad_input():
    with pytest.raises(ValueError, match=r"values must not contain NaN"):
        expectation([0.5, 0.5], [1.0, np.nan])
    with pytest.raises(ValueError, match=r"values of shape \(3,\) do not broadcast with p of "
                                         r"shape \(2,\)"):
        expectation([0.5, 0.5], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"p must sum to 1"):
        expectation([0.5, 0.6], [1.0, 2.0])


# ------------------------------------------------------------------------------ label smoothing
def test_label_smoothing_hand_computed():
    # q = 4, eps = 0.2: the true class gets 1 - 0.2 + 0.2/4 = 0.85, the others 0.2/4 = 0.05
    expected = np.array([[0.85, 0.05, 0.05, 0.05],
                         [0.05, 0.05, 0.05, 0.85]])
    np.testing.assert_allclose(label_smoothing([0, 3], 4, 0.2), expected, rtol=1e-15)
    np.testing.assert_array_equal(label_smoothing([1, 0], 3, 0.0), one_hot([1, 0], 3))
    np.testing.assert_allclose(label_smoothing([2], 5, 1.0), np.full((1, 5), 0.2))


def test_label_smoothing_rows_and_their_loss_minimum():
    """Each row is a distribution; the smoothed loss is smallest where softmax(o) = target."""
    y = label_smoothing([0, 1, 2], 3, 0.1)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-15)
    best = np.log(y)                                   # softmax(log y) = y
    rng = np.random.default_rng(6)
    for _ in range(50):
        other = best + rng.normal(scale=0.5, size=best.shape)
        assert ce_loss(other, y) > ce_loss(best, y)
    assert ce_loss(best, y) == pytest.approx(float(np.mean(entropy(y))), rel=1e-12)


@pytest.mark.parametrize("args, exc, match", [
    (([0, 1], 2, 1.5), ValueError, r"eps must be in \[0, 1\], but got 1\.5; 0 keeps"),
    (([0, 1], 2, -0.1), ValueError, r"eps must be in \[0, 1\]"),
    (([0, 1], 2, float("nan")), ValueError, r"eps must be in \[0, 1\]"),
    (([0, 1], 2, "0.1"), TypeError, r"eps must be a number in \[0, 1\], but got str"),
    (([0, 3], 3, 0.1), ValueError, r"labels contains 3, but there are only 3 classes"),
    (([0, 1], 1, 0.1), ValueError, r"q must be at least 2"),
    (([0, 1], 2.0, 0.1), TypeError, r"q must be an int"),
])
def test_label_smoothing_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        label_smoothing(*args)
