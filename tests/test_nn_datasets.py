"""nn.datasets: seeded generators, the wiki's 3-bit data, train/test split."""

from __future__ import annotations

import numpy as np
import pytest

from nn import datasets

GENERATORS = [
    lambda seed: datasets.make_moons(50, noise=0.1, seed=seed),
    lambda seed: datasets.make_circles(50, noise=0.1, seed=seed),
    lambda seed: datasets.make_xor(50, noise=0.1, seed=seed),
]


@pytest.mark.parametrize("make", GENERATORS)
def test_same_seed_gives_the_same_data(make):
    (X1, y1), (X2, y2) = make(3), make(3)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)


@pytest.mark.parametrize("make", GENERATORS)
def test_different_seeds_give_different_data(make):
    assert not np.array_equal(make(3)[0], make(4)[0])


@pytest.mark.parametrize("make", GENERATORS)
def test_shapes_and_dtypes(make):
    X, y = make(0)
    assert X.shape == (50, 2) and X.dtype == np.float64
    assert y.shape == (50,) and y.dtype == np.int64 and set(y.tolist()) == {0, 1}


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_leave_the_global_numpy_state_alone(make):
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    make(0)
    assert np.array_equal(np.random.get_state()[1], before)


def test_moons_without_noise_lie_on_their_two_half_circles():
    X, y = datasets.make_moons(41, noise=0.0, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    assert len(outer) == 20 and len(inner) == 21
    # class 0 on the unit circle's upper half; class 1 on the circle of radius 1 around (1, ½)
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0)
    assert np.all(outer[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0)
    assert np.all(inner[:, 1] <= 0.5 + 1e-12)


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = datasets.make_circles(40, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_xor_label_is_one_where_the_coordinates_have_opposite_signs():
    X, y = datasets.make_xor(200, noise=0.0, seed=1)
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_wiki_3bit_is_the_wikis_table():
    X, y = datasets.wiki_3bit()
    # typed from the wiki's listing: X rows and the column of targets
    assert X.tolist() == [[0, 0, 1], [0, 1, 1], [1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]]
    assert y.tolist() == [[0], [1], [0], [1], [1], [0]]
    assert X.dtype == y.dtype == np.float64


def test_wiki_initial_weights_are_the_legacy_stream_of_seed_one_without_global_state():
    np.random.seed(99)
    before = np.random.get_state()[1].copy()
    hidden, output = datasets.wiki_initial_weights()
    assert np.array_equal(np.random.get_state()[1], before)
    # the wiki's own calls, reproduced on the global generator as its code does
    np.random.seed(1)
    want_hidden = 2 * np.random.random((4, 3)) - 1
    want_output = 2 * np.random.random((4, 1)) - 1
    assert np.array_equal(hidden, want_hidden) and np.array_equal(output, want_output)


def test_train_test_split_partitions_the_rows_without_touching_the_input():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    X0, y0 = X.copy(), y.copy()
    Xtr, Xte, ytr, yte = datasets.train_test_split(X, y, test_fraction=0.3, seed=2)
    assert len(Xte) == 3 and len(Xtr) == 7
    assert sorted(np.concatenate([ytr, yte]).tolist()) == list(range(10))
    assert np.array_equal(np.concatenate([Xtr, Xte])[:, 0] / 2, np.concatenate([ytr, yte]))
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_train_test_split_is_seeded():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    a = datasets.train_test_split(X, y, 0.3, seed=1)[3]
    assert np.array_equal(a, datasets.train_test_split(X, y, 0.3, seed=1)[3])
    assert not np.array_equal(a, datasets.train_test_split(X, y, 0.3, seed=2)[3])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: datasets.make_moons(1), ValueError, "at least 2"),
        (lambda: datasets.make_moons(10.0), TypeError, "n must be an int"),
        (lambda: datasets.make_moons(10, noise=-1), ValueError, "noise"),
        (lambda: datasets.make_moons(10, seed="a"), TypeError, "seed"),
        (lambda: datasets.make_circles(10, factor=1.5), ValueError, "factor"),
        (lambda: datasets.train_test_split([1, 2], [1], 0.5), ValueError, "same number of rows"),
        (lambda: datasets.train_test_split([1, 2], [1, 2], 1.0), ValueError, "test_fraction"),
        (lambda: datasets.train_test_split([1], [1], 0.5), ValueError, "at least 2 rows"),
    ],
)
def test_bad_dataset_arguments_raise(call, error, words):
    with pytest.raises(error, match=words):
        call()
