"""Bad input gets a clear error that names the type, the op and the value."""

from __future__ import annotations

import fractions

import numpy as np
import pytest

import micrograd_like as mg
from micrograd_like import Value


@pytest.mark.parametrize(
    ("bad", "type_name"),
    [("abc", "str"), (None, "NoneType"), ([1, 2], "list"), (1 + 2j, "complex"), ({}, "dict")],
)
def test_value_of_a_non_number_is_a_type_error_naming_the_type(bad, type_name):
    with pytest.raises(TypeError, match=f"Value data must be a real number, got {type_name}"):
        Value(bad)


def test_value_of_a_bool_is_rejected_with_a_hint():
    with pytest.raises(TypeError, match=r"got bool: True \(use float\(flag\)"):
        Value(True)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_value_of_a_non_finite_number_is_a_value_error(bad):
    with pytest.raises(ValueError, match="Value data must be finite"):
        Value(bad)


@pytest.mark.parametrize(
    "number", [3, 2.5, np.float64(1.5), np.float32(0.25), np.int64(7), fractions.Fraction(1, 4)]
)
def test_value_accepts_any_real_number_and_stores_a_float(number):
    v = Value(number)
    assert type(v.data) is float
    assert v.data == float(number)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, label=3)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_an_operand_that_is_not_a_number_names_the_op(op):
    v = Value(1.0)
    apply = {
        "+": lambda: v + "x",
        "-": lambda: v - "x",
        "*": lambda: v * "x",
        "/": lambda: v / "x",
        "**": lambda: v ** "x",
    }[op]
    with pytest.raises(TypeError, match="str"):
        apply()


def test_reflected_operand_that_is_not_a_number_names_the_op():
    with pytest.raises(TypeError, match=r"unsupported operand for '\*': a Value and list"):
        [1] * Value(2.0)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Value(0.0).log(), ValueError, r"log: undefined at x=0.0 \(defined for x > 0\)"),
        (lambda: Value(-2.0).log(), ValueError, r"log: undefined at x=-2.0 \(defined for x > 0"),
        (lambda: Value(-1.0).sqrt(), ValueError, r"sqrt: undefined at x=-1.0 \(defined for x > 0"),
        (lambda: Value(0.0).sqrt(), ValueError, r"sqrt: undefined at x=0.0 .*slope.* is infinite"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"/: division by zero at a=1.0, b=0.0"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, r"/: division by zero at a=1.0, b=0.0"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"\*\*-1: division by zero at x=0.0"),
        (lambda: Value(0.0) ** 0.5, ZeroDivisionError, r"\*\*0.5: division by zero at x=0.0"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, r"\*\*0.333\d*: undefined at x=-8.0"),
        (lambda: Value(-2.0) ** Value(2.0), ValueError, r"\*\*: undefined at a=-2.0, b=2.0"),
        (lambda: Value(0.0) ** Value(0.5), ZeroDivisionError, r"\*\*: division by zero at a=0.0"),
        (lambda: 0 ** Value(-1.0), ZeroDivisionError, r"0\*\*: division by zero at x=-1.0"),
        (lambda: (-2) ** Value(2.0), ValueError, r"-2\*\*: undefined at x=2.0 \(defined for c > 0"),
        (lambda: Value(2.0).asin(), ValueError, r"asin: undefined at x=2.0 \(defined for −1 < x"),
        (lambda: Value(1.0).atanh(), ValueError, r"atanh: undefined at x=1.0"),
        (lambda: Value(-1.0).log1p(), ValueError, r"log1p: undefined at x=-1.0 \(defined for x >"),
        (lambda: Value(3.0) % 0, ZeroDivisionError, r"%0: division by zero at x=3.0"),
    ],
)
def test_domain_errors_name_the_op_and_the_value(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Value(1000.0).exp(), r"exp overflows a float at 1000.0"),
        (lambda: Value(1e200) * Value(1e200), r"\* overflows a float at 1e\+200, 1e\+200"),
        (lambda: Value(1.7e308) + Value(1.7e308), r"\+ overflows a float"),
        (lambda: Value(-1.7e308) - Value(1.7e308), r"- overflows a float"),
        (lambda: Value(1e300) / 1e-300, r"/ overflows a float"),
        (lambda: Value(10.0) ** 400, r"\*\*400 overflows a float at 10.0"),
        (lambda: 2 ** Value(2000.0), r"\*\* overflows a float"),
        (lambda: Value(1e-320).log(), r"log overflows a float"),  # 1/x is inf
        (lambda: mg.sum([Value(1.7e308), Value(1.7e308)]), r"sum overflows a float"),
        (lambda: mg.dot([Value(1e200)], [Value(1e200)]), r"dot overflows a float"),
    ],
)
def test_overflow_raises_in_the_forward_pass_naming_the_op(make, message):
    with pytest.raises(OverflowError, match=message):
        make()


def test_overflow_message_of_a_wide_sum_names_a_few_operands_and_the_count():
    with pytest.raises(OverflowError) as info:
        mg.sum([Value(1e308)] * 500)
    message = str(info.value)
    assert message.startswith("sum overflows a float at 1e+308, 1e+308, 1e+308, 1e+308, ...")
    assert "(500 operands)" in message
    assert len(message) < 120


def test_large_but_finite_exp_is_allowed():
    y = Value(709.0).exp()
    y.backward()
    assert y.data == y.local_grads[0]


@pytest.mark.parametrize("x", [-1000.0, -50.0, 0.0, 50.0, 1000.0])
def test_sigmoid_and_softplus_are_stable_for_extreme_inputs(x):
    s = Value(x).sigmoid()
    sp = Value(x).softplus()
    assert 0.0 <= s.data <= 1.0
    assert s.data == pytest.approx(np.exp(-np.logaddexp(0.0, -x)), rel=1e-14, abs=1e-300)
    assert sp.data == pytest.approx(np.logaddexp(0.0, x), rel=1e-15, abs=1e-300)
