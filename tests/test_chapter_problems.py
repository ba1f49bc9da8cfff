"""Exercises 10-12 (the problems of Nielsen's chapter 2): each checker accepts the right
answer, computed here by the engine (an oracle the checkers do not use), and names the
classic mistake when fed the number that mistake gives."""

import numpy as np
import pytest

import nn
from micrograd_like import Value, dot
from nn import exercises as ex


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --------------------------------------------------------------------------------------
# 10 · Σ′(z)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_case():
    """Exercise 10's forward pass in numpy, and the engine's δ² and δ³."""
    n = ex.matrix_network()
    z2 = n["w2"] @ n["x"] + n["b2"]
    a2 = sigmoid(z2)
    z3 = n["w3"] @ a2 + n["b3"]
    a3 = sigmoid(z3)
    mlp = nn.MLP.from_matrices([n["w2"], n["w3"]], [n["b2"], n["b3"]], "sigmoid", "sigmoid")
    t = mlp.trace(list(n["x"]))
    nn.quadratic([t.outputs], [list(n["y"])]).backward()
    d2, d3 = (np.array(d) for d in t.deltas())
    return {**n, "z2": z2, "a2": a2, "z3": z3, "a3": a3, "d2": d2, "d3": d3,
            "S2": np.diag(a2 * (1 - a2)), "S3": np.diag(a3 * (1 - a3))}


def test_sigma_prime_matrix_accepts_the_diagonal_of_sigma_prime(matrix_case):
    assert ex.check_sigma_prime_matrix(matrix_case["S3"]).ok


def test_sigma_prime_matrix_turns_the_engines_delta_three_from_grad_a(matrix_case):
    c = matrix_case  # the checker's right answer is what BP1 needs: Σ′(z³) ∇ₐC = δ³
    assert np.allclose(c["S3"] @ (c["a3"] - c["y"]), c["d3"], rtol=0, atol=1e-15)


@pytest.mark.parametrize("wrong, named", [
    (lambda c: np.diag(c["S3"]), "the vector σ′(z³)"),
    (lambda c: np.outer(np.diag(c["S3"]), np.diag(c["S3"])), "off-diagonal entries"),
    (lambda c: np.diag(c["a3"]), "σ(z³) = a³ on the diagonal"),
    (lambda c: np.diag(sigmoid(c["a3"]) * (1 - sigmoid(c["a3"]))), "taken at z³, not at a³"),
    (lambda c: np.eye(2), "only for linear neurons"),
], ids=["vector", "outer", "sigma", "at a", "identity"])
def test_sigma_prime_matrix_names_the_mistake(matrix_case, wrong, named):
    verdict = ex.check_sigma_prime_matrix(wrong(matrix_case))
    assert not verdict.ok and named in verdict.hint


def test_delta_by_matrices_accepts_the_engines_delta_two(matrix_case):
    assert ex.check_delta_by_matrices(matrix_case["d2"]).ok


@pytest.mark.parametrize("wrong, named", [
    (lambda c: c["w3"].T @ c["S3"] @ (c["a3"] - c["y"]), "lacks Σ′(z²)"),
    (lambda c: c["S2"] @ c["w3"].T @ (c["a3"] - c["y"]), "lacks Σ′(z³)"),
    (lambda c: c["w3"].T @ (c["a3"] - c["y"]), "both Σ′ factors are missing"),
    (lambda c: -c["d2"], "sign"),
    (lambda c: np.diag(c["a2"]) @ c["w3"].T @ np.diag(c["a3"]) @ (c["a3"] - c["y"]),
     "a = σ(z) on the diagonals"),
    (lambda c: c["S2"] @ c["w3"].T @ c["S3"] @ c["S3"] @ (c["a3"] - c["y"]), "twice"),
    (lambda c: c["d3"], "that is δ³"),
], ids=["no S2", "no S3", "no S", "sign", "sigma", "S3 twice", "delta3"])
def test_delta_by_matrices_names_the_mistake(matrix_case, wrong, named):
    verdict = ex.check_delta_by_matrices(wrong(matrix_case))
    assert not verdict.ok and named in verdict.message + verdict.hint


# --------------------------------------------------------------------------------------
# 11 · one tanh neuron
# --------------------------------------------------------------------------------------


def modified_engine(tanh_neuron=True):
    """δ², δ³ and ∂C/∂w³ of exercise 11's network by the engine (neuron 2 of layer 2 a tanh
    neuron, or every hidden neuron a sigmoid)."""
    n = ex.modified_network()
    W3 = [Value(w) for w in n["w3"][0]]
    zs2 = [dot([Value(w) for w in row], list(n["x"]), plus=float(b))
           for row, b in zip(n["w2"], n["b2"])]
    hidden = [z.tanh() if j == 1 and tanh_neuron else z.sigmoid() for j, z in enumerate(zs2)]
    z3 = dot(W3, hidden, plus=float(n["b3"][0]))
    C = 0.5 * (z3.sigmoid() - float(n["y"][0])) ** 2
    C.backward()
    return (np.array([z.grad for z in zs2]), np.array([z3.grad]),
            np.array([[w.grad for w in W3]]), np.array([h.data for h in hidden]),
            np.array([z.data for z in zs2]))


def test_modified_delta_accepts_the_engines_delta_two():
    assert ex.check_modified_delta(modified_engine()[0]).ok


def test_modified_weights_accepts_the_engines_weight_gradient():
    assert ex.check_modified_weights(modified_engine()[2]).ok


@pytest.mark.parametrize("slopes, named", [
    ("sigma", "uses σ′(z²₂), but neuron 2 computes f(z) = tanh(z)"),
    ("tanh", "only neuron 2 is modified"),
    ("f", "you multiplied by f(z²₂)"),
])
def test_modified_delta_names_the_wrong_derivative(slopes, named):
    n = ex.modified_network()
    _, d3, _, _, z2 = modified_engine()
    s = {"sigma": sigmoid(z2) * (1 - sigmoid(z2)),
         "tanh": 1 - np.tanh(z2) ** 2,
         "f": np.array([*(sigmoid(z2[:1]) * (1 - sigmoid(z2[:1]))), np.tanh(z2[1]),
                        *(sigmoid(z2[2:]) * (1 - sigmoid(z2[2:])))])}[slopes]
    verdict = ex.check_modified_delta((n["w3"].T @ d3) * s)
    assert not verdict.ok and named in verdict.hint


def test_modified_delta_names_the_unmodified_network():
    verdict = ex.check_modified_delta(modified_engine(tanh_neuron=False)[0])
    assert not verdict.ok and "unmodified network" in verdict.hint


def test_modified_weights_names_sigma_in_place_of_the_tanh_activation():
    _, d3, _, a2, z2 = modified_engine()
    wrong = a2.copy()
    wrong[1] = sigmoid(z2[1])
    verdict = ex.check_modified_weights(np.outer(d3, wrong))
    assert not verdict.ok and "tanh(z²₂), not σ(z²₂)" in verdict.hint


def test_modified_weights_names_the_unmodified_network():
    verdict = ex.check_modified_weights(modified_engine(tanh_neuron=False)[2])
    assert not verdict.ok and "unmodified network" in verdict.hint


def test_modified_weights_says_a_transposed_matrix_is_transposed():
    verdict = ex.check_modified_weights(modified_engine()[2].T)
    assert not verdict.ok and "transposed" in verdict.hint


# --------------------------------------------------------------------------------------
# 12 · linear neurons
# --------------------------------------------------------------------------------------


def engine_linear(weights, biases, x, y):
    """∂C/∂b and ∂C/∂w of a network of linear neurons, by the engine."""
    mlp = nn.MLP.from_matrices(weights, biases, activation="linear", output_activation="linear")
    nn.quadratic([mlp(list(x))], [list(y)]).backward()
    return ([np.array([n.b.grad for n in layer.neurons]) for layer in mlp.layers],
            [np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in mlp.layers])


def with_sigma_prime(weights, biases, x, y, forward=lambda z: z):
    """The classic mistake: BP1 and BP2 with the sigmoid's σ′(z) factors kept."""
    acts, zs = [np.asarray(x, float)], []
    for w, b in zip(weights, biases):
        zs.append(w @ acts[-1] + b)
        acts.append(forward(zs[-1]))
    sp = [sigmoid(z) * (1 - sigmoid(z)) for z in zs]
    deltas = [(acts[-1] - y) * sp[-1]]
    for w, s in zip(reversed(weights[1:]), reversed(sp[:-1])):
        deltas.insert(0, (w.T @ deltas[0]) * s)
    return deltas, [np.outer(d, a) for d, a in zip(deltas, acts[:-1])]


def test_linear_backprop_accepts_the_engines_gradients():
    assert ex.check_linear_backprop(engine_linear).ok


def test_linear_backprop_names_sigma_prime_left_in():
    verdict = ex.check_linear_backprop(with_sigma_prime)
    assert not verdict.ok and "σ′(z) = 1" in verdict.hint


def test_linear_backprop_names_a_sigmoid_network():
    def sigmoid_net(weights, biases, x, y):
        return with_sigma_prime(weights, biases, x, y, forward=sigmoid)
    verdict = ex.check_linear_backprop(sigmoid_net)
    assert not verdict.ok and "that is a sigmoid network" in verdict.hint


def test_linear_backprop_names_the_sign():
    def flipped(*case):
        nb, nw = engine_linear(*case)
        return [-g for g in nb], [-g for g in nw]
    verdict = ex.check_linear_backprop(flipped)
    assert not verdict.ok and "sign" in verdict.hint


def test_linear_backprop_names_a_transposed_square_weight_gradient():
    def transposed(*case):
        nb, nw = engine_linear(*case)
        return nb, [g.T if g.shape[0] == g.shape[1] else g for g in nw]
    verdict = ex.check_linear_backprop(transposed)
    assert not verdict.ok and "transposed" in verdict.hint


@pytest.mark.parametrize("answer, named", [
    (..., "still ..."),
    (lambda *case: None, "returned None"),
    (lambda *case: 1 / 0, "raised ZeroDivisionError"),
    (lambda *case: 3.0, "not a pair"),
    (lambda *case: ([], []), "one per layer"),
])
def test_linear_backprop_says_not_yet_for_missing_or_broken_functions(answer, named):
    verdict = ex.check_linear_backprop(answer)
    assert not verdict.ok and named in verdict.message + verdict.hint
