"""``micrograd-like demo``: with no arguments it trains on the moons, prints the loss, the
accuracy and the δ table, and writes loss.png, boundary.png, neuron.svg and neuron.html, the
same neuron's step-through page (only neuron.gv when
Graphviz is missing); plus the top-level ``--help`` that lists every command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nn.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
COMMANDS = ("demo", "train", "deltas", "graph")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One full ``python -m nn demo`` in a fresh directory, timed."""
    cwd = tmp_path_factory.mktemp("demo")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "nn", "demo"], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - start
    return proc, cwd / "micrograd-like-out", seconds


@pytest.fixture
def quick(monkeypatch):
    """Fewer epochs for the in-process runs that test something other than the training."""
    monkeypatch.setattr("nn.cli.demo.EPOCHS", 2)


# -- the full run ------------------------------------------------------------------------


def test_demo_with_no_arguments_exits_0_within_30_seconds(demo):
    proc, _, seconds = demo
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert seconds < 30


def test_demo_ends_by_pointing_at_notebooks_that_exist(demo):
    proc, _, _ = demo
    tail = proc.stdout[proc.stdout.index("next: the notebooks"):]
    notebooks = Path(__file__).parents[1] / "notebooks"
    named = re.findall(r"\b(0\d_\w+)", tail)
    assert len(named) == 4
    for stem in named:  # every notebook named exists
        assert (notebooks / f"{stem}.ipynb").exists(), stem
    for folder in re.findall(r"notebooks/(\w+)/", tail):
        assert (notebooks / folder).is_dir(), folder
    assert proc.stdout.rstrip().endswith("micrograd-like deltas --explain   (BP1–BP4 with "
                                         "their numbers)")


def test_demo_neuron_drawing_names_the_gradient_of_z_d_a_d_z_not_delta(capsys, tmp_path,
                                                                       quick):
    run(capsys, "demo", "-o", str(tmp_path))
    source = next(tmp_path.glob("neuron.*")).read_text(encoding="utf-8")
    if source.startswith("<"):  # svg: the labels are text elements
        source = " ".join(source.split())
    assert "∂a²" in source and "/∂z²" in source and "δ" not in source


def test_demo_reaches_at_least_95_percent_accuracy(demo):
    proc, _, _ = demo
    m = re.search(r"^final loss (\S+) .*accuracy (\d+)% \((\d+)/100 points\)$", proc.stdout,
                  re.M)
    assert m, proc.stdout
    assert float(m.group(1)) >= 0.0
    assert int(m.group(3)) >= 95 and int(m.group(2)) == int(m.group(3))


def test_demo_prints_the_delta_table_with_agreement_below_1e_12(demo):
    proc, _, _ = demo
    m = re.search(r"^δ = ∂C/∂z: engine vs BP1–BP4 .* max \|Δ\| = (\S+)$", proc.stdout, re.M)
    assert m, proc.stdout
    assert float(m.group(1)) < 1e-12
    assert "MLP(2 → 3 sigmoid → 1 sigmoid" in proc.stdout


def test_demo_writes_the_loss_curve_and_the_decision_boundary_as_png(demo):
    proc, out_dir, _ = demo
    for name in ("loss.png", "boundary.png"):
        path = out_dir / name
        assert path.read_bytes()[:8] == PNG_MAGIC
        assert f"wrote {Path('micrograd-like-out') / name}" in proc.stdout


def test_demo_draws_one_neuron_as_svg(demo, graphviz_dot):
    proc, out_dir, _ = demo
    groups = [g.get("class") for g in ET.parse(out_dir / "neuron.svg").iter(f"{SVG}g")]
    # values x0 x1 w0 w1 b z a (7) and ops dot, relu (2);
    # edges: dot has 5 inputs + 1 output, relu 1 + 1 = 8
    assert (groups.count("node"), groups.count("edge")) == (9, 8)
    assert f"wrote {Path('micrograd-like-out') / 'neuron.svg'}" in proc.stdout


def test_demo_writes_the_same_neuron_as_a_step_through_page(demo, graphviz_dot):
    proc, out_dir, _ = demo
    page = (out_dir / "neuron.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "mgl-explore" in page
    assert page.count('<g id="mgl-node') == 9  # the nodes of neuron.svg, one page
    assert f"wrote {Path('micrograd-like-out') / 'neuron.html'}" in proc.stdout


# -- in-process runs -----------------------------------------------------------------------


def test_without_graphviz_the_neuron_is_written_as_dot_source(capsys, tmp_path, monkeypatch,
                                                              quick):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot anywhere on PATH
    code, out, _ = run(capsys, "demo", "-o", str(tmp_path))
    assert code == 0
    assert not (tmp_path / "neuron.svg").exists()
    assert (tmp_path / "neuron.gv").read_text(encoding="utf-8").startswith("digraph")
    notes = [line for line in out.splitlines() if "Graphviz" in line]
    assert len(notes) == 1 and "not installed" in notes[0]
    assert f"wrote {tmp_path / 'neuron.gv'}" in out


def test_output_option_creates_missing_directories(capsys, tmp_path, quick):
    target = tmp_path / "a" / "b"
    code, out, _ = run(capsys, "demo", "-o", str(target))
    assert code == 0
    assert (target / "loss.png").read_bytes()[:8] == PNG_MAGIC
    assert f"wrote {target / 'boundary.png'}" in out


def test_output_that_is_a_file_gives_one_line_and_exit_2(capsys, tmp_path):
    not_a_dir = tmp_path / "results"
    not_a_dir.write_text("a file", encoding="utf-8")
    code, out, err = run(capsys, "demo", "-o", str(not_a_dir))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("micrograd-like: error: ")
    assert "exists and is not a directory" in err
    assert not_a_dir.read_text(encoding="utf-8") == "a file"


def test_output_below_a_file_gives_one_line_and_exit_2(capsys, tmp_path):
    (tmp_path / "f").write_text("a file", encoding="utf-8")
    code, out, err = run(capsys, "demo", "-o", str(tmp_path / "f" / "sub"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "cannot create the directory" in err


@pytest.mark.parametrize("seed, fragment", [("-1", "must be at least 0"),
                                            ("x", "'x' is not a whole number")])
def test_bad_seed_gives_one_line_and_exit_2(capsys, seed, fragment):
    code, out, err = run(capsys, "demo", "--seed", seed)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and fragment in err


# -- help ----------------------------------------------------------------------------------


def test_python_m_help_lists_every_command_with_one_line_of_help():
    proc = subprocess.run([sys.executable, "-m", "nn", "--help"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "80"})
    assert proc.returncode == 0
    for command in COMMANDS:
        lines = [ln for ln in proc.stdout.splitlines() if re.match(rf"^\s+{command}\s+\S", ln)]
        assert len(lines) == 1, (command, proc.stdout)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_ends_with_an_example(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    assert "\nexample:\n  micrograd-like " + command in out
