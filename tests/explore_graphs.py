"""Small graphs the explore tests (with and without a browser) step through."""

from __future__ import annotations

import nn
from micrograd_like import Value
from micrograd_like.annotation import annotate


def neuron() -> Value:
    """y = tanh(x·w + b) with 1 − y² = 1/2 exactly: ∂y/∂x = w/2, ∂y/∂w = x/2, ∂y/∂b = 1/2."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return y


def shared() -> Value:
    """y = tanh(a·b + a·a): a feeds two ops, and one of them twice."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = (a * b + a * a).tanh()
    y.label = "y"
    return y


def diamond() -> Value:
    """y = u·sin u + u with u = eˣ: u feeds *, sin and +."""
    x = Value(0.5, label="x")
    u = x.exp()
    u.label = "u"
    y = u * u.sin() + u
    y.label = "y"
    return y


def small_mlp_cost() -> Value:
    """The quadratic cost of a 2-2-1 sigmoid network at one point: δ on each z."""
    mlp = nn.MLP(2, [2, 1], activation="sigmoid", seed=0)
    t = mlp.trace([1.0, -2.0])
    return nn.quadratic([t.outputs], [[1.0]])


def constant_offset() -> Value:
    """L = tanh(a·b + 2) with the 2 annotated a constant: drawn grey, no gradient."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    two = annotate(Value(2.0), kind="constant", name="2")
    L = (a * b + two).tanh()
    L.label = "L"
    return L


def circuit() -> tuple[Value, Value, Value]:
    """(v, s2, P): two amplifier stages sₖ = gₖ·sₖ₋₁ + cₖ from s₀ = v (gains and offsets
    learned), then the power P = s2²; a builder that is not nn, with roles and clusters of
    its own, names ∂P/∂v "sensitivity" under a root of role "power"."""
    v = annotate(Value(0.5), kind="input", role="voltage", name="v",
                 grad_names={"power": "sensitivity"})
    out = v
    for k, (gain, offset) in enumerate([(2.0, 0.1), (-3.0, 0.2)], start=1):
        box = ("amplifier", f"stage {k}")
        g = annotate(Value(gain), kind="parameter", role="gain", name=f"g{k}", cluster=box)
        c = annotate(Value(offset), kind="parameter", role="offset", name=f"c{k}", cluster=box)
        out = annotate(g * out + c, role="signal", name=f"s{k}", cluster=box)
    return v, out, annotate(out * out, role="power", name="P")


def circuit_power() -> Value:
    """P of :func:`circuit`."""
    return circuit()[2]


def mlp_cross_entropy_cost() -> Value:
    """The cross-entropy of a 2-2-1 sigmoid network over two points: targets y and 1 − y,
    the constant 1 of 1 − a and the mean's −1/2, all constants."""
    mlp = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
    outputs = [mlp.trace(x).outputs for x in ([1.0, -2.0], [0.5, 0.25])]
    return nn.cross_entropy(outputs, [[1.0], [0.25]])
