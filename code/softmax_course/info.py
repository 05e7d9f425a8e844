"""Surprisal, entropy, cross-entropy and Kullback–Leibler divergence of discrete distributions.

All four are built on one idea: the *surprisal* ``-log p`` of an outcome of probability ``p``.
Entropy is the expected surprisal under the true distribution, cross-entropy the expected
surprisal of an observer who believes ``q`` while the data come from ``p``, and the KL divergence
the difference of the two.

Conventions (the limits of the formulas, as in information-theory textbooks):

* ``0 · log 0 = 0``: an outcome of probability 0 under ``p`` contributes nothing;
* ``q_j = 0`` where ``p_j > 0`` gives ``+inf``: an observer who rules out an outcome that
  happens is infinitely surprised.

Entropy, cross-entropy and KL are expected values, computed by :func:`expectation`.
:func:`label_smoothing` builds the smoothed target distributions of chapter 6.

Results are in nats (natural log) by default or in bits (``unit="bit"``); one nat is
``1 / ln 2 = log2(e) ≈ 1.4427`` bits (:data:`NAT_IN_BITS`). Distributions are 1-D arrays, or
batches with the outcomes along the last axis. No numpy warning escapes.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validation import (as_distribution, as_float_array, as_labels, check_choice,
                          check_int)

__all__ = ["NAT_IN_BITS", "surprisal", "expectation", "entropy", "cross_entropy_dist",
           "kl_divergence", "label_smoothing"]

#: Bits per nat: ``1 / ln 2 = log2(e)``.
NAT_IN_BITS: float = 1.0 / math.log(2.0)

_UNITS = ("nat", "bit")


def _unit_factor(unit: Any) -> float:
    """Multiplier that turns nats into ``unit``."""
    check_choice(unit, "unit", _UNITS)
    return 1.0 if unit == "nat" else NAT_IN_BITS


def _neg_log(p: np.ndarray) -> np.ndarray:
    """``-log p`` elementwise, with ``-log 0 = +inf`` (no divide-by-zero warning)."""
    with np.errstate(divide="ignore"):      # log(0) = -inf is the intended value here
        return -np.log(p)


def expectation(p: Any, values: Any) -> np.ndarray | float:
    r"""Expected value ``sum_j p_j * values_j`` of ``values`` under ``p``, skipping ``p_j = 0``.

    Parameters
    ----------
    p : array_like, shape (k,) or (..., k)
        A distribution over ``k`` outcomes (non-negative, summing to 1 within 1e-6), or a
        batch of them along the last axis.
    values : array_like, shape (k,) or (..., k)
        One value per outcome (may be ``+inf`` or ``-inf``, not NaN); its shape must
        broadcast with ``p``.

    Returns
    -------
    float or numpy.ndarray
        A float for one distribution, an array of the batch shape otherwise. Empty ``p``
        raises ``ValueError``.

    Notes
    -----
    .. math:: \mathbb E_P[v] = \sum_{j:\, P(j) > 0} P(j)\, v_j .

    Outcomes with :math:`P(j) = 0` never happen and do not count, even where
    :math:`v_j = \pm\infty`: this is the convention :math:`0 \cdot \log 0 = 0`, and it
    avoids :math:`0 \cdot \infty = \text{NaN}`.

    Examples
    --------
    >>> from softmax_course.info import expectation
    >>> expectation([0.5, 0.5, 0.0], [1.0, 3.0, float("inf")])
    2.0
    """
    p = as_distribution(p, "p")
    values = as_float_array(values, "values", min_ndim=1, finite=False)
    if np.isnan(values).any():
        raise ValueError("values must not contain NaN; find where it came from (0 * inf, "
                         "inf - inf) and fix it there.")
    try:
        p, values = np.broadcast_arrays(p, values)
    except ValueError:
        raise ValueError(f"values of shape {values.shape} do not broadcast with p of shape "
                         f"{p.shape}; give one value per outcome, along the last axis.") from None
    terms = np.zeros(p.shape)
    np.multiply(p, values, out=terms, where=p > 0)    # 0 · v = 0, even for v = ±inf
    total = terms.sum(axis=-1)
    return float(total) if total.ndim == 0 else total


def _distributions(p: Any, q: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a pair of distributions (or batches) and rescale each to sum exactly to 1."""
    p = as_distribution(p, "p")
    q = as_distribution(q, "q")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"p and q must have the same number of outcomes, but p has "
                         f"{p.shape[-1]} and q has {q.shape[-1]}; give both a probability for "
                         f"every outcome, in the same order.")
    try:
        np.broadcast_shapes(p.shape, q.shape)
    except ValueError:
        raise ValueError(f"the batch shapes of p {p.shape} and q {q.shape} do not broadcast; "
                         f"pass the same number of distributions in both, or a single 1-D "
                         f"distribution for one of them.") from None
    return _normalised(p), _normalised(q)


def _normalised(p: np.ndarray) -> np.ndarray:
    return p / p.sum(axis=-1, keepdims=True)


def _finish(nats: np.ndarray, unit: Any) -> np.ndarray | float:
    """Convert to ``unit`` and return a float for a single distribution.

    The quantities are >= 0 mathematically; a rounding error of a few ulps below 0 (and -0.0)
    is returned as 0.0.
    """
    out = np.where(nats > 0, nats * _unit_factor(unit), 0.0)
    return float(out) if out.ndim == 0 else out


def surprisal(p: Any, unit: str = "nat") -> np.ndarray | float:
    r"""Surprisal (information content) ``-log p`` of outcomes with probability ``p``.

    Parameters
    ----------
    p : array_like
        Probabilities in ``[0, 1]``, any shape (a scalar for one outcome).
    unit : {"nat", "bit"}, default "nat"
        Natural logarithm (nats) or base-2 logarithm (bits).

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``p``, entries in ``[0, +inf]``: 0 for a certain outcome, ``+inf`` for
        an impossible one (``p = 0``).

    Notes
    -----
    .. math:: I(p) = \log \frac{1}{p} = -\log p .

    The rarer the outcome, the more surprising it is; independent outcomes add their
    surprisals, since :math:`-\log(p_1 p_2) = -\log p_1 - \log p_2`.

    Examples
    --------
    >>> from softmax_course.info import surprisal
    >>> surprisal(0.5, unit="bit")
    1.0
    >>> surprisal([1.0, 0.25, 0.0], unit="bit").tolist()
    [0.0, 2.0, inf]
    """
    arr = as_float_array(p, "p")
    outside = (arr < 0) | (arr > 1)
    if outside.any():
        bad = tuple(int(i) for i in np.argwhere(outside)[0])
        where = f"entry {bad[0] if arr.ndim == 1 else bad} is {arr[bad]}" if bad else f"it is {arr}"
        raise ValueError(f"p must be probabilities in [0, 1], but {where}; surprisal is defined "
                         f"for the probability of an outcome, not for a logit or a count.")
    factor = _unit_factor(unit)
    out = _neg_log(arr) * factor + 0.0      # + 0.0 turns -log(1) = -0.0 into 0.0
    return float(out) if out.ndim == 0 else out


def entropy(p: Any, unit: str = "nat") -> np.ndarray | float:
    r"""Entropy of a discrete distribution: its expected surprisal.

    Parameters
    ----------
    p : array_like, shape (k,) or (..., k)
        A probability distribution over ``k`` outcomes (non-negative, summing to 1 within
        1e-6; it is rescaled to sum exactly to 1), or a batch of them along the last axis.
    unit : {"nat", "bit"}, default "nat"

    Returns
    -------
    float or numpy.ndarray
        A float for one distribution, an array of shape ``(...)`` for a batch; always in
        ``[0, log k]``.

    Notes
    -----
    .. math:: H[P] = \sum_j P(j) \left(-\log P(j)\right) = -\sum_j P(j) \log P(j),

    with :math:`0 \log 0 = 0`, so outcomes of probability 0 do not count. It is 0 exactly
    for a certain outcome and largest, :math:`\log k`, for the uniform distribution.

    Examples
    --------
    >>> from softmax_course.info import entropy
    >>> entropy([0.5, 0.5], unit="bit")
    1.0
    >>> entropy([1.0, 0.0, 0.0])
    0.0
    >>> round(entropy([1/3, 1/3, 1/3], unit="bit"), 6)   # log2(3)
    1.584963
    """
    p = _normalised(as_distribution(p, "p"))
    return _finish(expectation(p, _neg_log(p)), unit)


def cross_entropy_dist(p: Any, q: Any, unit: str = "nat") -> np.ndarray | float:
    r"""Cross-entropy ``H(P, Q)``: expected surprisal of a believer in ``q`` when data follow ``p``.

    Parameters
    ----------
    p : array_like, shape (k,) or (..., k)
        True distribution (or batch), non-negative, summing to 1 within 1e-6.
    q : array_like, shape (k,) or (..., k)
        Model (subjective) distribution over the same ``k`` outcomes, in the same order.
        Batch shapes of ``p`` and ``q`` must broadcast.
    unit : {"nat", "bit"}, default "nat"

    Returns
    -------
    float or numpy.ndarray
        ``+inf`` when ``q`` gives probability 0 to an outcome that has ``p > 0``.

    Notes
    -----
    .. math:: H(P, Q) = -\sum_j P(j) \log Q(j) = H[P] + D_{\mathrm{KL}}(P \,\|\, Q) \ge H[P],

    with equality exactly when :math:`Q = P`. Outcomes with :math:`P(j) = 0` do not count
    (:math:`0 \log 0 = 0`). With a one-hot ``p`` (the label) and ``q = softmax(o)``, this is
    the cross-entropy loss :func:`softmax_course.cross_entropy` of the logits ``o``; that
    function takes logits and labels, this one two distributions (hence the name).

    Examples
    --------
    >>> from softmax_course.info import cross_entropy_dist
    >>> round(cross_entropy_dist([0.5, 0.5], [0.25, 0.75], unit="bit"), 6)
    1.207519
    >>> cross_entropy_dist([0.5, 0.5], [1.0, 0.0])  # q rules out an outcome that happens
    inf
    >>> cross_entropy_dist([1.0, 0.0], [1.0, 0.0])  # 0 log 0 = 0
    0.0
    """
    p, q = _distributions(p, q)
    return _finish(expectation(p, _neg_log(q)), unit)


def kl_divergence(p: Any, q: Any, unit: str = "nat") -> np.ndarray | float:
    r"""Kullback–Leibler divergence ``KL(P ‖ Q) = H(P, Q) - H[P]``, the surprise wasted by ``q``.

    Parameters
    ----------
    p, q : array_like, shape (k,) or (..., k)
        As for :func:`cross_entropy_dist`.
    unit : {"nat", "bit"}, default "nat"

    Returns
    -------
    float or numpy.ndarray
        Non-negative; 0 exactly when ``q == p``; ``+inf`` when ``q`` gives probability 0 to
        an outcome with ``p > 0``.

    Notes
    -----
    .. math:: D_{\mathrm{KL}}(P \,\|\, Q) = \sum_j P(j) \log \frac{P(j)}{Q(j)} \ge 0 ,

    summed over the outcomes with :math:`P(j) > 0`. It is computed term by term (not as the
    difference of two cross-entropies), which keeps small divergences accurate. It is not
    symmetric: in general :math:`D_{\mathrm{KL}}(P\|Q) \ne D_{\mathrm{KL}}(Q\|P)`.

    Examples
    --------
    >>> from softmax_course.info import kl_divergence
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75], unit="bit"), 6)
    0.207519
    >>> kl_divergence([0.2, 0.8], [0.2, 0.8])
    0.0
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    inf
    """
    p, q = _distributions(p, q)
    p_b, q_b = np.broadcast_arrays(p, q)
    support = p_b > 0
    log_ratio = np.zeros(p_b.shape)
    # log p - log q on the support only: there log p is finite, so the result is finite or
    # +inf (q = 0), never inf - inf.
    np.subtract(_neg_log(q_b), _neg_log(p_b), out=log_ratio, where=support)
    return _finish(expectation(p_b, log_ratio), unit)


def label_smoothing(labels: Any, q: int, eps: float) -> np.ndarray:
    r"""Smoothed target distributions: ``(1 - eps)`` on the one-hot label, ``eps`` spread evenly.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class indices ``0 … q-1``.
    q : int
        Number of classes (at least 2).
    eps : float
        Smoothing strength in ``[0, 1]``: 0 gives the one-hot labels, 1 the uniform
        distribution.

    Returns
    -------
    numpy.ndarray, shape (n, q)
        Probability rows; pass them to :func:`softmax_course.cross_entropy` as soft labels.
        Empty ``labels`` raise ``ValueError``.

    Notes
    -----
    .. math:: \tilde{\mathbf y} = (1 - \varepsilon)\, \mathbf y + \frac{\varepsilon}{q}\,\mathbf 1 ,

    so the true class gets :math:`1 - \varepsilon + \varepsilon / q` and every other class
    :math:`\varepsilon / q` (the convention of PyTorch's ``label_smoothing``). The loss
    against :math:`\tilde{\mathbf y}` is smallest where :math:`\mathrm{softmax}(\mathbf o)
    = \tilde{\mathbf y}`, at finite logits, so a smoothed model stops short of certainty.

    Examples
    --------
    >>> from softmax_course.info import label_smoothing
    >>> label_smoothing([0, 2], 3, 0.3).round(2).tolist()
    [[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]]
    """
    q = check_int(q, "q", minimum=2)
    y = as_labels(labels, "labels", num_classes=q)
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"eps must be a number in [0, 1], but got {type(eps).__name__} "
                        f"{eps!r}; pass e.g. eps=0.1.")
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"eps must be in [0, 1], but got {eps}; 0 keeps the one-hot labels, "
                         f"1 makes them uniform, typical values are 0.05 to 0.2.")
    one_hot_rows = np.eye(q)[y]
    return (1.0 - eps) * one_hot_rows + eps / q
