"""Derivatives of derivatives: grad(f), backward(create_graph=True), and what they rest on."""

from __future__ import annotations

import asyncio
import math
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import micrograd_like as mg
from micrograd_like import Value, grad
from micrograd_like.formulas import partial_formulas


def nth(f, n):
    for _ in range(n):
        f = grad(f)
    return f


def _sig(x):
    return 1 / (1 + math.exp(-x))


# d⁰..d⁴ of each function in closed form, written from the function's value
CLOSED_FORMS = {
    "tanh": lambda x: [
        (t := math.tanh(x)), 1 - t * t, -2 * t * (1 - t * t), (1 - t * t) * (6 * t * t - 2),
        8 * t * (1 - t * t) * (2 - 3 * t * t)],
    "sigmoid": lambda x: [
        (s := _sig(x)), s * (1 - s), s * (1 - s) * (1 - 2 * s),
        s * (1 - s) * (1 - 6 * s + 6 * s * s),
        s * (1 - s) * (1 - 2 * s) * (1 - 12 * s + 12 * s * s)],
    "exp": lambda x: [math.exp(x)] * 5,
    "sin": lambda x: [math.sin(x), math.cos(x), -math.sin(x), -math.cos(x), math.sin(x)],
    "log": lambda x: [math.log(x), 1 / x, -1 / x**2, 2 / x**3, -6 / x**4],
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
@pytest.mark.parametrize("x", [0.3, 0.9, 1.7])
def test_derivatives_up_to_the_fourth_match_closed_forms(name, x):
    f = getattr(mg, name)
    expected = CLOSED_FORMS[name](x)
    assert f(x).data == pytest.approx(expected[0], rel=1e-11, abs=1e-12)
    for n in range(1, 5):
        assert nth(f, n)(x) == pytest.approx(expected[n], rel=1e-11, abs=1e-12), n


def f_small(x, y):
    return x * mg.exp(y) + mg.sin(x**2 * y) - mg.tanh(x / (1 + y * y))


def g_small(x, y, z):
    return (x * y * z).sigmoid() + mg.log1p(x * x + z) * y**3


def first_order_gradient(f, xs):
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()
    return [v.grad for v in leaves]


@pytest.mark.parametrize("f, xs", [(f_small, [0.7, -0.4]), (g_small, [0.5, 1.2, 0.3])])
def test_hessian_matches_differences_of_the_gradient(f, xs):
    n, h = len(xs), 1e-5
    for i in range(n):
        for j in range(n):
            hij = grad(grad(f, argnum=i), argnum=j)(*xs)
            up, down = list(xs), list(xs)
            up[j] += h
            down[j] -= h
            fd = (first_order_gradient(f, up)[i] - first_order_gradient(f, down)[i]) / (2 * h)
            assert hij == pytest.approx(fd, rel=1e-6, abs=1e-7), (i, j)


def test_the_hessian_is_symmetric():
    xs = [0.7, -0.4]
    h01 = grad(grad(f_small, argnum=0), argnum=1)(*xs)
    h10 = grad(grad(f_small, argnum=1), argnum=0)(*xs)
    assert h01 == pytest.approx(h10, rel=1e-13)


# a random expression graph, built the same way over Values and over torch tensors
UNARY = ["tanh", "sigmoid", "sin", "cos", "exp_small", "log_pos", "sqrt_pos", "atan", "softplus"]
BINARY = ["+", "-", "*", "/pos"]


def random_graph(seed, n_inputs=3, n_ops=12):
    rng = random.Random(seed)
    steps = []
    for k in range(n_ops):
        pool = n_inputs + k
        if rng.random() < 0.5:
            steps.append((rng.choice(UNARY), rng.randrange(pool)))
        else:
            steps.append((rng.choice(BINARY), rng.randrange(pool), rng.randrange(pool)))
    return steps


def build(steps, xs, lib):
    nodes = list(xs)
    for step in steps:
        op, *args = step
        a = nodes[args[0]]
        if op in lib:  # tanh, sigmoid, sin, cos, atan, softplus
            r = lib[op](a)
        elif op == "exp_small":
            r = lib["exp"](lib["tanh"](a))
        elif op == "log_pos":
            r = lib["log"](a * a + 1.0)
        elif op == "sqrt_pos":
            r = lib["sqrt"](a * a + 0.5)
        else:
            b = nodes[args[1]]
            r = a + b if op == "+" else a - b if op == "-" else a * b if op == "*" else \
                a / (b * b + 1.0)
        nodes.append(r)
    return sum(nodes[len(xs):], nodes[0] * 0.0)


@pytest.mark.parametrize("seed", range(8))
def test_second_derivatives_match_torch_on_random_graphs(seed):
    torch = pytest.importorskip("torch", reason="torch is not installed: no cross-check")
    steps = random_graph(seed)
    rng = random.Random(100 + seed)
    xs = [rng.uniform(-1.5, 1.5) for _ in range(3)]
    ours_lib = {name: getattr(mg, name) for name in
                ("tanh", "sigmoid", "sin", "cos", "atan", "softplus", "exp", "log", "sqrt")}
    theirs_lib = {name: getattr(torch, name) for name in
                  ("tanh", "sigmoid", "sin", "cos", "atan", "exp", "log", "sqrt")}
    theirs_lib["softplus"] = torch.nn.functional.softplus
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = build(steps, ts, theirs_lib)
    g = torch.autograd.grad(out, ts, create_graph=True, allow_unused=True)
    for i in range(3):
        if g[i] is None or not g[i].requires_grad:
            row = [None] * 3  # ∂out/∂xᵢ is a constant: its own derivatives are 0
        else:
            row = torch.autograd.grad(g[i], ts, retain_graph=True, allow_unused=True)
        for j in range(3):
            expected = 0.0 if row[j] is None else row[j].item()
            ours = grad(grad(lambda *v: build(steps, v, ours_lib), argnum=i),
                        argnum=j)(*xs)
            assert ours == pytest.approx(expected, rel=1e-10, abs=1e-12), (i, j)


def test_grad_of_a_number_is_a_plain_float():
    df = grad(lambda x: x**3)
    assert type(df(2.0)) is float and df(2.0) == 12.0  # 3x², as autograd returns it


def test_grad_of_a_value_is_a_value_with_a_graph_so_grad_nests():
    df = grad(lambda x: x**3)
    g = df(Value(2.0))
    assert isinstance(g, Value) and g.data == 12.0 and not g.is_leaf


def test_grad_takes_the_argument_argnum():
    f = lambda x, y: x * x * y  # noqa: E731
    assert grad(f, argnum=0)(3.0, 5.0) == 30.0  # 2xy
    assert grad(f, argnum=1)(3.0, 5.0) == 9.0  # x²


def test_grad_of_a_function_not_depending_on_its_argument_is_zero():
    assert grad(lambda x, y: y * 2.0)(1.0, Value(3.0)).data == 0.0  # a Value: y is one
    assert grad(lambda x: 5.0)(1.0) == 0.0


def test_grad_leaves_the_grads_of_the_graph_untouched():
    w = Value(2.0)
    grad(lambda x: w * x)(3.0)
    assert w.grad == 0.0


def test_grad_of_grad_differentiates_through_values_it_closes_over():
    w = Value(2.0)
    g = grad(lambda x: w * x * x)(Value(3.0))  # 2wx, a Value depending on w
    g.backward()
    assert (g.data, w.grad) == (12.0, 6.0)  # ∂(2wx)/∂w = 2x


def test_grad_refuses_bad_arguments():
    with pytest.raises(TypeError, match="f must be callable"):
        grad(3.0)
    with pytest.raises(IndexError, match="argnum 2"):
        grad(lambda x: x, argnum=2)(1.0)


def test_backward_with_create_graph_gives_value_grads_that_differentiate_again():
    x = Value(1.5)
    y = x.sin() * x
    y.backward(create_graph=True)
    dy = x.grad  # cos(x)·x + sin(x)
    assert isinstance(dy, Value)
    assert dy.data == pytest.approx(math.cos(1.5) * 1.5 + math.sin(1.5), rel=1e-14)
    x.grad = 0.0
    dy.backward()
    assert x.grad == pytest.approx(-math.sin(1.5) * 1.5 + 2 * math.cos(1.5), rel=1e-13)


def test_create_graph_keeps_the_stored_local_partials_plain_floats():
    x = Value(0.5)
    y = (x * x).tanh()
    y.backward(create_graph=True)
    for v in mg.topological_order(y):
        assert all(type(d) is float for d in v.local_grads)


def test_create_graph_accumulates_on_leaves_and_overwrites_intermediates():
    x = Value(2.0)
    h = x * x
    y = h * 3.0
    y.backward(create_graph=True)
    y.backward(create_graph=True)
    assert x.grad.data == 24.0  # 2 × 6x
    assert h.grad.data == 3.0


def test_newton_steps_with_create_graph_find_the_minimum():
    # f(x) = x⁴ − 3x² + x has a local minimum near x = 1.13
    x = 1.0
    for _ in range(8):
        f = lambda v: v**4 - 3 * v**2 + v  # noqa: E731
        x -= grad(f)(x) / grad(grad(f))(x)
    assert 4 * x**3 - 6 * x + 1 == pytest.approx(0.0, abs=1e-12)


# --- 0 ** y ------------------------------------------------------------------------------


def test_zero_base_to_a_value_power_is_zero_with_zero_slope():
    y = Value(2.5)
    z = 0.0 ** y
    z.backward()
    assert (z.data, y.grad) == (0.0, 0.0)  # lim a→0 aʸ·ln a = 0 for y > 0
    y = Value(0.5)
    (0.0 ** y).backward()  # the constant base needs no slope, so y < 1 is fine
    assert y.grad == 0.0


def test_zero_value_base_to_a_value_power_is_finite():
    a, b = Value(0.0), Value(2.0)
    z = a ** b
    z.backward()
    assert (z.data, a.grad, b.grad) == (0.0, 0.0, 0.0)  # ∂/∂a = b·0¹ = 0
    a, b = Value(0.0), Value(1.0)
    (a**b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


def test_zero_power_with_an_infinite_value_or_slope_still_raises():
    with pytest.raises(ZeroDivisionError, match=r"0\*\*: division by zero at x=-1.0"):
        0.0 ** Value(-1.0)
    with pytest.raises(ZeroDivisionError, match=r"0\*\*: division by zero at x=0.0"):
        0.0 ** Value(0.0)  # ∂/∂y 0ʸ = 0ʸ·ln 0 is infinite at y = 0
    with pytest.raises(ZeroDivisionError, match=r"\*\*: division by zero at a=0.0, b=0.5"):
        Value(0.0) ** Value(0.5)  # ∂/∂a = 0.5·0^(−0.5)


def test_zero_power_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is not installed: no cross-check")
    for yv in (0.5, 1.0, 2.5):
        y = Value(yv)
        (0.0 ** y).backward()
        t = torch.tensor(yv, dtype=torch.float64, requires_grad=True)
        (torch.tensor(0.0, dtype=torch.float64) ** t).backward()
        assert y.grad == t.grad.item()


# --- define_op -------------------------------------------------------------------------


@pytest.fixture
def softsign():
    f = mg.define_op("softsign", lambda x: x / (1 + abs(x)),
                     [lambda x: 1 / (1 + abs(x)) ** 2], formula="x/(1 + |x|)",
                     partial_text=["1/(1 + |x|)²"])
    yield f
    mg.ops.RULES.pop("softsign")


def test_a_defined_op_works_eagerly_and_as_a_package_function(softsign):
    y = softsign(Value(1.0))
    y.backward()
    assert (y.data, y.parents[0].grad, y.op) == (0.5, 0.25, "softsign")
    assert mg.softsign(3.0).data == 0.75


def test_a_defined_op_passes_gradcheck_and_a_wrong_derivative_fails(softsign):
    assert mg.gradcheck(softsign, [0.3]).ok
    wrong = mg.define_op("softsign_wrong", lambda x: x / (1 + abs(x)),
                         [lambda x: 1 / (1 + abs(x))], formula="x/(1 + |x|)")
    try:
        assert not mg.gradcheck(wrong, [0.3]).ok
    finally:
        mg.ops.RULES.pop("softsign_wrong")


def test_a_defined_op_differentiates_to_higher_order(softsign):
    # softsign″(x) = −2 sign(x)/(1 + |x|)³
    assert grad(grad(softsign))(0.5) == pytest.approx(-2 / 1.5**3, rel=1e-14)


def test_a_defined_op_runs_on_the_tape(softsign):
    x, w = Value(0.5), Value(2.0)
    tape = mg.compile_tape(softsign(w * x), inputs=[x], params=[w])
    rows = [[0.5], [-1.0], [3.0]]
    out = tape.forward(rows)
    assert out.tolist() == pytest.approx([2 * r[0] / (1 + abs(2 * r[0])) for r in rows])
    assert tape.backward()[0] == pytest.approx(
        np.mean([r[0] / (1 + abs(2 * r[0])) ** 2 for r in rows]))


def test_a_defined_op_is_drawn_with_its_formula(softsign):
    x = Value(1.0, label="x")
    src = mg.draw_dot(softsign(x), show_local_grads=True).source
    assert "softsign" in src and "1/(1 + |x|)² = 0.2500" in src


def test_a_defined_op_with_a_domain_raises_outside_it():
    inv = mg.define_op("inv", lambda x: 1 / x, [lambda x, out: -out * out], formula="1/x",
                       domain=lambda x: x != 0, domain_text="x ≠ 0")
    try:
        assert inv(2.0).local_grads == (-0.25,)
        assert partial_formulas(inv(2.0)) == ("∂inv/∂x",)  # no text given: no claim
        with pytest.raises(ValueError, match=r"inv: undefined at x=0.0 \(defined for x ≠ 0\)"):
            inv(0.0)
    finally:
        mg.ops.RULES.pop("inv")


def test_define_op_refuses_builtin_names_and_bad_partials():
    with pytest.raises(ValueError, match="'tanh' is a built-in op"):
        mg.define_op("tanh", lambda x: x, [lambda x: 1.0], formula="x")
    with pytest.raises(ValueError, match="must be an identifier"):
        mg.define_op("x y", lambda x: x, [lambda x: 1.0], formula="x")
    with pytest.raises(TypeError, match="partial 0 takes 3 arguments"):
        mg.define_op("bad", lambda x: x, [lambda x, y, z: 1.0], formula="x")


# --- no_grad per thread and task --------------------------------------------------------


def test_no_grad_in_one_thread_does_not_stop_another_recording():
    inside, done = threading.Event(), threading.Event()
    results = {}

    def quiet():
        with mg.no_grad():
            inside.set()
            done.wait(5)
            results["quiet"] = (Value(1.0) * 2).is_leaf

    t = threading.Thread(target=quiet)
    t.start()
    inside.wait(5)
    results["busy"] = (Value(1.0) * 2).is_leaf  # built while the other thread is in no_grad
    done.set()
    t.join()
    assert results == {"quiet": True, "busy": False}


def test_no_grad_in_one_async_task_does_not_stop_another():
    async def quiet(ev_in, ev_done):
        with mg.no_grad():
            ev_in.set()
            await ev_done.wait()
            return (Value(1.0) * 2).is_leaf

    async def busy(ev_in, ev_done):
        await ev_in.wait()
        leaf = (Value(1.0) * 2).is_leaf
        ev_done.set()
        return leaf

    async def main():
        ev_in, ev_done = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(quiet(ev_in, ev_done), busy(ev_in, ev_done))

    assert asyncio.run(main()) == [True, False]


# --- summation rule and the standalone engine -------------------------------------------


def test_sum_and_dot_add_left_to_right_on_every_python():
    # 1e16 + 1 rounds back to 1e16, so left to right gives 0; a compensated sum
    # (math.fsum, or builtins.sum from Python 3.12) would give 1.
    xs = [1e16, 1.0, -1e16]
    assert mg.sum([Value(x) for x in xs]).data == 0.0
    assert mg.dot([Value(x) for x in xs], [1.0, 1.0, 1.0]).data == 0.0
    assert math.fsum(xs) == 1.0


def test_importing_the_engine_loads_neither_numpy_nor_graphviz_nor_the_tape():
    root = Path(mg.__file__).resolve().parents[1]
    code = ("import sys, micrograd_like as mg; mg.Value(1.0).tanh().backward(); "
            "print(sorted(m for m in ('numpy', 'graphviz', 'micrograd_like.tape', "
            "'micrograd_like.viz') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, cwd=root)
    assert out.stdout.strip() == "[]"


def test_lazy_names_load_on_first_use():
    assert mg.Tape.__module__ == "micrograd_like.tape"
    assert mg.draw_dot.__module__ == "micrograd_like.viz"
    assert callable(mg.explore) and mg.explore.__module__ == "micrograd_like.explore_page"


def test_a_defined_op_written_with_function_forms_runs_everywhere():
    # forward and partial use mg.exp, so the same formula must work on floats, Values, arrays
    swish = mg.define_op("swish1", lambda x: x / (1 + mg.exp(-x)),
                         [lambda x: (1 + mg.exp(-x) + x * mg.exp(-x)) / (1 + mg.exp(-x)) ** 2],
                         formula="x·σ(x)")
    try:
        assert mg.gradcheck(swish, [0.4]).ok
        s = 1 / (1 + math.exp(-0.4))
        d2 = s * (1 - s) * (2 + 0.4 * (1 - 2 * s))  # (xσ)″ = σ′·(2 + x(1 − 2σ))
        assert grad(grad(swish))(0.4) == pytest.approx(d2, rel=1e-12)
        x, w = Value(0.4), Value(1.0)
        tape = mg.compile_tape(swish(w * x), inputs=[x], params=[w])
        assert tape.forward([[0.4], [-1.0]]).tolist() == pytest.approx(
            [0.4 * s, -1.0 / (1 + math.exp(1.0))])
    finally:
        mg.ops.RULES.pop("swish1")


def test_second_derivatives_flow_through_sum_and_dot_nodes():
    # f(x) = Σ(x², x) + (x·x + 2x + 1) as one sum and one dot node: f″ = 2 + 2
    def f(x):
        return mg.sum([x * x, x]) + mg.dot([x, x], [x, 2.0], plus=1.0)

    assert grad(f)(1.5) == 2 * 1.5 + 1 + 2 * 1.5 + 2
    assert grad(grad(f))(1.5) == 4.0
    assert grad(grad(grad(f)))(1.5) == 0.0
