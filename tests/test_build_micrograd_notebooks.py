"""The build-your-own track: every solution notebook runs with every check right, every
exercise notebook runs unsolved with every check "not yet", and both twins are what
notebooks/build.py makes from their one source (helpers shared with the first track's test).
"""

import jupytext
import nbformat
import pytest
from test_exercise_notebooks import NOTEBOOKS, assert_every_verdict, build

SOURCES = sorted((NOTEBOOKS / "src" / "build_micrograd").glob("*.py"))
SOLVED, TODO = build.TWINS["build_micrograd"]


def test_the_track_has_at_least_five_notebooks_in_order():
    names = [p.stem for p in SOURCES]
    assert len(names) >= 5
    assert [n[:2] for n in names] == [f"{i:02d}" for i in range(1, len(names) + 1)]


@pytest.mark.parametrize("folder, solved", [(SOLVED, True), (TODO, False)])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_twin_is_built_from_its_source(source, folder, solved):
    committed = nbformat.read(NOTEBOOKS / folder / f"{source.stem}.ipynb", as_version=4)
    expected = jupytext.reads(build.twin(source.read_text(encoding="utf-8"), solved),
                              fmt="py:percent")
    assert [c.source for c in committed.cells] == [c.source for c in expected.cells]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_exercise_twin_holds_no_solution_code(source):
    solution_only = build.twin(source.read_text(encoding="utf-8"), solved=True)
    exercise = build.twin(source.read_text(encoding="utf-8"), solved=False)
    assert "BEGIN SOLUTION" not in exercise and "BEGIN SOLUTION" not in solution_only
    assert len(exercise) < len(solution_only)


@pytest.mark.slow
@pytest.mark.parametrize("folder, solved", [(SOLVED, True), (TODO, False)])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_runs_and_every_check_gives_the_expected_verdict(source, folder, solved):
    # 300 s: notebook 05 trains the student's pure-Python engine on the moons
    assert_every_verdict(NOTEBOOKS / folder / f"{source.stem}.ipynb", solved, timeout=300)
