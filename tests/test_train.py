"""Tests of softmax_course.train: the SGD step, determinism, learning, history and errors."""
from __future__ import annotations

import numpy as np
import pytest

from softmax_course import cross_entropy, cross_entropy_grad
from softmax_course.data import load_digits_split, minibatches, toy_images
from softmax_course.metrics import accuracy
from softmax_course.model import SoftmaxRegression
from softmax_course.train import History, fit, sgd_step, train_epoch

from helpers import finite_difference_grad

# The hyperparameters of chapter 08 on the digits (kept in one place for the test).
DIGITS_HPARAMS = {"num_epochs": 50, "batch_size": 32, "lr": 0.5}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sgd_step_follows_the_finite_difference_gradient(seed):
    rng = np.random.default_rng(seed)
    d, q, B, lr = 5, 4, 7, 0.3
    model = SoftmaxRegression(d, q, seed=seed, weight_scale=1.0)
    model.b = rng.normal(size=q)
    X, y = rng.normal(size=(B, d)), rng.integers(0, q, size=B)
    batch_loss = lambda: cross_entropy(X @ model.W + model.b, y)      # noqa: E731
    dW = finite_difference_grad(batch_loss, model.W)
    db = finite_difference_grad(batch_loss, model.b)
    W0, b0 = model.W.copy(), model.b.copy()
    logits = sgd_step(model, X, y, lr)
    np.testing.assert_allclose(logits, X @ W0 + b0)                   # logits before the step
    np.testing.assert_allclose((W0 - model.W) / lr, dW, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose((b0 - model.b) / lr, db, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1, 2.5])
def test_sgd_step_with_weight_decay_follows_the_penalised_gradient(weight_decay):
    # the step is -lr times the finite-difference gradient of L + (λ/2)‖W‖² (b not decayed)
    rng = np.random.default_rng(11)
    d, q, B, lr = 4, 3, 6, 0.2
    model = SoftmaxRegression(d, q, seed=3, weight_scale=1.0)
    model.b = rng.normal(size=q)
    X, y = rng.normal(size=(B, d)), rng.integers(0, q, size=B)

    def penalised():
        return (cross_entropy(X @ model.W + model.b, y)
                + 0.5 * weight_decay * float(np.sum(model.W ** 2)))

    dW = finite_difference_grad(penalised, model.W)
    db = finite_difference_grad(penalised, model.b)
    W0, b0 = model.W.copy(), model.b.copy()
    sgd_step(model, X, y, lr, weight_decay=weight_decay)
    np.testing.assert_allclose((W0 - model.W) / lr, dW, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose((b0 - model.b) / lr, db, rtol=1e-6, atol=1e-8)


def test_weight_decay_shrinks_the_weights_but_not_the_bias():
    X, y = toy_images(90, seed=5)
    kwargs = dict(num_epochs=15, batch_size=16, lr=0.5, progress=False)
    plain, _ = fit(X, y, **kwargs)
    norms = [np.linalg.norm(fit(X, y, weight_decay=lam, **kwargs)[0].W)
             for lam in (1e-3, 1e-2, 1e-1)]
    assert np.linalg.norm(plain.W) > norms[0] > norms[1] > norms[2]
    # with zero data gradient (lr tiny for the data, huge λ) a step multiplies W by (1 - lr λ)
    model = SoftmaxRegression(4, 3, seed=1, weight_scale=1.0)
    model.b = np.array([0.3, -0.2, 0.1])
    W0, b0 = model.W.copy(), model.b.copy()
    O = sgd_step(model, np.zeros((2, 4)), [0, 1], lr=0.1, weight_decay=2.0)
    G = cross_entropy_grad(O, [0, 1])
    np.testing.assert_allclose(model.W, 0.8 * W0, rtol=1e-15)      # X = 0: no data gradient
    np.testing.assert_allclose(model.b, b0 - 0.1 * G.sum(axis=0), rtol=1e-15)


def test_weight_decay_zero_is_plain_sgd():
    X, y = toy_images(60, seed=2)
    kwargs = dict(num_epochs=3, batch_size=8, lr=0.3, progress=False)
    m0, h0 = fit(X, y, **kwargs)
    m1, h1 = fit(X, y, weight_decay=0.0, **kwargs)
    np.testing.assert_array_equal(m0.W, m1.W)
    assert h0 == h1


def test_fit_runs_sgd_step_on_the_minibatches_of_data():
    # fit is train_epoch's loop of sgd_step over data.minibatches: replaying it by hand with
    # the same seed gives the same weights and the same recorded training loss and accuracy
    X, y = toy_images(50, seed=8)
    model, hist = fit(X, y, num_epochs=2, batch_size=8, lr=0.4, weight_decay=0.01, seed=4,
                      progress=False)
    replay = SoftmaxRegression(4, 3, seed=4, weight_scale=0.01)
    rng = np.random.default_rng(4)
    for epoch in range(2):
        losses, hits = [], 0
        for Xb, yb in minibatches(X, y, 8, seed=rng):
            O = sgd_step(replay, Xb, yb, 0.4, weight_decay=0.01)
            losses.append(cross_entropy(O, yb, reduction="sum"))
            hits += int((O.argmax(axis=1) == yb).sum())
        assert hist.train_loss[epoch] == pytest.approx(sum(losses) / 50, rel=1e-12)
        assert hist.train_acc[epoch] == hits / 50
    np.testing.assert_allclose(model.W, replay.W, rtol=1e-12)
    np.testing.assert_allclose(model.b, replay.b, rtol=1e-12)


def test_validation_history_equals_the_model_at_each_epoch():
    X, y = toy_images(60, seed=0)
    Xv, yv = toy_images(30, seed=9)
    Xt, yt = toy_images(20, seed=10)
    kwargs = dict(batch_size=10, lr=0.5, weight_decay=0.01, seed=2, progress=False)
    _, hist = fit(X, y, Xt, yt, X_val=Xv, y_val=yv, num_epochs=4, **kwargs)
    assert len(hist.val_loss) == len(hist.val_acc) == len(hist.test_acc) == 4
    for epoch in range(1, 5):      # the same seed: the first k epochs are the same run
        model, _ = fit(X, y, num_epochs=epoch, **kwargs)
        assert hist.val_loss[epoch - 1] == pytest.approx(
            cross_entropy(model.logits(Xv), yv), rel=1e-12)
        assert hist.val_acc[epoch - 1] == accuracy(yv, model.predict(Xv))
        assert hist.test_acc[epoch - 1] == accuracy(yt, model.predict(Xt))
    assert all(isinstance(v, float) for v in hist.val_loss + hist.val_acc)
    # a class seen only in the validation labels still gets an output
    assert fit(X, y, X_val=Xv[:2], y_val=[0, 3], num_epochs=1,
               progress=False)[0].W.shape == (4, 4)


def test_sgd_step_lowers_the_batch_loss_for_a_small_step():
    X, y = toy_images(30, seed=2)
    model = SoftmaxRegression(4, 3, seed=0, weight_scale=0.5)
    before = cross_entropy(model.logits(X), y)
    sgd_step(model, X, y, lr=0.05)
    assert cross_entropy(model.logits(X), y) < before


def test_fit_is_deterministic_for_a_seed():
    X, y = toy_images(120, seed=0)
    Xt, yt = toy_images(60, seed=1)
    kwargs = dict(num_epochs=5, batch_size=16, lr=0.3, progress=False)
    m1, h1 = fit(X, y, Xt, yt, seed=7, **kwargs)
    m2, h2 = fit(X, y, Xt, yt, seed=7, **kwargs)
    assert h1 == h2
    np.testing.assert_array_equal(m1.W, m2.W)
    np.testing.assert_array_equal(m1.b, m2.b)
    m3, h3 = fit(X, y, Xt, yt, seed=8, **kwargs)
    assert h3.train_loss != h1.train_loss


def test_fit_learns_the_toy_problem():
    X, y = toy_images(150, seed=0)
    Xt, yt = toy_images(90, seed=1)
    model, hist = fit(X, y, Xt, yt, num_epochs=30, batch_size=16, lr=0.5, progress=False)
    assert hist.train_loss[-1] < 0.5 * hist.train_loss[0]
    assert hist.test_acc[-1] >= 0.95
    assert hist.test_acc[-1] == accuracy(yt, model.predict(Xt))


def test_fit_reaches_95_percent_on_digits():
    ds = load_digits_split()
    model, hist = fit(ds.X_train, ds.y_train, ds.X_test, ds.y_test, progress=False,
                      **DIGITS_HPARAMS)
    assert hist.test_acc[-1] >= 0.95
    assert model.W.shape == (64, 10)


def test_history_layout_and_epoch_metrics():
    X, y = toy_images(40, seed=3)
    model, hist = fit(X, y, num_epochs=3, batch_size=8, progress=False)
    assert isinstance(hist, History) and hist.num_epochs == 3
    assert len(hist.train_acc) == 3 and hist.test_acc == []
    assert hist.val_loss == [] and hist.val_acc == []
    assert set(hist.as_dict()) == {"train_loss", "train_acc", "val_loss", "val_acc", "test_acc"}
    assert all(isinstance(v, float) for v in hist.train_loss + hist.train_acc)


def test_train_metrics_are_measured_before_each_step():
    # one epoch with one batch: the recorded loss is the loss of the initial model
    X, y = toy_images(30, seed=4)
    _, hist = fit(X, y, num_epochs=1, batch_size=30, lr=0.1, seed=5, progress=False)
    init = SoftmaxRegression(4, 3, seed=5, weight_scale=0.01)
    assert hist.train_loss[0] == pytest.approx(cross_entropy(init.logits(X), y), rel=1e-12)
    assert hist.train_acc[0] == accuracy(y, init.logits(X))


def test_train_epoch_visits_every_sample_once():
    X, y = toy_images(25, seed=6)
    model = SoftmaxRegression(4, 3, weight_scale=0.0)        # all-zero weights: loss is log 3
    loss, acc = train_epoch(model, X, y, batch_size=25, lr=1e-12, rng=np.random.default_rng(0))
    assert loss == pytest.approx(np.log(3))


def test_num_classes_is_inferred_or_given():
    X, y = toy_images(30, seed=0)
    assert fit(X, y, num_epochs=1, progress=False)[0].W.shape == (4, 3)
    assert fit(X, y, num_epochs=1, num_classes=5, progress=False)[0].W.shape == (4, 5)
    # a class that only appears in the test data still gets an output
    Xt, yt = X[:3], np.array([0, 3, 1])
    assert fit(X, y, Xt, yt, num_epochs=1, progress=False)[0].W.shape == (4, 4)


def test_progress_bar_goes_to_stderr_only(capsys):
    X, y = toy_images(30, seed=0)
    fit(X, y, num_epochs=2, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "训练" in err and "2/2" in err
    fit(X, y, num_epochs=2, progress=False)
    assert capsys.readouterr() == ("", "")


def test_fit_accepts_uint8_and_float32_pixels():
    X, y = toy_images(30, seed=0)
    h8 = fit((X * 255).astype(np.uint8), y, num_epochs=1, lr=0.001, progress=False)[1]
    h32 = fit(X.astype(np.float32), y, num_epochs=1, progress=False)[1]
    assert np.isfinite(h8.train_loss[0]) and np.isfinite(h32.train_loss[0])


X4, Y4 = np.zeros((4, 3)), np.array([0, 1, 0, 1])


@pytest.mark.parametrize("args, kwargs, exc, match", [
    ((X4, Y4[:3]), {}, ValueError, r"y_train has 3 labels but X_train has 4 rows"),
    ((X4, [0, 1.5, 0, 1]), {}, ValueError, r"y_train must be whole numbers"),
    ((X4, ["a", "b", "a", "b"]), {}, TypeError, r"y_train must be integer class indices"),
    ((X4, [0, -1, 0, 1]), {}, ValueError, r"y_train must be >= 0"),
    ((X4[0], Y4), {}, ValueError, r"X_train must be 2-dimensional"),
    ((np.full((4, 3), np.nan), Y4), {}, ValueError, r"X_train must be finite"),
    ((X4, Y4, np.zeros((2, 5)), [0, 1]), {}, ValueError,
     r"X_test has 5 features per sample but X_train has 3"),
    ((X4, Y4, np.zeros((2, 3)), [0, 1, 1]), {}, ValueError,
     r"y_test has 3 labels but X_test has 2 rows"),
    ((X4, Y4, np.zeros((2, 3))), {}, ValueError, r"pass X_test and y_test together .* y_test"),
    ((X4, Y4), {"y_test": [0]}, ValueError, r"pass X_test and y_test together .* X_test"),
    ((X4, Y4), {"X_val": X4}, ValueError, r"pass X_val and y_val together .* y_val"),
    ((X4, Y4), {"y_val": Y4}, ValueError, r"pass X_val and y_val together .* X_val"),
    ((X4, Y4), {"X_val": np.zeros((2, 5)), "y_val": [0, 1]}, ValueError,
     r"X_val has 5 features per sample but X_train has 3"),
    ((X4, Y4), {"X_val": X4, "y_val": Y4[:2]}, ValueError,
     r"y_val has 2 labels but X_val has 4 rows"),
    ((X4, Y4), {"weight_decay": -1e-3}, ValueError, r"weight_decay must be a finite number >= 0"),
    ((X4, Y4), {"weight_decay": "1e-3"}, TypeError, r"weight_decay must be a real number"),
    ((X4, Y4), {"num_epochs": 0}, ValueError, r"num_epochs must be at least 1"),
    ((X4, Y4), {"num_epochs": 2.0}, TypeError, r"num_epochs must be an int"),
    ((X4, Y4), {"batch_size": 0}, ValueError, r"batch_size must be at least 1"),
    ((X4, Y4), {"lr": -0.1}, ValueError, r"lr must be a finite number > 0"),
    ((X4, Y4), {"lr": float("nan")}, ValueError, r"lr must be a finite number > 0"),
    ((X4, Y4), {"lr": "0.1"}, TypeError, r"lr must be a positive real number"),
    ((X4, Y4), {"seed": -1}, ValueError, r"seed must be at least 0"),
    ((X4, Y4), {"progress": "no"}, TypeError, r"progress must be True or False"),
    ((X4, Y4), {"num_classes": 1}, ValueError, r"num_classes must be at least 2"),
    ((X4, [0, 1, 2, 1]), {"num_classes": 2}, ValueError,
     r"num_classes=2 is too small: the labels go up to 2"),
])
def test_fit_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fit(*args, **kwargs)


def test_sgd_step_errors():
    model = SoftmaxRegression(3, 2)
    with pytest.raises(ValueError, match=r"X_batch must be 2-dimensional"):
        sgd_step(model, np.zeros(3), [0], 0.1)
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0"):
        sgd_step(model, np.zeros((1, 3)), [0], 0.0)
    with pytest.raises(ValueError, match=r"labels contains 2, but there are only 2 classes"):
        sgd_step(model, np.zeros((1, 3)), [2], 0.1)
    with pytest.raises(ValueError, match=r"weight_decay must be a finite number >= 0"):
        sgd_step(model, np.zeros((1, 3)), [0], 0.1, weight_decay=float("inf"))


def test_doctests():
    import doctest

    from softmax_course import train
    result = doctest.testmod(train, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0


def test_divergence_is_a_clear_error_not_a_nan_history():
    from softmax_course.data import toy_images

    X, y = toy_images(60, seed=0)
    with pytest.raises(FloatingPointError, match="training diverged.*smaller learning rate"):
        fit(X * 1e150, y, num_epochs=3, batch_size=10, lr=1e300, progress=False)


def test_divergence_in_the_last_step_is_caught_too():
    from softmax_course.data import toy_images

    X, y = toy_images(10, seed=0)
    with pytest.raises(FloatingPointError, match="training diverged"):
        fit(X * 1e150, y, num_epochs=1, batch_size=10, lr=1e300, progress=False)


def test_fit_trains_with_one_blas_thread(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from softmax_course import train

    seen = []
    real = train.train_epoch

    def spy(*args, **kwargs):
        seen.extend(p["num_threads"] for p in threadpoolctl.threadpool_info()
                    if p["user_api"] == "blas")
        return real(*args, **kwargs)

    monkeypatch.setattr(train, "train_epoch", spy)
    X, y = toy_images(20, seed=0)
    fit(X, y, num_epochs=2, progress=False)
    assert seen and set(seen) == {1}
