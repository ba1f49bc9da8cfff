"""Drawing computation graphs with Graphviz: :func:`draw_dot` and :func:`backward_frames`.

A drawing shows every :class:`~micrograd_like.engine.Value` as a box with its label, ``data``
and ``grad``, and every op as a small oval between its inputs and its output, so the chain
rule can be read off the picture: after ``root.backward()`` each box holds ``∂root/∂v`` and
each input edge of an op carries the local partial ``∂out/∂p`` (``show_local_grads=True``),
so that ``p.grad = Σ ∂out/∂p · out.grad`` over the ops that ``p`` feeds.

Graphs built by ``nn`` carry tags (``("z", l, j)``, ``("a", l, j)``, ``("w", l, j, k)``,
``("b", l, j)``, ``("x", k)``; l, j, k 0-based, l indexes ``mlp.layers``).  With them each
neuron is drawn in its own cluster inside its layer's cluster, and each weighted input
``zˡⱼ`` is marked with its error ``δˡⱼ = ∂C/∂zˡⱼ = z.grad``; ``collapse="neurons"`` draws a
whole neuron as one box.

This module reads Values only (op, parents, local partials, label, tag, data, grad); it never
changes them.  Node ids come from the graph's topological order (``v0, v1, ...``), never
``id()``, so the same expression always gives byte-identical DOT source.

>>> from micrograd_like import Value
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> y = x * w; y.backward()                 # dy/dx = w = -3
>>> g = draw_dot(y)          # a graphviz.Digraph: shows inline in Jupyter
>>> "{ x | data 2.0000 | grad -3.0000 }" in g.source
True
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from micrograd_like.engine import Value, topological_order
from micrograd_like.files import write_atomic

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "Drawing",
    "GraphTooLargeError",
    "GraphvizError",
    "GraphvizNotFoundError",
    "backward_frames",
    "draw_dot",
    "picture_format",
    "save",
    "save_frames",
]

DEFAULT_MAX_NODES = 500
"""Drawings with more nodes (value boxes + op ovals) than this raise GraphTooLargeError."""

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
_Z_COLOUR = "#1f5fa8"  # border of z nodes (the δ carriers)
_NEURON_PARTS = ("z", "a", "w", "b")


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


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` whose ``pipe``/``render`` (and so Jupyter display) raise
    :class:`GraphvizNotFoundError`, with the way to install Graphviz, when ``dot`` is missing.
    """

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


def _not_found() -> GraphvizNotFoundError:
    return GraphvizNotFoundError(f"Graphviz's 'dot' program was not found on PATH: {INSTALL_HINT}")


# --------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------


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


def _options(
    rankdir: str,
    number_format: str,
    show_grad: bool,
    color_by_grad: bool,
    show_local_grads: bool,
    clusters: bool,
    collapse: str | None,
    max_nodes: int,
) -> _Options:
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(
            f"rankdir must be 'LR' (left to right) or 'TB' (top to bottom), got {rankdir!r}"
        )
    if not isinstance(number_format, str):
        raise TypeError(
            f"number_format must be a format spec str like '.4f', got {number_format!r}"
        )
    try:
        format(1.5, number_format)
    except (ValueError, TypeError):
        raise ValueError(
            f"number_format {number_format!r} is not a float format spec (e.g. '.4f', '.3g', '.2e')"
        ) from None
    if collapse not in (None, "neurons"):
        raise ValueError(f"collapse must be None or 'neurons', got {collapse!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    return _Options(
        rankdir,
        number_format,
        bool(show_grad),
        bool(color_by_grad),
        bool(show_local_grads),
        bool(clusters),
        collapse,
        max_nodes,
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
        clusters: group nodes tagged by ``nn`` into neuron and layer clusters and mark each
            z node with ``δ = z.grad``.
        collapse: ``"neurons"`` draws each ``nn`` neuron (weights, bias, z, activation) as
            one box showing z, δ, a and a's grad.
        max_nodes: raise :class:`GraphTooLargeError` instead of drawing more nodes than this.

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
    )
    order = topological_order(root)
    path: set[Value] = set()
    if highlight is not None:
        path = _path_to_root(order, _find_highlight(order, highlight))
    return _build(order, opts, grad_of=_real_grad, path=path)


def backward_frames(root: Value, **options: Any) -> list[Drawing]:
    """One drawing per step of backward: frame 0 seeds ``∂root/∂root = 1``; frame i pushes
    the grad of the i-th op node (reverse topological order) to its parents,
    ``p.grad += ∂v/∂p · v.grad``.  Nodes not reached yet show ``grad ?``.

    The grads shown are those a backward pass from zero computes (the same float operations
    in the same order as :meth:`Value.backward`, so the last frame equals ``backward()``
    after ``zero_grad()``).  They are computed in a private table: the real ``.grad``
    attributes of the graph are neither read nor written.

    Args:
        root: the output Value.
        **options: any keyword of :func:`draw_dot` except ``highlight`` (each frame
            highlights the node being processed and its edges instead).

    Returns:
        ``1 + (number of op nodes)`` drawings; leaves have nothing to push, so get no frame.

    >>> from micrograd_like import Value
    >>> x = Value(2.0, label="x"); y = (x * 3).tanh()
    >>> len(backward_frames(y))    # seed, tanh, *
    3
    """
    if "highlight" in options:
        raise TypeError("backward_frames highlights each step itself; do not pass highlight=")
    opts = _options(**{**_DEFAULTS, **_checked_keywords(options)})
    order = topological_order(root)
    n_steps = sum(1 for v in order if v._edges)
    grads: dict[Value, float] = {root: 1.0}
    frames = [
        _build(
            order,
            opts,
            grad_of=grads.get,
            path=set(),
            caption=f"backward step 0/{n_steps}: seed ∂root/∂root = 1",
        )
    ]
    step = 0
    for v in reversed(order):
        edges = v._edges
        if not edges:
            continue
        step += 1
        g = grads.get(v, 0.0)
        for i in range(0, len(edges), 2):  # the chain rule, as Value.backward applies it
            p = edges[i]
            grads[p] = grads.get(p, 0.0) + edges[i + 1] * g
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
}


def _checked_keywords(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(_DEFAULTS))
    if unknown:
        raise TypeError(f"unexpected drawing option(s): {', '.join(unknown)}")
    return dict(options)


# --------------------------------------------------------------------------------------
# Saving pictures (atomic writes)
# --------------------------------------------------------------------------------------


def save(graph: graphviz.Digraph, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``graph`` to ``path`` as svg, png, pdf (rendered by Graphviz) or gv/dot (source).

    The format comes from ``fmt`` or else from the file suffix.  The file is written to a
    temporary file in the same directory and moved into place with ``os.replace``, so a
    failure never leaves a half-written picture.

    Raises:
        ValueError: unknown format.  GraphvizNotFoundError: ``dot`` missing (not for gv/dot).
        OSError: the path cannot be written.
    """
    path = Path(path)
    fmt = picture_format(path, fmt)
    data = graph.source.encode("utf-8") if fmt in ("gv", "dot") else _pipe(graph, fmt)
    write_atomic(path, lambda f: f.write(data))
    return path


def save_frames(
    frames: Sequence[graphviz.Digraph],
    path: str | os.PathLike[str],
    *,
    fmt: str = "svg",
    duration_ms: int = 800,
) -> list[Path]:
    """Save backward frames: an animated GIF if ``path`` ends in ``.gif``, else one file per
    frame, ``frame_000.<fmt>``, ``frame_001.<fmt>``, … in the directory ``path``.

    The GIF is made with Pillow (installed with matplotlib); frames of different sizes are
    placed on a white canvas of the largest size.

    Returns:
        The paths written.
    """
    if not frames:
        raise ValueError("save_frames: no frames to save")
    path = Path(path)
    if path.suffix.lower() == ".gif":
        if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or duration_ms <= 0:
            raise ValueError(f"duration_ms must be a positive int, got {duration_ms!r}")
        gif = _gif_bytes(frames, duration_ms)
        write_atomic(path, lambda f: f.write(gif))
        return [path]
    if fmt not in FORMATS:
        raise ValueError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
    path.mkdir(parents=True, exist_ok=True)
    return [save(f, path / f"frame_{i:03d}.{fmt}", fmt) for i, f in enumerate(frames)]


def _gif_bytes(frames: Sequence[graphviz.Digraph], duration_ms: int) -> bytes:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        raise ImportError("saving a GIF needs Pillow (pip install pillow)") from None
    images = [Image.open(io.BytesIO(_pipe(f, "png"))).convert("RGBA") for f in frames]
    width = max(im.width for im in images)
    height = max(im.height for im in images)
    canvases = []
    for im in images:
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


def _pipe(graph: graphviz.Digraph, fmt: str) -> bytes:
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise _not_found() from None
    except graphviz.CalledProcessError as e:
        detail = (e.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise GraphvizError(
            f"Graphviz failed to render {fmt}: {detail[0] if detail else e}"
        ) from None


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
        if v._edges and any(p in on_path for p in v._edges[0::2]):
            on_path.add(v)
    return on_path


def _neuron_key(v: Value) -> tuple[int, int] | None:
    """(l, j) for a node ``nn`` tagged as part of neuron j of layer l, else None."""
    t = v.tag
    if type(t) is tuple and len(t) >= 3 and t[0] in _NEURON_PARTS:
        layer, j = t[1], t[2]
        if type(layer) is int and type(j) is int:
            return (layer, j)
    return None


def _tag_name(v: Value) -> str:
    """A name from an nn tag: z[0][1] is mlp.layers[0].neurons[1]'s weighted input."""
    t = v.tag
    if type(t) is tuple and t and t[0] in ("z", "a", "w", "b", "x"):
        if all(type(i) is int for i in t[1:]):
            return t[0] + "".join(f"[{i}]" for i in t[1:])
    return ""


def _kind(v: Value) -> str:
    t = v.tag
    return t[0] if type(t) is tuple and t and isinstance(t[0], str) else ""


def _neuron_groups(order: list[Value]) -> dict[Value, tuple[int, int]]:
    """Map each node of an nn neuron to (layer, j): its tagged nodes, plus the untagged op nodes
    between them (the * and + nodes of a z built with ``z="elementary"``)."""
    groups: dict[Value, tuple[int, int]] = {}
    for v in order:
        key = _neuron_key(v)
        if key is not None:
            groups[v] = key
    for v in order:
        if _kind(v) in ("z", "a") and v in groups:
            key = groups[v]
            stack = list(v._edges[0::2])
            while stack:
                p = stack.pop()
                if p.tag is None and p._edges and p not in groups:
                    groups[p] = key
                    stack.extend(p._edges[0::2])
    return groups


def _escape(text: str) -> str:
    """Escape a string for a record label field."""
    return re.sub(r'([\\{}|<>"])', r"\\\1", text.replace("\n", " "))


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
        self.groups = _neuron_groups(order) if (opts.clusters or opts.collapse) else {}
        self.collapsed = bool(self.groups) and opts.collapse == "neurons"
        grads = [abs(g) for g in map(grad_of, order) if g is not None]
        self.max_grad = max(grads, default=0.0)

    # -- ids and text --------------------------------------------------------------------

    def vid(self, v: Value) -> str:
        if self.collapsed and v in self.groups:
            layer, j = self.groups[v]
            return f"n{layer}_{j}"
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

    def value_node(self, g: graphviz.Digraph, v: Value) -> None:
        title = v.label or _tag_name(v)
        fields = [_escape(title)] if title else []
        fields.append(f"data {self.num(v.data)}")
        is_z = _kind(v) == "z" and self.opts.clusters
        if self.opts.show_grad:
            fields.append(("δ = grad " if is_z else "grad ") + self.grad_text(v))
        attrs: dict[str, str] = {}
        fill = self.fill(v)
        if fill:
            attrs.update(style="filled", fillcolor=fill)
        if is_z:
            attrs.update(color=_Z_COLOUR, penwidth="2")
        if v in self.path or v is self.current:
            attrs.update(color=_PATH_COLOUR, penwidth="2.5")
        g.node(self.vid(v), graphviz.nohtml("{ " + " | ".join(fields) + " }"), **attrs)
        if v._edges:
            op_attrs = {"shape": "ellipse", "fontsize": "10", "margin": "0.03,0.02"}
            if v in self.path or v is self.current:
                op_attrs.update(color=_PATH_COLOUR, penwidth="2.5")
            g.node(self.vid(v) + "op", graphviz.nohtml(v.op.replace("\\", "\\\\")), **op_attrs)

    def neuron_box(self, g: graphviz.Digraph, key: tuple[int, int], members: list[Value]) -> None:
        layer, j = key
        fields = [f"layers[{layer}].neurons[{j}]"]
        n_weights = sum(1 for m in members if _kind(m) == "w")
        has_bias = any(_kind(m) == "b" for m in members)
        fields.append(f"{n_weights} weights" + (" + bias" if has_bias else ""))
        for m in members:
            kind = _kind(m)
            if kind == "z":
                fields.append(f"z {self.num(m.data)}")
                if self.opts.show_grad:
                    fields.append(f"δ {self.grad_text(m)}")
        for m in members:
            if _kind(m) == "a":
                fields.append(f"a {self.num(m.data)}")
                if self.opts.show_grad:
                    fields.append(f"grad {self.grad_text(m)}")
        attrs = {"color": _Z_COLOUR, "penwidth": "2"}
        z = [m for m in members if _kind(m) == "z"]
        fill = self.fill(z[0]) if z else None
        if fill:
            attrs.update(style="filled", fillcolor=fill)
        if any(m in self.path or m is self.current for m in members):
            attrs.update(color=_PATH_COLOUR, penwidth="2.5")
        g.node(f"n{layer}_{j}", graphviz.nohtml("{ " + " | ".join(fields) + " }"), **attrs)

    def edges(self) -> list[tuple[str, str, dict[str, str]]]:
        out: list[tuple[str, str, dict[str, str]]] = []
        seen: set[tuple[str, str]] = set()
        for v in self.order:
            e = v._edges
            if not e:
                continue
            inside = self.collapsed and v in self.groups
            target = self.vid(v) if inside else self.vid(v) + "op"
            for i in range(0, len(e), 2):
                p, d = e[i], e[i + 1]
                source = self.vid(p)
                if source == target:  # an edge inside a collapsed neuron
                    continue
                attrs: dict[str, str] = {}
                if inside:  # collapsed neuron: one edge per distinct input
                    if (source, target) in seen:
                        continue
                    seen.add((source, target))
                elif self.opts.show_local_grads:
                    attrs["label"] = self.num(d)
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

    def count(self) -> tuple[int, int]:
        """(value boxes, op ovals) this drawing will have."""
        if self.collapsed:
            free = [v for v in self.order if v not in self.groups]
            boxes = len(set(self.groups.values()))
            return boxes + len(free), sum(1 for v in free if v._edges)
        return len(self.order), sum(1 for v in self.order if v._edges)

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
    b = _Builder(order, opts, grad_of, path, current)
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
    layers: dict[int, dict[int, list[Value]]] = {}
    for v in order:
        if v in b.groups:
            layer, j = b.groups[v]
            layers.setdefault(layer, {}).setdefault(j, []).append(v)
    for layer in sorted(layers):
        with g.subgraph(name=f"cluster_layer{layer}") as lc:
            lc.attr(label=f"layers[{layer}]", style="rounded", color="#888888", fontsize="11")
            for j in sorted(layers[layer]):
                members = layers[layer][j]
                if b.collapsed:
                    b.neuron_box(lc, (layer, j), members)
                    continue
                with lc.subgraph(name=f"cluster_layer{layer}_neuron{j}") as nc:
                    nc.attr(label=f"neurons[{j}]", style="dashed", color="#aaaaaa", fontsize="10")
                    for v in members:
                        b.value_node(nc, v)
    for source, target, attrs in b.edges():
        g.edge(source, target, **attrs)
    if opts.color_by_grad:
        b.legend(g)
    return g


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
