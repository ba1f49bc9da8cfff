"""nn.analytic, checked against central finite differences of its own cost (numpy only).

The oracle here is the definition of a derivative: (C(θ + h) − C(θ − h)) / 2h.
"""

import itertools
import zlib

import numpy as np
import pytest

from nn import analytic as an

ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]

# (cost, output activation, how to make targets) for each cost; hidden activations vary freely
COST_CASES = [
    ("quadratic", "linear"),
    ("quadratic", "sigmoid"),
    ("quadratic", "tanh"),
    ("quadratic", "relu"),
    ("cross_entropy", "sigmoid"),
    ("softmax_cross_entropy", "linear"),
    ("softmax_cross_entropy", "tanh"),
    ("hinge", "linear"),
    ("hinge", "tanh"),
]


def random_network(rng, sizes):
    weights = [rng.normal(0.0, 0.8, (n, m)) for m, n in itertools.pairwise(sizes)]
    biases = [rng.normal(0.0, 0.5, n) for n in sizes[1:]]
    return weights, biases


def random_targets(rng, cost, n_examples, n_out):
    if cost == "softmax_cross_entropy":
        return [int(c) for c in rng.integers(0, n_out, n_examples)]
    if cost == "hinge":
        return [float(s) for s in rng.choice([-1.0, 1.0], n_examples)]
    return list(rng.uniform(0.05, 0.95, (n_examples, n_out)))


def central_difference(f, arrays, h=1e-6):
    """∂f/∂θ for every entry θ of every array, by (f(θ + h) − f(θ − h)) / 2h."""
    grads = []
    for arr in arrays:
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + h
            up = f()
            arr[idx] = old - h
            down = f()
            arr[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads


# --------------------------------------------------------------------------------------
# Activations and their derivatives
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_prime_matches_finite_difference(name):
    z = np.array([-3.1, -0.7, -0.2, 0.3, 1.4, 4.2])  # away from relu's kink at 0
    h = 1e-6
    numeric = (an.activate(name, z + h) - an.activate(name, z - h)) / (2 * h)
    assert np.allclose(an.activation_prime(name, z), numeric, atol=1e-8)


def test_relu_prime_at_zero_is_zero():
    assert an.relu_prime(np.array([0.0]))[0] == 0.0


def test_sigmoid_prime_is_the_wikis_o_times_one_minus_o():
    z = np.linspace(-5, 5, 11)
    o = 1.0 / (1.0 + np.exp(-z))  # the wiki's output o = σ(z), computed directly
    assert np.allclose(an.sigmoid_prime(z), o * (1 - o), rtol=1e-14, atol=0)


def test_sigmoid_does_not_overflow_for_large_negative_input():
    with np.errstate(over="raise"):
        s = an.sigmoid(np.array([-1000.0, 1000.0]))
    assert s.tolist() == [0.0, 1.0]


# --------------------------------------------------------------------------------------
# Costs: ∇ₐC against finite differences of Cₓ
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cost, a, y",
    [
        ("quadratic", [0.3, -1.2, 2.0], [0.0, 1.0, 1.5]),
        ("cross_entropy", [0.3, 0.8, 0.55], [0.0, 1.0, 0.4]),
        ("softmax_cross_entropy", [0.3, -1.2, 2.0], 1),
        ("hinge", [0.3], -1.0),
        ("hinge", [0.3], 1.0),
    ],
)
def test_cost_derivative_matches_finite_difference(cost, a, y):
    a = np.array(a)
    h = 1e-6
    numeric = np.array(
        [
            (an.cost_value(cost, a + h * e, y) - an.cost_value(cost, a - h * e, y)) / (2 * h)
            for e in np.eye(len(a))
        ]
    )
    assert np.allclose(an.cost_derivative(cost, a, y), numeric, atol=1e-8)


def test_cross_entropy_with_sigmoid_output_gives_delta_a_minus_y():
    # The famous cancellation: σ′(z) = a(1 − a) cancels ∇ₐC's denominator, so δᴸ = a − y.
    rng = np.random.default_rng(3)
    w, b = random_network(rng, [3, 4, 2])
    x, y = rng.normal(size=3), np.array([0.0, 1.0])
    _, acts = an.forward(w, b, x, "tanh", "sigmoid")
    _, _, deltas = an.backprop(w, b, x, y, "cross_entropy", "tanh", "sigmoid")
    assert np.allclose(deltas[-1], acts[-1] - y, rtol=1e-13, atol=1e-15)


def test_softmax_cross_entropy_with_linear_output_gives_softmax_minus_onehot():
    rng = np.random.default_rng(4)
    w, b = random_network(rng, [3, 4, 3])
    x = rng.normal(size=3)
    _, acts = an.forward(w, b, x, "relu", "linear")
    e = np.exp(acts[-1])
    expected = e / e.sum() - np.array([0.0, 0.0, 1.0])  # softmax by hand, then minus onehot(2)
    _, _, deltas = an.backprop(w, b, x, 2, "softmax_cross_entropy", "relu", "linear")
    assert np.allclose(deltas[-1], expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("alias, name", [("mse", "quadratic"), ("xent", "cross_entropy"),
                                         ("softmax_xent", "softmax_cross_entropy")])
def test_cost_aliases(alias, name):
    assert an.canonical_cost(alias) == name


# --------------------------------------------------------------------------------------
# Whole-network gradients against finite differences of C = 1/n Σₓ Cₓ
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cost, output_activation", COST_CASES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_batch_gradient_matches_finite_differences(activation, cost, output_activation):
    rng = np.random.default_rng(zlib.crc32(f"{activation}/{cost}/{output_activation}".encode()))
    sizes = [3, 4, 3, 1 if cost == "hinge" else 3]
    w, b = random_network(rng, sizes)
    X = rng.normal(size=(4, 3))
    Y = random_targets(rng, cost, 4, sizes[-1])

    def C():
        return an.mean_cost(w, b, X, Y, cost, activation, output_activation)

    numeric = central_difference(C, b + w)
    nabla_b, nabla_w = an.batch_gradient(w, b, X, Y, cost, activation, output_activation)
    for got, want in zip(nabla_b + nabla_w, numeric):
        assert np.allclose(got, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_delta_is_dC_dz_by_finite_difference_of_the_bias(activation):
    # ∂C/∂bˡⱼ = ∂C/∂zˡⱼ · ∂zˡⱼ/∂bˡⱼ = δˡⱼ · 1, so nudging bˡⱼ nudges zˡⱼ by the same amount.
    rng = np.random.default_rng(7)
    w, b = random_network(rng, [2, 3, 3, 2])
    x, y = rng.normal(size=2), rng.normal(size=2)

    def C():
        return an.cost_value("quadratic", an.forward(w, b, x, activation)[1][-1], y)

    numeric = central_difference(C, b)
    _, _, deltas = an.backprop(w, b, x, y, "quadratic", activation)
    for got, want in zip(deltas, numeric):
        assert np.allclose(got, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("cost, output_activation", COST_CASES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_vectorised_batch_gradient_equals_average_of_per_example(
    activation, cost, output_activation
):
    rng = np.random.default_rng(11)
    sizes = [4, 5, 3, 1 if cost == "hinge" else 2]
    w, b = random_network(rng, sizes)
    X = rng.normal(size=(7, 4))
    Y = random_targets(rng, cost, 7, sizes[-1])
    per_b, per_w = an.batch_gradient(w, b, X, Y, cost, activation, output_activation)
    vec_b, vec_w = an.batch_gradient_vectorised(w, b, X, Y, cost, activation, output_activation)
    for got, want in zip(vec_b + vec_w, per_b + per_w):
        assert np.allclose(got, want, rtol=1e-12, atol=1e-14)


def test_bp3_and_bp4_relate_gradients_to_delta():
    rng = np.random.default_rng(5)
    w, b = random_network(rng, [3, 4, 2])
    x, y = rng.normal(size=3), rng.normal(size=2)
    nabla_b, nabla_w, deltas = an.backprop(w, b, x, y)
    _, acts = an.forward(w, b, x)
    for l in range(2):  # noqa: E741
        assert np.array_equal(nabla_b[l], deltas[l])  # BP3
        assert np.array_equal(nabla_w[l], np.outer(deltas[l], acts[l]))  # BP4: δˡ (aˡ⁻¹)ᵀ


def test_bp2_is_the_transposed_weights_times_the_next_delta():
    rng = np.random.default_rng(6)
    w, b = random_network(rng, [2, 3, 2])
    x, y = rng.normal(size=2), rng.normal(size=2)
    zs, _ = an.forward(w, b, x, "tanh")
    _, _, deltas = an.backprop(w, b, x, y, "quadratic", "tanh")
    by_hand = [sum(w[1][i, j] * deltas[1][i] for i in range(2)) for j in range(3)]
    assert np.allclose(deltas[0], np.array(by_hand) * (1 - np.tanh(zs[0]) ** 2), rtol=1e-14)


def test_gradient_descent_lowers_the_cost_and_leaves_inputs_alone():
    rng = np.random.default_rng(8)
    w, b = random_network(rng, [2, 4, 1])
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    w_before = [m.copy() for m in w]
    w2, b2 = an.gradient_descent(w, b, X, Y, alpha=0.1, iterations=50)
    assert an.mean_cost(w2, b2, X, Y) < an.mean_cost(w, b, X, Y)
    assert all(np.array_equal(m, m0) for m, m0 in zip(w, w_before))


# --------------------------------------------------------------------------------------
# The wiki's form: bias row first, indices from i to j
# --------------------------------------------------------------------------------------


def test_augmented_round_trip():
    rng = np.random.default_rng(9)
    w, b = random_network(rng, [3, 4, 1])
    w2, b2 = an.from_augmented(an.to_augmented(w, b))
    assert all(np.array_equal(p, q) for p, q in zip(w + b, w2 + b2))


def test_augmented_layout_is_bias_row_then_transposed_weights():
    m = an.to_augmented([np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])], [np.array([7.0, 8.0])])[0]
    # wiki's w_ij (from input i to node j) = Nielsen's w_ji; row 0 is w_0j = b_j
    assert m.tolist() == [[7.0, 8.0], [1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]


@pytest.mark.parametrize("sizes", [[3, 3, 1], [2, 4, 3, 2], [3, 1]])
def test_wiki_gradient_equals_nielsen_batch_gradient(sizes):
    rng = np.random.default_rng(10)
    w, b = random_network(rng, sizes)
    X, Y = rng.normal(size=(6, sizes[0])), rng.normal(size=(6, sizes[-1]))
    nabla_b, nabla_w = an.batch_gradient(w, b, X, Y, "quadratic", "sigmoid", "linear")
    wiki = an.wiki_gradient(an.to_augmented(w, b), X, Y)
    for got, want in zip(wiki, an.to_augmented(nabla_w, nabla_b)):
        assert np.allclose(got, want, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------------------
# Errors name the layer and the shapes
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weights, biases, x, message",
    [
        ([np.ones((2, 3)), np.ones((1, 4))], [np.ones(2), np.ones(1)], np.ones(3), "layer 1"),
        ([np.ones((2, 3))], [np.ones(3)], np.ones(3), r"layer 0: biases have shape \(3,\)"),
        ([np.ones((2, 3))], [np.ones(2)], np.ones(4), r"layer 0: input x has shape \(4,\)"),
        ([np.ones(3)], [np.ones(1)], np.ones(3), "layer 0: weights must be a matrix"),
        ([np.ones((2, 3))], [], np.ones(3), "1 weight matrices but 0 bias vectors"),
    ],
)
def test_shape_mismatch_names_layer_and_shapes(weights, biases, x, message):
    with pytest.raises(ValueError, match=message):
        an.forward(weights, biases, x)


@pytest.mark.parametrize(
    "cost, a, y, error, message",
    [
        ("hamming", [0.5], [1.0], ValueError, "unknown cost 'hamming'"),
        ("cross_entropy", [1.5], [1.0], ValueError, r"outputs must lie in \(0, 1\)"),
        ("softmax_cross_entropy", [0.1, 0.2], 2, ValueError, "class index 2 out of range"),
        ("softmax_cross_entropy", [0.1, 0.2], 1.0, TypeError, "must be a class index"),
        ("hinge", [0.1], 0.5, ValueError, "label -1 or \\+1"),
        ("hinge", [0.1, 0.2], 1.0, ValueError, "exactly one output"),
        ("quadratic", [0.1, 0.2], [1.0], ValueError, r"target has shape \(1,\)"),
    ],
)
def test_bad_cost_or_target_is_a_clear_error(cost, a, y, error, message):
    with pytest.raises(error, match=message):
        an.cost_derivative(cost, np.array(a), y)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        an.forward(
            [np.ones((1, 1))],
            [np.ones(1)],
            [1.0],
            activation="linear",
            output_activation="softsign",
        )


def test_analytic_imports_numpy_only():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(an))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"numpy", "__future__", "collections"}
