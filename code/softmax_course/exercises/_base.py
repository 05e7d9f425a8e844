"""Machinery of the self-checks: verdicts, hashed numeric answers, checks of functions.

A self-check tells a student *whether* an answer is right, with a hint in Chinese when it is
not, without printing the expected value: numbers are compared through a salted SHA-256 digest
of the answer rounded to a stated tolerance, and functions are compared with the package's own
reference on fixed inputs. Wrong types and shapes get a friendly message instead of a numpy
traceback.

The self-checks are *formative*: the salt and the digests ship with the package, so a student who
tries every number on a grid (or every choice) recovers a numeric or multiple-choice answer in
seconds. Grading does not use them (see ``softmax_course.tools.grading``); it judges the answers
with the same rules, which live here once:

* :func:`as_real` -- a number, also given as a numpy scalar or a size-1 array;
* :func:`numbers_agree` -- equal up to the tolerance (the rule the digests encode);
* :func:`normalise_choice` -- a choice, ignoring spaces, case and full-width forms, ``||`` for ``‖``;
* :func:`compare_output` -- one output of a function against the reference's.
"""
from __future__ import annotations

import contextlib
import hashlib
import math
import numbers
import threading
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import numpy as np

__all__ = ["Verdict", "digest", "choice_digest", "check_number", "check_function",
           "check_choice_answer", "results", "reset_results", "as_real", "numbers_agree",
           "normalise_choice", "compare_output", "CheckSpec", "describe_check"]

_SALT = "softmax-course/v1"
_RESULTS: dict[str, bool] = {}
_UNANSWERED = "还没有作答：把答案单元格里的 `...`（或 `raise NotImplementedError`）换成你的答案，再运行本单元格。"


@dataclass(frozen=True)
class Verdict:
    """Outcome of one self-check: truthy when the answer is right."""

    name: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        mark = "✅ 正确" if self.passed else "❌ 还不对"
        return f"[{self.name}] {mark}：{self.message}"

    def _ipython_display_(self) -> None:
        print(repr(self))


def _verdict(name: str, passed: bool, message: str) -> Verdict:
    _RESULTS[name] = bool(passed)
    return Verdict(name, bool(passed), message)


def results() -> dict[str, bool]:
    """Verdicts recorded in this session, ``{exercise name: passed}`` (formative; grading
    ignores them)."""
    return dict(_RESULTS)


def reset_results() -> None:
    """Forget the recorded verdicts."""
    _RESULTS.clear()


def digest(name: str, value: float, tol: float) -> str:
    """Salted digest of ``value`` rounded to a multiple of ``tol`` (what a check stores)."""
    k = round(float(value) / tol)
    return hashlib.sha256(f"{_SALT}:{name}:{tol!r}:{k}".encode()).hexdigest()[:24]


def as_real(answer: Any) -> float | str:
    """The answer as a float, or a Chinese explanation of why it is not a number.

    Python and numpy reals and size-1 numpy arrays (``np.array([0.5])``) are numbers; booleans,
    strings and lists are not.

    Examples
    --------
    >>> as_real(np.array([[0.25]]))
    0.25
    >>> as_real("3")[:8]
    '答案应当是一个实'
    """
    if answer is Ellipsis or answer is None:
        return _UNANSWERED
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return f"答案应当是一个实数，但收到的是 {type(answer).__name__}；请填入一个数。"
    value = float(answer)
    if not math.isfinite(value):
        return f"答案应当是一个有限的数，但收到的是 {value}；检查是否出现了 log(0) 或除以 0。"
    return value


def check_number(name: str, answer: Any, expected_digest: str, tol: float, hint: str) -> Verdict:
    """Compare a numeric answer with a stored digest, accepting errors up to about ``tol``.

    The answer is rounded to the nearest multiple of ``tol``; that multiple and its two
    neighbours are hashed, so any answer within ``tol`` of the expected value is accepted.
    """
    if _recording(CheckSpec(name, "number", hint, tol=float(tol))):
        return Verdict(name, False, "")
    value = as_real(answer)
    if isinstance(value, str):
        return _verdict(name, False, value)
    k = round(value / tol)
    ok = any(digest(name, (k + d) * tol, tol) == expected_digest for d in (-1, 0, 1))
    if ok:
        return _verdict(name, True, f"在容差 {tol:g} 内与参考答案一致。")
    return _verdict(name, False, f"与参考答案的差距超过了容差 {tol:g}。提示：{hint}")


def check_choice_answer(name: str, answer: Any, expected_digest: str, choices: Iterable[str],
                        hint: str) -> Verdict:
    """Check a multiple-choice answer (one of ``choices``) against a stored digest.

    The answer is matched to a choice by :func:`normalise_choice` (``"b"`` is ``"B"``,
    ``"W[2,1]"`` is ``"W[2, 1]"``, ``"KL(P||Q)"`` is ``"KL(P‖Q)"``).
    """
    choices = tuple(choices)
    if _recording(CheckSpec(name, "choice", hint, choices=choices)):
        return Verdict(name, False, "")
    if answer is Ellipsis or answer is None:
        return _verdict(name, False, _UNANSWERED)
    chosen = normalise_choice(answer, choices)
    if chosen is None:
        return _verdict(name, False, f"答案应当是 {', '.join(map(repr, choices))} 之一，"
                                     f"但收到的是 {answer!r}。")
    ok = choice_digest(name, chosen) == expected_digest
    if ok:
        return _verdict(name, True, "选择正确。")
    return _verdict(name, False, f"这个选项不对。提示：{hint}")


def choice_digest(name: str, answer: str) -> str:
    """Digest stored by :func:`check_choice_answer` for the right choice."""
    return hashlib.sha256(f"{_SALT}:{name}:{answer}".encode()).hexdigest()[:24]


def check_function(name: str, fn: Any, reference: Callable[..., Any],
                   cases: Iterable[tuple], hint: str, *, rtol: float = 1e-7,
                   atol: float = 1e-9) -> Verdict:
    """Call the student's ``fn`` and the ``reference`` on each argument tuple of ``cases``.

    The verdict is right when every result agrees with the reference's (see
    :func:`compare_output`: same shape, or a size-1 array for a scalar; equal to
    ``rtol``/``atol``; infinities must match exactly, NaN is always wrong).
    """
    cases = list(cases)
    if _recording(CheckSpec(name, "function", hint, rtol=float(rtol), atol=float(atol),
                            reference=reference, cases=tuple(cases))):
        return Verdict(name, False, "")
    if fn is Ellipsis or fn is None:
        return _verdict(name, False, _UNANSWERED)
    if not callable(fn):
        return _verdict(name, False, f"答案应当是一个函数，但收到的是 {type(fn).__name__}。")
    for i, args in enumerate(cases):
        expected = reference(*args)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")      # a naive answer may overflow: judged below
                got = fn(*args)
        except NotImplementedError:
            return _verdict(name, False, NOT_IMPLEMENTED)
        except Exception as exc:  # a student's error is reported, not raised
            return _verdict(name, False, f"函数在第 {i + 1} 组测试输入上出错："
                                         f"{type(exc).__name__}: {exc}")
        problem = compare_output(got, expected, rtol=rtol, atol=atol)
        if problem is not None:
            return _verdict(name, False, f"第 {i + 1} 组输入上，{problem}提示：{hint}")
    return _verdict(name, True, "在所有测试输入上都与参考实现一致。")


NOT_IMPLEMENTED = "函数还没有实现：把 `raise NotImplementedError` 换成你的代码。"


# --------------------------------------------------------------------------- shared judging rules
def numbers_agree(value: float, expected: float, tol: float) -> bool:
    """Whether ``value`` is ``expected`` up to ``tol``: the rule :func:`check_number` applies.

    Both are rounded to the nearest multiple of ``tol``; the multiples may differ by one.

    Examples
    --------
    >>> numbers_agree(0.3004, 0.3, 1e-3), numbers_agree(0.3025, 0.3, 1e-3)
    (True, False)
    """
    return abs(round(float(value) / tol) - round(float(expected) / tol)) <= 1


def _choice_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("||", "‖").replace("∥", "‖")
    return "".join(text.split()).casefold()


def normalise_choice(answer: Any, choices: Iterable[str]) -> str | None:
    """The choice of ``choices`` that ``answer`` names, or None when it names none.

    Spaces, letter case and full-width forms are ignored and ``||`` stands for ``‖``. When
    two choices differ only in these respects, only an exact match counts.

    Examples
    --------
    >>> normalise_choice("W[2,1]", ("W[2, 1]", "W[1, 2]"))
    'W[2, 1]'
    >>> normalise_choice(" kl(p||q) ", ("KL(P‖Q)", "KL(Q‖P)"))
    'KL(P‖Q)'
    >>> normalise_choice("b", ("A", "B")), normalise_choice("E", ("A", "B"))
    ('B', None)
    """
    choices = tuple(choices)
    if not isinstance(answer, str):
        return None
    if answer in choices:
        return answer
    key = _choice_key(answer)
    matches = [c for c in choices if _choice_key(c) == key]
    keys = [_choice_key(c) for c in choices]
    if len(matches) == 1 and keys.count(key) == 1:
        return matches[0]
    return None


def compare_output(got: Any, expected: Any, *, rtol: float, atol: float) -> str | None:
    """None when one output ``got`` of a student's function agrees with ``expected``.

    Otherwise a Chinese sentence saying what is wrong. A size-1 array stands for a scalar; otherwise the shapes must be equal. Values
    agree to ``rtol``/``atol``; infinities must match exactly; NaN is always wrong.

    Examples
    --------
    >>> compare_output(np.array([2.0]), 2.0, rtol=1e-9, atol=0) is None
    True
    >>> compare_output([1.0, 2.0], np.array([1.0, 2.5]), rtol=1e-9, atol=0)
    '结果与参考实现不一致。'
    """
    expected = np.asarray(expected, dtype=float)
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"函数应当返回数组或数，但返回了 {type(got).__name__}。"
    if expected.shape == () and got_arr.size == 1:
        got_arr = got_arr.reshape(())
    if got_arr.shape != expected.shape:
        return f"返回值的形状是 {got_arr.shape}，应当是 {expected.shape}。"
    if np.isnan(got_arr).any():
        return "返回了 NaN。"
    with np.errstate(invalid="ignore"):
        close = np.isclose(got_arr, expected, rtol=rtol, atol=atol) | (got_arr == expected)
    if not close.all():
        return "结果与参考实现不一致。"
    return None


# --------------------------------------------------------------------------- what a check asks
@dataclass(frozen=True)
class CheckSpec:
    """What a self-check compares, read by :func:`describe_check` (used by the grader).

    ``kind`` is ``"number"`` (``tol``), ``"choice"`` (``choices``) or ``"function"``
    (``rtol``, ``atol``, the package's ``reference`` and the self-check's fixed ``cases``);
    ``hint`` is the check's hint.
    """

    name: str
    kind: str
    hint: str
    tol: float = 0.0
    choices: tuple = ()
    rtol: float = 0.0
    atol: float = 0.0
    reference: Any = field(default=None, compare=False, repr=False)
    cases: tuple = field(default=(), compare=False, repr=False)


_RECORDER = threading.local()


def _recording(spec: CheckSpec) -> bool:
    """In :func:`describe_check`, store ``spec`` and tell the check to stop (no verdict)."""
    box = getattr(_RECORDER, "box", None)
    if box is None:
        return False
    box.append(spec)
    return True


@contextlib.contextmanager
def _record() -> Iterator[list]:
    box: list = []
    _RECORDER.box = box
    try:
        yield box
    finally:
        _RECORDER.box = None


def describe_check(check: Callable[..., Any], *args: Any, **kwargs: Any) -> CheckSpec:
    """What ``check(*args, **kwargs)`` would compare, without judging or recording a verdict.

    Examples
    --------
    >>> spec = describe_check(check_number, "ex-0-demo", None, "digest", 0.5, "hint")
    >>> spec.kind, spec.tol
    ('number', 0.5)
    """
    with _record() as box:
        check(*args, **kwargs)
    if len(box) != 1:
        raise ValueError(f"{getattr(check, '__name__', check)!r} must end in exactly one call "
                         f"of check_number, check_choice_answer or check_function; it made "
                         f"{len(box)}")
    return box[0]
