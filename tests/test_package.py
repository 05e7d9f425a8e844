"""Every teaching module of softmax_course supports ``from softmax_course.X import *``.

A star import fails with AttributeError when ``__all__`` names something the module does not
define (``model.__all__`` once listed ``fit_gd``, which lives in ``train``). The course tooling
(``softmax_course.tools``) and the command line (``__main__``) are not teaching modules.
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import softmax_course


def _teaching_modules() -> list[str]:
    names = ["softmax_course"]
    for info in pkgutil.walk_packages(softmax_course.__path__, "softmax_course."):
        if info.name.startswith("softmax_course.tools") or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


TEACHING_MODULES = _teaching_modules()


def test_the_module_list_is_complete():
    # guard against a walk that silently finds nothing
    for name in ("softmax_course.core", "softmax_course.model", "softmax_course.train",
                 "softmax_course.diagrams", "softmax_course.exercises.ch03_parameter_cost"):
        assert name in TEACHING_MODULES
    assert not any(".tools" in name for name in TEACHING_MODULES)


@pytest.mark.parametrize("name", TEACHING_MODULES)
def test_star_import_works(name):
    namespace: dict = {}
    exec(f"from {name} import *", namespace)
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    if exported is None:
        return
    missing = [item for item in exported if not hasattr(module, item)]
    assert not missing, f"{name}.__all__ names {missing}, which {name} does not define"
    assert len(set(exported)) == len(exported), f"{name}.__all__ has duplicates"
    for item in exported:
        assert item in namespace


def test_model_exports_no_training_loop():
    from softmax_course import model, train
    assert "fit_gd" not in model.__all__ and "fit_gd" in train.__all__
