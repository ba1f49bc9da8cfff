"""The same random expressions in micrograd-like and in torch.autograd: values and gradients.

Skipped, with the reason printed, where PyTorch is not installed (it is never a runtime
dependency; CI installs the CPU build so these run there).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd_like as mg
from micrograd_like import Value

torch = pytest.importorskip("torch", reason="PyTorch not installed: torch cross-checks skipped")

# Each op as (how micrograd-like spells it, how torch spells it); inputs are kept in a range
# where every op is defined (log and sqrt see a positive argument through softplus + 0.1),
# and growth ops see a tanh-squashed argument so that ten chained steps stay well-conditioned
# (chained 2**x would overflow, and cos of a huge number amplifies libm's last-bit rounding).
UNARY = {
    "exp": (lambda v: (2 * v.tanh()).exp(), lambda t: (2 * t.tanh()).exp()),
    "log": (
        lambda v: (v.softplus() + 0.1).log(),
        lambda t: (torch.nn.functional.softplus(t) + 0.1).log(),
    ),
    "sqrt": (
        lambda v: (v.softplus() + 0.1).sqrt(),
        lambda t: (torch.nn.functional.softplus(t) + 0.1).sqrt(),
    ),
    "tanh": (lambda v: v.tanh(), torch.tanh),
    "sigmoid": (lambda v: v.sigmoid(), torch.sigmoid),
    "relu": (lambda v: v.relu(), torch.relu),
    "abs": (lambda v: v.abs(), torch.abs),
    "softplus": (lambda v: v.softplus(), torch.nn.functional.softplus),
    "sin": (lambda v: v.sin(), torch.sin),
    "cos": (lambda v: v.cos(), torch.cos),
    "neg": (lambda v: -v, lambda t: -t),
    "cube": (lambda v: v.tanh() ** 3, lambda t: t.tanh() ** 3),
    "recip": (lambda v: 1 / (v * v + 1), lambda t: 1 / (t * t + 1)),
    "2**": (lambda v: 2 ** v.tanh(), lambda t: 2 ** t.tanh()),
}
BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: a + b),
    "-": (lambda a, b: a - b, lambda a, b: a - b),
    "*": (lambda a, b: a * b.tanh(), lambda a, b: a * b.tanh()),
    "/": (lambda a, b: a / (b * b + 0.5), lambda a, b: a / (b * b + 0.5)),
    "pow": (
        lambda a, b: (a.softplus() + 0.1) ** b.tanh(),
        lambda a, b: (torch.nn.functional.softplus(a) + 0.1) ** b.tanh(),
    ),
}


@st.composite
def programs(draw):
    """A random graph: each step applies an op to earlier nodes, so nodes get reused."""
    steps = []
    for i in range(draw(st.integers(1, 10))):
        if draw(st.booleans()):
            steps.append(
                ("u", draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, 2 + i)), 0)
            )
        else:
            name = draw(st.sampled_from(sorted(BINARY)))
            steps.append(("b", name, draw(st.integers(0, 2 + i)), draw(st.integers(0, 2 + i))))
    return steps


def run(steps, leaves, engine):
    nodes = list(leaves)
    for kind, name, i, j in steps:
        if kind == "u":
            nodes.append(UNARY[name][engine](nodes[i]))
        else:
            nodes.append(BINARY[name][engine](nodes[i], nodes[j]))
    out = nodes[3]
    for n in nodes[4:]:
        out = out + n
    return out


@settings(max_examples=200, deadline=None)
@given(
    programs(),
    st.lists(st.floats(-2.0, 2.0).filter(lambda x: abs(x) > 1e-3), min_size=3, max_size=3),
)
def test_random_expression_values_and_gradients_match_torch(steps, xs):
    ours = [Value(x) for x in xs]
    y = run(steps, ours, 0)
    y.backward()

    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    t = run(steps, theirs, 1)
    t.backward()

    assert y.data == pytest.approx(t.item(), rel=1e-12, abs=1e-12)
    for v, tv in zip(ours, theirs):
        expected = 0.0 if tv.grad is None else tv.grad.item()
        assert v.grad == pytest.approx(expected, rel=1e-10, abs=1e-10)


def test_dot_and_sum_match_torch():
    ws = [0.3, -1.2, 2.0]
    xs = [1.5, 0.5, -0.25]
    w_ours, x_ours, b_ours = [Value(w) for w in ws], [Value(x) for x in xs], Value(0.1)
    y = mg.sum([mg.dot(w_ours, x_ours, plus=b_ours).tanh(), *w_ours])
    y.backward()

    w_t = torch.tensor(ws, dtype=torch.float64, requires_grad=True)
    x_t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    b_t = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
    t = torch.tanh(w_t @ x_t + b_t) + w_t.sum()
    t.backward()

    assert y.data == pytest.approx(t.item(), rel=1e-14)
    assert [w.grad for w in w_ours] == pytest.approx(w_t.grad.tolist(), rel=1e-14)
    assert [x.grad for x in x_ours] == pytest.approx(x_t.grad.tolist(), rel=1e-14)
    assert b_ours.grad == pytest.approx(b_t.grad.item(), rel=1e-14)
