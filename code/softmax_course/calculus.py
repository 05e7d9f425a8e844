"""Derivatives for checking the loss chapter's calculus: finite differences and closed forms.

- :func:`numerical_gradient` and :func:`numerical_jacobian`: central finite differences, the
  independent reference every derivative of the course is compared with;
- :func:`softmax_jacobian`: ``diag(p) - p pᵀ``, the derivative of the softmax;
- :func:`cross_entropy_hessian_diag`: ``p_j (1 - p_j)``, the second derivatives of the
  cross-entropy loss with respect to the logits.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._validation import as_float_array, check_positive
from .core import softmax

__all__ = ["numerical_gradient", "numerical_jacobian", "softmax_jacobian",
           "cross_entropy_hessian_diag"]


def _check_callable(f: Any, name: str = "f") -> None:
    if not callable(f):
        raise TypeError(f"{name} must be a function of one array, but got "
                        f"{type(f).__name__}; pass e.g. {name}=lambda x: (x ** 2).sum().")


def _evaluate(f: Callable[[np.ndarray], Any], x: np.ndarray, where: str) -> np.ndarray:
    """``f(x)`` as a float64 array, raising if it is not numeric or not finite."""
    raw = f(x)
    try:
        value = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"f must return real numbers, but f(x) at {where} could not be "
                        f"converted to floats ({exc}); return a float or a numpy array.") from None
    if not np.isfinite(value).all():
        raise ValueError(f"f returned a non-finite value (nan or inf) at {where}; finite "
                         f"differences need f to be finite near x: move x, or make eps smaller.")
    return value


def _steps(x: Any, eps: Any) -> tuple[np.ndarray, float]:
    x = as_float_array(x, "x", min_ndim=0).astype(np.float64)   # always a float64 copy
    return x, check_positive(eps, "eps")


def numerical_gradient(f: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-6) -> np.ndarray:
    r"""Gradient of a scalar function by central finite differences.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a real scalar (a float or a size-1 array).
    x : array_like
        Point at which to differentiate; real and finite, any shape. It is not modified.
    eps : float, default 1e-6
        Step of the differences, > 0.

    Returns
    -------
    numpy.ndarray of float64
        Same shape as ``x``: entry ``i`` approximates :math:`\partial f / \partial x_i`.

    Notes
    -----
    .. math:: \frac{\partial f}{\partial x_i} \approx
              \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon},

    where :math:`e_i` is the i-th unit vector. The truncation error is
    :math:`O(\varepsilon^2)` and the rounding error about :math:`10^{-16} |f| / \varepsilon`,
    so ``eps = 1e-6`` gives roughly 10 correct digits for functions of order 1. The divisor is
    the difference of the two points actually evaluated, which removes the rounding of
    ``x ± eps``. ``f`` is called ``2 * x.size`` times.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course.calculus import numerical_gradient
    >>> numerical_gradient(lambda x: (x ** 2).sum(), np.array([1.0, -2.0])).round(6).tolist()
    [2.0, -4.0]
    """
    _check_callable(f)
    x, eps = _steps(x, eps)
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        grad[idx] = _central(f, x, idx, eps, scalar=True)
    return grad


def numerical_jacobian(f: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-6) -> np.ndarray:
    r"""Jacobian of an array-valued function by central finite differences.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns an array of a fixed shape ``m``.
    x, eps
        As for :func:`numerical_gradient` (the point, left unmodified, and the step).

    Returns
    -------
    numpy.ndarray of float64, shape ``m + x.shape``
        ``J[i, j]`` approximates :math:`\partial f_i / \partial x_j` (for 1-D ``x`` and 1-D
        output: row ``i`` is the gradient of output ``i``).

    Notes
    -----
    .. math:: J_{ij} \approx \frac{f_i(x + \varepsilon e_j) - f_i(x - \varepsilon e_j)}
              {2 \varepsilon}.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_course.calculus import numerical_jacobian
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> numerical_jacobian(lambda x: A @ x, np.zeros(2)).round(6).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    _check_callable(f)
    x, eps = _steps(x, eps)
    out_shape = _evaluate(f, x.copy(), "x").shape
    jac = np.empty(out_shape + x.shape)
    for idx in np.ndindex(x.shape):
        column = _central(f, x, idx, eps, scalar=False)
        if column.shape != out_shape:
            raise ValueError(f"f must return arrays of one shape, but it returned shape "
                             f"{out_shape} at x and {column.shape} near x[{idx}]; make the "
                             f"output shape independent of the input values.")
        jac[(Ellipsis,) + idx] = column
    return jac


def _central(f: Callable[[np.ndarray], Any], x: np.ndarray, idx: tuple[int, ...],
             eps: float, *, scalar: bool) -> np.ndarray | float:
    """Central difference of ``f`` along coordinate ``idx`` (``x`` is left unchanged)."""
    plus, minus = x.copy(), x.copy()
    plus[idx] = x[idx] + eps
    minus[idx] = x[idx] - eps
    step = plus[idx] - minus[idx]           # the step actually taken, exactly representable
    where = f"x[{', '.join(map(str, idx))}] ± eps" if idx else "x ± eps"
    if step == 0:
        raise ValueError(f"eps={eps:g} is too small for the entry {x[idx]:g} at {where}: "
                         f"x + eps rounds back to x; use an eps of about 1e-6 * |x|.")
    f_plus, f_minus = _evaluate(f, plus, where), _evaluate(f, minus, where)
    if scalar:
        if f_plus.size != 1 or f_minus.size != 1:
            raise ValueError(f"f must return a single number for numerical_gradient, but it "
                             f"returned shape {f_plus.shape}; reduce the output (e.g. .sum()) "
                             f"or use numerical_jacobian for array outputs.")
        return (float(f_plus.reshape(())) - float(f_minus.reshape(()))) / step
    if f_plus.shape != f_minus.shape:
        raise ValueError(f"f must return arrays of one shape, but it returned shapes "
                         f"{f_plus.shape} and {f_minus.shape} at {where}; make the output "
                         f"shape independent of the input values.")
    return (f_plus - f_minus) / step


def softmax_jacobian(o: Any) -> np.ndarray:
    r"""Jacobian of the softmax of one logit vector: ``diag(p) - p pᵀ``.

    Parameters
    ----------
    o : array_like, shape (q,)
        Logits of one sample, real and finite.

    Returns
    -------
    numpy.ndarray, shape (q, q)
        ``J[i, j]`` = :math:`\partial\, \mathrm{softmax}(o)_i / \partial o_j`. It is symmetric,
        positive semi-definite, and each row and column sums to 0.

    Notes
    -----
    With :math:`p = \mathrm{softmax}(o)`,

    .. math:: \frac{\partial p_i}{\partial o_j} = p_i (\delta_{ij} - p_j),
              \qquad J = \mathrm{diag}(p) - p p^\top .

    It is also the Hessian of :math:`\log \sum_k e^{o_k}`, hence of the cross-entropy loss,
    whatever the label. The rows sum to 0 because adding the same constant to every logit
    leaves the softmax unchanged.

    Examples
    --------
    >>> from softmax_course.calculus import softmax_jacobian
    >>> softmax_jacobian([0.0, 0.0]).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    o = as_float_array(o, "o", ndim=1)
    p = softmax(o)
    return np.diag(p) - np.outer(p, p)


def cross_entropy_hessian_diag(o: Any) -> np.ndarray:
    r"""Second derivatives :math:`\partial^2 l / \partial o_j^2` of the cross-entropy loss.

    Parameters
    ----------
    o : array_like, shape (..., q)
        Logits, one row per sample (the last axis holds the classes), real and finite.

    Returns
    -------
    numpy.ndarray, same shape as ``o``
        ``p_j (1 - p_j)`` with ``p = softmax(o)`` along the last axis; every entry lies in
        ``[0, 1/4]``.

    Notes
    -----
    The gradient of :math:`l(y, \mathrm{softmax}(o))` is :math:`p - y` and ``y`` does not
    depend on ``o``, so

    .. math:: \frac{\partial^2 l}{\partial o_j^2} = \frac{\partial p_j}{\partial o_j}
              = p_j (1 - p_j),

    the diagonal of :func:`softmax_jacobian`, whatever the label. It equals the variance of
    the indicator :math:`[J = j]` of a class :math:`J` drawn from the softmax distribution.

    Examples
    --------
    >>> from softmax_course.calculus import cross_entropy_hessian_diag
    >>> cross_entropy_hessian_diag([0.0, 0.0]).tolist()
    [0.25, 0.25]
    """
    o = as_float_array(o, "o", min_ndim=1)
    p = softmax(o, axis=-1)
    return p * (1.0 - p)
