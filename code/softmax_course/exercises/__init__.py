"""Self-checks for the course's exercises.

Each chapter's checks live in a module ``chNN_*.py`` of this package and are named
``check_<exercise>``; they are all re-exported here, so a notebook calls
``softmax_course.exercises.check_<exercise>(answer)``. A check returns a :class:`Verdict`
(truthy when right) that displays a Chinese message, and records the outcome for grading.
"""
from __future__ import annotations

import importlib
import pkgutil

from ._base import (Verdict, check_choice_answer, check_function, check_number, choice_digest,
                    digest, reset_results, results)

__all__ = ["Verdict", "check_number", "check_function", "check_choice_answer", "digest",
           "choice_digest", "results", "reset_results"]


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
