"""Drawing computation graphs: :func:`draw_dot`, :func:`backward_frames` and :func:`layout`.

A drawing shows every :class:`~micrograd_like.engine.Value` as a box with its label, ``data``
and ``grad``, and every op as a small oval between its inputs and its output, so the chain
rule can be read off the picture: after ``root.backward()`` each box holds ``∂root/∂v`` and
each input edge of an op carries the local partial ``∂out/∂p`` (``show_local_grads=True``),
so that ``p.grad = Σ ∂out/∂p · out.grad`` over the ops that ``p`` feeds.

Whoever builds the graph can say more through annotations (:mod:`micrograd_like.annotation`),
and every view reads them the same way (:func:`describe_nodes`): nodes are named in a
notation and drawn inside their clusters; a ``"constant"`` is grey, with no gradient; a
gradient gets the name its annotation gives it under the root's role (else ``∂root/∂v``);
``collapse=True`` draws each innermost cluster as one box.  :func:`layout` gives the drawing
with where each node's data and gradient are in it, for a view that fills the numbers in
itself (the interactive page, :mod:`micrograd_like.explore_page`).

The work is shared by three modules, re-exported here: :mod:`micrograd_like.naming` (what
nodes and gradients are called), :mod:`micrograd_like.drawing` (the DOT source) and
:mod:`micrograd_like.pictures` (rendering and saving files).  Nothing changes a Value.

>>> from micrograd_like import Value
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = x * w; y.backward()                 # dy/dx = w = -3
>>> g = draw_dot(y)          # a graphviz.Digraph: shows inline in Jupyter
>>> "{ x | data 2.0000 | grad -3.0000 }" in g.source
True
"""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from micrograd_like.drawing import (
    DEFAULT_MAX_NODES,
    MAX_PRECISION,
    Builder,
    Drawing,
    GraphTooLargeError,
    NodeBox,
    Options,
    check_number_format,
    draw,
)
from micrograd_like.engine import Value, backward_steps, topological_order
from micrograd_like.naming import NodeText, describe_nodes
from micrograd_like.pictures import (
    FORMATS,
    MAX_GIF_BYTES,
    GraphvizError,
    GraphvizNotFoundError,
    GraphvizTimeoutError,
    TooManyFramesError,
    picture_format,
    render,
    render_frames,
    save,
    save_frames,
    svg_data_uri,
    svg_element,
    svg_size,
)

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "MAX_FRAMES",
    "MAX_GIF_BYTES",
    "MAX_PRECISION",
    "Drawing",
    "Frames",
    "GraphTooLargeError",
    "GraphvizError",
    "GraphvizNotFoundError",
    "GraphvizTimeoutError",
    "Layout",
    "NodeBox",
    "NodeText",
    "TooManyFramesError",
    "backward_frames",
    "check_number_format",
    "describe_nodes",
    "draw_dot",
    "layout",
    "picture_format",
    "render",
    "render_frames",
    "save",
    "save_frames",
]

MAX_FRAMES = 100
"""The most frames :func:`backward_frames` draws by default (each is a full layout)."""


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    number_format: str = ".4f",
    show_grad: bool = True,
    color_by_grad: bool = False,
    highlight: Value | str | None = None,
    show_local_grads: bool = False,
    clusters: bool = True,
    collapse: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    notation: str | None = None,
) -> Drawing:
    """Draw the computation graph that ``root`` depends on; returns a ``graphviz.Digraph``.

    Each Value is a box ``{ label | data | grad }``; each op is an oval between its inputs and
    its output.  Read the chain rule off it: for an op ``out = f(p₁, …, pₙ)``,
    ``pᵢ.grad += ∂out/∂pᵢ · out.grad``, the local partial ``∂out/∂pᵢ`` written on the edge
    from ``pᵢ`` when ``show_local_grads=True``.

    Args:
        root: the output Value (usually after ``root.backward()``).
        rankdir: ``"LR"`` (inputs left, output right) or ``"TB"`` (top to bottom).
        number_format: a format spec for data, grads and local partials, e.g. ``".3g"``.
        show_grad: draw the grad field (hide it before ``backward()``).
        color_by_grad: fill boxes by ``|grad| / max |grad|`` in five bins, with a legend.
        highlight: a leaf Value (or the label of one) whose paths to ``root`` are drawn in
            red: the nodes through which it influences ``root``, i.e. the terms of
            ``∂root/∂leaf = Σ over paths Π local partials``.
        show_local_grads: write ``∂out/∂p`` on each edge into an op.
        clusters: draw annotated nodes inside the boxes of their ``cluster``, nested.
        collapse: draw each innermost cluster as one box: its name, how many parameters
            (kind ``"parameter"``) it holds, and each named op node in it with its value and
            gradient; one edge per distinct input.
        max_nodes: raise :class:`GraphTooLargeError` instead of drawing more nodes than this.
        notation: which of the annotations' notations to name nodes in (None: each name's
            default).  Node names and the names of their gradients come from
            :func:`describe_nodes`.

    Returns:
        A :class:`Drawing` (a ``graphviz.Digraph``); render it with ``.pipe(format="svg")``,
        ``.render(...)`` or :func:`save`.

    >>> from micrograd_like import Value
    >>> a = Value(3.0, label="a"); y = a * a; y.backward()     # dy/da = 2a = 6
    >>> "grad 6.0000" in draw_dot(y).source
    True
    """
    opts = Options(rankdir, number_format, show_grad, color_by_grad, show_local_grads,
                   clusters, collapse, max_nodes, notation)
    order = topological_order(root)
    path: set[Value] = set()
    if highlight is not None:
        path = _path_to_root(order, _find_highlight(order, highlight))
    return draw(Builder(order, opts, _real_grad, path))


class Frames(list):
    """The drawings of :func:`backward_frames`: a plain list that, as a notebook cell's last
    expression, shows one frame at a time with a slider and ◀ ▶ buttons to step through it.

    The HTML embeds every frame as an SVG picture and a few lines of its own script: no
    network, no widget library.  Without scripts (a notebook JupyterLab does not trust) it
    shows the first frame and one line saying that running the cell makes it step; the
    script makes the controls.  Without Graphviz it says how to install it instead.
    """

    def _repr_html_(self) -> str:
        try:
            svgs = [svg_element(f) for f in self]
        except GraphvizNotFoundError as e:
            return f"<p>{html.escape(str(e))}</p>"
        uid = f"mgl-frames-{next(_FRAME_IDS)}"
        last = len(svgs) - 1
        pictures = [[svg_data_uri(svg), *svg_size(svg)] for svg in svgs]
        uri, width, height = pictures[0]
        note = (f"Frame 0 of {last}, the seed. Run this cell to step through the frames here."
                if last else "Frame 0 of 0, the seed.")
        script = (
            "<script>(function(){"
            f'var root=document.getElementById("{uid}");'
            'var img=root.querySelector("img");'
            'var frames=JSON.parse(root.querySelector(".mgl-frames-data").textContent);'
            'var bar=document.createElement("div");'
            'bar.innerHTML=\'<button type="button" data-step="-1">◀</button> \'+'
            '\'<input type="range" min="0" max="\'+(frames.length-1)+\'" value="0" step="1" '
            'aria-label="backward step"> <button type="button" data-step="1">▶</button> '
            '<span></span>\';'
            'root.replaceChild(bar,root.querySelector(".mgl-nojs"));'
            'var slider=bar.querySelector("input");var text=bar.querySelector("span");'
            "function show(i){i=Math.max(0,Math.min(frames.length-1,i));slider.value=i;"
            "img.src=frames[i][0];img.width=frames[i][1];img.height=frames[i][2];"
            'img.alt=text.textContent="frame "+i+" of "+(frames.length-1);}'
            "slider.oninput=function(){show(+slider.value);};"
            'bar.querySelectorAll("button").forEach(function(b){'
            "b.onclick=function(){show(+slider.value+(+b.dataset.step));};});"
            "show(0);})();</script>"
        )
        return (f'<div class="mgl-frames" id="{uid}"><p class="mgl-nojs">{note}</p>'
                f'<img src="{uri}" width="{width}" height="{height}" alt="frame 0 of {last}" '
                'style="max-width:100%;height:auto">'
                f'<script type="application/json" class="mgl-frames-data">'
                f"{json.dumps(pictures)}</script>{script}</div>")


_FRAME_IDS = itertools.count()


def backward_frames(root: Value, *, max_frames: int = MAX_FRAMES, **options: Any
                    ) -> Frames:
    """One drawing per step of backward: frame 0 seeds ``∂root/∂root = 1``; frame i pushes
    the grad of the i-th op node (reverse topological order) to its parents,
    ``p.grad += ∂v/∂p · v.grad``.  Nodes not reached yet show ``grad ?``.

    The grads shown are those a backward pass from zero computes (the same float operations
    in the same order as :meth:`Value.backward`, so the last frame equals ``backward()``
    after ``zero_grad()``).  They are computed in a private table: the real ``.grad``
    attributes of the graph are neither read nor written.

    Args:
        root: the output Value.
        max_frames: raise :class:`TooManyFramesError`, before drawing anything, if there
            would be more frames than this (each frame is a full Graphviz layout).
        **options: any keyword of :func:`draw_dot` except ``highlight`` (each frame
            highlights the node being processed and its edges instead).

    Returns:
        ``1 + (number of op nodes)`` drawings, as a :class:`Frames` list (in a notebook it
        shows a slider to step through them); leaves have nothing to push, so get no frame.

    >>> from micrograd_like import Value
    >>> x = Value(2.0, label="x"); y = (x * 3).tanh()
    >>> len(backward_frames(y))    # seed, tanh, *
    3
    """
    if "highlight" in options:
        raise TypeError("backward_frames highlights each step itself; do not pass highlight=")
    opts = Options.from_keywords(options)
    if isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 1:
        raise ValueError(f"max_frames must be a positive int, got {max_frames!r}")
    order = topological_order(root)
    n_steps = sum(1 for v in order if not v.is_leaf)
    if n_steps + 1 > max_frames:
        raise TooManyFramesError(
            f"the backward step-through has {n_steps + 1} frames (one per op, plus the "
            f"seed), more than max_frames={max_frames}: step through a smaller graph"
        )
    grads: dict[Value, float] = {root: 1.0}
    seed = f"backward step 0/{n_steps}: seed ∂root/∂root = 1"
    frames = Frames([draw(Builder(order, opts, grads.get), seed)])
    for step, (v, g, updates) in enumerate(backward_steps(root), start=1):
        for p, _, total in updates:
            grads[p] = total
        caption = (
            f"backward step {step}/{n_steps}: through '{v.op}', each input's grad "
            f"+= ∂out/∂input × {format(g, opts.number_format)}"
        )
        frames.append(draw(Builder(order, opts, grads.get, current=v), caption))
    return frames


@dataclass(frozen=True)
class Layout:
    """A drawing with what it shows where (from :func:`layout`).

    Attributes:
        order: the graph in topological order (parents first, the root last).
        texts: each node's names and the name of its gradient (:func:`describe_nodes`).
        boxes: where each node of ``order`` shows in the drawing, in the same order.
        drawing: the :class:`Drawing` itself.
    """

    order: list[Value]
    texts: dict[Value, NodeText]
    boxes: list[NodeBox]
    drawing: Drawing


def layout(root: Value, *, grad_of: Callable[[Value], float | None] | None = None,
           **options: Any) -> Layout:
    """:func:`draw_dot`'s drawing of ``root``, and where each node's texts are in it: for a
    view that fills the picture's numbers in itself (the interactive page of
    :func:`~micrograd_like.explore_page.explore` shows each gradient only once it is computed).

    Args:
        root: the output Value.
        grad_of: the gradient drawn for each node (None: its ``.grad``, as draw_dot draws);
            a view can draw gradients it computed in a table of its own.
        **options: any keyword of :func:`draw_dot` except ``highlight``; with the same
            options and gradients the drawing's DOT source is draw_dot's.

    >>> from micrograd_like import Value
    >>> x = Value(2.0, label="x"); y = x * 3; y.backward()
    >>> picture = layout(y)
    >>> picture.drawing.source == draw_dot(y).source
    True
    >>> picture.boxes[picture.order.index(x)]        # { x | data 2.0000 | grad 3.0000 }
    NodeBox(node_id='v1', op_id=None, data_field=1, grad_field=2)
    """
    b = Builder(topological_order(root), Options.from_keywords(options),
                _real_grad if grad_of is None else grad_of)
    return Layout(b.order, b.texts, b.node_boxes(), draw(b))


def _real_grad(v: Value) -> float:
    return v.grad


def _find_highlight(order: list[Value], highlight: Value | str) -> Value:
    if isinstance(highlight, Value):
        if not any(v is highlight for v in order):
            raise ValueError(f"highlight: {highlight!r} is not in the graph of root")
        return highlight
    if isinstance(highlight, str):
        found = [v for v in order if v.label == highlight]
        if not found:
            labels = sorted({v.label for v in order if v.label})
            raise ValueError(
                f"highlight: no node labelled {highlight!r} (labels: {', '.join(labels) or 'none'})"
            )
        if len(found) > 1:
            raise ValueError(
                f"highlight: {len(found)} nodes are labelled {highlight!r}; pass the Value"
            )
        return found[0]
    raise TypeError(f"highlight must be a Value or a label str, got {type(highlight).__name__}")


def _path_to_root(order: list[Value], start: Value) -> set[Value]:
    """Nodes that depend on ``start`` (itself included): every one lies on a path to root."""
    on_path = {start}
    for v in order:  # parents come first, so one pass suffices
        if any(p in on_path for p in v.parents):
            on_path.add(v)
    return on_path


