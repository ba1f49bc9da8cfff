"""backward(): ordering, accumulation, reuse of nodes, depth, and the documented grad rules."""

from __future__ import annotations

import gc
import math
import sys
import threading
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd_like as mg
from micrograd_like import Value, gradcheck, no_grad, topological_order

# -- shared sub-expressions -------------------------------------------------------------


def test_a_times_a_counts_both_edges():
    a = Value(3.0)
    y = a * a
    y.backward()
    assert y.parents == (a, a)
    assert a.grad == 6.0  # d(a²)/da = 2a


def test_a_plus_a_counts_both_edges():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_diamond_sums_both_paths():
    # x feeds u and v, both feed y: dy/dx = dy/du·du/dx + dy/dv·dv/dx
    x = Value(0.5)
    u = x.exp()
    v = x.sin()
    y = u * v
    y.backward()
    expected = math.exp(0.5) * math.sin(0.5) + math.exp(0.5) * math.cos(0.5)
    assert x.grad == pytest.approx(expected, rel=1e-15)


def test_reused_intermediate_node_is_visited_once():
    # a non-leaf used twice must pass on its *complete* gradient exactly once
    x = Value(2.0)
    h = x * 3.0  # h = 3x
    y = h * h + h  # y = 9x² + 3x, dy/dx = 18x + 3
    y.backward()
    assert h.grad == 2 * h.data + 1
    assert x.grad == 18 * 2.0 + 3



def test_a_node_shared_by_many_children_is_placed_once_and_gets_every_contribution():
    x = Value(0.5)
    h = x * 2.0  # one op node, the parent of 1,000 children
    y = mg.sum([h * float(k) for k in range(1, 1001)])  # y = Σₖ k·h, dy/dh = Σₖ k
    order = topological_order(y)
    assert sum(v is h for v in order) == 1 and sum(v is x for v in order) == 1
    y.backward()
    assert h.grad == 500_500.0
    assert x.grad == 2.0 * 500_500.0


def test_a_value_used_as_several_inputs_of_one_n_ary_node_gets_each_edge():
    x, y = Value(1.5), Value(-2.0)
    z = mg.dot([x, y, x], [x, x, y])  # z = x² + 2xy
    z.backward()
    assert z.data == 1.5**2 + 2 * 1.5 * -2.0
    assert (x.grad, y.grad) == (2 * 1.5 + 2 * -2.0, 2 * 1.5)  # (2x + 2y, 2x)


def test_backward_from_a_second_root_overwrites_the_shared_nodes_and_adds_to_the_leaves():
    x = Value(0.3)
    h = x.tanh()
    y1, y2 = h * 3.0, h * h
    y1.backward()
    y2.backward()
    t = math.tanh(0.3)
    assert h.grad == 2 * t  # ∂y2/∂h alone: intermediate grads belong to the last root
    assert x.grad == pytest.approx(3 * (1 - t * t) + 2 * t * (1 - t * t), rel=1e-15)

def _random_program(draw):
    """A random expression graph over 3 leaves in which later nodes reuse earlier ones."""
    n_ops = draw(st.integers(1, 12))
    program = []
    for i in range(n_ops):
        op = draw(st.sampled_from(sorted(OPS)))
        a = draw(st.integers(0, 2 + i))
        b = draw(st.integers(0, 2 + i))
        program.append((op, a, b))
    return program


OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "sin": lambda a, b: a.sin(),
    "sq": lambda a, b: a * a,
    "softplus": lambda a, b: a.softplus(),
}


def _run(program, leaves):
    nodes = list(leaves)
    for op, i, j in program:
        nodes.append(OPS[op](nodes[i], nodes[j]))
    return mg.sum(nodes[3:])  # every op node reaches the root


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_random_graphs_with_shared_nodes_match_finite_differences(data):
    program = _random_program(data.draw)
    xs = data.draw(st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
    report = gradcheck(lambda *leaves: _run(program, leaves), xs, tolerance=1e-5)
    assert report.ok, str(report)



def test_backward_passes_in_two_threads_sharing_only_leaves_each_get_their_own_grads():
    w = Value(0.7)  # a weight shared by both graphs
    results = {}

    def run(name, x0):
        x = Value(x0)
        h = [(x * w).tanh()]
        for _ in range(10_000):  # long enough for the threads to interleave
            h.append((h[-1] * w + x).tanh() * h[-1])  # each h reached along two paths
        for _ in range(3):
            h[-1].backward()
        results[name] = [v.grad for v in h]

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=run, args=(k, k / 10)) for k in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    for k in (1, 2):  # intermediate grads: ∂root/∂h, alone in its thread, run again
        run(f"alone {k}", k / 10)
        assert results[k] == results[f"alone {k}"]

# -- ordering and depth -----------------------------------------------------------------


def test_topological_order_places_every_parent_before_its_child():
    x, y = Value(1.0), Value(2.0)
    z = (x * y + x).tanh() * y
    order = topological_order(z)
    position = {id(v): i for i, v in enumerate(order)}
    assert order[-1] is z
    assert len(position) == len(order)  # each node once
    for v in order:
        for p in v.parents:
            assert position[id(p)] < position[id(v)]



def test_topological_order_of_a_deep_chain_is_the_chain_in_order():
    chain = [Value(0.1)]
    for _ in range(100_000):
        chain.append(chain[-1].tanh())
    order = topological_order(chain[-1])
    assert len(order) == len(chain) and all(u is v for u, v in zip(order, chain))

def test_million_node_chain_backpropagates_with_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    a = Value(0.5)
    x = Value(1.0)
    for _ in range(500_000):  # 1,000,000 op nodes
        x = x * a + 0.25
    x.backward()
    # x_n = a·x_{n-1} + 1/4 converges to 1/(4(1-a)) = 0.5, and d x_n/d a -> (0.5)/(1-a) = 1
    assert x.data == pytest.approx(0.5)
    assert a.grad == pytest.approx(1.0)
    del x  # freeing a deep chain must not overflow the C stack either


# -- the documented gradient rules ------------------------------------------------------


def _graph():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    h = x * w
    y = h.tanh() + w
    return x, w, h, y


def test_second_backward_accumulates_into_leaves():
    x, w, _, y = _graph()
    y.backward()
    first = (x.grad, w.grad)
    y.backward()
    assert (x.grad, w.grad) == pytest.approx((2 * first[0], 2 * first[1]), rel=1e-15)


def test_second_backward_overwrites_intermediate_grads():
    _, _, h, y = _graph()
    y.backward()
    first = (h.grad, y.grad)
    y.backward()
    assert (h.grad, y.grad) == first


def test_zero_grad_resets_every_node_of_the_graph():
    *_, y = _graph()
    y.backward()
    y.zero_grad()
    assert [v.grad for v in topological_order(y)] == [0.0] * len(topological_order(y))


def test_backward_from_a_leaf_adds_one_to_it():
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_backward_on_two_roots_sums_leaf_gradients():
    x = Value(3.0)
    (x * x).backward()
    (x * 4.0).backward()
    assert x.grad == 2 * 3.0 + 4.0


def test_backward_raises_when_a_gradient_overflows():
    # Forward values stay finite (1e-300 grows to 1e20), but the chain-rule product of 32
    # local slopes of 1e10 each is 1e320, which overflows a float in the backward pass.
    p = Value(1e-300)
    q = p
    for _ in range(32):
        q = q / 1e-10
    assert math.isfinite(q.data)
    with pytest.raises(FloatingPointError, match="backward: gradient overflowed"):
        q.backward()


# -- no_grad and memory -----------------------------------------------------------------


def test_no_grad_builds_no_graph():
    x = Value(2.0)
    with no_grad():
        y = (x * 3.0).tanh()
        assert mg.is_grad_enabled() is False
    assert mg.is_grad_enabled() is True
    assert y.is_leaf and y.op == "" and y.parents == ()
    assert y.data == pytest.approx(math.tanh(6.0))


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert mg.is_grad_enabled() is True


def test_a_binary_op_node_takes_at_most_250_bytes():
    a, b = Value(0.5), Value(0.25)
    x = Value(1.0)
    gc.collect()
    tracemalloc.start()
    for _ in range(5_000):  # 10,000 op nodes; `* a` stores a's own float as ∂/∂x
        x = x * a + b
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert size / 10_000 <= 250  # issue 19's bound; a micrograd node takes about 685


def test_a_freed_graph_leaves_no_cyclic_garbage():
    gc.collect()
    gc.disable()
    try:
        x = Value(0.3)
        y = x
        for _ in range(1000):
            y = (y * 1.01).tanh() + x
        y.backward()
        del x, y
        assert gc.collect() == 0  # refcounting freed it all: no node refers back to itself
    finally:
        gc.enable()
