"""The tape's training-loop surface: a data set loaded once, batches replayed by row index,
and a gradient read from the tape's own buffer.

Oracles: :meth:`Tape.forward` on the same rows (checked per call), :meth:`Tape.backward`
with a copy, and the eager engine's ``.grad`` for layers whose gradient the tape writes
outright instead of adding up.
"""

from __future__ import annotations

import numpy as np
import pytest

import micrograd_like as mg
from micrograd_like import Value
from micrograd_like.tape import compile
from nn import MLP, losses
from nn.losses import hinge_term, quadratic_term


def mlp_tape(seed: int = 0, sizes=(4, 5, 3)):
    mlp = MLP(sizes[0], list(sizes[1:]), activation="sigmoid", output_activation="sigmoid",
              seed=seed)
    xs = [Value(0.0) for _ in range(sizes[0] + sizes[-1])]
    out = mlp(xs[: sizes[0]])
    tape = compile(quadratic_term(out, xs[sizes[0]:]), inputs=xs, params=mlp.parameters(),
                   keep=out)
    return mlp, tape


def rows(n: int, width: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, width))


def test_forward_rows_equals_forward_on_the_same_rows():
    _, tape = mlp_tape()
    data = rows(12, len(tape.inputs))
    tape.load(data)
    picked = np.array([7, 0, 3, 3, 11])
    by_rows = tape.forward_rows(picked)
    np.testing.assert_array_equal(by_rows, tape.forward(data[picked]))


def test_forward_rows_accepts_a_slice_and_a_list():
    _, tape = mlp_tape()
    data = rows(6, len(tape.inputs))
    tape.load(data)
    np.testing.assert_array_equal(tape.forward_rows(slice(1, 4)), tape.forward(data[1:4]))
    np.testing.assert_array_equal(tape.forward_rows([5, 2]), tape.forward(data[[5, 2]]))


def test_loaded_data_is_a_copy_so_later_changes_do_not_reach_the_tape():
    _, tape = mlp_tape()
    data = rows(4, len(tape.inputs))
    before = data.copy()
    tape.load(data)
    data[:] = 1e6
    np.testing.assert_array_equal(tape.forward_rows([0, 1]), tape.forward(before[[0, 1]]))


def test_forward_rows_before_load_is_refused():
    _, tape = mlp_tape()
    with pytest.raises(RuntimeError, match=r"call load\(inputs\) first"):
        tape.forward_rows([0])


@pytest.mark.parametrize("bad, message", [
    (np.zeros((3, 2)), r"shape \(examples, 7\), got \(3, 2\)"),
    (np.zeros((0, 7)), r"got \(0, 7\)"),
    (np.zeros(7), r"got \(7,\)"),
])
def test_load_refuses_data_of_the_wrong_shape(bad, message):
    _, tape = mlp_tape()
    with pytest.raises(ValueError, match=message):
        tape.load(bad)


def test_load_names_the_first_non_finite_entry():
    _, tape = mlp_tape()
    data = rows(5, len(tape.inputs))
    data[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"Tape.load: inputs.*example 3.*input 2"):
        tape.load(data)


@pytest.mark.parametrize("rows, message", [
    (np.array([[0, 1], [1, 2]]), "a 1-D index or a slice"),
    (3, "a 1-D index or a slice"),
])
def test_forward_rows_that_are_not_a_list_of_examples_are_refused(rows, message):
    _, tape = mlp_tape()
    tape.load(np.zeros((4, len(tape.inputs))))
    with pytest.raises(ValueError, match=message):
        tape.forward_rows(rows)


def test_forward_rows_out_of_range_names_the_index():
    _, tape = mlp_tape()
    tape.load(np.zeros((4, len(tape.inputs))))
    with pytest.raises(IndexError, match="index 9 is out of bounds"):
        tape.forward_rows([0, 9])


def test_forward_rows_that_select_nothing_are_refused():
    _, tape = mlp_tape()
    tape.load(rows(3, len(tape.inputs)))
    with pytest.raises(ValueError, match="at least one example"):
        tape.forward_rows([])


def test_a_gradient_written_outright_is_the_same_on_every_backward():
    # an MLP's layers are the only readers of their weights, so the tape writes
    # [∂C/∂W | ∂C/∂b] straight into the gradient (no zeroing, no adding); repeated backward
    # passes must not accumulate
    _, tape = mlp_tape()
    tape.forward(rows(8, len(tape.inputs)))
    first = tape.backward()
    np.testing.assert_array_equal(tape.backward(), first)
    np.testing.assert_array_equal(tape.backward(), first)


def eager_mean_grad(root_of, params, data):
    """∂(1/B Σₓ Cₓ)/∂θ by the eager engine, one example at a time."""
    total = np.zeros(len(params))
    for row in data:
        for p in params:
            p.grad = 0.0
        root_of(row).backward()
        total += [p.grad for p in params]
    return total / len(data)


def test_a_layer_that_writes_its_gradient_outright_matches_the_eager_engine():
    mlp, tape = mlp_tape(seed=3)
    data = rows(6, len(tape.inputs), seed=4)
    tape.forward(data)
    got = tape.backward()

    def root_of(row):
        return quadratic_term(mlp([Value(v) for v in row[:4]]), [Value(v) for v in row[4:]])
    np.testing.assert_allclose(got, eager_mean_grad(root_of, mlp.parameters(), data),
                               rtol=1e-12, atol=1e-15)


def test_weights_read_twice_still_add_both_contributions():
    # hinge + α Σ p²: every parameter is read by its layer and by the L2 term, so the
    # layer's product must be added to the L2 term's share, not written over it
    mlp = MLP(3, [4, 1], activation="tanh", seed=5)
    xs = [Value(0.0) for _ in range(4)]
    alpha = 0.25
    root = hinge_term(mlp(xs[:3]), [xs[3]]) + losses.l2(mlp.parameters(), alpha)
    tape = compile(root, inputs=xs, params=mlp.parameters())
    data = np.column_stack([rows(5, 3, seed=6), [1.0, -1.0, 1.0, 1.0, -1.0]])
    tape.forward(data)
    got = tape.backward()

    def root_of(row):
        out = mlp([Value(v) for v in row[:3]])[0]
        return hinge_term([out], [Value(row[3])]) + losses.l2(mlp.parameters(), alpha)
    want = eager_mean_grad(root_of, mlp.parameters(), data)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(tape.backward(), got)  # and no accumulation across calls


def test_a_weight_shared_by_two_neurons_gets_both_contributions():
    w, b1, b2 = Value(0.7), Value(0.1), Value(-0.2)
    x = [Value(0.0), Value(0.0)]
    from micrograd_like import dot
    z1 = dot([w, Value(0.3)], x, plus=b1)   # w is read by both neurons of the layer
    z2 = dot([Value(-0.5), w], x, plus=b2)
    root = (z1.tanh() + z2.tanh()) ** 2
    params = [w, b1, b2]
    tape = compile(root, inputs=x, params=params)
    data = rows(4, 2, seed=7)
    tape.forward(data)

    def root_of(row):
        xv = [Value(v) for v in row]
        return (dot([w, Value(0.3)], xv, plus=b1).tanh()
                + dot([Value(-0.5), w], xv, plus=b2).tanh()) ** 2
    np.testing.assert_allclose(tape.backward(), eager_mean_grad(root_of, params, data),
                               rtol=1e-12, atol=1e-15)


# A first layer multiplies the examples' rows directly (no transposed copy into the tape's
# buffer); the inputs other instructions read are still copied.  These check that every
# reader of an input sees the right example.

def test_an_input_can_be_read_after_forward_even_when_only_a_first_layer_reads_it():
    _, tape = mlp_tape()
    data = rows(5, len(tape.inputs), seed=8)
    tape.forward(data)
    for k in (0, 3, 4, 6):
        np.testing.assert_array_equal(tape.value_of(tape.inputs[k]), data[:, k])


def test_inputs_read_by_a_layer_and_by_another_op_give_the_eager_values_and_gradient():
    from micrograd_like import dot
    x = [Value(0.0) for _ in range(3)]
    w = [Value(0.4), Value(-0.3), Value(0.9)]
    b = Value(0.05)
    def build(xs):  # x₂ feeds the layer and, squared, the output directly
        return (dot(w, xs, plus=b).tanh() + xs[2] * xs[2]) * 1.5
    tape = compile(build(x), inputs=x, params=[*w, b])
    data = rows(4, 3, seed=9)
    got = tape.forward(data)
    want = [build([Value(v) for v in r]).data for r in data]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)

    def root_of(r):
        return build([Value(v) for v in r])
    np.testing.assert_allclose(tape.backward(), eager_mean_grad(root_of, [*w, b], data),
                               rtol=1e-12, atol=1e-15)


def test_a_first_layer_over_a_middle_run_of_the_inputs_reads_those_columns():
    from micrograd_like import dot
    x = [Value(0.0) for _ in range(4)]
    w = [Value(0.5), Value(-1.0)]
    def build(xs):  # the layer reads x₁ and x₂; x₀ and x₃ scale and shift its output
        return dot(w, xs[1:3]).tanh() * xs[0] + xs[3]
    tape = compile(build(x), inputs=x, params=w)
    data = rows(3, 4, seed=10)
    np.testing.assert_allclose(tape.forward(data),
                               [build([Value(v) for v in r]).data for r in data],
                               rtol=1e-14, atol=1e-15)

    def root_of(r):
        return build([Value(v) for v in r])
    np.testing.assert_allclose(tape.backward(), eager_mean_grad(root_of, w, data),
                               rtol=1e-12, atol=1e-15)


def test_changing_the_inputs_after_forward_does_not_change_the_gradient():
    # a first layer reads the batch's rows again in backward: they must be the tape's own
    _, tape = mlp_tape()
    data = rows(6, len(tape.inputs), seed=11)
    tape.forward(data)
    want = tape.backward()
    tape.forward(data)
    data[:] = 0.5  # the caller reuses its array before backward
    np.testing.assert_array_equal(tape.backward(), want)


# -- one call per step, and one error state per loop ---------------------------------------


def test_value_and_grad_rows_is_the_mean_loss_and_gradient_of_forward_rows_then_backward():
    _, tape = mlp_tape(seed=5)
    data = rows(9, len(tape.inputs), seed=12)
    tape.load(data)
    picked = [7, 2, 4]
    losses_each = tape.forward_rows(picked)
    grad = tape.backward()
    loss, got = tape.value_and_grad_rows(picked)
    assert loss == pytest.approx(float(np.mean(losses_each)), rel=1e-15)  # summed otherwise
    np.testing.assert_array_equal(got, grad)


def test_after_a_step_the_cost_of_each_example_is_still_there_to_read():
    # a step computes only the batch mean of the quadratic cost; reading the root fills
    # in the per-example values
    _, tape = mlp_tape(seed=5)
    tape.load(rows(9, len(tape.inputs), seed=12))
    each = tape.forward_rows([3, 8])
    tape.value_and_grad_rows([3, 8])
    np.testing.assert_array_equal(tape.value_of(tape.root), each)
    np.testing.assert_array_equal(tape.values_of([tape.root])[:, 0], each)


def test_a_step_whose_cost_overflows_names_the_example_as_forward_does():
    _, tape = mlp_tape()
    data = rows(3, len(tape.inputs))
    data[1, -1] = 1e200  # (a − y)² = 1e400 for example 1
    tape.load(data)
    with pytest.raises(FloatingPointError, match=r"op 'dot' .* example 1") as by_forward:
        tape.forward_rows([0, 1, 2])
    with pytest.raises(FloatingPointError, match=r"op 'dot' .* example 1") as by_step:
        tape.value_and_grad_rows([0, 1, 2])
    assert str(by_step.value) == str(by_forward.value)


def test_value_and_grad_rows_before_load_is_refused():
    _, tape = mlp_tape()
    with pytest.raises(RuntimeError, match=r"Tape.value_and_grad_rows: call load\(inputs\)"):
        tape.value_and_grad_rows([0])


def exp_tape():
    x, w = Value(0.0), Value(1.0)
    return compile((w * x).exp(), inputs=[x], params=[w])


def test_a_node_that_reads_the_root_does_not_overwrite_backwards_seed():
    # the root's only reader is a kept node; its chain rule must add to ∂C/∂C = 1, not
    # write the kept node's zero adjoint over it
    x, w = Value(0.0), Value(0.3)
    root = (w * x).tanh()
    tape = compile(root, inputs=[x], params=[w], keep=[root.exp()])
    data = np.array([[0.5], [-2.0]])
    tape.forward(data)

    def root_of(r):
        return (w * Value(r[0])).tanh()
    np.testing.assert_allclose(tape.backward(), eager_mean_grad(root_of, [w], data),
                               rtol=1e-14)


# -- moving to new parameters without a copy -------------------------------------------------


def test_adjoints_that_add_up_start_from_zero_on_every_backward():
    # h is read by two ops, so its adjoint is a sum that backward must zero first; the
    # layer's outputs and the tails are read once and are written outright
    x, w = Value(0.0), Value(0.4)
    h = (w * x).tanh()
    root = h * h + h.exp()
    tape = compile(root, inputs=[x], params=[w])
    data = np.array([[0.5], [-1.5], [2.0]])
    tape.forward(data)
    first = tape.backward()

    def root_of(r):
        hh = (w * Value(r[0])).tanh()
        return hh * hh + hh.exp()
    np.testing.assert_allclose(first, eager_mean_grad(root_of, [w], data), rtol=1e-14)
    np.testing.assert_array_equal(tape.backward(), first)
    tape.forward(data)
    np.testing.assert_array_equal(tape.backward(), first)


def test_targets_read_by_the_cost_and_by_another_op_give_the_eager_values_and_gradient():
    # the quadratic tail reads its targets from the batch's rows; another op reads one of
    # them through the tape's rows, which must then hold it
    x, y, w = Value(0.0), Value(0.0), Value(0.7)
    a = (w * x).sigmoid()

    def build(xv, yv):
        return quadratic_term([a if xv is x else (w * xv).sigmoid()], [yv]) + yv * w
    tape = compile(build(x, y), inputs=[x, y], params=[w])
    data = rows(5, 2, seed=14)
    got = tape.forward(data)
    want = [build(Value(r[0]), Value(r[1])).data for r in data]
    np.testing.assert_allclose(got, want, rtol=1e-14)

    def root_of(r):
        return build(Value(r[0]), Value(r[1]))
    np.testing.assert_allclose(tape.backward(), eager_mean_grad(root_of, [w], data),
                               rtol=1e-13)


def test_a_huge_but_finite_gradient_is_returned_not_refused():
    x, w = Value(0.0), Value(3.0)
    tape = compile(w * x, inputs=[x], params=[w])
    tape.load([[1e200], [3e200]])
    _, grad = tape.value_and_grad_rows([0, 1])
    np.testing.assert_allclose(grad, [2e200], rtol=1e-15)


def test_a_matrix_product_of_huge_finite_values_is_not_taken_for_an_overflow():
    # the product's values are checked by one sum first; 2 × 1.5e308 overflows the sum, not Z
    xs = [Value(0.0), Value(0.0)]
    w = [[Value(1.0), Value(0.5)], [Value(0.5), Value(1.0)]]
    zs = [mg.dot(row, xs) for row in w]
    tape = compile(zs[0] * 1e-300 + zs[1] * 1e-300, inputs=xs,
                   params=[p for row in w for p in row], keep=zs)
    tape.forward([[1.0e308, 1.0e308]])
    np.testing.assert_allclose(tape.values_of(zs), [[1.5e308, 1.5e308]], rtol=1e-15)


def test_a_matrix_product_that_overflows_is_still_caught_after_a_sum_check():
    xs = [Value(0.0), Value(0.0)]
    w = [Value(1.0), Value(1.0)]
    tape = compile(mg.dot(w, xs) * 0.5, inputs=xs, params=w)
    with pytest.raises(FloatingPointError, match=r"op 'dot'"):
        tape.forward([[1.0e308, 1.0e308]])
