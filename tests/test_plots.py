"""``nn.plots``: every function returns Axes/Figures with the artists it promises."""

from __future__ import annotations

import doctest
import os

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

import nn
from nn import MLP, History, plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# -- loss_curve ------------------------------------------------------------------------


def test_loss_curve_draws_one_loss_point_per_epoch():
    ax = plots.loss_curve(History(loss=[3.0, 2.0, 1.5], accuracy=[None, None, None]))
    assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
    (line,) = ax.get_lines()
    assert line.get_xdata().tolist() == [1, 2, 3]
    assert line.get_ydata().tolist() == [3.0, 2.0, 1.5]
    assert len(ax.figure.axes) == 1  # no accuracy: no twin axis


def test_loss_curve_puts_accuracy_on_a_twin_axis():
    ax = plots.loss_curve(History(loss=[1.0, 0.5], accuracy=[0.6, 0.9]))
    twins = [a for a in ax.figure.axes if a is not ax]
    assert len(twins) == 1
    (acc_line,) = twins[0].get_lines()
    assert acc_line.get_ydata().tolist() == [0.6, 0.9]
    assert twins[0].get_ylabel() == "accuracy"


def test_loss_curve_accepts_a_plain_list_and_an_existing_axes():
    ax = Figure().add_subplot()
    assert plots.loss_curve([4.0, 1.0], ax=ax) is ax
    assert len(ax.get_lines()) == 1


def test_loss_curve_of_fit_history():
    X, y = nn.datasets.make_moons(30, seed=0)
    h = nn.fit(MLP(2, [4, 1], seed=0), X, 2 * y - 1, loss="hinge", epochs=5, progress=False)
    ax = plots.loss_curve(h)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), h.loss)


@pytest.mark.parametrize("bad", [[], History()])
def test_loss_curve_refuses_an_empty_history(bad):
    with pytest.raises(ValueError, match="no epochs"):
        plots.loss_curve(bad)


def test_loss_curve_refuses_a_non_history():
    with pytest.raises(TypeError, match=r"nn\.History or a sequence"):
        plots.loss_curve(3.0)


def test_a_non_axes_ax_is_refused():
    with pytest.raises(TypeError, match="matplotlib Axes"):
        plots.loss_curve([1.0], ax="left")


# -- decision_boundary -----------------------------------------------------------------


def _halfplane_model(output_activation="linear", bias=0.0):
    """One linear neuron z = x₀ + bias: the boundary is the vertical line x₀ = −bias."""
    return MLP.from_matrices([np.array([[1.0, 0.0]])], [np.array([bias])],
                             output_activation=output_activation)


def test_decision_boundary_has_a_filled_contour_and_every_point():
    X, y = nn.datasets.make_moons(40, noise=0.1, seed=0)
    ax = plots.decision_boundary(MLP(2, [8, 1], activation="relu", seed=0), X, y,
                                 resolution=30)
    assert isinstance(ax, Axes)
    assert any(isinstance(c, ContourSet) and c.filled for c in ax.collections)
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_array_equal(points.get_offsets(), X)
    np.testing.assert_array_equal(points.get_array(), y)


def test_decision_grid_classes_follow_the_sign_of_a_score():
    X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    xx, yy, cls = plots._decision_grid(_halfplane_model(), X, 25, compile=True)
    assert xx.shape == yy.shape == cls.shape == (25, 25)
    np.testing.assert_array_equal(cls, (xx > 0.0).astype(int))
    assert xx.min() < -1.0 and xx.max() > 1.0  # the grid surrounds the points


def test_decision_grid_splits_a_sigmoid_output_at_one_half():
    X = np.array([[-2.0, 0.0], [2.0, 1.0]])
    # σ(x₀ − 1) > ½ exactly where x₀ > 1
    xx, _, cls = plots._decision_grid(_halfplane_model("sigmoid", -1.0), X, 40, compile=False)
    np.testing.assert_array_equal(cls, (xx > 1.0).astype(int))


def test_decision_grid_takes_the_argmax_of_several_outputs():
    # outputs (x₀, x₁, 0): class 2 where both are negative, else the larger coordinate
    mlp = MLP.from_matrices([np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])], [np.zeros(3)])
    X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    xx, yy, cls = plots._decision_grid(mlp, X, 31, compile=True)
    expected = np.argmax(np.stack([xx, yy, np.zeros_like(xx)]), axis=0)
    np.testing.assert_array_equal(cls, expected)


def test_decision_boundary_compiled_and_eager_agree():
    X, _ = nn.datasets.make_moons(20, noise=0.1, seed=2)
    mlp = MLP(2, [6, 1], activation="tanh", seed=1)
    a = plots._decision_grid(mlp, X, 20, compile=True)[2]
    b = plots._decision_grid(mlp, X, 20, compile=False)[2]
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("X", "y", "message"), [
    (np.zeros((3, 3)), np.zeros(3), r"X must be a numeric \(n, 2\)"),
    (np.zeros((3, 2)), np.zeros(4), r"y must have shape \(3,\)"),
    (np.array([[0.0, np.nan]]), np.zeros(1), "finite"),
])
def test_decision_boundary_refuses_bad_points(X, y, message):
    with pytest.raises(ValueError, match=message):
        plots.decision_boundary(MLP(2, [1]), X, y)


def test_decision_boundary_refuses_a_tiny_resolution():
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        plots.decision_boundary(MLP(2, [1]), np.zeros((2, 2)), [0, 1], resolution=1)


# -- confusion_matrix ------------------------------------------------------------------


def _counts_by_loop(t, p, k):
    m = np.zeros((k, k), dtype=np.int64)
    for i, j in zip(t, p):
        m[i, j] += 1
    return m


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    cm = plots.confusion_matrix(t, p)
    expected = np.zeros((5, 5), dtype=np.int64)
    np.add.at(expected, (t, p), 1)
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype == np.int64
    assert cm.sum() == 200 and np.trace(cm) == np.sum(t == p)


def test_confusion_matrix_with_n_classes_keeps_empty_classes():
    cm = plots.confusion_matrix([0, 1], [1, 1], n_classes=4)
    np.testing.assert_array_equal(cm, _counts_by_loop([0, 1], [1, 1], 4))


def test_confusion_matrix_of_float_labels_that_are_integers():
    cm = plots.confusion_matrix(np.array([0.0, 2.0]), np.array([2.0, 2.0]))
    np.testing.assert_array_equal(cm, _counts_by_loop([0, 2], [2, 2], 3))


@pytest.mark.parametrize(("t", "p", "k", "message"), [
    ([0, 1], [0], None, "2 labels but y_pred has 1"),
    ([0, 5], [0, 1], 3, "label 5 is out of range for n_classes=3"),
    ([0, -1], [0, 1], None, "class indices"),
    ([0, 0.5], [0, 1], None, "class indices"),
    ([[0, 1]], [[0, 1]], None, "1-D"),
    ([0], [0], 0, "n_classes must be an int >= 1"),
])
def test_confusion_matrix_refuses_bad_labels(t, p, k, message):
    with pytest.raises(ValueError, match=message):
        plots.confusion_matrix(t, p, n_classes=k)


def test_plot_confusion_matrix_writes_every_count_in_its_cell():
    rng = np.random.default_rng(1)
    t, p = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    expected = _counts_by_loop(t, p, 4)
    ax = plots.plot_confusion_matrix(plots.confusion_matrix(t, p))
    (image,) = ax.images
    assert isinstance(image, AxesImage)
    np.testing.assert_array_equal(image.get_array(), expected)
    assert len(ax.texts) == 16
    for text in ax.texts:
        j, i = (round(c) for c in text.get_position())  # x is the column
        assert int(text.get_text()) == expected[i, j]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_plot_confusion_matrix_refuses_a_non_square_array():
    with pytest.raises(ValueError, match=r"square \(K, K\)"):
        plots.plot_confusion_matrix(np.zeros((2, 3)))


# -- digit_images ----------------------------------------------------------------------


def test_digit_images_one_axes_per_image_with_titles():
    images = np.random.default_rng(0).random((10, 64))
    fig = plots.digit_images(images, titles=[f"d{i}" for i in range(10)], ncols=4)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 10
    assert [ax.get_title() for ax in fig.axes] == [f"d{i}" for i in range(10)]
    np.testing.assert_array_equal(fig.axes[3].images[0].get_array(), images[3].reshape(8, 8))
    # 4 per row: the fifth image starts the second row
    assert fig.axes[4].get_subplotspec().rowspan.start == 1


def test_digit_images_accepts_image_stacks():
    fig = plots.digit_images(np.zeros((2, 5, 7)))
    assert [ax.images[0].get_array().shape for ax in fig.axes] == [(5, 7), (5, 7)]


@pytest.mark.parametrize(("images", "kw", "message"), [
    (np.zeros((2, 10)), {}, "not square"),
    (np.zeros((2, 64)), {"titles": ["one"]}, "2 images but 1 titles"),
    (np.zeros((0, 64)), {}, "k >= 1"),
    (np.zeros((2, 64)), {"ncols": 0}, "ncols must be an int >= 1"),
])
def test_digit_images_refuses_bad_input(images, kw, message):
    with pytest.raises(ValueError, match=message):
        plots.digit_images(images, **kw)


# -- save_figure -----------------------------------------------------------------------


def test_save_figure_writes_a_real_png(tmp_path):
    ax = plots.loss_curve([3.0, 2.0, 1.0])
    out = plots.save_figure(ax.figure, tmp_path / "loss.png")
    assert out == tmp_path / "loss.png"
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert os.listdir(tmp_path) == ["loss.png"]  # no temporary file left behind


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_save_figure_format_follows_the_suffix(tmp_path, suffix, magic):
    out = plots.save_figure(plots.loss_curve([1.0]), tmp_path / f"f{suffix}")  # an Axes works
    assert out.read_bytes().startswith(magic)


def test_save_figure_replaces_an_existing_file(tmp_path):
    target = tmp_path / "old.png"
    target.write_bytes(b"old")
    plots.save_figure(plots.loss_curve([1.0]).figure, target)
    assert target.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("name", ["plot.xyz", "plot", "plot.png.bak"])
def test_save_figure_refuses_an_unknown_suffix_and_writes_nothing(tmp_path, name):
    with pytest.raises(ValueError, match=r"use one of \.png, \.svg, \.pdf"):
        plots.save_figure(plots.loss_curve([1.0]).figure, tmp_path / name)
    assert os.listdir(tmp_path) == []


def test_save_figure_failure_leaves_no_partial_file(tmp_path, monkeypatch):
    fig = plots.loss_curve([1.0]).figure

    def broken(*args, **kwargs):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError, match="renderer broke"):
        plots.save_figure(fig, tmp_path / "x.png")
    assert os.listdir(tmp_path) == []


def test_save_figure_refuses_a_non_figure(tmp_path):
    with pytest.raises(TypeError, match="Figure or Axes"):
        plots.save_figure("figure", tmp_path / "x.png")


def test_plots_is_reachable_as_nn_plots():
    assert nn.plots is plots


def test_plots_docstring_examples_hold():
    result = doctest.testmod(plots, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_save_figure_gives_the_usual_file_mode_not_private(tmp_path):
    path = plots.save_figure(plots.loss_curve([3.0, 2.0, 1.0]), tmp_path / "loss.png")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
