"""``nn.predict``: the model's outputs for every row, compiled tape or eager engine."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import nn
from micrograd_like import no_grad
from nn import MLP, predict, train

SHAPES = [
    # (nin, nouts, activation, output_activation, z)
    (2, [1], "tanh", "linear", "dot"),
    (2, [16, 16, 1], "relu", "linear", "dot"),
    (3, [5, 4], "sigmoid", "sigmoid", "dot"),
    (4, [6, 3], "tanh", "linear", "elementary"),
    (8, [7, 5, 10], "relu", "tanh", "dot"),
]


def _numpy_forward(mlp: MLP, X: np.ndarray) -> np.ndarray:
    """The same network written in numpy from its matrices: aˡ = σ(Wˡ aˡ⁻¹ + bˡ)."""
    fns = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0),
           "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "linear": lambda z: z}
    weights, biases = mlp.to_matrices()
    A = X.T
    for W, b, act in zip(weights, biases, mlp.activations):
        A = fns[act](W @ A + b.reshape(-1, 1))
    return A.T


@pytest.mark.parametrize(("nin", "nouts", "act", "out_act", "z"), SHAPES)
def test_compiled_equals_eager(nin, nouts, act, out_act, z):
    mlp = MLP(nin, nouts, activation=act, output_activation=out_act, seed=3, z=z)
    X = np.random.default_rng(nin).normal(size=(37, nin))
    compiled = predict(mlp, X, compile=True)
    eager = predict(mlp, X, compile=False)
    assert compiled.shape == eager.shape == (37, nouts[-1])
    np.testing.assert_allclose(compiled, eager, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("nin", "nouts", "act", "out_act", "z"), SHAPES)
def test_predict_matches_a_numpy_forward_pass(nin, nouts, act, out_act, z):
    mlp = MLP(nin, nouts, activation=act, output_activation=out_act, seed=5, z=z)
    X = np.random.default_rng(1).uniform(-2, 2, size=(11, nin))
    np.testing.assert_allclose(predict(mlp, X), _numpy_forward(mlp, X), rtol=1e-12, atol=1e-12)


def test_rows_are_the_model_called_on_each_row():
    mlp = MLP(3, [4, 2], activation="tanh", seed=0)
    X = [[0.1, 0.2, 0.3], [-1.0, 0.0, 2.0]]
    expected = [[a.data for a in mlp(row)] for row in X]
    assert predict(mlp, X, compile=False).tolist() == expected
    np.testing.assert_allclose(predict(mlp, X), expected, rtol=1e-12, atol=1e-12)


def test_predict_is_exported_from_nn():
    assert nn.predict is predict
    assert "predict" in nn.__all__


def test_compiled_predict_replays_over_more_rows_than_one_chunk(monkeypatch):
    monkeypatch.setattr("nn.train._PREDICT_CHUNK", 7)
    mlp = MLP(2, [5, 2], activation="relu", seed=1)
    X = np.random.default_rng(2).normal(size=(30, 2))
    np.testing.assert_allclose(predict(mlp, X), _numpy_forward(mlp, X), rtol=1e-12, atol=1e-12)


def test_predict_uses_the_current_weights():
    mlp = MLP(2, [3, 1], activation="tanh", seed=0)
    X = np.array([[0.5, -0.5]])
    before = predict(mlp, X)
    mlp.layers[-1].neurons[0].b.data += 1.0
    np.testing.assert_allclose(predict(mlp, X), before + 1.0, rtol=1e-12)


def test_predict_creates_no_gradients_and_leaves_x_alone():
    mlp = MLP(2, [3, 1], activation="tanh", seed=0)
    X = np.array([[0.5, -0.5], [1.0, 2.0]])
    copy = X.copy()
    for compiled in (True, False):
        predict(mlp, X, compile=compiled)
    assert all(p.grad == 0.0 for p in mlp.parameters())
    assert np.array_equal(X, copy)


def test_predict_inside_no_grad_still_works():
    mlp = MLP(2, [3, 2], activation="relu", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 2))
    with no_grad():
        inside = predict(mlp, X, compile=True)
    np.testing.assert_allclose(inside, _numpy_forward(mlp, X), rtol=1e-12, atol=1e-12)


def test_integer_inputs_are_accepted_as_floats():
    mlp = MLP(2, [3, 1], activation="tanh", seed=0)
    X = np.array([[1, 0], [0, 2]], dtype=np.int64)
    np.testing.assert_allclose(predict(mlp, X), _numpy_forward(mlp, X.astype(float)),
                               rtol=1e-12)


def test_empty_x_gives_zero_rows_of_the_output_width():
    mlp = MLP(4, [3, 5], seed=0)
    for compiled in (True, False):
        out = predict(mlp, np.empty((0, 4)), compile=compiled)
        assert out.shape == (0, 5)


def test_one_dimensional_x_is_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"2-D.*shape \(2,\).*X\[None, :\]"):
        predict(MLP(2, [1]), np.array([1.0, 2.0]))


def test_wrong_number_of_columns_is_refused():
    with pytest.raises(ValueError, match="takes 2 inputs but X has 3 columns"):
        predict(MLP(2, [1]), np.zeros((4, 3)))


@pytest.mark.parametrize("bad", [np.array([["a", "b"]]), np.array([[1 + 2j, 0j]]),
                                 np.array([[True, False]]), [[1.0, None]]])
def test_non_numeric_x_is_refused(bad):
    with pytest.raises(TypeError, match="X must hold real numbers"):
        predict(MLP(2, [1]), bad)


def test_ragged_x_is_refused():
    with pytest.raises(ValueError, match="rectangular"):
        predict(MLP(2, [1]), [[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_x_is_refused_naming_the_entry(bad):
    X = np.zeros((3, 2))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"finite.*row 2, column 1"):
        predict(MLP(2, [1]), X)


def test_a_model_that_is_not_callable_is_refused():
    with pytest.raises(TypeError, match="model must be a Module"):
        predict(42, np.zeros((1, 2)))


def test_predict_docstring_example_holds():
    finder = doctest.DocTestFinder()
    (test,) = [t for t in finder.find(train) if t.name.endswith(".predict")]
    result = doctest.DocTestRunner(verbose=False).run(test)
    assert result.attempted > 0 and result.failed == 0
