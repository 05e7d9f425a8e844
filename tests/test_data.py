"""Tests of the real data sets in softmax_course.data: digits, minibatches, Fashion-MNIST files.

No test touches the network: Fashion-MNIST files are generated in tmp_path in the IDX format,
their MD5 sums patched into the registry, and pooch's downloader replaced by fakes.
"""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pooch
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from softmax_course import data
from softmax_course.data import (DIGIT_CLASSES, FASHION_MNIST_CLASSES, FASHION_MNIST_CLASSES_EN,
                                 FASHION_MNIST_FILES, load_digits_split, load_fashion_mnist,
                                 minibatches, read_idx, verify_checksum)

NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def idx_bytes(array: np.ndarray, *, dtype_code: int = 0x08, ndim: int | None = None) -> bytes:
    """Uncompressed IDX encoding of a uint8 array (header written independently of read_idx)."""
    ndim = array.ndim if ndim is None else ndim
    header = bytes([0, 0, dtype_code, ndim])
    header += b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_gz(path: Path, payload: bytes) -> Path:
    path.write_bytes(gzip.compress(payload))
    return path


def md5(path: Path) -> str:
    return "md5:" + hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def fake_fashion(tmp_path, monkeypatch):
    """Four small valid Fashion-MNIST-format files in tmp_path, registered with their MD5s."""
    rng = np.random.default_rng(0)
    arrays = {
        NAMES[0]: rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8),
        NAMES[1]: np.array([0, 1, 9, 3, 4, 5], dtype=np.uint8),
        NAMES[2]: rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8),
        NAMES[3]: np.array([7, 8, 2], dtype=np.uint8),
    }
    for name, arr in arrays.items():
        write_gz(tmp_path / name, idx_bytes(arr))
        monkeypatch.setitem(FASHION_MNIST_FILES, name, md5(tmp_path / name))
    return tmp_path, arrays


# --- read_idx ---------------------------------------------------------------------------------

def test_read_idx_images_and_labels(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    got = read_idx(write_gz(tmp_path / "img.gz", idx_bytes(images)), ndim=3)
    np.testing.assert_array_equal(got, images)
    assert got.dtype == np.uint8 and got.flags.writeable
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write_gz(tmp_path / "lab.gz", idx_bytes(labels)),
                                           ndim=1), labels)


def test_read_idx_bad_magic_names_file(tmp_path):
    labels = np.array([1, 2, 3], dtype=np.uint8)
    path = write_gz(tmp_path / "bad.gz", idx_bytes(labels, dtype_code=0x0D))   # float32 code
    with pytest.raises(ValueError, match=r"bad\.gz does not start with the IDX magic number "
                                         r"0x00000801 .* but with 0x00000d01"):
        read_idx(path, ndim=1)
    # images file read as labels: the dimension byte differs
    path = write_gz(tmp_path / "img.gz", idx_bytes(np.zeros((1, 2, 2), np.uint8)))
    with pytest.raises(ValueError, match=r"magic number 0x00000801 .* but with 0x00000803"):
        read_idx(path, ndim=1)


def test_read_idx_truncated_data(tmp_path):
    payload = idx_bytes(np.zeros((4, 28, 28), np.uint8))[:-100]
    path = write_gz(tmp_path / "short.gz", payload)
    with pytest.raises(ValueError, match=r"short\.gz has 3036 data bytes, but its header "
                                         r"announces shape \(4, 28, 28\), i\.e\. 3136 bytes"):
        read_idx(path, ndim=3)


def test_read_idx_extra_bytes(tmp_path):
    path = write_gz(tmp_path / "long.gz", idx_bytes(np.zeros(3, np.uint8)) + b"\x00")
    with pytest.raises(ValueError, match=r"has 4 data bytes, but its header announces"):
        read_idx(path, ndim=1)


def test_read_idx_header_cut(tmp_path):
    path = write_gz(tmp_path / "hdr.gz", bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(ValueError, match=r"hdr\.gz ends inside its header"):
        read_idx(path, ndim=3)
    path = write_gz(tmp_path / "tiny.gz", b"\x00")
    with pytest.raises(ValueError, match=r"a file shorter than 4 bytes"):
        read_idx(path, ndim=1)


def test_read_idx_truncated_gzip_stream(tmp_path):
    full = gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8)))
    path = tmp_path / "cut.gz"
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(ValueError, match=r"cut\.gz is not a complete gzip file .* corrupted or "
                                         r"truncated"):
        read_idx(path, ndim=1)


def test_read_idx_not_gzip(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(idx_bytes(np.arange(5, dtype=np.uint8)))
    with pytest.raises(ValueError, match=r"plain\.gz is not a complete gzip file"):
        read_idx(path, ndim=1)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.gz does not exist"):
        read_idx(tmp_path / "nope.gz", ndim=1)


# --- checksums --------------------------------------------------------------------------------

def test_verify_checksum(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"fashion")
    verify_checksum(path, "md5:" + hashlib.md5(b"fashion").hexdigest())
    verify_checksum(path, "sha256:" + hashlib.sha256(b"fashion").hexdigest())
    verify_checksum(path, hashlib.sha256(b"fashion").hexdigest())         # pooch's default alg
    with pytest.raises(ValueError, match=r"f\.bin has MD5 checksum [0-9a-f]{32}, but 0+ was "
                                         r"expected: the file is corrupted or incomplete"):
        verify_checksum(path, "md5:" + "0" * 32)


def test_registry_pins_the_design_checksums():
    assert data.FASHION_MNIST_FILES == {
        "train-images-idx3-ubyte.gz": "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "md5:25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "md5:bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "md5:bb300cfdad3c16e7a12a480ee83cd310",
    }


def test_class_names():
    assert len(FASHION_MNIST_CLASSES) == len(FASHION_MNIST_CLASSES_EN) == 10
    assert FASHION_MNIST_CLASSES[0] == "T恤" and FASHION_MNIST_CLASSES_EN[9] == "Ankle boot"
    assert DIGIT_CLASSES == tuple("0123456789")


# --- load_fashion_mnist, offline ------------------------------------------------------------------

def test_load_fashion_mnist_offline(fake_fashion):
    root, arrays = fake_fashion
    ds = load_fashion_mnist(root, download=False)
    X_train, y_train, X_test, y_test, classes = ds          # unpacks like a tuple
    np.testing.assert_array_equal(X_train, arrays[NAMES[0]])
    np.testing.assert_array_equal(y_train, arrays[NAMES[1]])
    np.testing.assert_array_equal(ds.X_test, arrays[NAMES[2]])
    np.testing.assert_array_equal(ds.y_test, arrays[NAMES[3]])
    assert X_train.shape == (6, 28, 28) and X_train.dtype == np.uint8
    assert y_train.dtype == np.int64 and classes == FASHION_MNIST_CLASSES


def test_load_fashion_mnist_missing_files(tmp_path):
    (tmp_path / NAMES[0]).write_bytes(b"")
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(tmp_path, download=False)
    msg = str(info.value)
    assert NAMES[0] not in msg and all(n in msg for n in NAMES[1:])
    assert "download=True" in msg and str(tmp_path) in msg


def test_load_fashion_mnist_wrong_checksum_keeps_file(fake_fashion):
    root, _ = fake_fashion
    path = root / NAMES[3]
    write_gz(path, idx_bytes(np.array([1, 1, 1], np.uint8)))       # changed after registering
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz has MD5 checksum"):
        load_fashion_mnist(root, download=False)
    assert path.read_bytes() == before                             # local files are not touched


def test_load_fashion_mnist_real_registry_rejects_fakes(fake_fashion, monkeypatch):
    root, _ = fake_fashion
    monkeypatch.setitem(FASHION_MNIST_FILES, NAMES[0], "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d")
    with pytest.raises(ValueError, match=r"but 8d4fb7e6c68d591d4c3dfef9ec88bf0d was expected"):
        load_fashion_mnist(root, download=False)


def test_load_fashion_mnist_corrupted_file_names_it(fake_fashion, monkeypatch):
    root, _ = fake_fashion
    path = write_gz(root / NAMES[1], idx_bytes(np.zeros((6, 1, 1), np.uint8)))   # 3-D "labels"
    monkeypatch.setitem(FASHION_MNIST_FILES, NAMES[1], md5(path))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz does not start with the "
                                         r"IDX magic number 0x00000801"):
        load_fashion_mnist(root, download=False)


def test_load_fashion_mnist_truncated_file_names_it(fake_fashion, monkeypatch):
    root, _ = fake_fashion
    path = root / NAMES[2]
    path.write_bytes(path.read_bytes()[:-20])
    monkeypatch.setitem(FASHION_MNIST_FILES, NAMES[2], md5(path))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz is not a complete gzip"):
        load_fashion_mnist(root, download=False)


def test_load_fashion_mnist_inconsistent_files(fake_fashion, monkeypatch):
    root, _ = fake_fashion
    path = write_gz(root / NAMES[1], idx_bytes(np.zeros(5, np.uint8)))       # 5 labels, 6 images
    monkeypatch.setitem(FASHION_MNIST_FILES, NAMES[1], md5(path))
    with pytest.raises(ValueError, match=r"holds 6 images but train-labels-idx1-ubyte\.gz holds "
                                         r"5 labels"):
        load_fashion_mnist(root, download=False)
    path = write_gz(root / NAMES[0], idx_bytes(np.zeros((5, 8, 8), np.uint8)))  # digits size
    monkeypatch.setitem(FASHION_MNIST_FILES, NAMES[0], md5(path))
    with pytest.raises(ValueError, match=r"images of shape \(8, 8\), but Fashion-MNIST images "
                                         r"are 28x28"):
        load_fashion_mnist(root, download=False)
    write_gz(root / NAMES[0], idx_bytes(np.zeros((5, 28, 28), np.uint8)))
    monkeypatch.setitem(FASHION_MNIST_FILES, NAMES[0], md5(root / NAMES[0]))
    write_gz(root / NAMES[1], idx_bytes(np.array([0, 1, 2, 3, 10], np.uint8)))
    monkeypatch.setitem(FASHION_MNIST_FILES, NAMES[1], md5(root / NAMES[1]))
    with pytest.raises(ValueError, match=r"contains label 10, but Fashion-MNIST has only 10"):
        load_fashion_mnist(root, download=False)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"download": "yes"}, TypeError, r"download must be True or False"),
    ({"base_url": ""}, TypeError, r"base_url must be a non-empty string"),
])
def test_load_fashion_mnist_argument_errors(tmp_path, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        load_fashion_mnist(tmp_path, **kwargs)


# --- load_fashion_mnist, download path (network replaced by fakes) ---------------------------

def test_download_uses_base_url_and_progress(fake_fashion, monkeypatch):
    root, arrays = fake_fashion
    calls = []

    def fake_retrieve(url, known_hash=None, fname=None, path=None, progressbar=False, **kw):
        calls.append((url, known_hash, fname, Path(path), progressbar))
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    ds = load_fashion_mnist(root, base_url="https://mirror.example/fmnist", progress=False)
    assert [c[0] for c in calls] == [f"https://mirror.example/fmnist/{n}" for n in NAMES]
    assert all(c[1] == FASHION_MNIST_FILES[c[2]] and c[3] == root and c[4] is False
               for c in calls)
    np.testing.assert_array_equal(ds.y_test, arrays[NAMES[3]])
    calls.clear()
    load_fashion_mnist(root)
    assert calls[0][0] == data.FASHION_MNIST_URL + NAMES[0] and calls[0][4] is True


def test_default_root_is_the_user_cache(fake_fashion, monkeypatch):
    root, arrays = fake_fashion
    cache = root.parent / "cache"
    (cache / "fashion-mnist").mkdir(parents=True)
    for name in NAMES:
        (cache / "fashion-mnist" / name).write_bytes((root / name).read_bytes())
    monkeypatch.setattr(pooch, "os_cache", lambda project: cache if project == "softmax-course"
                        else None)
    ds = load_fashion_mnist(download=False)
    np.testing.assert_array_equal(ds.y_train, arrays[NAMES[1]])


def _no_network(*args, **kwargs):
    raise AssertionError("the test tried to download")


def test_download_skips_files_with_matching_checksum(fake_fashion, monkeypatch):
    root, arrays = fake_fashion
    monkeypatch.setattr(pooch.core, "stream_download", _no_network)
    ds = load_fashion_mnist(root, download=True)          # real pooch.retrieve, nothing to fetch
    np.testing.assert_array_equal(ds.X_train, arrays[NAMES[0]])


def test_failed_checksum_on_download_leaves_nothing(tmp_path, monkeypatch):
    class CorruptDownloader:
        def __call__(self, url, output_file, pooch_obj, check_only=False):
            Path(output_file).write_bytes(b"not the file you were looking for")

    monkeypatch.setattr(pooch.core, "choose_downloader",
                        lambda url, progressbar=False: CorruptDownloader())
    root = tmp_path / "fm"
    with pytest.raises(ValueError, match=r"did not match its pinned checksum md5:8d4fb7e6.*"
                                         r"nothing was saved"):
        load_fashion_mnist(root, progress=False)
    assert list(root.iterdir()) == []                     # no broken or temporary file


def test_network_error_is_explained(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise requests.exceptions.ConnectionError("Name or service not known")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(ConnectionError, match=r"could not download http.*train-images-idx3-ubyte"
                                              r"\.gz .*download=False"):
        load_fashion_mnist(tmp_path, progress=False)


# --- digits -----------------------------------------------------------------------------------

def test_load_digits_split_shapes_and_scaling():
    ds = load_digits_split()
    assert ds.X_train.shape == (1347, 64) and ds.X_test.shape == (450, 64)
    assert ds.y_train.dtype == np.int64 and ds.classes == DIGIT_CLASSES
    assert ds.X_train.min() == 0.0 and ds.X_train.max() == 1.0
    raw = load_digits_split(scale=False)
    np.testing.assert_array_equal(raw.X_train / 16.0, ds.X_train)
    assert raw.X_train.max() == 16.0


@pytest.mark.parametrize("test_size", [0.2, 0.25, 0.5])
def test_load_digits_split_is_stratified(test_size):
    from sklearn.datasets import load_digits
    y_all = load_digits().target
    ds = load_digits_split(test_size=test_size, seed=3)
    assert len(ds.y_train) + len(ds.y_test) == len(y_all)
    expected = np.bincount(y_all) * test_size
    assert np.all(np.abs(np.bincount(ds.y_test, minlength=10) - expected) <= 1)


def test_load_digits_split_seed():
    a, b, c = load_digits_split(seed=1), load_digits_split(seed=1), load_digits_split(seed=2)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_test, c.y_test)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"test_size": 0}, ValueError, r"test_size must be strictly between 0 and 1"),
    ({"test_size": 1.5}, ValueError, r"test_size must be strictly between 0 and 1"),
    ({"test_size": "0.2"}, TypeError, r"test_size must be a fraction"),
    ({"seed": -1}, ValueError, r"seed must be at least 0"),
    ({"scale": 1}, TypeError, r"scale must be True or False"),
])
def test_load_digits_split_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        load_digits_split(**kwargs)


# --- minibatches --------------------------------------------------------------------------------

@given(st.integers(1, 60), st.integers(1, 70), st.integers(0, 1000), st.booleans())
@settings(max_examples=80, deadline=None)
def test_minibatches_cover_every_sample_once(n, batch_size, seed, shuffle):
    X = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    batches = list(minibatches(X, y, batch_size, shuffle=shuffle, seed=seed))
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), y)                  # each sample exactly once
    sizes = [len(yb) for _, yb in batches]
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb, X[yb])                     # rows stay with labels
    if not shuffle:
        np.testing.assert_array_equal(seen, y)


def test_minibatches_seeding():
    X, y = np.zeros((50, 1)), np.arange(50)
    order = lambda it: np.concatenate([yb for _, yb in it])          # noqa: E731
    np.testing.assert_array_equal(order(minibatches(X, y, 8, seed=4)),
                                  order(minibatches(X, y, 8, seed=4)))
    rng = np.random.default_rng(4)
    first, second = order(minibatches(X, y, 8, seed=rng)), order(minibatches(X, y, 8, seed=rng))
    assert not np.array_equal(first, second)          # a shared generator: a new order per epoch


def test_minibatches_without_shuffle_are_views():
    X, y = np.zeros((10, 3)), np.arange(10)
    Xb, _ = next(minibatches(X, y, 4, shuffle=False))
    assert np.shares_memory(Xb, X)


@pytest.mark.parametrize("X, y, bs, exc, match", [
    (np.zeros((3, 2)), np.arange(4), 2, ValueError, r"X has 3 samples but y has 4 labels"),
    (np.zeros((3, 2)), np.zeros((3, 1)), 2, ValueError, r"y must be 1-dimensional"),
    (np.zeros((3, 2)), np.arange(3), 0, ValueError, r"batch_size must be at least 1"),
    (np.zeros((3, 2)), np.arange(3), 2.0, TypeError, r"batch_size must be an int"),
])
def test_minibatches_errors_are_raised_at_the_call(X, y, bs, exc, match):
    with pytest.raises(exc, match=match):
        minibatches(X, y, bs)                 # no iteration needed: checked eagerly


def test_doctests():
    import doctest

    from softmax_course import data
    result = doctest.testmod(data, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0
