"""The judging rules shared by the self-checks and the grader (issue 15 item 10: fair exercises).

A right scalar returned as a size-1 array is right; a choice written with other spacing, case or
``||`` for ``‖`` is the same choice. Both the self-checks and the grader's judge apply these rules.
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats

from softmax_course import exercises
from softmax_course.exercises import (as_real, compare_output, describe_check, normalise_choice,
                                      numbers_agree)
from softmax_course.tools.grade_checks import judge
from softmax_course.tools.grade_data import decode, encode


def _ce(o, y):                                   # independent reference: scipy's log_softmax
    return -sp.log_softmax(np.asarray(o, dtype=float))[y]


def _entropy_bits(o, T):
    return scipy.stats.entropy(sp.softmax(np.asarray(o, dtype=float) / T), base=2)


@pytest.mark.parametrize("wrap", [lambda v: np.array([v]), lambda v: np.array([[v]])])
def test_size_one_array_passes_stable_ce(wrap):
    assert exercises.check_stable_cross_entropy(lambda o, y: wrap(_ce(o, y)))


@pytest.mark.parametrize("wrap", [lambda v: np.array([v]), lambda v: np.array([[v]])])
def test_size_one_array_passes_temperature(wrap):
    assert exercises.check_temperature_entropy(lambda o, T: wrap(_entropy_bits(o, T)))


def test_size_one_array_is_still_checked_for_value_and_larger_shapes_fail():
    wrong = exercises.check_stable_cross_entropy(lambda o, y: np.array([_ce(o, y) + 1.0]))
    assert not wrong and "不一致" in wrong.message
    two = exercises.check_stable_cross_entropy(lambda o, y: np.array([_ce(o, y)] * 2))
    assert not two and "形状" in two.message


@pytest.mark.parametrize("answer", ["W[2,1]", "w[2, 1]", " W[ 2 , 1 ] ", "Ｗ[2,1]"])
def test_orientation_choice_is_normalised(answer):
    assert exercises.check_orientation(answer)


@pytest.mark.parametrize("answer", ["KL(P||Q)", "kl(p‖q)", "KL(P ‖ Q)", "KL（P||Q）"])
def test_kl_choice_is_normalised(answer):
    assert exercises.check_cross_entropy_minimizer(answer)


@pytest.mark.parametrize("answer", ["b", " B ", "Ｂ"])
def test_letter_choice_is_normalised(answer):
    assert exercises.check_ordinal(answer)


def test_normalisation_does_not_make_wrong_choices_right():
    assert not exercises.check_orientation("W[1,2]")
    assert not exercises.check_cross_entropy_minimizer("KL(Q||P)")
    assert not exercises.check_ordinal("a")
    assert "之一" in exercises.check_ordinal("BB").message
    # choices that differ only in case: only an exact answer names one of them
    assert normalise_choice("a", ("a", "A")) == "a"
    assert normalise_choice(" a", ("a", "A")) is None
    assert normalise_choice(3, ("3",)) is None


def test_numbers_agree_is_the_digest_rule():
    # check_number accepts exactly what numbers_agree accepts (same rounding to tol)
    name, tol, expected = "ex-00-demo", 1e-3, 0.7412
    stored = exercises.digest(name, expected, tol)
    for value in np.linspace(expected - 0.004, expected + 0.004, 81):
        by_digest = bool(exercises.check_number(name, value, stored, tol, "提示"))
        assert by_digest == numbers_agree(value, expected, tol), value
    assert as_real(np.array([[2.5]])) == 2.5 and isinstance(as_real([2.5]), str)


def test_compare_output_rules():
    assert compare_output(np.array([1.0]), np.float64(1.0), rtol=0, atol=0) is None
    assert "形状" in compare_output(np.ones(2), np.ones(3), rtol=0, atol=0)
    assert "NaN" in compare_output(np.array([np.nan]), 1.0, rtol=0, atol=0)
    assert compare_output(np.inf, np.inf, rtol=0, atol=0) is None
    assert compare_output(-np.inf, np.inf, rtol=0, atol=0) is not None
    assert "函数应当返回" in compare_output(object(), 1.0, rtol=0, atol=0)


def test_describe_check_reads_a_chapter_check_without_recording_a_verdict():
    exercises.reset_results()
    spec = describe_check(exercises.check_orientation, None)
    assert spec.kind == "choice" and "W[2, 1]" in spec.choices and spec.hint
    spec = describe_check(exercises.check_stable_cross_entropy, None)
    assert spec.kind == "function" and spec.rtol == 1e-9 and spec.reference is not None
    spec = describe_check(exercises.check_soft_distance, None)
    assert spec.kind == "number" and spec.tol == 1e-3
    assert exercises.results() == {}
    with pytest.raises(ValueError, match="exactly one call"):
        describe_check(lambda answer: None, None)


# ----------------------------------------------------------------- the grader judges alike
def _choice(value):
    return decode(encode(value))


def _outputs(*values):
    return decode({"type": "outputs", "items": [encode(v) for v in values]})


def test_grader_accepts_the_same_normalised_choices():
    spec = describe_check(exercises.check_orientation, None)
    ok, _ = judge(spec, _choice("W[2,1]"), _choice("W[2, 1]"))
    assert ok
    spec = describe_check(exercises.check_cross_entropy_minimizer, None)
    assert judge(spec, _choice("KL(P||Q)"), _choice("KL(P‖Q)"))[0]
    assert not judge(spec, _choice("KL(Q||P)"), _choice("KL(P‖Q)"))[0]
    spec = describe_check(exercises.check_ordinal, None)
    assert judge(spec, _choice("b"), _choice("B"))[0]


def test_grader_accepts_size_one_outputs():
    spec = describe_check(exercises.check_stable_cross_entropy, None)
    expected = _outputs(2.5)
    assert judge(spec, _outputs(np.array([2.5])), expected)[0]
    assert judge(spec, _outputs(np.array([[2.5]])), expected)[0]
    ok, message = judge(spec, _outputs(np.array([2.6])), expected)
    assert not ok and "不一致" in message
