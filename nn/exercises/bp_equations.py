"""Exercises 5-7 and 9: BP1, BP2, BP3 and BP4 on the 2-2-1 sigmoid network, for the
quadratic cost and (exercise 9) the cross-entropy, judged against :mod:`nn.analytic`.

The checkers are re-exported by :mod:`nn.exercises`, whose docstring says how they judge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nn import analytic as an
from nn import notation
from nn.module import MLP
from nn.verdict import (
    NotYetError,
    Verdict,
    answer_array,
    answer_number,
    compare,
    fmt,
    is_close,
    judge,
    shape_of_error,
)

# --------------------------------------------------------------------------------------
# 5-7 · BP1-BP4 on a 2-2-1 sigmoid network
# --------------------------------------------------------------------------------------

_W = [np.array([[0.8, -0.4], [0.3, 0.9]]), np.array([[1.2, -0.7]])]
_B = [np.array([0.1, -0.2]), np.array([0.05])]
_X, _Y = [0.6, -0.3], [1.0]
# exercise 9's target: strictly between 0 and 1, so both terms of the cross-entropy
# −[y ln a + (1 − y) ln(1 − a)] count (with y = 1, −y/a alone would be the right number)
_Y_XENT = [0.25]


def tiny_network() -> tuple[MLP, list[float], list[float]]:
    """Exercises 5-7 and 9's network: 2 inputs → 2 sigmoid → 1 sigmoid, one example (x, y).

    Nielsen's layers: 1 the input x, 2 the hidden neurons, 3 the output neuron.  The cost is
    C = ½ (a³₁ − y)² in exercises 5-7, the cross-entropy in exercise 9.  Returns
    ``(mlp, x, y)``; build a fresh one for each exercise.

    >>> mlp, x, y = tiny_network()
    >>> mlp, x, y
    (MLP(2 → 2 sigmoid → 1 sigmoid, 9 parameters), [0.6, -0.3], [1.0])
    """
    mlp = MLP.from_matrices(_W, _B, activation="sigmoid", output_activation="sigmoid")
    return mlp, list(_X), list(_Y)


def cross_entropy_example() -> tuple[MLP, list[float], list[float]]:
    """Exercise 9's network and example: exercise 5's network and input, target y = 0.25.

    A target strictly between 0 and 1 makes both terms of the cross-entropy count, so a
    derivative that forgets one of them is wrong in number too.

    >>> cross_entropy_example()[2]
    [0.25]
    """
    mlp, x, _ = tiny_network()
    return mlp, x, list(_Y_XENT)


def _oracle(cost: str = "quadratic", y: Sequence[float] = _Y) -> dict[str, Any]:
    """Everything about the tiny network for ``cost`` and target ``y``, from nn.analytic's
    numpy equations (``"grad_a"`` is ∇ₐC at the output, ``"d3"`` BP1's δ³)."""
    zs, acts = an.forward(_W, _B, _X, "sigmoid", "sigmoid")
    nabla_b, nabla_w, deltas = an.backprop(_W, _B, _X, y, cost, "sigmoid", "sigmoid")
    return {"z2": zs[0], "z3": zs[1], "a1": acts[0], "a2": acts[1], "a3": acts[2],
            "grad_a": an.cost_derivative(cost, acts[2], y),
            "d2": deltas[0], "d3": deltas[1], "nb": nabla_b, "nw": nabla_w}


def _xent_output() -> tuple[dict[str, Any], float, float]:
    """Exercise 9's point: the oracle for the cross-entropy cost, a³₁ and its target y."""
    o = _oracle("cross_entropy", _Y_XENT)
    return o, float(o["a3"][0]), _Y_XENT[0]


def check_bp1(delta: Any) -> Verdict:
    """Exercise 5: δ³₁ = (a³₁ − y) σ′(z³₁) (BP1 for C = ½(a − y)²; σ′ = σ(1 − σ)).

    >>> o = _oracle()
    >>> check_bp1(float(o["a3"][0] - 1.0)).hint
    'δ³₁ is off by a factor σ′(z³₁): BP1 multiplies ∇ₐC by σ′(zᴸ)'
    """
    ex = "5 · BP1"

    def body() -> Verdict:
        got = _output_number(delta, "δ³₁")
        o = _oracle()
        a, z, y = o["a3"][0], o["z3"][0], _Y[0]
        sp = float(an.sigmoid_prime(z))
        return compare(ex, "δ³₁", got, o["d3"][0], [
            (a - y, "δ³₁ is off by a factor σ′(z³₁): BP1 multiplies ∇ₐC by σ′(zᴸ)"),
            ((y - a) * sp, "sign: for C = ½(a − y)², ∂C/∂a = a − y, not y − a"),
            (2 * (a - y) * sp, "a factor 2 too many: the ½ in C cancels the 2 from the square"),
            ((a - y) * a, "you multiplied by σ(z³₁) = a³₁; BP1 needs σ′(z³₁) = a(1 − a)"),
            ((a - y) * float(an.sigmoid_prime(a)), "σ′ is taken at z³₁, not at a³₁"),
            (sp, "that is σ′(z³₁) alone; multiply by ∂C/∂a = a − y"),
        ], right="δ³₁ = (a³₁ − y) σ′(z³₁) = " + fmt(o["d3"][0]) + ", as z.grad says")

    return judge(ex, body)


def check_bp2(delta: Any) -> Verdict:
    """Exercise 6: δ² = ((w³)ᵀ δ³) ⊙ σ′(z²), two numbers [δ²₁, δ²₂].

    >>> o = _oracle()
    >>> check_bp2(_W[1].T @ o["d3"]).hint
    'δ²₁ is off by a factor σ′(z²₁): did you apply BP2’s Hadamard product ⊙ σ′(z²)?'
    """
    ex = "6 · BP2"

    def body() -> Verdict:
        got = answer_array(delta, "δ²", (2,), "[δ²₁, δ²₂], one number per hidden neuron")
        o = _oracle()
        back = _W[1].T @ o["d3"]  # (w³)ᵀ δ³
        sp2 = an.sigmoid_prime(o["z2"])
        want = o["d2"]
        if is_close(got, want):
            return Verdict(ex, True, f"δ² = ((w³)ᵀ δ³) ⊙ σ′(z²) = {fmt(want)}, as z.grad says")
        for j in range(2):  # the mistake named on the first wrong entry
            if is_close(got[j], want[j]):
                continue
            lab, z2j, a2j = notation.delta(0, j), notation.z(0, j), notation.a(0, j)
            mistakes = [
                (back[j], f"{lab} is off by a factor σ′({z2j}): did you apply BP2’s "
                          "Hadamard product ⊙ σ′(z²)?"),
                (back[j] * float(an.sigmoid_prime(o["z3"][0])),
                 "σ′ of the wrong layer: BP2 for layer 2 uses σ′(z²), not σ′(z³)"),
                (back[j] * o["a2"][j], f"you multiplied by {a2j} = σ({z2j}); BP2 needs σ′({z2j})"),
                (back[j] * float(an.sigmoid_prime(o["a2"][j])),
                 f"σ′ is taken at {z2j}, not at {a2j}"),
                (_W[1][0, j] * (o["a3"][0] - _Y[0]) * sp2[j],
                 f"you carried back a³₁ − y; BP2 carries δ³₁ = (a³₁ − y) σ′(z³₁) back along "
                 f"{notation.w(1, 0, j)}"),
                (-want[j], f"{lab} has the wrong sign"),
                (want[1 - j], "δ²₁ and δ²₂ are swapped"),
                (o["d3"][0] * sp2[j], f"{lab} is missing the weight {notation.w(1, 0, j)} that "
                                       f"carries δ³₁ back to neuron {j + 1}"),
                *[(w2 * o["d3"][0] * sp2[j],
                   "off-by-one layer: carry δ³ back along w³ (the weights into layer 3), "
                   "not w²") for w2 in (_W[0][j, 0], _W[0][0, j])],
            ]
            for wrong, hint in mistakes:
                if wrong is not None and is_close(got[j], wrong):
                    return Verdict(ex, False, f"{lab} = {got[j]:.6g} is not right", hint)
            return Verdict(ex, False, f"{lab} = {got[j]:.6g} is not right",
                           shape_of_error(got[j], want[j]))
        raise AssertionError("unreachable: some entry differs")  # pragma: no cover

    return judge(ex, body)


def check_bp3_bp4(b3: Any, w3: Any, b2: Any, w2: Any) -> Verdict:
    """Exercise 7: ∂C/∂b = δ (BP3) and ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ (BP4) for both layers.

    Shapes as in the network: ``b3`` (1,), ``w3`` (1, 2), ``b2`` (2,), ``w2`` (2, 2), row j
    for neuron j, column k for input k (Nielsen's wˡⱼₖ).

    >>> o = _oracle()
    >>> v = check_bp3_bp4(o["nb"][1], o["nw"][1], o["nb"][0], o["nw"][0].T)
    >>> v.hint
    'your ∂C/∂w² is transposed: row j is neuron j, so ∂C/∂w²ⱼₖ = a¹ₖ δ²ⱼ, i.e. δ² (a¹)ᵀ'
    """
    ex = "7 · BP3 and BP4"

    def body() -> Verdict:
        o = _oracle()
        answers = [
            ("∂C/∂b³", b3, (1,), "[∂C/∂b³₁]"),
            ("∂C/∂w³", w3, (1, 2), "a 1×2 matrix [[∂C/∂w³₁₁, ∂C/∂w³₁₂]]"),
            ("∂C/∂b²", b2, (2,), "[∂C/∂b²₁, ∂C/∂b²₂]"),
            ("∂C/∂w²", w2, (2, 2), "a 2×2 matrix, row j = neuron j of layer 2, column k = "
                                   "input k"),
        ]
        wants = [o["nb"][1], o["nw"][1], o["nb"][0], o["nw"][0]]
        d = {"³": o["d3"], "²": o["d2"]}
        prev = {"³": o["a2"], "²": o["a1"]}
        same = {"³": o["a3"], "²": o["a2"]}
        zprev = {"³": o["z2"], "²": None}
        # δ without its factor σ′(z): BP1's ∂C/∂a, BP2's (w³)ᵀ δ³
        undamped = {"³": o["a3"] - np.asarray(_Y), "²": _W[1].T @ o["d3"]}
        redo = {"³": "BP1 (exercise 5)", "²": "BP2 (exercise 6)"}
        rows = []
        for (name, ans, shape, layout), want in zip(answers, wants):
            got = answer_array(ans, name, shape, layout)
            if is_close(got, want):
                rows.append(f"{name} ✓")
                continue
            l = name[-1]  # noqa: E741 - the book's layer index, as a superscript
            p = {"³": "²", "²": "¹"}[l]
            if name.startswith("∂C/∂b"):
                mistakes = [
                    (d[l] * prev[l].sum(), f"BP3 has no activation in it: ∂C/∂b{l} = δ{l}"),
                    (d[l] * prev[l] if d[l].size == prev[l].size else None,
                     f"BP3 has no activation in it: ∂C/∂b{l} = δ{l}"),
                    (-d[l], "wrong sign: ∂C/∂b = +δ"),
                    (undamped[l], f"your δ{l} lacks σ′(z{l}): fix it as in "
                                  f"{redo[l]}, then ∂C/∂b{l} = δ{l}"),
                ]
            else:
                outer = np.outer(d[l], prev[l])
                mistakes = [
                    (outer.T if outer.shape[0] == outer.shape[1] else None,
                     f"your {name} is transposed: row j is neuron j, so ∂C/∂w{l}ⱼₖ = "
                     f"a{p}ₖ δ{l}ⱼ, i.e. δ{l} (a{p})ᵀ"),
                    (np.outer(d[l], same[l]) if same[l].size == prev[l].size else None,
                     f"off-by-one layer: BP4 multiplies δ{l} by the activations of the layer "
                     f"before, a{p}, not a{l}"),
                    (np.outer(d[l], zprev[l]) if zprev[l] is not None else None,
                     f"you used z{p}; BP4 needs the activations a{p} = σ(z{p})"),
                    (np.outer(d[l], o["a1"]) if l == "³" else None,
                     "you used the input x; layer 3's weights carry a², the hidden activations"),
                    (np.outer(d[l], np.ones_like(prev[l])), "that is δ alone; BP4 multiplies "
                     "it by the incoming activation aₖ"),
                    (-outer, "wrong sign"),
                    (np.outer(undamped[l], prev[l]) if undamped[l] is not None else None,
                     f"your δ{l} lacks σ′(z{l}): fix it as in {redo[l]}, then "
                     f"∂C/∂w{l}ⱼₖ = a{p}ₖ δ{l}ⱼ"),
                ]
            verdict = compare(ex, name, got, want, [m for m in mistakes if m[0] is not None],
                              entries=_entry_names(name, shape))
            raise NotYetError(verdict.message, verdict.hint, rows)
        return Verdict(ex, True, "BP3 and BP4 give all nine partial derivatives",
                       details=tuple(rows))

    return judge(ex, body)


def _entry_names(name: str, shape: tuple[int, ...]) -> list[str]:
    """``∂C/∂w²`` of shape (2, 2) → ∂C/∂w²₁₁, ∂C/∂w²₁₂, ∂C/∂w²₂₁, ∂C/∂w²₂₂ (reading order)."""
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    if len(shape) == 1:
        return [f"{name}{str(j + 1).translate(sub)}" for j in range(shape[0])]
    return [f"{name}{str(j + 1).translate(sub)}{str(k + 1).translate(sub)}"
            for j in range(shape[0]) for k in range(shape[1])]


# --------------------------------------------------------------------------------------
# 9 · BP1 with the cross-entropy cost, on exercise 5's network
# --------------------------------------------------------------------------------------


def _output_number(x: Any, name: str) -> float:
    """The one number of the output layer: a float, a Value, or a list/array of one entry."""
    if isinstance(x, (list, tuple, np.ndarray)):
        return float(answer_array(x, name, (1,), "one number: the output layer has one neuron")[0])
    return answer_number(x, name)


def check_xent_gradient(grad_a: Any) -> Verdict:
    """Exercise 9a: ∂C/∂a³₁ for the cross-entropy C = −[y ln a + (1 − y) ln(1 − a)].

    ∂C/∂a = −y/a + (1 − y)/(1 − a) = (a − y) / (a(1 − a)), at a = a³₁ and the target
    y = 0.25 of :func:`cross_entropy_example`.

    >>> o = _oracle("cross_entropy", _Y_XENT)
    >>> a = float(o["a3"][0])
    >>> check_xent_gradient((a - 0.25) / (a * (1 - a))).ok
    True
    >>> check_xent_gradient(a - 0.25).hint.split(":")[0]
    'a³₁ − y is ∇ₐC for the quadratic cost ½(a − y)²'
    """
    ex = "9 · ∇ₐC for the cross-entropy"

    def body() -> Verdict:
        got = _output_number(grad_a, "∂C/∂a³₁")
        o, a, y = _xent_output()
        want = float(o["grad_a"][0])
        return compare(ex, "∂C/∂a³₁", got, want, [
            (-y / a, "that is only the first term, −y/a: the cost’s second term "
                     "−(1 − y) ln(1 − a) adds (1 − y)/(1 − a)"),
            ((1 - y) / (1 - a), "that is only the second term, (1 − y)/(1 − a): the cost’s "
                                "first term −y ln a adds −y/a"),
            (a - y, "a³₁ − y is ∇ₐC for the quadratic cost ½(a − y)²: differentiate "
                    "−[y ln a + (1 − y) ln(1 − a)] instead, term by term"),
            ((y - a) / (a * (1 - a)), "sign: C starts with a minus, so ∂C/∂a = −y/a + "
                                      "(1 − y)/(1 − a) = (a − y)/(a(1 − a)), not (y − a)/…"),
            ((a - y) / a, "the denominator is a(1 − a): over a common denominator, −y/a + "
                          "(1 − y)/(1 − a) needs both factors, and you dropped (1 − a)"),
            ((a - y) / (1 - a), "the denominator is a(1 − a): over a common denominator, "
                                "−y/a + (1 − y)/(1 − a) needs both factors, and you dropped a"),
            (-(y * math.log(a) + (1 - y) * math.log(1 - a)),
             "that is the cost C itself; the exercise asks for its derivative ∂C/∂a"),
            ((a - y) * a * (1 - a), "that is the quadratic cost’s δ³₁ = (a − y) σ′(z³₁); "
                                    "here ∇ₐC alone, for the cross-entropy, is asked"),
        ], right=f"∂C/∂a³₁ = (a³₁ − y) / (a³₁(1 − a³₁)) = {fmt(want)}")

    return judge(ex, body)


def check_bp1_cross_entropy(delta: Any) -> Verdict:
    """Exercise 9b: δ³₁ = ∂C/∂a³₁ · σ′(z³₁) (BP1) for the cross-entropy cost.

    With σ′(z) = a(1 − a) the denominator of ∂C/∂a = (a − y)/(a(1 − a)) cancels: δ³₁ = a³₁ − y,
    the number exercise 5 rejects for the quadratic cost as "BP1 without σ′".

    >>> o = _oracle("cross_entropy", _Y_XENT)
    >>> a = float(o["a3"][0])
    >>> check_bp1_cross_entropy(a - 0.25).ok
    True
    >>> check_bp1_cross_entropy((a - 0.25) * a * (1 - a)).hint
    'that is δ³₁ for the quadratic cost, (a − y) σ′(z³₁) (or σ′ applied twice, ...'
    """
    ex = "9 · BP1 with the cross-entropy"

    def body() -> Verdict:
        got = _output_number(delta, "δ³₁")
        o, a, y = _xent_output()
        grad_a, sp = float(o["grad_a"][0]), float(an.sigmoid_prime(o["z3"])[0])
        want = float(o["d3"][0])
        return compare(ex, "δ³₁", got, want, [
            ((a - y) * sp, "that is δ³₁ for the quadratic cost, (a − y) σ′(z³₁) (or σ′ "
                           "applied twice, which gives the same number): start from the "
                           "cross-entropy’s ∇ₐC = (a − y)/(a(1 − a)) and multiply by "
                           "σ′(z³₁) = a(1 − a) once"),
            (y - a, "sign: ∂C/∂a³₁ = (a − y)/(a(1 − a)) has the sign of a³₁ − y, and "
                    "σ′(z³₁) > 0 keeps it"),
            (grad_a, "that is ∇ₐC alone; BP1 multiplies it by σ′(z³₁) = a³₁(1 − a³₁)"),
            (grad_a / sp, "you divided by σ′(z³₁); BP1 multiplies ∇ₐC by it"),
            (grad_a * a, "you multiplied by σ(z³₁) = a³₁; BP1 needs σ′(z³₁) = a³₁(1 − a³₁)"),
            (grad_a * float(an.sigmoid_prime(o["a3"])[0]), "σ′ is taken at z³₁, not at a³₁"),
        ], right=f"δ³₁ = ∂C/∂a³₁ · σ′(z³₁) = a³₁ − y = {fmt(want)}: no σ′ left")

    return judge(ex, body)
