"""``grad(f)``: the derivative of a function, as HIPS/autograd's ``grad``, to any order.

It runs ``backward(create_graph=True)`` on the graph ``f`` builds, so the derivative is
itself a graph of Values that can be differentiated again.

>>> from micrograd_like import Value
>>> grad(lambda x: x.tanh())(0.0)          # tanh′(0) = 1
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from micrograd_like.checks import finite_float
from micrograd_like.engine import Value, topological_order

__all__ = ["grad"]


def grad(f: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """The function ``∂f/∂(argument argnum)``, as in autograd; nest it for higher derivatives.

    Given plain numbers the derivative is a float; given any Value it is a Value whose
    graph computes it, so ``grad(grad(f))`` is the second derivative.  ``grad`` fields of the
    graph are left as they were.

    >>> grad(lambda x: x ** 3)(2.0)                   # 3x²
    12.0
    >>> grad(grad(lambda x: x ** 3))(2.0)             # 6x
    12.0
    >>> grad(lambda x, y: x * y, argnum=1)(2.0, 5.0)  # ∂(xy)/∂y = x
    2.0
    """
    if not callable(f):
        raise TypeError(f"grad: f must be callable, got {type(f).__name__}")
    if not isinstance(argnum, int) or isinstance(argnum, bool):
        raise TypeError(f"grad: argnum must be an int, got {argnum!r}")

    def df(*args: Any) -> Any:
        if not -len(args) <= argnum < len(args):
            raise IndexError(f"grad: argnum {argnum} but f was given {len(args)} argument(s)")
        args_ = list(args)
        x = args_[argnum]
        as_number = not any(isinstance(a, Value) for a in args)  # else: being differentiated
        if not isinstance(x, Value):
            x = args_[argnum] = Value(finite_float(x, f"grad: argument {argnum}"))
        out = f(*args_)
        if not isinstance(out, Value):  # f does not depend on its argument
            finite_float(out, "grad: f's result")
            return 0.0 if as_number else Value(0.0)
        order = topological_order(out)
        kept = [v.grad for v in order]
        try:
            for v in order:
                v.grad = 0.0
            out.backward(create_graph=True)
            g: Any = x.grad if x in set(order) else Value(0.0)
        finally:
            for v, k in zip(order, kept):
                v.grad = k
        if not isinstance(g, Value):  # x reached only through constant slopes
            g = Value(g)
        return g.data if as_number else g

    df.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    df.__doc__ = f"∂/∂(argument {argnum}) of {getattr(f, '__name__', 'f')}"
    return df
