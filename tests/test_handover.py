"""``nn.to_torch`` and ``nn.MLP.from_torch``: the same network in PyTorch, and back.

The conventions under test: ``Linear.weight`` is Nielsen's wˡ, shape (n_out, n_in), with
``weight[j, k]`` the weight from input k into neuron j; each layer is a Linear followed by
its activation module (none for a linear layer); float64 unless asked otherwise.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import nn
from micrograd_like import Value
from nn import MLP

SHAPES = [
    # (nin, nouts, activation, output_activation)
    (3, [4, 2], "tanh", "linear"),
    (5, [6, 6, 3], "relu", "sigmoid"),
    (4, [3, 1], "sigmoid", "tanh"),
    (2, [2], "sigmoid", "relu"),
]


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed (optional: "
                                               "pip install 'micrograd-like[torch]')")


def random_mlp(nin, nouts, act, out_act, seed=0):
    """Weights and biases from N(0, 1), so that biases are not all 0."""
    return MLP(nin, nouts, activation=act, output_activation=out_act, init="gaussian",
               seed=seed)


def test_the_sequential_is_linear_layers_and_activation_modules_in_float64(torch):
    model = nn.to_torch(random_mlp(3, [4, 2], "tanh", "linear"))
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear"]
    assert all(p.dtype == torch.float64 for p in model.parameters())


def test_linear_weight_j_k_is_the_weight_from_input_k_into_neuron_j(torch):
    mlp = random_mlp(3, [4, 2], "tanh", "linear")
    model = nn.to_torch(mlp)
    for linear, layer in zip([model[0], model[2]], mlp.layers):
        assert tuple(linear.weight.shape) == (layer.nout, layer.nin)  # (out, in)
        for j, neuron in enumerate(layer.neurons):
            assert linear.bias[j].item() == neuron.b.data
            for k, w in enumerate(neuron.w):
                assert linear.weight[j, k].item() == w.data


@pytest.mark.parametrize("shape", SHAPES)
def test_a_round_trip_through_torch_is_exact(torch, shape):
    mlp = random_mlp(*shape)
    back = MLP.from_torch(nn.to_torch(mlp))
    assert back.sizes == mlp.sizes and back.activations == mlp.activations
    assert [p.data for p in back.parameters()] == [p.data for p in mlp.parameters()]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_round_trip_from_torch_is_exact(torch, shape):
    torch.manual_seed(0)
    model = nn.to_torch(random_mlp(*shape))
    for p in model.parameters():  # PyTorch's own numbers, not ours
        torch.nn.init.normal_(p)
    again = nn.to_torch(MLP.from_torch(model))
    for (ka, a), (kb, b) in zip(model.state_dict().items(), again.state_dict().items(),
                                strict=True):
        assert ka == kb and torch.equal(a, b)


@pytest.mark.parametrize("shape", SHAPES)
def test_outputs_agree_with_the_engine_on_random_inputs(torch, shape):
    mlp = random_mlp(*shape)
    model = nn.to_torch(mlp)
    X = np.random.default_rng(1).normal(size=(20, shape[0]))
    engine = np.array([[a.data for a in mlp(x)] for x in X.tolist()])
    with torch.no_grad():
        theirs = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(theirs, engine, rtol=0, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_gradients_agree_with_the_engine(torch, shape):
    """C = ½ Σ (a − y)² on one random example: ∂C/∂w, ∂C/∂b and ∂C/∂x both ways."""
    mlp = random_mlp(*shape)
    model = nn.to_torch(mlp)
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=shape[0]), rng.normal(size=shape[1][-1])
    xs = [Value(v) for v in x]
    out = mlp(xs)
    nn.quadratic([out], [y.tolist()]).backward()  # ½ Σ (a − y)² for n = 1
    xt = torch.tensor(x, requires_grad=True)
    (0.5 * ((model(xt) - torch.from_numpy(y)) ** 2).sum()).backward()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for linear, layer in zip(linears, mlp.layers, strict=True):
        want_w = np.array([[w.grad for w in n.w] for n in layer.neurons])
        want_b = np.array([n.b.grad for n in layer.neurons])
        np.testing.assert_allclose(linear.weight.grad.numpy(), want_w, rtol=0, atol=1e-12)
        np.testing.assert_allclose(linear.bias.grad.numpy(), want_b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(xt.grad.numpy(), [v.grad for v in xs], rtol=0, atol=1e-12)


def test_the_numbers_are_copied_not_shared(torch):
    mlp = random_mlp(3, [4, 2], "tanh", "linear")
    before = [p.data for p in mlp.parameters()]
    model = nn.to_torch(mlp)
    with torch.no_grad():
        model[0].weight.add_(1.0)
    assert [p.data for p in mlp.parameters()] == before
    back = MLP.from_torch(model)
    back.layers[0].neurons[0].w[0].data = 123.0
    assert model[0].weight[0, 0].item() != 123.0


def test_float32_is_available_and_comes_back_exactly(torch):
    mlp = random_mlp(3, [4, 2], "tanh", "linear")
    model = nn.to_torch(mlp, dtype=torch.float32)
    assert model[0].weight.dtype == torch.float32
    back = MLP.from_torch(model)
    want = [float(np.float32(p.data)) for p in mlp.parameters()]  # rounded once, to float32
    assert [p.data for p in back.parameters()] == want


def test_identity_and_a_linear_without_bias_are_accepted(torch):
    model = torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False, dtype=torch.float64),
                                torch.nn.ReLU(), torch.nn.Linear(3, 1, dtype=torch.float64),
                                torch.nn.Identity())
    mlp = MLP.from_torch(model)
    assert mlp.activations == ["relu", "linear"]
    assert [n.b.data for n in mlp.layers[0].neurons] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("build, error, fragment", [
    (lambda t: t.nn.Linear(2, 3), TypeError, "expected a torch.nn.Sequential"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Softmax(dim=0)), ValueError,
     "module 1 is Softmax"),
    (lambda t: t.nn.Sequential(t.nn.Tanh(), t.nn.Linear(2, 3)), ValueError,
     "module 0 (Tanh) must follow a Linear"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Tanh(), t.nn.Tanh()), ValueError,
     "module 2 (Tanh) must follow a Linear"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Linear(4, 1)), ValueError,
     "the layer before it has 3 outputs"),
    (lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Tanh(), t.nn.Linear(3, 3),
                               t.nn.ReLU(), t.nn.Linear(3, 1)), ValueError,
     "hidden layers have different activations"),
    (lambda t: t.nn.Sequential(), ValueError, "no Linear layer"),
])
def test_modules_an_mlp_cannot_hold_are_refused_by_name(torch, build, error, fragment):
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        MLP.from_torch(build(torch))


def test_to_torch_refuses_what_is_not_an_mlp(torch):
    with pytest.raises(TypeError, match=r"expected an nn\.MLP"):
        nn.to_torch(nn.Neuron(2))


def test_without_torch_both_calls_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    mlp = MLP(2, [1])
    with pytest.raises(ImportError, match=r"nn.to_torch needs PyTorch.*micrograd-like\[torch\]"):
        nn.to_torch(mlp)
    with pytest.raises(ImportError, match=r"from_torch needs PyTorch"):
        MLP.from_torch(object())
