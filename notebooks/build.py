"""Build the teaching notebooks from their sources and execute them, keeping the outputs.

    python notebooks/build.py            # all notebooks
    python notebooks/build.py 03         # those whose name starts with 03
    python notebooks/build.py exercises  # the exercise track, both twins of each

Each ``notebooks/src/NN_name.py`` is a plain Python file in jupytext's "percent" format
(``# %%`` starts a code cell, ``# %% [markdown]`` a text cell).  The executed notebook is
written to ``notebooks/NN_name.ipynb``, so the repository page shows the outputs.  The test
suite executes the committed ``.ipynb`` files again in a fresh kernel (``pytest --nbmake``).

An exercise has ONE source, ``notebooks/src/exercises/NN_name.py``, and two notebooks of
that name: ``notebooks/solutions/`` (solved) and ``notebooks/exercises/`` (to solve).  In the
source, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` appear only in the
solution, and a line ``# EXERCISE: text`` appears, as ``text`` at the same indentation, only
in the exercise (typically ``answer = ...``).  So the twins cannot drift apart.
(tests/test_exercise_notebooks.py runs them; nbmake skips them, see notebooks/conftest.py.)
The build-your-own track, ``notebooks/src/build_micrograd/``, is built the same way into
``notebooks/build_micrograd_solutions/`` and ``notebooks/build_micrograd/``
(``python notebooks/build.py build_micrograd``; tests/test_build_micrograd_notebooks.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


# a folder of exercise sources -> (the folder of the solved twins, of the twins to solve)
TWINS = {"exercises": ("solutions", "exercises"),
         "build_micrograd": ("build_micrograd_solutions", "build_micrograd")}
_EXERCISE = re.compile(r"^(\s*)# EXERCISE: ?(.*)$")


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


# What JupyterLab writes for ipykernel's kernel: with anything else every notebook would
# open marked modified, JupyterLab having rewritten it.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _execute(notebook: nbformat.NotebookNode, folder: Path, timeout: int) -> None:
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata.pop("jupytext", None)
    NotebookClient(notebook, timeout=timeout, resources={"metadata": {"path": str(folder)}}).execute()


def build(source: Path, timeout: int = 600) -> list[Path]:
    if source.parent.name not in TWINS:
        notebook = jupytext.read(source)
        _execute(notebook, HERE, timeout)
        target = HERE / f"{source.stem}.ipynb"
        nbformat.write(notebook, target)
        return [target]
    targets = []
    solved_folder, todo_folder = TWINS[source.parent.name]
    for folder, solved in ((solved_folder, True), (todo_folder, False)):
        notebook = jupytext.reads(twin(source.read_text(encoding="utf-8"), solved), fmt="py:percent")
        (HERE / folder).mkdir(exist_ok=True)
        _execute(notebook, HERE / folder, timeout)
        target = HERE / folder / f"{source.stem}.ipynb"
        nbformat.write(notebook, target)
        targets.append(target)
    return targets


def main(argv: list[str]) -> int:
    prefixes = argv or [""]
    src = HERE / "src"
    every = [*src.glob("*.py"), *(p for folder in TWINS for p in src.glob(f"{folder}/*.py"))]
    sources = sorted(p for p in every if any(p.relative_to(src).as_posix().startswith(x) for x in prefixes))
    if not sources:
        print(f"build: no notebook source matches {prefixes}", file=sys.stderr)
        return 2
    for source in sources:
        for target in build(source):
            print(f"built {target.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
