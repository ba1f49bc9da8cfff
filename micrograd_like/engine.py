"""The scalar autodiff engine: a :class:`Value` remembers how it was made; ``backward`` runs
the chain rule back through that record.

An op (``a * b``, ``x.tanh()``) makes a new node holding two things, side by side, both from
the op's rule in :data:`micrograd_like.ops.RULES` (the one place an op is written):

* its value, ``data``, and
* its local derivatives, ``local_grads``: ``∂out/∂p`` for each parent ``p``, as floats.

``backward()`` orders the graph once (:func:`topological_order`) and walks it from the root
back to the leaves, applying ``p.grad += ∂v/∂p · v.grad`` along every edge.  That line is
the whole of backpropagation, and it is written once, in :func:`_chain_rule`.

>>> a, b = Value(2.0), Value(-3.0)
>>> c = a * b + a            # c = ab + a
>>> c.backward()
>>> a.grad, b.grad           # ∂c/∂a = b + 1, ∂c/∂b = a
(-2.0, 2.0)
"""

from __future__ import annotations

import _thread
import contextvars
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from operator import add, mul
from typing import TYPE_CHECKING, Any, Union

from micrograd_like import namespaces, ops
from micrograd_like.checks import conversion_error, finite_float

__all__ = [
    "Value", "apply", "backward_steps", "dot", "is_grad_enabled", "no_grad", "sum",
    "topological_order", "watching_comparisons",
]

Operand = Union["Value", int, float]


def _op_method(name: str) -> Callable[..., Value]:
    """The Value method of the op ``name``: it makes the node as :func:`_make` (below) does.

    A one-input op (the activations: tanh, relu, σ, ...) repeats _make's steps with the
    rule's functions looked up once: a fifth of bench/demo_step.py's step (bench/README.md).
    """
    rule = ops.RULES[name]
    forward, domain, m = rule.forward, rule.domain, namespaces.FLOATS

    def binary(self: Value, other: Operand) -> Value:
        return _make(rule, (self, _as_value(other, name)))

    def unary(self: Value) -> Value:
        x = self.data
        if domain is None or domain(x):
            try:
                out = forward(m, x)
                dx = rule.partials[0](m, x, out)  # the local derivative ∂out/∂x
                if math.isfinite(out) and math.isfinite(dx):
                    return _node(out, name, (self,), (dx,))
            except (ArithmeticError, ValueError):  # e.g. math.exp's OverflowError
                pass
        raise rule.error((x,))

    method: Callable[..., Value] = binary if rule.arity == 2 else unary
    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"{rule.formula}; ∂/∂({', '.join(ops.symbols(rule))}) = "
                      f"{', '.join(rule.partial_text)}.  Defined for {rule.domain_text}."
                      + (f"  {rule.convention}." if rule.convention else ""))
    return method


class Value:
    """A scalar node of a computation graph: a number ``data`` and its gradient ``grad``.

    A Value made by an op remembers the op (``op``, e.g. ``"*"``), its inputs (``parents``,
    in order, so ``a * a`` lists ``a`` twice) and the local derivatives ``∂self/∂parent``
    (``local_grads``, floats).  A Value you make is a leaf: ``op == ""``, no parents.
    After ``root.backward()``, ``v.grad`` holds ``∂root/∂v`` for every ``v`` in the graph.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x          # y = x² + 3x
    >>> y.backward()
    >>> y.data, x.grad             # dy/dx = 2x + 3
    (10.0, 7.0)

    Args:
        data: a finite real number (int, float, numpy scalar); ``bool`` is refused.
        label: an optional name, shown in drawings.
    """

    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label", "tag")

    data: float
    grad: float
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    op: str
    label: str
    tag: Any  # free-form, for libraries on top (see micrograd_like.annotation)

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = finite_float(data, "Value data")
        self.grad = 0.0
        self.parents = ()
        self.local_grads = ()
        self.op = ""
        self.label = label
        self.tag = None

    @property
    def is_leaf(self) -> bool:
        """True for a Value made by the user (or under :func:`no_grad`), not by an op."""
        return not self.parents

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data!r}, grad={self.grad!r}{op})"

    def __format__(self, spec: str) -> str:
        """``f"{v:.4f}"`` formats the number ``v.data``; ``f"{v}"`` is ``repr(v)``.

        >>> f"loss {Value(0.123456):.3f}"
        'loss 0.123'
        """
        return format(self.data, spec) if spec else repr(self)

    # -- ops: each method makes a node from its rule in ops.RULES (see _op_method) --------

    # + and * written out, micrograd's way: the value and the local derivatives side by
    # side.  They make most nodes of a large graph, and this saves a quarter of the build
    # time of bench/engine_bench.py's wide graph over the table's rule (_op_method);
    # tests/test_ops_table.py checks them against ops.RULES["+"] and ["*"] bit for bit.

    def __add__(self, other: Operand) -> Value:  # self + other: ∂/∂self = 1, ∂/∂other = 1
        if not isinstance(other, Value):
            other = _as_value(other, "+")
        out = self.data + other.data
        if not math.isfinite(out):
            raise ops.RULES["+"].error((self.data, other.data))
        return _node(out, "+", (self, other), _ONES)

    def __mul__(self, other: Operand) -> Value:  # self * other: ∂/∂self = other, ∂/∂other = self
        if not isinstance(other, Value):
            other = _as_value(other, "*")
        a, b = self.data, other.data
        out = a * b
        if not math.isfinite(out):
            raise ops.RULES["*"].error((a, b))
        return _node(out, "*", (self, other), (b, a))

    __sub__ = _op_method("-")          # self - other
    __truediv__ = _op_method("/")      # self / other
    neg = _op_method("neg")            # -self, also written -v (below)
    maximum = _op_method("maximum")    # max(self, other), ½ the slope to each at a tie
    minimum = _op_method("minimum")    # min(self, other), likewise

    def __radd__(self, other: Operand) -> Value:  # other + self
        return _as_value(other, "+") + self

    def __rsub__(self, other: Operand) -> Value:  # other - self
        return _as_value(other, "-") - self

    def __rmul__(self, other: Operand) -> Value:  # other * self
        return _as_value(other, "*") * self

    def __rtruediv__(self, other: Operand) -> Value:  # other / self
        return _as_value(other, "/") / self

    def __neg__(self) -> Value:  # -self
        return self.neg()

    def __pos__(self) -> Value:  # +self is self
        return self

    def __abs__(self) -> Value:  # abs(self)
        return self.abs()

    def __pow__(self, other: Operand) -> Value:  # self ** other
        if isinstance(other, Value):
            return apply("**", self, other)
        c = finite_float(other, "** exponent")
        return apply(f"**{ops.short(c)}", self)  # the family x ** c, see ops.pow_op

    def __rpow__(self, other: Operand) -> Value:  # other ** self, other a number
        c = finite_float(other, "** base")
        return apply(f"{ops.short(c)}**", self)  # the family c ** x, see ops.rpow_op

    def __mod__(self, other: Operand) -> Value:  # self % c, c a number
        if isinstance(other, Value):
            raise TypeError("unsupported operand for '%': the divisor must be a real number, "
                            "not a Value")
        c = finite_float(other, "% divisor")
        return apply(f"%{ops.short(c)}", self)

    # One method per one-input op of the table (its docstring shows formula and slope).
    exp, exp2, expm1 = _op_method("exp"), _op_method("exp2"), _op_method("expm1")
    log, log2, log10, log1p = (_op_method("log"), _op_method("log2"), _op_method("log10"),
                               _op_method("log1p"))
    sqrt, abs, sign = _op_method("sqrt"), _op_method("abs"), _op_method("sign")
    tanh, sigmoid, softplus, relu = (_op_method("tanh"), _op_method("sigmoid"),
                                     _op_method("softplus"), _op_method("relu"))
    sin, cos, tan = _op_method("sin"), _op_method("cos"), _op_method("tan")
    asin, acos, atan = _op_method("asin"), _op_method("acos"), _op_method("atan")
    sinh, cosh = _op_method("sinh"), _op_method("cosh")
    asinh, acosh, atanh = _op_method("asinh"), _op_method("acosh"), _op_method("atanh")

    # -- comparisons compare ``data`` and record nothing ------------------------------

    def __lt__(self, other: Operand) -> bool:  # self < other
        return _compare("<", self, other)

    def __le__(self, other: Operand) -> bool:  # self <= other
        return _compare("<=", self, other)

    def __gt__(self, other: Operand) -> bool:  # self > other
        return _compare(">", self, other)

    def __ge__(self, other: Operand) -> bool:  # self >= other
        return _compare(">=", self, other)

    # -- backpropagation ---------------------------------------------------------------

    def backward(self, create_graph: bool = False) -> None:
        """Fill in ``v.grad = ∂self/∂v`` for every ``v`` that ``self`` depends on.

        Orders the graph once, then visits it from ``self`` back to the leaves, applying
        the chain rule ``p.grad += ∂v/∂p · v.grad`` along each edge.  A node used twice
        (``a * a``, a diamond) receives both contributions: hence ``+=``.

        Gradient semantics (micrograd keeps every grad and adds to it; here only leaves do):

        * Leaves **accumulate**: a second ``backward()``, or one from another root, adds to
          their ``grad`` (so gradients can be summed over examples).  Reset them with
          :meth:`zero_grad` or an optimiser's ``zero_grad``.
        * Intermediate nodes are **overwritten**: each ``backward()`` first sets their grad
          to 0, so afterwards ``v.grad`` is exactly ``∂self/∂v`` for this root.
        * ``self.grad`` is set to 1 (``∂self/∂self``); on a leaf, 1 is added.

        With ``create_graph=True`` the same pass runs with Values for floats: each local
        derivative is rebuilt as a Value from its rule, so every ``grad`` is a Value with a
        graph of its own, and can be differentiated again.

        >>> x = Value(3.0)
        >>> y = x ** 3
        >>> y.backward(create_graph=True)
        >>> dy = x.grad                  # dy/dx = 3x², a Value
        >>> dy.data
        27.0
        >>> x.grad = 0.0
        >>> dy.backward()                # d/dx 3x² = 6x
        >>> x.grad
        18.0

        Raises:
            FloatingPointError: a gradient overflowed to ±inf or nan.
        """
        order = topological_order(self)
        for v in order:
            if v.op:  # an op node (testing op, not parents, reads one object less)
                v.grad = 0.0
        seed: Any = Value(1.0) if create_graph else 1.0
        self.grad = seed if self.parents else self.grad + seed
        for _ in _chain_rule(order, create_graph):  # run it through
            pass
        for v in order:  # a non-finite product reaches at least one leaf: check leaves only
            if not v.op and not _finite(v.grad):
                raise FloatingPointError(f"backward: gradient overflowed to {v.grad!r} at "
                                         f"leaf {v!r}")

    def zero_grad(self) -> None:
        """Set ``grad = 0`` on this node and on every node it depends on."""
        for v in topological_order(self):
            v.grad = 0.0

    # -- no conversion to a plain number -----------------------------------------------
    # float(v) would hand back a bare number, and so would everything that calls it
    # (math.exp(v), np.float64(v), ...): the op done on it is not in the graph, and the
    # gradient through it would be lost.  Each conversion raises, naming the fix.  Hidden
    # from type checkers, so that mypy reports math.exp(v) too.
    if not TYPE_CHECKING:
        def __float__(self):  # float(v), math.exp(v), np.float64(v), ...
            raise conversion_error(self.data, "float")

        def __complex__(self):  # complex(v), cmath.exp(v)
            raise conversion_error(self.data, "complex")

        def __int__(self):  # int(v)
            raise conversion_error(self.data, "int")

        def __index__(self):  # operator.index(v), seq[v], range(v)
            raise conversion_error(self.data, "index")

        def __round__(self, ndigits=None):  # round(v)
            raise conversion_error(self.data, "round")

        def __trunc__(self):  # math.trunc(v)
            raise conversion_error(self.data, "math.trunc")

        def __floor__(self):  # math.floor(v)
            raise conversion_error(self.data, "math.floor")

        def __ceil__(self):  # math.ceil(v)
            raise conversion_error(self.data, "math.ceil")

        def __bool__(self):  # if v:, v or w, not v
            raise conversion_error(self.data, "bool")


# --------------------------------------------------------------------------------------
# How an op makes a node, and how backward uses what it stored
# --------------------------------------------------------------------------------------


def apply(op: str | ops.Op, *args: Operand) -> Value:
    """The node ``op(*args)``: its value and its local derivatives, from the op's rule.

    Numbers among ``args`` take part as constant leaves.

    >>> y = apply("*", Value(2.0), Value(3.0))
    >>> y.data, y.local_grads            # 2·3, (∂/∂a = b, ∂/∂b = a)
    (6.0, (3.0, 2.0))
    """
    rule = op if isinstance(op, ops.Op) else ops.rule(op)
    if rule.arity != ops.NARY and len(args) != rule.arity:
        raise TypeError(f"{rule.name} takes {rule.arity} input(s), got {len(args)}")
    return _make(rule, tuple([a if isinstance(a, Value) else _as_value(a, rule.name)
                              for a in args]))


def _make(rule: ops.Op, parents: tuple[Value, ...]) -> Value:
    """The node of ``rule`` on ``parents``: its value and local derivatives, side by side.

    Where the rule is undefined (``log(0)``), or the value or a derivative is not a finite
    float (``exp(1000)``), the rule's error names the op and the inputs.
    """
    xs = [p.data for p in parents]
    if rule.domain is None or rule.domain(*xs):
        m = namespaces.FLOATS
        try:
            out = rule.forward(m, *xs)
            if rule.arity == ops.NARY:  # one function gives every ∂out/∂xᵢ
                local = tuple(rule.partials[0](m, xs, out))
            else:
                local = tuple([d(m, *xs, out) for d in rule.partials])
            if math.isfinite(out) and all(map(math.isfinite, local)):
                return _node(out, rule.name, parents, local)
        except (ArithmeticError, ValueError):
            pass
    raise rule.error(xs)


def _chain_rule(order: list[Value], create_graph: bool = False) -> Iterator[Value]:
    """Backpropagation over ``order`` (a :func:`topological_order`), from the root back:
    each op node ``v``, once its grad is complete, passes it on to its parents,
    ``p.grad += ∂v/∂p · v.grad``.  Yields ``v`` just before it does.

    The only place gradients flow: ``backward`` runs it through, ``backward_steps`` pauses
    at each node.  With ``create_graph`` the local derivatives are Values rebuilt from v's
    rule (:func:`_local_grads_as_values`), so the same sums build a graph.
    """
    for v in reversed(order):
        if v.op:
            yield v
            local = _local_grads_as_values(v) if create_graph else v.local_grads
            g = v.grad
            for p, d in zip(v.parents, local):
                p.grad += d * g


def _local_grads_as_values(v: Value) -> list[Any]:
    """``∂v/∂p`` for each parent ``p`` as Values from v's rule (numbers for constants)."""
    if not v.parents:
        return []
    rule = ops.rule(v.op)
    m = namespaces.values()
    if rule.arity == ops.NARY:
        return list(rule.partials[0](m, v.parents, v))
    return [d(m, *v.parents, v) for d in rule.partials]


def _node(data: float, op: str, parents: tuple[Value, ...], local_grads: tuple) -> Value:
    """An op's output node (its value and local derivatives already checked)."""
    v = object.__new__(Value)
    v.data = data
    v.grad = 0.0
    if _no_grad_blocks and not _grad_enabled.get():  # inside no_grad(): a leaf
        parents, local_grads, op = (), (), ""
    v.parents = parents
    v.local_grads = local_grads
    v.op = op
    v.label = ""
    v.tag = None
    return v


_ONES = (1.0, 1.0)  # every + node's local derivatives: one shared tuple, not one per node


def _as_value(x: Operand, op: str) -> Value:
    """``x`` itself if it is a Value; a plain number becomes a constant leaf."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or (not isinstance(x, (int, float)) and not _is_real(x)):
        raise TypeError(f"unsupported operand for '{op}': a Value and {type(x).__name__} "
                        f"{x!r} (expected a Value or a real number)")
    return Value(x)


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real)


def _finite(g: float | Value) -> bool:
    """Whether a gradient (a float, or a Value after ``create_graph``) is finite."""
    return math.isfinite(g.data if isinstance(g, Value) else g)


# --------------------------------------------------------------------------------------
# The one walk
# --------------------------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, parents before children, ``root`` last.

    An iterative depth-first walk (no recursion, so a chain of any length works).  A node is
    pushed back under the marker ``_PLACE`` while its parents are placed; when the marker
    comes off the stack again, its parents are all in ``order`` and the node follows.
    Everything that needs an order (backward, its step-by-step replay, drawings, the tape)
    calls this.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Any] = [root]
    while stack:
        v = stack.pop()
        if v is _PLACE:
            order.append(stack.pop())
        elif v not in seen:
            seen.add(v)
            stack.append(v)
            stack.append(_PLACE)
            for p in v.parents:
                if p not in seen:
                    stack.append(p)
    return order


_PLACE = object()


def backward_steps(
    root: Value,
) -> Iterator[tuple[Value, float, list[tuple[Value, float, float]]]]:
    """``root.backward()`` one op node at a time, for showing it.

    Yields ``(v, g, updates)`` for each op node ``v`` in the order ``backward`` visits it:
    ``g`` is ``∂root/∂v`` (complete by then) and ``updates`` lists, per edge in parent
    order, ``(p, ∂v/∂p, ∂root/∂p so far)``: the running sum after that edge's ``∂v/∂p · g``
    (so ``a * a`` shows ``a``'s sum after each of its two edges).  The grads come from the
    chain rule of :meth:`Value.backward` itself, started from ``∂root/∂root = 1`` with every
    other grad 0: the last sums are the grads of ``zero_grad(); backward()``.  The graph's
    ``grad`` fields are restored afterwards.

    >>> a = Value(3.0); y = a * a
    >>> [(g, [(d, total) for _, d, total in ups]) for _, g, ups in backward_steps(y)]
    [(1.0, [(3.0, 3.0), (3.0, 6.0)])]
    """
    order = topological_order(root)
    kept = [v.grad for v in order]
    try:
        for v in order:
            v.grad = 0.0
        root.grad = 1.0
        for v in _chain_rule(order):  # pauses before v's grad flows to its parents
            g, so_far, updates = v.grad, dict[Value, float](), []
            for p, d in zip(v.parents, v.local_grads):  # the sums _chain_rule is about to make
                so_far[p] = so_far.get(p, p.grad) + d * g
                updates.append((p, d, so_far[p]))
            yield v, g, updates
    finally:
        for v, g in zip(order, kept):
            v.grad = g


# --------------------------------------------------------------------------------------
# n-ary nodes
# --------------------------------------------------------------------------------------


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - micrograd_like.sum, by design
    """x₁ + x₂ + … + xₙ as **one** node (instead of n − 1 ``+`` nodes); ∂/∂xᵢ = 1.

    Added left to right, exactly as a chain of ``+`` would be (Python 3.12's built-in
    ``sum`` of floats is compensated, and would differ in the last bits).  The sum of no
    values is 0.0.

    >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = sum(xs); s.backward()
    >>> s.data, [x.grad for x in xs]
    (6.0, [1.0, 1.0, 1.0])
    """
    return apply("sum", *values)


def dot(ws: Sequence[Operand], xs: Sequence[Operand], plus: Operand | None = None) -> Value:
    """Σₖ wₖ·xₖ (+ b, the ``plus`` term) as **one** node; ∂/∂wₖ = xₖ, ∂/∂xₖ = wₖ, ∂/∂b = 1.

    Parents are ordered ``w₁..wₙ, x₁..xₙ[, b]``.  Added left to right, as the chain of
    ``*`` and ``+`` nodes would be, so both give the same bits.

    >>> z = dot([Value(2.0), Value(-1.0)], [3.0, 4.0], plus=Value(0.5))
    >>> z.data, z.local_grads
    (2.5, (3.0, 4.0, 2.0, -1.0, 1.0))
    """
    # Written out rather than made by _make from ops.RULES["dot"]: a network's forward pass
    # is mostly dot nodes, and this makes bench/demo_step.py's step about a quarter faster
    # (bench/README.md).  tests/test_ops_table.py checks it against the rule bit for bit.
    if len(ws) != len(xs):
        raise ValueError(f"dot: ws and xs differ in length ({len(ws)} != {len(xs)})")
    w_nodes = [w if isinstance(w, Value) else _as_value(w, "dot") for w in ws]
    x_nodes = [x if isinstance(x, Value) else _as_value(x, "dot") for x in xs]
    w_data = [w.data for w in w_nodes]
    x_data = [x.data for x in x_nodes]
    # Σ wₖxₖ left to right: reduce(add, ...) adds in order, as the + chain would
    out = reduce(add, map(mul, w_data, x_data)) if ws else 0.0
    parents, local = [*w_nodes, *x_nodes], [*x_data, *w_data]  # ∂z/∂wₖ = xₖ, ∂z/∂xₖ = wₖ
    if plus is not None:
        b = _as_value(plus, "dot")
        out += b.data
        parents.append(b)
        local.append(1.0)  # ∂z/∂b = 1
    if not math.isfinite(out):
        raise ops.RULES["dot"].error([w * x for w, x in zip(w_data, x_data)])
    return _node(out, "dot", tuple(parents), tuple(local))


# --------------------------------------------------------------------------------------
# Switches: no_grad, and watching comparisons
# --------------------------------------------------------------------------------------

# One flag per thread and per asyncio task (a context variable), and a count of the
# no_grad blocks open anywhere, so that _node pays one global test when none is open.
_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "micrograd_like_grad_enabled", default=True)
_no_grad_blocks = 0
_blocks_lock = _thread.allocate_lock()


def is_grad_enabled() -> bool:
    """False inside a :func:`no_grad` block (of this thread or asyncio task)."""
    return _grad_enabled.get()


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops record no graph: results are leaves (``op == ""``).

    For evaluation, where no ``backward()`` follows: it saves the graph's memory.  The
    switch is per thread and per asyncio task.

    >>> with no_grad():
    ...     y = Value(2.0) * 3
    >>> y.is_leaf
    True
    """
    global _no_grad_blocks
    with _blocks_lock:
        _no_grad_blocks += 1
    token = _grad_enabled.set(False)
    try:
        yield
    finally:
        _grad_enabled.reset(token)
        with _blocks_lock:
            _no_grad_blocks -= 1


_comparison_watchers: list[Callable[[str, Value, Any], None]] = []


@contextmanager
def watching_comparisons(hook: Callable[[str, Value, Any], None]) -> Iterator[None]:
    """Call ``hook(op, a, b)`` before each comparison of Values made inside the block.

    A comparison records no node, so a program that branches on a Value's number
    (``if x > 0``) computes something the graph cannot replay; a tracer can watch for it.
    """
    _comparison_watchers.append(hook)
    try:
        yield
    finally:
        _comparison_watchers.remove(hook)


def _compare(op: str, a: Value, b: Any) -> bool:
    """``a.data op b`` (``b`` a Value or a real number); a comparison makes no node."""
    if not isinstance(b, Value) and (isinstance(b, bool) or not _is_real(b)):
        return NotImplemented
    for hook in _comparison_watchers:
        hook(op, a, b)
    x, y = a.data, (b.data if isinstance(b, Value) else float(b))
    return x < y if op == "<" else x <= y if op == "<=" else x > y if op == ">" else x >= y
