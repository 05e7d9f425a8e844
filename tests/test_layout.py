"""The two rooms of the package: the teaching library never imports the course tooling, and
chapters use only public names of the package."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import softmax_course

PACKAGE = Path(softmax_course.__file__).parent
ROOT = PACKAGE.parents[1]
TEACHING = sorted(p for p in PACKAGE.rglob("*.py") if "tools" not in p.relative_to(PACKAGE).parts)
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _imported_modules(path: Path) -> list[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(("softmax_course",) + path.relative_to(PACKAGE).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


def test_the_scan_sees_relative_and_absolute_imports():
    # the checker itself must find both spellings, or the test below could never fail
    fake = PACKAGE / "widgets" / "info.py"
    found = _imported_modules(fake)
    assert any(name.startswith("softmax_course.") for name in found), found


@pytest.mark.parametrize("path", TEACHING, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_teaching_modules_do_not_import_tooling(path):
    bad = [n for n in _imported_modules(path) if n.startswith("softmax_course.tools")]
    assert not bad, f"{path.relative_to(PACKAGE)} imports the course tooling: {bad}"


def test_tooling_is_one_subpackage():
    top = {p.stem for p in PACKAGE.glob("*.py")}
    tooling = {"editions", "grading", "catalog", "pdf", "browser", "bench", "sphinx_ext",
               "notebooks", "_grade_worker", "execute"}
    assert not top & tooling, f"tooling modules at the top level: {sorted(top & tooling)}"


PRIVATE = re.compile(r"from\s+softmax_course[\w.]*\s+import\s+\(?[^)\n]*?\b(_[A-Za-z]\w*)"
                     r"|\bsoftmax_course(?:\.\w+)*\.(_[A-Za-z]\w*)"
                     r"|\b(?:core|model|train|info|data|plots|metrics|calculus|coding|timing|"
                     r"widgets|exercises|diagrams|display)\.(_[A-Za-z]\w*)")


def test_private_name_pattern_catches_what_it_should():
    assert PRIVATE.search("from softmax_course.core import _shifted, _softmax")
    assert PRIVATE.search("from softmax_course.core import softmax, _softmax")
    assert PRIVATE.search("y = info._expect(p, x)")
    assert not PRIVATE.search("from softmax_course import softmax, log_softmax")
    assert not PRIVATE.search("x = obj.__class__")


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.name)
def test_chapters_import_no_private_name(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    found = sorted({next(g for g in m.groups() if g) for m in PRIVATE.finditer(code)})
    assert not found, f"{notebook.name} uses private names of the package: {found}"
