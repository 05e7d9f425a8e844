"""Information explorer: move the distributions P and Q and watch H(P), H(P, Q) and KL(P‖Q)."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .._validation import as_distribution, as_float_array, check_choice
from ..info import NAT_IN_BITS, cross_entropy_dist, entropy, kl_divergence
from .explorer import Explorer

__all__ = ["info_quantities", "q_from_weights", "draw_info_bars", "format_info", "InfoExplorer",
           "cross_entropy_explorer"]

_UNIT_NAMES = {"bit": "比特", "nat": "纳特"}


def info_quantities(p: Any, q: Any, unit: str = "bit") -> dict[str, float]:
    """Entropy of ``p``, cross-entropy of ``q`` against ``p`` and their difference, the KL.

    Returns ``{"H(P)": ..., "H(P,Q)": ..., "KL(P‖Q)": ...}`` (floats in ``unit``); the
    cross-entropy and the KL are ``inf`` when ``q`` rules out an outcome that ``p`` allows.

    Examples
    --------
    >>> from softmax_course.widgets.info import info_quantities
    >>> {k: round(v, 4) for k, v in info_quantities([0.5, 0.5], [0.25, 0.75]).items()}
    {'H(P)': 1.0, 'H(P,Q)': 1.2075, 'KL(P‖Q)': 0.2075}
    """
    return {"H(P)": entropy(p, unit), "H(P,Q)": cross_entropy_dist(p, q, unit),
            "KL(P‖Q)": kl_divergence(p, q, unit)}


def q_from_weights(weights: Any) -> np.ndarray:
    """Turn non-negative slider weights into a distribution by dividing by their sum.

    Examples
    --------
    >>> from softmax_course.widgets.info import q_from_weights
    >>> q_from_weights([1, 1, 2]).tolist()
    [0.25, 0.25, 0.5]
    """
    w = as_float_array(weights, "weights", ndim=1)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"weights must be >= 0 with a positive sum, but got {w.tolist()}; "
                         f"give at least one outcome a positive weight.")
    return w / w.sum()


def draw_info_bars(axes: Sequence[Any], p: Any, q: Any, *, unit: str = "bit",
                   class_names: Sequence[str] | None = None) -> dict[str, float]:
    """Draw P and Q side by side on ``axes[0]`` and H(P), H(P, Q), KL as bars on ``axes[1]``.

    Works without a kernel (the chapter's static picture uses it); returns the three
    quantities. An infinite bar is drawn up to the top of the axis and labelled "∞".
    """
    from ..plots import CLASS_COLORS

    check_choice(unit, "unit", tuple(_UNIT_NAMES))
    values = info_quantities(p, q, unit)
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    names = list(class_names) if class_names is not None else [str(j) for j in range(p.size)]
    if len(names) != p.size:
        raise ValueError(f"class_names has {len(names)} names but p has {p.size} outcomes; "
                         f"pass one name per outcome.")

    ax = axes[0]
    x = np.arange(p.size)
    ax.bar(x - 0.2, p, width=0.4, color="#8C8C8C", label="真实分布 P")
    ax.bar(x + 0.2, q, width=0.4, color=CLASS_COLORS[:p.size], label="模型分布 Q")
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("概率")
    ax.set_title("P（灰）与 Q（彩色）")
    ax.legend(loc="upper right", fontsize="small")

    ax = axes[1]
    heights = list(values.values())
    finite = [v for v in heights if math.isfinite(v)]
    max_entropy = math.log(p.size) * (NAT_IN_BITS if unit == "bit" else 1.0)
    top = max(2.0 * max_entropy, 1.15 * max(finite, default=1.0), 0.5)
    shown = [v if math.isfinite(v) else top for v in heights]
    bars = ax.bar(["H(P)", "H(P, Q)", "KL(P‖Q)"], shown, color=["#4C72B0", "#DD8452", "#C44E52"])
    ax.bar_label(bars, labels=[f"{v:.3f}" if math.isfinite(v) else "∞" for v in heights])
    ax.axhline(values["H(P)"], color="#4C72B0", linestyle="--", linewidth=1)
    ax.set_ylim(0, top * 1.1)
    ax.set_ylabel(_UNIT_NAMES[unit])
    ax.set_title("熵、交叉熵与 KL 散度")
    return values


def format_info(value: float) -> str:
    """An information quantity as the explorer prints it: 3 decimals, or "∞".

    Examples
    --------
    >>> format_info(1.48547), format_info(float("inf"))
    ('1.485', '∞')
    """
    return f"{value:.3f}" if math.isfinite(value) else "∞"


class InfoExplorer(Explorer):
    """Weights of two distributions P and Q and a unit → H(P), H(P, Q) and KL(P‖Q)."""

    kind = "info"
    title = "熵与交叉熵探索器"

    def __init__(self, p_weights: Sequence[float], q_weights: Sequence[float],
                 class_names: Sequence[str], *, unit: str = "bit"):
        self.class_names = [str(c) for c in class_names]
        self.unit = check_choice(unit, "unit", tuple(_UNIT_NAMES))
        weights = []
        for name, w in (("p_weights", p_weights), ("q_weights", q_weights)):
            w = as_float_array(w, name, ndim=1)
            if w.size != len(self.class_names) or (w < 0).any() or (w > 1).any() \
                    or w.sum() <= 0:
                raise ValueError(f"{name} must hold one weight in [0, 1] per class "
                                 f"({len(self.class_names)}) with a positive sum, but got "
                                 f"{w.tolist()}; e.g. [0.5, 0.3, 0.2].")
            weights.append(np.round(w, 2))
        self.p_weights, self.q_weights = weights

    def config(self) -> dict[str, Any]:
        return {"p": self.p_weights.tolist(), "q": self.q_weights.tolist(),
                "classes": self.class_names, "unit": self.unit, "step": 0.01,
                "units": {k: v for k, v in _UNIT_NAMES.items()}}

    def _describe(self, pw: Any, qw: Any, unit: str) -> str:
        p, q = q_from_weights(pw), q_from_weights(qw)
        values = [format_info(v) for v in info_quantities(p, q, unit).values()]
        ps = "、".join(f"{v:.3f}" for v in p)
        qs = "、".join(f"{v:.3f}" for v in q)
        return (f"左图：{'、'.join(self.class_names)}三类的真实分布 P（{ps}，灰色）与模型分布 Q"
                f"（{qs}，彩色）并排的柱状图。右图：熵 H(P) = {values[0]}、交叉熵 H(P, Q) = "
                f"{values[1]}、KL 散度 = {values[2]}（单位：{_UNIT_NAMES[unit]}）。")

    def alt(self) -> str:
        return self._describe(self.p_weights, self.q_weights, self.unit)

    def _figure(self, pw: Any, qw: Any, unit: str):
        from ..plots import new_figure

        fig, axes = new_figure(2, width=6.4, height=3.0)
        draw_info_bars(axes, q_from_weights(pw), q_from_weights(qw), unit=unit,
                       class_names=self.class_names)
        return fig

    def draw(self):
        return self._figure(self.p_weights, self.q_weights, self.unit)

    def summary(self) -> str:
        return (f"<熵与交叉熵探索器：P 的权重 {self.p_weights.tolist()}，Q 的权重 "
                f"{self.q_weights.tolist()}，单位：{_UNIT_NAMES[self.unit]}。网页版可直接操作；"
                f"在 Jupyter 中运行本单元格后用控件操作>")

    def build_widget(self):
        import ipywidgets as widgets

        from .explorer import live_output

        style = {"description_width": "initial"}
        sliders = {}
        for dist, start in (("p", self.p_weights), ("q", self.q_weights)):
            for j, (name, w) in enumerate(zip(self.class_names, start)):
                sliders[f"{dist}{j}"] = widgets.FloatSlider(
                    value=float(w), min=0.0, max=1.0, step=0.01, readout_format=".2f",
                    description=f"{dist.upper()} 中{name}的权重", style=style,
                    continuous_update=False)
        unit = widgets.RadioButtons(options=[(v, k) for k, v in _UNIT_NAMES.items()],
                                    value=self.unit, description="单位", style=style)
        k = len(self.class_names)

        def show(unit: str, **kw: float):
            pw = [round(kw[f"p{j}"], 2) for j in range(k)]
            qw = [round(kw[f"q{j}"], 2) for j in range(k)]
            if sum(pw) <= 0 or sum(qw) <= 0:
                return "P 和 Q 各至少要有一个正的权重。"
            return self._figure(pw, qw, unit), self._describe(pw, qw, unit)

        out = live_output({"unit": unit, **sliders}, show)
        note = widgets.HTML("P 和 Q 的权重各自除以它们的和，得到概率分布。")
        return widgets.VBox([note, unit, *sliders.values(), out])


def cross_entropy_explorer(p: Any, class_names: Sequence[str], *, unit: str = "bit",
                           weights: Sequence[float] | None = None) -> InfoExplorer:
    """The information explorer: sliders for the weights of P (starting at ``p``) and of Q
    (starting at ``weights``, default all equal), a unit switch, and the bars of
    :func:`draw_info_bars`.

    P and Q are their weights divided by the sum, so any slider setting with a positive sum is
    a valid distribution. Display the result as the last line of a cell.

    Examples
    --------
    >>> from softmax_course.widgets.info import cross_entropy_explorer
    >>> explorer = cross_entropy_explorer([0.5, 0.3, 0.2], ["猫", "鸡", "狗"],
    ...                                   weights=[0.2, 0.3, 0.5])
    >>> explorer.config()["q"], explorer.unit
    ([0.2, 0.3, 0.5], 'bit')
    """
    p = as_distribution(p, "p")
    start = [0.5] * p.size if weights is None else list(weights)
    if p.ndim != 1 or not len(class_names) == len(start) == p.size:
        raise ValueError(f"p must be one distribution with one class name and one start weight "
                         f"per outcome, but got p of shape {p.shape}, {len(class_names)} names "
                         f"and {len(start)} weights.")
    return InfoExplorer(p, start, class_names, unit=unit)
