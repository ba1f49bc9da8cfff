"""An nn MLP compiled to a tape: the gradient of each batch loss equals the eager engine's.

Oracle: ``nn``'s own batch losses (quadratic, hinge + L2, softmax cross-entropy) built
eagerly over the whole batch, ``backward()``, and the parameters' ``.grad``.  The tape sees
one example's graph, with the targets as input leaves, and averages over the batch.
"""

from __future__ import annotations

import numpy as np
import pytest

from micrograd_like import Value
from micrograd_like.tape import compile
from nn import MLP, losses
from nn.losses import hinge_term, quadratic_term, softmax_cross_entropy_term

TOL = 1e-12
ALPHA = 1e-4


def example_graph(mlp, loss):
    """One example's loss graph; returns (root, inputs: features then targets)."""
    nin, nout = mlp.sizes[0], mlp.sizes[-1]
    xs = [Value(0.0) for _ in range(nin)]
    out = mlp(xs)
    if loss == "quadratic":
        ts = [Value(0.0) for _ in range(nout)]
        return quadratic_term(out, ts), xs + ts
    if loss == "hinge+l2":
        y = Value(1.0)
        return hinge_term([out[0]], [y]) + losses.l2(mlp.parameters(), ALPHA), [*xs, y]
    onehot = [Value(0.0) for _ in range(nout)]
    return softmax_cross_entropy_term(out, onehot), xs + onehot


def data(mlp, loss, n, seed):
    """Features X, the targets as nn's losses want them, and the tape's input rows."""
    rng = np.random.default_rng(seed)
    nin, nout = mlp.sizes[0], mlp.sizes[-1]
    X = rng.uniform(-2.0, 2.0, size=(n, nin))
    if loss == "quadratic":
        Y = rng.uniform(-1.0, 1.0, size=(n, nout))
        return X, Y, np.hstack([X, Y])
    if loss == "hinge+l2":
        Y = rng.choice([-1, 1], size=n)
        return X, Y, np.column_stack([X, Y])
    Y = rng.integers(0, nout, size=n)
    return X, Y, np.hstack([X, np.eye(nout)[Y]])


def eager_batch(mlp, loss, X, Y):
    outputs = [mlp(x) for x in X.tolist()]
    if loss == "quadratic":
        C = losses.quadratic(outputs, Y)
    elif loss == "hinge+l2":
        C = losses.hinge(outputs, Y.tolist()) + losses.l2(mlp.parameters(), ALPHA)
    else:
        C = losses.softmax_cross_entropy(outputs, Y.tolist())
    mlp.zero_grad()
    C.backward()
    grads = np.array([p.grad for p in mlp.parameters()])
    mlp.zero_grad()
    return C.data, grads


CASES = [
    # (sizes, activation, output activation, loss, z)
    ((2, [16, 16, 1]), "relu", "linear", "hinge+l2", "dot"),
    ((2, [16, 16, 1]), "relu", "linear", "hinge+l2", "elementary"),
    ((3, [4, 2]), "sigmoid", "sigmoid", "quadratic", "dot"),
    ((3, [5, 5, 3]), "tanh", "linear", "quadratic", "elementary"),
    ((1, [7, 1]), "tanh", "tanh", "quadratic", "dot"),
    ((4, [6, 3]), "relu", "linear", "softmax", "dot"),
    ((8, [10, 10]), "sigmoid", "linear", "softmax", "elementary"),
    ((5, [3, 4, 5, 4]), "tanh", "linear", "softmax", "dot"),
]


@pytest.mark.parametrize(("sizes", "act", "out_act", "loss", "z"), CASES)
def test_mlp_tape_gradient_equals_the_eager_batch_loss_gradient(sizes, act, out_act, loss, z):
    mlp = MLP(*sizes, activation=act, output_activation=out_act, seed=1, z=z)
    X, Y, rows = data(mlp, loss, n=13, seed=2)
    root, inputs = example_graph(mlp, loss)
    tape = compile(root, inputs=inputs, params=mlp.parameters())
    C_tape = tape.forward(rows).mean()
    g_tape = tape.backward()
    C, g = eager_batch(mlp, loss, X, Y)
    assert abs(C_tape - C) <= TOL * max(1.0, abs(C))
    np.testing.assert_allclose(g_tape, g, rtol=TOL, atol=TOL)


def test_each_layer_of_dot_nodes_runs_as_one_matrix_product():
    mlp = MLP(2, [16, 16, 1], activation="relu", seed=0)
    root, inputs = example_graph(mlp, "hinge+l2")
    tape = compile(root, inputs=inputs, params=mlp.parameters())
    dots = [ins.size for ins in tape.instructions if ins.op == "dot"]
    assert dots == [16, 16, 1]


def test_the_number_of_instructions_does_not_grow_with_the_width():
    counts = []
    for width in (4, 64):
        mlp = MLP(3, [width, width, 2], activation="tanh", seed=0)
        root, inputs = example_graph(mlp, "softmax")
        counts.append(len(compile(root, inputs, mlp.parameters()).instructions))
    assert counts[0] == counts[1]


def test_the_network_outputs_can_be_read_for_every_example():
    mlp = MLP(2, [3, 2], activation="tanh", seed=0)
    xs = [Value(0.0), Value(0.0)]
    out = mlp(xs)
    ts = [Value(0.0), Value(0.0)]
    tape = compile(quadratic_term(out, ts), xs + ts, mlp.parameters())
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    tape.forward(np.hstack([X, np.zeros((2, 2))]))
    got = np.column_stack([tape.value_of(a) for a in out])
    want = np.array([[a.data for a in mlp(x)] for x in X.tolist()])
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)


def test_a_step_of_sgd_on_the_tape_matches_a_step_on_the_values():
    mlp = MLP(2, [8, 1], activation="relu", seed=3)
    X, Y, rows = data(mlp, "hinge+l2", n=20, seed=4)
    root, inputs = example_graph(mlp, "hinge+l2")
    tape = compile(root, inputs, mlp.parameters())
    theta = tape.param_values()
    for _ in range(3):
        tape.forward(rows, theta)
        theta = theta - 0.5 * tape.backward()
        _, g = eager_batch(mlp, "hinge+l2", X, Y)
        for p, gi in zip(mlp.parameters(), g):
            p.data -= 0.5 * gi
    np.testing.assert_allclose(theta, [p.data for p in mlp.parameters()], rtol=TOL, atol=TOL)


def test_an_overflowing_square_names_the_op_and_the_example():
    x, y, w = Value(0.0), Value(0.0), Value(1.0)
    tape = compile(quadratic_term([w * x], [y]), inputs=[x, y], params=[w])
    with pytest.raises(FloatingPointError,
                       match=r"op 'dot' gave a non-finite value for example 1"):
        tape.forward([[1.0, 0.0], [1e200, 0.0]])


def test_a_sum_of_squares_used_twice_keeps_the_eager_gradient():
    from micrograd_like import engine

    x, w, b = Value(0.0), Value(0.7), Value(-0.2)
    d = [w * x - 1.0, b * x + w]
    s = engine.dot(d, d)  # Σ dₖ², read by two nodes: not folded into either
    tape = compile(s * 0.5 + s.tanh(), inputs=[x], params=[w, b])
    X = [0.5, -1.5]
    tape.forward([[v] for v in X])
    got = tape.backward()
    grads = []
    for v in X:
        x.data = v
        for p in (w, b):
            p.grad = 0.0
        d = [w * x - 1.0, b * x + w]
        s = engine.dot(d, d)
        (s * 0.5 + s.tanh()).backward()
        grads.append([w.grad, b.grad])
    np.testing.assert_allclose(got, np.mean(grads, axis=0), rtol=TOL, atol=TOL)


def eager_mean_grads(build, leaves, X):
    """The eager engine's gradient of the batch mean of build(x), one example at a time."""
    grads = []
    for row in X:
        for p in leaves:
            p.grad = 0.0
        build(row).backward()
        grads.append([p.grad for p in leaves])
    return np.mean(grads, axis=0)


def test_a_target_that_is_a_parameter_gets_minus_a_minus_y_from_the_folded_tail():
    # ∂/∂y ½(a − y)² = −(a − y): the folded tail must hand the target its share too
    x, w, y = Value(0.0), Value(0.8), Value(0.3)
    tape = compile(quadratic_term([(w * x).tanh()], [y]), inputs=[x], params=[w, y])
    X = np.array([[0.5], [-2.0], [1.25]])
    tape.forward(X)

    def build(row):
        x.data = float(row[0])
        return quadratic_term([(w * x).tanh()], [y])
    np.testing.assert_allclose(tape.backward(), eager_mean_grads(build, [w, y], X),
                               rtol=TOL, atol=TOL)


def test_a_difference_read_elsewhere_is_not_folded_into_the_sum_of_squares():
    x, w = Value(0.0), Value(0.6)
    d = w * x - 1.0
    from micrograd_like import engine
    root = engine.dot([d], [d]) * 0.5 + d.tanh()  # d feeds the square and the tanh
    tape = compile(root, inputs=[x], params=[w])
    assert "-" in [ins.op for ins in tape.instructions]
    X = np.array([[0.5], [2.0]])
    tape.forward(X)

    def build(row):
        x.data = float(row[0])
        dd = w * x - 1.0
        return engine.dot([dd], [dd]) * 0.5 + dd.tanh()
    np.testing.assert_allclose(tape.backward(), eager_mean_grads(build, [w], X),
                               rtol=TOL, atol=TOL)


def test_a_kept_difference_keeps_its_slot():
    x, y, w = Value(0.0), Value(0.0), Value(1.5)
    d = w * x - y
    from micrograd_like import engine
    tape = compile(engine.dot([d], [d]) * 0.5, inputs=[x, y], params=[w], keep=[d])
    tape.forward([[2.0, 1.0], [1.0, 4.0]])
    np.testing.assert_array_equal(tape.value_of(d), [2.0, -2.5])


def test_the_folded_tail_gives_the_eager_bits_of_the_quadratic_cost():
    # the same float operations as a − y, (a − y)², Σ and ½ on Values: equal, not just close
    mlp = MLP(3, [4, 2], activation="sigmoid", output_activation="sigmoid", seed=2)
    root, inputs = example_graph(mlp, "quadratic")
    tape = compile(root, inputs=inputs, params=mlp.parameters())
    rows = np.random.default_rng(3).uniform(-2, 2, size=(6, 5))
    got = tape.forward(rows)
    want = []
    for r in rows:
        out = mlp([Value(v) for v in r[:3]])
        want.append(quadratic_term(out, [Value(v) for v in r[3:]]).data)
    np.testing.assert_array_equal(got, want)
