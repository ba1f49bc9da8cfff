"""Writing files atomically: a failure never leaves a half-written file behind.

Every file the project writes (pictures, saved models) goes through :func:`write_atomic`:
the bytes go to a temporary file ``.<name>.<random>.tmp`` in the target's directory, are
flushed and ``fsync``-ed to the disk, and only then replace the target in one
``os.replace`` (after which the directory is ``fsync``-ed too, where the system allows).
A reader sees the old file or the new one, never a torn one, even after a crash or a
power loss in the middle of the write.

What is left behind when the writer dies:

* an exception, ``KeyboardInterrupt`` or ``SystemExit``: nothing; the temporary file is
  removed and the target is untouched;
* ``SIGTERM``: by default Python dies at once without running any cleanup.  The
  command line turns SIGTERM into an exception with :func:`sigterm_as_exit`, so its
  temporary files are removed; a program of your own can use it too;
* ``SIGKILL`` or a power loss: the target is intact, but the temporary file stays.
  The next :func:`write_atomic` to the same target removes such leftovers: files named
  exactly like our temporary files for that target, regular, owned by this user, not
  changed for :data:`STALE_AFTER` seconds and not locked by a live writer (each writer
  holds an ``flock`` on its temporary file while it writes; where ``fcntl`` is missing,
  nothing is swept).

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
>>> write_atomic(target, lambda f: f.write(b"hi\\n"))
PosixPath('...hello.txt')
>>> target.read_bytes()
b'hi\\n'
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["STALE_AFTER", "Terminated", "sigterm_as_exit", "write_atomic", "write_bytes"]

STALE_AFTER = 60.0
"""Seconds a leftover temporary file must be unchanged before a later write removes it
(a guard for the instant between a live writer creating its file and locking it)."""

_SUFFIX = ".tmp"
_RENAME_WHILE_OPEN = os.name == "posix"
_TOKEN = 16  # hex digits of randomness in a temporary name


def _temp_name(target: str) -> str:
    return f".{target}.{secrets.token_hex(_TOKEN // 2)}{_SUFFIX}"


def _temp_pattern(target: str) -> re.Pattern[str]:
    return re.compile(re.escape(f".{target}.") + f"[0-9a-f]{{{_TOKEN}}}" + re.escape(_SUFFIX))


def write_atomic(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> Path:
    """Call ``write(f)`` with ``f`` a binary file beside ``path``, then move it to ``path``.

    Steps: create ``.<name>.<random>.tmp`` in ``path``'s directory; ``write(f)``; flush and
    ``fsync`` it; give it its mode; ``os.replace`` it onto ``path``; ``fsync`` the directory.

    Mode: an existing ``path`` keeps its permission bits (a private 0600 file stays 0600,
    and the temporary file is 0600 while it is written); a new file gets the usual mode,
    0666 less the umask (the kernel applies the umask when the file is created; the umask
    is never changed).  A symbolic link at ``path`` is followed: the file it points to is
    replaced, the link stays.  A directory, device, pipe or socket is refused with OSError
    (EEXIST), so ``/dev/null`` is never swapped for a plain file.

    If ``write`` raises (or the process gets ``KeyboardInterrupt``/``SystemExit``), the
    temporary file is removed, ``path`` is left as it was, and the error propagates.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    given = Path(path)
    # a link is written through, as an editor does: its target gets the new file (and a
    # link to a device, such as /dev/stdout, is refused below instead of being replaced)
    path = Path(os.path.realpath(given)) if given.is_symlink() else given
    directory = path.parent if str(path.parent) else Path(".")
    keep_mode = _existing_mode(path)
    _sweep(directory, path.name)
    fd, tmp = _create(directory, path.name, 0o666 if keep_mode is None else 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            if fcntl is not None:  # tells other writers' sweeps that this file is alive
                with contextlib.suppress(OSError):  # a file system without locks: no sign
                    fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            write(f)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on the disk before the name points at them
            if keep_mode is not None:
                os.chmod(tmp, keep_mode)
            if _RENAME_WHILE_OPEN:  # still locked while it moves: never swept half-done
                os.replace(tmp, path)
        if not _RENAME_WHILE_OPEN:  # pragma: no cover - Windows cannot rename an open file
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)
    return given


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """:func:`write_atomic` of ``data``: ``path`` holds exactly these bytes, or is unchanged."""
    return write_atomic(path, lambda f: f.write(data))


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the file at ``path``; None if there is none.

    Raises OSError for a device, pipe, socket or directory: replacing ``/dev/null`` (which
    root could) would swap the device for a plain file."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise OSError(errno.EEXIST, f"{kind}; write_atomic replaces only regular files",
                      str(path))
    return stat.S_IMODE(st.st_mode) & 0o777


def _create(directory: Path, target: str, mode: int) -> tuple[int, str]:
    """A new file ``directory/.target.<random>.tmp`` opened for writing: (fd, its path)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, _temp_name(target))
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:  # pragma: no cover - 64 random bits collided
            continue
    raise FileExistsError(f"write_atomic: no free temporary name beside {target!r}")


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every system can open or fsync a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sweep(directory: Path, target: str) -> None:
    """Remove our stale temporary files for ``target`` (see the module docstring)."""
    if fcntl is None:
        return
    pattern = _temp_pattern(target)
    try:
        names = [n for n in os.listdir(directory) if pattern.fullmatch(n)]
    except OSError:
        return
    for name in names:
        full = os.path.join(directory, name)
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid()
                    or time.time() - st.st_mtime < STALE_AFTER):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a live writer holds it
                continue
            # still the file we checked (not replaced by another between open and unlink)
            with contextlib.suppress(OSError):
                now = os.lstat(full)
                if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                    os.unlink(full)
        finally:
            os.close(fd)


class Terminated(BaseException):
    """Raised in the main thread by :func:`sigterm_as_exit` when the process gets SIGTERM."""


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread, so ``finally``
    blocks and :func:`write_atomic`'s cleanup run; the previous handler comes back after.

    Outside the main thread (where Python cannot install a handler) it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated(f"terminated by signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
