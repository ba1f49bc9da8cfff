"""The ``micrograd-like`` command line (also ``python -m micrograd_like``).

Each command is one function ``_add_<name>(subparsers)`` that registers its parser and sets
``run=<function(args) -> int>``; it is listed in ``_COMMANDS``.  To add a command, write such
a pair and append the adder to ``_COMMANDS``.  A command reports a user's mistake by raising
:class:`CLIError` (or one of the errors in ``USER_ERRORS``): :func:`main` prints it as one
line, ``micrograd-like: error: ...``, and returns exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from micrograd_like import viz
from micrograd_like.expr import ExpressionError, parse

__all__ = ["USER_ERRORS", "CLIError", "build_parser", "main"]

PROG = "micrograd-like"
EXIT_USAGE = 2


class CLIError(Exception):
    """A mistake in the user's command: printed as one line, exit status 2."""


USER_ERRORS: tuple[type[BaseException], ...] = (
    CLIError,
    ExpressionError,
    viz.GraphTooLargeError,
    viz.GraphvizError,
    ValueError,
    ArithmeticError,
    OSError,
)
"""Exceptions that mean "the input or the machine is not right", not "the program is wrong"."""


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

  builds y = tanh(x·w + b), runs y.backward(), prints y and ∂y/∂name for each name,
  and draws the graph with data and grad in every box (format from the suffix:
  .svg .png .pdf need Graphviz's dot; .gv/.dot write DOT source).

expressions: numbers, names, + - * / **, unary -, parentheses, and
  exp log tanh sigmoid relu abs sqrt softplus sin cos (one argument each)
"""


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
        "--number-format",
        default=".4f",
        metavar="SPEC",
        help="format spec for numbers in the picture (default: .4f)",
    )
    p.add_argument(
        "--max-nodes",
        type=int,
        default=viz.DEFAULT_MAX_NODES,
        metavar="N",
        help=f"refuse to draw more than N nodes (default: {viz.DEFAULT_MAX_NODES})",
    )
    p.add_argument(
        "--frames",
        metavar="PATH",
        help="also save the backward step-through: an animated .gif, or a directory of "
        "frame_000.svg, frame_001.svg, ...",
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
    output = Path(args.output)
    fmt = args.format or viz.picture_format(output)
    root, leaves = expression.build(values)
    root.backward()
    if args.highlight is not None and args.highlight not in leaves:
        raise CLIError(f"--highlight {args.highlight!r}: not a name in the expression")
    try:
        drawing = viz.draw_dot(
            root,
            rankdir=args.rankdir,
            number_format=args.number_format,
            show_grad=not args.no_grad,
            color_by_grad=args.color_by_grad,
            highlight=leaves[args.highlight] if args.highlight else None,
            max_nodes=args.max_nodes,
        )
    except viz.GraphTooLargeError as e:
        raise CLIError(
            f"the graph has {e.n_nodes} nodes, more than --max-nodes {e.max_nodes}; pass "
            f"--max-nodes {e.n_nodes} to draw it anyway (rendering may be slow)"
        ) from None
    try:
        viz.save(drawing, output, fmt)
    except OSError as e:
        raise CLIError(f"cannot write {str(output)!r}: {e.strerror or e}") from None
    n_frames = 0
    if args.frames:
        frames = viz.backward_frames(
            root,
            rankdir=args.rankdir,
            number_format=args.number_format,
            color_by_grad=args.color_by_grad,
            max_nodes=args.max_nodes,
        )
        try:
            viz.save_frames(frames, args.frames)
        except OSError as e:
            raise CLIError(f"cannot write {args.frames!r}: {e.strerror or e}") from None
        n_frames = len(frames)
    print(f"{expression.text.strip()} = {root.data:.10g}")
    for name, leaf in leaves.items():
        print(f"  ∂/∂{name} = {leaf.grad:.10g}")
    print(f"wrote {output}")
    if n_frames:
        print(f"wrote the backward step-through ({n_frames} frames) to {args.frames}")
    return 0


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------

_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_graph]

_MAIN_EXAMPLES = """\
examples:
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
        args = parser.parse_args(argv)
        if getattr(args, "run", None) is None:
            parser.print_help()
            return EXIT_USAGE
        return int(args.run(args))
    except SystemExit as e:  # --help and --version exit 0 through argparse
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except USER_ERRORS as e:
        print(f"{PROG}: error: {_one_line(str(e))}", file=sys.stderr)
        return EXIT_USAGE


def _one_line(message: str) -> str:
    return " ".join(message.split()) or "unknown error"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
