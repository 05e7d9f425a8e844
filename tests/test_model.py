"""Tests of softmax_course.model: softmax regression, the PHM layer, parameter counts, training."""
from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import softmax as scipy_softmax

from softmax_course import model as model_module
from softmax_course.core import cross_entropy
from softmax_course.model import (PHMLinear, SoftmaxRegression, common_divisors,
                                  dense_param_count, phm_param_count, phm_weight)
from softmax_course.train import fit_gd

from helpers import finite_difference_grad


def explicit_kron_sum(A: np.ndarray, S: np.ndarray) -> np.ndarray:
    """The paper's H = sum_i kron(A_i, S_i), of shape (q, d), with numpy's own kron."""
    return sum(np.kron(A[i], S[i]) for i in range(A.shape[0]))


def test_doctests():
    result = doctest.testmod(model_module)
    assert result.attempted >= 10 and result.failed == 0


# --------------------------------------------------------------------- SoftmaxRegression

def test_shapes_and_init():
    model = SoftmaxRegression(4, 3, seed=0, weight_scale=0.01)
    assert model.W.shape == (4, 3) and model.b.shape == (3,)
    assert np.all(model.b == 0)
    assert 0.001 < model.W.std() < 0.03
    np.testing.assert_array_equal(model.W, SoftmaxRegression(4, 3, seed=0).W)
    assert not np.array_equal(model.W, SoftmaxRegression(4, 3, seed=1).W)
    assert np.all(SoftmaxRegression(4, 3, weight_scale=0).W == 0)
    assert repr(model) == "SoftmaxRegression(num_inputs=4, num_classes=3)"


def test_logits_equal_explicit_sums():
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    X = rng.standard_normal((5, 4))
    model = SoftmaxRegression.from_weights(W, b)
    expected = np.empty((5, 3))
    for i in range(5):
        for j in range(3):
            expected[i, j] = sum(X[i, k] * W[k, j] for k in range(4)) + b[j]
    np.testing.assert_allclose(model.logits(X), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(model.logits(X[2]), expected[2], rtol=1e-12, atol=1e-12)
    # the source's o = W' x + b with W' = W.T gives the same numbers
    np.testing.assert_allclose(W.T @ X[2] + b, expected[2], rtol=1e-12)


def test_predict_proba_matches_scipy_and_predict_is_argmax():
    rng = np.random.default_rng(2)
    model = SoftmaxRegression(6, 4, seed=3, weight_scale=1.0)
    X = rng.standard_normal((20, 6))
    logits = X @ model.W + model.b
    np.testing.assert_allclose(model.predict_proba(X), scipy_softmax(logits, axis=1),
                               rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), logits.argmax(axis=1))
    assert model.predict(X[0]) == logits[0].argmax()


@settings(max_examples=60, deadline=None)
@given(X=arrays(np.float64, st.tuples(st.integers(1, 8), st.just(5)),
                elements=st.floats(-1e3, 1e3)),
       seed=st.integers(0, 2**16), scale=st.floats(0.0, 10.0))
def test_predict_proba_rows_sum_to_one(X, seed, scale):
    model = SoftmaxRegression(5, 3, seed=seed, weight_scale=scale)
    P = model.predict_proba(X)
    assert P.shape == (X.shape[0], 3)
    assert np.all(P >= 0) and np.all(np.isfinite(P))
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), np.argmax(model.logits(X), axis=1))


def test_num_params_brute_force():
    for d, q in [(4, 3), (784, 10), (1, 2)]:
        model = SoftmaxRegression(d, q)
        assert model.num_params == model.W.size + model.b.size == dense_param_count(d, q)
        assert dense_param_count(d, q, bias=False) == model.W.size


def test_from_weights_copies():
    W = np.ones((2, 3))
    model = SoftmaxRegression.from_weights(W)
    W[0, 0] = 5.0
    assert model.W[0, 0] == 1.0 and np.all(model.b == 0)


@pytest.mark.parametrize("X, match", [
    (np.zeros((5, 3)), r"X must have shape \(n, 4\).*got shape \(5, 3\)"),
    (np.zeros(3), r"X must have shape \(n, 4\).*\(4,\).*got shape \(3,\)"),
    (np.zeros((2, 2, 4)), r"got shape \(2, 2, 4\)"),
    ([[1.0, np.nan, 0.0, 0.0]], r"X must be finite"),
])
def test_bad_inputs(X, match):
    model = SoftmaxRegression(4, 3)
    with pytest.raises(ValueError, match=match):
        model.logits(X)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="num_classes must be at least 2, but got 1"):
        SoftmaxRegression(4, 1)
    with pytest.raises(TypeError, match="num_inputs must be an int"):
        SoftmaxRegression(4.5, 3)
    with pytest.raises(ValueError, match="weight_scale must be a finite number > 0"):
        SoftmaxRegression(4, 3, weight_scale=-1.0)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        SoftmaxRegression(4, 3).predict([["a", "b", "c", "d"]])
    with pytest.raises(ValueError, match=r"b must have shape \(3,\).*got shape \(2,\)"):
        SoftmaxRegression.from_weights(np.zeros((4, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=r"q >= 2 classes.*pass W.T"):
        SoftmaxRegression.from_weights(np.zeros((4, 1)))
    with pytest.raises(ValueError, match="W must be 2-dimensional"):
        SoftmaxRegression.from_weights(np.zeros(4))
    with pytest.raises(ValueError, match="q must be at least 1, but got 0"):
        dense_param_count(4, 0)


# ------------------------------------------------------------------------------ PHM layer

PHM_SHAPES = [(4, 2, 1), (4, 2, 2), (8, 4, 2), (8, 4, 4), (6, 9, 3), (64, 8, 8), (12, 6, 6)]


@pytest.mark.parametrize("d, q, m", PHM_SHAPES)
def test_phm_shapes_and_weight_equals_kron_sum(d, q, m):
    layer = PHMLinear(d, q, m, seed=1)
    assert layer.A.shape == (m, m, m) and layer.S.shape == (m, q // m, d // m)
    assert layer.b.shape == (q,)
    assert (layer.num_inputs, layer.num_outputs, layer.m) == (d, q, m)
    W = layer.weight()
    assert W.shape == (d, q)
    np.testing.assert_allclose(W, explicit_kron_sum(layer.A, layer.S).T, rtol=1e-12,
                               atol=1e-15)


@pytest.mark.parametrize("d, q, m", PHM_SHAPES)
def test_phm_forward_equals_dense_layer(d, q, m):
    rng = np.random.default_rng(4)
    layer = PHMLinear(d, q, m, seed=2, weight_scale=1.0)
    layer.b[...] = rng.standard_normal(q)
    X = rng.standard_normal((7, d))
    H = explicit_kron_sum(layer.A, layer.S)
    np.testing.assert_allclose(layer.forward(X), X @ H.T + layer.b, rtol=1e-10, atol=1e-12)
    dense = SoftmaxRegression.from_weights(layer.weight(), layer.b)
    np.testing.assert_allclose(layer.forward(X), dense.logits(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.forward(X[0]), H @ X[0] + layer.b, rtol=1e-10,
                               atol=1e-12)


def test_phm_weight_by_hand():
    # m = 2, q/m = 1, d/m = 2: H = A_1 ⊗ S_1 + A_2 ⊗ S_2 written out entry by entry.
    A = np.array([[[1.0, 2.0], [3.0, 4.0]], [[0.0, -1.0], [1.0, 0.0]]])
    S = np.array([[[1.0, 10.0]], [[100.0, 1000.0]]])
    H = np.array([[1 + 0, 10 + 0, 2 - 100, 20 - 1000],
                  [3 + 100, 30 + 1000, 4 + 0, 40 + 0]])
    np.testing.assert_array_equal(phm_weight(A, S), H.T)


@pytest.mark.parametrize("d, q, m", PHM_SHAPES + [(768, 3072, 4), (1024, 1024, 32)])
def test_param_counts_brute_force(d, q, m):
    expected = d * q // m + m ** 3
    assert phm_param_count(d, q, m, bias=False) == expected
    assert phm_param_count(d, q, m) == expected + q
    if d * q <= 10_000:
        layer = PHMLinear(d, q, m)
        assert layer.num_params == layer.A.size + layer.S.size + layer.b.size == expected + q


def test_phm_m1_is_dense_plus_one_scalar():
    assert phm_param_count(64, 8, 1) == dense_param_count(64, 8) + 1
    layer = PHMLinear(64, 8, 1)
    assert abs(layer.A.item()) == pytest.approx(1.0)     # orthogonal 1x1 matrix


def test_phm_hyperparameter_is_called_m():
    """The course's notation: m is the PHM hyperparameter, n only ever a number of samples."""
    layer = PHMLinear(8, 4, m=2)
    assert layer.m == 2 and not hasattr(layer, "n")
    assert repr(layer) == "PHMLinear(d=8, q=4, m=2)"
    assert phm_param_count(8, 4, m=4, bias=False) == 8 * 4 // 4 + 4 ** 3
    with pytest.raises(TypeError):
        PHMLinear(8, 4, n=2)


def test_phm_A_orthogonal_and_weight_scale():
    layer = PHMLinear(256, 64, 4, seed=0, weight_scale=0.01)
    for A_i in layer.A:
        np.testing.assert_allclose(A_i @ A_i.T, np.eye(4), atol=1e-12)
    assert 0.009 < layer.weight().std() < 0.011


def test_common_divisors_brute_force():
    for d, q in itertools.product(range(1, 25), repeat=2):
        assert common_divisors(d, q) == [k for k in range(1, 25) if d % k == 0 and q % k == 0]


def test_phm_bad_m_names_everything():
    with pytest.raises(ValueError, match=r"m=3 must divide both d=64 and q=10.*"
                                         r"common divisors of d and q: 1, 2\."):
        PHMLinear(64, 10, 3)
    with pytest.raises(ValueError, match=r"m=4 must divide both d=64 and q=10.*: 1, 2\."):
        phm_param_count(64, 10, 4)
    with pytest.raises(ValueError, match="m must be at least 1, but got 0"):
        PHMLinear(4, 4, 0)
    with pytest.raises(TypeError, match="m must be an int"):
        PHMLinear(4, 4, 2.0)


def test_phm_bad_inputs():
    layer = PHMLinear(8, 4, 2)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 8\).*got shape \(3, 4\)"):
        layer.forward(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"A must have shape \(m, m, m\).*but got \(2, 2, 3\)"):
        phm_weight(np.zeros((2, 2, 3)), np.zeros((2, 1, 1)))
    with pytest.raises(ValueError, match=r"S must have shape \(m, q/m, d/m\) with m=2"):
        phm_weight(np.zeros((2, 2, 2)), np.zeros((3, 1, 1)))
    with pytest.raises(ValueError, match=r"dO must have shape \(3, 4\).*got shape \(3, 5\)"):
        layer.grad(np.zeros((3, 8)), np.zeros((3, 5)))


# ----------------------------------------------------------------- gradients and training

@pytest.mark.parametrize("d, q, m", [(4, 2, 1), (4, 2, 2), (6, 9, 3), (8, 4, 4)])
def test_phm_grad_matches_finite_differences(d, q, m):
    rng = np.random.default_rng(5)
    layer = PHMLinear(d, q, m, seed=3, weight_scale=0.5)
    layer.b[...] = rng.standard_normal(q)
    X, y = rng.standard_normal((5, d)), rng.integers(0, q, 5)

    def loss():
        return cross_entropy(layer.forward(X), y)

    from softmax_course.core import cross_entropy_grad
    grads = layer.grad(X, cross_entropy_grad(layer.forward(X), y))
    assert set(grads) == {"A", "S", "b"}
    for name in grads:
        np.testing.assert_allclose(grads[name], finite_difference_grad(loss, getattr(layer, name)),
                                   rtol=1e-5, atol=1e-8)


def test_softmax_regression_grad_matches_finite_differences():
    rng = np.random.default_rng(6)
    model = SoftmaxRegression(5, 3, seed=1, weight_scale=0.5)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)

    def loss():
        return cross_entropy(model.logits(X), y)

    from softmax_course.core import cross_entropy_grad
    grads = model.grad(X, cross_entropy_grad(model.logits(X), y))
    for name in ("W", "b"):
        np.testing.assert_allclose(grads[name], finite_difference_grad(loss, getattr(model, name)),
                                   rtol=1e-5, atol=1e-8)


def _blobs(n: int = 90, d: int = 8, q: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((q, d))
    y = np.arange(n) % q
    return centres[y] + rng.standard_normal((n, d)), y


@pytest.mark.parametrize("make", [lambda: SoftmaxRegression(8, 4),
                                  lambda: PHMLinear(8, 4, 2),
                                  lambda: PHMLinear(8, 4, 4)])
@pytest.mark.parametrize("batch_size", [None, 16])
def test_fit_gd_lowers_loss_and_learns(make, batch_size):
    X, y = _blobs()
    model = make()
    before = cross_entropy(model.forward(X), y)
    losses = fit_gd(model, X, y, lr=0.1, epochs=30, batch_size=batch_size)
    assert len(losses) == 30
    assert losses[-1] < 0.5 * before
    assert losses[-1] == pytest.approx(cross_entropy(model.forward(X), y))
    assert (model.forward(X).argmax(axis=1) == y).mean() > 0.9


def test_fit_gd_is_seeded_and_updates_in_place():
    X, y = _blobs()
    a, b = PHMLinear(8, 4, 2), PHMLinear(8, 4, 2)
    S_before = a.S
    fit_gd(a, X, y, epochs=3, batch_size=10, seed=7)
    fit_gd(b, X, y, epochs=3, batch_size=10, seed=7)
    assert a.S is S_before                       # same array object, updated in place
    np.testing.assert_array_equal(a.S, b.S)
    np.testing.assert_array_equal(a.A, b.A)


def test_fit_gd_full_batch_is_one_gradient_step_per_epoch():
    X, y = _blobs(n=12)
    model = SoftmaxRegression(8, 4, seed=0)
    W0 = model.W.copy()
    from softmax_course.core import cross_entropy_grad
    dO = cross_entropy_grad(X @ W0, y)
    fit_gd(model, X, y, lr=0.3, epochs=1)
    np.testing.assert_allclose(model.W, W0 - 0.3 * X.T @ dO, rtol=1e-12)


def test_fit_gd_bad_arguments():
    X, y = _blobs(n=12)
    with pytest.raises(TypeError, match="model must have forward\\(X\\) and grad\\(X, dO\\)"):
        fit_gd(object(), X, y)
    with pytest.raises(ValueError, match="y has 11 entries but there are 12 samples"):
        fit_gd(SoftmaxRegression(8, 4), X, y[:11])
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        fit_gd(SoftmaxRegression(8, 4), X, y, lr=0.0)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        fit_gd(SoftmaxRegression(8, 4), X, y, batch_size=0)
    with pytest.raises(ValueError, match=r"y contains 3, but there are only 3 classes"):
        fit_gd(SoftmaxRegression(8, 3), X, y)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 6\)"):
        fit_gd(PHMLinear(6, 4, 2), X, y)
