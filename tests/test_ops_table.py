"""Every op of the rule table, checked the same way: parametrised over ops.RULES.

A built-in op added to the table is picked up here automatically: its local partials are
checked against central finite differences (first order on floats, second order through
the Value-valued partials), against torch, on the tape against the eager engine, and its
domain rule, texts, method and function form are checked.  Ops with a constant (x ** c,
c ** x, x % c) are checked at a few constants.
"""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pytest

import micrograd_like as mg
from micrograd_like import Value, ops
from micrograd_like.formulas import op_formula, partial_formulas
from micrograd_like.namespaces import FLOATS, array_kernel, arrays
from micrograd_like.tape import compile as compile_tape

FAMILY_SAMPLES = ["**2", "**3", "**-1", "**0.5", "**0", "**1", "2**", "0.5**", "0**", "%3", "%-3"]
BUILTINS = [name for name, op in ops.RULES.items() if op.builtin and op.arity != ops.NARY]
OPS = BUILTINS + FAMILY_SAMPLES
KINKS = {"relu", "abs", "sign", "maximum", "minimum"}  # not differentiable at 0 / at a tie


def points(name: str, n: int = 6, seed: int = 0) -> list[tuple[float, ...]]:
    """n inputs inside the op's domain, away from its kinks, poles and jumps."""
    op = ops.rule(name)
    rng = random.Random(f"{name}-{seed}")
    found: list[tuple[float, ...]] = []
    while len(found) < n:
        xs = tuple(rng.uniform(-1.4, 1.4) for _ in range(op.arity))
        if any(abs(x) < 0.1 for x in xs) or (op.arity == 2 and abs(xs[0] - xs[1]) < 0.1):
            continue
        near = [tuple(x + d * (k == i) for k, x in enumerate(xs))
                for i in range(len(xs)) for d in (-0.1, 0.0, 0.1)]
        if op.domain is not None and not all(op.domain(*ys) for ys in near):
            continue  # keep 0.1 from the domain's edge, where the slopes blow up
        found.append(xs)
    return found


def make(name: str, *leaves: Value) -> Value:
    return mg.apply(name, *leaves)


def fd(f, xs: tuple[float, ...], i: int, h: float = 1e-6) -> float:
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def value_of(name: str):
    return lambda *xs: make(name, *(Value(x) for x in xs)).data


@pytest.mark.parametrize("name", OPS)
def test_local_partials_match_central_differences(name):
    for xs in points(name):
        y = make(name, *(Value(x) for x in xs))
        for i, d in enumerate(y.local_grads):
            assert d == pytest.approx(fd(value_of(name), xs, i), rel=1e-6, abs=1e-6), (name, xs)


@pytest.mark.parametrize("name", OPS)
def test_second_partials_from_the_value_rules_match_differences_of_first(name):
    # ∂²y/∂xᵢ∂xⱼ from backward(create_graph=True) against central differences of ∂y/∂xᵢ.
    def first(i):
        def f(*xs):
            y = make(name, *(Value(x) for x in xs))
            return y.local_grads[i]
        return f

    for xs in points(name, n=3):
        leaves = [Value(x) for x in xs]
        y = make(name, *leaves)
        for i in range(len(xs)):
            g = mg.grad(lambda *vs, i=i: make(name, *vs), argnum=i)(*leaves)
            for j in range(len(xs)):
                second = mg.grad(lambda *vs, i=i: mg.grad(
                    lambda *ws: make(name, *ws), argnum=i)(*vs), argnum=j)(*xs)
                expected = fd(first(i), xs, j, h=1e-5)
                assert second == pytest.approx(expected, rel=1e-5, abs=1e-6), (name, xs, i, j)
            assert g.data == y.local_grads[i] or g.data == pytest.approx(
                y.local_grads[i], rel=1e-14)


def torch_reference(name: str):
    torch = pytest.importorskip("torch", reason="torch is not installed: no cross-check")
    direct = {"neg": torch.neg, "+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div,
              "**": torch.pow, "asin": torch.asin, "acos": torch.acos, "atan": torch.atan,
              "asinh": torch.asinh, "acosh": torch.acosh, "atanh": torch.atanh,
              "softplus": torch.nn.functional.softplus}
    if name in direct:
        return direct[name]
    if name.startswith("**"):
        c = float(name[2:])
        return lambda x: x ** c
    if name.endswith("**"):
        c = float(name[:-2])
        return lambda x: torch.pow(torch.tensor(c, dtype=torch.float64), x)
    if name.startswith("%"):
        c = float(name[1:])
        return lambda x: torch.remainder(x, c)
    f = getattr(torch, name, None)
    assert f is not None, f"add a torch reference for the op {name!r} to this test"
    return f


@pytest.mark.parametrize("name", OPS)
def test_value_and_partials_match_torch(name):
    torch = pytest.importorskip("torch", reason="torch is not installed: no cross-check")
    ref = torch_reference(name)
    for xs in points(name, n=4):
        y = make(name, *(Value(x) for x in xs))
        ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
        t = ref(*ts)
        t.backward()
        assert y.data == pytest.approx(t.item(), rel=1e-13, abs=1e-15), (name, xs)
        for d, tx in zip(y.local_grads, ts):
            assert d == pytest.approx(tx.grad.item(), rel=1e-12, abs=1e-15), (name, xs)


@pytest.mark.parametrize("name", OPS)
def test_tape_replays_the_op_as_the_eager_engine_computes_it(name):
    # each input slot varies over the batch; a parameter w scales the op's output
    rows = points(name, n=5)
    arity = ops.rule(name).arity
    inputs = [Value(x) for x in rows[0]]
    w = Value(0.75)
    tape = compile_tape(w * make(name, *inputs), inputs=inputs, params=[w])
    out = tape.forward(np.array(rows))
    grad = tape.backward()
    eager, grads = [], []
    for xs in rows:
        wv = Value(0.75)
        y = wv * make(name, *(Value(x) for x in xs))
        y.backward()
        eager.append(y.data)
        grads.append(wv.grad)
    assert out.tolist() == pytest.approx(eager, rel=1e-13, abs=1e-15)
    assert grad[0] == pytest.approx(sum(grads) / len(grads), rel=1e-12)
    # and the partials with respect to varying inputs, through an input-weighted sum
    xs_in = [Value(x) for x in rows[0]]
    ps = [Value(1.0) for _ in range(arity)]
    root = make(name, *[p * x for p, x in zip(ps, xs_in)])
    tape = compile_tape(root, inputs=xs_in, params=ps)
    tape.forward(np.array(rows))
    g = tape.backward()
    expected = np.zeros(arity)
    for xs in rows:
        pv = [Value(1.0) for _ in range(arity)]
        make(name, *[p * Value(x) for p, x in zip(pv, xs)]).backward()
        expected += [p.grad for p in pv]
    assert g.tolist() == pytest.approx((expected / len(rows)).tolist(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", [n for n in OPS if array_kernel(ops.rule(n)) is not None])
def test_an_array_kernel_writes_into_out_exactly_what_the_formula_computes(name):
    # the tape computes these ops straight into its rows; the formula is the definition
    x = np.array([xs[0] for xs in points(name, n=8)]).reshape(2, 4)
    rows = np.full((3, 4), np.nan)
    returned = array_kernel(ops.rule(name))(x, out=rows[1:])
    assert np.shares_memory(returned, rows)
    np.testing.assert_array_equal(rows[1:], ops.rule(name).forward(arrays(), x))
    assert np.isnan(rows[0]).all()  # nothing written outside out


def test_ops_that_are_not_one_namespace_call_have_no_array_kernel():
    for name in ["neg", "exp2", "softplus", "**2", "2**", "%3", "+", "*"]:
        assert array_kernel(ops.rule(name)) is None, name


@pytest.mark.parametrize("name", [n for n in OPS if ops.rule(n).domain is not None])
def test_inputs_outside_the_domain_raise_naming_the_op_and_input(name):
    op = ops.rule(name)
    rng = random.Random(name)
    outside = None
    for _ in range(10_000):
        xs = tuple(rng.choice([0.0, 1.0, -1.0, rng.uniform(-3, 3)]) for _ in range(op.arity))
        if not op.domain(*xs):
            outside = xs
            break
    assert outside is not None, f"no input outside {name}'s domain found"
    with pytest.raises((ValueError, ZeroDivisionError)) as info:
        make(name, *(Value(x) for x in outside))
    assert str(info.value).startswith(f"{name}: ")
    assert repr(outside[0]) in str(info.value)


@pytest.mark.parametrize("name", OPS)
def test_texts_give_one_partial_per_input(name):
    op = ops.rule(name)
    y = make(name, *(Value(x) for x in points(name, n=1)[0]))
    assert len(partial_formulas(y)) == len(y.parents) == op.arity
    assert op_formula(y) == op.formula and op.formula


@pytest.mark.parametrize("name", OPS)
def test_texts_over_names_leave_no_symbol_of_the_rule_behind(name):
    # a symbol left in (as the x of "2x" once was) would read as the graph's node x
    y = make(name, *(Value(x) for x in points(name, n=1)[0]))
    names = [f"Q{i}" for i in range(len(y.parents))]
    for text in (*partial_formulas(y, names), op_formula(y, names)):
        rest = re.sub(r"Q\d|[A-Za-z]{2,}", "", text)  # the names, and words like exp, max, ln
        assert not set(ops.symbols(y)) & set(re.findall(r"[A-Za-z][₀-₉]*", rest)), text


@pytest.mark.parametrize("name", ops.function_names())
def test_every_function_form_takes_values_and_numbers(name):
    xs = points(name, n=1)[0]
    from_numbers = getattr(mg, name)(*xs)
    from_values = getattr(mg, name)(*(Value(x) for x in xs))
    assert isinstance(from_numbers, Value) and from_numbers.op == name
    assert from_numbers.data == from_values.data == make(name, *(Value(x) for x in xs)).data


@pytest.mark.parametrize("name", [n for n in BUILTINS if ops.rule(n).arity == 1])
def test_every_one_input_builtin_is_a_value_method(name):
    x = Value(points(name, n=1)[0][0])
    y = -x if name == "neg" else getattr(x, name)()
    assert y.op == name and y.parents == (x,)


@pytest.mark.parametrize("name", ["+", "-", "*", "/"])
def test_hand_specialised_operators_compute_what_their_rule_says(name):
    # Value.__add__ and __mul__ are written out for speed, the others come from the table:
    # all must agree with ops.RULES bit for bit
    op = ops.RULES[name]
    operator = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
                "/": lambda a, b: a / b}[name]
    for a, b in points(name, n=20):
        y = operator(Value(a), Value(b))
        out = op.forward(FLOATS, a, b)
        assert y.op == name and y.data == out
        assert y.local_grads == tuple(p(FLOATS, a, b, out) for p in op.partials)


def test_sum_and_dot_nodes_compute_what_their_rules_say():
    rng = random.Random(3)
    for n in (1, 2, 5, 16):
        xs = [rng.uniform(-2, 2) for _ in range(2 * n + 1)]
        s = mg.sum([Value(x) for x in xs])
        assert s.data == ops.RULES["sum"].forward(FLOATS, *xs)
        assert list(s.local_grads) == ops.RULES["sum"].partials[0](FLOATS, xs, s.data)
        z = mg.dot([Value(x) for x in xs[:n]], [Value(x) for x in xs[n:2 * n]], plus=xs[-1])
        assert z.data == ops.RULES["dot"].forward(FLOATS, *xs)
        assert list(z.local_grads) == ops.RULES["dot"].partials[0](FLOATS, xs, z.data)


def test_relu_abs_and_sign_take_slope_zero_at_zero():
    for name in ("relu", "abs", "sign"):
        assert make(name, Value(0.0)).local_grads == (0.0,), name


def test_maximum_and_minimum_share_the_slope_at_a_tie():
    assert mg.maximum(Value(1.0), Value(1.0)).local_grads == (0.5, 0.5)
    assert mg.minimum(Value(1.0), Value(1.0)).local_grads == (0.5, 0.5)
    assert mg.maximum(Value(2.0), Value(1.0)).local_grads == (1.0, 0.0)
    assert mg.minimum(Value(2.0), Value(1.0)).local_grads == (0.0, 1.0)


def test_mod_follows_pythons_sign_rule_with_slope_one():
    for x, c in [(5.5, 3.0), (-5.5, 3.0), (5.5, -3.0), (-1.0, 0.75)]:
        y = Value(x) % c
        assert y.data == x % c and y.local_grads == (1.0,)


def test_mod_by_a_value_is_a_type_error():
    with pytest.raises(TypeError, match=r"'%'.*divisor must be a real number"):
        Value(1.0) % Value(2.0)


def test_exp2_and_expm1_are_exact_near_their_special_points():
    assert Value(10.0).exp2().data == 1024.0
    assert Value(1e-20).expm1().data == 1e-20  # exp(x) − 1 would give 0
    assert Value(1e-20).log1p().data == 1e-20


def test_the_unit_domain_excludes_the_endpoints_where_the_slope_is_infinite():
    for name in ("asin", "acos", "atanh"):
        with pytest.raises(ValueError, match=f"{name}: undefined at x=1.0"):
            make(name, Value(1.0))
    with pytest.raises(ValueError, match=r"acosh: undefined at x=1\.0"):
        Value(1.0).acosh()
    assert math.isclose(Value(0.999).atanh().data, math.atanh(0.999))


@pytest.mark.parametrize("name", [n for n in BUILTINS if ops.rule(n).arity == 1])
def test_every_method_computes_exactly_what_its_rule_says(name):
    # each method is made from its rule (engine._op_method): the same bits as the rule
    op = ops.rule(name)
    for (x,) in [*points(name, n=20), (0.0,), (-0.0,), (0.5,), (-2.0,)]:
        if op.domain is not None and not op.domain(x):
            continue
        y = -Value(x) if name == "neg" else getattr(Value(x), name)()
        out = op.forward(FLOATS, x)
        assert y.data == out and y.local_grads == (op.partials[0](FLOATS, x, out),), x
