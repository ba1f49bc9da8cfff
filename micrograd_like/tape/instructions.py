"""Instructions: one group of same-op nodes as a few numpy calls, forward and backward.

Each instruction reads and writes rows of the slot spaces (see :mod:`.lower`): V
``(n_v, batch)`` for what varies from example to example, U ``(n_u, 1)`` for what does not,
and their adjoints DV, DU (``∂C/∂slot``).  Backward is the chain rule on whole rows:
``D[operand] += D[out] · local``, the local partial from the op's rule in
:data:`micrograd_like.ops.RULES`, evaluated on arrays.

An instruction is bound to the buffers once (:meth:`Instruction.bind`, again only when the
batch size changes): the views of its rows are made then, so a replay step is numpy calls
on ready arrays.  Binding runs in backward order, and :class:`Adjoints` lets the first
contribution to an adjoint row write it outright (``=``, straight into the row with
``out=``); only rows that are added to first are zeroed before each backward pass.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from micrograd_like import namespaces, ops

Step = Callable[[], None]
Bind = Callable[["Buffers", "Adjoints"], tuple[Step, Step]]


class Buffers:
    """The slot spaces of one batch size, V ``(n_v, batch)`` and U ``(n_u, 1)``, and
    their adjoints DV and DU."""

    __slots__ = ("V", "U", "DV", "DU")

    def __init__(self, V: np.ndarray, U: np.ndarray, DV: np.ndarray, DU: np.ndarray) -> None:
        self.V, self.U, self.DV, self.DU = V, U, DV, DU

    def space(self, varying: bool) -> np.ndarray:
        return self.V if varying else self.U

    def adjoint(self, varying: bool) -> np.ndarray:
        return self.DV if varying else self.DU


class Instruction:
    """``size`` nodes of op ``op``, their values in rows ``out`` of V (``varying``) or U.

    ``bind(buffers, adjoints)`` returns the two steps of one replay: ``forward()`` computes
    the nodes, ``backward()`` puts their contribution into the adjoints of their operands.
    ``wanted`` is False when no parameter reaches the group (then backward is skipped).
    """

    __slots__ = ("op", "size", "varying", "out", "bind", "wanted")

    def __init__(self, op: str, size: int, varying: bool, out: slice, bind: Bind) -> None:
        self.op, self.size, self.varying, self.out, self.bind = op, size, varying, out, bind
        self.wanted = True


def index(slots: Sequence[int]) -> slice | np.ndarray:
    """A slice when ``slots`` is an ascending arithmetic run (a view, no copy), else an array.

    >>> index([3, 4, 5]), index([2, 0])
    (slice(3, 6, 1), array([2, 0]))
    """
    s = slots[0]
    step = slots[1] - s if len(slots) > 1 else 1
    if step > 0 and list(slots) == list(range(s, s + step * len(slots), step)):
        return slice(s, s + step * (len(slots) - 1) + 1, step)
    return np.asarray(slots, dtype=np.intp)


def all_finite(a: np.ndarray) -> bool:
    """Whether every entry of ``a`` is finite: one reduction (a sum is finite when every
    entry is), and entry by entry only when the sum is not (huge entries may overflow it)."""
    try:
        if math.isfinite(np.add.reduce(a, axis=None)):
            return True
    except FloatingPointError:  # the sum overflowed, with numpy's flags raising
        pass
    return bool(np.isfinite(a).all())


class Rows:
    """Where backward puts the contributions to ``∂C/∂slots`` of one operand: ``put(c)``
    writes ``c`` into ``D[slots]`` if this is the first contribution to those rows in a
    backward pass, else adds it.  ``into`` is the rows' view when a contribution can be
    written straight into it (``out=into``), else None.

    ``reduce_batch``: ``c`` has a batch axis but the rows are batch-invariant, so the
    examples' contributions are summed (∂C/∂θ = Σₓ ∂C/∂θ through example x).
    """

    __slots__ = ("put", "into")

    def __init__(self, D: np.ndarray, slots: Sequence[int], reduce_batch: bool,
                 first: bool) -> None:
        idx = index(slots)
        self.into: np.ndarray | None = None
        self.put: Callable[[np.ndarray], None]
        if not isinstance(idx, slice):
            def put(c: np.ndarray) -> None:
                if reduce_batch:
                    c = c.sum(axis=1, keepdims=True)
                if first:
                    D[idx] = c
                else:
                    np.add.at(D, idx, c)  # right when idx repeats (a node read twice)
            self.put = put
            return
        view = D[idx]
        if reduce_batch:
            def put_sum(c: np.ndarray) -> None:
                if first:
                    np.add.reduce(c, axis=1, keepdims=True, out=view)
                else:
                    np.add(view, c.sum(axis=1, keepdims=True), out=view)
            self.put = put_sum
        elif first:
            self.into = view
            self.put = functools.partial(np.copyto, view)
        else:
            self.put = functools.partial(np.add, view, out=view)


def put_product(rows: Rows, g: np.ndarray, local: Any) -> None:
    """``rows.put(g · local)``, the product written straight into the rows when it can be."""
    if rows.into is not None:
        np.multiply(g, local, out=rows.into)
    else:
        rows.put(g * local)


class Adjoints:
    """Hands out each operand's :class:`Rows`, instruction by instruction in backward order
    (and within an instruction, in the order its backward puts them): the first contribution
    to a row writes it, so adjoints are neither zeroed nor added to where one writer would do.

    ``zeroed()`` lists the row blocks that are added to first: the tape zeroes them before
    each backward pass.  Rows no one writes stay as the tape allocated them, zero.
    """

    def __init__(self, buffers: Buffers) -> None:
        self._buffers = buffers
        self._written = {vy: np.zeros(len(buffers.adjoint(vy)), bool) for vy in (True, False)}
        self._added = {vy: np.zeros(len(buffers.adjoint(vy)), bool) for vy in (True, False)}

    def claim(self, varying: bool, slots: Sequence[int]) -> bool:
        """Mark ``slots`` as written; True if no earlier contribution wrote any of them
        (and they are distinct), so this one may write them outright."""
        at = np.asarray(slots, dtype=np.intp)
        written = self._written[varying]
        before = written[at]
        first = len(set(slots)) == len(slots) and not before.any()
        if not first:  # rows this one adds to before any contribution wrote them
            self._added[varying][at[~before]] = True
        written[at] = True
        return first

    def rows(self, varying: bool, slots: Sequence[int], reduce_batch: bool = False) -> Rows:
        """The :class:`Rows` of ``slots`` in DV (``varying``) or DU."""
        first = self.claim(varying, slots)
        return Rows(self._buffers.adjoint(varying), slots, reduce_batch, first)

    def zeroed(self) -> list[np.ndarray]:
        """Views of the runs of adjoint rows that some contribution adds to first."""
        blocks = []
        for vy, added in self._added.items():
            edges = np.flatnonzero(np.diff(np.concatenate(([0], added.astype(np.int8), [0]))))
            blocks += [self._buffers.adjoint(vy)[a:b] for a, b in zip(edges[::2], edges[1::2])]
        return blocks


def _operands(buffers: Buffers, spaces: list[bool], rows: list[slice | np.ndarray]
              ) -> Callable[[], list[np.ndarray]]:
    """The operands' rows: views made once when every operand is a slice, else gathered
    on each call."""
    if all(isinstance(r, slice) for r in rows):
        views = [buffers.space(vy)[r] for vy, r in zip(spaces, rows)]
        return lambda: views
    return lambda: [buffers.space(vy)[r] for vy, r in zip(spaces, rows)]


def elementwise(op: str, arg_lists: list[list[int]], out: slice, varying: bool,
                slot: list[int], is_varying: list[bool], wants: list[bool]) -> Instruction:
    """Same-op nodes, element-wise over the batch: value and partials from ``ops.RULES``.

    ``arg_lists[k]`` holds the k-th operand of every node of the group (an n-ary op such
    as ``logsumexp`` has one list per operand, like any other).
    """
    rule, m = ops.rule(op), namespaces.arrays()
    spaces = [is_varying[args[0]] for args in arg_lists]
    rows = [index([slot[a] for a in args]) for args in arg_lists]
    wanted = [any(wants[a] for a in args) for args in arg_lists]
    kernel = namespaces.array_kernel(rule)  # σ, exp, tanh…: written straight into the out rows

    def bind(b: Buffers, adjoints: Adjoints) -> tuple[Step, Step]:
        operands = _operands(b, spaces, rows)
        o, g = b.space(varying)[out], b.adjoint(varying)[out]
        puts = [adjoints.rows(vy, [slot[a] for a in args], reduce_batch=varying and not vy)
                if w else None for args, vy, w in zip(arg_lists, spaces, wanted)]

        def forward() -> None:
            if kernel is not None:
                kernel(*operands(), out=o)
            else:
                o[...] = rule.forward(m, *operands())

        chain = [(k, put) for k, put in enumerate(puts) if put is not None]

        def backward() -> None:
            xs = operands()
            if rule.arity == ops.NARY:  # one formula gives every operand's partial
                partials = rule.partials[0](m, xs, o)
                for k, put in chain:
                    put_product(put, g, partials[k])
            else:
                for k, put in chain:
                    put_product(put, g, rule.partials[k](m, *xs, o))
        return forward, backward

    return Instruction(op, len(arg_lists[0]), varying, out, bind)


def sums(arg_lists: list[list[int]], out: slice, varying: bool, slot: list[int],
         is_varying: list[bool], wants: list[bool]) -> Instruction:
    """Node j is Σ of its terms ``arg_lists[j]`` (any number, from V, U or both); ∂/∂term = 1.

    The terms in each space are gathered into one flat row block and added up per node
    with ``np.add.reduceat``; backward repeats each node's adjoint once per term.
    """
    parts = []  # per space: (is V, out rows with terms there or None for all, flat rows,
    #               segment starts, terms per node, flat slots, wanted)
    for space in (True, False):
        nodes, flat, counts = [], [], []
        wanted = False
        for j, args in enumerate(arg_lists):
            mine = [a for a in args if is_varying[a] == space]
            if mine:
                nodes.append(j)
                flat += [slot[a] for a in mine]
                counts.append(len(mine))
                wanted = wanted or any(wants[a] for a in mine)
        if nodes:
            at = None if len(nodes) == len(arg_lists) else np.asarray(nodes)
            parts.append((space, at, index(flat), np.cumsum([0, *counts[:-1]]),
                          np.asarray(counts), flat, wanted))

    def bind(b: Buffers, adjoints: Adjoints) -> tuple[Step, Step]:
        o, g = b.space(varying)[out], b.adjoint(varying)[out]
        puts = [adjoints.rows(space, flat, reduce_batch=varying and not space)
                if wanted else None for space, _, _, _, _, flat, wanted in parts]

        def forward() -> None:
            o[...] = 0.0
            for space, at, flat, starts, _, _, _ in parts:
                total = np.add.reduceat(b.space(space)[flat], starts, axis=0)
                if at is None:
                    np.add(o, total, out=o)
                else:
                    o[at] += total

        def backward() -> None:
            for (_, at, _, _, counts, _, _), put in zip(parts, puts):
                if put is not None:
                    put.put(np.repeat(g if at is None else g[at], counts, axis=0))
        return forward, backward

    return Instruction("sum", len(arg_lists), varying, out, bind)


def rowdot(args: list[int], shape: tuple[int, bool], out: slice, slot: list[int],
           wants: list[bool]) -> Instruction:
    """One dot node ``Σₖ wₖ xₖ + c`` whose w's and x's both vary (in V) and c does not: per
    example, one product and one reduction over k; backward ``∂/∂wₖ = xₖ``, ``∂/∂xₖ = wₖ``,
    ``∂/∂c = 1`` (summed over the examples).  A dot of a vector with itself (Σₖ xₖ²) lists
    each xₖ on both sides, and both contributions reach it: 2xₖ."""
    n, has_offset = shape
    w_slots, x_slots = [slot[a] for a in args[:n]], [slot[a] for a in args[n:2 * n]]
    w_rows, x_rows = index(w_slots), index(x_slots)
    want_w, want_x = (any(wants[a] for a in side) for side in (args[:n], args[n:2 * n]))
    c = slot[args[2 * n]] if has_offset else None
    want_c = c is not None and wants[args[2 * n]]

    def bind(b: Buffers, adjoints: Adjoints) -> tuple[Step, Step]:
        put_w = adjoints.rows(True, w_slots) if want_w else None
        put_x = adjoints.rows(True, x_slots) if want_x else None
        put_c = adjoints.rows(False, [c], reduce_batch=True) if want_c and c is not None else None
        operands = _operands(b, [True, True], [w_rows, x_rows])
        o, g = b.V[out.start], b.DV[out]
        offset = b.U[c] if c is not None else None

        def forward() -> None:
            w, x = operands()
            np.add.reduce(w * x, axis=0, out=o)
            if offset is not None:
                np.add(o, offset, out=o)

        def backward() -> None:
            w, x = operands()
            if put_w is not None:
                put_product(put_w, g, x)
            if put_x is not None:
                put_product(put_x, g, w)
            if put_c is not None:
                put_c.put(g)
        return forward, backward

    return Instruction("dot", 1, True, out, bind)


def _grid(flat: np.ndarray, idx: np.ndarray) -> np.ndarray | None:
    """A strided view of ``flat`` equal to ``flat[idx]`` when idx[j, k] = s + j·r + k (the
    rows of a matrix laid out one after the other, r ≥ the row length), else None."""
    rows, cols = idx.shape
    s = int(idx[0, 0])
    r = int(idx[1, 0]) - s if rows > 1 else cols
    if r < cols or not np.array_equal(idx, s + r * np.arange(rows)[:, None] + np.arange(cols)):
        return None
    item = flat.itemsize
    return np.lib.stride_tricks.as_strided(flat[s:], shape=(rows, cols), strides=(r * item, item))


def matmul(arg_lists: list[list[int]], shape: tuple[int, bool], out: slice, slot: list[int],
           wants: list[bool]) -> Instruction:
    """Dot nodes ``zⱼ = Σₖ Wⱼₖ aₖ + cⱼ`` sharing the vector a: ``Z = W A + c``, one matrix
    product over the batch.  Backward, with G = ∂C/∂Z: ``∂C/∂A = Wᵀ G``, ``∂C/∂W = G Aᵀ``
    (summed over the examples by the product itself), ``∂C/∂c = Σₓ G``.

    W is read, and its gradient written, through a strided view of U and DU when its slots
    lie on a grid (a parameter vector listing each row's entries together); else gathered.
    When this group is the first to write ∂C/∂W (the only reader of W, say), the product
    G Aᵀ is written straight into DU.  (The measured worth of each: bench/README.md.)
    """
    n, has_offset = shape
    x_slots = [slot[a] for a in arg_lists[0][n:2 * n]]
    x_rows = index(x_slots)
    want_x = any(wants[a] for a in arg_lists[0][n:2 * n])
    W_idx = np.asarray([[slot[a] for a in args[:n]] for args in arg_lists], dtype=np.intp)
    want_w = any(wants[a] for args in arg_lists for a in args[:n])
    c_slots = [slot[args[2 * n]] for args in arg_lists] if has_offset else []
    want_c = any(wants[args[2 * n]] for args in arg_lists) if has_offset else False

    def bind(b: Buffers, adjoints: Adjoints) -> tuple[Step, Step]:
        V, U = b.V, b.U
        W_view, dW_view = _grid(U[:, 0], W_idx), _grid(b.DU[:, 0], W_idx)
        first_w = adjoints.claim(False, W_idx.ravel().tolist()) if want_w else False
        put_w = None if dW_view is not None or not want_w else Rows(
            b.DU, W_idx.ravel().tolist(), False, first_w)
        put_c = adjoints.rows(False, c_slots, reduce_batch=True) if want_c else None
        put_x = adjoints.rows(True, x_slots) if want_x else None
        inputs = _operands(b, [True], [x_rows])
        Z, G = V[out], b.DV[out]
        c = U[index(c_slots)] if has_offset else None

        def matrix() -> np.ndarray:
            return U[:, 0][W_idx] if W_view is None else W_view

        def forward() -> None:
            np.matmul(matrix(), inputs()[0], out=Z)
            if c is not None:
                np.add(Z, c, out=Z)
            # a product run by BLAS sets no numpy flag: an overflow is looked for here
            if not all_finite(Z):
                raise FloatingPointError("dot overflowed")

        def backward() -> None:
            A = inputs()[0]
            if dW_view is not None and first_w:  # ∂C/∂W = G Aᵀ, written in place
                np.matmul(G, A.T, out=dW_view)
            elif dW_view is not None:
                np.add(dW_view, G @ A.T, out=dW_view)
            elif put_w is not None:
                put_w.put((G @ A.T).reshape(-1, 1))
            if put_c is not None:
                put_c.put(G)
            if put_x is not None:
                if put_x.into is not None:
                    np.matmul(matrix().T, G, out=put_x.into)
                else:
                    put_x.put(matrix().T @ G)
        return forward, backward

    return Instruction("dot", len(arg_lists), True, out, bind)
