"""``micrograd-like deltas``: show that backward() computes the δ of BP1–BP4, layer by
layer, for a random network and example (and, with --explain, each equation's numbers).

>>> x, y = delta_example([2, 3, 1], "hinge", seed=SEED)
>>> len(x), y in (-1.0, 1.0)
(2, True)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from nn.cli.arguments import MAX_PARAMETERS, check_network_size, int_arg, parse_sizes
from nn.cli.errors import CLIError
from nn.notation import DEFAULT as DEFAULT_NOTATION
from nn.notation import NOTATIONS

__all__ = ["COSTS", "DESCRIPTION", "EXAMPLE", "HELP", "SEED", "add_arguments", "delta_example",
           "run"]

HELP = "compare the engine's ∂C/∂z with the δ of BP1–BP4"
DESCRIPTION = ("Show that backward() on a scalar graph computes the backpropagation equations' "
               "errors δˡ = ∂C/∂zˡ, layer by layer, for a random network and example.")

COSTS = ("quadratic", "cross_entropy", "softmax_cross_entropy", "hinge")

EXAMPLE = """\
example:
  micrograd-like deltas                 (2-3-1 sigmoid, quadratic cost, seed 3)
  micrograd-like deltas --explain --notation zero-based
  micrograd-like deltas --sizes 4,8,8,3 --activation tanh --output-activation sigmoid \\
      --cost cross_entropy

  builds MLP(sizes) with weights from --seed, draws one input x ~ uniform(−1, 1) and a
  target from numpy.random.default_rng(seed) (after x: y ~ uniform(0, 1) per output for
  quadratic and cross_entropy, a class index for softmax_cross_entropy, ±1 for hinge),
  runs the engine's backward and the BP1–BP4 equations, and prints δ = ∂C/∂z, ∂C/∂b and
  ∂C/∂w differences per layer, then the largest difference.  --explain also writes out
  each of BP1–BP4 with this example's numbers.  Names are Nielsen's by default (the input
  is layer 1: δ²₁ is the first hidden neuron's error); --notation zero-based uses
  mlp.layers[0].neurons[0]'s indices, δ[0][0].
"""

SEED = 3
"""The default seed: an example whose δ are all of a readable size (|δ| >= 0.15)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of this command."""
    p.add_argument("--sizes", type=lambda t: parse_sizes(t, least=2), default=[2, 3, 1],
                   metavar="N,N,...", help="layer widths, inputs first (default: 2,3,1; at "
                   f"most {MAX_PARAMETERS:,} parameters)")
    p.add_argument("--activation", choices=("sigmoid", "tanh", "relu", "linear"),
                   default="sigmoid", help="hidden-layer activation (default: sigmoid)")
    p.add_argument("--output-activation", choices=("linear", "sigmoid", "tanh", "relu"),
                   default="linear", help="output-layer activation (default: linear)")
    p.add_argument("--cost", choices=COSTS, default="quadratic",
                   help="default: quadratic; cross_entropy needs --output-activation sigmoid")
    p.add_argument("--seed", type=int_arg(0), default=SEED, metavar="N",
                   help=f"seed of the weights, the input and the target (default: "
                   f"{SEED})")
    p.add_argument("--notation", choices=NOTATIONS, default=DEFAULT_NOTATION,
                   help="names of layers and errors: nielsen (default; δ²₁, the input is "
                   "layer 1) or zero-based (δ[0][0] for mlp.layers[0].neurons[0])")
    p.add_argument("--explain", action="store_true",
                   help="also write out BP1–BP4 with this example's numbers")


def delta_example(sizes: Sequence[int], cost: str, seed: int) -> tuple[list[float], Any]:
    """The input and target the ``deltas`` command uses: from ``default_rng(seed)``,
    x ~ uniform(−1, 1)ⁿ⁰, then y ~ uniform(0, 1) per output (quadratic, cross_entropy),
    a class index (softmax_cross_entropy) or a label ±1 (hinge)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, sizes[0]).tolist()
    if cost == "softmax_cross_entropy":
        return x, int(rng.integers(sizes[-1]))
    if cost == "hinge":
        return x, float(rng.choice([-1.0, 1.0]))
    return x, rng.uniform(0.0, 1.0, sizes[-1]).tolist()


def run(args: argparse.Namespace) -> int:
    import nn

    sizes = args.sizes
    check_network_size(sizes, "--sizes")
    if args.cost == "cross_entropy" and args.output_activation != "sigmoid":
        raise CLIError("--cost cross_entropy needs outputs in (0, 1): add "
                       "--output-activation sigmoid")
    if args.cost == "hinge" and sizes[-1] != 1:
        raise CLIError(f"--cost hinge needs one output, --sizes ends in {sizes[-1]}")
    mlp = nn.MLP(sizes[0], sizes[1:], activation=args.activation,
                 output_activation=args.output_activation, seed=args.seed)
    x, y = delta_example(sizes, args.cost, args.seed)
    report = nn.compare_deltas(mlp, x, y, cost=args.cost, notation=args.notation)
    print(f"network {mlp}")
    print(f"x = {_numbers(x)}")
    print(f"y = {_numbers(y) if isinstance(y, list) else y}")
    print()
    print(report)
    print()
    print(f"largest difference, engine vs equations: {report.max_abs_diff:.3e}")
    if args.explain:
        print()
        print(report.explain())
    return 0


def _numbers(xs: Sequence[float]) -> str:
    shown = ", ".join(f"{v:.6g}" for v in xs[:8])
    return f"[{shown}{', ...' if len(xs) > 8 else ''}]"
