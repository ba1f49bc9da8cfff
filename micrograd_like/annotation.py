"""Annotations: what a library built on the engine tells drawings and the tape about a node.

The engine itself only knows numbers and ops.  A library on top (``nn``) knows more: this
leaf is a weight, that node is a neuron's weighted input z, this root is a cost.  It says so
by putting an :class:`Annotation` in a Value's ``tag`` (with :func:`annotate`); drawings
(:func:`micrograd_like.viz.describe_nodes`) and the tape read it, and never need to know
which library wrote it.

An annotation holds

* ``role``: one of :data:`ROLES`.  ``"weight"``/``"bias"`` mark parameters and ``"input"``
  data (the tape refuses to bake them in as constants); ``"target"``/``"constant"`` mark
  numbers that nothing learns (drawn in a constant style, without a gradient); ``"cost"``
  marks a root whose gradients are derivatives of a cost.
* ``name``: what to call the node; ``cluster``: the boxes it is drawn in, outermost first.
  Each is either a ``str`` or a mapping from a notation's name to a ``str``
  (``{"nielsen": "z²₁", "zero-based": "z[0][0]"}``); the first entry is the default.
* ``grad_names``: what to call ``∂root/∂node`` when the root of the backward pass has a given
  role.  ``nn`` gives a weighted input ``{"cost": "δ²₁"}``: under a cost its gradient *is*
  the error δ.  Under any other root the gradient is written out, ``∂a²₁/∂z²₁``.

>>> from micrograd_like import Value
>>> z = annotate(Value(0.5), role="z", name="z", grad_names={"cost": "δ"})
>>> annotation_of(z).role, text_of(annotation_of(z).grad_names["cost"], None)
('z', 'δ')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from micrograd_like.engine import Value

__all__ = [
    "Annotation",
    "CONSTANT_ROLES",
    "PARAMETER_ROLES",
    "ROLES",
    "Text",
    "annotate",
    "annotation_of",
    "text_of",
]

#: Every role an annotation may have ("" for a node with a name but no special role).
ROLES = ("", "input", "weight", "bias", "z", "a", "cost", "target", "constant")
#: Roles of numbers nothing learns: drawn as constants, with no gradient.
CONSTANT_ROLES = frozenset({"target", "constant"})
#: Roles of trainable leaves: the tape refuses to freeze an undeclared one.
PARAMETER_ROLES = frozenset({"weight", "bias"})

#: A name: the same in every notation (``str``) or one per notation (notation -> str).
Text = str | Mapping[str, str]


def text_of(text: Text, notation: str | None) -> str:
    """``text`` in ``notation``: a ``str`` as it is; a mapping's entry (its first if None).

    >>> text_of({"nielsen": "z²₁", "zero-based": "z[0][0]"}, "zero-based")
    'z[0][0]'
    >>> text_of("C", "nielsen")
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

    >>> Annotation(role="weight", name="w").role
    'weight'
    """

    role: str = ""
    name: Text = ""
    cluster: tuple[Text, ...] = ()
    grad_names: Mapping[str, Text] = field(default_factory=dict)
    kind: str = ""  # "", "input", "parameter" or "constant": the one field the tape reads

    def __post_init__(self) -> None:
        if not self.kind:  # bridge until the generic annotation lands: the kind of a role
            kind = {"input": "input", "weight": "parameter", "bias": "parameter",
                    "target": "constant", "constant": "constant"}.get(self.role, "")
            object.__setattr__(self, "kind", kind)
        if self.kind not in ("", "input", "parameter", "constant"):
            raise ValueError(f"unknown annotation kind {self.kind!r}")
        if self.role not in ROLES:
            raise ValueError(f"unknown annotation role {self.role!r}; expected one of "
                             f"{', '.join(map(repr, ROLES))}")
        _check_text(self.name, "name")
        if not isinstance(self.cluster, tuple):
            raise TypeError(f"annotation cluster must be a tuple, got {self.cluster!r}")
        for c in self.cluster:
            _check_text(c, "cluster entry")
        if not isinstance(self.grad_names, Mapping):
            raise TypeError(f"annotation grad_names must be a mapping role -> name, "
                            f"got {self.grad_names!r}")
        for role, text in self.grad_names.items():
            if role not in ROLES:
                raise ValueError(f"annotation grad_names: unknown root role {role!r}")
            _check_text(text, f"grad_names[{role!r}]")

    @property
    def is_constant(self) -> bool:
        """True for targets and constants: numbers that nothing learns."""
        return self.kind == "constant"


def annotate(
    v: Value,
    role: str = "",
    name: Text = "",
    cluster: tuple[Text, ...] = (),
    grad_names: Mapping[str, Text] | None = None,
    kind: str = "",
) -> Value:
    """Put an :class:`Annotation` on ``v`` (replacing any tag) and return ``v``.

    >>> from micrograd_like import Value
    >>> C = annotate(Value(0.25), role="cost", name="C")
    >>> annotation_of(C).name
    'C'
    """
    if not isinstance(v, Value):
        raise TypeError(f"annotate: expected a Value, got {type(v).__name__}")
    v.tag = Annotation(role, name, tuple(cluster), dict(grad_names or {}), kind)
    return v


def annotation_of(v: Value) -> Annotation | None:
    """``v``'s annotation, or None when its tag is empty or something else."""
    t = v.tag
    return t if isinstance(t, Annotation) else None
