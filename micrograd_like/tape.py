"""Trace once, replay many times: a scalar graph compiled into a flat, batched tape.

The scalar graph stays the model.  You build it once, for **one** example, with the
ordinary engine (the graph you draw and differentiate by hand), mark which leaves are
inputs and which are parameters, and :func:`compile` turns it into a :class:`Tape`: op codes
and integer slots in two numpy arrays, with no Python object per node.  Replaying the tape
runs the same ops on a whole batch at once:

* every **input slot** holds an array of shape ``(batch,)``, one entry per example, and every
  op runs element-wise over the batch (``relu``, ``abs`` and friends choose their branch per
  example, exactly as the engine does for one);
* nodes that depend only on parameters and constants (an L2 penalty) are computed once;
* :meth:`Tape.backward` returns ``∂C/∂θ`` for the **batch mean** ``C = (1/B) Σₓ Cₓ`` of the
  root over the examples, i.e. the eager engine's gradients averaged over the examples.

Grouping: nodes at the same depth doing the same op run as one numpy call (level by level),
``+`` chains become one n-ary sum, and the ``dot`` nodes of a layer (same input vector, weights
that are parameters) run as **one matrix product** ``Z = W A + b`` forward and
``δA = Wᵀ δZ``, ``∂C/∂W = δZ Aᵀ`` backward; a dot of a vector with itself, times a constant
(the quadratic cost's ½ Σⱼ (aⱼ − yⱼ)²), runs as one sum of squares (of the differences
themselves when each is read by it alone).  Output slots of a group are contiguous, so the
next group reads them as a slice.  A layer that is the only reader of its weights writes their
gradient outright instead of adding it to a zeroed buffer, and a first layer multiplies the
examples' rows as they come.

In a training loop, :meth:`Tape.load` checks the data set once, :meth:`Tape.forward_rows`
replays a mini-batch of it by index, ``backward(copy=False)`` lends the gradient buffer, and
:attr:`Tape.params_vector` is updated in place (``nn.fit(compile=True)`` does exactly this).

The rule for what can be compiled: **the graph's structure must not depend on the data.**
Element-wise ops are fine (their branch is inside the op and replayed per example); a
Python ``if`` on a Value, or a constant computed from an input's ``.data``, is not, because
the tape would replay the branch or the number taken for the traced example.  :func:`compile`
refuses inputs and parameters that are not leaves of the graph, and undeclared leaves
annotated (:mod:`micrograd_like.annotation`) as inputs or parameters; :func:`trace` builds
the graph itself, refuses any Value comparison made while building, and rebuilds on further
examples to check that structure and constants do not change.

>>> from micrograd_like import Value
>>> x, w = Value(0.0), Value(3.0)
>>> loss = (w * x - 1.0) ** 2            # one example: C = (w·x − 1)²
>>> tape = compile(loss, inputs=[x], params=[w])
>>> tape.forward([[1.0], [2.0]]).tolist()  # x = 1 and x = 2, with w = 3
[4.0, 25.0]
>>> tape.backward().tolist()             # mean of 2(wx − 1)·x: (2·2·1 + 2·5·2) / 2
[12.0]
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import numpy as np

from micrograd_like import engine, namespaces, ops
from micrograd_like.annotation import annotate, annotation_of
from micrograd_like.engine import Value

__all__ = [
    "Tape",
    "compile",
    "trace",
    "DataDependenceError",
    "quadratic_term",
    "hinge_term",
    "softmax_cross_entropy_term",
    "cross_entropy_term",
]


class DataDependenceError(ValueError):
    """The graph's structure (or a constant in it) depends on the data, so no tape can replay it."""


# --------------------------------------------------------------------------------------
# The intermediate form: one entry per node, parents before children
# --------------------------------------------------------------------------------------


class _IR:
    """Nodes as parallel lists; node i has kind, args (node ids), extra, varying, level."""

    def __init__(self) -> None:
        self.kind: list[str] = []
        self.args: list[list[int]] = []
        self.extra: list = []
        self.varying: list[bool] = []
        self.level: list[int] = []

    def add(self, kind: str, args: list[int], extra=None, varying: bool = False) -> int:
        self.kind.append(kind)
        self.args.append(args)
        self.extra.append(extra)
        lv = self.level
        self.level.append(1 + max(lv[a] for a in args) if args else 0)
        vy = self.varying
        self.varying.append(varying or any(vy[a] for a in args))
        return len(self.kind) - 1


def _ordered_nodes(root: Value, also: Sequence[Value] = ()) -> list[Value]:
    """Parents before children, visiting parents left to right (so neuron j precedes j+1);
    the graph under ``root``, then what else is under the nodes ``also``."""
    order: list[Value] = []
    seen: set[int] = set()
    stack: list = [(v, False) for v in reversed([root, *also])]
    while stack:
        v, placed = stack.pop()
        if placed:
            order.append(v)
            continue
        if id(v) in seen:
            continue
        seen.add(id(v))
        stack.append((v, True))
        for p in reversed(v.parents):
            if id(p) not in seen:
                stack.append((p, False))
    return order


def _check_declared(order: list[Value], inputs: list[Value], params: list[Value]) -> None:
    in_graph = {id(v) for v in order}
    for what, vs in (("input", inputs), ("param", params)):
        for k, v in enumerate(vs):
            if not isinstance(v, Value):
                raise TypeError(f"compile: {what} {k} must be a Value, got {type(v).__name__}")
            if not v.is_leaf:
                raise ValueError(
                    f"compile: {what} {k} ({v!r}) is not a leaf: it was made by op '{v.op}'. "
                    f"Declare the leaves the graph was built from."
                )
            if id(v) not in in_graph:
                raise ValueError(
                    f"compile: {what} {k} ({v!r}) is not a leaf of this graph "
                    f"(the root does not depend on it)"
                )
    ids = [id(v) for v in inputs + params]
    if len(set(ids)) != len(ids):
        raise ValueError("compile: a Value is declared twice among inputs and params")
    declared = set(ids)
    for v in order:
        if v.is_leaf and id(v) not in declared:
            note = annotation_of(v)
            if note is None:
                continue
            if note.kind == "input":
                raise DataDependenceError(
                    f"compile: leaf {v!r} is annotated as an input but was not declared in "
                    f"inputs=; it would be baked in as a constant with this example's value"
                )
            if note.kind == "parameter":
                raise ValueError(
                    f"compile: leaf {v!r} is annotated as a parameter ({note.role}) but was not "
                    f"declared in params=; it would be frozen as a constant"
                )


def _lower(root: Value, inputs: list[Value], params: list[Value],
           keep: Sequence[Value] = ()) -> tuple[_IR, int, dict]:
    """Translate the Values into the IR: ``+`` chains flattened into sums, dots normalised."""
    order = _ordered_nodes(root, keep)
    own_slot = {id(root)} | {id(v) for v in keep}
    _check_declared(order, inputs, params)
    uses: dict[int, int] = {}
    for v in order:
        for p in v.parents:
            uses[id(p)] = uses.get(id(p), 0) + 1
    ir = _IR()
    node_of: dict[int, int] = {}
    for v in inputs:
        node_of[id(v)] = ir.add("input", [], varying=True)
    for v in params:
        node_of[id(v)] = ir.add("param", [])
    absorbable: set[int] = set()  # IR sums used once: their terms move into the consumer
    for v in order:
        if id(v) in node_of:
            continue
        if v.is_leaf:
            node_of[id(v)] = ir.add("const", [], extra=v.data)
            continue
        op = v.op
        args = [node_of[id(p)] for p in v.parents]
        if op in ("+", "sum"):
            terms: list[int] = []
            for a in args:
                if a in absorbable:
                    absorbable.discard(a)
                    if not terms:
                        terms = ir.args[a]  # steal the list: a long left chain stays O(n)
                    else:
                        terms.extend(ir.args[a])
                else:
                    terms.append(a)
            i = ir.add("sum", terms)
            if uses.get(id(v), 0) == 1 and id(v) not in own_slot:
                absorbable.add(i)
        elif op == "dot":
            i = _lower_dot(ir, args)
        elif op == "*" and (scaled := _scaled_sumsq(ir, v, args, uses, own_slot)) is not None:
            i = scaled
        else:  # every other op runs element-wise with its rule from ops.RULES
            try:
                rule = ops.rule(op)
            except KeyError:
                raise ValueError(f"compile: op '{op}' of {v!r} has no rule") from None
            if rule.arity == ops.NARY:
                raise ValueError(f"compile: the n-ary op '{op}' of {v!r} has no tape rule")
            i = ir.add(op, args)
        node_of[id(v)] = i
    return ir, node_of[id(root)], node_of


def _lower_dot(ir: _IR, args: list[int]) -> int:
    """A dot node becomes a matrix-ready dot (parameters · varying vector), a sum of squares
    (a varying vector with itself, as in the quadratic cost), or * and sum nodes."""
    n = len(args) // 2
    ws, xs = args[:n], args[n : 2 * n]
    bias = args[2 * n :]
    vy = ir.varying
    if n and ws == xs and not bias and all(vy[x] for x in xs):
        return ir.add("sumsq", xs, extra=1.0)
    if any(vy[w] for w in ws) and not any(vy[x] for x in xs):
        ws, xs = xs, ws  # Σ wₖxₖ is symmetric: put the invariant side first
    if n and not any(vy[w] for w in ws) and all(vy[x] for x in xs) and not any(vy[b] for b in bias):
        return ir.add("dot", ws + xs + bias, extra=(n, bool(bias)))
    products = [ir.add("*", [w, x]) for w, x in zip(ws, xs)]
    return ir.add("sum", products + bias)


def _scaled_sumsq(ir: _IR, v: Value, args: list[int], uses: dict[int, int],
                  own_slot: set[int]) -> int | None:
    """``c · Σ xₖ²`` (the quadratic cost's ½‖a − y‖²) as one node, when the sum of squares is
    used only here; None otherwise.  The unscaled node it replaces is left dead."""
    for k in (0, 1):
        p, q = v.parents[k], args[k]
        c = args[1 - k]
        if (ir.kind[q] == "sumsq" and ir.kind[c] == "const" and uses.get(id(p), 0) == 1
                and id(p) not in own_slot):
            return ir.add("sumsq", ir.args[q], extra=ir.extra[q] * ir.extra[c])
    return None


def _uses(ir: _IR, live: list[bool]) -> list[int]:
    """How many live nodes read each node (a node read twice by one counts twice)."""
    uses = [0] * len(ir.kind)
    for i, args in enumerate(ir.args):
        if live[i]:
            for a in args:
                uses[a] += 1
    return uses


def _fold_differences(ir: _IR, live: list[bool], roots: Sequence[int]) -> bool:
    """Rewrite ``c · Σₖ xₖ²`` with every ``xₖ = aₖ − yₖ`` read by it alone into one node
    ``c · Σₖ (aₖ − yₖ)²`` (kind ``"sqdist"``, args ``a₁..a_K, y₁..y_K``): the quadratic cost's
    ½‖a − y‖², whose two instructions each way become one.  Returns whether any changed
    (the differences are then dead).
    """
    uses = _uses(ir, live)
    keep = set(roots)
    changed = False
    for i, kind in enumerate(ir.kind):
        if not (live[i] and kind == "sumsq"):
            continue
        xs = ir.args[i]
        if not all(ir.kind[x] == "-" and uses[x] == 1 and x not in keep for x in xs):
            continue
        a_s, y_s = [ir.args[x][0] for x in xs], [ir.args[x][1] for x in xs]
        if len({ir.varying[a] for a in a_s}) > 1 or len({ir.varying[y] for y in y_s}) > 1:
            continue  # an operand group must come from one space (V or U)
        ir.kind[i] = "sqdist"
        ir.args[i] = a_s + y_s  # a new list: the unscaled sum of squares may share the old one
        changed = True
    return changed


def _live(ir: _IR, roots: Sequence[int]) -> list[bool]:
    live = [False] * len(ir.kind)
    for r in roots:
        live[r] = True
    for i in range(max(roots), -1, -1):
        if live[i]:
            for a in ir.args[i]:
                live[a] = True
    return live


# --------------------------------------------------------------------------------------
# Index helpers: contiguous runs become slices, repeated targets are summed before adding
# --------------------------------------------------------------------------------------


def _index(slots: Sequence[int]) -> slice | np.ndarray:
    """A slice when ``slots`` is an ascending arithmetic run (a view, no copy), else an array."""
    s = slots[0]
    step = slots[1] - s if len(slots) > 1 else 1
    if step > 0 and list(slots) == list(range(s, s + step * len(slots), step)):
        return slice(s, s + step * (len(slots) - 1) + 1, step)
    return np.asarray(slots, dtype=np.intp)


def _skip(D: np.ndarray, c: np.ndarray) -> None:
    """The adder of an operand that no parameter depends on: its adjoint is never needed."""


def _adder(slots: Sequence[int], reduce_batch: bool) -> Callable[[np.ndarray, np.ndarray], None]:
    """``D[slots] += c`` that is right when ``slots`` repeats (a node used twice in a group).

    ``reduce_batch``: ``c`` has a batch axis but the target is batch-invariant, so the
    contributions of all examples are summed first (∂C/∂θ = Σₓ ∂C/∂θ through example x).
    """
    idx = _index(slots)
    unique = isinstance(idx, slice) or len(set(slots)) == len(slots)
    if unique and reduce_batch:
        def add_summed(D, c, idx=idx):
            D[idx] += c.sum(axis=1, keepdims=True)
        return add_summed
    if unique:
        def add(D, c, idx=idx):
            D[idx] += c
        return add
    arr = np.asarray(slots, dtype=np.intp)
    perm = np.argsort(arr, kind="stable")
    sorted_ = arr[perm]
    starts = np.flatnonzero(np.r_[True, sorted_[1:] != sorted_[:-1]])
    targets = sorted_[starts]

    def add_repeated(D, c, perm=perm, starts=starts, targets=targets, r=reduce_batch):
        if r:
            c = c.sum(axis=1, keepdims=True)
        D[targets] += np.add.reduceat(c[perm], starts, axis=0)
    return add_repeated


_Chain = Callable[[np.ndarray, np.ndarray, np.ndarray], None]


def _chain(slots: Sequence[int], reduce_batch: bool, sole: bool) -> tuple[_Chain, slice | None]:
    """``D[slots] += g · local``, the chain rule's contribution of one operand, and the rows
    it writes outright (or None).

    ``sole``: this operand's nodes are read by this instruction alone, once each, so the
    product is their whole adjoint: it is written straight into ``D`` (no temporary, no add,
    and backward need not zero those rows first).
    """
    idx = _index(slots)
    if sole and isinstance(idx, slice) and not reduce_batch:
        def put(D, g, local, idx=idx):
            np.multiply(g, local, out=D[idx])
        return put, idx
    add = _adder(slots, reduce_batch)

    def add_product(D, g, local):
        add(D, g * local)
    return add_product, None


def _no_chain(D: np.ndarray, g: np.ndarray, local: np.ndarray) -> None:
    """The chain of an operand that no parameter depends on: its adjoint is never needed."""


def _chains(operands, node_lists, reduce_batch, wants, uses, ins: _Instr) -> list[_Chain]:
    """The chain of each operand (``_no_chain`` where no parameter reaches it); the rows of
    DV they write outright go to ``ins.assigns_v``."""
    chains: list[_Chain] = []
    for (vy, _, slots), nodes, reduce in zip(operands, node_lists, reduce_batch):
        if not any(wants[n] for n in nodes):
            chains.append(_no_chain)
            continue
        chain, assigned = _chain(slots, reduce, sole=all(uses[n] == 1 for n in nodes))
        chains.append(chain)
        if vy and assigned is not None:
            ins.assigns_v.append(assigned)
    return chains


_T = TypeVar("_T")

def _raising() -> np.errstate:
    """numpy's error state while the tape runs: an overflow or an undefined value raises
    FloatingPointError where the eager engine raises (an underflow to 0 passes, as in float
    arithmetic)."""
    return np.errstate(over="raise", invalid="raise", divide="raise", under="ignore")

# --------------------------------------------------------------------------------------
# Instructions: one per group of same-op nodes; forward(V, U) and backward(V, U, DV, DU)
# --------------------------------------------------------------------------------------
# V (n_v, B): batch-varying slots (inputs and what depends on them); U (n_u, 1): parameters,
# constants, and what depends only on them.  DV, DU hold the adjoints ∂C/∂slot.


class _Batch:
    """The examples of the current forward, one row each (batch, inputs), C-ordered: a layer
    that reads only inputs multiplies by it directly, with no transposed copy into V."""

    __slots__ = ("X",)

    def __init__(self) -> None:
        self.X = np.zeros((0, 0))


class _Instr:
    __slots__ = ("op", "size", "out_varying", "out", "forward", "backward", "mean", "wanted",
                 "assigns", "assigns_v", "from_batch")
    # set by the _make_* function that builds the instruction
    forward: Callable[[np.ndarray, np.ndarray], None]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
    wanted: bool  # does a parameter reach one of its nodes (else no adjoints)

    assigns: slice | None  # rows of DU its backward writes (=, not +=) and no other touches
    assigns_v: list[slice]  # the same for rows of DV
    from_batch: frozenset[int]  # the input slots it reads from the batch's rows, not from V
    mean: Callable[[np.ndarray, np.ndarray], float] | None  # one node's batch mean, row unset

    def __init__(self, op: str, size: int, out_varying: bool, out: slice) -> None:
        self.op, self.size, self.out_varying, self.out = op, size, out_varying, out
        self.assigns = None
        self.assigns_v = []
        self.from_batch = frozenset()
        self.mean = None


def _operand(nodes: list[int], slot, varying) -> tuple[bool, slice | np.ndarray, list[int]]:
    vy = varying[nodes[0]]
    slots = [slot[n] for n in nodes]
    return vy, _index(slots), slots


def _make_elementwise(op, extra, arg_lists, out, out_vy, slot, varying, wants, uses) -> _Instr:
    """A group of same-op nodes: the op's value and partials from ops.RULES, on arrays."""
    ins = _Instr(op, len(arg_lists[0]), out_vy, out)
    operands = [_operand(a, slot, varying) for a in arg_lists]
    chains = _chains(operands, arg_lists, [out_vy and not vy for vy, _, _ in operands], wants,
                     uses, ins)
    rule, m = ops.rule(op), namespaces.arrays()
    fwd, partials = rule.forward, rule.partials
    if len(operands) == 1:
        (avy, ai, _), = operands
        chain_a, = chains
        local, = partials

        kernel = namespaces.array_kernel(rule)  # σ, exp, tanh, ...: computed straight into the rows

        def forward(V, U):
            A = V if avy else U
            if kernel is None:
                (V if out_vy else U)[out] = fwd(m, A[ai])
            else:
                kernel(A[ai], out=(V if out_vy else U)[out])

        def backward(V, U, DV, DU):
            A = V if avy else U
            chain_a(DV if avy else DU, (DV if out_vy else DU)[out],
                    local(m, A[ai], (V if out_vy else U)[out]))
    else:
        spaces = [(vy, i) for vy, i, _ in operands]
        todo = [(k, chain) for k, chain in enumerate(chains) if chain is not _no_chain]

        def forward(V, U):
            (V if out_vy else U)[out] = fwd(m, *[(V if vy else U)[i] for vy, i in spaces])

        def backward(V, U, DV, DU):
            args = [(V if vy else U)[i] for vy, i in spaces]
            g = (DV if out_vy else DU)[out]
            o = (V if out_vy else U)[out]
            for k, chain in todo:
                chain(DV if spaces[k][0] else DU, g, partials[k](m, *args, o))
    ins.forward, ins.backward = forward, backward
    return ins


def _make_sum(arg_lists, out, out_vy, slot, varying, wants) -> _Instr:
    """Each node j: Σ of its terms (any number, from either space); ∂/∂term = 1."""
    ins = _Instr("sum", len(arg_lists), out_vy, out)
    parts = []  # (space is V, rows that have terms there, flat slots, segment starts, counts)
    for space in (True, False):
        rows, flat, counts = [], [], []
        any_wanted = False
        for j, args in enumerate(arg_lists):
            mine = [slot[a] for a in args if varying[a] == space]
            any_wanted = any_wanted or any(wants[a] for a in args if varying[a] == space)
            if mine:
                rows.append(j)
                flat.extend(mine)
                counts.append(len(mine))
        if rows:
            starts = np.cumsum([0, *counts[:-1]])
            all_rows = len(rows) == len(arg_lists)
            row_idx = None if all_rows else out.start + np.asarray(rows, dtype=np.intp)
            single = all(c == 1 for c in counts)
            parts.append((space, row_idx, _index(flat), starts, np.asarray(counts),
                          single, _adder(flat, reduce_batch=out_vy and not space)
                          if any_wanted else _skip))
    def forward(V, U):
        Out = V if out_vy else U
        first = True
        for space, rows, flat, starts, _counts, single, _add in parts:
            g = (V if space else U)[flat]
            s = g if single else np.add.reduceat(g, starts, axis=0)
            if rows is None:
                if first:
                    Out[out] = s
                else:
                    Out[out] += s
            else:
                if first:
                    Out[out] = 0.0
                Out[rows] += s
            first = False

    def backward(V, U, DV, DU):
        g = (DV if out_vy else DU)[out]
        for space, rows, _flat, _starts, counts, single, add in parts:
            if add is not _skip:
                gr = g if rows is None else g[rows - out.start]
                add(DV if space else DU, gr if single else np.repeat(gr, counts, axis=0))

    ins.forward, ins.backward = forward, backward
    return ins


def _grid_view(flat: np.ndarray, idx: np.ndarray) -> np.ndarray | None:
    """A strided view of ``flat`` equal to ``flat[idx]`` when idx[j, k] = s + j·r + k, else None.

    nn's parameter order (each neuron's weights, then its bias) puts a layer's W on such a
    grid with row stride r = n + 1, so W is read and its gradient written without a copy.
    """
    rows, cols = idx.shape
    s = int(idx[0, 0])
    r = int(idx[1, 0] - s) if rows > 1 else cols
    if r < cols or not np.array_equal(idx, s + r * np.arange(rows)[:, None] + np.arange(cols)):
        return None
    item = flat.itemsize
    return np.lib.stride_tricks.as_strided(flat[s:], shape=(rows, cols), strides=(r * item, item))


def _make_dot(nodes, ir, out, slot, wants, Us, DU, uses, batch, n_in) -> _Instr:
    """A layer of dot nodes sharing one input vector: Z = W·A + b, one matrix product.

    Backward is BP2/BP4 in matrix form: δA = Wᵀ δZ, ∂C/∂W = δZ Aᵀ (summed over the batch by
    the product itself), ∂C/∂b = Σₓ δZ.

    ``uses[i]``: how many live nodes read node i.  When this group's nodes are the only
    readers of its weights and biases (an MLP's layer), no other instruction adds to their
    adjoints, so the product is written straight into them (``ins.assigns``, the rows of DU
    that backward then need not zero); likewise δA when the group is the only reader of A.

    A layer whose A is a run of the tape's inputs (a network's first layer) reads it from
    ``batch.X`` (examples as rows) instead of V: ``W · Xᵀ`` needs no transposed copy of
    the examples, and ``δZ [X | 1]`` copies rows as they are.
    """
    n, has_bias = ir.extra[nodes[0]]
    nout = len(nodes)
    ins = _Instr("dot", nout, True, out)
    x_nodes = ir.args[nodes[0]][n : 2 * n]
    x_idx = _index([slot[a] for a in x_nodes])
    fed = isinstance(x_idx, slice) and x_idx.stop <= n_in  # A is inputs: read batch.X
    if fed:
        ins.from_batch = frozenset(slot[a] for a in x_nodes)
    W_idx = np.asarray([[slot[a] for a in ir.args[i][:n]] for i in nodes], dtype=np.intp)
    # W as a view of each of the tape's two parameter buffers (see Tape.step_params)
    U0 = Us[0]
    W_view0, W_view1 = (_grid_view(u[:, 0], W_idx) for u in Us)
    dW_view = _grid_view(DU[:, 0], W_idx)
    if W_view0 is None:  # weights scattered in U: gather them, add their gradient by index
        add_w = _adder(W_idx.ravel().tolist(), reduce_batch=False)
        def weights(U):
            return U[:, 0][W_idx]
        def add_dW(dW):
            add_w(DU, dW.reshape(nout * n, 1))
    else:
        def weights(U):
            return W_view0 if U is U0 else W_view1
        def add_dW(dW):
            dW_view.__iadd__(dW)
    b_slots = [slot[ir.args[i][2 * n]] for i in nodes] if has_bias else []
    b_idx = _index(b_slots) if has_bias else None
    add_b = _adder(b_slots, reduce_batch=True) if has_bias else _skip
    want_w = any(wants[a] for i in nodes for a in ir.args[i][:n])
    want_x = any(wants[a] for a in x_nodes)
    add_x = None  # only when an input slot repeats (then adjoints must add up per slot)
    if isinstance(x_idx, np.ndarray) and len(set(x_idx.tolist())) != len(x_idx):
        add_x = _adder(x_idx.tolist(), reduce_batch=False)
    # A is read by this group alone (each of its nodes once per neuron): assign δA
    x_sole = (isinstance(x_idx, slice) and all(uses[a] == nout for a in x_nodes)
              and len(set(x_nodes)) == n)
    if x_sole and want_x and isinstance(x_idx, slice):
        ins.assigns_v = [x_idx]

    def activations(V):  # A, (n, batch); a transposed view of batch.X for a first layer
        return batch.X[:, x_idx].T if fed else V[x_idx]

    def forward(V, U):
        Z = V[out]
        np.matmul(weights(U), activations(V), out=Z)
        if has_bias:
            Z += U[b_idx]
        if not _all_finite(Z):  # a matrix product run by BLAS's threads sets no numpy flag
            raise FloatingPointError("dot overflowed")

    # nn's layout puts each neuron's bias right after its weights, so [W | b] is one
    # contiguous block of U, and [∂C/∂W | ∂C/∂b] = δZ [Aᵀ | 1] is one product added with one
    # contiguous add (adding into the strided W alone costs several times more).
    s0 = int(W_idx[0, 0])
    joint = (W_view0 is not None and has_bias and want_w
             and b_slots == [s0 + j * (n + 1) + n for j in range(nout)]
             and (nout == 1 or int(W_idx[1, 0]) - s0 == n + 1))
    dWb = DU[s0 : s0 + nout * (n + 1), 0]
    db_view = DU[s0 + n : s0 + nout * (n + 1) : n + 1, 0]  # ∂C/∂b inside that block
    # the only reader of its weights and biases: their adjoints are this product alone
    sole = joint and all(uses[a] == 1 for i in nodes
                         for a in ir.args[i][:n] + ir.args[i][2 * n:])
    ins.assigns = slice(s0, s0 + nout * (n + 1)) if sole else None
    buffers: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # batch size -> ([Aᵀ | 1], product)

    def joint_grad(V, g):
        AT = batch.X[:, x_idx] if fed else V[x_idx].T  # Aᵀ, (batch, n)
        if sole:  # written in place, through views of the block: nothing to add, no copy
            np.matmul(g, AT, out=dW_view)  # ∂C/∂W = δZ Aᵀ, summed over the batch
            np.add.reduce(g, axis=1, out=db_view)  # ∂C/∂b = Σₓ δZ
            return
        B = g.shape[1]
        bufs = buffers.get(B)
        if bufs is None:
            bufs = buffers[B] = (np.ones((B, n + 1)), np.empty((nout, n + 1)))
        A1, G = bufs
        A1[:, :n] = AT
        np.matmul(g, A1, out=G)  # δZ [Aᵀ | 1]
        dWb.__iadd__(G.reshape(-1))

    def backward(V, U, DV, DU):
        g = DV[out]
        if joint:
            joint_grad(V, g)
        else:
            if want_w:
                add_dW(g @ activations(V).T)  # ∂C/∂W = δZ Aᵀ, summed over the batch
            add_b(DU, g)  # ∂C/∂b = Σₓ δZ
        if not want_x:
            return
        if x_sole:  # δA = Wᵀ δZ, the only contribution to these adjoints
            np.matmul(weights(U).T, g, out=DV[x_idx])
        elif add_x is None:
            DV[x_idx] += weights(U).T @ g  # δA = Wᵀ δZ
        else:  # the shared vector lists one node twice
            add_x(DV, weights(U).T @ g)

    ins.forward, ins.backward = forward, backward
    return ins


def _make_sumsq(node: int, ir: _IR, out: slice, slot, wants, uses, batch, n_in,
                differences: bool) -> _Instr:
    """One node ``c · Σₖ xₖ²`` over varying xₖ (``c = ½`` for the quadratic cost's tail):
    forward the squares and one reduction over k, backward ``∂/∂xₖ = 2c·xₖ``.  It replaces
    the K products xₖ·xₖ, their sum and the scaling: three instructions each way become one.

    With ``differences`` (kind ``"sqdist"``, args ``a₁..a_K, y₁..y_K``) the node is
    ``c · Σₖ (aₖ − yₖ)²``, the quadratic cost ½‖a − y‖² itself: xₖ = aₖ − yₖ is computed here
    and kept for backward, which gives ``∂/∂aₖ = 2c·xₖ`` (BP1's ∇ₐC = a − y for c = ½) and
    ``∂/∂yₖ = −2c·xₖ``; the same float operations as the ``-`` instruction it replaces, so
    the same bits.
    """
    ins = _Instr("sumsq", 1, True, out)
    args = ir.args[node]
    K = len(args) // 2 if differences else len(args)
    c = float(ir.extra[node])
    parts = [args[:K], args[K:]] if differences else [args]  # a (or x), then y
    operands = [_operand(p, slot, ir.varying) for p in parts]
    chains = _chains(operands, parts, [not vy for vy, _, _ in operands], wants, uses, ins)
    row = out.start
    two_c = 2.0 * c
    kept: dict[int, np.ndarray] = {}  # batch size -> the differences a − y
    (a_vy, a_idx, _), *y_operand = operands
    y_vy, y_idx, y_slots = y_operand[0] if y_operand else (False, slice(0), [])
    # targets that are a run of the tape's inputs are read from the batch's rows (no copy)
    y_fed = isinstance(y_idx, slice) and bool(y_slots) and y_idx.stop <= n_in
    if y_fed:
        ins.from_batch = frozenset(y_slots)

    def terms(V, U):  # xₖ for every example: slots of V, or the differences, computed
        A = (V if a_vy else U)[a_idx]
        if not differences:
            return A
        B = V.shape[1]
        X = kept.get(B)
        if X is None:
            X = kept[B] = np.empty((K, B))
        Y = batch.X[:, y_idx].T if y_fed else (V if y_vy else U)[y_idx]
        return np.subtract(A, Y, out=X)

    def forward(V, U):
        X = terms(V, U)
        o = V[row]
        np.add.reduce(X * X, axis=0, out=o)  # overflow raises (numpy's flags are set)
        if c != 1.0:
            o *= c

    def mean(V, U) -> float:
        """The batch mean c·Σₓ Σₖ xₖ²/B as one dot product, without the per-example row
        (backward reads the terms, not the row): a training step needs only the mean."""
        X = terms(V, U)
        flat = X.ravel()
        try:
            m = c * float(np.dot(flat, flat)) / X.shape[1]
        except FloatingPointError:  # numpy 2 checks a dot product's overflow, older ones not
            m = math.inf
        if math.isfinite(m):
            return m
        forward(V, U)  # the total overflowed: example by example, raising where forward does
        return float(np.add.reduce(V[row])) / X.shape[1]

    def backward(V, U, DV, DU):
        X = kept[V.shape[1]] if differences else terms(V, U)
        g = DV[out] if two_c == 1.0 else DV[out] * two_c  # ∂(c Σ xₖ²)/∂xₖ = 2c·xₖ, times
        # ∂C/∂(this node); the quadratic cost's c = ½ needs no product
        for (vy, _, _), chain, sign in zip(operands, chains, (1.0, -1.0)):
            if chain is not _no_chain:
                chain(DV if vy else DU, g if sign > 0.0 else -g, X)  # ∂xₖ/∂aₖ = 1, ∂xₖ/∂yₖ = −1

    ins.forward, ins.backward, ins.mean = forward, backward, mean
    return ins


# --------------------------------------------------------------------------------------
# The tape
# --------------------------------------------------------------------------------------


class Tape:
    """A compiled scalar graph, replayed over a batch.  Make one with :func:`compile`.

    One batch: :meth:`forward` then :meth:`backward` (or :meth:`value_and_grad`).  Many
    mini-batches of one data set (a training loop): :meth:`load` it, then inside
    :meth:`replaying` one :meth:`value_and_grad_rows` per step, with the parameters in
    :attr:`params_vector` (updated in place, or moved to with :meth:`step_params`).

    Attributes:
        inputs: the input leaves, in the order of the columns of ``forward``'s ``inputs``.
        params: the parameter leaves, in the order of ``params``/the gradient vector.
        n_nodes: op nodes of the scalar graph that the tape computes.
        instructions: one per group of nodes run as one numpy call (or one matrix product).
    """

    def __init__(self, root, inputs, params, instructions, n_v, Us, DU, root_slot, root_vy,
                 n_nodes, where, batch, inputs_in_v, mean_last: bool = False) -> None:
        self._where: dict[int, tuple[bool, int]] = where  # id(Value) -> (varying?, slot)
        self.root = root
        self.inputs = list(inputs)
        self.params = list(params)
        self.instructions: list[_Instr] = instructions
        self.n_nodes = n_nodes
        self._n_v = n_v
        # (n_u, 1): params first, then constants, then invariant results; two of them, so
        # that step_params can move to new parameters by trading them instead of copying
        self._U, self._U_spare = Us
        self._DU = DU  # their adjoints; both are allocated once (the dot views point into them)
        self._grad = DU[: len(params), 0]  # ∂C/∂θ, where backward leaves it
        self._grad_read_only = self._grad.view()  # what backward(copy=False) hands out
        self._grad_read_only.flags.writeable = False
        self._backward_order = [ins for ins in reversed(instructions) if ins.wanted]
        # backward zeroes the adjoints it will add to: every row of DU but those that an
        # instruction assigns outright (an MLP layer's [∂C/∂W | ∂C/∂b])
        assigned = sorted((ins.assigns.start, ins.assigns.stop) for ins in self._backward_order
                          if ins.assigns is not None)
        self._DU_zero: list[np.ndarray] = []
        start = 0
        for a, b in [*assigned, (len(DU), len(DU))]:
            if a > start:
                self._DU_zero.append(DU[start:a])
            start = max(start, b)
        # and every row of DV but those written outright (an MLP's: all of them)
        zero_v = np.ones(n_v, dtype=bool)
        zero_v[: len(inputs)] = False  # no adjoint reaches an input: they stay 0
        for ins in self._backward_order:
            for rows in ins.assigns_v:
                zero_v[rows] = False
        if root_vy:
            zero_v[root_slot] = False  # backward's seed sets it
        self._DV_zero = [slice(a, b) for a, b in _runs(zero_v)]
        self._root_slot, self._root_vy = root_slot, root_vy
        # value_and_grad_rows: all but the last instruction, then its batch mean alone
        self._mean_last: _Instr | None = instructions[-1] if mean_last else None
        self._body = instructions[:-1] if mean_last else instructions
        self._root_row_ready = True  # False after a step that computed only the root's mean
        self._batch_rows: _Batch = batch  # the examples as rows, shared with a first layer
        # the input rows of V that instructions read (a first layer reads the batch itself)
        self._in_v = _index(inputs_in_v) if inputs_in_v else None
        self._V = np.zeros((n_v, 0))
        self._data: np.ndarray | None = None  # load()'s data set, for forward_rows
        self._replaying: int | None = None  # the thread inside replaying(), if any
        self._batch = 0
        self._ready = False

    def __repr__(self) -> str:
        return (f"Tape({self.n_nodes} op nodes in {len(self.instructions)} instructions, "
                f"{len(self.inputs)} inputs, {len(self.params)} params)")

    @property
    def batch_size(self) -> int:
        """The number of examples of the last :meth:`forward`."""
        return self._batch

    def param_values(self) -> np.ndarray:
        """The current ``.data`` of the parameter Values, as a vector (a copy)."""
        return np.array([p.data for p in self.params], dtype=np.float64)

    @property
    def params_vector(self) -> np.ndarray:
        """The parameter vector the tape replays with: a writable view, in ``self.params`` order.

        Writing into it (``tape.params_vector[:] = θ``, or an optimiser's in-place update)
        changes the parameters of the next :meth:`forward` without a copy; the parameter
        Values are not touched until :meth:`push_params`.
        """
        return self._U[: len(self.params), 0]

    def step_params(self, update: Callable[[np.ndarray, np.ndarray], object]) -> None:
        """Move to new parameters without copying them: a training loop's update step.

        ``update(theta, out)`` reads the current parameters ``theta`` (:attr:`params_vector`)
        and writes the new ones into ``out``, the tape's second parameter buffer; then the
        two buffers trade places.  If ``update`` raises, the parameters stay as they were.
        A view of :attr:`params_vector` taken before the call shows the old values after it:
        read the property again.

        >>> from micrograd_like import Value
        >>> x, w = Value(0.0), Value(3.0)
        >>> tape = compile(w * x, inputs=[x], params=[w])
        >>> tape.step_params(lambda theta, out: np.subtract(theta, 0.5, out=out))
        >>> tape.params_vector
        array([2.5])
        """
        P = len(self.params)
        update(self._U[:P, 0], self._U_spare[:P, 0])
        if len(self._U) > P:  # what the last forward computed from the parameters
            self._U_spare[P:] = self._U[P:]
        self._U, self._U_spare = self._U_spare, self._U

    def pull_params(self) -> None:
        """Copy the parameter Values' ``.data`` into :attr:`params_vector`."""
        self.params_vector[:] = self.param_values()

    def push_params(self) -> None:
        """Write :attr:`params_vector` into the parameter Values' ``.data`` (θₖ → params[k])."""
        for p, v in zip(self.params, self.params_vector.tolist()):
            p.data = v

    def forward(self, inputs, params=None) -> np.ndarray:
        """The root's value for every example: ``Cₓ`` for each row ``x`` of ``inputs``.

        Args:
            inputs: array-like of shape ``(batch, len(self.inputs))`` of finite numbers;
                column k feeds input k.
            params: vector of ``len(self.params)`` finite values; ``None`` keeps the last ones
                given (at first, the ``.data`` of the parameter Values at compile time).
                If this call raises, the tape keeps its previous parameters.

        Returns:
            float64 array of shape ``(batch,)``.

        Raises:
            ValueError: an input or a parameter is not finite, or a shape is wrong.
            FloatingPointError: an op overflowed or was undefined (``log`` of a number ≤ 0,
                ``exp(1000)``, ...), even where a later op would hide it (``tanh`` of an
                overflow is 1.0): the message names the op and the example, where the eager
                engine raises OverflowError or ValueError for the same example.
        """
        X = self._examples(inputs, "Tape.forward", "batch")
        previous = None
        if params is not None:
            theta = np.asarray(params, dtype=np.float64)
            if theta.shape != (len(self.params),):
                raise ValueError(f"Tape.forward: params must have shape ({len(self.params)},),"
                                 f" got {theta.shape}")
            _check_finite_array("Tape.forward: params", theta, ("param",))
            previous = self.params_vector.copy()
            self.params_vector[:] = theta
        try:
            return self._forward(X)
        except BaseException:
            if previous is not None:
                self.params_vector[:] = previous
            raise

    def load(self, inputs) -> None:
        """Keep a data set for :meth:`forward_rows`, checked once (shape, finite) here.

        A training loop replays mini-batches of the same data thousands of times; checking
        each batch again would cost as much as a small layer's arithmetic.

        Args:
            inputs: array-like of shape ``(examples, len(self.inputs))`` of finite numbers
                (copied, so later changes to it do not reach the tape).
        """
        self._data = self._examples(inputs, "Tape.load", "examples")

    def _examples(self, inputs, what: str, rows: str) -> np.ndarray:
        """``inputs`` as the tape's own C-ordered float64 copy, one example per row, checked:
        a first layer reads these rows again in backward, so a caller who changes their
        array in between must not change the gradient."""
        X = np.array(inputs, dtype=np.float64, order="C")
        n_in = len(self.inputs)
        if X.ndim != 2 or X.shape[1] != n_in:
            raise ValueError(f"{what}: inputs must have shape ({rows}, {n_in}), got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError(f"{what}: inputs must hold at least one example, got {X.shape}")
        _check_finite_array(f"{what}: inputs", X, ("example", "input"))
        return X

    def forward_rows(self, rows) -> np.ndarray:
        """:meth:`forward` on the examples ``rows`` (indices or a slice) of :meth:`load`'s data.

        >>> from micrograd_like import Value
        >>> x, w = Value(0.0), Value(3.0)
        >>> tape = compile(w * x, inputs=[x], params=[w])
        >>> tape.load([[1.0], [2.0], [5.0]])
        >>> tape.forward_rows([2, 0])       # w·x for examples 2 and 0
        array([15.,  3.])
        """
        self._take_rows(rows, "Tape.forward_rows")
        self._under_raising(self._run_forward)
        return self._root_values()

    def value_and_grad_rows(self, rows, *, copy: bool = True, check: bool = True,
                            scale: float = 1.0) -> tuple[float, np.ndarray]:
        """``(C, ∂C/∂θ)`` on the examples ``rows`` of :meth:`load`'s data: one training step's
        :meth:`forward_rows` and :meth:`backward` in one call (``copy``, ``check`` and
        ``scale`` as there).

        ``C`` is the batch mean of the root.  The same numbers as the two calls, a little
        faster (numpy's error state is set once for both passes).

        >>> from micrograd_like import Value
        >>> x, w = Value(0.0), Value(3.0)
        >>> tape = compile(w * x * x, inputs=[x], params=[w])
        >>> tape.load([[1.0], [2.0], [5.0]])
        >>> tape.value_and_grad_rows([0, 1])    # C = ½(3·1 + 3·4), ∂C/∂w = ½(1 + 4)
        (7.5, array([2.5]))
        """
        seed = _seed(scale, "Tape.value_and_grad_rows")
        self._take_rows(rows, "Tape.value_and_grad_rows")
        mean = self._under_raising(self._run_both, seed)
        return mean, self._hand_out(copy, check)

    @contextmanager
    def replaying(self) -> Iterator[None]:
        """Many steps under one numpy error state: a training loop's hot path.

        Each replay runs under ``np.errstate`` with overflow, division by zero and invalid
        operations raising (how the tape finds where the eager engine would raise); setting
        it costs as much as a small layer's arithmetic, so a loop of thousands of steps sets
        it once here.  Inside the block, the caller's own numpy code raises on overflow too.
        Only the thread that entered it is covered.

        >>> from micrograd_like import Value
        >>> x, w = Value(0.0), Value(3.0)
        >>> tape = compile(w * x, inputs=[x], params=[w])
        >>> tape.load([[1.0], [2.0]])
        >>> with tape.replaying():
        ...     steps = [tape.value_and_grad_rows([k]) for k in (0, 1)]
        >>> steps
        [(3.0, array([1.])), (6.0, array([2.]))]
        """
        before = self._replaying
        with _raising():
            self._replaying = threading.get_ident()
            try:
                yield
            finally:
                self._replaying = before

    def _under_raising(self, run: Callable[..., _T], *args: Any) -> _T:
        """``run(*args)`` under ``_raising()``, set here unless :meth:`replaying` holds it
        for this thread."""
        if self._replaying == threading.get_ident():
            return run(*args)
        with _raising():
            return run(*args)

    def _run_both(self, seed: float) -> float:
        """Forward and backward; the root's batch mean (its per-example row only if need be)."""
        last = self._mean_last
        if last is None:
            self._run_forward()
            r = self._root_slot
            mean = (float(np.add.reduce(self._V[r])) / self._batch if self._root_vy
                    else float(self._U[r, 0]))
        else:
            self._run_forward(self._body)
            try:
                mean = last.mean(self._V, self._U)  # type: ignore[misc]
            except FloatingPointError:
                raise self._locate_nonfinite(last) from None
            self._root_row_ready = False
        self._run_backward(seed)
        return mean

    def _take_rows(self, rows, what: str) -> None:
        """Make the examples ``rows`` of :meth:`load`'s data the current batch."""
        if self._data is None:
            raise RuntimeError(f"{what}: call load(inputs) first")
        X = self._data[rows]
        if X.ndim != 2:
            raise ValueError(f"{what}: rows must be a 1-D index or a slice, got {rows!r}")
        if X.shape[0] == 0:
            raise ValueError(f"{what}: rows must select at least one example, got {rows!r}")
        self._set_batch(X)

    def _forward(self, X: np.ndarray) -> np.ndarray:
        """The replay itself, on finite inputs (rows are examples)."""
        self._set_batch(X)
        self._under_raising(self._run_forward)
        return self._root_values()

    def _set_batch(self, X: np.ndarray) -> None:
        """``X`` (finite, one example per row) becomes the batch the next replay reads."""
        self._ready = False
        B = X.shape[0]
        if B != self._batch:  # buffers for a new batch size
            self._V = np.empty((self._n_v, B))
            self._DV = np.zeros((self._n_v, B))  # rows no backward writes stay 0
            self._batch = B
        X = np.ascontiguousarray(X)
        self._batch_rows.X = X
        if self._in_v is not None:
            self._V[self._in_v] = X[:, self._in_v].T

    def _run_forward(self, instructions: list[_Instr] | None = None) -> None:
        """Run the instructions (default: all), under the caller's ``_raising()``: numpy's
        overflow and invalid flags raise."""
        V, U = self._V, self._U
        for ins in self.instructions if instructions is None else instructions:
            try:
                ins.forward(V, U)
            except FloatingPointError:
                raise self._locate_nonfinite(ins) from None
        self._ready = True
        self._root_row_ready = True

    def _complete_root(self) -> None:
        """Fill the root's per-example row that a training step left out."""
        if not self._root_row_ready and self._mean_last is not None:
            self._under_raising(self._mean_last.forward, self._V, self._U)
            self._root_row_ready = True

    def _root_values(self) -> np.ndarray:
        """A new array of the root's value for each example of the last replay."""
        r = self._root_slot
        return self._V[r].copy() if self._root_vy else np.full(self._batch, self._U[r, 0])

    def backward(self, *, copy: bool = True, check: bool = True, scale: float = 1.0
                 ) -> np.ndarray:
        """∂C/∂θ for the batch mean ``C = (1/B) Σₓ Cₓ`` of the last :meth:`forward`.

        Equal (to rounding) to running the eager engine on each example and averaging the
        parameters' ``.grad``.  Returns a vector in the order of ``self.params``: a new one,
        or with ``copy=False`` the tape's own gradient buffer (read-only, overwritten by the
        next backward: what a training loop that uses it at once wants).  ``check=False``
        skips the scan for a non-finite entry, for a caller that scans anyway (an optimiser's
        ``step_vector`` refuses a step that is not finite).

        ``scale``: backpropagate from ∂(s·C)/∂C = s instead of 1, giving s·∂C/∂θ (the chain
        rule is linear in its seed).  With s = −η this is plain gradient descent's step
        Δθ = −η ∇C itself, one pass over the parameters fewer than scaling the gradient.

        >>> from micrograd_like import Value
        >>> x, w = Value(2.0), Value(3.0)
        >>> tape = compile(w * x, inputs=[x], params=[w])
        >>> _ = tape.forward([[2.0]])
        >>> tape.backward(), tape.backward(scale=-0.5)    # ∂(wx)/∂w = x = 2
        (array([2.]), array([-1.]))

        Raises:
            FloatingPointError: a chain-rule product overflowed (the message names the op
                or the parameter).
            ValueError: ``scale`` is not a finite, non-zero number.
        """
        seed = _seed(scale, "Tape.backward")
        self._under_raising(self._run_backward, seed)
        return self._hand_out(copy, check)

    def _hand_out(self, copy: bool, check: bool) -> np.ndarray:
        """The gradient as :meth:`backward` returns it: scanned, then copied or read-only."""
        grad = self._grad
        bad = _first_nonfinite(grad) if check else None
        if bad is not None:
            raise FloatingPointError(
                f"Tape.backward: gradient overflowed to {grad[bad]!r} at param {bad} "
                f"({self.params[bad]!r})")
        return grad.copy() if copy else self._grad_read_only

    def _run_backward(self, seed: float = 1.0) -> None:
        """The backward pass from ∂(seed·C)/∂C = seed, under the caller's ``_raising()``:
        seed·∂C/∂θ is left in ``self._grad`` (valid until the next)."""
        if not self._ready:
            raise RuntimeError("Tape.backward: call forward() first (and let it succeed)")
        V, U, DV, DU = self._V, self._U, self._DV, self._DU
        for rows in self._DU_zero:
            rows.fill(0.0)
        for dv_rows in self._DV_zero:  # the adjoints that backward adds to
            DV[dv_rows] = 0.0
        r = self._root_slot
        if self._root_vy:
            DV[r] = seed / self._batch  # C is the batch mean: ∂C/∂Cₓ = 1/B
        else:
            DU[r] = seed
        for ins in self._backward_order:
            try:
                ins.backward(V, U, DV, DU)
            except FloatingPointError as e:
                whose = "" if seed == 1.0 else f" of {seed:g}·C"  # backward(scale=seed)
                raise FloatingPointError(
                    f"Tape.backward: the chain rule{whose} overflowed or was undefined at op "
                    f"'{ins.op}' ({e}); the eager engine's backward would raise too"
                ) from None

    def value_of(self, node: Value) -> np.ndarray:
        """The batch of values of any node of the compiled graph, after :meth:`forward`.

        For example the network's outputs, to measure accuracy.  Nodes of a ``+`` chain that
        the tape folded into one sum have no slot of their own and raise KeyError.
        """
        if not self._ready:
            raise RuntimeError("Tape.value_of: call forward() first (and let it succeed)")
        self._complete_root()
        try:
            vy, s = self._where[id(node)]
        except KeyError:
            raise KeyError(f"Tape.value_of: {node!r} has no slot in this tape (not in the "
                           f"graph, or folded into a sum or a sum of squares)") from None
        if not vy:
            return np.full(self._batch, self._U[s, 0])
        if s < len(self.inputs):  # an input: its column of the batch
            return self._batch_rows.X[:, s].copy()
        return self._V[s].copy()

    def value_and_grad(self, inputs, params=None) -> tuple[float, np.ndarray]:
        """``(C, ∂C/∂θ)`` with ``C`` the batch mean of the root: forward then backward."""
        loss = self.forward(inputs, params)
        return float(loss.mean()), self.backward()

    def values_of(self, nodes: Sequence[Value]) -> np.ndarray:
        """:meth:`value_of` for several nodes at once: an array (batch, len(nodes))."""
        found = [self._where.get(id(v)) for v in nodes]
        where = [w for w in found if w is not None]
        n_in = len(self.inputs)
        if (not self._ready or len(where) < len(found)
                or not all(vy and s >= n_in for vy, s in where)):
            return np.column_stack([self.value_of(v) for v in nodes])
        self._complete_root()
        rows = _index([s for _, s in where])  # usually a run of rows: a slice, no gather
        return self._V[rows].T.copy()

    def _locate_nonfinite(self, failed: _Instr) -> FloatingPointError:
        """The error for an instruction that overflowed: which op, which example."""
        V, U = self._V, self._U
        with np.errstate(all="ignore"), suppress(FloatingPointError):
            failed.forward(V, U)  # again, letting the infs and NaNs through to find them
        block = (V if failed.out_varying else U)[failed.out]
        bad = ~np.isfinite(block)
        if bad.any():
            node, example = (int(i) for i in np.argwhere(bad)[0])
            where = f"example {example}" if failed.out_varying else "the parameters"
            return FloatingPointError(
                f"Tape.forward: op '{failed.op}' gave a non-finite value for {where} "
                f"(node {node} of a group of {failed.size}); the eager engine would raise here")
        return FloatingPointError(
            f"Tape.forward: op '{failed.op}' overflowed or was undefined in a group of "
            f"{failed.size} nodes; the eager engine would raise here")


def _seed(scale: Any, what: str) -> float:
    """``scale`` as backward's seed: a finite, non-zero float."""
    if scale.__class__ is float and scale - scale == 0.0 and scale != 0.0:  # the usual case
        return scale
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating)):
        raise TypeError(f"{what}: scale must be a real number, got {type(scale).__name__}")
    s = float(scale)
    if not math.isfinite(s) or s == 0.0:
        raise ValueError(f"{what}: scale must be finite and non-zero, got {scale!r}")
    return s


def _all_finite(a: np.ndarray) -> bool:
    """Is every entry of ``a`` finite?  For the replay, under ``_raising()``.

    One summation when they are: an inf or a NaN makes the sum inf or NaN, so a finite sum
    proves it; a sum that overflows (huge finite entries) raises and is settled entry by entry.
    """
    try:
        if math.isfinite(np.add.reduce(a, axis=None)):
            return True
    except FloatingPointError:
        pass
    return bool(np.isfinite(a).all())


def _column(n: int, k: int) -> np.ndarray:
    """A zeroed (n, 1) float array whose data starts at 1,088·k bytes past a 4 KiB boundary.

    A step reads θ and ∂C/∂θ and writes the new θ in one numpy call.  Large arrays start
    at the same offset within a page when the allocator maps each on its own, and then the
    CPU mistakes the loads of one for the stores of another (4K aliasing): θ + Δθ over
    24,000 parameters took 13 µs instead of 6 on the development machine.
    """
    buf = np.zeros(n + 512)
    start = ((1088 * k - buf.ctypes.data) % 4096) // buf.itemsize
    return buf[start : start + n].reshape(n, 1)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The ``(start, stop)`` of each run of True in a boolean vector."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def _first_nonfinite(a: np.ndarray) -> int | None:
    """The flat index of the first inf or NaN in ``a``, or None (one fast pass when clean)."""
    finite = np.isfinite(a)
    if finite.all():
        return None
    return int(np.flatnonzero(~finite.ravel())[0])


def _check_finite_array(what: str, a: np.ndarray, axes: tuple[str, ...]) -> None:
    k = _first_nonfinite(a)
    if k is not None:
        at = ", ".join(f"{name} {int(i)}" for name, i in zip(axes, np.unravel_index(k, a.shape)))
        raise ValueError(f"{what} must be finite, got {a.flat[k]!r} at {at}")


def compile(  # noqa: A001
    root: Value, inputs: Sequence[Value], params: Sequence[Value], keep: Sequence[Value] = ()
) -> Tape:
    """Compile the graph under ``root`` (built for one example) into a batched :class:`Tape`.

    Args:
        root: the scalar the tape computes, usually one example's loss Cₓ.
        inputs: leaves that change from example to example (features, targets).
        params: leaves that change from step to step (weights, biases).  Any other leaf is a
            constant, baked in with its current value.
        keep: further nodes to compute in :meth:`Tape.forward`, to read with
            :meth:`Tape.value_of` (e.g. the network's outputs when the loss is written
            without them); the gradient is still that of ``root`` alone.

    Raises:
        ValueError: an input or param is not a leaf of the graph, is declared twice, or an
            op has no tape rule.
        DataDependenceError: a leaf annotated as an input was not declared.

    >>> from micrograd_like import Value
    >>> x, w, b = Value(1.0), Value(0.5), Value(0.1)
    >>> tape = compile((w * x + b).tanh(), inputs=[x], params=[w, b])
    >>> tape
    Tape(3 op nodes in 3 instructions, 1 inputs, 2 params)
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile: root must be a Value, got {type(root).__name__}")
    inputs, params = list(inputs), list(params)
    keep = list(keep)
    for j, v in enumerate(keep):
        if not isinstance(v, Value):
            raise TypeError(f"compile: keep {j} must be a Value, got {type(v).__name__}")
    ir, root_node, node_of = _lower(root, inputs, params, keep)
    roots = [root_node, *(node_of[id(v)] for v in keep)]
    live = _live(ir, roots)
    if _fold_differences(ir, live, roots):
        live = _live(ir, roots)
    n_in, n_p = len(inputs), len(params)

    # Slots: V rows for inputs, then varying groups; U rows for params, constants, then
    # invariant groups.  A group's outputs are contiguous, in topological (neuron) order.
    slot = [-1] * len(ir.kind)
    for i in range(n_in):
        slot[i] = i
    u_values: list[float] = [p.data for p in params]
    for i in range(n_p):
        slot[n_in + i] = i
    for i, k in enumerate(ir.kind):
        if live[i] and k == "const":
            slot[i] = len(u_values)
            u_values.append(ir.extra[i])
    groups: dict[tuple, list[int]] = {}
    for i, k in enumerate(ir.kind):
        if not live[i] or k in ("input", "param", "const"):
            continue
        args = ir.args[i]
        key: tuple[Any, ...]
        if k == "dot":
            n, has_bias = ir.extra[i]
            key = (ir.level[i], k, tuple(args[n : 2 * n]), has_bias)
        elif k == "sum":
            key = (ir.level[i], k, ir.varying[i])
        elif k in ("sumsq", "sqdist"):
            key = (ir.level[i], k, i)  # one instruction per node
        else:
            key = (ir.level[i], k, ir.extra[i], tuple(ir.varying[a] for a in args))
        groups.setdefault(key, []).append(i)

    wants = [False] * len(ir.kind)  # does a parameter reach this node? (else no adjoint)
    for i, k in enumerate(ir.kind):
        wants[i] = k == "param" or any(wants[a] for a in ir.args[i])
    n_v, n_u = n_in, len(u_values)
    placed = []
    for key in sorted(groups, key=lambda k: k[0]):
        nodes = groups[key]
        vy = ir.varying[nodes[0]]
        start = n_v if vy else n_u
        for j, i in enumerate(nodes):
            slot[i] = start + j
        placed.append((key, nodes, vy, slice(start, start + len(nodes))))
        if vy:
            n_v += len(nodes)
        else:
            n_u += len(nodes)
    uses = _uses(ir, live)
    uses[root_node] += 1  # backward's seed ∂C/∂C: no instruction may write over it
    U, U_spare, DU = (_column(n_u, k) for k in range(3))
    U[: len(u_values), 0] = u_values
    U_spare[:] = U  # the second parameter buffer (Tape.step_params): the same constants
    instructions: list[_Instr] = []
    batch = _Batch()
    in_v: set[int] = set()
    for key, nodes, vy, out in placed:
        kind = key[1]
        if kind == "dot":
            ins = _make_dot(nodes, ir, out, slot, wants, (U, U_spare), DU, uses, batch, n_in)
        elif kind == "sumsq":
            ins = _make_sumsq(nodes[0], ir, out, slot, wants, uses, batch, n_in,
                              differences=False)
        elif kind == "sqdist":
            ins = _make_sumsq(nodes[0], ir, out, slot, wants, uses, batch, n_in,
                              differences=True)
        elif kind == "sum":
            ins = _make_sum([ir.args[i] for i in nodes], out, vy, slot, ir.varying, wants)
        else:
            arity = len(ir.args[nodes[0]])
            arg_lists = [[ir.args[i][p] for i in nodes] for p in range(arity)]
            ins = _make_elementwise(kind, ir.extra[nodes[0]], arg_lists, out, vy, slot,
                                    ir.varying, wants, uses)
        ins.wanted = any(wants[i] for i in nodes)
        instructions.append(ins)
        for i in nodes:  # the inputs read through V, not from the batch's rows
            in_v.update(slot[a] for a in ir.args[i]
                        if ir.kind[a] == "input" and slot[a] not in ins.from_batch)

    n_nodes = sum(1 for i, k in enumerate(ir.kind)
                  if live[i] and k not in ("input", "param", "const"))
    where = {key: (ir.varying[i], slot[i]) for key, i in node_of.items() if slot[i] >= 0}
    # a training step needs only the root's batch mean: the last instruction may give it
    # without the per-example row when it computes the root alone and nothing reads it
    last = instructions[-1] if instructions else None
    mean_last = (last is not None and last.mean is not None and uses[root_node] == 1
                 and last.out == slice(slot[root_node], slot[root_node] + 1))
    return Tape(root, inputs, params, instructions, n_v, (U, U_spare), DU, slot[root_node],
                ir.varying[root_node], n_nodes, where, batch, sorted(in_v), mean_last)


# --------------------------------------------------------------------------------------
# One example's loss with its targets as input leaves (so the label is replayed, not baked)
# --------------------------------------------------------------------------------------
# The batch mean of each term is the matching batch loss: quadratic_term → 1/(2n) Σₓ ‖y − a‖²,
# hinge_term → 1/n Σₓ max(0, 1 − y·a), softmax_cross_entropy_term → −1/n Σₓ ln softmax_y(a),
# cross_entropy_term → −1/n Σₓ Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)].


def quadratic_term(outputs: Sequence[Value], targets: Sequence[Value]) -> Value:
    """Cₓ = ½ Σⱼ (yⱼ − aⱼ)² for one example; ∂Cₓ/∂aⱼ = aⱼ − yⱼ (BP1's ∇ₐC).

    >>> quadratic_term([Value(0.5)], [Value(1.0)]).data   # ½ (1 − 0.5)²
    0.125
    """
    diffs = [a - y for a, y in zip(outputs, targets, strict=True)]
    return engine.dot(diffs, diffs) * 0.5


def cross_entropy_term(outputs: Sequence[Value], targets: Sequence[Value]) -> Value:
    """Cₓ = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)] for one example, targets yⱼ in [0, 1].

    An output made by ``sigmoid`` from z is costed from z itself, as
    ``softplus(z) − y·z``: the same number (ln σ(z) = −softplus(−z), ln(1 − σ(z)) =
    −softplus(z)), but finite where σ(z) rounds to exactly 0 or 1, and its derivative is
    ∂Cₓ/∂z = σ(z) − y, the δᴸ = aᴸ − y of Nielsen's chapter 3.  Any other output is costed
    from a by the formula (and must lie in (0, 1)).

    >>> z = Value(0.0)
    >>> round(cross_entropy_term([z.sigmoid()], [Value(1.0)]).data, 6)   # −ln ½
    0.693147
    """
    terms = []
    for a, y in zip(outputs, targets, strict=True):
        if a.op == "sigmoid":
            z = a.parents[0]
            terms.append(z.softplus() - y * z)
        else:
            terms.append(-(y * a.log() + (1.0 - y) * (1.0 - a).log()))
    return engine.sum(terms)


def hinge_term(output: Value, label: Value) -> Value:
    """Cₓ = max(0, 1 − y·a) for one example with label y = ±1 (micrograd's demo loss).

    >>> hinge_term(Value(0.25), Value(1.0)).data
    0.75
    """
    return (1.0 - label * output).relu()


def softmax_cross_entropy_term(logits: Sequence[Value], onehot: Sequence[Value]) -> Value:
    """Cₓ = ln Σₖ eᵃᵏ − Σₖ yₖ aₖ for one example, y the one-hot label.

    The log-sum-exp is shifted by the mean m = (1/K) Σₖ aₖ, a node of the graph rather than
    a constant, so its structure does not depend on the data: ln Σₖ eᵃᵏ = m + ln Σₖ e^(aₖ − m)
    for any m, and with m the mean the largest term is ≥ 1 (no log 0) and overflow needs a
    logit spread over 709.  ∂Cₓ/∂aₖ = softmaxₖ(a) − yₖ.

    >>> C = softmax_cross_entropy_term([Value(0.0), Value(0.0)], [Value(0.0), Value(1.0)])
    >>> round(C.data, 6)                                   # ln 2
    0.693147
    """
    logits = list(logits)
    m = engine.sum(logits) * (1.0 / len(logits))
    lse = m + engine.sum([(a - m).exp() for a in logits]).log()
    return lse - engine.dot(list(onehot), logits)


# --------------------------------------------------------------------------------------
# Tracing a build function, with the data-dependence checks
# --------------------------------------------------------------------------------------


@contextmanager
def _refuse_comparisons() -> Iterator[None]:
    def hook(op: str, a, b) -> None:
        raise DataDependenceError(
            f"Value comparison {a!r} {op} {b!r} while tracing: a branch on a Value's data "
            f"fixes the graph's structure for this example only; use an element-wise op "
            f"(relu, abs) instead, or build the graph eagerly")

    previous = getattr(engine, "_comparison_hook", None)
    engine._comparison_hook = hook
    try:
        yield
    finally:
        engine._comparison_hook = previous


def _signature(root: Value, inputs: list[Value], params: list[Value]) -> list[tuple]:
    """The graph's structure and constants, as a list comparable between two builds."""
    order = _ordered_nodes(root)
    pos = {id(v): i for i, v in enumerate(order)}
    inp = {id(v): k for k, v in enumerate(inputs)}
    par = {id(v): k for k, v in enumerate(params)}
    sig: list[tuple[Any, ...]] = []
    for v in order:
        if not v.is_leaf:
            sig.append((v.op, tuple(pos[id(p)] for p in v.parents)))
        elif id(v) in inp:
            sig.append(("input", inp[id(v)]))
        elif id(v) in par:
            sig.append(("param", par[id(v)]))
        else:
            sig.append(("leaf", v.data))
    return sig


def trace(
    build: Callable[[list[Value]], Value],
    examples,
    params: Sequence[Value],
    check: bool = True,
) -> Tape:
    """Build the graph with ``build(inputs)`` on ``examples[0]`` and compile it.

    ``build`` receives a list of fresh input leaves (annotated with kind "input") and returns the
    root; parameters are the Values it closes over.  While it runs, any comparison between
    Values raises :class:`DataDependenceError`.  With ``check``, the graph is built again on
    every further row of ``examples`` and must have the same ops, the same wiring and the
    same constants; a difference (a branch on ``.data``, a constant computed from an input)
    raises :class:`DataDependenceError` naming the first differing node.

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
    built = []
    first_sig: list[tuple] = []
    for r, row in enumerate(rows if check else rows[:1]):
        xs = [Value(float(v)) for v in row]
        for k, x in enumerate(xs):
            annotate(x, kind="input", name=f"x[{k}]")
        with _refuse_comparisons():
            root = build(xs)
        if not isinstance(root, Value):
            raise TypeError(f"trace: build must return a Value, got {type(root).__name__}")
        built.append((root, xs))
        if r:
            _compare(first_sig, _signature(root, xs, params), r)
        else:
            first_sig = _signature(root, xs, params)
    root, xs = built[0]
    return compile(root, xs, params)


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
