"""Lowering: the scalar graph as groups of same-op nodes over numbered slots, then a Tape.

Every node becomes an entry of a small intermediate form (its kind, its arguments' entry
numbers, whether it varies from example to example), in the order of
:func:`micrograd_like.engine.topological_order`.  ``+`` chains are flattened into one
n-ary sum, and a ``dot`` of parameters with a varying vector is kept whole, to run as a row
of a matrix product.  Entries at the same depth doing the same op form a group: one
instruction, its outputs in consecutive slots, so the next group reads them as a slice.

Slots live in two spaces: V, one row per varying node (inputs and what depends on them),
one column per example; U, one row per batch-invariant node (parameters, constants, and
what depends only on them), one column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from micrograd_like import ops
from micrograd_like.annotation import annotation_of
from micrograd_like.engine import Value, topological_order
from micrograd_like.tape.instructions import Instruction, elementwise, matmul, rowdot, sums
from micrograd_like.tape.replay import Tape


class DataDependenceError(ValueError):
    """The graph's structure (or a constant in it) depends on the data, so no tape can replay it."""


class _Entries:
    """The intermediate form: entry i has a kind (an op name, or "input", "param",
    "const"), args (entry numbers), extra (a constant's value, a dot's shape), varying, level
    (1 + the deepest argument's level)."""

    def __init__(self) -> None:
        self.kind: list[str] = []
        self.args: list[list[int]] = []
        self.extra: list[Any] = []
        self.varying: list[bool] = []
        self.level: list[int] = []

    def add(self, kind: str, args: list[int], extra: Any = None, varying: bool = False) -> int:
        self.kind.append(kind)
        self.args.append(args)
        self.extra.append(extra)
        self.level.append(1 + max(self.level[a] for a in args) if args else 0)
        self.varying.append(varying or any(self.varying[a] for a in args))
        return len(self.kind) - 1


def _nodes(roots: Sequence[Value]) -> list[Value]:
    """Every node under ``roots``, parents before children (the engine's walk from each)."""
    order: list[Value] = []
    seen: set[Value] = set()
    for r in roots:
        if r not in seen:
            fresh = [v for v in topological_order(r) if v not in seen]
            seen.update(fresh)
            order += fresh
    return order


def _check_declared(order: list[Value], inputs: list[Value], params: list[Value]) -> None:
    """Inputs and params are distinct leaves of the graph; no undeclared leaf is annotated
    as one (it would be baked in as a constant)."""
    in_graph = set(order)
    for what, vs in (("input", inputs), ("param", params)):
        for k, v in enumerate(vs):
            if not isinstance(v, Value):
                raise TypeError(f"compile: {what} {k} must be a Value, got {type(v).__name__}")
            if not v.is_leaf:
                raise ValueError(f"compile: {what} {k} ({v!r}) is not a leaf: it was made by op "
                                 f"'{v.op}'. Declare the leaves the graph was built from.")
            if v not in in_graph:
                raise ValueError(f"compile: {what} {k} ({v!r}) is not a leaf of this graph "
                                 f"(the root does not depend on it)")
    declared = {id(v) for v in inputs + params}
    if len(declared) != len(inputs) + len(params):
        raise ValueError("compile: a Value is declared twice among inputs and params")
    for v in order:
        note = annotation_of(v) if v.is_leaf and id(v) not in declared else None
        if note is not None and note.kind == "input":
            raise DataDependenceError(
                f"compile: leaf {v!r} is annotated as an input but was not declared in "
                f"inputs=; it would be baked in as a constant with this example's value")
        if note is not None and note.kind == "parameter":
            raise ValueError(f"compile: leaf {v!r} is annotated as a parameter but was not "
                             f"declared in params=; it would be frozen as a constant")


def _lower(order: list[Value], inputs: list[Value], params: list[Value],
           own_slot: set[Value]) -> tuple[_Entries, dict[Value, int]]:
    """The entries of ``order``: ``+`` chains flattened into sums, dots normalised.  A sum
    read once (and not in ``own_slot``) is absorbed into the sum that reads it."""
    readers: dict[Value, int] = {}
    for v in order:
        for p in v.parents:
            readers[p] = readers.get(p, 0) + 1
    e = _Entries()
    entry: dict[Value, int] = {}
    for v in inputs:
        entry[v] = e.add("input", [], varying=True)
    for v in params:
        entry[v] = e.add("param", [])
    absorbable: set[int] = set()
    for v in order:
        if v in entry:
            continue
        if v.is_leaf:
            entry[v] = e.add("const", [], extra=v.data)
            continue
        args = [entry[p] for p in v.parents]
        if v.op in ("+", "sum"):
            terms: list[int] = []
            for a in args:
                if a in absorbable:
                    absorbable.discard(a)
                    terms += e.args[a]
                else:
                    terms.append(a)
            i = e.add("sum", terms)
            if readers.get(v, 0) == 1 and v not in own_slot:
                absorbable.add(i)
        elif v.op == "dot":
            i = _lower_dot(e, args)
        else:  # every other op runs element-wise with its rule from ops.RULES
            try:
                ops.rule(v.op)
            except KeyError:
                raise ValueError(f"compile: op '{v.op}' of {v!r} has no rule") from None
            i = e.add(v.op, args)
        entry[v] = i
    return e, entry


def _lower_dot(e: _Entries, args: list[int]) -> int:
    """Σₖ wₖxₖ + c: a row of a matrix product when the w's are invariant and the x's vary
    (w and x swapped if need be: the sum is symmetric), one per-example dot product when
    both vary, else products and a sum."""
    n = len(args) // 2
    ws, xs, offset = args[:n], args[n:2 * n], args[2 * n:]
    vy = e.varying
    if any(vy[w] for w in ws) and not any(vy[x] for x in xs):
        ws, xs = xs, ws
    if n and all(vy[x] for x in xs) and not any(vy[c] for c in offset):
        if not any(vy[w] for w in ws):
            return e.add("dot", ws + xs + offset, extra=(n, bool(offset)))
        if all(vy[w] for w in ws):
            return e.add("rowdot", ws + xs + offset, extra=(n, bool(offset)))
    return e.add("sum", [e.add("*", [w, x]) for w, x in zip(ws, xs)] + offset)


def _live(e: _Entries, roots: Sequence[int]) -> list[bool]:
    """Which entries the roots need (absorbed sums and the like are left dead)."""
    live = [False] * len(e.kind)
    for r in roots:
        live[r] = True
    for i in range(max(roots), -1, -1):
        if live[i]:
            for a in e.args[i]:
                live[a] = True
    return live


def _group_key(e: _Entries, i: int) -> tuple:
    """Entries with the same key run as one instruction."""
    args = e.args[i]
    if e.kind[i] == "dot":  # one matrix product: its rows share their x vector
        n, has_offset = e.extra[i]
        return (e.level[i], "dot", tuple(args[n:2 * n]), has_offset)
    if e.kind[i] == "sum":
        return (e.level[i], "sum", e.varying[i])
    if e.kind[i] == "rowdot":  # one instruction per node
        return (e.level[i], "rowdot", i)
    return (e.level[i], e.kind[i], tuple(e.varying[a] for a in args))


def compile(  # noqa: A001
    root: Value, inputs: Sequence[Value], params: Sequence[Value], keep: Sequence[Value] = ()
) -> Tape:
    """Compile the graph under ``root`` (built for one example) into a batched :class:`Tape`.

    Args:
        root: the scalar the tape computes, e.g. one example's loss Cₓ.
        inputs: leaves that change from example to example (features, targets).
        params: leaves that change from step to step.  Any other leaf is a constant, baked
            in with its current value.
        keep: further nodes to compute in :meth:`Tape.forward`, to read with
            :meth:`Tape.value_of` (e.g. the outputs of a model); the gradient is still that
            of ``root`` alone.

    Raises:
        ValueError: an input or param is not a leaf of the graph, is declared twice, or an
            op has no rule.
        DataDependenceError: a leaf annotated as an input was not declared.

    >>> from micrograd_like import Value
    >>> x, w, b = Value(1.0), Value(0.5), Value(0.1)
    >>> compile((w * x + b).tanh(), inputs=[x], params=[w, b])
    Tape(3 op nodes in 3 instructions, 1 inputs, 2 params)
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile: root must be a Value, got {type(root).__name__}")
    inputs, params, keep = list(inputs), list(params), list(keep)
    for j, v in enumerate(keep):
        if not isinstance(v, Value):
            raise TypeError(f"compile: keep {j} must be a Value, got {type(v).__name__}")
    order = _nodes([root, *keep])
    _check_declared(order, inputs, params)
    e, entry = _lower(order, inputs, params, {root, *keep})
    roots = [entry[root], *(entry[v] for v in keep)]
    live = _live(e, roots)

    # Slots: V rows for inputs, then varying groups; U rows for params, constants, then
    # invariant groups.  A group's outputs are consecutive.
    slot = [-1] * len(e.kind)
    u_values = [p.data for p in params]
    for i, kind in enumerate(e.kind):
        if kind == "input":
            slot[i] = i
        elif kind == "param":
            slot[i] = i - len(inputs)
        elif kind == "const" and live[i]:
            slot[i] = len(u_values)
            u_values.append(e.extra[i])
    groups: dict[tuple, list[int]] = {}
    for i, kind in enumerate(e.kind):
        if live[i] and kind not in ("input", "param", "const"):
            groups.setdefault(_group_key(e, i), []).append(i)
    wants = [False] * len(e.kind)  # does a parameter reach this entry? (else no adjoint)
    for i, kind in enumerate(e.kind):
        wants[i] = kind == "param" or any(wants[a] for a in e.args[i])

    n_v, n_u = len(inputs), len(u_values)
    placed = []
    for key in sorted(groups, key=lambda k: k[0]):  # by level: arguments come first
        # the walk visits a node's last parent first, so a group in reverse walk order lists
        # its nodes as their readers list them: w₁…wₙ of a dot stay ascending slots
        nodes = groups[key][::-1]
        vy = e.varying[nodes[0]]
        start = n_v if vy else n_u
        for j, i in enumerate(nodes):
            slot[i] = start + j
        placed.append((key[1], nodes, vy, slice(start, start + len(nodes))))
        if vy:
            n_v += len(nodes)
        else:
            n_u += len(nodes)
    U = np.zeros((n_u, 1))
    U[: len(u_values), 0] = u_values

    instructions: list[Instruction] = []
    for kind, nodes, vy, out in placed:
        if kind == "dot":
            ins = matmul([e.args[i] for i in nodes], e.extra[nodes[0]], out, slot, wants)
        elif kind == "rowdot":
            ins = rowdot(e.args[nodes[0]], e.extra[nodes[0]], out, slot, wants)
        elif kind == "sum":
            ins = sums([e.args[i] for i in nodes], out, vy, slot, e.varying, wants)
        else:
            arg_lists = [list(column) for column in zip(*(e.args[i] for i in nodes))]
            ins = elementwise(kind, arg_lists, out, vy, slot, e.varying, wants)
        ins.wanted = any(wants[i] for i in nodes)
        instructions.append(ins)

    where = {id(v): (e.varying[i], slot[i]) for v, i in entry.items() if slot[i] >= 0}
    r = entry[root]
    return Tape(root, inputs, params, instructions, n_v, U, (e.varying[r], slot[r]), where,
                sum(len(nodes) for _, nodes, _, _ in placed))
