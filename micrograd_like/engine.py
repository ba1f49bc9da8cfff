"""The scalar reverse-mode autodiff engine: :class:`Value`, ``backward``, ``grad``.

Every op computes two things, side by side, from its rule in :data:`micrograd_like.ops.RULES`
(the one place an op is written), and nothing else:

* its forward value ``out``, a float, and
* the local partial derivative ``∂out/∂p`` for each of its parents ``p``, as plain floats.

Both are stored on the new node.  No op touches ``.grad``: :meth:`Value.backward` is the one
place that applies the chain rule, ``p.grad += ∂out/∂p · out.grad``, visiting nodes in
reverse topological order.  Because a node stores numbers instead of a closure, the graph
holds no reference cycles, so it is freed by reference counting alone and never feeds
Python's cyclic garbage collector.

Numerical rules (the engine never returns a non-finite number):

* Inputs must be finite real numbers; ``bool`` is rejected (write ``float(flag)``).
* A Value never turns into a plain number: ``float(v)``, ``math.exp(v)``, ``int(v)``,
  ``round(v)``, ``bool(v)``, ... raise :class:`TypeError` naming the fix (``v.exp()`` to stay
  in the graph, ``v.data`` for the number), since the result would leave the graph and the
  gradient through it would be lost.
* An op whose value is undefined (``log(0)``, ``x / 0``, ``sqrt(-1)``, ``0 ** -1``) raises
  :class:`ValueError` or :class:`ZeroDivisionError` naming the op and the operand.
* An op whose value or local derivative overflows a float (``exp(1000)``, ``1e200 * 1e200``)
  raises :class:`OverflowError` naming the op and the operand, in the forward pass, so the
  forward and backward passes never disagree about it.
* If the chain-rule products themselves overflow during ``backward`` (possible in very deep
  products), ``backward`` raises :class:`FloatingPointError` after the pass.
* Non-differentiable points take the convention each rule documents: ``relu'(0) = 0``,
  ``abs'(0) = 0``, ``max(a, b)`` gives ½ to each input at a tie.  ``sqrt'(0)`` is infinite,
  so ``sqrt(0)`` raises.
* ``0 ** y`` with ``y`` a Value is 0 with slope 0 for ``y > 0`` (the limit of ``0ʸ·ln 0``
  from above, as autograd and PyTorch); ``Value(0) ** Value(b)`` is finite for ``b ≥ 1``.
  Where the value or a local partial is truly infinite (``0 ** -1``, ``0 ** 0`` in the
  exponent, ``Value(0) ** Value(0.5)`` in the base) the op raises ZeroDivisionError.

Derivatives of any order: ``backward(create_graph=True)`` and :func:`grad` rebuild each
node's partials as Values from its rule, so a gradient is itself a graph; the default
first-order pass never does, and pays nothing for it.
"""

from __future__ import annotations

import _thread
import contextvars
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from operator import add, attrgetter, mul
from typing import TYPE_CHECKING, Any, Union

from micrograd_like import ops

__all__ = [
    "Value", "apply", "grad", "no_grad", "is_grad_enabled", "sum", "dot", "topological_order",
    "backward_steps",
]

Number = int | float
Operand = Union["Value", int, float]
_F = ops.FLOATS


# --------------------------------------------------------------------------------------
# Checking user numbers
# --------------------------------------------------------------------------------------


def _as_float(x: Any, what: str) -> float:
    """Return ``x`` as a finite float, or raise a TypeError/ValueError naming ``what``."""
    if type(x) is float:  # the common case, fast
        f = x
    elif isinstance(x, bool) or not isinstance(x, numbers.Real):
        kind = "bool" if isinstance(x, bool) else type(x).__name__
        hint = (" (use float(flag) for 0.0/1.0)" if kind == "bool" else
                " (a Value is a node of a graph, not a number: use v.data for its number)"
                if isinstance(x, Value) else "")
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


def _method(name: str) -> Callable[[Value], Value]:
    """The Value method of the one-input op ``name``: its value and partial from ops.RULES.

    The same steps as :func:`_apply1`, with the rule's functions bound once (one call
    less per node: these methods are the hot path of every network).
    """
    op = ops.RULES[name]
    forward, partial, domain, F = op.forward, op.partials[0], op.domain, _F

    def method(self: Value) -> Value:
        a = self.data
        if domain is not None and not domain(a):
            raise op.error((a,))
        try:
            r = forward(F, a)
            d = partial(F, a, r)
            if r - r or d - d:  # ±inf or nan (x - x is 0.0 for every finite x)
                raise OverflowError
        except (ArithmeticError, ValueError):
            raise op.error((a,)) from None
        return _node(r, name, self, d)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"{op.formula}; d/dx = {op.partial_text[0]}.  Defined for "
                      f"{op.domain_text}." + (f"  {op.convention}." if op.convention else ""))
    return method


_POW: dict[float, ops.Op] = {}  # x ** c: the op of each constant exponent seen


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

    __slots__ = ("data", "grad", "_a", "_da", "_b", "_db", "_more", "op", "label", "tag", "_mark")

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
        self._a: Value | None = None
        self._da = 0.0
        self._b: Value | None = None
        self._db = 0.0
        self._more: tuple | None = None
        self._mark: object = None  # see _backward_order
        self.op = ""
        self.label = label
        self.tag = None

    # -- graph structure --------------------------------------------------------------
    # The edges to the parents live in the node's own slots, not in a tuple: ``_a`` is the
    # first parent and ``_da`` = ∂self/∂_a, ``_b`` the second and ``_db`` = ∂self/∂_b, and
    # ``_more`` holds any further edges of an n-ary node (sum, dot) interleaved,
    # ``(p₂, ∂self/∂p₂, p₃, ∂self/∂p₃, ...)``.  A leaf has ``_a is None``; a one-input node
    # ``_b is None``; ``_more`` is None below three inputs.  Slots instead of a tuple of
    # edges save one object per node: half the allocations that Python's cyclic garbage
    # collector counts (it runs after every few hundred) and scans, and 40 bytes.  ``_mark``
    # is backward's "visited" mark (see _backward_order).  A binary node with its float
    # value takes 144 bytes (CPython 3.10 to 3.13, tracemalloc), against 176 with the tuple.

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in order (empty for a leaf)."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        if b is None:
            return (a,)
        more = self._more
        return (a, b) if more is None else (a, b, *more[0::2])

    @property
    def local_grads(self) -> tuple[float, ...]:
        """``∂self/∂p`` for each parent ``p``, in the order of :attr:`parents`."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._da,)
        more = self._more
        return (self._da, self._db) if more is None else (self._da, self._db, *more[1::2])

    @property
    def is_leaf(self) -> bool:
        """True for a Value made by the user (or under :func:`no_grad`), not by an op."""
        return self._a is None

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data!r}, grad={self.grad!r}{op})"

    def __format__(self, spec: str) -> str:
        """``f"{v:.4f}"`` formats the number ``v.data`` (text for reading: no op can be done
        on it, so nothing leaves the graph); ``f"{v}"`` is ``repr(v)``.

        >>> f"loss {Value(0.123456):.3f}", format(Value(2.0), "+.1e")
        ('loss 0.123', '+2.0e+00')
        """
        return format(self.data, spec) if spec else repr(self)

    # -- arithmetic ----------------------------------------------------------------------

    # The hot binary ops are hand-specialised (one float expression each, no rule lookup);
    # their rules (value, partials, domain) live in ops.RULES, and
    # tests/test_ops_table.py checks this code against those entries.

    def __add__(self, other: Operand) -> Value:  # self + other
        o = other if isinstance(other, Value) else _operand(other, "+")
        r = self.data + o.data
        if r - r:
            raise ops.RULES["+"].error((self.data, o.data))
        return _node(r, "+", self, 1.0, o, 1.0)

    def __radd__(self, other: Operand) -> Value:  # other + self
        return _operand(other, "+") + self

    def __sub__(self, other: Operand) -> Value:  # self - other
        o = other if isinstance(other, Value) else _operand(other, "-")
        r = self.data - o.data
        if r - r:
            raise ops.RULES["-"].error((self.data, o.data))
        return _node(r, "-", self, 1.0, o, -1.0)

    def __rsub__(self, other: Operand) -> Value:  # other - self
        return _operand(other, "-") - self

    def __mul__(self, other: Operand) -> Value:  # self * other; ∂/∂self = other, ∂/∂other = self
        o = other if isinstance(other, Value) else _operand(other, "*")
        a = self.data
        b = o.data
        r = a * b
        if r - r:
            raise ops.RULES["*"].error((a, b))
        return _node(r, "*", self, b, o, a)

    def __rmul__(self, other: Operand) -> Value:  # other * self
        return _operand(other, "*") * self

    def __truediv__(self, other: Operand) -> Value:  # self / other; ∂ = (1/b, -a/b²)
        o = other if isinstance(other, Value) else _operand(other, "/")
        a = self.data
        b = o.data
        if b == 0.0:
            raise ops.RULES["/"].error((a, b))
        r = a / b
        db = -r / b
        if r - r or db - db:
            raise ops.RULES["/"].error((a, b))
        return _node(r, "/", self, 1.0 / b, o, db)

    def __rtruediv__(self, other: Operand) -> Value:  # other / self
        return _operand(other, "/") / self

    def __pos__(self) -> Value:  # +self is self
        return self

    def __pow__(self, other: Operand) -> Value:  # self ** other; ops.pow_op / ops "**"
        if isinstance(other, Value):
            return apply("**", self, other)
        n = _as_float(other, "** exponent")
        op = _POW.get(n)
        if op is None:
            op = _POW[n] = ops.rule(f"**{ops.short(n)}")
        return _apply1(op, self)

    def __rpow__(self, other: Operand) -> Value:  # other ** self, other a number: ops.rpow_op
        c = _as_float(other, "** base") if not isinstance(other, Value) else other
        if isinstance(c, Value):  # pragma: no cover - Python calls __pow__ for Value ** Value
            return apply("**", c, self)
        return _apply1(ops.rule(f"{ops.short(c)}**"), self)

    def __mod__(self, other: Operand) -> Value:  # self % c for a number c; ops.mod_op
        if isinstance(other, Value) or isinstance(other, bool) or not isinstance(
                other, numbers.Real):
            raise TypeError(
                f"unsupported operand for '%': a Value and {type(other).__name__} {other!r} "
                "(the divisor must be a real number)")
        c = _as_float(other, "% divisor")
        return _apply1(ops.rule(f"%{ops.short(c)}"), self)

    # -- no conversion to a plain number ------------------------------------------------
    # float(v) would hand back a bare number, and so would everything that calls it
    # (math.exp(v), math.sin(v), np.float64(v), complex(v), math.floor(v), ...): the op
    # done on that number is not in the graph and the gradient through it is silently lost
    # (x * math.exp(x) would get ∂/∂x = eˣ instead of eˣ(1 + x)).  So every conversion
    # raises a TypeError naming the fix; v.data is the number, said out loud.  ``if v:``
    # raises too: it would test that the object exists (always true, even for 0.0), not
    # its number.  The methods are hidden from type checkers, so that mypy also reports
    # ``math.exp(v)`` (a Value is not SupportsFloat).

    if not TYPE_CHECKING:
        def __float__(self):  # float(v), math.exp(v), np.float64(v), ...
            raise _conversion_error(self, "float")

        def __complex__(self):  # complex(v), cmath.exp(v)
            raise _conversion_error(self, "complex")

        def __int__(self):  # int(v)
            raise _conversion_error(self, "int")

        def __index__(self):  # operator.index(v), seq[v], range(v)
            raise _conversion_error(self, "index")

        def __round__(self, ndigits=None):  # round(v)
            raise _conversion_error(self, "round")

        def __trunc__(self):  # math.trunc(v)
            raise _conversion_error(self, "math.trunc")

        def __floor__(self):  # math.floor(v)
            raise _conversion_error(self, "math.floor")

        def __ceil__(self):  # math.ceil(v)
            raise _conversion_error(self, "math.ceil")

        def __bool__(self):  # if v:, v or w, not v
            raise _conversion_error(self, "bool")

    # -- elementwise functions: generated from ops.RULES (value, partial and domain there);
    # tanh and relu, the networks' activations, are written out for speed and
    # tests/test_ops_table.py checks them (and every method) against the rule bit for bit --

    exp = _method("exp")
    exp2 = _method("exp2")
    expm1 = _method("expm1")
    log = _method("log")
    log2 = _method("log2")
    log10 = _method("log10")
    log1p = _method("log1p")
    sqrt = _method("sqrt")
    def tanh(self) -> Value:  # hand-specialised ops.RULES["tanh"]: tanh x, ∂ = 1 − tanh²x
        t = math.tanh(self.data)
        return _node(t, "tanh", self, 1.0 - t * t)

    sigmoid = _method("sigmoid")
    softplus = _method("softplus")
    def relu(self) -> Value:  # hand-specialised ops.RULES["relu"]: max(0, x), ∂ = [x > 0]
        x = self.data
        if x > 0.0:
            return _node(x, "relu", self, 1.0)
        return _node(0.0, "relu", self, 0.0)

    abs = _method("abs")
    sign = _method("sign")
    sin = _method("sin")
    cos = _method("cos")
    tan = _method("tan")
    asin = _method("asin")
    acos = _method("acos")
    atan = _method("atan")
    sinh = _method("sinh")
    cosh = _method("cosh")
    asinh = _method("asinh")
    acosh = _method("acosh")
    atanh = _method("atanh")
    __neg__ = _method("neg")  # -self

    def maximum(self, other: Operand) -> Value:
        """max(self, other); the slope goes to the larger, ½ to each at a tie."""
        return apply("maximum", self, _operand(other, "maximum"))

    def minimum(self, other: Operand) -> Value:
        """min(self, other); the slope goes to the smaller, ½ to each at a tie."""
        return apply("minimum", self, _operand(other, "minimum"))

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

    # -- the chain rule ----------------------------------------------------------------

    def backward(self, create_graph: bool = False) -> None:
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

        With ``create_graph=True`` every ``grad`` becomes a :class:`Value` whose own graph
        computes it, so it can be differentiated again (Hessian-vector products, Newton
        steps).  The local partials are then rebuilt as Values from each node's rule in
        :data:`micrograd_like.ops.RULES`; the default first-order pass uses the stored floats.

        >>> x = Value(3.0)
        >>> y = x ** 3
        >>> y.backward(create_graph=True)
        >>> dy = x.grad                  # dy/dx = 3x², a Value with a graph
        >>> dy.data
        27.0
        >>> x.grad = 0.0
        >>> dy.backward()                # d/dx (3x²) = 6x
        >>> x.grad
        18.0

        Raises:
            FloatingPointError: a gradient overflowed to ±inf or nan.
        """
        if create_graph:
            _backward_graph(self)
            return
        ops, leaves = _backward_order(self)  # op nodes (grads set to 0), then leaves
        if self._a is not None:
            self.grad = 1.0
        else:
            self.grad += 1.0
        # The chain rule, the only place it is applied: p.grad += (∂v/∂p) · v.grad, for
        # the parents a, b and then the n-ary node's further edges, in order.
        for v in reversed(ops):
            g = v.grad
            v._a.grad += v._da * g  # type: ignore[union-attr]  # an op node has a parent
            b = v._b
            if b is not None:
                b.grad += v._db * g
                more = v._more
                if more is not None:  # n-ary (sum, dot): parent, partial, ...
                    pairs = iter(more)
                    for p in pairs:
                        p.grad += next(pairs) * g
        for v in leaves:  # non-finite values reach at least one leaf, so check only leaves
            g = v.grad
            if type(g) is not float:  # a Value left by create_graph=True, a numpy float
                g = _number(g)
            if g - g:
                raise FloatingPointError(f"backward: gradient overflowed to {g!r} at leaf {v!r}")

    def zero_grad(self) -> None:
        """Set ``grad = 0`` on this node and on every node it depends on."""
        for v in topological_order(self):
            v.grad = 0.0


#: Each refused conversion: what was written, and what to write instead.
_CONVERSIONS: dict[str, tuple[str, str]] = {
    "float": ("a Value is not a float: float(v), which math.exp(v), math.log(v), math.sqrt(v), "
              "np.float64(v) and np.asarray(..., dtype=float) call,",
              "use v.exp(), v.log(), v.sqrt(), ... (or micrograd_like.exp(v), ...) to stay in "
              "the graph, or v.data for the number"),
    "complex": ("a Value is not a complex number: complex(v)",
                "the engine is real-valued: use v.data for the number"),
    "int": ("a Value is not an int: int(v)", "use int(v.data) for the number"),
    "index": ("a Value is not an integer index: operator.index(v), seq[v], range(v)",
              "use int(v.data) for the number"),
    **{f: (f"a Value cannot be rounded in the graph: {f}(v)",
           f"rounding has slope 0, so use {f}(v.data), a constant")
       for f in ("round", "math.trunc", "math.floor", "math.ceil")},
    "bool": ("the truth value of a Value is ambiguous: bool(v) (if v:, v or w, not v) would "
             "test that the node exists, true even for 0.0, not its number",
             "compare instead (v > 0, v.data != 0.0) or test v is not None"),
}


def _conversion_error(v: Value, kind: str) -> TypeError:
    """The TypeError of a refused conversion of ``v`` (a key of ``_CONVERSIONS``)."""
    what, fix = _CONVERSIONS[kind]
    drops = "" if kind == "bool" else " would drop v from the graph and lose its gradient"
    return TypeError(f"{what}{drops}; {fix} (here v.data = {v.data!r})")


def _number(r: Any) -> float:
    """A rule's result as a float.  A user's formula (define_op) may give an int, or, when
    written with the function forms (``micrograd_like.exp(x)``), a Value even on floats."""
    return r.data if isinstance(r, Value) else float(r)


def _node(data: float, op: str, a: Value | None = None, da: float = 0.0,
          b: Value | None = None, db: float = 0.0, more: tuple | None = None) -> Value:
    """Make an op's output node with edges ``a`` (``∂/∂a = da``), ``b`` and ``more``.

    No checks: the op has already validated ``data`` and the partials.
    """
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    if _no_grad_blocks and not _grad_enabled.get():  # inside no_grad(): a leaf
        a = b = more = None
        op = ""
    v._a = a
    v._da = da
    v._b = b
    v._db = db
    v._more = more
    v.op = op
    v.label = ""
    v.tag = None
    v._mark = None
    return v


def _edge_node(data: float, op: str, edges: Sequence[Any]) -> Value:
    """An op's node from its interleaved edges ``(p₀, ∂/∂p₀, p₁, ∂/∂p₁, ...)``, any number."""
    if len(edges) <= 4:
        return _node(data, op, *edges)
    a, da, b, db = edges[:4]
    return _node(data, op, a, da, b, db, tuple(edges[4:]))


def _apply1(op: ops.Op, x: Value) -> Value:
    """A one-input op on ``x``: value and partial as floats from the op's rule."""
    a = x.data
    domain = op.domain
    if domain is not None and not domain(a):
        raise op.error((a,))
    try:
        r = op.forward(_F, a)
        if type(r) is not float:
            r = _number(r)
        d = op.partials[0](_F, a, r)
        if type(d) is not float:
            d = _number(d)
        if r - r or d - d:  # ±inf or nan (x - x is 0.0 for every finite x)
            raise OverflowError
    except (ArithmeticError, ValueError):
        raise op.error((a,)) from None
    return _node(r, op.name, x, d)


def apply(op: str | ops.Op, *args: Operand) -> Value:
    """The node ``op(*args)``: its value and local partials as floats, from ops.RULES.

    Numbers among ``args`` take part as constant leaves.

    >>> apply("maximum", Value(2.0), Value(3.0)).local_grads
    (0.0, 1.0)
    """
    rule = op if isinstance(op, ops.Op) else ops.rule(op)
    vs = [_operand(a, rule.name) for a in args]  # numbers take part as constant leaves
    if rule.arity == 1 and len(vs) == 1:
        return _apply1(rule, vs[0])
    if rule.arity != ops.NARY and len(vs) != rule.arity:
        raise TypeError(f"{rule.name} takes {rule.arity} input(s), got {len(vs)}")
    xs = [a.data for a in vs]
    if rule.domain is not None and not rule.domain(*xs):
        raise rule.error(xs)
    try:
        r = _number(rule.forward(_F, *xs))
        if rule.arity == ops.NARY:
            ds = [_number(d) for d in rule.partials[0](_F, xs, r)]
        else:
            ds = [_number(p(_F, *xs, r)) for p in rule.partials]
        if r - r or any(d - d for d in ds):
            raise OverflowError
    except (ArithmeticError, ValueError):
        raise rule.error(xs) from None
    edges: list = [None] * (2 * len(vs))
    edges[0::2], edges[1::2] = vs, ds
    return _edge_node(r, rule.name, edges)


_new = object.__new__

#: Called as ``hook(op, a, b)`` before a Value comparison, when set (``micrograd_like.tape``
#: sets it while tracing, to refuse branches on data).  ``None`` otherwise.
_comparison_hook: Callable[[str, Any, Any], None] | None = None


def _compare(op: str, a: Value, b: Any) -> bool:
    """``a.data op b`` (``b`` a Value or a real number); a comparison makes no node."""
    if not isinstance(b, Value) and (isinstance(b, bool) or not isinstance(b, numbers.Real)):
        return NotImplemented
    if _comparison_hook is not None:
        _comparison_hook(op, a, b)
    x, y = a.data, (b.data if isinstance(b, Value) else float(b))
    return x < y if op == "<" else x <= y if op == "<=" else x > y if op == ">" else x >= y


# --------------------------------------------------------------------------------------
# n-ary nodes
# --------------------------------------------------------------------------------------


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - deliberately mirrors builtins.sum
    """Σᵢ vᵢ as **one** node (instead of a chain of n−1 ``+`` nodes); ∂/∂vᵢ = 1.

    Summation rule: plain left-to-right float addition, ``((v₁ + v₂) + v₃) + …``, exactly
    what a chain of ``+`` nodes computes, so both give the same bits, on every Python
    version (the built-in ``sum()`` of floats is compensated from Python 3.12 on; it is
    not used here).  The sum of no values is 0.0.

    >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = sum(xs); s.backward()
    >>> s.data, [x.grad for x in xs]
    (6.0, [1.0, 1.0, 1.0])
    """
    # Hand-specialised node building; the rule is ops.RULES["sum"], and
    # tests/test_ops_table.py checks this code against it.
    vs = [v if isinstance(v, Value) else _operand(v, "sum") for v in values]
    data = [v.data for v in vs]
    r = reduce(add, data) if data else 0.0  # left to right, as a chain of + would
    if r - r:
        raise ops.RULES["sum"].error(data)
    edges: list = []
    for v in vs:
        edges.append(v)
        edges.append(1.0)
    return _edge_node(r, "sum", edges)


def dot(ws: Sequence[Operand], xs: Sequence[Operand], bias: Operand | None = None) -> Value:
    """Σₖ wₖ·xₖ (+ b) as **one** node; ∂/∂wₖ = xₖ, ∂/∂xₖ = wₖ, ∂/∂b = 1.

    This is a neuron's weighted input z = Σₖ wₖ aₖ + b, so after ``backward()`` its
    ``grad`` is the neuron's error δ = ∂C/∂z.  Parents are ordered ``w₁..wₙ, x₁..xₙ[, b]``.

    Summation rule: as :func:`sum`, plain left to right, ``((w₁x₁ + w₂x₂) + …) + b``, the
    same bits as the chain of ``*`` and ``+`` nodes on every Python version.

    >>> z = dot([Value(2.0), Value(-1.0)], [3.0, 4.0], bias=Value(0.5))
    >>> z.data
    2.5
    """
    # Hand-specialised (the hot path of every neuron); the rule is ops.RULES["dot"], and
    # tests/test_ops_table.py checks this code against it.
    n = len(ws)
    if n != len(xs):
        raise ValueError(f"dot: ws and xs differ in length ({n} != {len(xs)})")
    # all-Value arguments (the usual case) are used as they are; numbers become leaves.
    # (map and set run in C: a neuron's dot is the hot path of every network.)
    wv: Sequence[Value] = (ws if set(map(type, ws)) <= _JUST_VALUE  # type: ignore[assignment]
                           else [_operand(w, "dot") for w in ws])
    xv: Sequence[Value] = (xs if set(map(type, xs)) <= _JUST_VALUE  # type: ignore[assignment]
                           else [_operand(x, "dot") for x in xs])
    wd = list(map(_data, wv))
    xd = list(map(_data, xv))
    m = 2 * n
    edges: list = [None] * (2 * m + (0 if bias is None else 2))
    edges[0:m:2], edges[1:m:2] = wv, xd  # ∂z/∂wₖ = xₖ
    edges[m:2 * m:2], edges[m + 1:2 * m:2] = xv, wd  # ∂z/∂xₖ = wₖ
    # Summed left to right, exactly as the elementary chain ((w₁x₁ + w₂x₂) + …) + b would be,
    # so a z built from * and + nodes has bit-identical value and gradients.
    r = reduce(add, map(mul, wd, xd)) if n else 0.0
    if bias is not None:
        b = _operand(bias, "dot")
        r += b.data
        edges[-2], edges[-1] = b, 1.0  # ∂z/∂b = 1
    if r - r:
        raise ops.RULES["dot"].error([w * x for w, x in zip(wd, xd)])
    return _edge_node(r, "dot", edges)


_JUST_VALUE = frozenset({Value})
_data = attrgetter("data")


# --------------------------------------------------------------------------------------
# Graph walking and grad mode
# --------------------------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, parents before children, ``root`` last.

    An iterative depth-first walk (no recursion), so a chain of any length works.  A node
    whose parents are still being placed sits on the stack under a ``_PLACE`` marker; when
    the marker surfaces again, all its parents are in ``order`` and the node follows.
    Parents are pushed in order (a, b, then the rest), so the order is the same on every
    run.
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
            a = v._a
            if a is None:
                append(v)
                continue
            push(v)
            push(_PLACE)
            if a not in seen:
                push(a)
            b = v._b
            if b is not None:
                if b not in seen:
                    push(b)
                if v._more is not None:
                    for p in v._more[0::2]:
                        if p not in seen:
                            push(p)
    return order


def _backward_order(root: Value) -> tuple[list[Value], list[Value]]:
    """``backward``'s walk: the op nodes of ``topological_order(root)``, in the same order
    and with their grads set to 0, and, in a second list, the leaves.

    The same walk as :func:`topological_order`, except that a visited node is marked with
    a token of this call in its ``_mark`` slot instead of being added to a set: no hashing
    and no table of all the nodes, about a sixth of ``backward``'s time on a wide graph.
    A mark left by an earlier call is another token (kept alive by the marks that hold it,
    so a new token is never the same object), so it reads as "not seen".

    Why marks are safe: only this walk writes them, so drawing, ``zero_grad`` or
    ``topological_order`` in another thread never disturb it.  Two ``backward`` passes
    running at once (threads) over the same op node are unsupported anyway, as each sets
    that node's grad to 0 and adds into it; over a shared *leaf* a pass may lose its mark
    and list the leaf twice, which only repeats the leaf's finiteness check.
    """
    ops: list[Value] = []
    leaves: list[Value] = []
    token = object()
    stack: list[Any] = [root]
    place, leaf, push, pop = ops.append, leaves.append, stack.append, stack.pop
    while stack:
        v = pop()
        if v is _PLACE:
            v = pop()
            v.grad = 0.0
            place(v)
        elif v._mark is not token:
            v._mark = token
            a = v._a
            if a is None:
                leaf(v)
                continue
            push(v)
            push(_PLACE)
            if a._mark is not token:
                push(a)
            b = v._b
            if b is not None:
                if b._mark is not token:
                    push(b)
                if v._more is not None:
                    for p in v._more[0::2]:
                        if p._mark is not token:
                            push(p)
    return ops, leaves


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
        if v._a is None:
            continue
        g = grads.get(v, 0.0)
        updates = []
        for p, d in zip(v.parents, v.local_grads):  # the chain rule, as Value.backward
            total = grads.get(p, 0.0) + d * g
            grads[p] = total
            updates.append((p, d, total))
        yield v, g, updates


# no_grad: one flag per thread and per asyncio task (a context variable), plus a count of
# the no_grad blocks open anywhere, so that _node pays one global test when none is open.
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

    Use it for evaluation, where no ``backward()`` will follow: it saves the memory of the
    graph.  The switch is per thread and per asyncio task (a :mod:`contextvars` variable):
    a ``no_grad`` block in one thread does not affect graphs another thread builds.

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


# --------------------------------------------------------------------------------------
# Derivatives of derivatives
# --------------------------------------------------------------------------------------


def _value_partials(v: Value) -> list[Any]:
    """``∂v/∂p`` for each parent p as Values (or plain numbers for constants), from the rule."""
    rule = ops.rule(v.op)
    parents = v.parents
    m = ops.values()
    if rule.arity == ops.NARY:
        return list(rule.partials[0](m, parents, v))
    return [p(m, *parents, v) for p in rule.partials]


def _grad_values(root: Value) -> dict[Value, Value]:
    """``∂root/∂v`` as a Value (with its own graph) for every node v that root depends on."""
    order = topological_order(root)
    grads: dict[Value, Value] = {root: Value(1.0)}
    for v in reversed(order):
        g = grads.get(v)
        if g is None or v._a is None:
            continue
        for p, d in zip(v.parents, _value_partials(v)):
            if isinstance(d, Value):
                c = d * g
            elif d == 1.0:
                c = g
            elif d == 0.0:
                continue
            else:
                c = g * d
            old = grads.get(p)
            grads[p] = c if old is None else old + c
    return grads


def _backward_graph(root: Value) -> None:
    """``root.backward(create_graph=True)``: the same semantics, grads as Values."""
    grads = _grad_values(root)
    for v in topological_order(root):
        g = grads.get(v)
        if v._a is not None:
            v.grad = g if g is not None else 0.0  # type: ignore[assignment]
        elif g is not None:
            # grad is declared float; after create_graph it holds a Value (documented)
            v.grad = g if isinstance(v.grad, float) and v.grad == 0.0 else (  # type: ignore
                v.grad + g)
    for v, g in grads.items():
        if v._a is None and g.data - g.data:
            raise FloatingPointError(
                f"backward: gradient overflowed to {g.data!r} at leaf {v!r}")


def grad(f: Callable[..., Any], argnum: int = 0) -> Callable[..., Value]:
    """The function ``∂f/∂(argument argnum)``; nestable for higher derivatives.

    ``grad(f)(x)`` calls ``f`` with ``x`` as a Value (numbers are wrapped) and returns
    ``∂f/∂x`` as a Value whose graph computes it, so ``grad(grad(f))`` is the second
    derivative.  The result's ``.data`` is the number.  ``.grad`` fields are not touched.

    >>> import math
    >>> d2 = grad(grad(lambda x: x.tanh()))        # tanh″ = −2 tanh·(1 − tanh²)
    >>> t = math.tanh(0.5)
    >>> round(d2(0.5).data, 12) == round(-2 * t * (1 - t * t), 12)
    True
    >>> grad(lambda x, y: x * y, argnum=1)(2.0, 5.0).data   # ∂(xy)/∂y = x
    2.0
    """
    if not callable(f):
        raise TypeError(f"grad: f must be callable, got {type(f).__name__}")
    if not isinstance(argnum, int) or isinstance(argnum, bool):
        raise TypeError(f"grad: argnum must be an int, got {argnum!r}")

    def df(*args: Any) -> Value:
        if not -len(args) <= argnum < len(args):
            raise IndexError(f"grad: argnum {argnum} but f was given {len(args)} argument(s)")
        args_ = list(args)
        x = args_[argnum]
        if not isinstance(x, Value):
            x = args_[argnum] = Value(_as_float(x, f"grad: argument {argnum}"))
        out = f(*args_)
        if not isinstance(out, Value):
            _as_float(out, "grad: f's result")
            return Value(0.0)  # f does not depend on its argument
        g = _grad_values(out).get(x)
        return Value(0.0) if g is None else g  # None: out does not depend on x

    df.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    df.__doc__ = f"∂/∂(argument {argnum}) of {getattr(f, '__name__', 'f')}"
    return df
