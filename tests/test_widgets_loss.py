"""Tests of the loss explorer: its computation, its figure and its controls."""
import doctest

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmax_course.calculus import numerical_gradient
from softmax_course.data import TOY_CLASSES
from softmax_course.widgets import loss as loss_widget
from softmax_course.widgets.loss import draw_loss_panel, loss_explorer, loss_panel_data

matplotlib.use("Agg")


def test_doctests():
    result = doctest.testmod(loss_widget)
    assert result.attempted >= 4 and result.failed == 0
    plt.close("all")


def test_panel_against_scipy_and_finite_differences():
    o = np.array([2.0, 1.0, -1.0])
    for label in range(3):
        panel = loss_panel_data(o, label)
        p = scipy.special.softmax(o)
        np.testing.assert_allclose(panel.probs, p, rtol=1e-14)
        assert panel.loss == pytest.approx(scipy.special.logsumexp(o) - o[label], rel=1e-13)
        assert panel.target.tolist() == [float(j == label) for j in range(3)]
        fd = numerical_gradient(lambda v: scipy.special.logsumexp(v) - v[label], o)
        np.testing.assert_allclose(panel.grad, fd, atol=1e-8)
        assert panel.label == label


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(2, 6),
              elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)),
       st.data())
def test_panel_properties(o, data):
    label = data.draw(st.integers(0, o.shape[0] - 1))
    panel = loss_panel_data(o, label)
    assert np.isfinite(panel.loss) and panel.loss >= 0
    assert abs(panel.grad.sum()) < 1e-12                      # gradient sums to 0
    assert panel.grad[label] <= 0 and (np.delete(panel.grad, label) >= 0).all()
    assert panel.loss == pytest.approx(-np.log(panel.probs[label]), rel=1e-9) \
        if panel.probs[label] > 1e-300 else True


def test_panel_at_extreme_logits_is_finite():
    panel = loss_panel_data([1000.0, 0.0, -1000.0], 2)
    assert panel.loss == 2000.0
    assert panel.grad.tolist() == [1.0, 0.0, -1.0]


@pytest.mark.parametrize("logits, label, exc, match", [
    ([1.0, 2.0, 3.0], 3, ValueError, "label must be a class index from 0 to 2"),
    ([1.0, 2.0, 3.0], -1, ValueError, "label must be at least 0"),
    ([1.0, 2.0, 3.0], 1.5, TypeError, "label must be an int"),
    ([1.0, 2.0, 3.0], "猫", TypeError, "label must be an int"),
    ([[1.0, 2.0, 3.0]], 0, ValueError, "logits must be 1-dimensional"),
    ([1.0], 0, ValueError, "at least 2 classes"),
    ([1.0, np.nan], 0, ValueError, "logits must be finite"),
])
def test_panel_rejects_bad_input(logits, label, exc, match):
    with pytest.raises(exc, match=match):
        loss_panel_data(logits, label)


def test_draw_loss_panel_bars_show_the_data():
    o = [2.0, 1.0, -1.0]
    fig = draw_loss_panel(o, 1)
    try:
        ax_o, ax_p, ax_g = fig.axes
        panel = loss_panel_data(o, 1)
        heights = lambda ax: [p.get_height() for p in ax.patches]   # noqa: E731
        assert heights(ax_o) == pytest.approx(o)
        assert heights(ax_p) == pytest.approx(list(panel.probs) + list(panel.target))
        assert heights(ax_g) == pytest.approx(panel.grad)
        for ax in fig.axes:
            assert [t.get_text() for t in ax.get_xticklabels()] == list(TOY_CLASSES)
            assert ax.get_xlabel() == "类别"
        assert "鸡" in fig._suptitle.get_text() and f"{panel.loss:.3f}" in fig._suptitle.get_text()
        assert fig.get_size_inches().tolist() == [6.4, 3.0]
    finally:
        plt.close(fig)


def test_draw_loss_panel_rejects_wrong_class_names():
    with pytest.raises(ValueError, match="one name per class"):
        draw_loss_panel([1.0, 2.0, 3.0], 0, class_names=["a", "b"])
    plt.close("all")


def test_explorer_controls_are_chinese_and_react():
    explorer = loss_explorer((2.0, 1.0, -1.0), label=2)
    assert explorer.config() == {"logits": [2.0, 1.0, -1.0], "label": 2,
                                 "classes": list(TOY_CLASSES), "range": 5.0, "step": 0.1}
    box = explorer.widget
    radio = box.children[0]
    sliders = box.children[1:4]
    assert radio.description == "真实标签" and radio.value == 2
    assert [label for label, _ in radio.options] == list(TOY_CLASSES)
    for slider, name in zip(sliders, TOY_CLASSES):
        assert name in slider.description
        assert (slider.min, slider.max, slider.step) == (-5.0, 5.0, 0.1)
    assert [s.value for s in sliders] == [2.0, 1.0, -1.0]
    sliders[0].value = 4.0          # redraws without error
    radio.value = 0
    plt.close("all")


def test_explorer_text_states_the_loss():
    explorer = loss_explorer((2.0, 1.0, -1.0), label=1)
    panel = loss_panel_data([2.0, 1.0, -1.0], 1)
    assert f"损失 = {panel.loss:.3f}" in explorer.alt()
    assert "鸡" in explorer.summary()
    plt.close("all")


@pytest.mark.parametrize("logits, label, match", [
    ((1.0, 2.0), 0, "one value per class"),
    ((9.0, 0.0, 0.0), 0, r"lie in \[-5, 5\]"),
    ((1.0, 2.0, 3.0), 5, "label must be a class index"),
])
def test_explorer_rejects_bad_initial_values(logits, label, match):
    with pytest.raises(ValueError, match=match):
        loss_explorer(logits, label)
