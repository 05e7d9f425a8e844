"""Input checks shared by every public function of the package.

Each check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind, bad value)
with a message that names the argument, says what was expected, what was received, and how to
fix it. Keeping them here means every module reports bad input in the same words.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = [
    "as_float_array",
    "as_labels",
    "as_prob_rows",
    "check_axis",
    "check_positive",
    "check_nonnegative",
    "check_choice",
    "check_int",
    "as_distribution",
]


def _describe(x: Any) -> str:
    """Short description of a received object for error messages."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}" if len(repr(x)) < 60 else type(x).__name__


def as_float_array(x: Any, name: str, *, ndim: int | None = None, min_ndim: int = 0,
                   allow_empty: bool = False, finite: bool = True) -> np.ndarray:
    """Convert ``x`` to a float array (float32 stays float32, everything else becomes float64).

    Raises ``TypeError`` for non-numeric input, ``ValueError`` for a wrong number of dimensions,
    an empty array (unless ``allow_empty``) and NaN or infinite entries (when ``finite``).
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, but got {_describe(x)}; "
                        f"pass a list or numpy array of numbers instead.")
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers, but numpy could not "
                         f"build one from it ({exc}); make every row the same length.") from None
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, but got {_describe(arr)}; "
                        f"convert it with np.asarray({name}, dtype=float).")
    if arr.dtype.itemsize > 8:           # np.longdouble (where it is wider than float64)
        raise TypeError(f"{name} has dtype {arr.dtype}, which the package does not compute in; "
                        f"supported dtypes are float64 and float32 (integers and float16 become "
                        f"float64): convert it with np.asarray({name}, dtype=np.float64), "
                        f"knowing that values beyond ±1.8e308 then become ±inf.")
    if arr.dtype != np.float32:
        arr = arr.astype(np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        hint = (f"for a single sample use {name}[None, :]" if ndim == 2 and arr.ndim == 1
                else f"reshape it to {ndim} dimension(s)")
        raise ValueError(f"{name} must be {ndim}-dimensional, but got {arr.ndim} dimension(s) "
                         f"(shape {arr.shape}); {hint}.")
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), but got shape "
                         f"{arr.shape}; wrap a scalar in a list, e.g. [{name}].")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one sample "
                         f"and one class.")
    if finite and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad)
        raise ValueError(f"{name} must be finite, but entry {where} is {arr[where]}; "
                         f"look for a division by zero or log(0) upstream, or clip the values.")
    return arr


def check_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    """Return ``axis`` as a non-negative int, or raise if it is not an axis of an ndim array."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{name} must be an int, but got {_describe(axis)}; "
                        f"pass e.g. {name}=-1 for the last axis.")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for an array with {ndim} dimension(s); "
                         f"use a value from {-ndim} to {ndim - 1}.")
    return int(axis) % ndim


def check_positive(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive real number, but got {_describe(value)}; "
                        f"pass e.g. {name}=1.0.")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, but got {value}; "
                         f"use e.g. {name}=1.0 (smaller is sharper, larger is flatter).")
    return value


def check_nonnegative(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number >= 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0, but got {_describe(value)}; "
                        f"pass e.g. {name}=0.0.")
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, but got {value}; "
                         f"use e.g. {name}=0.0 (off) or a small value such as 1e-4.")
    return value


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int, requiring ``value >= minimum`` when given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, but got {_describe(value)}; pass a whole number.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, but got {value}.")
    return value


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming the valid choices."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}, but got {value!r}; "
                         f"pick one of those.")
    return value


def as_labels(labels: Any, name: str = "labels", *, num_classes: int | None = None,
              length: int | None = None) -> np.ndarray:
    """Convert integer class indices to a 1-D int64 array and check their range.

    Whole-number floats (``2.0``) are accepted; fractional values, negatives, values
    ``>= num_classes`` and a length different from ``length`` raise ``ValueError``.
    """
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{name} must be integer class indices, but got {_describe(labels)}; "
                        f"map class names to indices first.")
    arr = np.asarray(labels)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be integer class indices, but got {_describe(arr)}; "
                        f"convert it with np.asarray({name}, dtype=int).")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional (one index per sample), but got shape "
                         f"{arr.shape}; flatten it with {name}.ravel() or, for probability rows, "
                         f"pass a 2-D array of shape (n, q).")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass at least one label.")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all() or not np.all(arr == np.round(arr)):
            bad = arr[~(np.isfinite(arr) & (arr == np.round(arr)))][0]
            raise ValueError(f"{name} must be whole numbers (class indices), but got {bad}; "
                             f"round or cast them with np.asarray({name}, dtype=int).")
        if np.abs(arr).max() >= 2.0 ** 62:    # would not fit in int64: no cast warning
            raise ValueError(f"{name} must be class indices, but contains "
                             f"{arr[np.abs(arr).argmax()]}; check that these are labels.")
    arr = arr.astype(np.int64)
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} has {arr.shape[0]} entries but there are {length} samples; "
                         f"pass exactly one label per row of the logits.")
    if arr.min() < 0:
        raise ValueError(f"{name} must be >= 0, but contains {arr.min()}; class indices "
                         f"count from 0 (use {name} - 1 if yours start at 1).")
    if num_classes is not None and arr.max() >= num_classes:
        raise ValueError(f"{name} contains {arr.max()}, but there are only {num_classes} classes "
                         f"(valid indices 0..{num_classes - 1}); check the labels or increase "
                         f"the number of classes.")
    return arr


def as_prob_rows(y: Any, name: str, *, shape: tuple[int, ...] | None = None,
                 atol: float = 1e-6) -> np.ndarray:
    """Check that ``y`` holds probability rows: non-negative, each summing to 1 within atol."""
    arr = as_float_array(y, name, ndim=2)
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} to match the logits, but got "
                         f"{arr.shape}; pass one probability row per sample, one column per class.")
    if (arr < 0).any():
        bad = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(f"{name} must be non-negative probabilities, but entry {bad} is "
                         f"{arr[bad]}; a probability row cannot have negative entries.")
    sums = arr.sum(axis=1)
    off = np.abs(sums - 1) > atol
    if off.any():
        i = int(np.argmax(off))
        raise ValueError(f"each row of {name} must sum to 1, but row {i} sums to {sums[i]:.6g}; "
                         f"normalise it with {name} / {name}.sum(axis=1, keepdims=True).")
    return arr


def as_distribution(p: Any, name: str, *, atol: float = 1e-6) -> np.ndarray:
    """Check that ``p`` holds probability distributions along its last axis.

    A 1-D array is one distribution; an array of shape ``(..., k)`` is a batch of them. Entries
    must be finite and non-negative, and each distribution must sum to 1 within ``atol``.
    """
    arr = as_float_array(p, name, min_ndim=1)
    if (arr < 0).any():
        bad = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        where = bad[0] if arr.ndim == 1 else bad
        raise ValueError(f"{name} must be non-negative probabilities, but entry {where} is "
                         f"{arr[bad]}; a probability distribution cannot have negative entries.")
    sums = arr.sum(axis=-1)
    off = np.abs(sums - 1) > atol
    if arr.ndim == 1 and off:
        raise ValueError(f"{name} must sum to 1, but it sums to {float(sums):.6g}; "
                         f"normalise it with {name} / {name}.sum().")
    if off.any():
        i = tuple(int(j) for j in np.argwhere(off)[0])
        raise ValueError(f"each distribution of {name} (along the last axis) must sum to 1, but "
                         f"{name}[{', '.join(map(str, i))}] sums to {sums[i]:.6g}; normalise "
                         f"it with {name} / {name}.sum(axis=-1, keepdims=True).")
    return arr


def resolve_num_classes(num_classes: Any, seen: int, *, minimum: int = 1) -> int:
    """The number of classes: ``num_classes`` if given (at least ``seen``), else ``seen``.

    ``seen`` is one more than the largest class index in the data; ``minimum`` is the smallest
    number of classes the caller accepts (2 to train a classifier).
    """
    if num_classes is None:
        return max(seen, minimum)
    q = check_int(num_classes, "num_classes", minimum=minimum)
    if q < seen:
        raise ValueError(f"num_classes={q} is too small: the labels go up to {seen - 1}, so at "
                         f"least {seen} classes are needed; pass num_classes={seen} or more, or "
                         f"leave it out.")
    return q
