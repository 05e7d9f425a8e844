"""The course plotting helpers: style, CJK font and figures shown with alt text."""
from __future__ import annotations

from unittest import mock

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from softmax_course import plots


def test_setup_selects_the_cjk_font_and_is_idempotent():
    family = plots.setup()
    assert family == plots.setup()
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert plots.cjk_font_path().is_file()


def test_new_figure_has_the_requested_grid():
    fig, axes = plots.new_figure(ncols=3, width=6.0, height=2.0)
    assert len(axes) == 3
    assert tuple(fig.get_size_inches()) == pytest.approx((6.0, 2.0))
    plt.close(fig)


def test_show_sends_alt_text_with_the_image_and_closes_the_figure():
    fig, _ = plots.new_figure()
    with mock.patch("IPython.display.display") as display:
        plots.show(fig, "一幅测试图")
    (shown,), kwargs = display.call_args
    assert shown is fig
    assert kwargs["metadata"] == {"image/png": {"alt": "一幅测试图"}}
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_show_requires_alt_text(alt):
    fig, _ = plots.new_figure()
    with pytest.raises(ValueError, match="alt must be a non-empty description"):
        plots.show(fig, alt)
    plt.close(fig)
