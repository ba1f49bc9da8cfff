"""nn: neurons, layers and MLPs built from micrograd_like Values, and the δ read from them.

A neuron's weighted input zˡⱼ = Σₖ wˡⱼₖ aˡ⁻¹ₖ + bˡⱼ is one node of the graph, so after
``C.backward()`` its gradient is the error of the backpropagation equations,
δˡⱼ = ∂C/∂zˡⱼ (Nielsen's BP1–BP4), and :func:`compare_deltas` checks it against the same
equations written in numpy (:mod:`nn.analytic`).

Indexing, once for the whole package: ``mlp.layers[l]`` (l = 0, 1, ...) is a layer of
*neurons*, so ``mlp.layers[0]`` is Nielsen's layer l = 2 (his layer 1 is the input) and the
wiki's layer k = 1; neurons j and inputs k are 0-based as Python lists are.  Drawings name
them in Nielsen's notation by default (z²₁, w²₁₂, δ²₁; see :mod:`nn.notation`): every input,
weight, bias, z and activation carries an annotation (:mod:`micrograd_like.annotation`)
with its role and its names, and the losses mark their result as a cost
(:func:`mark_cost`), so a z's gradient is drawn as δ only under a cost.

>>> from nn import MLP, losses
>>> mlp = MLP(2, [3, 1], activation="tanh", seed=0)
>>> t = mlp.trace([1.0, -0.5])
>>> C = losses.quadratic([t.outputs], [[0.25]])
>>> C.backward()
>>> t.deltas()[1][0] == t.outputs[0].data - 0.25     # BP1, linear output: δᴸ = a − y
True
"""

from micrograd_like import __version__  # one distribution, one version
from nn import analytic, datasets, io, losses, notation, optim
from nn.classify import output_threshold, predict_classes, to_classes
from nn.deltas import DeltaReport, compare_deltas
from nn.handover import to_torch
from nn.losses import cross_entropy, hinge, l2, mark_cost, quadratic, softmax_cross_entropy
from nn.module import ACTIVATIONS, MLP, Layer, Module, Neuron, Trace
from nn.optim import SGD, Adam, Optimizer
from nn.train import History, fit, predict


def __getattr__(name: str) -> object:
    """Import ``nn.plots`` (matplotlib) and ``nn.exercises`` on first access."""
    if name in ("plots", "exercises"):
        import importlib

        return importlib.import_module(f"nn.{name}")
    raise AttributeError(f"module 'nn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "__version__",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "Trace",
    "ACTIVATIONS",
    "losses",
    "quadratic",
    "cross_entropy",
    "softmax_cross_entropy",
    "hinge",
    "l2",
    "mark_cost",
    "notation",
    "optim",
    "Optimizer",
    "SGD",
    "Adam",
    "fit",
    "predict",
    "predict_classes",
    "to_classes",
    "output_threshold",
    "History",
    "analytic",
    "datasets",
    "exercises",
    "io",
    "plots",
    "compare_deltas",
    "DeltaReport",
    "to_torch",
]
