"""``explore(root)``: the interactive backward page, read as data (no browser here).

The page's numbers are the engine's: every chain-rule line is checked against the local
derivatives the graph stores and the gradients ``backward()`` computes, and the running sums
of ``backward_steps`` against ``backward()`` itself.  The browser tests are in
``test_explore_browser.py``.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from explore_graphs import (
    circuit,
    constant_offset,
    diamond,
    mlp_cross_entropy_cost,
    neuron,
    shared,
    small_mlp_cost,
)

import nn
from micrograd_like import Value, backward_steps, draw_dot, explore, topological_order
from micrograd_like.viz import GraphTooLargeError, describe_nodes

GRAPHS = [neuron, shared, diamond, small_mlp_cost, constant_offset, mlp_cross_entropy_cost]


def engine_grads(root: Value) -> dict[Value, float]:
    root.zero_grad()
    root.backward()
    grads = {v: v.grad for v in topological_order(root)}
    root.zero_grad()
    return grads


def numbers(text: str) -> list[float]:
    return [float(t) for t in re.findall(r"-?\d+\.\d+", text)]


def constants(root: Value) -> set[Value]:
    """The nodes the static drawing shows as constants (grey, no gradient)."""
    return {v for v, text in describe_nodes(root).items() if text.is_constant}


@pytest.mark.parametrize("make", GRAPHS)
def test_backward_steps_end_with_the_gradients_backward_computes(make):
    root = make()
    last = {root: 1.0}
    for _, _, updates in backward_steps(root):
        for p, _, total in updates:
            last[p] = total
    assert last == engine_grads(root)


def test_backward_steps_give_a_node_used_twice_both_contributions():
    a = Value(3.0)
    y = a * a
    [(v, g, updates)] = list(backward_steps(y))  # d(a²)/da = 2a = 3 + 3
    assert v is y and g == 1.0
    assert [(p is a, d, total) for p, d, total in updates] == [(True, 3.0, 3.0), (True, 3.0, 6.0)]


@pytest.mark.parametrize("make", GRAPHS)
def test_explore_leaves_the_graphs_grads_as_they_were(make, graphviz_dot):
    root = make()
    root.backward()
    before = [v.grad for v in topological_order(root)]
    explore(root)
    assert [v.grad for v in topological_order(root)] == before


@pytest.mark.parametrize("make", GRAPHS)
def test_explorer_grads_are_backwards_gradients(make, graphviz_dot):
    root = make()
    page = explore(root)
    grads = engine_grads(root)
    assert page.grads == [grads[v] for v in topological_order(root)]


@pytest.mark.parametrize("make", GRAPHS)
def test_each_chain_rule_line_is_local_derivative_times_the_nodes_grad(make, graphviz_dot):
    root = make()
    page = explore(root)
    grads = engine_grads(root)
    order = topological_order(root)
    ops = [v for v in reversed(order) if v.parents]
    assert len(page.steps) == 1 + len(ops)  # the seed, then one step per op node
    assert [order[s.node] for s in page.steps[1:]] == ops
    fixed = constants(root)
    for step in page.steps[1:]:
        v = order[step.node]
        edges = [(p, d) for p, d in zip(v.parents, v.local_grads) if p not in fixed]
        assert len(step.lines) == len(edges)  # one line per edge, but none into a constant
        for line, (p, d) in zip(step.lines, edges):
            assert order[line.node] is p
            local, grad, product = numbers(line.text.split("→")[0])
            assert local == pytest.approx(d, abs=5e-5)
            assert grad == pytest.approx(grads[v], abs=5e-5)
            assert product == pytest.approx(d * grads[v], abs=5e-5)


@pytest.mark.parametrize("make", [constant_offset, small_mlp_cost, mlp_cross_entropy_cost])
def test_no_step_updates_a_constant_and_every_other_node_ends_at_its_gradient(make,
                                                                             graphviz_dot):
    root = make()
    page = explore(root)
    grads = engine_grads(root)
    order = topological_order(root)
    fixed = constants(root)
    assert fixed  # each of these graphs has constants or targets
    last: dict[Value, float] = {}
    for step in page.steps:
        for line in step.lines:
            last[order[line.node]] = line.total
    # every node but the constants gets lines (each one feeds an op, or is the root) ...
    assert set(last) == set(order) - fixed
    # ... and its last running sum is ∂root/∂v, as backward() computes it
    assert last == {v: g for v, g in grads.items() if v not in fixed}


@pytest.mark.parametrize("make", [constant_offset, small_mlp_cost, mlp_cross_entropy_cost])
def test_the_page_holds_no_gradient_of_a_constant(make, graphviz_dot):
    root = make()
    payload = explore(root)._payload
    order = topological_order(root)
    for v, node, box in zip(order, payload["nodes"], payload["boxes"]):
        if v in constants(root):
            assert node["grad"] is None and node["gradText"] is None
            assert node["gradName"] is None and "gradAt" not in box
            assert payload["done"][order.index(v)] == -1  # no step ever gives it a value
        else:
            assert node["grad"] is not None


def test_the_page_shows_a_gradient_where_the_drawing_does(graphviz_dot):
    root = small_mlp_cost()
    root.backward()
    source = draw_dot(root).source
    page = explore(root)
    order = topological_order(root)
    updated = {line.node for step in page.steps for line in step.lines}
    for i in range(len(order)):
        fields = re.search(rf"\bv{i} \[label=\"\{{ (.*?) \}}\"", source).group(1).split(" | ")
        drawn = not fields[-1].startswith("data ")  # { [name |] data .. [| its gradient] }
        assert drawn == (i in updated), fields


def test_a_constants_line_is_left_out_and_the_others_keep_their_text(graphviz_dot):
    page = explore(constant_offset())
    through_plus = page.steps[2]  # seed, tanh, then the + that adds the constant 2
    g = format(1 - math.tanh(2.0 * -3.0 + 2.0) ** 2, ".4f")  # ∂L/∂(a·b + 2) = 1 − tanh²
    assert [line.text for line in through_plus.lines] == [f"(a·b).grad += 1.0000 × {g} = {g}"]
    assert through_plus.title.endswith("(2: constant, no gradient shown)")


def test_an_unannotated_number_keeps_its_gradient_as_the_drawing_does(graphviz_dot):
    # The drawing greys out only what an annotation calls a constant or target; a bare 2.0
    # is drawn with its grad, so the page steps through it too.
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    L = (a * b + 2.0).tanh()
    L.backward()
    two = L.parents[0].parents[1]
    assert two.data == 2.0 and "grad 0.0013" in draw_dot(L).source.split("\n")[3]
    page = explore(L)
    index = topological_order(L).index(two)
    assert [line.total for step in page.steps for line in step.lines
            if line.node == index] == [pytest.approx(1 - math.tanh(-4.0) ** 2)]


def test_a_shared_node_shows_both_contributions_and_their_sum(graphviz_dot):
    a = Value(2.0, label="a")
    y = a * a
    y.label = "y"
    page = explore(y)
    assert [line.text for line in page.steps[1].lines] == [
        "a.grad += 2.0000 × 1.0000 = 2.0000",
        "a.grad += 2.0000 × 1.0000 = 2.0000 → a.grad = 4.0000",  # d(a²)/da = 2a = 4
    ]


def test_forward_steps_compute_each_op_node_in_topological_order(graphviz_dot):
    y = neuron()
    page = explore(y)
    order = topological_order(y)
    assert [order[s.node] for s in page.forward_steps] == [v for v in order if v.parents]
    last = page.forward_steps[-1].lines[0]
    assert last.total == y.data == pytest.approx(math.sqrt(0.5))  # tanh(atanh(1/√2))
    assert last.text.startswith("y = tanh(")


def test_saved_page_is_one_file_that_loads_nothing(tmp_path, graphviz_dot):
    path = explore(shared()).save(tmp_path / "backprop.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backprop.html"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for fetch in ("<link", " src=", "@import", "url(", "xlink:href", "fetch(", "XMLHttpRequest"):
        assert fetch not in text, fetch
    assert "default-src 'none'" in text  # and the browser is told to refuse any load


def test_a_label_cannot_end_the_pages_script(graphviz_dot):
    v = Value(1.0, label="</script><script>alert(1)</script>")
    html = explore(v * 2).to_html()
    assert "<script>alert(1)" not in html
    data = re.search(r'<script type="application/json" class="mgl-data">(.*?)</script>', html, re.S)
    assert v.label in [node["name"] for node in json.loads(data.group(1))["nodes"]]


def test_each_inline_display_gets_its_own_element_ids(graphviz_dot):
    page = explore(neuron())
    first, second = page._repr_html_(), page._repr_html_()
    ids = set(re.findall(r' id="([^"]+)"', first))
    assert ids and not ids & set(re.findall(r' id="([^"]+)"', second))


def test_too_large_a_graph_is_refused_with_the_way_out(graphviz_dot):
    mlp = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    loss = nn.hinge([mlp(x) for x in ([0.5, -1.0], [1.0, 0.2])], [1, -1])
    with pytest.raises(GraphTooLargeError, match="collapse=True"):
        explore(loss)


def test_collapsed_neurons_show_z_delta_and_a_of_each_neuron(graphviz_dot):
    mlp = nn.MLP(2, [3, 1], activation="sigmoid", seed=0)
    t = mlp.trace([0.5, -1.0])
    C = nn.quadratic([t.outputs], [[1.0]])
    page = explore(C, collapse=True)
    boxes = page._payload["boxes"]
    index = {v: i for i, v in enumerate(topological_order(C))}
    z = boxes[index[t.zs[0][1]]]
    assert z["svg"] == "n0_1" and z["gradPrefix"].startswith("δ")


def test_a_gradient_the_builder_names_is_named_in_the_line_that_completes_it(graphviz_dot):
    v, s2, P = circuit()
    page = explore(P)
    i = topological_order(P).index(v)
    [line] = [ln for step in page.steps for ln in step.lines if ln.node == i]
    dP_dv = 2 * s2.data * -3.0 * 2.0  # 2·s2 · g2 · g1
    assert line.text.endswith(f"= {dP_dv:.4f} = sensitivity") and line.total == dP_dv


def test_a_builders_innermost_clusters_collapse_on_the_page_too(graphviz_dot):
    _v, s2, P = circuit()
    boxes = explore(P, collapse=True)._payload["boxes"]
    i = topological_order(P).index(s2)
    assert boxes[i]["svg"] == "n0_1" and boxes[i]["gradPrefix"] == "∂P/∂s2 = "


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        explore(1.5)


def test_local_derivative_formulas_are_the_op_tables_over_the_parents_names(graphviz_dot):
    from micrograd_like import formulas

    y = neuron()
    nodes = explore(y)._payload["nodes"]
    order = topological_order(y)
    for v, node in zip(order, nodes):
        names = [nodes[p["node"]]["name"] for p in node["parents"]]
        assert [p["formula"] for p in node["parents"]] == list(
            formulas.partial_formulas(v, names=names))
    assert nodes[-1]["parents"][0]["formula"] == "1 − tanh²(x·w + b)"


@pytest.mark.parametrize(("build", "name"), [
    (lambda x, y: (x * 3 + 1).relu(), "max(0, x·3 + 1)"),  # an argument needs no brackets
    (lambda x, y: (x + y) * x, "(x + y)·x"),  # a sum inside a product keeps them
    (lambda x, y: x * y * x, "x·y·x"),
    (lambda x, y: x - (y + 1), "x − (y + 1)"),
])
def test_an_unnamed_node_is_named_by_what_it_computes(graphviz_dot, build, name):
    v = build(Value(2.0, label="x"), Value(3.0, label="y"))
    assert explore(v)._payload["nodes"][-1]["name"] == name


def test_a_nielsen_name_is_one_operand_and_a_bracketed_square_binds(graphviz_dot):
    # a³₁'s ³ is its layer, not a cube: (a³₁) − y would suggest an operation that is not there
    a = Value(0.6, label="a³₁")
    y = Value(1.0, label="y")
    assert explore(a - y)._payload["nodes"][-1]["name"] == "a³₁ − y"
    s = Value(2.0, label="x") + y
    u = s * s  # the square of a sum, cubed, keeps its brackets
    u.label = "(x + y)²"
    assert explore(u ** 3)._payload["nodes"][-1]["name"] == "((x + y)²)³"


def test_title_must_be_text(graphviz_dot):
    with pytest.raises(TypeError, match="title must be a str, got int"):
        explore(neuron(), title=3)
