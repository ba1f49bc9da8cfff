"""Build-your-own notebooks 1 and 2: a Value with its ops, and tanh two ways.

Each checker takes the student's class and a ``seed`` (the numbers of the random graphs and
of the inputs come from it).  It first tries every op on its own, so a missing method or a
wrong local derivative is named with the op, then runs seeded random graphs (shared nodes,
repeated inputs, every op of the step) and compares ∂root/∂node, as the student's local
derivatives give it, with micrograd_like's backward and with central differences.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from nn.exercises.build_micrograd import graphs as g
from nn.exercises.build_micrograd.student import (
    LOCKED,
    chain_rule,
    node,
    number,
    run,
    student_class,
    walk,
)
from nn.verdict import NotYetError, Verdict, fmt, is_close, judge, shape_of_error

__all__ = ["check_add_mul", "check_value_ops", "check_tanh", "check_exp",
           "check_tanh_from_exp", "graph_gradients"]

OPS_1A = ("+", "*", "+c", "*c")
OPS_1B = (*OPS_1A, "c+", "c*", "-", "-c", "c-", "neg", "**", "/", "c/")
OPS_2 = ("+", "*", "*c", "c*", "-", "tanh", "exp")
FD_TOL = 1e-5  # central differences with h = 1e-6 are good to about 1e-8 on these graphs


# --------------------------------------------------------------------------------------
# one op at a time
# --------------------------------------------------------------------------------------

Mistakes = Sequence[tuple[Sequence[float], str]]


def _leaves(cls: type, xs: Sequence[float]) -> list[Any]:
    name = cls.__name__
    return [node(run(f"{name}({x})", cls, x), cls, f"{name}({x})") for x in xs]


def _one_op(cls: type, expr: str, dunder: str, fn: Callable[..., Any], xs: Sequence[float],
            want: float, grads: Sequence[float], mistakes: Mistakes = (),
            rule: str = "") -> str:
    """Apply ``fn`` (the op written ``expr``) to Values of ``xs``; check its data and the
    gradient its local derivatives give; return a line for the verdict's details."""
    if dunder and not hasattr(cls, dunder):
        raise NotYetError(f"`{expr}` fails: {dunder} is missing from {cls.__name__}",
                          _MISSING[dunder])
    vs = _leaves(cls, xs)
    out = node(run(f"`{expr}`", fn, *vs), cls, f"`{expr}`")
    data = number(out.data, f"({expr}).data")
    where = ", ".join(f"{n} = {x:g}" for n, x in zip("vw", xs))
    if not math.isclose(data, want, rel_tol=1e-9, abs_tol=1e-12):
        raise NotYetError(f"`{expr}` at {where} gives data {data:.6g}, expected {want:.6g}",
                          rule or shape_of_error(data, want))
    by_chain = chain_rule(out, cls, f"`{expr}`")
    got = [by_chain.get(id(v), 0.0) for v in vs]
    if not is_close(got, grads):
        names = ", ".join(f"∂/∂{n}" for n in "vw"[:len(xs)])
        hint = next((h for wrong, h in mistakes if is_close(got, wrong)), rule)
        raise NotYetError(f"`{expr}` at {where}: {names} = {fmt(got)} from your local "
                          f"derivatives, expected {fmt(grads)}",
                          hint or shape_of_error(got, grads))
    return f"{expr} ✓"


_MISSING = {
    "__add__": "def __add__(self, other): ... return Value(self.data + other.data, "
               "(self, other), (1.0, 1.0))",
    "__mul__": "def __mul__(self, other): ... the local derivatives are (other.data, self.data)",
    "__radd__": "Python tries v.__radd__(2) when 2 + v fails for the int: "
                "def __radd__(self, other): return self + other",
    "__rmul__": "Python tries v.__rmul__(2) when 2 * v fails for the int: "
                "def __rmul__(self, other): return self * other",
    "__neg__": "def __neg__(self): return self * -1",
    "__sub__": "def __sub__(self, other): return self + (-other)",
    "__rsub__": "1 - v calls v.__rsub__(1): def __rsub__(self, other): return other + (-self)",
    "__pow__": "def __pow__(self, n): a new node, local derivative n·xⁿ⁻¹ (n a number)",
    "__truediv__": "def __truediv__(self, other): return self * other ** -1",
    "__rtruediv__": "2 / v calls v.__rtruediv__(2): def __rtruediv__(self, other): "
                    "return other * self ** -1",
    "tanh": "def tanh(self): t = math.tanh(self.data); one node, local derivative 1 − t²",
    "exp": "def exp(self): e = math.exp(self.data); one node, local derivative e",
}


def _structure(cls: type, expr: str, fn: Callable[..., Any], xs: Sequence[float],
               local: Sequence[float], mistakes: Mistakes = ()) -> Any:
    """The op is ONE node whose parents are its operands, in order, with these local
    derivatives; a constant operand counts as a new leaf."""
    vs = _leaves(cls, xs)
    out = node(run(f"`{expr}`", fn, *vs), cls, f"`{expr}`")
    walk(out, cls, f"`{expr}`")  # explains a missing or malformed .parents
    ps = out.parents
    if len(ps) != len(local):
        raise NotYetError(f"`{expr}` should have {len(local)} parent(s), found {len(ps)}",
                          "one node: parents=(self, other) for two operands, (self,) for one")
    for i, v in enumerate(vs):
        if ps[i] is not v:
            raise NotYetError(f"({expr}).parents[{i}] is not {'vw'[i]}",
                              "store the operands themselves, in order: parents=(self, other)")
    got = [number(d, f"({expr}).local_grads[{i}]") for i, d in enumerate(out.local_grads)]
    if not is_close(got, local):
        hint = next((h for wrong, h in mistakes if is_close(got, wrong)),
                    shape_of_error(got, local))
        raise NotYetError(f"({expr}).local_grads = {fmt(got)}, expected {fmt(local)}", hint)
    return out


# --------------------------------------------------------------------------------------
# random graphs
# --------------------------------------------------------------------------------------


def graph_gradients(p: g.Program, cls: type, xs: list[Any], grads: dict[int, float]) -> str:
    """Compare ``grads`` (by node id, the student's) with micrograd_like's backward on the
    same program and, for the leaves, with central differences; a line for the details."""
    _, want = g.ours(p)
    for i, w in enumerate(want):
        got = grads.get(id(xs[i]), 0.0)
        if not is_close(got, w):
            raise NotYetError(f"∂root/∂{p.name(i)} = {got:.6g}, micrograd_like gives {w:.6g}",
                              "in the graph " + p.oneline())
    for i in range(len(p.leaves)):
        fd = g.finite_difference(p, cls, i)
        got = grads.get(id(xs[i]), 0.0)
        if not math.isclose(got, fd, rel_tol=FD_TOL, abs_tol=FD_TOL):
            raise NotYetError(f"∂root/∂{p.name(i)} = {got:.6g}, a central difference gives "
                              f"{fd:.6g}", "in the graph " + p.oneline())
    return (f"a graph of {len(p.steps)} ops on {len(p.leaves)} inputs: every ∂root/∂node "
            "matches micrograd_like and central differences ✓")


def _random_graphs(cls: type, ops: Sequence[str], seed: int, n: int = 3) -> list[str]:
    rows = []
    for k in range(n):
        p = g.program(ops, seed=seed * 1000 + k, steps=max(10, len(ops) + 2))
        xs = g.build(p, cls)
        rows.append(graph_gradients(p, cls, xs, chain_rule(xs[p.root], cls, "root")))
    return rows


def _inputs(seed: int, n: int = 3, low: float = 0.3, high: float = 1.8) -> list[float]:
    rng = random.Random(seed)
    return [round(rng.choice((-1, 1)) * rng.uniform(low, high), 3) for _ in range(n)]


# --------------------------------------------------------------------------------------
# 1 · a Value
# --------------------------------------------------------------------------------------


def check_add_mul(Value: Any, seed: int = 0) -> Verdict:
    """Notebook 1a: ``Value(data)`` with ``+`` and ``*`` (a number operand made a Value), each
    op one node storing ``parents`` (the operands, in order) and ``local_grads``."""
    ex = "1a · + and ×"

    def body() -> Verdict:
        cls = student_class(Value)
        v, w = _inputs(seed, 2)
        for dunder in ("__add__", "__mul__"):
            if not hasattr(cls, dunder):
                raise NotYetError(f"{cls.__name__} has no {dunder}", _MISSING[dunder])
        _structure(cls, "v + w", lambda a, b: a + b, (v, w), (1.0, 1.0))
        _structure(cls, "v * w", lambda a, b: a * b, (v, w), (w, v),
                   [((v, w), "∂(v·w)/∂v is w, the *other* factor: local_grads = "
                             "(other.data, self.data)")])
        rows = [
            _one_op(cls, "v * v", "", lambda a: a * a, (v,), v * v, (2 * v,)),
            _one_op(cls, "v + 1.5", "", lambda a: a + 1.5, (v,), v + 1.5, (1.0,)),
            _one_op(cls, "v * 1.5", "", lambda a: a * 1.5, (v,), v * 1.5, (1.5,)),
        ]
        rows += _random_graphs(cls, OPS_1A, seed)
        return Verdict(ex, True, "+ and × store their parents and local derivatives; "
                       "gradients match micrograd_like and central differences",
                       details=("v + w ✓", "v * w ✓", *rows, LOCKED))

    return judge(ex, body)


def check_value_ops(Value: Any, seed: int = 0) -> Verdict:
    """Notebook 1b: the reflected and derived ops ``2 * v``, ``2 + v``, ``v - 1``, ``1 - v``,
    ``-v``, ``v - w``, ``v ** 3``, ``v / w``, ``2 / v``; a missing one is named with its
    method (``2 * v`` fails: ``__rmul__`` is missing)."""
    ex = "1b · reflected and derived ops"

    def body() -> Verdict:
        cls = student_class(Value)
        v, w = _inputs(seed + 1, 2)
        power = [((3 * v,), "the power rule: d/dv vⁿ = n·vⁿ⁻¹, here 3v², not 3v"),
                 ((v ** 2,), "the power rule d/dv vⁿ = n·vⁿ⁻¹ has the factor n: 3v²"),
                 ((v ** 3,), "that is v³ itself; its derivative is 3v²")]
        table: list[tuple[str, str, Callable[..., Any], tuple[float, ...], float,
                          tuple[float, ...], Mistakes]] = [
            ("2 * v", "__rmul__", lambda a: 2 * a, (v,), 2 * v, (2.0,), ()),
            ("2 + v", "__radd__", lambda a: 2 + a, (v,), 2 + v, (1.0,), ()),
            ("-v", "__neg__", lambda a: -a, (v,), -v, (-1.0,), ()),
            ("v - 1", "__sub__", lambda a: a - 1, (v,), v - 1, (1.0,), ()),
            ("v - w", "__sub__", lambda a, b: a - b, (v, w), v - w, (1.0, -1.0),
             [((1.0, 1.0), "v − w = v + (−w): the local derivative for w is −1")]),
            ("1 - v", "__rsub__", lambda a: 1 - a, (v,), 1 - v, (-1.0,),
             [((1.0,), "1 − v decreases as v grows: ∂/∂v = −1 (did you compute v − 1?)")]),
            ("v ** 3", "__pow__", lambda a: a ** 3, (v,), v ** 3, (3 * v * v,), power),
            ("v / w", "__truediv__", lambda a, b: a / b, (v, w), v / w, (1 / w, -v / w ** 2),
             [((1 / w, v / w ** 2), "∂(v/w)/∂w = −v/w²: the sign")]),
            ("2 / v", "__rtruediv__", lambda a: 2 / a, (v,), 2 / v, (-2 / v ** 2,),
             [((2 / v ** 2,), "∂(2/v)/∂v = −2/v²: the sign")]),
        ]
        rows = [_one_op(cls, expr, dunder, fn, xs, want, grads, mistakes)
                for expr, dunder, fn, xs, want, grads, mistakes in table]
        rows += _random_graphs(cls, OPS_1B, seed)
        return Verdict(ex, True, "every reflected and derived op gives the right data and "
                       "gradients, alone and in random graphs", details=(*rows, LOCKED))

    return judge(ex, body)


# --------------------------------------------------------------------------------------
# 2 · tanh, directly and from exp
# --------------------------------------------------------------------------------------


def _unary(ex: str, method: str, Value: Any, seed: int, f: Callable[[float], float],
           df: Callable[[float, float], float], mistakes: Callable[[float, float], Mistakes],
           ops: Sequence[str]) -> Verdict:
    def body() -> Verdict:
        cls = student_class(Value)
        if not callable(getattr(cls, method, None)):
            raise NotYetError(f"{cls.__name__} has no {method} method", _MISSING[method])
        rows = []
        for x in _inputs(seed, 3, 0.2, 1.9):
            y = f(x)
            _structure(cls, f"v.{method}()", lambda a: getattr(a, method)(), (x,), (df(x, y),),
                       mistakes(x, y))
            rows.append(f"v.{method}() at v = {x:g} ✓")
        rows += _random_graphs(cls, ops, seed)
        return Verdict(ex, True, f"{method} is one node with the right local derivative",
                       details=(*rows, LOCKED))

    return judge(ex, body)


def check_tanh(Value: Any, seed: int = 0) -> Verdict:
    """Notebook 2a: ``v.tanh()`` written directly, one node with local derivative 1 − t²
    (t the output).  Names the classic ``1 − x²``."""
    def mistakes(x: float, t: float) -> Mistakes:
        return [((1 - x * x,), "1 − x² uses the input; tanh′(x) = 1 − t², with t = tanh(x) "
                                "the output"),
                ((t,), "that is t = tanh(x) itself; its derivative is 1 − t²"),
                ((1 - t,), "1 − t: square t, the derivative is 1 − t²"),
                ((1 + t * t,), "1 + t² has the wrong sign: tanh′ = 1 − t²")]

    return _unary("2a · tanh, directly", "tanh", Value, seed, math.tanh,
                  lambda x, t: 1 - t * t, mistakes, OPS_2)


def check_exp(Value: Any, seed: int = 0) -> Verdict:
    """Notebook 2b: ``v.exp()``, one node with local derivative eˣ (its own output)."""
    def mistakes(x: float, e: float) -> Mistakes:
        return [((x,), "the local derivative of eˣ is eˣ, the output, not x"),
                ((x * math.exp(x - 1),), "that is the power rule; eˣ is its own derivative"),
                ((1.0,), "the local derivative of eˣ is eˣ, not 1")]

    return _unary("2b · exp", "exp", Value, seed, math.exp, lambda x, e: e, mistakes, OPS_2)


def check_tanh_from_exp(Value: Any, tanh_from_exp: Any, seed: int = 0) -> Verdict:
    """Notebook 2c: ``tanh_from_exp(v)`` builds tanh from ``exp`` and ``/`` (several nodes),
    and gives the same value and gradient as the direct ``v.tanh()``."""
    ex = "2c · tanh from exp"

    def body() -> Verdict:
        cls = student_class(Value)
        if tanh_from_exp is None or tanh_from_exp is Ellipsis or not callable(tanh_from_exp):
            raise NotYetError("tanh_from_exp is not a function yet",
                              "def tanh_from_exp(x): e = (2 * x).exp(); return ...")
        rows = []
        for x in _inputs(seed + 2, 3, 0.2, 1.9):
            (v,) = _leaves(cls, (x,))
            out = node(run("tanh_from_exp(v)", tanh_from_exp, v), cls, "tanh_from_exp(v)")
            t = math.tanh(x)
            data = number(out.data, "tanh_from_exp(v).data")
            if not math.isclose(data, t, rel_tol=1e-9, abs_tol=1e-12):
                raise NotYetError(f"tanh_from_exp(v) at v = {x:g} is {data:.6g}, "
                                  f"tanh(v) = {t:.6g}",
                                  "tanh x = (e²ˣ − 1)/(e²ˣ + 1)")
            ops = [n for n in walk(out, cls, "tanh_from_exp(v)") if n.parents]
            if len(ops) < 3:
                raise NotYetError(f"tanh_from_exp(v) is {len(ops)} op node(s): that is not "
                                  "built from exp and /",
                                  "e = (2 * x).exp(), then (e - 1) / (e + 1): several nodes")
            via_exp = chain_rule(out, cls, "tanh_from_exp(v)").get(id(v), 0.0)
            if not is_close(via_exp, 1 - t * t):
                raise NotYetError(f"through exp and /, ∂/∂v = {via_exp:.6g} at v = {x:g}; "
                                  f"tanh′ = 1 − t² = {1 - t * t:.6g}",
                                  "run check_value_ops and check_exp: one of the ops under "
                                  "it has a wrong local derivative")
            (w,) = _leaves(cls, (x,))
            direct = node(run("v.tanh()", lambda a: a.tanh(), w), cls, "v.tanh()")
            by_method = chain_rule(direct, cls, "v.tanh()").get(id(w), 0.0)
            if not is_close(by_method, via_exp):
                raise NotYetError(f"at v = {x:g} your v.tanh() gives ∂/∂v = {by_method:.6g}, "
                                  f"tanh_from_exp gives {via_exp:.6g}",
                                  "the two must agree: fix tanh's local derivative (1 − t²)")
            rows.append(f"v = {x:g}: {len(ops)} nodes, ∂/∂v = {via_exp:.6g} both ways ✓")
        return Verdict(ex, True, "tanh built from exp and / gives the same value and gradient "
                       "as tanh written directly", details=(*rows, LOCKED))

    return judge(ex, body)

