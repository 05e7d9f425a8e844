"""Self-checks of the evaluation chapter: right answers pass, stubs and wrong answers fail."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.metrics import top_k_accuracy_score

from softmax_course import exercises

# The data of the exercises, as printed in chapters/08-evaluation.ipynb.
CONFUSION = np.array([[50, 3, 2],
                      [4, 40, 6],
                      [1, 5, 39]])
PROBS = np.array([0.5, 0.3, 0.2])                 # 猫, 鸡, 狗
COSTS = np.array([[0, 10, 10, 3],                 # rows: true class 猫, 鸡, 狗
                  [10, 0, 50, 3],                 # columns: 猫窝, 鸡舍, 狗屋, 人工检查
                  [20, 100, 0, 3]])
DECISIONS = ("猫窝", "鸡舍", "狗屋", "人工检查")


def test_accuracy_from_confusion():
    right = sum(CONFUSION[i, i] for i in range(3)) / sum(CONFUSION.ravel().tolist())
    assert exercises.check_accuracy_from_confusion(right)
    assert exercises.check_accuracy_from_confusion(np.float64(right))
    assert exercises.check_accuracy_from_confusion(round(right, 4))
    assert not exercises.check_accuracy_from_confusion(right * 100)          # a percentage
    assert not exercises.check_accuracy_from_confusion(CONFUSION.trace())    # a count
    assert not exercises.check_accuracy_from_confusion(1 - right)           # the error rate
    stub = exercises.check_accuracy_from_confusion(...)
    assert not stub and "还没有作答" in stub.message
    assert "实数" in exercises.check_accuracy_from_confusion("0.86").message
    wrong = exercises.check_accuracy_from_confusion(0.5)
    assert "提示" in wrong.message and "0.86" not in wrong.message


def test_min_cost_decision():
    # brute force: expected cost of each decision, sum over the true classes
    expected = [sum(PROBS[t] * COSTS[t, d] for t in range(3)) for d in range(4)]
    best = DECISIONS[int(np.argmin(expected))]
    assert best != DECISIONS[int(np.argmax(PROBS))]       # the point of the exercise
    assert exercises.check_min_cost_decision(best)
    for other in DECISIONS:
        if other != best:
            verdict = exercises.check_min_cost_decision(other)
            assert not verdict and "提示" in verdict.message
    assert "还没有作答" in exercises.check_min_cost_decision(...).message
    assert "之一" in exercises.check_min_cost_decision("猫").message
    assert "之一" in exercises.check_min_cost_decision(3).message


def test_top_k_accuracy():
    def right(y_true, scores, k):
        scores = np.asarray(scores)
        if k >= scores.shape[1]:
            return 1.0
        return top_k_accuracy_score(y_true, scores, k=k, labels=np.arange(scores.shape[1]))

    assert exercises.check_top_k_accuracy(right)

    def by_sorting(y_true, scores, k):        # a typical student solution
        top = np.argsort(-np.asarray(scores), axis=1)[:, :k]
        return float(np.mean([y in row for y, row in zip(y_true, top)]))

    assert exercises.check_top_k_accuracy(by_sorting)

    def top1_only(y_true, scores, k):
        return float(np.mean(np.argmax(scores, axis=1) == y_true))

    assert not exercises.check_top_k_accuracy(top1_only)
    assert not exercises.check_top_k_accuracy(lambda y, s, k: 1.0)

    def stub(y_true, scores, k):
        raise NotImplementedError("在这里实现")

    assert "还没有实现" in exercises.check_top_k_accuracy(stub).message
    assert "还没有作答" in exercises.check_top_k_accuracy(...).message
    assert "函数" in exercises.check_top_k_accuracy(0.9).message
    per_sample = exercises.check_top_k_accuracy(
        lambda y, s, k: (np.argsort(-np.asarray(s), axis=1)[:, :k] == np.asarray(y)[:, None])
        .any(axis=1))
    assert "形状" in per_sample.message


def _tune_split():
    """The chapter's split: 25 % of the digits training set held out for validation."""
    from sklearn.model_selection import train_test_split

    from softmax_course.data import load_digits_split
    X_train, y_train, _, _, _ = load_digits_split(test_size=0.25, seed=0)
    return train_test_split(X_train, y_train, test_size=0.25, stratify=y_train, random_state=0)


def test_first_epoch_to_target():
    from softmax_course.train import fit
    X_fit, X_val, y_fit, y_val = _tune_split()
    _, history = fit(X_fit, y_fit, X_val=X_val, y_val=y_val, num_epochs=40, batch_size=32,
                     lr=0.5, seed=0, progress=False)
    # reference: an independent count of the validation predictions, one epoch at a time
    reached = [e for e in range(1, 41) if history.val_acc[e - 1] >= 0.95]
    first = reached[0]
    assert exercises.check_first_epoch_to_target(first)
    assert exercises.check_first_epoch_to_target(np.int64(first))
    assert exercises.check_first_epoch_to_target(float(first))
    assert not exercises.check_first_epoch_to_target(first - 1)     # counted from 0
    assert not exercises.check_first_epoch_to_target(first + 1)
    assert not exercises.check_first_epoch_to_target(0.95)
    assert "还没有作答" in exercises.check_first_epoch_to_target(...).message
    # the same epochs, run for exactly `first` epochs, end at or above the target
    _, short = fit(X_fit, y_fit, X_val=X_val, y_val=y_val, num_epochs=first, batch_size=32,
                   lr=0.5, seed=0, progress=False)
    assert short.val_acc[-1] >= 0.95 and max(short.val_acc[:-1]) < 0.95


def test_more_epochs():
    assert exercises.check_more_epochs("B")
    for other in ("A", "C", "D"):
        verdict = exercises.check_more_epochs(other)
        assert not verdict and "提示" in verdict.message
    assert "还没有作答" in exercises.check_more_epochs(...).message
    assert not exercises.check_more_epochs("过拟合")


# The ten predictions of the ECE exercise, as printed in the chapter.
ECE_CONF = np.array([0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 0.95, 0.55, 0.65, 0.99])
ECE_CORRECT = np.array([0, 1, 1, 0, 1, 1, 1, 0, 1, 1])


def test_ece_by_hand():
    # reference: a loop over the two bins, independent of softmax_course.metrics
    ece = 0.0
    for lo, hi in ((0.0, 0.5), (0.5, 1.0)):
        inside = [(c, k) for c, k in zip(ECE_CONF, ECE_CORRECT) if lo < c <= hi]
        conf = sum(c for c, _ in inside) / len(inside)
        acc = sum(k for _, k in inside) / len(inside)
        ece += len(inside) / len(ECE_CONF) * abs(acc - conf)
    assert exercises.check_ece_by_hand(ece)
    assert exercises.check_ece_by_hand(np.array([ece]))
    # the package agrees (four classes, so that a confidence of 0.3 is possible)
    from softmax_course.metrics import expected_calibration_error
    proba = np.column_stack([ECE_CONF] + [(1 - ECE_CONF) / 3] * 3)
    labels = np.where(ECE_CORRECT == 1, 0, 1)
    assert expected_calibration_error(proba, labels, num_bins=2) == pytest.approx(ece)
    # typical slips: unweighted mean of the gaps, one bin, gap of the means
    gaps_unweighted = (abs(0.5 - 0.375) + abs(0.75 - 0.7675)) / 2
    assert not exercises.check_ece_by_hand(gaps_unweighted)
    assert not exercises.check_ece_by_hand(abs(ECE_CORRECT.mean() - ECE_CONF.mean()))
    assert not exercises.check_ece_by_hand(100 * ece)
    assert "还没有作答" in exercises.check_ece_by_hand(...).message


def test_checks_do_not_contain_the_answers():
    import softmax_course.exercises.ch08_evaluation as module
    source = inspect.getsource(module)
    assert "0.86" not in source and "129" not in source
    assert "21" not in source.replace("ex-08", "")
    assert "0.039" not in source
    assert "choice_digest(" not in source


def test_results_are_recorded():
    exercises.reset_results()
    exercises.check_min_cost_decision(...)
    exercises.check_accuracy_from_confusion(...)
    assert exercises.results() == {"ex-08-min-cost": False, "ex-08-acc-from-cm": False}
