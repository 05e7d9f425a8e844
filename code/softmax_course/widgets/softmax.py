"""Temperature explorer: how dividing the logits by T sharpens or flattens the softmax."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._validation import as_float_array
from ..core import softmax

__all__ = ["temperature_table", "draw_temperature_bars", "temperature_explorer"]


def temperature_table(o: Any, temperatures: Sequence[float]) -> np.ndarray:
    """Softmax probabilities of the logit vector ``o`` at each temperature, one row per T.

    Examples
    --------
    >>> temperature_table([1.0, 0.0], [1.0, 1e9]).round(3).tolist()
    [[0.731, 0.269], [0.5, 0.5]]
    """
    o = as_float_array(o, "o", ndim=1)
    return np.stack([softmax(o, temperature=t) for t in temperatures])


def draw_temperature_bars(ax, o: Any, temperature: float, class_names: Sequence[str]) -> None:
    """Draw the softmax probabilities of ``o`` at one temperature as a bar chart on ``ax``."""
    from ..plots import CLASS_COLORS

    p = temperature_table(o, [temperature])[0]
    if len(class_names) != p.size:
        raise ValueError(f"class_names has {len(class_names)} names but o has {p.size} logits; "
                         f"pass one name per logit.")
    bars = ax.bar(list(class_names), p, color=CLASS_COLORS[:p.size])
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in p])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("概率")
    ax.set_title(f"温度 T = {temperature:g}")


def temperature_explorer(o: Any, class_names: Sequence[str], *, value: float = 1.0):
    """A slider for T and the bar chart of ``softmax(o / T)``; needs a running kernel to update.

    The first picture is drawn when the explorer is created, so it is saved with the
    notebook's widget state and shows in the static book too.
    """
    import ipywidgets as widgets

    from ..plots import new_figure, show as show_figure

    slider = widgets.FloatLogSlider(value=value, base=10, min=-1, max=1, step=0.05,
                                    description="温度 T", readout_format=".2f",
                                    continuous_update=False)

    def show(temperature: float) -> None:
        fig, ax = new_figure(width=4.8, height=3.0)
        draw_temperature_bars(ax, o, temperature, class_names)
        p = temperature_table(o, [temperature])[0]
        values = "，".join(f"{name} {v:.2f}" for name, v in zip(class_names, p))
        show_figure(fig, f"温度 T = {temperature:.2f} 时各类别的 softmax 概率柱状图：{values}。")

    out = widgets.interactive_output(show, {"temperature": slider})
    return widgets.VBox([slider, out])
