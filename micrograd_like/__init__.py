"""micrograd-like: a scalar reverse-mode autodiff engine for learning backpropagation.

>>> from micrograd_like import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a.exp()          # c = ab + eᵃ
>>> c.backward()
>>> round(a.grad, 6), b.grad     # ∂c/∂a = b + eᵃ, ∂c/∂b = a
(4.389056, 2.0)
"""

# The one place the version is written: pyproject.toml reads it from here at build time.
__version__ = "0.1.0"

from micrograd_like.engine import (
    Value,
    backward_steps,
    dot,
    is_grad_enabled,
    no_grad,
    sum,
    topological_order,
)
from micrograd_like.explore import explore
from micrograd_like.gradcheck import GradcheckReport, gradcheck
from micrograd_like.tape import DataDependenceError, Tape
from micrograd_like.tape import compile as compile_tape
from micrograd_like.tape import trace as trace_tape
from micrograd_like.viz import backward_frames, draw_dot

__all__ = [
    "Value",
    "dot",
    "sum",
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
]
