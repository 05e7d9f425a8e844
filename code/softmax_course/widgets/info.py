"""Cross-entropy explorer: move the model distribution Q and watch H(P), H(P, Q) and KL(P‖Q)."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .._validation import as_distribution, as_float_array, check_choice
from ..info import NAT_IN_BITS, cross_entropy_dist, entropy, kl_divergence

__all__ = ["info_quantities", "q_from_weights", "draw_info_bars", "cross_entropy_explorer"]

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


def cross_entropy_explorer(p: Any, class_names: Sequence[str], *, unit: str = "bit",
                           weights: Sequence[float] | None = None):
    """Sliders for the (unnormalised) weights of Q, and the bars of :func:`draw_info_bars`.

    Q is the weights divided by their sum, so any slider setting is a valid distribution; the
    sliders start at ``weights`` (default: all equal, i.e. the uniform Q). Needs a running
    kernel to update; the first picture is saved with the widget state.
    """
    import ipywidgets as widgets

    from ..plots import new_figure, show as show_figure

    p = as_distribution(p, "p")
    start = [0.5] * p.size if weights is None else list(weights)
    if p.ndim != 1 or not len(class_names) == len(start) == p.size:
        raise ValueError(f"p must be one distribution with one class name and one start weight "
                         f"per outcome, but got p of shape {p.shape}, {len(class_names)} names "
                         f"and {len(start)} weights.")
    sliders = {f"w{j}": widgets.FloatSlider(value=float(w), min=0.01, max=1.0, step=0.01,
                                            description=f"Q 中 {name}", readout_format=".2f",
                                            continuous_update=False)
               for j, (name, w) in enumerate(zip(class_names, start))}

    def show(**kw: float) -> None:
        q = q_from_weights([kw[f"w{j}"] for j in range(p.size)])
        fig, axes = new_figure(2, width=6.4, height=3.0)
        draw_info_bars(axes, p, q, unit=unit, class_names=class_names)
        h, hpq, kl = info_quantities(p, q, unit=unit).values()
        show_figure(fig, f"左图并排画出真实分布 P（灰）与模型分布 Q（彩色）的各类概率；右图是熵 H(P) = {h:.3f}、"
                         f"交叉熵 H(P, Q) = {hpq:.3f} 和 KL 散度 = {kl:.3f}（单位：{unit}）的柱状图。")

    out = widgets.interactive_output(show, sliders)
    note = widgets.HTML("拖动滑块改变 Q 的权重（Q 会自动归一化，使概率之和为 1）。")
    return widgets.VBox([note, *sliders.values(), out])
