"""The scalar engine and the equations, side by side: :func:`compare_deltas`.

The engine knows nothing about δ: it applies the chain rule node by node.  Yet after
``C.backward()`` the gradient of each neuron's weighted-input node is exactly the error of
the backpropagation equations, δˡⱼ = ∂C/∂zˡⱼ, and the parameter gradients are BP3 and BP4:
∂C/∂bˡⱼ = δˡⱼ and ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ.  :func:`compare_deltas` runs both sides on the same
weights and input and reports, layer by layer, how far apart they are.

>>> from nn import MLP
>>> mlp = MLP(2, [3, 1], activation="tanh", seed=1)
>>> report = compare_deltas(mlp, [0.5, -1.0], [0.25])
>>> report.max_abs_diff < 1e-12
True
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from micrograd_like import Value
from nn import analytic, losses
from nn import notation as nt

__all__ = ["DeltaReport", "LayerDeltas", "compare_deltas"]

#: layers up to this width show their δ vectors side by side in the report
SMALL_LAYER = 8

# cost name -> function of nn.losses taking (outputs over examples, targets over examples)
_LOSSES = {
    "quadratic": "quadratic",
    "cross_entropy": "cross_entropy",
    "softmax_cross_entropy": "softmax_cross_entropy",
    "hinge": "hinge",
}


@dataclass(frozen=True)
class LayerDeltas:
    """One layer of neurons (``mlp.layers[layer]``, Nielsen's layer ``layer + 2``).

    ``scalar_*`` come from the engine (``z.grad``, ``b.grad``, ``w[k].grad``), ``analytic_*``
    from :func:`nn.analytic.backprop`; ``max_*_diff`` are the largest absolute differences.
    """

    layer: int
    activation: str
    scalar_delta: np.ndarray  # (nₗ,)
    analytic_delta: np.ndarray  # (nₗ,)
    scalar_nabla_b: np.ndarray  # (nₗ,)
    analytic_nabla_b: np.ndarray  # (nₗ,)
    scalar_nabla_w: np.ndarray  # (nₗ, nₗ₋₁)
    analytic_nabla_w: np.ndarray  # (nₗ, nₗ₋₁)

    @property
    def neurons(self) -> int:
        return len(self.scalar_delta)

    @property
    def max_delta_diff(self) -> float:
        """max over j of |δˡⱼ(engine) − δˡⱼ(equations)|."""
        return float(np.max(np.abs(self.scalar_delta - self.analytic_delta)))

    @property
    def max_bias_diff(self) -> float:
        """max over j of |∂C/∂bˡⱼ(engine) − δˡⱼ| (BP3)."""
        return float(np.max(np.abs(self.scalar_nabla_b - self.analytic_nabla_b)))

    @property
    def max_weight_diff(self) -> float:
        """max over j, k of |∂C/∂wˡⱼₖ(engine) − aˡ⁻¹ₖ δˡⱼ| (BP4)."""
        return float(np.max(np.abs(self.scalar_nabla_w - self.analytic_nabla_w)))


@dataclass(frozen=True, repr=False)
class DeltaReport:
    """What :func:`compare_deltas` found: one :class:`LayerDeltas` per layer of neurons.

    As a notebook cell's last expression it renders as an HTML table; ``print(report)`` and
    ``repr(report)`` give the same table as text.  Layers and errors are named in
    ``notation`` (:mod:`nn.notation`: Nielsen's δ²₁ or zero-based δ[0][0]).
    :meth:`explain` writes out BP1–BP4 with this example's numbers.
    """

    cost: str
    loss: float
    layers: list[LayerDeltas]
    notation: str = nt.DEFAULT
    # the example and network, for explain(): x, target, (weights, biases), activations
    example: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def max_abs_diff(self) -> float:
        """The largest absolute difference anywhere, for δ, ∂C/∂b and ∂C/∂w."""
        return max(max(r.max_delta_diff, r.max_bias_diff, r.max_weight_diff) for r in self.layers)

    def _layer(self, r: LayerDeltas) -> int:
        return nt.layer_number(r.layer, self.notation)

    def _footnote(self) -> str:
        if self.notation == "nielsen":
            return ("Nielsen's numbering: the input is layer 1, so layer 2 is mlp.layers[0]; "
                    "neurons count from 1")
        return "zero-based: layer l is mlp.layers[l] (Nielsen's layer l + 2); neurons from 0"

    def __str__(self) -> str:
        lines = [
            f"δ = ∂C/∂z: engine vs BP1–BP4   cost {self.cost}, C = {self.loss:.10g}, "
            f"max |Δ| = {self.max_abs_diff:.2e}",
            f"{'layer':>5}  {'neurons':>7}  {'activation':<10}  {'max|Δδ|':>9}  "
            f"{'max|Δ∂C/∂b|':>11}  {'max|Δ∂C/∂w|':>11}",
        ]
        for r in self.layers:
            lines.append(
                f"{self._layer(r):>5}  {r.neurons:>7}  {r.activation:<10}  "
                f"{r.max_delta_diff:>9.2e}  {r.max_bias_diff:>11.2e}  {r.max_weight_diff:>11.2e}"
            )
        small = [r for r in self.layers if r.neurons <= SMALL_LAYER]
        if small:
            lines.append("")
            lines.append(f"{'δ':>8}  {'engine (z.grad)':>22}  {'equations (BP1, BP2)':>22}")
            for r in small:
                for j, (s, a) in enumerate(zip(r.scalar_delta, r.analytic_delta)):
                    name = nt.delta(r.layer, j, self.notation)
                    lines.append(f"{name:>8}  {s:>+22.15e}  {a:>+22.15e}")
        lines.append(f"({self._footnote()})")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        e = html.escape
        head = (
            f"<p><b>δ = ∂C/∂z: engine vs BP1–BP4</b> &nbsp; cost <code>{e(self.cost)}</code>, "
            f"C = {self.loss:.10g}, max |Δ| = {self.max_abs_diff:.2e}</p>"
        )
        rows = "".join(
            f"<tr><td>{self._layer(r)}</td><td>{r.neurons}</td><td>{e(r.activation)}</td>"
            f"<td>{r.max_delta_diff:.2e}</td><td>{r.max_bias_diff:.2e}</td>"
            f"<td>{r.max_weight_diff:.2e}</td><td>{_html_deltas(r, self.notation)}</td></tr>"
            for r in self.layers
        )
        table = (
            "<table><thead><tr><th>layer</th><th>neurons</th><th>activation</th>"
            "<th>max|Δδ|</th><th>max|Δ∂C/∂b|</th><th>max|Δ∂C/∂w|</th>"
            "<th>δ: engine / equations</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
        foot = f"<p><small>{e(self._footnote())}.</small></p>"
        return head + table + foot

    def explain(self) -> str:
        """BP1–BP4 written out with this example's numbers, each next to the engine's.

        Every number on the right of an ``=`` is computed from the equations (numpy, in
        :mod:`nn.analytic`); ``[engine …]`` is what ``backward()`` left on the graph.
        """
        if not self.example:
            raise ValueError("explain: this report was not made by compare_deltas")
        return _explain(self)


def _html_deltas(r: LayerDeltas, notation: str) -> str:
    if r.neurons > SMALL_LAYER:
        return f"<i>{r.neurons} neurons</i>"
    return "<br>".join(
        f"{html.escape(nt.delta(r.layer, j, notation))}: "
        f"<code>{s:+.12e}</code> / <code>{a:+.12e}</code>"
        for j, (s, a) in enumerate(zip(r.scalar_delta, r.analytic_delta))
    )


# --------------------------------------------------------------------------------------
# BP1–BP4 with numbers
# --------------------------------------------------------------------------------------

_MAX_TERMS = 4  # sums with more terms are shown by their value only
_MAX_WEIGHTS = 6  # BP4 lines per layer


def _explain(report: DeltaReport) -> str:
    x, target, weights, biases, activation, output_activation = report.example
    n = report.notation
    zs, acts = analytic.forward(weights, biases, x, activation, output_activation)
    nabla_a = analytic.cost_derivative(report.cost, acts[-1], target)
    L = len(weights)

    def act_name(layer: int, k: int) -> str:  # a of mlp.layers[layer - 1]; layer 0 is x
        return nt.x(k, n) if layer == 0 else nt.a(layer - 1, k, n)

    def sigma(layer: int) -> str:
        return output_activation if layer == L - 1 else activation

    lines = [f"Backpropagation for this example, cost {report.cost}, C = {report.loss:.6g}",
             f"({report._footnote()})", "",
             "BP1  δᴸ = ∇ₐC ⊙ σ′(zᴸ)   (the output layer)"]
    out = report.layers[-1]
    for j in range(len(zs[-1])):
        sp = float(analytic.activation_prime(sigma(L - 1), zs[-1])[j])
        lines.append(
            f"     {nt.delta(L - 1, j, n)} = ∂C/∂{nt.a(L - 1, j, n)} · {sigma(L - 1)}′"
            f"({nt.z(L - 1, j, n)}) = {nabla_a[j]:.6g} · {sp:.6g} = "
            f"{out.analytic_delta[j]:.6g}   [engine {out.scalar_delta[j]:.6g}]")
    if L > 1:
        lines += ["", "BP2  δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)   (each hidden layer, from the next)"]
    for layer in range(L - 2, -1, -1):
        r, nxt = report.layers[layer], report.layers[layer + 1]
        w_next = weights[layer + 1]
        sp_all = analytic.activation_prime(sigma(layer), zs[layer])
        for j in range(len(zs[layer])):
            terms = [f"{nt.w(layer + 1, i, j, n)}·{nt.delta(layer + 1, i, n)}"
                     for i in range(w_next.shape[0])]
            total = float(w_next[:, j] @ nxt.analytic_delta)
            shown = " + ".join(terms) if len(terms) <= _MAX_TERMS else (
                f"{terms[0]} + … + {terms[-1]}")
            lines.append(
                f"     {nt.delta(layer, j, n)} = ({shown}) · {sigma(layer)}′"
                f"({nt.z(layer, j, n)}) = {total:.6g} · {float(sp_all[j]):.6g} = "
                f"{r.analytic_delta[j]:.6g}   [engine {r.scalar_delta[j]:.6g}]")
    lines += ["", "BP3  ∂C/∂bˡⱼ = δˡⱼ"]
    for r in report.layers:
        for j in range(r.neurons):
            lines.append(f"     ∂C/∂{nt.b(r.layer, j, n)} = {nt.delta(r.layer, j, n)} = "
                         f"{r.analytic_nabla_b[j]:.6g}   [engine {r.scalar_nabla_b[j]:.6g}]")
    lines += ["", "BP4  ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ"]
    for r in report.layers:
        a_prev = acts[r.layer]
        n_shown = 0
        for j in range(r.neurons):
            for k in range(len(a_prev)):
                if n_shown == _MAX_WEIGHTS:
                    continue
                n_shown += 1
                lines.append(
                    f"     ∂C/∂{nt.w(r.layer, j, k, n)} = {act_name(r.layer, k)} · "
                    f"{nt.delta(r.layer, j, n)} = {a_prev[k]:.6g} · "
                    f"{r.analytic_delta[j]:.6g} = {r.analytic_nabla_w[j, k]:.6g}   "
                    f"[engine {r.scalar_nabla_w[j, k]:.6g}]")
        rest = r.neurons * len(a_prev) - n_shown
        if rest > 0:
            lines.append(f"     ... and {rest} more weights of layer "
                         f"{nt.layer_number(r.layer, n)} (largest |Δ| {r.max_weight_diff:.2e})")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------


def _plain_inputs(x: Any, nin: int) -> list[float]:
    """The input as floats, so the comparison never adds gradient to the caller's Values."""
    if isinstance(x, (str, bytes)) or not isinstance(x, (Sequence, np.ndarray)):
        raise TypeError(f"compare_deltas: x must be a sequence of {nin} numbers, got {x!r}")
    if len(x) != nin:
        raise ValueError(f"compare_deltas: x has {len(x)} numbers, the network takes {nin}")
    out = []
    for k, v in enumerate(x):
        v = v.data if isinstance(v, Value) else v
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"compare_deltas: x[{k}] must be a real number, got {v!r}")
        out.append(float(v))
    return out


def _activations(mlp: Any) -> tuple[str, str]:
    """(hidden activation, output activation); nn.analytic needs one σ for all hidden layers."""
    per_layer = []
    for l, layer in enumerate(mlp.layers):  # noqa: E741 (the book's layer index)
        names = {n.activation for n in layer.neurons}
        if len(names) != 1:
            raise ValueError(f"compare_deltas: layer {l} mixes activations {sorted(names)}")
        per_layer.append(names.pop())
    hidden = set(per_layer[:-1])
    if len(hidden) > 1:
        raise ValueError(
            f"compare_deltas: hidden layers use different activations {per_layer[:-1]}; "
            "nn.analytic takes one hidden activation"
        )
    return (hidden.pop() if hidden else per_layer[-1]), per_layer[-1]


def _check_cost(cost: Any, output_activation: str, n_out: int, y: Any) -> str:
    name = analytic.canonical_cost(cost)  # ValueError for an unknown name
    if name == "cross_entropy" and output_activation != "sigmoid":
        raise ValueError(
            f"compare_deltas: cost {cost!r} needs outputs in (0, 1), but the output layer's "
            f"activation is {output_activation!r}; build the MLP with output_activation='sigmoid'"
        )
    if name == "hinge" and n_out != 1:
        raise ValueError(f"compare_deltas: cost 'hinge' needs one output, the network has {n_out}")
    if name == "softmax_cross_entropy":
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
            raise TypeError(
                f"compare_deltas: for softmax_cross_entropy y is a class index (int), got {y!r}"
            )
    return name


def _targets(name: str, y: Any, n_out: int) -> Any:
    """y as the loss functions take it: a list of floats, a class index, or a ±1 label."""
    if name == "softmax_cross_entropy":
        return int(y)
    if name == "hinge":
        if isinstance(y, bool) or not isinstance(y, numbers.Real):
            raise TypeError(f"compare_deltas: for hinge y is a label -1 or +1, got {y!r}")
        return float(y)
    t = np.asarray(y, dtype=np.float64).reshape(-1)
    if t.shape != (n_out,):
        raise ValueError(
            f"compare_deltas: y has {t.size} numbers, the output layer has {n_out} neurons"
        )
    return [float(v) for v in t]


def compare_deltas(
    mlp: Any, x: Any, y: Any, cost: str = "quadratic", *, notation: str = nt.DEFAULT
) -> DeltaReport:
    """Run the engine and the equations on one example and compare δ, ∂C/∂b, ∂C/∂w per layer.

    Engine side: ``t = mlp.trace(x)``, Cₓ from ``nn.losses`` on ``t.outputs``,
    ``Cₓ.backward()``, then δˡⱼ = ``t.zs[l][j].grad``, ∂C/∂bˡⱼ = ``neuron.b.grad`` and
    ∂C/∂wˡⱼₖ = ``neuron.w[k].grad``.  Equations side: :func:`nn.analytic.backprop` on
    ``mlp.to_matrices()`` (BP1 δᴸ = ∇ₐC ⊙ σ′(zᴸ), BP2 δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ), BP3, BP4).
    The parameters' ``grad`` values are restored afterwards, so the model is left as it was.

    Args:
        mlp: an ``nn.MLP``.
        x: one input, a sequence of nin numbers.
        y: the target: a vector of nL numbers for "quadratic" (alias "mse") and
            "cross_entropy" ("xent"; needs a sigmoid output layer), a class index for
            "softmax_cross_entropy", a label ±1 for "hinge" (one output).
        cost: the cost's name.
        notation: how the report names layers and errors: "nielsen" (default: layer 2 is
            the first layer of neurons, δ²₁) or "zero-based" (``mlp.layers[0]``, δ[0][0]).

    Raises:
        ValueError: unknown cost, a cost that does not fit the output layer, wrong sizes.
        TypeError: x or y of the wrong type.
    """
    nt.check(notation)
    activation, output_activation = _activations(mlp)
    n_out = len(mlp.layers[-1].neurons)
    name = _check_cost(cost, output_activation, n_out, y)
    xs = _plain_inputs(x, len(mlp.layers[0].neurons[0].w))
    target = _targets(name, y, n_out)

    # the equations first: they also validate the target (range of a class index, ±1 label)
    weights, biases = mlp.to_matrices()
    nabla_b, nabla_w, deltas = analytic.backprop(
        weights, biases, xs, target, name, activation, output_activation
    )

    params = mlp.parameters()
    saved = [p.grad for p in params]
    try:
        for p in params:
            p.grad = 0.0
        t = mlp.trace(xs)
        loss = getattr(losses, _LOSSES[name])([t.outputs], [target])
        loss.backward()
        scalar_deltas = t.deltas()
        layers = []
        for l, layer in enumerate(mlp.layers):  # noqa: E741 (the book's layer index)
            layers.append(
                LayerDeltas(
                    layer=l,
                    activation=output_activation if l == len(mlp.layers) - 1 else activation,
                    scalar_delta=np.array(scalar_deltas[l], dtype=np.float64),
                    analytic_delta=deltas[l],
                    scalar_nabla_b=np.array([n.b.grad for n in layer.neurons]),
                    analytic_nabla_b=nabla_b[l],
                    scalar_nabla_w=np.array([[w.grad for w in n.w] for n in layer.neurons]),
                    analytic_nabla_w=nabla_w[l],
                )
            )
    finally:
        for p, g in zip(params, saved):
            p.grad = g
    example = (xs, target, weights, biases, activation, output_activation)
    return DeltaReport(cost=name, loss=loss.data, layers=layers, notation=notation,
                       example=example)
