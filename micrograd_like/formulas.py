"""An op's formulas as text, for documentation, drawings and the explore page.

Each rule in :data:`micrograd_like.ops.RULES` carries its formula and its local derivatives
as text over the rule's symbols (``a·b``; ``∂/∂a = b``); these functions write them for one
node, with the symbols replaced by the names of the node's parents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from micrograd_like.ops import NARY, rule, subscript, symbols

if TYPE_CHECKING:
    from micrograd_like.engine import Value

__all__ = ["op_formula", "partial_formulas"]


def op_formula(v: Value, names: Sequence[str] | None = None) -> str:
    """The forward formula of the op that made ``v``, over :func:`symbols` (``""`` for a leaf).

    With ``names`` (one per parent), each symbol is replaced by its parent's name, as in
    :func:`partial_formulas`.

    >>> from micrograd_like import Value
    >>> op_formula(Value(2.0) * Value(3.0)), op_formula(Value(0.5).tanh())
    ('a·b', 'tanh(x)')
    >>> op_formula(Value(2.0) * Value(3.0), names=["w", "x + b"])
    'w·(x + b)'
    >>> from micrograd_like import dot
    >>> op_formula(dot([Value(1.0), Value(2.0)], [3.0, 4.0], plus=0.5), ["w", "v", "x", "y", "b"])
    'w·x + v·y + b'
    >>> from micrograd_like import apply
    >>> op_formula(apply("logsumexp", Value(1.0), Value(2.0)), ["z₁", "z₂"])
    'ln(e^z₁ + e^z₂)'
    """
    if not v.op:
        return ""
    op = rule(v.op)
    if names is None:
        return op.formula
    names = list(names)
    if len(names) != len(v.parents):
        raise ValueError(f"op_formula: {len(v.parents)} parents but {len(names)} names")
    if op.name == "dot":  # written out term by term: w₁·x₁ + w₂·x₂ + b
        k = len(names) // 2
        terms = [_substitute("a·b", {"a": w, "b": x}) for w, x in zip(names[:k], names[k:2 * k])]
        return " + ".join(terms + names[2 * k:])
    if op.name == "logsumexp":  # ln(e^x₁ + e^x₂ + …)
        return f"ln({' + '.join(_substitute('e^x', {'x': name}) for name in names)})"
    if op.arity == NARY:  # a sum, x₁ + x₂ + x₃
        return " + ".join(names)
    return _substitute(op.formula, dict(zip(symbols(op, len(names)), names)))


def partial_formulas(v: Value, names: Sequence[str] | None = None) -> tuple[str, ...]:
    """For each parent of ``v``, in order, the text of ``∂v/∂parent`` (empty for a leaf).

    Each text is the right-hand side only, written over :func:`symbols`: ``x`` for a
    one-input op, ``a`` and ``b`` for two inputs, ``w₁…wₙ, x₁…xₙ, b`` for ``dot``.  For
    ``v = a*b`` the result is ``("b", "a")``, read "∂v/∂a = b, ∂v/∂b = a".  With ``names``
    (one per parent, in order) each symbol is replaced by its parent's name, put in
    parentheses when it is a compound expression (``x·w + b``) not already bracketed.

    >>> from micrograd_like import Value, dot
    >>> a, b = Value(2.0), Value(3.0)
    >>> partial_formulas(a * b), partial_formulas(a.tanh()), partial_formulas(a ** 3)
    (('b', 'a'), ('1 − tanh²(x)',), ('3·x²',))
    >>> partial_formulas(dot([a, b], [1.0, 2.0], plus=0.5))
    ('x₁', 'x₂', 'w₁', 'w₂', '1')
    >>> partial_formulas(a / b, names=["u", "x·w + b"])
    ('1/(x·w + b)', '−u/(x·w + b)²')
    >>> from micrograd_like import apply
    >>> partial_formulas(apply("logsumexp", a, b), names=["z₁", "z₂"])
    ('e^(z₁ − out)', 'e^(z₂ − out)')
    """
    if not v.op:
        return ()
    op = rule(v.op)
    n = len(v.parents)
    if op.name == "dot":
        k = n // 2
        texts: tuple[str, ...] = (*(f"x{subscript(i)}" for i in range(1, k + 1)),
                                  *(f"w{subscript(i)}" for i in range(1, k + 1)),
                                  *(("1",) if n % 2 else ()))
    elif op.arity == NARY:  # one text for all; k is the input's index: e^(xₖ − out), e^(x₂ − out)
        texts = tuple(op.partial_text[0].replace("ₖ", subscript(i)) for i in range(1, n + 1))
    else:
        texts = op.partial_text
    if names is None:
        return texts
    names = list(names)
    if len(names) != n:
        raise ValueError(f"partial_formulas: {n} parents but {len(names)} names")
    return tuple(_substitute(t, dict(zip(symbols(op, n), names))) for t in texts)


_SYMBOL_CHARS = "A-Za-z0-9_₀-₉"


def _substitute(text: str, names: dict[str, str]) -> str:
    """Replace each whole-word symbol in ``text`` by its name, bracketing compound names."""
    if not names:
        return text
    pattern = re.compile(
        rf"(?<![{_SYMBOL_CHARS}])("
        + "|".join(re.escape(s) for s in sorted(names, key=len, reverse=True))
        + rf")(?![{_SYMBOL_CHARS}])")

    def replace(match: re.Match[str]) -> str:
        name = names[match.group(1)]
        simple = re.fullmatch(r"[\w.′]+", name) or (name[:1] == "(" and name[-1:] == ")")
        s, e = match.start(), match.end()
        inside = text[s - 1:s] == "(" and text[e:e + 1] == ")"
        return name if simple or inside else f"({name})"

    return pattern.sub(replace, text)
