"""Every op's value and gradient, checked against math and central finite differences."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd_like as mg
from micrograd_like import Value, gradcheck

finite = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.05, max_value=5.0)
away_from_zero = st.one_of(st.floats(-5.0, -0.05), st.floats(0.05, 5.0))

# name, how to apply it, the same function in math, the inputs it is defined on
UNARY = [
    ("exp", lambda v: v.exp(), math.exp, finite),
    ("log", lambda v: v.log(), math.log, positive),
    ("tanh", lambda v: v.tanh(), math.tanh, finite),
    ("sigmoid", lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), finite),
    ("relu", lambda v: v.relu(), lambda x: max(0.0, x), away_from_zero),
    ("abs", lambda v: v.abs(), abs, away_from_zero),
    ("abs()", lambda v: abs(v), abs, away_from_zero),
    ("sqrt", lambda v: v.sqrt(), math.sqrt, positive),
    ("softplus", lambda v: v.softplus(), lambda x: math.log1p(math.exp(x)), finite),
    ("sin", lambda v: v.sin(), math.sin, finite),
    ("cos", lambda v: v.cos(), math.cos, finite),
    ("neg", lambda v: -v, lambda x: -x, finite),
    ("**2", lambda v: v**2, lambda x: x**2, finite),
    ("**3", lambda v: v**3, lambda x: x**3, finite),
    ("**-1", lambda v: v**-1, lambda x: 1 / x, away_from_zero),
    ("**0.5", lambda v: v**0.5, math.sqrt, positive),
    ("**-1.5", lambda v: v**-1.5, lambda x: x**-1.5, positive),
    ("**0", lambda v: v**0, lambda x: 1.0, finite),
    ("2**v", lambda v: 2**v, lambda x: 2**x, finite),
    ("3+v", lambda v: 3 + v, lambda x: 3 + x, finite),
    ("v+3", lambda v: v + 3, lambda x: x + 3, finite),
    ("1-v", lambda v: 1 - v, lambda x: 1 - x, finite),
    ("v-1", lambda v: v - 1, lambda x: x - 1, finite),
    ("2*v", lambda v: 2 * v, lambda x: 2 * x, finite),
    ("v*2", lambda v: v * 2, lambda x: x * 2, finite),
    ("2/v", lambda v: 2 / v, lambda x: 2 / x, away_from_zero),
    ("v/2", lambda v: v / 2, lambda x: x / 2, finite),
]

BINARY = [
    ("+", lambda a, b: a + b, lambda a, b: a + b, finite, finite),
    ("-", lambda a, b: a - b, lambda a, b: a - b, finite, finite),
    ("*", lambda a, b: a * b, lambda a, b: a * b, finite, finite),
    ("/", lambda a, b: a / b, lambda a, b: a / b, finite, away_from_zero),
    ("a**b", lambda a, b: a**b, lambda a, b: a**b, positive, finite),
]


@pytest.mark.parametrize(("name", "op", "reference", "domain"), UNARY, ids=[u[0] for u in UNARY])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_unary_op_value_matches_math(name, op, reference, domain, data):
    x = data.draw(domain)
    assert op(Value(x)).data == pytest.approx(reference(x), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("name", "op", "reference", "domain"), UNARY, ids=[u[0] for u in UNARY])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_unary_op_gradient_matches_finite_differences(name, op, reference, domain, data):
    x = data.draw(domain)
    report = gradcheck(op, [x])
    assert report.ok, str(report)


@pytest.mark.parametrize(
    ("name", "op", "reference", "da", "db"), BINARY, ids=[b[0] for b in BINARY]
)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_binary_op_value_and_gradients(name, op, reference, da, db, data):
    a, b = data.draw(da), data.draw(db)
    assert op(Value(a), Value(b)).data == pytest.approx(reference(a, b), rel=1e-12, abs=1e-12)
    report = gradcheck(op, [a, b])
    assert report.ok, str(report)


def test_pow_with_value_exponent_has_log_base_derivative():
    a, b = Value(2.0), Value(3.0)
    y = a**b
    y.backward()
    assert y.data == 8.0
    assert a.grad == pytest.approx(3.0 * 2.0**2)  # b·aᵇ⁻¹
    assert b.grad == pytest.approx(8.0 * math.log(2.0))  # aᵇ·ln a


def test_relu_and_abs_take_zero_slope_at_zero():
    x = Value(0.0)
    y = x.relu() + x.abs()
    y.backward()
    assert y.data == 0.0
    assert x.grad == 0.0


@settings(max_examples=40, deadline=None)
@given(st.lists(finite, min_size=1, max_size=8))
def test_sum_is_one_node_with_unit_partials(xs):
    vs = [Value(x) for x in xs]
    s = mg.sum(vs)
    s.backward()
    assert s.op == "sum"
    assert s.parents == tuple(vs)
    assert s.data == pytest.approx(math.fsum(xs), abs=1e-12)
    assert [v.grad for v in vs] == [1.0] * len(xs)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_dot_matches_elementary_chain_bit_for_bit(data):
    n = data.draw(st.integers(1, 8))
    ws = data.draw(st.lists(finite, min_size=n, max_size=n))
    xs = data.draw(st.lists(finite, min_size=n, max_size=n))
    b = data.draw(finite)

    wv, xv, bv = [Value(w) for w in ws], [Value(x) for x in xs], Value(b)
    z = mg.dot(wv, xv, plus=bv)
    z.backward()

    we, xe, be = [Value(w) for w in ws], [Value(x) for x in xs], Value(b)
    chain = we[0] * xe[0]
    for w, x in zip(we[1:], xe[1:]):
        chain = chain + w * x
    chain = chain + be
    chain.backward()

    assert z.data == chain.data
    assert [w.grad for w in wv] == [w.grad for w in we]  # ∂z/∂wₖ = xₖ
    assert [x.grad for x in xv] == [x.grad for x in xe]  # ∂z/∂xₖ = wₖ
    assert bv.grad == be.grad == 1.0


def test_dot_accepts_plain_numbers_as_constants():
    w = [Value(2.0), Value(-1.0)]
    z = mg.dot(w, [3.0, 4.0], plus=0.5)
    z.backward()
    assert z.data == 2.0 * 3.0 - 4.0 + 0.5
    assert [v.grad for v in w] == [3.0, 4.0]


def test_dot_of_unequal_lengths_is_an_error():
    with pytest.raises(ValueError, match=r"dot: ws and xs differ in length \(2 != 3\)"):
        mg.dot([Value(1.0)] * 2, [1.0, 2.0, 3.0])


def test_every_op_records_its_name_parents_and_local_grads():
    a, b = Value(3.0, label="a"), Value(4.0, label="b")
    c = a * b
    assert (c.op, c.parents, c.local_grads) == ("*", (a, b), (4.0, 3.0))
    assert c.is_leaf is False and a.is_leaf is True
    assert (a.op, a.parents, a.local_grads) == ("", (), ())


def test_n_ary_nodes_keep_every_parent_and_partial_in_input_order():
    w = [Value(1.0), Value(2.0), Value(3.0)]
    x = [Value(4.0), Value(5.0), Value(6.0)]
    b = Value(7.0)
    z = mg.dot(w, x, plus=b)
    assert z.parents == (*w, *x, b)
    assert z.local_grads == (4.0, 5.0, 6.0, 1.0, 2.0, 3.0, 1.0)  # ∂z/∂wₖ = xₖ, ∂z/∂xₖ = wₖ
    s1 = mg.sum([w[0]])
    assert (s1.parents, s1.local_grads, s1.is_leaf) == ((w[0],), (1.0,), False)
