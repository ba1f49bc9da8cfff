"""The compiled tape replays a scalar graph over a batch exactly as the eager engine would.

The oracle everywhere is the eager engine itself: build the same graph for each example,
call ``backward()``, and average the parameters' ``.grad`` over the examples.  The tape's
per-example values and its gradient of the batch mean must agree to 1e-12.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import micrograd_like as mg
from micrograd_like import Value, dot
from micrograd_like.annotation import annotate
from micrograd_like.tape import DataDependenceError, compile, trace

TOL = 1e-12


def eager(build, X, params):
    """Per-example values and the mean of the parameters' gradients, by the eager engine."""
    values, grads = [], np.zeros(len(params))
    for row in X:
        for p in params:
            p.grad = 0.0
        root = build([Value(float(v)) for v in row])
        root.backward()
        values.append(root.data)
        grads += [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return np.array(values), grads / len(X)


def compiled(build, X, params):
    xs = [Value(float(v)) for v in X[0]]
    return compile(build(xs), inputs=xs, params=params)


def assert_matches_eager(build, X, params):
    tape = compiled(build, X, params)
    values = tape.forward(X)
    grad = tape.backward()
    want_values, want_grad = eager(build, X, params)
    np.testing.assert_allclose(values, want_values, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(grad, want_grad, rtol=TOL, atol=TOL)
    return tape


# --------------------------------------------------------------------------------------
# Every engine op, alone (x an input, w a parameter); arguments kept inside each domain
# --------------------------------------------------------------------------------------

OPS = {
    "+": lambda x, w: x + w,
    "-": lambda x, w: x - w,
    "*": lambda x, w: x * w,
    "/": lambda x, w: x / (w * w + 1.0),
    "neg": lambda x, w: -(x * w),
    "**2": lambda x, w: (x * w) ** 2,
    "**3": lambda x, w: (x + w) ** 3,
    "**-1.5": lambda x, w: (x * x + w * w + 0.5) ** -1.5,
    "**0": lambda x, w: (x * w) ** 0 + x * w,
    "a**b": lambda x, w: (x.softplus() + 0.5) ** w,
    "b**a": lambda x, w: 2.0 ** (x * w),
    "exp": lambda x, w: (x * w).exp(),
    "log": lambda x, w: (x * x + w * w + 0.1).log(),
    "tanh": lambda x, w: (x * w).tanh(),
    "sigmoid": lambda x, w: (x * w).sigmoid(),
    "relu": lambda x, w: (x * w).relu(),
    "abs": lambda x, w: (x - w).abs(),
    "sqrt": lambda x, w: (x * x + w * w + 0.1).sqrt(),
    "softplus": lambda x, w: (x * w * 20.0).softplus(),
    "sin": lambda x, w: (x * w).sin(),
    "cos": lambda x, w: (x * w).cos(),
    "sum": lambda x, w: mg.sum([x, w, x * w, 2.0]),
    "dot": lambda x, w: mg.dot([w, w * w], [x, x * x], plus=w),
    "dot (inputs first)": lambda x, w: mg.dot([x, x * x], [w, 3.0]),
    "dot (mixed sides)": lambda x, w: mg.dot([x, w], [x, x]),
}


@pytest.mark.parametrize("name", list(OPS))
def test_each_op_matches_the_engine_per_example_and_in_mean_gradient(name):
    w = Value(0.7)
    X = np.array([[-1.5], [-0.3], [0.0], [0.4], [2.0]])
    assert_matches_eager(lambda xs: OPS[name](xs[0], w), X, [w])


def test_relu_and_abs_choose_their_branch_per_example():
    w = Value(1.0)
    X = np.array([[-2.0], [3.0]])
    tape = compiled(lambda xs: (xs[0] * w).relu() + (xs[0] * w).abs(), X, [w])
    np.testing.assert_array_equal(tape.forward(X), [2.0, 6.0])   # relu(−2)+|−2|, relu(3)+|3|
    # d/dw = relu'(xw)·x + sign(xw)·x: 0 + 2 at x = −2, 3 + 3 at x = 3; mean (2 + 6) / 2
    np.testing.assert_array_equal(tape.backward(), [4.0])


# --------------------------------------------------------------------------------------
# Random graphs of every op
# --------------------------------------------------------------------------------------


def random_graph(seed: int, n_ops: int = 40):
    """A build function whose graph structure depends on ``seed`` only (never on the data)."""

    def build(xs):
        rng = random.Random(seed)
        pool = list(xs) + PARAMS[seed]
        for _ in range(n_ops):
            a, b = rng.choice(pool), rng.choice(pool[-6:])
            op = rng.choice(sorted(OPS))
            # tanh after each op keeps every operand in (−1, 1): the graph stays well
            # conditioned, so numpy's and libm's last-bit differences in exp, sin, ... stay
            # at the 1e-16 level instead of being amplified (as cos(241.7) would).
            pool.append(OPS[op](a, b).tanh())
        leaves = list(xs) + PARAMS[seed]  # every leaf reaches the root
        return (mg.sum(pool[-5:]) + mg.dot(PARAMS[seed][:2], pool[-7:-5])
                + mg.dot(leaves, [0.1] * len(leaves)))

    return build


PARAMS = {s: [Value(random.Random(100 + s).uniform(-1, 1)) for _ in range(4)] for s in range(12)}


@pytest.mark.parametrize("seed", range(12))
def test_random_graph_matches_the_engine(seed):
    X = np.random.default_rng(seed).uniform(-1.5, 1.5, size=(9, 3))
    assert_matches_eager(random_graph(seed), X, PARAMS[seed])


def test_new_parameter_values_replay_without_rebuilding():
    seed = 3
    params = PARAMS[seed]
    X = np.random.default_rng(0).uniform(-1, 1, size=(6, 3))
    tape = compiled(random_graph(seed), X, params)
    theta = np.array([0.3, -0.2, 0.9, 0.05])
    values = tape.forward(X, theta)
    grad = tape.backward()
    saved = [p.data for p in params]
    try:
        for p, t in zip(params, theta):
            p.data = float(t)
        want_values, want_grad = eager(random_graph(seed), X, params)
    finally:
        for p, s in zip(params, saved):
            p.data = s
    np.testing.assert_allclose(values, want_values, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(grad, want_grad, rtol=TOL, atol=TOL)


def test_pull_params_replays_with_the_values_data_and_push_params_writes_it_back():
    x, w = Value(2.0), Value(3.0)
    tape = compile(x * w, inputs=[x], params=[w])
    w.data = 5.0
    tape.pull_params()  # the Values' numbers into the tape's vector
    assert tape.params_vector.tolist() == [5.0]
    assert tape.forward([[2.0]]).tolist() == [10.0]
    tape.params_vector[:] = [-1.0]
    tape.push_params()  # and back into the Values
    assert w.data == -1.0


def test_gradient_is_of_the_batch_mean_not_the_sum():
    w = Value(2.0)
    tape = compiled(lambda xs: w * xs[0], np.array([[1.0]]), [w])
    tape.forward([[1.0], [2.0], [6.0]])
    assert tape.backward().tolist() == [3.0]  # (1 + 2 + 6) / 3


def test_a_node_used_twice_in_one_group_gets_both_contributions():
    w = Value(0.5)
    # x·x lists x twice; the three products x·w, x·w², x·x share x within one group
    build = lambda xs: mg.sum([xs[0] * xs[0], xs[0] * w, xs[0] * (w * w)])  # noqa: E731
    assert_matches_eager(build, np.array([[1.5], [-0.5]]), [w])


def test_a_shared_input_vector_listing_one_node_twice():
    ws = [[Value(0.1 * (j + k)) for k in range(3)] for j in range(4)]
    params = [w for row in ws for w in row]

    def build(xs):
        layer = [mg.dot(row, [xs[0], xs[0], xs[1]]).tanh() for row in ws]
        return mg.sum(layer)

    assert_matches_eager(build, np.array([[1.0, -2.0], [0.5, 0.25]]), params)


def test_a_plus_chain_runs_as_one_sum():
    ps = [Value(0.01 * k) for k in range(200)]

    def build(xs):
        total = xs[0]
        for p in ps:
            total = total + p * xs[0]
        return total

    tape = assert_matches_eager(build, np.array([[1.0], [3.0]]), ps)
    assert [ins.op for ins in tape.instructions] == ["*", "sum"]


def test_parameter_only_nodes_are_computed_once_not_per_example():
    w = Value(0.5)
    tape = compiled(lambda xs: xs[0] * w + w * w * 3.0, np.array([[1.0]]), [w])
    invariant = [ins.op for ins in tape.instructions if not ins.varying]
    assert invariant == ["*", "*"]  # w·w and (w·w)·3


def test_root_that_depends_on_parameters_only():
    w = Value(3.0)
    x = Value(1.0)
    tape = compile((x * 0.0 + 1.0) * 0.0 + w * w, inputs=[x], params=[w])
    np.testing.assert_array_equal(tape.forward([[5.0], [6.0]]), [9.0, 9.0])
    assert tape.backward().tolist() == [6.0]


def test_value_of_returns_a_node_for_every_example():
    x, w = Value(0.0), Value(2.0)
    hidden = (w * x).tanh()
    tape = compile(hidden * hidden, inputs=[x], params=[w])
    tape.forward([[0.5], [-1.0]])
    np.testing.assert_allclose(tape.value_of(hidden), np.tanh([1.0, -2.0]), rtol=TOL)


# --------------------------------------------------------------------------------------
# Bad input gets a specific error
# --------------------------------------------------------------------------------------


def test_an_input_that_is_not_a_leaf_is_refused():
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(ValueError, match=r"input 0 .* is not a leaf: it was made by op '\*'"):
        compile(y + 1.0, inputs=[y], params=[])


def test_an_input_outside_the_graph_is_refused():
    x, other = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match=r"input 1 .* is not a leaf of this graph"):
        compile(x * 2.0, inputs=[x, other], params=[])


def test_a_param_outside_the_graph_is_refused():
    x, w = Value(1.0), Value(2.0)
    with pytest.raises(ValueError, match=r"param 0 .* is not a leaf of this graph"):
        compile(x * 2.0, inputs=[x], params=[w])


def test_a_value_declared_twice_is_refused():
    x = Value(1.0)
    with pytest.raises(ValueError, match="declared twice"):
        compile(x * x, inputs=[x], params=[x])


def test_an_undeclared_leaf_annotated_as_input_is_refused():
    x, x2 = Value(1.0), annotate(Value(2.0), kind="input", role="input", name="x2")
    with pytest.raises(DataDependenceError, match="annotated as an input"):
        compile(x * x2, inputs=[x], params=[])


def test_an_undeclared_leaf_annotated_as_a_weight_is_refused():
    x, w = Value(1.0), annotate(Value(2.0), kind="parameter", role="weight", name="w")
    with pytest.raises(ValueError, match=r"annotated as a parameter"):
        compile(x * w, inputs=[x], params=[])


def test_a_leaf_with_a_foreign_tag_is_a_constant_to_the_tape():
    x, c = Value(1.0), Value(2.0)
    c.tag = ("x", 1)  # not an Annotation: the tape gives it no meaning
    tape = compile(x * c, inputs=[x], params=[])
    assert tape.forward([[3.0]]).tolist() == [6.0]


def test_forward_checks_the_shape_of_the_batch():
    x = Value(1.0)
    tape = compile(x * 2.0, inputs=[x], params=[])
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch, 1\), got \(3,\)"):
        tape.forward([1.0, 2.0, 3.0])


def test_backward_before_forward_is_refused():
    x = Value(1.0)
    with pytest.raises(RuntimeError, match="call forward"):
        compile(x * 2.0, inputs=[x], params=[]).backward()


def test_an_undefined_value_in_replay_names_the_op_and_example():
    x = Value(1.0)
    tape = compile(x.log() * 2.0, inputs=[x], params=[])
    with pytest.raises(FloatingPointError, match=r"op 'log' gave a non-finite value for example 1"):
        tape.forward([[1.0], [-1.0]])


# --------------------------------------------------------------------------------------
# trace: the graph built by a function, with the data-dependence checks
# --------------------------------------------------------------------------------------


def test_trace_compiles_the_same_tape_as_compile():
    seed = 5
    X = np.random.default_rng(1).uniform(-1, 1, size=(4, 3))
    tape = trace(random_graph(seed), X, PARAMS[seed])
    want_values, want_grad = eager(random_graph(seed), X, PARAMS[seed])
    np.testing.assert_allclose(tape.forward(X), want_values, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(tape.backward(), want_grad, rtol=TOL, atol=TOL)


def test_trace_refuses_a_value_comparison_while_building():
    w = Value(1.0)

    def build(xs):
        return xs[0] * w if xs[0] > 0 else -xs[0] * w

    with pytest.raises(DataDependenceError, match=r"Value comparison .* > 0"):
        trace(build, [[1.0]], [w])


def test_comparisons_work_again_after_tracing():
    trace(lambda xs: xs[0] * 2.0, [[1.0]], [])
    assert Value(1.0) < Value(2.0)


def test_trace_detects_a_branch_on_data_that_changes_a_constant():
    w = Value(1.0)

    def build(xs):
        return xs[0] * w * (2.0 if xs[0].data > 0 else 3.0)

    with pytest.raises(DataDependenceError, match=r"constant leaf .* is 2.0 for example 0 but 3.0"):
        trace(build, [[1.0], [-1.0]], [w])


def test_trace_detects_a_branch_on_data_that_changes_the_structure():
    w = Value(1.0)

    def build(xs):
        z = xs[0] * w
        return z.tanh() if xs[0].data > 0 else z.sigmoid()

    with pytest.raises(DataDependenceError, match="structure depends on the data"):
        trace(build, [[1.0], [-1.0]], [w])


def test_trace_accepts_elementwise_branches():
    w = Value(1.0)
    tape = trace(lambda xs: (xs[0] * w).relu(), [[1.0], [-1.0]], [w])
    np.testing.assert_array_equal(tape.forward([[2.0], [-2.0]]), [2.0, 0.0])


# --------------------------------------------------------------------------------------
# Non-finite numbers: refused at the door, caught inside the replay as the eager engine does
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")])
def test_a_non_finite_input_is_refused_naming_the_example_and_input(bad):
    x, y = Value(0.0), Value(0.0)
    tape = compile((x * y).tanh(), inputs=[x, y], params=[])
    with pytest.raises(ValueError, match=r"inputs must be finite, got .* at example 1, input 0"):
        tape.forward([[1.0, 2.0], [bad, 1.0]])


def test_an_overflow_hidden_by_a_saturating_tanh_is_caught_like_the_eager_engine():
    with pytest.raises(OverflowError):  # the eager engine, for the same example
        Value(1e308) + Value(1e308)
    x = Value(1.0)
    tape = compile((x + x).tanh(), inputs=[x], params=[])
    with pytest.raises(FloatingPointError, match=r"gave a non-finite value for example 1"):
        tape.forward([[1.0], [1e308]])  # tanh(inf) would be a finite-looking 1.0


def test_an_overflow_inside_a_matrix_product_is_caught():
    x, w = Value(0.0), Value(1e200)
    x.tag = ("x", 0)
    tape = compile(dot([w], [x]).tanh(), inputs=[x], params=[w])
    with pytest.raises(FloatingPointError, match=r"op 'dot'"):
        tape.forward([[1e200]])


def test_nan_under_a_power_zero_is_caught_at_the_op_that_made_it():
    x = Value(2.0)
    with pytest.raises(ValueError):  # the eager engine: log of a negative number
        Value(-1.0).log() ** 0
    tape = compile(x.log() ** 0, inputs=[x], params=[])
    with pytest.raises(FloatingPointError, match=r"op 'log' gave a non-finite value for example 0"):
        tape.forward([[-1.0]])  # log(−1) is NaN, and NaN ** 0 would be a clean 1.0


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_a_non_finite_params_vector_is_refused_and_not_kept(bad):
    x, w = Value(1.0), Value(3.0)
    tape = compile(w * x, inputs=[x], params=[w])
    with pytest.raises(ValueError, match=r"params must be finite, got .* at param 0"):
        tape.forward([[2.0]], params=[bad])
    assert tape.forward([[2.0]]).tolist() == [6.0]  # still w = 3


def test_a_params_vector_that_overflows_the_replay_is_not_kept():
    x, w = Value(1.0), Value(3.0)
    tape = compile((w * x).exp(), inputs=[x], params=[w])
    with pytest.raises(FloatingPointError, match=r"op 'exp'"):
        tape.forward([[2.0]], params=[1000.0])
    assert tape.params_vector.tolist() == [3.0]
    assert tape.forward([[1.0]]).tolist() == [pytest.approx(np.exp(3.0), rel=1e-15)]


def test_an_overflow_in_the_chain_rule_is_caught_in_backward():
    x, w = Value(1.0), Value(7e-8)
    tape = compile((w * x).exp(), inputs=[x], params=[w])  # ∂/∂w = e^(wx)·x
    assert np.isfinite(tape.forward([[1e10]])).all()  # e⁷⁰⁰ ≈ 1e304 is finite
    with pytest.raises(FloatingPointError, match=r"chain rule overflowed .* op '\*'"):
        tape.backward()  # but 1e304 · 1e10 is not


def test_sigmoid_far_below_zero_is_tiny_on_the_tape_not_an_overflow():
    # e⁻ᶻ overflows below z = −709.78; the tape caps the exponent there, where σ(z) is
    # below 1.2e−308 (the eager engine's eᶻ/(1 + eᶻ) gives such a value, or 0)
    x, w = Value(0.0), Value(1.0)
    tape = compile((w * x).sigmoid(), inputs=[x], params=[w])
    zs = [-800.0, -710.0, -30.0, 0.0, 30.0]
    got = tape.forward([[z] for z in zs])
    want = [(Value(z)).sigmoid().data for z in zs]
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=1.3e-308)
    assert got[0] > 0.0 and got[1] > 0.0
    tape.backward()  # σ′ = σ(1 − σ) stays finite


def test_logsumexp_replays_with_the_eager_value_and_a_softmax_gradient():
    # value: ln Σ eᶻ against numpy with the max taken out; ∂/∂θ through z = θ·x: Σₖ softmaxₖ·xₖ
    theta = Value(0.5)
    xs = [Value(0.0) for _ in range(3)]
    tape = compile(mg.apply("logsumexp", *[theta * x for x in xs]), inputs=xs, params=[theta])
    X = np.array([[1.0, 2.0, 3.0], [1500.0, 0.0, -4.0]])
    Z = 0.5 * X
    top = Z.max(axis=1, keepdims=True)
    lse = (top + np.log(np.exp(Z - top).sum(axis=1, keepdims=True)))[:, 0]
    np.testing.assert_allclose(tape.forward(X), lse, rtol=1e-15)
    softmax = np.exp(Z - lse[:, None])
    np.testing.assert_allclose(tape.backward(), [(softmax * X).sum(axis=1).mean()], rtol=1e-14)
    h = 1e-6  # and a central difference on the first example
    f = [tape.forward(X[:1], [t])[0] for t in (0.5 + h, 0.5 - h)]
    tape.forward(X[:1], [0.5])
    assert tape.backward()[0] == pytest.approx((f[0] - f[1]) / (2 * h), rel=1e-8)
