"""Tests of the cross-entropy explorer's computations and drawing (no kernel needed)."""
from __future__ import annotations

import doctest
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.stats

import softmax_course.widgets.info as module
from softmax_course import plots
from softmax_course.data import TOY_CLASSES
from softmax_course.widgets.info import (cross_entropy_explorer, draw_info_bars, format_info,
                                         info_quantities, q_from_weights)

P = np.array([0.5, 0.3, 0.2])


def test_doctests():
    result = doctest.testmod(module)
    assert result.attempted >= 3 and result.failed == 0


def test_info_quantities_against_scipy():
    q = np.array([0.2, 0.3, 0.5])
    values = info_quantities(P, q, unit="bit")
    assert list(values) == ["H(P)", "H(P,Q)", "KL(P‖Q)"]
    assert values["H(P)"] == pytest.approx(scipy.stats.entropy(P, base=2), rel=1e-12)
    assert values["KL(P‖Q)"] == pytest.approx(scipy.stats.entropy(P, q, base=2), rel=1e-12)
    assert values["H(P,Q)"] == pytest.approx(values["H(P)"] + values["KL(P‖Q)"], rel=1e-12)
    nats = info_quantities(P, q, unit="nat")
    assert nats["H(P,Q)"] == pytest.approx(values["H(P,Q)"] * math.log(2), rel=1e-12)


def test_minimum_at_q_equals_p():
    values = info_quantities(P, P)
    assert values["KL(P‖Q)"] == 0.0 and values["H(P,Q)"] == values["H(P)"]


def test_q_from_weights_normalises():
    np.testing.assert_allclose(q_from_weights([0.5, 0.5, 1.0]), [0.25, 0.25, 0.5])
    np.testing.assert_allclose(q_from_weights([2, 0, 0]), [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"weights must be >= 0 with a positive sum, but got "
                                         r"\[0\.0, 0\.0\]"):
        q_from_weights([0, 0])
    with pytest.raises(ValueError, match=r"weights must be >= 0"):
        q_from_weights([1, -1, 1])
    with pytest.raises(ValueError, match=r"weights must be 1-dimensional"):
        q_from_weights([[1, 1]])


def test_draw_info_bars_heights_and_labels():
    q = np.array([0.2, 0.3, 0.5])
    fig, axes = plots.new_figure(2, width=6.4, height=3.0)
    values = draw_info_bars(axes, P, q, class_names=TOY_CLASSES)
    heights = [patch.get_height() for patch in axes[1].patches]
    np.testing.assert_allclose(heights, list(values.values()), rtol=1e-12)
    labels = [t.get_text() for t in axes[1].texts]
    assert labels == [f"{v:.3f}" for v in values.values()]
    assert [t.get_text() for t in axes[0].get_xticklabels()] == list(TOY_CLASSES)
    assert axes[1].get_ylabel() == "比特"
    plt.close(fig)


def test_draw_info_bars_with_infinite_cross_entropy():
    fig, axes = plots.new_figure(2)
    values = draw_info_bars(axes, P, [0.5, 0.5, 0.0], unit="nat", class_names=TOY_CLASSES)
    assert values["H(P,Q)"] == math.inf and values["KL(P‖Q)"] == math.inf
    assert [t.get_text() for t in axes[1].texts][1:] == ["∞", "∞"]
    heights = [patch.get_height() for patch in axes[1].patches]
    assert all(math.isfinite(h) for h in heights) and heights[1] > heights[0]
    assert axes[1].get_ylabel() == "纳特"
    plt.close(fig)


def test_draw_info_bars_bad_input():
    fig, axes = plots.new_figure(2)
    with pytest.raises(ValueError, match=r"class_names has 2 names but p has 3 outcomes"):
        draw_info_bars(axes, P, P, class_names=["a", "b"])
    with pytest.raises(ValueError, match=r"unit must be one of 'bit', 'nat'"):
        draw_info_bars(axes, P, P, unit="bits")
    plt.close(fig)


def test_explorer_builds_and_follows_the_sliders(monkeypatch):
    seen = []
    monkeypatch.setattr(module, "draw_info_bars",
                        lambda axes, p, q, **kw: seen.append((np.asarray(p), np.asarray(q),
                                                             kw["unit"])))
    explorer = cross_entropy_explorer(P, TOY_CLASSES)
    assert explorer.config()["p"] == P.tolist() and explorer.config()["q"] == [0.5] * 3
    box = explorer.widget
    sliders = [c for c in box.children if isinstance(c, widgets.FloatSlider)]
    assert [s.description for s in sliders] == ["P 中猫的权重", "P 中鸡的权重", "P 中狗的权重",
                                                "Q 中猫的权重", "Q 中鸡的权重", "Q 中狗的权重"]
    np.testing.assert_allclose(seen[-1][1], [1 / 3] * 3)
    sliders[3].value = 1.0
    np.testing.assert_allclose(seen[-1][1], [0.5, 0.25, 0.25])
    sliders[0].value = 0.0
    np.testing.assert_allclose(seen[-1][0], [0.0, 0.6, 0.4])
    unit = next(c for c in box.children if isinstance(c, widgets.RadioButtons))
    unit.value = "nat"
    assert seen[-1][2] == "nat"
    plt.close("all")


def test_format_info():
    assert format_info(math.inf) == "∞" and format_info(0.39689) == "0.397"


def test_explorer_bad_input():
    with pytest.raises(ValueError, match=r"one class name and one start weight per outcome"):
        cross_entropy_explorer(P, ["a", "b"])
    with pytest.raises(ValueError, match=r"p must sum to 1"):
        cross_entropy_explorer([0.5, 0.6], ["a", "b"])
    with pytest.raises(ValueError, match=r"q_weights must hold one weight in \[0, 1\] per class"):
        cross_entropy_explorer(P, TOY_CLASSES, weights=[0.0, 0.0, 0.0])
