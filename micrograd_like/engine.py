"""The scalar reverse-mode autodiff engine: :class:`Value`, its op rules, and ``backward``.

Every op below computes two things, side by side, and nothing else:

* its forward value ``out``, a float, and
* the local partial derivative ``∂out/∂p`` for each of its parents ``p``, as plain floats.

Both are stored on the new node.  No op touches ``.grad``: :meth:`Value.backward` is the one
place that applies the chain rule, ``p.grad += ∂out/∂p · out.grad``, visiting nodes in
reverse topological order.  Because a node stores numbers instead of a closure, the graph
holds no reference cycles, so it is freed by reference counting alone and never feeds
Python's cyclic garbage collector.

Numerical rules (the engine never returns a non-finite number):

* Inputs must be finite real numbers; ``bool`` is rejected (write ``float(flag)``).
* An op whose value is undefined (``log(0)``, ``x / 0``, ``sqrt(-1)``, ``0 ** -1``) raises
  :class:`ValueError` or :class:`ZeroDivisionError` naming the op and the operand.
* An op whose value or local derivative overflows a float (``exp(1000)``, ``1e200 * 1e200``)
  raises :class:`OverflowError` naming the op and the operand, in the forward pass, so the
  forward and backward passes never disagree about it.
* If the chain-rule products themselves overflow during ``backward`` (possible in very deep
  products), ``backward`` raises :class:`FloatingPointError` after the pass.
* Non-differentiable points take the conventional one-sided choice: ``relu'(0) = 0``,
  ``abs'(0) = 0``.  ``sqrt'(0)`` is infinite, so ``sqrt(0)`` raises.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from operator import add, mul
from typing import Any

__all__ = [
    "Value",
    "no_grad",
    "is_grad_enabled",
    "sum",
    "dot",
    "topological_order",
    "backward_steps",
]

Number = int | float
Operand = "Value | int | float"

_grad_enabled = True


# --------------------------------------------------------------------------------------
# Checking user numbers
# --------------------------------------------------------------------------------------


def _as_float(x: Any, what: str) -> float:
    """Return ``x`` as a finite float, or raise a TypeError/ValueError naming ``what``."""
    if type(x) is float:  # the common case, fast
        f = x
    elif isinstance(x, bool) or not isinstance(x, numbers.Real):
        kind = "bool" if isinstance(x, bool) else type(x).__name__
        hint = " (use float(flag) for 0.0/1.0)" if kind == "bool" else ""
        raise TypeError(f"{what} must be a real number, got {kind}: {x!r}{hint}")
    else:
        f = float(x)
    if f - f != 0.0:  # inf - inf and nan - nan are nan; a finite f gives 0.0
        raise ValueError(f"{what} must be finite, got {f!r}")
    return f


def _operand(x: Operand, op: str) -> Value:
    """Wrap a plain number as a constant leaf so it can take part in ``op``."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"unsupported operand for '{op}': a Value and {type(x).__name__} {x!r} "
            "(expected a Value or a real number)"
        )
    return Value(x)


def _overflow(op: str, *operands: float) -> OverflowError:
    """The forward-pass overflow error; an n-ary op names its first few operands only."""
    shown = ", ".join(repr(o) for o in operands[:4])
    if len(operands) > 4:
        shown += f", ... ({len(operands)} operands)"
    return OverflowError(f"{op} overflows a float at {shown}")


# --------------------------------------------------------------------------------------
# The node
# --------------------------------------------------------------------------------------


class Value:
    """A scalar node of a computation graph: a float ``data`` and its gradient ``grad``.

    A Value made by an op remembers the op (``op``, e.g. ``"*"``), its inputs (``parents``,
    an ordered tuple, so ``a * a`` lists ``a`` twice) and the local partial derivatives
    ``∂self/∂parent`` (``local_grads``, plain floats).  A Value made by you is a leaf:
    ``op == ""`` and no parents.

    After ``root.backward()``, ``v.grad`` holds ``∂root/∂v`` for every ``v`` in the graph.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x          # y = x² + 3x
    >>> y.backward()
    >>> y.data, x.grad             # dy/dx = 2x + 3
    (10.0, 7.0)

    Args:
        data: a finite real number (int, float, numpy scalar); ``bool`` is rejected.
        label: an optional name shown in drawings.
    """

    __slots__ = ("data", "grad", "_edges", "op", "label", "tag")

    data: float
    grad: float
    op: str
    label: str
    tag: Any  # free-form, for libraries on top (``nn`` marks z nodes); the engine ignores it

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = _as_float(data, "Value data")
        self.grad = 0.0
        self._edges: tuple = ()
        self.op = ""
        self.label = label
        self.tag = None

    # -- graph structure --------------------------------------------------------------
    # ``_edges`` interleaves each parent with the local derivative of this node with
    # respect to it: (p0, ∂self/∂p0, p1, ∂self/∂p1, ...).  One tuple instead of two keeps a
    # node under 200 bytes.

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in order (empty for a leaf)."""
        return self._edges[0::2]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """``∂self/∂p`` for each parent ``p``, in the order of :attr:`parents`."""
        return self._edges[1::2]

    @property
    def is_leaf(self) -> bool:
        """True for a Value made by the user (or under :func:`no_grad`), not by an op."""
        return not self._edges

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data!r}, grad={self.grad!r}{op})"

    # -- arithmetic ----------------------------------------------------------------------

    def __add__(self, other: Operand) -> Value:  # self + other
        o = other if isinstance(other, Value) else _operand(other, "+")
        r = self.data + o.data
        if r - r:
            raise _overflow("+", self.data, o.data)
        return _node(r, (self, 1.0, o, 1.0), "+")

    def __radd__(self, other: Operand) -> Value:  # other + self
        return _operand(other, "+") + self

    def __sub__(self, other: Operand) -> Value:  # self - other
        o = other if isinstance(other, Value) else _operand(other, "-")
        r = self.data - o.data
        if r - r:
            raise _overflow("-", self.data, o.data)
        return _node(r, (self, 1.0, o, -1.0), "-")

    def __rsub__(self, other: Operand) -> Value:  # other - self
        return _operand(other, "-") - self

    def __mul__(self, other: Operand) -> Value:  # self * other; ∂/∂self = other, ∂/∂other = self
        o = other if isinstance(other, Value) else _operand(other, "*")
        a = self.data
        b = o.data
        r = a * b
        if r - r:
            raise _overflow("*", a, b)
        return _node(r, (self, b, o, a), "*")

    def __rmul__(self, other: Operand) -> Value:  # other * self
        return _operand(other, "*") * self

    def __truediv__(self, other: Operand) -> Value:  # self / other; ∂ = (1/b, -a/b²)
        o = other if isinstance(other, Value) else _operand(other, "/")
        a = self.data
        b = o.data
        if b == 0.0:
            raise ZeroDivisionError(f"/: division by zero ({a!r} / 0.0)")
        r = a / b
        db = -r / b
        if r - r or db - db:
            raise _overflow("/", a, b)
        return _node(r, (self, 1.0 / b, o, db), "/")

    def __rtruediv__(self, other: Operand) -> Value:  # other / self
        return _operand(other, "/") / self

    def __neg__(self) -> Value:  # -self
        return _node(-self.data, (self, -1.0), "neg")

    def __pos__(self) -> Value:  # +self is self
        return self

    def __pow__(self, other: Operand) -> Value:  # self ** other
        if isinstance(other, Value):
            return _pow_values(self, other)
        n = _as_float(other, "** exponent")
        a = self.data
        try:
            r = math.pow(a, n)
            d = n * math.pow(a, n - 1.0) if n != 0.0 else 0.0  # d/da aⁿ = n·aⁿ⁻¹
        except ValueError:
            if a == 0.0:
                raise ZeroDivisionError(
                    f"**: 0.0 ** {n!r} is undefined (its value or derivative divides by zero)"
                ) from None
            raise ValueError(
                f"**: {a!r} ** {n!r} is not a real number (negative base, fractional exponent)"
            ) from None
        except OverflowError:
            raise _overflow("**", a, n) from None
        if r - r or d - d:
            raise _overflow("**", a, n)
        return _node(r, (self, d), f"**{_short(n)}")

    def __rpow__(self, other: Operand) -> Value:  # other ** self
        return _pow_values(_operand(other, "**"), self)

    # -- elementwise functions ---------------------------------------------------------

    def exp(self) -> Value:
        """eˣ; d/dx eˣ = eˣ.  Raises OverflowError for x > 709.78."""
        x = self.data
        try:
            r = math.exp(x)
        except OverflowError:
            raise _overflow("exp", x) from None
        return _node(r, (self, r), "exp")

    def log(self) -> Value:
        """ln x; d/dx ln x = 1/x.  Raises ValueError for x <= 0."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log: undefined for x <= 0, got x={x!r}")
        d = 1.0 / x
        if d - d:
            raise _overflow("log", x)
        return _node(math.log(x), (self, d), "log")

    def tanh(self) -> Value:
        """tanh x; d/dx tanh x = 1 − tanh²x."""
        t = math.tanh(self.data)
        return _node(t, (self, 1.0 - t * t), "tanh")

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ); σ′(x) = σ(x)(1 − σ(x)).  Stable for any finite x."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _node(s, (self, s * (1.0 - s)), "sigmoid")

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0, else 0 (the choice at 0)."""
        x = self.data
        if x > 0.0:
            return _node(x, (self, 1.0), "relu")
        return _node(0.0, (self, 0.0), "relu")

    def abs(self) -> Value:
        """|x|; derivative sign(x), 0 at x = 0."""
        x = self.data
        return _node(abs(x), (self, 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)), "abs")

    def __abs__(self) -> Value:  # abs(self)
        return self.abs()

    # -- comparisons: of ``.data``, recording nothing; the tape's tracing watches them ------

    def __lt__(self, other: Operand) -> bool:  # self < other
        return _compare("<", self, other)

    def __le__(self, other: Operand) -> bool:  # self <= other
        return _compare("<=", self, other)

    def __gt__(self, other: Operand) -> bool:  # self > other
        return _compare(">", self, other)

    def __ge__(self, other: Operand) -> bool:  # self >= other
        return _compare(">=", self, other)

    def sqrt(self) -> Value:
        """√x; d/dx √x = 1/(2√x).  Raises ValueError for x <= 0 (the slope is infinite at 0)."""
        x = self.data
        if x <= 0.0:
            what = "negative" if x < 0.0 else "0 (its derivative 1/(2√x) is infinite there)"
            raise ValueError(f"sqrt: undefined for x={x!r}, x is {what}")
        r = math.sqrt(x)
        d = 0.5 / r
        if d - d:
            raise _overflow("sqrt", x)
        return _node(r, (self, d), "sqrt")

    def softplus(self) -> Value:
        """ln(1 + eˣ); derivative σ(x).  Stable for any finite x."""
        x = self.data
        e = math.exp(-abs(x))
        r = (x if x > 0.0 else 0.0) + math.log1p(e)
        s = 1.0 / (1.0 + e) if x >= 0.0 else e / (1.0 + e)
        return _node(r, (self, s), "softplus")

    def sin(self) -> Value:
        """sin x; d/dx sin x = cos x."""
        x = self.data
        return _node(math.sin(x), (self, math.cos(x)), "sin")

    def cos(self) -> Value:
        """cos x; d/dx cos x = −sin x."""
        x = self.data
        return _node(math.cos(x), (self, -math.sin(x)), "cos")

    # -- the chain rule ----------------------------------------------------------------

    def backward(self) -> None:
        """Fill in ``v.grad = ∂self/∂v`` for every ``v`` that ``self`` depends on.

        Visits the graph once in reverse topological order (an iterative walk, so any
        depth works) and applies the chain rule ``p.grad += ∂v/∂p · v.grad`` along each
        edge.  A node used twice (``a * a``, a diamond) receives both contributions.

        Gradient semantics:

        * Leaves (Values you made) **accumulate**: a second ``backward()``, or a
          ``backward()`` from another root, adds to their ``grad``.  This is what lets you
          sum gradients over examples.  Reset them with :meth:`zero_grad` (or an
          optimiser's ``zero_grad``).
        * Intermediate nodes are **overwritten**: each ``backward()`` first sets their grad
          to 0, so after it ``v.grad`` is exactly ``∂self/∂v`` for this root.  For a
          neuron's weighted input z, that is its error δ = ∂C/∂z.
        * ``self.grad`` is set to 1 (``∂self/∂self``); if ``self`` is a leaf, 1 is added.

        Raises:
            FloatingPointError: a gradient overflowed to ±inf or nan.
        """
        order = topological_order(self)
        for v in order:
            if v._edges:
                v.grad = 0.0
        if self._edges:
            self.grad = 1.0
        else:
            self.grad += 1.0
        # The chain rule, the only place it is applied: p.grad += (∂v/∂p) · v.grad.
        # Unary and binary nodes are unpacked directly; that is the same rule, only faster.
        for v in reversed(order):
            e = v._edges
            if e:
                g = v.grad
                n = len(e)
                if n == 4:
                    a, da, b, db = e
                    a.grad += da * g
                    b.grad += db * g
                elif n == 2:
                    a, da = e
                    a.grad += da * g
                else:  # n-ary (sum, dot): parent, partial, parent, partial, ...
                    pairs = iter(e)
                    for p in pairs:
                        p.grad += next(pairs) * g
        for v in order:  # non-finite values reach at least one leaf, so check only leaves
            if not v._edges:
                g = v.grad
                if g - g:
                    raise FloatingPointError(
                        f"backward: gradient overflowed to {g!r} at leaf {v!r}"
                    )

    def zero_grad(self) -> None:
        """Set ``grad = 0`` on this node and on every node it depends on."""
        for v in topological_order(self):
            v.grad = 0.0


def _node(data: float, edges: tuple, op: str) -> Value:
    """Make an op's output node (no checks: ops have already validated ``data``)."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._edges = edges if _grad_enabled else ()
    v.op = op if _grad_enabled else ""
    v.label = ""
    v.tag = None
    return v


_new = object.__new__

#: Called as ``hook(op, a, b)`` before a Value comparison, when set (``micrograd_like.tape``
#: sets it while tracing, to refuse branches on data).  ``None`` otherwise.
_comparison_hook = None


def _compare(op: str, a: Value, b: Any) -> bool:
    """``a.data op b`` (``b`` a Value or a real number); a comparison makes no node."""
    if not isinstance(b, Value) and (isinstance(b, bool) or not isinstance(b, numbers.Real)):
        return NotImplemented
    if _comparison_hook is not None:
        _comparison_hook(op, a, b)
    x, y = a.data, (b.data if isinstance(b, Value) else float(b))
    return x < y if op == "<" else x <= y if op == "<=" else x > y if op == ">" else x >= y


def _short(x: float) -> str:
    """A compact spelling of an exponent for the op name: 2.0 -> '2', 0.5 -> '0.5'."""
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def _pow_values(base: Value, exponent: Value) -> Value:
    """a ** b with both Values: ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a (needs a > 0)."""
    a, b = base.data, exponent.data
    if a <= 0.0:
        raise ValueError(
            f"**: a Value exponent needs a positive base (d/db aᵇ = aᵇ·ln a), got a={a!r}"
        )
    try:
        r = math.pow(a, b)
        da = b * math.pow(a, b - 1.0)
    except OverflowError:
        raise _overflow("**", a, b) from None
    db = r * math.log(a)
    if r - r or da - da or db - db:
        raise _overflow("**", a, b)
    return _node(r, (base, da, exponent, db), "**")


# --------------------------------------------------------------------------------------
# n-ary nodes
# --------------------------------------------------------------------------------------


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - deliberately mirrors builtins.sum
    """Σᵢ vᵢ as **one** node (instead of a chain of n−1 ``+`` nodes); ∂/∂vᵢ = 1.

    >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = sum(xs); s.backward()
    >>> s.data, [x.grad for x in xs]
    (6.0, [1.0, 1.0, 1.0])
    """
    vs = [v if isinstance(v, Value) else _operand(v, "sum") for v in values]
    # Left to right, as a chain of + would add.  Not builtins.sum: from Python 3.12 it
    # compensates float rounding (Neumaier), so it would differ from the chain in the last bit.
    r = reduce(add, [v.data for v in vs], 0.0)
    if r - r:
        raise _overflow("sum", *(v.data for v in vs))
    edges: list = []
    for v in vs:
        edges.append(v)
        edges.append(1.0)
    return _node(r, tuple(edges), "sum")


def dot(ws: Sequence[Operand], xs: Sequence[Operand], bias: Operand | None = None) -> Value:
    """Σₖ wₖ·xₖ (+ b) as **one** node; ∂/∂wₖ = xₖ, ∂/∂xₖ = wₖ, ∂/∂b = 1.

    This is a neuron's weighted input z = Σₖ wₖ aₖ + b, so after ``backward()`` its
    ``grad`` is the neuron's error δ = ∂C/∂z.  Parents are ordered ``w₁..wₙ, x₁..xₙ[, b]``.

    >>> z = dot([Value(2.0), Value(-1.0)], [3.0, 4.0], bias=Value(0.5))
    >>> z.data
    2.5
    """
    n = len(ws)
    if n != len(xs):
        raise ValueError(f"dot: ws and xs differ in length ({n} != {len(xs)})")
    # all-Value arguments (the usual case) are used as they are; numbers become leaves
    wv = ws if all(type(w) is Value for w in ws) else [_operand(w, "dot") for w in ws]
    xv = xs if all(type(x) is Value for x in xs) else [_operand(x, "dot") for x in xs]
    wd = [w.data for w in wv]
    xd = [x.data for x in xv]
    m = 2 * n
    edges: list = [None] * (2 * m + (0 if bias is None else 2))
    edges[0:m:2], edges[1:m:2] = wv, xd  # ∂z/∂wₖ = xₖ
    edges[m:2 * m:2], edges[m + 1:2 * m:2] = xv, wd  # ∂z/∂xₖ = wₖ
    # Summed left to right, exactly as the elementary chain ((w₁x₁ + w₂x₂) + …) + b would be,
    # so a z built from * and + nodes has bit-identical value and gradients on every Python
    # (reduce, not builtins.sum, which compensates rounding from 3.12 on).
    r = reduce(add, map(mul, wd, xd), 0.0)
    if bias is not None:
        b = _operand(bias, "dot")
        r += b.data
        edges[-2], edges[-1] = b, 1.0  # ∂z/∂b = 1
    if r - r:
        raise _overflow("dot", *(w * x for w, x in zip(wd, xd)))
    return _node(r, tuple(edges), "dot")


# --------------------------------------------------------------------------------------
# Graph walking and grad mode
# --------------------------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, parents before children, ``root`` last.

    An iterative depth-first walk (no recursion), so a chain of any length works.  A node
    whose parents are still being placed sits on the stack under a ``_PLACE`` marker; when
    the marker surfaces again, all its parents are in ``order`` and the node follows.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Any] = [root]
    append, push, pop, mark = order.append, stack.append, stack.pop, seen.add
    while stack:
        v = pop()
        if v is _PLACE:
            append(pop())
        elif v not in seen:
            mark(v)
            e = v._edges
            if e:
                push(v)
                push(_PLACE)
                for p in e[0::2]:
                    if p not in seen:
                        push(p)
            else:
                append(v)
    return order


_PLACE = object()


def backward_steps(
    root: Value,
) -> Iterator[tuple[Value, float, list[tuple[Value, float, float]]]]:
    """Replay ``root.backward()`` one op node at a time, on the side, for showing it.

    Yields ``(v, g, updates)`` for each op node ``v`` in the order ``backward`` visits it:
    ``g`` is ``∂root/∂v`` (complete by then), and ``updates`` lists, per edge in parent
    order, ``(p, ∂v/∂p, running ∂root/∂p after adding ∂v/∂p · g)``.  The sums start from
    the seed ``∂root/∂root = 1`` and are the same float operations in the same order as
    :meth:`Value.backward` from zero, so the last running sum of each node equals its
    ``grad`` after ``zero_grad(); backward()``.  The graph's ``.grad`` are not touched.

    >>> a = Value(3.0); y = a * a
    >>> [(round(g, 1), [(d, t) for _, d, t in ups]) for _, g, ups in backward_steps(y)]
    [(1.0, [(3.0, 3.0), (3.0, 6.0)])]
    """
    grads: dict[Value, float] = {root: 1.0}
    for v in reversed(topological_order(root)):
        e = v._edges
        if not e:
            continue
        g = grads.get(v, 0.0)
        updates = []
        for i in range(0, len(e), 2):  # the chain rule, exactly as Value.backward applies it
            p, d = e[i], e[i + 1]
            total = grads.get(p, 0.0) + d * g
            grads[p] = total
            updates.append((p, d, total))
        yield v, g, updates


def is_grad_enabled() -> bool:
    """False inside a :func:`no_grad` block."""
    return _grad_enabled


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops record no graph: results are leaves (``op == ""``).

    Use it for evaluation, where no ``backward()`` will follow: it saves the memory of the
    graph.  Not thread-safe (one flag per process).

    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.is_leaf
    True
    """
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = False
    try:
        yield
    finally:
        _grad_enabled = previous
