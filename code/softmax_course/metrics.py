"""Evaluation of a classifier: accuracy, top-k accuracy, the confusion matrix and calibration.

A prediction is the class with the highest predicted probability (equivalently, the highest
logit, since softmax is monotone); the accuracy functions therefore accept either predicted
labels of shape ``(n,)`` or one row of scores per sample, shape ``(n, q)``. The calibration
functions need the probabilities themselves (:func:`calibration_bins`,
:func:`expected_calibration_error`) or the logits (:func:`fit_temperature`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import (_describe, as_float_array, as_labels, as_prob_rows, check_int,
                          check_positive, resolve_num_classes)

__all__ = ["predicted_labels", "accuracy", "top_k_accuracy", "confusion_matrix",
           "CalibrationBins", "calibration_bins", "expected_calibration_error",
           "fit_temperature"]


def predicted_labels(y_pred_or_proba: Any, name: str = "y_pred") -> np.ndarray:
    r"""Predicted class indices from labels ``(n,)`` or from scores ``(n, q)``.

    Parameters
    ----------
    y_pred_or_proba : array_like, shape (n,) of int, or shape (n, q) of float
        Either predicted class indices, or one row of probabilities (or logits) per sample.
    name : str, default "y_pred"
        Name of the argument, used in error messages.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)

    Notes
    -----
    For scores the prediction is :math:`\hat c_i = \operatorname{argmax}_j \hat y_{ij}`; ties
    go to the smallest class index (``numpy.argmax``). Probabilities and logits give the same
    labels because softmax preserves the order of the logits.

    Examples
    --------
    >>> from softmax_course.metrics import predicted_labels
    >>> predicted_labels([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]]).tolist()
    [1, 0]
    """
    if isinstance(y_pred_or_proba, (str, bytes)):
        raise TypeError(f"{name} must be predicted labels of shape (n,) or scores of shape "
                        f"(n, q), but got {_describe(y_pred_or_proba)}.")
    ndim = np.ndim(y_pred_or_proba)
    if ndim == 2:
        scores = as_float_array(y_pred_or_proba, name, ndim=2)
        return scores.argmax(axis=1)
    if ndim == 1:
        return as_labels(y_pred_or_proba, name)
    raise ValueError(f"{name} must be predicted labels of shape (n,) or one row of scores per "
                     f"sample, shape (n, q), but got shape {np.shape(y_pred_or_proba)}; "
                     f"reshape it to one of those forms.")


def _paired(y_true: Any, y_pred_or_proba: Any) -> tuple[np.ndarray, np.ndarray]:
    """True and predicted labels as int arrays of the same length."""
    y_hat = predicted_labels(y_pred_or_proba)
    y = as_labels(y_true, "y_true")
    if y.shape[0] != y_hat.shape[0]:
        raise ValueError(f"y_true has {y.shape[0]} labels but y_pred has {y_hat.shape[0]} "
                         f"predictions; pass one prediction per sample.")
    return y, y_hat


def accuracy(y_true: Any, y_pred_or_proba: Any) -> float:
    r"""Fraction of samples whose predicted class equals the true class.

    Parameters
    ----------
    y_true : array_like of int, shape (n,)
        True class indices.
    y_pred_or_proba : array_like, shape (n,) of int, or shape (n, q) of float
        Predicted class indices, or predicted probabilities (or logits), one row per sample;
        rows are turned into labels with ``argmax``.

    Returns
    -------
    float
        A number in ``[0, 1]``.

    Notes
    -----
    .. math:: \mathrm{accuracy} = \frac{1}{n} \sum_{i=1}^n [\,\hat c_i = y_i\,]
              = \frac{\text{number of correct predictions}}{\text{number of predictions}} .

    Examples
    --------
    >>> from softmax_course.metrics import accuracy
    >>> accuracy([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    >>> accuracy([1, 0], [[0.2, 0.8], [0.6, 0.4]])
    1.0
    """
    y, y_hat = _paired(y_true, y_pred_or_proba)
    return float(np.count_nonzero(y == y_hat) / y.shape[0])


def top_k_accuracy(y_true: Any, scores: Any, k: int = 5) -> float:
    r"""Fraction of samples whose true class is among the ``k`` highest scores.

    Parameters
    ----------
    y_true : array_like of int, shape (n,)
        True class indices in ``0 .. q - 1``.
    scores : array_like, shape (n, q)
        Predicted probabilities or logits, one row per sample.
    k : int, default 5
        How many of the best-scored classes count as a hit; ``1 <= k <= q``.

    Returns
    -------
    float
        A number in ``[0, 1]``; for ``k = 1`` it is :func:`accuracy` (up to ties).

    Notes
    -----
    Sample :math:`i` is a hit when fewer than :math:`k` classes score strictly higher than the
    true class:

    .. math:: \text{top-}k = \frac{1}{n} \sum_{i=1}^n
              \Big[\, \big|\{\, j : s_{ij} > s_{i y_i} \,\}\big| < k \,\Big] .

    Ties are counted in the true class's favour. With very many classes (ImageNet has 1000)
    this is the usual companion of plain accuracy.

    Examples
    --------
    >>> from softmax_course.metrics import top_k_accuracy
    >>> top_k_accuracy([2, 0], [[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]], k=2)
    0.0
    >>> top_k_accuracy([2, 0], [[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]], k=3)
    1.0
    """
    s = as_float_array(scores, "scores", ndim=2)
    n, q = s.shape
    y = as_labels(y_true, "y_true", num_classes=q, length=n)
    k = check_int(k, "k", minimum=1)
    if k > q:
        raise ValueError(f"k={k} is larger than the number of classes q={q}; "
                         f"use a k from 1 to {q}.")
    true_scores = s[np.arange(n), y]
    higher = np.count_nonzero(s > true_scores[:, None], axis=1)
    return float(np.count_nonzero(higher < k) / n)


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    r"""Count how often each true class is predicted as each class.

    Parameters
    ----------
    y_true : array_like of int, shape (n,)
        True class indices.
    y_pred : array_like, shape (n,) of int, or shape (n, q) of float
        Predicted class indices, or scores (rows are turned into labels with ``argmax``).
    num_classes : int, optional
        Number of classes ``q``; by default one more than the largest label seen (and ``q``
        of the scores, when scores are given).

    Returns
    -------
    numpy.ndarray of int64, shape (q, q)
        ``C[i, j]`` is the number of samples of true class ``i`` predicted as class ``j``:
        rows are true classes, columns predictions (scikit-learn's convention).

    Notes
    -----
    .. math:: C_{ij} = \sum_{s=1}^n [\,y_s = i\,]\,[\,\hat c_s = j\,] .

    The diagonal holds the correct predictions, so ``accuracy = trace(C) / sum(C)``; row ``i``
    sums to the number of samples of class ``i``.

    Examples
    --------
    >>> from softmax_course.metrics import confusion_matrix
    >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2]).tolist()
    [[1, 0, 0], [0, 0, 1], [0, 0, 2]]
    """
    y, y_hat = _paired(y_true, y_pred)
    seen = int(max(y.max(), y_hat.max())) + 1
    if np.ndim(y_pred) == 2:
        seen = max(seen, int(np.shape(y_pred)[1]))
    q = resolve_num_classes(num_classes, seen)
    counts = np.bincount(y * q + y_hat, minlength=q * q)
    return counts.reshape(q, q)


# --- calibration ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CalibrationBins:
    """Confidence and accuracy per confidence bin (what a reliability diagram draws).

    Attributes
    ----------
    edges : numpy.ndarray, shape (num_bins + 1,)
        Bin edges ``0, 1/num_bins, ..., 1``; bin ``k`` holds the confidences in
        ``(edges[k], edges[k + 1]]`` (the first bin also holds 0).
    count : numpy.ndarray of int64, shape (num_bins,)
        Number of samples in each bin.
    confidence : numpy.ndarray, shape (num_bins,)
        Mean confidence (largest predicted probability) in each bin; NaN for an empty bin.
    accuracy : numpy.ndarray, shape (num_bins,)
        Fraction of correct predictions in each bin; NaN for an empty bin.
    """

    edges: np.ndarray
    count: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray


def _confidence_and_correct(proba: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """Largest probability of each row, and whether its class is the true one."""
    p = as_prob_rows(proba, "proba")
    n, q = p.shape
    y = as_labels(labels, "labels", num_classes=q, length=n)
    return p.max(axis=1), p.argmax(axis=1) == y


def calibration_bins(proba: Any, labels: Any, num_bins: int = 10) -> CalibrationBins:
    r"""Group predictions by confidence and compare confidence with accuracy in each group.

    Parameters
    ----------
    proba : array_like, shape (n, q)
        Predicted probabilities, one row per sample (non-negative, each row summing to 1);
        for logits pass ``softmax(logits)``.
    labels : array_like of int, shape (n,)
        True class indices in ``0 .. q - 1``.
    num_bins : int, default 10
        Number of equal-width confidence bins on ``[0, 1]``.

    Returns
    -------
    CalibrationBins
        ``edges``, ``count``, ``confidence`` and ``accuracy`` of each bin.

    Notes
    -----
    The confidence of sample :math:`i` is :math:`\hat p_i = \max_j \hat y_{ij}`, the
    probability of its predicted class :math:`\hat c_i = \operatorname{argmax}_j \hat y_{ij}`.
    With :math:`M` bins, :math:`B_k = \{\, i : \hat p_i \in (\tfrac{k-1}{M}, \tfrac kM] \,\}`,

    .. math:: \mathrm{conf}(B_k) = \frac{1}{|B_k|} \sum_{i \in B_k} \hat p_i , \qquad
              \mathrm{acc}(B_k) = \frac{1}{|B_k|} \sum_{i \in B_k} [\,\hat c_i = y_i\,] .

    A model is calibrated when, among the predictions made with confidence :math:`p`, a
    fraction :math:`p` is right: then :math:`\mathrm{acc}(B_k) \approx \mathrm{conf}(B_k)` in
    every bin (Guo et al., 2017, "On Calibration of Modern Neural Networks").

    Examples
    --------
    >>> from softmax_course.metrics import calibration_bins
    >>> bins = calibration_bins([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]], [0, 1, 1], num_bins=2)
    >>> bins.count.tolist(), bins.confidence.round(2).tolist(), bins.accuracy.tolist()
    ([0, 3], [nan, 0.8], [nan, 0.6666666666666666])
    """
    confidence, correct = _confidence_and_correct(proba, labels)
    num_bins = check_int(num_bins, "num_bins", minimum=1)
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    # bin k holds (edges[k], edges[k+1]]; a confidence of exactly 0 goes to the first bin
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, num_bins - 1)
    count = np.bincount(which, minlength=num_bins)
    conf_sum = np.bincount(which, weights=confidence, minlength=num_bins)
    hits = np.bincount(which, weights=correct, minlength=num_bins)
    with np.errstate(invalid="ignore", divide="ignore"):    # empty bins: NaN on purpose
        return CalibrationBins(edges, count, conf_sum / count, hits / count)


def expected_calibration_error(proba: Any, labels: Any, num_bins: int = 10) -> float:
    r"""Expected calibration error (ECE): the mean gap between confidence and accuracy.

    Parameters
    ----------
    proba, labels, num_bins
        As for :func:`calibration_bins`.

    Returns
    -------
    float
        A number in ``[0, 1]``; 0 when every bin's accuracy equals its mean confidence.

    Notes
    -----
    With the bins :math:`B_1, \dots, B_M` of :func:`calibration_bins` and :math:`n` samples,

    .. math:: \mathrm{ECE} = \sum_{k=1}^M \frac{|B_k|}{n}\,
              \bigl|\mathrm{acc}(B_k) - \mathrm{conf}(B_k)\bigr| ,

    the gap of each bin weighted by its share of the samples (empty bins count 0). The
    value depends on the number of bins, and even perfectly calibrated probabilities give a
    small positive ECE on a finite sample (the accuracy of a bin is estimated from few samples).

    Examples
    --------
    >>> from softmax_course.metrics import expected_calibration_error
    >>> round(expected_calibration_error([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]], [0, 1, 1],
    ...                                  num_bins=2), 4)
    0.1333
    """
    bins = calibration_bins(proba, labels, num_bins)
    full = bins.count > 0
    gaps = np.abs(bins.accuracy[full] - bins.confidence[full])
    return float(np.sum(bins.count[full] * gaps) / bins.count.sum())


def fit_temperature(logits: Any, labels: Any, bounds: tuple[float, float] = (0.01, 100.0)
                    ) -> float:
    r"""Temperature scaling: the temperature :math:`T` that minimises the mean cross-entropy.

    Parameters
    ----------
    logits : array_like, shape (n, q)
        Logits of a trained model on held-out data (a validation split, not the training
        data and not the test data).
    labels : array_like of int, shape (n,)
        True class indices of those samples.
    bounds : (float, float), default (0.01, 100.0)
        Search interval ``0 < T_min < T_max`` for the temperature.

    Returns
    -------
    float
        The fitted temperature; use it as ``softmax(logits, temperature=T)`` afterwards. A
        value at one end of ``bounds`` means the optimum lies at or beyond it.

    Notes
    -----
    Temperature scaling (Guo et al., 2017) divides all logits by one number :math:`T > 0`:

    .. math:: T^* = \operatorname*{argmin}_{T > 0}\; -\frac1n \sum_{i=1}^n
              \log \mathrm{softmax}(\mathbf o_i / T)_{y_i} .

    It changes no prediction (the order of the logits stays the same), only how confident
    the probabilities are: :math:`T > 1` flattens them, :math:`T < 1` sharpens them. The loss is
    convex in :math:`\beta = 1/T` (a log-sum-exp of linear functions of :math:`\beta` minus a
    linear one), hence unimodal in :math:`\log T`; it is minimised over :math:`\log T` with
    :func:`scipy.optimize.minimize_scalar` (bounded Brent search).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course.metrics import fit_temperature
    >>> logits = np.array([[4.0, 0.0], [0.0, 4.0], [4.0, 0.0], [4.0, 0.0]])
    >>> T = fit_temperature(logits, [0, 1, 1, 0])     # one confident mistake in four
    >>> bool(T > 1)
    True
    """
    from scipy.optimize import minimize_scalar

    from .core import log_softmax

    o = as_float_array(logits, "logits", ndim=2)
    n, q = o.shape
    y = as_labels(labels, "labels", num_classes=q, length=n)
    if (not isinstance(bounds, (tuple, list)) or len(bounds) != 2):
        raise TypeError(f"bounds must be a pair (T_min, T_max), but got {_describe(bounds)}; "
                        f"pass e.g. bounds=(0.01, 100.0).")
    lo, hi = (check_positive(b, "bounds") for b in bounds)
    if not lo < hi:
        raise ValueError(f"bounds must satisfy T_min < T_max, but got ({lo}, {hi}); "
                         f"pass e.g. bounds=(0.01, 100.0).")
    rows = np.arange(n)

    def nll(log_t: float) -> float:          # mean cross-entropy at temperature exp(log_t)
        return float(-log_softmax(o, temperature=np.exp(log_t))[rows, y].mean())

    result = minimize_scalar(nll, bounds=(np.log(lo), np.log(hi)), method="bounded",
                             options={"xatol": 1e-8})
    return float(np.exp(result.x))
