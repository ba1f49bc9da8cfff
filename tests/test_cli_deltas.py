"""``micrograd-like deltas``: the engine's ∂C/∂z next to the BP1–BP4 δ for a seeded network;
bad sizes and impossible combinations give one line on stderr and exit status 2."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

import nn
from nn.cli import delta_example, deltas, main

LARGEST = re.compile(r"^largest difference, engine vs equations: (\S+)$", re.M)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def largest_difference(out: str) -> float:
    found = LARGEST.findall(out)
    assert len(found) == 1, out
    return float(found[0])


def test_deltas_prints_the_comparison_table_and_exits_0(capsys):
    code, out, err = run(capsys, "deltas", "--sizes", "2,3,1", "--seed", "0")
    assert (code, err) == (0, "")
    assert "δ = ∂C/∂z: engine vs BP1–BP4" in out
    # Nielsen's numbering by default: the input is layer 1
    assert re.search(r"^\s+2\s+3\s+sigmoid\s", out, re.M)  # hidden layer: 3 sigmoid neurons
    assert re.search(r"^\s+3\s+1\s+linear\s", out, re.M)  # output layer: 1 linear neuron


@pytest.mark.parametrize(
    "argv",
    [
        ["--sizes", "2,3,1", "--activation", "sigmoid", "--cost", "quadratic", "--seed", "0"],
        ["--sizes", "3,5,4,2", "--activation", "tanh", "--output-activation", "sigmoid",
         "--cost", "cross_entropy", "--seed", "7"],
        ["--sizes", "4,6,3", "--activation", "relu", "--cost", "softmax_cross_entropy",
         "--seed", "2"],
        ["--sizes", "2,4,1", "--activation", "tanh", "--cost", "hinge", "--seed", "5"],
    ],
)
def test_largest_difference_is_below_1e_12(capsys, argv):
    code, out, _ = run(capsys, "deltas", *argv)
    assert code == 0
    assert largest_difference(out) < 1e-12


def test_printed_difference_is_compare_deltas_on_the_same_seeded_network(capsys):
    # rebuild what the command documents: MLP(sizes, seed), then x, y from default_rng(seed)
    seed = 11
    code, out, _ = run(capsys, "deltas", "--sizes", "3,4,2", "--activation", "tanh",
                       "--output-activation", "sigmoid", "--cost", "quadratic",
                       "--seed", str(seed))
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, 3).tolist()
    y = rng.uniform(0.0, 1.0, 2).tolist()
    mlp = nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=seed)
    report = nn.compare_deltas(mlp, x, y, cost="quadratic")
    assert code == 0
    assert report.max_abs_diff < 1e-12
    assert largest_difference(out) == pytest.approx(report.max_abs_diff, abs=1e-15)
    assert f"C = {report.loss:.10g}" in out  # the same network, input and target


def test_the_example_is_drawn_from_default_rng_as_documented():
    rng = np.random.default_rng(4)
    x_expected = rng.uniform(-1.0, 1.0, 2).tolist()
    label = int(rng.integers(3))
    assert delta_example([2, 5, 3], "softmax_cross_entropy", 4) == (x_expected, label)


def test_different_seeds_give_different_networks(capsys):
    _, out0, _ = run(capsys, "deltas", "--seed", "0")
    _, out1, _ = run(capsys, "deltas", "--seed", "1")
    c0 = re.search(r"C = (\S+),", out0).group(1)
    c1 = re.search(r"C = (\S+),", out1).group(1)
    assert c0 != c1


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--sizes", "2"], "expected at least 2 widths"),
        (["--sizes", ""], "expected comma-separated layer widths"),
        (["--sizes", "2,,1"], "expected comma-separated layer widths"),
        (["--sizes", "2,0,1"], "every width must be between 1 and"),
        (["--sizes", "2,-3,1"], "'-3' is not a positive whole number"),
        (["--sizes", "2,3.5,1"], "'3.5' is not a positive whole number"),
        (["--sizes", "2,x,1"], "'x' is not a positive whole number"),
        (["--sizes", "2,99999999,1"], "every width must be between 1 and"),
        (["--cost", "cross_entropy"], "add --output-activation sigmoid"),
        (["--cost", "hinge", "--sizes", "2,3,2"], "--cost hinge needs one output"),
        (["--cost", "absolute"], "invalid choice: 'absolute'"),
        (["--activation", "softmax"], "invalid choice: 'softmax'"),
        (["--seed", "-1"], "must be at least 0"),
        (["--seed", "zero"], "'zero' is not a whole number"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, fragment):
    code, out, err = run(capsys, "deltas", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("micrograd-like: error: ")
    assert fragment in err


def test_bad_sizes_through_the_console_entry_point_give_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "nn", "deltas", "--sizes", "2,0,1"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "micrograd-like: error: argument --sizes: '2,0,1': every width must be between 1 "
        "and 10000, got 0 (see 'micrograd-like deltas --help')"
    ]


def test_a_network_over_max_parameters_is_refused_before_it_is_built(capsys, monkeypatch):
    import nn

    monkeypatch.setattr(nn, "MLP", lambda *a, **k: pytest.fail("an MLP was built"))
    code, out, err = run(capsys, "deltas", "--sizes", "10000,10000,10000")
    assert code == 2 and err.count("\n") == 1 and out == ""
    assert "the network 10000-10000-10000 would have 200,020,000 parameters" in err


def test_default_example_has_deltas_of_a_readable_size(capsys):
    code, out, _ = run(capsys, "deltas")
    mlp = nn.MLP(2, [3, 1], activation="sigmoid", seed=deltas.SEED)
    x, y = delta_example([2, 3, 1], "quadratic", deltas.SEED)
    report = nn.compare_deltas(mlp, x, y)
    assert code == 0 and f"C = {report.loss:.10g}" in out  # the default is this example
    assert min(abs(d) for r in report.layers for d in r.analytic_delta) >= 0.1


def test_notation_zero_based_names_errors_by_python_indices(capsys):
    _, nielsen, _ = run(capsys, "deltas")
    _, zero, _ = run(capsys, "deltas", "--notation", "zero-based")
    assert re.search(r"^\s+δ²₁\s", nielsen, re.M) and "δ[0][0]" not in nielsen
    assert re.search(r"^\s+δ\[0\]\[0\]\s", zero, re.M) and "δ²₁" not in zero


def test_explain_prints_each_equation_with_the_reports_numbers(capsys):
    code, out, _ = run(capsys, "deltas", "--explain")
    mlp = nn.MLP(2, [3, 1], activation="sigmoid", seed=deltas.SEED)
    x, y = delta_example([2, 3, 1], "quadratic", deltas.SEED)
    report = nn.compare_deltas(mlp, x, y)
    assert code == 0
    for bp in ("BP1", "BP2", "BP3", "BP4"):
        assert re.search(rf"^{bp}  ", out, re.M)
    assert report.explain() in out


def test_an_unknown_notation_is_a_one_line_error(capsys):
    code, _, err = run(capsys, "deltas", "--notation", "euler")
    assert code == 2 and "invalid choice: 'euler'" in err and len(err.splitlines()) == 1
