"""What to call a node that has no name, so a formula or a chain-rule line can name it.

A drawing names a node by its annotation or label (:func:`~micrograd_like.viz.describe_nodes`);
many nodes have neither.  :func:`node_names` calls an unnamed number by its value (``3``) and
an unnamed op node by what it computes over its parents' names (``x·w + b``) while that is
short.  The drawings' edge formulas (:func:`~micrograd_like.viz.draw_dot` with
``show_local_grads``) and the interactive page (:func:`~micrograd_like.explore_page.explore`)
both name nodes this way, so they agree.

>>> from micrograd_like import Value, topological_order
>>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
>>> order = topological_order((x * w + 1).tanh())
>>> node_names(order, [v.label for v in order])[-1]
'tanh(x·w + 1)'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from micrograd_like import ops
from micrograd_like.engine import Value

__all__ = ["node_names", "op_text"]


def node_names(order: Sequence[Value], given: Sequence[str],
               fallback: Callable[[int, Value], str] | None = None) -> list[str]:
    """A name for each node of ``order`` (a topological order, parents first).

    ``given[i]`` is the name the drawings give ``order[i]`` ("" for none: see
    :func:`~micrograd_like.viz.describe_nodes`) and is kept.  An unnamed leaf is called by
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
    text = ops.op_formula(v, names=marks)
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
        # ² after a bracket squares it; in a³₁ the ³ is part of the name (Nielsen's layer)
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
