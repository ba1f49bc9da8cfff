"""The exercise track: every solution notebook runs with every check right, every exercise
notebook runs unsolved without an error and every check says "not yet", and both twins are
exactly what notebooks/build.py makes from their one source (so they cannot drift).

These notebooks are executed here, once each; notebooks/conftest.py keeps nbmake from
running them a second time.
"""

import importlib.util
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted((NOTEBOOKS / "src" / "exercises").glob("*.py"))
CHECK = re.compile(r"^ex\.check_\w+\(.*\)$")  # a cell that ends with one checker call


def load_build():
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()


def code_sources(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_the_track_has_its_twelve_exercises_in_order():
    names = [p.stem for p in SOURCES]
    assert len(names) == 12  # README and nn.exercises say twelve
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(1, len(names) + 1)]


def test_twin_keeps_the_solution_or_the_placeholder_at_its_indentation():
    text = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n    # EXERCISE: ...\n"
    assert build.twin(text, solved=True) == "def f():\n    return 1\n"
    assert build.twin(text, solved=False) == "def f():\n    ...\n"


def test_twin_refuses_an_unclosed_solution():
    with pytest.raises(ValueError, match="END SOLUTION"):
        build.twin("# BEGIN SOLUTION\nx = 1\n", solved=True)


@pytest.mark.parametrize("folder, solved", [("solutions", True), ("exercises", False)])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_twin_is_built_from_its_source(source, folder, solved):
    committed = nbformat.read(NOTEBOOKS / folder / f"{source.stem}.ipynb", as_version=4)
    expected = jupytext.reads(build.twin(source.read_text(encoding="utf-8"), solved),
                              fmt="py:percent")
    assert [c.source for c in committed.cells] == [c.source for c in expected.cells]


def verdicts(nb):
    """The text each checker cell displayed, in order."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if CHECK.match(cell.source.strip().splitlines()[-1]):
            shown = [o["data"]["text/plain"] for o in cell.outputs
                     if o.output_type == "execute_result"]
            out.append(shown[0] if shown else "")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("folder, solved", [("solutions", True), ("exercises", False)])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_runs_and_every_check_gives_the_expected_verdict(source, folder, solved):
    assert_every_verdict(NOTEBOOKS / folder / f"{source.stem}.ipynb", solved, timeout=120)


def assert_every_verdict(path, solved, timeout):
    """Run the notebook at ``path`` in a fresh kernel; every checker cell must say right
    (``solved``) or not yet."""
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, timeout=timeout, resources=resources).execute()
    found = verdicts(nb)
    assert found, f"{path.name} has no checker cell"
    expected = "right · " if solved else "not yet · "
    for text in found:
        assert text.startswith(expected), f"{path.parent.name}/{path.name}: {text}"
