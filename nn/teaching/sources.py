"""The teacher's exercise sources, and the notebooks made from them for one student.

An exercise has one source, ``notebooks/src/<track>/NN_name.py`` (jupytext's "percent"
format), in two tracks: ``exercises`` (Nielsen's chapter 2) and ``build_micrograd`` (the
lecture's engine, written by the student).  From it come two twins (:func:`twin`): the
solved one and the one to solve, where the lines between ``# BEGIN SOLUTION`` and
``# END SOLUTION`` are left out and a ``# EXERCISE: text`` line becomes ``text``.

For a student, the line ``SEED = 0`` of the source becomes ``SEED = <n>  # student <id>``
with ``n = nn.exercises.student_seed(id)`` (:func:`seed_line`), so each student's numbers
differ; a source without such a line is left as it is.  The checker calls a grader runs are
those of the teacher's source (:func:`check_calls`): the last line of each code cell that
ends with ``ex.check_...(...)``.

>>> text = "SEED = 0\\ndef f():\\n    # BEGIN SOLUTION\\n    return 1\\n    # END SOLUTION\\n"
>>> text += "    # EXERCISE: ...\\n"
>>> print(for_student(text, "alice", solved=False), end="")
SEED = 2131624111  # student alice
def f():
    ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nn.exercises import student_seed

__all__ = ["TRACKS", "CHECK", "SEED_LINE", "ID", "RosterError", "check_id", "Exercise",
           "CheckCall", "default_sources", "exercises", "twin", "seed_line", "for_student",
           "check_calls", "solution_lines"]

TRACKS = ("exercises", "build_micrograd")
"""The folders of ``notebooks/src`` that hold exercise sources, also the folder names of a pack."""

CHECK = re.compile(r"^ex\.check_\w+\(.*\)$")
"""A checker call: the last line of a checker cell (as tests/test_exercise_notebooks.py)."""

SEED_LINE = re.compile(r"^SEED = 0(?:[ \t]+#.*)?$", re.MULTILINE)
"""The line a pack replaces: ``SEED = 0``, maybe followed by a comment."""

_EXERCISE = re.compile(r"^(\s*)# EXERCISE: ?(.*)$")
_IMPORT_EX = re.compile(r"^(from nn(?:\.\w+)* import \w+ as ex|import nn(?:\.\w+)* as ex)$",
                        re.MULTILINE)
_CELL = re.compile(r"^# %%(.*)$")


ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
"""A student id: a safe file name on every system (and never ``.`` or ``..``)."""


class RosterError(ValueError):
    """A roster or a student id that cannot be used (the message says which and why)."""


def check_id(student: str) -> str:
    """``student`` if it is a safe folder name (:data:`ID`), else :class:`RosterError`."""
    if not ID.match(student):
        raise RosterError(f"student id {student!r} is not a safe folder name: use letters, "
                          "digits, '.', '_' and '-', starting with a letter or digit, at most "
                          "64 characters")
    return student


@dataclass(frozen=True)
class Exercise:
    """One exercise source: its ``track`` (a folder of :data:`TRACKS`) and ``path``."""

    track: str
    path: Path

    @property
    def key(self) -> str:
        """``track/stem``: also the notebook's path in a pack, without ``.ipynb``."""
        return f"{self.track}/{self.path.stem}"

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class CheckCall:
    """A checker call of the teacher's source: ``name`` (unique in its notebook) and ``code``."""

    name: str
    code: str


def default_sources() -> Path:
    """``notebooks/src`` of the checkout this package was imported from, or else of the
    current folder (a checkout or the unpacked source distribution, where an installed
    package is used: the sources are not part of the wheel)."""
    beside = Path(__file__).resolve().parents[2] / "notebooks" / "src"
    return beside if beside.is_dir() else Path.cwd() / "notebooks" / "src"


def exercises(sources: Path, only: tuple[str, ...] = ()) -> list[Exercise]:
    """The exercise sources under ``sources``, track by track, in file-name order.

    ``only``: keep those whose :attr:`Exercise.key` starts with one of these prefixes
    (``build_micrograd/03`` or ``exercises``); empty keeps all.
    """
    found = [Exercise(track, path) for track in TRACKS
             for path in sorted((sources / track).glob("[0-9][0-9]_*.py"))]
    return [e for e in found if not only or any(e.key.startswith(p) for p in only)]


def twin(text: str, solved: bool) -> str:
    """One exercise source -> the text of its solution (``solved``) or its exercise."""
    out, inside = [], False
    for line in text.splitlines():
        marker = line.strip()
        if marker == "# BEGIN SOLUTION":
            inside = True
        elif marker == "# END SOLUTION":
            inside = False
        elif m := _EXERCISE.match(line):
            if not solved:
                out.append(m.group(1) + m.group(2))
        elif solved or not inside:
            out.append(line)
    if inside:
        raise ValueError("a # BEGIN SOLUTION has no # END SOLUTION")
    return "\n".join(out) + "\n"


def seed_line(student: str) -> str:
    """The line that replaces ``SEED = 0`` in the notebooks of ``student``."""
    return f"SEED = {student_seed(student)}  # student {student}"


def for_student(text: str, student: str, solved: bool) -> str:
    """A source's twin for ``student``: its ``SEED = 0`` line made theirs."""
    return SEED_LINE.sub(lambda _: seed_line(student), twin(text, solved))


def _cells(text: str) -> list[tuple[str, str]]:
    """A percent-format text -> its cells as (header after ``# %%``, body)."""
    cells: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        if m := _CELL.match(line):
            cells.append((m.group(1).strip(), []))
        else:
            cells[-1][1].append(line)
    return [(head, "\n".join(body).strip()) for head, body in cells]


def check_calls(text: str) -> tuple[str, list[CheckCall]]:
    """The teacher's source -> (its ``import ... as ex`` line, its checker calls in order).

    >>> src = "# %%\\nfrom nn import exercises as ex\\n# %%\\nx = 1\\nex.check_slope(f)\\n"
    >>> check_calls(src + "# %%\\nif ex.check_slope(f):\\n    pass\\n# %%\\nex.check_slope(g)\\n")
    ('from nn import exercises as ex', [CheckCall(name='check_slope', code='ex.check_slope(f)'), \
CheckCall(name='check_slope#2', code='ex.check_slope(g)')])
    """
    solved = twin(text, solved=True)
    found = _IMPORT_EX.search(solved)
    if found is None:
        raise ValueError("the source has no line 'from nn... import ... as ex'")
    calls: list[CheckCall] = []
    for head, body in _cells(solved):
        last = body.splitlines()[-1].strip() if body else ""
        if head.startswith("[") or not CHECK.match(last):  # "[markdown]" cells
            continue
        name = last[len("ex."):last.index("(")]
        same = sum(c.name.partition("#")[0] == name for c in calls)
        calls.append(CheckCall(f"{name}#{same + 1}" if same else name, last))
    return found.group(1), calls


def solution_lines(text: str) -> list[str]:
    """The non-blank lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION``, stripped."""
    out, inside = set(), False
    for line in text.splitlines():
        marker = line.strip()
        if marker in ("# BEGIN SOLUTION", "# END SOLUTION"):
            inside = marker == "# BEGIN SOLUTION"
        elif inside and marker:
            out.add(marker)
    return sorted(out)
