"""``nn.datasets.load_digits``: the 8×8 digits, and a 64-32-10 MLP that learns them."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

import nn
from nn.datasets import load_digits, train_test_split

sklearn_datasets = pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_digits_shape_and_dtype(digits):
    X, y = digits
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64


def test_digits_pixels_are_scaled_to_the_unit_interval(digits):
    X, _ = digits
    assert X.min() == 0.0 and X.max() == 1.0
    raw = sklearn_datasets.load_digits().data  # grey levels 0..16
    np.testing.assert_array_equal(X * 16.0, raw)


def test_digits_labels_are_the_ten_digits(digits):
    _, y = digits
    assert sorted(set(y.tolist())) == list(range(10))
    np.testing.assert_array_equal(y, sklearn_datasets.load_digits().target)


def test_digits_rows_are_the_images_read_row_by_row(digits):
    X, _ = digits
    images = sklearn_datasets.load_digits().images
    np.testing.assert_array_equal(X[5].reshape(8, 8) * 16.0, images[5])


def test_missing_scikit_learn_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name == "sklearn" or name.startswith("sklearn."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r'pip install "micrograd-like\[digits\]"'):
        load_digits()


def test_mlp_64_32_10_reaches_95_percent_on_held_out_digits(digits):
    """The goal: trained through the compiled tape, ≥ 95 % of 360 unseen digits right."""
    X, y = digits
    # round(0.2 · 1797) = 359; 360/1797 gives the usual 1437 / 360 split.
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=360 / 1797, seed=0)
    assert (len(X_train), len(X_test)) == (1437, 360)
    mlp = nn.MLP(64, [32, 10], activation="tanh", seed=0)
    history = nn.fit(mlp, X_train, y_train, loss="softmax_cross_entropy",
                     optimizer=nn.Adam(mlp.parameters(), lr=0.01), epochs=15, batch_size=32,
                     seed=0, progress=False, compile=True)
    assert history.loss[-1] < history.loss[0]
    predicted = nn.predict(mlp, X_test).argmax(axis=1)
    accuracy = float(np.mean(predicted == y_test))
    assert accuracy >= 0.95
