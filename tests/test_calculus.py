"""Tests of softmax_course.calculus: finite differences and the softmax/cross-entropy derivatives."""
import doctest
import warnings

import numpy as np
import pytest
import scipy.differentiate
import scipy.optimize
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from softmax_course import calculus, cross_entropy, cross_entropy_grad, logsumexp, softmax
from softmax_course.calculus import (cross_entropy_hessian_diag, numerical_gradient,
                                     numerical_jacobian, softmax_jacobian)

logit_vectors = arrays(np.float64, st.integers(2, 8),
                       elements=st.floats(-30, 30, allow_nan=False, allow_infinity=False))


def test_doctests():
    result = doctest.testmod(calculus)
    assert result.attempted >= 4 and result.failed == 0


# --- numerical_gradient ---------------------------------------------------------------------

def test_numerical_gradient_of_quadratic_is_exact_up_to_rounding():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.5])
    g = numerical_gradient(lambda v: 0.5 * v @ A @ v, x)
    np.testing.assert_allclose(g, A @ x, atol=1e-8)


def test_numerical_gradient_matches_scipy_approx_fprime():
    rng = np.random.default_rng(1)
    o = rng.standard_normal(5)
    f = lambda v: float(logsumexp(v))          # noqa: E731
    ours = numerical_gradient(f, o)
    ref = scipy.optimize.approx_fprime(o, f, 1e-7)    # forward differences: less accurate
    np.testing.assert_allclose(ours, ref, atol=1e-6)
    np.testing.assert_allclose(ours, scipy.special.softmax(o), atol=1e-9)


def test_numerical_gradient_of_cross_entropy_matches_package_gradient():
    rng = np.random.default_rng(2)
    O = rng.standard_normal((4, 3))
    y = np.array([0, 2, 1, 1])
    g = numerical_gradient(lambda M: cross_entropy(M, y), O)
    np.testing.assert_allclose(g, cross_entropy_grad(O, y), atol=1e-9)
    assert g.shape == O.shape


def test_numerical_gradient_does_not_modify_x_and_accepts_scalars():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: (v ** 3).sum(), x)
    assert x.tolist() == [1.0, 2.0]
    assert abs(float(numerical_gradient(lambda v: v ** 2, 3.0)) - 6.0) < 1e-8


def test_numerical_gradient_promotes_float32_to_float64():
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = numerical_gradient(lambda v: (v ** 2).sum(), x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [2.0, 4.0], atol=1e-8)


@pytest.mark.parametrize("f, match, exc", [
    ("not callable", "f must be a function", TypeError),
    (lambda v: v, "must return a single number", ValueError),
    (lambda v: np.log(v - 10.0) if v[0] > 100 else np.nan, "non-finite", ValueError),
    (lambda v: "abc", "must return real numbers", TypeError),
])
def test_numerical_gradient_rejects_bad_functions(f, match, exc):
    with pytest.raises(exc, match=match):
        numerical_gradient(f, np.array([1.0, 2.0]))


@pytest.mark.parametrize("x, eps, match, exc", [
    ([np.nan, 1.0], 1e-6, "x must be finite", ValueError),
    ("abc", 1e-6, "x must be an array of real numbers", TypeError),
    ([1.0], 0.0, "eps must be a finite number > 0", ValueError),
    ([1.0], "small", "eps must be a positive real number", TypeError),
    ([1e20], 1e-6, "eps=1e-06 is too small", ValueError),
])
def test_numerical_gradient_rejects_bad_points_and_steps(x, eps, match, exc):
    with pytest.raises(exc, match=match):
        numerical_gradient(lambda v: float(v.sum()), x, eps=eps)


def test_errors_raised_inside_f_are_not_disguised():
    def f(v):
        raise ValueError("my own error")
    with pytest.raises(ValueError, match="my own error"):
        numerical_gradient(f, [1.0])


# --- numerical_jacobian ---------------------------------------------------------------------

def test_numerical_jacobian_of_linear_map_is_the_matrix():
    A = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(numerical_jacobian(lambda x: A @ x, [1.0, -1.0]), A, atol=1e-8)


def test_numerical_jacobian_of_softmax_matches_scipy_differentiate():
    o = np.array([0.3, -1.2, 2.0, 0.0])
    ref = scipy.differentiate.jacobian(lambda v: scipy.special.softmax(v, axis=0), o).df
    np.testing.assert_allclose(numerical_jacobian(softmax, o), ref, atol=1e-8)


def test_numerical_jacobian_rejects_shape_changing_output():
    def f(v):
        return np.ones(2) if v[0] > 1.0 else np.ones(3)
    with pytest.raises(ValueError, match="arrays of one shape"):
        numerical_jacobian(f, [1.0, 0.0])


def test_numerical_jacobian_rejects_non_callable():
    with pytest.raises(TypeError, match="f must be a function"):
        numerical_jacobian(np.ones(3), [1.0])


# --- softmax_jacobian -----------------------------------------------------------------------

def test_softmax_jacobian_matches_scipy_differentiate_and_finite_differences():
    o = np.array([1.0, 2.0, -0.5, 0.25])
    J = softmax_jacobian(o)
    ref = scipy.differentiate.jacobian(lambda v: scipy.special.softmax(v, axis=0), o).df
    np.testing.assert_allclose(J, ref, atol=1e-10)
    np.testing.assert_allclose(J, numerical_jacobian(softmax, o), atol=1e-9)


def test_softmax_jacobian_is_hessian_of_logsumexp():
    o = np.array([0.5, -1.0, 1.5])
    H = scipy.differentiate.hessian(lambda v: scipy.special.logsumexp(v, axis=0), o).ddf
    np.testing.assert_allclose(softmax_jacobian(o), H, atol=1e-8)


@settings(max_examples=60, deadline=None)
@given(logit_vectors)
def test_softmax_jacobian_properties(o):
    J = softmax_jacobian(o)
    q = o.shape[0]
    assert J.shape == (q, q)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-12)     # rows sum to 0
    np.testing.assert_array_equal(J, J.T)                          # symmetric
    assert np.linalg.eigvalsh(J).min() >= -1e-12                   # positive semi-definite
    np.testing.assert_allclose(np.diag(J), cross_entropy_hessian_diag(o), atol=1e-15)
    np.testing.assert_allclose(softmax_jacobian(o + 7.5), J, atol=1e-12)   # shift-invariant


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(2, 5),
              elements=st.floats(-5, 5, allow_nan=False, allow_infinity=False)))
def test_softmax_jacobian_against_finite_differences_property(o):
    np.testing.assert_allclose(softmax_jacobian(o), numerical_jacobian(softmax, o), atol=1e-8)


def test_softmax_jacobian_extreme_logits_are_finite_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = softmax_jacobian([1000.0, 0.0, -1000.0])
    assert np.isfinite(J).all()
    np.testing.assert_array_equal(J, np.zeros((3, 3)))


@pytest.mark.parametrize("o, match, exc", [
    ([[1.0, 2.0]], "o must be 1-dimensional", ValueError),
    ([1.0, np.inf], "o must be finite", ValueError),
    ("abc", "o must be an array of real numbers", TypeError),
    ([], "o is empty", ValueError),
])
def test_softmax_jacobian_rejects_bad_input(o, match, exc):
    with pytest.raises(exc, match=match):
        softmax_jacobian(o)


# --- cross_entropy_hessian_diag -------------------------------------------------------------

def test_hessian_diag_matches_second_finite_differences_of_the_loss():
    o = np.array([1.5, -0.5, 0.2])
    for label in range(3):
        def loss(v, label=label):
            return cross_entropy(v[None, :], [label], reduction="sum")
        H = numerical_jacobian(lambda v: numerical_gradient(loss, v, eps=1e-4), o, eps=1e-4)
        np.testing.assert_allclose(np.diag(H), cross_entropy_hessian_diag(o), atol=1e-6)


def test_hessian_diag_matches_scipy_hessian_of_the_loss():
    o = np.array([0.1, 2.0, -1.0, 0.7])
    y = np.array([0.0, 0.0, 1.0, 0.0])
    H = scipy.differentiate.hessian(
        lambda v: scipy.special.logsumexp(v, axis=0) - np.tensordot(y, v, axes=1), o).ddf
    np.testing.assert_allclose(cross_entropy_hessian_diag(o), np.diag(H), atol=1e-8)


@settings(max_examples=50, deadline=None)
@given(logit_vectors)
def test_hessian_diag_is_the_variance_of_the_class_indicator(o):
    p = scipy.special.softmax(o)
    q = o.shape[0]
    # Var[1{J=j}] = sum_k p_k (1{k=j} - p_j)^2, computed by brute force over the classes k.
    var = np.array([sum(p[k] * ((k == j) - p[j]) ** 2 for k in range(q)) for j in range(q)])
    h = cross_entropy_hessian_diag(o)
    np.testing.assert_allclose(h, var, atol=1e-12)
    assert (h >= 0).all() and (h <= 0.25 + 1e-15).all()


def test_hessian_diag_works_on_batches():
    O = np.array([[0.0, 0.0], [1000.0, -1000.0]])
    np.testing.assert_array_equal(cross_entropy_hessian_diag(O), [[0.25, 0.25], [0.0, 0.0]])


def test_hessian_diag_rejects_scalars_and_nan():
    with pytest.raises(ValueError, match="at least 1 dimension"):
        cross_entropy_hessian_diag(1.0)
    with pytest.raises(ValueError, match="o must be finite"):
        cross_entropy_hessian_diag([0.0, np.nan])
