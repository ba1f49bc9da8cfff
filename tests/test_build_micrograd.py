"""The build-your-own checkers: a right answer passes, each classic mistake is named, and
nothing the student's code does makes a checker raise (tests/build_micrograd_student.py
holds the answers, right and wrong)."""

import math

import build_micrograd_student as s
import pytest

import micrograd_like
from nn.exercises import build_micrograd as ex
from nn.exercises.build_micrograd import graphs
from nn.exercises.build_micrograd.student import LOCKED

CHECKS = {
    "check_add_mul": lambda V: ex.check_add_mul(V),
    "check_value_ops": lambda V: ex.check_value_ops(V),
    "check_tanh": lambda V: ex.check_tanh(V),
    "check_exp": lambda V: ex.check_exp(V),
    "check_tanh_from_exp": lambda V: ex.check_tanh_from_exp(V, s.tanh_from_exp),
    "check_backward": lambda V: ex.check_backward(V),
}


def backward_with(order, assign=False, visited=True, seed=True):
    """A student's backward with the lecture's build_topo, bent in one way."""
    def backward(self):
        topo, seen = [], set()

        def build(v):
            if v not in seen or not visited:
                seen.add(v)
                for p in v.parents:
                    build(p)
                topo.append(v)

        build(self)
        if seed:
            self.grad = 1.0
        for v in (reversed(topo) if order == "reverse" else topo):
            for p, d in zip(v.parents, v.local_grads):
                p.grad = d * v.grad if assign else p.grad + d * v.grad

    return type("Value", (s.Value,), {"backward": backward})


def without(method):
    """The solution's Value as a student who never wrote ``method`` has it."""
    body = {k: v for k, v in vars(s.Value).items() if k not in (method, "__dict__", "__weakref__")}
    return type("Value", (), body)


# -- the right answers -------------------------------------------------------------------


@pytest.mark.parametrize("check", CHECKS, ids=str)
def test_the_solution_passes(check):
    verdict = CHECKS[check](s.Value)
    assert verdict.ok, str(verdict)


@pytest.mark.parametrize("check", CHECKS, ids=str)
def test_a_right_verdict_says_our_engine_was_switched_off(check):
    assert LOCKED in CHECKS[check](s.Value).details


@pytest.mark.parametrize("seed", [1, 7])
def test_the_solution_passes_the_backward_check_for_other_seeds(seed):
    assert ex.check_backward(s.Value, seed=seed).ok


def test_the_solution_network_passes():
    assert ex.check_mlp(s.Value, s.Neuron, s.Layer, s.MLP).ok


def test_the_solution_step_passes():
    assert ex.check_step(s.Value, s.MLP, s.step).ok


@pytest.mark.slow  # trains the student's pure-Python engine: about 15 s
def test_the_solution_reaches_the_moons_accuracy_ours_reaches():
    verdict = ex.check_moons(s.Value, s.train)
    assert verdict.ok, str(verdict)
    assert ex.our_moons_accuracy(0) == 1.0  # measured: nn.MLP(2, [16, 16, 1]), 100 steps


def test_different_seeds_give_different_graphs():
    assert graphs.program(["+", "*"], seed=0).leaves != graphs.program(["+", "*"], seed=1).leaves


def test_every_random_graph_has_a_repeated_input_and_every_op_asked_for():
    p = graphs.program(ex.backward.OPS_3, seed=3, steps=14)
    assert p.steps[0][1] == (0,) * len(p.steps[0][1])
    assert {op for op, _, _ in p.steps} >= set(ex.backward.OPS_3)


# -- each classic mistake, named ---------------------------------------------------------


@pytest.mark.parametrize("expr, method", [
    ("2 * v", "__rmul__"), ("2 + v", "__radd__"), ("-v", "__neg__"), ("v - 1", "__sub__"),
    ("1 - v", "__rsub__"), ("v ** 3", "__pow__"), ("v / w", "__truediv__"),
    ("2 / v", "__rtruediv__"),
])
def test_a_missing_reflected_or_derived_op_is_named(expr, method):
    verdict = ex.check_value_ops(without(method))
    assert not verdict.ok
    assert verdict.message.startswith(f"`{expr}` fails: {method} is missing")


def test_mul_with_the_local_derivatives_swapped_is_named():
    def mul(self, other):
        other = self._lift(other)
        return type(self)(self.data * other.data, (self, other), (self.data, other.data))

    verdict = ex.check_add_mul(type("Value", (s.Value,), {"__mul__": mul}))
    assert "the *other* factor" in verdict.hint


def test_the_power_rule_without_its_minus_one_is_named():
    def pow_(self, n):
        return type(self)(self.data ** n, (self,), (n * self.data,))

    verdict = ex.check_value_ops(type("Value", (s.Value,), {"__pow__": pow_}))
    assert "the power rule" in verdict.hint


def test_tanh_derivative_with_x_instead_of_t_is_named():
    def tanh(self):
        return type(self)(math.tanh(self.data), (self,), (1 - self.data ** 2,))

    verdict = ex.check_tanh(type("Value", (s.Value,), {"tanh": tanh}))
    assert not verdict.ok
    assert "1 − x² uses the input" in verdict.hint


def test_tanh_from_exp_that_calls_tanh_is_refused():
    verdict = ex.check_tanh_from_exp(s.Value, lambda x: x.tanh())
    assert "not built from exp and /" in verdict.message


def test_assigning_instead_of_adding_is_named():
    verdict = ex.check_backward(backward_with("reverse", assign=True))
    assert verdict.message.startswith("`=` instead of `+=`")
    assert "a.grad = 1, should be 4 ✗" in verdict.details


def test_the_forward_order_is_named():
    verdict = ex.check_backward(backward_with("forward"))
    assert "forward order" in verdict.message


def test_plain_recursion_without_an_order_is_named_a_node_visited_twice():
    def backward(self):
        self.grad = 1.0

        def down(v):
            for p, d in zip(v.parents, v.local_grads):
                p.grad += d * v.grad
                down(p)

        down(self)

    verdict = ex.check_backward(type("Value", (s.Value,), {"backward": backward}))
    assert "a node is visited twice" in verdict.message
    assert "a.grad = 6, should be 4 ✗" in verdict.details


def test_a_topological_order_without_a_visited_set_is_named_a_node_visited_twice():
    verdict = ex.check_backward(backward_with("reverse", visited=False))
    assert "a node is visited twice" in verdict.message


def test_a_backward_that_never_sets_the_root_grad_is_named():
    verdict = ex.check_backward(backward_with("reverse", seed=False))
    assert "still 0" in verdict.message and "self.grad = 1.0" in verdict.hint


def test_a_last_layer_with_tanh_is_named():
    class MLP(s.MLP):
        def __init__(self, nin, nouts, seed=0):
            super().__init__(nin, nouts, seed)
            for n in self.layers[-1].neurons:
                n.nonlin = True

    verdict = ex.check_mlp(s.Value, s.Neuron, s.Layer, MLP)
    assert "the last layer applies tanh" in verdict.message


def test_grads_not_reset_between_steps_is_named():
    def step(mlp, X, Y, lr):
        loss = s.loss_of(mlp, X, Y)
        loss.backward()
        for p in mlp.parameters():
            p.data -= lr * p.grad
        return loss.data

    verdict = ex.check_step(s.Value, s.MLP, step)
    assert "grads are not reset between steps" in verdict.message


def test_a_step_uphill_is_named():
    def step(mlp, X, Y, lr):
        loss = s.loss_of(mlp, X, Y)
        for p in mlp.parameters():
            p.grad = 0.0
        loss.backward()
        for p in mlp.parameters():
            p.data += lr * p.grad
        return loss.data

    verdict = ex.check_step(s.Value, s.MLP, step)
    assert "went uphill" in verdict.message


# -- our engine is not the answer --------------------------------------------------------


def test_micrograd_like_value_itself_is_refused():
    verdict = ex.check_backward(micrograd_like.Value)
    assert "is micrograd_like.Value" in verdict.message


def test_a_subclass_of_micrograd_like_value_is_refused():
    class Value(micrograd_like.Value):
        pass

    verdict = ex.check_add_mul(Value)
    assert "subclasses micrograd_like.Value" in verdict.message


def test_a_class_wrapping_a_micrograd_like_value_is_refused():
    class Value:
        def __init__(self, data):
            mg = micrograd_like.Value
            self.inner = data if isinstance(data, mg) else mg(data)
            self.data, self.grad, self.parents, self.local_grads = self.inner.data, 0.0, (), ()

        def __add__(self, other):
            return Value(self.inner + other.inner)

        def __mul__(self, other):
            return Value(self.inner * other.inner)

    verdict = ex.check_add_mul(Value)
    assert "wraps a micrograd_like Value (in .inner)" in verdict.message


def test_a_backward_that_calls_our_walk_is_refused_and_says_our_engine_is_off():
    def backward(self):
        micrograd_like.topological_order(self)

    verdict = ex.check_backward(type("Value", (s.Value,), {"backward": backward}))
    assert "called micrograd_like's topological_order" in verdict.message
    assert LOCKED in verdict.hint


def test_our_engine_works_again_after_a_check():
    ex.check_backward(s.Value)
    x = micrograd_like.Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0 and micrograd_like.grad(lambda v: v * v)(3.0) == 6.0


# -- the student's code never makes a checker raise --------------------------------------


@pytest.mark.parametrize("answer", [..., None, 3, "Value", s.Value(1.0)], ids=repr)
def test_a_wrong_type_for_the_class_is_not_yet(answer):
    assert not ex.check_add_mul(answer).ok


def test_an_exception_in_the_students_op_is_not_yet_naming_it():
    def add(self, other):
        raise KeyError("oops")

    verdict = ex.check_add_mul(type("Value", (s.Value,), {"__add__": add}))
    assert "raised KeyError" in verdict.message


def test_infinite_recursion_in_the_students_op_is_not_yet():
    verdict = ex.check_value_ops(type("Value", (s.Value,), {"__neg__": lambda self: -self}))
    assert "RecursionError" in verdict.message


def test_parents_kept_in_a_set_is_named():
    def add(self, other):
        other = self._lift(other)
        return type(self)(self.data + other.data, {self, other}, (1.0, 1.0))

    verdict = ex.check_add_mul(type("Value", (s.Value,), {"__add__": add}))
    assert "parents is a set" in verdict.message


def test_a_number_kept_as_a_parent_is_named():
    def mul(self, other):
        o = other.data if isinstance(other, s.Value) else other
        return type(self)(self.data * o, (self, other), (o, self.data))

    verdict = ex.check_add_mul(type("Value", (s.Value,), {"__mul__": mul}))
    assert "wrap a number first" in verdict.hint


def test_a_checkers_own_bug_still_raises(monkeypatch):
    def broken(p):
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr(graphs, "ours", broken)
    with pytest.raises(ZeroDivisionError):
        ex.check_backward(s.Value)
