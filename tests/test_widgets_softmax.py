"""The temperature explorer's computations and drawing, without a kernel."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import scipy.special as sp

from softmax_course import plots
from softmax_course.widgets.softmax import (TEMPERATURES, draw_temperature_bars, format_prob,
                                            naive_softmax, temperature_explorer,
                                            temperature_panel, temperature_table)

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
    assert ax.get_title() == "温度 T = 2.00"
    matplotlib.pyplot.close(fig)


def test_bars_need_one_name_per_logit():
    fig, ax = plots.new_figure()
    with pytest.raises(ValueError, match="class_names has 2 names but o has 3 logits"):
        draw_temperature_bars(ax, O, 1.0, ["猫", "鸡"])
    matplotlib.pyplot.close(fig)


def test_table_rejects_a_batch():
    with pytest.raises(ValueError, match="o must be 1-dimensional"):
        temperature_table(np.zeros((2, 3)), [1.0])


def test_slider_values_are_what_it_shows():
    """The computed T is the T displayed (issue: "温度 T = 1.77828" beside a slider at 1.78)."""
    assert TEMPERATURES[0] == 0.1 and TEMPERATURES[-1] == 10.0 and 1.0 in TEMPERATURES
    assert all(float(f"{t:.2f}") == t for t in TEMPERATURES)
    assert list(TEMPERATURES) == sorted(set(TEMPERATURES))
    box = temperature_explorer(O, ["猫", "鸡", "狗"]).widget
    slider = box.children[1]
    assert slider.description == "温度 T" and slider.value == 1.0
    assert [label for label, _ in slider.options] == [f"{t:.2f}" for t in TEMPERATURES]
    assert all(float(label) == value for label, value in slider.options)


def test_naive_softmax_breaks_where_the_shifted_one_does_not():
    o = np.array([800.0, 0.0, -1.0])
    naive = naive_softmax(o, 1.0)
    assert np.isnan(naive[0]) and naive[1] == 0.0
    assert np.isnan(naive_softmax([-800.0, -801.0], 1.0)).all()       # 0 / 0
    panel = temperature_panel(o, 0.5)
    np.testing.assert_allclose(panel["stable"], sp.softmax(o / 0.5), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(naive_softmax(O, 2.0), sp.softmax(O / 2.0), rtol=1e-12)
    assert [format_prob(v) for v in naive_softmax(o)] == ["NaN", "0.000", "0.000"]


def test_explorer_controls_redraw_in_a_kernel():
    import matplotlib.pyplot as plt

    box = temperature_explorer(O, ["猫", "鸡", "狗"]).widget
    boxes, slider = box.children[0].children, box.children[1]
    assert [b.description for b in boxes] == ["猫的 logit", "鸡的 logit", "狗的 logit"]
    assert [b.value for b in boxes] == O.tolist()
    boxes[0].value = 800.0              # redraws without error or warning
    slider.value = 1.78
    plt.close("all")


def test_explorer_rejects_bad_input():
    with pytest.raises(ValueError, match=r"temperature must be one of the slider's values"):
        temperature_explorer(O, ["猫", "鸡", "狗"], value=1.7)
    with pytest.raises(ValueError, match=r"each logit must lie in \[-1000, 1000\]"):
        temperature_explorer([2000.0, 0.0, 0.0], ["猫", "鸡", "狗"])
    with pytest.raises(ValueError, match="class_names has 2 names but o has 3 logits"):
        temperature_explorer(O, ["猫", "鸡"])
    with pytest.raises(ValueError, match="temperature must be"):
        naive_softmax(O, 0.0)
