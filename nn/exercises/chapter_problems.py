"""Exercises 10-12: the problems of Nielsen's chapter 2, judged against numpy.

10. BP1 and BP2 as matrix products: Σ′(z) is the diagonal matrix of the σ′(zⱼ), and
    δˡ = Σ′(zˡ) (wˡ⁺¹)ᵀ Σ′(zˡ⁺¹) ⋯ (wᴸ)ᵀ Σ′(zᴸ) ∇ₐC.
11. Backprop with a single modified neuron: neuron 2 of layer 2 outputs f(z) = tanh(z)
    instead of σ(z); only that neuron's activation and derivative change.
12. Backprop with linear neurons, σ(z) = z everywhere: σ′ = 1, so the σ′ factors drop out.

Each right answer is computed here from the closed forms of the chapter, in numpy, with the
sigmoid and tanh written out (not with the engine these exercises teach).  The checkers are
re-exported by :mod:`nn.exercises`, whose docstring says how they judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nn.exercises.instances import generator, network, numbers
from nn.verdict import (
    NotYetError,
    Verdict,
    answer_array,
    compare,
    fmt,
    is_close,
    judge,
    result_of,
)

Array = np.ndarray

# --------------------------------------------------------------------------------------
# The network of exercises 10 and 11: 2 inputs → 3 sigmoid → 1 or 2 sigmoid outputs
# --------------------------------------------------------------------------------------

_W2 = np.array([[0.7, -0.5], [-0.3, 0.8], [0.6, 0.4]])
_B2 = np.array([0.1, -0.2, 0.05])
_W3 = np.array([[0.9, -1.1, 0.5], [-0.4, 0.7, 1.2]])
_B3 = np.array([-0.1, 0.2])
_X = np.array([0.4, -0.7])
_Y = np.array([1.0, 0.0])
MODIFIED = 1  # exercise 11: neuron 2 of layer 2 (index 1) computes tanh


def _sigmoid(z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_prime(z: Array) -> Array:
    s = _sigmoid(z)
    return s * (1.0 - s)


def _drawn(seed: int, name: str, sizes: Sequence[int]) -> tuple[list[Array], list[Array],
                                                               Array]:
    ws, bs, x = network(seed, name, sizes, weight=1.3, bias=0.3)
    return ws, bs, np.array(x)


def matrix_network(seed: int = 0) -> dict[str, Array]:
    """Exercise 10's network and example: 2 inputs → 3 sigmoid → 2 sigmoid, quadratic cost.

    Returns the parameters in Nielsen's layout (``w2`` (3, 2), ``b2`` (3,), ``w3`` (2, 3),
    ``b3`` (2,)), the input ``x`` and the target ``y``; fresh copies, drawn from ``seed``
    (seed 0: the numbers of the first edition of this exercise).

    >>> sorted(matrix_network())
    ['b2', 'b3', 'w2', 'w3', 'x', 'y']
    """
    if seed == 0:
        return {"w2": _W2.copy(), "b2": _B2.copy(), "w3": _W3.copy(), "b3": _B3.copy(),
                "x": _X.copy(), "y": _Y.copy()}
    (w2, w3), (b2, b3), x = _drawn(seed, "10-11", (2, 3, 2))
    y = generator(seed, "10-11 · y").choice([0.0, 1.0], 2)
    return {"w2": w2, "b2": b2, "w3": w3, "b3": b3, "x": x, "y": y}


def modified_network(seed: int = 0) -> dict[str, Array]:
    """Exercise 11's network: exercise 10's, with one output neuron (its first).

    Neuron 2 of layer 2 computes a²₂ = tanh(z²₂); every other neuron is a sigmoid.

    >>> {k: v.shape for k, v in modified_network().items()}["w3"]
    (1, 3)
    """
    n = matrix_network(seed)
    return {**n, "w3": n["w3"][:1].copy(), "b3": n["b3"][:1].copy(), "y": n["y"][:1].copy()}


def _forward(n: dict[str, Array], modified: bool) -> tuple[Array, Array, Array, Array]:
    """z², a², z³, a³ of the network ``n`` (with the tanh neuron if ``modified``)."""
    z2 = n["w2"] @ n["x"] + n["b2"]
    a2 = _sigmoid(z2)
    if modified:
        a2[MODIFIED] = np.tanh(z2[MODIFIED])
    z3 = n["w3"] @ a2 + n["b3"]
    return z2, a2, z3, _sigmoid(z3)


# --------------------------------------------------------------------------------------
# 10 · BP1 and BP2 with Σ′(z)
# --------------------------------------------------------------------------------------


def check_sigma_prime_matrix(S: Any, seed: int = 0) -> Verdict:
    """Exercise 10a: Σ′(z³), the 2×2 matrix with σ′(z³ⱼ) on its diagonal and 0 elsewhere.

    >>> z3 = _forward(matrix_network(), False)[2]
    >>> check_sigma_prime_matrix(np.diag(_sigmoid_prime(z3))).ok
    True
    >>> check_sigma_prime_matrix(_sigmoid_prime(z3)).hint.split(":")[0]
    'that is the vector σ′(z³)'
    """
    ex = "10 · Σ′(z³)"

    def body() -> Verdict:
        _, _, z3, a3 = _forward(matrix_network(seed), False)
        sp = _sigmoid_prime(z3)
        if np.shape(S) == (2,) and is_close(S, sp):
            raise NotYetError("Σ′(z³) has shape (2,), expected (2, 2)",
                              "that is the vector σ′(z³): Σ′(z³) is the square matrix with "
                              "these numbers on its diagonal and zeros elsewhere, np.diag(...)")
        got = answer_array(S, "Σ′(z³)", (2, 2), "a 2×2 matrix, σ′(z³ⱼ) at row j, column j")
        return compare(ex, "Σ′(z³)", got, np.diag(sp), [
            (np.outer(sp, sp), "the off-diagonal entries of Σ′ are 0: it is np.diag of the "
                               "vector σ′(z³), not its outer product with itself"),
            (np.full((2, 2), 1.0) * sp, "the off-diagonal entries of Σ′ are 0: only entry "
                                        "(j, j) holds σ′(z³ⱼ)"),
            (np.diag(a3), "that is σ(z³) = a³ on the diagonal; Σ′ holds the derivatives "
                        "σ′(z³ⱼ) = a³ⱼ(1 − a³ⱼ)"),
            (np.diag(_sigmoid_prime(a3)), "σ′ is taken at z³, not at a³"),
            (np.eye(2), "that is the identity: Σ′ is the identity only for linear "
                        "neurons (exercise 12)"),
        ], right=f"Σ′(z³) = diag(σ′(z³)) = diag({fmt(sp)})")

    return judge(ex, body)


def check_delta_by_matrices(delta2: Any, seed: int = 0) -> Verdict:
    """Exercise 10b: δ² = Σ′(z²) (w³)ᵀ Σ′(z³) ∇ₐC, three numbers [δ²₁, δ²₂, δ²₃].

    >>> z2, a2, z3, a3 = _forward(matrix_network(), False)
    >>> check_delta_by_matrices(_W3.T @ np.diag(_sigmoid_prime(z3)) @ (a3 - _Y)).hint
    'δ² lacks Σ′(z²): after (w³)ᵀ carries δ³ back, multiply by Σ′(z²) (BP2’s ⊙ σ′(z²))'
    """
    ex = "10 · δ² as a matrix product"

    def body() -> Verdict:
        n = matrix_network(seed)
        W3 = n["w3"]
        z2, a2, z3, a3 = _forward(n, False)
        grad_a = a3 - n["y"]
        S2, S3 = np.diag(_sigmoid_prime(z2)), np.diag(_sigmoid_prime(z3))
        d3 = S3 @ grad_a
        want = S2 @ W3.T @ d3
        if np.shape(delta2) == (2,) and is_close(delta2, d3):
            raise NotYetError("that is δ³ (BP1), two numbers; δ² has one per hidden neuron",
                              "carry δ³ one layer back: δ² = Σ′(z²) (w³)ᵀ δ³")
        got = answer_array(delta2, "δ²", (3,), "[δ²₁, δ²₂, δ²₃], one number per hidden neuron")
        return compare(ex, "δ²", got, want, [
            (W3.T @ d3, "δ² lacks Σ′(z²): after (w³)ᵀ carries δ³ back, multiply by Σ′(z²) "
                         "(BP2’s ⊙ σ′(z²))"),
            (S2 @ W3.T @ grad_a, "δ² lacks Σ′(z³): BP1 first turns ∇ₐC into δ³ = Σ′(z³) ∇ₐC, "
                                  "then BP2 carries δ³ back"),
            (W3.T @ grad_a, "both Σ′ factors are missing: δ² = Σ′(z²) (w³)ᵀ Σ′(z³) ∇ₐC"),
            (-want, "sign: for C = ½‖a − y‖², ∇ₐC = a − y, not y − a"),
            (np.diag(a2) @ W3.T @ np.diag(a3) @ grad_a,
             "you put a = σ(z) on the diagonals; Σ′ holds σ′(z) = a(1 − a)"),
            (S2 @ W3.T @ S3 @ S3 @ grad_a,
             "Σ′(z³) appears twice: it belongs to δ³ once"),
        ], right=f"δ² = Σ′(z²) (w³)ᵀ Σ′(z³) ∇ₐC = {fmt(want)}, as BP1 and BP2 give")

    return judge(ex, body)


# --------------------------------------------------------------------------------------
# 11 · one neuron with f = tanh
# --------------------------------------------------------------------------------------


def _modified_deltas(n: dict[str, Array], forward_modified: bool,
                     derivative: str) -> tuple[Array, Array]:
    """δ² and δ³ for exercise 11's network.  ``derivative`` says what multiplies each hidden
    neuron's back-carried error: "right" (f′ for the tanh neuron, σ′ for the others),
    "sigma" (σ′ for all), "tanh" (f′ for all) or "f" (f itself for the tanh neuron)."""
    z2, _, z3, a3 = _forward(n, forward_modified)
    d3 = (a3 - n["y"]) * _sigmoid_prime(z3)
    s = _sigmoid_prime(z2)
    if derivative in ("right", "f"):
        s[MODIFIED] = 1 - np.tanh(z2[MODIFIED]) ** 2 if derivative == "right" else np.tanh(
            z2[MODIFIED])
    elif derivative == "tanh":
        s = 1 - np.tanh(z2) ** 2
    return (n["w3"].T @ d3) * s, d3


def check_modified_delta(delta2: Any, seed: int = 0) -> Verdict:
    """Exercise 11a: δ² when neuron 2 of layer 2 outputs tanh(z²₂): BP2 with f′(z²₂) there.

    >>> n = modified_network()
    >>> check_modified_delta(_modified_deltas(n, True, "sigma")[0]).hint.split(":")[0]
    'δ²₂ uses σ′(z²₂), but neuron 2 computes f(z) = tanh(z)'
    """
    ex = "11 · δ² with one tanh neuron"

    def body() -> Verdict:
        got = answer_array(delta2, "δ²", (3,), "[δ²₁, δ²₂, δ²₃], one number per hidden neuron")
        n = modified_network(seed)
        want = _modified_deltas(n, True, "right")[0]
        return compare(ex, "δ²", got, want, [
            (_modified_deltas(n, True, "sigma")[0],
             "δ²₂ uses σ′(z²₂), but neuron 2 computes f(z) = tanh(z): BP2 multiplies its "
             "error by f′(z²₂) = 1 − tanh²(z²₂)"),
            (_modified_deltas(n, False, "sigma")[0],
             "that is the unmodified network: neuron 2 outputs a²₂ = tanh(z²₂), which changes "
             "z³ and so δ³, and its δ takes f′(z²₂) instead of σ′(z²₂)"),
            (_modified_deltas(n, False, "right")[0],
             "the derivative is right but the forward pass is not: a²₂ = tanh(z²₂) feeds z³, "
             "so δ³ must be computed from that output"),
            (_modified_deltas(n, True, "tanh")[0],
             "only neuron 2 is modified: neurons 1 and 3 keep σ′(z²ⱼ)"),
            (_modified_deltas(n, True, "f")[0],
             "you multiplied by f(z²₂) = tanh(z²₂); BP2 needs the derivative f′(z²₂)"),
            (-want, "wrong sign: for C = ½(a − y)², ∂C/∂a = a − y"),
        ], right=f"δ² = ((w³)ᵀ δ³) ⊙ [σ′(z²₁), f′(z²₂), σ′(z²₃)] = {fmt(want)}")

    return judge(ex, body)


def check_modified_weights(nabla_w3: Any, seed: int = 0) -> Verdict:
    """Exercise 11b: ∂C/∂w³ = δ³ (a²)ᵀ, where a²₂ = tanh(z²₂) is what neuron 2 sends on.

    >>> n = modified_network()
    >>> z2, a2, _, _ = _forward(n, True)
    >>> d3 = _modified_deltas(n, True, "right")[1]
    >>> check_modified_weights(np.outer(d3, a2)).ok
    True
    """
    ex = "11 · ∂C/∂w³ with one tanh neuron"

    def body() -> Verdict:
        got = answer_array(nabla_w3, "∂C/∂w³", (1, 3), "a 1×3 matrix [[∂C/∂w³₁₁, ∂C/∂w³₁₂, "
                                                       "∂C/∂w³₁₃]]")
        n = modified_network(seed)
        z2, a2, _, _ = _forward(n, True)
        d3 = _modified_deltas(n, True, "right")[1]
        want = np.outer(d3, a2)
        plain_a2 = _sigmoid(z2)
        _, a2_plain_forward, _, _ = _forward(n, False)
        d3_plain = _modified_deltas(n, False, "right")[1]
        return compare(ex, "∂C/∂w³", got, want, [
            (np.outer(d3, plain_a2), "BP4 multiplies δ³ by what each hidden neuron sends on: "
                                     "for neuron 2 that is a²₂ = tanh(z²₂), not σ(z²₂)"),
            (np.outer(d3_plain, a2_plain_forward),
             "that is the unmodified network: with a²₂ = tanh(z²₂) both δ³ and a² change"),
            (np.outer(d3, z2), "BP4 needs the activations a², not the weighted inputs z²"),
            (-want, "wrong sign: ∂C/∂w³₁ₖ = a²ₖ δ³₁"),
        ], right=f"∂C/∂w³ = δ³ (a²)ᵀ with a²₂ = tanh(z²₂) = {fmt(want)}: BP4 itself is "
                 "unchanged")

    return judge(ex, body)


# --------------------------------------------------------------------------------------
# 12 · linear neurons
# --------------------------------------------------------------------------------------

# two networks the student's function is run on: 2 → 3 → 2, and 3 → 2 → 2 → 1
_LINEAR_CASES: list[tuple[list[Array], list[Array], Array, Array]] = [
    ([_W2, _W3], [_B2, _B3], _X, _Y),
    ([np.array([[0.5, -0.2, 0.3], [0.1, 0.4, -0.6]]), np.array([[1.1, -0.3], [0.2, 0.9]]),
      np.array([[-0.7, 0.8]])],
     [np.array([0.2, -0.1]), np.array([0.0, 0.3]), np.array([0.1])],
     np.array([1.0, -0.5, 0.25]), np.array([0.5])),
]


def linear_cases(seed: int = 0) -> list[tuple[list[Array], list[Array], Array, Array]]:
    """The networks exercise 12's function is tried on: ``(weights, biases, x, y)`` each,
    Nielsen's layout, every neuron linear (a = z), the quadratic cost; drawn from ``seed``
    (seed 0: the numbers of the first edition), always of these shapes.

    >>> [[w.shape for w in ws] for ws, _, _, _ in linear_cases()]
    [[(3, 2), (2, 3)], [(2, 3), (2, 2), (1, 2)]]
    """
    if seed == 0:
        return [([w.copy() for w in ws], [b.copy() for b in bs], x.copy(), y.copy())
                for ws, bs, x, y in _LINEAR_CASES]
    cases = []
    for k, sizes in enumerate(((2, 3, 2), (3, 2, 2, 1))):
        ws, bs, x = _drawn(seed, f"12 · network {k}", sizes)
        y = np.array(numbers(seed, f"12 · y{k}", sizes[-1], -1.0, 1.0))
        cases.append((ws, bs, x, y))
    return cases


def _linear_backprop(ws: Sequence[Array], bs: Sequence[Array], x: Array, y: Array,
                     mistake: str = "") -> tuple[list[Array], list[Array]]:
    """The right ∂C/∂b and ∂C/∂w for a linear network, or those of a named ``mistake``:
    "sigma_prime" (σ′(z) factors kept), "sigmoid" (a sigmoid network), "sign" (y − a)."""
    act = _sigmoid if mistake == "sigmoid" else (lambda z: z)
    slope = _sigmoid_prime if mistake in ("sigmoid", "sigma_prime") else np.ones_like
    a, acts, zs = x, [x], []
    for w, b in zip(ws, bs):
        zs.append(w @ a + b)
        a = act(zs[-1])
        acts.append(a)
    delta = (a - y if mistake != "sign" else y - a) * slope(zs[-1])
    deltas = [delta]
    for w, z in zip(reversed(ws[1:]), reversed(zs[:-1])):
        delta = (w.T @ delta) * slope(z)
        deltas.insert(0, delta)
    return deltas, [np.outer(d, a_prev) for d, a_prev in zip(deltas, acts[:-1])]


def check_linear_backprop(backprop_linear: Any, seed: int = 0) -> Verdict:
    """Exercise 12: ``backprop_linear(weights, biases, x, y) -> (nabla_b, nabla_w)`` for a
    network of linear neurons (σ(z) = z) and the quadratic cost, tried on the seed's two
    networks (:func:`linear_cases`).

    >>> check_linear_backprop(lambda ws, bs, x, y: _linear_backprop(ws, bs, x, y)).ok
    True
    >>> wrong = lambda ws, bs, x, y: _linear_backprop(ws, bs, x, y, "sigma_prime")
    >>> check_linear_backprop(wrong).hint.split(":")[0]
    'σ(z) = z has σ′(z) = 1'
    """
    ex = "12 · backprop with linear neurons"

    def body() -> Verdict:
        rows: list[str] = []
        for ws, bs, x, y in linear_cases(seed):
            sizes = " → ".join(str(s) for s in [len(x), *(len(b) for b in bs)])
            out = result_of(backprop_linear, "backprop_linear", ws, bs, x, y)
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise NotYetError(f"backprop_linear returned {type(out).__name__}, not a pair",
                                  "return (nabla_b, nabla_w), two lists with one array per "
                                  "layer")
            nabla_b, nabla_w = out
            if not all(isinstance(g, (list, tuple)) and len(g) == len(ws)
                       for g in (nabla_b, nabla_w)):
                raise NotYetError(f"on the {sizes} network nabla_b and nabla_w should each "
                                  f"hold {len(ws)} arrays, one per layer",
                                  "one entry per weight matrix, first layer first")
            want_b, want_w = _linear_backprop(ws, bs, x, y)
            wrong = {m: _linear_backprop(ws, bs, x, y, m)
                     for m in ("sigma_prime", "sigmoid", "sign")}
            for l, (gb, gw) in enumerate(zip(nabla_b, nabla_w)):  # noqa: E741 - the book's l
                name = f"layer {l + 2} of the {sizes} network"
                got_b = answer_array(gb, f"∂C/∂b of {name}", want_b[l].shape,
                                     f"a vector of {want_b[l].size} numbers")
                got_w = answer_array(gw, f"∂C/∂w of {name}", want_w[l].shape,
                                     f"a {want_w[l].shape[0]}×{want_w[l].shape[1]} matrix, "
                                     "row j for neuron j")
                got = np.concatenate([got_b, got_w.ravel()])
                want = np.concatenate([want_b[l], want_w[l].ravel()])
                if is_close(got, want):
                    continue
                mistakes = [
                    (np.concatenate([wrong["sigma_prime"][0][l],
                                     wrong["sigma_prime"][1][l].ravel()]),
                     "σ(z) = z has σ′(z) = 1: drop the factors σ′(z) from BP1 and BP2"),
                    (np.concatenate([wrong["sigmoid"][0][l], wrong["sigmoid"][1][l].ravel()]),
                     "that is a sigmoid network; with σ(z) = z every activation is its "
                     "weighted input, aˡ = zˡ, and σ′ = 1"),
                    (np.concatenate([wrong["sign"][0][l], wrong["sign"][1][l].ravel()]),
                     "sign: δᴸ = ∇ₐC = aᴸ − y, not y − aᴸ"),
                    (np.concatenate([want_b[l], want_w[l].T.ravel()])
                     if want_w[l].shape[0] == want_w[l].shape[1] else None,
                     "∂C/∂w is transposed: row j is neuron j, ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ, "
                     "i.e. δˡ (aˡ⁻¹)ᵀ"),
                ]
                verdict = compare(ex, f"the gradient of {name}", got, want,
                                  [m for m in mistakes if m[0] is not None])
                raise NotYetError(verdict.message, verdict.hint, rows)
            rows.append(f"{sizes} network ✓")
        return Verdict(ex, True, "δᴸ = aᴸ − y, δˡ = (wˡ⁺¹)ᵀ δˡ⁺¹, ∂C/∂b = δ, ∂C/∂w = δ (aˡ⁻¹)ᵀ "
                       "on both networks", details=tuple(rows))

    return judge(ex, body)
