"""Training explorer: learning rate × batch size × epochs → training loss and test accuracy.

The curves are not simulated: :func:`training_grid` runs :func:`softmax_course.train.fit` on the
digits split (:func:`softmax_course.data.load_digits_split`) for every learning rate and batch
size of the grid, and the result is stored in :mod:`softmax_course.widgets.training_grid_data`
(regenerate it with ``python -m softmax_course.widgets.training``; a test re-runs part of it).
Training for E epochs gives the first E entries of the longest run, because ``fit`` draws the
initial weights and then one shuffle per epoch from the same seeded generator, so the epochs
control only cuts the stored curves.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .._validation import check_int, check_positive
from .explorer import Explorer

__all__ = ["GRID_LRS", "GRID_BATCH_SIZES", "GRID_EPOCHS", "training_grid", "load_training_grid",
           "training_curves", "draw_training_curves", "TrainingExplorer", "training_explorer"]

GRID_LRS: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
GRID_BATCH_SIZES: tuple[int, ...] = (8, 32, 128)
GRID_EPOCHS = 30
GRID_SEED = 0
_DECIMALS = 4


def _key(lr: float, batch_size: int) -> str:
    return f"{lr:g}|{batch_size}"


def training_grid(lrs: Sequence[float] = GRID_LRS, batch_sizes: Sequence[int] = GRID_BATCH_SIZES,
                  num_epochs: int = GRID_EPOCHS, seed: int = GRID_SEED) -> dict[str, Any]:
    """Train on the digits split for every (learning rate, batch size) and keep the curves.

    Returns ``{"lrs", "batch_sizes", "num_epochs", "seed", "runs"}`` where ``runs[f"{lr:g}|{B}"]``
    is ``{"loss": [...], "acc": [...]}``: the per-epoch mean training loss and test accuracy of
    ``fit`` (rounded to 4 decimals).
    """
    from ..data import load_digits_split
    from ..train import fit

    num_epochs = check_int(num_epochs, "num_epochs", minimum=1)
    digits = load_digits_split(test_size=0.25, seed=0)
    runs = {}
    for lr in lrs:
        for b in batch_sizes:
            _, history = fit(digits.X_train, digits.y_train, digits.X_test, digits.y_test,
                             num_epochs=num_epochs, batch_size=b, lr=lr, seed=seed,
                             progress=False)
            runs[_key(lr, b)] = {"loss": [round(v, _DECIMALS) for v in history.train_loss],
                                 "acc": [round(v, _DECIMALS) for v in history.test_acc]}
    return {"lrs": [float(v) for v in lrs], "batch_sizes": [int(b) for b in batch_sizes],
            "num_epochs": num_epochs, "seed": seed, "runs": runs}


def load_training_grid() -> dict[str, Any]:
    """The stored grid (see the module docstring for how it was made)."""
    from .training_grid_data import GRID

    return GRID


def training_curves(grid: dict[str, Any], lr: float, batch_size: int,
                    epochs: int) -> dict[str, list[float]]:
    """The first ``epochs`` entries of the stored loss and accuracy curves of one run.

    Examples
    --------
    >>> grid = {"lrs": [0.1], "batch_sizes": [8], "num_epochs": 3, "seed": 0,
    ...         "runs": {"0.1|8": {"loss": [1.0, 0.5, 0.4], "acc": [0.8, 0.9, 0.95]}}}
    >>> training_curves(grid, 0.1, 8, 2)
    {'loss': [1.0, 0.5], 'acc': [0.8, 0.9]}
    """
    lr = check_positive(lr, "lr")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    if lr not in grid["lrs"] or batch_size not in grid["batch_sizes"]:
        raise ValueError(f"(lr, batch_size) must be a point of the grid, lr in {grid['lrs']} "
                         f"and batch_size in {grid['batch_sizes']}, but got ({lr}, "
                         f"{batch_size}); pick values from those lists.")
    if epochs > grid["num_epochs"]:
        raise ValueError(f"epochs must be at most {grid['num_epochs']} (the length of the "
                         f"stored runs), but got {epochs}.")
    run = grid["runs"][_key(lr, batch_size)]
    return {"loss": run["loss"][:epochs], "acc": run["acc"][:epochs]}


def draw_training_curves(grid: dict[str, Any], lr: float, batch_size: int, epochs: int):
    """Two panels: training loss and test accuracy per epoch, up to ``epochs``."""
    from ..plots import new_figure

    curves = training_curves(grid, lr, batch_size, epochs)
    x = np.arange(1, epochs + 1)
    fig, (ax_loss, ax_acc) = new_figure(2, width=6.4, height=2.8)
    top = max(max(run["loss"]) for run in grid["runs"].values())
    ax_loss.plot(x, curves["loss"], marker="o", markersize=3, color="#4C72B0")
    ax_loss.set_xlim(0.5, grid["num_epochs"] + 0.5)
    ax_loss.set_ylim(0, top * 1.05)
    ax_loss.set_xlabel("轮数")
    ax_loss.set_title(f"训练损失（第 {epochs} 轮 {curves['loss'][-1]:.4f}）", fontsize=10)
    ax_acc.plot(x, curves["acc"], marker="o", markersize=3, color="#DD8452")
    ax_acc.set_xlim(0.5, grid["num_epochs"] + 0.5)
    ax_acc.set_ylim(0, 1)
    ax_acc.set_xlabel("轮数")
    ax_acc.set_title(f"测试精度（第 {epochs} 轮 {curves['acc'][-1]:.4f}）", fontsize=10)
    fig.suptitle(f"学习率 {lr:g}，批量大小 {batch_size}", fontsize=11)
    return fig


class TrainingExplorer(Explorer):
    """Learning rate, batch size and number of epochs → the stored curves of real runs."""

    kind = "training"
    title = "训练探索器"

    def __init__(self, grid: dict[str, Any] | None = None, *, lr: float = 0.1,
                 batch_size: int = 32, epochs: int = 10):
        self.grid = load_training_grid() if grid is None else grid
        training_curves(self.grid, lr, batch_size, epochs)          # validates the start
        self.lr, self.batch_size, self.epochs = float(lr), int(batch_size), int(epochs)

    def config(self) -> dict[str, Any]:
        return {"grid": self.grid, "lr": self.lr, "batch_size": self.batch_size,
                "epochs": self.epochs}

    def _describe(self, lr: float, b: int, epochs: int) -> str:
        c = training_curves(self.grid, lr, b, epochs)
        return (f"学习率 {lr:g}、批量大小 {b} 时前 {epochs} 轮的两条曲线：左图训练损失从 "
                f"{c['loss'][0]:.4f} 降到 {c['loss'][-1]:.4f}，右图测试精度第 {epochs} 轮为 "
                f"{c['acc'][-1]:.4f}。")

    def alt(self) -> str:
        return self._describe(self.lr, self.batch_size, self.epochs)

    def draw(self):
        return draw_training_curves(self.grid, self.lr, self.batch_size, self.epochs)

    def summary(self) -> str:
        return (f"<训练探索器：{len(self.grid['runs'])} 次真实训练的曲线；学习率 {self.lr:g}，"
                f"批量大小 {self.batch_size}，{self.epochs} 轮。网页版可直接操作；在 Jupyter "
                f"中运行本单元格后用控件操作>")

    def build_widget(self):
        import ipywidgets as widgets

        from .explorer import live_output

        style = {"description_width": "initial"}
        lr = widgets.SelectionSlider(options=[(f"{v:g}", v) for v in self.grid["lrs"]],
                                     value=self.lr, description="学习率", style=style,
                                     continuous_update=False)
        batch = widgets.RadioButtons(options=[(str(b), b) for b in self.grid["batch_sizes"]],
                                     value=self.batch_size, description="批量大小", style=style)
        epochs = widgets.IntSlider(value=self.epochs, min=1, max=self.grid["num_epochs"],
                                   description="轮数", style=style, continuous_update=False)

        def show(lr: float, batch_size: int, epochs: int):
            return (draw_training_curves(self.grid, lr, batch_size, epochs),
                    self._describe(lr, batch_size, epochs))

        out = live_output({"lr": lr, "batch_size": batch, "epochs": epochs}, show)
        return widgets.VBox([lr, batch, epochs, out])


def training_explorer(*, lr: float = 0.1, batch_size: int = 32,
                      epochs: int = 10) -> TrainingExplorer:
    """The training explorer over the stored grid; display it as the last line of a cell."""
    return TrainingExplorer(lr=lr, batch_size=batch_size, epochs=epochs)


def write_grid_module(path: Path | None = None) -> Path:
    """Run :func:`training_grid` and write it to ``training_grid_data.py``."""
    import pprint

    path = Path(__file__).with_name("training_grid_data.py") if path is None else Path(path)
    grid = training_grid()
    path.write_text('"""Generated by `python -m softmax_course.widgets.training`: real runs of '
                    'train.fit on\nthe digits split (see softmax_course.widgets.training). '
                    'Do not edit."""\n\nGRID = ' + pprint.pformat(grid, width=99, compact=True)
                    + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_grid_module(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
