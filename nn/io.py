"""Save and load an MLP's parameters as JSON (never pickle: loading runs no code).

The file is one JSON object::

    {"format": "micrograd-like/mlp", "version": 1,
     "sizes": [2, 16, 1], "activations": ["relu", "linear"],
     "weights": [[[w, ...], ...], ...],      # weights[l][j][k] = wˡⱼₖ, Nielsen's layout
     "biases": [[b, ...], ...]}              # biases[l][j]

Floats are written with ``repr``, so a round trip is exact.  :func:`load` checks the whole
file (format, version, sizes and activations against the model, every number real and
finite) **before** it assigns anything, so a bad file raises and leaves the model untouched.
A hostile file fails fast with a ValueError too: one over :data:`MAX_BYTES` is refused
before it is read, deep nesting and numbers beyond the float range are caught.

>>> import tempfile, os
>>> from nn import MLP
>>> mlp = MLP(2, [3, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "mlp.json")
>>> save(mlp, path)
>>> other = MLP(2, [3, 1], seed=1)
>>> load(other, path)
>>> other.to_matrices()[0][0].tolist() == mlp.to_matrices()[0][0].tolist()
True
"""

from __future__ import annotations

import itertools
import json
import math
import os
from typing import Any

from micrograd_like.files import write_bytes
from nn.module import ACTIVATIONS, MLP

__all__ = ["FORMAT", "MAX_BYTES", "MAX_PARAMETERS", "VERSION", "to_dict", "from_dict", "save",
           "load", "load_mlp"]

FORMAT = "micrograd-like/mlp"
VERSION = 1

PathLike = str | os.PathLike


def to_dict(mlp: MLP) -> dict[str, Any]:
    """The model's shape, activations and parameters as plain JSON-ready Python objects."""
    if not isinstance(mlp, MLP):
        raise TypeError(f"to_dict: expected an MLP, got {type(mlp).__name__}")
    return {
        "format": FORMAT,
        "version": VERSION,
        "sizes": mlp.sizes,
        "activations": mlp.activations,
        "weights": [[[p.data for p in n.w] for n in layer.neurons] for layer in mlp.layers],
        "biases": [[n.b.data for n in layer.neurons] for layer in mlp.layers],
    }


def save(mlp: MLP, path: PathLike) -> None:
    """Write ``mlp``'s parameters to ``path`` as JSON (see the module docstring).

    The write is atomic: a temporary file beside ``path`` replaces it only once complete,
    so an error (a full disk, a non-finite weight) never leaves a half-written file.
    """
    text = json.dumps(to_dict(mlp), allow_nan=False) + "\n"
    write_bytes(path, text.encode("utf-8"))


MAX_BYTES = 100_000_000
"""Files larger than this (100 MB, a model of about four million parameters) are refused
before anything is read; pass ``max_bytes=`` to :func:`load` or :func:`load_mlp` to allow
more."""

MAX_PARAMETERS = 2_000_000
"""The most weights and biases :func:`load_mlp` and :func:`from_dict` build (about 1.4 GB
as Values); pass ``max_parameters=`` to allow more."""

_MAX_INT_DIGITS = 18  # longer integers are read as floats (an int64 has 19 digits)


def _parse_int(text: str) -> int | float:
    """A JSON integer: an int if short, else a float (``inf`` beyond the float range), so a
    400-digit number is a non-finite weight, not an OverflowError, and a huge one cannot
    hit Python's limit on int conversion."""
    return int(text) if len(text.lstrip("-")) <= _MAX_INT_DIGITS else float(text)


def _read(path: PathLike, max_bytes: int) -> Any:
    """Parse the file at ``path``: size capped before reading, every failure a ValueError
    naming the file (or the OSError of opening it)."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"load: max_bytes must be a positive int, got {max_bytes!r}")
    name = repr(os.fspath(path))

    def no_constants(constant: str) -> None:
        raise ValueError(f"load: {name} contains {constant}, which is not a finite number")

    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes:
            raise ValueError(f"load: {name} has {size:,} bytes, more than max_bytes="
                             f"{max_bytes:,} (pass a larger max_bytes= to read it)")
        raw = f.read(max_bytes + 1)  # a pipe or device reports no size: cap the read too
    if len(raw) > max_bytes:
        raise ValueError(f"load: {name} has more than max_bytes={max_bytes:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"load: {name} is not UTF-8 text: {e}") from None
    try:
        return json.loads(text, parse_constant=no_constants, parse_int=_parse_int)
    except json.JSONDecodeError as e:
        raise ValueError(f"load: {name} is not valid JSON: {e}") from None
    except RecursionError:  # the parser recurses once per [ or {
        raise ValueError(f"load: {name} is nested too deeply to be a model file") from None


def _number(x: Any, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"load: {where} must be a number, got {type(x).__name__}: {x!r}")
    try:
        f = float(x)
    except OverflowError:  # an int beyond the float range (from_dict with a Python int)
        f = math.inf
    if not math.isfinite(f):
        shown = repr(x) if len(repr(x)) <= 40 else f"a number of {len(str(x))} digits"
        raise ValueError(f"load: {where} is not finite as a float: {shown}")
    return f


def _short(x: Any, limit: int = 80) -> str:
    """``repr(x)``, cut to ``limit`` characters: a hostile file's list can be huge."""
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


def _validated(data: Any, max_parameters: int | None = None,
               expected_sizes: list[int] | None = None,
               ) -> tuple[list[int], list[str], list, list]:
    """Check a parsed file completely; return (sizes, activations, weights, biases).

    The sizes are checked first (against ``expected_sizes``, and their parameter count
    against ``max_parameters``), so that a file describing a huge network fails before
    any of its numbers is converted."""
    if not isinstance(data, dict):
        raise TypeError(f"load: expected a JSON object, got {type(data).__name__}")
    if data.get("format") != FORMAT:
        raise ValueError(f"load: not a {FORMAT!r} file (format = {data.get('format')!r})")
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ValueError(f"load: unsupported version {version!r} (this code reads version "
                         f"{VERSION})")
    for key in ("sizes", "activations", "weights", "biases"):
        if not isinstance(data.get(key), list):
            raise TypeError(f"load: '{key}' must be a list, got {type(data.get(key)).__name__}")
    sizes, acts, weights, biases = (data[k] for k in ("sizes", "activations", "weights",
                                                      "biases"))
    if len(sizes) < 2 or not all(type(s) is int and s >= 1 for s in sizes):
        raise ValueError(f"load: 'sizes' must list at least two positive ints, got "
                         f"{_short(sizes)}")
    if expected_sizes is not None and sizes != expected_sizes:
        raise ValueError(f"load: the file's sizes {_short(sizes)} differ from the model's "
                         f"{expected_sizes}")
    n_parameters = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
    if max_parameters is not None and n_parameters > max_parameters:
        raise ValueError(f"load: the file describes a network of {n_parameters:,} parameters, "
                         f"more than max_parameters={max_parameters:,}")
    layers = len(sizes) - 1
    if len(acts) != layers or not all(a in ACTIVATIONS for a in acts):
        raise ValueError(f"load: 'activations' must list {layers} names from "
                         f"{ACTIVATIONS}, got {_short(acts)}")
    if len(weights) != layers or len(biases) != layers:
        raise ValueError(f"load: expected {layers} weight matrices and bias vectors, got "
                         f"{len(weights)} and {len(biases)}")
    ws, bs = [], []
    for li in range(layers):
        nin, nout = sizes[li], sizes[li + 1]
        w, b = weights[li], biases[li]
        if (not isinstance(w, list) or len(w) != nout
                or not all(isinstance(r, list) and len(r) == nin for r in w)):
            raise ValueError(f"load: weights[{li}] must be a {nout} x {nin} nested list")
        if not isinstance(b, list) or len(b) != nout:
            raise ValueError(f"load: biases[{li}] must be a list of {nout} numbers")
        ws.append([[_number(x, f"weights[{li}][{j}][{k}]") for k, x in enumerate(r)]
                   for j, r in enumerate(w)])
        bs.append([_number(x, f"biases[{li}][{j}]") for j, x in enumerate(b)])
    return sizes, acts, ws, bs


def from_dict(data: Any, *, max_parameters: int = MAX_PARAMETERS) -> MLP:
    """A new MLP with the sizes, activations and parameters of a :func:`to_dict` object.

    Raises the errors of :func:`load`, and ValueError for a network of more than
    ``max_parameters`` weights and biases (checked before anything is built)."""
    _sizes, acts, ws, bs = _validated(data, max_parameters=max_parameters)
    if len(set(acts[:-1])) > 1:
        raise ValueError(f"load: hidden layers with different activations {acts[:-1]} are not "
                         "supported by MLP")
    hidden = acts[0] if len(acts) > 1 else "sigmoid"
    return MLP.from_matrices(ws, bs, activation=hidden, output_activation=acts[-1])


def load(mlp: MLP, path: PathLike, *, max_bytes: int = MAX_BYTES) -> None:
    """Load parameters from ``path`` into ``mlp`` (same sizes and activations required).

    Raises:
        ValueError: a file over ``max_bytes`` (checked before reading), not UTF-8 JSON,
            nested too deeply, wrong format or version, sizes or activations that differ
            from the model's, a number that is not finite as a float (NaN, 1e400, or an
            integer of 400 digits).
        TypeError: a field of the wrong type.
        OSError: the file cannot be opened or read.
    In every case the model is left exactly as it was.
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"load: expected an MLP, got {type(mlp).__name__}")
    _, acts, ws, bs = _validated(_read(path, max_bytes), expected_sizes=mlp.sizes)
    if acts != mlp.activations:
        raise ValueError(f"load: the file's activations {acts} differ from the model's "
                         f"{mlp.activations}")
    for layer, w, b in zip(mlp.layers, ws, bs):  # everything is checked: now assign
        for n, row, bias in zip(layer.neurons, w, b):
            for p, x in zip(n.w, row):
                p.data = x
            n.b.data = bias


def load_mlp(path: PathLike, *, max_bytes: int = MAX_BYTES,
             max_parameters: int = MAX_PARAMETERS) -> MLP:
    """A new MLP built from the file at ``path`` (sizes and activations from the file).

    Raises the errors of :func:`load` and :func:`from_dict` (a 24 MB file of zeros can
    describe 9 million parameters: gigabytes as Values, so their number is capped)."""
    return from_dict(_read(path, max_bytes), max_parameters=max_parameters)
