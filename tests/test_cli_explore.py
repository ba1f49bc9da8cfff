"""``micrograd-like graph ... --html PAGE``: the interactive backward page from the command line."""

from __future__ import annotations

import json
import re

from nn.cli import main


def payload(path) -> dict:
    text = path.read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" class="mgl-data">(.*?)</script>', text, re.S)
    return json.loads(data.group(1))


def test_html_option_writes_a_page_with_the_engines_gradients(graphviz_dot, capsys, tmp_path):
    page = tmp_path / "backprop.html"
    code = main(["graph", "x*x + 3*x", "--set", "x=2", "-o", str(tmp_path / "g.svg"),
                 "--html", str(page)])
    out = capsys.readouterr().out
    assert code == 0
    assert f"wrote {page}" in out
    nodes = payload(page)["nodes"]
    [x] = [n for n in nodes if n["name"] == "x"]
    assert x["gradText"] == "7.0000"  # d/dx (x² + 3x) = 2x + 3 at x = 2
    assert nodes[-1]["dataText"] == "10.0000"  # 2² + 3·2


def test_html_page_has_one_step_per_op_node_after_the_seed(graphviz_dot, capsys, tmp_path):
    page = tmp_path / "p.html"
    main(["graph", "tanh(x*w + b)", "--set", "x=2", "--set", "w=-3", "--set", "b=1",
          "-o", str(tmp_path / "g.gv"), "--html", str(page)])
    capsys.readouterr()
    assert len(payload(page)["backward"]) == 1 + 3  # seed, then tanh, +, *


def test_html_into_a_missing_directory_is_a_one_line_error(graphviz_dot, capsys, tmp_path):
    code = main(["graph", "x*x", "--set", "x=2", "-o", str(tmp_path / "g.gv"),
                 "--html", str(tmp_path / "missing" / "p.html")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "missing' does not exist" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # checked before the picture of -o was written
