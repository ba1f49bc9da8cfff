"""Backpropagation written from its equations, in numpy: the independent oracle for ``nn``.

This module imports numpy and nothing else from the project: it shares no code with the
scalar engine it checks.  It follows Nielsen's notation and names:

* ``weights[l]`` is the matrix wˡ, shape (nₗ, nₗ₋₁): row j, column k holds wˡⱼₖ, the weight
  *to* neuron j of this layer *from* neuron k of the layer before;
* ``biases[l]`` is the vector bˡ, shape (nₗ,);
* ``zs[l]`` is the weighted input zˡ = wˡ aˡ⁻¹ + bˡ and ``activations[l + 1]`` is
  aˡ = σ(zˡ); ``activations[0]`` is the input x itself;
* ``deltas[l]`` is the error δˡ = ∂C/∂zˡ; ``nabla_b[l]`` and ``nabla_w[l]`` are ∂C/∂bˡ and
  ∂C/∂wˡ, shaped like ``biases[l]`` and ``weights[l]``.

Python's index ``l`` counts layers of neurons from 0, so ``weights[0]`` is the book's w², the
first layer after the input (Nielsen numbers the input layer 1).  This is the same indexing
as ``mlp.layers[l]``.

The four equations (one function each below; ⊙ is the elementwise product):

* BP1  δᴸ = ∇ₐC ⊙ σ′(zᴸ)                      :func:`output_error`
* BP2  δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)            :func:`hidden_error`
* BP3  ∂C/∂bˡⱼ = δˡⱼ                           :func:`bias_gradient`
* BP4  ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ, i.e. δˡ (aˡ⁻¹)ᵀ     :func:`weight_gradient`

The wiki's form (Brilliant's "Backpropagation") is the same algorithm with other names:

* its aᵏⱼ (the "activation", a product sum plus bias) is Nielsen's weighted input zˡⱼ, and
  its output oᵏⱼ is Nielsen's activation aˡⱼ;
* its weight wᵏᵢⱼ goes *from* node i of layer k−1 *to* node j of layer k, the transpose of
  Nielsen's wˡⱼₖ (to j from k): the wiki's matrix for a layer is (wˡ)ᵀ;
* the bias is folded into the weights as w₀ⱼ = bⱼ, multiplied by a fixed output o₀ = 1, so
  each matrix gets an extra first row: shape (nₗ₋₁ + 1, nₗ).  :func:`to_augmented` and
  :func:`from_augmented` convert, and :func:`wiki_gradient` runs the wiki's own form.

>>> import numpy as np
>>> w = [np.array([[0.5, -1.0]]), np.array([[2.0]])]      # a 2-1-1 network
>>> b = [np.array([0.1]), np.array([-0.3])]
>>> nabla_b, nabla_w, deltas = backprop(w, b, [1.0, 2.0], [0.0])
>>> [d.shape for d in deltas], nabla_w[0].shape
([(1,), (1,)], (1, 2))
>>> bool(np.allclose(nabla_b[1], deltas[1]))               # BP3
True
"""

# ruff: noqa: E741  (l is the book's layer index, kept for the equations' sake)
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

__all__ = [
    "ACTIVATIONS", "COSTS", "activate", "activation_prime", "sigmoid", "sigmoid_prime", "tanh",
    "tanh_prime", "relu", "relu_prime", "linear", "linear_prime", "softmax", "cost_value",
    "cost_derivative", "canonical_cost", "forward", "forward_batch", "output_error",
    "hidden_error", "bias_gradient", "weight_gradient", "backprop", "batch_gradient",
    "batch_gradient_vectorised", "mean_cost", "gradient_descent", "to_augmented",
    "from_augmented", "wiki_gradient",
]

Array = np.ndarray


# --------------------------------------------------------------------------------------
# Activations σ and their derivatives σ′ (elementwise; any shape)
# --------------------------------------------------------------------------------------


def sigmoid(z: Array) -> Array:
    """σ(z) = 1/(1 + e⁻ᶻ), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z: Array) -> Array:
    """σ′(z) = σ(z)(1 − σ(z)): the wiki's o(1 − o), from the output o = σ(z) alone."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: Array) -> Array:
    """tanh z."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_prime(z: Array) -> Array:
    """tanh′(z) = 1 − tanh²z."""
    t = tanh(z)
    return 1.0 - t * t


def relu(z: Array) -> Array:
    """relu(z) = max(0, z)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0.0, z, 0.0)


def relu_prime(z: Array) -> Array:
    """relu′(z) = 1 for z > 0, else 0 (the choice at z = 0 is 0, as in the engine)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0.0, 1.0, 0.0)


def linear(z: Array) -> Array:
    """The identity g(z) = z (the wiki's output activation gₒ)."""
    return np.array(z, dtype=np.float64)


def linear_prime(z: Array) -> Array:
    """g′(z) = 1 for the identity."""
    return np.ones_like(np.asarray(z, dtype=np.float64))


#: name -> (σ, σ′)
ACTIVATIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "sigmoid": (sigmoid, sigmoid_prime), "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime), "linear": (linear, linear_prime)}


def _activation_pair(name: str) -> tuple[Callable[[Array], Array], Callable[[Array], Array]]:
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def activate(name: str, z: Array) -> Array:
    """σ(z) for the activation called ``name`` ("sigmoid", "tanh", "relu", "linear")."""
    return _activation_pair(name)[0](z)


def activation_prime(name: str, z: Array) -> Array:
    """σ′(z) for the activation called ``name``."""
    return _activation_pair(name)[1](z)


# --------------------------------------------------------------------------------------
# Costs for one example: Cₓ and ∇ₐC (the gradient with respect to the output activations)
# --------------------------------------------------------------------------------------

#: canonical cost names and their aliases
COSTS: dict[str, str] = {
    "quadratic": "quadratic",
    "mse": "quadratic",
    "cross_entropy": "cross_entropy",
    "xent": "cross_entropy",
    "softmax_cross_entropy": "softmax_cross_entropy",
    "softmax_xent": "softmax_cross_entropy",
    "hinge": "hinge",
}


def canonical_cost(cost: str) -> str:
    """The canonical name of ``cost`` ("mse" -> "quadratic", "xent" -> "cross_entropy")."""
    if not isinstance(cost, str) or cost not in COSTS:
        raise ValueError(f"unknown cost {cost!r}; expected one of {sorted(COSTS)}")
    return COSTS[cost]


def softmax(a: Array) -> Array:
    """softmax(a)ⱼ = e^{aⱼ} / Σᵢ e^{aᵢ} over the last axis, shifted by max(a) for stability."""
    a = np.asarray(a, dtype=np.float64)
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _target(cost: str, a: Array, y: object) -> Array:
    """Check ``y`` against the output ``a`` (shape (nL,)) and return it as an array.

    For "quadratic" and "cross_entropy" ``y`` is a vector of nL numbers; for
    "softmax_cross_entropy" a class index in [0, nL) (returned as a one-hot vector); for
    "hinge" a label ±1 and nL must be 1.
    """
    n = a.shape[-1]
    if cost == "softmax_cross_entropy":
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
            raise TypeError(f"softmax_cross_entropy: target must be a class index (int), got {y!r}")
        if not 0 <= y < n:
            raise ValueError(f"softmax_cross_entropy: class index {y} out of range for {n} outputs")
        onehot = np.zeros(n)
        onehot[y] = 1.0
        return onehot
    if cost == "hinge":
        if n != 1:
            raise ValueError(f"hinge: needs exactly one output, the network has {n}")
        label = np.asarray(y, dtype=np.float64).reshape(-1)
        if label.shape != (1,) or label[0] not in (-1.0, 1.0):
            raise ValueError(f"hinge: target must be the label -1 or +1, got {y!r}")
        return label
    t = np.asarray(y, dtype=np.float64)
    if t.shape != (n,) and not (t.ndim == 0 and n == 1):
        raise ValueError(f"{cost}: target has shape {t.shape}, the output layer has ({n},)")
    t = t.reshape(n)
    if cost == "cross_entropy" and (np.any(a <= 0.0) or np.any(a >= 1.0)):
        raise ValueError(
            f"cross_entropy: outputs must lie in (0, 1) (use a sigmoid output layer), got {a}"
        )
    return t


def cost_value(cost: str, a: Array, y: object) -> float:
    """Cₓ, the cost of one example with output activations ``a`` (nL,) and target ``y``.

    * quadratic              Cₓ = ½ ‖y − a‖² = ½ Σⱼ (yⱼ − aⱼ)²
    * cross_entropy          Cₓ = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)]       (aⱼ in (0, 1))
    * softmax_cross_entropy  Cₓ = −ln softmax(a)ᵧ = log Σᵢ e^{aᵢ} − aᵧ       (y a class index)
    * hinge                  Cₓ = max(0, 1 − y a)                              (y = ±1, nL = 1)

    The cost of a data set is the average C = 1/n Σₓ Cₓ (:func:`mean_cost`).
    """
    cost = canonical_cost(cost)
    a = np.asarray(a, dtype=np.float64)
    t = _target(cost, a, y)
    if cost == "quadratic":
        return 0.5 * float(np.sum((t - a) ** 2))
    if cost == "cross_entropy":
        return -float(np.sum(t * np.log(a) + (1.0 - t) * np.log(1.0 - a)))
    if cost == "softmax_cross_entropy":
        m = a.max()
        return float(m + np.log(np.sum(np.exp(a - m))) - a[t == 1.0][0])
    return float(max(0.0, 1.0 - t[0] * a[0]))  # hinge


def cost_derivative(cost: str, a: Array, y: object) -> Array:
    """∇ₐC, the vector of ∂Cₓ/∂aᴸⱼ, shape (nL,).

    * quadratic              ∇ₐC = a − y
    * cross_entropy          ∇ₐC = (a − y) / (a(1 − a)); with a sigmoid output σ′(z) = a(1 − a)
      cancels in BP1, leaving the famous δᴸ = a − y (no σ′ to slow learning down)
    * softmax_cross_entropy  ∇ₐC = softmax(a) − onehot(y) (the softmax is taken of the output
      layer's activations, usually linear, so δᴸ = (softmax(a) − onehot(y)) ⊙ g′(zᴸ))
    * hinge                  ∇ₐC = −y where 1 − y a > 0, else 0 (0 at the kink)
    """
    cost = canonical_cost(cost)
    a = np.asarray(a, dtype=np.float64)
    t = _target(cost, a, y)
    if cost == "quadratic":
        return a - t
    if cost == "cross_entropy":
        return (a - t) / (a * (1.0 - a))
    if cost == "softmax_cross_entropy":
        return softmax(a) - t
    return np.where(1.0 - t * a > 0.0, -t, 0.0)  # hinge


# --------------------------------------------------------------------------------------
# Checking a network's matrices
# --------------------------------------------------------------------------------------


def _check_network(weights: Sequence[Array], biases: Sequence[Array]) -> tuple[list, list]:
    """Return float64 copies of the matrices after checking that consecutive shapes chain."""
    if len(weights) != len(biases):
        raise ValueError(f"{len(weights)} weight matrices but {len(biases)} bias vectors")
    if len(weights) == 0:
        raise ValueError("a network needs at least one layer of neurons")
    ws = [np.asarray(w, dtype=np.float64) for w in weights]
    bs = [np.asarray(b, dtype=np.float64) for b in biases]
    for l, (w, b) in enumerate(zip(ws, bs)):
        if w.ndim != 2:
            raise ValueError(f"layer {l}: weights must be a matrix (nₗ, nₗ₋₁), got shape {w.shape}")
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"layer {l}: biases have shape {b.shape}, weights {w.shape} need ({w.shape[0]},)"
            )
        if l > 0 and w.shape[1] != ws[l - 1].shape[0]:
            raise ValueError(
                f"layer {l}: weights {w.shape} take {w.shape[1]} inputs but layer {l - 1} "
                f"has {ws[l - 1].shape[0]} neurons"
            )
    return ws, bs


def _check_input(ws: list[Array], x: object) -> Array:
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (ws[0].shape[1],):
        raise ValueError(
            f"layer 0: input x has shape {x.shape}, weights {ws[0].shape} need ({ws[0].shape[1]},)"
        )
    return x


def _layer_activation(l: int, n_layers: int, activation: str, output_activation: str) -> str:
    return output_activation if l == n_layers - 1 else activation


# --------------------------------------------------------------------------------------
# The forward pass (eq. 25): zˡ = wˡ aˡ⁻¹ + bˡ, aˡ = σ(zˡ)
# --------------------------------------------------------------------------------------


def forward(
    weights: Sequence[Array],
    biases: Sequence[Array],
    x: Sequence[float],
    activation: str = "sigmoid",
    output_activation: str = "linear",
) -> tuple[list[Array], list[Array]]:
    """Feed one example forward, keeping every weighted input and activation.

    zˡ = wˡ aˡ⁻¹ + bˡ  (nₗ,) = (nₗ, nₗ₋₁)(nₗ₋₁,) + (nₗ,);   aˡ = σ(zˡ)  (nₗ,)

    ``activation`` is σ for the hidden layers, ``output_activation`` for the last one.

    Returns:
        ``(zs, activations)``: ``zs[l]`` for each layer of neurons (L arrays) and
        ``activations = [x, a of layer 0, ..., a of layer L−1]`` (L + 1 arrays).

    >>> zs, acts = forward([np.array([[1.0, 1.0]])], [np.array([0.5])], [1.0, 2.0])
    >>> float(zs[0][0]), float(acts[-1][0])   # linear output: a = z = 1 + 2 + 0.5
    (3.5, 3.5)
    """
    ws, bs = _check_network(weights, biases)
    a = _check_input(ws, x)
    zs, activations = [], [a]
    for l, (w, b) in enumerate(zip(ws, bs)):
        z = w @ a + b
        a = activate(_layer_activation(l, len(ws), activation, output_activation), z)
        zs.append(z)
        activations.append(a)
    return zs, activations


# --------------------------------------------------------------------------------------
# The four equations, one function each
# --------------------------------------------------------------------------------------


def output_error(nabla_a: Array, z_L: Array, output_activation: str) -> Array:
    """BP1: δᴸ = ∇ₐC ⊙ σ′(zᴸ).

    ``nabla_a`` is ∇ₐC (nL,), ``z_L`` the output layer's weighted input (nL,); returns δᴸ (nL,).
    With the wiki's identity output gₒ′ = 1 this is δᵐ = ŷ − y for the quadratic cost.
    """
    return nabla_a * activation_prime(output_activation, z_L)


def hidden_error(w_next: Array, delta_next: Array, z: Array, activation: str) -> Array:
    """BP2: δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ).

    (nₗ,) = ((nₗ₊₁, nₗ)ᵀ (nₗ₊₁,)) ⊙ (nₗ,).  The transpose carries the error backwards; in the
    wiki's form this is δᵏⱼ = g′(aᵏⱼ) Σₗ wᵏ⁺¹ⱼₗ δᵏ⁺¹ₗ, and for a sigmoid g′ = o(1 − o).
    """
    return (w_next.T @ delta_next) * activation_prime(activation, z)


def bias_gradient(delta: Array) -> Array:
    """BP3: ∂C/∂bˡⱼ = δˡⱼ, so ∂C/∂bˡ = δˡ, shape (nₗ,)."""
    return np.array(delta, dtype=np.float64)


def weight_gradient(delta: Array, a_prev: Array) -> Array:
    """BP4: ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ, so ∂C/∂wˡ = δˡ (aˡ⁻¹)ᵀ, shape (nₗ, nₗ₋₁) (an outer product)."""
    return np.outer(delta, a_prev)


# --------------------------------------------------------------------------------------
# Backpropagation for one example, and the average over a batch
# --------------------------------------------------------------------------------------


def backprop(
    weights: Sequence[Array],
    biases: Sequence[Array],
    x: Sequence[float],
    y: object,
    cost: str = "quadratic",
    activation: str = "sigmoid",
    output_activation: str = "linear",
) -> tuple[list[Array], list[Array], list[Array]]:
    """∂Cₓ/∂b, ∂Cₓ/∂w and δ for one example (x, y): forward, BP1, BP2 backwards, BP3, BP4.

    ``y`` is the target vector (nL,) for "quadratic"/"cross_entropy", a class index for
    "softmax_cross_entropy", a label ±1 for "hinge".

    Returns:
        ``(nabla_b, nabla_w, deltas)``, lists over layers shaped like ``biases``,
        ``weights`` and ``biases``.

    >>> w = [np.array([[1.0]])]; b = [np.array([0.0])]
    >>> nb, nw, d = backprop(w, b, [2.0], [1.0])   # a = z = 2, δ = a − y = 1, ∂C/∂w = δ·x
    >>> float(d[0][0]), float(nw[0][0, 0])
    (1.0, 2.0)
    """
    ws, _ = _check_network(weights, biases)
    zs, activations = forward(weights, biases, x, activation, output_activation)
    L = len(ws)
    deltas: list[Array] = [np.empty(0)] * L
    nabla_a = cost_derivative(cost, activations[-1], y)
    deltas[-1] = output_error(nabla_a, zs[-1], output_activation)  # BP1
    for l in range(L - 2, -1, -1):
        deltas[l] = hidden_error(ws[l + 1], deltas[l + 1], zs[l], activation)  # BP2
    nabla_b = [bias_gradient(d) for d in deltas]  # BP3
    nabla_w = [weight_gradient(d, a) for d, a in zip(deltas, activations[:-1])]  # BP4
    return nabla_b, nabla_w, deltas


def _examples(X: object, Y: object) -> tuple[Array, list]:
    Xa = np.asarray(X, dtype=np.float64)
    if Xa.ndim != 2:
        raise ValueError(f"X must be a matrix (n examples, n inputs), got shape {Xa.shape}")
    if not isinstance(Y, Iterable):
        raise TypeError(f"Y must be a sequence of targets, got {type(Y).__name__}")
    targets = list(Y)
    if len(targets) != Xa.shape[0]:
        raise ValueError(f"X has {Xa.shape[0]} examples but Y has {len(targets)} targets")
    if Xa.shape[0] == 0:
        raise ValueError("a batch needs at least one example")
    return Xa, targets


def batch_gradient(
    weights: Sequence[Array],
    biases: Sequence[Array],
    X: object,
    Y: object,
    cost: str = "quadratic",
    activation: str = "sigmoid",
    output_activation: str = "linear",
) -> tuple[list[Array], list[Array]]:
    """The gradient of C = 1/n Σₓ Cₓ: ∂C/∂w = 1/n Σₓ ∂Cₓ/∂w, ∂C/∂b = 1/n Σₓ ∂Cₓ/∂b.

    One call of :func:`backprop` per row of ``X`` (n, n₀); ``Y`` holds the n targets.
    Returns ``(nabla_b, nabla_w)``.
    """
    X, Y = _examples(X, Y)
    ws, bs = _check_network(weights, biases)
    nabla_b = [np.zeros_like(b) for b in bs]
    nabla_w = [np.zeros_like(w) for w in ws]
    for x, y in zip(X, Y):
        db, dw, _ = backprop(ws, bs, x, y, cost, activation, output_activation)
        for l in range(len(ws)):
            nabla_b[l] += db[l]
            nabla_w[l] += dw[l]
    n = X.shape[0]
    return [g / n for g in nabla_b], [g / n for g in nabla_w]


def mean_cost(
    weights: Sequence[Array],
    biases: Sequence[Array],
    X: object,
    Y: object,
    cost: str = "quadratic",
    activation: str = "sigmoid",
    output_activation: str = "linear",
) -> float:
    """C = 1/n Σₓ Cₓ over the rows of ``X`` (for the quadratic cost, 1/(2n) Σₓ ‖y − a‖²)."""
    X, Y = _examples(X, Y)
    total = 0.0
    for x, y in zip(X, Y):
        _, acts = forward(weights, biases, x, activation, output_activation)
        total += cost_value(cost, acts[-1], y)
    return total / X.shape[0]


# --------------------------------------------------------------------------------------
# The same over a whole batch at once (rows are examples, as in the wiki's code)
# --------------------------------------------------------------------------------------


def forward_batch(
    weights: Sequence[Array],
    biases: Sequence[Array],
    X: object,
    activation: str = "sigmoid",
    output_activation: str = "linear",
) -> tuple[list[Array], list[Array]]:
    """:func:`forward` for n examples at once: Zˡ = Aˡ⁻¹ (wˡ)ᵀ + bˡ, (n, nₗ), one row each."""
    ws, bs = _check_network(weights, biases)
    A = np.asarray(X, dtype=np.float64)
    if A.ndim != 2 or A.shape[1] != ws[0].shape[1]:
        raise ValueError(
            f"layer 0: X has shape {A.shape}, weights {ws[0].shape} need (n, {ws[0].shape[1]})"
        )
    zs, activations = [], [A]
    for l, (w, b) in enumerate(zip(ws, bs)):
        Z = A @ w.T + b  # (n, nₗ) = (n, nₗ₋₁)(nₗ₋₁, nₗ) + (nₗ,)
        A = activate(_layer_activation(l, len(ws), activation, output_activation), Z)
        zs.append(Z)
        activations.append(A)
    return zs, activations


def batch_gradient_vectorised(
    weights: Sequence[Array],
    biases: Sequence[Array],
    X: object,
    Y: object,
    cost: str = "quadratic",
    activation: str = "sigmoid",
    output_activation: str = "linear",
) -> tuple[list[Array], list[Array]]:
    """:func:`batch_gradient` with one matrix per layer for the whole batch.

    Row x of Δˡ (n, nₗ) is that example's δˡ.  BP1 and BP2 act row by row
    (Δˡ = (Δˡ⁺¹ wˡ⁺¹) ⊙ σ′(Zˡ)), and the averages of BP3 and BP4 become
    ∂C/∂bˡ = 1/n Σₓ δˡₓ and ∂C/∂wˡ = 1/n (Δˡ)ᵀ Aˡ⁻¹, (nₗ, nₗ₋₁) = (nₗ, n)(n, nₗ₋₁).
    """
    Xa, Y = _examples(X, Y)
    ws, bs = _check_network(weights, biases)
    zs, activations = forward_batch(ws, bs, Xa, activation, output_activation)
    n, L = Xa.shape[0], len(ws)
    nabla_A = np.stack([cost_derivative(cost, a, y) for a, y in zip(activations[-1], Y)])
    deltas: list[Array] = [np.empty(0)] * L
    deltas[-1] = nabla_A * activation_prime(output_activation, zs[-1])  # BP1, row-wise
    for l in range(L - 2, -1, -1):
        deltas[l] = (deltas[l + 1] @ ws[l + 1]) * activation_prime(activation, zs[l])  # BP2
    nabla_b = [D.sum(axis=0) / n for D in deltas]  # BP3, averaged
    nabla_w = [D.T @ A / n for D, A in zip(deltas, activations[:-1])]  # BP4, averaged
    return nabla_b, nabla_w


def gradient_descent(
    weights: Sequence[Array],
    biases: Sequence[Array],
    X: object,
    Y: object,
    alpha: float,
    iterations: int,
    cost: str = "quadratic",
    activation: str = "sigmoid",
    output_activation: str = "linear",
) -> tuple[list[Array], list[Array]]:
    """Full-batch gradient descent θ ← θ − α ∂C/∂θ, ``iterations`` times; returns new arrays.

    The caller's arrays are not modified.
    """
    ws, bs = _check_network(weights, biases)
    ws = [w.copy() for w in ws]
    bs = [b.copy() for b in bs]
    for _ in range(iterations):
        nabla_b, nabla_w = batch_gradient_vectorised(
            ws, bs, X, Y, cost, activation, output_activation
        )
        for l in range(len(ws)):
            ws[l] -= alpha * nabla_w[l]
            bs[l] -= alpha * nabla_b[l]
    return ws, bs


# --------------------------------------------------------------------------------------
# The wiki's form: bias as weight w₀ⱼ = bⱼ on a fixed input o₀ = 1
# --------------------------------------------------------------------------------------


def to_augmented(weights: Sequence[Array], biases: Sequence[Array]) -> list[Array]:
    """Nielsen's (wˡ, bˡ) -> the wiki's matrices, shape (nₗ₋₁ + 1, nₗ), bias row first.

    Row 0 holds w₀ⱼ = bⱼ; row i ≥ 1 holds wᵢⱼ, the weight from node i to node j, which is
    Nielsen's wˡⱼᵢ: the rest of the matrix is (wˡ)ᵀ.

    >>> to_augmented([np.array([[1.0, 2.0]])], [np.array([5.0])])[0].tolist()
    [[5.0], [1.0], [2.0]]
    """
    ws, bs = _check_network(weights, biases)
    return [np.vstack([b[np.newaxis, :], w.T]) for w, b in zip(ws, bs)]


def from_augmented(matrices: Sequence[Array]) -> tuple[list[Array], list[Array]]:
    """The wiki's bias-row-first matrices (nₗ₋₁ + 1, nₗ) -> Nielsen's ``(weights, biases)``.

    >>> w, b = from_augmented([np.array([[5.0], [1.0], [2.0]])])
    >>> w[0].tolist(), b[0].tolist()
    ([[1.0, 2.0]], [5.0])
    """
    if len(matrices) == 0:
        raise ValueError("a network needs at least one layer of neurons")
    weights, biases = [], []
    for l, m in enumerate(matrices):
        m = np.asarray(m, dtype=np.float64)
        if m.ndim != 2 or m.shape[0] < 2:
            raise ValueError(
                f"layer {l}: an augmented matrix has shape (nₗ₋₁ + 1, nₗ) with the bias row "
                f"first, got {m.shape}"
            )
        weights.append(m[1:].T.copy())
        biases.append(m[0].copy())
    _check_network(weights, biases)
    return weights, biases


def wiki_gradient(matrices: Sequence[Array], X: object, Y: object) -> list[Array]:
    """The wiki's backward phase: ∂E/∂wᵏᵢⱼ for E = 1/(2N) Σ_d (ŷ_d − y_d)², augmented layout.

    Sigmoid hidden layers and an identity output, written in the wiki's form:

    * forward: o⁰ = [1, x], aᵏ = oᵏ⁻¹ Wᵏ, oᵏ = [1, σ(aᵏ)] (the leading 1 feeds the bias row)
    * final layer's error   δᵐ = ŷ − y                    (gₒ′ = 1)
    * hidden layers' error  δᵏⱼ = oᵏⱼ(1 − oᵏⱼ) Σₗ wᵏ⁺¹ⱼₗ δᵏ⁺¹ₗ  (the bias row is left out)
    * partial derivatives   ∂E_d/∂wᵏᵢⱼ = δᵏⱼ oᵏ⁻¹ᵢ, averaged over the N examples

    ``matrices[k]`` has shape (nₖ₋₁ + 1, nₖ); ``X`` is (N, n₀) and ``Y`` is (N, n_m).
    Returns one gradient matrix per layer, shaped like ``matrices``.
    """
    Ws = [np.asarray(m, dtype=np.float64) for m in matrices]
    from_augmented(Ws)  # shape checks
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    N = X.shape[0]
    if Y.ndim == 1:
        Y = Y[:, np.newaxis]
    if X.ndim != 2 or X.shape[1] + 1 != Ws[0].shape[0] or Y.shape != (N, Ws[-1].shape[1]):
        raise ValueError(
            f"wiki_gradient: X {X.shape} and Y {Y.shape} do not fit matrices "
            f"{[w.shape for w in Ws]}"
        )
    ones = np.ones((N, 1))
    outputs = [np.hstack([ones, X])]  # o⁰ with the fixed bias input
    for k, W in enumerate(Ws):
        a = outputs[-1] @ W  # (N, nₖ)
        if k < len(Ws) - 1:
            outputs.append(np.hstack([ones, sigmoid(a)]))
        else:
            outputs.append(a)  # identity output: ŷ = a
    errors = [outputs[-1] - Y]  # δᵐ = ŷ − y, one row per example
    for k in range(len(Ws) - 2, -1, -1):
        o = outputs[k + 1][:, 1:]  # drop the fixed 1: it has no error
        errors.insert(0, o * (1.0 - o) * (errors[0] @ Ws[k + 1][1:].T))
    return [outputs[k].T @ errors[k] / N for k in range(len(Ws))]
