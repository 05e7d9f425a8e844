"""Prefix codes: Huffman code lengths and codewords, average code length, block coding.

These make the claim "entropy is the lower bound of the average code length" concrete: a
Huffman code is an optimal binary prefix code, and its average length ``L`` satisfies
``H ≤ L < H + 1`` (in bits). Coding blocks of ``k`` outcomes at once spreads the "+1" over ``k``
outcomes, so the bits per outcome approach the entropy as ``k`` grows.
"""
from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from ._validation import as_distribution, as_float_array, check_choice, check_int

__all__ = ["huffman_code_lengths", "huffman_code", "kraft_sum", "average_code_length",
           "block_distribution", "block_code_bits_per_symbol", "MAX_BLOCK_SYMBOLS"]

#: Largest block alphabet :func:`block_code_bits_per_symbol` builds a Huffman code for.
MAX_BLOCK_SYMBOLS = 2**20

_BLOCK_CODES = ("huffman", "fixed")


def _one_distribution(p: Any) -> np.ndarray:
    """Validate ``p`` as a single 1-D probability distribution."""
    p = as_distribution(p, "p")
    if p.ndim != 1:
        raise ValueError(f"p must be one distribution (1-D), but got shape {p.shape}; build "
                         f"one code per distribution, e.g. a loop over the rows of p.")
    return p


def huffman_code_lengths(p: Any) -> np.ndarray:
    r"""Codeword lengths of an optimal binary prefix code (Huffman code) for ``p``.

    Parameters
    ----------
    p : array_like, shape (k,)
        Probabilities of the ``k`` symbols (non-negative, summing to 1 within 1e-6).

    Returns
    -------
    numpy.ndarray of int64, shape (k,)
        Length in bits of each symbol's codeword. A single symbol gets length 0: when only
        one thing can happen, nothing needs to be sent. Symbols of probability 0 still get a
        codeword, so every symbol can be encoded.

    Notes
    -----
    Huffman's algorithm repeatedly merges the two least probable nodes into one whose
    probability is their sum; each merge adds one bit to the codewords of every symbol below
    the two nodes. The resulting lengths minimise the average length
    :math:`L = \sum_j p_j \ell_j` over all binary prefix codes, fulfil Kraft's inequality
    with equality, :math:`\sum_j 2^{-\ell_j} = 1` (for ``k >= 2``), and satisfy

    .. math:: H_2[P] \le L < H_2[P] + 1 \qquad \text{(if every } p_j > 0\text{)} .

    Ties between equal probabilities are broken by creation order (symbols by index, then
    merged nodes in the order they were made), so the result is deterministic.

    Examples
    --------
    >>> from softmax_course.coding import huffman_code_lengths
    >>> huffman_code_lengths([0.5, 0.25, 0.125, 0.125]).tolist()
    [1, 2, 3, 3]
    >>> huffman_code_lengths([1/3, 1/3, 1/3]).tolist()
    [2, 2, 1]
    """
    p = _one_distribution(p)
    k = p.shape[0]
    # Nodes 0..k-1 are the symbols, k..2k-2 the merged nodes (the root is the last one).
    parent = [0] * (2 * k - 1)
    heap = [(float(w), i) for i, w in enumerate(p)]
    heapq.heapify(heap)
    for new in range(k, 2 * k - 1):
        w1, a = heapq.heappop(heap)
        w2, b = heapq.heappop(heap)
        parent[a] = parent[b] = new
        heapq.heappush(heap, (w1 + w2, new))
    # Children are created before their parent, so walking down from the root fills depths.
    depth = [0] * (2 * k - 1)
    for node in range(2 * k - 3, -1, -1):
        depth[node] = depth[parent[node]] + 1
    return np.array(depth[:k], dtype=np.int64)


def huffman_code(p: Any) -> list[str]:
    r"""Codewords of a Huffman code for ``p``, as strings of ``"0"`` and ``"1"``.

    Parameters
    ----------
    p : array_like, shape (k,)
        Probabilities of the ``k`` symbols.

    Returns
    -------
    list of str
        One codeword per symbol, with the lengths of :func:`huffman_code_lengths`. No codeword
        is a prefix of another, so a concatenated message decodes unambiguously.

    Notes
    -----
    The codewords are the *canonical* code for those lengths: symbols sorted by (length,
    index) get consecutive binary numbers, shifted left whenever the length grows. Any
    lengths with :math:`\sum_j 2^{-\ell_j} \le 1` admit such a prefix code (Kraft).

    Examples
    --------
    >>> from softmax_course.coding import huffman_code
    >>> huffman_code([0.5, 0.25, 0.125, 0.125])
    ['0', '10', '110', '111']
    >>> huffman_code([1/3, 1/3, 1/3])
    ['10', '11', '0']
    """
    lengths = [int(n) for n in huffman_code_lengths(p)]
    codes = [""] * len(lengths)
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    value, previous = -1, lengths[order[0]]
    for i in order:
        value = (value + 1) << (lengths[i] - previous)
        previous = lengths[i]
        if lengths[i] > 0:
            codes[i] = format(value, f"0{lengths[i]}b")
    return codes


def _as_lengths(lengths: Any, name: str = "lengths") -> np.ndarray:
    arr = as_float_array(lengths, name, ndim=1)
    if (arr < 0).any() or not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must be whole numbers >= 0 (codeword lengths in bits), but "
                         f"got {arr.tolist()}; pass e.g. huffman_code_lengths(p).")
    return arr.astype(np.int64)


def kraft_sum(lengths: Any) -> float:
    r"""Kraft sum :math:`\sum_j 2^{-\ell_j}` of codeword lengths.

    A binary prefix code with these lengths exists exactly when the sum is at most 1; an
    optimal (Huffman) code with two or more symbols has sum exactly 1 (no wasted codeword).

    Examples
    --------
    >>> from softmax_course.coding import kraft_sum
    >>> kraft_sum([1, 2, 3, 3])
    1.0
    >>> kraft_sum([2, 2, 2])      # the 2-bit code for three symbols leaves "11" unused
    0.75
    """
    ell = _as_lengths(lengths)
    return float(np.ldexp(1.0, -ell).sum())


def average_code_length(p: Any, lengths: Any) -> float:
    r"""Expected codeword length :math:`L = \sum_j p_j \ell_j` in bits per symbol.

    Parameters
    ----------
    p : array_like, shape (k,)
        Symbol probabilities.
    lengths : array_like of int, shape (k,)
        Codeword length of each symbol, in the same order.

    Examples
    --------
    >>> from softmax_course.coding import average_code_length
    >>> average_code_length([0.5, 0.25, 0.25], [1, 2, 2])
    1.5
    """
    p = _one_distribution(p)
    ell = _as_lengths(lengths)
    if p.shape != ell.shape:
        raise ValueError(f"p and lengths must have one entry per symbol, but p has "
                         f"{p.shape[0]} and lengths has {ell.shape[0]}; pass one codeword "
                         f"length per symbol, in the same order.")
    return float(np.dot(p, ell))


def block_distribution(p: Any, k: int) -> np.ndarray:
    r"""Probabilities of all blocks of ``k`` independent symbols drawn from ``p``.

    Returns an array of length ``len(p) ** k``, blocks in lexicographic order (the last
    symbol changes fastest): :math:`P(x_1 \dots x_k) = p_{x_1} \cdots p_{x_k}`.

    Examples
    --------
    >>> from softmax_course.coding import block_distribution
    >>> block_distribution([0.75, 0.25], 2).tolist()
    [0.5625, 0.1875, 0.1875, 0.0625]
    """
    p = _one_distribution(p)
    k = check_int(k, "k", minimum=1)
    size = p.shape[0] ** k
    if size > MAX_BLOCK_SYMBOLS:
        raise ValueError(f"blocks of k={k} symbols from {p.shape[0]} symbols make {size} "
                         f"blocks, more than the {MAX_BLOCK_SYMBOLS} this teaching code "
                         f"handles; use a smaller k.")
    blocks = np.ones(1)
    for _ in range(k):
        blocks = np.outer(blocks, p).ravel()
    return blocks


def block_code_bits_per_symbol(p: Any, k: int, code: str = "huffman") -> float:
    r"""Bits per symbol when blocks of ``k`` independent symbols are coded together.

    Parameters
    ----------
    p : array_like, shape (m,)
        Symbol probabilities.
    k : int
        Block length (``k = 1`` codes each symbol on its own).
    code : {"huffman", "fixed"}, default "huffman"
        ``"huffman"``: expected length of a Huffman code for the :math:`m^k` blocks, divided
        by ``k``. ``"fixed"``: every block gets the same number of bits, the smallest ``b``
        with :math:`2^b \ge m^k`, so the result is :math:`\lceil k \log_2 m \rceil / k`
        (computed in exact integer arithmetic; ``p`` only supplies ``m``).

    Notes
    -----
    For a Huffman code of the blocks, :math:`k H \le L_k < k H + 1` (the entropy of ``k``
    independent symbols is ``k H``), so

    .. math:: H \le \frac{L_k}{k} < H + \frac{1}{k} \xrightarrow{k \to \infty} H .

    For three equally likely symbols, :math:`H = \log_2 3 \approx 1.585` bits.

    Examples
    --------
    >>> from softmax_course.coding import block_code_bits_per_symbol
    >>> thirds = [1/3, 1/3, 1/3]
    >>> round(block_code_bits_per_symbol(thirds, 1), 4)
    1.6667
    >>> block_code_bits_per_symbol(thirds, 5, code="fixed")    # 3**5 = 243 <= 2**8 blocks
    1.6
    """
    check_choice(code, "code", _BLOCK_CODES)
    k = check_int(k, "k", minimum=1)
    if code == "fixed":
        m = _one_distribution(p).shape[0]
        return ((m**k - 1).bit_length()) / k
    blocks = block_distribution(p, k)
    return average_code_length(blocks, huffman_code_lengths(blocks)) / k
