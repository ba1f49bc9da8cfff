"""`micrograd-like grade`: each notebook in a fresh kernel, the teacher's checks after it.

A small class, two notebooks each (exercises/01 and build_micrograd/03, both with a check
that depends on the student's work): solutions for three ids (three seeds) get full marks, an
untouched pack none, and each way of breaking a notebook costs that notebook's checks only.
"""

from __future__ import annotations

import csv
import io
import time

import nbformat
import pytest

from nn.cli import main
from nn.teaching.reports import COLUMNS

ONLY = ["--only", "exercises/01", "--only", "build_micrograd/03"]
SLOPE = "exercises/01_slope_by_nudging"
BACKWARD = "build_micrograd/03_backward"


def edit(folder, notebook, change):
    """Apply ``change(cells)`` to the code cells of ``folder/notebook.ipynb``."""
    path = folder / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells = change(nb.cells)
    nbformat.write(nb, path)


def cell_with(cells, text):
    return next(i for i, c in enumerate(cells) if c.cell_type == "code" and text in c.source)


def insert_after_first_code_cell(source):
    def change(cells):
        i = cell_with(cells, "import")
        return [*cells[:i + 1], nbformat.v4.new_code_cell(source), *cells[i + 1:]]
    return change


def solutions(tmp, student):
    assert main(["exercises", "solutions", "--student", student, "-o", str(tmp / student),
                 *ONLY]) == 0
    return tmp / student / student


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def verdicts(rows, student):
    return {r["exercise"]: r["verdict"] for r in rows if r["student"] == student}


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    (tmp / "roster.csv").write_text("id\ndee\n")
    assert main(["exercises", "pack", "--roster", str(tmp / "roster.csv"), "-o",
                 str(tmp / "pack"), *ONLY]) == 0
    folders = {s: solutions(tmp, s) for s in ("ada", "bob", "cy", "eve", "fay")}
    folders["dee"] = tmp / "pack" / "dee"
    # eve: assigns the gradient instead of accumulating it; her 01 is not even JSON
    edit(folders["eve"], BACKWARD, lambda cells: [
        nbformat.v4.new_code_cell(c.source.replace("parent.grad += local", "parent.grad = local"))
        if c.cell_type == "code" else c for c in cells])
    (folders["eve"] / f"{SLOPE}.ipynb").write_text('{"cells": [', encoding="utf-8")
    # fay: deleted the cell of slope, tried to take 3 GiB, and lost her 03
    edit(folders["fay"], SLOPE, lambda cells: [c for c in cells if "def slope" not in c.source])
    edit(folders["fay"], SLOPE, lambda cells: [*cells, nbformat.v4.new_code_cell(
        "try:\n    hog = bytearray(3 * 2**30)  # past the grader's limit: MemoryError\n"
        "except MemoryError:\n    pass\nelse:\n    fprime = None  # only without the limit\n")])
    (folders["fay"] / f"{BACKWARD}.ipynb").unlink()
    return tmp, folders


@pytest.fixture(scope="module")
def graded(klass):
    tmp, folders = klass
    out = tmp / "grades.csv"
    assert main(["grade", *map(str, folders.values()), "--csv", str(out), "--jobs", "2",
                 "--memory", "2048", *ONLY]) == 0
    return out.read_text(encoding="utf-8"), folders


def test_the_csv_has_one_row_per_student_and_check_sorted_by_student(graded):
    text, folders = graded
    rows = rows_of(text)
    assert tuple(rows[0]) == COLUMNS
    assert [r["student"] for r in rows] == sorted(s for s in folders for _ in range(3))
    assert [r["exercise"] for r in rows[:3]] == [
        f"{SLOPE}:check_slope", f"{SLOPE}:check_derivative", f"{BACKWARD}:check_backward"]
    assert {r["max_points"] for r in rows} == {"1"}


@pytest.mark.parametrize("student", ["ada", "bob", "cy"])
def test_the_solutions_get_full_marks_whatever_the_seed(graded, student):
    rows = [r for r in rows_of(graded[0]) if r["student"] == student]
    assert [r["verdict"] for r in rows] == ["right"] * 3
    assert sum(int(r["points"]) for r in rows) == 3


def test_an_untouched_pack_gets_no_points(graded):
    rows = [r for r in rows_of(graded[0]) if r["student"] == "dee"]
    assert [r["verdict"] for r in rows] == ["not yet"] * 3
    assert {r["points"] for r in rows} == {"0"}


def test_assigning_grad_instead_of_adding_loses_that_exercise_and_says_so(graded):
    row = next(r for r in rows_of(graded[0])
               if r["student"] == "eve" and r["exercise"].endswith("check_backward"))
    assert (row["verdict"], row["points"]) == ("not yet", "0")
    assert "+=" in row["message"] + row["hint"]


def test_a_file_that_is_not_a_notebook_is_an_error_and_the_rest_is_graded(graded):
    found = verdicts(rows_of(graded[0]), "eve")
    assert found[f"{SLOPE}:check_slope"] == found[f"{SLOPE}:check_derivative"] == "error"
    assert found[f"{BACKWARD}:check_backward"] == "not yet"  # graded, just wrong


def test_a_deleted_cell_a_missing_notebook_and_the_memory_limit(graded):
    rows = [r for r in rows_of(graded[0]) if r["student"] == "fay"]
    by_check = {r["exercise"]: r for r in rows}
    deleted = by_check[f"{SLOPE}:check_slope"]
    assert deleted["verdict"] == "error" and "NameError" in deleted["message"]
    # the 3 GiB allocation failed (RLIMIT_AS), so fprime kept its right value
    assert by_check[f"{SLOPE}:check_derivative"]["verdict"] == "right"
    assert by_check[f"{BACKWARD}:check_backward"]["verdict"] == "missing"


def test_each_student_gets_a_feedback_file_with_every_verdict_and_hint(graded):
    text, folders = graded
    feedback = (folders["fay"] / "feedback.md").read_text(encoding="utf-8")
    assert feedback.startswith("# Feedback for fay\n\n**1 of 3 points**")
    for row in (r for r in rows_of(text) if r["student"] == "fay"):
        assert f"**{row['exercise'].partition(':')[2]}**: {row['verdict']} · " in feedback
        assert f"hint: {row['hint']}" in feedback
    assert "**3 of 3 points**" in (folders["ada"] / "feedback.md").read_text(encoding="utf-8")


def test_grading_the_same_submissions_twice_gives_the_same_csv_bytes(klass, tmp_path):
    _, folders = klass
    chosen = [str(folders[s]) for s in ("eve", "bob")]
    outputs = []
    for name in ("first.csv", "second.csv"):
        assert main(["grade", *chosen, "--csv", str(tmp_path / name), "--jobs", "2",
                     "--feedback", str(tmp_path / "feedback"), *ONLY]) == 0
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == 1 + 2 * 3
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == ["bob.md", "eve.md"]


def test_an_endless_loop_costs_its_notebook_only_and_the_run_ends_in_time(
        tmp_path, capsys):
    gus = solutions(tmp_path, "gus")
    edit(gus, BACKWARD, insert_after_first_code_cell(
        "while True:  # not even an interrupt stops it\n    try:\n        pass\n"
        "    except BaseException:\n        pass\n"))
    start = time.monotonic()
    assert main(["grade", str(gus), "--csv", str(tmp_path / "g.csv"), "--timeout", "5",
                 *ONLY]) == 0
    assert time.monotonic() - start < 5 + 40  # two kernel starts and the slope notebook
    found = verdicts(rows_of((tmp_path / "g.csv").read_text()), "gus")
    assert found == {f"{SLOPE}:check_slope": "right", f"{SLOPE}:check_derivative": "right",
                     f"{BACKWARD}:check_backward": "timeout"}
    out = capsys.readouterr().out
    assert "student  points  right  not yet  error  timeout  missing" in out
    assert out.splitlines()[-2].split()[:7] == ["gus", "2/3", "2", "0", "0", "1", "0"]


@pytest.mark.parametrize("args, message", [
    (["nowhere"], "'nowhere' is not a folder"),
    (["a/ada", "b/ada"], "are both student 'ada'"),
    (["bad name"], "is not a student id"),
], ids=["no folder", "same id twice", "unsafe name"])
def test_submissions_it_cannot_grade_are_one_line_errors(tmp_path, monkeypatch, capsys,
                                                         args, message):
    monkeypatch.chdir(tmp_path)
    for folder in ("a/ada", "b/ada", "bad name"):
        (tmp_path / folder).mkdir(parents=True)
    assert main(["grade", *args, "--csv", "g.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("micrograd-like: error: ") and err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.slow
def test_every_solved_notebook_of_both_tracks_gets_full_marks_for_a_students_seed(tmp_path):
    folder = tmp_path / "key" / "s42"
    assert main(["exercises", "solutions", "--student", "s42", "-o", str(tmp_path / "key")]) == 0
    assert main(["grade", str(folder), "--csv", str(tmp_path / "g.csv"), "--jobs", "2"]) == 0
    rows = rows_of((tmp_path / "g.csv").read_text(encoding="utf-8"))
    assert len(rows) >= 28
    assert [r["exercise"] for r in rows if r["verdict"] != "right"] == []
