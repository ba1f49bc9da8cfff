"""draw_dot and backward_frames: what a drawing contains (DOT source only, no Graphviz)."""

from __future__ import annotations

import math
import os
import re

import explore_graphs
import graphviz
import pytest

from micrograd_like import Value, backward_frames, dot, draw_dot
from micrograd_like.annotation import annotate
from micrograd_like.viz import (
    Drawing,
    GraphTooLargeError,
    GraphvizNotFoundError,
    NodeText,
    describe_nodes,
    save,
)


def tanh_neuron() -> tuple[Value, dict[str, Value]]:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    y = (x * w + b).tanh()
    return y, {"x": x, "w": w, "b": b}


def line_of(source: str, node_id: str) -> str:
    [line] = [ln.strip() for ln in source.splitlines() if ln.strip().startswith(node_id + " [")]
    return line


def annotated_layer(n_neurons: int, n_inputs: int) -> Value:
    """One layer of sigmoid neurons annotated as nn annotates them, summed into one output.

    The sum is no cost, so the drawing must not call any z's gradient δ."""
    xs = [annotate(Value(0.1 * (k + 1)), kind="input", role="input", name=f"x{k + 1}")
          for k in range(n_inputs)]
    outs = []
    for j in range(n_neurons):
        cluster = ("layer 2", f"neuron {j + 1}")
        ws = [annotate(Value(0.01 * (j - k)), kind="parameter", role="weight",
                       name=f"w{j + 1}{k + 1}", cluster=cluster) for k in range(n_inputs)]
        b = annotate(Value(0.0), kind="parameter", role="bias", name=f"b{j + 1}", cluster=cluster)
        z = annotate(dot(ws, xs, plus=b), role="z", name=f"z{j + 1}", cluster=cluster,
                     grad_names={"cost": f"δ{j + 1}"})
        outs.append(annotate(z.sigmoid(), role="a", name=f"a{j + 1}", cluster=cluster))
    total = outs[0]
    for a in outs[1:]:
        total = total + a
    total.backward()
    return total


# -- what a drawing is -----------------------------------------------------------------


def test_draw_dot_returns_a_graphviz_digraph():
    y, _ = tanh_neuron()
    assert isinstance(draw_dot(y), graphviz.Digraph)


def test_each_op_is_its_own_node_between_inputs_and_output():
    y, _ = tanh_neuron()
    src = draw_dot(y).source
    # topological order: b, w, x, x*w, +, tanh -> ids v0..v5; op ovals v3op, v4op, v5op
    assert "v2 -> v3op" in src and "v1 -> v3op" in src and "v3op -> v3" in src
    assert "v5op -> v5" in src
    assert line_of(src, "v5op").startswith("v5op [label=tanh")


def test_value_box_shows_label_data_and_grad():
    y, _ = tanh_neuron()
    y.backward()
    src = draw_dot(y).source
    assert "{ x | data 2.0000 | grad -1.5000 }" in src  # dy/dx = w(1 - y²) = -3 · 0.5


def test_show_grad_false_hides_the_grad_field():
    y, _ = tanh_neuron()
    assert "grad" not in draw_dot(y, show_grad=False).source


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_rankdir_is_set_on_the_graph(rankdir):
    y, _ = tanh_neuron()
    assert f"rankdir={rankdir}" in draw_dot(y, rankdir=rankdir).source


def test_number_format_applies_to_data_and_grad():
    y, _ = tanh_neuron()
    y.backward()
    assert "{ x | data 2.00e+00 | grad -1.50e+00 }" in draw_dot(y, number_format=".2e").source


def test_show_local_grads_labels_edges_into_ops_with_the_local_partial():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    src = draw_dot(x * w, show_local_grads=True).source
    # ∂(xw)/∂x = w = -3, ∂(xw)/∂w = x = 2; order: w (v0), x (v1), x*w (v2)
    assert 'v1 -> v2op [label="w = -3.0000"' in src
    assert 'v0 -> v2op [label="x = 2.0000"' in src


def test_show_local_grads_writes_the_rules_formula_beside_its_number():
    x = Value(0.5, label="x")
    y = x.tanh()
    src = draw_dot(y, show_local_grads=True).source
    d = 1 - math.tanh(0.5) ** 2  # tanh′(x) = 1 − tanh²(x)
    assert f'v0 -> v1op [label="1 − tanh²(x) = {d:.4f}"' in src


def test_show_local_grads_writes_the_formula_over_the_edges_own_input_not_a_symbol():
    # the rule's "x" would name the leaf x here, whose tanh′ is another number entirely
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    y = (x * w + b).tanh()
    src = draw_dot(y, show_local_grads=True).source
    d = 1 - math.tanh(2.0 * -3.0 + 6.88) ** 2
    assert f'[label="1 − tanh²(x·w + b) = {d:.4f}"' in src
    assert "tanh²(x)" not in src


def test_show_local_grads_of_a_square_is_two_times_its_bracketed_input():
    x, y = Value(2.0, label="x"), Value(0.5, label="y")
    src = draw_dot((x + y) ** 2, show_local_grads=True).source
    assert '[label="2·(x + y) = 5.0000"' in src  # d(u²)/du = 2u at u = x + y = 2.5


def test_show_local_grads_on_an_nn_neuron_names_its_weighted_input():
    nn = pytest.importorskip("nn", reason="the nn package is not importable")
    mlp = nn.MLP(2, [1], output_activation="tanh", seed=1)
    t = mlp.trace([2.0, -1.0])
    z = t.zs[0][0]
    src = draw_dot(t.outputs[0], show_local_grads=True).source
    assert f'[label="1 − tanh²(z²₁) = {1 - math.tanh(z.data) ** 2:.4f}"' in src


def test_show_local_grads_of_a_long_unnamed_input_uses_its_value():
    from micrograd_like import sum as mg_sum

    # an input whose expression (0.01 + 0.02 + … + 0.12) is too long to write on an edge
    u = mg_sum([Value(k / 100) for k in range(1, 13)])
    src = draw_dot(u.tanh(), show_local_grads=True).source
    assert f'[label="1 − tanh²({u.data:.4f}) = {1 - math.tanh(u.data) ** 2:.4f}"' in src


def test_show_local_grads_of_a_constant_partial_is_the_number_alone():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    src = draw_dot(a + b, show_local_grads=True).source
    assert src.count("[label=1.0000") == 2  # ∂(a + b)/∂a = ∂(a + b)/∂b = 1


@pytest.mark.parametrize(
    "options, message",
    [
        ({"rankdir": "sideways"}, "rankdir"),
        ({"number_format": "%d"}, "number_format"),
        ({"collapse": "layers"}, "collapse"),
        ({"max_nodes": 0}, "max_nodes"),
        ({"highlight": "nobody"}, "no node labelled 'nobody'"),
        ({"highlight": Value(1.0)}, "not in the graph"),
    ],
)
def test_bad_options_raise_value_error_naming_the_option(options, message):
    y, _ = tanh_neuron()
    with pytest.raises(ValueError, match=message):
        draw_dot(y, **options)


def test_labels_with_record_characters_are_escaped():
    v = Value(1.0, label='a{b}|c<d>"e\\')
    src = draw_dot(v * 2).source
    assert r"a\{b\}\|c\<d\>\"e\\" in src


def test_leaf_root_draws_one_box():
    src = draw_dot(Value(4.0, label="only")).source
    assert "{ only | data 4.0000 | grad 0.0000 }" in src and "->" not in src


# -- colour, highlight --------------------------------------------------------------------


def test_color_by_grad_fills_the_largest_grad_darkest_and_zero_white_with_a_legend():
    a, b, c = Value(1.0, label="a"), Value(1.0, label="b"), Value(0.5, label="c")
    y = a * 4 + b + c * 0  # grads: a 4, b 1, c 0; the constants 1 and 0.5; the sums 1
    y.backward()
    src = draw_dot(y, color_by_grad=True).source
    boxes = {name: ln for name in "abc" for ln in src.splitlines() if f"{{ {name} |" in ln}
    assert 'fillcolor="#e6550d"' in boxes["a"]  # |4| / 4 = 1: top bin
    assert 'fillcolor="#fdd0a2"' in boxes["b"]  # |1| / 4 = 0.25: second bin
    assert 'fillcolor="#ffffff"' in boxes["c"]  # zero gradient
    assert "legend [label=<" in src and "max |grad|" in src


def test_highlight_marks_exactly_the_nodes_that_depend_on_the_leaf():
    y, leaves = tanh_neuron()
    src = draw_dot(y, highlight=leaves["x"]).source
    red = 'color="#d62728"'
    # x (v2), x*w (v3), + (v4), tanh (v5) lie on x's paths to y; b (v0) and w (v1) do not
    for node in ["v2", "v3", "v3op", "v4", "v4op", "v5", "v5op"]:
        assert red in line_of(src, node), node
    for node in ["v0", "v1"]:
        assert red not in line_of(src, node), node
    assert red not in next(ln for ln in src.splitlines() if "v1 -> v3op" in ln)


def test_highlight_accepts_a_label():
    y, leaves = tanh_neuron()
    assert draw_dot(y, highlight="x").source == draw_dot(y, highlight=leaves["x"]).source


# -- size guard -----------------------------------------------------------------------------


def test_graph_over_max_nodes_raises_naming_the_count_and_the_ways_out():
    y, _ = tanh_neuron()  # 6 values + 3 ops = 9 nodes
    with pytest.raises(GraphTooLargeError, match=r"9 nodes .* max_nodes=8: pass max_nodes=9"):
        draw_dot(y, max_nodes=8)


def test_size_guard_suggests_collapse_only_for_graphs_with_neurons():
    with pytest.raises(GraphTooLargeError, match="collapse=True"):
        draw_dot(annotated_layer(3, 4), max_nodes=10)
    y, _ = tanh_neuron()
    with pytest.raises(GraphTooLargeError) as info:
        draw_dot(y, max_nodes=3)
    assert "collapse" not in str(info.value)


def test_collapse_gets_a_large_network_under_the_limit():
    root = annotated_layer(20, 10)  # per neuron 10 w + b + z + a = 13 values and 2 ops
    with pytest.raises(GraphTooLargeError):
        draw_dot(root, max_nodes=100)
    src = draw_dot(root, max_nodes=100, collapse=True).source
    assert len(re.findall(r"<td>neuron \d+</td>", src)) == 20


# -- nn-aware drawing ---------------------------------------------------------------------------


def test_each_neuron_is_a_cluster_inside_its_layer_cluster():
    src = draw_dot(annotated_layer(2, 3)).source
    assert src.count('label="layer 2"') == 1
    assert src.count("subgraph cluster_0 {") == 1
    assert "subgraph cluster_0_0 {" in src and 'label="neuron 1"' in src
    assert "subgraph cluster_0_1 {" in src and 'label="neuron 2"' in src


def test_a_z_under_a_root_that_is_no_cost_is_labelled_with_the_root_not_delta():
    root = annotated_layer(2, 3)
    src = draw_dot(root).source
    z_lines = [ln for ln in src.splitlines() if "{ z" in ln]
    assert len(z_lines) == 2 and "δ" not in src
    assert all("grad " in ln for ln in z_lines)  # the root has no name: a plain "grad"


def _neuron(activation: str = "tanh") -> tuple[Value, Value, Value]:
    """x, w annotated as nn does; returns (z, a, C) with C = ½(a − 0.25)² marked a cost."""
    x = annotate(Value(0.5), kind="input", role="input", name="x")
    w = annotate(Value(-1.5), kind="parameter", role="weight", name="w")
    z = annotate(w * x, role="z", name="z", grad_names={"cost": "δ"})
    a = annotate(getattr(z, activation)(), role="a", name="a")
    y = annotate(Value(0.25), kind="constant", role="target", name="y")
    C = annotate((a - y) * (a - y) * annotate(Value(0.5), kind="constant", name="½"),
                 role="cost", name="C")
    return z, a, C


def test_after_backward_from_an_output_z_reads_da_dz_with_one_minus_tanh_squared():
    z, a, _ = _neuron()
    a.backward()
    src = draw_dot(a).source
    expected = 1.0 - math.tanh(z.data) ** 2  # d tanh/dz, closed form
    assert f"∂a/∂z = {expected:.4f}" in src
    assert "δ" not in src


def test_after_backward_from_a_cost_z_reads_delta_equal_to_bp1():
    z, a, C = _neuron()
    C.backward()
    src = draw_dot(C).source
    delta = (a.data - 0.25) * (1.0 - math.tanh(z.data) ** 2)  # BP1: (a − y) σ′(z)
    assert f"δ\u00a0= {delta:.4f}" in src  # a no-break space: Graphviz keeps it (see _escape)
    assert f"∂C/∂w = {delta * 0.5:.4f}" in src  # BP4: a_in δ with a_in = x = 0.5


def test_targets_and_constants_are_drawn_grey_without_a_gradient():
    _, _, C = _neuron()
    C.backward()
    src = draw_dot(C).source
    [y_line] = [ln for ln in src.splitlines() if "{ y |" in ln]
    [half_line] = [ln for ln in src.splitlines() if "{ ½ |" in ln]
    for line in (y_line, half_line):
        assert "grad" not in line and "∂" not in line and 'fillcolor="#eeeeee"' in line


def test_describe_nodes_gives_every_view_the_same_texts():
    z, a, C = _neuron()
    texts = describe_nodes(C)
    assert texts[z] == NodeText(name="z", grad_name="δ", cluster=(), kind="", role="z",
                                special_grad=True)
    assert texts[a].grad_name == "∂C/∂a"
    assert describe_nodes(a)[z].grad_name == "∂a/∂z"


def test_describe_nodes_names_nodes_in_the_notation_asked_for():
    v = annotate(Value(1.0), kind="parameter", role="weight",
                 name={"nielsen": "w²₁₁", "zero-based": "w[0][0][0]"})
    root = annotate(v * 2.0, name="out")
    assert describe_nodes(root)[v].name == "w²₁₁"  # the first is the default
    assert describe_nodes(root, notation="zero-based")[v].grad_name == "∂out/∂w[0][0][0]"
    with pytest.raises(ValueError, match="notation 'nielson' is not one this graph is named in"):
        describe_nodes(root, notation="nielson")


def test_collapse_draws_one_box_per_neuron_with_one_edge_per_input():
    src = draw_dot(annotated_layer(2, 3), collapse=True).source
    assert src.count("<td>neuron 1</td>") == 1
    # inputs x1, x2, x3 (plus the invisible edge that keeps neuron 1 above neuron 2)
    assert len(re.findall(r"^\s*v\d+ -> n0_0$", src, re.M)) == 3
    assert "n0_0 -> v" in src  # into the + that sums the outputs


def test_collapsed_neurons_are_written_in_numeric_order_and_chained_so():
    src = draw_dot(annotated_layer(12, 1), collapse=True).source
    order = [int(m) for m in re.findall(r"<td>neuron (\d+)</td>", src)]
    assert order == list(range(1, 13))  # 10 after 9, not after 1
    # left to right, a rank runs bottom to top: the invisible chain goes 12 -> 11 -> ... -> 1
    assert "n0_11 -> n0_10 [style=invis]" in src and "n0_1 -> n0_0 [style=invis]" in src


def test_collapsed_box_labels_keep_name_and_number_apart():
    root = annotated_layer(2, 3)
    src = draw_dot(root, collapse=True).source
    assert re.search(r"<td>z1 = -?\d\.\d{4}</td>", src)
    assert re.search(r"<td>grad -?\d\.\d{4}</td>", src)  # no "δ-0.198" run-together


def test_collapse_on_a_real_mlp_connects_layer_to_layer():
    nn = pytest.importorskip("nn", reason="the nn package is not importable")
    mlp = nn.MLP(2, [3, 1], seed=0)
    t = mlp.trace([1.0, -2.0])
    nn.losses.quadratic([t.outputs], [[0.5]]).backward()
    src = draw_dot(t.outputs[0], collapse=True).source
    for j in range(3):
        assert f"n0_{j} -> n1_0" in src


# -- any builder's annotations ---------------------------------------------------------------
# The engine package knows no neural nets: a graph built by someone else, with roles and
# clusters of its own, is drawn, collapsed and named by the same generic rules.


def circuit() -> tuple[Value, Value, Value]:
    v, s2, P = explore_graphs.circuit()
    P.backward()
    return v, s2, P


def test_a_builders_own_clusters_are_drawn_nested_in_natural_order():
    src = draw_dot(circuit()[2]).source
    assert src.count("label=amplifier") == 1
    assert src.index('label="stage 1"') < src.index('label="stage 2"')
    assert "subgraph cluster_0_0 {" in src and "subgraph cluster_0_1 {" in src


def test_an_unannotated_op_joins_the_cluster_of_the_node_it_feeds():
    # g1·v is built inside stage 1 but carries no annotation of its own
    src = draw_dot(circuit()[2], collapse=True).source
    assert src.count("shape=ellipse") == 1  # P's *: the stages' * and + are in their boxes


def test_an_unannotated_op_feeding_two_clusters_stays_outside_both():
    x = Value(1.0, label="x")
    u = x * 2  # feeds A and B
    a = annotate(u + 1, name="a", cluster=("A",))
    b = annotate(u * 3, name="b", cluster=("B",))
    c = annotate((a * b).tanh(), name="c", cluster=("C",))  # its * feeds only c: inside C
    texts = describe_nodes(c)
    assert texts[u].cluster == () and texts[c.parents[0]].cluster == ("C",)


def test_collapse_draws_each_innermost_cluster_as_one_box_with_its_parameter_count():
    _v, s2, P = circuit()
    src = draw_dot(P, collapse=True).source
    s1 = 2.0 * 0.5 + 0.1
    assert f"<td>stage 1</td><td>2 parameters</td><td>s1 = {s1:.4f}</td>" in src
    assert f"<td>s2 = {s2.data:.4f}</td><td>∂P/∂s2 = {2 * s2.data:.4f}</td>" in src
    assert re.search(r"^\s*n0_0 -> n0_1$", src, re.M)  # stage 1 feeds stage 2


def test_a_gradient_is_named_by_the_annotation_keyed_by_the_roots_role():
    _v, s2, P = circuit()
    src = draw_dot(P).source
    dP_dv = 2 * s2.data * -3.0 * 2.0  # 2·s2 · g2 · g1
    assert f"{{ v | data 0.5000 | sensitivity = {dP_dv:.4f} }}" in src
    s2.grad = 0.0
    s2.backward()  # a root of another role: the gradient is written out
    assert "sensitivity" not in draw_dot(s2).source and "∂s2/∂v" in draw_dot(s2).source


def test_role_alone_changes_nothing_and_kind_constant_greys_a_node_out():
    words = annotate(Value(2.0), role="constant", name="k")  # a role is only a word
    fixed = annotate(Value(3.0), kind="constant", role="prior", name="p")
    src = draw_dot(words * fixed).source
    assert "{ k | data 2.0000 | grad 0.0000 }" in src
    [line] = [ln for ln in src.splitlines() if "{ p |" in ln]
    assert "grad" not in line and 'fillcolor="#eeeeee"' in line


def test_collapse_must_be_a_bool():
    with pytest.raises(ValueError, match=r"collapse must be True .* got 'neurons'"):
        draw_dot(Value(1.0), collapse="neurons")


# -- backward frames ------------------------------------------------------------------------------


def test_backward_frames_has_one_frame_per_op_node_plus_the_seed():
    y, _ = tanh_neuron()  # ops: *, +, tanh
    assert len(backward_frames(y)) == 4


def test_first_frame_shows_only_the_root_grad():
    y, _ = tanh_neuron()
    src = backward_frames(y)[0].source
    assert src.count("grad ?") == 5 and "grad 1.0000" in src


def test_last_frame_equals_a_drawing_after_backward_from_zero():
    y, _ = tanh_neuron()
    frames = backward_frames(y)
    y.backward()
    # same boxes; only the caption and the emphasis of the current step differ
    boxes = sorted(ln for ln in draw_dot(y).source.splitlines() if "| data" in ln)
    last = sorted(ln for ln in frames[-1].source.splitlines() if "| data" in ln)
    assert [ln.split(" color=")[0] for ln in last] == [ln.split(" color=")[0] for ln in boxes]


def test_backward_frames_leave_the_real_grads_untouched():
    y, leaves = tanh_neuron()
    for i, v in enumerate(leaves.values()):
        v.grad = 100.0 + i  # sentinels
    backward_frames(y)
    assert [v.grad for v in leaves.values()] == [100.0, 101.0, 102.0]
    assert y.grad == 0.0


def test_backward_frames_refuse_a_highlight():
    y, _ = tanh_neuron()
    with pytest.raises(TypeError, match="highlight"):
        backward_frames(y, highlight="x")


# -- Graphviz missing, saving ---------------------------------------------------------


def test_without_dot_drawing_works_and_rendering_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot
    y, _ = tanh_neuron()
    g = draw_dot(y)
    assert isinstance(g, Drawing)
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz") as info:
        g.pipe(format="svg")
    assert "\n" not in str(info.value)
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        save(g, tmp_path / "g.svg")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_save_gv_writes_the_source_without_graphviz(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    y, _ = tanh_neuron()
    out = save(draw_dot(y), tmp_path / "g.gv")
    assert out.read_text(encoding="utf-8") == draw_dot(y).source


def test_save_refuses_an_unknown_suffix(tmp_path):
    y, _ = tanh_neuron()
    with pytest.raises(ValueError, match="unknown picture format 'txt'"):
        save(draw_dot(y), tmp_path / "g.txt")


def test_a_failed_write_leaves_neither_a_file_nor_a_temp_file(monkeypatch, tmp_path):
    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    y, _ = tanh_neuron()
    with pytest.raises(OSError, match="No space"):
        save(draw_dot(y), tmp_path / "g.gv")
    assert not list(tmp_path.iterdir())


def test_save_replaces_an_existing_file_and_keeps_a_normal_mode(tmp_path):
    target = tmp_path / "g.gv"
    target.write_text("old")
    y, _ = tanh_neuron()
    save(draw_dot(y), target)
    assert target.read_text(encoding="utf-8").startswith("digraph")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_tanh_neuron_value_is_one_over_root_two():  # the example's own numbers, by hand
    y, _ = tanh_neuron()
    assert math.isclose(y.data, 1 / math.sqrt(2), rel_tol=1e-9)


def test_an_nn_neuron_drawn_from_its_output_reads_da_dz_one_minus_tanh_squared():
    nn = pytest.importorskip("nn", reason="the nn package is not importable")
    mlp = nn.MLP(2, [1], output_activation="tanh", seed=1)
    t = mlp.trace([2.0, -1.0])
    t.outputs[0].backward()
    z = t.zs[0][0]
    src = draw_dot(t.outputs[0]).source
    assert f"{{ z²₁ | data {z.data:.4f} | ∂a²₁/∂z²₁ = {1 - math.tanh(z.data) ** 2:.4f} }}" in src
    assert "δ" not in src


def test_an_nn_network_drawn_from_its_cost_reads_the_analytic_delta_on_every_z():
    nn = pytest.importorskip("nn", reason="the nn package is not importable")
    from nn import analytic

    mlp = nn.MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=5)
    x, y = [0.4, -0.7], [1.0, 0.0]
    t = mlp.trace(x)
    C = nn.quadratic([t.outputs], [y])
    C.backward()
    src = draw_dot(C, number_format=".6f").source
    weights, biases = mlp.to_matrices()
    _, _, deltas = analytic.backprop(weights, biases, x, y, "quadratic", "sigmoid", "sigmoid")
    for layer, d in enumerate(deltas):
        for j, value in enumerate(d):
            name = nn.notation.delta(layer, j)
            assert f"| {name}\u00a0= {value:.6f} }}" in src, name
    zero = draw_dot(C, notation="zero-based").source
    assert "δ[1][0] = " in zero and "δ³₁" not in zero
