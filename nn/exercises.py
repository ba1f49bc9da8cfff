"""Checkers for the exercise notebooks: each one judges a student's answer and says why.

Every ``check_*`` function takes the student's answer (a number, an array, a function, a
graph) and returns a :class:`Verdict`: ``ok`` or "not yet", one line on what was found, and
a hint.  A checker never raises because of the answer: a missing answer (``...`` or
``None``), a malformed one (wrong shape, a string, nan) or a student function that crashes
all become a "not yet" verdict that names the problem.  (A bug in this module itself still
raises, so it cannot hide.)

How a checker judges:

1. it computes the right answer on its own, with closed forms, finite differences or the
   numpy equations of :mod:`nn.analytic`, never by trusting the engine it is teaching;
2. it compares with a tolerance of 1e-6 relative (1e-9 absolute), and calls an answer that is
   only within 0.1 % "close" (rounded numbers typed in by hand);
3. otherwise it computes what the usual mistakes would give (BP1 without σ′, BP4 transposed,
   a gradient assigned instead of accumulated, ...) and names the one the answer matches;
4. failing that, it reports a constant factor or a sign, if there is one.

The exercises, in teaching order (notebooks/exercises/, solved in notebooks/solutions/):

====  ===========================================  ==========================================
 #    exercise                                     checkers
====  ===========================================  ==========================================
 1    the slope of f by nudging x                  :func:`check_slope`, :func:`check_derivative`
 2    a new op's local derivative                  :func:`check_partial`, :func:`check_op`
 3    backprop by hand through a small graph       :func:`check_by_hand` (:func:`small_graph`)
 4    the two classic bugs                         :func:`check_backward`, :func:`check_descent`
 5    BP1 for a 2-2-1 sigmoid network              :func:`check_bp1` (:func:`tiny_network`)
 6    BP2                                          :func:`check_bp2`
 7    BP3 and BP4                                  :func:`check_bp3_bp4`
 8    a training loop written out                  :func:`check_step`, :func:`check_training`
 9    BP1 with the cross-entropy cost              :func:`check_xent_gradient`,
                                                   :func:`check_bp1_cross_entropy`
====  ===========================================  ==========================================

Indices in messages are Nielsen's: the input is layer 1, so the 2-2-1 network of exercises
5-7 and 9 has a hidden layer 2 and an output layer 3, and w²ⱼₖ is the weight *to* neuron j of
layer 2 *from* input k (``mlp.layers[0].neurons[j - 1].w[k - 1]``).

>>> v = check_derivative(12.0, f=lambda x: x ** 3, x=2.0)     # d/dx x³ = 3x² = 12
>>> v.ok, str(v).splitlines()[0]
(True, 'right · the exact derivative is 12')
>>> print(check_derivative(..., f=lambda x: x ** 3, x=2.0))
not yet · dfdx is still ...
  hint: replace the ... with your answer
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from micrograd_like import Value, topological_order
from nn import analytic as an
from nn import notation
from nn.module import MLP
from nn.verdict import (
    ATOL,
    RTOL,
    NotYetError,
    Verdict,
    answer_array,
    answer_number,
    call_student,
    compare,
    fmt,
    is_close,
    judge,
    result_of,
    shape_of_error,
    short,
)

__all__ = [
    "Verdict",
    "check_slope",
    "check_derivative",
    "check_partial",
    "check_op",
    "small_graph",
    "check_by_hand",
    "check_backward",
    "DESCENT",
    "check_descent",
    "tiny_network",
    "cross_entropy_example",
    "check_bp1",
    "check_bp2",
    "check_bp3_bp4",
    "XOR_X",
    "XOR_Y",
    "TRAINING_THRESHOLD",
    "training_network",
    "check_step",
    "check_training",
    "check_xent_gradient",
    "check_bp1_cross_entropy",
]


# --------------------------------------------------------------------------------------
# 1 · the slope by nudging
# --------------------------------------------------------------------------------------

_SLOPE_CASES = (  # (f, its name, x, h): polynomials and a transcendental function
    (lambda t: t ** 3 - 4.0 * t + 1.0, "x³ − 4x + 1", 1.5, 1e-3),
    (lambda t: t ** 3 - 4.0 * t + 1.0, "x³ − 4x + 1", -2.0, 0.25),
    (math.sin, "sin x", 0.7, 0.1),
)


def check_slope(slope: Callable[[Callable[[float], float], float, float], float]) -> Verdict:
    """Exercise 1a: ``slope(f, x, h)`` must return the rise over the run, (f(x + h) − f(x))/h.

    The central difference (f(x + h) − f(x − h))/2h is accepted too.

    >>> check_slope(lambda f, x, h: (f(x + h) - f(x)) / h).ok
    True
    >>> check_slope(lambda f, x, h: f(x + h) - f(x)).hint
    'you have the rise f(x + h) − f(x); divide it by the run h'
    """
    ex = "1 · slope by nudging"

    def body() -> Verdict:
        central = True
        for f, fname, x, h in _SLOPE_CASES:
            got = answer_number(result_of(slope, "slope(f, x, h)", f, x, h),
                          f"slope(f, {x}, {h}) for f(x) = {fname}")
            fx, up, down = f(x), f(x + h), f(x - h)
            forward, centred = (up - fx) / h, (up - down) / (2 * h)
            if is_close(got, forward):
                central = False
                continue
            if is_close(got, centred):
                continue
            name = f"slope(f, {x}, {h}) for f(x) = {fname}"
            return compare(ex, name, got, forward, [
                (up - fx, "you have the rise f(x + h) − f(x); divide it by the run h"),
                ((fx - up) / h, "the rise is f(x + h) − f(x): after the nudge minus before"),
                ((up - fx) / (2 * h), "a one-sided nudge moves x by h, so divide by h, not 2h"),
                (up / h, "subtract f(x): the slope is the change in f, not its new value"),
                ((fx - down) / h, "that is the backward difference (f(x) − f(x − h))/h, a slope "
                 "too, but this exercise nudges x up: (f(x + h) − f(x))/h"),
            ])
        kind = "the central difference (f(x+h) − f(x−h))/2h" if central else \
            "(f(x + h) − f(x)) / h"
        return Verdict(ex, True, f"your slope computes {kind} on {len(_SLOPE_CASES)} tests")

    return judge(ex, body)


def check_derivative(dfdx: Any, f: Callable[[float], float], x: float) -> Verdict:
    """Exercise 1b: the exact f′(x), worked out by hand; judged by a tiny central difference.

    >>> check_derivative(2.75, f=lambda t: t ** 3 - 4 * t + 1, x=1.5).ok   # 3x² − 4
    True
    """
    ex = "1 · the exact derivative"

    def body() -> Verdict:
        got = answer_number(dfdx, "dfdx")
        h = 1e-5 * max(1.0, abs(x))
        want = (f(x + h) - f(x - h)) / (2 * h)  # error O(h²) ~ 1e-10 for smooth f
        estimate = (f(x + 1e-3) - f(x)) / 1e-3
        if math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-7):
            return Verdict(ex, True, f"the exact derivative is {want:.6g}")
        mistakes = [
            (estimate, "that is the slope for h = 0.001, an estimate; the exact derivative "
                       "is its limit as h → 0, by the power rule"),
            (f(x), f"that is f({x}) itself, the height, not the slope"),
        ]
        for wrong, hint in mistakes:
            if math.isclose(got, wrong, rel_tol=1e-9):
                return Verdict(ex, False, f"{got:.6g} is not f′({x})", hint)
        return Verdict(ex, False, f"{got:.6g} is not f′({x})",
                       "differentiate term by term, then put x in")

    return judge(ex, body)


# --------------------------------------------------------------------------------------
# 2 · a new op's local derivative
# --------------------------------------------------------------------------------------


def check_partial(
    partial: Callable[[float], float],
    reference: Callable[[float], float],
    points: Sequence[float] = (-2.5, -0.6, 0.3, 1.7),
    name: str = "the op",
) -> Verdict:
    """Exercise 2a: is ``partial(x)`` the derivative of ``reference`` at every point?

    Judged against the central difference of ``reference`` (plain floats, h = 1e-6·max(1,|x|)).
    A mismatch is named: the value instead of the derivative, a sign, a constant factor, or
    a formula right only for x > 0 (|x| written as x).

    >>> check_partial(lambda t: 2 * t, lambda t: t * t, name="square").ok
    True
    >>> check_partial(lambda t: t * t, lambda t: t * t, name="square").hint
    'that is the op’s value, not its derivative: differentiate it'
    """
    ex = f"2 · the local derivative of {name}"

    def body() -> Verdict:
        got, want, value, rows = [], [], [], []
        for x in points:
            g = answer_number(result_of(partial, f"{name}′({x})", x), f"{name}′({x})")
            h = 1e-6 * max(1.0, abs(x))
            numeric = (reference(x + h) - reference(x - h)) / (2 * h)
            got.append(g)
            want.append(numeric)
            value.append(reference(x))
            rows.append(f"x = {x:+.3g}: yours {g:.8g}, finite difference {numeric:.8g}")
        ga, wa = np.array(got), np.array(want)
        if np.allclose(ga, wa, rtol=1e-6, atol=1e-8):  # a central difference is good to ~1e-10
            return Verdict(ex, True, f"{name}′ agrees with finite differences at {len(points)} "
                           "points", details=tuple(rows))
        positive = np.array(points) > 0
        if is_close(ga, np.array(value)):
            hint = "that is the op’s value, not its derivative: differentiate it"
        elif np.allclose(ga[positive], wa[positive], rtol=1e-6, atol=1e-8):
            hint = ("right for x > 0 only: for x < 0, |x| = −x, so its derivative is −1 "
                    "(d|x|/dx = sign x)")
        else:
            hint = shape_of_error(ga, wa, [f"{name}′({x:g})" for x in points])
        raise NotYetError(f"{name}′ disagrees with finite differences", hint, rows)

    return judge(ex, body)


def check_op(
    op: Callable[[Value], Value],
    reference: Callable[[float], float],
    points: Sequence[float] = (-2.5, -0.6, 0.3, 1.7),
    name: str = "the op",
) -> Verdict:
    """Exercise 2b: does ``op`` (Value → Value) compute ``reference`` and its derivative?

    ``op`` is typically made by :func:`micrograd_like.define_op` from a forward function and
    the student's local derivative, so a wrong partial shows up here.

    For each point x the value must match ``reference(x)``, and backward's ∂op/∂x must match
    the central difference of ``reference`` (floats only: the engine is not asked).  A
    mismatch is named: a sign, a constant factor, the value returned as its own derivative,
    a zero gradient (the op was computed on floats, so nothing flows back).

    >>> check_op(lambda v: v * v * v, lambda t: t ** 3, name="cube").ok
    True
    """
    ex = f"2 · {name}"

    def body() -> Verdict:
        if op is None or op is Ellipsis or not callable(op):
            call_student(op, name)  # says what is wrong with it
        rows, got_d, want_d, values = [], [], [], []
        for x in points:
            leaf = Value(x)
            out = call_student(op, f"{name}(Value({x}))", leaf)
            if not isinstance(out, Value):
                raise NotYetError(f"{name}(Value({x})) returned {short(out)}, not a Value",
                              "build the result from the input Value (or define it as an op)")
            want = reference(x)
            if not math.isclose(out.data, want, rel_tol=RTOL, abs_tol=ATOL):
                raise NotYetError(f"{name}({x}) = {out.data:.6g}, expected {want:.6g}",
                              "the forward value is wrong: check the formula itself first")
            call_student(out.backward, f"backward() through {name}")
            h = 1e-6 * max(1.0, abs(x))
            numeric = (reference(x + h) - reference(x - h)) / (2 * h)
            got_d.append(leaf.grad)
            want_d.append(numeric)
            values.append(want)
            rows.append(f"x = {x:+.3g}: backward {leaf.grad:.8g}, finite difference {numeric:.8g}")
        g, w = np.array(got_d), np.array(want_d)
        if np.allclose(g, w, rtol=1e-5, atol=1e-7):  # a central difference is good to ~1e-9
            return Verdict(ex, True, f"{name}: value and derivative agree with finite differences"
                           f" at {len(points)} points", details=tuple(rows))
        if np.all(g == 0.0):
            hint = ("no gradient reaches x: the op was computed on floats (.data), which cuts "
                    "the graph, or its local derivative is 0")
        elif is_close(g, np.array(values)):
            hint = "the local derivative returns the op's value; differentiate it"
        else:
            hint = shape_of_error(g, w, [f"the derivative at x = {x:g}" for x in points])
        raise NotYetError(f"{name}: backward's derivative disagrees with finite differences", hint,
                      rows)

    return judge(ex, body)


# --------------------------------------------------------------------------------------
# 3 · backprop by hand: L = tanh(a·b + c)
# --------------------------------------------------------------------------------------

_GRAPH = {"a": 2.0, "b": -0.75, "c": 1.0}


def small_graph() -> tuple[Value, Value, Value, Value, Value, Value]:
    """Exercise 3's graph, fresh: ``a, b, c, d, e, L`` with d = a·b, e = d + c, L = tanh e.

    >>> a, b, c, d, e, L = small_graph()
    >>> round(L.data, 6), L.grad
    (-0.462117, 0.0)
    """
    a, b, c = (Value(v, label=k) for k, v in _GRAPH.items())
    d = a * b
    d.label = "d"
    e = d + c
    e.label = "e"
    L = e.tanh()
    L.label = "L"
    return a, b, c, d, e, L


def check_by_hand(L: Any) -> Verdict:
    """Exercise 3: every ``.grad`` of :func:`small_graph` filled in by hand, node by node.

    The right numbers come from the closed forms ∂L/∂e = 1 − tanh²e, ∂e/∂d = ∂e/∂c = 1,
    ∂d/∂a = b, ∂d/∂b = a, multiplied along the path (the chain rule).

    >>> a, b, c, d, e, L = small_graph()
    >>> check_by_hand(L).message
    'L.grad is 0.0, but L is the root: ∂L/∂L = 1'
    """
    ex = "3 · backprop by hand"

    def body() -> Verdict:
        if not isinstance(L, Value):
            raise NotYetError(f"pass the root L of small_graph(), got {short(L)}")
        nodes = {v.label: v for v in topological_order(L)}
        if set(nodes) != {"a", "b", "c", "d", "e", "L"}:
            raise NotYetError("this is not the graph of small_graph()",
                          "a, b, c, d, e, L = small_graph(), then fill in their .grad")
        a, b, c = (_GRAPH[k] for k in "abc")
        e = a * b + c
        tl = math.tanh(e)
        dL_de = 1.0 - tl * tl
        want = {"L": 1.0, "e": dL_de, "d": dL_de, "c": dL_de, "a": b * dL_de, "b": a * dL_de}
        mistakes = {
            "L": [],
            "e": [(tl, "that is tanh(e) itself; its derivative is 1 − tanh²(e) = 1 − L.data²"),
                  (1.0 - e * e, "1 − e² uses e; the rule is 1 − tanh²(e), i.e. 1 − L.data²")],
            "d": [(1.0, "1 is only the local ∂e/∂d; multiply by e.grad (the chain rule)")],
            "c": [(1.0, "1 is only the local ∂e/∂c; multiply by e.grad (the chain rule)")],
            "a": [(b, "b is only the local ∂d/∂a; multiply by d.grad (the chain rule)"),
                  (a * dL_de, "∂(a·b)/∂a is b, the *other* factor, not a")],
            "b": [(a, "a is only the local ∂d/∂b; multiply by d.grad (the chain rule)"),
                  (b * dL_de, "∂(a·b)/∂b is a, the *other* factor, not b")],
        }
        order = ("L", "e", "d", "c", "a", "b")  # the order backward visits them
        if all(nodes[k].grad is Ellipsis or nodes[k].grad is None for k in order):
            raise NotYetError("no .grad is filled in yet",
                               "start at the root, L.grad = 1.0, and work back to the leaves")
        rows, first_bad = [], None
        for name in order:
            g = nodes[name].grad
            try:
                got = answer_number(g, f"{name}.grad")
            except NotYetError as err:
                rows.append(f"{name}.grad: {err.message}")
                first_bad = first_bad or (name, err.message, err.hint)
                continue
            if is_close(got, want[name]):
                rows.append(f"{name}.grad = {got:.6g} ✓")
                continue
            if got == 0.0 and first_bad is None:
                msg = (f"{name}.grad is 0.0, but L is the root: ∂L/∂L = 1" if name == "L"
                       else f"{name}.grad is still 0.0")
                first_bad = (name, msg, "the root is where backward starts: L.grad = 1.0"
                             if name == "L" else "fill it in from its child's grad")
            hint = next((h for w, h in mistakes[name] if is_close(got, w)),
                        shape_of_error(got, want[name]))
            rows.append(f"{name}.grad = {got:.6g} ✗")
            first_bad = first_bad or (name, f"{name}.grad = {got:.6g} is not ∂L/∂{name}", hint)
        if first_bad is None:
            return Verdict(ex, True, "all six gradients are right", details=tuple(rows))
        _, msg, hint = first_bad
        raise NotYetError(msg, hint, rows)

    return judge(ex, body)


# --------------------------------------------------------------------------------------
# 4 · the two classic bugs
# --------------------------------------------------------------------------------------


def _backward_cases() -> list[tuple[str, Value, list[Value], list[float], list[float]]]:
    """Graphs with shared nodes: (formula, root, leaves, right grads, grads if assigned)."""
    cases: list[tuple[str, Value, list[Value], list[float], list[float]]] = []
    a = Value(3.0)
    cases.append(("a·a + a at a = 3", a * a + a, [a], [2 * 3.0 + 1.0], []))
    p, q = Value(0.5), Value(-1.25)
    s = p * q
    cases.append(("(p·q)·(p·q) + p at p = 0.5, q = −1.25", s * s + p, [p, q],
                  [2 * (0.5 * -1.25) * -1.25 + 1.0, 2 * (0.5 * -1.25) * 0.5], []))
    x = Value(0.8)
    cases.append(("tanh(x) + x", x.tanh() + x, [x], [1.0 - math.tanh(0.8) ** 2 + 1.0], []))
    return [(f, r, ls, want, _assigned(r, ls)) for f, r, ls, want, _ in cases]


def _assigned(root: Value, leaves: list[Value]) -> list[float]:
    """What a backward pass that *assigns* p.grad = local · grad (the bug) leaves in each leaf."""
    grads = {id(v): 0.0 for v in topological_order(root)}
    grads[id(root)] = 1.0
    for v in reversed(topological_order(root)):
        for p, d in zip(v.parents, v.local_grads):
            grads[id(p)] = d * grads[id(v)]
    return [grads[id(v)] for v in leaves]


def _in_forward_order(root: Value, leaves: list[Value]) -> list[float]:
    """What ``p.grad += local · v.grad`` leaves in each leaf when the nodes are visited in
    topological order (inputs first) instead of in reverse: grads passed on before complete."""
    grads = {id(v): 0.0 for v in topological_order(root)}
    grads[id(root)] = 1.0
    for v in topological_order(root):
        for p, d in zip(v.parents, v.local_grads):
            grads[id(p)] += d * grads[id(v)]
    return [grads[id(v)] for v in leaves]


def check_backward(backward: Callable[[Value], Any]) -> Verdict:
    """Exercise 4a: ``backward(root)`` must leave ∂root/∂v in every ``v.grad``, also for a
    node used twice.  Judged on three graphs with shared nodes (closed-form gradients).

    >>> def assign(root):                       # the bug: = instead of +=
    ...     root.grad = 1.0
    ...     for v in reversed(topological_order(root)):
    ...         for p, d in zip(v.parents, v.local_grads):
    ...             p.grad = d * v.grad
    >>> check_backward(assign).message
    'a·a + a at a = 3: a node used more than once got only one of its contributions'
    """
    ex = "4 · a node used twice"

    def body() -> Verdict:
        for formula, root, leaves, want, assigned in _backward_cases():
            call_student(backward, "backward(root)", root)
            got = [answer_number(v.grad, f"a leaf's grad in {formula}") for v in leaves]
            if is_close(got, want):
                continue
            if all(g == 0.0 for g in got):
                raise NotYetError(f"{formula}: every leaf's grad is still 0",
                              "start with root.grad = 1.0, then walk the graph backwards")
            if is_close(got, _in_forward_order(root, leaves)):
                raise NotYetError(f"{formula}: the nodes were visited inputs first",
                                  "walk reversed(topological_order(root)): a node's grad must "
                                  "be complete before it is passed on to its inputs")
            if is_close(got, assigned):
                raise NotYetError(f"{formula}: a node used more than once got only one of its "
                              "contributions",
                              "each use adds to the gradient: p.grad += local · v.grad, not =")
            raise NotYetError(f"{formula}: grads {fmt(got)}, expected {fmt(want)}",
                          shape_of_error(got, want))
        return Verdict(ex, True, "your backward sums the contributions of every use of a node "
                       f"({len(_backward_cases())} graphs)")

    return judge(ex, body)


#: Exercise 4b's problem: minimise C(w) = (X·w − Y)², from w0 with rate lr.
DESCENT: dict[str, Any] = {"X": 3.0, "Y": 1.5, "w0": 2.0, "lr": 0.02, "steps": 10}


def _descent(accumulate: bool, sign: float = -1.0) -> list[float]:
    X, Y, w, lr = DESCENT["X"], DESCENT["Y"], DESCENT["w0"], DESCENT["lr"]
    grad, out = 0.0, []
    for _ in range(DESCENT["steps"]):
        g = 2.0 * (X * w - Y) * X  # dC/dw
        grad = grad + g if accumulate else g
        w += sign * lr * grad
        out.append(w)
    return out


def check_descent(descend: Callable[[float, float, int], Sequence[float]]) -> Verdict:
    """Exercise 4b: ``descend(w0, lr, steps)`` returns w after each step of gradient descent
    on C(w) = (3w − 1.5)²; plain floats give the right sequence (dC/dw = 6(3w − 1.5)).

    >>> check_descent(lambda w0, lr, steps: _descent(accumulate=False)).ok
    True
    >>> check_descent(lambda w0, lr, steps: _descent(accumulate=True)).hint.split(":")[0]
    'w.grad keeps the sum of every step’s gradient'
    """
    ex = "4 · zeroing gradients"

    def body() -> Verdict:
        out = result_of(descend, "descend(w0, lr, steps)", DESCENT["w0"], DESCENT["lr"],
                      DESCENT["steps"])
        got = answer_array(out, "descend's result", (DESCENT["steps"],),
                     f"a list of the {DESCENT['steps']} values of w, one after each step")
        want = _descent(accumulate=False)
        if is_close(got, want):
            return Verdict(ex, True, f"w after {DESCENT['steps']} steps is {want[-1]:.6g}, "
                           "heading for the minimum at w = 0.5")
        if np.allclose(got, DESCENT["w0"]):
            return Verdict(ex, False, "w never moves",
                           "zero w.grad *before* backward(), not between backward() and the "
                           "update")
        return compare(ex, "w after each step", got, want, [
            (_descent(accumulate=True), "w.grad keeps the sum of every step’s gradient: set "
             "w.grad = 0.0 before each backward()"),
            (_descent(accumulate=False, sign=1.0), "you stepped uphill: gradient descent "
             "moves against the gradient, w ← w − lr·dC/dw"),
        ])

    return judge(ex, body)


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
# 8 · a training loop written out
# --------------------------------------------------------------------------------------

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [[0.0], [1.0], [1.0], [0.0]]
#: the quadratic cost 1/(2n) Σ (a − y)² a trained network must get under
TRAINING_THRESHOLD = 0.01


def training_network(seed: int = 1) -> MLP:
    """Exercise 8's network: 2 → 4 tanh → 1 linear, for XOR with the quadratic cost.

    >>> training_network()
    MLP(2 → 4 tanh → 1 linear, 17 parameters)
    """
    return MLP(2, [4, 1], activation="tanh", output_activation="linear", seed=seed)


def _xor_gradient(mlp: MLP) -> tuple[float, np.ndarray]:
    """C and ∂C/∂θ (in mlp.parameters() order) from nn.analytic, for XOR."""
    ws, bs = mlp.to_matrices()
    cost = an.mean_cost(ws, bs, XOR_X, XOR_Y, "quadratic", "tanh", "linear")
    nb, nw = an.batch_gradient(ws, bs, XOR_X, XOR_Y, "quadratic", "tanh", "linear")
    flat = [g for w, b in zip(nw, nb) for j in range(len(b)) for g in (*w[j], b[j])]
    return cost, np.array(flat)


def _params(mlp: MLP) -> np.ndarray:
    return np.array([p.data for p in mlp.parameters()])


def check_step(step: Callable[[MLP, Any, Any, float], Any], lr: float = 0.1) -> Verdict:
    """Exercise 8a: ``step(mlp, X, Y, lr)`` does forward, zero_grad, backward, update once
    and returns the loss (before the update).  Judged on two consecutive steps against
    θ ← θ − lr ∂C/∂θ with ∂C/∂θ from :mod:`nn.analytic`.

    >>> def no_zero(mlp, X, Y, lr):
    ...     from nn import quadratic
    ...     C = quadratic([mlp(x) for x in X], Y)
    ...     C.backward()
    ...     for p in mlp.parameters():
    ...         p.data -= lr * p.grad
    ...     return C.data
    >>> check_step(no_zero).hint
    'gradients pile up from step to step: call mlp.zero_grad() before backward()'
    """
    ex = "8 · one training step"

    def body() -> Verdict:
        mlp = training_network()
        theta0 = _params(mlp)
        c0, g0 = _xor_gradient(mlp)
        loss = call_student(step, "step(mlp, X, Y, lr)", mlp, XOR_X, XOR_Y, lr)
        theta1 = _params(mlp)
        c1, g1 = _xor_gradient(mlp)
        call_student(step, "a second step(mlp, X, Y, lr)", mlp, XOR_X, XOR_Y, lr)
        theta2 = _params(mlp)
        d1, d2 = theta1 - theta0, theta2 - theta1
        if np.allclose(d1, 0.0) and np.allclose(d2, 0.0):
            raise NotYetError("the parameters did not change",
                          "every p.grad was 0 at the update: call C.backward() after "
                          "mlp.zero_grad() (not before it), then update every p in "
                          "mlp.parameters(): p.data -= lr * p.grad")
        if is_close(d1, lr * g0) and is_close(d2, lr * g1):
            raise NotYetError("the parameters moved uphill", "subtract lr · p.grad: "
                          "the gradient points to where the loss grows")
        if is_close(d1, -lr * g0) and is_close(d2, -lr * (g0 + g1)):
            raise NotYetError("the first step is right, the second is not",
                          "gradients pile up from step to step: call mlp.zero_grad() before "
                          "backward()")
        n = len(XOR_X)
        if is_close(d1, -n * lr * g0) or is_close(d1, -2 * n * lr * g0):
            raise NotYetError("the update is not θ − lr ∂C/∂θ",
                              f"a step {n} (or {2 * n}) times too long: C is the mean over the "
                              f"{n} examples, 1/(2n) Σ (a − y)² (nn.quadratic), not their sum")
        if not (is_close(d1, -lr * g0) and is_close(d2, -lr * g1)):
            raise NotYetError("the update is not θ − lr ∂C/∂θ", shape_of_error(d1, -lr * g0))
        got = answer_number(loss, "the returned loss")
        if not math.isclose(got, c0, rel_tol=RTOL, abs_tol=ATOL):
            hint = ("that is the loss after the update; return C.data from the forward pass"
                    if math.isclose(got, c1, rel_tol=RTOL) else
                    "return C.data, the quadratic cost 1/(2n) Σ (a − y)² (nn.quadratic)")
            raise NotYetError(f"the update is right, but the returned loss {got:.6g} is not "
                          f"C = {c0:.6g}", hint)
        return Verdict(ex, True, "forward, zero_grad, backward, update: two steps match "
                       "θ ← θ − lr ∂C/∂θ")

    return judge(ex, body)


def check_training(mlp: Any) -> Verdict:
    """Exercise 8b: is the trained ``mlp``'s XOR cost under :data:`TRAINING_THRESHOLD`?

    The cost is recomputed here in numpy from the network's weights, not taken from the loop.

    >>> check_training(training_network()).ok
    False
    """
    ex = "8 · training"

    def body() -> Verdict:
        if not isinstance(mlp, MLP):
            raise NotYetError(f"pass the trained MLP, got {short(mlp)}")
        if mlp.sizes != [2, 4, 1]:
            raise NotYetError(f"this network has sizes {mlp.sizes}, exercise 8 trains [2, 4, 1]",
                          "use mlp = training_network()")
        ws, bs = mlp.to_matrices()
        cost = an.mean_cost(ws, bs, XOR_X, XOR_Y, "quadratic", *mlp.activations)
        outputs = [float(an.forward(ws, bs, x, *mlp.activations)[1][-1][0]) for x in XOR_X]
        rows = tuple(f"x = {x}: output {a:+.3f}, target {y[0]:.0f}"
                     for x, a, y in zip(XOR_X, outputs, XOR_Y))
        if cost < TRAINING_THRESHOLD:
            return Verdict(ex, True, f"C = {cost:.3g} < {TRAINING_THRESHOLD}: the network "
                           "has learned XOR", details=rows)
        raise NotYetError(f"C = {cost:.3g} is not under {TRAINING_THRESHOLD} yet",
                      "more steps, or a larger lr (if C grows, a smaller one)", rows)

    return judge(ex, body)


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
        o = _oracle("cross_entropy", _Y_XENT)
        a, y = float(o["a3"][0]), _Y_XENT[0]
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
        o = _oracle("cross_entropy", _Y_XENT)
        a, y = float(o["a3"][0]), _Y_XENT[0]
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
