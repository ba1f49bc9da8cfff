"""Neurons, layers and multilayer perceptrons built from :class:`~micrograd_like.Value` nodes.

A neuron computes its weighted input and its activation,

    zˡⱼ = Σₖ wˡⱼₖ aˡ⁻¹ₖ + bˡⱼ,        aˡⱼ = σ(zˡⱼ),

and the weighted input is **one** ``dot`` node of the engine (parents ``w₁..wₙ, a₁..aₙ, b``).
That node is exactly the quantity whose gradient is the neuron's error δˡⱼ = ∂C/∂zˡⱼ, so
after ``loss.backward()`` the δ of the backpropagation equations can be read off the graph
(see :meth:`MLP.trace`).  With ``z="elementary"`` the same sum is built from ``*`` and ``+``
nodes instead (2n nodes per neuron, for drawing the chain rule step by step); both give
bit-identical numbers, because :func:`micrograd_like.dot` adds left to right as the chain does.

Indexing: ``mlp.layers[l]`` for ``l = 0, 1, ...`` is the l-th layer of *neurons*; the inputs
are not a layer.  So ``mlp.layers[0]`` is Nielsen's layer 2 (his layer 1 is the input) and
the wiki's layer k = 1.  Neuron j and input k are 0-based too: Nielsen's wˡⱼₖ is
``mlp.layers[l - 2].neurons[j - 1].w[k - 1]``.

Initialisation (seedable, never Python's global random state), chosen by ``init``:

* ``"uniform"`` (default): every weight from uniform(−1, 1), as in karpathy's micrograd, and
  every bias 0;
* ``"gaussian"``: weights and biases from N(0, 1), Nielsen's chapter 1;
* ``"scaled_gaussian"``: weights from N(0, 1/n_in) (standard deviation 1/√n_in, n_in the
  neuron's inputs) and biases from N(0, 1), Nielsen's chapter 3, so that z starts near
  N(0, ~1) instead of N(0, n_in/2 + 1) and the sigmoid does not start saturated.

Values are drawn layer by layer, neuron by neuron, weights in input order then the bias,
from ``rng`` if given, else from ``random.Random(seed)``.

Drawings and the tape learn what nn's Values are from annotations
(:mod:`micrograd_like.annotation`), filled here: weights and biases are of kind
``"parameter"`` (roles "weight", "bias"), inputs of kind ``"input"``; z and a have roles
"z" and "a"; each neuron's Values share the cluster (layer, neuron), so
``draw_dot(C, collapse=True)`` draws each neuron as one box; and a z names its gradient
δ under a root of role "cost" (:func:`nn.losses.mark_cost`).
"""

from __future__ import annotations

import functools
import math
import numbers
import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from micrograd_like import Value, dot
from micrograd_like.annotation import Annotation
from nn import notation as nt

__all__ = ["ACTIVATIONS", "Module", "Neuron", "Layer", "MLP", "Trace", "input_annotation"]

#: Activation names and the engine op each one applies to z ("linear" applies none: a = z).
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
#: Names of the initialisations (see the module docstring).
INITS = ("uniform", "gaussian", "scaled_gaussian")
_Z_MODES = ("dot", "elementary")
_APPLY = {"sigmoid": Value.sigmoid, "tanh": Value.tanh, "relu": Value.relu, "linear": None}


# --------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------


def _check_activation(name: Any, what: str = "activation") -> str:
    if not isinstance(name, str) or name not in _APPLY:
        raise ValueError(f"unknown {what} {name!r}; expected one of {', '.join(ACTIVATIONS)}")
    return name


def _check_z(z: Any) -> str:
    if not isinstance(z, str) or z not in _Z_MODES:
        raise ValueError(f"unknown z mode {z!r}; expected 'dot' (one node) or 'elementary'")
    return z


def _check_init(init: Any) -> str:
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(INITS)}")
    return init


def _check_size(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}: {n!r}")
    if n < 1:
        raise ValueError(f"{what} must be at least 1, got {n}")
    return int(n)


def _make_rng(seed: Any, rng: Any) -> random.Random:
    if rng is not None:
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}: {seed!r}")
    return random.Random(None if seed is None else int(seed))


def _as_inputs(x: Any, nin: int, who: str) -> list[Value]:
    """The input vector as a list of Values (numbers become constant leaves, once)."""
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise TypeError(f"{who}: input must be a sequence of {nin} numbers or Values, "
                        f"got {type(x).__name__}")
    if len(x) != nin:
        raise ValueError(f"{who}: expected an input of length {nin}, got length {len(x)}")
    return [v if isinstance(v, Value) else Value(v) for v in x]


# --------------------------------------------------------------------------------------
# Modules
# --------------------------------------------------------------------------------------


class Module:
    """Anything with parameters: ``parameters()`` lists them, ``zero_grad()`` resets them."""

    def parameters(self) -> list[Value]:
        """The trainable leaves, in a fixed order."""
        return []

    def weights(self) -> list[Value]:
        """The parameters that are weights, not biases: what Nielsen's L2 term λ/2n Σ w²
        sums over (``fit(l2_on="weights")``).  A module without biases returns them all."""
        return self.parameters()

    def zero_grad(self) -> None:
        """Set ``p.grad = 0`` for every parameter (leaves accumulate across ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        """How many scalar parameters this module has."""
        return len(self.parameters())

    def __call__(self, x: Any) -> Any:
        """The module's output for the input ``x``: each kind of module defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define its output")


class Neuron(Module):
    """One neuron: z = Σₖ wₖ xₖ + b and a = σ(z).

    >>> n = Neuron(2, activation="relu", seed=1)
    >>> n.w[0].data = 2.0; n.w[1].data = -1.0; n.b.data = 0.5
    >>> n([3.0, 4.0]).data           # relu(2·3 − 1·4 + 0.5)
    2.5

    Args:
        nin: number of inputs.
        activation: "sigmoid", "tanh", "relu" or "linear" (a = z).
        seed, rng: where the initial weights come from.
        z: "dot" (one node for z) or "elementary" (z from ``*`` and ``+`` nodes).
        init: "uniform" (w ~ U(−1, 1), b = 0), "gaussian" (w, b ~ N(0, 1)) or
            "scaled_gaussian" (w ~ N(0, 1/nin), b ~ N(0, 1)).
    """

    def __init__(
        self,
        nin: int,
        activation: str = "sigmoid",
        *,
        seed: int | None = 0,
        rng: random.Random | None = None,
        z: str = "dot",
        init: str = "uniform",
    ) -> None:
        nin = _check_size(nin, "Neuron nin")
        self.activation = _check_activation(activation)
        self.z = _check_z(z)
        r = _make_rng(seed, rng)
        if _check_init(init) == "uniform":
            self.w = [Value(r.uniform(-1.0, 1.0)) for _ in range(nin)]
            self.b = Value(0.0)
        else:
            sd = 1.0 if init == "gaussian" else 1.0 / math.sqrt(nin)
            self.w = [Value(r.gauss(0.0, sd)) for _ in range(nin)]
            self.b = Value(r.gauss(0.0, 1.0))
        self._apply = _APPLY[self.activation]
        self._znote: Annotation | None = None
        self._anote: Annotation | None = None

    def _place(self, layer: int, j: int) -> None:
        """Annotate this neuron's Values with its position (``mlp.layers[layer]``, neuron j).

        Names come in every notation of :mod:`nn.notation`; a weighted input's gradient is
        named δˡⱼ when the root of the backward pass is a cost (and only then: under any other
        root it is not ∂C/∂z).
        """
        cluster = (nt.names(nt.layer_label, layer), nt.names(nt.neuron_label, layer, j))
        self._znote = Annotation("", "z", nt.names(nt.z, layer, j), cluster,
                                 {"cost": nt.names(nt.delta, layer, j)})
        self._anote = Annotation("", "a", nt.names(nt.a, layer, j), cluster)
        for k, w in enumerate(self.w):
            w.tag = Annotation("parameter", "weight", nt.names(nt.w, layer, j, k), cluster)
            w.label = f"w[{layer}][{j}][{k}]"
        self.b.tag = Annotation("parameter", "bias", nt.names(nt.b, layer, j), cluster)
        self.b.label = f"b[{layer}][{j}]"

    def weighted_input(self, x: Sequence[Value]) -> Value:
        """zⱼ = Σₖ wⱼₖ xₖ + bⱼ (one ``dot`` node, or a chain of ``*``/``+`` nodes)."""
        if self.z == "dot":
            z = dot(self.w, x, plus=self.b)
        else:
            w = self.w
            z = w[0] * x[0]
            for k in range(1, len(w)):
                z = z + w[k] * x[k]
            z = z + self.b
        z.tag = self._znote
        return z

    def activate(self, z: Value) -> Value:
        """a = σ(z) with this neuron's activation; for "linear", a is z itself."""
        if self._apply is None:
            return z
        a = self._apply(z)
        a.tag = self._anote
        return a

    def __call__(self, x: Sequence[Any]) -> Value:
        """The neuron's activation for input ``x`` (numbers or Values)."""
        return self.activate(self.weighted_input(_as_inputs(x, len(self.w), "Neuron")))

    def parameters(self) -> list[Value]:
        """Weights w₁..wₙ, then the bias b."""
        return [*self.w, self.b]

    def weights(self) -> list[Value]:
        """Weights w₁..wₙ (not the bias)."""
        return list(self.w)

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)} inputs, {self.activation})"


class Layer(Module):
    """``nout`` neurons that all read the same ``nin`` inputs; calling it returns a list.

    >>> layer = Layer(3, 2, activation="tanh", seed=0)
    >>> len(layer([1.0, 2.0, 3.0]))
    2
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "sigmoid",
        *,
        seed: int | None = 0,
        rng: random.Random | None = None,
        z: str = "dot",
        init: str = "uniform",
    ) -> None:
        nin = _check_size(nin, "Layer nin")
        nout = _check_size(nout, "Layer nout")
        _check_activation(activation)
        _check_z(z)
        _check_init(init)
        r = _make_rng(seed, rng)
        self.neurons = [Neuron(nin, activation, rng=r, z=z, init=init) for _ in range(nout)]

    @property
    def nin(self) -> int:
        return len(self.neurons[0].w)

    @property
    def nout(self) -> int:
        return len(self.neurons)

    @property
    def activation(self) -> str:
        return self.neurons[0].activation

    def __call__(self, x: Sequence[Any]) -> list[Value]:
        """Every neuron's activation, in neuron order (always a list, even for one neuron)."""
        x = _as_inputs(x, self.nin, "Layer")
        return [n.activate(n.weighted_input(x)) for n in self.neurons]

    def parameters(self) -> list[Value]:
        """Neuron by neuron: each neuron's weights, then its bias."""
        return [p for n in self.neurons for p in n.parameters()]

    def weights(self) -> list[Value]:
        """Neuron by neuron, each neuron's weights (no biases)."""
        return [w for n in self.neurons for w in n.w]

    def __repr__(self) -> str:
        return f"Layer({self.nin} → {self.nout} {self.activation})"


class MLP(Module):
    """A multilayer perceptron: layers of neurons, each layer reading the previous one.

    >>> mlp = MLP(2, [16, 16, 1], activation="relu", seed=0)
    >>> mlp
    MLP(2 → 16 relu → 16 relu → 1 linear, 337 parameters)
    >>> len(mlp([0.5, -1.0]))        # always a list of Values, one per output neuron
    1

    Args:
        nin: number of inputs.
        nouts: width of each layer of neurons, e.g. ``[16, 16, 1]``.
        activation: activation of every hidden layer (default "sigmoid", as in the seeds).
        output_activation: activation of the last layer (default "linear": a = z).
        seed, rng: where the initial weights come from (see the module docstring);
            ``rng`` (a ``random.Random``) is used if given, else ``random.Random(seed)``
            (``seed=None``: seeded from the operating system, not reproducible).
        z: "dot" (default: one node per weighted input) or "elementary".
        init: "uniform" (default), "gaussian" (Nielsen's chapter 1) or "scaled_gaussian"
            (his chapter 3); see the module docstring.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str = "linear",
        seed: int | None = 0,
        rng: random.Random | None = None,
        z: str = "dot",
        init: str = "uniform",
    ) -> None:
        nin = _check_size(nin, "MLP nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"MLP nouts must be a non-empty list of layer widths, got {nouts!r}")
        sizes = [nin] + [_check_size(n, f"MLP nouts[{i}]") for i, n in enumerate(nouts)]
        _check_activation(activation)
        _check_activation(output_activation, "output_activation")
        _check_z(z)
        _check_init(init)
        r = _make_rng(seed, rng)
        last = len(sizes) - 2
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation,
                  rng=r, z=z, init=init)
            for i in range(len(sizes) - 1)
        ]
        self._place()

    def _place(self) -> None:
        for li, layer in enumerate(self.layers):
            for j, n in enumerate(layer.neurons):
                n._place(li, j)

    # -- construction from matrices -------------------------------------------------------

    @classmethod
    def from_matrices(
        cls,
        weights: Sequence[Any],
        biases: Sequence[Any],
        activation: str = "sigmoid",
        output_activation: str = "linear",
        z: str = "dot",
    ) -> MLP:
        """An MLP with the given parameters, in Nielsen's layout.

        ``weights[l]`` has shape (nₗ, nₗ₋₁): row j holds the weights wˡⱼₖ into neuron j;
        ``biases[l]`` has shape (nₗ,) (a column (nₗ, 1), as in Nielsen's code, is accepted
        too).  Numpy arrays or nested lists.  The numbers are copied.

        >>> mlp = MLP.from_matrices([[[1.0, 2.0]]], [[0.5]], output_activation="linear")
        >>> mlp([1.0, 1.0])[0].data      # 1·1 + 2·1 + 0.5
        3.5
        """
        ws, bs = _check_matrices(weights, biases)
        mlp = cls(ws[0].shape[1], [w.shape[0] for w in ws], activation, output_activation,
                  seed=0, z=z)
        for layer, w, b in zip(mlp.layers, ws, bs):
            for j, n in enumerate(layer.neurons):
                for k, p in enumerate(n.w):
                    p.data = float(w[j, k])
                n.b.data = float(b[j])
        return mlp

    @classmethod
    def from_augmented(
        cls,
        matrices: Sequence[Any],
        activation: str = "sigmoid",
        output_activation: str = "linear",
        z: str = "dot",
    ) -> MLP:
        """An MLP from the wiki's layout: one matrix per layer, bias row first.

        Each matrix has shape (nₗ₋₁ + 1, nₗ): row 0 holds the biases (the wiki's w₀ⱼ, the
        weight of a constant input 1) and row k + 1, column j holds wˡⱼₖ.  So the wiki's
        ``hidden_weights`` (4, 3) and ``output_weights`` (4, 1) give a 3 → 3 → 1 network:
        ``MLP.from_augmented([hidden_weights, output_weights], "sigmoid", "linear")``.

        >>> MLP.from_augmented([[[0.5], [1.0], [2.0]]])([1.0, 1.0])[0].data
        3.5
        """
        if isinstance(matrices, (str, bytes)) or not isinstance(matrices, Sequence):
            raise TypeError(f"from_augmented: matrices must be a list, got {type(matrices)}")
        ws, bs = [], []
        for li, m in enumerate(matrices):
            a = _float_array(m, f"from_augmented: matrices[{li}]")
            if a.ndim != 2 or a.shape[0] < 2:
                raise ValueError(
                    f"from_augmented: matrices[{li}] must have shape (n_in + 1, n_out) with the "
                    f"bias row first, got shape {a.shape}"
                )
            bs.append(a[0])
            ws.append(a[1:].T)
        return cls.from_matrices(ws, bs, activation, output_activation, z=z)

    @classmethod
    def from_torch(cls, module: Any, z: str = "dot") -> MLP:
        """An MLP with a copy of the parameters of a ``torch.nn.Sequential`` of ``Linear``
        layers and activations: the inverse of :func:`nn.to_torch` (see
        :func:`nn.handover.from_torch` for the rules and the layer conventions)."""
        from nn.handover import from_torch

        return from_torch(module, z=z)

    def to_matrices(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(weights, biases) in Nielsen's layout: float64 arrays (nₗ, nₗ₋₁) and (nₗ,)."""
        ws = [np.array([[p.data for p in n.w] for n in layer.neurons], dtype=np.float64)
              for layer in self.layers]
        bs = [np.array([n.b.data for n in layer.neurons], dtype=np.float64)
              for layer in self.layers]
        return ws, bs

    # -- shape --------------------------------------------------------------------------

    @property
    def sizes(self) -> list[int]:
        """[nin, n₁, ..., n_L]: the width of the input and of every layer of neurons."""
        return [self.layers[0].nin] + [layer.nout for layer in self.layers]

    @property
    def activations(self) -> list[str]:
        """The activation name of each layer of neurons."""
        return [layer.activation for layer in self.layers]

    # -- forward ------------------------------------------------------------------------

    def __call__(self, x: Sequence[Any]) -> list[Value]:
        """The output layer's activations for input ``x``: always a list of Values."""
        a = _as_inputs(x, self.layers[0].nin, "MLP")
        for layer in self.layers:
            a = [n.activate(n.weighted_input(a)) for n in layer.neurons]
        return a

    def trace(self, x: Sequence[Any]) -> Trace:
        """One forward pass that keeps every zˡⱼ and aˡⱼ; read δ from it after backward().

        >>> mlp = MLP(2, [3, 1], seed=0)
        >>> t = mlp.trace([1.0, 0.5])
        >>> t.outputs[0].backward()
        >>> [len(d) for d in t.deltas()]     # δˡⱼ = ∂C/∂zˡⱼ, here C = the output itself
        [3, 1]
        >>> t.deltas()[1]                    # linear output: δᴸ = ∂a/∂z = 1
        [1.0]
        """
        leaves = _as_inputs(x, self.layers[0].nin, "MLP.trace")
        for k, (v, given) in enumerate(zip(leaves, x)):
            if v is not given:  # a leaf made here from a number: annotate it; never yours
                v.tag = input_annotation(k)
                v.label = f"x[{k}]"
        zs: list[list[Value]] = []
        acts: list[list[Value]] = []
        a = leaves
        for layer in self.layers:
            z = [n.weighted_input(a) for n in layer.neurons]
            a = [n.activate(zj) for n, zj in zip(layer.neurons, z)]
            zs.append(z)
            acts.append(a)
        return Trace(leaves, zs, acts)

    # -- parameters ---------------------------------------------------------------------

    def parameters(self) -> list[Value]:
        """Layer by layer, neuron by neuron: each neuron's weights w₁..wₙ, then its bias."""
        return [p for layer in self.layers for n in layer.neurons for p in (*n.w, n.b)]

    def weights(self) -> list[Value]:
        """Layer by layer, neuron by neuron, the weights wˡⱼₖ (no biases)."""
        return [w for layer in self.layers for n in layer.neurons for w in n.w]

    def __repr__(self) -> str:
        hidden = " → ".join(f"{layer.nout} {layer.activation}" for layer in self.layers)
        return f"MLP({self.layers[0].nin} → {hidden}, {self.num_parameters()} parameters)"


@functools.cache
def input_annotation(k: int) -> Annotation:
    """The annotation of input k (kind and role "input", named x₁ / x[0]); shared, since
    immutable.

    >>> input_annotation(0).name
    {'nielsen': 'x₁', 'zero-based': 'x[0]'}
    """
    return Annotation("input", "input", nt.names(nt.x, k))


class Trace:
    """The Values of one forward pass, layer by layer (from :meth:`MLP.trace`).

    Attributes:
        inputs: the input Values; those trace made from plain numbers are leaves annotated
            as inputs (:func:`input_annotation`); Values you pass in are used as they are.
        zs: ``zs[l][j]`` is the weighted input zˡⱼ (a single node, annotated with role "z").
        activations: ``activations[l][j]`` is aˡⱼ = σ(zˡⱼ) (the z node itself for "linear").
        outputs: the last layer's activations, as ``mlp(x)`` returns them.
    """

    def __init__(self, inputs: list[Value], zs: list[list[Value]],
                 activations: list[list[Value]]) -> None:
        self.inputs = inputs
        self.zs = zs
        self.activations = activations
        # Mark each z "not reached by backward" with grad -0.0 (still zero, so every reader
        # sees 0): backward() first sets a node's grad to +0.0 and only adds to it, and
        # +0.0 + x is never -0.0, so a -0.0 left here means no backward pass came through.
        for layer in zs:
            for z in layer:
                z.grad = -0.0

    @property
    def outputs(self) -> list[Value]:
        return self.activations[-1]

    def deltas(self) -> list[list[float]]:
        """δˡⱼ = ∂C/∂zˡⱼ = ``zs[l][j].grad``, per layer, after ``C.backward()`` from a cost C.

        These are δ only if the backward pass started at a cost built from ``outputs``; from
        another root R they are ∂R/∂z.

        Raises:
            RuntimeError: no backward pass has reached a z of this trace yet.
        """
        for l, layer in enumerate(self.zs):  # noqa: E741 (the book's layer index)
            for j, z in enumerate(layer):
                if math.copysign(1.0, z.grad) < 0.0 and z.grad == 0.0:  # still the -0.0 mark
                    raise RuntimeError(
                        f"Trace.deltas(): no backward() has reached zs[{l}][{j}] yet: build a "
                        "cost C from trace.outputs and call C.backward() first"
                    )
        return [[z.grad for z in layer] for layer in self.zs]

    def __repr__(self) -> str:
        widths = ", ".join(str(len(layer)) for layer in self.zs)
        return f"Trace({len(self.inputs)} inputs, layers of {widths})"


# --------------------------------------------------------------------------------------
# Matrix checks
# --------------------------------------------------------------------------------------


def _float_array(m: Any, what: str) -> np.ndarray:
    """``m`` as a float64 array of finite real numbers, or a clear error."""
    try:
        a = np.asarray(m)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"{what} is not a rectangular array: {e}") from None
    if a.dtype == object or a.dtype.kind not in "iuf":
        raise TypeError(f"{what} must hold real numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what} holds a non-finite number (nan or inf)")
    return a


def _check_matrices(weights: Any, biases: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Validate Nielsen-layout matrices: consecutive shapes must chain."""
    for name, seq in (("weights", weights), ("biases", biases)):
        if isinstance(seq, (str, bytes, np.ndarray)) or not isinstance(seq, Sequence):
            raise TypeError(f"from_matrices: {name} must be a list with one entry per layer, "
                            f"got {type(seq).__name__}")
    if not weights:
        raise ValueError("from_matrices: weights is empty (need at least one layer)")
    if len(weights) != len(biases):
        raise ValueError(f"from_matrices: {len(weights)} weight matrices but "
                         f"{len(biases)} bias vectors")
    ws, bs = [], []
    prev = None
    for li, (w, b) in enumerate(zip(weights, biases)):
        w = _float_array(w, f"from_matrices: weights[{li}]")
        b = _float_array(b, f"from_matrices: biases[{li}]")
        if w.ndim != 2 or 0 in w.shape:
            raise ValueError(f"from_matrices: weights[{li}] must be a non-empty 2-D (n_out, n_in) "
                             f"matrix, got shape {w.shape}")
        if prev is not None and w.shape[1] != prev:
            raise ValueError(f"from_matrices: weights[{li}] has shape {w.shape} but layer {li - 1} "
                             f"has {prev} neurons (expected ({w.shape[0]}, {prev}))")
        if b.shape == (w.shape[0], 1):
            b = b[:, 0]
        if b.shape != (w.shape[0],):
            raise ValueError(f"from_matrices: biases[{li}] must have shape ({w.shape[0]},), "
                             f"got {b.shape}")
        ws.append(w)
        bs.append(b)
        prev = w.shape[0]
    return ws, bs
