"""Which class a network predicts: one rule, used by ``fit``'s accuracy, the plots and the
command line.

* Several outputs (one per class): the class is the index of the largest output,
  ``argmax``; on a tie, the first.
* One output (two classes, 0 and 1): the class is 1 where the output is above a threshold:
  0 for a score whose sign is the class (a linear output trained with the hinge loss),
  0.5 for a probability (a sigmoid output trained on 0/1 targets).  :func:`output_threshold`
  reads which from the model.

>>> to_classes([[0.2, 1.5, -1.0], [3.0, 0.0, 3.0]])      # argmax; a tie goes to the first
array([1, 0])
>>> to_classes([[-0.3], [0.7]])                          # a score: its sign
array([0, 1])
>>> to_classes([[0.3], [0.7]], threshold=0.5)            # a probability
array([0, 1])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["output_threshold", "predict_classes", "to_classes"]


def output_threshold(model: Any) -> float:
    """Where one output splits two classes: 0.5 if ``model``'s output layer is a sigmoid
    (``model.activations[-1] == "sigmoid"``: the output is a probability), else 0.0."""
    activations = getattr(model, "activations", None)
    return 0.5 if activations and activations[-1] == "sigmoid" else 0.0


def to_classes(outputs: Any, threshold: float = 0.0) -> np.ndarray:
    """The predicted class of each row of ``outputs`` (shape (n, k), e.g. from
    :func:`nn.predict`): ``argmax`` over k >= 2 outputs; for k = 1, ``1`` where the output
    is greater than ``threshold``, else ``0``.

    Returns:
        int64 array of shape (n,).

    Raises:
        ValueError: ``outputs`` is not 2-D with at least one column or holds NaN, or
            ``threshold`` is not a finite number.
    """
    a = np.asarray(outputs, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] < 1:
        raise ValueError(f"to_classes: outputs must have shape (examples, outputs), got "
                         f"{a.shape}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) \
            or not math.isfinite(threshold):
        raise ValueError(f"to_classes: threshold must be a finite number, got {threshold!r}")
    if np.isnan(a).any():  # argmax would pick the NaN: a class from no information
        raise ValueError("to_classes: outputs hold NaN, so no class can be read from them")
    if a.shape[1] == 1:
        return (a[:, 0] > threshold).astype(np.int64)
    return np.argmax(a, axis=1).astype(np.int64)


def predict_classes(model: Any, X: Any, *, compile: bool = True) -> np.ndarray:  # noqa: A002
    """The class ``model`` predicts for each row of ``X``:
    ``to_classes(predict(model, X), output_threshold(model))``.

    >>> from nn import MLP
    >>> mlp = MLP(2, [3, 4], seed=0)
    >>> predict_classes(mlp, [[0.5, -1.0], [2.0, 0.0]]).shape
    (2,)
    """
    from nn.train import predict  # nn.train uses this module for fit's accuracy

    return to_classes(predict(model, X, compile=compile), output_threshold(model))
