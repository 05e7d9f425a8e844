"""Numerically stable softmax, log-softmax, log-sum-exp, one-hot labels and cross-entropy.

Every function works in the log domain: it subtracts the row maximum before exponentiating, so
logits of any finite magnitude (up to about ±1.8e308) give finite results, and it never lets
``0 * log 0`` turn into NaN. Where the exact value is not representable in floating point (two
logits further apart than the largest float), the answer is ``-inf`` (a log-probability) or
``0.0`` (a probability), which is the correctly rounded result. No numpy warning escapes.

Large batches are processed in blocks of rows that stay in the CPU cache (see
``_along_last_axis``); the result is the same, bit for bit, only faster
(``python -m softmax_course bench`` measures it).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import numpy as np

from ._validation import (as_float_array, as_labels, as_prob_rows, check_axis, check_choice,
                          check_int, check_positive)

__all__ = ["logsumexp", "softmax", "log_softmax", "one_hot", "cross_entropy",
           "cross_entropy_grad"]

_REDUCTIONS = ("mean", "sum", "none")


def _shifted(o: np.ndarray, axis: int, temperature: float,
             out: np.ndarray | None = None) -> np.ndarray:
    """Return ``(o - max(o)) / temperature`` along ``axis`` (every entry <= 0).

    For ``temperature >= 1`` it divides first (``o / T`` cannot overflow), otherwise it
    subtracts first (the shifted values are <= 0, so dividing can only move them towards
    ``-inf``, which is then the exact answer rounded). The result is written into ``out`` when
    given (no temporary array), else into a new array; the caller owns it.
    """
    with np.errstate(over="ignore", under="ignore"):
        if temperature == 1.0:
            s = np.subtract(o, o.max(axis=axis, keepdims=True), out=out)
        elif temperature > 1.0:
            s = np.divide(o, temperature, out=out)
            s -= s.max(axis=axis, keepdims=True)
        else:
            s = np.subtract(o, o.max(axis=axis, keepdims=True), out=out)
            s /= temperature
    return s


# ------------------------------------------------------------------ speed: blocks of rows
# A kernel below makes about five passes over its array (max, subtract, exp, sum, ...). On a
# large batch each pass would stream the whole array through main memory; applied to a block
# of rows that stays in the CPU's caches, only the first read and the last write reach memory.
# The results are bit for bit those of one call on the whole array (each row is computed by
# the same operations), and each kernel writes into its block of the result (``out=``), so no
# temporary array of the full size is made. The blocks are also where the input is checked for
# NaN and infinity, while the block is in cache.

_BLOCK_BYTES = 1 << 21  # 2 MiB per block of rows: measured best between 128 KiB and 64 MiB


def _row_blocks(o: np.ndarray) -> Iterator[slice]:
    """Slices of consecutive rows (first axis) of ``o``, each about ``_BLOCK_BYTES`` large."""
    row_bytes = max(o[:1].nbytes, 1)
    step = max(1, _BLOCK_BYTES // row_bytes)
    for start in range(0, o.shape[0], step):
        yield slice(start, start + step)


def _finite(block: np.ndarray, whole: np.ndarray, name: str) -> np.ndarray:
    """Return ``block`` if it holds no NaN or infinity; otherwise raise the package's message.

    ``min`` and ``max`` propagate NaN and reach ±inf, so both are finite exactly when every
    entry is (two reductions, cheaper than building the boolean array of ``np.isfinite``). On
    failure the full check of :func:`as_float_array` on ``whole`` names the first bad entry.
    """
    if not (math.isfinite(block.min()) and math.isfinite(block.max())):
        as_float_array(whole, name)
    return block


def _along_last_axis(kernel: Callable[..., np.ndarray], o: np.ndarray, axis: int, name: str,
                     *args: Any, width: int | None = None) -> np.ndarray:
    """``kernel(o, axis, *args)``, a function of each slice along ``axis``, by blocks of rows.

    The kernel returns an array of the shape of its input (``width=None``, softmax) or with
    ``axis`` kept as length ``width`` (log-sum-exp: 1), and accepts ``out=``. Only when
    ``axis`` is the last axis of a large array is the work split; otherwise the kernel runs
    once on the checked whole array.
    """
    if axis != o.ndim - 1 or o.nbytes <= _BLOCK_BYTES:
        return kernel(_finite(o, o, name), axis, *args)
    rows = o.reshape(-1, o.shape[-1])
    out = np.empty((rows.shape[0], width or rows.shape[1]), dtype=o.dtype)
    for block in _row_blocks(rows):
        kernel(_finite(rows[block], o, name), 1, *args, out=out[block])
    return out.reshape(o.shape[:-1] + out.shape[-1:])


_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def _check_logits(o: Any, name: str, *, ndim: int | None = None,
                  min_ndim: int = 0) -> np.ndarray:
    """:func:`as_float_array` without its finiteness pass: :func:`_finite` does it per block.

    A float ndarray of the right shape passes straight through (the common case in a training
    loop, where the general checks cost more than a small kernel); anything else takes the
    general path, which converts it or raises the package's message.
    """
    if (type(o) is np.ndarray and o.dtype in _FLOAT_DTYPES and o.size > 0
            and (o.ndim == ndim if ndim is not None else o.ndim >= min_ndim)):
        return o
    return as_float_array(o, name, ndim=ndim, min_ndim=min_ndim, finite=False)


def _log_sum_exp(o: np.ndarray, axis: int,
                 out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``m = max(o)`` and ``log(sum(exp(o - m)))`` along ``axis`` (kept as length 1).

    The second is written into ``out`` when given.
    """
    m = o.max(axis=axis, keepdims=True)
    with np.errstate(over="ignore", under="ignore"):
        s = o - m                   # an entry overflows to -inf only if it is below -1.8e308
        np.exp(s, out=s)
    total = np.sum(s, axis=axis, keepdims=True, out=out)
    np.log(total, out=total)
    return m, total


def _max_and_log_sum(o: np.ndarray, axis: int, out: np.ndarray | None = None) -> np.ndarray:
    """The columns ``m = max(o)`` and ``log(sum(exp(o - m)))`` of the rows of a 2-D ``o``."""
    return np.concatenate(_log_sum_exp(o, axis), axis=1, out=out)


def _logsumexp(o: np.ndarray, axis: int, out: np.ndarray | None = None) -> np.ndarray:
    m, total = _log_sum_exp(o, axis, out)
    total += m
    return total


def logsumexp(o: Any, axis: int = -1) -> np.ndarray:
    r"""Log of the sum of exponentials, computed without overflow.

    Parameters
    ----------
    o : array_like
        Real, finite values with at least one dimension.
    axis : int, default -1
        Axis to reduce.

    Returns
    -------
    numpy.ndarray
        ``log(sum(exp(o), axis))``, with ``axis`` removed.

    Notes
    -----
    With :math:`m = \max_k o_k`,

    .. math:: \log \sum_k e^{o_k} = m + \log \sum_k e^{o_k - m},

    and every :math:`e^{o_k - m} \le 1`, one of them equal to 1, so the sum lies in
    :math:`[1, q]` and neither overflows nor underflows to 0.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course import logsumexp
    >>> float(logsumexp([1000.0, 1000.0]))  # naive log(exp(1000) * 2) overflows
    1000.6931471805599
    """
    o = _check_logits(o, "o", min_ndim=1)
    ax = check_axis(axis, o.ndim)
    return np.squeeze(_along_last_axis(_logsumexp, o, ax, "o", width=1), axis=ax)


def log_softmax(o: Any, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Logarithm of the softmax, computed directly in the log domain.

    Parameters
    ----------
    o : array_like
        Logits (unnormalised scores), real and finite, at least one dimension.
    axis : int, default -1
        Axis holding the classes.
    temperature : float, default 1.0
        Positive divisor of the logits: ``T < 1`` sharpens the distribution, ``T > 1``
        flattens it.

    Returns
    -------
    numpy.ndarray
        Same shape as ``o``; every entry is <= 0.

    Notes
    -----
    .. math:: \log \mathrm{softmax}(o / T)_j = \frac{o_j - m}{T}
              - \log \sum_k \exp\!\left(\frac{o_k - m}{T}\right),
              \qquad m = \max_k o_k .

    An entry is ``-inf`` only when the exact value is below ``-1.8e308``.

    Examples
    --------
    >>> from softmax_course import log_softmax
    >>> log_softmax([0.0, 0.0]).round(6).tolist()
    [-0.693147, -0.693147]
    >>> log_softmax([1e308, -1e308]).tolist()   # the exact value -2e308 is not a float
    [0.0, -inf]
    """
    o = _check_logits(o, "o", min_ndim=1)
    ax = check_axis(axis, o.ndim)
    t = check_positive(temperature, "temperature")
    return _along_last_axis(_log_softmax, o, ax, "o", t)


def _log_softmax(o: np.ndarray, axis: int, temperature: float = 1.0,
                 out: np.ndarray | None = None) -> np.ndarray:
    s = _shifted(o, axis, temperature, out)
    with np.errstate(under="ignore"):
        lse = np.exp(s).sum(axis=axis, keepdims=True)
    np.log(lse, out=lse)
    s -= lse
    return s


def softmax(o: Any, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Turn logits into probabilities that are non-negative and sum to 1 along ``axis``.

    Parameters
    ----------
    o : array_like
        Logits, real and finite, at least one dimension.
    axis : int, default -1
        Axis holding the classes (``-1``: each row of a batch is one sample).
    temperature : float, default 1.0
        Positive divisor of the logits (see :func:`log_softmax`).

    Returns
    -------
    numpy.ndarray
        Same shape as ``o``, entries in ``[0, 1]``, summing to 1 along ``axis``.

    Notes
    -----
    .. math:: \mathrm{softmax}(o)_j = \frac{\exp(o_j)}{\sum_k \exp(o_k)}
              = \frac{\exp(o_j - m)}{\sum_k \exp(o_k - m)}, \qquad m = \max_k o_k .

    Subtracting :math:`m` changes nothing mathematically (it cancels) but keeps every
    exponential in :math:`(0, 1]`, so ``softmax([1000, 0])`` is ``[1, 0]`` instead of NaN.

    Examples
    --------
    >>> from softmax_course import softmax
    >>> softmax([1.0, 2.0, 3.0]).round(4).tolist()
    [0.09, 0.2447, 0.6652]
    >>> softmax([1000.0, 0.0]).tolist()
    [1.0, 0.0]
    """
    o = _check_logits(o, "o", min_ndim=1)
    ax = check_axis(axis, o.ndim)
    t = check_positive(temperature, "temperature")
    return _along_last_axis(_softmax, o, ax, "o", t)


def _softmax(o: np.ndarray, axis: int, temperature: float = 1.0,
             out: np.ndarray | None = None) -> np.ndarray:
    s = _shifted(o, axis, temperature, out)
    with np.errstate(under="ignore"):
        np.exp(s, out=s)
    s /= s.sum(axis=axis, keepdims=True)
    return s


def one_hot(labels: Any, num_classes: int) -> np.ndarray:
    r"""One-hot encode integer class indices.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class indices in ``0 .. num_classes - 1``.
    num_classes : int
        Number of classes ``q``.

    Returns
    -------
    numpy.ndarray of float64, shape (n, q)
        Row ``i`` is 1 in column ``labels[i]`` and 0 elsewhere.

    Notes
    -----
    :math:`Y_{ij} = [\,j = y_i\,]`; each row sums to 1, so it is also a probability row.

    Examples
    --------
    >>> from softmax_course import one_hot
    >>> one_hot([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    q = check_int(num_classes, "num_classes", minimum=1)
    y = as_labels(labels, "labels")
    if y.max() >= q:
        raise ValueError(f"num_classes={q} is too small: labels contains {y.max()}, so at least "
                         f"{y.max() + 1} classes are needed; pass num_classes={y.max() + 1} or "
                         f"more.")
    out = np.zeros((y.shape[0], q))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def _targets(labels: Any, n: int, q: int) -> tuple[str, np.ndarray]:
    """Classify ``labels`` as integer indices ("int") or probability rows ("prob") and check."""
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"labels must be integer class indices of shape ({n},) or probability "
                        f"rows of shape ({n}, {q}), but got {type(labels).__name__} {labels!r}.")
    if (type(labels) is np.ndarray and labels.dtype == np.int64 and labels.shape == (n,)
            and n > 0 and labels.min() >= 0 and labels.max() < q):
        return "int", labels    # already valid class indices: skip the general conversion
    ndim = np.ndim(labels)
    if ndim == 1:
        return "int", as_labels(labels, "labels", num_classes=q, length=n)
    if ndim == 2:
        return "prob", as_prob_rows(labels, "labels", shape=(n, q))
    raise ValueError(f"labels must be integer class indices of shape ({n},) or probability rows "
                     f"of shape ({n}, {q}), but got {ndim} dimension(s) (shape "
                     f"{np.shape(labels)}); reshape the labels to one of those forms.")


def _reduce(per_sample: np.ndarray, reduction: str) -> np.ndarray | float:
    if reduction == "none":
        return per_sample
    total = per_sample.sum()
    return float(total / per_sample.shape[0] if reduction == "mean" else total)


def cross_entropy(logits: Any, labels: Any, reduction: str = "mean") -> np.ndarray | float:
    r"""Cross-entropy loss of softmax probabilities, computed from the logits.

    Parameters
    ----------
    logits : array_like, shape (n, q)
        One row of unnormalised scores per sample.
    labels : array_like, shape (n,) of int, or shape (n, q) of float
        Either the true class index of each sample, or a probability row per sample
        (soft labels; non-negative, each row summing to 1).
    reduction : {"mean", "sum", "none"}, default "mean"
        Average over the batch, add over the batch, or return the ``n`` per-sample losses.

    Returns
    -------
    float or numpy.ndarray of shape (n,)

    Notes
    -----
    .. math:: l(\mathbf y, \hat{\mathbf y}) = -\sum_{j=1}^q y_j \log \hat y_j
              = \log \sum_k e^{o_k} - \sum_j y_j o_j ,
              \qquad \hat{\mathbf y} = \mathrm{softmax}(\mathbf o).

    It is evaluated as ``-sum(y * log_softmax(o))`` over the entries with ``y_j > 0`` only,
    so a class with zero target probability never contributes ``0 * (-inf) = NaN``. With
    integer labels this is ``-log_softmax(o)[y] = log(sum(exp(o - m))) - (o[y] - m)`` with
    ``m = max(o)``, computed without the full log-softmax matrix. The loss is ``+inf`` only
    when the exact loss exceeds the largest float.

    Examples
    --------
    >>> from softmax_course import cross_entropy
    >>> round(cross_entropy([[2.0, 0.0, 0.0]], [0]), 6)
    0.239545
    >>> cross_entropy([[2.0, 0.0, 0.0]], [[1.0, 0.0, 0.0]]) == cross_entropy([[2.0, 0, 0]], [0])
    True
    """
    o = _check_logits(logits, "logits", ndim=2)
    check_choice(reduction, "reduction", _REDUCTIONS)
    n, q = o.shape
    kind, y = _targets(labels, n, q)
    if kind == "int":        # l_i = log sum_k exp(o_ik - m_i) - (o_iy - m_i), m_i = max_k o_ik
        m, lse = _along_last_axis(_max_and_log_sum, o, 1, "logits", width=2).T
        with np.errstate(over="ignore"):        # o_iy - m_i below -1.8e308: the loss is +inf
            per = lse - (o[np.arange(n), y] - m)
    else:
        ls = _along_last_axis(_log_softmax, o, 1, "logits")
        prod = np.zeros_like(ls)
        np.multiply(y, ls, out=prod, where=y > 0)
        per = -prod.sum(axis=1)
    return _reduce(per, reduction)


def cross_entropy_grad(logits: Any, labels: Any, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    Parameters
    ----------
    logits, labels, reduction
        As for :func:`cross_entropy`.

    Returns
    -------
    numpy.ndarray, shape (n, q)
        ``softmax(logits) - y``, divided by ``n`` for ``reduction="mean"``. For ``"none"``,
        row ``i`` is the gradient of sample ``i``'s own loss.

    Notes
    -----
    .. math:: \frac{\partial l}{\partial o_j} = \mathrm{softmax}(\mathbf o)_j - y_j .

    Each row sums to 0 because both the softmax row and ``y`` sum to 1.

    Examples
    --------
    >>> from softmax_course import cross_entropy_grad
    >>> cross_entropy_grad([[0.0, 0.0]], [1], reduction="sum").tolist()
    [[0.5, -0.5]]
    """
    o = _check_logits(logits, "logits", ndim=2)
    check_choice(reduction, "reduction", _REDUCTIONS)
    n, q = o.shape
    kind, y = _targets(labels, n, q)
    g = _along_last_axis(_softmax, o, 1, "logits")
    if kind == "int":
        g[np.arange(n), y] -= 1.0
    else:
        g -= y
    if reduction == "mean":
        g /= n
    return g


def _loss_sum_and_grad(o: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Sum of the per-sample cross-entropies and the gradient of their mean, from one softmax.

    For a training loop whose data are already checked: ``o`` finite float logits of shape
    (n, q), ``y`` int class indices in ``0 .. q-1``. No checks and one ``exp`` pass instead of
    the two of :func:`cross_entropy` plus :func:`cross_entropy_grad`, whose results it equals
    bit for bit (``cross_entropy(o, y, "sum")`` and ``cross_entropy_grad(o, y)``).
    """
    n = o.shape[0]
    rows = np.arange(n)
    g = _shifted(o, 1, 1.0)                    # o - m
    picked = g[rows, y]                        # o_y - m (a copy)
    with np.errstate(under="ignore"):
        np.exp(g, out=g)
    total = g.sum(axis=1, keepdims=True)
    loss = float((np.log(total[:, 0]) - picked).sum())    # sum of log sum exp(o - m) - (o_y - m)
    g /= total                                 # softmax
    g[rows, y] -= 1.0
    g /= n
    return loss, g
