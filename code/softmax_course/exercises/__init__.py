"""Self-checks for the course's exercises.

Each chapter's checks live in a module ``chNN_*.py`` of this package and are named
``check_<exercise>``; they are all re-exported here, so a notebook calls
``softmax_course.exercises.check_<exercise>(answer)``. A check returns a :class:`Verdict`
(truthy when right) that displays a Chinese message.

The checks are formative feedback for an honest student. They cannot hide a small answer space
(the digests of numeric and multiple-choice answers can be found by trying candidates), and
grading does not use them: ``python -m softmax_course grade`` takes the answers out of the
student's notebook as data and judges them against the teacher edition with the rules of
:mod:`._base` (:func:`as_real`, :func:`numbers_agree`, :func:`normalise_choice`,
:func:`compare_output`).
"""
from __future__ import annotations

import importlib
import pkgutil

from ._base import (CheckSpec, Verdict, as_real, check_choice_answer, check_function,
                    check_number, choice_digest, compare_output, describe_check, digest,
                    normalise_choice, numbers_agree, reset_results, results)

__all__ = ["Verdict", "check_number", "check_function", "check_choice_answer", "digest",
           "choice_digest", "results", "reset_results", "as_real", "numbers_agree",
           "normalise_choice", "compare_output", "CheckSpec", "describe_check"]


def _collect() -> dict[str, object]:
    found: dict[str, object] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("ch"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for attr, obj in vars(module).items():
            if attr.startswith("check_") and getattr(obj, "__module__", None) == module.__name__:
                if attr in found:
                    raise ImportError(f"two exercise modules define {attr}; rename one of them")
                found[attr] = obj
    return found


_CHECKS = _collect()
globals().update(_CHECKS)
__all__ += sorted(_CHECKS)
