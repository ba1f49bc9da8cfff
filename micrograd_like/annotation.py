"""Annotations: what the builder of a graph tells drawings and the tape about a node.

The engine only knows numbers and ops.  Whoever builds a graph knows more, and says so by
putting an :class:`Annotation` in a Value's ``tag`` (with :func:`annotate`).  Drawings
(:func:`micrograd_like.viz.describe_nodes`) and the tape read it without knowing who wrote it.

An annotation holds

* ``kind``: the one field this package interprets, one of :data:`KINDS`.  ``"input"`` is
  data that varies per example (the tape feeds it), ``"parameter"`` something learned (the
  tape refuses to freeze it), ``"constant"`` a number nothing learns (drawn grey, without a
  gradient); ``""`` is none of these.
* ``role``: a free-form word that belongs to the builder.  It is never tested here, only
  passed on: drawings report it, and ``grad_names`` are keyed by the root's role.
* ``name``: what to call the node; ``cluster``: the boxes it is drawn in, outermost first.
  Each is either a ``str`` or a mapping from a notation's name to a ``str``
  (``{"short": "x₁", "long": "x[0]"}``); the first entry is the default.
* ``grad_names``: what to call ``∂root/∂node`` when the root of the backward pass has a given
  role; under any other root the gradient is written out, ``∂root/∂node``.

A library on top fills these with its own words, for instance a physics model:

>>> from micrograd_like import Value
>>> x = annotate(Value(0.5), kind="input", role="position", name="x",
...              grad_names={"energy": "−F"})          # under U, ∂U/∂x is minus the force
>>> annotation_of(x).kind, text_of(annotation_of(x).grad_names["energy"], None)
('input', '−F')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from micrograd_like.engine import Value

__all__ = ["KINDS", "Annotation", "Text", "annotate", "annotation_of", "text_of"]

#: The kinds of node this package tells apart ("" for none of them).
KINDS = ("", "input", "parameter", "constant")

#: A name: the same in every notation (``str``) or one per notation (notation -> str).
Text = str | Mapping[str, str]


def text_of(text: Text, notation: str | None) -> str:
    """``text`` in ``notation``: a ``str`` as it is; a mapping's entry (its first if None).

    >>> text_of({"short": "x₁", "long": "x[0]"}, "long")
    'x[0]'
    >>> text_of("C", "short")
    'C'
    """
    if isinstance(text, str):
        return text
    if notation is None:
        return next(iter(text.values()), "")
    try:
        return text[notation]
    except KeyError:
        raise ValueError(
            f"notation {notation!r} is not one this graph is named in "
            f"(its names know {', '.join(map(repr, text))})"
        ) from None


def _check_text(text: object, what: str) -> None:
    if isinstance(text, str):
        return
    if not isinstance(text, Mapping) or not text or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in text.items()
    ):
        raise TypeError(f"annotation {what} must be a str or a non-empty mapping str -> str, "
                        f"got {text!r}")


@dataclass(frozen=True, eq=False)
class Annotation:
    """What a node is (see the module docstring).  Immutable; share one between nodes freely.

    >>> Annotation(kind="parameter", role="slope", name="m").kind
    'parameter'
    """

    kind: str = ""
    role: str = ""
    name: Text = ""
    cluster: tuple[Text, ...] = ()
    grad_names: Mapping[str, Text] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown annotation kind {self.kind!r}; expected one of "
                             f"{', '.join(map(repr, KINDS))}")
        if not isinstance(self.role, str):
            raise TypeError(f"annotation role must be a str, got {self.role!r}")
        _check_text(self.name, "name")
        if not isinstance(self.cluster, tuple):
            raise TypeError(f"annotation cluster must be a tuple, got {self.cluster!r}")
        for c in self.cluster:
            _check_text(c, "cluster entry")
        if not isinstance(self.grad_names, Mapping):
            raise TypeError(f"annotation grad_names must be a mapping role -> name, "
                            f"got {self.grad_names!r}")
        for role, text in self.grad_names.items():
            if not isinstance(role, str):
                raise TypeError(f"annotation grad_names: a root role must be a str, got {role!r}")
            _check_text(text, f"grad_names[{role!r}]")

    @property
    def is_constant(self) -> bool:
        """True for a number nothing learns: drawn without a gradient."""
        return self.kind == "constant"


def annotate(
    v: Value,
    kind: str = "",
    role: str = "",
    name: Text = "",
    cluster: tuple[Text, ...] = (),
    grad_names: Mapping[str, Text] | None = None,
) -> Value:
    """Put an :class:`Annotation` on ``v`` (replacing any tag) and return ``v``.

    >>> from micrograd_like import Value
    >>> U = annotate(Value(0.25), role="energy", name="U")
    >>> annotation_of(U).name
    'U'
    """
    if not isinstance(v, Value):
        raise TypeError(f"annotate: expected a Value, got {type(v).__name__}")
    v.tag = Annotation(kind, role, name, tuple(cluster), dict(grad_names or {}))
    return v


def annotation_of(v: Value) -> Annotation | None:
    """``v``'s annotation, or None when its tag is empty or something else."""
    t = v.tag
    return t if isinstance(t, Annotation) else None
