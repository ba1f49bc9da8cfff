"""Build-your-own notebook 3: ``backward()``, the topological order and the chain rule.

The student's ``root.backward()`` runs (our engine switched off) on the lecture's
counterexample ``a = Value(1.0); b = a + a; c = b + b`` and then on seeded random graphs with
every op of notebooks 1 and 2.  Every node's ``grad`` is compared with micrograd_like's
backward on the same graph, and the leaves' with central differences.  A wrong answer is
compared with what each classic mistake gives on the student's own graph (the mistake
replayed by :func:`replay`), and the one it matches is named.
"""

from __future__ import annotations

from typing import Any

from nn.exercises.build_micrograd import graphs as g
from nn.exercises.build_micrograd.student import (
    LOCKED,
    number,
    run,
    student_class,
    walk,
)
from nn.exercises.build_micrograd.value import graph_gradients
from nn.verdict import NotYetError, Verdict, is_close, judge

__all__ = ["check_backward", "replay", "MISTAKES", "OPS_3"]

OPS_3 = ("+", "*", "c*", "-", "neg", "**", "/", "tanh", "exp")

#: (name, message, hint) of the classic mistakes, in the order they are tried
MISTAKES = (
    ("assigned", "`=` instead of `+=`: a node used twice keeps only its last contribution",
     "accumulate: p.grad += local * v.grad (the gradients of a node's uses add up)"),
    ("forward", "the nodes are visited in forward order, leaves first",
     "walk reversed(topo): from the root back to the leaves, so that a node's grad is "
     "complete before it is passed on to its parents"),
    ("recursion", "a node is visited twice: its grad is passed on once per use",
     "plain recursion without an order hands b's grad on each time b is reached; build a "
     "topological order (with a visited set) and visit each node once, in reverse"),
    ("duplicates", "a node is visited twice: it appears more than once in your topological "
     "order", "keep a visited set in build_topo: add a node to topo only the first time"),
    ("no seed", "every grad is still 0 after backward()",
     "start with self.grad = 1.0 (∂root/∂root = 1), then apply the chain rule backwards"),
)
_BUDGET = 100_000  # replaying a recursion that visits more nodes than this: give up


class _TooLongError(Exception):
    pass


def replay(root: Any, cls: type, mistake: str) -> dict[int, float] | None:
    """The grads (by node id) a backward with ``mistake`` would leave on the student's graph
    under ``root``; None when the replay would run too long (a recursion on a big graph)."""
    order = walk(root, cls, "root")
    grads = {id(v): 0.0 for v in order}
    if mistake == "no seed":
        return grads
    grads[id(root)] = 1.0

    def edges(v: Any) -> list[tuple[Any, float]]:
        return list(zip(v.parents, (float(d) for d in v.local_grads)))

    if mistake in ("assigned", "forward"):
        for v in reversed(order) if mistake == "assigned" else order:
            for p, d in edges(v):
                grads[id(p)] = d * grads[id(v)] + (grads[id(p)] if mistake == "forward" else 0)
        return grads
    calls = [0]

    def count() -> None:
        calls[0] += 1
        if calls[0] > _BUDGET:
            raise _TooLongError

    try:
        if mistake == "recursion":  # def bw(v): for p: p.grad += d * v.grad; bw(p)
            def visit(v: Any) -> None:
                count()
                for p, d in edges(v):
                    grads[id(p)] += d * grads[id(v)]
                    visit(p)

            visit(root)
        elif mistake == "duplicates":  # build_topo without its visited set
            topo: list[Any] = []

            def build(v: Any) -> None:
                count()
                for p in v.parents:
                    build(p)
                topo.append(v)

            build(root)
            for v in reversed(topo):
                for p, d in edges(v):
                    grads[id(p)] += d * grads[id(v)]
        else:
            raise ValueError(f"no such mistake: {mistake!r}")
    except _TooLongError:
        return None
    return grads


def _one_graph(cls: type, p: g.Program) -> str:
    xs = g.build(p, cls)
    root = xs[p.root]
    if not callable(getattr(root, "backward", None)):
        raise NotYetError(f"{cls.__name__} has no backward method",
                          "def backward(self): topological order, self.grad = 1.0, then the "
                          "chain rule in reverse")
    run("root.backward()", root.backward)
    got = [number(getattr(v, "grad", None), f"{p.name(i)}.grad") for i, v in enumerate(xs)]
    _, want = g.ours(p)
    wrong = [i for i in range(len(xs)) if not is_close(got[i], want[i])]
    if wrong:
        shown = [f"on the graph {p.oneline()}:",
                 *(f"{p.name(i)}.grad = {got[i]:.6g}, should be {want[i]:.6g} ✗" if i in wrong
                   else f"{p.name(i)}.grad = {got[i]:.6g} ✓" for i in range(len(xs)))]
        for name, message, hint in MISTAKES:
            simulated = replay(root, cls, name)
            if simulated is not None and is_close(got, [simulated[id(v)] for v in xs]):
                raise NotYetError(message, hint, shown)
        i = wrong[0]
        raise NotYetError(f"{p.name(i)}.grad = {got[i]:.6g}, should be {want[i]:.6g}",
                          "the chain rule: p.grad += local * v.grad, each node once, from the "
                          "root back", shown)
    return graph_gradients(p, cls, xs, {id(v): g_ for v, g_ in zip(xs, got)})


def check_backward(Value: Any, seed: int = 0) -> Verdict:
    """Notebook 3: ``root.backward()`` fills every node's ``grad`` with ∂root/∂node, on the
    lecture's counterexample and seeded random graphs; names ``=`` for ``+=``, the forward
    order, a node visited twice and a missing ``self.grad = 1``."""
    ex = "3 · backward()"

    def body() -> Verdict:
        cls = student_class(Value)
        graphs = [g.counterexample()]
        graphs += [g.program(OPS_3, seed=seed * 1000 + k, steps=14) for k in range(3)]
        rows = [_one_graph(cls, p) for p in graphs]
        rows[0] = "a = Value(1.0); b = a + a; c = b + b: a.grad = 4, b.grad = 2 ✓"
        return Verdict(ex, True, "backward() gives every node ∂root/∂node, as micrograd_like "
                       "does and central differences confirm", details=(*rows, LOCKED))

    return judge(ex, body)

