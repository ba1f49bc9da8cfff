"""The README's examples are true: its code runs and prints what the text says it prints."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from nn.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # our own README, not user input
    return out.getvalue()


def test_first_example_prints_the_values_its_comments_claim():
    code = blocks("python")[0]
    claimed = [m.group(1) for m in re.finditer(r"print\(.*\)\s+#\s*(\S+)", code)]
    assert claimed, "the first example has no '# value' comments to check"
    assert run(code).split() == claimed


def test_delta_example_shows_engine_and_equations_agreeing():
    code = next(b for b in blocks("python") if "compare_deltas" in b)
    out = run(code)
    assert out.startswith("δ = ∂C/∂z: engine vs BP1–BP4")
    worst = float(re.search(r"max \|Δ\| = (\S+)", out).group(1))
    assert worst < 1e-12


def test_the_shown_delta_table_header_is_what_the_code_prints():
    code = next(b for b in blocks("python") if "compare_deltas" in b)
    shown = next(b for b in blocks("text") if "engine vs BP1–BP4" in b)
    printed = run(code).splitlines()
    for line in shown.splitlines()[:2]:  # the title's C and the column header
        assert line.split(", max")[0] in printed[0] + "\n" + printed[1]
    for line in shown.splitlines()[2:4]:  # the layer rows, numbered as Nielsen numbers them
        assert line.split()[:3] in [p.split()[:3] for p in printed[2:4]]


COMMANDS = [
    line.split("#")[0].strip()
    for block in blocks("bash")
    for line in block.splitlines()
    if line.startswith("micrograd-like ")
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_shown_is_accepted_by_the_parser(command):
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert callable(args.run)


def test_explore_example_writes_one_page_with_the_gradients_the_text_claims(
        graphviz_dot, tmp_path, monkeypatch):
    code = next(b for b in blocks("python") if "explore(" in b)
    monkeypatch.chdir(tmp_path)
    run(code)
    assert [p.name for p in tmp_path.iterdir()] == ["backprop.html"]
    page = (tmp_path / "backprop.html").read_text(encoding="utf-8")
    assert "w.grad += 2.0000 × 0.5000 = 1.0000" in page  # ∂y/∂w = x·(1 − y²) = 2 · 0.5


def test_rule_table_example_prints_what_its_comments_claim_and_the_closed_form_agrees():
    import math

    import micrograd_like as mg

    code = next(b for b in blocks("python") if "define_op" in b)
    claimed = [m.group(1) for m in re.finditer(r"print\(.*\)\s+#\s*(\S+)", code)]
    try:
        assert run(code).split() == claimed
    finally:
        mg.ops.RULES.pop("softsign", None)
    t = math.tanh(0.5)
    assert float(claimed[0]) == round(8 * t * (1 - t * t) * (2 - 3 * t * t), 6)


def test_readme_has_no_relative_link_that_a_package_index_would_break():
    """PyPI shows the README without the repository around it: a link or picture must be an
    absolute URL (or an anchor); files are named as text instead."""
    targets = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)", README)
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert relative == []


def test_every_file_the_readme_names_is_in_the_source_tree():
    root = Path(__file__).resolve().parents[1]
    named = set(re.findall(r"`((?:docs|notebooks|bench|tests)/[\w./-]+\.\w+)`", README))
    named |= {f"notebooks/{n}.ipynb" for n in re.findall(r"^\| `(\d\d_\w+)` \|", README, re.M)}
    named |= set(re.findall(r"`(LICENSE|CHANGELOG\.md)`", README))
    assert named, "the README names no file: the pattern is stale"
    missing = sorted(n for n in named if "NN_name" not in n and not (root / n).exists())
    assert missing == []


def test_tape_training_loop_example_learns_xor_as_its_comment_claims():
    code = next(b for b in blocks("python") if "value_and_grad_rows" in b)
    claimed = re.search(r"print\(.*\)\s+#\s*(\[.*\])", code).group(1)
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)  # our own README
    assert out.getvalue().strip() == claimed
    # push_params wrote the tape's vector into the Values the eager network reads
    mlp, tape = namespace["mlp"], namespace["tape"]
    assert [p.data for p in mlp.parameters()] == tape.params_vector.tolist()
