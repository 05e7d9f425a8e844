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
from softmax_course.info import (NAT_IN_BITS, cross_entropy, entropy, kl_divergence,
                                 surprisal)

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
        assert cross_entropy(p, q) == pytest.approx(-sp.xlogy(p, q).sum(), rel=1e-12)
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
    for fn, args in [(entropy, (p,)), (cross_entropy, (p, q)), (kl_divergence, (p, q))]:
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
    assert cross_entropy([0.5, 0.5], [0.25, 0.75], unit="bit") == pytest.approx(
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
    assert cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(math.log(2))
    assert kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(math.log(2))


def test_q_zero_where_p_positive_is_inf_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert surprisal(0.0) == math.inf
        assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
        assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
        assert kl_divergence([0.5, 0.5], [1.0, 0.0], unit="bit") == math.inf
        batch = cross_entropy([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]], [1.0, 0.0, 0.0])
        assert batch[0] == math.inf and batch[1] == math.inf
        # but q = 0 where p = 0 is harmless
        assert kl_divergence([1.0, 0.0], [1.0, 0.0]) == 0.0
        assert np.isfinite(cross_entropy([0.0, 1.0], [0.0, 1.0]))


def test_slightly_unnormalised_input_is_rescaled():
    p = np.array([0.5, 0.5 + 5e-7])
    assert entropy(p) == pytest.approx(scipy.stats.entropy(p), rel=1e-12)
    assert kl_divergence(p, p[::-1] / p.sum()) >= 0


# ------------------------------------------------------------------------------ batches
def test_batches_along_last_axis_and_broadcasting():
    rng = np.random.default_rng(3)
    P = random_distributions(rng, (4, 5, 3), zeros=True)
    Q = random_distributions(rng, (5, 3))
    h, ce, kl = entropy(P), cross_entropy(P, Q), kl_divergence(P, Q)
    assert h.shape == ce.shape == kl.shape == (4, 5)
    for i in range(4):
        for j in range(5):
            assert h[i, j] == entropy(P[i, j])
            assert ce[i, j] == pytest.approx(cross_entropy(P[i, j], Q[j]), rel=1e-15)
            assert kl[i, j] == pytest.approx(kl_divergence(P[i, j], Q[j]), rel=1e-15, abs=0)
    assert isinstance(entropy(P[0, 0]), float)


def test_links_to_the_loss_of_the_package():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(20, 3)) * 3
    labels = rng.integers(0, 3, size=20)
    per_sample = ce_loss(logits, labels, reduction="none")
    np.testing.assert_allclose(cross_entropy(one_hot(labels, 3), softmax(logits)), per_sample,
                               rtol=1e-12)


# ------------------------------------------------------------------------------ properties
@given(distribution_pairs())
def test_gibbs_inequality(pair):
    p, q = pair
    h, ce, kl = entropy(p), cross_entropy(p, q), kl_divergence(p, q)
    assert kl >= 0
    assert ce >= h - 1e-12
    if math.isfinite(ce):
        assert kl == pytest.approx(ce - h, abs=1e-12)
    else:
        assert kl == math.inf


@given(distributions())
def test_equality_at_q_equals_p(p):
    assert cross_entropy(p, p) == entropy(p)
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
@pytest.mark.parametrize("fn", [entropy, lambda p, unit="nat": cross_entropy(p, p, unit),
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


@pytest.mark.parametrize("fn", [cross_entropy, kl_divergence])
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
    lambda u: cross_entropy([1.0], [1.0], unit=u), lambda u: kl_divergence([1.0], [1.0], unit=u)])
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
