"""Cost functions C over a batch of n examples, built from few engine nodes.

Every loss takes ``outputs``, a list over examples of the lists of Values that ``mlp(x)``
returns, and the targets for those examples, and returns one Value C to call ``backward()``
on.  Sums over all examples and outputs are single ``dot``/``sum`` nodes, so a loss adds
about one or two nodes per output to the graph.

==========================  ====================================================  ==========
name (aliases)              C                                                      targets
==========================  ====================================================  ==========
quadratic (mse)             1/(2n) Σₓ Σⱼ (yⱼ − aⱼ)²                                numbers
cross_entropy (xent)        −1/n Σₓ Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)]            in [0, 1]
softmax_cross_entropy       −1/n Σₓ ln softmax_y(a),  softmaxᵢ(a) = eᵃⁱ / Σₖ eᵃᵏ    class ints
(softmax_xent)
hinge                       1/n Σₓ max(0, 1 − y·a)    (one output)                 ±1
==========================  ====================================================  ==========

plus :func:`l2` = α Σ p² to add for weight decay.  The quadratic cost is the seeds' form
(Nielsen's C = 1/2n Σ ‖y − a‖², whose ∇ₐC for one example is a − y).

Every loss marks its result as a cost (:func:`mark_cost`), so that after ``C.backward()`` a
drawing names each weighted input's gradient δ = ∂C/∂z; mark your own cost the same way.
Its other nodes are named for drawings (``a − y``, ``(a − y)²``, the ``½`` and ``1/n``
factors), and targets and constants are annotated as such: drawn grey, with no gradient.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from micrograd_like import Value, dot
from micrograd_like import sum as vsum
from micrograd_like.annotation import Annotation, Text, annotate

__all__ = [
    "quadratic",
    "cross_entropy",
    "softmax_cross_entropy",
    "hinge",
    "l2",
    "mark_cost",
    "get",
    "target_rows",
    "LOSSES",
]

Outputs = Sequence[Sequence[Value]]


def _rows(outputs: Any, who: str) -> list[Sequence[Value]]:
    """Outputs as a list of rows of Values (a bare Value counts as a row of width 1)."""
    if isinstance(outputs, (str, bytes, Value)) or not isinstance(outputs, Sequence):
        raise TypeError(f"{who}: outputs must be a list (one entry per example) of lists of "
                        f"Values, as mlp(x) returns, got {type(outputs).__name__}")
    if not outputs:
        raise ValueError(f"{who}: outputs is empty (need at least one example)")
    rows: list[Sequence[Value]] = []
    for i, row in enumerate(outputs):
        row = [row] if isinstance(row, Value) else row
        if not isinstance(row, Sequence) or not row or not all(isinstance(a, Value) for a in row):
            raise TypeError(f"{who}: outputs[{i}] must be a non-empty list of Values, got {row!r}")
        rows.append(row)
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"{who}: outputs[{i}] has {len(row)} values but outputs[0] has "
                             f"{width}")
    return rows


def _targets(targets: Any, n: int, width: int, who: str) -> np.ndarray:
    """Targets as a float array of shape (n, width); shape (n,) is accepted for width 1."""
    try:
        t = np.asarray(targets)
    except ValueError as e:
        raise ValueError(f"{who}: targets are not rectangular: {e}") from None
    if t.dtype == object or t.dtype.kind not in "iuf":
        raise TypeError(f"{who}: targets must be real numbers, got dtype {t.dtype}")
    t = t.astype(np.float64)
    if t.ndim == 1 and width == 1:
        t = t[:, None]
    if t.shape != (n, width):
        raise ValueError(f"{who}: targets have shape {t.shape} but the outputs are "
                         f"({n}, {width}) (examples, outputs)")
    if not np.all(np.isfinite(t)):
        raise ValueError(f"{who}: targets hold a non-finite number")
    return t


def _labels(labels: Any, n: int, who: str) -> list[int]:
    """One integer label per example (integral floats such as 1.0 are accepted)."""
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise TypeError(f"{who}: labels must be a sequence of integers, got "
                        f"{type(labels).__name__}")
    if len(labels) != n:
        raise ValueError(f"{who}: {len(labels)} labels for {n} examples")
    out = []
    for i, y in enumerate(labels):
        if isinstance(y, (bool, np.bool_)) or not isinstance(y, numbers.Real):
            raise TypeError(f"{who}: labels[{i}] must be an integer, got {type(y).__name__}")
        f = float(y)
        if not f.is_integer():
            raise ValueError(f"{who}: labels[{i}] must be an integer, got {f!r}")
        out.append(int(f))
    return out


def mark_cost(C: Value, name: Text = "C") -> Value:
    """Annotate ``C`` as a cost and return it: after ``C.backward()``, drawings name the
    gradient of each weighted input z its error δ = ∂C/∂z (from another root they write
    ∂root/∂z).  The losses of this module mark their results; mark your own cost with it.

    >>> from micrograd_like import Value
    >>> from micrograd_like.annotation import annotation_of
    >>> a = Value(0.8)
    >>> C = mark_cost((a - 1.0) ** 2)
    >>> annotation_of(C).role
    'cost'
    """
    if not isinstance(C, Value):
        raise TypeError(f"mark_cost: expected the cost as a Value, got {type(C).__name__}")
    return annotate(C, role="cost", name=name)


# Shared annotations of the nodes losses build (immutable, so one object serves every node).
_TARGET = Annotation("constant", "target", "y")
_NEG_TARGET = Annotation("constant", "target", "−y")
_ONE_MINUS_TARGET = Annotation("constant", "target", "1 − y")
_ONE = Annotation("constant", "constant", "1")
_DIFF = Annotation("", "", "a − y")
_SQUARE = Annotation("", "", "(a − y)²")


@functools.cache
def _constant_note(name: str) -> Annotation:
    return Annotation("constant", "constant", name)


def _constant(c: float, name: str) -> Value:
    v = Value(c)
    v.tag = _constant_note(name)
    return v


def _target(y: float, note: Annotation = _TARGET) -> Value:
    v = Value(y)
    v.tag = note
    return v


@functools.cache
def _note(name: str) -> Annotation:
    return Annotation("", "", name)  # one shared object per name: no validation per node


def _named(v: Value, name: str) -> Value:
    v.tag = _note(name)
    return v


def _mean_factor(n: int, sign: str = "") -> Value:
    """The 1/n of a mean over n examples, named so."""
    return _constant((-1.0 if sign else 1.0) / n, f"{sign}1/{n}" if n > 1 else f"{sign}1")


def quadratic(outputs: Outputs, targets: Any) -> Value:
    """The quadratic cost C = 1/(2n) Σₓ Σⱼ (yⱼ − aⱼ)², n = number of examples.

    Its gradient for one output is ∂C/∂aⱼ = (aⱼ − yⱼ)/n: BP1's ∇ₐC, averaged over the batch.

    >>> C = quadratic([[Value(0.5)], [Value(2.0)]], [[1.0], [1.0]])
    >>> C.data                  # ((1 − 0.5)² + (1 − 2)²) / (2·2)
    0.3125
    """
    rows = _rows(outputs, "quadratic")
    n = len(rows)
    t = _targets(targets, n, len(rows[0]), "quadratic")
    squares = []
    for row, ys in zip(rows, t.tolist()):
        for a, y in zip(row, ys):
            d = a - _target(y)
            d.tag = _DIFF
            sq = d * d  # (a − y)²: both edges from one node; d * d is exact where pow may not be
            sq.tag = _SQUARE
            squares.append(sq)
    total = squares[0] if len(squares) == 1 else _named(vsum(squares), "Σ (a − y)²")
    half = _constant(0.5 / n, "½" if n == 1 else f"1/(2·{n})")
    return mark_cost(total * half)


def cross_entropy(outputs: Outputs, targets: Any) -> Value:
    """The binary cross-entropy C = −1/n Σₓ Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)].

    Outputs must lie in (0, 1), e.g. from a sigmoid output layer, and targets in [0, 1].
    A term whose coefficient yⱼ or 1 − yⱼ is 0 is left out (0 · ln 0 = 0), so an output
    that saturates to exactly 1.0 (or 0.0) on the correct side costs 0 instead of raising.

    >>> C = cross_entropy([[Value(0.8)]], [[1.0]])
    >>> round(C.data, 6)        # −ln 0.8
    0.223144
    """
    rows = _rows(outputs, "cross_entropy")
    t = _targets(targets, len(rows), len(rows[0]), "cross_entropy")
    if np.any((t < 0.0) | (t > 1.0)):
        raise ValueError("cross_entropy: targets must lie in [0, 1]")
    coefs: list[Value] = []
    terms: list[Value] = []
    for i, (row, ys) in enumerate(zip(rows, t.tolist())):
        for j, (a, y) in enumerate(zip(row, ys)):
            if (y != 0.0 and not a.data > 0.0) or (y != 1.0 and not a.data < 1.0):
                raise ValueError(
                    f"cross_entropy: output [{i}][{j}] = {a.data!r} must lie in (0, 1) "
                    f"(target {y!r}); use a sigmoid output layer (or softmax_cross_entropy)"
                )
            if y != 0.0:
                coefs.append(_target(y))
                terms.append(_named(a.log(), "ln a"))
            if y != 1.0:
                coefs.append(_target(1.0 - y, _ONE_MINUS_TARGET))
                one_minus = _target(1.0, _ONE) - a
                terms.append(_named(_named(one_minus, "1 − a").log(), "ln(1 − a)"))
    total = _named(dot(coefs, terms), "Σ [y ln a + (1 − y) ln(1 − a)]")
    return mark_cost(total * _mean_factor(len(rows), "−"))


def softmax_cross_entropy(outputs: Outputs, labels: Any) -> Value:
    """C = −1/n Σₓ ln softmax_y(a) = 1/n Σₓ [ln Σₖ eᵃᵏ − a_y], y the class index of x.

    Computed stably as m + ln Σₖ eᵃᵏ⁻ᵐ with m = maxₖ aₖ (a constant, so the gradient is
    unchanged): ∂C/∂aₖ = (softmaxₖ(a) − [k = y]) / n.

    >>> C = softmax_cross_entropy([[Value(0.0), Value(0.0)]], [1])
    >>> round(C.data, 6)        # ln 2
    0.693147
    """
    rows = _rows(outputs, "softmax_cross_entropy")
    ys = _labels(labels, len(rows), "softmax_cross_entropy")
    width = len(rows[0])
    n = len(rows)
    logs, picked, shift = [], [], 0.0
    for i, (row, y) in enumerate(zip(rows, ys)):
        if not 0 <= y < width:
            raise ValueError(f"softmax_cross_entropy: labels[{i}] = {y} is not a class index "
                             f"in [0, {width})")
        m = _constant(max(a.data for a in row), "max a")
        exps = [_named((a - m).exp(), "e^(a − max a)") for a in row]
        logs.append(_named(vsum(exps).log(), "ln Σ e^(a − max a)"))  # ln Σₖ e^(aₖ − m)
        picked.append(row[y])
        shift += m.data
    coefs = [_constant(1.0 / n, "1/n")] * n + [_constant(-1.0 / n, "−1/n")] * n
    C = dot(coefs, logs + picked, plus=_constant(shift / n, "Σ max a / n"))
    return mark_cost(C)


def hinge(outputs: Outputs, labels: Any) -> Value:
    """The max-margin loss of micrograd's demo, C = 1/n Σₓ max(0, 1 − y·a), y ∈ {−1, +1}.

    One output per example (a score whose sign is the predicted class).

    >>> C = hinge([[Value(0.5)], [Value(-2.0)]], [1, -1])
    >>> C.data                  # (max(0, 1 − 0.5) + max(0, 1 − 2)) / 2
    0.25
    """
    rows = _rows(outputs, "hinge")
    if len(rows[0]) != 1:
        raise ValueError(f"hinge: needs one output per example, got {len(rows[0])}")
    ys = _labels(labels, len(rows), "hinge")
    for i, y in enumerate(ys):
        if y not in (-1, 1):
            raise ValueError(f"hinge: labels[{i}] = {y} must be -1 or +1 "
                             "(for 0/1 labels use 2·y − 1)")
    margins = []
    for row, y in zip(rows, ys):
        m = _named(dot(row, (_target(-float(y), _NEG_TARGET),), plus=_target(1.0, _ONE)),
                   "1 − y·a")
        margins.append(_named(m.relu(), "max(0, 1 − y·a)"))
    total = margins[0] if len(margins) == 1 else _named(vsum(margins), "Σ max(0, 1 − y·a)")
    return mark_cost(total * _mean_factor(len(rows)))


def l2(params: Sequence[Value], alpha: float) -> Value:
    """L2 regularisation α Σ p² (one ``dot`` node); its gradient is 2αp.

    >>> l2([Value(1.0), Value(-2.0)], 0.5).data    # 0.5 · (1 + 4)
    2.5
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"l2: alpha must be a real number, got {type(alpha).__name__}")
    if not 0.0 <= float(alpha) < float("inf"):
        raise ValueError(f"l2: alpha must be finite and >= 0, got {alpha!r}")
    ps = list(params)
    for i, p in enumerate(ps):
        if not isinstance(p, Value):
            raise TypeError(f"l2: params[{i}] must be a Value, got {type(p).__name__}")
    return _named(_named(dot(ps, ps), "Σ p²") * _constant(float(alpha), "α"), "α Σ p²")


def target_rows(loss: Callable, targets: Any, width: int) -> np.ndarray:
    """The targets of every example as rows of numbers (n, width), checked as ``loss`` checks
    them: the per-example target leaves of a compiled loss (one-hot rows for the class
    labels of softmax_cross_entropy, ±1 for hinge).  Raises the loss's own errors.

    >>> target_rows(softmax_cross_entropy, [2, 0], 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    n = len(targets)
    if loss is softmax_cross_entropy:
        ys = _labels(targets, n, "softmax_cross_entropy")
        for i, y in enumerate(ys):
            if not 0 <= y < width:
                raise ValueError(f"softmax_cross_entropy: labels[{i}] = {y} is not a class "
                                 f"index in [0, {width})")
        return np.eye(width)[ys] if n else np.empty((0, width))
    if loss is hinge:
        if width != 1:
            raise ValueError(f"hinge: needs one output per example, got {width}")
        ys = _labels(targets, n, "hinge")
        for i, y in enumerate(ys):
            if y not in (-1, 1):
                raise ValueError(f"hinge: labels[{i}] = {y} must be -1 or +1 "
                                 "(for 0/1 labels use 2·y − 1)")
        return np.asarray(ys, dtype=np.float64).reshape(n, 1)
    name = "cross_entropy" if loss is cross_entropy else "quadratic"
    t = _targets(targets, n, width, name)
    if loss is cross_entropy and np.any((t < 0.0) | (t > 1.0)):
        raise ValueError("cross_entropy: targets must lie in [0, 1]")
    return t


LossFn = Callable[[Outputs, Any], Value]

#: Loss names accepted by :func:`get` and by :func:`nn.fit`, with their aliases.
LOSSES: dict[str, LossFn] = {
    "quadratic": quadratic,
    "mse": quadratic,
    "cross_entropy": cross_entropy,
    "xent": cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
    "softmax_xent": softmax_cross_entropy,
    "hinge": hinge,
}


def get(loss: str | LossFn) -> LossFn:
    """The loss function for a name (see :data:`LOSSES`); a callable is returned as is.

    >>> get("mse") is quadratic
    True
    """
    if callable(loss):
        return loss
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
    return LOSSES[loss]
