"""Temperature explorer: how dividing the logits by T sharpens or flattens the softmax, and why
the naive formula breaks at large logits while the shifted one does not.

- :func:`temperature_table`, :func:`naive_softmax`, :func:`temperature_panel`: the computations
  (plain numpy, tested; the book's browser script computes the same and is tested against them);
- :func:`draw_temperature_bars`: the bar chart, usable without a kernel;
- :func:`temperature_explorer`: the explorer (number boxes for the logits, a slider for T).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._validation import as_float_array, check_positive
from ..core import softmax
from .explorer import Explorer

__all__ = ["TEMPERATURES", "LOGIT_LIMIT", "temperature_table", "naive_softmax",
           "temperature_panel", "format_prob", "draw_temperature_bars", "TemperatureExplorer",
           "temperature_explorer"]

#: The slider's temperatures: 10^(k/20) for k = -20..20, rounded to the 2 decimals it shows,
#: so the value computed with is exactly the value the reader sees.
TEMPERATURES: tuple[float, ...] = tuple(sorted({round(10 ** (k / 20), 2) for k in range(-20, 21)}))
#: The logit boxes accept values in [-LOGIT_LIMIT, LOGIT_LIMIT].
LOGIT_LIMIT = 1000.0


def temperature_table(o: Any, temperatures: Sequence[float]) -> np.ndarray:
    """Softmax probabilities of the logit vector ``o`` at each temperature, one row per T.

    Examples
    --------
    >>> temperature_table([1.0, 0.0], [1.0, 1e9]).round(3).tolist()
    [[0.731, 0.269], [0.5, 0.5]]
    """
    o = as_float_array(o, "o", ndim=1)
    return np.stack([softmax(o, temperature=t) for t in temperatures])


def naive_softmax(o: Any, temperature: float = 1.0) -> np.ndarray:
    r"""The textbook formula without the shift, as a reader would type it: ``exp(o/T) / sum``.

    Once some :math:`o_j / T > 709.78`, ``exp`` overflows to ``inf`` and ``inf / inf`` gives
    NaN; when every :math:`o_j / T < -745` all terms underflow to 0 and ``0 / 0`` gives NaN.
    Those results are the point of the chapter, so they are returned (without warnings).

    Examples
    --------
    >>> naive_softmax([1.0, 0.0]).round(3).tolist()
    [0.731, 0.269]
    >>> naive_softmax([800.0, 0.0]).tolist()
    [nan, 0.0]
    """
    o = as_float_array(o, "o", ndim=1)
    t = check_positive(temperature, "temperature")
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        e = np.exp(o / t)
        return e / e.sum()


def temperature_panel(o: Any, temperature: float) -> dict[str, np.ndarray]:
    """What the explorer shows: the shifted (stable) and the naive probabilities.

    Examples
    --------
    >>> panel = temperature_panel([2.0, -1.0, 0.5], 1.0)
    >>> panel["stable"].round(3).tolist(), bool(np.allclose(panel["stable"], panel["naive"]))
    ([0.786, 0.039, 0.175], True)
    """
    t = check_positive(temperature, "temperature")
    return {"stable": softmax(as_float_array(o, "o", ndim=1), temperature=t),
            "naive": naive_softmax(o, t)}


def format_prob(value: float) -> str:
    """A probability as the explorers print it: 3 decimals, or "NaN".

    Examples
    --------
    >>> format_prob(0.12345), format_prob(float("nan"))
    ('0.123', 'NaN')
    """
    return "NaN" if np.isnan(value) else f"{value:.3f}"


def draw_temperature_bars(ax, o: Any, temperature: float, class_names: Sequence[str]) -> None:
    """Draw the softmax probabilities of ``o`` at one temperature as a bar chart on ``ax``."""
    from ..plots import CLASS_COLORS

    p = temperature_table(o, [temperature])[0]
    if len(class_names) != p.size:
        raise ValueError(f"class_names has {len(class_names)} names but o has {p.size} logits; "
                         f"pass one name per logit.")
    bars = ax.bar(list(class_names), p, color=CLASS_COLORS[:p.size])
    ax.bar_label(bars, labels=[format_prob(v) for v in p])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("概率")
    ax.set_title(f"温度 T = {temperature:.2f}")


def _check_logits(o: Any, class_names: Sequence[str]) -> np.ndarray:
    o = as_float_array(o, "o", ndim=1)
    if len(class_names) != o.size:
        raise ValueError(f"class_names has {len(class_names)} names but o has {o.size} logits; "
                         f"pass one name per logit.")
    if np.abs(o).max() > LOGIT_LIMIT:
        raise ValueError(f"each logit must lie in [-{LOGIT_LIMIT:g}, {LOGIT_LIMIT:g}] (the range "
                         f"of the explorer's boxes), but got {o.tolist()}; pick smaller values.")
    return o


class TemperatureExplorer(Explorer):
    """Editable logits and a temperature slider → the softmax bars, naive vs stable."""

    kind = "temperature"
    title = "温度探索器"

    def __init__(self, o: Any, class_names: Sequence[str], *, temperature: float = 1.0):
        self.class_names = [str(c) for c in class_names]
        self.o = _check_logits(o, self.class_names)
        t = check_positive(temperature, "temperature")
        if t not in TEMPERATURES:
            raise ValueError(f"temperature must be one of the slider's values {TEMPERATURES}, "
                             f"but got {temperature!r}; pick the nearest, e.g. 1.0.")
        self.temperature = t

    def config(self) -> dict[str, Any]:
        return {"logits": self.o.tolist(), "classes": self.class_names,
                "temperatures": list(TEMPERATURES), "temperature": self.temperature,
                "limit": LOGIT_LIMIT}

    def _describe(self, o: np.ndarray, t: float) -> str:
        panel = temperature_panel(o, t)
        stable = "，".join(f"{n} {format_prob(v)}" for n, v in zip(self.class_names,
                                                                   panel["stable"]))
        return f"温度 T = {t:.2f} 时各类别的 softmax 概率柱状图：{stable}。"

    def alt(self) -> str:
        return self._describe(self.o, self.temperature)

    def _figure(self, o: np.ndarray, t: float):
        from ..plots import new_figure

        fig, ax = new_figure(width=4.8, height=3.0)
        draw_temperature_bars(ax, o, t, self.class_names)
        return fig

    def draw(self):
        return self._figure(self.o, self.temperature)

    def summary(self) -> str:
        logits = ", ".join(f"{v:g}" for v in self.o)
        return (f"<温度探索器：logit ({logits})，T = {self.temperature:.2f}。网页版可直接操作；"
                f"在 Jupyter 中运行本单元格后用控件操作>")

    def build_widget(self):
        import ipywidgets as widgets

        from .explorer import live_output

        style = {"description_width": "initial"}
        boxes = {f"o{j}": widgets.BoundedFloatText(value=float(v), min=-LOGIT_LIMIT,
                                                   max=LOGIT_LIMIT, step=0.1,
                                                   description=f"{name}的 logit", style=style)
                 for j, (name, v) in enumerate(zip(self.class_names, self.o))}
        slider = widgets.SelectionSlider(options=[(f"{t:.2f}", t) for t in TEMPERATURES],
                                         value=self.temperature, description="温度 T",
                                         continuous_update=False, style=style)

        def show(temperature: float, **logits: float):
            o = np.array([logits[f"o{j}"] for j in range(len(self.class_names))])
            panel = temperature_panel(o, temperature)
            naive = "，".join(f"{n} {format_prob(v)}"
                              for n, v in zip(self.class_names, panel["naive"]))
            stable = "，".join(f"{n} {format_prob(v)}"
                               for n, v in zip(self.class_names, panel["stable"]))
            return (self._figure(o, temperature), self._describe(o, temperature),
                    f"<p>减去最大值后（稳定）：{stable}<br>直接按公式计算：{naive}</p>")

        out = live_output({"temperature": slider, **boxes}, show)
        return widgets.VBox([widgets.HBox(list(boxes.values())), slider, out])


def temperature_explorer(o: Any, class_names: Sequence[str], *,
                         value: float = 1.0) -> TemperatureExplorer:
    """The temperature explorer of the logits ``o`` (editable), starting at ``T = value``.

    Display it as the last line of a cell. In the book the controls compute in the browser; in
    a running kernel they redraw through the package.
    """
    return TemperatureExplorer(o, class_names, temperature=value)
