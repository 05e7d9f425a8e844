"""Tests of softmax_course.coding: optimality by brute force, Kraft, the entropy bounds."""
from __future__ import annotations

import doctest
import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from softmax_course import coding
from softmax_course.coding import (MAX_BLOCK_SYMBOLS, average_code_length,
                                   block_code_bits_per_symbol, block_distribution, huffman_code,
                                   huffman_code_lengths, kraft_sum)
from softmax_course.info import entropy

LOG2_3 = math.log2(3)


@st.composite
def positive_distributions(draw, max_k=9):
    k = draw(st.integers(1, max_k))
    w = draw(hnp.arrays(np.float64, k, elements=st.floats(1e-3, 1.0)))
    return w / w.sum()


def all_binary_words(max_len):
    return ["".join(bits) for n in range(1, max_len + 1)
            for bits in itertools.product("01", repeat=n)]


def is_prefix_free(words):
    return not any(a != b and b.startswith(a) for a in words for b in words) \
        and len(set(words)) == len(words)


def best_prefix_code_length(p):
    """Smallest average length over every assignment of prefix-free binary words (len <= k-1)."""
    k = len(p)
    words = all_binary_words(k - 1)
    best = math.inf
    for code in itertools.permutations(words, k):
        if is_prefix_free(code):
            best = min(best, sum(pi * len(w) for pi, w in zip(p, code)))
    return best


def best_kraft_length(p, max_len):
    """Smallest average length over every length vector satisfying Kraft's inequality."""
    best = math.inf
    for ell in itertools.product(range(1, max_len + 1), repeat=len(p)):
        if sum(2.0 ** -l for l in ell) <= 1.0:
            best = min(best, float(np.dot(p, ell)))
    return best


def test_doctests():
    result = doctest.testmod(coding)
    assert result.attempted >= 10 and result.failed == 0


# ------------------------------------------------------------------------------ optimality
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [2, 3, 4])
def test_huffman_beats_every_prefix_code(seed, k):
    p = np.random.default_rng(seed).dirichlet(np.ones(k))
    ell = huffman_code_lengths(p)
    assert average_code_length(p, ell) == pytest.approx(best_prefix_code_length(p), rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [5, 6])
def test_huffman_beats_every_kraft_length_vector(seed, k):
    p = np.random.default_rng(10 + seed).dirichlet(np.ones(k) * 0.5)
    ell = huffman_code_lengths(p)
    assert average_code_length(p, ell) == pytest.approx(best_kraft_length(p, k - 1), rel=1e-12)


@pytest.mark.parametrize("p, expected_lengths, expected_average", [
    ([0.5, 0.25, 0.125, 0.125], [1, 2, 3, 3], 1.75),                # dyadic: L = H
    ([0.25, 0.25, 0.2, 0.15, 0.15], [2, 2, 2, 3, 3], 2.3),          # Cover & Thomas, Ex. 5.6.1
    ([0.25] * 4, [2, 2, 2, 2], 2.0),
])
def test_known_examples(p, expected_lengths, expected_average):
    ell = huffman_code_lengths(p)
    assert ell.tolist() == expected_lengths
    assert average_code_length(p, ell) == pytest.approx(expected_average, rel=1e-12)


def test_textbook_example_with_two_optimal_codes():
    p = [0.4, 0.2, 0.2, 0.1, 0.1]       # lengths {1,2,3,4,4} and {2,2,2,3,3} both give 2.2
    assert average_code_length(p, huffman_code_lengths(p)) == pytest.approx(2.2, rel=1e-12)


def test_dyadic_distribution_reaches_entropy():
    p = [0.5, 0.25, 0.125, 0.0625, 0.0625]
    L = average_code_length(p, huffman_code_lengths(p))
    assert L == pytest.approx(entropy(p, unit="bit"), rel=1e-14)


def test_tie_breaking_is_deterministic():
    assert huffman_code_lengths([1 / 3] * 3).tolist() == [2, 2, 1]
    assert huffman_code([0.25] * 4) == ["00", "01", "10", "11"]
    p = np.full(10, 0.1)
    assert all(huffman_code(p) == huffman_code(p.copy()) for _ in range(3))


def test_single_symbol_and_zero_probabilities():
    assert huffman_code_lengths([1.0]).tolist() == [0]
    assert huffman_code([1.0]) == [""]
    assert huffman_code([1.0, 0.0]) == ["0", "1"]            # every symbol gets a codeword
    code = huffman_code([0.5, 0.0, 0.5, 0.0])
    assert is_prefix_free(code) and all(code)


# ------------------------------------------------------------------------------ properties
@given(positive_distributions())
def test_kraft_equality_and_entropy_bounds(p):
    ell = huffman_code_lengths(p)
    if p.size >= 2:
        assert kraft_sum(ell) == 1.0
    h = entropy(p, unit="bit")
    L = average_code_length(p, ell)
    assert h - 1e-12 <= L < h + 1


@given(positive_distributions(max_k=12))
def test_codewords_are_prefix_free_with_huffman_lengths(p):
    code = huffman_code(p)
    assert [len(w) for w in code] == huffman_code_lengths(p).tolist()
    assert set("".join(code)) <= {"0", "1"}
    if p.size >= 2:
        assert is_prefix_free(code)


@given(positive_distributions(max_k=6), st.lists(st.integers(0, 5), max_size=30))
def test_messages_decode_unambiguously(p, message):
    message = [m % p.size for m in message]
    code = huffman_code(p)
    if p.size == 1:
        return
    bits = "".join(code[m] for m in message)
    lookup = {w: j for j, w in enumerate(code)}
    decoded, word = [], ""
    for b in bits:
        word += b
        if word in lookup:
            decoded.append(lookup[word])
            word = ""
    assert decoded == message and word == ""


# ------------------------------------------------------------------------------ blocks
def uniform_huffman_average(n):
    """Average Huffman length for n equally likely symbols (known closed form)."""
    m = n.bit_length() - 1                   # floor(log2 n)
    return m + 2 * (n - 2**m) / n


def test_block_distribution_is_the_product():
    p = np.array([0.5, 0.3, 0.2])
    blocks = block_distribution(p, 3)
    expected = [a * b * c for a, b, c in itertools.product(p, repeat=3)]
    np.testing.assert_allclose(blocks, expected, rtol=1e-15)
    assert entropy(blocks) == pytest.approx(3 * entropy(p), rel=1e-12)


@pytest.mark.parametrize("k", range(1, 9))
def test_three_equally_likely_classes(k):
    thirds = [1 / 3] * 3
    huff = block_code_bits_per_symbol(thirds, k)
    fixed = block_code_bits_per_symbol(thirds, k, code="fixed")
    assert huff == pytest.approx(uniform_huffman_average(3**k) / k, rel=1e-12)
    assert fixed == math.ceil(k * LOG2_3) / k
    assert LOG2_3 <= huff < LOG2_3 + 1 / k
    assert huff <= fixed + 1e-12


def test_block_coding_approaches_log2_3():
    thirds = [1 / 3] * 3
    assert block_code_bits_per_symbol(thirds, 1) - LOG2_3 > 0.08
    assert block_code_bits_per_symbol(thirds, 10) - LOG2_3 < 0.005
    fixed = [block_code_bits_per_symbol(thirds, k, code="fixed") for k in range(1, 60)]
    assert min(fixed) - LOG2_3 < 0.001 and fixed[0] == 2.0


def test_block_code_for_skewed_source():
    p = [0.9, 0.1]                            # single-symbol coding wastes a lot here
    h = entropy(p, unit="bit")
    rates = [block_code_bits_per_symbol(p, k) for k in (1, 2, 4, 8)]
    assert rates[0] == 1.0
    assert all(h <= r < h + 1 / k for r, k in zip(rates, (1, 2, 4, 8)))
    assert rates[-1] < 0.55


# ------------------------------------------------------------------------------ bad input
def test_kraft_sum_values():
    assert kraft_sum([2, 2, 2]) == 0.75
    assert kraft_sum([1, 1, 1]) == 1.5          # no prefix code has these lengths


@pytest.mark.parametrize("call, exc, match", [
    (lambda: huffman_code_lengths([[0.5, 0.5]]), ValueError, r"p must be one distribution \(1-D\)"),
    (lambda: huffman_code_lengths([0.5, 0.6]), ValueError, r"p must sum to 1"),
    (lambda: huffman_code([0.5, -0.5, 1.0]), ValueError, r"p must be non-negative"),
    (lambda: average_code_length([0.5, 0.5], [1, 2, 3]), ValueError,
     r"p and lengths must have one entry per symbol, but p has 2 and lengths has 3"),
    (lambda: average_code_length([0.5, 0.5], [1, -1]), ValueError,
     r"lengths must be whole numbers >= 0"),
    (lambda: kraft_sum([1.5, 2]), ValueError, r"lengths must be whole numbers >= 0"),
    (lambda: kraft_sum("11"), TypeError, r"lengths must be an array of real numbers"),
    (lambda: block_code_bits_per_symbol([0.5, 0.5], 0), ValueError, r"k must be at least 1"),
    (lambda: block_code_bits_per_symbol([0.5, 0.5], 2.0), TypeError, r"k must be an int"),
    (lambda: block_code_bits_per_symbol([0.5, 0.5], 2, code="arithmetic"), ValueError,
     r"code must be one of 'huffman', 'fixed'"),
    (lambda: block_code_bits_per_symbol([1 / 3] * 3, 13), ValueError,
     rf"make 1594323 blocks, more than the {MAX_BLOCK_SYMBOLS} this teaching code handles"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
