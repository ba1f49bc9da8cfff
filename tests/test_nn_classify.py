"""nn.classify: the one rule from outputs to predicted classes, and its users (fit's accuracy,
the decision-boundary plot, the command line) all reading it."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from nn import MLP, classify
from nn.classify import output_threshold, predict_classes, to_classes


def test_several_outputs_give_the_index_of_the_largest():
    outputs = [[0.1, -2.0, 0.3], [5.0, 4.0, -1.0], [-3.0, -1.0, -2.0]]
    assert to_classes(outputs).tolist() == [2, 0, 1]


def test_a_tie_goes_to_the_first_largest_output():
    assert to_classes([[1.0, 3.0, 3.0], [0.0, 0.0, 0.0]]).tolist() == [1, 0]


@pytest.mark.parametrize("threshold, expected", [(0.0, [0, 0, 1, 1]), (0.5, [0, 0, 0, 1])])
def test_one_output_is_class_1_strictly_above_the_threshold(threshold, expected):
    outputs = [[-0.2], [0.0], [0.5], [0.9]]  # at the threshold itself: class 0
    assert to_classes(outputs, threshold).tolist() == expected


def test_classes_are_int64():
    assert to_classes([[0.3], [-0.3]]).dtype == np.int64
    assert to_classes([[0.3, 0.1]]).dtype == np.int64


@pytest.mark.parametrize("outputs", [[1.0, 2.0], [[[1.0]]], np.zeros((3, 0))])
def test_outputs_must_be_a_table_of_examples_by_outputs(outputs):
    with pytest.raises(ValueError, match="shape"):
        to_classes(outputs)


def test_nan_outputs_are_refused_rather_than_read_as_a_class():
    with pytest.raises(ValueError, match="NaN"):
        to_classes([[0.1, float("nan")]])  # np.argmax would answer 1
    with pytest.raises(ValueError, match="NaN"):
        to_classes([[float("nan")]])  # > threshold would answer 0


@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), True, "0.5"])
def test_the_threshold_must_be_a_finite_number(threshold):
    with pytest.raises(ValueError, match="threshold"):
        to_classes([[0.1]], threshold)


def test_the_threshold_is_one_half_after_a_sigmoid_output_layer_else_zero():
    assert output_threshold(MLP(2, [3, 1], output_activation="sigmoid")) == 0.5
    assert output_threshold(MLP(2, [3, 1], output_activation="linear")) == 0.0
    assert output_threshold(MLP(2, [3, 1], output_activation="tanh")) == 0.0
    assert output_threshold(object()) == 0.0  # a model without activations: a score


def _sigmoid_mlp_and_points():
    mlp = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=3)
    X = np.random.default_rng(0).normal(size=(50, 2)) * 3
    return mlp, X


def test_predict_classes_reads_a_sigmoid_output_as_a_probability():
    mlp, X = _sigmoid_mlp_and_points()
    a = np.array([[o.data for o in mlp(list(map(float, x)))] for x in X])  # eager, by hand
    assert 0 < (a[:, 0] > 0.5).sum() < len(X)  # both classes occur: the test can tell
    assert predict_classes(mlp, X).tolist() == (a[:, 0] > 0.5).astype(int).tolist()


def test_predict_classes_of_several_outputs_is_the_argmax_of_predict():
    mlp = MLP(2, [5, 3], activation="relu", seed=1)
    X = np.random.default_rng(1).normal(size=(40, 2))
    a = np.array([[o.data for o in mlp(list(map(float, x)))] for x in X])
    assert predict_classes(mlp, X, compile=False).tolist() == np.argmax(a, axis=1).tolist()


@pytest.mark.parametrize("loss, width, targets_of", [
    ("hinge", 1, lambda y: 2 * y - 1),
    ("softmax_cross_entropy", 2, lambda y: y),
    ("quadratic", 2, lambda y: np.eye(2)[y]),
    ("quadratic", 1, lambda y: y.reshape(-1, 1).astype(float)),
])
def test_fits_accuracy_is_the_share_of_predict_classes_equal_to_the_label(loss, width,
                                                                           targets_of):
    X, y = nn.datasets.make_moons(60, noise=0.2, seed=0)
    out = "sigmoid" if loss == "quadratic" else "linear"
    mlp = MLP(2, [6, width], activation="tanh", output_activation=out, seed=0)
    history = nn.fit(mlp, X, targets_of(y), loss=loss, epochs=3, batch_size=60, seed=0,
                     optimizer=nn.Adam(mlp.parameters(), lr=0.05), progress=False,
                     validation=(X, targets_of(y)))  # measured after the last step
    assert history.val_accuracy[-1] == np.mean(predict_classes(mlp, X) == y)


def test_the_decision_boundary_plot_colours_by_predict_classes(monkeypatch):
    pytest.importorskip("matplotlib")
    from nn import plots

    calls = []

    def recording(model, X, *, compile=True):  # noqa: A002
        calls.append(len(X))
        return np.zeros(len(X), dtype=np.int64)

    monkeypatch.setattr(classify, "predict_classes", recording)
    mlp, X = _sigmoid_mlp_and_points()
    plots.decision_boundary(mlp, X, (X[:, 0] > 0).astype(int), resolution=7)
    assert calls == [49]


def test_the_command_line_reports_accuracy_from_predict_classes(capsys, monkeypatch):
    from nn.cli import main

    calls = []
    real = nn.predict_classes

    def recording(model, X, **kwargs):
        calls.append(len(X))
        return real(model, X, **kwargs)

    monkeypatch.setattr(nn, "predict_classes", recording)
    assert main(["train", "--samples", "40", "--hidden", "4", "--epochs", "2",
                 "--no-plots"]) == 0
    assert calls == [30, 10]  # the training and the test split
