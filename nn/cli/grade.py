"""``micrograd-like grade``: run students' notebooks with the teacher's checks, write a CSV.

Each FOLDER is one student's submission, named by the student's id and laid out as the pack
(``<id>/<track>/NN_name.ipynb``).  Each notebook runs in a fresh kernel with a time limit
(and a memory limit), then the teacher's checker calls run after it with the student's SEED;
a student's exception, endless loop, deleted cell or broken file costs that notebook's
checks only.  It is not a sandbox: see :mod:`nn.teaching.grading` and docs/teaching.md.

>>> from nn.cli import main
>>> main(["grade", "no-such-folder", "--csv", "grades.csv"])
2
"""

from __future__ import annotations

import argparse
from pathlib import Path

from micrograd_like.files import write_bytes
from nn.cli.arguments import float_arg, int_arg
from nn.cli.errors import CLIError
from nn.cli.exercises import add_source_arguments, chosen_exercises
from nn.cli.outputs import check_writable_file, make_dir, writing
from nn.teaching.sources import ID

__all__ = ["DEFAULT_MEMORY", "DEFAULT_TIMEOUT", "DESCRIPTION", "EXAMPLE", "HELP",
           "add_arguments", "run"]

HELP = "grade students' exercise notebooks: a CSV, a summary and feedback for each"
DESCRIPTION = ("Run each student's notebooks in a fresh kernel (time and memory limits), then "
               "the teacher's checks with the student's SEED; write one CSV row per student "
               "and check, and a feedback file per student.")
EXAMPLE = """\
examples:
  micrograd-like grade submissions/* --csv grades.csv
      submissions/<id>/ as handed out by 'exercises pack'; writes grades.csv and
      submissions/<id>/feedback.md, prints a table of points per student
  micrograd-like grade submissions/* --csv grades.csv --timeout 300 --jobs 4 --feedback fb
      fb/<id>.md instead; 4 notebooks at a time (one core each)
"""

DEFAULT_TIMEOUT = 300.0
"""Seconds per notebook, its cells and the checks together: the slowest, the moons training of
build_micrograd/05, takes about a minute of CPU; twice that on a busy machine."""

DEFAULT_MEMORY = 2048
"""MiB of address space per kernel (a kernel with numpy imported takes about 850)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of this command."""
    p.add_argument("folders", nargs="+", metavar="FOLDER",
                   help="one student's submission, a folder named by the student's id")
    p.add_argument("--csv", required=True, metavar="FILE",
                   help="the CSV to write: one row per student and check")
    p.add_argument("--timeout", type=float_arg(positive=True), default=DEFAULT_TIMEOUT,
                   metavar="SECONDS",
                   help=f"time limit per notebook (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--memory", type=int_arg(0), default=DEFAULT_MEMORY, metavar="MB",
                   help=f"address-space limit per kernel in MiB, 0 for none (default "
                        f"{DEFAULT_MEMORY})")
    p.add_argument("--feedback", metavar="DIR",
                   help="write DIR/<id>.md (default: FOLDER/feedback.md in each submission)")
    p.add_argument("--jobs", type=int_arg(1), default=1, metavar="N",
                   help="notebooks run at the same time, one kernel (one core) each "
                        "(default 1)")
    add_source_arguments(p)


def _submissions(names: list[str]) -> list[Path]:
    folders, seen = [], dict[str, str]()
    for name in names:
        folder = Path(name)
        if not folder.is_dir():
            raise CLIError(f"{name!r} is not a folder (give one folder per student)")
        student = folder.resolve().name
        if not ID.match(student):
            raise CLIError(f"{name!r}: the folder's name {student!r} is not a student id")
        if student in seen:
            raise CLIError(f"{name!r} and {seen[student]!r} are both student {student!r}")
        seen[student] = name
        folders.append(folder.resolve())
    return folders


def _check_kernel() -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        raise CLIError('no Jupyter kernel "python3": pip install "micrograd-like[teach]" '
                       "(ipykernel)") from None


def run(args: argparse.Namespace) -> int:
    """Grade every folder; write the CSV and the feedback files; print the summary."""
    from nn.teaching import grading, reports  # nbclient, nbformat

    folders = _submissions(args.folders)
    todo = grading.tasks(chosen_exercises(args))
    csv_path = check_writable_file(args.csv, "--csv")
    feedback_dir = make_dir(args.feedback, "--feedback") if args.feedback else None
    _check_kernel()
    checks = sum(len(t.checks) for t in todo)
    print(f"grading {len(folders)} student(s): {len(todo)} notebooks, {checks} checks each, "
          f"{args.timeout:g} s per notebook")
    grades = grading.grade(folders, todo, args.timeout, args.memory or None, args.jobs)
    folder_of = {folder.name: folder for folder in folders}
    for grade in grades:
        target = (feedback_dir / f"{grade.student}.md" if feedback_dir
                  else folder_of[grade.student] / "feedback.md")
        with writing(target):
            write_bytes(target, reports.feedback(grade).encode("utf-8"))
    with writing(csv_path):
        write_bytes(csv_path, reports.csv_text(grades).encode("utf-8"))
    print(reports.summary(grades))
    where = f"{feedback_dir}/<id>.md" if feedback_dir else "<FOLDER>/feedback.md"
    print(f"wrote {csv_path} and the feedback files {where}")
    return 0
