"""What grading produces: a CSV for the gradebook, a summary table, a feedback file each.

The CSV has one row per student and exercise (an exercise is one checker call of a notebook,
``track/NN_name:check_name``), sorted by student id and then in the order of the track:

    student, exercise, notebook, check, verdict, points, max_points, message, hint

``verdict`` is one of ``right``, ``not yet``, ``error``, ``timeout``, ``missing``;
``points`` is 1 for ``right``, else 0, out of ``max_points`` 1.  It holds no time or date,
so grading the same submissions twice gives the same bytes.

>>> from nn.teaching.grading import Result, StudentGrade
>>> g = StudentGrade("ada", [Result("ada", "build_micrograd/03_backward", "check_backward",
...                                 "right", "backward() is right")])
>>> header, row = csv_text([g]).splitlines()
>>> header
'student,exercise,notebook,check,verdict,points,max_points,message,hint'
>>> row.split(",")[:2], row.split(",")[4:8]
(['ada', 'build_micrograd/03_backward:check_backward'], ['right', '1', '1', 'backward() is right'])
>>> print(summary([g]))
student  points  right  not yet  error  timeout  missing  seconds
ada         1/1      1        0      0        0        0      0.0
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from nn.teaching.grading import VERDICTS, StudentGrade

__all__ = ["COLUMNS", "csv_text", "summary", "feedback"]

COLUMNS = ("student", "exercise", "notebook", "check", "verdict", "points", "max_points",
           "message", "hint")

_MARK = {"right": "✓", "not yet": "✗", "error": "!", "timeout": "⏱", "missing": "?"}


def csv_text(grades: Sequence[StudentGrade]) -> str:
    """The CSV of all results (``\\n`` line ends), students sorted by id."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for grade in sorted(grades, key=lambda g: g.student):
        for r in grade.results:
            writer.writerow([r.student, r.exercise, r.notebook, r.check, r.verdict, r.points,
                             1, r.message, r.hint])
    return out.getvalue()


def summary(grades: Sequence[StudentGrade]) -> str:
    """One line per student: points, the count of each verdict and the seconds it took."""
    head = ["student", "points", *VERDICTS, "seconds"]
    rows = [[g.student, f"{g.points}/{len(g.results)}",
             *(str(sum(r.verdict == v for r in g.results)) for v in VERDICTS),
             f"{g.seconds:.1f}"] for g in sorted(grades, key=lambda g: g.student)]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))) for row in [head, *rows]]
    return "\n".join(line.rstrip() for line in lines)


def feedback(grade: StudentGrade) -> str:
    """A student's feedback as Markdown: the total, then every verdict with its hint."""
    lines = [f"# Feedback for {grade.student}", "",
             f"**{grade.points} of {len(grade.results)} points** (one per check that says "
             "right). Each check below was run by the grader in a fresh kernel, after your "
             "notebook, with your SEED."]
    notebook = None
    for r in grade.results:
        if r.notebook != notebook:
            notebook = r.notebook
            lines += ["", f"## {notebook}.ipynb", ""]
        lines.append(f"- {_MARK.get(r.verdict, '·')} **{r.check}**: {r.verdict} · {r.message}")
        lines += [f"  - {d}" for d in r.details]
        if r.hint and r.verdict != "right":
            lines.append(f"  - hint: {r.hint}")
    return "\n".join(lines) + "\n"
