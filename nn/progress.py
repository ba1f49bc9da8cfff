"""Progress bars that draw only where a bar can be drawn.

:func:`bar` wraps an iterable in a tqdm bar chosen when it is needed, not at import:

* in a Jupyter kernel with ipywidgets installed: tqdm's notebook widget;
* on a terminal (``sys.stderr.isatty()``), including a notebook without ipywidgets: tqdm's
  text bar, redrawn in place;
* anywhere else (output piped to a file or a log, CI): no bar at all, so no carriage-return
  frames end up in the file.

Nothing here imports tqdm's ``auto`` or ``notebook`` modules up front: ``tqdm.auto`` warns
("IProgress not found") the moment it is imported in a kernel without ipywidgets, and
``import nn`` must not warn.

>>> list(bar(range(3), desc="demo", enabled=False))
[0, 1, 2]
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["bar", "in_notebook"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython already loaded by it; never imported here)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # an IPython too old or half-initialised: treat as no notebook
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _widgets_available() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def bar(iterable: Iterable[Any], *, desc: str = "", enabled: bool = True,
        leave: bool = False) -> Any:
    """``iterable`` wrapped in a progress bar, or a disabled one where a bar cannot draw.

    Always returns a tqdm object (so ``.set_postfix`` and ``.close`` work); a disabled
    one writes nothing.
    """
    from tqdm.std import tqdm as text_bar

    if not enabled:
        return text_bar(iterable, desc=desc, disable=True)
    if in_notebook() and _widgets_available():
        from tqdm.notebook import tqdm as widget_bar

        return widget_bar(iterable, desc=desc, leave=leave)
    stream = sys.stderr
    if in_notebook() or (hasattr(stream, "isatty") and stream.isatty()):
        return text_bar(iterable, desc=desc, leave=leave, file=stream)
    return text_bar(iterable, desc=desc, disable=True)
