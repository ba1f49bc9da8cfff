"""How a network's quantities are named: Nielsen's 1-based notation or the zero-based one.

This module is the one place that turns indices into names.  ``nn`` counts layers of
*neurons* from 0 (``mlp.layers[l]``) and neurons and inputs from 0, as Python lists do.
Nielsen (chapter 2) counts from 1 and calls the input layer 1, so ``mlp.layers[l]`` is his
layer ``l + 2`` and neuron j is his neuron ``j + 1``:

=================  ==========================  =================
quantity           ``"nielsen"`` (default)     ``"zero-based"``
=================  ==========================  =================
input k            x₁ (= a¹₁)                   x[0]
weighted input     z²₁                          z[0][0]
activation         a²₁                          a[0][0]
weight             w²₁₂                         w[0][0][1]
bias               b²₁                          b[0][0]
error δ = ∂C/∂z    δ²₁                          δ[0][0]
=================  ==========================  =================

Nielsen's wˡⱼₖ is the weight *to* neuron j of layer l *from* neuron k of layer l − 1, so
w²₁₂ is ``mlp.layers[0].neurons[0].w[1]``.  When j or k has two digits the subscripts are
separated by a comma (w²₁₀,₃) so they cannot run together.

>>> z(0, 0), w(0, 0, 1), delta(1, 2)
('z²₁', 'w²₁₂', 'δ³₃')
>>> z(0, 0, "zero-based"), w(0, 0, 1, "zero-based")
('z[0][0]', 'w[0][0][1]')
>>> layer_label(0), neuron_label(0, 0, "zero-based")
('layer 2', 'neurons[0]')
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DEFAULT",
    "NOTATIONS",
    "a",
    "b",
    "check",
    "delta",
    "layer_label",
    "layer_number",
    "names",
    "neuron_label",
    "neuron_number",
    "w",
    "x",
    "z",
]

#: The notations every name can be written in; the first is the default.
NOTATIONS = ("nielsen", "zero-based")
DEFAULT = "nielsen"

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def check(notation: Any) -> str:
    """``notation`` if it is one of :data:`NOTATIONS`, else a ValueError naming the choices.

    >>> check("nielsen")
    'nielsen'
    """
    if not isinstance(notation, str) or notation not in NOTATIONS:
        raise ValueError(
            f"unknown notation {notation!r}; expected one of {', '.join(map(repr, NOTATIONS))}"
        )
    return notation


def layer_number(layer: int, notation: str = DEFAULT) -> int:
    """The number of ``mlp.layers[layer]`` in ``notation``: Nielsen's ``layer + 2``.

    >>> layer_number(0), layer_number(0, "zero-based")
    (2, 0)
    """
    return layer + 2 if check(notation) == "nielsen" else layer


def neuron_number(j: int, notation: str = DEFAULT) -> int:
    """The number of neuron (or input) j in ``notation``: Nielsen's ``j + 1``."""
    return j + 1 if check(notation) == "nielsen" else j


def _sup(n: int) -> str:
    return str(n).translate(_SUP)


def _subs(*ns: int) -> str:
    parts = [str(n).translate(_SUB) for n in ns]
    sep = "," if any(n >= 10 for n in ns) else ""
    return sep.join(parts)


def _name(symbol: str, layer: int | None, idx: tuple[int, ...], notation: str) -> str:
    if check(notation) == "zero-based":
        head = "" if layer is None else f"[{layer}]"
        return symbol + head + "".join(f"[{i}]" for i in idx)
    sup = "" if layer is None else _sup(layer + 2)
    return symbol + sup + _subs(*(i + 1 for i in idx))


def x(k: int, notation: str = DEFAULT) -> str:
    """Input k: x₁ (Nielsen's a¹₁, the input layer) or x[0]."""
    return _name("x", None, (k,), notation)


def z(layer: int, j: int, notation: str = DEFAULT) -> str:
    """The weighted input zˡⱼ of neuron j of ``mlp.layers[layer]``."""
    return _name("z", layer, (j,), notation)


def a(layer: int, j: int, notation: str = DEFAULT) -> str:
    """The activation aˡⱼ = σ(zˡⱼ)."""
    return _name("a", layer, (j,), notation)


def b(layer: int, j: int, notation: str = DEFAULT) -> str:
    """The bias bˡⱼ."""
    return _name("b", layer, (j,), notation)


def w(layer: int, j: int, k: int, notation: str = DEFAULT) -> str:
    """The weight wˡⱼₖ to neuron j of ``mlp.layers[layer]`` from neuron (or input) k below."""
    return _name("w", layer, (j, k), notation)


def delta(layer: int, j: int, notation: str = DEFAULT) -> str:
    """The error δˡⱼ = ∂C/∂zˡⱼ."""
    return _name("δ", layer, (j,), notation)


def layer_label(layer: int, notation: str = DEFAULT) -> str:
    """A caption for ``mlp.layers[layer]``: "layer 2" or "layers[0]"."""
    if check(notation) == "zero-based":
        return f"layers[{layer}]"
    return f"layer {layer + 2}"


def neuron_label(layer: int, j: int, notation: str = DEFAULT) -> str:
    """A caption for neuron j of ``mlp.layers[layer]``: "neuron 1" or "neurons[0]"."""
    if check(notation) == "zero-based":
        return f"neurons[{j}]"
    return f"neuron {j + 1}"


def names(fn: Any, *indices: int) -> dict[str, str]:
    """``fn``'s name in every notation, default first: the form annotations store.

    >>> names(z, 0, 1)
    {'nielsen': 'z²₂', 'zero-based': 'z[0][1]'}
    """
    return {n: fn(*indices, n) for n in NOTATIONS}
