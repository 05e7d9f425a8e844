"""Evaluation of a classifier: accuracy, top-k accuracy and the confusion matrix.

A prediction is the class with the highest predicted probability (equivalently, the highest
logit, since softmax is monotone); every function here therefore accepts either predicted
labels of shape ``(n,)`` or one row of scores per sample, shape ``(n, q)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import _describe, as_float_array, as_labels, check_int, resolve_num_classes

__all__ = ["predicted_labels", "accuracy", "top_k_accuracy", "confusion_matrix"]


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
    For scores the prediction is :math:`\hat y_i = \operatorname{argmax}_j \hat P_{ij}`; ties
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
    .. math:: \mathrm{accuracy} = \frac{1}{n} \sum_{i=1}^n [\,\hat y_i = y_i\,]
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
    .. math:: C_{ij} = \sum_{s=1}^n [\,y_s = i\,]\,[\,\hat y_s = j\,] .

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
