"""The DOT source of small graphs is byte-for-byte stable (golden files in tests/golden/).

The golden files were written once by this module (``python tests/test_viz_golden.py``
rewrites them) and then checked by hand, as the test `test_golden_file_was_checked` does
again by parsing: the number of value boxes, op ovals and edges follows from the expression
(each op node has one edge per input plus one to its output), and every label, data and grad
was compared with values computed by hand in the comments of ``CASES``.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

from micrograd_like import Value, dot, draw_dot
from micrograd_like.annotation import annotate

GOLDEN = Path(__file__).parent / "golden"


def tanh_neuron() -> Value:
    # y = tanh(x·w + b) with x=2, w=-3, b=6.8813735870195432: x·w + b = 0.8814 = atanh(1/√2),
    # so y = 1/√2 and 1 - y² = 0.5.
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    y = (x * w + b).tanh()
    y.backward()  # 1 - y² = 0.5: x.grad = w·0.5 = -1.5, w.grad = x·0.5 = 1, b.grad = 0.5
    return y


def square() -> Value:
    a = Value(3.0, label="a")
    y = a * a  # one op, a listed twice: dy/da = 2a = 6
    y.backward()
    return y


def _annotated_neuron() -> tuple[Value, Value]:
    """One sigmoid neuron annotated as nn annotates layer 2, neuron 1 (Nielsen's numbering)."""
    cluster = ("layer 2", "neuron 1")
    x0 = annotate(Value(1.0), kind="input", role="input", name="x₁")
    x1 = annotate(Value(-2.0), kind="input", role="input", name="x₂")
    w0 = annotate(Value(0.5), kind="parameter", role="weight", name="w²₁₁", cluster=cluster)
    w1 = annotate(Value(-0.25), kind="parameter", role="weight", name="w²₁₂", cluster=cluster)
    b = annotate(Value(0.1), kind="parameter", role="bias", name="b²₁", cluster=cluster)
    z = dot([w0, w1], [x0, x1], plus=b)  # z = 0.5·1 + (-0.25)(-2) + 0.1 = 1.1
    annotate(z, role="z", name="z²₁", cluster=cluster, grad_names={"cost": "δ²₁"})
    a = annotate(z.sigmoid(), role="a", name="a²₁", cluster=cluster)  # a = σ(1.1) = 0.7503
    return z, a


def annotated_neuron() -> Value:
    """The neuron after backward from its output a: z's grad is ∂a/∂z = σ'(1.1), not δ."""
    _, a = _annotated_neuron()
    a.backward()
    return a


def annotated_neuron_cost() -> Value:
    """The neuron under the cost C = ½(a − y)², y = 0 (a target): z's grad is δ = a·σ'(1.1)."""
    _, a = _annotated_neuron()
    d = annotate(a - annotate(Value(0.0), kind="constant", role="target", name="y"), name="a − y")
    C = annotate(annotate(d * d, name="(a − y)²") * annotate(Value(0.5), kind="constant",
                                                              name="½"), role="cost", name="C")
    C.backward()
    return C


CASES = {
    # name: (graph, options, value boxes, op ovals, edges)
    "tanh_neuron": (tanh_neuron, {}, 6, 3, 8),  # x w b, x*w, +, tanh; edges 2+1, 2+1, 1+1
    "square": (square, {}, 2, 1, 3),  # a, a*a; a->* twice, *->y
    "annotated_neuron": (annotated_neuron, {}, 7, 2, 8),  # x₁ x₂ w w b z a; dot 5+1, σ 1+1
    "annotated_neuron_collapsed": (annotated_neuron, {"collapse": True}, 3, 0, 2),
    # + y, a − y, ½, (a − y)², C; ops −, *, *; edges 2+1, 2+1, 2+1
    "annotated_neuron_cost": (annotated_neuron_cost, {}, 12, 5, 17),
}


def _source(name: str) -> str:
    make, options, *_ = CASES[name]
    return draw_dot(make(), **options).source


@pytest.mark.parametrize("name", sorted(CASES))
def test_dot_source_matches_golden_file_byte_for_byte(name):
    expected = (GOLDEN / f"{name}.gv").read_text(encoding="utf-8")
    assert _source(name) == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_file_was_checked(name):
    """Boxes (record nodes), ovals (ellipse nodes) and edges are as counted by hand."""
    text = (GOLDEN / f"{name}.gv").read_text(encoding="utf-8")
    _, _, boxes, ovals, edges = CASES[name]
    node_lines = [ln for ln in text.splitlines() if re.match(r"\s*[vn][\d_]+(op)? \[", ln)]
    assert sum("shape=ellipse" not in ln for ln in node_lines) == boxes
    assert sum("shape=ellipse" in ln for ln in node_lines) == ovals
    assert sum("->" in ln for ln in text.splitlines()) == edges


def test_golden_tanh_neuron_shows_hand_computed_numbers():
    text = (GOLDEN / "tanh_neuron.gv").read_text(encoding="utf-8")
    y = math.tanh(2.0 * -3.0 + 6.8813735870195432)
    assert f"data {y:.4f} | grad 1.0000" in text
    assert "{ x | data 2.0000 | grad -1.5000 }" in text  # w·(1 - y²) = -3 · 0.5
    assert "{ w | data -3.0000 | grad 1.0000 }" in text  # x·(1 - y²) = 2 · 0.5
    assert "{ b | data 6.8814 | grad 0.5000 }" in text  # 1 - y²


def test_golden_neuron_under_its_output_labels_z_with_da_dz_not_delta():
    text = (GOLDEN / "annotated_neuron.gv").read_text(encoding="utf-8")
    a = 1.0 / (1.0 + math.exp(-1.1))
    assert f"{{ z²₁ | data 1.1000 | ∂a²₁/∂z²₁ = {a * (1 - a):.4f} }}" in text  # σ'(z) = a(1 − a)
    assert "δ" not in text and 'label="neuron 1"' in text


def test_golden_neuron_under_a_cost_labels_z_with_its_delta():
    text = (GOLDEN / "annotated_neuron_cost.gv").read_text(encoding="utf-8")
    a = 1.0 / (1.0 + math.exp(-1.1))
    # BP1: δ = (a − y)σ'(z)
    assert f"{{ z²₁ | data 1.1000 | δ²₁\u00a0= {a * a * (1 - a):.4f} }}" in text
    assert f"{{ a − y | data {a:.4f} | ∂C/∂(a − y) = {a:.4f} }}" in text


def test_same_expression_built_twice_gives_identical_source():
    assert draw_dot(tanh_neuron()).source == draw_dot(tanh_neuron()).source


def _write_all() -> None:  # pragma: no cover - run by hand to regenerate
    GOLDEN.mkdir(exist_ok=True)
    for name in CASES:
        (GOLDEN / f"{name}.gv").write_text(_source(name), encoding="utf-8")
        print(f"wrote {GOLDEN / name}.gv")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_write_all())
