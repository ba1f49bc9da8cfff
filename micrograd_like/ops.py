"""The op rules, each written once: value, local partial derivatives, domain, formula text.

Every op of the engine is one :class:`Op` in :data:`RULES`.  An op's rule is written over a
*namespace* ``m`` of elementary functions (``m.exp``, ``m.tanh``, ``m.step``, ...), so the same
formula serves three readers (:mod:`micrograd_like.namespaces`): floats for the eager
engine, Values for derivatives of derivatives, numpy arrays for the tape.  The texts of a
node's formulas are written by :mod:`micrograd_like.formulas`.

A partial is called as ``partial(m, *inputs, out)``: ``out`` is the op's value (``1 − out²``
for tanh is cheaper than ``1 − tanh²x`` and, for Values, is the node itself).

>>> rule = RULES["tanh"]
>>> rule.formula, rule.partial_text
('tanh(x)', ('1 − tanh²(x)',))
>>> from micrograd_like.namespaces import FLOATS
>>> y = rule.forward(FLOATS, 0.5)
>>> rule.partials[0](FLOATS, 0.5, y) == 1 - math.tanh(0.5) ** 2
True

Ops with a constant (``x ** c``, ``c ** x``, ``x % c``) are families: the node's op name
carries the constant (``"**2"``, ``"2**"``, ``"%3"``) and :func:`rule` builds the Op for it.

Domain rule (one for all ops): an input where the op's value is undefined, or where the
value or a local partial is infinite, raises when the node is made, naming the op and the
input: :class:`ZeroDivisionError` at a pole (``1/0``, ``0 ** -1``), :class:`ValueError`
outside the domain (``log(-1)``, ``asin(2)``), :class:`OverflowError` when a finite input
overflows a float (``exp(1000)``).  Non-differentiable points take a documented convention
(:attr:`Op.convention`), e.g. ``relu'(0) = 0``.
"""

from __future__ import annotations

import _thread
import math
from collections.abc import Callable, Sequence
from functools import reduce
from typing import TYPE_CHECKING, Any, NamedTuple

from micrograd_like import namespaces

if TYPE_CHECKING:
    from micrograd_like.engine import Value

__all__ = [
    "NARY", "Op", "RULES", "define_op", "function", "function_names", "mod_op", "pow_op",
    "rpow_op", "rule", "short", "subscript", "superscript", "symbols",
]

NARY = -1
"""The arity of an op that takes any number of inputs (``sum``, ``dot``)."""


# --------------------------------------------------------------------------------------
# An op
# --------------------------------------------------------------------------------------


class Op(NamedTuple):
    """One op: its value and local partials (formulas over a namespace ``m``) and its texts.

    Attributes:
        name: the op name stored on nodes (``"tanh"``, ``"*"``, ``"**2"``).
        arity: number of inputs (1, 2, ...) or :data:`NARY`.
        forward: ``forward(m, *inputs) -> out``.
        partials: one ``partial(m, *inputs, out) -> ∂out/∂inputᵢ`` per input; for an
            :data:`NARY` op, one function ``(m, inputs, out) -> [∂out/∂input for each]``.
        formula: the value as text over :func:`symbols` (``"tanh(x)"``, ``"a·b"``).
        partial_text: ``∂out/∂input`` as text, per input (n-ary: see :func:`partial_formulas`).
        domain: ``domain(*inputs) -> bool``, False where the op is undefined (or a partial is
            infinite); ``None``: defined for every finite input.
        domain_text: the domain in words (``"x > 0"``).
        pole: ``pole(*inputs) -> bool``, True where the value or a partial is infinite
            because of a division by zero; those raise ZeroDivisionError.
        convention: what the op does at points where it is not differentiable.
        builtin: False for ops added with :func:`define_op`.
    """

    name: str
    arity: int
    forward: Callable[..., Any]
    partials: tuple[Callable[..., Any], ...]
    formula: str
    partial_text: tuple[str, ...]
    domain: Callable[..., bool] | None = None
    domain_text: str = "every real number"
    pole: Callable[..., bool] | None = None
    convention: str = ""
    builtin: bool = True
    doc: str = ""

    def error(self, inputs: Sequence[float]) -> ArithmeticError | ValueError:
        """The exception for ``inputs`` at which this op failed (pole, domain, or overflow)."""
        names = symbols(self, len(inputs))
        at = ", ".join(f"{s}={x!r}" for s, x in zip(names, inputs))
        if self.pole is not None and self.pole(*inputs):
            return ZeroDivisionError(
                f"{self.name}: division by zero at {at} (defined for {self.domain_text})")
        if self.domain is not None and not self.domain(*inputs):
            return ValueError(f"{self.name}: undefined at {at} (defined for {self.domain_text})")
        shown = ", ".join(repr(x) for x in inputs[:4])
        if len(inputs) > 4:
            shown += f", ... ({len(inputs)} operands)"
        return OverflowError(f"{self.name} overflows a float at {shown}")


def symbols(op: Op | Value, n: int | None = None) -> tuple[str, ...]:
    """The names formulas use for an op's inputs, in order.

    ``x`` for one input, ``a, b`` for two, ``x₁ … xₙ`` for more (``sum``), and for ``dot``
    ``w₁ … wₙ, x₁ … xₙ`` then ``b`` when it has a ``plus`` term.

    >>> symbols(RULES["*"]), symbols(RULES["dot"], 5)
    (('a', 'b'), ('w₁', 'w₂', 'x₁', 'x₂', 'b'))
    """
    if not isinstance(op, Op):
        if not op.op:  # a leaf
            return ()
        n = len(op.parents)
        op = rule(op.op)
    arity = op.arity if op.arity != NARY else (n or 0)
    if op.name == "dot":
        k = (n or 0) // 2
        return (*(f"w{subscript(i)}" for i in range(1, k + 1)),
                *(f"x{subscript(i)}" for i in range(1, k + 1)), *(("b",) if (n or 0) % 2 else ()))
    if op.arity == 1:
        return ("x",)
    if op.arity == 2:
        return ("a", "b")
    return tuple(f"x{subscript(i)}" for i in range(1, arity + 1))  # n-ary: x₁ … xₙ


def subscript(i: int) -> str:
    """``i`` in subscript digits: 12 -> '₁₂'."""
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def superscript(s: str) -> str:
    """``s`` in superscript digits: '-1' -> '⁻¹'."""
    return s.translate(str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·"))


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------

RULES: dict[str, Op] = {}
"""Every op by name: the built-ins below and those added with :func:`define_op`."""

_lock = _thread.allocate_lock()  # (not threading: importing the engine stays light)


def _add(op: Op) -> Op:
    RULES[op.name] = op
    return op


def _unary(name, forward, partial, formula, partial_text, domain=None, domain_text=None,
           pole=None, convention="", doc="") -> Op:
    return _add(Op(name, 1, forward, (partial,), formula, (partial_text,), domain,
                   domain_text or "every real number", pole, convention, True, doc))


def _pos(x: float) -> bool:
    return x > 0.0


def _inside_unit(x: float) -> bool:
    return -1.0 < x < 1.0


# name, forward(m, x), ∂out/∂x (m, x, out), formula, its text, domain, domain text, pole
_unary("neg", lambda m, x: -x, lambda m, x, o: -1.0, "−x", "−1")
_unary("exp", lambda m, x: m.exp(x), lambda m, x, o: o, "exp(x)", "exp(x)")
_unary("exp2", lambda m, x: m.pow(2.0, x), lambda m, x, o: o * math.log(2.0), "2^x", "2^x·ln 2")
_unary("expm1", lambda m, x: m.expm1(x), lambda m, x, o: o + 1.0, "exp(x) − 1", "exp(x)")
_unary("log", lambda m, x: m.log(x), lambda m, x, o: 1.0 / x, "ln(x)", "1/x", _pos, "x > 0")
_unary("log2", lambda m, x: m.log2(x), lambda m, x, o: 1.0 / (x * math.log(2.0)),
       "log₂(x)", "1/(x·ln 2)", _pos, "x > 0")
_unary("log10", lambda m, x: m.log10(x), lambda m, x, o: 1.0 / (x * math.log(10.0)),
       "log₁₀(x)", "1/(x·ln 10)", _pos, "x > 0")
_unary("log1p", lambda m, x: m.log1p(x), lambda m, x, o: 1.0 / (1.0 + x),
       "ln(1 + x)", "1/(1 + x)", lambda x: x > -1.0, "x > −1")
_unary("sqrt", lambda m, x: m.sqrt(x), lambda m, x, o: 0.5 / o, "√x", "1/(2√x)", _pos,
       "x > 0 (at 0 the slope 1/(2√x) is infinite)")
_unary("tanh", lambda m, x: m.tanh(x), lambda m, x, o: 1.0 - o * o, "tanh(x)", "1 − tanh²(x)")
_unary("sigmoid", lambda m, x: m.sigmoid(x), lambda m, x, o: o * (1.0 - o),
       "σ(x)", "σ(x)(1 − σ(x))")
_unary("softplus", lambda m, x: m.softplus(x), lambda m, x, o: m.sigmoid(x),
       "ln(1 + exp(x))", "σ(x)")
_unary("relu", lambda m, x: m.relu(x), lambda m, x, o: m.step(x), "max(0, x)",
       "1 if x > 0 else 0", convention="relu′(0) = 0")
_unary("abs", lambda m, x: m.abs(x), lambda m, x, o: m.sign(x), "|x|", "sign(x)",
       convention="abs′(0) = 0")
_unary("sign", lambda m, x: m.sign(x), lambda m, x, o: 0.0, "sign(x)", "0",
       convention="sign(0) = 0; the slope is taken as 0 everywhere, also at the jump x = 0")
_unary("sin", lambda m, x: m.sin(x), lambda m, x, o: m.cos(x), "sin(x)", "cos(x)")
_unary("cos", lambda m, x: m.cos(x), lambda m, x, o: -m.sin(x), "cos(x)", "−sin(x)")
_unary("tan", lambda m, x: m.tan(x), lambda m, x, o: 1.0 + o * o, "tan(x)", "1 + tan²(x)",
       domain_text="x ≠ π/2 + kπ (no float is exactly there)")
_unary("asin", lambda m, x: m.asin(x), lambda m, x, o: 1.0 / m.sqrt(1.0 - x * x),
       "asin(x)", "1/√(1 − x²)", _inside_unit, "−1 < x < 1 (the slope is infinite at ±1)")
_unary("acos", lambda m, x: m.acos(x), lambda m, x, o: -1.0 / m.sqrt(1.0 - x * x),
       "acos(x)", "−1/√(1 − x²)", _inside_unit, "−1 < x < 1 (the slope is infinite at ±1)")
_unary("atan", lambda m, x: m.atan(x), lambda m, x, o: 1.0 / (1.0 + x * x),
       "atan(x)", "1/(1 + x²)")
_unary("sinh", lambda m, x: m.sinh(x), lambda m, x, o: m.cosh(x), "sinh(x)", "cosh(x)")
_unary("cosh", lambda m, x: m.cosh(x), lambda m, x, o: m.sinh(x), "cosh(x)", "sinh(x)")
_unary("asinh", lambda m, x: m.asinh(x), lambda m, x, o: 1.0 / m.sqrt(x * x + 1.0),
       "asinh(x)", "1/√(x² + 1)")
_unary("acosh", lambda m, x: m.acosh(x), lambda m, x, o: 1.0 / m.sqrt(x * x - 1.0),
       "acosh(x)", "1/√(x² − 1)", lambda x: x > 1.0, "x > 1 (the slope is infinite at 1)")
_unary("atanh", lambda m, x: m.atanh(x), lambda m, x, o: 1.0 / (1.0 - x * x),
       "atanh(x)", "1/(1 − x²)", _inside_unit, "−1 < x < 1")


def _binary(name, forward, pa, pb, formula, ta, tb, domain=None, domain_text=None, pole=None,
            convention="") -> Op:
    return _add(Op(name, 2, forward, (pa, pb), formula, (ta, tb), domain,
                   domain_text or "all real a, b", pole, convention))


# The hot binary ops (+ − · /) have hand-specialised float code in engine.Value; a test
# checks that code against these entries.
_binary("+", lambda m, a, b: a + b, lambda m, a, b, o: 1.0, lambda m, a, b, o: 1.0,
        "a + b", "1", "1")
_binary("-", lambda m, a, b: a - b, lambda m, a, b, o: 1.0, lambda m, a, b, o: -1.0,
        "a − b", "1", "−1")
_binary("*", lambda m, a, b: a * b, lambda m, a, b, o: b, lambda m, a, b, o: a,
        "a·b", "b", "a")
_binary("/", lambda m, a, b: a / b, lambda m, a, b, o: 1.0 / b, lambda m, a, b, o: -o / b,
        "a/b", "1/b", "−a/b²", lambda a, b: b != 0.0, "b ≠ 0", lambda a, b: b == 0.0)


def _powv_domain(a: float, b: float) -> bool:
    # aᵇ needs a ≥ 0 (the slope in b is aᵇ·ln a); at a = 0 both slopes are finite only for
    # b = 1 or b > 1 (b·aᵇ⁻¹), and ∂/∂b takes the limit 0·ln 0 = 0
    return a > 0.0 or (a == 0.0 and b >= 1.0)


_binary("**", lambda m, a, b: m.pow(a, b), lambda m, a, b, o: b * m.pow(a, b - 1.0),
        lambda m, a, b, o: m.xlogy(o, a), "a^b", "b·a^(b − 1)", "a^b·ln(a)", _powv_domain,
        "a > 0, or a = 0 with b ≥ 1 (there ∂/∂b = lim a^b·ln a = 0)",
        lambda a, b: a == 0.0 and b < 1.0,
        convention="0 ** b for b ≥ 1: the value 0 and ∂/∂b = 0 (the limit of aᵇ·ln a)")
_binary("maximum", lambda m, a, b: m.maximum(a, b), lambda m, a, b, o: m.above(a, b),
        lambda m, a, b, o: m.above(b, a), "max(a, b)", "1 if a > b, ½ if a = b, else 0",
        "1 if b > a, ½ if a = b, else 0",
        convention="at a tie a = b the slope is shared: ½ to each (as PyTorch)")
_binary("minimum", lambda m, a, b: m.minimum(a, b), lambda m, a, b, o: m.above(b, a),
        lambda m, a, b, o: m.above(a, b), "min(a, b)", "1 if a < b, ½ if a = b, else 0",
        "1 if b < a, ½ if a = b, else 0",
        convention="at a tie a = b the slope is shared: ½ to each (as PyTorch)")


def _dot_partials(m: Any, xs: Sequence, out: Any) -> list:
    n = len(xs) // 2
    return [*xs[n:2 * n], *xs[:n], *((1.0,) if len(xs) % 2 else ())]


# n-ary ops: the engine's sum and dot build these nodes directly (hand-specialised, checked
# against these entries by a test); the summation is left to right, see engine.sum.
_add(Op("sum", NARY, lambda m, *xs: _left_to_right(xs),
        (lambda m, xs, out: [1.0] * len(xs),), "x₁ + x₂ + … + xₙ", ("1",)))
_add(Op("dot", NARY, lambda m, *xs: _dot_value(xs), (_dot_partials,), "Σₖ wₖ·xₖ + b",
        ("xₖ", "wₖ", "1")))


def _logsumexp(m: Any, *xs: Any) -> Any:
    # ln Σₖ e^xₖ = M + ln Σₖ e^(xₖ − M) for any M; with M = maxₖ xₖ no exp overflows and the
    # largest term is 1 (no ln 0): logits [1500, 0] give 1500 + ln(1 + e⁻¹⁵⁰⁰) = 1500
    top = reduce(m.maximum, xs)
    return top + m.log(_left_to_right([m.exp(x - top) for x in xs]))


# ∂/∂xₖ = e^xₖ / Σⱼ e^xⱼ = e^(xₖ − out): the softmax, each term at most 1
_add(Op("logsumexp", NARY, _logsumexp, (lambda m, xs, out: [m.exp(x - out) for x in xs],),
        "ln(e^x₁ + … + e^xₙ)", ("e^(xₖ − out)",), lambda *xs: len(xs) > 0,
        "at least one input"))


def _left_to_right(xs: Sequence) -> Any:
    total = xs[0] if xs else 0.0
    for x in xs[1:]:
        total = total + x
    return total


def _dot_value(xs: Sequence) -> Any:
    n = len(xs) // 2
    terms = [w * x for w, x in zip(xs[:n], xs[n:2 * n])]
    return _left_to_right(terms + list(xs[2 * n:]))


# --------------------------------------------------------------------------------------
# Families: ops with a constant in their name ("**2", "2**", "%3")
# --------------------------------------------------------------------------------------


def short(c: float) -> str:
    """A compact spelling of a constant in an op name: 2.0 -> '2', 0.5 -> '0.5'."""
    return str(int(c)) if c.is_integer() and abs(c) < 1e15 else repr(c)


def pow_op(c: float) -> Op:
    """``x ** c`` for a constant c: ∂/∂x = c·xᶜ⁻¹ (0 for c = 0)."""
    if c == 0.0:
        part, text = (lambda m, x, o: 0.0), "0"
    elif c == 1.0:
        part, text = (lambda m, x, o: 1.0), "1"
    elif c == 2.0:
        part, text = (lambda m, x, o: 2.0 * x), "2·x"
    else:
        part = lambda m, x, o: c * m.pow(x, c - 1.0)  # noqa: E731
        text = f"{short(c)}·x{_power_text(c - 1.0)}"
    integer = c.is_integer()
    return Op(
        f"**{short(c)}", 1, lambda m, x: m.pow(x, c), (part,), f"x{_power_text(c)}", (text,),
        domain=None if integer and (c == 0.0 or c >= 1.0) else (
            lambda x: x > 0.0 or (x == 0.0 and (c == 0.0 or c >= 1.0)) or (x < 0.0 and integer)),
        domain_text="every real x" if integer and (c == 0.0 or c >= 1.0) else
        "x > 0; x = 0 needs c = 0 or c ≥ 1; x < 0 needs an integer c",
        pole=lambda x: x == 0.0 and (c < 0.0 or 0.0 < c < 1.0),
        convention="x ** 0 = 1 with slope 0, also at x = 0",
        doc="x ** c with a constant exponent c",
    )


def _power_text(c: float) -> str:
    s = short(c)
    return "" if s == "1" else superscript(s) if s.lstrip("-").isdigit() else f"^{s}"


def rpow_op(c: float) -> Op:
    """``c ** x`` for a constant base c ≥ 0: ∂/∂x = cˣ·ln c, and 0 when c = 0 (x > 0)."""
    return Op(
        f"{short(c)}**", 1, lambda m, x: m.pow(c, x), (lambda m, x, o: m.xlogy(o, c),),
        f"{short(c)}^x", (f"{short(c)}^x·ln {short(c)}",),
        domain=None if c > 0.0 else lambda x: c == 0.0 and x > 0.0,
        domain_text="every real x" if c > 0.0 else
        "c > 0, or c = 0 with x > 0 (0^x = 0 and its slope lim c^x·ln c = 0)",
        pole=lambda x: c == 0.0 and x <= 0.0,
        convention="0 ** x = 0 for x > 0 with slope 0 (as autograd and PyTorch)",
        doc="c ** x with a constant base c",
    )


def mod_op(c: float) -> Op:
    """``x % c`` for a constant c ≠ 0 (Python's sign rule): ∂/∂x = 1 (at the jumps too)."""
    return Op(
        f"%{short(c)}", 1, lambda m, x: m.mod(x, c), (lambda m, x, o: 1.0,),
        f"x mod {short(c)}", ("1",), domain=None if c != 0.0 else lambda x: False,
        domain_text="every real x" if c != 0.0 else "c ≠ 0",
        pole=lambda x: c == 0.0,
        convention="the slope is 1 everywhere, also at the jumps x = k·c (the sign of the "
        "result is that of c, as Python's %)",
        doc="x % c with a constant c",
    )


def _family(name: str) -> tuple[str, Callable[[float], Op]] | None:
    """The constant's text and the family's maker for names like "**2", "2**", "%3"."""
    if name.startswith("**") and len(name) > 2:
        return name[2:], pow_op
    if name.endswith("**") and len(name) > 2:
        return name[:-2], rpow_op
    if name.startswith("%") and len(name) > 1:
        return name[1:], mod_op
    return None


_family_cache: dict[str, Op] = {}


def rule(name: str) -> Op:
    """The :class:`Op` of a node's op name (``v.op``), including families like ``"**2"``.

    Raises:
        KeyError: no op has this name.
    """
    op = RULES.get(name)
    if op is not None:
        return op
    op = _family_cache.get(name)
    if op is not None:
        return op
    family = _family(name)
    if family is not None:
        text, make = family
        try:
            c = float(text)
        except ValueError:
            c = math.nan
        if c - c == 0.0:  # a finite constant
            op = _family_cache[name] = make(c)
            return op
    raise KeyError(f"no op named {name!r} (known: {', '.join(RULES)})")


def function_names(arity: int | None = None) -> tuple[str, ...]:
    """Names of the ops callable as functions (``exp``, ``maximum``, ...), in table order.

    Operators (``+``, ``**``, ...) and the n-ary ``sum``/``dot`` are left out.  With
    ``arity``, only ops of that many inputs.
    """
    return tuple(name for name, op in RULES.items()
                 if name.isidentifier() and op.arity != NARY and name not in ("sum", "dot")
                 and (arity is None or op.arity == arity))


_functions: dict[str, tuple[Op, Callable[..., Value]]] = {}


def function(name: str) -> Callable[..., Value]:
    """The function form of an op: ``function("exp")(x)`` is ``eˣ`` for a Value or a number.

    The result is a Value (a number becomes a constant leaf).  Given numpy arrays it
    returns the op's value on them, so formulas written with function forms (in
    :func:`define_op`) also run on the tape.

    >>> function("exp")(0.0).data
    1.0
    """
    op = rule(name)
    cached = _functions.get(name)
    if cached is not None and cached[0] is op:  # (define_op may have replaced a user op)
        return cached[1]

    def f(*args: Any) -> Value:
        from micrograd_like import engine

        if len(args) != op.arity:
            raise TypeError(f"{name}() takes {op.arity} argument(s), got {len(args)}")
        if any(type(a).__module__ == "numpy" and hasattr(a, "shape") for a in args):
            return op.forward(namespaces.arrays(), *args)  # a user's formula replayed on the tape
        return engine.apply(op, *args)

    _functions[name] = (op, f)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"{op.formula}; ∂/∂{', '.join(symbols(op, op.arity))} = "
                 f"{', '.join(op.partial_text)}.  Defined for {op.domain_text}."
                 + (f"  {op.convention}." if op.convention else ""))
    return f


# --------------------------------------------------------------------------------------
# Ops that users define
# --------------------------------------------------------------------------------------


def define_op(
    name: str,
    forward: Callable[..., Any],
    partials: Sequence[Callable[..., Any]],
    *,
    formula: str,
    domain: Callable[..., bool] | None = None,
    partial_text: Sequence[str] | None = None,
    domain_text: str | None = None,
    convention: str = "",
) -> Callable[..., Value]:
    """Add an op to :data:`RULES`; return its function form.

    ``forward(*inputs)`` computes the value; ``partials`` gives, per input, a function of
    the inputs (optionally followed by the output ``out``) computing ``∂out/∂input``.  Write
    them with arithmetic (``+ - * / **``, ``abs``) or this package's function forms
    (``micrograd_like.exp``): then the same code runs on floats (the eager engine), on
    Values (derivatives of any order, :func:`~micrograd_like.grad`) and on numpy arrays (the
    tape).  ``domain(*inputs)`` returns False where the op is undefined: such inputs raise
    ValueError naming the op and the input.

    The op then works eagerly (the returned function, ``micrograd_like.<name>``), under
    ``grad`` and ``gradcheck``, on the tape and in drawings.

    >>> import micrograd_like as mg
    >>> cube = define_op("cube", lambda x: x * x * x, [lambda x: 3 * x * x], formula="x³")
    >>> y = cube(mg.Value(2.0)); y.backward()
    >>> y.data, y.parents[0].grad              # 2³, 3·2²
    (8.0, 12.0)
    >>> mg.gradcheck(cube, [0.7]).ok           # the finite difference agrees
    True
    >>> mg.grad(mg.grad(cube))(2.0)          # d²/dx² x³ = 6x
    12.0
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"define_op: the name must be an identifier, got {name!r}")
    if name in RULES and RULES[name].builtin:
        raise ValueError(f"define_op: {name!r} is a built-in op")
    if not callable(forward):
        raise TypeError(f"define_op {name!r}: forward must be callable")
    partials = list(partials)
    arity = len(partials)
    if arity < 1 or not all(callable(p) for p in partials):
        raise TypeError(f"define_op {name!r}: partials must be a non-empty list of callables")
    if not isinstance(formula, str):
        raise TypeError(f"define_op {name!r}: formula must be a str")
    texts = (tuple(partial_text) if partial_text is not None  # else "∂cube/∂x": no formula
             else tuple(f"∂{name}/∂{s}" for s in symbols(Op(name, arity, forward, (), "", ()))))
    if len(texts) != arity:
        raise ValueError(f"define_op {name!r}: {arity} partials but {len(texts)} texts")

    def fwd(m: Any, *xs: Any) -> Any:
        return _as_number(forward(*xs), m)

    wrapped = tuple(_wrap_partial(name, i, p, arity) for i, p in enumerate(partials))
    op = Op(name, arity, fwd, wrapped, formula, texts, domain,
            domain_text or ("where domain() is True" if domain else "every real number"),
            None, convention, builtin=False, doc=f"{name}: {formula} (user-defined)")
    with _lock:
        RULES[name] = op
    return function(name)


def _wrap_partial(name: str, i: int, p: Callable, arity: int) -> Callable:
    import inspect

    try:
        params = inspect.signature(p).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: give it the inputs
        return lambda m, *xs: _as_number(p(*xs[:arity]), m)
    positional = [q for q in params if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD)]
    varargs = any(q.kind == q.VAR_POSITIONAL for q in params)
    if varargs or len(positional) == arity + 1:
        return lambda m, *xs_out: _as_number(p(*xs_out), m)
    if len(positional) == arity:
        return lambda m, *xs_out: _as_number(p(*xs_out[:arity]), m)
    raise TypeError(
        f"define_op {name!r}: partial {i} takes {len(positional)} arguments; it must take the "
        f"{arity} input(s), optionally followed by the output"
    )


def _as_number(r: Any, m: Any) -> Any:
    """A user formula's result on floats as a float: it may be an int, or a Value when the
    formula uses the function forms (``micrograd_like.exp(x)``).  Other namespaces (Values,
    numpy arrays) take the result as it is."""
    if m is not namespaces.FLOATS or type(r) is float:
        return r
    return r.data if hasattr(r, "parents") else float(r)
