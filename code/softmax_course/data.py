"""Data sets of the course.

- :func:`toy_images`: the 2×2 grayscale 猫/鸡/狗 images of the source's running example.
- :func:`load_digits_split`: scikit-learn's bundled 8×8 digits (offline), split stratified.
- :func:`load_fashion_mnist`: Fashion-MNIST, downloaded with pinned checksums (``pooch``).
- :func:`minibatches`: one epoch of (shuffled) minibatches.
"""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any, Iterator, NamedTuple

import numpy as np

from ._validation import check_int, check_positive

__all__ = ["TOY_CLASSES", "TOY_PATTERNS", "toy_images",
           "Dataset", "DIGIT_CLASSES", "load_digits_split", "minibatches",
           "FASHION_MNIST_CLASSES", "FASHION_MNIST_CLASSES_EN", "FASHION_MNIST_URL",
           "FASHION_MNIST_FILES", "read_idx", "verify_checksum", "load_fashion_mnist"]

#: Class names of the toy problem, in the one order the course uses: index 0, 1, 2.
TOY_CLASSES = ("猫", "鸡", "狗")

#: Mean brightness of the four pixels (x1 x2 / x3 x4, row by row) for each class.
TOY_PATTERNS = np.array([
    [0.9, 0.9, 0.1, 0.1],   # 猫: bright top row
    [0.1, 0.9, 0.9, 0.1],   # 鸡: bright anti-diagonal
    [0.9, 0.1, 0.9, 0.1],   # 狗: bright left column
])


def toy_images(n: int = 150, seed: int = 0, noise: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` noisy 2×2 grayscale images of three classes (猫, 鸡, 狗).

    Parameters
    ----------
    n : int, default 150
        Number of images; the classes take turns, so each has ``n // 3`` or one more.
    seed : int, default 0
        Seed of the random generator: the same seed gives the same images.
    noise : float, default 0.15
        Standard deviation of the Gaussian noise added to each pixel before clipping to [0, 1].

    Returns
    -------
    X : numpy.ndarray of shape (n, 4)
        Pixels ``x1 … x4`` (row-major: top-left, top-right, bottom-left, bottom-right).
    y : numpy.ndarray of int64, shape (n,)
        Class index into :data:`TOY_CLASSES`.

    Notes
    -----
    ``X[i] = clip(TOY_PATTERNS[y[i]] + noise * z, 0, 1)`` with ``z ~ N(0, I)``. The class means
    differ in at least two pixels by 0.8, so a linear model separates them well at the default
    noise.

    Examples
    --------
    >>> X, y = toy_images(6, seed=1)
    >>> X.shape, y.tolist()[:3]
    ((6, 4), [0, 1, 2])
    """
    n = check_int(n, "n", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    noise = float(noise) if noise == 0 else check_positive(noise, "noise")
    rng = np.random.default_rng(seed)
    y = np.arange(n, dtype=np.int64) % len(TOY_CLASSES)
    X = TOY_PATTERNS[y] + noise * rng.standard_normal((n, 4))
    return np.clip(X, 0.0, 1.0), y


# ------------------------------------------------------------------------- real data sets

#: Class names of scikit-learn's digits: the digit itself.
DIGIT_CLASSES = tuple(str(k) for k in range(10))

#: Class names of Fashion-MNIST in Chinese, in label order 0..9.
FASHION_MNIST_CLASSES = ("T恤", "裤子", "套衫", "连衣裙", "外套",
                         "凉鞋", "衬衫", "运动鞋", "包", "短靴")

#: The original English class names of Fashion-MNIST (Xiao et al. 2017), in label order.
FASHION_MNIST_CLASSES_EN = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

#: Where the original Fashion-MNIST files live (the mirror torchvision downloads from).
FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

#: The four files of Fashion-MNIST and their pinned MD5 checksums (pooch's "md5:" syntax).
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "md5:25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "md5:bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "md5:bb300cfdad3c16e7a12a480ee83cd310",
}


class Dataset(NamedTuple):
    """A train/test split: unpack it as ``X_train, y_train, X_test, y_test, classes``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]


def load_digits_split(test_size: float = 0.25, seed: int = 0, scale: bool = True) -> Dataset:
    r"""scikit-learn's bundled handwritten digits, split into a stratified train and test set.

    The 1,797 images of 8×8 pixels ship inside scikit-learn, so this works offline.

    Parameters
    ----------
    test_size : float, default 0.25
        Fraction of the images that goes to the test set, strictly between 0 and 1.
    seed : int, default 0
        Seed of the random split: the same seed gives the same split.
    scale : bool, default True
        Divide the pixel values (integers 0..16) by 16, so that they lie in [0, 1].

    Returns
    -------
    Dataset
        ``X_train`` (n_train, 64) and ``X_test`` (n_test, 64) float64 pixels (row-major; use
        ``X.reshape(-1, 8, 8)`` for pictures), ``y_train``, ``y_test`` int64 digits, and
        ``classes`` = :data:`DIGIT_CLASSES`.

    Notes
    -----
    The split is stratified: each digit makes up (almost exactly) the same share of the
    training and of the test set as of the whole data set, so the test accuracy is not skewed
    by a lucky or unlucky mix of classes.

    Examples
    --------
    >>> data = load_digits_split()
    >>> data.X_train.shape, data.X_test.shape, float(data.X_train.max())
    ((1347, 64), (450, 64), 1.0)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)):
        raise TypeError(f"test_size must be a fraction between 0 and 1, but got "
                        f"{type(test_size).__name__} {test_size!r}; pass e.g. test_size=0.25.")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be strictly between 0 and 1 (the share of the images "
                         f"used for testing), but got {test_size}; pass e.g. test_size=0.25.")
    seed = check_int(seed, "seed", minimum=0)
    if not isinstance(scale, bool):
        raise TypeError(f"scale must be True or False, but got {type(scale).__name__} "
                        f"{scale!r}.")
    X, y = load_digits(return_X_y=True)
    X = X / 16.0 if scale else X.astype(np.float64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y.astype(np.int64), test_size=float(test_size), random_state=seed, stratify=y)
    return Dataset(X_train, y_train, X_test, y_test, DIGIT_CLASSES)


def minibatches(X: Any, y: Any, batch_size: int, *, shuffle: bool = True,
                seed: int | np.random.Generator = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    r"""Iterate once over the data in minibatches of ``batch_size`` samples (one epoch).

    Parameters
    ----------
    X : array_like of shape (n, ...)
        Samples, one per row.
    y : array_like of shape (n,)
        Labels, one per sample.
    batch_size : int
        Samples per batch; the last batch holds the remaining ``n mod batch_size`` samples
        when ``batch_size`` does not divide ``n``.
    shuffle : bool, default True
        Visit the samples in a random order (a new permutation on every call).
    seed : int or numpy.random.Generator, default 0
        Seed of the order, or a generator to draw it from (pass the same generator on every
        epoch to get a different, still reproducible, order each time).

    Yields
    ------
    (X_batch, y_batch)
        ``X[idx], y[idx]`` for consecutive slices ``idx`` of the order. Without shuffling the
        batches are views of ``X`` and ``y`` (no copy).

    Notes
    -----
    With a permutation :math:`\pi` of :math:`\{0, \dots, n-1\}`, batch :math:`k` is
    :math:`\{\pi(kB), \dots, \pi(\min(kB + B, n) - 1)\}`: every sample appears in exactly
    one batch per epoch.

    Examples
    --------
    >>> X = np.arange(10).reshape(5, 2); y = np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> sorted(int(i) for _, yb in minibatches(X, y, 2, seed=1) for i in yb)
    [0, 1, 2, 3, 4]
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim != 1:
        raise ValueError(f"X must have one row per sample and y must be 1-dimensional, but got "
                         f"shapes {X.shape} and {y.shape}.")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]} labels; pass one "
                         f"label per row of X.")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if isinstance(seed, np.random.Generator):
        rng = seed
    else:
        rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    order = rng.permutation(X.shape[0]) if shuffle else None
    return _batches(X, y, batch_size, order)


def _batches(X: np.ndarray, y: np.ndarray, batch_size: int,
             order: np.ndarray | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, X.shape[0], batch_size):
        if order is None:
            yield X[start:start + batch_size], y[start:start + batch_size]
        else:
            idx = order[start:start + batch_size]
            yield X[idx], y[idx]


# --------------------------------------------------------------------------- Fashion-MNIST

def read_idx(path: str | Path, ndim: int) -> np.ndarray:
    r"""Read a gzip-compressed IDX file of unsigned bytes (the MNIST / Fashion-MNIST format).

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.gz`` file.
    ndim : int
        Expected number of dimensions: 1 for labels, 3 for images.

    Returns
    -------
    numpy.ndarray of uint8
        The array, of the shape its header announces.

    Raises
    ------
    ValueError
        Naming the file, when it is not a complete gzip stream (corrupted or truncated), when
        its magic number is not that of an unsigned-byte IDX file with ``ndim`` dimensions, or
        when the number of data bytes differs from the product of the dimensions.

    Notes
    -----
    An IDX file is a header followed by the raw data, all integers big-endian:

    ======  ==========================================================================
    bytes   content
    ======  ==========================================================================
    0–1     0x00 0x00
    2       data type: 0x08 = unsigned byte
    3       number of dimensions ``ndim``
    4…      ``ndim`` sizes, 4 bytes each; then ``prod(sizes)`` data bytes, row-major
    ======  ==========================================================================

    so the magic number (bytes 0–3) is 2049 for labels and 2051 for images. Only numpy reads
    the data (no pickle).

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "labels.gz"
    >>> header = bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big")
    >>> _ = tmp.write_bytes(gzip.compress(header + bytes([7, 0, 9])))
    >>> read_idx(tmp, ndim=1).tolist()
    [7, 0, 9]
    """
    path = Path(path)
    ndim = check_int(ndim, "ndim", minimum=1)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file {path} does not exist.")
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ValueError(f"{path} is not a complete gzip file ({exc}): it is corrupted or "
                         f"truncated. Delete it and download it again.") from None
    header_len = 4 + 4 * ndim
    expected_magic = 0x0800 + ndim
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if magic != expected_magic:
        got = "a file shorter than 4 bytes" if magic is None else f"0x{magic:08x}"
        raise ValueError(f"{path} does not start with the IDX magic number 0x{expected_magic:08x}"
                         f" (unsigned bytes, {ndim} dimension(s)) but with {got}: it is not "
                         f"the expected IDX file or it is corrupted. Delete it and download it "
                         f"again.")
    if len(raw) < header_len:
        raise ValueError(f"{path} ends inside its header ({len(raw)} bytes, the header alone "
                         f"has {header_len}): the file is truncated. Delete it and download "
                         f"it again.")
    dims = tuple(int(v) for v in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected_len = header_len + int(np.prod(dims, dtype=np.int64))
    if len(raw) != expected_len:
        raise ValueError(f"{path} has {len(raw) - header_len} data bytes, but its header "
                         f"announces shape {dims}, i.e. {expected_len - header_len} bytes: the "
                         f"file is truncated or corrupted. Delete it and download it again.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(dims).copy()


def verify_checksum(path: str | Path, known_hash: str) -> None:
    """Raise ``ValueError`` unless the file's hash is ``known_hash`` ("md5:…" or "sha256:…").

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
    >>> _ = tmp.write_bytes(b"hello")
    >>> verify_checksum(tmp, "md5:5d41402abc4b2a76b9719d911017c592")   # passes silently
    """
    import pooch

    path = Path(path)
    alg, _, expected = known_hash.rpartition(":")
    alg = alg or "sha256"
    got = pooch.file_hash(str(path), alg=alg)
    if got.lower() != expected.lower():
        raise ValueError(f"{path} has {alg.upper()} checksum {got}, but {expected} was expected: "
                         f"the file is corrupted or incomplete. Delete it and download it again "
                         f"(e.g. load_fashion_mnist(root, download=True)).")


def _fetch(name: str, known_hash: str, root: Path, base_url: str, progress: bool) -> Path:
    """Download one file with pooch unless a copy with the right checksum is already there.

    pooch writes to a temporary file in ``root`` and moves it into place only after the
    checksum matched, so a failed or corrupted download never leaves a file behind.
    """
    import pooch
    import requests

    url = base_url + name
    try:
        return Path(pooch.retrieve(url, known_hash=known_hash, fname=name, path=root,
                                   progressbar=progress))
    except requests.exceptions.RequestException as exc:
        raise ConnectionError(f"could not download {url} ({type(exc).__name__}: {exc}). Check "
                              f"the network connection (Binder and Colab have one), or download "
                              f"the four files from {base_url} by hand into {root} and call "
                              f"load_fashion_mnist({str(root)!r}, download=False).") from None
    except ValueError as exc:
        if "hash" not in str(exc).lower():
            raise
        raise ValueError(f"the download of {url} did not match its pinned checksum {known_hash},"
                         f" so it was deleted and nothing was saved ({exc}). Try again later or "
                         f"from another base_url.") from None


def load_fashion_mnist(root: str | Path | None = None, download: bool = True, *,
                       base_url: str = FASHION_MNIST_URL, progress: bool = True) -> Dataset:
    r"""Fashion-MNIST (Xiao et al. 2017): 70,000 grayscale 28×28 pictures of 10 kinds of clothing.

    Parameters
    ----------
    root : str or pathlib.Path, optional
        Folder holding (or receiving) the four ``.gz`` files of :data:`FASHION_MNIST_FILES`;
        by default ``fashion-mnist`` in the user's cache folder (``pooch.os_cache``, e.g.
        ``~/.cache/softmax-course/fashion-mnist`` on Linux), so no data lands in the
        repository.
    download : bool, default True
        Download missing files (about 30 MB; needs a network connection, as on Binder or
        Colab). With ``False`` only files already in ``root`` are used.
    base_url : str, default :data:`FASHION_MNIST_URL`
        Where to download from; the file names are appended to it.
    progress : bool, default True
        Show a download progress bar (tqdm, on stderr).

    Returns
    -------
    Dataset
        ``X_train`` uint8 (60000, 28, 28), ``y_train`` int64 (60000,), ``X_test`` uint8
        (10000, 28, 28), ``y_test`` int64 (10000,), and ``classes`` =
        :data:`FASHION_MNIST_CLASSES`.

    Raises
    ------
    FileNotFoundError
        With ``download=False``, when files are missing (the message says how to get them).
    ValueError
        When a local file does not match its pinned MD5 checksum, or cannot be parsed as an IDX
        file (the message names the file). Local files are never modified or deleted.
    ConnectionError
        When a download fails.

    Notes
    -----
    Every file is checked against the MD5 checksum pinned in :data:`FASHION_MNIST_FILES`
    before it is parsed (:func:`verify_checksum`; on download, pooch checks it before moving
    the file into place), then read by :func:`read_idx`, which checks the magic number, the
    dimensions and the length. Pixels are 0 (background) … 255; for a linear model flatten
    and scale them: ``X.reshape(len(X), -1) / 255``.

    Examples
    --------
    >>> load_fashion_mnist("/nonexistent", download=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: Fashion-MNIST file(s) train-images-idx3-ubyte.gz, ... not found in ...
    """
    if root is None:
        import pooch

        root = Path(pooch.os_cache("softmax-course")) / "fashion-mnist"
    root = Path(root).expanduser()
    if not isinstance(download, bool):
        raise TypeError(f"download must be True or False, but got {download!r}.")
    if not isinstance(base_url, str) or not base_url:
        raise TypeError(f"base_url must be a non-empty string such as {FASHION_MNIST_URL!r}, "
                        f"but got {base_url!r}.")
    if not base_url.endswith("/"):
        base_url += "/"
    if download:
        paths = {name: _fetch(name, known, root, base_url, progress)
                 for name, known in FASHION_MNIST_FILES.items()}
    else:
        paths = {name: root / name for name in FASHION_MNIST_FILES}
        missing = [name for name, p in paths.items() if not p.is_file()]
        if missing:
            raise FileNotFoundError(
                f"Fashion-MNIST file(s) {', '.join(missing)} not found in {root}. Download "
                f"them with load_fashion_mnist({str(root)!r}, download=True) (needs a network "
                f"connection, as on Binder or Colab), or fetch them by hand from {base_url} "
                f"into that folder.")
        for name, p in paths.items():
            verify_checksum(p, FASHION_MNIST_FILES[name])
    X_train = read_idx(paths["train-images-idx3-ubyte.gz"], ndim=3)
    y_train = read_idx(paths["train-labels-idx1-ubyte.gz"], ndim=1)
    X_test = read_idx(paths["t10k-images-idx3-ubyte.gz"], ndim=3)
    y_test = read_idx(paths["t10k-labels-idx1-ubyte.gz"], ndim=1)
    for X, y, part in ((X_train, y_train, "train"), (X_test, y_test, "t10k")):
        if X.shape[1:] != (28, 28):
            raise ValueError(f"{part}-images-idx3-ubyte.gz holds images of shape {X.shape[1:]},"
                             f" but Fashion-MNIST images are 28x28; the file is not Fashion-MNIST.")
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"{part}-images-idx3-ubyte.gz holds {X.shape[0]} images but "
                             f"{part}-labels-idx1-ubyte.gz holds {y.shape[0]} labels; the files "
                             f"do not belong together.")
        if y.size and y.max() >= len(FASHION_MNIST_CLASSES):
            raise ValueError(f"{part}-labels-idx1-ubyte.gz contains label {y.max()}, but "
                             f"Fashion-MNIST has only 10 classes (0..9); the file is corrupted.")
    return Dataset(X_train, y_train.astype(np.int64), X_test, y_test.astype(np.int64),
                   FASHION_MNIST_CLASSES)
