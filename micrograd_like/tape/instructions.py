"""Instructions: one group of same-op nodes as a few numpy calls, forward and backward.

Each instruction reads and writes rows of the slot spaces (see :mod:`.lower`): V
``(n_v, batch)`` for what varies from example to example, U ``(n_u, 1)`` for what does not,
and their adjoints DV, DU (``∂C/∂slot``, zeroed before each backward pass).  Backward is
the chain rule on whole rows: ``D[operand] += D[out] · local``, the local partial from
the op's rule in :data:`micrograd_like.ops.RULES`, evaluated on arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from micrograd_like import namespaces, ops

Forward = Callable[[np.ndarray, np.ndarray], None]
Backward = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
Add = Callable[[np.ndarray, np.ndarray], None]


class Instruction:
    """``size`` nodes of op ``op``, their values in rows ``out`` of V (``varying``) or U.

    ``forward(V, U)`` computes them; ``backward(V, U, DV, DU)`` adds their contribution to
    the adjoints of their operands.  ``wanted`` is False when no parameter reaches the group
    (then backward is skipped).  ``assigns``: rows of DU that backward writes outright
    (no other instruction touches them), which the tape then need not zero.
    """

    __slots__ = ("op", "size", "varying", "out", "forward", "backward", "wanted", "assigns")

    def __init__(self, op: str, size: int, varying: bool, out: slice, forward: Forward,
                 backward: Backward) -> None:
        self.op, self.size, self.varying, self.out = op, size, varying, out
        self.forward, self.backward = forward, backward
        self.wanted = True
        self.assigns: slice | None = None


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


def _skip(D: np.ndarray, c: np.ndarray) -> None:
    """The adder of an operand no parameter reaches: its adjoint is never read."""


def adder(slots: Sequence[int], reduce_batch: bool) -> Add:
    """``D[slots] += c``, right when ``slots`` repeats (a node read twice by one group).

    ``reduce_batch``: ``c`` has a batch axis but the rows are batch-invariant, so the
    examples' contributions are summed first (∂C/∂θ = Σₓ ∂C/∂θ through example x).
    """
    idx = index(slots)
    if isinstance(idx, slice) or len(set(slots)) == len(slots):
        def add(D: np.ndarray, c: np.ndarray) -> None:
            D[idx] += c.sum(axis=1, keepdims=True) if reduce_batch else c
        return add
    # repeated slots: D[idx] += c would keep only the last; add their rows up first
    order = np.argsort(idx, kind="stable")
    ordered = idx[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    targets = ordered[starts]

    def add_repeated(D: np.ndarray, c: np.ndarray) -> None:
        if reduce_batch:
            c = c.sum(axis=1, keepdims=True)
        D[targets] += np.add.reduceat(c[order], starts, axis=0)
    return add_repeated


def elementwise(op: str, arg_lists: list[list[int]], out: slice, varying: bool,
                slot: list[int], is_varying: list[bool], wants: list[bool]) -> Instruction:
    """Same-op nodes, element-wise over the batch: value and partials from ``ops.RULES``.

    ``arg_lists[k]`` holds the k-th operand of every node of the group (an n-ary op such
    as ``logsumexp`` has one list per operand, like any other).
    """
    rule, m = ops.rule(op), namespaces.arrays()
    spaces = [is_varying[args[0]] for args in arg_lists]
    rows = [index([slot[a] for a in args]) for args in arg_lists]
    adds = [adder([slot[a] for a in args], reduce_batch=varying and not vy)
            if any(wants[a] for a in args) else _skip
            for args, vy in zip(arg_lists, spaces)]
    kernel = namespaces.array_kernel(rule)  # σ, exp, tanh…: written straight into the out rows

    def operands(V: np.ndarray, U: np.ndarray) -> list[np.ndarray]:
        return [(V if vy else U)[r] for vy, r in zip(spaces, rows)]

    def forward(V: np.ndarray, U: np.ndarray) -> None:
        rows_of = V if varying else U
        if kernel is not None:
            kernel(*operands(V, U), out=rows_of[out])
        else:
            rows_of[out] = rule.forward(m, *operands(V, U))

    def backward(V: np.ndarray, U: np.ndarray, DV: np.ndarray, DU: np.ndarray) -> None:
        xs = operands(V, U)
        o = (V if varying else U)[out]
        g = (DV if varying else DU)[out]
        if rule.arity == ops.NARY:
            locals_ = rule.partials[0](m, xs, o)
        else:
            locals_ = [p(m, *xs, o) for p in rule.partials]
        for vy, add, local in zip(spaces, adds, locals_):
            if add is not _skip:
                add(DV if vy else DU, g * local)

    return Instruction(op, len(arg_lists[0]), varying, out, forward, backward)


def sums(arg_lists: list[list[int]], out: slice, varying: bool, slot: list[int],
         is_varying: list[bool], wants: list[bool]) -> Instruction:
    """Node j is Σ of its terms ``arg_lists[j]`` (any number, from V, U or both); ∂/∂term = 1.

    The terms in each space are gathered into one flat row block and added up per node
    with ``np.add.reduceat``; backward repeats each node's adjoint once per term.
    """
    parts = []  # per space: (is V, out rows with terms there or None for all, flat rows,
    #               segment starts, terms per node, adder of the flat rows)
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
            at = None if len(nodes) == len(arg_lists) else out.start + np.asarray(nodes)
            parts.append((space, at, index(flat), np.cumsum([0, *counts[:-1]]),
                          np.asarray(counts), adder(flat, varying and not space)
                          if wanted else _skip))

    def forward(V: np.ndarray, U: np.ndarray) -> None:
        rows_of = V if varying else U
        rows_of[out] = 0.0
        for space, at, flat, starts, _, _ in parts:
            total = np.add.reduceat((V if space else U)[flat], starts, axis=0)
            if at is None:
                rows_of[out] += total
            else:
                rows_of[at] += total

    def backward(V: np.ndarray, U: np.ndarray, DV: np.ndarray, DU: np.ndarray) -> None:
        g = (DV if varying else DU)[out]
        for space, at, _, _, counts, add in parts:
            if add is not _skip:
                mine = g if at is None else g[at - out.start]
                add(DV if space else DU, np.repeat(mine, counts, axis=0))

    return Instruction("sum", len(arg_lists), varying, out, forward, backward)


def rowdot(args: list[int], shape: tuple[int, bool], out: slice, slot: list[int],
           wants: list[bool]) -> Instruction:
    """One dot node ``Σₖ wₖ xₖ + c`` whose w's and x's both vary (in V) and c does not: per
    example, one product and one reduction over k; backward ``∂/∂wₖ = xₖ``, ``∂/∂xₖ = wₖ``,
    ``∂/∂c = 1`` (summed over the examples).  A dot of a vector with itself (Σₖ xₖ²) lists
    each xₖ on both sides, and both adds reach it: 2xₖ."""
    n, has_offset = shape
    w_rows, x_rows = index([slot[a] for a in args[:n]]), index([slot[a] for a in args[n:2 * n]])
    add_w, add_x = ((adder([slot[a] for a in side], False) if any(wants[a] for a in side)
                     else _skip) for side in (args[:n], args[n:2 * n]))
    c = slot[args[2 * n]] if has_offset else None
    add_c = _skip if c is None or not wants[args[2 * n]] else adder([c], reduce_batch=True)

    def forward(V: np.ndarray, U: np.ndarray) -> None:
        np.add.reduce(V[w_rows] * V[x_rows], axis=0, out=V[out.start])
        if c is not None:
            V[out] += U[c]

    def backward(V: np.ndarray, U: np.ndarray, DV: np.ndarray, DU: np.ndarray) -> None:
        g = DV[out]
        if add_w is not _skip:
            add_w(DV, g * V[x_rows])
        if add_x is not _skip:
            add_x(DV, g * V[w_rows])
        add_c(DU, g)

    return Instruction("dot", 1, True, out, forward, backward)


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
           wants: list[bool], reads: list[int], U: np.ndarray, DU: np.ndarray) -> Instruction:
    """Dot nodes ``zⱼ = Σₖ Wⱼₖ aₖ + cⱼ`` sharing the vector a: ``Z = W A + c``, one matrix
    product over the batch.  Backward, with G = ∂C/∂Z: ``∂C/∂A = Wᵀ G``, ``∂C/∂W = G Aᵀ``
    (summed over the examples by the product itself), ``∂C/∂c = Σₓ G``.

    W is read, and its gradient added, through a strided view of U and DU when its slots lie
    on a grid (a parameter vector listing each row's entries together); else gathered.  When
    this group is the only reader of its W and c (``reads``: readers per entry), nothing
    else adds to their adjoints, so the products are written straight into DU: a temporary
    and an addition over all of W fewer.  (The measured worth of each: bench/README.md.)
    """
    n, has_offset = shape
    x_args = arg_lists[0][n:2 * n]
    x_rows = index([slot[a] for a in x_args])
    W_idx = np.asarray([[slot[a] for a in args[:n]] for args in arg_lists], dtype=np.intp)
    W_view, dW_view = _grid(U[:, 0], W_idx), _grid(DU[:, 0], W_idx)
    c_slots = [slot[args[2 * n]] for args in arg_lists] if has_offset else []
    c_rows = index(c_slots) if has_offset else None
    add_c = adder(c_slots, reduce_batch=True) if has_offset else _skip
    add_x = adder([slot[a] for a in x_args], reduce_batch=False) if any(
        wants[a] for a in x_args) else _skip
    want_w = any(wants[a] for args in arg_lists for a in args[:n])
    add_w = adder(W_idx.ravel().tolist(), reduce_batch=False)
    sole = (dW_view is not None and isinstance(c_rows, slice) and want_w
            and all(reads[a] == 1 for args in arg_lists for a in args[:n] + args[2 * n:]))
    db = DU[c_rows, 0] if sole else np.empty(0)

    def matrix(U: np.ndarray) -> np.ndarray:
        return U[:, 0][W_idx] if W_view is None else W_view

    def forward(V: np.ndarray, U: np.ndarray) -> None:
        Z = V[out]
        np.matmul(matrix(U), V[x_rows], out=Z)
        if has_offset:
            Z += U[c_rows]
        # a product run by BLAS sets no numpy flag: an overflow is looked for here
        if not np.isfinite(Z).all():
            raise FloatingPointError("dot overflowed")

    def backward(V: np.ndarray, U: np.ndarray, DV: np.ndarray, DU: np.ndarray) -> None:
        g = DV[out]
        if sole:  # ∂C/∂W = G Aᵀ and ∂C/∂c = Σₓ G, written in place
            np.matmul(g, V[x_rows].T, out=dW_view)
            np.add.reduce(g, axis=1, out=db)
        elif want_w:
            dW = g @ V[x_rows].T
            if dW_view is None:
                add_w(DU, dW.reshape(-1, 1))
            else:
                dW_view.__iadd__(dW)
        if not sole:
            add_c(DU, g)
        if add_x is not _skip:
            add_x(DV, matrix(U).T @ g)

    ins = Instruction("dot", len(arg_lists), True, out, forward, backward)
    if sole:
        written = sorted(W_idx.ravel().tolist() + c_slots)
        if written == list(range(written[0], written[-1] + 1)):
            ins.assigns = slice(written[0], written[-1] + 1)
    return ins
