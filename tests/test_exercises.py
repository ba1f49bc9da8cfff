"""The exercise checkers (nn.exercises): right answers pass, each named mistake gets its hint,
and missing or malformed answers give "not yet" instead of an exception.

Right answers here are computed in the tests themselves (math by hand, and the engine's
backward() where the issue asks for a check "against z.grad"), never taken from the module.
"""

import math

import numpy as np
import pytest

import nn
from micrograd_like import Value, topological_order
from nn import exercises as ex
from nn.exercises import backward_pass, training_loop


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


# --------------------------------------------------------------------------------------
# the tiny 2-2-2 network, by hand: Nielsen's layers 2 (hidden) and 3 (output)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def net():
    mlp, x, y = ex.tiny_network()
    (w2, w3), (b2, b3) = mlp.to_matrices()
    z2 = [w2[j, 0] * x[0] + w2[j, 1] * x[1] + b2[j] for j in range(2)]
    a2 = [sigmoid(z) for z in z2]
    z3 = [w3[k, 0] * a2[0] + w3[k, 1] * a2[1] + b3[k] for k in range(2)]
    a3 = [sigmoid(z) for z in z3]
    d3 = [(a3[k] - y[k]) * a3[k] * (1 - a3[k]) for k in range(2)]
    d2 = [(w3[0, j] * d3[0] + w3[1, j] * d3[1]) * a2[j] * (1 - a2[j]) for j in range(2)]
    return {"x": x, "y": y, "w2": w2, "w3": w3, "z2": z2, "a2": a2, "z3": z3, "a3": a3,
            "d3": d3, "d2": d2, "gw3": [[d3[j] * a2[k] for k in range(2)] for j in range(2)],
            "gw2": [[d2[j] * x[k] for k in range(2)] for j in range(2)]}


def engine_deltas():
    mlp, x, y = ex.tiny_network()
    t = mlp.trace(x)
    nn.quadratic([t.outputs], [y]).backward()
    return mlp, t.deltas()


def test_hand_computed_deltas_equal_the_engines_z_grad(net):
    _, deltas = engine_deltas()
    assert deltas[1] == pytest.approx(net["d3"], rel=1e-12)
    assert deltas[0] == pytest.approx(net["d2"], rel=1e-12)


# --------------------------------------------------------------------------------------
# the verdict object
# --------------------------------------------------------------------------------------


def test_a_verdict_is_truthy_exactly_when_right():
    assert bool(ex.Verdict("e", True, "m")) and not bool(ex.Verdict("e", False, "m"))


def test_a_verdict_prints_status_message_details_and_hint():
    v = ex.Verdict("e", False, "δ is off", "multiply by σ′", ("row 1",))
    assert str(v) == "not yet · δ is off\n  row 1\n  hint: multiply by σ′"
    assert repr(v) == str(v)


def test_a_verdict_shows_as_escaped_html_in_jupyter():
    markup = ex.Verdict("e", True, "a < b & c")._repr_html_()
    assert "right" in markup and "a &lt; b &amp; c" in markup and "<div" in markup


# --------------------------------------------------------------------------------------
# 1 · slope and derivative
# --------------------------------------------------------------------------------------


def test_slope_accepts_the_forward_difference():
    assert ex.check_slope(lambda f, x, h: (f(x + h) - f(x)) / h).ok


def test_slope_accepts_the_central_difference_and_says_so():
    v = ex.check_slope(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    assert v.ok and "central" in v.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, x, h: f(x + h) - f(x), "divide it by the run h"),
    (lambda f, x, h: (f(x) - f(x + h)) / h, "after the nudge minus before"),
    (lambda f, x, h: (f(x + h) - f(x)) / (2 * h), "not 2h"),
    (lambda f, x, h: f(x + h) / h, "subtract f(x)"),
    (lambda f, x, h: (f(x) - f(x - h)) / h, "backward difference"),
])
def test_slope_names_the_mistake(wrong, hint):
    v = ex.check_slope(wrong)
    assert not v.ok and hint in v.hint


def test_partial_names_the_points_where_it_is_wrong_not_flat_indices():
    # softsign′ without the square: wrong at every one of the four points
    v = ex.check_partial(lambda x: 1 / (1 + abs(x)), lambda x: x / (1 + abs(x)),
                         points=(-2.5, 0.3), name="softsign")
    assert not v.ok and v.hint == "softsign′(-2.5), softsign′(0.3) are wrong; 0 of 2 are right"


@pytest.mark.parametrize("answer, message", [
    (..., "still ..."),
    (None, "still None"),
    (42, "is a int, not a function"),
    (lambda f, x, h: None, "returned None"),
    (lambda f, x, h: "steep", "should be a number"),
    (lambda f, x, h: 1 / 0, "raised ZeroDivisionError"),
    (lambda f, x: 0.0, "raised TypeError"),
])
def test_slope_says_not_yet_for_missing_or_broken_answers(answer, message):
    v = ex.check_slope(answer)
    assert not v.ok and message in v.message


def fd(f, h, central=False):
    if central:
        return lambda x: (f(x + h) - f(x - h)) / (2 * h)
    return lambda x: (f(x + h) - f(x)) / h


def seed_cubic(seed):
    (c3, c2, c1, c0), x0 = ex.cubic(seed)
    return (lambda x: c3 * x**3 + c2 * x**2 + c1 * x + c0), \
        (lambda x: 3 * c3 * x**2 + 2 * c2 * x + c1), x0


def test_seed_zero_is_the_books_cubic_at_one_and_a_half():
    assert ex.cubic(0) == ((1.0, 0.0, -4.0, 1.0), 1.5)
    assert ex.cubic_text((1.0, 0.0, -4.0, 1.0)) == "x³ − 4x + 1"
    assert ex.cubic_text((-0.5, 2.0, -1.0, 0.0)) == "−0.5x³ + 2x² − x"


@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
def test_derivative_accepts_the_power_rule_in_any_form(seed):
    (c3, c2, c1, _), _ = ex.cubic(seed)
    _, fprime, _ = seed_cubic(seed)
    assert ex.check_derivative(fprime, seed=seed).ok
    assert ex.check_derivative(lambda x: c1 + x * (2 * c2 + 3 * c3 * x), seed=seed).ok


def test_derivative_rejects_a_formula_a_millionth_off():
    assert not ex.check_derivative(lambda x: (3 * x**2 - 4) * (1 + 1e-6)).ok


@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
@pytest.mark.parametrize("h", [1e-2, 1e-4, 1e-6, 1e-8, 1e-10])
@pytest.mark.parametrize("central", [False, True])
def test_derivative_calls_every_slope_by_nudging_an_estimate_whatever_its_h(seed, h, central):
    f, _, _ = seed_cubic(seed)
    v = ex.check_derivative(fd(f, h, central), seed=seed)
    assert not v.ok and "so it is an estimate" in v.message and "slope by nudging" in v.hint


def test_derivative_verdict_on_an_estimate_is_true_to_the_digits_it_shows():
    # the h = 1e-6 case: 2.75000449967 is shown, not "2.75 is not f′(1.5)"
    v = ex.check_derivative(fd(lambda x: x**3 - 4 * x + 1, 1e-6))
    assert v.message.startswith("fprime(1.5) = 2.75000449967, but f′(1.5) = 2.75 exactly: "
                                "off by 4.5e-06")
    assert "accepted: within 1e-12" in v.hint


def test_derivative_states_one_tolerance_and_applies_it_the_same_at_every_point():
    tol = ex.derivatives.DERIVATIVE_TOL
    _, fprime, _ = seed_cubic(7)
    inside = ex.check_derivative(lambda x: fprime(x) * (1 + tol / 10), seed=7)
    outside = ex.check_derivative(lambda x: fprime(x) * (1 + tol * 100), seed=7)
    assert inside.ok and not outside.ok


def test_derivative_recognises_the_function_value():
    f, _, _ = seed_cubic(0)
    v = ex.check_derivative(f)
    assert not v.ok and "height" in v.hint


def test_derivative_recognises_a_constant_left_in():
    v = ex.check_derivative(lambda x: 3 * x**2 - 4 + 1)
    assert not v.ok and "constant term's derivative is 0" in v.hint


@pytest.mark.parametrize("seed", [0, 7])
def test_derivative_refuses_a_typed_number_where_the_formula_is_asked(seed):
    _, fprime, x0 = seed_cubic(seed)
    v = ex.check_derivative(fprime(x0), seed=seed)
    assert not v.ok and "is a number" in v.message and "write the formula" in v.hint
    v = ex.check_derivative(lambda x: fprime(x0), seed=seed)  # the number, wrapped
    assert not v.ok and "at every x" in v.message


@pytest.mark.parametrize("answer, message", [
    (..., "still ..."), (None, "still None"), ("2.75", "is a str, not a function"),
    (lambda x: float("nan"), "not a finite number"), (lambda x: "2.75", "should be a number"),
    (lambda x: 1 / 0, "raised ZeroDivisionError"), (lambda: 2.75, "raised TypeError"),
    (lambda x: None, "returned None"),
])
def test_derivative_says_not_yet_for_malformed_answers(answer, message):
    v = ex.check_derivative(answer)
    assert not v.ok and message in v.message


@pytest.mark.parametrize("seed", [1, 7, 12345])
def test_slope_is_judged_on_the_seeds_function(seed):
    assert ex.check_slope(lambda f, x, h: (f(x + h) - f(x)) / h, seed=seed).ok
    assert "divide it by the run h" in ex.check_slope(lambda f, x, h: f(x + h) - f(x),
                                                      seed=seed).hint


@pytest.mark.parametrize("seed", [1, 7, 12345])
def test_partial_and_op_are_judged_on_the_seeds_softsign(seed, rule_table_restored):
    from micrograd_like import define_op

    c = ex.softsign_scale(seed)
    assert c != 1.0
    partial = lambda x: c / (c + abs(x)) ** 2  # noqa: E731
    assert ex.check_partial(partial, seed=seed).ok
    assert not ex.check_partial(lambda x: 1 / (1 + abs(x)) ** 2, seed=seed).ok  # c = 1's
    op = define_op(f"softsign_{seed}", lambda x: x / (c + abs(x)), [partial], formula="s")
    assert ex.check_op(op, seed=seed).ok


# --------------------------------------------------------------------------------------
# 2 · a new op
# --------------------------------------------------------------------------------------


def softsign(t):
    return t / (1 + abs(t))


def test_partial_accepts_the_quotient_rule_result():
    assert ex.check_partial(lambda t: 1 / (1 + abs(t)) ** 2, softsign, name="softsign").ok


@pytest.mark.parametrize("wrong, hint", [
    (softsign, "not its derivative"),
    (lambda t: 1 / (1 + t) ** 2, "right for x > 0 only"),
    (lambda t: -1 / (1 + abs(t)) ** 2, "wrong sign"),
    (lambda t: 2 / (1 + abs(t)) ** 2, "constant factor 2"),
])
def test_partial_names_the_mistake(wrong, hint):
    v = ex.check_partial(wrong, softsign, name="softsign")
    assert not v.ok and hint in v.hint


@pytest.mark.parametrize("answer, message", [
    (..., "still ..."), (lambda t: None, "returned None"), (lambda t: "1", "should be a number"),
    (lambda t: 1 / (1 + t), "raised ZeroDivisionError"),
])
def test_partial_says_not_yet_for_missing_or_broken_answers(answer, message):
    v = ex.check_partial(answer, softsign, points=(-1.0, 0.5))
    assert not v.ok and message in v.message


def test_op_accepts_a_correct_composition():
    assert ex.check_op(lambda v: v / (1 + abs(v)), softsign, name="softsign").ok


def test_op_sees_that_floats_cut_the_graph():
    v = ex.check_op(lambda v: Value(softsign(v.data)), softsign, name="softsign")
    assert not v.ok and "no gradient reaches x" in v.hint


def test_op_written_with_a_math_function_is_told_to_use_the_values_method():
    # math.exp(v) used to give a float silently (the gradient through it lost); it raises now
    v = ex.check_op(lambda v: v * math.exp(v), lambda t: t * math.exp(t), name="xexp")
    assert not v.ok and "math.exp(v)" in v.message and "use v.exp()" in v.message


def test_op_rejects_a_wrong_forward_value_before_the_derivative():
    v = ex.check_op(lambda v: v * 2, softsign, name="softsign")
    assert not v.ok and "forward value is wrong" in v.hint


def test_op_judges_the_function_not_the_way_it_is_built():
    assert ex.check_op(lambda v: (v * 3.0 - v * 2.0) ** 3, lambda t: t**3, name="cube").ok


def softsign_op(partial, name="softsign_under_test"):
    from micrograd_like import define_op

    return define_op(name, softsign, [partial], formula="x / (1 + |x|)")


def test_op_accepts_define_op_with_the_right_partial(rule_table_restored):
    assert ex.check_op(softsign_op(lambda t: 1 / (1 + abs(t)) ** 2), softsign).ok


@pytest.mark.parametrize("partial, hint", [
    (lambda t: 2 / (1 + abs(t)) ** 2, "off by a constant factor 2"),
    (lambda t: -1 / (1 + abs(t)) ** 2, "wrong sign"),
    (softsign, "returns the op's value"),
    (lambda t: 0.0 * t, "no gradient reaches x"),
])
def test_op_made_with_a_wrong_partial_names_the_mistake(rule_table_restored, partial, hint):
    v = ex.check_op(softsign_op(partial), softsign)
    assert not v.ok and hint in v.hint.replace("’", "'")


def test_the_rule_table_fixture_leaves_no_op_behind():
    from micrograd_like import ops

    assert "softsign_under_test" not in ops.RULES


@pytest.mark.parametrize("op, message", [
    (..., "still ..."),
    (lambda v: 1.0, "not a Value"),
    (lambda v: v.log(), "raised ValueError"),  # log of a negative point
])
def test_op_says_not_yet_for_missing_or_broken_ops(op, message):
    v = ex.check_op(op, softsign)
    assert not v.ok and message in v.message


# --------------------------------------------------------------------------------------
# 3 · backprop by hand
# --------------------------------------------------------------------------------------


def fill(grads):
    nodes = ex.small_graph()
    for v, g in zip(nodes, grads):
        v.grad = g
    return nodes[-1]


def right_grads():
    a, b, c = 2.0, -0.75, 1.0
    s = 1 - math.tanh(a * b + c) ** 2
    return [b * s, a * s, s, s, s, 1.0]  # a, b, c, d, e, L


def test_by_hand_matches_backward_of_the_same_graph():
    *_, L = nodes = ex.small_graph()
    L.backward()
    assert [v.grad for v in nodes] == pytest.approx(right_grads(), rel=1e-12)


def test_by_hand_accepts_the_right_grads():
    v = ex.check_by_hand(fill(right_grads()))
    assert v.ok and len(v.details) == 6


def test_by_hand_says_the_roots_grad_is_one():
    g = right_grads()
    g[5] = 0.0
    v = ex.check_by_hand(fill(g))
    assert not v.ok and "∂L/∂L = 1" in v.message


@pytest.mark.parametrize("node, value, hint", [
    (4, math.tanh(-0.5), "1 − tanh²(e)"),
    (4, 1 - 0.25, "1 − tanh²(e), i.e. 1 − L.data²"),
    (3, 1.0, "only the local ∂e/∂d"),
    (0, -0.75, "only the local ∂d/∂a"),
    (0, 2.0 * (1 - math.tanh(-0.5) ** 2), "the *other* factor"),
])
def test_by_hand_names_the_mistake_at_the_first_wrong_node(node, value, hint):
    g = right_grads()
    g[node] = value
    v = ex.check_by_hand(fill(g))
    assert not v.ok and hint in v.hint


@pytest.mark.parametrize("answer", [..., None, 3.0, Value(1.0)])
def test_by_hand_says_not_yet_for_something_other_than_the_graph(answer):
    assert not ex.check_by_hand(answer).ok


def test_by_hand_says_not_yet_when_grads_are_still_placeholders():
    v = ex.check_by_hand(fill([...] * 6))
    assert not v.ok and "no .grad is filled in" in v.message


# --------------------------------------------------------------------------------------
# 4 · the two bugs
# --------------------------------------------------------------------------------------


def backward_with(update):
    def backward(root):
        root.grad = 1.0
        for v in reversed(topological_order(root)):
            for p, d in zip(v.parents, v.local_grads):
                update(p, d * v.grad)
    return backward


def test_by_hand_with_the_root_left_at_zero_is_told_to_seed_it():
    L = ex.small_graph()[-1]  # every grad 0.0: a root has no child to fill from
    v = ex.check_by_hand(L)
    assert not v.ok and v.hint == "the root is where backward starts: L.grad = 1.0"


def test_backward_accepts_accumulation():
    assert ex.check_backward(backward_with(lambda p, g: setattr(p, "grad", p.grad + g))).ok


def test_backward_recognises_assignment():
    v = ex.check_backward(backward_with(lambda p, g: setattr(p, "grad", g)))
    assert not v.ok and "+=" in v.hint


def test_backward_notices_a_missing_seed():
    v = ex.check_backward(lambda root: None)
    assert not v.ok and "root.grad = 1.0" in v.hint


def test_backward_recognises_nodes_visited_inputs_first():
    def inputs_first(root):
        root.grad = 1.0
        for v in topological_order(root):  # not reversed: grads passed on half-made
            for p, d in zip(v.parents, v.local_grads):
                p.grad += d * v.grad
    v = ex.check_backward(inputs_first)
    assert not v.ok and "reversed(topological_order(root))" in v.hint


def recursive(root):
    """The classic: each node hands its grad to its parents and recurses into them at once."""
    root.grad = 1.0

    def visit(v):
        for p, d in zip(v.parents, v.local_grads):
            p.grad += d * v.grad
            visit(p)
    visit(root)


@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
def test_backward_names_plain_recursion_without_a_topological_order(seed):
    v = ex.check_backward(recursive, seed=seed)
    assert not v.ok and v.message.endswith(
        "your backward visits a node before all its consumers are done: plain recursion "
        "without a topological order")
    assert "reversed(topological_order(root))" in v.hint


@pytest.mark.parametrize("seed", [1, 7, 12345])
def test_backward_and_descent_are_judged_on_the_seeds_numbers(seed):
    assert ex.check_backward(backward_with(lambda p, g: setattr(p, "grad", p.grad + g)),
                             seed=seed).ok
    v = ex.check_backward(backward_with(lambda p, g: setattr(p, "grad", g)), seed=seed)
    assert not v.ok and "+=" in v.hint
    d = ex.descent_problem(seed)

    def descend(w0, lr, steps, zero=True):
        w, out = Value(w0), []
        for _ in range(steps):
            C = (d["X"] * w - d["Y"]) ** 2
            if zero:
                w.grad = 0.0
            C.backward()
            w.data -= lr * w.grad
            out.append(w.data)
        return out
    assert ex.check_descent(descend, seed=seed).ok
    v = ex.check_descent(lambda *a: descend(*a, zero=False), seed=seed)
    assert not v.ok and "w.grad = 0.0 before each backward()" in v.hint
    assert not ex.check_descent(descend, seed=0).ok  # another seed's problem


def test_backward_does_not_call_an_arbitrary_ratio_a_constant_factor():
    def minus(root):  # a sign error on every edge: 5 where 7 is right for a·a + a at 3
        root.grad = 1.0
        for v in reversed(topological_order(root)):
            for p, d in zip(v.parents, v.local_grads):
                p.grad -= d * v.grad
    v = ex.check_backward(minus)
    assert not v.ok and "constant factor" not in v.hint


def test_a_whole_number_factor_between_two_numbers_is_still_named(net):
    v = ex.check_xent_gradient(3 * xent_gradient({"y": 0.25, "a3": net["a3"][0]}))
    assert not v.ok and v.hint == "off by a constant factor 3"


def test_backward_cases_have_the_closed_form_gradients():
    for formula, root, leaves, want, _ in backward_pass._backward_cases():
        root.backward()
        assert [v.grad for v in leaves] == pytest.approx(want, rel=1e-12), formula


def descend(zero):
    def run(w0, lr, steps):
        w, out = Value(w0), []
        for _ in range(steps):
            C = (3.0 * w - 1.5) ** 2
            if zero:
                w.grad = 0.0
            C.backward()
            w.data -= lr * w.grad
            out.append(w.data)
        return out
    return run


def test_descent_accepts_a_loop_that_zeroes_grads():
    assert ex.check_descent(descend(zero=True)).ok


def test_descent_recognises_accumulated_grads():
    v = ex.check_descent(descend(zero=False))
    assert not v.ok and "w.grad = 0.0 before each backward()" in v.hint


def test_descent_recognises_a_step_uphill():
    def uphill(w0, lr, steps):
        w, out = Value(w0), []
        for _ in range(steps):
            w.grad = 0.0
            ((3.0 * w - 1.5) ** 2).backward()
            w.data += lr * w.grad
            out.append(w.data)
        return out
    v = ex.check_descent(uphill)
    assert not v.ok and "uphill" in v.hint and "w − lr·dC/dw" in v.hint


def test_descent_expected_path_is_plain_gradient_descent():
    w, path = 2.0, []
    for _ in range(10):
        w -= 0.02 * 6 * (3 * w - 1.5)  # dC/dw for C = (3w − 1.5)²
        path.append(w)
    assert ex.check_descent(lambda w0, lr, steps: path).ok


@pytest.mark.parametrize("answer, message", [
    (lambda w0, lr, steps: [w0] * steps, "never moves"),
    (lambda w0, lr, steps: [0.5] * 3, "shape (3,)"),
    (lambda w0, lr, steps: None, "returned None"),
    (lambda w0, lr, steps: ["a"] * steps, "should hold numbers"),
])
def test_descent_says_not_yet_for_wrong_shapes_and_stuck_loops(answer, message):
    v = ex.check_descent(answer)
    assert not v.ok and message in v.message


# --------------------------------------------------------------------------------------
# 5-7 · BP1-BP4
# --------------------------------------------------------------------------------------


def test_bp1_accepts_delta_from_hand_and_from_z_grad(net):
    _, deltas = engine_deltas()
    assert ex.check_bp1(net["d3"]).ok and ex.check_bp1(deltas[1]).ok


def test_bp1_accepts_value_nodes_and_a_column(net):
    assert ex.check_bp1([Value(d) for d in net["d3"]]).ok
    assert ex.check_bp1(np.array(net["d3"]).reshape(2, 1)).ok


def test_bp1_says_which_shape_it_wants(net):
    v = ex.check_bp1([net["d3"][0]])
    assert not v.ok and "has shape (1,), expected (2,)" in v.message
    assert "one number per output neuron" in v.hint


def test_an_integer_too_large_for_a_float_is_not_yet_not_an_overflow_error():
    assert "nan or inf" in ex.check_bp1([10 ** 400, 1]).message
    assert "not a finite number" in ex.check_xent_gradient(10 ** 400).message


def test_bp1_nan_hint_does_not_blame_a_division_bp1_does_not_have(net):
    v = ex.check_bp1([float("nan"), 0.0])
    assert not v.ok and "nan" in v.message and "overflow" in v.hint and "print each" in v.hint


def test_bp1_rejects_a_value_a_ten_thousandth_off_as_close(net):
    v = ex.check_bp1(np.array(net["d3"]) * (1 + 1e-4))
    assert not v.ok and "close" in v.message


def vec(f, n, size=2):
    return [f(n, k) for k in range(size)]


@pytest.mark.parametrize("mistake, hint", [
    (lambda n, k: n["a3"][k] - n["y"][k], "off by a factor σ′(z³)"),
    (lambda n, k: -n["d3"][k], "not y − a"),
    (lambda n, k: 2 * n["d3"][k], "the ½ in C cancels"),
    (lambda n, k: (n["a3"][k] - n["y"][k]) * n["a3"][k], "σ(z³) = a³"),
    (lambda n, k: (n["a3"][k] - n["y"][k]) * sigmoid(n["a3"][k]) * (1 - sigmoid(n["a3"][k])),
     "not at a³"),
    (lambda n, k: n["d3"][1 - k], "swapped"),
])
def test_bp1_names_the_mistake(net, mistake, hint):
    v = ex.check_bp1(vec(mistake, net))
    assert not v.ok and hint in v.hint


def bp2_right(w3, delta3, a2):
    return (w3.T @ delta3) * a2 * (1 - a2)


def test_bp2_accepts_the_function_and_its_numbers_are_the_hand_deltas(net):
    v = ex.check_bp2(bp2_right)
    assert v.ok and len(v.details) == 2  # the 2-2-2 network and the 2-3-2 one
    w3, d3, a2 = net["w3"], np.array(net["d3"]), np.array(net["a2"])
    np.testing.assert_allclose(bp2_right(w3, d3, a2), net["d2"], rtol=1e-12)


def test_bp2_accepts_a_row_vector_and_a_list_of_values():
    assert ex.check_bp2(lambda w3, d3, a2: np.array([d3]) @ w3 * a2 * (1 - a2)).ok
    assert ex.check_bp2(lambda w3, d3, a2: [Value(d) for d in bp2_right(w3, d3, a2)]).ok


def test_bp2_without_the_transpose_is_named_transpose():
    v = ex.check_bp2(lambda w3, delta3, a2: np.dot(w3, delta3) * a2 * (1 - a2))
    assert not v.ok and v.hint.startswith("transpose: BP2 carries δ³ back along the "
                                          "transposed weights, (w³)ᵀ δ³ = w3.T @ delta3")


def test_bp2_without_the_transpose_is_named_on_every_seed():
    for seed in (1, 7, 12345):
        v = ex.check_bp2(lambda w3, delta3, a2: (w3 @ delta3) * a2 * (1 - a2), seed=seed)
        assert not v.ok and v.hint.startswith("transpose"), seed


def test_a_shape_error_in_bp2_is_a_verdict_that_names_the_shapes_not_numpys_exception():
    v = ex.check_bp2(lambda w3, delta3, a2: (w3 @ np.array([delta3])) * a2 * (1 - a2))
    assert not v.ok and "raised a shape error" in v.message
    assert "w3 has shape (2, 2), delta3 (2,), a2 (2,)" in v.message
    assert "w3.T @ delta3" in v.hint and any("numpy said" in d for d in v.details)


def test_a_transpose_missing_only_where_w3_is_not_square_is_a_shape_error_on_that_network():
    def square_only(w3, delta3, a2):  # right on the 2-2-2 network, w3 @ δ³ elsewhere
        back = w3.T @ delta3 if w3.shape[0] == w3.shape[1] else w3 @ delta3
        return back * a2 * (1 - a2)
    v = ex.check_bp2(square_only)
    assert not v.ok and "shape error on the 2-3-2 network" in v.message
    assert "w3 has shape (2, 3)" in v.message and "shape (3, 2)" in v.hint
    assert v.details[0].endswith("✓")


@pytest.mark.parametrize("mistake, hint", [
    (lambda w3, d3, a2: w3.T @ d3, "off by a factor σ′(z²): did you apply BP2’s Hadamard"),
    (lambda w3, d3, a2: (w3.T @ d3) * a2, "BP2 needs σ′(z²) = a²(1 − a²)"),
    (lambda w3, d3, a2: (w3.T @ d3) * (1 / (1 + np.exp(-a2))) * (1 - 1 / (1 + np.exp(-a2))),
     "σ′ is taken at z², not at a²"),
    (lambda w3, d3, a2: -(w3.T @ d3) * a2 * (1 - a2), "wrong sign"),
    (lambda w3, d3, a2: d3 * a2 * (1 - a2), "missing the weights w³"),
    (lambda w3, d3, a2: ((w3.T @ d3) * a2 * (1 - a2))[::-1], "swapped"),
])
def test_bp2_names_the_mistake(mistake, hint):
    v = ex.check_bp2(mistake)
    assert not v.ok and hint in v.hint


def test_bp2_names_the_output_error_carried_back_without_sigma_prime(net):
    a3, y = np.array(net["a3"]), np.array(net["y"])
    wrong = {2: (net["w3"].T @ (a3 - y))}  # a³ − y of the seed's network, by hand

    def carried(w3, d3, a2):
        return wrong.get(len(a2), w3.T @ d3) * a2 * (1 - a2)
    v = ex.check_bp2(carried)
    assert not v.ok and v.hint.startswith("you carried back a³ − y")


@pytest.mark.parametrize("answer, message", [
    (..., "still ..."), (None, "still None"), ([0.1, 0.2], "not a function"),
    (np.zeros(2), "not a function"),
])
def test_bp2_refuses_numbers_where_the_exercise_asks_for_code(answer, message):
    v = ex.check_bp2(answer)
    assert not v.ok and message in v.message


@pytest.mark.parametrize("answer, message", [
    (lambda w3, d3, a2: 1.0, "shape ()"),
    (lambda w3, d3, a2: [1.0, "x"], "should hold numbers"),
    (lambda w3, d3, a2: [1.0, float("inf")], "nan or inf"),
    (lambda w3, d3, a2: np.outer(d3, a2), "shape (2, 2)"),
    (lambda w3, d3, a2: None, "bp2(w3, delta3, a2) on the 2-2-2 network"),
    (lambda w3, d3: d3, "raised TypeError"),
    (lambda w3, d3, a2: int("x"), "raised ValueError"),
])
def test_bp2_says_not_yet_for_malformed_results(answer, message):
    v = ex.check_bp2(answer)
    assert not v.ok and message in v.message


def test_bp3_bp4_accept_the_engines_parameter_grads(net):
    mlp, _ = engine_deltas()
    grads = [[[w.grad for w in n.w] for n in layer.neurons] for layer in mlp.layers]
    bias = [[n.b.grad for n in layer.neurons] for layer in mlp.layers]
    assert ex.check_bp3_bp4(bias[1], grads[1], bias[0], grads[0]).ok
    np.testing.assert_allclose(grads[1], net["gw3"], rtol=1e-12)  # BP4 by hand
    np.testing.assert_allclose(grads[0], net["gw2"], rtol=1e-12)


def answers(net, **change):
    a = {"b3": net["d3"], "w3": net["gw3"], "b2": net["d2"], "w2": net["gw2"]}
    a.update(change)
    return ex.check_bp3_bp4(a["b3"], a["w3"], a["b2"], a["w2"])


def test_bp4_recognises_a_transposed_weight_gradient(net):
    v = answers(net, w2=np.array(net["gw2"]).T)
    assert not v.ok and "transposed" in v.hint and "δ² (a¹)ᵀ" in v.hint


def test_bp4_recognises_the_activation_of_the_wrong_layer(net):
    v = answers(net, w2=np.outer(net["d2"], net["a2"]))
    assert not v.ok and "off-by-one layer" in v.hint


def test_bp4_recognises_a_transposed_output_weight_gradient_now_that_it_is_square(net):
    v = answers(net, w3=np.array(net["gw3"]).T)
    assert not v.ok and "∂C/∂w³ is transposed" in v.hint and "δ³ (a²)ᵀ" in v.hint


def test_bp4_recognises_the_input_used_for_layer_3(net):
    v = answers(net, w3=np.outer(net["d3"], net["x"]))
    assert not v.ok and "input x" in v.hint


def test_bp4_recognises_z_instead_of_a(net):
    v = answers(net, w3=np.outer(net["d3"], net["z2"]))
    assert not v.ok and "a² = σ(z²)" in v.hint


def test_bp4_says_a_vector_where_a_matrix_is_asked_has_the_wrong_shape(net):
    v = answers(net, w3=np.array(net["d3"]) * np.array(net["a2"]))  # δ³ ⊙ a², not δ³ (a²)ᵀ
    assert not v.ok and "shape (2,), expected (2, 2)" in v.message


def test_bp3_recognises_an_activation_multiplied_in(net):
    v = answers(net, b2=np.array(net["d2"]) * sum(net["x"]))
    assert not v.ok and "BP3 has no activation" in v.hint


def test_bp3_recognises_an_activation_multiplied_in_entry_by_entry(net):
    v = answers(net, b2=np.array(net["d2"]) * np.array(net["x"]))  # δ² ⊙ x
    assert not v.ok and "BP3 has no activation" in v.hint


def test_bp3_bp4_trace_a_delta_without_sigma_prime_back_to_bp2(net):
    # δ² as (w³)ᵀ δ³ alone (BP2 without σ′), used for both ∂C/∂b² and ∂C/∂w²
    undamped = net["w3"].T @ np.array(net["d3"])
    v = answers(net, b2=undamped, w2=np.outer(undamped, net["x"]))
    assert not v.ok and v.hint.startswith("your δ² lacks σ′(z²): fix it as in BP2 (exercise 6)")


def test_bp3_traces_an_output_delta_without_sigma_prime_back_to_bp1(net):
    v = answers(net, b3=np.array(net["a3"]) - np.array(net["y"]))
    assert not v.ok and v.hint.startswith("your δ³ lacks σ′(z³): fix it as in BP1 (exercise 5)")


def test_bp4_names_a_wrong_entry_in_nielsens_notation(net):
    w2 = np.array(net["gw2"])
    w2[0, 1] += 1.0  # the weight to neuron 1 of layer 2 from input 2
    v = answers(net, w2=w2)
    assert not v.ok and v.hint == "∂C/∂w²₁₂ is wrong; 3 of 4 are right"


# --------------------------------------------------------------------------------------
# 8 · the training loop
# --------------------------------------------------------------------------------------


def make_step(zero=True, sign=-1.0, return_after=False):
    def step(mlp, X, Y, lr):
        C = nn.quadratic([mlp(x) for x in X], Y)
        if zero:
            mlp.zero_grad()
        C.backward()
        for p in mlp.parameters():
            p.data += sign * lr * p.grad
        return nn.quadratic([mlp(x) for x in X], Y).data if return_after else C.data
    return step


def test_step_says_a_step_n_times_too_long_comes_from_summing_over_the_examples():
    def summed(mlp, X, Y, lr):  # ½ Σ (a − y)²: n = 4 times the mean cost nn.quadratic takes
        C = 0.5 * sum((mlp(x)[0] - y[0]) ** 2 for x, y in zip(X, Y))
        mlp.zero_grad()
        C.backward()
        for p in mlp.parameters():
            p.data -= lr * p.grad
        return C.data
    v = ex.check_step(summed)
    assert not v.ok and "4 (or 8) times too long" in v.hint and "not their sum" in v.hint


def test_step_without_backward_is_told_to_call_backward():
    def no_backward(mlp, X, Y, lr):
        C = nn.quadratic([mlp(x) for x in X], Y)
        mlp.zero_grad()
        for p in mlp.parameters():
            p.data -= lr * p.grad
        return C.data
    v = ex.check_step(no_backward)
    assert not v.ok and "call C.backward()" in v.hint


def test_step_accepts_the_four_lines():
    assert ex.check_step(make_step()).ok


def test_step_expected_update_is_the_engines_gradient():
    mlp = ex.training_network()
    before = np.array([p.data for p in mlp.parameters()])
    nn.quadratic([mlp(x) for x in ex.XOR_X], ex.XOR_Y).backward()
    grad = np.array([p.grad for p in mlp.parameters()])
    cost, analytic = training_loop._xor_gradient(ex.training_network())
    assert analytic == pytest.approx(grad, rel=1e-10, abs=1e-14)
    assert before.shape == analytic.shape and cost > 0.1


@pytest.mark.parametrize("step, hint", [
    (make_step(zero=False), "mlp.zero_grad() before backward()"),
    (make_step(sign=+1.0), "subtract lr · p.grad"),
    (make_step(return_after=True), "the loss after the update"),
    (lambda mlp, X, Y, lr: 0.3, "update every p"),
])
def test_step_names_the_mistake(step, hint):
    v = ex.check_step(step)
    assert not v.ok and hint in v.hint


def test_step_says_not_yet_for_a_crashing_step():
    v = ex.check_step(lambda mlp, X, Y, lr: mlp(X))
    assert not v.ok and "raised" in v.message


def test_training_accepts_a_trained_network_and_recomputes_its_cost():
    mlp = ex.training_network()
    step = make_step()
    for _ in range(300):
        step(mlp, ex.XOR_X, ex.XOR_Y, 0.2)
    cost = nn.quadratic([mlp(x) for x in ex.XOR_X], ex.XOR_Y).data  # engine, independent
    v = ex.check_training(mlp)
    assert cost < ex.TRAINING_THRESHOLD and v.ok and f"{cost:.3g}" in v.message


def test_training_says_not_yet_for_an_untrained_network():
    v = ex.check_training(ex.training_network())
    assert not v.ok and "not under 0.01" in v.message and len(v.details) == 4


@pytest.mark.parametrize("answer", [..., None, "mlp", nn.MLP(2, [3, 1])])
def test_training_says_not_yet_for_something_else(answer):
    assert not ex.check_training(answer).ok


def test_the_readme_example_prints_the_verdict_it_shows():
    import contextlib
    import io
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(import numpy as np\nfrom nn import exercises.*?)```", readme,
                     re.S).group(1)
    shown = re.search(r"```text\n(not yet · δ³.*?)```", readme, re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # our own README, not user input
    assert out.getvalue() == shown


def test_step_that_ruins_the_weights_is_not_yet_and_does_not_raise():
    def ruin(mlp, X, Y, lr):
        for p in mlp.parameters():
            p.data = float("nan")
        return 0.0

    v = ex.check_step(ruin)
    assert not v.ok and "update" in v.message


def test_training_a_network_with_nan_weights_is_not_yet():
    mlp = ex.training_network()
    mlp.parameters()[0].data = float("nan")
    v = ex.check_training(mlp)
    assert not v.ok and "nan" in v.message


# --------------------------------------------------------------------------------------
# 9 · BP1 with the cross-entropy cost, on exercise 5's network
# --------------------------------------------------------------------------------------


def xent(a, y):
    return -(y * math.log(a) + (1 - y) * math.log(1 - a))


def xent_gradient(n):
    """∂C/∂a³₁ as the two terms of the derivative, not simplified: −y/a + (1 − y)/(1 − a)."""
    return -n["y"] / n["a3"] + (1 - n["y"]) / (1 - n["a3"])


@pytest.fixture(scope="module")
def xnet(net):
    """Exercise 9's example for seed 0: exercise 5's network with its first output neuron,
    the same input, the target y = 0.25."""
    _, _, y = ex.cross_entropy_example()
    assert y == [0.25]
    a3 = net["a3"][0]  # exercise 5's first output neuron: the same forward pass
    return {"a3": a3, "z3": net["z3"][0], "y": y[0],
            "d3": (a3 - y[0]) * a3 * (1 - a3)}  # the quadratic cost's δ³₁ at this y


def engine_xent_delta():
    mlp, x, y = ex.cross_entropy_example()
    t = mlp.trace(x)
    nn.losses.cross_entropy([t.outputs], [y]).backward()
    return t.zs[1][0].grad


def test_xent_gradient_by_hand_matches_a_finite_difference_of_the_cost(xnet):
    a, y, h = xnet["a3"], xnet["y"], 1e-6
    assert xent_gradient(xnet) == pytest.approx((xent(a + h, y) - xent(a - h, y)) / (2 * h),
                                               rel=1e-8)


def test_xent_gradient_accepts_the_derivative_in_either_form(xnet):
    a, y = xnet["a3"], xnet["y"]
    assert ex.check_xent_gradient(xent_gradient(xnet)).ok
    assert ex.check_xent_gradient((a - y) / (a * (1 - a))).ok


def test_xent_gradient_accepts_a_value_and_a_one_entry_list_or_matrix(xnet):
    g = xent_gradient(xnet)
    assert ex.check_xent_gradient(Value(g)).ok
    assert ex.check_xent_gradient([g]).ok and ex.check_xent_gradient(np.array([[g]])).ok


def test_xent_gradient_rejects_rounded_numbers_as_close(xnet):
    v = ex.check_xent_gradient(round(xent_gradient(xnet), 4))
    assert not v.ok and "close" in v.message


@pytest.mark.parametrize("mistake, hint", [
    # the quadratic cost's ∇ₐC
    (lambda n: n["a3"] - n["y"], "a³₁ − y is ∇ₐC for the quadratic cost ½(a − y)²"),
    # the minus in front of C lost
    (lambda n: -xent_gradient(n), "sign: C starts with a minus"),
    # one factor of the denominator a(1 − a) missing
    (lambda n: (n["a3"] - n["y"]) / n["a3"], "you dropped (1 − a)"),
    (lambda n: (n["a3"] - n["y"]) / (1 - n["a3"]), "you dropped a"),
    # one of the two terms of the derivative forgotten (both count, as 0 < y < 1)
    (lambda n: -n["y"] / n["a3"], "that is only the first term, −y/a"),
    (lambda n: (1 - n["y"]) / (1 - n["a3"]), "that is only the second term"),
    # the cost, not its derivative
    (lambda n: xent(n["a3"], n["y"]), "that is the cost C itself"),
    # BP1 for the quadratic cost, a step ahead and for the wrong cost
    (lambda n: (n["a3"] - n["y"]) * n["a3"] * (1 - n["a3"]), "the quadratic cost’s δ³₁"),
])
def test_xent_gradient_names_the_mistake(xnet, mistake, hint):
    v = ex.check_xent_gradient(mistake(xnet))
    assert not v.ok and hint in v.hint


@pytest.mark.parametrize("answer, message", [
    (..., "still ..."),
    (None, "still None"),
    ("-1.58", "should be a number"),
    (True, "should be a number"),
    (float("nan"), "not a finite number"),
    (float("-inf"), "not a finite number"),
    (10 ** 400, "not a finite number"),
    ([1.0, 2.0], "has shape (2,), expected (1,)"),
    (np.ones((2, 1)), "has shape (2, 1), expected (1,)"),
    ([float("nan")], "nan or inf"),
    (["a"], "should hold numbers"),
])
def test_xent_gradient_says_not_yet_for_malformed_answers(answer, message):
    v = ex.check_xent_gradient(answer)
    assert not v.ok and message in v.message


def test_bp1_cross_entropy_deltas_by_hand_and_by_the_engine_are_a_minus_y(xnet):
    by_bp1 = xent_gradient(xnet) * xnet["a3"] * (1 - xnet["a3"])
    assert by_bp1 == pytest.approx(xnet["a3"] - xnet["y"], rel=1e-12)
    assert engine_xent_delta() == pytest.approx(xnet["a3"] - xnet["y"], rel=1e-12)


def test_bp1_cross_entropy_accepts_bp1_by_hand_and_the_engines_z_grad(xnet):
    assert ex.check_bp1_cross_entropy(xent_gradient(xnet) * xnet["a3"] * (1 - xnet["a3"])).ok
    assert ex.check_bp1_cross_entropy(engine_xent_delta()).ok


def test_a_minus_y_is_right_for_the_cross_entropy_and_wrong_for_the_quadratic_cost(xnet, net):
    assert ex.check_bp1_cross_entropy(xnet["a3"] - xnet["y"]).ok
    assert not ex.check_bp1(np.array(net["a3"]) - net["y"]).ok  # exercise 5, quadratic cost


def test_bp1_cross_entropy_accepts_one_entry_lists_and_matrices(xnet):
    d = xnet["a3"] - xnet["y"]
    assert ex.check_bp1_cross_entropy([d]).ok and ex.check_bp1_cross_entropy([[d]]).ok
    assert ex.check_bp1_cross_entropy(np.array([[d]])).ok
    assert ex.check_bp1_cross_entropy([Value(d)]).ok


@pytest.mark.parametrize("mistake, hint", [
    # the quadratic cost's δ, which is also ∇ₐC ⊙ σ′ ⊙ σ′ for the cross-entropy
    (lambda n: n["d3"], "that is δ³₁ for the quadratic cost"),
    (lambda n: xent_gradient(n) * (n["a3"] * (1 - n["a3"])) ** 2, "σ′ applied twice"),
    (lambda n: n["y"] - n["a3"], "sign: ∂C/∂a³₁"),
    (lambda n: xent_gradient(n), "that is ∇ₐC alone"),
    (lambda n: xent_gradient(n) / (n["a3"] * (1 - n["a3"])), "you divided by σ′(z³₁)"),
    (lambda n: xent_gradient(n) * n["a3"], "you multiplied by σ(z³₁) = a³₁"),
    (lambda n: xent_gradient(n) * sigmoid(n["a3"]) * (1 - sigmoid(n["a3"])),
     "σ′ is taken at z³₁, not at a³₁"),
])
def test_bp1_cross_entropy_names_the_mistake(xnet, mistake, hint):
    v = ex.check_bp1_cross_entropy(mistake(xnet))
    assert not v.ok and hint in v.hint


def test_bp1_cross_entropy_says_which_shape_it_wants(xnet):
    d = xnet["a3"] - xnet["y"]
    v = ex.check_bp1_cross_entropy([d, d])
    assert not v.ok and "shape (2,)" in v.message and "one neuron" in v.hint


@pytest.mark.parametrize("answer, message", [
    (..., "still ..."),
    (None, "still None"),
    ("-0.37", "should be a number"),
    (float("nan"), "not a finite number"),
    (np.array([]), "has shape (0,)"),
    ({"δ": -0.37}, "should be a number"),
])
def test_bp1_cross_entropy_says_not_yet_for_malformed_answers(answer, message):
    v = ex.check_bp1_cross_entropy(answer)
    assert not v.ok and message in v.message


@pytest.mark.parametrize("check", [ex.check_xent_gradient, ex.check_bp1_cross_entropy])
def test_a_bug_in_the_cross_entropy_oracle_raises_instead_of_becoming_a_verdict(
        monkeypatch, check):
    def broken(*args):
        raise RuntimeError("oracle bug")

    monkeypatch.setattr(nn.analytic, "cost_derivative", broken)
    with pytest.raises(RuntimeError, match="oracle bug"):
        check(-0.37)


def test_dir_of_the_exercises_package_is_its_checkers_and_their_modules():
    import nn.exercises.build_micrograd  # noqa: F401  (the other track, a subpackage)

    modules = {"backward_pass", "bp_equations", "chapter_problems", "derivatives", "instances",
               "training_loop", "build_micrograd"}
    assert {n for n in dir(ex) if not n.startswith("__")} == {*ex.__all__, *modules}
