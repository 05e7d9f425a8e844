"""Answers as data: the JSON codec between the grading sandbox and the grader.

A student's answer leaves the sandbox only as data of a few plain types, never as a pickle or
any object with behaviour. :func:`encode` runs inside the sandbox (and for the grader's own
function inputs); :func:`decode` runs in the grader and accepts nothing but this schema, within
size limits, raising :class:`DataError` on anything else.

Schema (``"type"`` decides the other keys):

==============  ==========================================================================
``number``      ``value``: finite number or ``"inf"``, ``"-inf"``, ``"nan"``; ``int``: bool
``array``       numpy array: ``dtype`` (``"f8"``, ``"i8"``, ``"b1"``), ``shape``, flat ``data``
``list``        a Python list or tuple of numbers (nested), stored like ``array``
``tuple``       a list or tuple that is not one array (``(W, b)``): ``items``, each a value
``str``         ``value``: a string
``bool``        ``value``: true or false
``unanswered``  ``...`` or None (the stub of an answer cell)
``missing``     the answer variable is not defined; ``error``: the exception
``other``       any other object; ``name``: its type
``outputs``     a function's results: ``items``, one per input, each a value or ``error`` /
                ``not_implemented``
``error``       ``error``: the exception a call raised
==============  ==========================================================================
"""
from __future__ import annotations

import json
import math
import numbers
from typing import Any

import numpy as np

__all__ = ["DataError", "encode", "decode", "to_python", "dumps", "loads", "MAX_ELEMENTS",
           "MAX_STRING"]

MAX_ELEMENTS = 2_000_000      # numbers in one answer (all arrays together)
MAX_STRING = 10_000           # characters of a string answer or an error message
MAX_DEPTH = 8                 # dimensions of an array, nesting of outputs
_SPECIAL = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
_DTYPES = {"f8": np.float64, "i8": np.int64, "b1": np.bool_}


class DataError(ValueError):
    """Data from a sandbox that does not follow the schema of :mod:`grade_data`."""


def _number(x: Any) -> Any:
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, numbers.Integral):
        return int(x)
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _array_payload(arr: np.ndarray) -> dict | None:
    kind = arr.dtype.kind
    if kind == "b":
        code = "b1"
    elif kind in "iu":
        code = "i8"
    elif kind == "f":
        code = "f8"
    else:
        return None
    if arr.size > MAX_ELEMENTS or arr.ndim > MAX_DEPTH:
        return {"type": "other", "name": f"too large array {arr.shape}"}
    flat = arr.astype(_DTYPES[code]).ravel().tolist()
    return {"dtype": code, "shape": list(arr.shape), "data": [_number(v) for v in flat]}


def encode(value: Any, _depth: int = 0) -> dict:
    """The answer ``value`` as a schema dict (any value; unknown objects become ``other``)."""
    if value is Ellipsis or value is None:
        return {"type": "unanswered"}
    if isinstance(value, (bool, np.bool_)):
        return {"type": "bool", "value": bool(value)}
    if isinstance(value, numbers.Real) and not isinstance(value, np.ndarray):
        return {"type": "number", "value": _number(value),
                "int": isinstance(value, numbers.Integral)}
    if isinstance(value, str):
        return {"type": "str", "value": str(value)[:MAX_STRING]}
    if isinstance(value, np.ndarray):
        payload = _array_payload(value)
        if payload is not None:
            return payload if payload.get("type") == "other" else {"type": "array", **payload}
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except Exception:
            arr = None
        if arr is not None and arr.dtype != object:
            payload = _array_payload(arr)
            if payload is not None:
                return payload if payload.get("type") == "other" else {"type": "list", **payload}
        if _depth < 2 and len(value) <= 100:
            return {"type": "tuple", "items": [encode(v, _depth + 1) for v in value]}
    if callable(value):
        return {"type": "other", "name": "function"}
    return {"type": "other", "name": type(value).__name__[:100]}


def error_payload(exc: BaseException) -> dict:
    """A raised exception as data (``not_implemented`` for NotImplementedError)."""
    if isinstance(exc, NotImplementedError):
        return {"type": "not_implemented"}
    return {"type": "error", "error": f"{type(exc).__name__}: {exc}"[:MAX_STRING]}


def dumps(payload: dict) -> str:
    """JSON text of a payload (no NaN literals: special floats are strings)."""
    return json.dumps(payload, ensure_ascii=False, allow_nan=False)


def _reject_constant(name: str) -> Any:
    raise DataError(f"JSON constant {name} is not allowed; special floats are strings")


def loads(text: str | bytes, *, max_bytes: int = 64 * 2**20) -> Any:
    """Parse JSON text strictly (no NaN/Infinity literals, bounded size)."""
    if len(text) > max_bytes:
        raise DataError(f"answer data of {len(text)} bytes exceeds the limit of {max_bytes}")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise DataError(f"not valid JSON: {exc}") from None


def _check_keys(payload: dict, allowed: set[str]) -> None:
    extra = set(payload) - allowed
    if extra:
        raise DataError(f"unexpected keys {sorted(extra)} in a {payload.get('type')!r} value")


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_STRING:
        raise DataError(f"{what} must be a string of at most {MAX_STRING} characters")
    return value


def _scalar(v: Any) -> float | int | bool:
    if isinstance(v, bool) or (isinstance(v, (int, float)) and not isinstance(v, bool)):
        if isinstance(v, float) and not math.isfinite(v):
            raise DataError("non-finite number outside a string")
        return v
    if isinstance(v, str) and v in _SPECIAL:
        return _SPECIAL[v]
    raise DataError(f"array element {v!r} is not a number")


def _decode_array(payload: dict, budget: list[int]) -> np.ndarray:
    _check_keys(payload, {"type", "dtype", "shape", "data"})
    code, shape, data = payload.get("dtype"), payload.get("shape"), payload.get("data")
    if code not in _DTYPES:
        raise DataError(f"dtype must be one of {sorted(_DTYPES)}, got {code!r}")
    if (not isinstance(shape, list) or len(shape) > MAX_DEPTH
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_ELEMENTS
                       for n in shape)):
        raise DataError(f"shape must be a list of at most {MAX_DEPTH} sizes, got {shape!r}")
    size = math.prod(shape)
    if not isinstance(data, list) or len(data) != size:
        raise DataError(f"data must be a list of {size} numbers")
    budget[0] -= size
    if budget[0] < 0:
        raise DataError(f"more than {MAX_ELEMENTS} numbers in one answer")
    values = [_scalar(v) for v in data]
    if code == "b1" and not all(isinstance(v, bool) for v in values):
        raise DataError("a boolean array holds a non-boolean")
    if code == "i8" and not all(isinstance(v, int) for v in values):
        raise DataError("an integer array holds a non-integer")
    try:
        return np.array(values, dtype=_DTYPES[code]).reshape(shape)
    except (OverflowError, ValueError) as exc:
        raise DataError(f"array data does not fit dtype {code}: {exc}") from None


def decode(payload: Any, *, _budget: list[int] | None = None, _depth: int = 0) -> dict:
    """Validate one payload; returns it with arrays as numpy arrays (see :func:`to_python`).

    Raises
    ------
    DataError
        When the payload is not exactly of the schema above.
    """
    budget = [MAX_ELEMENTS] if _budget is None else _budget
    if _depth > 3:
        raise DataError("values nested too deeply")
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise DataError(f"a value must be an object with a 'type', got {type(payload).__name__}")
    kind = payload["type"]
    if kind in ("array", "list"):
        return {"type": kind, "array": _decode_array(payload, budget)}
    if kind == "number":
        _check_keys(payload, {"type", "value", "int"})
        value = _scalar(payload.get("value"))
        if isinstance(value, bool) or not isinstance(payload.get("int", False), bool):
            raise DataError("a number must not be a boolean")
        return {"type": "number", "value": value, "int": payload.get("int", False)}
    if kind == "str":
        _check_keys(payload, {"type", "value"})
        return {"type": "str", "value": _string(payload.get("value"), "a string answer")}
    if kind == "bool":
        _check_keys(payload, {"type", "value"})
        if not isinstance(payload.get("value"), bool):
            raise DataError("a bool value must be true or false")
        return {"type": "bool", "value": payload["value"]}
    if kind in ("unanswered", "not_implemented"):
        _check_keys(payload, {"type"})
        return {"type": kind}
    if kind in ("missing", "error"):
        _check_keys(payload, {"type", "error"})
        return {"type": kind, "error": _string(payload.get("error"), "an error message")}
    if kind == "other":
        _check_keys(payload, {"type", "name"})
        return {"type": kind, "name": _string(payload.get("name"), "a type name")[:100]}
    if kind in _SEQUENCES:
        _check_keys(payload, {"type", "items"})
        items, (limit, what) = payload.get("items"), _SEQUENCES[kind]
        if not isinstance(items, list) or len(items) > limit:
            raise DataError(f"{what} must be a list of at most {limit} values")
        return {"type": kind, "items": [decode(v, _budget=budget, _depth=_depth + 1)
                                        for v in items]}
    raise DataError(f"unknown value type {kind!r}")


_SEQUENCES = {"tuple": (100, "a tuple"), "outputs": (1000, "outputs")}  # kind: (limit, name)


def to_python(value: dict, *, plain_only: bool = False) -> Any:
    """The object a decoded value stands for, as the self-check would have received it.

    With ``plain_only`` (arguments for a student's function) only arrays, lists, numbers,
    strings and booleans are accepted; anything else raises ``ValueError``.
    """
    kind = value["type"]
    if kind == "array":
        return value["array"]
    if kind == "list":
        return value["array"].tolist()
    if kind == "number":
        return value["value"]
    if kind in ("str", "bool"):
        return value["value"]
    if plain_only:
        raise ValueError(f"input of type {kind!r} cannot be an argument")
    if kind == "unanswered":
        return None
    return _Opaque(value.get("name", kind))


class _Opaque:
    """Stands for an object that did not leave the sandbox (only its type name did)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"
