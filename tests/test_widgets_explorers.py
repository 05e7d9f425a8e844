"""What every explorer emits (the views the book, JupyterLab and nbval see), the training grid
against real ``fit`` runs, and the decision regions against the model."""
from __future__ import annotations

import base64
import doctest
import html
import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import softmax_course.widgets.explorer as explorer_module
import softmax_course.widgets.regions as regions_module
import softmax_course.widgets.training as training_module
from softmax_course.data import TOY_CLASSES, load_digits_split
from softmax_course.model import SoftmaxRegression
from softmax_course.train import fit
from softmax_course.widgets.info import cross_entropy_explorer
from softmax_course.widgets.loss import loss_explorer
from softmax_course.widgets.regions import (BOX, region_accuracy, region_predictions,
                                            regions_explorer, toy_points_2d)
from softmax_course.widgets.softmax import temperature_explorer
from softmax_course.widgets.training import (load_training_grid, training_curves,
                                             training_explorer, training_grid)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def all_explorers():
    return [temperature_explorer([2.0, -1.0, 0.5], TOY_CLASSES),
            loss_explorer((2.0, 1.0, -1.0), label=1),
            cross_entropy_explorer([0.5, 0.3, 0.2], TOY_CLASSES, weights=[0.2, 0.3, 0.5]),
            training_explorer(), regions_explorer()]


def test_doctests():
    for module in (explorer_module, regions_module, training_module):
        result = doctest.testmod(module)
        assert result.attempted >= 1 and result.failed == 0, module
    plt.close("all")


@pytest.mark.parametrize("index", range(5))
def test_bundle_has_every_view_and_is_deterministic(index):
    first, meta = all_explorers()[index]._repr_mimebundle_()
    again, _ = all_explorers()[index]._repr_mimebundle_()
    assert set(first) == {"text/plain", "text/html", "image/png", WIDGET_VIEW}
    # nbval compares text/plain and text/html: both must be identical run after run
    assert first["text/plain"] == again["text/plain"] and first["text/html"] == again["text/html"]
    assert first[WIDGET_VIEW]["model_id"] != again[WIDGET_VIEW]["model_id"]   # only this varies
    assert first["text/plain"].startswith("<") and re.search(r"[\u4e00-\u9fff]",
                                                             first["text/plain"])
    page = first["text/html"]
    assert not re.search(r"[0-9a-f]{32}", page.replace(first["image/png"], ""))   # no model ids
    kind = re.search(r'data-kind="(\w+)"', page).group(1)
    config = json.loads(html.unescape(re.search(r'data-config="([^"]*)"', page).group(1)))
    explorer = all_explorers()[index]
    assert kind == explorer.kind and config == json.loads(json.dumps(explorer.config()))
    alt = html.unescape(re.search(r'alt="([^"]*)"', page).group(1))
    assert alt == explorer.alt() == meta["image/png"]["alt"] and len(alt) > 20
    png = base64.b64decode(first["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and first["image/png"] in page
    assert len(page) < 60_000
    plt.close("all")


def test_bundle_without_ipywidgets_keeps_the_static_views(monkeypatch):
    explorer = loss_explorer()

    def no_ipywidgets():
        raise ImportError("No module named 'ipywidgets'")

    monkeypatch.setattr(explorer, "build_widget", no_ipywidgets)
    data, _ = explorer._repr_mimebundle_()
    assert WIDGET_VIEW not in data and "text/html" in data
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# Training grid: real runs of fit
# ---------------------------------------------------------------------------------------------
def test_stored_grid_shape():
    grid = load_training_grid()
    assert grid["lrs"] == list(training_module.GRID_LRS)
    assert grid["batch_sizes"] == list(training_module.GRID_BATCH_SIZES)
    assert len(grid["runs"]) == len(grid["lrs"]) * len(grid["batch_sizes"])
    for run in grid["runs"].values():
        assert len(run["loss"]) == len(run["acc"]) == grid["num_epochs"]
        assert all(0 <= a <= 1 for a in run["acc"]) and all(v > 0 for v in run["loss"])


def test_stored_grid_is_what_fit_gives():
    """Re-run two grid points (the cheap batch size) with the package's fit."""
    grid = load_training_grid()
    fresh = training_grid(lrs=[0.1, 3.0], batch_sizes=[128], num_epochs=grid["num_epochs"])
    for key, run in fresh["runs"].items():
        assert run == grid["runs"][key], key


def test_fewer_epochs_are_a_prefix_of_the_stored_run():
    """The epochs control cuts the curves: training E epochs gives the first E entries."""
    digits = load_digits_split(test_size=0.25, seed=0)
    _, history = fit(digits.X_train, digits.y_train, digits.X_test, digits.y_test,
                     num_epochs=4, batch_size=32, lr=0.3, seed=0, progress=False)
    stored = training_curves(load_training_grid(), 0.3, 32, 4)
    np.testing.assert_allclose(history.train_loss, stored["loss"], atol=5e-5)
    np.testing.assert_allclose(history.test_acc, stored["acc"], atol=5e-5)


def test_training_curves_reject_points_off_the_grid():
    grid = load_training_grid()
    with pytest.raises(ValueError, match=r"\(lr, batch_size\) must be a point of the grid"):
        training_curves(grid, 0.2, 32, 5)
    with pytest.raises(ValueError, match=r"epochs must be at most 30"):
        training_curves(grid, 0.1, 32, 31)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        training_curves(grid, 0.1, 32, 0)


def test_training_explorer_widget_follows_the_controls():
    box = training_explorer().widget
    lr, batch, epochs = box.children[:3]
    assert (lr.description, batch.description, epochs.description) == ("学习率", "批量大小", "轮数")
    assert [label for label, _ in lr.options] == ["0.01", "0.03", "0.1", "0.3", "1", "3"]
    epochs.value = 30
    batch.value = 8
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# Decision regions
# ---------------------------------------------------------------------------------------------
def test_predictions_are_the_model_s():
    X, y = toy_points_2d()
    rng = np.random.default_rng(3)
    for _ in range(5):
        W, b = rng.normal(size=(2, 3)), rng.normal(size=3)
        model = SoftmaxRegression.from_weights(W, b)
        np.testing.assert_array_equal(region_predictions(W, b, X), model.predict(X))
    right, total = region_accuracy(W, b, X, y)
    assert total == 60 and right == int((model.predict(X) == y).sum())


def test_boundaries_are_straight_lines():
    """Along the line (w_i - w_j)·x + (b_i - b_j) = 0 the two logits tie; just off it, each
    side predicts one of the two classes (where the third class is not larger)."""
    W = np.array([[1.0, -1.0, 0.0], [0.5, 0.5, 2.0]])
    b = np.array([0.2, -0.1, -3.0])
    a, c = W[:, 0] - W[:, 1], b[0] - b[1]
    direction = np.array([-a[1], a[0]]) / np.linalg.norm(a)
    base = -c * a / (a @ a)
    normal = a / np.linalg.norm(a)
    for t in np.linspace(-1, 1, 9):
        x = base + t * direction
        o = x @ W + b
        assert o[0] == pytest.approx(o[1], abs=1e-12)
        assert region_predictions(W, b, [x + 1e-6 * normal])[0] == 0
        assert region_predictions(W, b, [x - 1e-6 * normal])[0] == 1


def test_toy_points_are_seeded_and_in_the_box():
    X, y = toy_points_2d()
    X2, _ = toy_points_2d()
    np.testing.assert_array_equal(X, X2)
    assert np.abs(X).max() < BOX and np.bincount(y).tolist() == [20, 20, 20]


def test_regions_explorer_bad_input_and_controls():
    with pytest.raises(ValueError, match=r"W must have shape \(2, 3\)"):
        regions_explorer(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"must lie in \[-3, 3\]"):
        regions_explorer(np.full((2, 3), 4.0), np.zeros(3))
    box = regions_explorer().widget
    labels = [c.description for c in box.children[:9]]
    assert labels[:3] == ["猫的权重 w₁", "猫的权重 w₂", "猫的偏置 b"]
    box.children[2].value = 1.5
    plt.close("all")
