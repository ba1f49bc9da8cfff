"""What the grader runs inside a student's kernel, after the student's own cells.

The grader (:mod:`nn.teaching.grading`) appends to a student's notebook one cell per checker
call of the teacher's source, each ``report("check_x", lambda: ex.check_x(...))``.
:func:`report` runs the call and shows its verdict as a display output of the MIME type
:data:`MIME` (a JSON object), which the grader reads back; a student's ``print`` cannot make
one by accident.  Whatever the call raises (a name the student deleted, a crash in their
code) is reported as the verdict ``error`` with the exception's type and message.

>>> from nn.exercises import check_derivative
>>> outcome(lambda: check_derivative(lambda x: 3 * x**2 - 4, seed=0))["verdict"]
'right'
>>> outcome(lambda: check_derivative(fprime, seed=0))["message"]
"NameError: name 'fprime' is not defined"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from nn.verdict import Verdict

__all__ = ["MIME", "outcome", "report", "limit_memory"]

MIME = "application/vnd.micrograd-like.verdict+json"
"""The MIME type of a verdict the grader reads from a check cell's outputs."""

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # "<function f at 0x7f…>": differs run to run

_HINTS = {
    "NameError": "a name the check needs is not defined: run every cell in order, and do not "
                 "delete or rename the cells that define your answer",
    "AttributeError": "your answer is missing something the check uses: see the exercise",
}


def outcome(call: Callable[[], Any]) -> dict[str, Any]:
    """Run a checker call; its verdict as a JSON-ready dict (``verdict``, ``message``,
    ``hint``, ``details``), with ``verdict`` one of ``right``, ``not yet`` or ``error``."""
    try:
        verdict = call()
    except (Exception, SystemExit) as e:  # the student's code or what it left undefined
        name = type(e).__name__
        message = _ADDRESS.sub("", " ".join(f"{name}: {e}".split()))
        return {"verdict": "error", "message": message[:500],
                "hint": _HINTS.get(name, "run the notebook top to bottom to see the error"),
                "details": []}
    if not isinstance(verdict, Verdict):
        return {"verdict": "error", "hint": "do not redefine ex or its checkers",
                "message": f"the checker returned a {type(verdict).__name__}, not a verdict",
                "details": []}
    return {"verdict": verdict.status, "message": verdict.message, "hint": verdict.hint,
            "details": list(verdict.details)}


def report(check: str, call: Callable[[], Any]) -> None:
    """Run a checker call and show its :func:`outcome` as a :data:`MIME` display output."""
    from IPython.display import display  # only ever called inside a kernel

    display({MIME: {"check": check, **outcome(call)}}, raw=True)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (``RLIMIT_AS``, soft and hard: it cannot be raised
    again); an allocation past it raises ``MemoryError``.  No-op where ``resource`` is missing."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
