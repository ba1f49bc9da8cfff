"""Per-student packs: a roster in, one folder of exercise notebooks per student out.

A pack ``DIR`` holds ``DIR/<id>/<track>/NN_name.ipynb`` for each student of the roster and
each exercise source (:mod:`nn.teaching.sources`): the notebooks to solve, unexecuted (no
outputs), with the student's ``SEED`` line and no line of any solution.  The solutions of one
student have the same layout, so ``micrograd-like grade DIR/<id>`` grades them as they are.

A pack is written whole or not at all: into a temporary folder next to ``DIR``, renamed to
``DIR`` at the end.  ``DIR`` must not exist yet (or be empty).

A student id is used as a folder name, so it must be a safe one
(:func:`~nn.teaching.sources.check_id`):

>>> check_id("s1234_ada.lovelace")
's1234_ada.lovelace'
>>> check_id("../etc")
Traceback (most recent call last):
...
nn.teaching.sources.RosterError: student id '../etc' is not a safe folder name: use letters, \
digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import jupytext
import nbformat

from nn.teaching.sources import ID, Exercise, RosterError, check_id, for_student

__all__ = ["ID", "RosterError", "check_id", "read_roster", "notebook", "write_student",
           "write_pack"]

_KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def read_roster(path: Path) -> list[str]:
    """The student ids of a roster: a CSV file with an ``id`` column, one student per row.

    Other columns (name, e-mail) are ignored; a UTF-8 byte-order mark (Excel) is fine.  An
    unsafe id, an empty one, a repeated one, a missing ``id`` column or a roster without a
    student raises :class:`RosterError` naming the row.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            fields = [name.strip() for name in reader.fieldnames or ()]
            if "id" not in fields:
                raise RosterError(f"{path} has no 'id' column (its header: "
                                  f"{', '.join(fields) or 'empty'})")
            reader.fieldnames = fields
            rows = [(row.get("id") or "").strip() for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise RosterError(f"cannot read the roster {path}: {e}") from e
    seen: dict[str, int] = {}
    for line, student in enumerate(rows, start=2):
        if not student:
            raise RosterError(f"{path}, line {line}: the id is empty")
        try:
            check_id(student)
        except RosterError as e:
            raise RosterError(f"{path}, line {line}: {e}") from None
        if student in seen:
            raise RosterError(f"{path}, line {line}: student id {student!r} is already on "
                              f"line {seen[student]}")
        seen[student] = line
    if not seen:
        raise RosterError(f"{path} lists no student (one row per student, under 'id')")
    return list(seen)


def notebook(exercise: Exercise, student: str, solved: bool) -> nbformat.NotebookNode:
    """The notebook of ``exercise`` for ``student``: solved or to solve, unexecuted."""
    nb = jupytext.reads(for_student(exercise.text(), student, solved), fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(_KERNEL)
    return nb


def write_student(folder: Path, student: str, sources: Iterable[Exercise],
                  solved: bool) -> None:
    """Write ``folder/<track>/NN_name.ipynb`` for each source (``folder`` is the student's)."""
    for exercise in sources:
        target = folder / f"{exercise.key}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook(exercise, student, solved), target)


def write_pack(out: Path, students: Iterable[str], sources: list[Exercise],
               solved: bool = False) -> list[Path]:
    """Write ``out/<id>/...`` for every student, all at once or nothing; their folders."""
    students = [check_id(s) for s in students]
    if not sources:
        raise RosterError("no exercise source matches: nothing to pack")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RosterError(f"{out} exists and is not an empty folder: choose a new one")
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for student in students:
            write_student(temp / student, student, sources, solved)
        if out.exists():
            out.rmdir()
        os.replace(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return [out / s for s in students]
