r"""Decision-region explorer: a three-class softmax classifier on 2-D points.

The classifier predicts the class with the largest logit :math:`o_j = \mathbf x^\top
\mathbf w_j + b_j` (softmax does not change which logit is largest). Classes :math:`i` and
:math:`j` tie where :math:`o_i - o_j = (\mathbf w_i - \mathbf w_j)^\top \mathbf x + (b_i - b_j)
= 0`, a straight line, so every region is an intersection of half-planes: a convex polygon.
The browser script draws exactly those polygons; the kernel view colours a grid.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._validation import as_float_array
from ..data import TOY_CLASSES
from .explorer import Explorer

__all__ = ["BOX", "WEIGHT_RANGE", "toy_points_2d", "region_predictions", "region_accuracy",
           "draw_regions", "RegionsExplorer", "regions_explorer"]

#: The plotted square [-BOX, BOX]².
BOX = 3.5
#: Weight and bias sliders span [-WEIGHT_RANGE, WEIGHT_RANGE] in steps of 0.1.
WEIGHT_RANGE = 3.0
_CENTERS = np.array([[-1.5, -1.0], [1.5, -1.0], [0.0, 1.5]])


def toy_points_2d(n_per_class: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian clouds in the plane (猫, 鸡, 狗), coordinates rounded to 2 decimals.

    Examples
    --------
    >>> X, y = toy_points_2d(5)
    >>> X.shape, y.tolist()
    ((15, 2), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    """
    rng = np.random.default_rng(seed)
    X = np.concatenate([c + 0.7 * rng.normal(size=(n_per_class, 2)) for c in _CENTERS])
    X = np.clip(np.round(X, 2), -BOX + 0.1, BOX - 0.1)
    return X, np.repeat(np.arange(3), n_per_class)


def _weights(W: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    if W.shape != (2, 3) or b.shape != (3,):
        raise ValueError(f"W must have shape (2, 3) (inputs x classes) and b shape (3,), but got "
                         f"{W.shape} and {b.shape}; pass e.g. W=[[-1.5, 1.5, 0], [-1, -1, 1.5]], "
                         f"b=[0, 0, 0].")
    return W, b


def region_predictions(W: Any, b: Any, X: Any) -> np.ndarray:
    """The predicted class of each row of ``X``: the index of the largest logit ``X W + b``
    (the first one on a tie).

    Examples
    --------
    >>> region_predictions([[1, 0, 0], [0, 1, 0]], [0, 0, 0.5], [[2.0, 0.0], [0.0, 0.0]]).tolist()
    [0, 2]
    """
    W, b = _weights(W, b)
    X = as_float_array(X, "X", ndim=2)
    return np.argmax(X @ W + b, axis=1)


def region_accuracy(W: Any, b: Any, X: Any, y: Any) -> tuple[int, int]:
    """How many points the classifier gets right, and how many there are."""
    pred = region_predictions(W, b, X)
    y = np.asarray(y)
    return int((pred == y).sum()), int(y.size)


def draw_regions(W: Any, b: Any, X: Any, y: Any, class_names: Sequence[str] = TOY_CLASSES):
    """The coloured decision regions on a grid and the points (colour and marker per class)."""
    from matplotlib.colors import ListedColormap

    from ..plots import CLASS_COLORS, new_figure

    W, b = _weights(W, b)
    grid = np.linspace(-BOX, BOX, 281)
    gx, gy = np.meshgrid(grid, grid)
    regions = region_predictions(W, b, np.column_stack([gx.ravel(), gy.ravel()]))
    fig, ax = new_figure(width=4.2, height=4.0)
    ax.imshow(regions.reshape(gx.shape), origin="lower", extent=(-BOX, BOX, -BOX, BOX),
              cmap=ListedColormap(CLASS_COLORS[:3]), alpha=0.25, vmin=0, vmax=2,
              interpolation="nearest")
    X = np.asarray(X)
    y = np.asarray(y)
    for j, (name, marker) in enumerate(zip(class_names, "o^s")):
        ax.scatter(X[y == j, 0], X[y == j, 1], color=CLASS_COLORS[j], marker=marker, s=22,
                   edgecolor="black", linewidth=0.5, label=name)
    right, total = region_accuracy(W, b, X, y)
    ax.set_xlim(-BOX, BOX)
    ax.set_ylim(-BOX, BOX)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"决策区域：{right}/{total} 个点分对", fontsize=10)
    ax.legend(loc="upper right", fontsize="small")
    return fig


class RegionsExplorer(Explorer):
    """Six weights and three biases → decision regions and the points they classify."""

    kind = "regions"
    title = "决策区域探索器"

    def __init__(self, W: Any = None, b: Any = None, *, seed: int = 0):
        W = _CENTERS.T if W is None else W
        b = np.zeros(3) if b is None else b
        W, b = _weights(W, b)
        if max(np.abs(W).max(), np.abs(b).max()) > WEIGHT_RANGE:
            raise ValueError(f"weights and biases must lie in [-{WEIGHT_RANGE:g}, "
                             f"{WEIGHT_RANGE:g}] (the slider range), but got W={W.tolist()}, "
                             f"b={b.tolist()}.")
        self.W, self.b = np.round(W, 1), np.round(b, 1)
        self.X, self.y = toy_points_2d(seed=seed)

    def config(self) -> dict[str, Any]:
        return {"W": self.W.tolist(), "b": self.b.tolist(), "X": self.X.tolist(),
                "y": self.y.tolist(), "classes": list(TOY_CLASSES), "box": BOX,
                "range": WEIGHT_RANGE, "step": 0.1}

    def _describe(self, W: Any, b: Any) -> str:
        right, total = region_accuracy(W, b, self.X, self.y)
        return (f"平面被三条直线边界分成猫、鸡、狗三个着色区域，{total} 个数据点按类别用不同颜色和"
                f"形状画出，其中 {right} 个落在自己类别的区域里。")

    def alt(self) -> str:
        return self._describe(self.W, self.b)

    def draw(self):
        return draw_regions(self.W, self.b, self.X, self.y)

    def summary(self) -> str:
        right, total = region_accuracy(self.W, self.b, self.X, self.y)
        return (f"<决策区域探索器：{total} 个二维数据点，{right} 个分对。网页版可直接操作；在 "
                f"Jupyter 中运行本单元格后用控件操作>")

    def build_widget(self):
        import ipywidgets as widgets

        from .explorer import live_output

        style = {"description_width": "initial"}
        sliders = {}
        for j, name in enumerate(TOY_CLASSES):
            for k in range(2):
                sliders[f"w{k}{j}"] = widgets.FloatSlider(
                    value=float(self.W[k, j]), min=-WEIGHT_RANGE, max=WEIGHT_RANGE, step=0.1,
                    readout_format=".1f", description=f"{name}的权重 w{'₁₂'[k]}", style=style,
                    continuous_update=False)
            sliders[f"b{j}"] = widgets.FloatSlider(
                value=float(self.b[j]), min=-WEIGHT_RANGE, max=WEIGHT_RANGE, step=0.1,
                readout_format=".1f", description=f"{name}的偏置 b", style=style,
                continuous_update=False)

        def show(**kw: float):
            W = np.array([[round(kw[f"w{k}{j}"], 1) for j in range(3)] for k in range(2)])
            b = np.array([round(kw[f"b{j}"], 1) for j in range(3)])
            return draw_regions(W, b, self.X, self.y), self._describe(W, b)

        out = live_output(sliders, show)
        return widgets.VBox([*sliders.values(), out])


def regions_explorer(W: Any = None, b: Any = None) -> RegionsExplorer:
    """The decision-region explorer (W of shape (2, 3), b of shape (3,); default: W's columns
    are the class centres, b = 0). Display it as the last line of a cell."""
    return RegionsExplorer(W, b)
