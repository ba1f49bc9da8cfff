"""Exercises 5-7 and 9: BP1, BP2, BP3 and BP4 on the 2-2-1 sigmoid network, for the
quadratic cost and (exercise 9) the cross-entropy, judged against :mod:`nn.analytic`.

The checkers are re-exported by :mod:`nn.exercises`, whose docstring says how they judge.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nn import analytic as an
from nn.exercises.instances import generator, network, numbers
from nn.module import MLP
from nn.verdict import (
    NotYetError,
    Verdict,
    answer_array,
    answer_number,
    call_student,
    compare,
    fmt,
    is_close,
    judge,
    short,
)

# --------------------------------------------------------------------------------------
# 5-7 · BP1-BP4 on a 2-2-2 sigmoid network
# --------------------------------------------------------------------------------------

Net = tuple[list[np.ndarray], list[np.ndarray], list[float], list[float]]

# seed 0: the book's numbers (the first output neuron is exercise 9's single one)
_W = [np.array([[0.8, -0.4], [0.3, 0.9]]), np.array([[1.2, -0.7], [-0.5, 0.6]])]
_B = [np.array([0.1, -0.2]), np.array([0.05, -0.1])]
_X, _Y = [0.6, -0.3], [1.0, 0.0]
# exercise 9's target: strictly between 0 and 1, so both terms of the cross-entropy
# −[y ln a + (1 − y) ln(1 − a)] count (with y = 1, −y/a alone would be the right number)
_Y_XENT = [0.25]


def _tiny(seed: int) -> Net:
    """Exercises 5-7's network and example for ``seed``: weights, biases, x, y."""
    if seed == 0:
        return [w.copy() for w in _W], [b.copy() for b in _B], list(_X), list(_Y)
    ws, bs, x = network(seed, "5-7", (2, 2, 2))
    y = [float(t) for t in generator(seed, "5-7 · y").choice([0.0, 1.0], 2)]
    return ws, bs, x, y


def _xent(seed: int) -> Net:
    """Exercise 9's 2-2-1 network and example: seed 0 is exercise 5's first output neuron
    with y = 0.25; any other seed draws one, its target at least 0.1 from the output."""
    if seed == 0:
        return [_W[0].copy(), _W[1][:1].copy()], [_B[0].copy(), _B[1][:1].copy()], \
            list(_X), list(_Y_XENT)
    for k in range(1000):
        ws, bs, x = network(seed * 1000 + k, "9", (2, 2, 1))
        a = float(an.forward(ws, bs, x, "sigmoid", "sigmoid")[1][-1][0])
        y = numbers(seed * 1000 + k, "9 · y", 1, 0.1, 0.9)[0]
        if abs(a - y) > 0.1:
            return ws, bs, x, [y]
    raise AssertionError("no network found")  # pragma: no cover


def _mlp(net: Net) -> tuple[MLP, list[float], list[float]]:
    ws, bs, x, y = net
    return MLP.from_matrices(ws, bs, activation="sigmoid", output_activation="sigmoid"), x, y


def tiny_network(seed: int = 0) -> tuple[MLP, list[float], list[float]]:
    """Exercises 5-7's network: 2 inputs → 2 sigmoid → 2 sigmoid, one example (x, y).

    Two output neurons, so that BP2 needs the transpose of w³ and BP4's ∂C/∂w³ is square.
    Nielsen's layers: 1 the input x, 2 the hidden neurons, 3 the output neurons.  The cost is
    C = ½ ‖a³ − y‖².  Returns ``(mlp, x, y)``; build a fresh one for each exercise.

    >>> mlp, x, y = tiny_network()
    >>> mlp, x, y
    (MLP(2 → 2 sigmoid → 2 sigmoid, 12 parameters), [0.6, -0.3], [1.0, 0.0])
    >>> tiny_network(7)[1] != x
    True
    """
    return _mlp(_tiny(seed))


def cross_entropy_example(seed: int = 0) -> tuple[MLP, list[float], list[float]]:
    """Exercise 9's network and example: 2 inputs → 2 sigmoid → 1 sigmoid, a target y
    strictly between 0 and 1 (seed 0: exercise 5's network with its first output, y = 0.25).

    A target strictly between 0 and 1 makes both terms of the cross-entropy count, so a
    derivative that forgets one of them is wrong in number too.

    >>> cross_entropy_example()[2]
    [0.25]
    """
    return _mlp(_xent(seed))


def _oracle(cost: str = "quadratic", seed: int = 0) -> dict[str, Any]:
    """Everything about exercise 5's network (exercise 9's for the cross-entropy), from
    nn.analytic's numpy equations (``"grad_a"`` is ∇ₐC at the output, ``"d3"`` BP1's δ³)."""
    ws, bs, x, y = _tiny(seed) if cost == "quadratic" else _xent(seed)
    zs, acts = an.forward(ws, bs, x, "sigmoid", "sigmoid")
    nabla_b, nabla_w, deltas = an.backprop(ws, bs, x, y, cost, "sigmoid", "sigmoid")
    return {"w2": ws[0], "w3": ws[1], "y": np.asarray(y, dtype=float),
            "z2": zs[0], "z3": zs[1], "a1": acts[0], "a2": acts[1], "a3": acts[2],
            "grad_a": an.cost_derivative(cost, acts[2], y),
            "d2": deltas[0], "d3": deltas[1], "nb": nabla_b, "nw": nabla_w}


def _xent_output(seed: int) -> tuple[dict[str, Any], float, float]:
    """Exercise 9's point: the oracle for the cross-entropy cost, a³₁ and its target y."""
    o = _oracle("cross_entropy", seed)
    return o, float(o["a3"][0]), float(o["y"][0])


def check_bp1(delta: Any, seed: int = 0) -> Verdict:
    """Exercise 5: δ³ = (a³ − y) ⊙ σ′(z³), two numbers [δ³₁, δ³₂] (BP1 for C = ½‖a − y‖²;
    σ′ = σ(1 − σ)).

    >>> o = _oracle()
    >>> check_bp1(o["a3"] - o["y"]).hint
    'δ³ is off by a factor σ′(z³): BP1 multiplies ∇ₐC by σ′(zᴸ), entry by entry'
    """
    ex = "5 · BP1"

    def body() -> Verdict:
        got = answer_array(delta, "δ³", (2,), "[δ³₁, δ³₂], one number per output neuron")
        o = _oracle(seed=seed)
        a, z, y = o["a3"], o["z3"], o["y"]
        sp = an.sigmoid_prime(z)
        return compare(ex, "δ³", got, o["d3"], [
            (a - y, "δ³ is off by a factor σ′(z³): BP1 multiplies ∇ₐC by σ′(zᴸ), entry by "
                    "entry"),
            ((y - a) * sp, "sign: for C = ½‖a − y‖², ∂C/∂a = a − y, not y − a"),
            (2 * (a - y) * sp, "a factor 2 too many: the ½ in C cancels the 2 from the square"),
            ((a - y) * a, "you multiplied by σ(z³) = a³; BP1 needs σ′(z³) = a³(1 − a³)"),
            ((a - y) * an.sigmoid_prime(a), "σ′ is taken at z³, not at a³"),
            (sp, "that is σ′(z³) alone; multiply by ∂C/∂a = a − y"),
            (o["d3"][::-1], "δ³₁ and δ³₂ are swapped"),
        ], right="δ³ = (a³ − y) ⊙ σ′(z³) = " + fmt(o["d3"]) + ", as z.grad says",
            entries=["δ³₁", "δ³₂"])

    return judge(ex, body)


def bp2_networks(seed: int = 0) -> list[dict[str, np.ndarray]]:
    """The two networks exercise 6's ``bp2(w3, delta3, a2)`` is run on: the seed's 2-2-2
    (w³ square, so a missing transpose gives wrong numbers) and a 2-3-2 (w³ of shape (2, 3),
    so a missing transpose is a shape error).  Each: ``w3``, ``delta3``, ``a2``, ``want``.

    >>> [n["w3"].shape for n in bp2_networks()]
    [(2, 2), (2, 3)]
    """
    out = []
    ws, bs, x, y = _tiny(seed)
    wide = network(seed, "6 · wide", (2, 3, 2))
    for w, b, xx, yy in ((ws, bs, x, y), (*wide, y)):
        zs, acts = an.forward(w, b, xx, "sigmoid", "sigmoid")
        _, _, deltas = an.backprop(w, b, xx, yy, "quadratic", "sigmoid", "sigmoid")
        out.append({"w3": w[1], "w2": w[0], "delta3": deltas[1], "a2": acts[1], "z2": zs[0],
                    "a3": acts[2], "z3": zs[1], "y": np.asarray(yy, dtype=float),
                    "want": deltas[0]})
    return out


_SHAPE_WORDS = ("shape", "broadcast", "align", "mismatch", "dimension")


def _run_bp2(bp2: Any, net: dict[str, np.ndarray]) -> Any:
    """Call the student's ``bp2``; a numpy shape error is named with the shapes it was given."""
    w3, d3, a2 = net["w3"], net["delta3"], net["a2"]
    try:
        return bp2(w3.copy(), d3.copy(), a2.copy())
    except ValueError as e:
        if not any(word in str(e) for word in _SHAPE_WORDS):
            raise NotYetError(f"bp2(w3, delta3, a2) raised ValueError: {e}",
                              "run your function on its own in a cell to see the traceback"
                              ) from None
        n_out, n_hidden = w3.shape
        raise NotYetError(
            f"bp2(w3, delta3, a2) raised a shape error on the 2-{n_hidden}-{n_out} network: "
            f"w3 has shape {w3.shape}, delta3 {d3.shape}, a2 {a2.shape}",
            f"(w³)ᵀ δ³ is the transpose of w3, shape {w3.T.shape}, times delta3, shape "
            f"{d3.shape}: w3.T @ delta3 gives one number per hidden neuron, {a2.shape}; then "
            "⊙ σ′(z²) is an entry-by-entry product (*), not @", [f"numpy said: {e}"]) from None
    except Exception as e:  # the student's code failed: say how
        raise NotYetError(f"bp2(w3, delta3, a2) raised {type(e).__name__}: {e}",
                          "run your function on its own in a cell to see the traceback"
                          ) from None


def check_bp2(bp2: Any, seed: int = 0) -> Verdict:
    """Exercise 6: ``bp2(w3, delta3, a2)`` returns δ² = ((w³)ᵀ δ³) ⊙ σ′(z²), with
    σ′(z²) = a²(1 − a²); run on :func:`bp2_networks` (the seed's 2-2-2, then a 2-3-2).

    The exercise asks for the code, so numbers are refused.  A missing transpose is named
    on the square network and is a shape error, named as one, on the other.

    >>> n = bp2_networks()[0]
    >>> check_bp2(lambda w3, delta3, a2: (w3 @ delta3) * a2 * (1 - a2)).hint.split(":")[0]
    'transpose'
    >>> check_bp2(lambda w3, delta3, a2: (w3.T @ delta3) * a2 * (1 - a2)).ok
    True
    """
    ex = "6 · BP2"

    def body() -> Verdict:
        if bp2 is None or bp2 is Ellipsis:
            call_student(bp2, "bp2")  # "bp2 is still ..."
        if not callable(bp2):
            raise NotYetError(f"bp2 is {short(bp2)}, not a function",
                              "exercise 6 asks for the code, not its numbers: "
                              "def bp2(w3, delta3, a2): return ... (δ² for any network)")
        rows: list[str] = []
        for net in bp2_networks(seed):
            n_out, n_hidden = net["w3"].shape
            where = f"the 2-{n_hidden}-{n_out} network"
            try:
                out = _run_bp2(bp2, net)
            except NotYetError as e:  # keep the networks already right in the details
                raise NotYetError(e.message, e.hint, [*rows, *e.details]) from None
            got = answer_array(out, f"bp2(w3, delta3, a2) on {where}",
                               (n_hidden,), f"a vector of {n_hidden} numbers, one per hidden "
                               "neuron: δ²ⱼ for j = 1 … " + str(n_hidden))
            want, w3, d3, a2 = net["want"], net["w3"], net["delta3"], net["a2"]
            if is_close(got, want):
                rows.append(f"{where}: δ² = {fmt(want)} ✓")
                continue
            sp2 = a2 * (1 - a2)
            back = w3.T @ d3
            mistakes = [
                ((w3 @ d3) * sp2 if w3.shape[0] == w3.shape[1] else None,
                 "transpose: BP2 carries δ³ back along the transposed weights, (w³)ᵀ δ³ = "
                 "w3.T @ delta3, so that entry j sums w³ₖⱼ δ³ₖ over the neurons k it feeds"),
                (back, "δ² is off by a factor σ′(z²): did you apply BP2’s Hadamard product "
                       "⊙ σ′(z²)?"),
                (back * a2, "you multiplied by a² = σ(z²); BP2 needs σ′(z²) = a²(1 − a²)"),
                (back * an.sigmoid_prime(a2), "σ′ is taken at z², not at a²"),
                ((w3.T @ (net["a3"] - net["y"])) * sp2,
                 "you carried back a³ − y; BP2 carries δ³ = (a³ − y) ⊙ σ′(z³) back"),
                (back * an.sigmoid_prime(net["z3"]) if n_hidden == n_out else None,
                 "σ′ of the wrong layer: BP2 for layer 2 uses σ′(z²), not σ′(z³)"),
                (d3 * sp2 if n_hidden == n_out else None,
                 "δ² is missing the weights w³ that carry δ³ back: ((w³)ᵀ δ³) ⊙ σ′(z²)"),
                (-want, "wrong sign"),
                (want[::-1], "δ²₁ and δ²₂ are swapped"),
            ]
            verdict = compare(ex, f"δ² on {where}", got, want,
                              [m for m in mistakes if m[0] is not None],
                              entries=[f"δ²{'₁₂₃'[j]}" for j in range(n_hidden)])
            raise NotYetError(verdict.message, verdict.hint, rows)
        return Verdict(ex, True, "δ² = ((w³)ᵀ δ³) ⊙ σ′(z²), as z.grad says, on both networks",
                       details=tuple(rows))

    return judge(ex, body)


def check_bp3_bp4(b3: Any, w3: Any, b2: Any, w2: Any, seed: int = 0) -> Verdict:
    """Exercise 7: ∂C/∂b = δ (BP3) and ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ (BP4) for both layers.

    Shapes as in the network: ``b3`` (2,), ``w3`` (2, 2), ``b2`` (2,), ``w2`` (2, 2), row j
    for neuron j, column k for input k (Nielsen's wˡⱼₖ); both weight matrices are square, so
    a transposed one is wrong in number, and named.

    >>> o = _oracle()
    >>> v = check_bp3_bp4(o["nb"][1], o["nw"][1].T, o["nb"][0], o["nw"][0])
    >>> v.hint
    'your ∂C/∂w³ is transposed: row j is neuron j, so ∂C/∂w³ⱼₖ = a²ₖ δ³ⱼ, i.e. δ³ (a²)ᵀ'
    """
    ex = "7 · BP3 and BP4"

    def body() -> Verdict:
        o = _oracle(seed=seed)
        answers = [
            ("∂C/∂b³", b3, (2,), "[∂C/∂b³₁, ∂C/∂b³₂]"),
            ("∂C/∂w³", w3, (2, 2), "a 2×2 matrix, row j = neuron j of layer 3, column k = "
                                   "neuron k of layer 2"),
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
        undamped = {"³": o["a3"] - o["y"], "²": o["w3"].T @ o["d3"]}
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
        return Verdict(ex, True, "BP3 and BP4 give all twelve partial derivatives",
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


def check_xent_gradient(grad_a: Any, seed: int = 0) -> Verdict:
    """Exercise 9a: ∂C/∂a³₁ for the cross-entropy C = −[y ln a + (1 − y) ln(1 − a)].

    ∂C/∂a = −y/a + (1 − y)/(1 − a) = (a − y) / (a(1 − a)), at a = a³₁ and the
    target y of :func:`cross_entropy_example` (seed 0: y = 0.25).

    >>> o = _oracle("cross_entropy")
    >>> a = float(o["a3"][0])
    >>> check_xent_gradient((a - 0.25) / (a * (1 - a))).ok
    True
    >>> check_xent_gradient(a - 0.25).hint.split(":")[0]
    'a³₁ − y is ∇ₐC for the quadratic cost ½(a − y)²'
    """
    ex = "9 · ∇ₐC for the cross-entropy"

    def body() -> Verdict:
        got = _output_number(grad_a, "∂C/∂a³₁")
        o, a, y = _xent_output(seed)
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


def check_bp1_cross_entropy(delta: Any, seed: int = 0) -> Verdict:
    """Exercise 9b: δ³₁ = ∂C/∂a³₁ · σ′(z³₁) (BP1) for the cross-entropy cost.

    With σ′(z) = a(1 − a) the denominator of ∂C/∂a = (a − y)/(a(1 − a)) cancels: δ³₁ = a³₁ − y,
    the number exercise 5 rejects for the quadratic cost as "BP1 without σ′".

    >>> o = _oracle("cross_entropy")
    >>> a = float(o["a3"][0])
    >>> check_bp1_cross_entropy(a - 0.25).ok
    True
    >>> check_bp1_cross_entropy((a - 0.25) * a * (1 - a)).hint
    'that is δ³₁ for the quadratic cost, (a − y) σ′(z³₁) (or σ′ applied twice, ...'
    """
    ex = "9 · BP1 with the cross-entropy"

    def body() -> Verdict:
        got = _output_number(delta, "δ³₁")
        o, a, y = _xent_output(seed)
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
