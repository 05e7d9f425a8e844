"""Helpers shared by several test modules."""
from __future__ import annotations

from typing import Callable

import numpy as np


def finite_difference_grad(f: Callable[[], float], param: np.ndarray,
                           eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to each entry of ``param``.

    ``param`` is perturbed in place (and restored), so ``f`` can read it through a model.
    """
    grad = np.zeros_like(param)
    for idx in np.ndindex(param.shape):
        old = param[idx]
        param[idx] = old + eps
        up = f()
        param[idx] = old - eps
        down = f()
        param[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad
