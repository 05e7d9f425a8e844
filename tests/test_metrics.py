"""Tests of softmax_course.metrics against scikit-learn, plus properties and error messages."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from softmax_course import softmax
from softmax_course.metrics import (accuracy, confusion_matrix, predicted_labels,
                                    top_k_accuracy)


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


def test_doctests():
    import doctest

    from softmax_course import metrics
    result = doctest.testmod(metrics, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0
