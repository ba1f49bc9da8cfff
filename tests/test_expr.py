"""The safe expression parser: what it accepts, what it builds, and everything it refuses."""

from __future__ import annotations

import builtins
import math

import pytest

import micrograd_like as mg
from micrograd_like import ops
from micrograd_like.expr import MAX_DEPTH, MAX_LENGTH, ExpressionError, parse

# (text, values, the same function written with the math module: the oracle)
ALLOWED = [
    ("tanh(x*w + b)", {"x": 2.0, "w": -3.0, "b": 6.88}, lambda x, w, b: math.tanh(x * w + b)),
    ("x**2 + 3*x", {"x": 1.5}, lambda x: x**2 + 3 * x),
    ("-x / (y - 1)", {"x": 2.0, "y": 5.0}, lambda x, y: -x / (y - 1)),
    ("+x - -y", {"x": 0.5, "y": 0.25}, lambda x, y: x + y),
    ("exp(x) * log(y)", {"x": 0.3, "y": 2.0}, lambda x, y: math.exp(x) * math.log(y)),
    ("sigmoid(x)", {"x": -0.7}, lambda x: 1 / (1 + math.exp(-x))),
    ("relu(x) + abs(y)", {"x": 1.25, "y": -2.0}, lambda x, y: max(x, 0.0) + abs(y)),
    ("sqrt(x) + softplus(y)", {"x": 4.0, "y": 0.1}, lambda x, y: x**0.5 + math.log1p(math.exp(y))),
    ("sin(x) * cos(y)", {"x": 0.4, "y": 1.1}, lambda x, y: math.sin(x) * math.cos(y)),
    ("x ** -1 + 2 ** y", {"x": 4.0, "y": 3.0}, lambda x, y: 1 / x + 2**y),
    ("x ** y", {"x": 1.5, "y": 2.5}, lambda x, y: x**y),
    ("1e-3 * x", {"x": 7.0}, lambda x: 1e-3 * x),
    ("3", {}, lambda: 3.0),
]


@pytest.mark.parametrize("text, values, oracle", ALLOWED, ids=[a[0] for a in ALLOWED])
def test_allowed_expressions_compute_what_math_computes(text, values, oracle):
    root, _ = parse(text).build(values)
    assert root.data == pytest.approx(oracle(*values.values()), rel=1e-12)


@pytest.mark.parametrize("text, values, oracle", ALLOWED, ids=[a[0] for a in ALLOWED])
def test_gradients_match_central_differences(text, values, oracle):
    root, leaves = parse(text).build(values)
    root.backward()
    h = 1e-6
    for name in values:
        up = {**values, name: values[name] + h}
        down = {**values, name: values[name] - h}
        numeric = (oracle(*up.values()) - oracle(*down.values())) / (2 * h)
        assert leaves[name].grad == pytest.approx(numeric, rel=1e-6, abs=1e-8), name


def test_names_are_listed_in_order_of_first_appearance():
    assert parse("tanh(x*w + b) + x").names == ("x", "w", "b")


def test_a_name_used_twice_is_one_leaf():
    root, leaves = parse("x * x").build({"x": 3.0})
    root.backward()
    assert root.parents == (leaves["x"], leaves["x"])
    assert leaves["x"].grad == 6.0  # d/dx x² = 2x


def test_leaves_are_labelled_with_their_names():
    _, leaves = parse("a + b").build({"a": 1.0, "b": 2.0})
    assert [v.label for v in leaves.values()] == ["a", "b"]


def test_a_constant_exponent_stays_a_number():
    root, _ = parse("x ** 2").build({"x": 3.0})
    assert root.op == "**2" and len(root.parents) == 1


def test_build_never_calls_eval_or_exec(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    root, _ = parse("tanh(x*w + b)").build({"x": 1.0, "w": 2.0, "b": 3.0})
    assert root.data == pytest.approx(math.tanh(5.0))


# (text, a fragment of the message)
REFUSED = [
    ("__import__('os').system('x')", "attribute access '.system'"),
    ("().__class__", "attribute access '.__class__'"),
    ("x.__class__.__bases__", "attribute access"),
    ("__import__('os')", "a call of '__import__'"),
    ("open('f')", "a call of 'open'"),
    ("x[0]", "a subscript"),
    ("lambda: 1", "lambda"),
    ("[a for a in b]", "a comprehension"),
    ("(a for a in b)", "a generator expression"),
    ("exp(x=1)", "keyword argument 'x='"),
    ("exp(**d)", "'**' argument"),
    ("exp(*x)", "a starred argument"),
    ("exp(x, y)", "with 2 arguments"),
    ("exp()", "with 0 arguments"),
    ("exp", "function name 'exp' without a call"),
    ("exp(x)(y)", "a call of a computed function"),
    ("'text'", "a string"),
    ("True", "True"),
    ("None", "None"),
    ("1j", "complex"),
    ("x // 2", "operator '//'"),
    ("x % y", "operator '%'"),  # % takes a number on its right only
    ("~x", "operator '~'"),
    ("not x", "operator 'not'"),
    ("x < y", "a comparison"),
    ("x and y", "'and'/'or'"),
    ("x if y else z", "conditional expression"),
    ("(x, y)", "a tuple"),
    ("(y := 2)", "assignment ':='"),
    ("f'{x}'", "an f-string"),
    ("1e999", "overflows to infinity"),
    ("import os", "invalid syntax"),
    ("x; y", "invalid syntax"),
    ("x +", "invalid syntax"),
    ("", "empty"),
    ("   ", "empty"),
    ("x\x00", "NUL"),
    ("(" * 300 + "x" + ")" * 300, "too many nested parentheses"),  # Python's own limit
    ("(" * 10_000 + "x" + ")" * 10_000, f"the limit is {MAX_LENGTH}"),
    ("-" * (MAX_DEPTH + 1) + "x", f"more than {MAX_DEPTH} levels"),
    ("x" * (MAX_LENGTH + 1), f"the limit is {MAX_LENGTH}"),
]


@pytest.mark.parametrize("text, fragment", REFUSED, ids=[r[0][:30] for r in REFUSED])
def test_disallowed_input_raises_a_one_line_error_naming_it(text, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_a_non_string_is_refused():
    with pytest.raises(ExpressionError, match="must be a str"):
        parse(42)


def test_a_long_flat_sum_within_the_limits_is_accepted():
    text = "+".join(["x"] * 400)  # nests 399 additions deep, 799 characters
    root, leaves = parse(text).build({"x": 1.0})
    root.backward()
    assert (root.data, leaves["x"].grad) == (400.0, 400.0)


# (text, values, a fragment of the engine's message)
DOMAIN_ERRORS = [
    ("log(x)", {"x": -1.0}, "log: undefined"),
    ("sqrt(x)", {"x": -4.0}, "sqrt: undefined"),
    ("1 / x", {"x": 0.0}, "division by zero"),
    ("exp(x)", {"x": 1000.0}, "exp overflows"),
    ("9**9**9", {}, "** overflows"),
    ("x ** 0.5", {"x": -2.0}, "**0.5: undefined at x=-2.0"),
    ("x ** y", {"x": -2.0, "y": 0.5}, "**: undefined at a=-2.0, b=0.5"),
]


@pytest.mark.parametrize("text, values, fragment", DOMAIN_ERRORS, ids=[d[0] for d in DOMAIN_ERRORS])
def test_engine_domain_errors_become_expression_errors(text, values, fragment):
    with pytest.raises(ExpressionError, match="cannot evaluate") as info:
        parse(text).build(values)
    assert fragment in str(info.value)


def test_a_missing_value_is_named():
    with pytest.raises(ExpressionError, match="no value given for 'b'"):
        parse("a + b").build({"a": 1.0})


@pytest.mark.parametrize("bad", [math.inf, math.nan, "2", True])
def test_a_value_that_is_not_a_finite_number_is_refused(bad):
    with pytest.raises(ExpressionError, match="value of 'x'"):
        parse("x + 1").build({"x": bad})


@pytest.mark.parametrize("name", ops.function_names())
def test_every_function_of_the_rule_table_can_be_called_in_an_expression(name):
    arity = ops.rule(name).arity
    names = ["u", "v"][:arity]
    domain = ops.rule(name).domain or (lambda *xs: True)
    u = next(u for u in (0.4, 1.4) if domain(*[u, 0.7][:arity]))  # inside the op's domain
    values = {"u": u, "v": 0.7}
    root, _ = parse(f"{name}({', '.join(names)})").build(values)
    assert root.op == name
    assert root.data == getattr(mg, name)(*(values[n] for n in names)).data


def test_a_function_with_the_wrong_number_of_arguments_is_refused():
    with pytest.raises(ExpressionError, match=r"maximum\(\) with 1 arguments \(it takes 2\)"):
        parse("maximum(x)")


def test_mod_by_a_number_is_the_engines_mod_op():
    root, leaves = parse("x % 0.75").build({"x": 2.0})
    root.backward()
    assert (root.op, root.data, leaves["x"].grad) == ("%0.75", 2.0 % 0.75, 1.0)


def test_an_op_added_with_define_op_is_callable_in_an_expression():
    mg.define_op("cube_e", lambda x: x * x * x, [lambda x: 3 * x * x], formula="x³")
    try:
        root, leaves = parse("cube_e(x) + 1").build({"x": 2.0})
        root.backward()
        assert (root.data, leaves["x"].grad) == (9.0, 12.0)
    finally:
        mg.ops.RULES.pop("cube_e")
