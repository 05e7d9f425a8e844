"""Helpers shared by several test modules."""
from __future__ import annotations

from typing import Callable

import numpy as np

from softmax_course.calculus import numerical_gradient


def finite_difference_grad(f: Callable[[], float], param: np.ndarray,
                           eps: float = 1e-6) -> np.ndarray:
    """:func:`~softmax_course.calculus.numerical_gradient` of ``f()`` with respect to ``param``.

    For a parameter that ``f`` reads in place (a model's ``W``): each point at which the
    package's one finite-difference helper evaluates is written into ``param``, which is
    restored afterwards.
    """
    original = param.copy()

    def at(value: np.ndarray) -> float:
        param[...] = value
        return f()

    try:
        return numerical_gradient(at, original, eps)
    finally:
        param[...] = original
