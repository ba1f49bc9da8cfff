"""Argument types the commands share (argparse ``type=`` functions) and the size limits of
what they build.  A ``type`` raises ``argparse.ArgumentTypeError``, which the parser turns
into a one-line usage error naming the option.

>>> parse_sizes("2, 3,1")
[2, 3, 1]
>>> int_arg(1)("0")
Traceback (most recent call last):
argparse.ArgumentTypeError: must be at least 1, got 0
"""

from __future__ import annotations

import argparse
import itertools
import math
from collections.abc import Callable, Sequence

from nn.cli.errors import CLIError

__all__ = ["BYTES_PER_PARAMETER", "MAX_PARAMETERS", "MAX_WIDTH", "check_network_size",
           "check_utf8", "float_arg", "int_arg", "parse_sizes"]

MAX_WIDTH = 10_000
"""The widest layer the commands build (a guard against typos such as 16000000)."""

MAX_PARAMETERS = 1_000_000
"""The most weights and biases a network the commands build may have: as scalar Values
(about :data:`BYTES_PER_PARAMETER` each) that is some 0.7 GB and a minute to build."""

BYTES_PER_PARAMETER = 720
"""Memory of one parameter of an MLP as a Value, measured (resident size over 238,510
parameters of MLP(784, [300, 10]))."""


def int_arg(least: int) -> Callable[[str], int]:
    """An argparse ``type``: an int >= ``least`` (a one-line error otherwise)."""

    def convert(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value

    convert.__name__ = "int"  # argparse names the type in "invalid int value"
    return convert


def float_arg(*, positive: bool) -> Callable[[str], float]:
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


def check_network_size(sizes: Sequence[int], option: str) -> None:
    """CLIError, before anything is built, if MLP(sizes) has more than MAX_PARAMETERS."""
    n = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
    if n > MAX_PARAMETERS:
        shape = "-".join(map(str, sizes))
        raise CLIError(
            f"{option}: the network {shape} would have {n:,} parameters (about "
            f"{n * BYTES_PER_PARAMETER / 1e9:,.1f} GB as Values), more than the "
            f"{MAX_PARAMETERS:,} the commands build; use narrower or fewer layers"
        )


def check_utf8(argv: Sequence[str]) -> None:
    """CLIError for an argument that is not UTF-8 text, before anything reads it.

    Python keeps such an argument's bytes as lone surrogates (the byte 0xff as '\\udcff'),
    which nothing can encode: the parser of an expression, a label in a drawing, the line
    naming a file written would each fail with a UnicodeEncodeError, some after the work.

    >>> check_utf8(["graph", "x\\udcff"])
    Traceback (most recent call last):
    nn.cli.errors.CLIError: the argument 'x\\xff' is not UTF-8 text (as every argument ...
    """
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise CLIError(f"the argument '{shown}' is not UTF-8 text (as every argument must "
                           "be, file names too)") from None
