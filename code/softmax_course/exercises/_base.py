"""Machinery of the self-checks: verdicts, hashed numeric answers, checks of functions.

A self-check tells a student *whether* an answer is right, with a hint in Chinese when it is
not, and never reveals the expected value: numbers are compared through a salted SHA-256 digest
of the answer rounded to a stated tolerance, and functions are compared with the package's own
reference on random inputs. Wrong types and shapes get a friendly message instead of a numpy
traceback.
"""
from __future__ import annotations

import hashlib
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["Verdict", "digest", "check_number", "check_function", "check_choice_answer",
           "results", "reset_results"]

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
    """Verdicts recorded in this session, ``{exercise name: passed}`` (used by grading)."""
    return dict(_RESULTS)


def reset_results() -> None:
    """Forget the recorded verdicts."""
    _RESULTS.clear()


def digest(name: str, value: float, tol: float) -> str:
    """Salted digest of ``value`` rounded to a multiple of ``tol`` (what a check stores)."""
    k = round(float(value) / tol)
    return hashlib.sha256(f"{_SALT}:{name}:{tol!r}:{k}".encode()).hexdigest()[:24]


def _as_real(answer: Any) -> float | str:
    """The answer as a float, or a Chinese explanation of why it is not a number."""
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
    value = _as_real(answer)
    if isinstance(value, str):
        return _verdict(name, False, value)
    k = round(value / tol)
    ok = any(digest(name, (k + d) * tol, tol) == expected_digest for d in (-1, 0, 1))
    if ok:
        return _verdict(name, True, f"在容差 {tol:g} 内与参考答案一致。")
    return _verdict(name, False, f"与参考答案的差距超过了容差 {tol:g}。提示：{hint}")


def check_choice_answer(name: str, answer: Any, expected_digest: str, choices: Iterable[str],
                        hint: str) -> Verdict:
    """Check a multiple-choice answer (one of ``choices``) against a stored digest."""
    choices = tuple(choices)
    if answer is Ellipsis or answer is None:
        return _verdict(name, False, _UNANSWERED)
    if answer not in choices:
        return _verdict(name, False, f"答案应当是 {', '.join(map(repr, choices))} 之一，"
                                     f"但收到的是 {answer!r}。")
    ok = choice_digest(name, answer) == expected_digest
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

    The verdict is right when every result has the reference's shape and agrees to
    ``rtol``/``atol`` (infinities must match exactly, NaN is always wrong).
    """
    if fn is Ellipsis or fn is None:
        return _verdict(name, False, _UNANSWERED)
    if not callable(fn):
        return _verdict(name, False, f"答案应当是一个函数，但收到的是 {type(fn).__name__}。")
    for i, args in enumerate(cases):
        expected = np.asarray(reference(*args), dtype=float)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")      # a naive answer may overflow: judged below
                got = fn(*args)
        except NotImplementedError:
            return _verdict(name, False, "函数还没有实现：把 `raise NotImplementedError` 换成你的代码。")
        except Exception as exc:  # a student's error is reported, not raised
            return _verdict(name, False, f"函数在第 {i + 1} 组测试输入上出错："
                                         f"{type(exc).__name__}: {exc}")
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return _verdict(name, False, f"函数应当返回数组或数，但返回了 {type(got).__name__}。")
        if got.shape != expected.shape:
            return _verdict(name, False, f"第 {i + 1} 组输入上，返回值的形状是 {got.shape}，"
                                         f"应当是 {expected.shape}。")
        if np.isnan(got).any():
            return _verdict(name, False, f"第 {i + 1} 组输入上返回了 NaN。提示：{hint}")
        with np.errstate(invalid="ignore"):
            close = np.isclose(got, expected, rtol=rtol, atol=atol) | (got == expected)
        if not close.all():
            return _verdict(name, False, f"第 {i + 1} 组输入上的结果与参考实现不一致。提示：{hint}")
    return _verdict(name, True, "在所有测试输入上都与参考实现一致。")
