"""A Value never turns into a plain number behind the student's back.

``math.exp(v)``, ``float(v)``, ``np.float64(v)``, ``int(v)``, ``round(v)``, ... would hand back
a bare number: the op done on it is not in the graph, and the gradient through it would be
silently lost.  Each conversion raises a TypeError that names what happened and the fix;
``v.data`` is the number, and ``v.exp()`` (or ``micrograd_like.exp(v)``, or ``np.exp`` on a
Value) stays in the graph.
"""

from __future__ import annotations

import cmath
import math
import operator

import numpy as np
import pytest

import micrograd_like as mg
from micrograd_like import Value

# Each way of turning a Value into a number, and what its message must say to fix it.
CONVERSIONS = {
    "float(v)": (float, "v.data"),
    "math.exp(v)": (math.exp, "v.exp()"),
    "math.log(v)": (math.log, "v.log()"),
    "math.sqrt(v)": (math.sqrt, "v.sqrt()"),
    "math.sin(v)": (math.sin, "micrograd_like.exp(v)"),
    "np.float64(v)": (np.float64, "v.data"),
    "np.asarray([v], dtype=float)": (lambda v: np.asarray([v], dtype=float), "v.data"),
    "np.array([v]).astype(float)": (lambda v: np.array([v]).astype(float), "v.data"),
    "int(v)": (int, "int(v.data)"),
    "operator.index(v)": (operator.index, "int(v.data)"),
    "range(v)": (range, "int(v.data)"),
    "complex(v)": (complex, "v.data"),
    "cmath.exp(v)": (cmath.exp, "v.data"),
    "round(v)": (round, "round(v.data)"),
    "round(v, 2)": (lambda v: round(v, 2), "round(v.data)"),
    "math.floor(v)": (math.floor, "math.floor(v.data)"),
    "math.ceil(v)": (math.ceil, "math.ceil(v.data)"),
    "math.trunc(v)": (math.trunc, "math.trunc(v.data)"),
}


def test_x_times_math_exp_of_x_raises_instead_of_losing_the_gradient():
    # math.exp(x) used to return the float eˣ, so x * math.exp(x) got ∂/∂x = eˣ, without
    # the x·eˣ term of the product rule, and no error.
    x = Value(0.5)
    with pytest.raises(TypeError, match=r"math\.exp\(v\).*would drop v from the graph"):
        x * math.exp(x)


def test_the_message_for_math_exp_names_the_method_and_the_number_to_use_instead():
    with pytest.raises(TypeError) as caught:
        math.exp(Value(0.5))
    message = str(caught.value)
    assert "lose its gradient" in message
    assert "use v.exp()" in message and "v.data for the number" in message
    assert "v.data = 0.5" in message


def test_x_times_x_exp_gives_the_product_rule_gradient():
    for a in (-1.3, 0.0, 0.5, 2.0):
        x = Value(a)
        z = x * x.exp()
        z.backward()
        assert x.grad == pytest.approx(math.exp(a) * (1.0 + a), rel=1e-15)  # (x eˣ)′ = eˣ(1 + x)


def test_the_function_form_stays_in_the_graph_like_the_method():
    x = Value(0.7)
    z = x * mg.exp(x)
    z.backward()
    assert x.grad == pytest.approx(math.exp(0.7) * 1.7, rel=1e-15)


def test_v_data_is_the_plain_number_outside_the_graph():
    x = Value(0.5)
    assert math.exp(x.data) == math.exp(0.5)
    z = x * math.exp(x.data)  # a constant factor, said out loud: ∂/∂x = e^0.5 only
    z.backward()
    assert x.grad == math.exp(0.5)


@pytest.mark.parametrize("written", list(CONVERSIONS))
def test_every_conversion_to_a_number_raises_a_type_error_saying_the_gradient_is_lost(written):
    convert, _ = CONVERSIONS[written]
    with pytest.raises(TypeError, match="would drop v from the graph and lose its gradient"):
        convert(Value(2.5))


@pytest.mark.parametrize("written", list(CONVERSIONS))
def test_every_conversion_error_names_the_fix_and_the_number(written):
    convert, fix = CONVERSIONS[written]
    with pytest.raises(TypeError) as caught:
        convert(Value(2.5))
    assert fix in str(caught.value)
    assert "v.data = 2.5" in str(caught.value)


@pytest.mark.parametrize("written", ["int(v)", "complex(v)", "round(v)", "math.floor(v)",
                                     "math.ceil(v)", "math.trunc(v)", "operator.index(v)"])
def test_each_conversion_error_names_the_conversion_written(written):
    convert, _ = CONVERSIONS[written]
    with pytest.raises(TypeError) as caught:
        convert(Value(2.5))
    assert written in str(caught.value)


def test_a_value_used_as_a_list_index_is_refused():
    with pytest.raises(TypeError, match=r"not an integer index.*int\(v\.data\)"):
        [10, 20, 30][Value(1.0)]


@pytest.mark.parametrize("data", [0.0, 1.0])
def test_the_truth_value_of_a_value_is_refused_as_it_would_not_test_the_number(data):
    # Without this, `if v:` was true for every Value, also for Value(0.0).
    with pytest.raises(TypeError, match=r"truth value of a Value is ambiguous.*v > 0.*is not None"):
        if Value(data):
            pass
    with pytest.raises(TypeError, match="ambiguous"):
        Value(data) or 1.0


def test_comparisons_still_give_plain_bools_of_the_numbers():
    assert (Value(0.0) > 0) is False
    assert (Value(0.5) >= Value(0.5)) is True
    assert max(Value(1.0), Value(3.0), key=lambda v: v.data).data == 3.0


def test_a_value_of_a_value_is_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"got Value.*use v\.data for its number"):
        Value(Value(2.0))


def test_numpy_ufuncs_on_an_object_array_of_values_stay_in_the_graph():
    points = [-1.3, 0.0, 0.5, 2.0]
    xs = np.array([Value(a) for a in points], dtype=object)
    total = np.sum(xs * np.exp(xs) + np.tanh(xs))  # a Value: Σ (x eˣ + tanh x)
    assert isinstance(total, Value)
    total.backward()
    for x, a in zip(xs, points):  # d/dx (x eˣ + tanh x) = eˣ(1 + x) + 1 − tanh² x
        assert x.grad == pytest.approx(math.exp(a) * (1 + a) + 1 - math.tanh(a) ** 2, rel=1e-14)


def test_numpy_exp_of_a_single_value_is_the_values_exp_node():
    x = Value(0.3)
    y = np.exp(x)
    assert isinstance(y, Value) and y.op == "exp" and y.parents == (x,)


def test_an_object_array_of_values_is_not_silently_cast_to_floats():
    xs = np.array([Value(1.0), Value(2.0)], dtype=object)
    with pytest.raises(TypeError, match="a Value is not a float"):
        xs.astype(float)
    assert np.array([v.data for v in xs]).tolist() == [1.0, 2.0]  # the numbers, said out loud


@pytest.mark.usefixtures("rule_table_restored")
def test_a_defined_op_written_with_math_refuses_higher_derivatives_instead_of_dropping_them():
    # Its partial eˣ, written as math.exp(x), is a float function: on Values it cannot be
    # differentiated again, and it used to make every second derivative a silent 0.
    mathexp = mg.define_op("mathexp_floats_only", lambda x: math.exp(x),
                           [lambda x: math.exp(x)], formula="eˣ")
    x = Value(0.4)
    mathexp(x).backward()  # the first order computes on floats: fine
    assert x.grad == pytest.approx(math.exp(0.4), rel=1e-15)
    with pytest.raises(TypeError, match=r"math\.exp\(v\).*use v\.exp\(\)"):
        mg.grad(mg.grad(mathexp))(0.4)


# -- formatting is for reading, so it shows the number --------------------------------------


@pytest.mark.parametrize("spec", [".3f", ".2e", "+.1f", ">12.4g", "%", ",.2f"])
def test_a_format_spec_formats_the_number_as_for_a_float(spec):
    v = Value(1234.56789)
    assert format(v, spec) == format(1234.56789, spec)
    assert f"{v:{spec}}" == format(1234.56789, spec)


def test_formatting_without_a_spec_is_the_repr():
    v = Value(0.5, label="w")
    assert f"{v}" == repr(v) == str(v)


def test_a_format_spec_that_no_float_accepts_is_refused_as_for_a_float():
    with pytest.raises(ValueError, match="Unknown format code 'd'"):
        format(Value(1.5), "d")
