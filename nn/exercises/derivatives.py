"""Exercises 1 and 2: the slope of f by nudging x, the exact derivative f′(x), and a new
op's local derivative (checked at many points, then through :func:`~micrograd_like.define_op`).

The checkers are re-exported by :mod:`nn.exercises`, whose docstring says how they judge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np

from micrograd_like import Value
from nn.exercises.instances import generator, numbers
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

def cubic(seed: int = 0) -> tuple[tuple[float, float, float, float], float]:
    """Exercise 1's function and point: ``((c3, c2, c1, c0), x0)`` for
    f(x) = c3·x³ + c2·x² + c1·x + c0, whose slope the student estimates and then works out
    at x0.  Seed 0 is the book's f(x) = x³ − 4x + 1 at x0 = 1.5.

    >>> cubic()
    ((1.0, 0.0, -4.0, 1.0), 1.5)
    >>> cubic(7) != cubic()
    True
    """
    if seed == 0:
        return (1.0, 0.0, -4.0, 1.0), 1.5
    r = generator(seed, "1 · cubic")
    c3 = float(r.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]))
    c2, c1, c0 = (float(r.integers(-4, 5)) for _ in range(3))
    x0 = numbers(seed, "1 · x0", 1, -2.0, 2.0, least=0.3, digits=1)[0]
    return (c3, c2, c1, c0), x0


def cubic_text(coefficients: Sequence[float]) -> str:
    """``(1, 0, -4, 1)`` → ``'x³ − 4x + 1'``: the polynomial as the notebook prints it."""
    terms = []
    for c, power in zip(coefficients, ("x³", "x²", "x", "")):
        if c == 0:
            continue
        size = abs(c)
        body = (f"{size:g}" if size != 1 or not power else "") + power
        sign = "−" if c < 0 else "+"
        terms.append((sign, body))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    text = ("−" if first_sign == "−" else "") + first
    return text + "".join(f" {s} {b}" for s, b in terms[1:])


def _polynomial(coefficients: Sequence[float]) -> Callable[[float], float]:
    c3, c2, c1, c0 = coefficients
    return lambda t: c3 * t ** 3 + c2 * t ** 2 + c1 * t + c0


def _slope_cases(seed: int) -> list[tuple[Callable[[float], float], str, float, float]]:
    """(f, its name, x, h): the seed's cubic at two points, and a transcendental function."""
    coefficients, x0 = cubic(seed)
    f, name = _polynomial(coefficients), cubic_text(coefficients)
    x1, x2 = numbers(seed, "1 · slope points", 2, -2.5, 2.5, least=0.2, digits=1)
    return [(f, name, x0, 1e-3), (f, name, x1, 0.25), (math.sin, "sin x", x2, 0.1)]


def check_slope(slope: Callable[[Callable[[float], float], float, float], float],
                seed: int = 0) -> Verdict:
    """Exercise 1a: ``slope(f, x, h)`` must return the rise over the run, (f(x + h) − f(x))/h.

    The central difference (f(x + h) − f(x − h))/2h is accepted too.  Tried on the seed's
    cubic at two points and on sin x.

    >>> check_slope(lambda f, x, h: (f(x + h) - f(x)) / h).ok
    True
    >>> check_slope(lambda f, x, h: f(x + h) - f(x)).hint
    'you have the rise f(x + h) − f(x); divide it by the run h'
    """
    ex = "1 · slope by nudging"

    def body() -> Verdict:
        central = True
        cases = _slope_cases(seed)
        for f, fname, x, h in cases:
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
        return Verdict(ex, True, f"your slope computes {kind} on {len(cases)} tests")

    return judge(ex, body)


#: how close fprime(x) must come to the exact f′(x), relative to the size of f′'s terms:
#: the formula evaluated in floats is good to ~1e-15; a slope by nudging never gets below
#: ~1e-11 (its step error, h·f″/2 or h²·f‴/6, plus rounding of size 1e-16·|f|/h)
DERIVATIVE_TOL = 1e-12


def check_derivative(fprime: Any, seed: int = 0) -> Verdict:
    """Exercise 1b: ``fprime(x)``, the exact f′(x) of the seed's :func:`cubic` worked out by
    hand (the power rule), as a function of x.

    Judged at the seed's x0 and four more points against the derivative of the polynomial,
    3c₃x² + 2c₂x + c₁, to :data:`DERIVATIVE_TOL` relative to the size of its terms, the same
    rule at every point and for every h: a slope by nudging is an estimate, whatever its h,
    and is named as one with how far off it is.  A number is refused: 1b asks for the
    formula, and a function of x is how a formula is checked at several points.

    >>> check_derivative(lambda x: 3 * x**2 - 4).ok       # f(x) = x³ − 4x + 1
    True
    >>> print(check_derivative(2.75))
    not yet · fprime is a number (2.75), not a function of x
      hint: write the formula: def fprime(x): return ... (the derivative of each term, in x)
    """
    ex = "1 · the exact derivative"

    def body() -> Verdict:
        if isinstance(fprime, (Real, Value)):
            raise NotYetError(f"fprime is a number ({short(fprime)}), not a function of x",
                              "write the formula: def fprime(x): return ... (the derivative "
                              "of each term, in x)")
        if not callable(fprime):
            call_student(fprime, "fprime")  # says what is wrong with it
        coefficients, x0 = cubic(seed)
        c3, c2, c1, c0 = coefficients
        f = _polynomial(coefficients)
        others = numbers(seed, "1 · derivative points", 4, -3.0, 3.0, least=0.2, digits=2)
        points = [x0, *others]
        got = np.array([answer_number(result_of(fprime, f"fprime({x})", x), f"fprime({x})")
                        for x in points])
        want = np.array([3 * c3 * x * x + 2 * c2 * x + c1 for x in points])
        scale = np.array([abs(3 * c3 * x * x) + abs(2 * c2 * x) + abs(c1) + 1e-300
                          for x in points])
        err = np.abs(got - want)
        text = cubic_text(coefficients)
        if np.all(err <= DERIVATIVE_TOL * scale):
            return Verdict(ex, True, f"fprime is f′(x) for f(x) = {text}: f′({x0}) = "
                           f"{want[0]:.12g}, and it agrees at {len(points)} points")
        bad = int(np.argmax(err > DERIVATIVE_TOL * scale))
        x, g, w = points[bad], got[bad], want[bad]
        message = f"fprime({x}) = {g:.12g}, but f′({x}) = {w:.12g}"
        if np.allclose(got, got[0], rtol=0, atol=0) and not np.allclose(want, want[0]):
            raise NotYetError(f"fprime returns {got[0]:.12g} at every x, but f′ changes with x",
                              "a number typed in is not the formula: write f′(x) in x, so "
                              "that it works at any point")
        values = np.array([f(x) for x in points])
        power_slip = np.array([3 * c3 * x * x + c2 * x + c1 for x in points])
        mistakes = [
            (values, "that is f(x) itself, the height, not the slope"),
            (want + c0, "the constant term's derivative is 0: it does not change with x"),
            (power_slip, "d/dx x² = 2x: the x² term gives 2c₂x"),
        ]
        for wrong, hint in mistakes:
            if not np.allclose(wrong, want) and np.allclose(got, wrong, rtol=1e-9,
                                                                atol=1e-12):
                raise NotYetError(message, hint)
        if np.all(err <= 5e-2 * scale):  # near everywhere, yet beyond rounding: an estimate
            raise NotYetError(
                f"{message} exactly: off by {err[bad]:.1e}, so it is an estimate",
                "that is a slope by nudging (some h > 0), which is never exact: the exact "
                "derivative is its limit as h → 0, by the power rule, d/dx xⁿ = n xⁿ⁻¹ "
                f"(accepted: within {DERIVATIVE_TOL:.0e} of the size of f′'s terms)")
        raise NotYetError(message, "differentiate term by term, then put x in")

    return judge(ex, body)


# --------------------------------------------------------------------------------------
# 2 · a new op's local derivative
# --------------------------------------------------------------------------------------

_POINTS = (-2.5, -0.6, 0.3, 1.7)


def softsign_scale(seed: int = 0) -> float:
    """Exercise 2's op is softsign with a scale c, s(x) = x / (c + |x|); seed 0 is the
    usual softsign, c = 1.

    >>> softsign_scale(), softsign_scale(12345) != 1.0
    (1.0, True)
    """
    if seed == 0:
        return 1.0
    return float(generator(seed, "2 · scale").choice([0.5, 1.5, 2.0, 2.5, 3.0, 4.0]))


def _softsign(seed: int) -> Callable[[float], float]:
    c = softsign_scale(seed)
    return lambda x: x / (c + abs(x))


def _op_points(seed: int) -> tuple[float, ...]:
    """Where exercise 2's derivative is tried: two negative and two positive points."""
    if seed == 0:
        return _POINTS
    neg = numbers(seed, "2 · negative points", 2, -3.0, -0.2, digits=1)
    pos = numbers(seed, "2 · positive points", 2, 0.2, 3.0, digits=1)
    return tuple(sorted(neg + pos))


def check_partial(
    partial: Callable[[float], float],
    reference: Callable[[float], float] | None = None,
    points: Sequence[float] | None = None,
    name: str = "the op",
    seed: int = 0,
) -> Verdict:
    """Exercise 2a: is ``partial(x)`` the derivative of ``reference`` at every point?

    Without a ``reference``, the op is the seed's softsign x / (c + |x|)
    (:func:`softsign_scale`); without ``points``, the seed's four points.

    Judged against the central difference of ``reference`` (plain floats, h = 1e-6·max(1,|x|)).
    A mismatch is named: the value instead of the derivative, a sign, a constant factor, or
    a formula right only for x > 0 (|x| written as x).

    >>> check_partial(lambda t: 2 * t, lambda t: t * t, name="square").ok
    True
    >>> check_partial(lambda t: t * t, lambda t: t * t, name="square").hint
    'that is the op’s value, not its derivative: differentiate it'
    >>> check_partial(lambda t: 1 / (1 + abs(t)) ** 2).ok      # softsign, c = 1
    True
    """
    if reference is None:
        reference, name = _softsign(seed), "softsign"
    points = _op_points(seed) if points is None else points
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
    reference: Callable[[float], float] | None = None,
    points: Sequence[float] | None = None,
    name: str = "the op",
    seed: int = 0,
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

    Without a ``reference`` and ``points``, as :func:`check_partial`: the seed's softsign.
    """
    if reference is None:
        reference, name = _softsign(seed), "softsign"
    points = _op_points(seed) if points is None else points
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
