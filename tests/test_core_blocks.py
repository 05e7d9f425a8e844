"""core.by_row_blocks: same bits for any block size and memory order, same errors, no warnings.

tests/test_core.py checks the functions on small arrays, which fit in one block. Here the block
size is shrunk to a few rows so that every function goes through its loop over blocks, and the
results are compared bit for bit with the single-block computation, with each row computed
alone, across memory orders (C, Fortran, strided views, another axis), and with scipy.special.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.special as sp

from softmax_course import core
from softmax_course import cross_entropy, cross_entropy_grad, log_softmax, logsumexp, softmax

TINY = 96      # bytes per block: 1-3 rows of the arrays below
HUGE = 1 << 40  # one block, whatever the array


def batch(dtype=np.float64, shape=(37, 5), seed=0):
    o = (4.0 * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)
    big = np.finfo(dtype).max / 1.5
    o[3] = [big, -big, 0.0, big, 1.0][:shape[-1]]     # unrepresentable spread: -inf / 0.0
    o[8] = -big
    o[20] = big
    return o


def block_count(o):
    """How many blocks by_row_blocks cuts the rows of o into (with the current block size)."""
    calls = []
    core.by_row_blocks(lambda x: calls.append(len(x)) or x, o)
    assert sum(calls) == o.size // o.shape[-1]          # every row exactly once
    return len(calls)


def all_results(o, y, p, temperature=1.0):
    """Every public function of core on logits o, integer labels y and soft labels p."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {
            "softmax": softmax(o, temperature=temperature),
            "log_softmax": log_softmax(o, temperature=temperature),
            "logsumexp": logsumexp(o),
            **{f"ce_{r}": np.asarray(cross_entropy(o, y, r)) for r in ("none", "sum", "mean")},
            "ce_soft": cross_entropy(o, p, "none"),
            **{f"grad_{r}": cross_entropy_grad(o, y, r) for r in ("none", "sum", "mean")},
            "grad_soft": cross_entropy_grad(o, p),
        }


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("temperature", [1.0, 0.3, 7.0])
def test_blocks_give_the_same_bits_as_one_block(monkeypatch, dtype, temperature):
    o = batch(dtype)
    rng = np.random.default_rng(1)
    y = rng.integers(0, o.shape[1], size=o.shape[0])
    p = rng.dirichlet(np.ones(o.shape[1]), size=o.shape[0])
    monkeypatch.setattr(core, "_BLOCK_BYTES", HUGE)
    whole = all_results(o, y, p, temperature)
    monkeypatch.setattr(core, "_BLOCK_BYTES", TINY)
    assert block_count(o) >= 10
    blocked = all_results(o, y, p, temperature)
    for name in whole:
        np.testing.assert_array_equal(blocked[name], whole[name], err_msg=name)
        assert blocked[name].dtype == whole[name].dtype, name


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_blocks_agree_with_scipy(monkeypatch, dtype, rtol):
    monkeypatch.setattr(core, "_BLOCK_BYTES", TINY)
    o = (3.0 * np.random.default_rng(2).standard_normal((41, 6))).astype(dtype)
    y = np.random.default_rng(3).integers(0, 6, size=41)
    ref = o.astype(np.float64)
    np.testing.assert_allclose(softmax(o), sp.softmax(ref, axis=-1), rtol=rtol)
    np.testing.assert_allclose(log_softmax(o), sp.log_softmax(ref, axis=-1), rtol=rtol)
    np.testing.assert_allclose(logsumexp(o), sp.logsumexp(ref, axis=-1), rtol=rtol)
    expected = -sp.log_softmax(ref, axis=-1)[np.arange(41), y]
    np.testing.assert_allclose(cross_entropy(o, y, "none"), expected, rtol=rtol)
    np.testing.assert_allclose(cross_entropy_grad(o, y),
                               (sp.softmax(ref, axis=-1) - np.eye(6)[y]) / 41, rtol=rtol,
                               atol=1e-7 if dtype == np.float32 else 0)
    for a in (softmax(o), log_softmax(o), logsumexp(o), cross_entropy(o, y, "none"),
              cross_entropy_grad(o, y)):
        assert a.dtype == dtype


def test_blocks_of_a_3d_array_and_a_strided_view(monkeypatch):
    monkeypatch.setattr(core, "_BLOCK_BYTES", TINY)
    o = 5.0 * np.random.default_rng(4).standard_normal((4, 9, 6))
    np.testing.assert_allclose(softmax(o), sp.softmax(o, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(logsumexp(o), sp.logsumexp(o, axis=-1), rtol=1e-12)
    view = o[:, ::2, :].transpose(1, 0, 2)          # not contiguous
    np.testing.assert_allclose(log_softmax(view), sp.log_softmax(view, axis=-1), rtol=1e-12)
    for axis in (0, 1):                              # not the last axis: one block
        np.testing.assert_allclose(softmax(o, axis=axis), sp.softmax(o, axis=axis), rtol=1e-12)
        np.testing.assert_allclose(logsumexp(o, axis=axis), sp.logsumexp(o, axis=axis),
                                   rtol=1e-12)


def test_inputs_are_never_modified(monkeypatch):
    for block in (TINY, HUGE):
        monkeypatch.setattr(core, "_BLOCK_BYTES", block)
        o = batch()
        y = np.arange(o.shape[0]) % o.shape[1]
        o0, y0 = o.copy(), y.copy()
        all_results(o, y, np.eye(o.shape[1])[y], temperature=0.5)
        np.testing.assert_array_equal(o, o0)
        np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("block", [TINY, HUGE])
def test_a_bad_entry_in_a_later_block_raises_the_usual_message(monkeypatch, bad, block):
    monkeypatch.setattr(core, "_BLOCK_BYTES", block)
    o = np.zeros((30, 4))
    o[23, 2] = bad
    y = np.zeros(30, dtype=int)
    shown = "nan" if np.isnan(bad) else str(bad)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (softmax, log_softmax, logsumexp):
            with pytest.raises(ValueError, match=rf"o must be finite.*entry \(23, 2\) is {shown}"):
                f(o)
        for f in (cross_entropy, cross_entropy_grad):
            with pytest.raises(ValueError,
                               match=rf"logits must be finite.*entry \(23, 2\) is {shown}"):
                f(o, y)


def test_fast_paths_still_check_everything():
    o = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"contains 4.*only 4 classes"):
        cross_entropy(o, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match=r"labels must be >= 0"):
        cross_entropy_grad(o, np.array([0, -1, 2]))
    with pytest.raises(ValueError, match=r"2 entries but there are 3 samples"):
        cross_entropy(o, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"logits must be 2-dimensional"):
        cross_entropy(np.zeros(4), np.array([0]))
    with pytest.raises(ValueError, match=r"o is empty"):
        softmax(np.zeros((0, 3)))
    # other dtypes take the general path and are converted
    assert softmax(np.array([[1, 2]], dtype=np.int32)).dtype == np.float64
    assert cross_entropy(o, np.array([0, 1, 2], dtype=np.int32)) == pytest.approx(np.log(4))


def test_a_large_batch_is_split_into_blocks():
    assert block_count(np.zeros((4096, 1000))) > 1
    assert block_count(np.zeros((256, 10))) == 1


LAYOUTS = {
    "C": lambda o: np.ascontiguousarray(o),
    "Fortran": lambda o: np.asfortranarray(o),
    "strided view": lambda o: np.repeat(o, 2, axis=0)[::2],
    "reversed columns": lambda o: np.ascontiguousarray(o[:, ::-1])[:, ::-1],
    "transposed, axis 0": lambda o: np.ascontiguousarray(o.T),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("block", [TINY, HUGE])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_bits_for_every_memory_order_and_as_each_row_alone(monkeypatch, layout, block,
                                                                  dtype):
    # the documented claim of by_row_blocks: each row is computed by the same operations on a
    # C-ordered block, so neither the block size nor the memory order changes a single bit
    monkeypatch.setattr(core, "_BLOCK_BYTES", block)
    o = batch(dtype, shape=(29, 5))
    o[5] = [0.0, -40.0, -40.0, 0.0, -745.0]            # ties, a dominant term, underflow
    y = np.random.default_rng(7).integers(0, 5, size=29)
    arr = LAYOUTS[layout](o)
    axis = 0 if layout.startswith("transposed") else -1
    assert np.array_equal(np.moveaxis(arr, axis, -1), o)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = {"softmax": softmax(arr, axis=axis, temperature=0.7),
                   "log_softmax": log_softmax(arr, axis=axis),
                   "logsumexp": logsumexp(arr, axis=axis)}
        if axis == -1:
            results["ce"] = cross_entropy(arr, y, "none")
            results["grad"] = cross_entropy_grad(arr, y, "sum")
        for i in range(o.shape[0]):
            row = o[i].copy()
            alone = {"softmax": softmax(row, temperature=0.7), "log_softmax": log_softmax(row),
                     "logsumexp": logsumexp(row),
                     "ce": cross_entropy(row[None], y[i:i + 1], "none")[0],
                     "grad": cross_entropy_grad(row[None], y[i:i + 1], "sum")[0]}
            for name, value in results.items():
                got = np.moveaxis(value, axis, -1)[i] if value.ndim > 1 else value[i]
                np.testing.assert_array_equal(got, alone[name], err_msg=f"{name} row {i}")


def test_by_row_blocks_on_its_own():
    o = np.arange(24.0).reshape(2, 3, 4)
    sums = core.by_row_blocks(lambda x: x.sum(axis=-1, keepdims=True), o, 1, width=1)
    np.testing.assert_array_equal(sums, o.sum(axis=1, keepdims=True))
    labels = np.array([2, 0, 1])
    picked = core.by_row_blocks(lambda x, y: np.take_along_axis(x, y[:, None], -1),
                                np.eye(3), -1, labels, width=1)
    np.testing.assert_array_equal(picked[:, 0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"X must be finite.*entry \(1, 2\) is nan"):
        core.by_row_blocks(lambda x: x, np.array([[0.0, 1.0, 2.0], [0.0, 1.0, np.nan]]),
                           name="X")
    with pytest.raises(TypeError, match=r"by_row_blocks needs a function and a numpy array"):
        core.by_row_blocks(np.exp, [[0.0, 1.0]])
