"""Exercise 8: a training loop written out (one step, then a network trained on XOR).

The checkers are re-exported by :mod:`nn.exercises`, whose docstring says how they judge.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from nn import analytic as an
from nn.module import MLP
from nn.verdict import (
    ATOL,
    RTOL,
    NotYetError,
    Verdict,
    answer_number,
    call_student,
    is_close,
    judge,
    shape_of_error,
    short,
)

# --------------------------------------------------------------------------------------
# 8 · a training loop written out
# --------------------------------------------------------------------------------------

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [[0.0], [1.0], [1.0], [0.0]]
#: the quadratic cost 1/(2n) Σ (a − y)² a trained network must get under
TRAINING_THRESHOLD = 0.01


def training_network(seed: int = 0) -> MLP:
    """Exercise 8's network: 2 → 4 tanh → 1 linear, for XOR with the quadratic cost, its
    starting weights drawn from ``seed`` (as ``nn.MLP(..., seed=seed + 1)``).

    >>> training_network()
    MLP(2 → 4 tanh → 1 linear, 17 parameters)
    """
    return MLP(2, [4, 1], activation="tanh", output_activation="linear", seed=seed + 1)


def _xor_gradient(mlp: MLP) -> tuple[float, np.ndarray]:
    """C and ∂C/∂θ (in mlp.parameters() order) from nn.analytic, for XOR."""
    ws, bs = mlp.to_matrices()
    cost = an.mean_cost(ws, bs, XOR_X, XOR_Y, "quadratic", "tanh", "linear")
    nb, nw = an.batch_gradient(ws, bs, XOR_X, XOR_Y, "quadratic", "tanh", "linear")
    flat = [g for w, b in zip(nw, nb) for j in range(len(b)) for g in (*w[j], b[j])]
    return cost, np.array(flat)


def _params(mlp: MLP) -> np.ndarray:
    return np.array([p.data for p in mlp.parameters()])


def check_step(step: Callable[[MLP, Any, Any, float], Any], lr: float = 0.1,
               seed: int = 0) -> Verdict:
    """Exercise 8a: ``step(mlp, X, Y, lr)`` does forward, zero_grad, backward, update once
    and returns the loss (before the update).  Judged on two consecutive steps, from the
    seed's :func:`training_network`, against θ ← θ − lr ∂C/∂θ with ∂C/∂θ from
    :mod:`nn.analytic`.

    >>> def no_zero(mlp, X, Y, lr):
    ...     from nn import quadratic
    ...     C = quadratic([mlp(x) for x in X], Y)
    ...     C.backward()
    ...     for p in mlp.parameters():
    ...         p.data -= lr * p.grad
    ...     return C.data
    >>> check_step(no_zero).hint
    'gradients pile up from step to step: call mlp.zero_grad() before backward()'
    """
    ex = "8 · one training step"

    def body() -> Verdict:
        mlp = training_network(seed)
        theta0 = _params(mlp)
        c0, g0 = _xor_gradient(mlp)
        loss = call_student(step, "step(mlp, X, Y, lr)", mlp, XOR_X, XOR_Y, lr)
        theta1 = _params(mlp)
        c1, g1 = _xor_gradient(mlp)
        call_student(step, "a second step(mlp, X, Y, lr)", mlp, XOR_X, XOR_Y, lr)
        theta2 = _params(mlp)
        d1, d2 = theta1 - theta0, theta2 - theta1
        if np.allclose(d1, 0.0) and np.allclose(d2, 0.0):
            raise NotYetError("the parameters did not change",
                          "every p.grad was 0 at the update: call C.backward() after "
                          "mlp.zero_grad() (not before it), then update every p in "
                          "mlp.parameters(): p.data -= lr * p.grad")
        if is_close(d1, lr * g0) and is_close(d2, lr * g1):
            raise NotYetError("the parameters moved uphill", "subtract lr · p.grad: "
                          "the gradient points to where the loss grows")
        if is_close(d1, -lr * g0) and is_close(d2, -lr * (g0 + g1)):
            raise NotYetError("the first step is right, the second is not",
                          "gradients pile up from step to step: call mlp.zero_grad() before "
                          "backward()")
        n = len(XOR_X)
        if is_close(d1, -n * lr * g0) or is_close(d1, -2 * n * lr * g0):
            raise NotYetError("the update is not θ − lr ∂C/∂θ",
                              f"a step {n} (or {2 * n}) times too long: C is the mean over the "
                              f"{n} examples, 1/(2n) Σ (a − y)² (nn.quadratic), not their sum")
        if not (is_close(d1, -lr * g0) and is_close(d2, -lr * g1)):
            raise NotYetError("the update is not θ − lr ∂C/∂θ", shape_of_error(d1, -lr * g0))
        got = answer_number(loss, "the returned loss")
        if not math.isclose(got, c0, rel_tol=RTOL, abs_tol=ATOL):
            hint = ("that is the loss after the update; return C.data from the forward pass"
                    if math.isclose(got, c1, rel_tol=RTOL) else
                    "return C.data, the quadratic cost 1/(2n) Σ (a − y)² (nn.quadratic)")
            raise NotYetError(f"the update is right, but the returned loss {got:.6g} is not "
                          f"C = {c0:.6g}", hint)
        return Verdict(ex, True, "forward, zero_grad, backward, update: two steps match "
                       "θ ← θ − lr ∂C/∂θ")

    return judge(ex, body)


def check_training(mlp: Any, seed: int = 0) -> Verdict:
    """Exercise 8b: is the trained ``mlp``'s XOR cost under :data:`TRAINING_THRESHOLD`?

    The cost is recomputed here in numpy from the network's weights, not taken from the loop.
    XOR is the same for every seed, and a trained network no longer shows where it started,
    so ``seed`` changes nothing here (it is taken, as by every checker, for uniformity).

    >>> check_training(training_network()).ok
    False
    """
    ex = "8 · training"

    def body() -> Verdict:
        if not isinstance(mlp, MLP):
            raise NotYetError(f"pass the trained MLP, got {short(mlp)}")
        if mlp.sizes != [2, 4, 1]:
            raise NotYetError(f"this network has sizes {mlp.sizes}, exercise 8 trains [2, 4, 1]",
                          "use mlp = training_network()")
        ws, bs = mlp.to_matrices()
        cost = an.mean_cost(ws, bs, XOR_X, XOR_Y, "quadratic", *mlp.activations)
        outputs = [float(an.forward(ws, bs, x, *mlp.activations)[1][-1][0]) for x in XOR_X]
        rows = tuple(f"x = {x}: output {a:+.3f}, target {y[0]:.0f}"
                     for x, a, y in zip(XOR_X, outputs, XOR_Y))
        if cost < TRAINING_THRESHOLD:
            return Verdict(ex, True, f"C = {cost:.3g} < {TRAINING_THRESHOLD}: the network "
                           "has learned XOR", details=rows)
        raise NotYetError(f"C = {cost:.3g} is not under {TRAINING_THRESHOLD} yet",
                      "more steps, or a larger lr (if C grows, a smaller one)", rows)

    return judge(ex, body)
