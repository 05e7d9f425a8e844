"""Tests of softmax_course.metrics against scikit-learn, plus properties and error messages."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from softmax_course import cross_entropy, softmax
from softmax_course.metrics import (accuracy, calibration_bins, confusion_matrix,
                                    expected_calibration_error, fit_temperature,
                                    predicted_labels, top_k_accuracy)


@st.composite
def labelled_scores(draw, max_n=40, max_q=8):
    """Random (y_true, scores) with continuous scores (no ties) and at least one class."""
    n = draw(st.integers(1, max_n))
    q = draw(st.integers(1, max_q))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, q, size=n)
    scores = rng.normal(scale=draw(st.sampled_from([0.1, 1.0, 30.0])), size=(n, q))
    return y, scores


# --- accuracy -------------------------------------------------------------------------------

def test_accuracy_hand_count():
    # 3 of 5 correct
    assert accuracy([0, 1, 2, 1, 0], [0, 2, 2, 1, 1]) == pytest.approx(0.6)


# scikit-learn warns about samples with a single label; the comparison is still exact
_SK_SINGLE_LABEL = pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")


@_SK_SINGLE_LABEL
@given(labelled_scores())
@settings(max_examples=60, deadline=None)
def test_accuracy_matches_sklearn(data):
    y, scores = data
    y_hat = scores.argmax(axis=1)
    expected = skm.accuracy_score(y, y_hat)
    assert accuracy(y, y_hat) == pytest.approx(expected, abs=1e-15)
    assert accuracy(y, scores) == pytest.approx(expected, abs=1e-15)          # logits
    assert accuracy(y, softmax(scores)) == pytest.approx(expected, abs=1e-15)  # probabilities


def test_accuracy_accepts_whole_number_floats_and_returns_float():
    result = accuracy(np.array([0.0, 1.0]), [0, 0])
    assert isinstance(result, float) and result == 0.5


def test_predicted_labels_ties_go_to_first_class():
    assert predicted_labels([[0.5, 0.5], [0.2, 0.8]]).tolist() == [0, 1]


@pytest.mark.parametrize("y_true, y_pred, exc, match", [
    ([0, 1, 2], [0, 1], ValueError, r"y_true has 3 labels but y_pred has 2"),
    ([0, 1], [[0.1, 0.9]], ValueError, r"y_true has 2 labels but y_pred has 1"),
    ([0, 1.5], [0, 1], ValueError, r"y_true must be whole numbers"),
    ([0, -1], [0, 1], ValueError, r"y_true must be >= 0"),
    ([0, 1], [0, 0.5], ValueError, r"y_pred must be whole numbers"),
    ([0, 1], "01", TypeError, r"y_pred must be predicted labels of shape \(n,\)"),
    ("01", [0, 1], TypeError, r"y_true must be integer class indices"),
    ([0, 1], np.zeros((2, 2, 2)), ValueError,
     r"y_pred must be predicted labels .* shape \(2, 2, 2\)"),
    ([0, 1], [[0.1, np.nan], [0.2, 0.3]], ValueError, r"y_pred must be finite"),
    ([[0], [1]], [0, 1], ValueError, r"y_true must be 1-dimensional"),
    ([], [], ValueError, r"is empty"),
])
def test_accuracy_errors(y_true, y_pred, exc, match):
    with pytest.raises(exc, match=match):
        accuracy(y_true, y_pred)


# --- confusion matrix -----------------------------------------------------------------------

def test_confusion_matrix_hand_count():
    cm = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert cm.dtype == np.int64


@_SK_SINGLE_LABEL
@given(labelled_scores())
@settings(max_examples=60, deadline=None)
def test_confusion_matrix_matches_sklearn_and_properties(data):
    y, scores = data
    q = scores.shape[1]
    y_hat = scores.argmax(axis=1)
    cm = confusion_matrix(y, y_hat, num_classes=q)
    np.testing.assert_array_equal(cm, skm.confusion_matrix(y, y_hat, labels=np.arange(q)))
    np.testing.assert_array_equal(confusion_matrix(y, scores), cm)      # q taken from scores
    assert cm.sum() == len(y)
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y, minlength=q))
    np.testing.assert_array_equal(cm.sum(axis=0), np.bincount(y_hat, minlength=q))
    assert np.trace(cm) / cm.sum() == pytest.approx(accuracy(y, y_hat))


def test_confusion_matrix_default_size_and_padding():
    assert confusion_matrix([0, 1], [1, 0]).shape == (2, 2)
    cm = confusion_matrix([0, 1], [1, 0], num_classes=4)
    assert cm.shape == (4, 4) and cm[2:].sum() == 0 and cm[:, 2:].sum() == 0


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"num_classes": 2}, ValueError, r"num_classes=2 is too small: .* at least 3 classes"),
    ({"num_classes": 0}, ValueError, r"num_classes must be at least 1"),
    ({"num_classes": 2.5}, TypeError, r"num_classes must be an int"),
])
def test_confusion_matrix_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        confusion_matrix([0, 1, 2], [0, 1, 1], **kwargs)


def test_confusion_matrix_scores_set_minimum_size():
    with pytest.raises(ValueError, match=r"num_classes=2 is too small"):
        confusion_matrix([0, 1], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]], num_classes=2)


# --- top-k accuracy --------------------------------------------------------------------------

@_SK_SINGLE_LABEL
@given(labelled_scores(max_q=12), st.integers(1, 12))
@settings(max_examples=60, deadline=None)
def test_top_k_accuracy_matches_sklearn(data, k):
    y, scores = data
    q = scores.shape[1]
    k = min(k, q)
    if k == q:
        expected = 1.0                      # every class is among the top q
    elif q == 2:
        # scikit-learn treats two classes as a binary problem with scores of class 1 only
        expected = 1.0 if k == 2 else skm.accuracy_score(y, scores.argmax(axis=1))
    else:
        expected = skm.top_k_accuracy_score(y, scores, k=k, labels=np.arange(q))
    assert top_k_accuracy(y, scores, k=k) == pytest.approx(expected, abs=1e-15)


@given(labelled_scores(max_q=10))
@settings(max_examples=40, deadline=None)
def test_top_k_accuracy_properties(data):
    y, scores = data
    q = scores.shape[1]
    values = [top_k_accuracy(y, scores, k) for k in range(1, q + 1)]
    assert values[0] == pytest.approx(accuracy(y, scores))
    assert all(a <= b for a, b in zip(values, values[1:]))      # more guesses never hurt
    assert values[-1] == 1.0


@pytest.mark.parametrize("k, exc, match", [
    (0, ValueError, r"k must be at least 1"),
    (4, ValueError, r"k=4 is larger than the number of classes q=3"),
    (1.0, TypeError, r"k must be an int"),
])
def test_top_k_accuracy_errors(k, exc, match):
    with pytest.raises(exc, match=match):
        top_k_accuracy([0, 1], [[0.2, 0.3, 0.5], [0.1, 0.8, 0.1]], k=k)


def test_top_k_accuracy_label_out_of_range():
    with pytest.raises(ValueError, match=r"y_true contains 3, but there are only 3 classes"):
        top_k_accuracy([0, 3], [[0.2, 0.3, 0.5], [0.1, 0.8, 0.1]], k=1)


# --- calibration -----------------------------------------------------------------------------

def _bins_by_hand(proba, labels, num_bins):
    """Reference: one sample at a time, bins (k/M, (k+1)/M] found by comparing with fractions."""
    from fractions import Fraction
    count = [0] * num_bins
    conf = [0.0] * num_bins
    hits = [0] * num_bins
    for row, y in zip(proba, labels):
        p = max(row)
        c = list(row).index(p)
        exact = Fraction(float(p))
        k = next(k for k in range(num_bins) if exact <= Fraction(k + 1, num_bins))
        count[k] += 1
        conf[k] += p
        hits[k] += int(c == y)
    return count, conf, hits


@st.composite
def proba_and_labels(draw, max_n=60, max_q=6):
    n = draw(st.integers(1, max_n))
    q = draw(st.integers(2, max_q))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    proba = softmax(rng.normal(scale=draw(st.sampled_from([0.3, 2.0, 10.0])), size=(n, q)))
    return proba, rng.integers(0, q, size=n)


@given(proba_and_labels(), st.integers(1, 15))
@settings(max_examples=60, deadline=None)
def test_calibration_bins_match_hand_loop(data, num_bins):
    proba, labels = data
    bins = calibration_bins(proba, labels, num_bins)
    count, conf, hits = _bins_by_hand(proba, labels, num_bins)
    np.testing.assert_array_equal(bins.count, count)
    full = bins.count > 0
    np.testing.assert_allclose(bins.confidence[full], np.array(conf)[full] / bins.count[full],
                               rtol=1e-12)
    np.testing.assert_allclose(bins.accuracy[full], np.array(hits)[full] / bins.count[full])
    assert np.isnan(bins.confidence[~full]).all() and np.isnan(bins.accuracy[~full]).all()
    np.testing.assert_allclose(bins.edges, np.arange(num_bins + 1) / num_bins)
    # every mean confidence lies inside its bin
    lo, hi = bins.edges[:-1][full], bins.edges[1:][full]
    assert np.all(bins.confidence[full] > lo - 1e-12) and np.all(bins.confidence[full] <= hi)

    ece = expected_calibration_error(proba, labels, num_bins)
    by_hand = sum(abs(h / c - s / c) * c for c, s, h in zip(count, conf, hits) if c) / len(labels)
    assert ece == pytest.approx(by_hand, abs=1e-12)
    assert 0.0 <= ece <= 1.0


def test_bin_edges_are_closed_on_the_right():
    # 0.3 and 0.5 are exactly on edges of 10 bins: they belong to the bin that ends there
    proba = np.array([[0.3, 0.7], [0.5, 0.5], [1.0, 0.0]])
    bins = calibration_bins(proba, [0, 0, 0], num_bins=10)
    assert bins.count.tolist() == [0, 0, 0, 0, 1, 0, 1, 0, 0, 1]     # 0.5, 0.7 and 1.0


def test_ece_with_one_bin_is_the_gap_between_accuracy_and_mean_confidence():
    rng = np.random.default_rng(1)
    proba = softmax(rng.normal(scale=3, size=(200, 5)))
    labels = rng.integers(0, 5, size=200)
    gap = abs(accuracy(labels, proba) - proba.max(axis=1).mean())
    assert expected_calibration_error(proba, labels, num_bins=1) == pytest.approx(gap)


def test_ece_of_calibrated_probabilities_is_small_and_of_overconfident_ones_is_not():
    # Draw the labels from the predicted distributions themselves: calibrated by construction.
    rng = np.random.default_rng(0)
    n, q = 20_000, 5
    proba = softmax(rng.normal(scale=2.0, size=(n, q)))
    labels = (proba.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    calibrated = expected_calibration_error(proba, labels)
    assert calibrated < 0.015
    # the same labels judged with sharpened probabilities (temperature 1/3): overconfident
    sharp = softmax(3 * np.log(proba))
    bins = calibration_bins(sharp, labels)
    full = bins.count > 0
    assert expected_calibration_error(sharp, labels) > 10 * calibrated
    assert np.all(bins.accuracy[full] <= bins.confidence[full] + 0.02)


@pytest.mark.parametrize("proba, labels, kwargs, exc, match", [
    ([[0.5, 0.6]], [0], {}, ValueError, r"each row of proba must sum to 1"),
    ([[1.5, -0.5]], [0], {}, ValueError, r"proba must be non-negative"),
    ([0.5, 0.5], [0], {}, ValueError, r"proba must be 2-dimensional"),
    ([[0.5, 0.5]], [0, 1], {}, ValueError, r"labels has 2 entries but there are 1 samples"),
    ([[0.5, 0.5]], [2], {}, ValueError, r"labels contains 2, but there are only 2 classes"),
    ([[0.5, 0.5]], [0], {"num_bins": 0}, ValueError, r"num_bins must be at least 1"),
    ([[0.5, 0.5]], [0], {"num_bins": 2.0}, TypeError, r"num_bins must be an int"),
])
def test_calibration_errors(proba, labels, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        expected_calibration_error(proba, labels, **kwargs)
    with pytest.raises(exc, match=match):
        calibration_bins(proba, labels, **kwargs)


def _nll(logits, labels, T):
    """Reference loss: the package's cross-entropy of the logits divided by T."""
    return cross_entropy(np.asarray(logits) / T, labels)


@pytest.mark.parametrize("seed, scale", [(0, 0.5), (1, 3.0), (2, 10.0)])
def test_fit_temperature_is_the_grid_minimiser(seed, scale):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=scale, size=(300, 4))
    labels = np.where(rng.random(300) < 0.7, logits.argmax(axis=1), rng.integers(0, 4, 300))
    T = fit_temperature(logits, labels)
    grid = np.exp(np.linspace(np.log(0.01), np.log(100), 4_001))      # steps of 0.23 %
    losses = [_nll(logits, labels, t) for t in grid]
    best = grid[int(np.argmin(losses))]
    assert T == pytest.approx(best, rel=3e-3)
    assert _nll(logits, labels, T) <= min(losses) + 1e-12


def test_fit_temperature_recovers_the_temperature_of_the_data():
    # labels drawn from softmax(z); the model reports 4 z, i.e. is four times too confident
    rng = np.random.default_rng(3)
    z = rng.normal(scale=1.5, size=(20_000, 5))
    labels = (softmax(z).cumsum(axis=1) > rng.random((20_000, 1))).argmax(axis=1)
    assert fit_temperature(4 * z, labels) == pytest.approx(4.0, rel=0.05)
    assert fit_temperature(z / 2, labels) == pytest.approx(0.5, rel=0.05)


def test_fit_temperature_scales_with_the_logits_and_keeps_predictions():
    rng = np.random.default_rng(4)
    logits = rng.normal(scale=2, size=(200, 3))
    labels = np.where(rng.random(200) < 0.6, logits.argmax(axis=1), rng.integers(0, 3, 200))
    T = fit_temperature(logits, labels)
    assert 0.1 < T < 10
    assert fit_temperature(5 * logits, labels) == pytest.approx(5 * T, rel=1e-4)
    assert np.array_equal(softmax(logits, temperature=T).argmax(axis=1), logits.argmax(axis=1))


def test_fit_temperature_hits_the_bound_when_the_data_are_separated():
    logits = np.array([[3.0, 0.0], [0.0, 3.0]])
    assert fit_temperature(logits, [0, 1], bounds=(0.5, 2.0)) == pytest.approx(0.5, rel=1e-5)


@pytest.mark.parametrize("logits, labels, kwargs, exc, match", [
    ([1.0, 2.0], [0], {}, ValueError, r"logits must be 2-dimensional"),
    ([[1.0, np.inf]], [0], {}, ValueError, r"logits must be finite"),
    ([[1.0, 2.0]], [0, 1], {}, ValueError, r"labels has 2 entries"),
    ([[1.0, 2.0]], [0], {"bounds": (2.0, 1.0)}, ValueError, r"T_min < T_max"),
    ([[1.0, 2.0]], [0], {"bounds": (0.0, 1.0)}, ValueError, r"bounds must be a finite number > 0"),
    ([[1.0, 2.0]], [0], {"bounds": 1.0}, TypeError, r"bounds must be a pair"),
])
def test_fit_temperature_errors(logits, labels, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fit_temperature(logits, labels, **kwargs)


def test_doctests():
    import doctest

    from softmax_course import metrics
    result = doctest.testmod(metrics, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0
