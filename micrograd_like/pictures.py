"""Pictures of drawings as files: render a graph with Graphviz, save it atomically, make GIFs.

A drawing is DOT source (:class:`graphviz.Digraph`); this module turns it into bytes
(:func:`render`: svg, png, pdf by running Graphviz's ``dot``, or the source itself for
gv/dot) and writes them so that a failure never leaves a half-written file (:func:`save`,
:func:`save_frames`).  Graphviz runs under a time limit, and a GIF is refused before it is
made if it would take too much memory.

>>> import graphviz
>>> g = graphviz.Digraph(); g.edge("a", "b")
>>> render(g, "gv").startswith(b"digraph")
True
"""

from __future__ import annotations

import base64
import io
import math
import os
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import graphviz

from micrograd_like.files import write_bytes

__all__ = [
    "FORMATS",
    "MAX_GIF_BYTES",
    "GraphvizError",
    "GraphvizNotFoundError",
    "GraphvizTimeoutError",
    "TooManyFramesError",
    "picture_format",
    "render",
    "render_frames",
    "save",
    "save_frames",
    "svg_data_uri",
    "svg_element",
    "svg_size",
]

MAX_GIF_BYTES = 256 * 2**20
"""The most memory (estimated: 4 bytes per pixel per frame) a GIF of frames may take."""


FORMATS = ("svg", "png", "pdf", "gv", "dot")
"""File formats :func:`save` writes; ``gv``/``dot`` are DOT source and need no Graphviz."""

INSTALL_HINT = (
    "install Graphviz to render pictures (Debian/Ubuntu: apt-get install graphviz; "
    "macOS: brew install graphviz), or save DOT source with a .gv suffix"
)


class GraphvizError(RuntimeError):
    """Graphviz could not render a drawing (one line: what dot said)."""


class GraphvizNotFoundError(GraphvizError):
    """Graphviz's ``dot`` program is not installed, so a drawing cannot be rendered."""

    def __init__(self, message: str = "Graphviz's 'dot' program was not found on PATH: "
                 + INSTALL_HINT) -> None:
        super().__init__(message)


class GraphvizTimeoutError(GraphvizError):
    """Graphviz did not finish within the time allowed (its process is killed)."""


class TooManyFramesError(ValueError):
    """A backward step-through would have more frames, or a GIF more pixels, than allowed."""


def render(graph: graphviz.Digraph, fmt: str, *, timeout: float | None = None) -> bytes:
    """The bytes :func:`save` would write: DOT source for gv/dot, else Graphviz's output.

    Args:
        timeout: seconds Graphviz may take (None: no limit); past it its process is
            killed and :class:`GraphvizTimeoutError` raised.

    Raises:
        ValueError: unknown format.  GraphvizNotFoundError: ``dot`` missing (not for
        gv/dot).  GraphvizTimeoutError: past ``timeout``.  GraphvizError: dot failed.
    """
    fmt = picture_format("", fmt)
    if fmt in ("gv", "dot"):
        return graph.source.encode("utf-8")
    return _pipe(graph, fmt, timeout)


def svg_element(graph: graphviz.Digraph, *, timeout: float | None = None) -> str:
    """Graphviz's SVG of ``graph`` as one ``<svg>`` element, to put inside an HTML page
    (the XML prologue and doctype of the document left out); ``timeout`` as for render."""
    svg = render(graph, "svg", timeout=timeout).decode("utf-8")
    return svg[svg.index("<svg"):]


def svg_data_uri(svg: str) -> str:
    """``svg`` (an SVG element or document) as a ``data:`` URI, for an ``<img>``: a picture
    that shows wherever HTML does, even where scripts and inline SVG are not allowed (a
    notebook JupyterLab does not trust)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def svg_size(svg: str) -> tuple[int, int]:
    """The (width, height) in CSS pixels of Graphviz's SVG, which gives them in points."""
    head = svg[svg.index("<svg"):]
    head = head[: head.index(">")]
    size = [re.search(f'\\s{key}="([0-9.]+)pt"', head) for key in ("width", "height")]
    if size[0] is None or size[1] is None:
        raise GraphvizError(f"no size in points in the SVG element {head[:80]!r}")
    return round(float(size[0][1]) * 4 / 3), round(float(size[1][1]) * 4 / 3)


def save(graph: graphviz.Digraph, path: str | os.PathLike[str], fmt: str | None = None, *,
         timeout: float | None = None) -> Path:
    """Write ``graph`` to ``path`` as svg, png, pdf (rendered by Graphviz) or gv/dot (source).

    The format comes from ``fmt`` or else from the file suffix.  The picture is rendered
    in memory first (see :func:`render`, also for ``timeout``), then written to a temporary
    file in the same directory and moved into place, so a failure never leaves a
    half-written picture.

    Raises:
        the errors of :func:`render`; OSError: the path cannot be written.
    """
    path = Path(path)
    data = render(graph, picture_format(path, fmt), timeout=timeout)
    write_bytes(path, data)
    return path


def render_frames(
    frames: Sequence[graphviz.Digraph],
    path: str | os.PathLike[str],
    *,
    fmt: str = "svg",
    duration_ms: int = 800,
    timeout: float | None = None,
) -> list[tuple[Path, bytes]]:
    """The files :func:`save_frames` would write, as ``(path, bytes)`` pairs, nothing written.

    ``timeout`` bounds the time of all of Graphviz's runs together.  A GIF is refused with
    :class:`TooManyFramesError` before any frame is decoded if it would take more than
    :data:`MAX_GIF_BYTES` of memory.
    """
    if not frames:
        raise ValueError("save_frames: no frames to save")
    path = Path(path)
    deadline = None if timeout is None else time.monotonic() + timeout
    if path.suffix.lower() == ".gif":
        if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or duration_ms <= 0:
            raise ValueError(f"duration_ms must be a positive int, got {duration_ms!r}")
        _pillow_image()  # before any layout: say at once that Pillow is missing
        # the last frame's layout (every frame has the same boxes) tells whether the GIF
        # fits in memory before any picture is made: a 200-node chain's PNG alone is 0.7 GB
        size = _png_size_of_layout(frames[-1], _remaining(deadline, timeout))
        _check_gif_memory([size], len(frames))
        pngs = [_pipe(f, "png", _remaining(deadline, timeout)) for f in frames]
        return [(path, _gif_bytes(pngs, duration_ms))]
    fmt = picture_format("", fmt)
    return [(path / f"frame_{i:03d}.{fmt}", render(f, fmt, timeout=_remaining(deadline, timeout)))
            for i, f in enumerate(frames)]


def save_frames(
    frames: Sequence[graphviz.Digraph],
    path: str | os.PathLike[str],
    *,
    fmt: str = "svg",
    duration_ms: int = 800,
    timeout: float | None = None,
) -> list[Path]:
    """Save backward frames: an animated GIF if ``path`` ends in ``.gif``, else one file per
    frame, ``frame_000.<fmt>``, ``frame_001.<fmt>``, … in the directory ``path`` (created
    with its parents if missing).

    Every frame is rendered (:func:`render_frames`) before the first file is written.  The
    GIF is made with Pillow; frames of different sizes are placed on a white canvas of the
    largest size.

    Returns:
        The paths written.
    """
    files = render_frames(frames, path, fmt=fmt, duration_ms=duration_ms, timeout=timeout)
    if Path(path).suffix.lower() != ".gif":
        Path(path).mkdir(parents=True, exist_ok=True)
    for file, data in files:
        write_bytes(file, data)
    return [file for file, _ in files]


def _remaining(deadline: float | None, timeout: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise GraphvizTimeoutError(f"Graphviz did not finish the frames within {timeout:g} s")
    return left


_PNG_DPI = 96  # Graphviz's pixels per inch for png
_PNG_MARGIN = 11  # pixels its PNG adds to the layout's bounding box (measured)
_PNG_LARGEST = 32767  # Graphviz scales a picture down to fit this many pixels a side


def _png_size_of_layout(graph: graphviz.Digraph, timeout: float | None) -> tuple[int, int]:
    """The (width, height) in pixels Graphviz's PNG of ``graph`` will have, from a layout
    alone (``-Tplain``: its first line is ``graph scale width height`` in inches)."""
    fields = _pipe(graph, "plain", timeout).split(b"\n", 1)[0].split()
    width, height = (min(math.ceil(float(t) * _PNG_DPI) + _PNG_MARGIN, _PNG_LARGEST)
                     for t in fields[2:4])
    return width, height


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header (bytes 16-24 of the IHDR chunk), nothing decoded."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        raise GraphvizError("Graphviz did not return a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _check_gif_memory(sizes: Sequence[tuple[int, int]], n_frames: int) -> tuple[int, int]:
    """The GIF's canvas (width, height); TooManyFramesError past MAX_GIF_BYTES."""
    width, height = max(w for w, _ in sizes), max(h for _, h in sizes)
    need = 4 * width * height * n_frames  # an RGB canvas per frame + Pillow's P copy
    if need > MAX_GIF_BYTES:
        raise TooManyFramesError(
            f"a GIF of {n_frames} frames of {width}x{height} pixels would need about "
            f"{need / 2**20:,.0f} MB of memory, more than {MAX_GIF_BYTES // 2**20} MB: save "
            "the frames as SVG files in a directory instead, or draw a smaller graph")
    return width, height


def _pillow_image() -> Any:
    """Pillow's ``Image`` module; ImportError naming it if it is missing."""
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with matplotlib, but is ours to declare: the gif extra
        raise ModuleNotFoundError(
            'saving a GIF needs Pillow, which is not installed: pip install "micrograd-like[gif]"',
            name="PIL",
        ) from None
    return Image


def _gif_bytes(pngs: Sequence[bytes], duration_ms: int) -> bytes:
    Image = _pillow_image()
    width, height = _check_gif_memory([_png_size(png) for png in pngs], len(pngs))
    canvases = []
    for png in pngs:
        im = Image.open(io.BytesIO(png)).convert("RGBA")
        canvas = Image.new("RGBA", (width, height), "white")
        canvas.alpha_composite(im, ((width - im.width) // 2, (height - im.height) // 2))
        canvases.append(canvas.convert("RGB"))
    out = io.BytesIO()
    canvases[0].save(
        out, format="GIF", save_all=True, append_images=canvases[1:], duration=duration_ms, loop=0
    )
    return out.getvalue()


def picture_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``fmt`` if given, else the suffix of ``path`` (``graph.svg`` -> ``"svg"``); checked
    against :data:`FORMATS`.  Raises ValueError naming the path or format."""
    path = Path(path)
    if fmt is None:
        fmt = path.suffix[1:].lower()
        if not fmt:
            raise ValueError(
                f"cannot tell the picture format of {str(path)!r}: give it a suffix "
                f"({', '.join('.' + f for f in FORMATS)}) or a format"
            )
    if fmt not in FORMATS:
        raise ValueError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


_LONGEST_TIMEOUT = 1e6  # s, 11 days: poll() takes at most 2³¹ ms; longer means no limit


def _pipe(graph: graphviz.Digraph, fmt: str, timeout: float | None = None) -> bytes:
    """Run Graphviz on ``graph``'s source; the process is killed after ``timeout`` s."""
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
                or not timeout > 0 or timeout != timeout:
            raise ValueError(f"timeout must be a positive number of seconds or None, got "
                             f"{timeout!r}")
        timeout = min(timeout, _LONGEST_TIMEOUT)
    source = graph.source.encode("utf-8")
    try:
        done = subprocess.run([graph.engine, f"-T{fmt}"], input=source, capture_output=True,
                              timeout=timeout, check=False)
    except FileNotFoundError:
        raise GraphvizNotFoundError() from None
    except OSError as e:  # there, but not runnable (no execute permission, wrong format)
        raise GraphvizNotFoundError(f"could not run Graphviz's {graph.engine!r}: {e}; "
                                    f"{INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise GraphvizTimeoutError(
            f"Graphviz's layout did not finish within {timeout:g} s ({source.count(b'->')} "
            "edges): draw a smaller graph, or allow more time"
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizError(
            f"Graphviz failed to render {fmt}: "
            f"{detail[0] if detail else f'exit status {done.returncode}'}"
        )
    return done.stdout
