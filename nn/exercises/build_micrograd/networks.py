"""Build-your-own notebooks 4 and 5: Neuron, Layer, MLP on the student's Value, and a
training loop on the moons.

The student's classes follow the lecture: ``Neuron(nin, rng, nonlin=True)``,
``Layer(nin, nout, rng, nonlin=True)``, ``MLP(nin, nouts, seed=0)`` (tanh on every layer
but the last, which is linear), each with ``parameters()``; weights drawn in order with
``rng.uniform(-1, 1)`` and biases starting at 0, which is what ``nn.MLP(..., seed=seed)``
draws too, so the two start from the same numbers and can be compared step for step.

The loss of notebook 5 is the mean squared error on labels ±1,
``(1/n) Σ (score − y)²``; a point is classified right when its score has the sign of y.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Sequence
from typing import Any

import nn
from micrograd_like import Value as Ours
from nn.datasets import make_moons
from nn.exercises.build_micrograd.student import (
    LOCKED,
    node,
    number,
    run,
    student_class,
)
from nn.verdict import NotYetError, Verdict, fmt, is_close, judge, short

__all__ = ["check_mlp", "check_step", "check_moons", "moons", "our_moons_accuracy",
           "MOONS_SIZES", "MOONS_STEPS", "MOONS_LR"]

#: the network, steps and learning rate ours trains on the moons (notebook 5)
MOONS_SIZES, MOONS_STEPS, MOONS_LR = (16, 16, 1), 100, 0.1
_INIT_HINT = ("draw each weight with rng.uniform(-1, 1), neuron by neuron, in input order, "
              "and start every bias at 0: the same numbers as nn.MLP(..., seed=seed)")


def moons(seed: int = 0, n: int = 100) -> tuple[list[list[float]], list[float]]:
    """The moons of notebook 5: ``X`` (n points, lists of 2 floats) and labels ``Y`` of ±1."""
    X, y = make_moons(n, noise=0.1, seed=seed)
    return X.tolist(), [2.0 * t - 1.0 for t in y.tolist()]


def _ours(nin: int, nouts: Sequence[int], seed: int) -> nn.MLP:
    return nn.MLP(nin, list(nouts), activation="tanh", output_activation="linear", seed=seed)


def _params(model: Any, cls: type, what: str, count: int) -> list[Any]:
    """``model.parameters()``: ``count`` of the student's Values."""
    ps = run(f"{what}.parameters()", lambda: model.parameters())
    if not isinstance(ps, (list, tuple)):
        raise NotYetError(f"{what}.parameters() gave {short(ps)}, not a list",
                          "return a list of the Values: weights then bias, layer by layer")
    if len(ps) != count:
        raise NotYetError(f"{what}.parameters() has {len(ps)} Values, expected {count}",
                          "each neuron has one weight per input and one bias")
    return [node(p, cls, f"{what}.parameters()[{i}]") for i, p in enumerate(ps)]


def _outputs(out: Any, n: int, cls: type, what: str) -> list[Any]:
    """A network's output: n of the student's Values (one Value alone counts for n = 1)."""
    if n == 1 and not isinstance(out, (list, tuple)):
        out = [out]
    if not isinstance(out, (list, tuple)) or len(out) != n:
        raise NotYetError(f"{what} gave {short(out)}, expected {n} Values",
                          "a layer returns one Value per neuron (the Value alone for one)")
    return [node(v, cls, what) for v in out]


def _same_start(ps: list[Any], ours: nn.MLP, what: str) -> None:
    got = [number(p.data, f"{what}.parameters() data") for p in ps]
    want = [p.data for p in ours.parameters()]
    if not is_close(got, want):
        raise NotYetError(f"{what} does not start from the weights nn.MLP draws with this seed",
                          _INIT_HINT)


def _loss(cls: type, outs: list[list[Any]]) -> Any:
    """Σ of the outputs squared, built with the student's ops (a root to backward from)."""
    total = cls(0.0)
    for row in outs:
        for v in row:
            total = total + v * v
    return total


# --------------------------------------------------------------------------------------
# 4 · Neuron, Layer, MLP
# --------------------------------------------------------------------------------------


def check_mlp(Value: Any, Neuron: Any, Layer: Any, MLP: Any,
              seed: int = 0) -> Verdict:
    """Notebook 4: ``Neuron``, ``Layer`` and ``MLP`` on the student's ``Value``: the same
    starting weights, outputs and, after the student's ``backward()``, gradients as
    ``nn.MLP`` with micrograd_like."""
    ex = "4 · Neuron, Layer, MLP"

    def body() -> Verdict:
        cls = student_class(Value)
        for name, c in (("Neuron", Neuron), ("Layer", Layer), ("MLP", MLP)):
            student_class(c, name)
        rng = random.Random(seed)
        x = [round(rng.uniform(-2, 2), 3) for _ in range(3)]
        # a neuron: tanh(w·x + b)
        r = random.Random(seed)
        neuron = run("Neuron(3, rng)", Neuron, 3, random.Random(seed))
        ps = _params(neuron, cls, "Neuron(3, rng)", 4)
        w = [r.uniform(-1, 1) for _ in range(3)]
        if not is_close([p.data for p in ps], [*w, 0.0]):
            raise NotYetError("Neuron(3, rng) does not start from rng's numbers", _INIT_HINT)
        z = sum(wi * xi for wi, xi in zip(w, x))
        (out,) = _outputs(run("neuron(x)", neuron, x), 1, cls, "neuron(x)")
        a = number(out.data, "neuron(x).data")
        if is_close(a, z):
            raise NotYetError(f"neuron(x) = {a:.6g} is w·x + b without tanh",
                              "a neuron's output is tanh(w·x + b)")
        if not is_close(a, math.tanh(z)):
            raise NotYetError(f"neuron(x) = {a:.6g}, expected tanh(w·x + b) = {math.tanh(z):.6g}",
                              "sum wᵢ·xᵢ over the inputs, add b, then tanh")
        # a layer: one neuron per output
        layer = run("Layer(3, 4, rng)", Layer, 3, 4, random.Random(seed))
        _params(layer, cls, "Layer(3, 4, rng)", 16)
        _outputs(run("layer(x)", layer, x), 4, cls, "layer(x)")
        # an MLP, against nn.MLP
        rows = ["Neuron(3, rng): 4 parameters, tanh(w·x + b) ✓", "Layer(3, 4, rng): 4 outputs ✓"]
        for nouts in ((4, 4, 2), (3, 1)):
            rows.append(_check_against_ours(cls, MLP, nouts, seed, rng))
        return Verdict(ex, True, "your MLP computes what nn.MLP computes, and your backward() "
                       "gives the same gradients", details=(*rows, LOCKED))

    return judge(ex, body)


def _check_against_ours(cls: type, MLP: Any, nouts: Sequence[int], seed: int,
                        rng: random.Random) -> str:
    what = f"MLP(3, {list(nouts)}, seed={seed})"
    mlp = run(what, MLP, 3, list(nouts), seed)
    ours = _ours(3, nouts, seed)
    ps = _params(mlp, cls, what, ours.num_parameters())
    _same_start(ps, ours, what)
    xs = [[round(rng.uniform(-2, 2), 3) for _ in range(3)] for _ in range(2)]
    outs = [_outputs(run("mlp(x)", mlp, x), nouts[-1], cls, "mlp(x)") for x in xs]
    got = [number(v.data, "mlp(x).data") for row in outs for v in row]
    want = [v.data for x in xs for v in ours(x)]
    if not is_close(got, want):
        if is_close(got, [math.tanh(v) for v in want]):
            raise NotYetError(f"{what}: the last layer applies tanh",
                              "the last layer is linear: Layer(..., nonlin=False) for it, so "
                              "a score can be any number")
        raise NotYetError(f"{what}(x) = {fmt(got)}, nn.MLP gives {fmt(want)}",
                          "each layer's outputs are the next layer's inputs")
    loss = run("Σ outputs²", _loss, cls, outs)
    run("loss.backward()", node(loss, cls, "Σ outputs²").backward)
    got_g = [number(p.grad, "p.grad") for p in ps]
    ours_loss = _loss(Ours, [ours(x) for x in xs])
    ours_loss.backward()
    want_g = [p.grad for p in ours.parameters()]
    if not is_close(got_g, want_g):
        raise NotYetError(f"{what}: after backward(), the parameters' grads differ from "
                          "micrograd_like's", "check_backward first; then is every parameter "
                          "in parameters(), in order?")
    return f"{what}: outputs and all {len(ps)} gradients match nn.MLP ✓"


# --------------------------------------------------------------------------------------
# 5 · training on the moons
# --------------------------------------------------------------------------------------


def _our_step(model: nn.MLP, X: list[list[float]], Y: list[float], lr: float,
              reset: bool = True, sign: float = -1.0) -> float:
    """One step of ours: the mean squared error, zero_grad (if ``reset``), backward, and
    ``p += sign · lr · p.grad`` (``sign = -1``: downhill)."""
    scores = [model(x)[0] for x in X]
    loss = sum(((s - y) ** 2 for s, y in zip(scores, Y)), Ours(0.0)) * (1.0 / len(Y))
    if reset:
        model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data += sign * lr * p.grad
    return loss.data


def check_step(Value: Any, MLP: Any, step: Any, seed: int = 0) -> Verdict:
    """Notebook 5a: ``step(mlp, X, Y, lr)`` does forward, reset, backward, update once and
    returns the loss before the update; judged over two steps against ours.  Names the
    grads not reset between steps and a step uphill."""
    ex = "5a · one training step"
    lr = 0.1

    def body() -> Verdict:
        cls = student_class(Value)
        student_class(MLP, "MLP")
        if step is None or step is Ellipsis or not callable(step):
            raise NotYetError("step is not a function yet",
                              "def step(mlp, X, Y, lr): forward, reset, backward, update")
        X, Y = moons(seed, 8)
        what = f"MLP(2, [4, 1], seed={seed})"
        mlp = run(what, MLP, 2, [4, 1], seed)
        right, uphill, piled = (_ours(2, (4, 1), seed) for _ in range(3))
        ps = _params(mlp, cls, what, right.num_parameters())
        _same_start(ps, right, what)
        rows, start = [], [p.data for p in ps]
        for k in (1, 2):
            loss = run("step(mlp, X, Y, lr)", step, mlp, X, Y, lr)
            if loss is None:
                raise NotYetError("step(mlp, X, Y, lr) returned None",
                                  "return loss.data, the loss before the update")
            loss = number(loss, "the loss step returned")
            want = _our_step(right, X, Y, lr)
            _our_step(uphill, X, Y, lr, sign=1.0)
            _our_step(piled, X, Y, lr, reset=False)
            if not is_close(loss, want):
                hint = ("the loss is the mean, (1/n) Σ (score − y)²"
                        if is_close(loss, want * len(Y)) else
                        "return loss.data, computed before the update")
                raise NotYetError(f"step {k} returned {loss:.6g}, the loss is {want:.6g}", hint)
            got = [number(p.data, "p.data") for p in ps]
            if is_close(got, [p.data for p in right.parameters()]):
                start = got
                rows.append(f"step {k}: loss {loss:.6g}, every parameter moved downhill ✓")
                continue
            if is_close(got, [p.data for p in uphill.parameters()]):
                raise NotYetError(f"step {k} went uphill: the parameters moved along +grad",
                                  "gradient descent subtracts: p.data -= lr * p.grad")
            if is_close(got, [p.data for p in piled.parameters()]):
                raise NotYetError(f"step {k}: grads are not reset between steps",
                                  "set p.grad = 0.0 for every parameter before backward(): "
                                  "grads add up, step after step")
            moved = not is_close(got, start)
            raise NotYetError(f"after step {k} the parameters are not θ − lr·∂loss/∂θ",
                              "backward() from the loss, then p.data -= lr * p.grad" if moved
                              else "the parameters did not move: update p.data")
        return Verdict(ex, True, "two steps match ours: reset, backward, downhill",
                       details=(*rows, LOCKED))

    return judge(ex, body)


@functools.lru_cache(maxsize=8)
def our_moons_accuracy(seed: int = 0) -> float:
    """The accuracy ours reaches on :func:`moons` with ``nn.MLP(2, [16, 16, 1])`` (tanh,
    linear output, ``seed``) after 100 steps of gradient descent at lr 0.1 on the mean
    squared error: the bar for notebook 5.  Measured when first asked (about 10 s)."""
    X, Y = moons(seed)
    model = _ours(2, MOONS_SIZES, seed)
    for _ in range(MOONS_STEPS):
        _our_step(model, X, Y, MOONS_LR)
    return _accuracy([model(x)[0].data for x in X], Y)


def _accuracy(scores: Sequence[float], Y: Sequence[float]) -> float:
    return sum((s > 0) == (y > 0) for s, y in zip(scores, Y)) / len(Y)


def check_moons(Value: Any, train: Any, seed: int = 0) -> Verdict:
    """Notebook 5b: ``train(X, Y, seed)`` returns an MLP of the student's Values trained on
    :func:`moons`; it must classify at least as many points as ours does after training
    the same network from the same seed (:func:`our_moons_accuracy`)."""
    ex = "5b · training on the moons"

    def body() -> Verdict:
        cls = student_class(Value)
        if train is None or train is Ellipsis or not callable(train):
            raise NotYetError("train is not a function yet",
                              "def train(X, Y, seed): build the MLP, loop over step, return it")
        X, Y = moons(seed)
        mlp = run("train(X, Y, seed)", train, X, Y, seed)
        if mlp is None:
            raise NotYetError("train(X, Y, seed) returned None", "return the trained mlp")
        _params(mlp, cls, "the trained MLP", _ours(2, MOONS_SIZES, seed).num_parameters())
        scores = [number(_outputs(run("mlp(x)", mlp, x), 1, cls, "mlp(x)")[0].data, "mlp(x)")
                  for x in X]
        got, bar = _accuracy(scores, Y), our_moons_accuracy(seed)
        said = (f"{got:.0%} of the {len(Y)} points right; ours reaches {bar:.0%} "
                f"(nn.MLP(2, [16, 16, 1]), {MOONS_STEPS} steps at lr {MOONS_LR}, seed {seed})")
        if got < bar:
            raise NotYetError(said, "train longer or with a larger lr; check_step first")
        return Verdict(ex, True, said, details=(LOCKED,))

    return judge(ex, body)
