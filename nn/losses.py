"""Cost functions: each loss is one per-example term Cₓ, and the batch loss is its mean.

    C = 1/n Σₓ Cₓ(aₓ, yₓ)        aₓ: the outputs ``mlp(x)`` returns, yₓ: x's targets

==========================  ==========================================  ================
name (aliases)              Cₓ, one example                             targets
==========================  ==========================================  ================
quadratic (mse)             ½ Σⱼ (aⱼ − yⱼ)²                             numbers
cross_entropy (xent)        −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)]        in [0, 1]
softmax_cross_entropy       ln Σₖ eᵃᵏ − a_y  (= −ln softmax_y(a))       class ints
(softmax_xent)
hinge                       max(0, 1 − y·a)    (one output)             ±1
==========================  ==========================================  ================

Each is a :class:`Loss`: ``loss.term(outputs, targets)`` builds one example's Cₓ from its
output Values and its target Values; ``loss(outputs, targets)`` builds the batch mean for
eager training.  ``nn.fit(compile=True)`` compiles the same ``term`` once, its targets
leaves of the tape's input, and replays it over every batch: eager and compiled training
evaluate one definition, so they cannot disagree.  Both forms are stable at the edges: a
sigmoid output's cross-entropy is written from its input z, softplus(z) − y·z, finite where
σ(z) rounds to 1; softmax's ln Σₖ eᵃᵏ is one max-shifted ``logsumexp`` node.

:func:`l2` is α Σ p², added for weight decay.  Every batch loss marks its result as a cost
(:func:`mark_cost`), so that after ``C.backward()`` a drawing names each weighted input's
gradient δ = ∂C/∂z; its other nodes are named for drawings (``a − y``, ``ln a``), and its
targets are constants (drawn grey, with no gradient).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from micrograd_like import Value, apply, dot
from micrograd_like.annotation import Annotation, Text, annotate
from micrograd_like.engine import sum as vsum

__all__ = [
    "Loss",
    "quadratic",
    "cross_entropy",
    "softmax_cross_entropy",
    "hinge",
    "quadratic_term",
    "cross_entropy_term",
    "softmax_cross_entropy_term",
    "hinge_term",
    "l2",
    "mark_cost",
    "get",
    "LOSSES",
]

Outputs = Sequence[Sequence[Value]]
Term = Callable[[Sequence[Value], Sequence[Value]], Value]


@functools.cache
def _note(name: str, kind: str) -> Annotation:
    return Annotation(name=name, kind=kind)  # immutable: one object serves every node


def _named(v: Value, name: str, kind: str = "") -> Value:
    v.tag = _note(name, kind)
    return v


# --------------------------------------------------------------------------------------
# One example's term: outputs a₁..a_m and targets y₁..y_m, both Values
# --------------------------------------------------------------------------------------


def quadratic_term(outputs: Sequence[Value], targets: Sequence[Value]) -> Value:
    """Cₓ = ½ Σⱼ (aⱼ − yⱼ)²; ∂Cₓ/∂aⱼ = aⱼ − yⱼ (BP1's ∇ₐC).

    >>> quadratic_term([Value(0.5)], [Value(1.0)]).data   # ½ (0.5 − 1)²
    0.125
    """
    d = [_named(a - y, "a − y") for a, y in zip(outputs, targets, strict=True)]
    return _named(dot(d, d), "Σ (a − y)²") * _named(Value(0.5), "½", "constant")


def cross_entropy_term(outputs: Sequence[Value], targets: Sequence[Value]) -> Value:
    """Cₓ = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)], targets yⱼ in [0, 1].

    An output made by ``sigmoid`` from z is written from z: ln σ(z) = −softplus(−z) and
    ln(1 − σ(z)) = −softplus(z) make the term softplus(z) − y·z, the same number but finite
    where σ(z) rounds to 1.0 (z = 40, y = 0: Cₓ = ln(1 + e⁴⁰) ≈ 40), with ∂Cₓ/∂z = σ(z) − y
    (the δᴸ = aᴸ − y of Nielsen's chapter 3).  Any other output is written by the formula
    and must lie strictly inside (0, 1).

    >>> z = Value(40.0)
    >>> round(cross_entropy_term([z.sigmoid()], [Value(0.0)]).data, 9)
    40.0
    """
    terms = []
    for j, (a, y) in enumerate(zip(outputs, targets, strict=True)):
        if a.op == "sigmoid":
            z = a.parents[0]
            terms.append(_named(z.softplus() - y * z, "softplus(z) − y·z"))
            continue
        if not 0.0 < a.data < 1.0:
            raise ValueError(
                f"cross_entropy: output {j} = {a.data!r} must lie in (0, 1): ln a and "
                f"ln(1 − a) are undefined at it.  Make it a sigmoid node (the term is then "
                f"written from its input z, finite for every z) or use softmax_cross_entropy")
        ln_a = _named(a.log(), "ln a")
        ln_1ma = _named(_named(1.0 - a, "1 − a").log(), "ln(1 − a)")
        terms.append(-(y * ln_a + _named(1.0 - y, "1 − y") * ln_1ma))
    return terms[0] if len(terms) == 1 else vsum(terms)


def softmax_cross_entropy_term(logits: Sequence[Value], onehot: Sequence[Value]) -> Value:
    """Cₓ = ln Σₖ eᵃᵏ − Σₖ yₖ aₖ = −ln softmax_y(a), y one-hot; ∂Cₓ/∂aₖ = softmaxₖ(a) − yₖ.

    ln Σₖ eᵃᵏ is one ``logsumexp`` node, shifted by maxₖ aₖ inside its rule: logits
    [1500, 0] with class 1 cost exactly 1500.

    >>> C = softmax_cross_entropy_term([Value(1500.0), Value(0.0)], [Value(0.0), Value(1.0)])
    >>> C.data
    1500.0
    """
    logits = list(logits)
    lse = _named(apply("logsumexp", *logits), "ln Σ eᵃ")
    return lse - _named(dot(list(onehot), logits), "a_y")


def hinge_term(outputs: Sequence[Value], targets: Sequence[Value]) -> Value:
    """Cₓ = max(0, 1 − y·a) for one output a and its label y = ±1 (micrograd's demo loss).

    >>> hinge_term([Value(0.25)], [Value(1.0)]).data
    0.75
    """
    if len(outputs) != 1 or len(targets) != 1:
        raise ValueError(f"hinge: needs one output and one label, got {len(outputs)} and "
                         f"{len(targets)}")
    (a,), (y,) = outputs, targets
    return _named(_named(1.0 - y * a, "1 − y·a").relu(), "max(0, 1 − y·a)")


# --------------------------------------------------------------------------------------
# Targets as the numbers a term's target leaves hold
# --------------------------------------------------------------------------------------


def _numbers(targets: Any, n: int, width: int, who: str) -> np.ndarray:
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


def _probabilities(targets: Any, n: int, width: int) -> np.ndarray:
    t = _numbers(targets, n, width, "cross_entropy")
    if np.any((t < 0.0) | (t > 1.0)):
        raise ValueError("cross_entropy: targets must lie in [0, 1]")
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


def _onehot(labels: Any, n: int, width: int) -> np.ndarray:
    ys = _labels(labels, n, "softmax_cross_entropy")
    for i, y in enumerate(ys):
        if not 0 <= y < width:
            raise ValueError(f"softmax_cross_entropy: labels[{i}] = {y} is not a class index "
                             f"in [0, {width})")
    return np.eye(width)[ys] if n else np.empty((0, width))


def _signs(labels: Any, n: int, width: int) -> np.ndarray:
    if width != 1:
        raise ValueError(f"hinge: needs one output per example, got {width}")
    ys = _labels(labels, n, "hinge")
    for i, y in enumerate(ys):
        if y not in (-1, 1):
            raise ValueError(f"hinge: labels[{i}] = {y} must be -1 or +1 "
                             "(for 0/1 labels use 2·y − 1)")
    return np.asarray(ys, dtype=np.float64).reshape(n, 1)


# --------------------------------------------------------------------------------------
# A loss: its term, and the batch mean of it
# --------------------------------------------------------------------------------------


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
        if len(row) != len(rows[0] if rows else row):
            raise ValueError(f"{who}: outputs[{i}] has {len(row)} values but outputs[0] has "
                             f"{len(rows[0])}")
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Loss:
    """A loss: one example's ``term`` and how its targets become the term's target leaves.

    Attributes:
        name: as in :data:`LOSSES`.
        term: ``term(outputs, targets) -> Cₓ``, both lists of Values (one per output).
        target_rows: ``target_rows(targets, n, width)``: the targets of n examples as rows of
            numbers (n, width), checked (one-hot rows for class labels); raises the loss's
            own errors.

    Calling it builds the batch loss C = 1/n Σₓ Cₓ, marked as a cost:

    >>> C = quadratic([[Value(0.5)], [Value(2.0)]], [[1.0], [1.0]])
    >>> C.data                  # (½ (0.5 − 1)² + ½ (2 − 1)²) / 2
    0.3125
    """

    name: str
    term: Term
    target_rows: Callable[[Any, int, int], np.ndarray]

    def __call__(self, outputs: Outputs, targets: Any) -> Value:
        rows = _rows(outputs, self.name)
        T = self.target_rows(targets, len(rows), len(rows[0]))
        terms = [self.term(row, [_named(Value(y), "y", "constant") for y in ys])
                 for row, ys in zip(rows, T.tolist())]
        if len(terms) == 1:
            return mark_cost(terms[0])
        n = len(terms)
        return mark_cost(_named(vsum(terms), "Σ Cₓ") * _named(Value(1.0 / n), f"1/{n}", "constant"))

    def __repr__(self) -> str:
        return f"<loss {self.name}>"


quadratic = Loss("quadratic", quadratic_term, lambda t, n, w: _numbers(t, n, w, "quadratic"))
cross_entropy = Loss("cross_entropy", cross_entropy_term, _probabilities)
softmax_cross_entropy = Loss("softmax_cross_entropy", softmax_cross_entropy_term, _onehot)
hinge = Loss("hinge", hinge_term, _signs)


def mark_cost(C: Value, name: Text = "C") -> Value:
    """Annotate ``C`` as a cost and return it: after ``C.backward()``, drawings name the
    gradient of each weighted input z its error δ = ∂C/∂z (from another root they write
    ∂root/∂z).  The losses of this module mark their results; mark your own cost with it.

    >>> from micrograd_like.annotation import annotation_of
    >>> C = mark_cost((Value(0.8) - 1.0) ** 2)
    >>> annotation_of(C).role
    'cost'
    """
    if not isinstance(C, Value):
        raise TypeError(f"mark_cost: expected the cost as a Value, got {type(C).__name__}")
    return annotate(C, role="cost", name=name)


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
    alpha_leaf = _named(Value(float(alpha)), "α", "constant")
    return _named(_named(dot(ps, ps), "Σ p²") * alpha_leaf, "α Σ p²")


#: Loss names accepted by :func:`get` and by :func:`nn.fit`, with their aliases.
LOSSES: dict[str, Loss] = {
    "quadratic": quadratic,
    "mse": quadratic,
    "cross_entropy": cross_entropy,
    "xent": cross_entropy,
    "softmax_cross_entropy": softmax_cross_entropy,
    "softmax_xent": softmax_cross_entropy,
    "hinge": hinge,
}


def get(loss: str | Callable[[Outputs, Any], Value]) -> Callable[[Outputs, Any], Value]:
    """The loss for a name (see :data:`LOSSES`); a :class:`Loss` or a function
    ``(outputs, targets) -> C`` is returned as is.

    >>> get("mse") is quadratic
    True
    """
    if callable(loss):
        return loss
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(LOSSES)}")
    return LOSSES[loss]
