"""Exercises 1 and 2: the slope of f by nudging x, the exact derivative f′(x), and a new
op's local derivative (checked at many points, then through :func:`~micrograd_like.define_op`).

The checkers are re-exported by :mod:`nn.exercises`, whose docstring says how they judge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from micrograd_like import Value
from nn.verdict import (
    ATOL,
    RTOL,
    NotYetError,
    Verdict,
    answer_number,
    call_student,
    compare,
    is_close,
    judge,
    result_of,
    shape_of_error,
    short,
)

# --------------------------------------------------------------------------------------
# 1 · the slope by nudging
# --------------------------------------------------------------------------------------

_SLOPE_CASES = (  # (f, its name, x, h): polynomials and a transcendental function
    (lambda t: t ** 3 - 4.0 * t + 1.0, "x³ − 4x + 1", 1.5, 1e-3),
    (lambda t: t ** 3 - 4.0 * t + 1.0, "x³ − 4x + 1", -2.0, 0.25),
    (math.sin, "sin x", 0.7, 0.1),
)


def check_slope(slope: Callable[[Callable[[float], float], float, float], float]) -> Verdict:
    """Exercise 1a: ``slope(f, x, h)`` must return the rise over the run, (f(x + h) − f(x))/h.

    The central difference (f(x + h) − f(x − h))/2h is accepted too.

    >>> check_slope(lambda f, x, h: (f(x + h) - f(x)) / h).ok
    True
    >>> check_slope(lambda f, x, h: f(x + h) - f(x)).hint
    'you have the rise f(x + h) − f(x); divide it by the run h'
    """
    ex = "1 · slope by nudging"

    def body() -> Verdict:
        central = True
        for f, fname, x, h in _SLOPE_CASES:
            got = answer_number(result_of(slope, "slope(f, x, h)", f, x, h),
                          f"slope(f, {x}, {h}) for f(x) = {fname}")
            fx, up, down = f(x), f(x + h), f(x - h)
            forward, centred = (up - fx) / h, (up - down) / (2 * h)
            if is_close(got, forward):
                central = False
                continue
            if is_close(got, centred):
                continue
            name = f"slope(f, {x}, {h}) for f(x) = {fname}"
            return compare(ex, name, got, forward, [
                (up - fx, "you have the rise f(x + h) − f(x); divide it by the run h"),
                ((fx - up) / h, "the rise is f(x + h) − f(x): after the nudge minus before"),
                ((up - fx) / (2 * h), "a one-sided nudge moves x by h, so divide by h, not 2h"),
                (up / h, "subtract f(x): the slope is the change in f, not its new value"),
                ((fx - down) / h, "that is the backward difference (f(x) − f(x − h))/h, a slope "
                 "too, but this exercise nudges x up: (f(x + h) − f(x))/h"),
            ])
        kind = "the central difference (f(x+h) − f(x−h))/2h" if central else \
            "(f(x + h) − f(x)) / h"
        return Verdict(ex, True, f"your slope computes {kind} on {len(_SLOPE_CASES)} tests")

    return judge(ex, body)


def check_derivative(dfdx: Any, f: Callable[[float], float], x: float) -> Verdict:
    """Exercise 1b: the exact f′(x), worked out by hand; judged by a tiny central difference.

    >>> check_derivative(2.75, f=lambda t: t ** 3 - 4 * t + 1, x=1.5).ok   # 3x² − 4
    True
    """
    ex = "1 · the exact derivative"

    def body() -> Verdict:
        got = answer_number(dfdx, "dfdx")
        h = 1e-5 * max(1.0, abs(x))
        want = (f(x + h) - f(x - h)) / (2 * h)  # error O(h²) ~ 1e-10 for smooth f
        estimate = (f(x + 1e-3) - f(x)) / 1e-3
        if math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-7):
            return Verdict(ex, True, f"the exact derivative is {want:.6g}")
        mistakes = [
            (estimate, "that is the slope for h = 0.001, an estimate; the exact derivative "
                       "is its limit as h → 0, by the power rule"),
            (f(x), f"that is f({x}) itself, the height, not the slope"),
        ]
        for wrong, hint in mistakes:
            if math.isclose(got, wrong, rel_tol=1e-9):
                return Verdict(ex, False, f"{got:.6g} is not f′({x})", hint)
        return Verdict(ex, False, f"{got:.6g} is not f′({x})",
                       "differentiate term by term, then put x in")

    return judge(ex, body)


# --------------------------------------------------------------------------------------
# 2 · a new op's local derivative
# --------------------------------------------------------------------------------------


def check_partial(
    partial: Callable[[float], float],
    reference: Callable[[float], float],
    points: Sequence[float] = (-2.5, -0.6, 0.3, 1.7),
    name: str = "the op",
) -> Verdict:
    """Exercise 2a: is ``partial(x)`` the derivative of ``reference`` at every point?

    Judged against the central difference of ``reference`` (plain floats, h = 1e-6·max(1,|x|)).
    A mismatch is named: the value instead of the derivative, a sign, a constant factor, or
    a formula right only for x > 0 (|x| written as x).

    >>> check_partial(lambda t: 2 * t, lambda t: t * t, name="square").ok
    True
    >>> check_partial(lambda t: t * t, lambda t: t * t, name="square").hint
    'that is the op’s value, not its derivative: differentiate it'
    """
    ex = f"2 · the local derivative of {name}"

    def body() -> Verdict:
        got, want, value, rows = [], [], [], []
        for x in points:
            g = answer_number(result_of(partial, f"{name}′({x})", x), f"{name}′({x})")
            h = 1e-6 * max(1.0, abs(x))
            numeric = (reference(x + h) - reference(x - h)) / (2 * h)
            got.append(g)
            want.append(numeric)
            value.append(reference(x))
            rows.append(f"x = {x:+.3g}: yours {g:.8g}, finite difference {numeric:.8g}")
        ga, wa = np.array(got), np.array(want)
        if np.allclose(ga, wa, rtol=1e-6, atol=1e-8):  # a central difference is good to ~1e-10
            return Verdict(ex, True, f"{name}′ agrees with finite differences at {len(points)} "
                           "points", details=tuple(rows))
        positive = np.array(points) > 0
        if is_close(ga, np.array(value)):
            hint = "that is the op’s value, not its derivative: differentiate it"
        elif np.allclose(ga[positive], wa[positive], rtol=1e-6, atol=1e-8):
            hint = ("right for x > 0 only: for x < 0, |x| = −x, so its derivative is −1 "
                    "(d|x|/dx = sign x)")
        else:
            hint = shape_of_error(ga, wa, [f"{name}′({x:g})" for x in points])
        raise NotYetError(f"{name}′ disagrees with finite differences", hint, rows)

    return judge(ex, body)


def check_op(
    op: Callable[[Value], Value],
    reference: Callable[[float], float],
    points: Sequence[float] = (-2.5, -0.6, 0.3, 1.7),
    name: str = "the op",
) -> Verdict:
    """Exercise 2b: does ``op`` (Value → Value) compute ``reference`` and its derivative?

    ``op`` is typically made by :func:`micrograd_like.define_op` from a forward function and
    the student's local derivative, so a wrong partial shows up here.

    For each point x the value must match ``reference(x)``, and backward's ∂op/∂x must match
    the central difference of ``reference`` (floats only: the engine is not asked).  A
    mismatch is named: a sign, a constant factor, the value returned as its own derivative,
    a zero gradient (the op was computed on floats, so nothing flows back).

    >>> check_op(lambda v: v * v * v, lambda t: t ** 3, name="cube").ok
    True
    """
    ex = f"2 · {name}"

    def body() -> Verdict:
        if op is None or op is Ellipsis or not callable(op):
            call_student(op, name)  # says what is wrong with it
        rows, got_d, want_d, values = [], [], [], []
        for x in points:
            leaf = Value(x)
            out = call_student(op, f"{name}(Value({x}))", leaf)
            if not isinstance(out, Value):
                raise NotYetError(f"{name}(Value({x})) returned {short(out)}, not a Value",
                              "build the result from the input Value (or define it as an op)")
            want = reference(x)
            if not math.isclose(out.data, want, rel_tol=RTOL, abs_tol=ATOL):
                raise NotYetError(f"{name}({x}) = {out.data:.6g}, expected {want:.6g}",
                              "the forward value is wrong: check the formula itself first")
            call_student(out.backward, f"backward() through {name}")
            h = 1e-6 * max(1.0, abs(x))
            numeric = (reference(x + h) - reference(x - h)) / (2 * h)
            got_d.append(leaf.grad)
            want_d.append(numeric)
            values.append(want)
            rows.append(f"x = {x:+.3g}: backward {leaf.grad:.8g}, finite difference {numeric:.8g}")
        g, w = np.array(got_d), np.array(want_d)
        if np.allclose(g, w, rtol=1e-5, atol=1e-7):  # a central difference is good to ~1e-9
            return Verdict(ex, True, f"{name}: value and derivative agree with finite differences"
                           f" at {len(points)} points", details=tuple(rows))
        if np.all(g == 0.0):
            hint = ("no gradient reaches x: the op was computed on floats (.data), which cuts "
                    "the graph, or its local derivative is 0")
        elif is_close(g, np.array(values)):
            hint = "the local derivative returns the op's value; differentiate it"
        else:
            hint = shape_of_error(g, w, [f"the derivative at x = {x:g}" for x in points])
        raise NotYetError(f"{name}: backward's derivative disagrees with finite differences", hint,
                      rows)

    return judge(ex, body)
