"""Training softmax regression from scratch with minibatch stochastic gradient descent (SGD).

- :func:`sgd_step`: one update of the model's parameters on one minibatch (optionally with
  weight decay).
- :func:`train_epoch`: one pass over the training data: :func:`sgd_step` on each minibatch of
  :func:`softmax_course.data.minibatches`.
- :func:`fit`: checks the inputs, builds the model and runs the epochs, recording a
  :class:`History` of the training loss and accuracy and, when given, the validation loss and
  accuracy and the test accuracy, with a progress bar on stderr.
- :func:`fit_gd`: the same steps for any layer with ``forward``/``grad`` (dense or PHM), as a
  bare loop that returns the loss after each epoch.

``fit`` runs exactly the :func:`sgd_step` and ``minibatches`` that the chapter shows; there is
no second, faster copy of the update. The recipe is that of d2l §3.6: weights drawn from
N(0, 0.01²), biases 0, batches of 256, learning rate 0.1, 10 epochs by default.
"""
from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from ._validation import (_describe, as_float_array, as_labels, check_int, check_nonnegative,
                          check_positive, resolve_num_classes)
from .core import cross_entropy, cross_entropy_grad
from .data import minibatches
from .metrics import accuracy
from .model import SoftmaxRegression
from .timing import blas_threads

__all__ = ["History", "Layer", "sgd_step", "train_epoch", "fit", "fit_gd"]


@dataclass
class History:
    """What :func:`fit` records after every epoch.

    Attributes
    ----------
    train_loss : list of float
        Mean cross-entropy over the epoch's minibatches (each measured just before its step;
        without the weight-decay penalty).
    train_acc : list of float
        Training accuracy, measured the same way.
    val_loss : list of float
        Mean cross-entropy of the model on the validation data at the end of the epoch
        (empty without validation data).
    val_acc : list of float
        Validation accuracy at the end of the epoch (empty without validation data).
    test_acc : list of float
        Accuracy on the test data at the end of the epoch (empty without test data).
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)

    @property
    def num_epochs(self) -> int:
        """Number of recorded epochs."""
        return len(self.train_loss)

    def as_dict(self) -> dict[str, list[float]]:
        """The lists in a dict (e.g. for ``pandas.DataFrame``; drop the empty ones first)."""
        return asdict(self)


class Layer(Protocol):
    """What training needs of a model: logits from ``forward`` and parameter gradients."""

    def forward(self, X: Any) -> np.ndarray: ...
    def grad(self, X: Any, dO: Any) -> dict[str, np.ndarray]: ...


def sgd_step(model: Layer, X_batch: Any, y_batch: Any, lr: float,
             weight_decay: float = 0.0) -> np.ndarray:
    r"""One minibatch SGD step on the mean cross-entropy; updates the model's arrays in place.

    Parameters
    ----------
    model : SoftmaxRegression or PHMLinear
        Anything with ``forward(X)`` (logits) and ``grad(X, dO)``, which returns the gradients
        named like the model's array attributes (``W`` and ``b`` for softmax regression).
    X_batch : array_like of shape (B, d)
        The minibatch.
    y_batch : array_like of int, shape (B,)
        Its class indices.
    lr : float
        Learning rate :math:`\eta > 0`.
    weight_decay : float, default 0.0
        :math:`\lambda \ge 0`: the step minimises :math:`L + \frac\lambda2 \|\mathbf W\|^2`,
        an L2 penalty on every parameter except the bias ``b`` (the weights ``W``; the factors
        of a PHM layer).

    Returns
    -------
    numpy.ndarray of shape (B, q)
        The logits of the batch *before* the step (the caller can monitor loss and accuracy
        without a second forward pass).

    Raises
    ------
    FloatingPointError
        If the logits or the updated parameters are not finite (training diverged).

    Notes
    -----
    With :math:`\mathbf O = \mathbf X \mathbf W + \mathbf b` and the mean loss
    :math:`L = \frac1B \sum_i l(\mathbf y_i, \mathrm{softmax}(\mathbf o_i))`,

    .. math:: \mathbf G = \frac{\partial L}{\partial \mathbf O}
              = \frac{1}{B}\big(\mathrm{softmax}(\mathbf O) - \mathbf Y\big), \quad
              \mathbf W \leftarrow \mathbf W - \eta\,(\mathbf X^\top \mathbf G
              + \lambda \mathbf W), \quad
              \mathbf b \leftarrow \mathbf b - \eta\, \mathbf 1^\top \mathbf G ,

    where :math:`\mathbf X^\top \mathbf G` and :math:`\mathbf 1^\top \mathbf G` come from
    ``model.grad`` (for the PHM layer, the chain rule continues to its factors), and
    :math:`\lambda \mathbf W` is the gradient of the penalty.

    Examples
    --------
    >>> model = SoftmaxRegression(2, 2, weight_scale=0)
    >>> logits = sgd_step(model, [[1.0, 0.0]], [1], lr=1.0)
    >>> model.W.tolist(), model.b.tolist()
    ([[-0.5, 0.5], [0.0, 0.0]], [-0.5, 0.5])
    """
    lr = check_positive(lr, "lr")
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    X_batch = np.asarray(X_batch)
    if X_batch.ndim != 2:
        raise ValueError(f"X_batch must be 2-dimensional (one row per sample), but got shape "
                         f"{X_batch.shape}; for a single sample use X_batch[None, :].")
    O = _logits(model, X_batch, lr)               # (B, q) logits
    G = cross_entropy_grad(O, y_batch)            # (softmax(O) - Y) / B
    for name, g in model.grad(X_batch, G).items():
        theta = getattr(model, name)
        if weight_decay and name != "b":
            g = g + weight_decay * theta          # gradient of (λ/2)‖θ‖²
        with np.errstate(over="ignore", invalid="ignore"):   # a blow-up is caught just below
            theta -= lr * g                       # e.g. W -= lr * X^T G, b -= lr * sum(G)
        if not np.isfinite(theta).all():
            raise _diverged(lr)
    return O


def _logits(model: Layer, X: Any, lr: float) -> np.ndarray:
    """``model.forward(X)``, raising :func:`_diverged`'s error if a logit overflowed."""
    with np.errstate(over="ignore", invalid="ignore"):    # a blow-up is caught just below
        O = model.forward(X)
    if not np.isfinite(O).all():
        raise _diverged(lr)
    return O


def _diverged(lr: float) -> FloatingPointError:
    return FloatingPointError(f"training diverged: the weights or logits overflowed with "
                              f"lr={lr}; use a smaller learning rate or standardize the features.")


def train_epoch(model: Layer, X: np.ndarray, y: np.ndarray, *, batch_size: int, lr: float,
                rng: np.random.Generator, weight_decay: float = 0.0) -> tuple[float, float]:
    """One pass over ``(X, y)``: :func:`sgd_step` on each minibatch drawn with ``rng``.

    Returns the mean training loss and the training accuracy of the epoch, each sample measured
    in its minibatch just before that minibatch's step (as d2l does: no extra pass over the
    data). The loss is the cross-entropy alone, without the weight-decay penalty.

    Raises
    ------
    FloatingPointError
        If the logits or weights stop being finite (the learning rate is too large and
        training diverged).
    """
    loss_sum, correct = 0.0, 0
    for X_batch, y_batch in minibatches(X, y, batch_size, seed=rng):
        O = sgd_step(model, X_batch, y_batch, lr, weight_decay)   # logits before the step
        loss_sum += cross_entropy(O, y_batch, reduction="sum")
        correct += int(np.count_nonzero(O.argmax(axis=1) == y_batch))
    return loss_sum / y.shape[0], correct / y.shape[0]


def _check_xy(X: Any, y: Any, name: str, d: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Features (n, d) and integer labels (n,) with messages naming the arguments."""
    # float64 like the weights: a float32 @ float64 product would skip BLAS and be slow
    X = as_float_array(X, f"X_{name}", ndim=2).astype(np.float64, copy=False)
    if d is not None and X.shape[1] != d:
        raise ValueError(f"X_{name} has {X.shape[1]} features per sample but X_train has {d}; "
                         f"both must be prepared the same way (e.g. flattened to {d} pixels).")
    if np.ndim(y) == 1 and np.shape(y)[0] != X.shape[0]:
        raise ValueError(f"y_{name} has {np.shape(y)[0]} labels but X_{name} has {X.shape[0]} "
                         f"rows; pass one label per sample.")
    return X, as_labels(y, f"y_{name}")


def _check_optional_xy(X: Any, y: Any, name: str, d: int) -> tuple[Any, Any]:
    """``(None, None)`` or the checked pair ``(X_name, y_name)``; one without the other raises."""
    if (X is None) != (y is None):
        missing = f"y_{name}" if y is None else f"X_{name}"
        raise ValueError(f"pass X_{name} and y_{name} together (or neither), but {missing} is "
                         f"missing.")
    return (None, None) if X is None else _check_xy(X, y, name, d)


def fit(X_train: Any, y_train: Any, X_test: Any = None, y_test: Any = None, *,
        X_val: Any = None, y_val: Any = None, num_epochs: int = 10, batch_size: int = 256,
        lr: float = 0.1, weight_decay: float = 0.0, seed: int = 0,
        num_classes: int | None = None,
        progress: bool = True) -> tuple[SoftmaxRegression, History]:
    r"""Train softmax regression from scratch by minibatch SGD on the cross-entropy.

    Parameters
    ----------
    X_train : array_like of shape (n, d)
        Training features (flatten images first, e.g. ``X.reshape(len(X), -1)``).
    y_train : array_like of int, shape (n,)
        Training labels ``0 .. q-1``.
    X_test, y_test : array_like, optional
        Test data (both or neither); its accuracy is recorded after every epoch.
    X_val, y_val : array_like, optional
        Validation data (both or neither); its mean cross-entropy and accuracy are recorded
        after every epoch (``history.val_loss``, ``history.val_acc``), e.g. to choose
        ``weight_decay`` or the number of epochs without touching the test data.
    num_epochs : int, default 10
        Passes over the training data.
    batch_size : int, default 256
        Minibatch size :math:`B`.
    lr : float, default 0.1
        Learning rate :math:`\eta`.
    weight_decay : float, default 0.0
        L2 penalty :math:`rac\lambda2 \|\mathbf W\|^2` added to the loss (the bias is not
        decayed); see :func:`sgd_step`.
    seed : int, default 0
        Seeds both the initial weights and the order of the minibatches: the same seed gives
        the same model and the same history.
    num_classes : int, optional
        Number of classes ``q``; by default one more than the largest label.
    progress : bool, default True
        Show a progress bar over the epochs (tqdm, on stderr) with the latest loss and
        accuracies. Pass ``False`` in notebooks whose output must be reproducible.

    Returns
    -------
    model : SoftmaxRegression
        The trained model.
    history : History
        Per-epoch training loss and accuracy, and (when given) validation loss and accuracy
        and test accuracy.

    Notes
    -----
    Start from :math:`W_{kj} \sim \mathcal N(0, 0.01^2)`, :math:`\mathbf b = 0`; then, for
    every epoch, shuffle the training set, cut it into minibatches
    (:func:`~softmax_course.data.minibatches`) and apply :func:`sgd_step` to each:

    .. math:: \mathbf W \leftarrow \mathbf W - \eta \Big(rac{1}{B}\,
              \mathbf X_B^	op ig(\mathrm{softmax}(\mathbf X_B \mathbf W + \mathbf b)
              - \mathbf Y_Big) + \lambda \mathbf W\Big) .

    Each step costs :math:`\mathcal O(B d q)`; an epoch touches every sample once. The
    products are small, so BLAS runs single-threaded during training
    (:func:`~softmax_course.timing.blas_threads`; faster on shared machines, results agree up
    to rounding).

    Examples
    --------
    >>> from softmax_course.data import toy_images
    >>> X, y = toy_images(150, seed=0)
    >>> model, history = fit(X, y, num_epochs=20, batch_size=16, lr=0.5, progress=False)
    >>> history.train_loss[-1] < history.train_loss[0], history.train_acc[-1] > 0.9
    (True, True)
    """
    X_train, y_train = _check_xy(X_train, y_train, "train")
    n, d = X_train.shape
    X_test, y_test = _check_optional_xy(X_test, y_test, "test", d)
    X_val, y_val = _check_optional_xy(X_val, y_val, "val", d)
    num_epochs = check_int(num_epochs, "num_epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    lr = check_positive(lr, "lr")
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    seed = check_int(seed, "seed", minimum=0)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, but got {_describe(progress)}.")
    seen = max(int(labels.max()) + 1 for labels in (y_train, y_test, y_val) if labels is not None)
    q = resolve_num_classes(num_classes, seen, minimum=2)

    model = SoftmaxRegression(d, q, seed=seed, weight_scale=0.01)
    rng = np.random.default_rng(seed)
    history = History()
    epochs = _progress_bar(num_epochs, enabled=progress)
    with blas_threads(1):
        for _ in epochs:
            loss, acc = train_epoch(model, X_train, y_train, batch_size=batch_size, lr=lr,
                                    rng=rng, weight_decay=weight_decay)
            history.train_loss.append(float(loss))
            history.train_acc.append(float(acc))
            status = {"损失": f"{loss:.4f}", "训练精度": f"{acc:.4f}"}
            if X_val is not None:
                O_val = _logits(model, X_val, lr)
                history.val_loss.append(cross_entropy(O_val, y_val))
                history.val_acc.append(accuracy(y_val, O_val))
                status["验证损失"] = f"{history.val_loss[-1]:.4f}"
                status["验证精度"] = f"{history.val_acc[-1]:.4f}"
            if X_test is not None:
                history.test_acc.append(accuracy(y_test, _logits(model, X_test, lr)))
                status["测试精度"] = f"{history.test_acc[-1]:.4f}"
            if progress:
                epochs.set_postfix(status)
    if progress:
        epochs.close()
    return model, history


def _progress_bar(num_epochs: int, *, enabled: bool):
    """``range(num_epochs)``, wrapped in a tqdm bar on stderr when ``enabled``."""
    if not enabled:
        return range(num_epochs)
    from tqdm import tqdm

    return tqdm(range(num_epochs), desc="训练", unit="轮", file=sys.stderr)


def fit_gd(model: Layer, X: Any, y: Any, *, lr: float = 0.1, epochs: int = 100,
           batch_size: int | None = None, seed: int = 0) -> list[float]:
    r"""Train ``model`` in place by gradient descent on the mean cross-entropy, without extras.

    A bare loop of :func:`sgd_step` that works for any layer (the PHM chapter trains dense and
    PHM layers with it); unlike :func:`fit` it keeps no history of accuracies and shows no
    progress bar.

    Parameters
    ----------
    model : SoftmaxRegression or PHMLinear
        Anything with ``forward(X)`` (logits) and ``grad(X, dO)`` returning a dict of gradients
        named like the model's array attributes.
    X : array_like of shape (n, d)
        Features.
    y : array_like of int, shape (n,)
        Class indices.
    lr : float, default 0.1
        Learning rate.
    epochs : int, default 100
        Passes over the data.
    batch_size : int or None, default None
        ``None``: full-batch gradient descent (one step per epoch). Otherwise minibatches of this
        size in a seeded random order.
    seed : int, default 0
        Seed of the minibatch order.

    Returns
    -------
    list of float
        The mean training loss over the whole data set after each epoch.

    Notes
    -----
    Each step: :math:`O = \mathrm{forward}(X_B)`, :math:`\partial L/\partial O =
    (\mathrm{softmax}(O) - Y_B)/|B|` (:func:`~softmax_course.core.cross_entropy_grad`), then
    every parameter :math:`\theta \leftarrow \theta - \eta\, \partial L/\partial \theta`.

    Examples
    --------
    >>> from softmax_course.model import SoftmaxRegression
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]); y = np.array([0, 1])
    >>> model = SoftmaxRegression(2, 2)
    >>> losses = fit_gd(model, X, y, lr=1.0, epochs=50)
    >>> losses[-1] < losses[0], model.predict(X).tolist()
    (True, [0, 1])
    """
    if not (callable(getattr(model, "forward", None)) and callable(getattr(model, "grad", None))):
        raise TypeError(f"model must have forward(X) and grad(X, dO) methods (e.g. "
                        f"SoftmaxRegression or PHMLinear), but got {type(model).__name__}.")
    X = as_float_array(X, "X", ndim=2)
    q = model.forward(X[:1]).shape[-1]          # also checks that X has the model's d columns
    y = as_labels(y, "y", num_classes=q, length=X.shape[0])
    lr = check_positive(lr, "lr")
    epochs = check_int(epochs, "epochs", minimum=1)
    batch = X.shape[0] if batch_size is None else check_int(batch_size, "batch_size", minimum=1)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    losses = []
    for _ in range(epochs):
        for X_batch, y_batch in minibatches(X, y, batch, shuffle=batch_size is not None,
                                            seed=rng):
            sgd_step(model, X_batch, y_batch, lr)
        losses.append(cross_entropy(_logits(model, X, lr), y))
    return losses
