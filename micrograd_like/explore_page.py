"""Watch backpropagation happen: an interactive page that steps through ``backward()``.

``explore(root)`` lays the graph out with Graphviz exactly as :func:`~micrograd_like.viz.draw_dot`
does and wraps the picture in a small page of its own (hand-written script and CSS, both
embedded: no network, no external file).  The page steps through the backward pass one node
at a time, in the order :meth:`Value.backward` visits them, showing every chain-rule update

    p.grad += ∂v/∂p · v.grad        e.g.  w.grad += 2.0000 × 0.5000 = 1.0000

with its numbers; a forward mode steps through the values the same way.  Gradients not yet
computed are blank.  A constant (what the drawing greys out, without a gradient:
:attr:`~micrograd_like.viz.NodeText.is_constant`) gets no line and shows no gradient here
either; the step through its op says it was left out.  Clicking or focusing a node shows
its op, data, grad, parents and local derivatives.  ``#step=7`` or ``#step=end`` in the
URL opens the page at that step.

Every number on the page is written here, in Python, with the drawing's number format: the
data and local derivatives stored on the graph, and the running sums of one backward pass.
The script only shows them; it does no arithmetic.  The running sums are those of
:func:`~micrograd_like.engine.backward_steps`, whose last sums are checked against the
gradients :meth:`Value.backward` itself computes.  The graph is left as it was found.

>>> from micrograd_like import Value
>>> w, x = Value(2.0, label="w"), Value(0.5, label="x")
>>> page = explore(w * x)
>>> [line.text for line in page.steps[1].lines]  # step 0 is the seed ∂y/∂y = 1
['w.grad += 0.5000 × 1.0000 = 0.5000', 'x.grad += 2.0000 × 1.0000 = 2.0000']
>>> w.grad                       # explore() does not change the graph
0.0
"""

from __future__ import annotations

import html
import json
import os
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from micrograd_like import formulas, viz
from micrograd_like.engine import Value, backward_steps, topological_order
from micrograd_like.files import write_atomic
from micrograd_like.naming import node_names, op_text
from micrograd_like.pictures import svg_data_uri, svg_element, svg_size

__all__ = ["Explorer", "Line", "Step", "explore"]

_SVG = "{http://www.w3.org/2000/svg}"
T = TypeVar("T")


@dataclass(frozen=True)
class Line:
    """One chain-rule update (backward) or one computed value (forward), as the page shows it.

    ``node`` receives the update; ``total`` is its running value after it (a float).
    """

    text: str
    node: int
    total: float


@dataclass(frozen=True)
class Step:
    """One step of the page: the node being processed (index in topological order) and the
    lines it produces, in order."""

    node: int
    title: str
    lines: tuple[Line, ...]


class Explorer:
    """The page for one graph; ``_repr_html_`` shows it inline, :meth:`save` writes a file.

    Attributes:
        steps: the backward steps: the seed, then one per op node in the order ``backward``
            visits them.  ``steps[k].lines`` are the chain-rule updates of step k.
        forward_steps: one per op node in topological order (its value computed).
        grads: ``∂root/∂v`` for each node in topological order, computed by ``backward()``
            (constants' included, though the page shows none of theirs).
    """

    def __init__(self, payload: dict[str, Any], svg: str, steps: list[Step],
                 forward_steps: list[Step], grads: list[float]) -> None:
        self._payload = payload
        self._svg = svg
        self.steps = steps
        self.forward_steps = forward_steps
        self.grads = grads

    def html_fragment(self, element_id: str, *, standalone: bool = False) -> str:
        """The page body (controls, picture, panels, style and script) for one element id."""
        payload = {**self._payload, "standalone": standalone}
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        # No "<" at all inside the script element, so no label can end it or open a comment.
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        svg = self._svg.replace(' id="', f' id="{element_id}-')
        if standalone:  # a page of its own: the SVG itself, which the script brings to life
            picture = f'<div class="mgl-static">{svg}</div>'
        else:
            width, height = svg_size(svg)
            # (style attributes, which a sanitizer keeps: not shrunk below the page's own
            # readable floor, 75 %, a wider picture scrolls)
            picture = (f'<div class="mgl-static" style="overflow-x: auto"><img '
                       f'src="{svg_data_uri(svg)}" width="{width}" height="{height}" '
                       f'style="min-width: {round(width * 0.75)}px" '
                       f'alt="{html.escape(payload["title"])}: the graph after backward"></div>')
        return _TEMPLATE.format(
            id=element_id,
            title=html.escape(payload["title"]),
            note=_NOTE_STANDALONE if standalone else _NOTE_INLINE,
            picture=picture,
            data=data,
            css=_asset("explore.css"),
            js=_asset("explore.js"),
        )

    def to_html(self) -> str:
        """A complete, self-contained HTML document (what :meth:`save` writes)."""
        title = html.escape(self._payload["title"])
        body = self.html_fragment("mgl", standalone=True)
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            # The page may load nothing from anywhere: everything it needs is inline.
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
            f"<title>{title}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (one HTML file, atomically) and return the path."""
        text = self.to_html().encode("utf-8")
        return write_atomic(path, lambda f: f.write(text))

    def _repr_html_(self) -> str:
        # A fresh id per display: a notebook may show several pages, from several sessions.
        return self.html_fragment("mgl-" + uuid.uuid4().hex[:10])


def explore(
    root: Value,
    *,
    rankdir: str = "LR",
    number_format: str = ".4f",
    show_local_grads: bool = False,
    clusters: bool = True,
    collapse: bool = False,
    max_nodes: int = viz.DEFAULT_MAX_NODES,
    notation: str | None = None,
    title: str | None = None,
    timeout: float | None = None,
) -> Explorer:
    """An interactive page stepping through ``root.backward()`` (and the forward pass).

    The drawing options mean what they mean for :func:`~micrograd_like.viz.draw_dot`, and
    nodes and gradients are named as the drawings name them
    (:func:`~micrograd_like.viz.describe_nodes`, in ``notation``).  The size guard is
    draw_dot's too: more than ``max_nodes`` boxes and ovals raise
    :class:`~micrograd_like.viz.GraphTooLargeError`, which says how to go on
    (``collapse=True`` for a graph with clusters).  ``root`` need not have been backpropagated:
    the gradients are computed here, and the graph's own ``.grad`` are left as they were.

    ``timeout``: seconds Graphviz may take for the layout (None: no limit), as in
    :func:`~micrograd_like.viz.render`.

    Constants are treated as the drawing treats them: no chain-rule line
    updates them and no gradient of theirs is shown.

    Returns:
        An :class:`Explorer`: displays inline in Jupyter; ``.save("backprop.html")`` writes
        one self-contained file.  Needs Graphviz's ``dot`` for the layout.
    """
    if not isinstance(root, Value):
        raise TypeError(f"explore: root must be a Value, got {type(root).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"explore: title must be a str, got {type(title).__name__}")
    order = topological_order(root)
    index = {v: i for i, v in enumerate(order)}
    grads = _engine_grads(root, order)
    # draw_dot's drawing, showing the engine's final grads, and where each number is in it
    picture = viz.layout(root, grad_of=lambda v: grads[index[v]], rankdir=rankdir,
                         number_format=number_format, show_local_grads=show_local_grads,
                         clusters=clusters, collapse=collapse, max_nodes=max_nodes,
                         notation=notation)
    svg = svg_element(picture.drawing, timeout=timeout)

    def num(x: float) -> str:
        return format(x, number_format)

    texts = [picture.texts[v] for v in order]
    names = node_names(order, [t.name for t in texts])
    special = {i: t.grad_name for i, t in enumerate(texts) if t.special_grad and t.grad_name}
    # The drawing shows no gradient for a constant; neither does the page.
    constants = {i for i, t in enumerate(texts) if t.is_constant}
    steps = _backward_steps(root, order, index, names, num, special, constants)
    forward = _forward_steps(order, index, names, num)
    last = {}
    for step in steps:
        for line in step.lines:
            last[line.node] = line.total
    if any(last[i] != g for i, g in enumerate(grads) if i in last):  # pragma: no cover
        raise AssertionError("explore: the replayed backward pass disagrees with backward()")
    payload = {
        "title": title or f"Backpropagation through {names[-1]}",
        "nodes": _nodes(order, index, names, grads, num, texts),
        "boxes": _boxes(svg, picture, grads, num),
        "backward": [_step_json(s, num) for s in steps],
        "forward": [_step_json(s, num) for s in forward],
        "done": _done_steps(steps, len(order)),
        "root": len(order) - 1,
    }
    return Explorer(payload, svg, steps, forward, grads)


# --------------------------------------------------------------------------------------
# The numbers: from the engine
# --------------------------------------------------------------------------------------


def _engine_grads(root: Value, order: list[Value]) -> list[float]:
    """``∂root/∂v`` for every node, by ``root.backward()`` from zero; grads then restored."""
    saved = [v.grad for v in order]
    try:
        for v in order:
            v.grad = 0.0
        root.backward()
        return [v.grad for v in order]
    finally:
        for v, g in zip(order, saved):
            v.grad = g


def _backward_steps(root: Value, order: list[Value], index: dict[Value, int],
                    names: list[str], num: Any, special: dict[int, str],
                    constants: set[int]) -> list[Step]:
    """The seed, then one step per op node; ``special`` holds the gradients annotations
    name for this root, and the lines say so where that gradient is complete.  A node in
    ``constants`` (as the drawing decides) gets no line: backward
    still adds to its grad, but the page shows that number nowhere, as the drawing."""
    refs = [_ref(n) for n in names]
    r = len(order) - 1
    seed = () if r in constants else (Line(f"{refs[r]}.grad = 1 (∂{refs[r]}/∂{refs[r]})",
                                           r, 1.0),)
    steps = [Step(r, f"seed: ∂{refs[r]}/∂{refs[r]} = 1", seed)]
    pending = [0] * len(order)  # contributions still to come, per node
    for v in order:
        for p in v.parents:
            pending[index[p]] += 1
    for v, g, updates in backward_steps(root):
        i = index[v]
        lines = []
        for p, d, total in updates:
            j = index[p]
            pending[j] -= 1
            text = f"{refs[j]}.grad += {num(d)} × {num(g)} = {num(d * g)}"
            if total != d * g:
                text += f" → {refs[j]}.grad = {num(total)}"
            if j in special and not pending[j]:
                text += f" = {special[j]}"
            if j not in constants:
                lines.append(Line(text, j, total))
        expr = op_text(v, names, index)
        title = f"through {refs[i]}" + (f" = {expr}" if names[i] != expr else "")
        g_text = f"{special[i]} = {num(g)}" if i in special else num(g)
        title += f": each input's grad += ∂{refs[i]}/∂input × {g_text}"
        fixed = [names[j] for j in _unique(index[p] for p in v.parents) if j in constants]
        if fixed:
            title += f" ({', '.join(fixed)}: constant, no gradient shown)"
        steps.append(Step(i, title, tuple(lines)))
    return steps


def _forward_steps(order: list[Value], index: dict[Value, int], names: list[str],
                   num: Any) -> list[Step]:
    steps = []
    for v in order:
        if v.is_leaf:
            continue
        i = index[v]
        inputs = ", ".join(f"{names[index[p]]} = {num(p.data)}" for p in _unique(v.parents))
        text = f"{names[i]} = {op_text(v, names, index)} = {num(v.data)}   ({inputs})"
        steps.append(Step(i, f"compute {names[i]}", (Line(text, i, v.data),)))
    return steps


def _done_steps(steps: list[Step], n: int) -> list[int]:
    """For each node, the backward step after which its grad is final (-1: never touched)."""
    done = [-1] * n
    for k, step in enumerate(steps):
        for line in step.lines:
            done[line.node] = k
    return done


def _unique(items: Iterable[T]) -> list[T]:
    """``items`` in order, each once (a Value is equal only to itself)."""
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------------------
# Names and formulas (display texts)
# --------------------------------------------------------------------------------------


def _ref(name: str) -> str:
    """``name`` in brackets if it is an expression (``(a·b).grad``, ``∂y/∂(a + b)``)."""
    if name[:1].isdigit():  # a number: (3).grad, not 3.grad
        return f"({name})"
    if not any(c in name for c in " ·/*+−-") or _is_group(name):
        return name
    return f"({name})"


def _is_group(name: str) -> bool:
    """``(…)`` or ``f(…)`` with the brackets matching each other: already one unit."""
    start = name.find("(")
    if start < 0 or not name.endswith(")") or (start and not name[:start].isalnum()):
        return False
    depth = 0
    for i, ch in enumerate(name[start:], start):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i == len(name) - 1
    return False


# --------------------------------------------------------------------------------------
# Serialising for the script
# --------------------------------------------------------------------------------------


def _nodes(order: list[Value], index: dict[Value, int], names: list[str], grads: list[float],
           num: Any, texts: list[viz.NodeText]) -> list[dict[str, Any]]:
    consumers: list[list[int]] = [[] for _ in order]
    for v in order:
        for p in _unique(v.parents):
            consumers[index[p]].append(index[v])
    nodes = []
    for i, v in enumerate(order):
        slopes = formulas.partial_formulas(v, names=[names[index[p]] for p in v.parents])
        shown = not texts[i].is_constant  # a constant's gradient is shown nowhere
        nodes.append({
            "name": names[i],
            "op": v.op,
            "expr": op_text(v, names, index) if v.parents else "",
            "data": v.data,
            "dataText": num(v.data),
            "grad": grads[i] if shown else None,
            "gradText": num(grads[i]) if shown else None,
            "gradName": texts[i].grad_name,  # annotated, ∂y/∂x or "grad"; None: a constant
            "parents": [
                {"node": index[p], "formula": f, "local": d, "localText": num(d)}
                for p, d, f in zip(v.parents, v.local_grads, slopes)
            ],
            "consumers": consumers[i],
        })
    return nodes


def _step_json(step: Step, num: Any) -> dict[str, Any]:
    # each line: its text, the node it updates, and that node's running value after it
    return {"node": step.node, "title": step.title,
            "lines": [[line.text, line.node, num(line.total)] for line in step.lines]}


def _boxes(svg: str, picture: viz.Layout, grads: list[float], num: Any
           ) -> list[dict[str, Any]]:
    """Where each node shows in the SVG: its group's title and which text element holds its
    data and its grad (:class:`~micrograd_like.viz.NodeBox`: one text per field), with the
    words before the number (``"grad "``, ``"∂y/∂x = "``); each is checked to end with the
    number expected there."""
    texts: dict[str, list[str]] = {}
    for g in ET.fromstring(svg).iter(f"{_SVG}g"):
        if g.get("class") == "node":
            title = g.find(f"{_SVG}title")
            if title is not None and title.text:
                texts[title.text] = ["".join(t.itertext()) for t in g.iter(f"{_SVG}text")]
    boxes: list[dict[str, Any]] = []
    for i, (v, at) in enumerate(zip(picture.order, picture.boxes)):
        box: dict[str, Any] = {"svg": at.node_id, "op": at.op_id}
        boxes.append(box)
        if at.data_field is None:  # a leaf or unnamed op inside a collapsed cluster
            continue
        fields = texts.get(at.node_id, [])
        data, d = fields[at.data_field], num(v.data)
        if not data.endswith(d):  # pragma: no cover - the drawing's layout changed
            raise AssertionError(f"explore: no data {d} at field {at.data_field} of "
                                 f"{at.node_id}: {fields}")
        box.update(dataAt=at.data_field, dataPrefix=data[: len(data) - len(d)])
        if at.grad_field is not None:
            grad, gr = fields[at.grad_field], num(grads[i])
            if not grad.endswith(gr):  # pragma: no cover - the drawing's layout changed
                raise AssertionError(f"explore: no grad {gr} in {at.node_id}: {fields}")
            box.update(gradAt=at.grad_field, gradPrefix=grad[: len(grad) - len(gr)])
    return boxes


def _asset(name: str) -> str:
    return resources.files("micrograd_like").joinpath(name).read_text(encoding="utf-8")


# The HTML holds only what shows without scripts: the title, one line, and the picture of the
# graph after backward.  A notebook JupyterLab does not trust shows its stored HTML sanitized
# (no script, no style, no inline SVG), so inline the picture is an <img> of the SVG; the
# script takes the SVG from it and builds the controls and panels (explore.js), so no dead
# button or stray text shows where scripts do not run.
_TEMPLATE = """\
<div class="mgl-explore" id="{id}" tabindex="-1">
<style>{css}</style>
<h2 class="mgl-title">{title}</h2>
<p class="mgl-nojs">{note}</p>
{picture}
<script type="application/json" class="mgl-data">{data}</script>
<script>{js}
mglExplore(document.getElementById("{id}"));</script>
</div>"""

_NOTE_INLINE = ("The graph after backward. Run this cell to step through the pass here, one "
                "node at a time.")
_NOTE_STANDALONE = "The graph after backward. Stepping through the pass needs JavaScript."
