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


def test_importing_plots_changes_no_matplotlib_setting():
    """`import softmax_course.plots` (and the package) leave rcParams alone: only setup(),
    style() and new_figure() apply the course style."""
    import subprocess
    import sys

    code = ("import matplotlib; before = dict(matplotlib.rcParams)\n"
            "import softmax_course, softmax_course.plots, softmax_course.diagrams\n"
            "changed = sorted(k for k, v in matplotlib.rcParams.items() if before[k] != v)\n"
            "print(changed)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"importing changed rcParams: {out.stdout}"


def test_style_applies_only_inside_the_block():
    before = dict(matplotlib.rcParams)
    with plots.style() as family:
        assert matplotlib.rcParams["font.sans-serif"][0] == family
        assert matplotlib.rcParams["font.size"] == plots.STYLE["font.size"]
    assert dict(matplotlib.rcParams) == before


PHONE_COLUMN_PX = 358      # a 390 px phone minus the page margins


def test_default_figure_text_is_readable_on_a_phone():
    """Every text size of the style, scaled from the figure's pixel width down to a phone's
    column, is at least 10 CSS pixels."""
    fig, ax = plots.new_figure()
    ax.set_title("标题")
    ax.set_xlabel("横轴")
    width_px = fig.get_size_inches()[0] * fig.dpi
    scale = min(1.0, PHONE_COLUMN_PX / width_px)
    sizes = {"title": ax.title.get_fontsize(), "label": ax.xaxis.label.get_fontsize(),
             "ticks": ax.xaxis.get_ticklabels()[0].get_fontsize()}
    for name, points in sizes.items():
        phone_px = points * fig.dpi / 72 * scale
        assert phone_px >= 10, f"{name} text is {phone_px:.1f} px on a phone"
    plt.close(fig)
