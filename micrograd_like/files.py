"""Writing files atomically: a failure never leaves a half-written file behind.

Every file the project writes (pictures, saved models) goes through :func:`write_atomic`:
the bytes go to a temporary file in the target's directory, which then replaces the target
in one ``os.replace``.  A reader sees the old file or the new one, never a torn one.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
>>> write_atomic(target, lambda f: f.write(b"hi\\n"))
PosixPath('...hello.txt')
>>> target.read_bytes()
b'hi\\n'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> Path:
    """Call ``write(f)`` with ``f`` a binary file beside ``path``, then move it to ``path``.

    The new file gets the usual mode (0666 less the umask), not ``mkstemp``'s 0600.  If
    ``write`` raises, the temporary file is removed, ``path`` is left as it was, and the
    error propagates.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
