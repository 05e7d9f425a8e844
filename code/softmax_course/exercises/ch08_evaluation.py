"""Self-checks of the prediction-and-evaluation chapter (chapters/08-evaluation.ipynb)."""
from __future__ import annotations

import numpy as np

from ..metrics import top_k_accuracy
from ._base import Verdict, check_choice_answer, check_function, check_number

#: The decisions of the cost exercise, in the order of the cost matrix's columns.
DECISIONS = ("猫窝", "鸡舍", "狗屋", "人工检查")


def check_accuracy_from_confusion(answer) -> Verdict:
    """ex-08-acc-from-cm: the accuracy read off the chapter's 3×3 confusion matrix."""
    return check_number("ex-08-acc-from-cm", answer, "29a25ff6107501a8a2f9a669", 1e-4,
                        "混淆矩阵中哪些格子对应预测正确的样本？样本总数又是所有格子之和。")


def check_min_cost_decision(answer) -> Verdict:
    """ex-08-min-cost: the decision with the smallest expected cost for the given probabilities."""
    return check_choice_answer("ex-08-min-cost", answer, "764fc159c0fa19458f6b6f06", DECISIONS,
                               "对每个决策，把每个真实类别的概率乘以该决策在这个类别下的代价，"
                               "再相加；比较四个期望代价，而不是比较概率。")


def _top_k_cases() -> list[tuple]:
    rng = np.random.default_rng(8)
    many = rng.normal(size=(200, 1000))                 # 1000 classes, as in ImageNet
    y_many = rng.integers(0, 1000, size=200)
    y_many[:40] = many[:40].argmax(axis=1)              # some samples are right at top-1
    few = rng.normal(size=(30, 4))
    y_few = rng.integers(0, 4, size=30)
    hand = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]])
    return [(np.array([1, 2, 0]), hand, 1), (np.array([1, 2, 0]), hand, 2),
            (np.array([1, 2, 0]), hand, 3), (y_few, few, 1), (y_few, few, 3),
            (y_many, many, 1), (y_many, many, 5), (y_many, many, 100)]


def check_top_k_accuracy(fn) -> Verdict:
    """ex-08-topk: a function top_k(y_true, scores, k) returning the top-k accuracy."""
    return check_function("ex-08-topk", fn, top_k_accuracy, _top_k_cases(),
                          "对每个样本，数一数有多少个类别的得分严格高于真实类别的得分；"
                          "少于 k 个就算命中。结果是命中样本所占的比例（一个数）。")


#: The options of the more-epochs exercise, as listed in the chapter.
MORE_EPOCHS_CHOICES = ("A", "B", "C", "D")


def check_first_epoch_to_target(answer) -> Verdict:
    """ex-08-tune: the first epoch after which the validation accuracy reaches 0.95.

    The setting is the chapter's: ``fit`` on its 75 % / 25 % split of the digits training set
    with ``batch_size=32, lr=0.5, seed=0`` (epochs counted from 1).
    """
    return check_number("ex-08-tune", answer, "079f120a3611d4ddc2614bd6", 0.5,
                        "用 fit 的 X_val、y_val 参数记录每一轮之后的验证准确率（history.val_acc），"
                        "找出第一个不小于 0.95 的位置；轮次从 1 开始数。")


def check_more_epochs(answer) -> Verdict:
    """ex-08-more-epochs: why the test accuracy can fall when training runs longer."""
    return check_choice_answer("ex-08-more-epochs", answer, "6201bb40e2adb08a0d726fd0",
                               MORE_EPOCHS_CHOICES,
                               "回到“过拟合”一节：训练损失一直在降，验证损失却在某一轮之后回升。"
                               "这时模型在学什么？")


def check_ece_by_hand(answer) -> Verdict:
    """ex-08-ece: the expected calibration error of the chapter's ten predictions, two bins."""
    return check_number("ex-08-ece", answer, "016030014d2625fcf94ce311", 1e-4,
                        "先按置信度把 10 个预测分进 (0, 0.5] 和 (0.5, 1] 两个区间；每个区间算出"
                        "平均置信度和准确率之差的绝对值，再按区间的样本数占比加权相加。")
