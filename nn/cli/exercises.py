"""``micrograd-like exercises``: per-student packs of the exercise notebooks, and solutions.

``pack --roster FILE -o DIR`` writes ``DIR/<id>/<track>/NN_name.ipynb`` for every student of
the roster (a CSV with an ``id`` column): the notebooks to solve, with the student's ``SEED``
line and no solution code, unexecuted.  ``solutions --student ID -o DIR`` writes the solved
notebooks of one student in the same layout (``DIR/<id>/...``, unexecuted), which
``micrograd-like grade DIR/<id>`` grades with full marks.  See docs/teaching.md.

>>> from nn.cli import main
>>> main(["exercises", "pack", "--roster", "no-such-roster.csv", "-o", "packs"])
2
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nn.cli.errors import CLIError
from nn.teaching.sources import TRACKS, Exercise, default_sources, exercises

__all__ = ["DESCRIPTION", "EXAMPLE", "HELP", "add_arguments", "add_source_arguments",
           "chosen_exercises", "run"]

HELP = "write each student's exercise notebooks (pack), or one student's solutions"
DESCRIPTION = ("Write per-student exercise notebooks: the same exercises, each student's own "
               "numbers (a SEED from the id), no solution code.")
EXAMPLE = """\
examples:
  micrograd-like exercises pack --roster roster.csv -o packs
      packs/<id>/exercises/01_slope_by_nudging.ipynb ... and packs/<id>/build_micrograd/...
      for each row of roster.csv (a CSV file with an 'id' column)
  micrograd-like exercises solutions --student ada -o key
      key/ada/...: the solved notebooks of ada, same names (grade key/ada: full marks)
  micrograd-like exercises pack --roster roster.csv -o week3 --only build_micrograd/03
"""


def add_source_arguments(p: argparse.ArgumentParser) -> None:
    """``--only`` and ``--sources``, shared by pack, solutions and grade."""
    p.add_argument("--only", action="append", default=[], metavar="PREFIX",
                   help="only the notebooks whose track/name starts with PREFIX, e.g. "
                        "build_micrograd/03 or exercises (repeat for more)")
    p.add_argument("--sources", metavar="DIR",
                   help="the folder of the exercise sources (default: notebooks/src of this "
                        "checkout, or of the current folder)")


def chosen_exercises(args: argparse.Namespace) -> list[Exercise]:
    """The exercise sources ``--sources`` and ``--only`` select; CLIError if none."""
    folder = Path(args.sources) if args.sources else default_sources()
    if not any((folder / track).is_dir() for track in TRACKS):
        raise CLIError(f"no exercise sources in {str(folder)!r} (it needs {' or '.join(TRACKS)}"
                       "/ subfolders): run from a checkout of micrograd-like or its unpacked "
                       "source distribution, or pass --sources")
    chosen = exercises(folder, tuple(args.only))
    if not chosen:
        raise CLIError(f"--only {' '.join(args.only)}: no exercise notebook's track/name starts "
                       f"with that (e.g. {exercises(folder)[0].key})")
    return chosen


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of this command: its two actions, ``pack`` and ``solutions``."""
    actions = p.add_subparsers(dest="action", metavar="<action>", required=True)
    pack = actions.add_parser("pack", help="each student's notebooks to solve",
                              description=DESCRIPTION)
    pack.add_argument("--roster", required=True, metavar="FILE",
                      help="CSV file with an 'id' column, one student per row")
    pack.add_argument("-o", "--output", required=True, metavar="DIR",
                      help="folder to create: DIR/<id>/ for each student")
    add_source_arguments(pack)
    solutions = actions.add_parser("solutions", help="one student's solved notebooks",
                                   description="The solved notebooks of one student, laid out "
                                   "as the pack (unexecuted).")
    solutions.add_argument("--student", required=True, metavar="ID", help="the student's id")
    solutions.add_argument("-o", "--output", required=True, metavar="DIR",
                           help="folder to create: DIR/<id>/")
    add_source_arguments(solutions)


def run(args: argparse.Namespace) -> int:
    """Write the pack or the solutions."""
    from nn.teaching.packs import RosterError, read_roster, write_pack  # jupytext, nbformat

    chosen = chosen_exercises(args)
    out = Path(args.output)
    try:
        if args.action == "pack":
            students = read_roster(Path(args.roster))
        else:
            students = [args.student.strip()]
        folders = write_pack(out, students, chosen, solved=args.action == "solutions")
    except RosterError as e:
        raise CLIError(str(e)) from None
    except OSError as e:
        raise CLIError(f"cannot write {str(out)!r}: {e.strerror or e}") from None
    what = "solved notebooks" if args.action == "solutions" else "notebooks"
    print(f"wrote {len(chosen)} {what} for each of {len(folders)} student(s) in "
          f"{out}/<id>/ ({', '.join(sorted({e.track for e in chosen}))})")
    return 0
