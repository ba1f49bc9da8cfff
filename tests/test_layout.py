"""``viz.layout``: draw_dot's drawing, and where each node's data and gradient are in it.

A view that fills numbers into the picture itself (the explore page) relies on the fields
named here; the tests render the SVG and read those fields back, so they hold for the
picture Graphviz really draws, not for the DOT source only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from explore_graphs import circuit_power, constant_offset, neuron, small_mlp_cost

import nn
from micrograd_like import Value, draw_dot, topological_order
from micrograd_like.viz import layout, render

SVG = "{http://www.w3.org/2000/svg}"
OPTIONS = [{}, {"show_local_grads": True, "rankdir": "TB"}, {"collapse": True},
           {"number_format": ".3g", "clusters": False}]


def svg_fields(svg: bytes) -> dict[str, list[str]]:
    """The texts of each node's group in dot's SVG, by the group's title (the DOT id)."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node":
            out[g.find(f"{SVG}title").text] = ["".join(t.itertext())
                                               for t in g.iter(f"{SVG}text")]
    return out


def backpropagated(make):
    root = make()
    root.backward()
    return root


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("make", [neuron, small_mlp_cost])
def test_layouts_drawing_is_draw_dots(make, options):
    root = backpropagated(make)
    assert layout(root, **options).drawing.source == draw_dot(root, **options).source


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("make", [neuron, small_mlp_cost, constant_offset, circuit_power])
def test_each_nodes_fields_hold_its_data_and_its_gradient(graphviz_dot, make, options):
    root = backpropagated(make)
    picture = layout(root, **options)
    fields = svg_fields(render(picture.drawing, "svg"))
    fmt = options.get("number_format", ".4f")
    assert picture.order == topological_order(root)
    for v, box in zip(picture.order, picture.boxes):
        if box.data_field is None:  # a leaf or an unnamed op inside a collapsed cluster
            assert options.get("collapse") and (v.is_leaf or not picture.texts[v].name)
            continue
        texts = fields[box.node_id]
        assert texts[box.data_field].endswith(format(v.data, fmt)), (texts, box)
        if box.grad_field is not None:
            assert texts[box.grad_field].endswith(format(v.grad, fmt)), (texts, box)
        assert (box.op_id is None) == (v.is_leaf or box.node_id.startswith("n"))


@pytest.mark.parametrize("make", [small_mlp_cost, constant_offset])
def test_a_constant_has_no_gradient_field_and_every_other_node_has_one(make):
    root = backpropagated(make)
    picture = layout(root)
    for v, box in zip(picture.order, picture.boxes):
        assert (box.grad_field is None) == picture.texts[v].is_constant


def test_gradients_come_from_grad_of_when_given():
    x = Value(2.0, label="x")
    y = x * 3
    picture = layout(y, grad_of=lambda v: 7.0 if v is x else None)
    assert "{ x | data 2.0000 | grad 7.0000 }" in picture.drawing.source
    assert x.grad == 0.0  # nothing read from or written to the graph's own grads


def test_bad_options_are_refused_as_draw_dot_refuses_them():
    with pytest.raises(TypeError, match="unexpected drawing option"):
        layout(Value(1.0), highlight="x")
    with pytest.raises(ValueError, match="rankdir"):
        layout(Value(1.0), rankdir="XY")


def test_collapsed_neurons_name_their_z_and_a_fields(graphviz_dot):
    mlp = nn.MLP(2, [3, 1], activation="sigmoid", seed=0)
    t = mlp.trace([0.5, -1.0])
    C = nn.quadratic([t.outputs], [[1.0]])
    C.backward()
    picture = layout(C, collapse=True)
    fields = svg_fields(render(picture.drawing, "svg"))
    z, a = t.zs[0][1], t.activations[0][1]  # z²₂ and a²₂
    box_z, box_a = (picture.boxes[picture.order.index(v)] for v in (z, a))
    assert box_z.node_id == box_a.node_id == "n0_1"  # one box: layer 2, neuron 2
    texts = fields["n0_1"]
    assert texts[box_z.grad_field].startswith("δ") and texts[box_z.data_field].startswith("z")
    assert texts[box_a.data_field].startswith("a")


