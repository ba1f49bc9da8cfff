"""nn.Module, Neuron, Layer, MLP and Trace: construction, forward pass, tags, δ, matrices."""

from __future__ import annotations

import itertools
import random
import re

import numpy as np
import pytest

from micrograd_like import Value, gradcheck, no_grad
from micrograd_like.annotation import annotation_of, text_of
from nn import MLP, Layer, Module, Neuron, Trace, losses

ACTS = ["sigmoid", "tanh", "relu", "linear"]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


NP_ACT = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0),
          "linear": lambda z: z}


def numpy_forward(ws, bs, x, act, out_act):
    """Independent forward pass a = σ(W a + b), layer by layer (numpy)."""
    a = np.asarray(x, dtype=float)
    for i, (w, b) in enumerate(zip(ws, bs)):
        f = NP_ACT[out_act if i == len(ws) - 1 else act]
        a = f(w @ a + b)
    return a


def random_matrices(sizes, seed):
    r = np.random.default_rng(seed)
    ws = [r.uniform(-1, 1, size=(m, n)) for n, m in itertools.pairwise(sizes)]
    bs = [r.uniform(-1, 1, size=m) for m in sizes[1:]]
    return ws, bs


# --------------------------------------------------------------------------------------
# Construction
# --------------------------------------------------------------------------------------


def test_repr_shows_widths_activations_and_parameter_count():
    # 337 = (2·16 + 16) + (16·16 + 16) + (16·1 + 1), counted by hand
    assert repr(MLP(2, [16, 16, 1], activation="relu")) == (
        "MLP(2 → 16 relu → 16 relu → 1 linear, 337 parameters)"
    )


def test_layer_and_neuron_reprs_are_readable():
    mlp = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid")
    assert repr(mlp.layers[1]) == "Layer(4 → 2 sigmoid)"
    assert repr(mlp.layers[0].neurons[0]) == "Neuron(3 inputs, tanh)"


def test_defaults_are_sigmoid_hidden_and_linear_output():
    assert MLP(2, [3, 4, 1]).activations == ["sigmoid", "sigmoid", "linear"]


def test_sizes_lists_input_and_every_layer_width():
    assert MLP(5, [4, 3, 2]).sizes == [5, 4, 3, 2]


def test_same_seed_gives_same_weights():
    a, b = MLP(3, [4, 2], seed=7).to_matrices(), MLP(3, [4, 2], seed=7).to_matrices()
    for x, y in zip(a[0] + a[1], b[0] + b[1]):
        assert np.array_equal(x, y)


def test_different_seeds_give_different_weights():
    a, b = MLP(3, [4, 2], seed=7).to_matrices(), MLP(3, [4, 2], seed=8).to_matrices()
    assert not np.array_equal(a[0][0], b[0][0])


def test_rng_argument_is_the_same_stream_as_seed():
    a = MLP(3, [4, 2], rng=random.Random(5)).to_matrices()[0]
    b = MLP(3, [4, 2], seed=5).to_matrices()[0]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_initialisation_leaves_the_global_random_state_alone():
    random.seed(123)
    before = random.getstate()
    MLP(3, [4, 2], seed=1)
    assert random.getstate() == before


def test_initial_weights_are_uniform_in_minus_one_one_and_biases_zero():
    ws, bs = MLP(10, [50, 50], seed=3).to_matrices()
    w = np.concatenate([m.ravel() for m in ws])
    assert np.all(np.abs(w) <= 1.0) and w.min() < -0.9 and w.max() > 0.9
    assert all(np.all(b == 0.0) for b in bs)


def test_parameters_are_layer_by_layer_neuron_by_neuron_weights_then_bias():
    mlp = MLP(2, [2, 1])
    names = [text_of(annotation_of(p).name, "zero-based") for p in mlp.parameters()]
    assert names == [
        "w[0][0][0]", "w[0][0][1]", "b[0][0]",
        "w[0][1][0]", "w[0][1][1]", "b[0][1]",
        "w[1][0][0]", "w[1][0][1]", "b[1][0]",
    ]


def test_zero_grad_resets_every_parameter():
    mlp = MLP(2, [3, 1])
    mlp([1.0, 2.0])[0].backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_module_base_has_no_parameters():
    assert Module().parameters() == [] and Module().num_parameters() == 0


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: MLP(2, [3], activation="softmax"), ValueError, "activation 'softmax'"),
        (lambda: MLP(2, [3], output_activation="Relu"), ValueError, "output_activation"),
        (lambda: MLP(0, [3]), ValueError, "nin"),
        (lambda: MLP(2, [3, 0]), ValueError, "nouts[1]"),
        (lambda: MLP(2, [3, 2.5]), TypeError, "nouts[1]"),
        (lambda: MLP(True, [3]), TypeError, "nin"),
        (lambda: MLP(2, []), TypeError, "nouts"),
        (lambda: MLP(2, 3), TypeError, "nouts"),
        (lambda: MLP(2, [3], z="fast"), ValueError, "z mode"),
        (lambda: MLP(2, [3], seed=1.5), TypeError, "seed"),
        (lambda: MLP(2, [3], rng=np.random.default_rng(0)), TypeError, "rng"),
        (lambda: Neuron(2, activation="gelu"), ValueError, "gelu"),
        (lambda: Layer(2, -1), ValueError, "nout"),
    ],
)
def test_bad_construction_arguments_raise_naming_the_argument(make, error, words):
    with pytest.raises(error, match=re.escape(words)):
        make()


# --------------------------------------------------------------------------------------
# Forward pass
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("out_act", ACTS)
def test_forward_matches_an_independent_numpy_forward(act, out_act):
    ws, bs = random_matrices([3, 4, 5, 2], seed=1)
    x = [0.3, -1.2, 0.7]
    mlp = MLP.from_matrices(ws, bs, activation=act, output_activation=out_act)
    got = [a.data for a in mlp(x)]
    np.testing.assert_allclose(got, numpy_forward(ws, bs, x, act, out_act), rtol=1e-14,
                               atol=1e-15)


def test_call_always_returns_a_list_even_for_one_output():
    out = MLP(2, [3, 1])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)


def test_call_accepts_values_numbers_and_numpy_arrays_alike():
    mlp = MLP(2, [3, 1], seed=2)
    a = mlp([0.5, -1.0])[0].data
    assert mlp(np.array([0.5, -1.0]))[0].data == a
    assert mlp([Value(0.5), -1])[0].data == a


@pytest.mark.parametrize("x", [[1.0], [1.0, 2.0, 3.0], []])
def test_input_of_wrong_length_raises_value_error(x):
    with pytest.raises(ValueError, match="expected an input of length 2"):
        MLP(2, [3, 1])(x)


@pytest.mark.parametrize("x, error", [("ab", TypeError), (3.0, TypeError),
                                      ([1.0, "a"], TypeError), ([1.0, float("nan")], ValueError)])
def test_input_of_wrong_type_raises(x, error):
    with pytest.raises(error):
        MLP(2, [3, 1])(x)


def test_neuron_and_layer_can_be_used_on_their_own():
    n = Neuron(2, activation="linear")
    n.w[0].data, n.w[1].data, n.b.data = 2.0, -1.0, 0.5
    assert n([3.0, 4.0]).data == 2.0 * 3.0 - 1.0 * 4.0 + 0.5
    layer = Layer(2, 3, activation="relu")
    assert len(layer([1.0, 2.0])) == 3 and len(layer.parameters()) == 9


def test_weighted_input_is_one_dot_node_with_w_then_x_then_b_parents():
    mlp = MLP(2, [1], output_activation="linear")
    x = [Value(1.0), Value(2.0)]
    z = mlp(x)[0]
    n = mlp.layers[0].neurons[0]
    assert z.op == "dot"
    assert list(z.parents) == [*n.w, *x, n.b]


def test_elementary_z_is_built_from_mul_and_add_nodes():
    z = MLP(3, [1], output_activation="linear", z="elementary")([1.0, 2.0, 3.0])[0]
    assert z.op == "+" and {p.op for p in z.parents} == {"+", ""}


def forward_and_backward(z_mode, act, out_act, seed):
    ws, bs = random_matrices([3, 5, 4, 2], seed)
    mlp = MLP.from_matrices(ws, bs, activation=act, output_activation=out_act, z=z_mode)
    X = np.random.default_rng(seed + 100).normal(size=(4, 3))
    Y = np.random.default_rng(seed + 200).normal(size=(4, 2))
    inputs = [[Value(v) for v in row] for row in X.tolist()]
    C = losses.quadratic([mlp(x) for x in inputs], Y)
    C.backward()
    return C.data, [p.grad for p in mlp.parameters()], [v.grad for row in inputs for v in row]


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dot_and_elementary_z_give_bit_identical_values_and_gradients(act, seed):
    assert forward_and_backward("dot", act, "sigmoid", seed) == forward_and_backward(
        "elementary", act, "sigmoid", seed
    )


def test_input_gradients_pass_gradcheck():
    mlp = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=4)

    def f(*xs):
        a = mlp(list(xs))
        return a[0] * a[1] + a[0]

    report = gradcheck(f, [0.2, -0.5, 0.9])
    assert report.ok, str(report)


# --------------------------------------------------------------------------------------
# Tags and the trace
# --------------------------------------------------------------------------------------


def _role_and_name(v: Value, notation: str = "nielsen") -> tuple[str, str]:
    note = annotation_of(v)
    return note.role, text_of(note.name, notation)


def test_trace_annotates_inputs_zs_activations_and_parameters_in_nielsens_notation():
    # Nielsen: the input is layer 1, so mlp.layers[0] is layer 2 and neuron j is j + 1
    mlp = MLP(2, [3, 1], activation="tanh")
    t = mlp.trace([1.0, 2.0])
    assert [_role_and_name(v) for v in t.inputs] == [("input", "x₁"), ("input", "x₂")]
    assert [_role_and_name(z) for z in t.zs[0]] == [("z", "z²₁"), ("z", "z²₂"), ("z", "z²₃")]
    assert [_role_and_name(a) for a in t.activations[0]] == [("a", "a²₁"), ("a", "a²₂"),
                                                             ("a", "a²₃")]
    # w³₁₃: to neuron 1 of layer 3 from neuron 3 of layer 2
    assert _role_and_name(mlp.layers[1].neurons[0].w[2]) == ("weight", "w³₁₃")
    assert _role_and_name(mlp.layers[1].neurons[0].b) == ("bias", "b³₁")
    assert _role_and_name(mlp.layers[1].neurons[0].w[2], "zero-based") == ("weight",
                                                                           "w[1][0][2]")


def test_parameters_and_inputs_are_marked_by_kind_for_the_tape_and_drawings():
    mlp = MLP(2, [2, 1], activation="tanh")
    t = mlp.trace([1.0, 2.0])
    assert {annotation_of(p).kind for p in mlp.parameters()} == {"parameter"}
    assert [annotation_of(x).kind for x in t.inputs] == ["input", "input"]
    assert {annotation_of(v).kind for v in t.zs[0] + t.activations[0]} == {""}


def test_a_z_is_named_delta_only_under_a_cost_root():
    t = MLP(2, [3, 1], activation="tanh").trace([1.0, 2.0])
    grad_names = annotation_of(t.zs[1][0]).grad_names
    assert set(grad_names) == {"cost"} and text_of(grad_names["cost"], "nielsen") == "δ³₁"


def test_trace_does_not_annotate_values_you_pass_in():
    x = Value(1.0, label="mine")
    t = MLP(2, [1]).trace([x, 2.0])
    assert x.tag is None and x.label == "mine" and t.inputs[0] is x
    assert _role_and_name(t.inputs[1], "zero-based") == ("input", "x[1]")


def test_deltas_before_any_backward_raise_instead_of_returning_zeros():
    t = MLP(2, [3, 1]).trace([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"no backward\(\) has reached zs\[0\]\[0\]"):
        t.deltas()


def test_deltas_that_are_truly_zero_after_backward_are_returned():
    # hinge with the margin met: C = max(0, 1 − y·a) = 0, so every δ is exactly 0
    mlp = MLP.from_matrices([[[0.0]]], [[5.0]])
    t = mlp.trace([1.0])
    losses.hinge([t.outputs], [1]).backward()
    assert t.deltas() == [[0.0]]


def test_deltas_name_the_z_no_backward_reached():
    t = MLP(1, [2, 2]).trace([1.0])
    t.outputs[0].backward()  # reaches both hidden z and the first output's z only
    with pytest.raises(RuntimeError, match=r"zs\[1\]\[1\]"):
        t.deltas()


def test_trace_z_nodes_are_single_nodes_feeding_the_activations():
    t = MLP(2, [3, 2], activation="sigmoid", output_activation="linear").trace([1.0, -1.0])
    for z, a in zip(t.zs[0], t.activations[0]):
        assert z.op == "dot" and a.op == "sigmoid" and a.parents == (z,)
    assert t.activations[1] == t.zs[1]  # linear: a is z itself
    assert t.outputs is t.activations[-1]


def test_trace_outputs_equal_the_plain_forward_pass():
    mlp = MLP(3, [4, 2], activation="relu", seed=9)
    x = [0.1, 0.2, -0.3]
    assert [a.data for a in mlp.trace(x).outputs] == [a.data for a in mlp(x)]


def test_trace_shapes_and_repr():
    t = MLP(3, [4, 2]).trace([0.0, 0.0, 0.0])
    assert isinstance(t, Trace) and repr(t) == "Trace(3 inputs, layers of 4, 2)"
    losses.quadratic([t.outputs], [[0.0, 0.0]]).backward()
    assert [len(d) for d in t.deltas()] == [4, 2]


def test_output_delta_is_bp1_for_quadratic_cost_and_linear_output():
    # BP1 with a linear output: δᴸ = ∇ₐC ⊙ 1 = a − y for one example (hand derivation)
    mlp = MLP(2, [3, 2], activation="tanh", seed=1)
    t = mlp.trace([0.4, -0.6])
    y = [0.25, -0.5]
    losses.quadratic([t.outputs], [y]).backward()
    assert t.deltas()[-1] == [a.data - yj for a, yj in zip(t.outputs, y)]


def cost_with_bias(ws, bs, x, y, act, out_act, layer, j, shift):
    """C = ½‖y − a‖² for one example with bˡⱼ shifted, by the independent numpy forward."""
    bs = [b.copy() for b in bs]
    bs[layer][j] += shift
    a = numpy_forward(ws, bs, x, act, out_act)
    return 0.5 * float(np.sum((np.asarray(y) - a) ** 2))


@pytest.mark.parametrize("act, out_act", [("sigmoid", "linear"), ("tanh", "sigmoid"),
                                          ("sigmoid", "tanh"), ("relu", "linear")])
def test_trace_deltas_equal_finite_differences_of_the_cost_in_each_bias(act, out_act):
    # ∂C/∂bˡⱼ = δˡⱼ (BP3): a central difference in the bias is an independent oracle for δ.
    ws, bs = random_matrices([3, 4, 3, 2], seed=11)
    x, y = [0.5, -0.3, 0.8], [0.2, -0.1]
    mlp = MLP.from_matrices(ws, bs, activation=act, output_activation=out_act)
    t = mlp.trace(x)
    losses.quadratic([t.outputs], [y]).backward()
    h = 1e-6
    for layer, deltas in enumerate(t.deltas()):
        for j, delta in enumerate(deltas):
            plus = cost_with_bias(ws, bs, x, y, act, out_act, layer, j, h)
            minus = cost_with_bias(ws, bs, x, y, act, out_act, layer, j, -h)
            assert delta == pytest.approx((plus - minus) / (2 * h), abs=1e-8)


# --------------------------------------------------------------------------------------
# Matrices in and out
# --------------------------------------------------------------------------------------


def test_to_matrices_returns_what_from_matrices_was_given():
    ws, bs = random_matrices([3, 4, 2], seed=5)
    got_w, got_b = MLP.from_matrices(ws, bs).to_matrices()
    assert all(np.array_equal(a, b) and a.dtype == np.float64 for a, b in zip(got_w, ws))
    assert all(np.array_equal(a, b) for a, b in zip(got_b, bs))


def test_from_matrices_accepts_nested_lists_and_column_biases():
    mlp = MLP.from_matrices([[[1.0, 2.0]]], [[[0.5]]], output_activation="linear")
    assert mlp([1.0, 1.0])[0].data == 1.0 + 2.0 + 0.5


def test_from_matrices_copies_the_numbers():
    ws, bs = random_matrices([2, 2], seed=0)
    mlp = MLP.from_matrices(ws, bs)
    ws[0][0, 0] = 99.0
    assert mlp.layers[0].neurons[0].w[0].data != 99.0


@pytest.mark.parametrize(
    "weights, biases, error, words",
    [
        ([], [], ValueError, "empty"),
        ([np.ones((2, 3))], [], ValueError, "1 weight matrices but 0 bias"),
        ([np.ones((2, 3)), np.ones((1, 3))], [np.ones(2), np.ones(1)], ValueError,
         "expected (1, 2)"),
        ([np.ones((2, 3))], [np.ones(3)], ValueError, "biases[0] must have shape (2,)"),
        ([np.ones(3)], [np.ones(1)], ValueError, "2-D"),
        ([np.array([[1.0, np.nan]])], [np.ones(1)], ValueError, "non-finite"),
        ([[["a", "b"]]], [[1.0]], TypeError, "real numbers"),
        ([[[1.0, 2.0], [3.0]]], [[1.0, 2.0]], ValueError, "rectangular"),
        (np.ones((1, 2, 2)), [np.ones(2)], TypeError, "list"),
    ],
)
def test_from_matrices_rejects_bad_shapes_and_types(weights, biases, error, words):
    with pytest.raises(error, match=re.escape(words)):
        MLP.from_matrices(weights, biases)


def test_from_augmented_reads_the_wikis_bias_row_first_layout():
    r = np.random.default_rng(2)
    hidden, output = r.uniform(-1, 1, (4, 3)), r.uniform(-1, 1, (4, 1))
    x = np.array([1.0, 0.0, 1.0])
    # the wiki's own forward pass: prepend the constant input 1, multiply, sigmoid, repeat
    o1 = np.hstack([1.0, sigmoid(np.hstack([1.0, x]) @ hidden)])
    expected = o1 @ output
    mlp = MLP.from_augmented([hidden, output], "sigmoid", "linear")
    assert mlp.sizes == [3, 3, 1]
    assert mlp(x)[0].data == pytest.approx(expected[0], rel=1e-14)


def test_from_augmented_rejects_a_matrix_without_a_bias_row():
    with pytest.raises(ValueError, match="bias row first"):
        MLP.from_augmented([np.ones((1, 3))])


def test_no_grad_forward_builds_no_graph():
    with no_grad():
        out = MLP(2, [3, 1])([1.0, 2.0])[0]
    assert out.is_leaf
