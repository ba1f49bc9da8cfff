"""Building a drawing's DOT source: boxes, op ovals, edges, clusters, colours, the size guard.

:func:`draw` turns a graph in topological order into a :class:`Drawing` (a
:class:`graphviz.Digraph`): each Value a record box ``{ name | data | grad }``, each op an
oval between its inputs and its output.  Annotations (:mod:`micrograd_like.annotation`) steer
it generically: a node is drawn inside the boxes of its ``cluster``, a ``"constant"`` grey
without a gradient, a gradient the annotation names for this root (``grad_names``) with an
emphasised border.  With ``collapse=True`` each innermost cluster becomes one box showing its
number of parameters and each named op node's value and gradient.  Node ids come from the
topological order (``v0, v1, ...``), never ``id()``, so the same graph always gives
byte-identical source.  Nothing here changes a Value.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

import graphviz

from micrograd_like import formulas
from micrograd_like.engine import Value
from micrograd_like.naming import NodeText, describe_order, node_names
from micrograd_like.pictures import GraphvizNotFoundError, svg_data_uri, svg_size

__all__ = [
    "DEFAULT_MAX_NODES",
    "MAX_PRECISION",
    "Builder",
    "Drawing",
    "GraphTooLargeError",
    "NodeBox",
    "Options",
    "check_number_format",
    "draw",
]

DEFAULT_MAX_NODES = 500
"""Drawings with more nodes (value boxes + op ovals) than this raise GraphTooLargeError."""

# Fill colours by |grad| / max |grad| (ColorBrewer "Oranges", light to dark); 0 stays white.
_GRAD_FILLS = ("#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d")
_ZERO_FILL = "#ffffff"
_PATH_COLOUR = "#d62728"  # highlighted path, and the current step of a backward frame
_NAMED_GRAD_COLOUR = "#1f5fa8"  # border of nodes whose grad the annotation names for this root
# Constants: grey, no gradient (nothing is learned there).
_CONSTANT_STYLE = {"style": "filled", "fillcolor": "#eeeeee", "color": "#999999",
                   "fontcolor": "#555555"}


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``; the message says how to get past it."""

    def __init__(self, message: str, n_nodes: int, max_nodes: int) -> None:
        super().__init__(message)
        self.n_nodes = n_nodes
        self.max_nodes = max_nodes


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` whose ``pipe``/``render`` (and so Jupyter display) raise
    :class:`GraphvizNotFoundError`, with the way to install Graphviz, when ``dot`` is missing.

    In a notebook it shows as SVG, and as HTML holding the same SVG as an ``<img>``: a
    notebook JupyterLab does not trust (one downloaded, not yet run) shows no stored SVG, but
    does show that HTML, sanitized, and so the picture.  (A PNG beside the SVG would do too,
    at several times the size: a notebook of twelve drawings grew from 0.7 to 4.5 MB.)
    """

    def _repr_mimebundle_(self, include: Iterable[str] | None = None,
                          exclude: Iterable[str] | None = None, **_: Any) -> dict[str, str]:
        wanted = set(include) if include is not None else {_SVG_TYPE, _HTML_TYPE}
        wanted -= set(exclude or ())
        if not wanted & {_SVG_TYPE, _HTML_TYPE}:
            return {}
        svg = self.pipe(format="svg", encoding="utf-8")
        data: dict[str, str] = {}
        if _SVG_TYPE in wanted:
            data[_SVG_TYPE] = svg
        if _HTML_TYPE in wanted:
            width, height = svg_size(svg)
            data[_HTML_TYPE] = (f'<img src="{svg_data_uri(svg)}" width="{width}" '
                                f'height="{height}" alt="a computation graph">')
        return data

    def __iter__(self, subgraph: bool = False) -> Iterator[str]:
        # every line of DOT, whatever text it came from, without control characters
        for line in super().__iter__(subgraph=subgraph):
            yield _printable(line)

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError() from None

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError() from None


_SVG_TYPE, _HTML_TYPE = "image/svg+xml", "text/html"

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
class Options:
    """The drawing options of :func:`~micrograd_like.viz.draw_dot` (see there), checked."""

    rankdir: str = "LR"
    number_format: str = ".4f"
    show_grad: bool = True
    color_by_grad: bool = False
    show_local_grads: bool = False
    clusters: bool = True
    collapse: bool = False
    max_nodes: int = DEFAULT_MAX_NODES
    notation: str | None = None

    def __post_init__(self) -> None:
        if self.rankdir not in ("LR", "TB", "RL", "BT"):
            raise ValueError(f"rankdir must be 'LR' (left to right) or 'TB' (top to bottom), "
                             f"got {self.rankdir!r}")
        check_number_format(self.number_format)
        if not isinstance(self.collapse, bool):
            raise ValueError(f"collapse must be True (each innermost cluster drawn as one box) "
                             f"or False, got {self.collapse!r}")
        if isinstance(self.max_nodes, bool) or not isinstance(self.max_nodes, int) \
                or self.max_nodes < 1:
            raise ValueError(f"max_nodes must be a positive int, got {self.max_nodes!r}")
        if self.notation is not None and not isinstance(self.notation, str):
            raise TypeError(f"notation must be a str or None, got {type(self.notation).__name__}")

    @classmethod
    def from_keywords(cls, options: Mapping[str, Any]) -> Options:
        """Options from keyword arguments; TypeError naming any that is not an option."""
        unknown = sorted(set(options) - {f.name for f in fields(cls)})
        if unknown:
            raise TypeError(f"unexpected drawing option(s): {', '.join(unknown)}")
        return cls(**options)


@dataclass(frozen=True)
class NodeBox:
    """Where one node shows in a drawing (see :func:`~micrograd_like.viz.layout`).

    Attributes:
        node_id: the DOT node that shows it: ``v3`` (its index in topological order), or a
            collapsed cluster's box (``n0_1``) for a node inside one.  Graphviz's SVG titles
            each node's group with this id.
        op_id: the DOT node of its op oval (``v3op``); None for a leaf, or inside a collapsed
            cluster.
        data_field: which field of the ``node_id`` box shows its data, counted from 0 (the
            record's fields, or the collapsed box's cells, in order: one SVG text each);
            None when it has no field of its own (a leaf or unnamed op inside a collapsed
            cluster).
        grad_field: which field shows its gradient; None when none is drawn (a constant,
            see :attr:`NodeText.is_constant`, or ``show_grad=False``).
    """

    node_id: str
    op_id: str | None
    data_field: int | None
    grad_field: int | None


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-"))
    except ValueError:
        return False
    return True


def _html_text(text: str) -> str:
    """Text for an HTML-like label cell: markup escaped, control characters made visible."""
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)
    return html.escape(text, quote=True)


def _natural(text: str) -> tuple:
    """Sort key that orders "box 2" before "box 10"."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


def _escape(text: str) -> str:
    """Escape a string for a record label field.

    Graphviz (2.43) drops a space that comes before a field's first ASCII character, so
    "λ₁ = 0.5" was drawn "λ₁= 0.5"; such spaces are written as no-break spaces.

    >>> _escape("λ₁ = 0.5") == "λ₁\u00a0= 0.5", _escape("a|b = 1")
    (True, 'a\\\\|b = 1')
    """
    text = text.replace("\n", " ")
    lead = re.match(r"[^\x21-\x7e]*", text)
    head = lead.group(0).replace(" ", "\u00a0") if lead else ""
    return re.sub(r'([\\{}|<>"])', r"\\\1", head + text[len(head):])


class Builder:
    """Turns one graph into DOT; the node id of a Value is its index in topological order."""

    def __init__(
        self,
        order: list[Value],
        opts: Options,
        grad_of: Callable[[Value], float | None],
        path: set[Value] | frozenset[Value] = frozenset(),
        current: Value | None = None,
    ) -> None:
        self.order = order
        self.opts = opts
        self.grad_of = grad_of
        self.path = path
        self.current = current
        self.index = {v: i for i, v in enumerate(order)}
        self.texts = describe_order(order, opts.notation)
        use_clusters = opts.clusters or opts.collapse
        self.groups = {v: t.cluster for v, t in self.texts.items() if t.cluster and use_clusters}
        self.collapsed = bool(self.groups) and opts.collapse
        # innermost clusters in drawing order (natural order of their names: 2 before 10)
        self.boxes = sorted(set(self.groups.values()), key=lambda c: tuple(map(_natural, c)))
        self.box_id = {c: "n" + "_".join(str(i) for i in _path_ids(c, self.boxes))
                       for c in self.boxes}
        self.members: dict[tuple[str, ...], list[Value]] = {}  # cluster -> nodes, in order
        for v in order:
            if v in self.groups:
                self.members.setdefault(self.groups[v], []).append(v)
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
        """"∂U/∂x = 0.4200", a name the annotation gives it ("−F = 0.4200") or, for an
        unnamed gradient, "grad 0.4200"."""
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
            attrs.update(color=_NAMED_GRAD_COLOUR, penwidth="2")
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
        and how many parameters it holds (node None), then each named op node in
        topological order: "data", then "grad".  Its leaves and unnamed ops get no cell."""
        texts = [self.texts[m] for m in members]
        fields: list[tuple[Value | None, str, str]] = [(None, "name", cluster[-1])]
        n = sum(t.kind == "parameter" for t in texts)
        if n:
            fields.append((None, "count", f"{n} parameter{'s' if n > 1 else ''}"))
        for m, t in zip(members, texts):
            if t.name and not m.is_leaf:
                fields.append((m, "data", f"{t.name} = {self.num(m.data)}"))
                if self.opts.show_grad and t.grad_name is not None:
                    fields.append((m, "grad", self.grad_field(t, m)))
        return fields

    def cluster_box(self, g: graphviz.Digraph, cluster: tuple[str, ...],
                    members: list[Value]) -> None:
        """A whole innermost cluster as one box (:meth:`cluster_fields`).

        An HTML-like table rather than a record: a rank of records cannot be held in order
        by invisible edges (Graphviz drops flat edges between records), a table can."""
        texts = [self.texts[m] for m in members]
        fields = [f for _, _, f in self.cluster_fields(cluster, members)]
        colour, width = "#000000", "1"
        special = [m for m, t in zip(members, texts) if t.special_grad]
        if special:
            colour, width = _NAMED_GRAD_COLOUR, "2"
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
            local: tuple[str, ...] = ()
            if self.opts.show_local_grads and not inside:
                names = [self.edge_names[self.index[p]] for p in v.parents]
                local = formulas.partial_formulas(v, names)
            for i, (p, d) in enumerate(zip(v.parents, v.local_grads)):
                source = self.vid(p)
                if source == target:  # an edge inside a collapsed cluster
                    continue
                attrs: dict[str, str] = {}
                if inside:  # collapsed cluster: one edge per distinct input
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
        for v in self.order:
            inside = self.collapsed and v in self.groups
            at[v] = {} if inside else {what: k for k, (what, _) in enumerate(self.value_fields(v))}
        for cluster, group in self.members.items():
            for k, (m, what, _) in enumerate(self.cluster_fields(cluster, group)):
                if m is not None and self.collapsed:
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


def draw(b: Builder, caption: str | None = None) -> Drawing:
    """The drawing ``b`` describes, titled ``caption``; GraphTooLargeError past max_nodes."""
    order, opts = b.order, b.opts
    n_values, n_ops = b.count()
    if n_values + n_ops > opts.max_nodes:
        raise _too_large(n_values, n_ops, opts, has_clusters=bool(b.groups))
    g = Drawing(name="graph", node_attr={"shape": "record", "fontsize": "11"})
    g.attr(rankdir=opts.rankdir)
    if caption is not None:
        g.attr(label=caption, labelloc="t", fontsize="12")

    for v in order:
        if v not in b.groups:
            b.value_node(g, v)
    _draw_clusters(g, b, (), b.boxes)
    edges = b.edges()
    if b.collapsed:
        g.attr(remincross="false")  # a second crossing pass may rotate a chained rank
    for source, target, attrs in edges:
        g.edge(source, target, **attrs)
    if not b.members and _dummy_nodes(order) > _CONCENTRATE_ABOVE:
        # A value used by ops far apart (x + x + ... + x) makes dot route one long edge per
        # use through every rank between: tens of thousands of dummy nodes, minutes of
        # layout.  Merging edges that share a path keeps it to seconds (not with clusters,
        # where dot's concentrate is unreliable).
        g.attr(concentrate="true")
    if opts.color_by_grad:
        b.legend(g)
    return g


_CONCENTRATE_ABOVE = 1000


def _dummy_nodes(order: list[Value]) -> int:
    """About the number of dummy nodes dot adds for edges that skip ranks, in a drawing
    without clusters: Σ over edges p → op of (rank span − 1), a node's rank its longest
    path from a leaf (leaf 0, its op oval 1, its box 2, ...), as dot ranks them.

    >>> from micrograd_like import Value, topological_order
    >>> x = Value(1.0)
    >>> _dummy_nodes(topological_order(x * 2 + x))  # x → + spans the * oval and its box
    2
    """
    rank: dict[Value, int] = {}
    total = 0
    for v in order:  # parents first: their ranks are known
        op = 1 + max((rank[p] for p in v.parents), default=-1)
        total += sum(op - rank[p] - 1 for p in v.parents)
        rank[v] = op + 1 if v.parents else 0
    return total


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
    b: Builder,
    prefix: tuple[str, ...],
    boxes: list[tuple[str, ...]],
) -> None:
    """Draw the clusters under ``prefix`` (in natural order of their names), nested."""
    depth = len(prefix)
    heads = sorted({c[depth] for c in boxes if len(c) > depth and c[:depth] == prefix},
                   key=_natural)
    collapsed = [(*prefix, h) for h in heads if b.collapsed and (*prefix, h) in b.members
                 and sum(1 for c in boxes if c[:depth + 1] == (*prefix, h)) == 1]
    if len(collapsed) > 1:
        # Graphviz orders a rank's nodes to reduce crossings, which can put box 9 above
        # box 1; one rank chained by invisible edges keeps the boxes in numeric order.
        with g.subgraph() as same:
            same.attr(rank="same")
            for path in collapsed:
                b.cluster_box(same, path, b.members[path])
            # In a left-to-right drawing a rank runs bottom to top, so chain from the last
            # box to the first to read box 1, 2, ... downwards.
            chain = collapsed[::-1] if b.opts.rankdir in ("LR", "RL") else collapsed
            for first, second in pairwise(chain):
                same.edge(b.box_id[first], b.box_id[second], style="invis")
    for head in heads:
        path = (*prefix, head)
        inner = [c for c in boxes if c[:depth + 1] == path]
        if path in collapsed:
            if len(collapsed) == 1:
                b.cluster_box(g, path, b.members[path])
            continue
        cid = "cluster_" + "_".join(map(str, _path_ids(path, b.boxes)))
        with g.subgraph(name=cid) as sub:
            style = ("rounded", "#888888", "11") if depth == 0 else ("dashed", "#aaaaaa", "10")
            sub.attr(label=head, style=style[0], color=style[1],
                     fontsize=style[2])
            for v in b.members.get(path, []):
                b.value_node(sub, v)
            _draw_clusters(sub, b, path, inner)


def _too_large(n_values: int, n_ops: int, opts: Options, has_clusters: bool
               ) -> GraphTooLargeError:
    n = n_values + n_ops
    ways = [f"pass max_nodes={n} or more to draw it anyway (rendering may be slow)"]
    if has_clusters and not opts.collapse:
        ways.append("collapse=True to draw each innermost cluster as one box")
    else:
        ways.append("draw a smaller part of the graph (e.g. one cluster's output)")
    message = (
        f"the graph has {n} nodes to draw ({n_values} values, {n_ops} ops), "
        f"more than max_nodes={opts.max_nodes}: " + ", or ".join(ways)
    )
    return GraphTooLargeError(message, n, opts.max_nodes)
