"""What the grader checks, and how it judges: the grader's side of each exercise.

For every exercise of the teacher notebooks, :func:`exercise_check` reads the self-check cell's
last line, ``exercises.check_<name>(VARIABLE)``, and asks the check what it compares (a number
with a tolerance, a choice among options, or a function with tolerances, see
:func:`softmax_course.exercises.describe_check`), without running any student code. The expected
*values* do not come from the package (it ships only digests): the grader runs the teacher's
notebook, solutions included, and takes the teacher's answers out the same way as the students'.

Functions are called on inputs the grader draws with a secret seed (:func:`secret_inputs`), so a
table of outputs for the package's fixed self-check inputs is worth nothing. :func:`judge`
compares a student's answer with the teacher's by the rules of ``exercises._base``, in the
grader's own process, on data only.
"""
from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import exercises
from ..exercises import _base
from .common import cell_source
from .grade_data import encode, to_python

__all__ = ["ExerciseCheck", "exercise_check", "secret_inputs", "inputs_json", "judge",
           "points_of"]


@dataclass
class ExerciseCheck:
    """The grader's view of one exercise."""

    label: str
    chapter: str            # teacher notebook file name
    title: str
    variable: str           # the name the self-check passes
    spec: _base.CheckSpec
    points: float = 1.0

    @property
    def kind(self) -> str:
        return "function" if self.spec.kind == "function" else "value"


class _Sentinel:
    """Stands for the answer while a check is described (never judged)."""


def _check_call(source: str, label: str) -> ast.Call:
    lines = [ln for ln in source.strip().splitlines() if ln.strip() and not ln.strip().startswith("#")]
    try:
        tree = ast.parse(lines[-1].strip() if lines else "", mode="eval")
    except SyntaxError:
        tree = None
    if tree is None or not isinstance(tree.body, ast.Call):
        raise ValueError(f"the self-check of {label} must end with exercises.check_<name>(...)")
    return tree.body


def exercise_check(ex: Any, nb: Any, chapter: str) -> ExerciseCheck:
    """The grader's view of exercise ``ex`` (a ``catalog.Exercise``) of teacher notebook ``nb``."""
    if len(ex.self_check_cells) != 1:
        raise ValueError(f"{chapter}: exercise {ex.label} needs exactly one self-check cell")
    call = _check_call(cell_source(nb.cells[ex.self_check_cells[0] - 1]), ex.label)
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    check = getattr(exercises, name, None)
    if not name.startswith("check") or not callable(check):
        raise ValueError(f"{chapter}: the self-check of {ex.label} calls {name or 'something'}, "
                         f"which is not a function of softmax_course.exercises")
    variables = [a.id for a in call.args if isinstance(a, ast.Name)]
    variables += [k.value.id for k in call.keywords if isinstance(k.value, ast.Name)]
    if len(variables) != 1:
        raise ValueError(f"{chapter}: the self-check of {ex.label} must pass exactly one "
                         f"variable (the answer), found {variables or 'none'}")
    sentinel = _Sentinel()

    def value(node: ast.AST) -> Any:
        return sentinel if isinstance(node, ast.Name) else ast.literal_eval(node)

    try:
        args = [value(a) for a in call.args]
        kwargs = {k.arg: value(k.value) for k in call.keywords}
    except ValueError:
        raise ValueError(f"{chapter}: the self-check of {ex.label} may pass only the answer "
                         f"variable and literal values") from None
    spec = _base.describe_check(check, *args, **kwargs)
    return ExerciseCheck(ex.label, chapter, ex.title, variables[0], spec,
                         points_of(nb.cells[ex.cell - 1], ex.label, chapter))


def points_of(cell: Any, label: str, chapter: str) -> float:
    """Points of an exercise: ``metadata.grading.points`` of its ``{exercise}`` cell (default 1)."""
    grading = cell.get("metadata", {}).get("grading", {})
    points = grading.get("points", 1) if isinstance(grading, dict) else 1
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        raise ValueError(f"{chapter}: exercise {label} has metadata grading.points = "
                         f"{points!r}; it must be a positive number")
    return float(points)


# --------------------------------------------------------------------------- secret inputs
def _logits(rng: np.random.Generator) -> list[np.ndarray]:
    out = [rng.normal(0, 1, size=int(rng.integers(2, 8))) for _ in range(3)]
    out += [rng.normal(0, 300, size=int(rng.integers(3, 12))),
            np.array([1000.0, 0.0, -1000.0]) + rng.normal(0, 5, 3),
            -800.0 + rng.normal(0, 1, 2), np.full(int(rng.integers(2, 6)), rng.normal(0, 50))]
    return out


def _gen_one_hot(rng):
    cases = []
    for _ in range(5):
        q = int(rng.integers(1, 12))
        cases.append((rng.integers(0, q, size=int(rng.integers(1, 15))), q))
    q = int(rng.integers(3, 9))
    cases.append((rng.integers(0, q - 1, size=4), q))        # the last class never occurs
    return cases


def _gen_logits(rng):
    cases = []
    for _ in range(5):
        n, d, q = (int(v) for v in rng.integers(1, 9, size=3))
        cases.append((rng.normal(size=(n, d)), rng.normal(size=(d, q)), rng.normal(size=q)))
    return cases


def _gen_phm(rng):
    cases = []
    for m in (1, 2, 2, 3, 4):
        q, d = m * int(rng.integers(1, 4)), m * int(rng.integers(1, 4))
        cases.append((rng.normal(size=(m, m, m)), rng.normal(size=(m, q // m, d // m))))
    return cases


def _gen_real_softmax(rng):
    cases = [(list(map(float, rng.normal(0, 3, size=int(rng.integers(2, 6))))),
              float(rng.uniform(0.2, 20))) for _ in range(4)]
    cases.append(([float(v) for v in 700 + rng.normal(0, 10, 3)], float(rng.uniform(1, 3))))
    cases.append(([float(v) for v in -1000 + rng.normal(0, 1, 2)], 1.0))
    return cases


def _gen_forward(rng):
    cases = []
    for _ in range(5):
        n, d, q = (int(v) for v in rng.integers(1, 11, size=3))
        cases.append((rng.normal(size=(n, d)), rng.normal(size=(d, q)), rng.normal(size=(1, q))))
    return cases


def _gen_stable_ce(rng):
    cases = [(o, int(rng.integers(len(o)))) for o in _logits(rng)]
    cases += [(np.array([1000.0, 0.0, -1000.0]), 2), (np.array([0.0, -800.0]), 1)]
    return cases


def _gen_temperature(rng):
    cases = [(rng.normal(0, 3, size=int(rng.integers(2, 10))), float(rng.uniform(0.1, 10)))
             for _ in range(6)]
    cases.append((np.full(3, float(rng.normal(0, 5))), float(rng.uniform(0.2, 3))))
    return cases


def _gen_topk(rng):
    cases = []
    for n, q in ((int(rng.integers(5, 40)), 4), (int(rng.integers(50, 120)), 300)):
        scores = rng.normal(size=(n, q))
        y = rng.integers(0, q, size=n)
        y[: n // 4] = scores[: n // 4].argmax(axis=1)
        for k in (1, int(rng.integers(2, q)), q):
            cases.append((y, scores, k))
    return cases


def _gen_lse_gap(rng):
    return [(int(q),) for q in (2, *rng.integers(3, 50, size=3), int(rng.integers(500, 3000)))]


def _one_arg(fn: Callable) -> Callable:
    return lambda rng: [(o,) for o in fn(rng)]


#: Secret-input generators of the function exercises, by label.
GENERATORS: dict[str, Callable[[np.random.Generator], list[tuple]]] = {
    "ex-01-one-hot": _gen_one_hot,
    "ex-02-logits": _gen_logits,
    "ex-03-phm-weight": _gen_phm,
    "ex-04-stable": _one_arg(_logits),
    "ex-04-realsoftmax": _gen_real_softmax,
    "ex-04-logpartition": _one_arg(_logits),
    "ex-04-lse-gap": _gen_lse_gap,
    "ex-05-forward": _gen_forward,
    "ex-06-hessian": _one_arg(_logits),
    "ex-06-stable-ce": _gen_stable_ce,
    "ex-07-temperature": _gen_temperature,
    "ex-08-topk": _gen_topk,
}


def _perturbed(cases: tuple, rng: np.random.Generator) -> list[tuple]:
    """The self-check's own cases with every float moved by a secret relative amount."""
    def move(x: Any) -> Any:
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            return x * (1 + 0.05 * rng.standard_normal(x.shape)) + 0.01 * rng.standard_normal(x.shape)
        if isinstance(x, float):
            return x * float(np.exp(0.05 * rng.standard_normal()))
        if isinstance(x, list) and x and all(isinstance(v, float) for v in x):
            return [move(v) for v in x]
        return x
    return [tuple(move(a) for a in case) for case in cases]


def secret_inputs(check: ExerciseCheck, seed: int) -> list[tuple]:
    """The inputs on which a function answer is called, drawn from ``seed`` and the label.

    Exercises without a generator in :data:`GENERATORS` get their self-check's cases with the
    floats moved by a secret amount (integer inputs stay as they are: add a generator).
    """
    label_key = int.from_bytes(hashlib.sha256(check.label.encode()).digest()[:8], "big")
    rng = np.random.default_rng([seed, label_key])
    generator = GENERATORS.get(check.label)
    if generator is None:
        return _perturbed(check.spec.cases, rng)
    return generator(rng)


def inputs_json(cases: list[tuple]) -> str:
    """The input file the probe reads: a JSON list of argument lists (see grade_data)."""
    return json.dumps([[encode(arg) for arg in case] for case in cases], allow_nan=False)


# --------------------------------------------------------------------------- judging
def _describe(value: dict) -> str:
    kind = value["type"]
    if kind == "other":
        return value["name"]
    if kind in ("array", "list"):
        return f"{'数组' if kind == 'array' else '列表'}（形状 {tuple(value['array'].shape)}）"
    if kind == "tuple":
        return f"{len(value['items'])} 个值的元组"
    return {"number": "数", "str": "字符串", "bool": "布尔值"}.get(kind, kind)


def judge(spec: _base.CheckSpec, got: dict, expected: dict) -> tuple[bool, str]:
    """Judge the decoded answer ``got`` against the teacher's ``expected``: (passed, message)."""
    kind = got["type"]
    if kind == "missing":
        return False, f"答案变量没有定义（{got['error']}）。"
    if kind == "unanswered":
        return False, _base._UNANSWERED
    hint = spec.hint
    if spec.kind == "number":
        if kind not in ("number", "array"):
            return False, f"答案应当是一个实数，但收到的是{_describe(got)}；请填入一个数。"
        value, reference = _base.as_real(to_python(got)), _base.as_real(to_python(expected))
        if isinstance(value, str):
            return False, value
        if isinstance(reference, str):
            raise ValueError(f"the teacher's answer of {spec.name} is not a number")
        if _base.numbers_agree(value, reference, spec.tol):
            return True, f"在容差 {spec.tol:g} 内与参考答案一致。"
        return False, f"与参考答案的差距超过了容差 {spec.tol:g}。提示：{hint}"
    if spec.kind == "choice":
        chosen = _base.normalise_choice(to_python(got), spec.choices)
        if chosen is None:
            shown = repr(got["value"]) if kind == "str" else _describe(got)
            return False, (f"答案应当是 {', '.join(map(repr, spec.choices))} 之一，"
                           f"但收到的是 {shown}。")
        right = _base.normalise_choice(to_python(expected), spec.choices)
        if right is None:
            raise ValueError(f"the teacher's answer of {spec.name} is not one of the choices")
        if chosen == right:
            return True, "选择正确。"
        return False, f"这个选项不对。提示：{hint}"
    # a function: its outputs on the secret inputs
    if kind != "outputs":
        return False, f"答案应当是一个函数，但收到的是{_describe(got)}。"
    items, references = got["items"], expected["items"]
    if len(items) != len(references):
        return False, "函数没有在全部评分输入上返回结果。"
    for i, (item, ref) in enumerate(zip(items, references), 1):
        if item["type"] == "not_implemented":
            return False, _base.NOT_IMPLEMENTED
        if item["type"] == "error":
            return False, f"函数在第 {i} 组评分输入上出错：{item['error']}"
        problem = _compare(item, ref, spec)
        if problem is not None:
            return False, f"第 {i} 组评分输入上，{problem}提示：{hint}"
    return True, "在全部评分输入上都与参考解答一致。"


def _compare(item: dict, ref: dict, spec: _base.CheckSpec) -> str | None:
    if ref["type"] == "tuple":                  # the teacher's function returns several values
        n = len(ref["items"])
        if item["type"] != "tuple" or len(item["items"]) != n:
            return f"函数应当返回 {n} 个值（一个元组），但返回了{_describe(item)}。"
        for part, expected in zip(item["items"], ref["items"]):
            problem = _compare(part, expected, spec)
            if problem is not None:
                return problem
        return None
    if item["type"] not in ("number", "array", "list"):
        shown = "None" if item["type"] == "unanswered" else _describe(item)
        return f"函数应当返回数组或数，但返回了 {shown}。"
    return _base.compare_output(to_python(item), to_python(ref), rtol=spec.rtol, atol=spec.atol)
