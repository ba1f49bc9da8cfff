"""Running a student's engine safely, and reading the graph it builds.

* :func:`our_engine_unavailable` switches off micrograd_like's ``backward``, ``grad`` and its
  graph walk while the student's code runs, so an answer cannot lean on the engine it is
  asked to rebuild;
* :func:`student_class` refuses what is not the student's own class (micrograd_like's
  ``Value``, a subclass of it);
* :func:`run` calls the student's code under that switch: whatever it raises (an exception,
  ``RecursionError``, a call to our switched-off engine) becomes a "not yet";
* :func:`node`, :func:`walk` and :func:`chain_rule` read the graph the student's ``Value``
  stores (``data``, ``parents``, ``local_grads``) and explain what does not fit.

Nothing here trusts the student's class: every attribute is read with a check, and a
problem raises :class:`~nn.verdict.NotYetError` with the fix.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import micrograd_like
import micrograd_like.derivative
import micrograd_like.engine
from nn.verdict import NotYetError, short

__all__ = [
    "LOCKED",
    "EngineUnavailableError",
    "our_engine_unavailable",
    "student_class",
    "run",
    "node",
    "walk",
    "chain_rule",
    "number",
]

#: Said in every verdict on code that must be the student's own engine.
LOCKED = "checked with micrograd_like's backward and grad switched off"

_MAX_NODES = 200_000  # a graph bigger than this is not one of the checkers' graphs


class EngineUnavailableError(RuntimeError):
    """Raised by micrograd_like's backward, grad and walk while a student's engine is checked."""


def _unavailable(name: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise EngineUnavailableError(
            f"micrograd_like's {name} is switched off while your own engine is checked")

    return refuse


# (object, attribute, name in messages): what the switch turns off
_SWITCHED = (
    (micrograd_like.engine.Value, "backward", "backward"),
    (micrograd_like.engine.Value, "zero_grad", "zero_grad"),
    (micrograd_like, "grad", "grad"),
    (micrograd_like.derivative, "grad", "grad"),
    (micrograd_like, "topological_order", "topological_order"),
    (micrograd_like.engine, "topological_order", "topological_order"),
    (micrograd_like, "backward_steps", "backward_steps"),
)


@contextmanager
def our_engine_unavailable() -> Iterator[None]:
    """While the block runs, micrograd_like's backward, zero_grad, grad and topological_order
    raise :class:`EngineUnavailableError`; they are restored afterwards, whatever happens.

    (A name imported before the block, ``from micrograd_like import grad``, is the same
    function object and is not switched off; the checkers also refuse any graph that holds
    a micrograd_like Value, so such a name has nothing of ours to work on.)
    """
    saved = [(owner, attr, owner.__dict__[attr]) for owner, attr, _ in _SWITCHED]
    try:
        for owner, attr, name in _SWITCHED:
            setattr(owner, attr, _unavailable(name))
        yield
    finally:
        for owner, attr, original in saved:
            setattr(owner, attr, original)


def student_class(cls: Any, name: str = "Value") -> type:
    """The student's class, or "not yet" if it is missing or is (built on) micrograd_like's."""
    if cls is None or cls is Ellipsis:
        raise NotYetError(f"{name} is still {'...' if cls is Ellipsis else 'None'}",
                          f"pass your class: ex.check_...({name})")
    if not isinstance(cls, type):
        raise NotYetError(f"{name} should be a class, got {type(cls).__name__} {short(cls)}",
                          f"pass the class itself, {name}, not an instance")
    if issubclass(cls, micrograd_like.Value):
        which = "is" if cls is micrograd_like.Value else "subclasses"
        raise NotYetError(f"your {name} {which} micrograd_like.Value: this exercise is your own "
                          "class, not ours", f"write it from scratch: class {name}: ...")
    return cls


def run(what: str, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, the student's code, with our engine switched off; what it raises
    becomes "not yet" naming ``what`` (a checker's own bug outside ``fn`` still raises)."""
    with our_engine_unavailable():
        try:
            return fn(*args)
        except EngineUnavailableError as e:
            raise NotYetError(f"{what} called {str(e).split(' is ')[0]}",
                              "use your own Value: " + LOCKED) from None
        except RecursionError:
            raise NotYetError(f"{what} recursed without end (RecursionError)",
                              "a method that calls itself on the same node never stops: "
                              "look for a self.method() call inside that method") from None
        except Exception as e:  # the student's code failed: say how
            raise NotYetError(f"{what} raised {type(e).__name__}: {e}",
                              "run it on its own in a cell to see the traceback") from None


def _wrapped_ours(v: Any) -> str:
    """The attribute of ``v`` holding a micrograd_like Value, or ""."""
    fields = getattr(v, "__dict__", None) or {}
    for slot in getattr(type(v), "__slots__", ()):
        if hasattr(v, slot):
            fields = {**fields, slot: getattr(v, slot)}
    for attr, x in fields.items():
        if isinstance(x, micrograd_like.Value):
            return attr
    return ""


def number(x: Any, what: str) -> float:
    """A finite float from a student's attribute, or "not yet" naming it."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise NotYetError(f"{what} should be a number, got {type(x).__name__} {short(x)}",
                          "store plain floats: data, grad and every local derivative")
    f = float(x)
    if not math.isfinite(f):
        raise NotYetError(f"{what} is {f}", "a division by zero or an overflow: print the inputs")
    return f


def node(x: Any, cls: type, what: str) -> Any:
    """The result ``x`` of ``what`` if it is one of the student's Values, else "not yet"."""
    if x is None:
        raise NotYetError(f"{what} returned None", "finish the method with return Value(...)")
    if x is NotImplemented:
        raise NotYetError(f"{what} returned NotImplemented", "return a Value")
    if isinstance(x, micrograd_like.Value):
        raise NotYetError(f"{what} gave a micrograd_like Value",
                          "your class must make its own nodes: return Value(...) of your class")
    if not isinstance(x, cls):
        raise NotYetError(f"{what} gave a {type(x).__name__} {short(x)}, not a {cls.__name__}",
                          f"return a {cls.__name__}(...), with its parents and local derivatives")
    if attr := _wrapped_ours(x):
        raise NotYetError(f"your {cls.__name__} wraps a micrograd_like Value (in .{attr})",
                          "store a plain float in data: this exercise is your own engine")
    if not hasattr(x, "data"):
        raise NotYetError(f"the result of {what} has no .data", "store the number in self.data")
    return x


def _parents(v: Any, cls: type, what: str) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    """``v.parents`` and ``v.local_grads`` checked: a tuple of Values, one number each."""
    for attr in ("parents", "local_grads"):
        if not hasattr(v, attr):
            raise NotYetError(f"{what} has no .{attr}",
                              "__init__ stores self.parents and self.local_grads (tuples)")
    ps, ds = v.parents, v.local_grads
    if isinstance(ps, (set, frozenset)):
        raise NotYetError(f"{what}.parents is a set",
                          "keep a tuple (self, other): a set keeps a * a's a only once, and "
                          "loses the order")
    if not isinstance(ps, (tuple, list)) or not isinstance(ds, (tuple, list)):
        raise NotYetError(f"{what}.parents and .local_grads should be tuples, got "
                          f"{type(ps).__name__} and {type(ds).__name__}",
                          "store parents=(self, other), local_grads=(∂out/∂self, ∂out/∂other)")
    if len(ps) != len(ds):
        raise NotYetError(f"{what} has {len(ps)} parents but {len(ds)} local derivatives",
                          "one local derivative per parent, in the same order")
    for i, p in enumerate(ps):
        if not isinstance(p, cls):
            raise NotYetError(f"{what}.parents[{i}] is a {type(p).__name__} {short(p)}, "
                              f"not a {cls.__name__}",
                              "wrap a number first: other = other if isinstance(other, Value) "
                              "else Value(other)")
    grads = tuple(number(d, f"{what}.local_grads[{i}]") for i, d in enumerate(ds))
    return tuple(ps), grads


def walk(root: Any, cls: type, what: str) -> list[Any]:
    """Every node of the student's graph under ``root``, parents before children, root last
    (an iterative walk of our own over ``.parents``, so the student's walk is not trusted)."""
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        v, placed = stack.pop()
        if placed:
            order.append(v)
            continue
        if id(v) in seen:
            continue
        seen.add(id(v))
        if len(seen) > _MAX_NODES:
            raise NotYetError(f"the graph of {what} has more than {_MAX_NODES} nodes",
                              "does an op add nodes to its inputs' parents?")
        ps, _ = _parents(v, cls, f"a node of {what}")
        stack.append((v, True))
        stack.extend((p, False) for p in reversed(ps) if id(p) not in seen)
    return order


def chain_rule(root: Any, cls: type, what: str) -> dict[int, float]:
    """∂root/∂v for every node v (by ``id``), from the student's own local derivatives:
    what a correct backward would give on the graph the student's ops built."""
    order = walk(root, cls, what)
    grads = {id(v): 0.0 for v in order}
    grads[id(root)] = 1.0
    for v in reversed(order):
        ps, ds = _parents(v, cls, f"a node of {what}")
        for p, d in zip(ps, ds):
            grads[id(p)] += d * grads[id(v)]
    return grads
