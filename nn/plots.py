"""Pictures of training: loss curves, decision boundaries, confusion matrices, digit images.

matplotlib's object-oriented API only: a function given no ``ax`` makes its own
:class:`matplotlib.figure.Figure` (not pyplot, so no global state, no window, any backend,
headless included) and returns the Axes; ``ax.figure`` is its Figure.  In a notebook, show a
Figure by leaving it as a cell's last expression; save one with :func:`save_figure`.

>>> from nn.plots import confusion_matrix
>>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()   # rows: true, columns: predicted
[[1, 0, 0], [0, 1, 1], [0, 0, 1]]
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from micrograd_like.files import write_atomic

__all__ = [
    "loss_curve",
    "learning_curves",
    "decision_boundary",
    "confusion_matrix",
    "plot_confusion_matrix",
    "digit_images",
    "save_figure",
    "FORMATS",
]

#: File suffixes :func:`save_figure` writes (matplotlib renders each without extra packages).
FORMATS = ("png", "svg", "pdf")

_CMAP = "coolwarm"


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5.0, 4.0)) -> Axes:
    """``ax``, or the single Axes of a new pyplot-free Figure."""
    if ax is None:
        return Figure(figsize=figsize, layout="constrained").add_subplot()
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


# --------------------------------------------------------------------------------------
# Training history
# --------------------------------------------------------------------------------------


def loss_curve(history: Any, ax: Axes | None = None) -> Axes:
    """Plot the loss per epoch; the accuracy, when the history has one, on a twin y axis.

    Args:
        history: a :class:`nn.History` (``.loss`` and ``.accuracy`` lists, one entry per
            epoch; accuracy entries may be ``None``), or a plain sequence of losses.
        ax: Axes to draw on (default: a new Figure).

    Returns:
        The Axes holding the loss line (its x axis is the epoch, 1, 2, …); the accuracy
        line, if any, is on ``ax``'s twin Axes (found in ``ax.figure.axes``).

    >>> from nn import History
    >>> ax = loss_curve(History(loss=[1.0, 0.5, 0.25], accuracy=[0.5, 0.75, 1.0]))
    >>> [line.get_label() for line in ax.get_lines()], len(ax.figure.axes)
    (['loss'], 2)
    """
    if hasattr(history, "loss"):
        losses = list(history.loss)
        accuracy = list(getattr(history, "accuracy", None) or [])
    elif isinstance(history, Sequence) and not isinstance(history, (str, bytes)):
        losses, accuracy = list(history), []
    else:
        raise TypeError(f"loss_curve: history must be an nn.History or a sequence of losses, "
                        f"got {type(history).__name__}")
    if not losses:
        raise ValueError("loss_curve: the history has no epochs")
    try:
        loss = np.asarray(losses, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("loss_curve: losses must be numbers") from None
    ax = _axes(ax)
    epochs = np.arange(1, len(loss) + 1)
    handles = ax.plot(epochs, loss, color="tab:blue", marker="o" if len(loss) <= 30 else None,
                      markersize=3, label="loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if len(loss) > 1 and np.all(loss > 0) and loss.max() / loss.min() > 100:
        ax.set_yscale("log")
    if any(a is not None for a in accuracy):
        acc = np.array([np.nan if a is None else float(a) for a in accuracy])
        twin = cast(Axes, ax.twinx())  # matplotlib 3.8's stubs say _AxesBase
        handles += twin.plot(np.arange(1, len(acc) + 1), acc, color="tab:orange",
                             label="accuracy")
        twin.set_ylabel("accuracy")
        twin.set_ylim(0.0, 1.02)
    ax.legend(handles=handles, loc="center right")
    ax.set_title("training")
    return ax


_CURVES = ("loss", "accuracy", "val_loss", "val_accuracy")


def learning_curves(histories: Any, metric: str = "val_accuracy",
                    ax: Axes | None = None) -> Axes:
    """One line per training run: ``metric`` of each :class:`nn.History` against the epoch.

    Args:
        histories: a mapping ``{label: History}`` (e.g. one run per setting to compare).
        metric: "loss", "accuracy", "val_loss" or "val_accuracy" (the held-out data of
            ``fit(validation=...)``).
        ax: Axes to draw on (default: a new Figure).

    >>> from nn import History
    >>> ax = learning_curves({"a": History(val_accuracy=[0.5, 0.7]),
    ...                       "b": History(val_accuracy=[0.6, 0.9])})
    >>> [line.get_label() for line in ax.get_lines()]
    ['a', 'b']
    """
    if not isinstance(metric, str) or metric not in _CURVES:
        raise ValueError(f"learning_curves: metric must be one of {', '.join(_CURVES)}, "
                         f"got {metric!r}")
    if not hasattr(histories, "items") or not histories:
        raise TypeError("learning_curves: histories must be a non-empty mapping "
                        "{label: History}")
    ax = _axes(ax, figsize=(6.0, 4.0))
    for label, history in histories.items():
        values = getattr(history, metric, None)
        if not values:
            raise ValueError(f"learning_curves: run {label!r} has no {metric} "
                             f"(for val_* pass validation= to fit)")
        y = np.array([np.nan if v is None else float(v) for v in values])
        ax.plot(np.arange(1, len(y) + 1), y, label=str(label))
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("val_", "held-out ").replace("_", " "))
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


# --------------------------------------------------------------------------------------
# Decision boundary of a 2-D classifier
# --------------------------------------------------------------------------------------


def _check_xy(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    Xa = np.asarray(X)
    if Xa.dtype == object or Xa.dtype.kind not in "iuf" or Xa.ndim != 2 or Xa.shape[1] != 2:
        raise ValueError(f"decision_boundary: X must be a numeric (n, 2) array of points in "
                         f"the plane, got shape {Xa.shape} and dtype {Xa.dtype}")
    ya = np.asarray(y)
    if ya.shape != (len(Xa),):
        raise ValueError(f"decision_boundary: y must have shape ({len(Xa)},), got {ya.shape}")
    if len(Xa) == 0 or not np.isfinite(Xa).all():
        raise ValueError("decision_boundary: X must hold at least one point, all finite")
    return Xa.astype(np.float64), ya


def _decision_grid(model: Any, X: np.ndarray, resolution: int, compile: bool,  # noqa: A002
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xx, yy, cls)``: a resolution × resolution grid around X and the class at each node.

    The grid spans X's bounding box widened by 10 % of its size (at least 0.5) on each
    side.  ``cls`` is :func:`nn.classify.predict_classes`'s class at each node.
    """
    from nn.classify import predict_classes

    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(0.1 * (hi - lo), 0.5)
    gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = np.meshgrid(gx, gy)
    cls = predict_classes(model, np.column_stack([xx.ravel(), yy.ravel()]), compile=compile)
    return xx, yy, cls.reshape(xx.shape)


def decision_boundary(
    model: Any,
    X: Any,
    y: Any,
    ax: Axes | None = None,
    resolution: int = 200,
    compile: bool = True,  # noqa: A002 - the name nn.predict uses
) -> Axes:
    """Colour the plane by the class the model predicts, and draw the points coloured by y.

    The model is evaluated with :func:`nn.predict` on a ``resolution`` × ``resolution`` grid
    around the points.  The predicted class is :func:`nn.classify.predict_classes`'s:
    ``argmax`` of the outputs, or, for one output, whether it exceeds 0 (a score, e.g.
    trained with the hinge loss) or 0.5 (after a sigmoid output layer).  The regions are a
    filled contour (``ax.collections[0]``), the points a scatter (the last collection).

    Args:
        model: a model with 2 inputs (e.g. ``MLP(2, [...])``).
        X: points, shape (n, 2).
        y: their labels, shape (n,) (0/1, ±1 or class indices).
        ax: Axes to draw on (default: a new Figure).
        resolution: grid points per side (at least 2).
        compile: passed to :func:`nn.predict` (the tape is much faster on a big grid).

    >>> from nn import MLP
    >>> ax = decision_boundary(MLP(2, [4, 1], seed=0), [[0, 0], [1, 1]], [0, 1], resolution=20)
    >>> len(ax.collections)          # the filled regions and the points
    2
    """
    Xa, ya = _check_xy(X, y)
    if (isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral)
            or resolution < 2):
        raise ValueError(f"decision_boundary: resolution must be an int >= 2, got {resolution!r}")
    xx, yy, cls = _decision_grid(model, Xa, int(resolution), compile)
    labels = np.unique(ya)
    n_cls = max(int(cls.max()) + 1, len(labels), 2)
    ax = _axes(ax)
    ax.contourf(xx, yy, cls, levels=np.arange(n_cls + 1) - 0.5, cmap=_CMAP, alpha=0.35,
                vmin=0, vmax=n_cls - 1)
    # the points: label k in sorted order gets colour k, the colour of predicted class k
    colour_index = np.searchsorted(labels, ya)
    ax.scatter(Xa[:, 0], Xa[:, 1], c=colour_index, cmap=_CMAP, vmin=0, vmax=n_cls - 1,
               s=18, edgecolors="k", linewidths=0.5)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("x₀")
    ax.set_ylabel("x₁")
    ax.set_title("decision boundary")
    return ax


# --------------------------------------------------------------------------------------
# Confusion matrix
# --------------------------------------------------------------------------------------


def _labels(v: Any, what: str) -> np.ndarray:
    a = np.asarray(v)
    if a.ndim != 1:
        raise ValueError(f"confusion_matrix: {what} must be 1-D, got shape {a.shape}")
    if a.size and (a.dtype.kind not in "iuf" or not np.all(a == np.round(a)) or a.min() < 0):
        raise ValueError(f"confusion_matrix: {what} must hold class indices 0, 1, 2, …, "
                         f"got {a[:5].tolist()}…")
    return a.astype(np.int64)


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None) -> np.ndarray:
    """Counts ``cm[i, j]`` = how many examples of true class i were predicted as class j.

    The diagonal holds the correct predictions, so accuracy = trace(cm) / cm.sum().

    Args:
        y_true, y_pred: class indices 0 … K−1, same length.
        n_classes: K (default: 1 + the largest index seen).

    Returns:
        int64 array (K, K).

    >>> confusion_matrix([0, 0, 1], [0, 1, 1], n_classes=3).tolist()
    [[1, 1, 0], [0, 1, 0], [0, 0, 0]]
    """
    t, p = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"confusion_matrix: y_true has {len(t)} labels but y_pred has {len(p)}")
    seen = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    if n_classes is None:
        k = max(seen, 1)
    else:
        if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral) \
                or n_classes < 1:
            raise ValueError(f"confusion_matrix: n_classes must be an int >= 1, "
                             f"got {n_classes!r}")
        k = int(n_classes)
        if seen > k:
            raise ValueError(f"confusion_matrix: label {seen - 1} is out of range for "
                             f"n_classes={k}")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k).astype(np.int64)


def plot_confusion_matrix(cm: Any, ax: Axes | None = None) -> Axes:
    """Draw a confusion matrix as an image with the count written in every cell.

    Rows are the true class (y axis), columns the predicted class (x axis); darker cells
    hold more examples.  The title gives the accuracy trace(cm) / Σ cm.

    >>> ax = plot_confusion_matrix(confusion_matrix([0, 1, 1], [0, 1, 0]))
    >>> [t.get_text() for t in ax.texts]
    ['1', '0', '1', '1']
    """
    m = np.asarray(cm)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] == 0 or m.dtype.kind not in "iuf":
        raise ValueError(f"plot_confusion_matrix: cm must be a square (K, K) array of counts, "
                         f"got shape {m.shape} and dtype {m.dtype}")
    if np.any(m < 0):
        raise ValueError("plot_confusion_matrix: counts must be >= 0")
    k = m.shape[0]
    ax = _axes(ax, figsize=(0.45 * k + 2.5, 0.45 * k + 2.0))
    ax.imshow(m, cmap="Blues", vmin=0, vmax=max(float(m.max()), 1.0))
    half = m.max() / 2.0
    for i in range(k):
        for j in range(k):
            v = m[i, j]
            text = f"{v:g}" if m.dtype.kind == "f" else str(int(v))
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if v > half else "black")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    total = m.sum()
    accuracy = f", accuracy {np.trace(m) / total:.3f}" if total else ""
    ax.set_title(f"confusion matrix{accuracy}")
    return ax


# --------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------


def digit_images(images: Any, titles: Sequence[str] | None = None, ncols: int = 8) -> Figure:
    """A grid of small grey images (e.g. 8×8 digits), one Axes each, optional titles.

    Args:
        images: shape (k, h, w), or (k, n) with n a perfect square (a row of
            ``load_digits()``'s X is an 8×8 image read row by row).  Dark is high.
        titles: k strings shown above the images (e.g. ``"true 3, predicted 8"``).
        ncols: images per row.

    Returns:
        The Figure (its ``axes`` are the k image Axes, in order).

    >>> import numpy as np
    >>> fig = digit_images(np.zeros((3, 64)), titles=["a", "b", "c"])
    >>> len(fig.axes), fig.axes[1].get_title()
    (3, 'b')
    """
    a = np.asarray(images)
    if a.dtype == object or a.dtype.kind not in "iufb":
        raise TypeError(f"digit_images: images must be numeric, got dtype {a.dtype}")
    if a.ndim == 2:
        side = math.isqrt(a.shape[1])
        if side * side != a.shape[1]:
            raise ValueError(f"digit_images: rows of length {a.shape[1]} are not square "
                             f"images; pass shape (k, h, w)")
        a = a.reshape(len(a), side, side)
    if a.ndim != 3 or len(a) == 0:
        raise ValueError(f"digit_images: images must have shape (k, h, w) or (k, h·w) with "
                         f"k >= 1, got {np.shape(images)}")
    if titles is not None:
        titles = [str(t) for t in titles]
        if len(titles) != len(a):
            raise ValueError(f"digit_images: {len(a)} images but {len(titles)} titles")
    if isinstance(ncols, bool) or not isinstance(ncols, numbers.Integral) or ncols < 1:
        raise ValueError(f"digit_images: ncols must be an int >= 1, got {ncols!r}")
    k = len(a)
    cols = min(int(ncols), k)
    rows = -(-k // cols)
    fig = Figure(figsize=(1.2 * cols, 1.2 * rows + (0.25 * rows if titles else 0.0)),
                 layout="constrained")
    for i in range(k):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(a[i], cmap="gray_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    return fig


# --------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------


def save_figure(fig: Figure | Axes, path: str | os.PathLike[str]) -> Path:
    """Write the figure to ``path`` as png, svg or pdf (from the suffix), atomically.

    The picture goes to a temporary file in the same directory, which then replaces
    ``path`` (``os.replace``), so a failure never leaves a half-written file.  An Axes is
    accepted too (its figure is saved).

    Raises:
        ValueError: the suffix is not one of :data:`FORMATS` (nothing is written).
        TypeError: ``fig`` is not a Figure or Axes.
        OSError: the directory cannot be written.

    >>> import tempfile, pathlib
    >>> ax = loss_curve([3.0, 2.0, 1.0])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     save_figure(ax.figure, pathlib.Path(d) / "loss.png").read_bytes()[:4]
    b'\\x89PNG'
    """
    figure = fig.figure if isinstance(fig, Axes) else fig
    if not isinstance(figure, Figure):
        raise TypeError(f"save_figure: fig must be a matplotlib Figure or Axes, "
                        f"got {type(fig).__name__}")
    path = Path(path)
    fmt = path.suffix[1:].lower()
    if fmt not in FORMATS:
        shown = f"suffix {path.suffix!r}" if path.suffix else "no suffix"
        raise ValueError(f"save_figure: cannot tell the format of {str(path)!r} ({shown}); "
                         f"use one of {', '.join('.' + f for f in FORMATS)}")
    dpi = 100 if fmt == "png" else "figure"
    write_atomic(path, lambda f: figure.savefig(f, format=fmt, dpi=dpi))
    return path
