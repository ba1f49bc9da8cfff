"""Drawing computation graphs with Graphviz: :func:`draw_dot` and :func:`backward_frames`.

A drawing shows every :class:`~micrograd_like.engine.Value` as a box with its label, ``data``
and ``grad``, and every op as a small oval between its inputs and its output, so the chain
rule can be read off the picture: after ``root.backward()`` each box holds ``∂root/∂v`` and
each input edge of an op carries the local partial ``∂out/∂p`` (``show_local_grads=True``),
so that ``p.grad = Σ ∂out/∂p · out.grad`` over the ops that ``p`` feeds.

Nodes may carry an :class:`~micrograd_like.annotation.Annotation` (``nn`` puts one on every
input, weight, bias, weighted input z, activation a and cost).  :func:`describe_nodes` turns
annotations into the texts every view shows: each node's name (in a notation, e.g. Nielsen's
z²₁), its cluster (layer and neuron boxes) and the name of its gradient, which depends on the
root: under a cost a weighted input's gradient is its error δ²₁ = ∂C/∂z²₁, under a neuron's
output a²₁ it is ∂a²₁/∂z²₁ and is written so.  Targets and constants are drawn grey, with no
gradient.  ``collapse="neurons"`` draws a whole neuron as one box.  :func:`layout` gives the
drawing with where each node's data and gradient are in it, for a view that fills the
numbers in itself (the interactive page, :mod:`micrograd_like.explore_page`).

This module reads Values only (op, parents, local partials, label, annotation, data, grad); it
never changes them.  Node ids come from the graph's topological order (``v0, v1, ...``), never
``id()``, so the same expression always gives byte-identical DOT source.

>>> from micrograd_like import Value
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = x * w; y.backward()                 # dy/dx = w = -3
>>> g = draw_dot(y)          # a graphviz.Digraph: shows inline in Jupyter
>>> "{ x | data 2.0000 | grad -3.0000 }" in g.source
True
"""

from __future__ import annotations

import html
import io
import itertools
import math
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import graphviz

from micrograd_like import ops
from micrograd_like.annotation import annotation_of, text_of
from micrograd_like.engine import Value, backward_steps, topological_order
from micrograd_like.files import write_bytes
from micrograd_like.naming import node_names

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "Drawing",
    "Frames",
    "GraphTooLargeError",
    "GraphvizError",
    "GraphvizNotFoundError",
    "GraphvizTimeoutError",
    "Layout",
    "MAX_FRAMES",
    "MAX_GIF_BYTES",
    "MAX_PRECISION",
    "TooManyFramesError",
    "NodeBox",
    "NodeText",
    "backward_frames",
    "describe_nodes",
    "draw_dot",
    "check_number_format",
    "layout",
    "picture_format",
    "render",
    "render_frames",
    "save",
    "save_frames",
]

DEFAULT_MAX_NODES = 500
"""Drawings with more nodes (value boxes + op ovals) than this raise GraphTooLargeError."""

MAX_FRAMES = 100
"""The most frames :func:`backward_frames` draws by default (each is a full layout)."""

MAX_GIF_BYTES = 256 * 2**20
"""The most memory (estimated: 4 bytes per pixel per frame) a GIF of frames may take."""


FORMATS = ("svg", "png", "pdf", "gv", "dot")
"""File formats :func:`save` writes; ``gv``/``dot`` are DOT source and need no Graphviz."""

INSTALL_HINT = (
    "install Graphviz to render pictures (Debian/Ubuntu: apt-get install graphviz; "
    "macOS: brew install graphviz), or save DOT source with a .gv suffix"
)

# Fill colours by |grad| / max |grad| (ColorBrewer "Oranges", light to dark); 0 stays white.
_GRAD_FILLS = ("#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d")
_ZERO_FILL = "#ffffff"
_PATH_COLOUR = "#d62728"  # highlighted path, and the current step of a backward frame
_Z_COLOUR = "#1f5fa8"  # border of nodes whose grad the annotation names (δ under a cost)
# Constants and targets: grey, no gradient (nothing is learned there).
_CONSTANT_STYLE = {"style": "filled", "fillcolor": "#eeeeee", "color": "#999999",
                   "fontcolor": "#555555"}


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``; the message says how to get past it."""

    def __init__(self, message: str, n_nodes: int, max_nodes: int) -> None:
        super().__init__(message)
        self.n_nodes = n_nodes
        self.max_nodes = max_nodes


class GraphvizError(RuntimeError):
    """Graphviz could not render a drawing (one line: what dot said)."""


class GraphvizNotFoundError(GraphvizError):
    """Graphviz's ``dot`` program is not installed, so a drawing cannot be rendered."""


class GraphvizTimeoutError(GraphvizError):
    """Graphviz did not finish within the time allowed (its process is killed)."""


class TooManyFramesError(ValueError):
    """A backward step-through would have more frames, or a GIF more pixels, than allowed."""


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` whose ``pipe``/``render`` (and so Jupyter display) raise
    :class:`GraphvizNotFoundError`, with the way to install Graphviz, when ``dot`` is missing.
    """

    def __iter__(self, subgraph: bool = False) -> Iterator[str]:
        # every line of DOT, whatever text it came from, without control characters
        for line in super().__iter__(subgraph=subgraph):
            yield _printable(line)

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise _not_found() from None

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise _not_found() from None


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _printable(text: str) -> str:
    r"""``text`` with each control character (except tab and newline), lone surrogate and
    XML non-character written as a visible DOT-escaped ``\xHH`` / ``\uHHHH``: SVG (XML)
    cannot hold them, so a label holding ESC would make the picture unreadable.

    >>> _printable("a\x1bb")
    'a\\\\x1bb'
    """
    return _UNPRINTABLE.sub(
        lambda m: f"\\\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\\\u{ord(m[0]):04x}",
        text)


def _not_found() -> GraphvizNotFoundError:
    return GraphvizNotFoundError(f"Graphviz's 'dot' program was not found on PATH: {INSTALL_HINT}")


# --------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------


MAX_PRECISION = 17
"""The most digits ``number_format`` may ask for (17 significant digits tell any two
doubles apart)."""

_NUMBER_FORMAT = re.compile(
    r"(?P<sign>[-+ ])?#?0?(?P<width>[1-9][0-9]?)?[,_]?(?:\.(?P<precision>[0-9]{1,2}))?"
    r"[eEfFgG%]?"
)


def check_number_format(spec: str) -> str:
    """``spec`` if it is a number format this module accepts, else ValueError.

    The grammar is a safe subset of Python's format spec for floats:
    ``[sign][#][0][width][,|_][.precision][type]`` with sign ``+``, ``-`` or space, width
    at most 99, precision at most :data:`MAX_PRECISION`, type one of ``e E f F g G %``.
    No fill or alignment (a fill character such as ``|`` or ``{`` would split a record
    box), no huge precision (``.100000000f`` would take minutes and gigabytes).

    >>> check_number_format(".3g")
    '.3g'
    >>> check_number_format("{<9.2f")
    Traceback (most recent call last):
    ...
    ValueError: number_format '{<9.2f' is not allowed: use [sign][#][0][width]...
    """
    if not isinstance(spec, str):
        raise TypeError(f"number_format must be a format spec str like '.4f', got {spec!r}")
    m = _NUMBER_FORMAT.fullmatch(spec)
    if m is None:
        raise ValueError(
            f"number_format {spec!r} is not allowed: use [sign][#][0][width][,|_][.precision]"
            "[type] with type one of e E f F g G %, e.g. '.4f', '.3g', '+.2e'"
        )
    if m["precision"] is not None and int(m["precision"]) > MAX_PRECISION:
        raise ValueError(f"number_format {spec!r}: precision {int(m['precision'])} is more "
                         f"than {MAX_PRECISION} digits")
    try:
        format(1.5, spec)
    except ValueError as e:  # a combination Python refuses, e.g. ',' with no type in 3.10
        raise ValueError(f"number_format {spec!r} is not a float format spec: {e}") from None
    return spec


@dataclass(frozen=True)
class _Options:
    rankdir: str
    number_format: str
    show_grad: bool
    color_by_grad: bool
    show_local_grads: bool
    clusters: bool
    collapse: str | None
    max_nodes: int
    notation: str | None = None


def _options(
    rankdir: str,
    number_format: str,
    show_grad: bool,
    color_by_grad: bool,
    show_local_grads: bool,
    clusters: bool,
    collapse: str | None,
    max_nodes: int,
    notation: str | None = None,
) -> _Options:
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(
            f"rankdir must be 'LR' (left to right) or 'TB' (top to bottom), got {rankdir!r}"
        )
    if not isinstance(number_format, str):
        raise TypeError(
            f"number_format must be a format spec str like '.4f', got {number_format!r}"
        )
    check_number_format(number_format)
    if collapse not in (None, "neurons"):
        raise ValueError(f"collapse must be None or 'neurons', got {collapse!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if notation is not None and not isinstance(notation, str):
        raise TypeError(f"notation must be a str or None, got {type(notation).__name__}")
    return _Options(
        rankdir,
        number_format,
        bool(show_grad),
        bool(color_by_grad),
        bool(show_local_grads),
        bool(clusters),
        collapse,
        max_nodes,
        notation,
    )


# --------------------------------------------------------------------------------------
# Public drawing functions
# --------------------------------------------------------------------------------------


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
    collapse: str | None = None,
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
        clusters: draw annotated nodes in their clusters (``nn``: layer and neuron boxes).
        collapse: ``"neurons"`` draws each innermost cluster (an ``nn`` neuron: weights,
            bias, z, activation) as one box showing z and a with their named gradients.
        max_nodes: raise :class:`GraphTooLargeError` instead of drawing more nodes than this.
        notation: which of the annotations' notations to name nodes in (``nn``: "nielsen"
            or "zero-based"; None: each name's default).  Node names and the names of their
            gradients come from :func:`describe_nodes`.

    Returns:
        A :class:`Drawing` (a ``graphviz.Digraph``); render it with ``.pipe(format="svg")``,
        ``.render(...)`` or :func:`save`.

    >>> from micrograd_like import Value
    >>> a = Value(3.0, label="a"); y = a * a; y.backward()     # dy/da = 2a = 6
    >>> "grad 6.0000" in draw_dot(y).source
    True
    """
    opts = _options(
        rankdir,
        number_format,
        show_grad,
        color_by_grad,
        show_local_grads,
        clusters,
        collapse,
        max_nodes,
        notation,
    )
    order = topological_order(root)
    path: set[Value] = set()
    if highlight is not None:
        path = _path_to_root(order, _find_highlight(order, highlight))
    return _build(order, opts, grad_of=_real_grad, path=path)


class Frames(list):
    """The drawings of :func:`backward_frames`: a plain list that, as a notebook cell's last
    expression, shows one frame at a time with a slider and ◀ ▶ buttons to step through it.

    The HTML embeds every frame as SVG and a few lines of its own script: no network, no
    widget library.  Without Graphviz it says how to install it instead.
    """

    def _repr_html_(self) -> str:
        try:
            svgs = [_pipe(f, "svg").decode("utf-8") for f in self]
        except GraphvizNotFoundError as e:
            return f"<p>{html.escape(str(e))}</p>"
        uid = f"mgl-frames-{next(_FRAME_IDS)}"
        last = len(svgs) - 1
        hidden = ' style="display:none"'
        frames = "".join(
            f'<div class="mgl-frame"{"" if i == 0 else hidden}>{_svg_body(svg)}</div>'
            for i, svg in enumerate(svgs)
        )
        controls = (
            '<div><button type="button" data-step="-1">◀</button> '
            f'<input type="range" min="0" max="{last}" value="0" step="1" '
            f'aria-label="backward step"> '
            '<button type="button" data-step="1">▶</button> '
            f"<span>frame 0 of {last}</span></div>"
        )
        script = (
            "<script>(function(){"
            f'var root=document.getElementById("{uid}");'
            'var frames=root.querySelectorAll(".mgl-frame");'
            'var slider=root.querySelector("input");var text=root.querySelector("span");'
            "function show(i){i=Math.max(0,Math.min(frames.length-1,i));slider.value=i;"
            'for(var k=0;k<frames.length;k++){frames[k].style.display=(k===i)?"":"none";}'
            'text.textContent="frame "+i+" of "+(frames.length-1);}'
            "slider.oninput=function(){show(+slider.value);};"
            'root.querySelectorAll("button").forEach(function(b){'
            "b.onclick=function(){show(+slider.value+(+b.dataset.step));};});"
            "})();</script>"
        )
        return f'<div id="{uid}">{controls}{frames}{script}</div>'


_FRAME_IDS = itertools.count()


def _svg_body(svg: str) -> str:
    """The <svg> element of a document Graphviz wrote (no XML declaration or doctype)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


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
    opts = _options(**{**_DEFAULTS, **_checked_keywords(options)})
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
    frames = Frames([
        _build(
            order,
            opts,
            grad_of=grads.get,
            path=set(),
            caption=f"backward step 0/{n_steps}: seed ∂root/∂root = 1",
        )
    ])
    for step, (v, g, updates) in enumerate(backward_steps(root), start=1):
        for p, _, total in updates:
            grads[p] = total
        caption = (
            f"backward step {step}/{n_steps}: through '{v.op}', each input's grad "
            f"+= ∂out/∂input × {format(g, opts.number_format)}"
        )
        frames.append(
            _build(order, opts, grad_of=grads.get, path=set(), current=v, caption=caption)
        )
    return frames


_DEFAULTS: dict[str, Any] = {
    "rankdir": "LR",
    "number_format": ".4f",
    "show_grad": True,
    "color_by_grad": False,
    "show_local_grads": False,
    "clusters": True,
    "collapse": None,
    "max_nodes": DEFAULT_MAX_NODES,
    "notation": None,
}


def _checked_keywords(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise TypeError(f"unexpected drawing option(s): {', '.join(unknown)}")
    return dict(options)


@dataclass(frozen=True)
class NodeBox:
    """Where one node shows in a :class:`Layout`'s drawing.

    Attributes:
        node_id: the DOT node that shows it: ``v3`` (its index in topological order), or a
            collapsed neuron's box (``n0_1``) for a node inside one.  Graphviz's SVG titles
            each node's group with this id.
        op_id: the DOT node of its op oval (``v3op``); None for a leaf, or inside a neuron.
        data_field: which field of the ``node_id`` box shows its data, counted from 0 (the
            record's fields, or the collapsed box's cells, in order: one SVG text each);
            None when it has no field of its own (a weight or bias inside a neuron).
        grad_field: which field shows its gradient; None when none is drawn (a constant or
            target, see :attr:`NodeText.is_constant`, or ``show_grad=False``).
    """

    node_id: str
    op_id: str | None
    data_field: int | None
    grad_field: int | None


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
    opts = _options(**{**_DEFAULTS, **_checked_keywords(options)})
    b = _Builder(topological_order(root), opts, _real_grad if grad_of is None else grad_of,
                 set(), None)
    drawing = _draw(b)
    return Layout(b.order, b.texts, b.node_boxes(), drawing)


# --------------------------------------------------------------------------------------
# Saving pictures (atomic writes)
# --------------------------------------------------------------------------------------


def render(graph: graphviz.Digraph, fmt: str, *, timeout: float | None = None) -> bytes:
    """The bytes :func:`save` would write: DOT source for gv/dot, else Graphviz's output.

    Args:
        timeout: seconds Graphviz may take (None: no limit); past it its process is
            killed and :class:`GraphvizTimeoutError` raised.

    Raises:
        ValueError: unknown format.  GraphvizNotFoundError: ``dot`` missing (not for
        gv/dot).  GraphvizTimeoutError: past ``timeout``.  GraphvizError: dot failed.
    """
    fmt = picture_format("", fmt)
    if fmt in ("gv", "dot"):
        return graph.source.encode("utf-8")
    return _pipe(graph, fmt, timeout)


def save(graph: graphviz.Digraph, path: str | os.PathLike[str], fmt: str | None = None, *,
         timeout: float | None = None) -> Path:
    """Write ``graph`` to ``path`` as svg, png, pdf (rendered by Graphviz) or gv/dot (source).

    The format comes from ``fmt`` or else from the file suffix.  The picture is rendered
    in memory first (see :func:`render`, also for ``timeout``), then written to a temporary
    file in the same directory and moved into place, so a failure never leaves a
    half-written picture.

    Raises:
        the errors of :func:`render`; OSError: the path cannot be written.
    """
    path = Path(path)
    data = render(graph, picture_format(path, fmt), timeout=timeout)
    write_bytes(path, data)
    return path


def render_frames(
    frames: Sequence[graphviz.Digraph],
    path: str | os.PathLike[str],
    *,
    fmt: str = "svg",
    duration_ms: int = 800,
    timeout: float | None = None,
) -> list[tuple[Path, bytes]]:
    """The files :func:`save_frames` would write, as ``(path, bytes)`` pairs, nothing written.

    ``timeout`` bounds the time of all of Graphviz's runs together.  A GIF is refused with
    :class:`TooManyFramesError` before any frame is decoded if it would take more than
    :data:`MAX_GIF_BYTES` of memory.
    """
    if not frames:
        raise ValueError("save_frames: no frames to save")
    path = Path(path)
    deadline = None if timeout is None else time.monotonic() + timeout
    if path.suffix.lower() == ".gif":
        if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or duration_ms <= 0:
            raise ValueError(f"duration_ms must be a positive int, got {duration_ms!r}")
        _pillow_image()  # before any layout: say at once that Pillow is missing
        # the last frame's layout (every frame has the same boxes) tells whether the GIF
        # fits in memory before any picture is made: a 200-node chain's PNG alone is 0.7 GB
        size = _png_size_of_layout(frames[-1], _remaining(deadline, timeout))
        _check_gif_memory([size], len(frames))
        pngs = [_pipe(f, "png", _remaining(deadline, timeout)) for f in frames]
        return [(path, _gif_bytes(pngs, duration_ms))]
    fmt = picture_format("", fmt)
    return [(path / f"frame_{i:03d}.{fmt}", render(f, fmt, timeout=_remaining(deadline, timeout)))
            for i, f in enumerate(frames)]


def save_frames(
    frames: Sequence[graphviz.Digraph],
    path: str | os.PathLike[str],
    *,
    fmt: str = "svg",
    duration_ms: int = 800,
    timeout: float | None = None,
) -> list[Path]:
    """Save backward frames: an animated GIF if ``path`` ends in ``.gif``, else one file per
    frame, ``frame_000.<fmt>``, ``frame_001.<fmt>``, … in the directory ``path`` (created
    with its parents if missing).

    Every frame is rendered (:func:`render_frames`) before the first file is written.  The
    GIF is made with Pillow; frames of different sizes are placed on a white canvas of the
    largest size.

    Returns:
        The paths written.
    """
    files = render_frames(frames, path, fmt=fmt, duration_ms=duration_ms, timeout=timeout)
    if Path(path).suffix.lower() != ".gif":
        Path(path).mkdir(parents=True, exist_ok=True)
    for file, data in files:
        write_bytes(file, data)
    return [file for file, _ in files]


def _remaining(deadline: float | None, timeout: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise GraphvizTimeoutError(f"Graphviz did not finish the frames within {timeout:g} s")
    return left


_PNG_DPI = 96  # Graphviz's pixels per inch for png
_PNG_MARGIN = 11  # pixels its PNG adds to the layout's bounding box (measured)
_PNG_LARGEST = 32767  # Graphviz scales a picture down to fit this many pixels a side


def _png_size_of_layout(graph: graphviz.Digraph, timeout: float | None) -> tuple[int, int]:
    """The (width, height) in pixels Graphviz's PNG of ``graph`` will have, from a layout
    alone (``-Tplain``: its first line is ``graph scale width height`` in inches)."""
    fields = _pipe(graph, "plain", timeout).split(b"\n", 1)[0].split()
    width, height = (min(math.ceil(float(t) * _PNG_DPI) + _PNG_MARGIN, _PNG_LARGEST)
                     for t in fields[2:4])
    return width, height


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header (bytes 16-24 of the IHDR chunk), nothing decoded."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        raise GraphvizError("Graphviz did not return a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _check_gif_memory(sizes: Sequence[tuple[int, int]], n_frames: int) -> tuple[int, int]:
    """The GIF's canvas (width, height); TooManyFramesError past MAX_GIF_BYTES."""
    width, height = max(w for w, _ in sizes), max(h for _, h in sizes)
    need = 4 * width * height * n_frames  # an RGB canvas per frame + Pillow's P copy
    if need > MAX_GIF_BYTES:
        raise TooManyFramesError(
            f"a GIF of {n_frames} frames of {width}x{height} pixels would need about "
            f"{need / 2**20:,.0f} MB of memory, more than {MAX_GIF_BYTES // 2**20} MB: save "
            "the frames as SVG files in a directory instead, or draw a smaller graph")
    return width, height


def _pillow_image() -> Any:
    """Pillow's ``Image`` module; ImportError naming it if it is missing."""
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with matplotlib, but is ours to declare: the gif extra
        raise ModuleNotFoundError(
            'saving a GIF needs Pillow, which is not installed: pip install "micrograd-like[gif]"',
            name="PIL",
        ) from None
    return Image


def _gif_bytes(pngs: Sequence[bytes], duration_ms: int) -> bytes:
    Image = _pillow_image()
    width, height = _check_gif_memory([_png_size(png) for png in pngs], len(pngs))
    canvases = []
    for png in pngs:
        im = Image.open(io.BytesIO(png)).convert("RGBA")
        canvas = Image.new("RGBA", (width, height), "white")
        canvas.alpha_composite(im, ((width - im.width) // 2, (height - im.height) // 2))
        canvases.append(canvas.convert("RGB"))
    out = io.BytesIO()
    canvases[0].save(
        out, format="GIF", save_all=True, append_images=canvases[1:], duration=duration_ms, loop=0
    )
    return out.getvalue()


def picture_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``fmt`` if given, else the suffix of ``path`` (``graph.svg`` -> ``"svg"``); checked
    against :data:`FORMATS`.  Raises ValueError naming the path or format."""
    path = Path(path)
    if fmt is None:
        fmt = path.suffix[1:].lower()
        if not fmt:
            raise ValueError(
                f"cannot tell the picture format of {str(path)!r}: give it a suffix "
                f"({', '.join('.' + f for f in FORMATS)}) or a format"
            )
    if fmt not in FORMATS:
        raise ValueError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


_LONGEST_TIMEOUT = 1e6  # s, 11 days: poll() takes at most 2³¹ ms; longer means no limit


def _pipe(graph: graphviz.Digraph, fmt: str, timeout: float | None = None) -> bytes:
    """Run Graphviz on ``graph``'s source; the process is killed after ``timeout`` s."""
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
                or not timeout > 0 or timeout != timeout:
            raise ValueError(f"timeout must be a positive number of seconds or None, got "
                             f"{timeout!r}")
        timeout = min(timeout, _LONGEST_TIMEOUT)
    source = graph.source.encode("utf-8")
    try:
        done = subprocess.run([graph.engine, f"-T{fmt}"], input=source, capture_output=True,
                              timeout=timeout, check=False)
    except FileNotFoundError:
        raise _not_found() from None
    except OSError as e:  # there, but not runnable (no execute permission, wrong format)
        raise GraphvizNotFoundError(f"could not run Graphviz's {graph.engine!r}: {e}; "
                                    f"{INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise GraphvizTimeoutError(
            f"Graphviz's layout did not finish within {timeout:g} s ({source.count(b'->')} "
            "edges): draw a smaller graph, or allow more time"
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizError(
            f"Graphviz failed to render {fmt}: "
            f"{detail[0] if detail else f'exit status {done.returncode}'}"
        )
    return done.stdout


# --------------------------------------------------------------------------------------
# Building the DOT graph
# --------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class NodeText:
    """The texts a drawing shows for one node (from :func:`describe_nodes`).

    Attributes:
        name: the box's title: the annotation's name in the notation, else the label ("").
        grad_name: what ``node.grad`` is, mathematically: the name the annotation gives it
            under this root (``"δ²₁"`` for a weighted input under a cost), else
            ``"∂root/∂node"`` written out when both have names (``"∂a²₁/∂z²₁"``), else
            ``"grad"``; None for a constant or target (nothing is learned there).
        cluster: the boxes the node is drawn in, outermost first (``("layer 2", "neuron 1")``).
        role: the annotation's role ("" if none).
        is_constant: a target or constant: drawn in the constant style, no gradient shown.
        special_grad: the annotation named the gradient for this root (e.g. δ): emphasised.
    """

    name: str
    grad_name: str | None
    cluster: tuple[str, ...]
    role: str
    is_constant: bool
    special_grad: bool


def _local_texts(v: Value, names: Sequence[str]) -> tuple[str, ...]:
    """∂v/∂p per parent as text from the op's rule, each symbol replaced by the parent's
    name in ``names``: a rule's own ``x`` would read as some other node called x."""
    return ops.partial_formulas(v, names)


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-"))
    except ValueError:
        return False
    return True


def describe_nodes(root: Value, *, notation: str | None = None) -> dict[Value, NodeText]:
    """What every node of ``root``'s graph is called, with the meaning of its gradient.

    One function for every view of a graph (:func:`draw_dot`, :func:`backward_frames`, the
    interactive page), so they all say the same thing.  Names come from annotations
    (:mod:`micrograd_like.annotation`) in ``notation`` (None: each name's default), else from
    labels.  A gradient is named by the root: a node whose annotation has a name for the
    root's role gets it (``nn`` names a z under a cost root δ); otherwise it is
    ``∂root/∂node`` written out, because after ``root.backward()`` that is what it holds.

    Unannotated op nodes that feed an annotated node with a cluster (the ``*`` and ``+``
    of a weighted input built from elementary ops) are put in that cluster.

    >>> from micrograd_like import Value
    >>> from micrograd_like.annotation import annotate
    >>> z = annotate(Value(0.5), role="z", name="z", grad_names={"cost": "δ"})
    >>> a = annotate(z.tanh(), role="a", name="a")
    >>> describe_nodes(a)[z].grad_name                   # a is no cost: ∂a/∂z, not δ
    '∂a/∂z'
    >>> C = annotate(a * a, role="cost", name="C")
    >>> describe_nodes(C)[z].grad_name
    'δ'
    """
    if notation is not None and not isinstance(notation, str):
        raise TypeError(f"notation must be a str or None, got {type(notation).__name__}")
    return _describe(topological_order(root), notation)


def _describe(order: list[Value], notation: str | None) -> dict[Value, NodeText]:
    root = order[-1]
    root_note = annotation_of(root)
    root_role = root_note.role if root_note else ""
    root_name = text_of(root_note.name, notation) if root_note else ""
    root_name = root_name or root.label
    clusters: dict[Value, tuple[str, ...]] = {}
    for v in order:
        note = annotation_of(v)
        if note is not None and note.cluster:
            clusters[v] = tuple(text_of(c, notation) for c in note.cluster)
    for v in order:  # unannotated op nodes inside an annotated node's cluster join it
        if v in clusters and not v.is_leaf:
            stack = list(v.parents)
            while stack:
                p = stack.pop()
                if p.tag is None and not p.is_leaf and p not in clusters:
                    clusters[p] = clusters[v]
                    stack.extend(p.parents)
    out: dict[Value, NodeText] = {}
    for v in order:
        note = annotation_of(v)
        if note is None:
            out[v] = NodeText(v.label, "grad", clusters.get(v, ()), "", False, False)
            continue
        name = text_of(note.name, notation) or v.label
        special = root_role in note.grad_names
        grad_name: str | None
        if note.is_constant:
            grad_name = None
        elif special:
            grad_name = text_of(note.grad_names[root_role], notation)
        elif name and root_name:
            grad_name = f"∂{_atom(root_name)}/∂{_atom(name)}"
        else:
            grad_name = "grad"
        out[v] = NodeText(name, grad_name, clusters.get(v, ()), note.role, note.is_constant,
                          special)
    return out


def _atom(name: str) -> str:
    """``name`` bracketed if it is an expression, so ∂C/∂(a − y) cannot be misread."""
    if " " not in name:
        return name
    if name.startswith("("):
        depth = 0
        for i, ch in enumerate(name):
            depth += (ch == "(") - (ch == ")")
            if depth == 0:
                if all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹" for c in name[i + 1:]):
                    return name
                break
    return f"({name})"


def _html_text(text: str) -> str:
    """Text for an HTML-like label cell: markup escaped, control characters made visible."""
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)
    return html.escape(text, quote=True)


def _natural(text: str) -> tuple:
    """Sort key that orders "neuron 2" before "neuron 10"."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


def _escape(text: str) -> str:
    """Escape a string for a record label field.

    Graphviz (2.43) drops a space that comes before a field's first ASCII character, so
    "δ²₁ = 0.5" was drawn "δ²₁= 0.5"; such spaces are written as no-break spaces.

    >>> _escape("δ²₁ = 0.5") == "δ²₁\u00a0= 0.5", _escape("a|b = 1")
    (True, 'a\\\\|b = 1')
    """
    text = text.replace("\n", " ")
    lead = re.match(r"[^\x21-\x7e]*", text)
    head = lead.group(0).replace(" ", "\u00a0") if lead else ""
    return re.sub(r'([\\{}|<>"])', r"\\\1", head + text[len(head):])


class _Builder:
    """Turns one graph into DOT; the node id of a Value is its index in topological order."""

    def __init__(
        self,
        order: list[Value],
        opts: _Options,
        grad_of: Callable[[Value], float | None],
        path: set[Value],
        current: Value | None,
    ) -> None:
        self.order = order
        self.opts = opts
        self.grad_of = grad_of
        self.path = path
        self.current = current
        self.index = {v: i for i, v in enumerate(order)}
        self.texts = _describe(order, opts.notation)
        use_clusters = opts.clusters or opts.collapse is not None
        self.groups = {v: t.cluster for v, t in self.texts.items() if t.cluster and use_clusters}
        self.collapsed = bool(self.groups) and opts.collapse == "neurons"
        # innermost clusters in drawing order (natural order of their names: 2 before 10)
        self.boxes = sorted(set(self.groups.values()), key=lambda c: tuple(map(_natural, c)))
        self.box_id = {c: "n" + "_".join(str(i) for i in _path_ids(c, self.boxes))
                       for c in self.boxes}
        grads = [abs(g) for g in map(grad_of, order) if g is not None]
        self.max_grad = max(grads, default=0.0)
        self.edge_names = self.names_for_formulas() if opts.show_local_grads else []

    def names_for_formulas(self) -> list[str]:
        """What each node is called in an edge's formula: its name, else what it computes
        while that is short (``x·w + b``), else its value (a drawn node shows no id)."""
        given = [self.texts[v].name for v in self.order]
        return node_names(self.order, given, lambda i, v: self.num(v.data))

    # -- ids and text --------------------------------------------------------------------

    def vid(self, v: Value) -> str:
        if self.collapsed and v in self.groups:
            return self.box_id[self.groups[v]]
        return f"v{self.index[v]}"

    def num(self, x: float) -> str:
        return format(x, self.opts.number_format)

    def grad_text(self, v: Value) -> str:
        g = self.grad_of(v)
        return "?" if g is None else self.num(g)

    def fill(self, v: Value) -> str | None:
        if not self.opts.color_by_grad:
            return None
        g = self.grad_of(v)
        if g is None or g == 0.0 or self.max_grad == 0.0:
            return _ZERO_FILL
        r = abs(g) / self.max_grad
        return _GRAD_FILLS[min(int(r * len(_GRAD_FILLS) - 1e-12), len(_GRAD_FILLS) - 1)]

    # -- statements ----------------------------------------------------------------------

    def grad_field(self, text: NodeText, v: Value) -> str:
        """"δ²₁ = 0.1874", "∂a/∂z = 0.4200" or, for an unnamed gradient, "grad 0.4200"."""
        if text.grad_name == "grad":
            return "grad " + self.grad_text(v)
        return f"{text.grad_name} = {self.grad_text(v)}"

    def value_fields(self, v: Value) -> list[tuple[str, str]]:
        """The fields of ``v``'s box, in order, as (what, text): "name", "data", "grad"."""
        text = self.texts[v]
        fields = [("name", text.name)] if text.name else []
        fields.append(("data", f"data {self.num(v.data)}"))
        if self.opts.show_grad and text.grad_name is not None:
            fields.append(("grad", self.grad_field(text, v)))
        return fields

    def value_node(self, g: graphviz.Digraph, v: Value) -> None:
        text = self.texts[v]
        fields = [_escape(f) for _, f in self.value_fields(v)]
        attrs: dict[str, str] = {}
        if text.is_constant:
            attrs.update(_CONSTANT_STYLE)
        else:
            fill = self.fill(v)
            if fill:
                attrs.update(style="filled", fillcolor=fill)
        if text.special_grad:
            attrs.update(color=_Z_COLOUR, penwidth="2")
        if v in self.path or v is self.current:
            attrs.update(color=_PATH_COLOUR, penwidth="2.5")
        g.node(self.vid(v), graphviz.nohtml("{ " + " | ".join(fields) + " }"), **attrs)
        if not v.is_leaf:
            op_attrs = {"shape": "ellipse", "fontsize": "10", "margin": "0.03,0.02"}
            if v in self.path or v is self.current:
                op_attrs.update(color=_PATH_COLOUR, penwidth="2.5")
            g.node(self.vid(v) + "op", graphviz.nohtml(v.op.replace("\\", "\\\\")), **op_attrs)

    def cluster_fields(self, cluster: tuple[str, ...], members: list[Value]
                       ) -> list[tuple[Value | None, str, str]]:
        """The cells of a collapsed cluster's box, in order, as (node, what, text): its name
        and parameter count (node None), then each z and a: "data", then "grad"."""
        texts = [self.texts[m] for m in members]
        fields: list[tuple[Value | None, str, str]] = [(None, "name", cluster[-1])]
        n_weights = sum(1 for t in texts if t.role == "weight")
        has_bias = any(t.role == "bias" for t in texts)
        if n_weights or has_bias:
            fields.append((None, "count",
                           f"{n_weights} weights" + (" + bias" if has_bias else "")))
        for role in ("z", "a"):
            for m, t in zip(members, texts):
                if t.role == role:
                    fields.append((m, "data", f"{t.name or role} = {self.num(m.data)}"))
                    if self.opts.show_grad and t.grad_name is not None:
                        fields.append((m, "grad", self.grad_field(t, m)))
        return fields

    def cluster_box(self, g: graphviz.Digraph, cluster: tuple[str, ...],
                    members: list[Value]) -> None:
        """A whole cluster (an ``nn`` neuron) as one box: its parameters counted, then each
        z and a with its value and its named gradient.

        An HTML-like table rather than a record: a rank of records cannot be held in order
        by invisible edges (Graphviz drops flat edges between records), a table can."""
        texts = [self.texts[m] for m in members]
        fields = [f for _, _, f in self.cluster_fields(cluster, members)]
        colour, width = "#000000", "1"
        special = [m for m, t in zip(members, texts) if t.special_grad]
        if special:
            colour, width = _Z_COLOUR, "2"
        if any(m in self.path or m is self.current for m in members):
            colour, width = _PATH_COLOUR, "2"
        fill = self.fill(special[0]) if special else None
        cells = [f"<td>{_html_text(f)}</td>" for f in fields]
        if self.opts.rankdir in ("LR", "RL"):
            rows = "<tr>" + "".join(cells) + "</tr>"
        else:
            rows = "".join(f"<tr>{c}</tr>" for c in cells)
        table = (f'<<table border="{width}" cellborder="1" cellspacing="0" cellpadding="3" '
                 f'color="{colour}"' + (f' bgcolor="{fill}"' if fill else "") + f">{rows}</table>>")
        g.node(self.box_id[cluster], table, shape="plain")

    def edges(self) -> list[tuple[str, str, dict[str, str]]]:
        out: list[tuple[str, str, dict[str, str]]] = []
        seen: set[tuple[str, str]] = set()
        for v in self.order:
            if v.is_leaf:
                continue
            inside = self.collapsed and v in self.groups
            target = self.vid(v) if inside else self.vid(v) + "op"
            local = (_local_texts(v, [self.edge_names[self.index[p]] for p in v.parents])
                     if self.opts.show_local_grads and not inside else ())
            for i, (p, d) in enumerate(zip(v.parents, v.local_grads)):
                source = self.vid(p)
                if source == target:  # an edge inside a collapsed neuron
                    continue
                attrs: dict[str, str] = {}
                if inside:  # collapsed neuron: one edge per distinct input
                    if (source, target) in seen:
                        continue
                    seen.add((source, target))
                elif self.opts.show_local_grads:  # ∂v/∂p: its formula (ops) = its number
                    text = local[i]
                    attrs["label"] = (self.num(d) if _is_number(text)
                                      else f"{text} = {self.num(d)}")
                    attrs["fontsize"] = "9"
                if (p in self.path and v in self.path) or v is self.current:
                    attrs.update(color=_PATH_COLOUR, penwidth="2")
                out.append((source, target, attrs))
            if not inside:
                attrs = {}
                if v in self.path or v is self.current:
                    attrs.update(color=_PATH_COLOUR, penwidth="2")
                out.append((self.vid(v) + "op", self.vid(v), attrs))
        return out

    def node_boxes(self) -> list[NodeBox]:
        """Where each node shows (:class:`NodeBox`), from the same field lists the boxes are
        drawn from (:meth:`value_fields`, :meth:`cluster_fields`)."""
        at: dict[Value, dict[str, int]] = {}  # node -> what ("data", "grad") -> field index
        members: dict[tuple[str, ...], list[Value]] = {}
        for v in self.order:
            if self.collapsed and v in self.groups:
                members.setdefault(self.groups[v], []).append(v)
                at[v] = {}
            else:
                at[v] = {what: k for k, (what, _) in enumerate(self.value_fields(v))}
        for cluster, group in members.items():
            for k, (m, what, _) in enumerate(self.cluster_fields(cluster, group)):
                if m is not None:
                    at[m][what] = k
        boxes = []
        for v in self.order:
            inside = self.collapsed and v in self.groups
            op = None if v.is_leaf or inside else self.vid(v) + "op"
            boxes.append(NodeBox(self.vid(v), op, at[v].get("data"), at[v].get("grad")))
        return boxes

    def count(self) -> tuple[int, int]:
        """(value boxes, op ovals) this drawing will have."""
        if self.collapsed:
            free = [v for v in self.order if v not in self.groups]
            return len(self.boxes) + len(free), sum(1 for v in free if not v.is_leaf)
        return len(self.order), sum(1 for v in self.order if not v.is_leaf)

    def legend(self, g: graphviz.Digraph) -> None:
        """One table node: the fill colour of each |grad| bin, in absolute numbers."""
        n = len(_GRAD_FILLS)
        rows = [
            '<tr><td colspan="2"><b>fill: |grad| / max |grad|</b></td></tr>',
            f'<tr><td bgcolor="{_ZERO_FILL}" width="24"></td><td align="left">grad 0</td></tr>',
        ]
        for i, colour in enumerate(_GRAD_FILLS):
            lo, hi = self.num(self.max_grad * i / n), self.num(self.max_grad * (i + 1) / n)
            rows.append(
                f'<tr><td bgcolor="{colour}" width="24"></td>'
                f'<td align="left">{lo} &lt; |grad| ≤ {hi}</td></tr>'
            )
        table = '<<table border="0" cellborder="1" cellspacing="0">' + "".join(rows) + "</table>>"
        g.node("legend", table, shape="plaintext", fontsize="9")


def _build(
    order: list[Value],
    opts: _Options,
    grad_of: Callable[[Value], float | None],
    path: set[Value],
    current: Value | None = None,
    caption: str | None = None,
) -> Drawing:
    return _draw(_Builder(order, opts, grad_of, path, current), caption)


def _draw(b: _Builder, caption: str | None = None) -> Drawing:
    order, opts = b.order, b.opts
    n_values, n_ops = b.count()
    if n_values + n_ops > opts.max_nodes:
        raise _too_large(n_values, n_ops, opts, has_neurons=bool(b.groups))
    g = Drawing(name="graph", node_attr={"shape": "record", "fontsize": "11"})
    g.attr(rankdir=opts.rankdir)
    if caption is not None:
        g.attr(label=caption, labelloc="t", fontsize="12")

    free = [v for v in order if v not in b.groups]
    for v in free:
        b.value_node(g, v)
    members: dict[tuple[str, ...], list[Value]] = {}
    for v in order:
        if v in b.groups:
            members.setdefault(b.groups[v], []).append(v)
    _draw_clusters(g, b, members, (), b.boxes)
    edges = b.edges()
    if b.collapsed:
        g.attr(remincross="false")  # a second crossing pass may rotate a chained rank
    for source, target, attrs in edges:
        g.edge(source, target, **attrs)
    if not members and _long_edge_length(edges) > _CONCENTRATE_ABOVE:
        # A value used by ops far apart (x + x + ... + x) makes dot route one long edge per
        # use through every rank between: tens of thousands of dummy nodes, minutes of
        # layout.  Merging edges that share a path keeps it to seconds (not with clusters,
        # where dot's concentrate is unreliable).
        g.attr(concentrate="true")
    if opts.color_by_grad:
        b.legend(g)
    return g


_CONCENTRATE_ABOVE = 1000


def _long_edge_length(edges: Sequence[tuple[str, str, Any]]) -> int:
    """Σ over edges of (rank span − 1), ranks by longest path from the sources: about the
    number of dummy nodes dot adds for edges that skip ranks (its ranking is no longer)."""
    succ: dict[str, list[str]] = {}
    indeg: dict[str, int] = {}
    for s_, t, _ in edges:
        succ.setdefault(s_, []).append(t)
        indeg[t] = indeg.get(t, 0) + 1
        indeg.setdefault(s_, 0)
    rank = dict.fromkeys(indeg, 0)
    ready = [n for n, d in indeg.items() if d == 0]
    while ready:
        n = ready.pop()
        for t in succ.get(n, ()):
            rank[t] = max(rank[t], rank[n] + 1)
            indeg[t] -= 1
            if indeg[t] == 0:
                ready.append(t)
    return sum(rank[t] - rank[s_] - 1 for s_, t, _ in edges)


def _path_ids(cluster: tuple[str, ...], boxes: list[tuple[str, ...]]) -> list[int]:
    """Stable numeric ids of each level of ``cluster``: its rank among its siblings."""
    ids = []
    for depth in range(len(cluster)):
        siblings = sorted({c[depth] for c in boxes if c[:depth] == cluster[:depth]},
                          key=_natural)
        ids.append(siblings.index(cluster[depth]))
    return ids


def _draw_clusters(
    g: graphviz.Digraph,
    b: _Builder,
    members: dict[tuple[str, ...], list[Value]],
    prefix: tuple[str, ...],
    boxes: list[tuple[str, ...]],
) -> None:
    """Draw the clusters under ``prefix`` (in natural order of their names), nested."""
    depth = len(prefix)
    heads = sorted({c[depth] for c in boxes if len(c) > depth and c[:depth] == prefix},
                   key=_natural)
    collapsed = [(*prefix, h) for h in heads if b.collapsed and (*prefix, h) in members
                 and sum(1 for c in boxes if c[:depth + 1] == (*prefix, h)) == 1]
    if len(collapsed) > 1:
        # Graphviz orders a rank's nodes to reduce crossings, which can put neuron 9 above
        # neuron 1; one rank chained by invisible edges keeps the boxes in numeric order.
        with g.subgraph() as same:
            same.attr(rank="same")
            for path in collapsed:
                b.cluster_box(same, path, members[path])
            # In a left-to-right drawing a rank runs bottom to top, so chain from the last
            # box to the first to read neuron 1, 2, ... downwards.
            chain = collapsed[::-1] if b.opts.rankdir in ("LR", "RL") else collapsed
            for first, second in pairwise(chain):
                same.edge(b.box_id[first], b.box_id[second], style="invis")
    for head in heads:
        path = (*prefix, head)
        inner = [c for c in boxes if c[:depth + 1] == path]
        if path in collapsed:
            if len(collapsed) == 1:
                b.cluster_box(g, path, members[path])
            continue
        cid = "cluster_" + "_".join(map(str, _path_ids(path, b.boxes)))
        with g.subgraph(name=cid) as sub:
            style = ("rounded", "#888888", "11") if depth == 0 else ("dashed", "#aaaaaa", "10")
            sub.attr(label=head, style=style[0], color=style[1],
                     fontsize=style[2])
            for v in members.get(path, []):
                b.value_node(sub, v)
            _draw_clusters(sub, b, members, path, inner)


def _too_large(n_values: int, n_ops: int, opts: _Options, has_neurons: bool) -> GraphTooLargeError:
    n = n_values + n_ops
    ways = [f"pass max_nodes={n} or more to draw it anyway (rendering may be slow)"]
    if has_neurons and opts.collapse is None:
        ways.append("collapse='neurons' to draw each nn neuron as one box")
    else:
        ways.append("draw a smaller part of the graph (e.g. one neuron's output)")
    message = (
        f"the graph has {n} nodes to draw ({n_values} values, {n_ops} ops), "
        f"more than max_nodes={opts.max_nodes}: " + ", or ".join(ways)
    )
    return GraphTooLargeError(message, n, opts.max_nodes)
