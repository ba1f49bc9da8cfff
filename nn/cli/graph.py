"""``micrograd-like graph``: parse an expression, run backward, print the gradients and
draw the graph (a picture, optionally the backward frames and the explore page).

>>> parse_assignments(["x=2", "w=-3"])
{'x': 2.0, 'w': -3.0}
"""

from __future__ import annotations

import argparse
import math
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

from micrograd_like import ops, viz
from micrograd_like.explore_page import explore
from micrograd_like.expr import parse
from micrograd_like.files import write_bytes
from nn.cli.arguments import float_arg, int_arg
from nn.cli.errors import CLIError
from nn.cli.outputs import check_writable_file, make_dir, writing

__all__ = ["DEFAULT_TIMEOUT", "DESCRIPTION", "EXAMPLE", "HELP", "add_arguments",
           "parse_assignments", "run"]

HELP = "draw the computation graph of an expression after backward"
DESCRIPTION = ("Parse an expression safely, build its graph, run backward from the result, "
               "print the value and gradients, and draw the graph to a file.")

EXAMPLE = """\
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


DEFAULT_TIMEOUT = 60.0
"""Seconds the ``graph`` command lets Graphviz lay out all its pictures."""


def _number_format(text: str) -> str:
    """An argparse ``type``: a number format :func:`viz.check_number_format` accepts."""
    try:
        return viz.check_number_format(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("number_format ")) from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of this command."""
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
        type=int_arg(1),
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
        type=float_arg(positive=True),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="time Graphviz may take for all the pictures together "
        f"(default: {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "--html",
        metavar="PATH",
        help="also write an interactive page (one self-contained .html file, works offline) "
        "that steps through backward and forward node by node",
    )


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


def run(args: argparse.Namespace) -> int:
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
    output, fmt = _outputs(args)  # every output checked before any work
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
        make_dir(args.frames, "--frames")
    for path, data in files:
        with writing(path):
            write_bytes(path, data)
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


def _outputs(args: argparse.Namespace) -> tuple[Path, str]:
    """Check -o, --frames and --html before any work: (output path, its format)."""
    output = Path(args.output)
    try:
        fmt = args.format or viz.picture_format(output)
    except ValueError as e:
        raise CLIError(f"-o {args.output!r}: {e}") from None
    check_writable_file(args.output, "-o")
    if args.frames:
        frames = Path(args.frames)
        if frames.suffix.lower() == ".gif":
            check_writable_file(args.frames, "--frames")
        elif frames.exists() and not frames.is_dir():
            raise CLIError(f"--frames {args.frames!r}: exists and is not a directory; give a "
                           "directory or a .gif file")
        elif not frames.exists():
            parent = frames.parent if str(frames.parent) else Path(".")
            if not parent.is_dir():
                raise CLIError(f"--frames {args.frames!r}: the directory {str(parent)!r} does "
                               "not exist")
    if args.html:
        check_writable_file(args.html, "--html")
    return output, fmt
