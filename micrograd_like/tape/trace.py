"""Tracing a build function, with the checks that its graph does not depend on the data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from micrograd_like import engine
from micrograd_like.annotation import annotate
from micrograd_like.engine import Value, topological_order
from micrograd_like.tape.lower import DataDependenceError, compile
from micrograd_like.tape.replay import Tape


def _refuse(op: str, a: Any, b: Any) -> None:
    raise DataDependenceError(
        f"Value comparison {a!r} {op} {b!r} while tracing: a branch on a Value's data fixes "
        f"the graph's structure for this example only; use an element-wise op (relu, abs) "
        f"instead, or build the graph eagerly")


def _signature(root: Value, inputs: list[Value], params: list[Value]) -> list[tuple]:
    """The graph's structure and constants, as a list comparable between two builds."""
    order = topological_order(root)
    pos = {v: i for i, v in enumerate(order)}
    role = {v: ("input", k) for k, v in enumerate(inputs)}
    role.update({v: ("param", k) for k, v in enumerate(params)})
    return [(v.op, tuple(pos[p] for p in v.parents)) if not v.is_leaf
            else role.get(v, ("leaf", v.data)) for v in order]


def _compare(first: list[tuple], other: list[tuple], r: int) -> None:
    if len(first) != len(other):
        raise DataDependenceError(
            f"trace: example {r} builds a graph of {len(other)} nodes, example 0 one of "
            f"{len(first)}: the structure depends on the data")
    for i, (a, b) in enumerate(zip(first, other)):
        if a[0] == "leaf" and b[0] == "leaf":
            if a[1] != b[1]:
                raise DataDependenceError(
                    f"trace: constant leaf {i} is {a[1]!r} for example 0 but {b[1]!r} for "
                    f"example {r}: a constant computed from input data would be baked in")
        elif a != b:
            raise DataDependenceError(
                f"trace: node {i} is {a[:2]} for example 0 but {b[:2]} for example {r}: "
                f"the structure depends on the data")


def trace(build: Callable[[list[Value]], Value], examples: Any, params: Sequence[Value],
          check: bool = True) -> Tape:
    """Build the graph with ``build(inputs)`` on ``examples[0]`` and compile it.

    ``build`` receives a list of fresh input leaves (annotated with kind "input") and
    returns the root; parameters are the Values it closes over.  While it runs, any
    comparison between Values raises :class:`DataDependenceError`.  With ``check``, the
    graph is built again on every further row of ``examples`` and must have the same ops,
    the same wiring and the same constants; a difference (a branch on ``.data``, a constant
    computed from an input) raises :class:`DataDependenceError` naming the first one.

    >>> from micrograd_like import Value
    >>> w = Value(2.0)
    >>> tape = trace(lambda xs: (w * xs[0]).relu(), [[1.0], [-1.0]], params=[w])
    >>> tape.forward([[1.0], [-1.0], [3.0]]).tolist()
    [2.0, 0.0, 6.0]
    """
    params = list(params)
    rows = np.asarray(examples, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] < 1:
        raise ValueError(f"trace: examples must have shape (k >= 1, n_inputs), got {rows.shape}")
    first: tuple[Value, list[Value]] | None = None
    first_sig: list[tuple] = []
    for r, row in enumerate(rows if check else rows[:1]):
        xs = [annotate(Value(float(v)), name=f"x[{k}]", kind="input") for k, v in enumerate(row)]
        with engine.watching_comparisons(_refuse):
            root = build(xs)
        if not isinstance(root, Value):
            raise TypeError(f"trace: build must return a Value, got {type(root).__name__}")
        sig = _signature(root, xs, params)
        if first is None:
            first, first_sig = (root, xs), sig
        else:
            _compare(first_sig, sig, r)
    assert first is not None
    return compile(first[0], first[1], params)
