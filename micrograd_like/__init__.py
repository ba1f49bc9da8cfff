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
>>> mg.grad(mg.tanh)(0.0).data  # tanh′(0) = 1
1.0

Importing the package loads only the engine and the standard library; the tape (numpy)
and the drawings (graphviz) are imported on first use of their names.
"""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here at build time.
__version__ = "0.1.0"

import importlib
import sys
import types
from typing import Any

from micrograd_like import ops
from micrograd_like.engine import (
    Value,
    apply,
    backward_steps,
    dot,
    grad,
    is_grad_enabled,
    no_grad,
    sum,
    topological_order,
)
from micrograd_like.ops import define_op

# name -> (module, attribute): loaded on first use (numpy, graphviz, dataclasses)
_LAZY = {
    "gradcheck": ("micrograd_like.gradcheck", "gradcheck"),
    "GradcheckReport": ("micrograd_like.gradcheck", "GradcheckReport"),
    "Tape": ("micrograd_like.tape", "Tape"),
    "compile_tape": ("micrograd_like.tape", "compile"),
    "trace_tape": ("micrograd_like.tape", "trace"),
    "DataDependenceError": ("micrograd_like.tape", "DataDependenceError"),
    "draw_dot": ("micrograd_like.viz", "draw_dot"),
    "backward_frames": ("micrograd_like.viz", "backward_frames"),
    "explore": ("micrograd_like.explore", "explore"),
}

__all__ = [
    "Value",
    "apply",
    "dot",
    "sum",
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
    *ops.function_names(),
]


def __getattr__(name: str) -> Any:
    """Lazy exports: the tape and drawing names, and the function form of every op."""
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    if name in ops.function_names():
        return ops.function(name)  # not kept here: define_op may redefine a user op
    raise AttributeError(f"module 'micrograd_like' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(ops.function_names()))


class _Package(types.ModuleType):
    """Keeps ``micrograd_like.explore`` and ``micrograd_like.gradcheck`` the functions.

    Importing a submodule binds the package attribute of its name to the submodule; for
    these two the package's name means the function of the same name (as an eager
    ``from micrograd_like.explore import explore`` would), loaded lazily by ``__getattr__``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTION_NAMED_MODULES and isinstance(value, types.ModuleType):
            return  # the import system binding the submodule: keep the function's name
        super().__setattr__(name, value)


_FUNCTION_NAMED_MODULES = ("explore", "gradcheck")
sys.modules[__name__].__class__ = _Package
