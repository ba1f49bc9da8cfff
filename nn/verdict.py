"""Verdicts on a student's answer, and the reading of answers that makes checkers safe.

A checker (see :mod:`nn.exercises`) is a function that returns a :class:`Verdict`: right or
"not yet", one line on what it found, and a hint.  The helpers here do the parts every
checker shares:

* :func:`judge` runs a checker's body and turns a :class:`NotYetError` into a "not yet"
  verdict, so a checker stops at the first problem by raising it;
* :func:`call_student` calls the student's function: whatever *it* raises becomes "not yet"
  (a bug in the checker itself still raises, so it cannot hide);
* :func:`answer_number` and :func:`answer_array` read an answer (a float, a Value, a list,
  an array) or explain why it cannot be read: still ``...``, a string, a wrong shape, nan;
* :func:`compare` ends a check: right (relative tolerance 1e-6, absolute 1e-9), "close"
  (within 0.1 %: typed-in rounded numbers), one of the named mistakes, or a generic
  description of the error (a sign, a constant factor, which entries).

>>> def check_double(f):
...     return judge("double", lambda: compare("double", "f(3)",
...                  answer_number(call_student(f, "f", 3), "f(3)"), 6.0,
...                  [(9.0, "that is 3², not 2·3")]))
>>> print(check_double(lambda x: x * x))
not yet · f(3) = 9 is not right
  hint: that is 3², not 2·3
>>> check_double(lambda x: x + x).ok
True
>>> print(check_double(lambda x: x / 0))
not yet · f raised ZeroDivisionError: division by zero
  hint: run your function on its own in a cell to see the traceback
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from micrograd_like import Value

__all__ = [
    "Verdict",
    "NotYetError",
    "judge",
    "call_student",
    "result_of",
    "answer_number",
    "answer_array",
    "is_close",
    "fmt",
    "compare",
    "shape_of_error",
    "short",
    "RTOL",
    "ATOL",
    "CLOSE",
]

RTOL, ATOL = 1e-6, 1e-9  # "right"
CLOSE = 1e-3  # "close": right to about three significant digits

# --------------------------------------------------------------------------------------
# The verdict
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What a checker found: ``ok``, one line ``message``, a ``hint`` and optional ``details``.

    ``bool(verdict)`` is ``ok``.  It prints as a few lines of text and shows as a small
    coloured box in Jupyter (``_repr_html_``).

    >>> print(Verdict("slope", False, "off by a factor 2", "divide by h, not 2h"))
    not yet · off by a factor 2
      hint: divide by h, not 2h
    """

    exercise: str
    ok: bool
    message: str
    hint: str = ""
    details: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.ok

    @property
    def status(self) -> str:
        """``"right"`` or ``"not yet"``."""
        return "right" if self.ok else "not yet"

    def __str__(self) -> str:
        lines = [f"{self.status} · {self.message}"]
        lines += [f"  {d}" for d in self.details]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def __repr__(self) -> str:  # a cell's last expression shows the text, not a dataclass
        return str(self)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#b35900"
        mark = "✓" if self.ok else "✗"
        rows = "".join(f"<div style='margin-left:1.4em'>{html.escape(d)}</div>"
                       for d in self.details)
        hint = (f"<div style='margin-left:1.4em'><i>hint:</i> {html.escape(self.hint)}</div>"
                if self.hint else "")
        return (f"<div style='border-left:4px solid {colour};padding:2px 8px;"
                f"font-family:sans-serif'><b style='color:{colour}'>{mark} {self.status}</b>"
                f" · <span title='{html.escape(self.exercise)}'>{html.escape(self.message)}"
                f"</span>{rows}{hint}</div>")


class NotYetError(Exception):
    """Raised inside a checker to stop with a "not yet" verdict (never leaves this module)."""

    def __init__(self, message: str, hint: str = "", details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message, self.hint, self.details = message, hint, tuple(details)


def judge(exercise: str, body: Callable[[], Verdict]) -> Verdict:
    """Run a checker's body, turning a :class:`NotYetError` into a "not yet" verdict."""
    try:
        return body()
    except NotYetError as e:
        return Verdict(exercise, False, e.message, e.hint, e.details)


def _shown(x: Any) -> str:
    """How a placeholder reads in a message: ``...`` rather than ``Ellipsis``."""
    return "..." if x is Ellipsis else short(x)


def call_student(fn: Any, what: str, *args: Any) -> Any:
    """Call the student's function; its exceptions become "not yet" (ours propagate)."""
    if fn is None or fn is Ellipsis:
        raise NotYetError(f"{what} is still {_shown(fn)}", "replace the ... with your function")
    if not callable(fn):
        raise NotYetError(f"{what} is a {type(fn).__name__}, not a function",
                      "pass the function itself (no parentheses)")
    try:
        return fn(*args)
    except Exception as e:  # the student's code failed: say how, keep the notebook going
        raise NotYetError(f"{what} raised {type(e).__name__}: {e}",
                      "run your function on its own in a cell to see the traceback") from None


def result_of(fn: Any, what: str, *args: Any) -> Any:
    """:func:`call_student`, and a function still without its ``return`` line is "not yet"."""
    out = call_student(fn, what, *args)
    if out is None:
        raise NotYetError(f"{what} returned None", "finish the function with a return line")
    return out


# --------------------------------------------------------------------------------------
# Reading answers
# --------------------------------------------------------------------------------------


def _plain(x: Any) -> Any:
    """Values become their ``data`` (also inside lists), so answers may be Values or floats."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray) and x.dtype == object:  # e.g. np.array of Values
        return [_plain(v) for v in x.tolist()]
    return x


def _missing(x: Any, name: str) -> None:
    if x is None or x is Ellipsis:
        raise NotYetError(f"{name} is still {_shown(x)}", "replace the ... with your answer")


NOT_FINITE_HINT = ("nan or inf comes from a division by zero, 0·inf, inf − inf, an overflow "
                   "(exp of a large number) or a nan put in by hand: print each factor")


def answer_number(x: Any, name: str) -> float:
    """A finite real number from the answer ``x`` (a Value's data counts)."""
    _missing(x, name)
    x = _plain(x)
    if isinstance(x, np.ndarray) and x.size == 1:
        x = x.reshape(())[()]
    elif isinstance(x, list) and len(x) == 1 and isinstance(x[0], numbers.Real):
        x = x[0]  # [δ], as a one-element array already counts
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise NotYetError(f"{name} should be a number, got {type(x).__name__} {short(x)}",
                      "compute a float (e.g. from the .data of the nodes)")
    try:
        f = float(x)
    except OverflowError:  # an int beyond any float, e.g. 10**400
        f = math.inf
    if not math.isfinite(f):
        raise NotYetError(f"{name} is {f}, not a finite number", NOT_FINITE_HINT)
    return f


def answer_array(x: Any, name: str, shape: tuple[int, ...], layout: str) -> np.ndarray:
    """The answer as a float array of ``shape``; a column vector (n, 1) counts as (n,)."""
    _missing(x, name)
    x = _plain(x)
    try:
        a = np.array(x, dtype=np.float64)
    except OverflowError:  # an int beyond any float, e.g. 10**400
        raise NotYetError(f"{name} holds nan or inf", NOT_FINITE_HINT) from None
    except (TypeError, ValueError):
        raise NotYetError(f"{name} should hold numbers, got {short(x)}",
                      f"give {layout}") from None
    if a.shape != shape and a.size == math.prod(shape) and a.ndim == 2 and 1 in a.shape \
            and len(shape) == 1:
        a = a.reshape(shape)  # a column or row vector for a vector answer
    if a.shape != shape:
        hint = f"give {layout}"
        if len(shape) == 2 and a.shape == shape[::-1] and shape[0] != shape[1]:
            hint = f"your matrix is transposed: {layout}"
        raise NotYetError(f"{name} has shape {a.shape}, expected {shape}", hint)
    if not np.all(np.isfinite(a)):
        raise NotYetError(f"{name} holds nan or inf", NOT_FINITE_HINT)
    return a


def short(x: Any) -> str:
    r = repr(x)
    return r if len(r) <= 40 else r[:37] + "..."


def is_close(got: Any, want: Any, rtol: float = RTOL) -> bool:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=ATOL))


def fmt(x: Any) -> str:
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    return np.array2string(a, precision=6, separator=", ", suppress_small=False)


def compare(
    exercise: str,
    name: str,
    got: Any,
    want: Any,
    mistakes: Sequence[tuple[Any, str]] = (),
    right: str = "",
    entries: Sequence[str] = (),
) -> Verdict:
    """The common ending: right, close, a named mistake, a factor, a sign, or just wrong.

    ``entries`` names the entries of an array answer in reading order (``∂C/∂w²₁₂``), so
    that a hint can say which are wrong in the book's notation."""
    if is_close(got, want):
        return Verdict(exercise, True, right or f"{name} = {fmt(want)}")
    shown = f"{name} = {fmt(got)}" if np.size(got) <= 4 else name
    if is_close(got, want, CLOSE):
        return Verdict(exercise, False, f"{shown} is close to the right value but not equal",
                       "compute with the nodes' .data instead of typing rounded numbers")
    for wrong, hint in mistakes:
        if wrong is not None and is_close(got, wrong):
            return Verdict(exercise, False, f"{shown} is not right", hint)
    return Verdict(exercise, False, f"{shown} is not right", shape_of_error(got, want, entries))


def shape_of_error(got: Any, want: Any, entries: Sequence[str] = ()) -> str:
    """A generic hint: a sign, a constant factor, or which entries differ (named by
    ``entries`` when given, else by their 0-based flat index)."""
    g, w = np.asarray(got, dtype=float).ravel(), np.asarray(want, dtype=float).ravel()
    if is_close(g, -w):
        return "right size, wrong sign"
    if np.all(np.abs(w) > ATOL) and np.all(np.abs(g) > ATOL):
        ratio = g / w
        # one number is always some factor off the other: say so only when it tells something
        telling = g.size > 1 or any(math.isclose(r, round(r), rel_tol=1e-6) and round(r) != 0
                                    for r in (ratio[0], 1.0 / ratio[0]))
        if np.allclose(ratio, ratio[0], rtol=1e-6) and telling:
            return f"off by a constant factor {ratio[0]:.6g}"
    if g.size > 1:
        bad = [i for i in range(g.size) if not math.isclose(g[i], w[i], rel_tol=RTOL,
                                                            abs_tol=ATOL)]
        if len(entries) == g.size:
            which = ", ".join(entries[i] for i in bad) + (" is" if len(bad) == 1 else " are")
        else:
            which = f"entries {bad} (flat, 0-based)" + (" is" if len(bad) == 1 else " are")
        return f"{which} wrong; {len(g) - len(bad)} of {len(g)} are right"
    return "retrace the chain rule one factor at a time"
