"""Where the commands write: every path is checked before any work, and a failed write is
one line naming the file (a CLIError), never a traceback.

>>> check_writable_file("/no/such/dir/g.svg", "-o")
Traceback (most recent call last):
nn.cli.errors.CLIError: -o '/no/such/dir/g.svg': the directory '/no/such/dir' does not exist
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nn.cli.errors import CLIError

__all__ = ["check_writable_file", "make_dir", "output_dir", "save_plot", "writing"]


def output_dir(path: str) -> Path:
    """Make the output directory (and its parents); CLIError if it cannot be one."""
    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        raise CLIError(f"-o {path!r}: exists and is not a directory; give a directory path")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CLIError(f"-o {path!r}: cannot create the directory: {e.strerror or e}") from None
    return directory


def check_writable_file(path: str, option: str) -> Path:
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


def make_dir(path: str, option: str) -> Path:
    """Create the directory ``path`` (not its parents); CLIError if it cannot be made."""
    directory = Path(path)
    try:
        directory.mkdir(exist_ok=True)
    except OSError as e:
        raise CLIError(f"{option} {path!r}: cannot create the directory: "
                       f"{e.strerror or e}") from None
    return directory


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError of the block that writes ``path`` into a CLIError naming it."""
    try:
        yield
    except OSError as e:
        raise CLIError(f"cannot write {str(path)!r}: {e.strerror or e}") from None


def save_plot(ax: Any, path: Path) -> None:
    """Save the figure of the matplotlib Axes ``ax`` to ``path`` and say so."""
    from nn import plots

    with writing(path):
        plots.save_figure(ax.figure, path)
    print(f"wrote {path}")
