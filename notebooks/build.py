"""Build the teaching notebooks from their sources and execute them, keeping the outputs.

    python notebooks/build.py            # all notebooks
    python notebooks/build.py 03         # those whose name starts with 03

Each ``notebooks/src/NN_name.py`` is a plain Python file in jupytext's "percent" format
(``# %%`` starts a code cell, ``# %% [markdown]`` a text cell).  The executed notebook is
written to ``notebooks/NN_name.ipynb``, so the repository page shows the outputs.  The test
suite executes the committed ``.ipynb`` files again in a fresh kernel (``pytest --nbmake``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def build(source: Path, timeout: int = 600) -> Path:
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)
    NotebookClient(notebook, timeout=timeout, resources={"metadata": {"path": str(HERE)}}).execute()
    target = HERE / f"{source.stem}.ipynb"
    nbformat.write(notebook, target)
    return target


def main(argv: list[str]) -> int:
    prefixes = argv or [""]
    sources = sorted(p for p in (HERE / "src").glob("*.py") if any(p.name.startswith(x) for x in prefixes))
    if not sources:
        print(f"build: no notebook source matches {prefixes}", file=sys.stderr)
        return 2
    for source in sources:
        print(f"built {build(source).relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
