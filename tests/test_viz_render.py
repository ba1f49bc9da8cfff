"""Rendering with Graphviz for real: the SVG that dot writes holds the nodes and edges drawn.

These tests need Graphviz's ``dot``.  Without it they skip, saying how to install it, except
in CI (``CI=true``), where a missing ``dot`` is a failure: CI must render for real.
"""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from micrograd_like import Value, backward_frames, draw_dot
from micrograd_like.pictures import svg_element, svg_size
from micrograd_like.viz import save, save_frames

SVG = "{http://www.w3.org/2000/svg}"


def svg_counts(svg: str | bytes) -> tuple[int, int]:
    """(nodes, edges) in an SVG written by dot: <g class="node"> and <g class="edge">."""
    root = ET.fromstring(svg)
    groups = [g.get("class") for g in root.iter(f"{SVG}g")]
    return groups.count("node"), groups.count("edge")


def tanh_neuron() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    y = (x * w + b).tanh()
    y.backward()
    return y


def test_svg_has_one_node_per_value_and_op_and_one_edge_per_input(graphviz_dot):
    # values x w b, x*w, +, tanh (6) and ops *, +, tanh (3);
    # edges: * has 2 inputs + 1 output, + 2 + 1, tanh 1 + 1 = 8
    svg = draw_dot(tanh_neuron()).pipe(format="svg")
    assert svg_counts(svg) == (9, 8)


def test_a_node_used_twice_gets_two_edges(graphviz_dot):
    a = Value(3.0, label="a")
    # boxes a and a*a, the oval *, two edges a -> * and one * -> a*a
    assert svg_counts(draw_dot(a * a).pipe(format="svg")) == (3, 3)


def test_legend_is_one_extra_node(graphviz_dot):
    svg = draw_dot(tanh_neuron(), color_by_grad=True).pipe(format="svg")
    assert svg_counts(svg) == (10, 8)


def test_svg_shows_the_numbers(graphviz_dot):
    svg = draw_dot(tanh_neuron()).pipe(format="svg", encoding="utf-8")
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "grad -1.5000" in texts  # ∂y/∂x = w (1 - y²) = -3 · 0.5


def test_labels_with_record_characters_render(graphviz_dot):
    v = Value(1.0, label='a{b}|c<d>"e\\')
    svg = draw_dot(v * 2).pipe(format="svg", encoding="utf-8")
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert 'a{b}|c<d>"e\\' in texts


def test_tagged_network_renders_clusters(graphviz_dot):
    nn = pytest.importorskip("nn", reason="the nn package is not importable")
    mlp = nn.MLP(2, [2, 1], seed=0)
    t = mlp.trace([1.0, -2.0])
    t.outputs[0].backward()
    svg = draw_dot(t.outputs[0]).pipe(format="svg")
    clusters = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(clusters) == 2 + 3  # two layers, three neurons


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_save_writes_binary_formats(graphviz_dot, tmp_path, suffix, magic):
    out = save(draw_dot(tanh_neuron()), tmp_path / f"g{suffix}")
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [f"g{suffix}"]


def test_save_frames_writes_an_animated_gif_with_one_frame_per_step(graphviz_dot, tmp_path):
    from PIL import Image

    frames = backward_frames(tanh_neuron())
    [out] = save_frames(frames, tmp_path / "backward.gif", duration_ms=300)
    with Image.open(out) as im:
        assert im.n_frames == len(frames) == 4


def test_save_frames_writes_numbered_svgs(graphviz_dot, tmp_path):
    frames = backward_frames(tanh_neuron())
    paths = save_frames(frames, tmp_path / "frames")
    assert [p.name for p in paths] == [f"frame_{i:03d}.svg" for i in range(4)]
    assert all(svg_counts(p.read_bytes()) == (9, 8) for p in paths)


def test_docs_picture_is_what_the_documented_command_draws():
    """docs/graph.svg (committed) holds the boxes, ovals and edges of tanh(x*w + b)."""
    svg = (Path(__file__).parents[1] / "docs" / "graph.svg").read_bytes()
    assert svg_counts(svg) == (9, 8)
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    for text in ["grad -1.5000", "grad 1.0000", "grad 0.5000", "data 0.7071", "tanh"]:
        assert text in texts


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_a_collapsed_layer_is_laid_out_in_numeric_order(graphviz_dot, rankdir):
    """dot's crossing reduction used to put neurons 9-16 before 1-8; read the positions."""
    import subprocess

    nn = pytest.importorskip("nn", reason="the nn package is not importable")
    mlp = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    t = mlp.trace([1.0, -0.5])
    nn.hinge([t.outputs], [1]).backward()
    source = draw_dot(t.outputs[0], collapse=True, rankdir=rankdir).source
    plain = subprocess.run(["dot", "-Tplain"], input=source, capture_output=True, text=True,
                           check=True).stdout
    pos = {}
    for line in plain.splitlines():
        part = line.split()
        if part[0] == "node" and part[1].startswith("n"):
            pos[part[1]] = (float(part[2]), float(part[3]))
    for layer in (0, 1):
        boxes = [pos[f"n{layer}_{j}"] for j in range(16)]
        if rankdir == "LR":  # top to bottom: y falls
            assert [y for _, y in boxes] == sorted((y for _, y in boxes), reverse=True)
        else:  # left to right: x grows
            assert [x for x, _ in boxes] == sorted(x for x, _ in boxes)


def test_backward_frames_step_through_inline_with_a_slider_and_no_network(graphviz_dot):
    frames = backward_frames(tanh_neuron())  # seed, tanh, +, *
    page = frames._repr_html_()
    assert isinstance(frames, list) and len(frames) == 4
    # Without scripts (a sanitizer drops <script> with its content): the first frame as a
    # picture, one line saying how to make it step, and no control that would do nothing.
    static = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert static.count("<img") == 1 and "<svg" not in static
    assert "<button" not in static and "<input" not in static
    assert "Run this cell to step through the frames" in static
    first = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', static)
    assert first and base64.b64decode(first[1]).decode() == svg_element(frames[0])
    # The script steps through every frame's SVG: the seed, then one per op.
    data = re.search(r'class="mgl-frames-data">(.*?)</script>', page, re.S)
    pictures = json.loads(data[1])
    assert [base64.b64decode(uri.split(",")[1]).decode() for uri, _, _ in pictures] == [
        svg_element(f) for f in frames]
    assert "http" not in page.replace("http://www.w3.org", "")  # nothing fetched from a CDN


def test_frames_without_graphviz_say_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    page = backward_frames(tanh_neuron())._repr_html_()
    assert "install Graphviz" in page and "<svg" not in page and "<img" not in page


def test_a_drawing_shows_as_svg_and_as_html_holding_the_same_svg_as_a_picture(graphviz_dot):
    # JupyterLab shows no stored SVG in a notebook it does not trust, but shows its HTML,
    # sanitized: no script, no inline <svg>, but an <img> of a data: URI is kept.
    drawing = draw_dot(tanh_neuron())
    data = drawing._repr_mimebundle_()
    svg = data["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml")
    img = re.fullmatch(r'<img src="data:image/svg\+xml;base64,([^"]+)" width="(\d+)" '
                       r'height="(\d+)" alt="[^"<>]+">', data["text/html"])
    assert img and base64.b64decode(img[1]).decode() == svg
    assert (int(img[2]), int(img[3])) == svg_size(svg)  # at its own size
    assert list(drawing._repr_mimebundle_(include=["image/svg+xml"])) == ["image/svg+xml"]
    assert drawing._repr_mimebundle_(exclude=["image/svg+xml", "text/html"]) == {}


def test_a_delta_label_keeps_its_space_before_the_equals_sign_when_drawn(graphviz_dot):
    # Graphviz drops a plain space that comes before a record field's first ASCII
    # character: "δ²₁ = -0.0086" was drawn "δ²₁= -0.0086".
    from micrograd_like.annotation import annotate

    x = annotate(Value(0.5), kind="input", role="input", name="x")
    z = annotate(x * -1.5, role="z", name="z²₁", grad_names={"cost": "δ²₁"})
    C = annotate(z * z, role="cost", name="C")
    C.backward()  # δ = 2z = -1.5
    svg = draw_dot(C).pipe(format="svg")
    texts = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert any(t.replace("\xa0", " ") == "δ²₁ = -1.5000" for t in texts), texts
