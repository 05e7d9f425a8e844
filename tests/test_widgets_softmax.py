"""The temperature explorer's computations and drawing, without a kernel."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import scipy.special as sp

from softmax_course import plots
from softmax_course.widgets.softmax import (draw_temperature_bars, temperature_explorer,
                                            temperature_table)

O = np.array([2.0, -1.0, 0.5])


def test_table_rows_are_softmax_of_scaled_logits():
    temps = [0.1, 1.0, 7.5]
    table = temperature_table(O, temps)
    for row, t in zip(table, temps):
        np.testing.assert_allclose(row, sp.softmax(O / t), rtol=1e-12, atol=1e-300)


def test_limits_of_temperature():
    cold, hot = temperature_table(O, [1e-3, 1e9])
    np.testing.assert_allclose(cold, [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(hot, [1 / 3] * 3, atol=1e-8)


def test_bars_show_the_probabilities():
    fig, ax = plots.new_figure()
    draw_temperature_bars(ax, O, 2.0, ["猫", "鸡", "狗"])
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, sp.softmax(O / 2.0))
    assert ax.get_title() == "温度 T = 2"
    matplotlib.pyplot.close(fig)


def test_bars_need_one_name_per_logit():
    fig, ax = plots.new_figure()
    with pytest.raises(ValueError, match="class_names has 2 names but o has 3 logits"):
        draw_temperature_bars(ax, O, 1.0, ["猫", "鸡"])
    matplotlib.pyplot.close(fig)


def test_table_rejects_a_batch():
    with pytest.raises(ValueError, match="o must be 1-dimensional"):
        temperature_table(np.zeros((2, 3)), [1.0])


def test_explorer_has_a_labelled_slider():
    box = temperature_explorer(O, ["猫", "鸡", "狗"])
    slider = box.children[0]
    assert slider.description == "温度 T" and slider.value == pytest.approx(1.0)
