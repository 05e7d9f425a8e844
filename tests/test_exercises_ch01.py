"""Self-checks of chapter 1 accept right answers and reject stubs, wrong values, wrong types."""
from __future__ import annotations

import numpy as np

from softmax_course import exercises


def test_soft_distance():
    p = np.array([0.2, 0.1, 0.7])
    right = float(np.sqrt(((p - np.array([0.0, 0.0, 1.0])) ** 2).sum()))
    assert exercises.check_soft_distance(right)
    assert exercises.check_soft_distance(np.float64(right))
    stub = exercises.check_soft_distance(...)
    assert not stub and "还没有作答" in stub.message
    wrong_order = float(np.sqrt(((p - np.array([1.0, 0.0, 0.0])) ** 2).sum()))   # 猫's label
    wrong = exercises.check_soft_distance(wrong_order)
    assert not wrong and "提示" in wrong.message
    squared = exercises.check_soft_distance(right ** 2)              # forgot the square root
    assert not squared
    typed = exercises.check_soft_distance("0.374")
    assert not typed and "实数" in typed.message


def _my_one_hot(labels, num_classes):
    labels = np.asarray(labels)
    return (labels[:, None] == np.arange(num_classes)[None, :]).astype(float)


def _stub(labels, num_classes):
    raise NotImplementedError("在这里实现")


def test_one_hot():
    assert exercises.check_one_hot(_my_one_hot)
    stub = exercises.check_one_hot(_stub)
    assert not stub and "还没有实现" in stub.message
    assert not exercises.check_one_hot(...)
    too_few = exercises.check_one_hot(lambda y, q: _my_one_hot(y, int(np.max(y)) + 1))
    assert not too_few and "形状" in too_few.message
    off_by_one = exercises.check_one_hot(lambda y, q: np.roll(_my_one_hot(y, q), 1, axis=1))
    assert not off_by_one and "提示" in off_by_one.message
    typed = exercises.check_one_hot("one_hot")
    assert not typed and "函数" in typed.message


def test_ordinal():
    # sizes S < M < L have a natural order; animals and fruit do not
    assert exercises.check_ordinal("B")
    assert not exercises.check_ordinal("A")
    assert not exercises.check_ordinal("C")
    assert "还没有作答" in exercises.check_ordinal(...).message
    typed = exercises.check_ordinal(2)
    assert not typed and "之一" in typed.message
    assert exercises.check_ordinal(" b ")            # case and spaces do not matter
    assert not exercises.check_ordinal("D")
