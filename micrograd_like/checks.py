"""The engine's checks on numbers, and the errors that say what to write instead.

Everything here is about the boundary between plain numbers and the graph: what a Value
accepts as a number (:func:`finite_float`) and why a Value refuses to become one
(:func:`conversion_error`).  The engine (:mod:`micrograd_like.engine`) and the finite
differences (:mod:`micrograd_like.finite_differences`) share these.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["conversion_error", "finite_float"]


def finite_float(x: Any, what: str) -> float:
    """``x`` as a finite float, or a TypeError/ValueError that names ``what``.

    ``bool`` is refused (``True`` is not the number 1.0 by accident: write ``float(flag)``),
    and so is a Value (a node of a graph, whose number is ``v.data``).

    >>> finite_float(3, "Value data")
    3.0
    >>> finite_float(float("inf"), "Value data")
    Traceback (most recent call last):
    ...
    ValueError: Value data must be finite, got inf
    """
    if type(x) is float:  # the common case, without the slower checks below
        f = x
    elif isinstance(x, bool) or not isinstance(x, numbers.Real):
        kind = type(x).__name__
        hint = (" (use float(flag) for 0.0/1.0)" if isinstance(x, bool) else
                " (a Value is a node of a graph, not a number: use v.data for its number)"
                if kind == "Value" else "")
        raise TypeError(f"{what} must be a real number, got {kind}: {x!r}{hint}")
    else:
        f = float(x)
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {f!r}")
    return f


#: Each refused conversion of a Value: what was written, and what to write instead.
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


def conversion_error(data: float, kind: str) -> TypeError:
    """The TypeError for turning a Value whose number is ``data`` into a ``kind``.

    A plain number would leave the graph, and the gradient through whatever is computed
    from it would be silently lost (``x * math.exp(x)`` would get ∂/∂x = eˣ, not eˣ(1 + x)).
    """
    what, fix = _CONVERSIONS[kind]
    drops = "" if kind == "bool" else " would drop v from the graph and lose its gradient"
    return TypeError(f"{what}{drops}; {fix} (here v.data = {data!r})")
