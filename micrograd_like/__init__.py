"""micrograd-like: a scalar reverse-mode autodiff engine for learning backpropagation.

>>> from micrograd_like import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a.exp()          # c = ab + eᵃ
>>> c.backward()
>>> round(a.grad, 6), b.grad     # ∂c/∂a = b + eᵃ, ∂c/∂b = a
(4.389056, 2.0)

Every op also has a function form, for a Value or a plain number (``exp``, ``tanh``,
``maximum``, ... one for each op in :data:`micrograd_like.ops.RULES`, including those added
with :func:`define_op`):

>>> import micrograd_like as mg
>>> mg.grad(mg.tanh)(0.0)  # tanh′(0) = 1
1.0

``mg.sum`` and ``mg.abs`` are here too, but ``from micrograd_like import *`` leaves
Python's built-in ``sum`` and ``abs`` alone.  Importing the package loads only the engine
and the standard library; the tape (numpy) and the drawings (graphviz) load on first use.
"""

# The one place the version is written: pyproject.toml reads it from here at build time.
__version__ = "0.1.0"

from typing import TYPE_CHECKING

from micrograd_like import ops
from micrograd_like.derivative import grad
from micrograd_like.engine import (
    Value,
    apply,
    backward_steps,
    dot,
    is_grad_enabled,
    no_grad,
    topological_order,
)
from micrograd_like.ops import define_op

if TYPE_CHECKING:  # type checkers see mg.sum; at run time __getattr__ gives it
    from micrograd_like.engine import sum as sum

# name -> (module, attribute): loaded on first use (numpy, graphviz, dataclasses)
_LAZY = {
    "gradcheck": ("micrograd_like.finite_differences", "gradcheck"),
    "GradcheckReport": ("micrograd_like.finite_differences", "GradcheckReport"),
    "Tape": ("micrograd_like.tape", "Tape"),
    "compile_tape": ("micrograd_like.tape", "compile"),
    "trace_tape": ("micrograd_like.tape", "trace"),
    "DataDependenceError": ("micrograd_like.tape", "DataDependenceError"),
    "draw_dot": ("micrograd_like.viz", "draw_dot"),
    "backward_frames": ("micrograd_like.viz", "backward_frames"),
    "explore": ("micrograd_like.explore_page", "explore"),
}

# Names that would shadow a builtin under `from micrograd_like import *`: reachable as
# mg.sum and mg.abs, left out of __all__.
_NOT_STARRED = ("sum", "abs")

__all__ = [
    "Value",
    "apply",
    "dot",
    "grad",
    "define_op",
    "ops",
    "no_grad",
    "is_grad_enabled",
    "topological_order",
    "backward_steps",
    "gradcheck",
    "GradcheckReport",
    "draw_dot",
    "backward_frames",
    "explore",
    "Tape",
    "compile_tape",
    "trace_tape",
    "DataDependenceError",
    *(name for name in ops.function_names() if name not in _NOT_STARRED),
]


def __getattr__(name: str) -> object:
    """Lazy exports: the tape and drawing names, ``sum``, and every op's function form."""
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    if name == "sum":
        from micrograd_like.engine import sum

        return sum
    if name in ops.function_names():
        return ops.function(name)  # not kept here: define_op may redefine a user op
    raise AttributeError(f"module 'micrograd_like' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *_NOT_STARRED, *ops.function_names(), "__version__"})


del TYPE_CHECKING  # not part of the API
