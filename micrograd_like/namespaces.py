"""The namespaces an op's formulas are written over: floats, Values and numpy arrays.

A rule in :data:`micrograd_like.ops.RULES` computes with ``m.exp``, ``m.tanh``, ``m.step``, ...
where ``m`` is one of these, so one formula serves three readers:

* :data:`FLOATS` (``math`` and a few numerically stable helpers): the eager engine's values
  and local derivatives;
* :func:`values`: the same functions as engine ops, so a local derivative becomes a node
  and can be differentiated again (``backward(create_graph=True)``, ``grad``);
* :func:`arrays` (numpy): the tape replays each op on a whole batch.

>>> FLOATS.sigmoid(0.0), FLOATS.relu(-2.0)
(0.5, 0.0)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from micrograd_like.ops import Op

__all__ = ["FLOATS", "array_kernel", "arrays", "values"]


def _sigmoid(x: float) -> float:
    # 1/(1 + e⁻ˣ) for x ≥ 0 and eˣ/(1 + eˣ) for x < 0: neither overflows
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    # ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|): no overflow for any finite x
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def _sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


def _above(a: float, b: float) -> float:
    # the share of max(a, b)'s slope that goes to a: 1, ½ at a tie, 0
    return 1.0 if a > b else (0.5 if a == b else 0.0)


def _xlogy(x: float, y: float) -> float:
    # x·ln y with 0·ln 0 = 0 (the limit of aᵇ·ln a as a → 0 for b > 0)
    return 0.0 if x == 0.0 else x * math.log(y)


class _Floats:
    """Elementary functions on Python floats (the eager engine's first-order path)."""

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    log2 = staticmethod(math.log2)
    log10 = staticmethod(math.log10)
    log1p = staticmethod(math.log1p)
    expm1 = staticmethod(math.expm1)
    sqrt = staticmethod(math.sqrt)
    sin, cos, tan = staticmethod(math.sin), staticmethod(math.cos), staticmethod(math.tan)
    asin, acos, atan = staticmethod(math.asin), staticmethod(math.acos), staticmethod(math.atan)
    sinh, cosh, tanh = staticmethod(math.sinh), staticmethod(math.cosh), staticmethod(math.tanh)
    asinh = staticmethod(math.asinh)
    acosh = staticmethod(math.acosh)
    atanh = staticmethod(math.atanh)
    pow = staticmethod(math.pow)
    abs = staticmethod(abs)
    sigmoid = staticmethod(_sigmoid)
    softplus = staticmethod(_softplus)
    sign = staticmethod(_sign)
    above = staticmethod(_above)
    xlogy = staticmethod(_xlogy)
    maximum = staticmethod(max)
    minimum = staticmethod(min)

    @staticmethod
    def step(x: float) -> float:  # 1 for x > 0, else 0
        return 1.0 if x > 0.0 else 0.0

    @staticmethod
    def relu(x: float) -> float:
        return x if x > 0.0 else 0.0

    @staticmethod
    def mod(x: float, c: float) -> float:  # Python's %: the result has the sign of c
        return x % c


FLOATS = _Floats
"""The float namespace: what the eager engine's first-order path computes with."""

@functools.cache  # made on first use: `import micrograd_like` does not load numpy
def arrays() -> Any:
    """The numpy namespace (imports numpy on first use); what the tape computes with."""
    import numpy as np

    def sigmoid(a, out=None):
        # 1/(1 + e⁻ˣ) in one buffer (``out``, e.g. the tape's rows), four numpy calls: the
        # tape's hot path.  Accurate to rounding for every x (for x < 0, e⁻ˣ is large and
        # 1 + e⁻ˣ loses nothing).  Below x = −709.78, e⁻ˣ overflows: the tape runs with
        # overflow raising, and then the exponent is capped at 709 (σ(x) < 1.2e−308 there,
        # so the cap changes the result by less than that); with overflow ignored, e⁻ˣ = inf
        # gives σ = 0, also within 1.2e−308.
        o = np.negative(a, out=np.empty_like(a, dtype=np.float64) if out is None else out)
        try:
            np.exp(o, out=o)
        except FloatingPointError:
            np.minimum(np.negative(a, out=o), 709.0, out=o)
            np.exp(o, out=o)
        o += 1.0
        return np.reciprocal(o, out=o)

    class Arrays:
        exp, log, log2, log10, log1p, expm1 = np.exp, np.log, np.log2, np.log10, np.log1p, np.expm1
        sqrt, sin, cos, tan, asin, acos, atan = (
            np.sqrt, np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan)
        sinh, cosh, tanh, asinh, acosh, atanh = (
            np.sinh, np.cosh, np.tanh, np.arcsinh, np.arccosh, np.arctanh)
        pow, abs, sign, mod = np.power, np.abs, np.sign, np.mod
        maximum, minimum = np.maximum, np.minimum

        @staticmethod
        def sigmoid(a, out=None):
            return sigmoid(a, out)

        @staticmethod
        def softplus(a):
            return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))

        @staticmethod
        def step(a):
            return (a > 0.0).astype(np.float64)

        @staticmethod
        def relu(a, out=None):
            return np.maximum(a, 0.0, out=out)

        @staticmethod
        def above(a, b):
            return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))

        @staticmethod
        def xlogy(x, y):
            return np.where(x == 0.0, 0.0, x * np.log(np.where(x == 0.0, 1.0, y)))

    return Arrays


class _Call(NamedTuple):
    name: str
    args: tuple


class _Recorder:
    """A namespace whose every function returns a record of how it was called."""

    def __getattr__(self, name: str) -> Callable[..., _Call]:
        return lambda *args: _Call(name, args)


def array_kernel(op: Op) -> Callable[..., Any] | None:
    """The numpy function that is a unary op's whole forward, if it takes ``out=``; else None.

    Most ops are one elementary function (``forward(m, x) = m.sigmoid(x)``, ``m.exp(x)``):
    a consumer with an output buffer (the tape's rows) can then call ``kernel(x, out=rows)``
    and skip a temporary and a copy.  Found by running the formula once on a recorder, so
    the formula stays written once, in the op's entry.

    >>> from micrograd_like.ops import RULES
    >>> array_kernel(RULES["sigmoid"]) is not None, array_kernel(RULES["neg"])  # −x: no call
    (True, None)
    """
    if op.arity != 1:
        return None
    x = object()
    try:
        got = op.forward(_Recorder(), x)
    except (TypeError, AttributeError, ValueError):  # arithmetic on x itself (−x, x ** c)
        return None
    if not (isinstance(got, _Call) and len(got.args) == 1 and got.args[0] is x):
        return None
    kernel = getattr(arrays(), got.name, None)
    if kernel is None:
        return None
    import inspect  # here: compiling a tape needs it, `import micrograd_like` does not

    import numpy as np

    if isinstance(kernel, np.ufunc) or "out" in inspect.signature(kernel).parameters:
        return kernel
    return None


@functools.cache  # made on first use (the engine imports this module)
def values() -> Any:
    """The Value namespace: each function is the engine's op, so partials become nodes."""
    from micrograd_like import engine

    Value = engine.Value

    def v(x):
        return x if isinstance(x, Value) else Value(x)

    def unary(name: str) -> Callable:
        return lambda x: engine.apply(name, v(x))

    class Values:
        def __getattr__(self, name: str) -> Callable:
            return unary(name)

        # piecewise-constant functions: their own derivative is 0, so they are constants
        @staticmethod
        def step(x):
            return Value(_Floats.step(v(x).data))

        @staticmethod
        def sign(x):
            return Value(_sign(v(x).data))

        @staticmethod
        def above(a, b):
            return Value(_above(v(a).data, v(b).data))

        @staticmethod
        def pow(x, c):
            return v(x) ** c

        @staticmethod
        def xlogy(x, y):
            x = v(x)
            if x.data == 0.0:  # the limit 0·ln 0 = 0, a constant
                return Value(0.0)
            return x * engine.apply("log", v(y))

        @staticmethod
        def mod(x, c):
            return v(x) % c

        @staticmethod
        def maximum(a, b):
            return engine.apply("maximum", v(a), v(b))

        @staticmethod
        def minimum(a, b):
            return engine.apply("minimum", v(a), v(b))

    return Values()
