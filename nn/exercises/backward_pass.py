"""Exercises 3 and 4: the backward pass by hand through L = tanh(a·b + c), and its two
classic bugs (a gradient assigned instead of accumulated; w.grad never zeroed in descent).

The checkers are re-exported by :mod:`nn.exercises`, whose docstring says how they judge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from micrograd_like import Value, topological_order
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
    result_of,
    shape_of_error,
    short,
)

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
