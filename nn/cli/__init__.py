"""The ``micrograd-like`` command line (also ``python -m nn``).

Each command is a module of this package, named as the command, holding ``HELP`` (its line
in ``--help``), ``DESCRIPTION``, ``EXAMPLE`` (the end of its ``--help``),
``add_arguments(parser)`` and ``run(args) -> exit status``; :data:`COMMANDS` lists them.
To add a command, write such a module and append it to ``COMMANDS``.  A command reports a
user's mistake by raising :class:`CLIError` (see :mod:`nn.cli.errors`): :func:`main` prints
it as one line, ``micrograd-like: error: ...``, and returns exit status 2, never a
traceback.  SIGTERM is turned into a clean exit (status 143) so that a file being written
is not left half-done (see :func:`micrograd_like.files.sigterm_as_exit`).

>>> main(["deltas", "--sizes", "2,0"])
2
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from collections.abc import Sequence
from typing import NoReturn

from micrograd_like import __version__
from micrograd_like.files import Terminated, sigterm_as_exit
from nn.cli import deltas, demo, exercises, grade, graph, train
from nn.cli.arguments import check_utf8, parse_sizes
from nn.cli.deltas import delta_example
from nn.cli.errors import USER_ERRORS, CLIError, missing_package, one_line

__all__ = ["COMMANDS", "USER_ERRORS", "CLIError", "build_parser", "delta_example", "main",
           "missing_package", "parse_sizes"]

PROG = "micrograd-like"
EXIT_USAGE = 2
EXIT_TERMINATED = 128 + 15  # the shell's status for SIGTERM

COMMANDS = (demo, train, deltas, graph, exercises, grade)
"""The command modules, in the order ``--help`` lists them."""

_MAIN_EXAMPLES = """\
examples:
  micrograd-like demo                 (train, check δ, write plots to ./micrograd-like-out/)
  micrograd-like train --data moons --hidden 16,16 --epochs 100 --save model.json
  micrograd-like deltas --explain      (δ = ∂C/∂z vs BP1–BP4, each equation with numbers)
  micrograd-like graph "tanh(x*w + b)" --set x=2 --set w=-3 --set b=6.88 -o graph.svg
  micrograd-like exercises pack --roster roster.csv -o packs   (one folder per student)
  micrograd-like grade packs/* --csv grades.csv   (after the students worked in them)
  micrograd-like <command> --help     (each command's options and an example)
"""


class _Parser(ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')")


def build_parser() -> ArgumentParser:
    """The argument parser with every command of :data:`COMMANDS`."""
    parser = _Parser(
        prog=PROG,
        description="Learn backpropagation with a scalar autodiff engine.",
        epilog=_MAIN_EXAMPLES,
        formatter_class=RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="<command>")
    for command in COMMANDS:
        p = subparsers.add_parser(command.__name__.rpartition(".")[2], help=command.HELP,
                                  description=command.DESCRIPTION, epilog=command.EXAMPLE,
                                  formatter_class=RawDescriptionHelpFormatter)
        command.add_arguments(p)
        p.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error).

    A user error prints one line to stderr, ``micrograd-like: error: <what and how to fix>``.
    """
    parser = build_parser()
    try:
        with sigterm_as_exit():
            argv = sys.argv[1:] if argv is None else argv
            check_utf8(argv)
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
        print(f"{PROG}: error: {one_line(str(e))}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as e:
        hint = missing_package(e)
        if hint is None:
            raise  # not a package the user can install: a bug, shown with its traceback
        print(f"{PROG}: error: {hint}", file=sys.stderr)
        return EXIT_USAGE


def __dir__() -> list[str]:
    """The public names only (the command modules are listed in :data:`COMMANDS`)."""
    return sorted(__all__)
