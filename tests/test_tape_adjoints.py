"""The tape's backward writes each adjoint row with its first contribution and adds the rest.

Instructions are bound to the buffers once per batch size, in backward order, and the first
contribution to an adjoint row writes it outright; only rows added to first are zeroed
before a pass.  Each test builds a graph where that bookkeeping could go wrong (a node read
by several instructions, or twice by one, a kept node off the root's path, a batch size
that changes between steps, several steps in a row) and checks the replayed gradient against
the eager engine's on the same graph, averaged over the examples.
"""

from __future__ import annotations

import numpy as np
import pytest

import micrograd_like as mg
from micrograd_like import Value, dot
from micrograd_like.tape import compile

TOL = 1e-12


def eager_mean_grad(build, X, params):
    grads = np.zeros(len(params))
    for row in X:
        for p in params:
            p.grad = 0.0
        build([Value(float(v)) for v in row]).backward()
        grads += [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return grads / len(X)


def tape_of(build, n_inputs, params, keep=None):
    xs = [Value(0.5) for _ in range(n_inputs)]
    root = build(xs)
    return compile(root, inputs=xs, params=params, keep=[] if keep is None else keep(root, xs))


def data(rows, cols, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(rows, cols))


def test_a_node_read_by_several_instructions_gets_every_contribution():
    w = [Value(0.3), Value(-0.7), Value(1.1)]

    def build(xs):
        h = (xs[0] * w[0]).tanh()  # read by a sigmoid, a product and a sum, at three levels
        return h.sigmoid() + h * w[1] + mg.sum([h, (h * w[2]).exp(), xs[1]])

    X = data(5, 2)
    tape = tape_of(build, 2, w)
    tape.forward(X)
    np.testing.assert_allclose(tape.backward(), eager_mean_grad(build, X, w), rtol=TOL, atol=TOL)


def test_a_weight_matrix_read_again_outside_its_product_gets_both_gradients():
    # z = W x + b for two rows sharing x (one matrix product), and Σ W² read by other ops:
    # ∂C/∂W is the product's G xᵀ added to the square's 2W, whichever writes first
    W = [[Value(0.2), Value(-0.4)], [Value(0.5), Value(0.1)]]
    b = [Value(0.05), Value(-0.3)]
    params = [p for row in W for p in row] + b

    def build(xs):
        zs = [dot(row, xs, plus=c) for row, c in zip(W, b)]
        return mg.sum([z.sigmoid() for z in zs]) + dot(params[:4], params[:4]) * 0.1

    X = data(4, 2, seed=1)
    tape = tape_of(build, 2, params)
    tape.forward(X)
    np.testing.assert_allclose(tape.backward(), eager_mean_grad(build, X, params),
                               rtol=TOL, atol=TOL)


def test_a_node_read_twice_by_one_group_and_once_more_elsewhere():
    w = [Value(0.8), Value(-0.2)]

    def build(xs):
        a, c = xs[0] * w[0], xs[1] * w[1]  # one group
        return dot([a, c], [a, c]) + a * c + (a + 1.0).log()

    X = np.abs(data(6, 2, seed=2))
    tape = tape_of(build, 2, w)
    tape.forward(X)
    np.testing.assert_allclose(tape.backward(), eager_mean_grad(build, X, w), rtol=TOL, atol=TOL)


def test_repeated_steps_and_changing_batch_sizes_carry_no_adjoint_over():
    w = [Value(0.4), Value(-0.9), Value(0.25)]

    def build(xs):
        h = (xs[0] * w[0] + xs[1] * w[1]).tanh()
        return (h - xs[2]) * (h - xs[2]) + h * w[2]

    tape = tape_of(build, 3, w)
    X = data(12, 3, seed=3)
    tape.load(X)
    for rows in ([0, 1, 2], [0, 1, 2], slice(0, 7), [5, 3, 3], slice(0, 12), [4]):
        _, grad = tape.value_and_grad_rows(rows)
        want = eager_mean_grad(build, X[rows], w)
        np.testing.assert_allclose(grad, want, rtol=TOL, atol=TOL, err_msg=str(rows))


@pytest.mark.parametrize("kept", ["off the root's path", "reading the root"])
def test_a_kept_node_adds_nothing_to_the_root_s_gradient(kept):
    w = [Value(0.6), Value(-1.3)]

    def build(xs):
        return (xs[0] * w[0]).sigmoid() * w[1]

    def keep(root, xs):  # computed by the tape, but the gradient is the root's alone
        return [(xs[0] * w[1]).exp() if kept == "off the root's path" else root * w[0]]

    X = data(5, 1, seed=4)
    tape = tape_of(build, 1, w, keep)
    for _ in range(2):
        tape.forward(X)
        np.testing.assert_allclose(tape.backward(), eager_mean_grad(build, X, w),
                                   rtol=TOL, atol=TOL)
