"""Numerically stable softmax, log-softmax, log-sum-exp, one-hot labels and cross-entropy.

Every function works in the log domain: it subtracts the row maximum before exponentiating, so
logits of any finite magnitude (up to about ±1.8e308) give finite results, and it never lets
``0 * log 0`` turn into NaN. Where the exact value is not representable in floating point (two
logits further apart than the largest float), the answer is ``-inf`` (a log-probability) or
``0.0`` (a probability), which is the correctly rounded result. No numpy warning escapes.

Each public kernel shows its formula in its own body, as a small function of a block of rows
(the classes along the last axis). :func:`by_row_blocks` applies it to the whole array; it is
the only place that cares about speed (cache-sized blocks of rows, one output buffer, the
finiteness check while a block is in cache). ``python -m softmax_course bench`` measures it.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._validation import (as_float_array, as_labels, as_prob_rows, check_axis, check_choice,
                          check_int, check_positive)

__all__ = ["logsumexp", "softmax", "log_softmax", "one_hot", "cross_entropy",
           "cross_entropy_grad", "by_row_blocks"]

_REDUCTIONS = ("mean", "sum", "none")
_BLOCK_BYTES = 1 << 21  # 2 MiB of rows per block: measured best between 128 KiB and 64 MiB


# ------------------------------------------------------------------ speed: blocks of rows
def by_row_blocks(formula: Callable[..., np.ndarray], o: np.ndarray, axis: int = -1,
                  *row_args: np.ndarray, width: int | None = None,
                  name: str = "o") -> np.ndarray:
    """Apply ``formula`` to the rows of ``o`` (slices along ``axis``), one block of rows at a time.

    Parameters
    ----------
    formula : callable
        ``formula(block, *arg_blocks)`` gets a C-contiguous 2-D block of rows (the slices along
        ``axis`` as its last axis) and returns an array with one row per row of the block and
        ``width`` columns (default: as many as the block), in a new array. It must treat
        every row on its own.
    o : numpy.ndarray of float32 or float64
        The input, at least one dimension; checked for NaN and infinity block by block.
    axis : int, default -1
        The axis along which ``formula`` works.
    *row_args : numpy.ndarray
        Arrays with one entry (or row) per row of a 2-D ``o`` (e.g. labels), cut into the
        same blocks.
    width : int, optional
        Length of ``formula``'s output rows (1 for a reduction such as log-sum-exp).
    name : str, default "o"
        The argument's name in the error message for a non-finite entry.

    Returns
    -------
    numpy.ndarray
        The rows of ``formula``'s results, arranged like ``o`` with ``axis`` of length
        ``width``.

    Raises
    ------
    ValueError
        If ``o`` holds NaN or ±inf (the message names the first such entry).

    Notes
    -----
    A formula makes several passes over its input (max, subtract, exp, sum, ...). On a large
    batch every pass would stream the whole array through main memory; on a block of about
    ``_BLOCK_BYTES`` (2 MiB) that stays in the CPU's caches, only the first read and the last
    write reach memory, and no temporary array of the full size is made: each block's result
    goes straight into its slice of one output array (a single block's result is the output
    itself). The block's finiteness is checked while it is in cache.

    Each row is computed by the same operations on a C-contiguous block whatever the memory
    order of ``o`` (C, Fortran, a strided view, ``axis`` not last: a block is copied into C
    order first), so the result is the same, bit for bit, as that of ``formula`` on each
    row alone, for any block size and any memory order.

    Examples
    --------
    >>> import numpy as np
    >>> row_sums = lambda block: block.sum(axis=-1, keepdims=True)
    >>> by_row_blocks(row_sums, np.arange(6.0).reshape(2, 3), width=1).tolist()
    [[3.0], [12.0]]
    """
    if not (callable(formula) and isinstance(o, np.ndarray)):
        raise TypeError(f"by_row_blocks needs a function and a numpy array, but got "
                        f"{type(formula).__name__} and {type(o).__name__}; pass e.g. "
                        f"by_row_blocks(f, np.asarray(o)).")
    last = axis in (-1, o.ndim - 1)
    moved = o if last else np.moveaxis(o, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])       # a view unless o's memory order forbids
    n, q = rows.shape
    step = max(1, _BLOCK_BYTES // (q * rows.itemsize))
    if n <= step:                                   # one block: its result is the output
        out = formula(_finite_block(rows, o, name), *row_args)
        out = out if out.dtype == o.dtype else out.astype(o.dtype)
    else:
        out = np.empty((n, width or q), dtype=o.dtype)
        for start in range(0, n, step):
            block = slice(start, start + step)
            x = _finite_block(rows[block], o, name)
            out[block] = formula(x, *(arg[block] for arg in row_args))
    if out.ndim != moved.ndim or out.shape[-1] != q:
        out = out.reshape(moved.shape[:-1] + out.shape[-1:])
    return out if last else np.moveaxis(out, -1, axis)


def _finite_block(x: np.ndarray, whole: np.ndarray, name: str) -> np.ndarray:
    """``x`` in C order, if it holds no NaN or infinity; otherwise the full check of ``whole``
    raises the package's message (naming the first bad entry)."""
    x = np.ascontiguousarray(x)
    if not np.isfinite(x).all():
        as_float_array(whole, name)
    return x


_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def _check_logits(o: Any, name: str, *, ndim: int | None = None,
                  min_ndim: int = 1) -> np.ndarray:
    """:func:`as_float_array` without its finiteness pass (:func:`by_row_blocks` does it).

    A float ndarray of the right shape passes straight through (the common case in a training
    loop, where the general checks cost more than a small kernel); anything else takes the
    general path, which converts it or raises the package's message.
    """
    if (type(o) is np.ndarray and o.dtype in _FLOAT_DTYPES and o.size > 0
            and (o.ndim == ndim if ndim is not None else o.ndim >= min_ndim)):
        return o
    return as_float_array(o, name, ndim=ndim, min_ndim=min_ndim, finite=False)


# --------------------------------------------------------------- two steps of every formula
def _shift(o: np.ndarray, t: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``s = (o - max o) / t`` along the last axis of a 2-D ``o``, and where the maximum is.

    Returns ``s`` (every ``s_k <= 0``) and, per row, the index ``i`` of one largest entry, at
    which ``s_i = 0`` exactly. For ``t > 1`` it divides first (``o / t`` cannot overflow),
    otherwise it subtracts first (dividing the shifted values by ``t < 1`` only moves them
    towards ``-inf``). An entry becomes ``-inf`` only where the exact value is below
    ``-1.8e308``, which is then the correctly rounded answer: that overflow is the one
    silenced here.
    """
    with np.errstate(over="ignore"):
        if t > 1.0:
            o = o / t
        i = o.argmax(axis=-1)
        s = o - o[np.arange(len(o)), i][:, None]
        if t < 1.0:
            s /= t
    return s, i


def _log_sum_exp_shifted(s: np.ndarray, i: np.ndarray) -> np.ndarray:
    """``log Σ_k exp(s_k)`` along the last axis, for ``s`` and ``i`` from :func:`_shift`.

    The entry ``s_i = 0`` contributes exactly 1, so the sum is ``1 + r`` with ``r`` the sum
    over the others, and ``log1p(r)`` keeps full relative accuracy when ``r`` is tiny (one
    dominant term, where ``log(1 + r)`` would round to 0). Ties are kept: only the one entry
    ``i`` is left out of ``r``.
    """
    e = np.exp(s)
    e[np.arange(len(s)), i] = 0.0                    # leave out e^{s_i} = 1 ...
    return np.log1p(e.sum(axis=-1, keepdims=True))   # ... and add it back exactly: log(1 + r)


# --------------------------------------------------------------------------- the kernels
def logsumexp(o: Any, axis: int = -1) -> np.ndarray:
    r"""Log of the sum of exponentials, computed without overflow and without cancellation.

    Parameters
    ----------
    o : array_like
        Real, finite values with at least one dimension (an empty array raises
        ``ValueError``).
    axis : int, default -1
        Axis to reduce.

    Returns
    -------
    numpy.ndarray
        ``log(sum(exp(o), axis))``, with ``axis`` removed; float32 input gives float32.

    Notes
    -----
    With :math:`m = \max_k o_k`, reached at :math:`k = i`,

    .. math:: \log \sum_k e^{o_k} = m + \log \sum_k e^{o_k - m}
              = m + \operatorname{log1p}\Big(\sum_{k 
e i} e^{o_k - m}\Big),

    and every :math:`e^{o_k - m} \le 1`, so nothing overflows. ``log1p`` keeps the relative
    accuracy of a tiny remainder: ``logsumexp([0, -40])`` is :math:`4.25 \cdot 10^{-18}`,
    where ``m + log(sum)`` would give 0.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course import logsumexp
    >>> float(logsumexp([1000.0, 1000.0]))  # naive log(exp(1000) * 2) overflows
    1000.6931471805599
    >>> float(logsumexp([0.0, -40.0]))      # = np.logaddexp(0, -40)
    4.248354255291589e-18
    """
    o = _check_logits(o, "o")
    ax = check_axis(axis, o.ndim)

    def formula(o: np.ndarray) -> np.ndarray:        # rows, the summed axis last
        s, i = _shift(o)                             # s_k = o_k - m, m = max_k o_k = o_i
        m = o[np.arange(len(o)), i][:, None]
        return m + _log_sum_exp_shifted(s, i)        # m + log sum_k exp(o_k - m)

    return np.squeeze(by_row_blocks(formula, o, ax, width=1), axis=ax)


def log_softmax(o: Any, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Logarithm of the softmax, computed directly in the log domain.

    Parameters
    ----------
    o : array_like
        Logits (unnormalised scores), real and finite, at least one dimension; an empty
        array raises ``ValueError``.
    axis : int, default -1
        Axis holding the classes.
    temperature : float, default 1.0
        Positive divisor of the logits: ``T < 1`` sharpens the distribution, ``T > 1``
        flattens it.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``o``; every entry is <= 0.

    Notes
    -----
    With :math:`s_j = (o_j - m) / T` and :math:`m = \max_k o_k`,

    .. math:: \log \mathrm{softmax}(o / T)_j = s_j - \log \sum_k e^{s_k} ,

    where the log-sum-exp is evaluated as in :func:`logsumexp` (``log1p`` of the terms
    other than the largest one). An entry is ``-inf`` only when the exact value is below
    ``-1.8e308``.

    Examples
    --------
    >>> from softmax_course import log_softmax
    >>> log_softmax([0.0, 0.0]).round(6).tolist()
    [-0.693147, -0.693147]
    >>> log_softmax([1e308, -1e308]).tolist()   # the exact value -2e308 is not a float
    [0.0, -inf]
    """
    o = _check_logits(o, "o")
    ax = check_axis(axis, o.ndim)
    t = check_positive(temperature, "temperature")

    def formula(o: np.ndarray) -> np.ndarray:        # rows of logits, classes last
        s, i = _shift(o, t)                          # s_j = (o_j - max_k o_k) / T <= 0
        s -= _log_sum_exp_shifted(s, i)              # s_j - log sum_k exp(s_k)
        return s

    return by_row_blocks(formula, o, ax)


def softmax(o: Any, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Turn logits into probabilities that are non-negative and sum to 1 along ``axis``.

    Parameters
    ----------
    o : array_like
        Logits, real and finite, with one dimension or more (empty input raises
        ``ValueError``).
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
    .. math:: \mathrm{softmax}(o)_j = rac{\exp(o_j)}{\sum_k \exp(o_k)}
              = rac{\exp(o_j - m)}{\sum_k \exp(o_k - m)}, \qquad m = \max_k o_k .

    Subtracting :math:`m` changes nothing mathematically (it cancels) but keeps every
    exponential in :math:`(0, 1]`, so ``softmax([1000, 0])`` is ``[1, 0]`` instead of NaN.
    With a temperature the logits are divided by :math:`T` first.

    Examples
    --------
    >>> from softmax_course import softmax
    >>> softmax([1.0, 2.0, 3.0]).round(4).tolist()
    [0.09, 0.2447, 0.6652]
    >>> softmax([1000.0, 0.0]).tolist()
    [1.0, 0.0]
    """
    o = _check_logits(o, "o")
    ax = check_axis(axis, o.ndim)
    t = check_positive(temperature, "temperature")

    def formula(o: np.ndarray) -> np.ndarray:        # rows of logits, classes last
        s, _ = _shift(o, t)                          # s_j = (o_j - max_k o_k) / T <= 0
        e = np.exp(s)                                # each e^{s_j} in (0, 1]: no overflow
        e /= e.sum(axis=-1, keepdims=True)           # e^{s_j} / sum_k e^{s_k}
        return e

    return by_row_blocks(formula, o, ax)


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
            and n > 0 and labels.view(np.uint64).max() < q):   # a negative one is >= 2**63
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
    """The per-sample losses, their sum or their mean (``inf`` only if the exact one is)."""
    if reduction == "none":
        return per_sample
    if reduction == "mean":             # divide first: each term <= max / n, so no overflow
        return float((per_sample / per_sample.shape[0]).sum())
    with np.errstate(over="ignore"):    # a sum beyond the largest float is inf, correctly
        return float(per_sample.sum())


def cross_entropy(logits: Any, labels: Any, reduction: str = "mean") -> np.ndarray | float:
    r"""Cross-entropy loss of softmax probabilities, computed from the logits.

    Parameters
    ----------
    logits : array_like, shape (n, q)
        One row of unnormalised scores per sample; an empty batch raises ``ValueError``.
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
              = \log \sum_k e^{s_k} - \sum_j y_j s_j ,
              \qquad \hat{\mathbf y} = \mathrm{softmax}(\mathbf o),\ s_k = o_k - \max_j o_j,

    because :math:`\sum_j y_j = 1`. The log-sum-exp is evaluated as in :func:`logsumexp`, so
    the small loss of a confident, correct prediction keeps its relative accuracy
    (``[[40, 0]]`` with label 0 gives :math:`e^{-40}`, not 0). Classes with :math:`y_j = 0`
    are skipped, so they never contribute ``0 * (-inf) = NaN``. A loss is ``+inf`` only when
    the exact loss exceeds the largest float; the mean divides before it adds, so it is finite
    whenever the exact mean is.

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
    kind, y = _targets(labels, *o.shape)

    def formula(o: np.ndarray, y: np.ndarray) -> np.ndarray:   # a block of samples
        s, i = _shift(o)                                       # s_k = o_k - max_j o_j
        if kind == "int":                                      # sum_j y_j s_j = s_y
            ys = s[np.arange(len(y)), y][:, None]
        else:                                                  # skip y_j = 0: no 0 * -inf
            ys = np.multiply(y, s, out=np.zeros_like(s), where=y > 0).sum(-1, keepdims=True)
        return _log_sum_exp_shifted(s, i) - ys                 # log sum_k e^{s_k} - y . s

    return _reduce(by_row_blocks(formula, o, -1, y, width=1, name="logits")[:, 0], reduction)


def cross_entropy_grad(logits: Any, labels: Any, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    Parameters
    ----------
    logits, labels, reduction
        As for :func:`cross_entropy` (empty logits raise ``ValueError`` there too).

    Returns
    -------
    numpy.ndarray, shape (n, q)
        ``softmax(logits) - y``, divided by ``n`` for ``reduction="mean"``. For ``"none"``,
        row ``i`` is the gradient of sample ``i``'s own loss.

    Notes
    -----
    .. math:: rac{\partial l}{\partial o_j} = \mathrm{softmax}(\mathbf o)_j - y_j .

    Each row sums to 0 because both the softmax row and ``y`` sum to 1.

    Examples
    --------
    >>> from softmax_course import cross_entropy_grad
    >>> cross_entropy_grad([[0.0, 0.0]], [1], reduction="sum").tolist()
    [[0.5, -0.5]]
    """
    o = _check_logits(logits, "logits", ndim=2)
    check_choice(reduction, "reduction", _REDUCTIONS)
    kind, y = _targets(labels, *o.shape)
    n = o.shape[0]

    def formula(o: np.ndarray, y: np.ndarray) -> np.ndarray:   # a block of samples
        s, _ = _shift(o)                                       # s = o - max(o)
        g = np.exp(s)
        g /= g.sum(axis=-1, keepdims=True)                     # p = softmax(o)
        if kind == "int":
            g[np.arange(len(y)), y] -= 1.0                     # p - y, y one-hot
        else:
            g -= y                                             # p - y
        return g / n if reduction == "mean" else g             # the mean's gradient: 1/n each

    return by_row_blocks(formula, o, -1, y, name="logits")
