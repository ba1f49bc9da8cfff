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
from nn.exercises.instances import numbers
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


def _graph(seed: int) -> dict[str, float]:
    """Exercise 3's leaves for ``seed``: seed 0 is the lecture's a = 2, b = −0.75, c = 1;
    any other gives 0.2 < |a·b + c| < 1.5, where tanh is neither flat nor straight."""
    if seed == 0:
        return dict(_GRAPH)
    for k in range(1000):
        a, b, c = numbers(seed * 1000 + k, "3 · leaves", 3, -2.5, 2.5, least=0.25)
        if 0.2 < abs(a * b + c) < 1.5:
            return {"a": a, "b": b, "c": c}
    raise AssertionError("no graph found")  # pragma: no cover - 1000 draws always find one


def small_graph(seed: int = 0) -> tuple[Value, Value, Value, Value, Value, Value]:
    """Exercise 3's graph, fresh: ``a, b, c, d, e, L`` with d = a·b, e = d + c, L = tanh e.

    >>> a, b, c, d, e, L = small_graph()
    >>> round(L.data, 6), L.grad
    (-0.462117, 0.0)
    >>> small_graph(7)[0].data != 2.0
    True
    """
    a, b, c = (Value(v, label=k) for k, v in _graph(seed).items())
    d = a * b
    d.label = "d"
    e = d + c
    e.label = "e"
    L = e.tanh()
    L.label = "L"
    return a, b, c, d, e, L


def check_by_hand(L: Any, seed: int = 0) -> Verdict:
    """Exercise 3: every ``.grad`` of :func:`small_graph` filled in by hand, node by node.

    The right numbers come from the closed forms ∂L/∂e = 1 − tanh²e, ∂e/∂d = ∂e/∂c = 1,
    ∂d/∂a = b, ∂d/∂b = a, multiplied along the path (the chain rule), for the seed's
    a, b, c (not the graph's .data, which the student could have changed).

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
        leaves = _graph(seed)
        if any(nodes[k].data != leaves[k] for k in "abc"):
            raise NotYetError("this graph's a, b, c are not those of small_graph(seed=SEED)",
                              "a, b, c, d, e, L = small_graph(seed=SEED), and leave their "
                              ".data as they are")
        a, b, c = (leaves[k] for k in "abc")
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


def _backward_cases(seed: int = 0) -> list[tuple[str, Value, list[Value], list[float],
                                                 list[float]]]:
    """Graphs with shared nodes: (formula, root, leaves, right grads, grads if assigned).
    Seed 0: a = 3, p = 0.5, q = −1.25, x = 0.8; any other seed draws them."""
    a0, p0, q0, x0 = ((3.0, 0.5, -1.25, 0.8) if seed == 0 else
                      tuple(numbers(seed, "4 · leaves", 4, -2.0, 3.0, least=0.3)))
    cases: list[tuple[str, Value, list[Value], list[float], list[float]]] = []
    a = Value(a0)
    cases.append((f"a·a + a at a = {a0:g}", a * a + a, [a], [2 * a0 + 1.0], []))
    p, q = Value(p0), Value(q0)
    s = p * q
    cases.append((f"(p·q)·(p·q) + p at p = {p0:g}, q = {q0:g}", s * s + p, [p, q],
                  [2 * (p0 * q0) * q0 + 1.0, 2 * (p0 * q0) * p0], []))
    x = Value(x0)
    cases.append((f"tanh(x) + x at x = {x0:g}", x.tanh() + x, [x],
                  [1.0 - math.tanh(x0) ** 2 + 1.0], []))
    return [(f, r, ls, want, _assigned(r, ls)) for f, r, ls, want, _ in cases]


def _recursive(root: Value, leaves: list[Value]) -> list[float]:
    """What plain recursion leaves in each leaf: ``p.grad += local · v.grad`` then recurse
    into p at once, with no topological order, so a shared node passes its grad on before
    all its consumers have added theirs (and again after each one)."""
    grads = {id(v): 0.0 for v in topological_order(root)}
    grads[id(root)] = 1.0

    def visit(v: Value) -> None:
        for p, d in zip(v.parents, v.local_grads):
            grads[id(p)] += d * grads[id(v)]
            visit(p)

    visit(root)
    return [grads[id(v)] for v in leaves]


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


def check_backward(backward: Callable[[Value], Any], seed: int = 0) -> Verdict:
    """Exercise 4a: ``backward(root)`` must leave ∂root/∂v in every ``v.grad``, also for a
    node used twice.  Judged on three graphs with shared nodes (closed-form gradients), their
    leaves drawn from ``seed``.  Named: ``=`` for ``+=``, the nodes visited inputs first,
    plain recursion without a topological order, no ``root.grad = 1``.

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
        cases = _backward_cases(seed)
        for formula, root, leaves, want, assigned in cases:
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
            if is_close(got, _recursive(root, leaves)):
                raise NotYetError(f"{formula}: your backward visits a node before all its "
                                  "consumers are done: plain recursion without a topological "
                                  "order",
                                  "a shared node must have every contribution before it passes "
                                  "its grad on: walk reversed(topological_order(root)) once, "
                                  "instead of recursing into each parent at once")
            if is_close(got, assigned):
                raise NotYetError(f"{formula}: a node used more than once got only one of its "
                              "contributions",
                              "each use adds to the gradient: p.grad += local · v.grad, not =")
            raise NotYetError(f"{formula}: grads {fmt(got)}, expected {fmt(want)}",
                          shape_of_error(got, want))
        return Verdict(ex, True, "your backward sums the contributions of every use of a node "
                       f"({len(cases)} graphs)")

    return judge(ex, body)


#: Exercise 4b's problem for seed 0: minimise C(w) = (X·w − Y)², from w0 with rate lr.
DESCENT: dict[str, Any] = {"X": 3.0, "Y": 1.5, "w0": 2.0, "lr": 0.02, "steps": 10}


def descent_problem(seed: int = 0) -> dict[str, Any]:
    """Exercise 4b's problem for ``seed``: ``X``, ``Y``, ``w0``, ``lr``, ``steps``.  Seed 0 is
    :data:`DESCENT`; any other seed draws X, Y, w0 and a rate at which plain descent
    converges (each step shrinks w − Y/X by the factor 1 − 2·lr·X², between 0.55 and 0.75).

    >>> descent_problem() == DESCENT
    True
    """
    if seed == 0:
        return dict(DESCENT)
    X, Y, w0 = numbers(seed, "4 · descent", 3, -3.5, 3.5, least=1.0)
    k = numbers(seed, "4 · rate", 1, 0.25, 0.45)[0]
    return {"X": X, "Y": Y, "w0": w0, "lr": round(k / (2 * X * X), 4), "steps": 10}


def _descent(accumulate: bool, sign: float = -1.0, seed: int = 0) -> list[float]:
    d = descent_problem(seed)
    X, Y, w, lr = d["X"], d["Y"], d["w0"], d["lr"]
    grad, out = 0.0, []
    for _ in range(d["steps"]):
        g = 2.0 * (X * w - Y) * X  # dC/dw
        grad = grad + g if accumulate else g
        w += sign * lr * grad
        out.append(w)
    return out


def check_descent(descend: Callable[[float, float, int], Sequence[float]],
                  seed: int = 0) -> Verdict:
    """Exercise 4b: ``descend(w0, lr, steps)`` returns w after each step of gradient descent
    on the seed's C(w) = (Xw − Y)² (:func:`descent_problem`; seed 0: (3w − 1.5)²); plain
    floats give the right sequence (dC/dw = 2X(Xw − Y)).

    >>> check_descent(lambda w0, lr, steps: _descent(accumulate=False)).ok
    True
    >>> check_descent(lambda w0, lr, steps: _descent(accumulate=True)).hint.split(":")[0]
    'w.grad keeps the sum of every step’s gradient'
    """
    ex = "4 · zeroing gradients"

    def body() -> Verdict:
        d = descent_problem(seed)
        out = result_of(descend, "descend(w0, lr, steps)", d["w0"], d["lr"], d["steps"])
        got = answer_array(out, "descend's result", (d["steps"],),
                     f"a list of the {d['steps']} values of w, one after each step")
        want = _descent(accumulate=False, seed=seed)
        if is_close(got, want):
            return Verdict(ex, True, f"w after {d['steps']} steps is {want[-1]:.6g}, "
                           f"heading for the minimum at w = {d['Y'] / d['X']:.6g}")
        if np.allclose(got, d["w0"]):
            return Verdict(ex, False, "w never moves",
                           "zero w.grad *before* backward(), not between backward() and the "
                           "update")
        return compare(ex, "w after each step", got, want, [
            (_descent(accumulate=True, seed=seed), "w.grad keeps the sum of every step’s "
             "gradient: set w.grad = 0.0 before each backward()"),
            (_descent(accumulate=False, sign=1.0, seed=seed), "you stepped uphill: gradient "
             "descent moves against the gradient, w ← w − lr·dC/dw"),
        ])

    return judge(ex, body)
