"""The scalar engine against the equations: δ, ∂C/∂b and ∂C/∂w, neuron by neuron.

The oracle is nn.analytic (numpy, BP1–BP4), which shares no code with the engine.
"""

import itertools
import re

import numpy as np
import pytest

from micrograd_like import Value
from nn import MLP, losses
from nn import analytic as an
from nn.deltas import DeltaReport, compare_deltas

ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]

# every cost with each output activation it accepts
COST_CASES = [
    ("quadratic", "linear"),
    ("quadratic", "sigmoid"),
    ("quadratic", "tanh"),
    ("quadratic", "relu"),
    ("cross_entropy", "sigmoid"),
    ("softmax_cross_entropy", "linear"),
    ("softmax_cross_entropy", "sigmoid"),
    ("hinge", "linear"),
    ("hinge", "tanh"),
]
SEEDS = [0, 1, 2]


def random_case(seed, activation, cost, output_activation):
    """A network of random depth (1–4 layers of neurons) and widths (1–5), an input, a target."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    n_out = 1 if cost == "hinge" else int(rng.integers(2, 5))
    sizes = [int(n) for n in rng.integers(1, 6, depth)] + [n_out]
    weights = [rng.normal(0.0, 1.0, (n, m)) for m, n in itertools.pairwise(sizes)]
    biases = [rng.normal(0.0, 0.5, n) for n in sizes[1:]]
    mlp = MLP.from_matrices(weights, biases, activation, output_activation)
    x = rng.normal(0.0, 1.0, sizes[0]).tolist()
    if cost == "softmax_cross_entropy":
        y = int(rng.integers(0, n_out))
    elif cost == "hinge":
        y = float(rng.choice([-1.0, 1.0]))
    else:
        y = rng.uniform(0.0, 1.0, n_out).tolist()
    return mlp, x, y


# --------------------------------------------------------------------------------------
# Agreement to 1e-12 on random networks, every activation and cost
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("cost, output_activation", COST_CASES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_engine_agrees_with_equations_on_random_networks(activation, cost, output_activation, seed):
    mlp, x, y = random_case(seed, activation, cost, output_activation)
    report = compare_deltas(mlp, x, y, cost)
    assert len(report.layers) == len(mlp.layers)
    assert report.max_abs_diff <= 1e-12, str(report)


@pytest.mark.parametrize("cost, output_activation", COST_CASES)
def test_elementary_z_nodes_give_the_same_report(cost, output_activation):
    mlp, x, y = random_case(5, "tanh", cost, output_activation)
    w, b = mlp.to_matrices()
    elementary = MLP.from_matrices(w, b, "tanh", output_activation, z="elementary")
    dot_report = compare_deltas(mlp, x, y, cost)
    elem_report = compare_deltas(elementary, x, y, cost)
    for r1, r2 in zip(dot_report.layers, elem_report.layers, strict=True):
        assert np.array_equal(r1.scalar_delta, r2.scalar_delta)
        assert np.array_equal(r1.scalar_nabla_w, r2.scalar_nabla_w)


# --------------------------------------------------------------------------------------
# The bridge, in plain view: BP3 and BP4 read off the engine's own gradients
# --------------------------------------------------------------------------------------


def engine_backward(mlp, x, y):
    """Cₓ = ½‖y − a‖² built from Values; returns the trace after Cₓ.backward()."""
    mlp.zero_grad()
    t = mlp.trace(x)
    losses.quadratic([t.outputs], [y]).backward()
    return t


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_engine_dC_dw_is_bp4_delta_times_previous_activation(activation):
    mlp, x, y = random_case(7, activation, "quadratic", "sigmoid")
    t = engine_backward(mlp, x, y)
    for l, layer in enumerate(mlp.layers):  # noqa: E741
        delta = np.array(t.deltas()[l])  # δˡ = ∂C/∂zˡ, read off the z nodes
        a_prev = np.array(x if l == 0 else [a.data for a in t.activations[l - 1]])
        dC_dw = np.array([[w.grad for w in n.w] for n in layer.neurons])
        assert np.array_equal(dC_dw, np.outer(delta, a_prev))  # BP4: ∂C/∂wˡ = δˡ (aˡ⁻¹)ᵀ


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_engine_dC_db_is_bp3_delta(activation):
    mlp, x, y = random_case(8, activation, "quadratic", "linear")
    t = engine_backward(mlp, x, y)
    for l, layer in enumerate(mlp.layers):  # noqa: E741
        dC_db = [n.b.grad for n in layer.neurons]
        assert dC_db == t.deltas()[l]  # BP3: ∂C/∂bˡⱼ = δˡⱼ


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_engine_dC_dw_equals_numpy_bp4_layer_by_layer(activation):
    mlp, x, y = random_case(9, activation, "quadratic", "tanh")
    t = engine_backward(mlp, x, y)
    weights, biases = mlp.to_matrices()
    _, _, deltas = an.backprop(weights, biases, x, y, "quadratic", activation, "tanh")
    _, acts = an.forward(weights, biases, x, activation, "tanh")
    for l, layer in enumerate(mlp.layers):  # noqa: E741
        dC_dw = np.array([[w.grad for w in n.w] for n in layer.neurons])
        assert np.allclose(dC_dw, np.outer(deltas[l], acts[l]), rtol=0, atol=1e-13)
        assert np.allclose(t.deltas()[l], deltas[l], rtol=0, atol=1e-13)


# --------------------------------------------------------------------------------------
# compare_deltas leaves the caller's state alone
# --------------------------------------------------------------------------------------


def test_compare_deltas_restores_parameter_grads():
    mlp, x, y = random_case(3, "sigmoid", "quadratic", "linear")
    for i, p in enumerate(mlp.parameters()):
        p.grad = float(i)
    compare_deltas(mlp, x, y)
    assert [p.grad for p in mlp.parameters()] == [float(i) for i in range(len(mlp.parameters()))]


def test_compare_deltas_does_not_touch_input_values():
    mlp, x, y = random_case(3, "sigmoid", "quadratic", "linear")
    xs = [Value(v) for v in x]
    report = compare_deltas(mlp, xs, y)
    assert report.max_abs_diff <= 1e-12
    assert all(v.grad == 0.0 for v in xs)


def test_report_cost_uses_canonical_name_for_alias():
    mlp, x, y = random_case(3, "tanh", "cross_entropy", "sigmoid")
    assert compare_deltas(mlp, x, y, "xent").cost == "cross_entropy"


def test_an_engine_gradient_that_is_off_shows_in_every_column_of_the_report(monkeypatch):
    # the engine's cost doubled: its δ, ∂C/∂b and ∂C/∂w double, the equations' do not, so
    # a report that read both sides from the equations would show no difference
    mlp, x, y = random_case(3, "sigmoid", "quadratic", "linear")
    quadratic = losses.quadratic
    monkeypatch.setattr(losses, "quadratic", lambda *args: 2 * quadratic(*args))
    report = compare_deltas(mlp, x, y)
    for r in report.layers:
        assert np.allclose(r.scalar_delta, 2 * r.analytic_delta, rtol=1e-12, atol=0)
        assert np.allclose(r.scalar_nabla_b, 2 * r.analytic_nabla_b, rtol=1e-12, atol=0)
        assert np.allclose(r.scalar_nabla_w, 2 * r.analytic_nabla_w, rtol=1e-12, atol=0)


@pytest.mark.parametrize("column", ["scalar_delta", "scalar_nabla_b", "scalar_nabla_w"])
def test_max_abs_diff_counts_a_difference_in_each_column(column):
    mlp, x, y = random_case(3, "sigmoid", "quadratic", "linear")
    report = compare_deltas(mlp, x, y)
    getattr(report.layers[-1], column).flat[0] += 1.0
    assert 1.0 - 1e-12 <= report.max_abs_diff <= 1.0 + 1e-12


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cost, output_activation, y, error, message",
    [
        ("hamming", "linear", [0.0, 1.0], ValueError, "unknown cost 'hamming'"),
        ("cross_entropy", "linear", [0.0, 1.0], ValueError, r"needs outputs in \(0, 1\)"),
        ("cross_entropy", "tanh", [0.0, 1.0], ValueError, "output_activation='sigmoid'"),
        ("softmax_cross_entropy", "linear", [0.0, 1.0], TypeError, "class index"),
        ("softmax_cross_entropy", "linear", 2, ValueError, "class index 2 out of range"),
        ("hinge", "linear", 1.0, ValueError, "hinge' needs one output"),
        ("quadratic", "linear", [0.0, 1.0, 2.0], ValueError, "y has 3 numbers"),
    ],
)
def test_bad_cost_or_target_is_a_clear_error(cost, output_activation, y, error, message):
    mlp = MLP(3, [4, 2], activation="tanh", output_activation=output_activation, seed=0)
    with pytest.raises(error, match=message):
        compare_deltas(mlp, [0.1, 0.2, 0.3], y, cost)


def test_wrong_input_length_is_a_clear_error():
    mlp = MLP(3, [2], seed=0)
    with pytest.raises(ValueError, match="x has 2 numbers, the network takes 3"):
        compare_deltas(mlp, [0.1, 0.2], [0.0, 0.0])


# --------------------------------------------------------------------------------------
# The report prints and renders
# --------------------------------------------------------------------------------------


@pytest.fixture
def report() -> DeltaReport:
    mlp = MLP(2, [3, 1], activation="sigmoid", seed=4)
    return compare_deltas(mlp, [0.5, -1.0], [0.25])


def test_report_str_has_a_row_per_layer_and_the_delta_values(report):
    text = str(report)
    assert "max|Δδ|" in text and "max|Δ∂C/∂w|" in text
    for r in report.layers:  # Nielsen's numbering: mlp.layers[l] is layer l + 2
        row = f"{r.layer + 2:>5}  {r.neurons:>7}  {r.activation:<10}  {r.max_delta_diff:>9.2e}"
        assert row in text
        for s in r.scalar_delta:
            assert f"{s:+.15e}" in text


def test_report_names_each_delta_in_nielsens_notation_by_default(report):
    text = str(report)
    d = report.layers[0].scalar_delta[1]  # mlp.layers[0], neuron 1: Nielsen's δ²₂
    assert re.search(rf"^\s+δ²₂\s+{re.escape(f'{d:+.15e}')}", text, re.M)
    assert "δ³₁" in text and "δ[0][1]" not in text


def test_report_in_zero_based_notation_names_deltas_by_python_indices():
    mlp = MLP(2, [3, 1], activation="sigmoid", seed=4)
    text = str(compare_deltas(mlp, [0.5, -1.0], [0.25], notation="zero-based"))
    assert "δ[0][1]" in text and "δ²₂" not in text


def test_an_unknown_notation_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"unknown notation 'euler'.*'nielsen', 'zero-based'"):
        compare_deltas(MLP(2, [1]), [0.5, -1.0], [0.25], notation="euler")


def test_report_repr_is_the_table_not_a_dataclass_dump(report):
    assert repr(report) == str(report) and "LayerDeltas(" not in repr(report)


def test_explain_writes_each_equation_with_numbers_that_hold(report):
    text = report.explain()
    for bp in ("BP1", "BP2", "BP3", "BP4"):
        assert re.search(rf"^{bp}  ", text, re.M)
    # BP1 for the linear output under the quadratic cost: δ³₁ = (a − y) · 1
    out = report.layers[-1]
    assert f"δ³₁ = ∂C/∂a³₁ · linear′(z³₁) = {out.analytic_delta[0]:.6g} · 1 = " in text
    # BP4 for w²₁₂ = x₂ · δ²₁ with x₂ = −1
    d = report.layers[0].analytic_delta[0]
    assert f"∂C/∂w²₁₂ = x₂ · δ²₁ = -1 · {d:.6g} = {-d:.6g}" in text


def test_report_html_is_a_table_with_the_layers_and_numbers(report):
    page = report._repr_html_()
    assert page.count("<tr>") == 1 + len(report.layers)  # header + one row per layer
    for r in report.layers:
        assert f"<td>{r.activation}</td>" in page
        assert f"{r.scalar_delta[0]:+.12e}" in page
    assert f"{report.max_abs_diff:.2e}" in page
