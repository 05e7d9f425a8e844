"""Explorer of the cross-entropy loss: logits, probabilities and gradient for a chosen label.

- :func:`loss_panel_data`: the computation (plain numpy, tested);
- :func:`draw_loss_panel`: a matplotlib figure of it, usable without a kernel (the chapter shows
  it as a static picture);
- :func:`loss_explorer`: sliders for the three logits of 猫/鸡/狗 and radio buttons for the true
  label (in the book they compute in the browser, in a kernel through this module).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .._validation import as_float_array, check_int
from ..core import cross_entropy, cross_entropy_grad, softmax
from ..data import TOY_CLASSES
from .explorer import Explorer

__all__ = ["LossPanel", "loss_panel_data", "draw_loss_panel", "LossExplorer", "loss_explorer"]

#: The logit sliders span [-LOGIT_RANGE, LOGIT_RANGE].
LOGIT_RANGE = 5.0


@dataclass(frozen=True)
class LossPanel:
    """What the explorer shows for one logit vector and one true label."""

    logits: np.ndarray   #: the logits o, shape (q,)
    label: int           #: index of the true class
    target: np.ndarray   #: one-hot label y, shape (q,)
    probs: np.ndarray    #: softmax(o), shape (q,)
    loss: float          #: -log softmax(o)[label]
    grad: np.ndarray     #: softmax(o) - y, shape (q,)


def _check_label(label: Any, q: int) -> int:
    label = check_int(label, "label", minimum=0)
    if label >= q:
        raise ValueError(f"label must be a class index from 0 to {q - 1} (there are {q} "
                         f"logits), but got {label}; pass the index of the true class.")
    return label


def loss_panel_data(logits: Any, label: Any) -> LossPanel:
    r"""Probabilities, loss and gradient of one sample.

    Parameters
    ----------
    logits : array_like, shape (q,)
        Logits ``o`` of one sample, real and finite, ``q >= 2``.
    label : int
        True class, ``0 <= label < q`` (for the toy problem 0 = 猫, 1 = 鸡, 2 = 狗).

    Returns
    -------
    LossPanel

    Notes
    -----
    .. math:: \hat{\mathbf y} = \mathrm{softmax}(\mathbf o), \quad
              l = -\log \hat y_k = \log \sum_j e^{o_j} - o_k, \quad
              \frac{\partial l}{\partial \mathbf o} = \hat{\mathbf y} - \mathbf y,

    with :math:`k` the label and :math:`\mathbf y` its one-hot vector.

    Examples
    --------
    >>> from softmax_course.widgets.loss import loss_panel_data
    >>> panel = loss_panel_data([0.0, 0.0], 1)
    >>> round(panel.loss, 6), panel.grad.tolist()
    (0.693147, [0.5, -0.5])
    """
    o = as_float_array(logits, "logits", ndim=1)
    if o.shape[0] < 2:
        raise ValueError(f"logits must hold at least 2 classes, but got shape {o.shape}; "
                         f"pass one logit per class, e.g. [2.0, 1.0, -1.0].")
    k = _check_label(label, o.shape[0])
    target = np.zeros(o.shape[0])
    target[k] = 1.0
    loss = float(cross_entropy(o[None, :], [k], reduction="sum"))
    grad = cross_entropy_grad(o[None, :], [k], reduction="sum")[0]
    return LossPanel(o.astype(np.float64), k, target, softmax(o), loss, grad)


def draw_loss_panel(logits: Any, label: Any, class_names: Sequence[str] = TOY_CLASSES,
                    *, logit_range: float = 5.0):
    """Draw logits, probabilities (with the one-hot label) and gradient side by side.

    Parameters
    ----------
    logits, label
        As for :func:`loss_panel_data`.
    class_names : sequence of str, default ``TOY_CLASSES``
        One name per class (the x tick labels).
    logit_range : float, default 5.0
        The logit axis shows at least ``[-logit_range, logit_range]`` (a fixed scale, so that
        moving a slider moves a bar, not the axis).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (three axes); the caller shows it (``plt.show()``) or saves it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from softmax_course.widgets.loss import draw_loss_panel
    >>> fig = draw_loss_panel([2.0, 1.0, -1.0], 0)
    >>> len(fig.axes), fig.axes[0].get_xticklabels()[0].get_text()
    (3, '猫')
    >>> plt.close(fig)
    """
    from .. import plots        # registers the Chinese font

    panel = loss_panel_data(logits, label)
    q = panel.logits.shape[0]
    names = [str(c) for c in class_names] if not isinstance(class_names, str) else []
    if len(names) != q:
        raise ValueError(f"class_names must give one name per class ({q}), but got "
                         f"{class_names!r}; pass a list of {q} names.")
    colors = [plots.CLASS_COLORS[j % len(plots.CLASS_COLORS)] for j in range(q)]
    x = np.arange(q)
    fig, axes = plots.new_figure(3, 1, width=6.4, height=3.0)
    ax_o, ax_p, ax_g = axes

    ax_o.bar(x, panel.logits, color=colors)
    top = max(float(logit_range), float(np.abs(panel.logits).max()) * 1.05)
    ax_o.set_ylim(-top, top)
    ax_o.set_title("logit $o_j$")

    ax_p.bar(x, panel.probs, color=colors)
    ax_p.bar(x, panel.target, fill=False, edgecolor="black", linestyle="--", linewidth=1.2)
    ax_p.set_ylim(0, 1.05)
    ax_p.set_title("概率 $\\hat y_j$（实心）\n独热标签 $y_j$（虚线）", fontsize=10)

    ax_g.bar(x, panel.grad, color=colors)
    ax_g.axhline(0.0, color="black", linewidth=0.8)
    ax_g.set_ylim(-1.05, 1.05)
    ax_g.set_title("梯度 $\\hat y_j - y_j$")

    for ax in axes:
        ax.set_xticks(x, names)
        ax.set_xlabel("类别")
    fig.suptitle(f"真实标签：{names[panel.label]}　　损失 $l = -\\log \\hat y_k$ = "
                 f"{panel.loss:.3f}", fontsize=11)
    return fig


class LossExplorer(Explorer):
    """Three logit sliders and the true label → probabilities, loss and gradient bars."""

    kind = "loss"
    title = "损失探索器"

    def __init__(self, logits: Sequence[float] = (2.0, 1.0, -1.0), label: int = 0):
        o = as_float_array(logits, "logits", ndim=1)
        q = len(TOY_CLASSES)
        if o.shape[0] != q:
            raise ValueError(f"logits must hold one value per class of {TOY_CLASSES} ({q}), "
                             f"but got shape {o.shape}; pass e.g. (2.0, 1.0, -1.0).")
        if np.abs(o).max() > LOGIT_RANGE:
            raise ValueError(f"each initial logit must lie in [-5, 5] (the slider range), but "
                             f"got {o.tolist()}; pick smaller values.")
        self.o = np.round(o, 1)
        self.label = _check_label(label, q)

    def config(self) -> dict[str, Any]:
        return {"logits": self.o.tolist(), "label": self.label, "classes": list(TOY_CLASSES),
                "range": LOGIT_RANGE, "step": 0.1}

    def _describe(self, o: Any, label: int) -> str:
        panel = loss_panel_data(o, label)
        probs = "，".join(f"{n} {v:.3f}" for n, v in zip(TOY_CLASSES, panel.probs))
        grads = "，".join(f"{n} {v:+.3f}" for n, v in zip(TOY_CLASSES, panel.grad))
        return (f"真实标签为{TOY_CLASSES[label]}时的三幅柱状图：logit、softmax 概率（{probs}）"
                f"和梯度（{grads}）；损失 = {panel.loss:.3f}。")

    def alt(self) -> str:
        return self._describe(self.o, self.label)

    def draw(self):
        return draw_loss_panel(self.o, self.label)

    def summary(self) -> str:
        logits = ", ".join(f"{v:g}" for v in self.o)
        return (f"<损失探索器：logit ({logits})，真实标签 {TOY_CLASSES[self.label]}。网页版可直接"
                f"操作；在 Jupyter 中运行本单元格后用控件操作>")

    def build_widget(self):
        import ipywidgets as widgets

        from .explorer import live_output

        style = {"description_width": "initial"}
        sliders = [widgets.FloatSlider(value=float(v), min=-LOGIT_RANGE, max=LOGIT_RANGE,
                                       step=0.1, readout_format=".1f",
                                       description=f"o{'₁₂₃'[j]}（{name}的 logit）",
                                       style=style, continuous_update=False)
                   for j, (v, name) in enumerate(zip(self.o, TOY_CLASSES))]
        radio = widgets.RadioButtons(options=[(name, j) for j, name in enumerate(TOY_CLASSES)],
                                     value=self.label, description="真实标签", style=style)

        def show(o1: float, o2: float, o3: float, label: int):
            o = [round(o1, 1), round(o2, 1), round(o3, 1)]
            return draw_loss_panel(o, label), self._describe(o, label)

        out = live_output({"o1": sliders[0], "o2": sliders[1], "o3": sliders[2],
                           "label": radio}, show)
        return widgets.VBox([radio, *sliders, out])


def loss_explorer(logits: Sequence[float] = (2.0, 1.0, -1.0), label: int = 0) -> LossExplorer:
    """The loss explorer: sliders for the logits of 猫/鸡/狗 and radio buttons for the label.

    Parameters
    ----------
    logits : sequence of 3 floats, default (2.0, 1.0, -1.0)
        Initial slider positions (each within [-5, 5], rounded to the slider step 0.1).
    label : int, default 0
        Initial true class (0 = 猫, 1 = 鸡, 2 = 狗).

    Returns
    -------
    LossExplorer
        Display it as the last line of a cell. The figure is :func:`draw_loss_panel`; in the
        book the controls compute in the browser, in a running kernel through the package.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from softmax_course.widgets.loss import loss_explorer
    >>> explorer = loss_explorer((2.0, 1.0, -1.0), label=1)
    >>> explorer.config()["logits"], explorer.config()["label"]
    ([2.0, 1.0, -1.0], 1)
    """
    return LossExplorer(logits, label)
