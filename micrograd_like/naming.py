"""What every view calls a node and its gradient: from annotations, labels or what it computes.

:func:`describe_nodes` gives each node of a graph the texts every view shows (the drawings of
:mod:`micrograd_like.viz`, the interactive page of :mod:`micrograd_like.explore_page`): its name
from its annotation (:mod:`micrograd_like.annotation`) or label, its cluster, and the name
of its gradient, which depends on the root.  Many nodes have no name; :func:`node_names`
calls an unnamed number by its value (``3``) and an unnamed op node by what it computes over
its parents' names (``x·w + b``) while that is short, so that a formula or a chain-rule
line can name every node, and the drawing and the page agree.

>>> from micrograd_like import Value, topological_order
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> order = topological_order((x * w + 1).tanh())
>>> node_names(order, [v.label for v in order])[-1]
'tanh(x·w + 1)'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from micrograd_like import formulas
from micrograd_like.annotation import annotation_of, text_of
from micrograd_like.engine import Value, topological_order

__all__ = ["NodeText", "describe_nodes", "node_names", "op_text"]


@dataclass(frozen=True)
class NodeText:
    """The texts a view shows for one node (from :func:`describe_nodes`).

    Attributes:
        name: the box's title: the annotation's name in the notation, else the label ("").
        grad_name: what ``node.grad`` is, mathematically: the name the annotation gives it
            under this root's role (``grad_names``), else ``"∂root/∂node"`` written out when
            both have names (``"∂U/∂x"``), else ``"grad"``; None for a constant.
        cluster: the boxes the node is drawn in, outermost first.
        kind: the annotation's kind ("", "input", "parameter" or "constant").
        role: the annotation's role, as its builder wrote it ("" if none).
        special_grad: the annotation named the gradient for this root: drawn emphasised.
    """

    name: str
    grad_name: str | None
    cluster: tuple[str, ...]
    kind: str
    role: str
    special_grad: bool

    @property
    def is_constant(self) -> bool:
        """A number nothing learns: drawn in the constant style, with no gradient."""
        return self.kind == "constant"


def describe_nodes(root: Value, *, notation: str | None = None) -> dict[Value, NodeText]:
    """What every node of ``root``'s graph is called, with the meaning of its gradient.

    One function for every view of a graph (draw_dot, backward_frames, the interactive
    page), so they all say the same thing.  Names come from annotations in ``notation``
    (None: each name's default), else from labels.  A gradient is named by the root: a node
    whose annotation has a name for the root's role gets it; otherwise it is ``∂root/∂node``,
    because after ``root.backward()`` that is what it holds.

    An unannotated op node whose consumers are all in one cluster (the ``*`` and ``+`` of a
    sum built from elementary ops) is put in that cluster; one that feeds several stays out.

    >>> from micrograd_like import Value
    >>> from micrograd_like.annotation import annotate
    >>> x = annotate(Value(0.5), kind="input", name="x", grad_names={"energy": "−F"})
    >>> U = annotate(x * x, role="energy", name="U")
    >>> describe_nodes(U)[x].grad_name                 # named by the root's role
    '−F'
    >>> describe_nodes(annotate(x * 3, name="y"))[x].grad_name
    '∂y/∂x'
    """
    if notation is not None and not isinstance(notation, str):
        raise TypeError(f"notation must be a str or None, got {type(notation).__name__}")
    return describe_order(topological_order(root), notation)


def describe_order(order: list[Value], notation: str | None) -> dict[Value, NodeText]:
    """:func:`describe_nodes` for a graph already in topological order (root last)."""
    root = order[-1]
    root_note = annotation_of(root)
    root_role = root_note.role if root_note else ""
    root_name = (text_of(root_note.name, notation) if root_note else "") or root.label
    clusters: dict[Value, tuple[str, ...]] = {}
    for v in order:
        note = annotation_of(v)
        if note is not None and note.cluster:
            clusters[v] = tuple(text_of(c, notation) for c in note.cluster)
    consumers_in: dict[Value, set[tuple[str, ...] | None]] = {}  # node -> its consumers' clusters
    for v in reversed(order):  # every consumer of v comes before v
        found = consumers_in.get(v, set())
        only = next(iter(found)) if len(found) == 1 else None
        if only is not None and v.tag is None and not v.is_leaf:
            clusters[v] = only
        for p in v.parents:
            consumers_in.setdefault(p, set()).add(clusters.get(v))
    out: dict[Value, NodeText] = {}
    for v in order:
        note = annotation_of(v)
        if note is None:
            out[v] = NodeText(v.label, "grad", clusters.get(v, ()), "", "", False)
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
        out[v] = NodeText(name, grad_name, clusters.get(v, ()), note.kind, note.role, special)
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


def node_names(order: Sequence[Value], given: Sequence[str],
               fallback: Callable[[int, Value], str] | None = None) -> list[str]:
    """A name for each node of ``order`` (a topological order, parents first).

    ``given[i]`` is the name the drawings give ``order[i]`` ("" for none: see
    :func:`describe_nodes`) and is kept.  An unnamed leaf is called by
    its value (``3``: a number in the expression), an unnamed op node by what it computes
    (:func:`op_text`, ``x·w``) while that is at most 24 characters, else by its place in
    ``order`` (``v7``) or by ``fallback(i, v)`` when given.

    >>> from micrograd_like import Value, topological_order
    >>> a = Value(2.0, label="a")
    >>> order = topological_order(a * 3)
    >>> node_names(order, [v.label for v in order])    # 3 and a·3 have no label
    ['3', 'a', 'a·3']
    """
    index = {v: i for i, v in enumerate(order)}
    names: list[str] = []
    for i, v in enumerate(order):
        name = given[i]
        if not name and not v.parents:
            name = format(v.data, ".6g")
        elif not name:
            expr = op_text(v, names, index)
            name = expr if len(expr) <= 24 else ""
        names.append(name or (fallback(i, v) if fallback else f"v{i}"))
    return names


def op_text(v: Value, names: Sequence[str], index: dict[Value, int]) -> str:
    """What ``v`` computes, over its parents' names (``names[index[p]]``): the op table's
    formula (``a·b``, ``tanh(x)``, ``max(0, x)``) with each symbol replaced, brackets only
    where precedence needs them; ``dot`` and ``sum`` written out term by term
    (``w₁·x₁ + w₂·x₂ + b``) instead of the table's ``Σₖ``.

    >>> from micrograd_like import Value
    >>> x, y = Value(2.0), Value(3.0)
    >>> s = x + y
    >>> op_text(s * x, ["x", "y", "x + y"], {x: 0, y: 1, s: 2})
    '(x + y)·x'
    """
    ps = [names[index[p]] for p in v.parents]
    if v.op == "dot":
        n = len(ps) // 2
        terms = " + ".join(f"{_group(ps[k])}·{_group(ps[n + k])}" for k in range(n))
        return terms + (f" + {ps[-1]}" if len(ps) % 2 else "")
    if v.op == "sum":
        return " + ".join(ps)
    # The table's own substitution finds the symbols; brackets are then placed by precedence,
    # so that max(0, x·3 + 1) and a·b·c keep no brackets they do not need.
    marks = [f"ζ{k}" for k in range(len(ps))]
    text = formulas.op_formula(v, names=marks)
    return re.sub(r"ζ(\d+)", lambda m: _operand(ps[int(m.group(1))], v.op, text, m), text)


def _operand(name: str, op: str, text: str, at: re.Match[str]) -> str:
    """``name`` as it stands at ``at`` in the formula ``text``, bracketed if it must be."""
    top = _top_level(name)
    if not top:  # a name or a bracketed group: one unit anywhere
        return name
    before, after = text[: at.start()].rstrip(), text[at.end():].lstrip()
    if before.endswith(("(", ",")) and after.startswith((")", ",")):
        return name  # a function's argument: tanh(x·w + b)
    if op == "+" or (op == "*" and " " not in top):
        return name  # a + b takes any terms; a product of products needs no brackets
    return f"({name})"


def _top_level(name: str) -> str:
    """The characters of ``name`` outside its brackets that can bind (space, ·, /, ^, ²…)."""
    out, depth = [], 0
    for i, ch in enumerate(name):
        depth += (ch == "(") - (ch == ")")
        # ² after a bracket squares it; in a³₁ the ³ is part of the name (a superscript index)
        if depth == 0 and (ch in " ·/^*−-" or (ch in "²³" and name[i - 1:i] == ")")):
            out.append(ch)
    return "".join(out)


def _group(name: str) -> str:
    """``name`` in brackets if it is a sum or difference, for use inside a product."""
    depth = 0
    for ch in name:
        depth += (ch == "(") - (ch == ")")
        if ch == " " and depth == 0:
            return f"({name})"
    return name
