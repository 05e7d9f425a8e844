"""Softmax regression and the hypercomplex (PHM) layer that replaces its dense weight matrix.

- :class:`SoftmaxRegression`: logits ``O = X W + b`` with ``W`` of shape (d, q) and ``b`` of
  shape (q,), probabilities ``softmax(O)``, predictions ``argmax``.
- :class:`PHMLinear`: the parameterized hypercomplex multiplication layer of Zhang et al.
  (ICLR 2021), whose weight is a sum of ``m`` Kronecker products and costs ``d q / m + m^3``
  parameters instead of ``d q``.
- :func:`dense_param_count`, :func:`phm_param_count`: the two parameter counts.
Both models expose ``forward(X)`` and ``grad(X, dO)``, the interface that
:func:`softmax_course.train.sgd_step` and :func:`softmax_course.train.fit_gd` (module
``train``) train through.

Orientation. The course writes a batch as rows, ``O = X W + b`` with ``W`` of shape (d, q).
Papers (and the source's ``o = W x + b``) use the transposed matrix of shape (q, d). Here
``PHMLinear.A``, ``PHMLinear.S`` follow the paper, and :meth:`PHMLinear.weight` returns the
transpose of the paper's matrix, so that ``X @ layer.weight() + layer.b`` is the layer.

Notation (the course's one rule): ``n`` is the number of samples in the set at hand, ``d`` the
number of inputs, ``q`` the number of classes (outputs), and ``m`` the PHM hyperparameter, which
the paper calls :math:`n`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_float_array, check_int, check_positive
from .core import softmax

__all__ = ["SoftmaxRegression", "PHMLinear", "dense_param_count", "phm_param_count",
           "phm_weight", "common_divisors"]


def _nonneg_scale(value: Any, name: str) -> float:
    """A scale that may be 0 (all-zero start) or any finite positive number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        return 0.0
    return check_positive(value, name)


def _check_inputs(X: Any, d: int) -> np.ndarray:
    """``X`` as a float array of shape (n, d) or (d,), with an error naming ``d`` otherwise."""
    X = as_float_array(X, "X", min_ndim=1)
    if X.ndim > 2 or X.shape[-1] != d:
        raise ValueError(f"X must have shape (n, {d}) (a batch of n samples with d={d} "
                         f"features) or ({d},) (a single sample), but got shape {X.shape}; "
                         f"the model was built for {d} inputs, so pass {d} features per sample.")
    return X


# ----------------------------------------------------------------------------- dense layer

def dense_param_count(d: int, q: int, bias: bool = True) -> int:
    r"""Number of parameters of a fully connected layer from ``d`` inputs to ``q`` outputs.

    Parameters
    ----------
    d, q : int
        Numbers of inputs and outputs (at least 1).
    bias : bool, default True
        Count the ``q`` biases too.

    Returns
    -------
    int
        ``d * q + q`` (or ``d * q`` without bias).

    Notes
    -----
    Every output is connected to every input: :math:`d q` weights, plus one bias per output,
    so the cost grows as :math:`\mathcal O(dq)`.

    Examples
    --------
    >>> dense_param_count(4, 3)
    15
    >>> dense_param_count(784, 10, bias=False)
    7840
    """
    d = check_int(d, "d", minimum=1)
    q = check_int(q, "q", minimum=1)
    return d * q + (q if bias else 0)


class SoftmaxRegression:
    r"""Softmax regression: one fully connected layer followed by softmax.

    Parameters
    ----------
    num_inputs : int
        Number of features ``d``.
    num_classes : int
        Number of classes ``q`` (at least 2).
    seed : int, default 0
        Seed of the weight initialisation.
    weight_scale : float, default 0.01
        Standard deviation of the initial weights (0 gives all-zero weights).

    Attributes
    ----------
    W : numpy.ndarray of shape (d, q)
        Weights; column ``j`` holds the weights of output ``o_j``. Training code updates it
        in place.
    b : numpy.ndarray of shape (q,)
        Biases, initialised to 0.

    Notes
    -----
    .. math:: \mathbf O = \mathbf X \mathbf W + \mathbf b, \qquad
              \hat{\mathbf Y} = \mathrm{softmax}(\mathbf O) \text{ row by row},

    so :math:`o_j = \sum_k x_k W_{kj} + b_j`. The source writes a single sample as a column,
    :math:`\mathbf o = \mathbf W' \mathbf x + \mathbf b` with :math:`\mathbf W'` of shape
    (q, d): the two matrices are transposes, :math:`\mathbf W = \mathbf W'^\top`.

    Examples
    --------
    >>> model = SoftmaxRegression.from_weights([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
    >>> model.logits([2.0, 3.0]).tolist()
    [2.0, 3.0]
    >>> model.predict([[2.0, 3.0], [5.0, 1.0]]).tolist()
    [1, 0]
    >>> SoftmaxRegression(4, 3).num_params
    15
    """

    def __init__(self, num_inputs: int, num_classes: int, *, seed: int = 0,
                 weight_scale: float = 0.01):
        d = check_int(num_inputs, "num_inputs", minimum=1)
        q = check_int(num_classes, "num_classes", minimum=2)
        seed = check_int(seed, "seed", minimum=0)
        scale = _nonneg_scale(weight_scale, "weight_scale")
        rng = np.random.default_rng(seed)
        self.W = scale * rng.standard_normal((d, q))
        self.b = np.zeros(q)

    @classmethod
    def from_weights(cls, W: Any, b: Any = None) -> "SoftmaxRegression":
        """A model with the given weights ``W`` (shape (d, q)) and biases ``b`` (shape (q,)).

        ``b`` defaults to zeros. The arrays are copied.
        """
        W = as_float_array(W, "W", ndim=2).astype(np.float64)
        d, q = W.shape
        if q < 2:
            raise ValueError(f"W must have shape (d, q) with q >= 2 classes, but got shape "
                             f"{W.shape}; if you have the source's (q, d) matrix, pass W.T.")
        model = cls(d, q, weight_scale=0.0)
        model.W = W.copy()
        if b is not None:
            b = as_float_array(b, "b", ndim=1)
            if b.shape != (q,):
                raise ValueError(f"b must have shape ({q},), one bias per class of W (shape "
                                 f"{W.shape}), but got shape {b.shape}.")
            model.b = b.astype(np.float64)
        return model

    @property
    def num_inputs(self) -> int:
        """Number of features ``d``."""
        return self.W.shape[0]

    @property
    def num_classes(self) -> int:
        """Number of classes ``q``."""
        return self.W.shape[1]

    @property
    def num_params(self) -> int:
        """Number of parameters, ``d * q + q``."""
        return self.W.size + self.b.size

    def __repr__(self) -> str:
        return f"SoftmaxRegression(num_inputs={self.num_inputs}, num_classes={self.num_classes})"

    def logits(self, X: Any) -> np.ndarray:
        """Unnormalised scores ``X @ W + b``: shape (n, q) for X of shape (n, d), (q,) for (d,)."""
        X = _check_inputs(X, self.num_inputs)
        return X @ self.W + self.b

    forward = logits  # the layer interface shared with PHMLinear (used by train.sgd_step)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``softmax(X @ W + b)``; each row sums to 1."""
        return softmax(self.logits(X), axis=-1)

    def predict(self, X: Any) -> np.ndarray:
        """The most likely class of each sample: ``argmax`` of the logits (= of the probabilities)."""
        return np.argmax(self.logits(X), axis=-1)

    def grad(self, X: Any, dO: Any) -> dict[str, np.ndarray]:
        r"""Gradients of a loss with respect to ``W`` and ``b``, given ``dO`` = dloss/dO.

        Notes
        -----
        From :math:`O = XW + b`: :math:`\partial L/\partial W = X^\top\, \partial L/\partial O`
        and :math:`\partial L/\partial b = \sum_i (\partial L/\partial O)_{i\cdot}`.
        """
        X, dO = _check_batch_grad(X, dO, self.num_inputs, self.num_classes)
        return {"W": X.T @ dO, "b": dO.sum(axis=0)}


def _check_batch_grad(X: Any, dO: Any, d: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    X = _check_inputs(X, d)
    if X.ndim == 1:
        X = X[None, :]
    dO = as_float_array(dO, "dO", ndim=2)
    if dO.shape != (X.shape[0], q):
        raise ValueError(f"dO must have shape ({X.shape[0]}, {q}) (one row per sample of X, one "
                         f"column per output), but got shape {dO.shape}.")
    return X, dO


# ------------------------------------------------------------------------------- PHM layer

def common_divisors(d: int, q: int) -> list[int]:
    """The numbers that divide both ``d`` and ``q``: the valid PHM hyperparameters.

    Examples
    --------
    >>> common_divisors(64, 10)
    [1, 2]
    >>> common_divisors(64, 8)
    [1, 2, 4, 8]
    """
    d = check_int(d, "d", minimum=1)
    q = check_int(q, "q", minimum=1)
    return [k for k in range(1, min(d, q) + 1) if d % k == 0 and q % k == 0]


def _check_phm_shape(d: Any, q: Any, m: Any) -> tuple[int, int, int]:
    d = check_int(d, "d", minimum=1)
    q = check_int(q, "q", minimum=1)
    m = check_int(m, "m", minimum=1)
    if d % m or q % m:
        valid = ", ".join(map(str, common_divisors(d, q)))
        raise ValueError(f"m={m} must divide both d={d} and q={q} (the weight is built from "
                         f"m x m blocks), but it does not; choose m from the common divisors "
                         f"of d and q: {valid}.")
    return d, q, m


def phm_param_count(d: int, q: int, m: int, bias: bool = True) -> int:
    r"""Number of parameters of a PHM layer from ``d`` inputs to ``q`` outputs.

    Parameters
    ----------
    d, q : int
        Numbers of inputs and outputs.
    m : int
        PHM hyperparameter; must divide both ``d`` and ``q``.
    bias : bool, default True
        Count the ``q`` biases too.

    Returns
    -------
    int
        ``d * q // m + m**3`` (plus ``q`` with bias).

    Notes
    -----
    The ``m`` matrices :math:`A_i` have :math:`m \times m` entries each (:math:`m^3` in all)
    and the ``m`` matrices :math:`S_i` have :math:`(q/m)(d/m)` entries each
    (:math:`dq/m` in all).

    Examples
    --------
    >>> phm_param_count(64, 8, 4, bias=False)
    192
    >>> phm_param_count(64, 8, 1)  # m = 1: the dense layer plus one redundant scalar
    521
    """
    d, q, m = _check_phm_shape(d, q, m)
    return d * q // m + m ** 3 + (q if bias else 0)


def phm_weight(A: Any, S: Any) -> np.ndarray:
    r"""Assemble the (d, q) weight of a PHM layer from ``A`` (m, m, m) and ``S`` (m, q/m, d/m).

    Returns
    -------
    numpy.ndarray of shape (d, q)
        :math:`\left(\sum_{i=1}^m A_i \otimes S_i\right)^\top`.

    Notes
    -----
    The paper's weight :math:`H = \sum_i A_i \otimes S_i` has shape (q, d) and acts as
    :math:`Hx`. Block :math:`(a, c)` of :math:`H` (rows :math:`a\,q/m \ldots`, columns
    :math:`c\,d/m \ldots`) is :math:`\sum_i A_i[a, c]\, S_i`, which one ``einsum`` computes;
    the result is transposed to the course's :math:`O = XW + b` orientation.

    Examples
    --------
    >>> A = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]])
    >>> S = np.array([[[2.0]], [[3.0]]])
    >>> phm_weight(A, S).tolist()   # 2 * I + 3 * swap, transposed
    [[2.0, 3.0], [3.0, 2.0]]
    """
    A = as_float_array(A, "A", ndim=3)
    S = as_float_array(S, "S", ndim=3)
    m = A.shape[0]
    if A.shape != (m, m, m):
        raise ValueError(f"A must have shape (m, m, m) (m matrices of m x m), but got "
                         f"{A.shape}.")
    if S.shape[0] != m:
        raise ValueError(f"S must have shape (m, q/m, d/m) with m={m} matching A, but got "
                         f"{S.shape}.")
    _, qm, dm = S.shape
    blocks = np.einsum("iac,irs->arcs", A, S)   # H[a*qm + r, c*dm + s]
    return np.ascontiguousarray(blocks.reshape(m * qm, m * dm).T)   # row-major: faster X @ W


class PHMLinear:
    r"""Parameterized hypercomplex multiplication (PHM) layer: a dense layer with fewer parameters.

    Parameters
    ----------
    d, q : int
        Numbers of inputs and outputs.
    m : int
        PHM hyperparameter (the paper's :math:`n`); must divide both ``d`` and ``q``.
    seed : int, default 0
        Seed of the initialisation.
    weight_scale : float, default 0.01
        Standard deviation of the entries of the assembled weight at the start.

    Attributes
    ----------
    A : numpy.ndarray of shape (m, m, m)
        The ``m`` small matrices :math:`A_i` that encode the "multiplication rule". Each starts
        as a random orthogonal matrix (at ``m = 1``: ±1).
    S : numpy.ndarray of shape (m, q // m, d // m)
        The ``m`` matrices :math:`S_i` that hold most parameters; entries start as
        ``N(0, weight_scale**2)``, so the assembled weight has that scale for every ``m``.
    b : numpy.ndarray of shape (q,)
        Biases, initialised to 0.

    Notes
    -----
    Zhang et al., ICLR 2021 ("Beyond Fully-Connected Layers with Quaternions: Parameterization
    of Hypercomplex Multiplications with 1/n Parameters", where :math:`n` is our :math:`m`)
    replace the (q, d) weight of :math:`y = Hx + b` by

    .. math:: H = \sum_{i=1}^{m} A_i \otimes S_i ,

    with :math:`m^3 + dq/m` parameters instead of :math:`dq`. In the course's orientation
    the layer is :math:`O = X W + b` with :math:`W = H^\top` (:meth:`weight`). The forward pass
    through the assembled weight costs as much as a dense layer's: the saving is in parameters.
    :attr:`num_params` counts the ``q`` biases too.

    Examples
    --------
    >>> layer = PHMLinear(8, 4, 2)
    >>> layer.weight().shape, layer.num_params
    ((8, 4), 28)
    >>> PHMLinear(6, 4, 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: m=3 must divide both d=6 and q=4 ... common divisors of d and q: 1, 2.
    """

    def __init__(self, d: int, q: int, m: int, *, seed: int = 0, weight_scale: float = 0.01):
        d, q, m = _check_phm_shape(d, q, m)
        seed = check_int(seed, "seed", minimum=0)
        scale = _nonneg_scale(weight_scale, "weight_scale")
        rng = np.random.default_rng(seed)
        self.A = np.linalg.qr(rng.standard_normal((m, m, m)))[0]   # m orthogonal m x m matrices
        self.S = scale * rng.standard_normal((m, q // m, d // m))
        self.b = np.zeros(q)

    @property
    def m(self) -> int:
        """The PHM hyperparameter ``m``."""
        return self.A.shape[0]

    @property
    def num_inputs(self) -> int:
        """Number of inputs ``d``."""
        return self.S.shape[2] * self.m

    @property
    def num_outputs(self) -> int:
        """Number of outputs ``q``."""
        return self.S.shape[1] * self.m

    @property
    def num_params(self) -> int:
        """Number of parameters, ``d * q / m + m**3 + q`` (the ``q`` biases included)."""
        return self.A.size + self.S.size + self.b.size

    def __repr__(self) -> str:
        return f"PHMLinear(d={self.num_inputs}, q={self.num_outputs}, m={self.m})"

    def weight(self) -> np.ndarray:
        """The assembled weight of shape (d, q): the transpose of the paper's sum of Kronecker products."""
        return phm_weight(self.A, self.S)

    def forward(self, X: Any) -> np.ndarray:
        """Outputs ``X @ weight() + b``: shape (n, q) for n samples, or (q,) for a single one."""
        X = _check_inputs(X, self.num_inputs)
        return X @ self.weight() + self.b

    logits = forward  # used as the last layer of a softmax regression

    def grad(self, X: Any, dO: Any) -> dict[str, np.ndarray]:
        r"""Gradients of a loss with respect to ``A``, ``S`` and ``b``, given ``dO`` = dloss/dO.

        Notes
        -----
        With :math:`W = H^\top`, the chain rule gives :math:`\partial L/\partial H =
        (\partial L/\partial O)^\top X`, of shape (q, d). Cut it into :math:`m \times m` blocks
        :math:`G_{ac}` of shape (q/m, d/m), like :math:`H`. Since block :math:`(a, c)` of
        :math:`H` is :math:`\sum_i A_i[a, c] S_i`,

        .. math:: \frac{\partial L}{\partial A_i[a, c]} = \langle G_{ac}, S_i \rangle, \qquad
                  \frac{\partial L}{\partial S_i} = \sum_{a, c} A_i[a, c]\, G_{ac},

        where :math:`\langle\cdot,\cdot\rangle` is the sum of elementwise products.
        """
        m = self.m
        X, dO = _check_batch_grad(X, dO, self.num_inputs, self.num_outputs)
        dH = dO.T @ X                                      # (q, d)
        G = dH.reshape(m, self.S.shape[1], m, self.S.shape[2])   # G[a, r, c, s]
        return {"A": np.einsum("arcs,irs->iac", G, self.S),
                "S": np.einsum("arcs,iac->irs", G, self.A),
                "b": dO.sum(axis=0)}
