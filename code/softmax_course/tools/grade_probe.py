"""Takes one answer out of a student's kernel as data (runs inside the grading sandbox).

The grading worker runs a cell ``grade_probe.answer(LABEL, KIND, lambda: VARIABLE, INPUTS)``
right after an exercise's self-check cell. For a value it publishes the value's
:func:`~softmax_course.tools.grade_data.encode`; for a function it calls the function on each
argument tuple of the grader's input file (drawn with a secret seed) and publishes the results.
The data go out as display data of the MIME type :data:`MIME`; the worker passes them on and the
grader judges them in its own process. Nothing here decides a verdict.
"""
from __future__ import annotations

import json
import warnings
from typing import Any, Callable

import numpy as np

from .grade_data import decode, dumps, encode, error_payload, to_python

__all__ = ["MIME", "answer", "read_inputs"]

MIME = "application/vnd.softmax-course.answer+json"


def read_inputs(path: str) -> list[tuple]:
    """The argument tuples in a grader's input file (JSON: a list of lists of values)."""
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)
    return [tuple(to_python(decode(v), plain_only=True) for v in case) for case in cases]


def _call_all(fn: Any, cases: list[tuple]) -> dict:
    if fn is Ellipsis or fn is None:
        return {"type": "unanswered"}
    if not callable(fn):
        return encode(fn)
    items = []
    for args in cases:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                items.append(encode(fn(*args)))
        except Exception as exc:   # the student's error is data for the grader
            items.append(error_payload(exc))
    return {"type": "outputs", "items": items}


def answer(label: str, kind: str, get: Callable[[], Any], inputs: str | None = None) -> None:
    """Publish the answer of exercise ``label``: a value, or a function's outputs on ``inputs``."""
    from IPython.display import publish_display_data

    try:
        value = get()
    except NameError as exc:
        payload = {"type": "missing", "error": f"NameError: {exc}"}
    else:
        if kind == "function":
            payload = _call_all(value, read_inputs(inputs) if inputs else [])
        else:
            payload = encode(value)
    publish_display_data({MIME: json.loads(dumps({"label": label, "answer": payload})),
                          "text/plain": f"（评分：已取出 {label} 的答案）"})
