"""Seeded random graphs, built twice: with the student's Value and with micrograd_like's.

A graph is a :class:`Program`: leaf values and a list of steps, each one op applied to
earlier nodes (so nodes are shared) and sometimes to the same node twice (``x * x``).  Its
root adds up every node nothing else uses, so every node reaches the root.  The program is
written with Python's operators and two methods (``tanh``, ``exp``), which is all it needs
from either class; :func:`build` applies it to the student's class with our engine switched
off, :func:`ours` to micrograd_like's and runs our ``backward``.

>>> print(program(["+", "*"], seed=0, steps=4).text())
n0 = x0 + x0
n1 = n0 * n0
n2 = n0 * n1
n3 = x0 + x2
n4 = n3 + x1
n5 = n4 + n2
root = n5
>>> print(counterexample().text())
b = a + a
c = b + b
root = c
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import micrograd_like
from nn.exercises.build_micrograd.student import node, number, run
from nn.verdict import NotYetError

__all__ = ["OPS", "Op", "Program", "program", "counterexample", "build", "ours",
           "finite_difference"]


@dataclass(frozen=True)
class Op:
    """One op of the programs: how to apply it, how to write it, its value on floats."""

    arity: int  # Values it takes (a constant c comes on top)
    apply: Callable[[Sequence[Any], float], Any]
    text: str  # with {0}, {1} for the operands and {c} for the constant
    value: Callable[[Sequence[float], float], float]
    fits: Callable[[Sequence[float], float], bool] = lambda xs, c: True


OPS: dict[str, Op] = {
    "+": Op(2, lambda v, c: v[0] + v[1], "{0} + {1}", lambda x, c: x[0] + x[1]),
    "*": Op(2, lambda v, c: v[0] * v[1], "{0} * {1}", lambda x, c: x[0] * x[1]),
    "+c": Op(1, lambda v, c: v[0] + c, "{0} + {c}", lambda x, c: x[0] + c),
    "*c": Op(1, lambda v, c: v[0] * c, "{0} * {c}", lambda x, c: x[0] * c),
    "c+": Op(1, lambda v, c: c + v[0], "{c} + {0}", lambda x, c: c + x[0]),
    "c*": Op(1, lambda v, c: c * v[0], "{c} * {0}", lambda x, c: c * x[0]),
    "-": Op(2, lambda v, c: v[0] - v[1], "{0} - {1}", lambda x, c: x[0] - x[1]),
    "-c": Op(1, lambda v, c: v[0] - c, "{0} - {c}", lambda x, c: x[0] - c),
    "c-": Op(1, lambda v, c: c - v[0], "{c} - {0}", lambda x, c: c - x[0]),
    "neg": Op(1, lambda v, c: -v[0], "-{0}", lambda x, c: -x[0]),
    "**": Op(1, lambda v, c: v[0] ** int(c), "{0} ** {c:.0f}", lambda x, c: x[0] ** int(c),
             lambda x, c: abs(x[0]) < 3.0),
    "/": Op(2, lambda v, c: v[0] / v[1], "{0} / {1}", lambda x, c: x[0] / x[1],
            lambda x, c: abs(x[1]) > 0.5),
    "c/": Op(1, lambda v, c: c / v[0], "{c} / {0}", lambda x, c: c / x[0],
             lambda x, c: abs(x[0]) > 0.5),
    "tanh": Op(1, lambda v, c: v[0].tanh(), "{0}.tanh()", lambda x, c: math.tanh(x[0])),
    "exp": Op(1, lambda v, c: v[0].exp(), "{0}.exp()", lambda x, c: math.exp(x[0]),
              lambda x, c: abs(x[0]) < 2.0),
}
_CONSTANTS = (2.0, -3.0, 0.5, 1.5, -1.0)
_POWERS = (2.0, 3.0)
_BIG = 30.0  # no node's value grows beyond this, so finite differences stay accurate


@dataclass(frozen=True)
class Program:
    """Leaf values, then steps ``(op, operands, constant)``; node i < len(leaves) is a leaf."""

    leaves: tuple[float, ...]
    steps: tuple[tuple[str, tuple[int, ...], float], ...]
    root: int
    names: tuple[str, ...] = ()  # the nodes' names, if not x0, x1, ... then n0, n1, ...

    def name(self, i: int) -> str:
        if self.names:
            return self.names[i]
        n = len(self.leaves)
        return f"x{i}" if i < n else f"n{i - n}"

    def line(self, k: int) -> str:
        op, args, c = self.steps[k]
        return (f"{self.name(len(self.leaves) + k)} = "
                + OPS[op].text.format(*(self.name(a) for a in args), c=c))

    def text(self) -> str:
        return "\n".join([*(self.line(k) for k in range(len(self.steps))),
                          f"root = {self.name(self.root)}"])

    def oneline(self) -> str:
        return "; ".join(self.text().splitlines())

    def values(self, leaves: Sequence[float] | None = None) -> list[float]:
        xs = list(self.leaves if leaves is None else leaves)
        for op, args, c in self.steps:
            xs.append(OPS[op].value([xs[a] for a in args], c))
        return xs


def program(ops: Sequence[str], seed: int, steps: int = 10, leaves: int = 3) -> Program:
    """A seeded random graph using each op of ``ops`` (cycled, so every one appears when
    ``steps >= len(ops)``), with a repeated input at the first step and shared nodes."""
    rng = random.Random(seed)
    xs = [round(rng.choice((-1, 1)) * rng.uniform(0.3, 1.4), 3) for _ in range(leaves)]
    todo = [ops[k % len(ops)] for k in range(steps)]
    rng.shuffle(todo)
    out: list[tuple[str, tuple[int, ...], float]] = []
    uses = [0] * leaves
    for k, op in enumerate(todo):
        spec = OPS[op]
        for _ in range(100):  # pick operands (recent nodes more often) until the op fits
            n = len(xs)
            pick = [max(0, n - 1 - int(rng.expovariate(0.5))) for _ in range(spec.arity)]
            if k == 0:
                pick = [0] * spec.arity  # x0 op x0: a repeated input
            elif k == 1 and n > leaves:
                pick[0] = n - 1  # the first node is used again: a shared node
            c = rng.choice(_POWERS if op == "**" else _CONSTANTS)
            args = [xs[a] for a in pick]
            if spec.fits(args, c) and abs(spec.value(args, c)) < _BIG:
                break
        else:  # nothing fitted: add instead (a + b always fits our small values)
            op, spec, c = "+", OPS["+"], 0.0
            pick = [len(xs) - 1, 0]
        out.append((op, tuple(pick), c))
        xs.append(spec.value([xs[a] for a in pick], c))
        uses.append(0)
        for a in pick:
            uses[a] += 1
    root = len(xs) - 1
    for i in [i for i in range(len(xs) - 1) if uses[i] == 0]:  # every node reaches the root
        out.append(("+", (root, i), 0.0))
        xs.append(xs[root] + xs[i])
        root = len(xs) - 1
    return Program(tuple(xs[:leaves]), tuple(out), root)


def counterexample() -> Program:
    """The lecture's ``a = Value(1.0); b = a + a; c = b + b``: ∂c/∂a = 4."""
    return Program((1.0,), (("+", (0, 0), 0.0), ("+", (1, 1), 0.0)), 2, ("a", "b", "c"))


def build(p: Program, cls: type, leaves: Sequence[float] | None = None) -> list[Any]:
    """The program's nodes made with the student's class, our engine switched off; an op
    that fails or gives something else than a Value is "not yet", named by its line."""
    xs: list[Any] = [node(run(f"{cls.__name__}({x})", cls, x), cls, f"{cls.__name__}({x})")
                     for x in (p.leaves if leaves is None else leaves)]
    want = p.values(leaves)
    for k, (op, args, c) in enumerate(p.steps):
        line = p.line(k)
        spec = OPS[op]
        v = node(run(f"`{line}`", spec.apply, [xs[a] for a in args], c), cls, f"`{line}`")
        got = number(v.data, f"({line}).data")
        i = len(xs)
        if not math.isclose(got, want[i], rel_tol=1e-9, abs_tol=1e-12):
            raise NotYetError(f"`{line}` gives data {got:.6g}, expected {want[i]:.6g}",
                              f"in the graph:\n{p.text()}",
                              [f"{p.name(j)} = {want[j]:.6g}" for j in range(i)])
        xs.append(v)
    return xs


def ours(p: Program) -> tuple[list[micrograd_like.Value], list[float]]:
    """The program with micrograd_like's Value, and ∂root/∂node for every node."""
    xs: list[Any] = [micrograd_like.Value(x) for x in p.leaves]
    for op, args, c in p.steps:
        xs.append(OPS[op].apply([xs[a] for a in args], c))
    xs[p.root].backward()
    return xs, [float(v.grad) for v in xs]


def finite_difference(p: Program, cls: type, i: int, h: float = 1e-6) -> float:
    """∂root/∂(leaf i) by a central difference, (f(x + h) − f(x − h)) / 2h, each f built
    with the student's class."""
    up, down = list(p.leaves), list(p.leaves)
    up[i] += h
    down[i] -= h
    f_up = number(build(p, cls, up)[p.root].data, "root.data")
    f_down = number(build(p, cls, down)[p.root].data, "root.data")
    return (f_up - f_down) / (2 * h)
