"""``micrograd-like demo``: the whole project in a few seconds: train an MLP on the moons,
check δ against BP1–BP4, write the plots and one neuron's graph.

>>> EPOCHS, LR, L2
(80, 0.05, 0.0001)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from micrograd_like import viz
from micrograd_like.explore_page import explore
from nn.cli.arguments import int_arg
from nn.cli.errors import CLIError, missing_package
from nn.cli.outputs import output_dir, save_plot, writing

__all__ = ["DESCRIPTION", "EPOCHS", "EXAMPLE", "HELP", "L2", "LR", "NEXT_STEPS", "add_arguments",
           "run"]

HELP = "train an MLP on the moons, check δ, write plots (a few seconds)"
DESCRIPTION = ("The whole project in a few seconds: train, compare δ with the equations, and "
               "write plots and a graph drawing.")

EPOCHS = 80
LR = 0.05
L2 = 1e-4

EXAMPLE = f"""\
example:
  micrograd-like demo                   (writes ./micrograd-like-out/)
  micrograd-like demo -o results --seed 3

  1. trains an MLP 2-16-16-1 (relu) on make_moons(100, noise=0.1) with the hinge loss
     + {L2:g}·Σp² and Adam (lr {LR}, {EPOCHS} full-batch epochs), every gradient
     from the scalar engine's backward(); prints the final loss and accuracy;
  2. prints δ = ∂C/∂z read from the engine next to the BP1–BP4 equations for a small
     network (2-3-1 sigmoid, quadratic cost);
  3. writes loss.png (loss curve), boundary.png (decision boundary over the data) and
     neuron.svg (one neuron's graph after backward; neuron.gv DOT source if Graphviz's
     dot is not installed).
  No network access; a few seconds.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of this command."""
    p.add_argument(
        "-o", "--output", default="micrograd-like-out", metavar="DIR",
        help="directory for the pictures (default: micrograd-like-out; created if missing)",
    )
    p.add_argument("--seed", type=int_arg(0), default=0, metavar="N",
                   help="seed of the data and the initial weights (default: 0)")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    import nn
    from nn.datasets import make_moons

    out = output_dir(args.output)
    X, y = make_moons(100, noise=0.1, seed=args.seed)
    mlp = nn.MLP(2, [16, 16, 1], activation="relu", seed=args.seed)
    print(f"training {mlp} on make_moons(100, noise=0.1, seed={args.seed})")
    print(f"  hinge loss + {L2:g}·Σp², Adam lr {LR}, {EPOCHS} full-batch epochs")
    history = nn.fit(mlp, X, 2 * y - 1, loss="hinge", epochs=EPOCHS, l2=L2,
                     optimizer=nn.Adam(mlp.parameters(), lr=LR), seed=args.seed)
    correct = int(np.sum(nn.predict_classes(mlp, X) == y))  # the sign of the score
    print(f"final loss {history.loss[-1]:.4g} (hinge, last epoch), "
          f"accuracy {correct / len(y):.0%} ({correct}/{len(y)} points)")

    print()
    small = nn.MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=args.seed)
    print(f"δ check on {small}, one point, quadratic cost:")
    print(nn.compare_deltas(small, X[0].tolist(), [float(y[0])], cost="quadratic"))

    print()
    try:
        from nn import plots
    except ImportError as e:  # the plots are the one part of the demo that can be left out
        hint = missing_package(e)
        if hint is None:
            raise
        print(f"skipped loss.png and boundary.png: {hint}")
    else:
        save_plot(plots.loss_curve(history), out / "loss.png")
        save_plot(plots.decision_boundary(mlp, X, y), out / "boundary.png")
    _save_neuron(mlp, X[0].tolist(), out)
    print()
    print(NEXT_STEPS)
    return 0


NEXT_STEPS = """\
next: the notebooks teach what this demo did, one idea at a time (in a source checkout:
  jupyter lab notebooks/).  Start with 01_value_and_chain_rule, then 02_drawing_graphs
  (δ on the drawn graph) and 03_backprop_deltas (Nielsen's BP1–BP4 against z.grad);
  04_training_an_mlp writes this demo's training loop out.  To practise, work through
  notebooks/exercises/ (each checks your answer; the solved twins are in
  notebooks/solutions/).
  and: micrograd-like deltas --explain   (BP1–BP4 with their numbers)"""


def _save_neuron(mlp: Any, x: list[float], out: Path) -> None:
    """Draw the first neuron of the first layer that is active at ``x``, after backward from
    its output a: the drawing names z's gradient ∂a/∂z (a is no cost, so it is not δ)."""
    from micrograd_like import Value
    from nn.module import input_annotation

    layer = mlp.layers[0]
    j = next((j for j, n in enumerate(layer.neurons) if n(x).data > 0.0), 0)
    inputs = []
    for k, v in enumerate(x):
        inputs.append(Value(v, label=f"x[{k}]"))
        inputs[-1].tag = input_annotation(k)
    a = layer.neurons[j](inputs)
    mlp.zero_grad()
    a.backward()
    drawing = viz.draw_dot(a)
    what = (f"neuron {j + 1} of layer 2 (mlp.layers[0].neurons[{j}]) at the first point, "
            "after backward from its output a, so z's grad reads ∂a/∂z")
    path = out / "neuron.svg"
    try:
        viz.save(drawing, path)
        page = out / "neuron.html"
        explore(a, title=f"Backpropagation through neuron {j + 1} of layer 2 at the first point"
                ).save(page)
    except viz.GraphvizNotFoundError:
        path, page = out / "neuron.gv", None
        with writing(path):
            viz.save(drawing, path)
        print(f"Graphviz's dot is not installed, so {path} is DOT source, not a picture "
              "(apt-get install graphviz, or paste it into any Graphviz viewer)")
    except OSError as e:
        raise CLIError(f"cannot write into {str(out)!r}: {e.strerror or e}") from None
    finally:
        mlp.zero_grad()
    print(f"wrote {path} ({what})")
    if page is not None:
        print(f"wrote {page} (the same neuron, backward step by step: open it in a browser)")
