"""Explorer of the cross-entropy loss: logits, probabilities and gradient for a chosen label.

- :func:`loss_panel_data`: the computation (plain numpy, tested);
- :func:`draw_loss_panel`: a matplotlib figure of it, usable without a kernel (the chapter shows
  it as a static picture);
- :func:`loss_explorer`: sliders for the three logits of 猫/鸡/狗 and a dropdown for the true
  label, redrawing the figure (needs a running kernel to react).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .._validation import as_float_array, check_int
from ..core import cross_entropy, cross_entropy_grad, softmax
from ..data import TOY_CLASSES

__all__ = ["LossPanel", "loss_panel_data", "draw_loss_panel", "loss_explorer"]


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


def loss_explorer(logits: Sequence[float] = (2.0, 1.0, -1.0), label: int = 0):
    """Sliders for the logits of 猫/鸡/狗 and a dropdown for the true label, with the figure.

    Parameters
    ----------
    logits : sequence of 3 floats, default (2.0, 1.0, -1.0)
        Initial slider positions (each within [-5, 5]).
    label : int, default 0
        Initial true class (0 = 猫, 1 = 鸡, 2 = 狗).

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook; its figure is drawn once immediately (so the stored widget
        state shows a picture) and again whenever a control changes.

    Notes
    -----
    The figure is :func:`draw_loss_panel` of the slider values and the chosen label, connected
    with ``ipywidgets.interactive_output``; the sliders update on release.

    Examples
    --------
    >>> import contextlib, io
    >>> import matplotlib.pyplot as plt
    >>> from softmax_course.widgets.loss import loss_explorer
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter, clear_output
    ...     box = loss_explorer((2.0, 1.0, -1.0), label=1)  # prints terminal escape codes
    >>> [child.description for child in box.children[1:4]]
    ['o₁（猫的 logit）', 'o₂（鸡的 logit）', 'o₃（狗的 logit）']
    >>> plt.close("all")
    """
    import ipywidgets as widgets

    from ..plots import show as show_figure

    o = as_float_array(logits, "logits", ndim=1)
    q = len(TOY_CLASSES)
    if o.shape[0] != q:
        raise ValueError(f"logits must hold one value per class of {TOY_CLASSES} ({q}), but "
                         f"got shape {o.shape}; pass e.g. (2.0, 1.0, -1.0).")
    if np.abs(o).max() > 5.0:
        raise ValueError(f"each initial logit must lie in [-5, 5] (the slider range), but got "
                         f"{o.tolist()}; pick smaller values.")
    k = _check_label(label, q)

    style = {"description_width": "initial"}
    sliders = [widgets.FloatSlider(value=float(v), min=-5.0, max=5.0, step=0.1,
                                   description=f"o{'₁₂₃'[j]}（{name}的 logit）", style=style,
                                   continuous_update=False)
               for j, (v, name) in enumerate(zip(o, TOY_CLASSES))]
    dropdown = widgets.Dropdown(options=[(name, j) for j, name in enumerate(TOY_CLASSES)],
                                value=k, description="真实标签", style=style)

    def show(o1: float, o2: float, o3: float, label: int) -> None:
        fig = draw_loss_panel([o1, o2, o3], label)
        panel = loss_panel_data([o1, o2, o3], label)
        probs = "，".join(f"{n} {v:.2f}" for n, v in zip(TOY_CLASSES, panel.probs))
        grads = "，".join(f"{n} {v:+.2f}" for n, v in zip(TOY_CLASSES, panel.grad))
        show_figure(fig, f"真实标签为{TOY_CLASSES[label]}时的三幅柱状图：logit、softmax 概率"
                         f"（{probs}）和梯度（{grads}）；损失 = {panel.loss:.3f}。")

    out = widgets.interactive_output(show, {"o1": sliders[0], "o2": sliders[1],
                                            "o3": sliders[2], "label": dropdown})
    return widgets.VBox([widgets.HBox([dropdown]), *sliders, out])
