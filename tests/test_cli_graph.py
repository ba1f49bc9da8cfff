"""``micrograd-like graph``: builds, differentiates and draws an expression; user mistakes
give one line on stderr and exit status 2, never a traceback and never a partial file."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from micrograd_like import draw_dot
from micrograd_like.expr import parse
from nn.cli import main

EXAMPLE = ["tanh(x*w + b)", "--set", "x=2", "--set", "w=-3", "--set", "b=6.88"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_graph_writes_an_svg_with_every_node_and_edge(graphviz_dot, capsys, tmp_path):
    out = tmp_path / "graph.svg"
    code, _, err = run(capsys, "graph", *EXAMPLE, "-o", str(out))
    assert (code, err) == (0, "")
    groups = [g.get("class") for g in ET.parse(out).iter("{http://www.w3.org/2000/svg}g")]
    # 6 values + 3 ops; edges 2+1 (*), 2+1 (+), 1+1 (tanh)
    assert (groups.count("node"), groups.count("edge")) == (9, 8)


def test_graph_prints_the_value_and_each_gradient(capsys, tmp_path):
    code, out, _ = run(capsys, "graph", *EXAMPLE, "-o", str(tmp_path / "g.gv"))
    y = math.tanh(2 * -3 + 6.88)
    s = 1 - y * y  # d tanh(u)/du
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"tanh(x*w + b) = {y:.10g}"
    assert lines[1:4] == [f"  ∂/∂x = {-3 * s:.10g}", f"  ∂/∂w = {2 * s:.10g}", f"  ∂/∂b = {s:.10g}"]


def test_gv_output_is_the_dot_source_of_the_same_graph(capsys, tmp_path):
    out = tmp_path / "g.gv"
    run(capsys, "graph", *EXAMPLE, "-o", str(out), "--rankdir", "TB", "--no-grad")
    root, _ = parse("tanh(x*w + b)").build({"x": 2.0, "w": -3.0, "b": 6.88})
    root.backward()
    expected = draw_dot(root, rankdir="TB", show_grad=False).source
    assert out.read_text(encoding="utf-8") == expected


def test_format_option_overrides_the_suffix(capsys, tmp_path):
    out = tmp_path / "picture.txt"
    code, _, _ = run(capsys, "graph", *EXAMPLE, "-o", str(out), "--format", "dot")
    assert code == 0 and out.read_text(encoding="utf-8").startswith("digraph")


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["graph", "x*y", "--set", "x=1"], "no value for 'y': add --set y=NUMBER"),
        (["graph", "x", "--set", "x=1", "--set", "z=2"], "'z': not a name in the expression"),
        (["graph", "x", "--set", "x"], "expected NAME=VALUE"),
        (["graph", "x", "--set", "=1"], "expected NAME=VALUE"),
        (["graph", "x", "--set", "x=abc"], "'abc' is not a number"),
        (["graph", "x", "--set", "1x=2"], "not a valid name"),
        (["graph", "x", "--set", "x=1", "--set", "x=2"], "set twice"),
        (["graph", "x", "--set", "x=nan"], "--set 'x=nan': the value must be finite"),
        (["graph", "x", "--set", "x=inf"], "--set 'x=inf': the value must be finite"),
        (["graph", "x", "--set", "x=1e999"], "--set 'x=1e999': the value must be finite"),
        (["graph", "foo(x)", "--set", "x=1"], "a call of 'foo'"),
        (["graph", "x.real", "--set", "x=1"], "attribute access '.real'"),
        (["graph", "__import__('os').system('x')"], "attribute access '.system'"),
        (["graph", "().__class__"], "attribute access '.__class__'"),
        (["graph", "x[0]", "--set", "x=1"], "a subscript"),
        (["graph", "lambda: 0"], "lambda"),
        (["graph", "[x for x in y]"], "comprehension"),
        (["graph", "exp(x=1)"], "keyword argument"),
        (["graph", "exp(*x)"], "starred"),
        (["graph", "import os"], "invalid syntax"),
        (["graph", "(" * 10_000 + "x" + ")" * 10_000], "characters long"),
        (["graph", "9**9**9"], "** overflows"),
        (["graph", "log(x)", "--set", "x=-1"], "log: undefined"),
        (["graph", "1e999"], "overflows to infinity"),
        (["graph", "x" * 5000], "characters long"),
        (["graph", "x", "--set", "x=1", "-o", "graph.txt"], "unknown picture format 'txt'"),
        (["graph", "x", "--set", "x=1", "-o", "graph"], "cannot tell the picture format"),
        (["graph", "x", "--set", "x=1", "--highlight", "q"], "--highlight 'q'"),
        (["graph", "x", "--set", "x=1", "--number-format", "q"], "--number-format: 'q' is not"),
        (
            ["graph", "x+x+x", "--set", "x=1", "--max-nodes", "3"],
            "--max-nodes 5",
        ),  # 3 values, 2 ops
        (["graph", "x", "--set", "x=1", "--rankdir", "XY"], "invalid choice: 'XY'"),
        (["graph"], "required: expression"),
        (["bogus"], "invalid choice: 'bogus'"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_status_2(
    capsys, tmp_path, monkeypatch, argv, fragment
):
    monkeypatch.chdir(tmp_path)  # relative outputs land here
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("micrograd-like: error: ") and err.count("\n") == 1
    assert fragment in err
    assert "Traceback" not in err and out == ""
    assert list(tmp_path.iterdir()) == []  # no picture, no temp file


def test_a_missing_directory_is_a_one_line_error(capsys, tmp_path):
    code, _, err = run(capsys, "graph", *EXAMPLE, "-o", str(tmp_path / "nowhere" / "g.gv"))
    assert code == 2 and "nowhere' does not exist" in err


def test_a_parent_that_is_a_file_is_a_one_line_error(capsys, tmp_path):
    (tmp_path / "plain").write_text("")
    code, _, err = run(capsys, "graph", *EXAMPLE, "-o", str(tmp_path / "plain" / "g.gv"))
    assert code == 2 and "plain' is not a directory" in err


def test_an_output_path_that_is_a_directory_is_an_error_and_leaves_no_temp_file(capsys, tmp_path):
    (tmp_path / "g.gv").mkdir()
    code, _, err = run(capsys, "graph", *EXAMPLE, "-o", str(tmp_path / "g.gv"))
    assert code == 2 and "g.gv': is a directory; give a file name" in err
    assert [p.name for p in tmp_path.iterdir()] == ["g.gv"]


def test_a_failed_render_keeps_the_old_picture(capsys, tmp_path, monkeypatch):
    out = tmp_path / "g.svg"
    out.write_text("old picture")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot on PATH
    code, _, err = run(capsys, "graph", *EXAMPLE, "-o", str(out))
    assert code == 2 and "apt-get install graphviz" in err
    assert out.read_text() == "old picture" and len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize("argv", [["--help"], ["graph", "--help"]])
def test_help_exits_0_and_shows_an_example(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert 'micrograd-like graph "tanh(x*w + b)" --set x=2' in out


def test_no_command_prints_help_and_exits_2(capsys):
    code, out, _ = run(capsys)
    assert code == 2 and "graph" in out


def test_python_dash_m_runs_the_same_command_line(tmp_path):
    out = tmp_path / "g.gv"
    done = subprocess.run(
        [sys.executable, "-m", "nn", "graph", *EXAMPLE, "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("digraph")
    bad = subprocess.run(
        [sys.executable, "-m", "nn", "graph", "__import__('os')"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_frames_option_saves_one_svg_per_backward_step(graphviz_dot, capsys, tmp_path):
    code, out, _ = run(
        capsys, "graph", "x*x + 3*x", "--set", "x=2", "-o", str(tmp_path / "g.gv"),
        "--frames", str(tmp_path / "frames"),
    )  # fmt: skip
    # ops: x*x, 3*x, + -> the seed frame and 3 steps
    assert code == 0 and "(4 frames)" in out
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [
        f"frame_{i:03d}.svg" for i in range(4)
    ]


def test_frames_to_a_missing_directory_is_one_line_and_writes_nothing(graphviz_dot, capsys,
                                                                     tmp_path):
    for frames in ("b.gif", "frames"):  # a GIF, or a directory of frames inside one
        code, _, err = run(
            capsys, "graph", "x", "--set", "x=2", "-o", str(tmp_path / "g.gv"),
            "--frames", str(tmp_path / "nowhere" / frames),
        )  # fmt: skip
        assert code == 2 and err.count("\n") == 1 and "nowhere' does not exist" in err
        assert list(tmp_path.iterdir()) == []  # not even the picture of -o


@pytest.mark.parametrize("spec", [".100000000f", "|<9.2f", "{<9.2f", ".18f"])
def test_a_hostile_number_format_is_a_usage_error_before_any_work(capsys, tmp_path, spec):
    code, out, err = run(capsys, "graph", *EXAMPLE, "--number-format", spec,
                         "-o", str(tmp_path / "g.svg"))
    assert code == 2 and err.count("\n") == 1 and "--number-format" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_frames_of_a_long_chain_are_refused_up_front(capsys, tmp_path):
    chain = "x" + "*x" * 249  # 499 nodes: within --max-nodes, but 250 frames
    code, out, err = run(capsys, "graph", chain, "--set", "x=1", "-o", str(tmp_path / "g.svg"),
                         "--frames", str(tmp_path / "b.gif"))
    assert code == 2 and err.count("\n") == 1
    assert "--frames: the backward step-through has 250 frames" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_a_layout_past_timeout_is_one_line_and_writes_nothing(slow_dot, capsys, tmp_path):
    code, out, err = run(capsys, "graph", *EXAMPLE, "--timeout", "0.5",
                         "-o", str(tmp_path / "g.svg"))
    assert code == 2 and err.count("\n") == 1
    assert "did not finish the pictures within --timeout 0.5 s" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_frames_are_rendered_before_the_picture_is_written(graphviz_dot, capsys, tmp_path,
                                                            monkeypatch):
    from micrograd_like import pictures

    def fail(*args, **kwargs):
        raise pictures.TooManyFramesError("a GIF of 3 frames would need too much memory")

    monkeypatch.setattr(pictures, "_gif_bytes", fail)
    code, _, err = run(capsys, "graph", *EXAMPLE, "-o", str(tmp_path / "g.svg"),
                       "--frames", str(tmp_path / "b.gif"))
    assert code == 2 and "too much memory" in err
    assert list(tmp_path.iterdir()) == []  # not even g.svg


def test_a_backward_that_overflows_is_one_line(capsys, tmp_path):
    # forward is finite, sqrt(x)·1e300 = 1e150, but ∂/∂x = 1e300 / (2 sqrt(x)) = 5e449
    code, out, err = run(capsys, "graph", "sqrt(x)*1e300", "--set", "x=1e-300",
                         "-o", str(tmp_path / "g.gv"))
    assert code == 2 and err.count("\n") == 1
    assert "cannot run backward: backward: gradient overflowed to inf" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_local_grads_writes_each_local_derivative_on_its_edge(capsys, tmp_path):
    out = tmp_path / "g.gv"
    code, _, _ = run(capsys, "graph", *EXAMPLE, "--local-grads", "-o", str(out))
    source = out.read_text(encoding="utf-8")
    y = math.tanh(2 * -3 + 6.88)
    edge_labels = re.findall(r'-> v\d+op \[label="?([^"\]]*?)"? fontsize', source)
    assert code == 0 and len(edge_labels) == 5  # x, w into *; x·w, b into +; u into tanh
    assert any(label.endswith(f"= {1 - y * y:.4f}") for label in edge_labels)  # tanh'(u)
    assert any(label.endswith("= -3.0000") for label in edge_labels)  # ∂(x·w)/∂x = w


def test_without_local_grads_edges_carry_no_labels(capsys, tmp_path):
    out = tmp_path / "g.gv"
    run(capsys, "graph", *EXAMPLE, "-o", str(out))
    assert "label=" not in "".join(ln for ln in out.read_text().splitlines() if "->" in ln)


def test_an_output_that_is_a_pipe_is_refused_before_any_work(capsys, tmp_path):
    import os

    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "graph", *EXAMPLE, "-o", str(fifo))
    assert code == 2 and "is not a regular file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.svg"]


def test_graph_help_lists_every_function_of_the_rule_table(capsys):
    from micrograd_like import ops

    code, text, _ = run(capsys, "graph", "--help")
    assert code == 0
    for name in ops.function_names():
        if name != "neg":  # -x is written with the operator
            assert f"{name}(" in text, name


def test_a_gif_without_pillow_is_one_line_naming_it(graphviz_dot, capsys, tmp_path,
                                                     monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now fails
    monkeypatch.setattr("micrograd_like.pictures._pipe", lambda *a: pytest.fail("laid out"))
    code, _, err = run(capsys, "graph", *EXAMPLE, "-o", str(tmp_path / "g.gv"),
                       "--frames", str(tmp_path / "b.gif"))
    assert code == 2 and err.count("\n") == 1 and "needs Pillow" in err
    assert list(tmp_path.iterdir()) == []


def test_every_drawing_option_reaches_the_picture_the_frames_and_the_page(capsys, tmp_path,
                                                                         monkeypatch):
    from micrograd_like import viz
    from nn.cli import graph

    calls = {}

    def spy(name, result):
        def record(root, **kwargs):
            calls[name] = kwargs
            return result(root, **kwargs)
        return record

    class Page:
        def to_html(self):
            return ""

    monkeypatch.setattr(viz, "draw_dot", spy("picture", viz.draw_dot))
    monkeypatch.setattr(viz, "backward_frames", spy("frames", lambda root, **k: []))
    monkeypatch.setattr(graph, "explore", spy("page", lambda root, **k: Page()))
    code, _, err = run(capsys, "graph", "x*w", "--set", "x=2", "--set", "w=3",
                       "-o", str(tmp_path / "g.gv"), "--frames", str(tmp_path / "frames"),
                       "--html", str(tmp_path / "p.html"), "--rankdir", "TB",
                       "--number-format", ".2e", "--max-nodes", "50", "--color-by-grad",
                       "--local-grads", "--no-grad", "--highlight", "x")
    assert code == 0, err
    shared = {"rankdir": "TB", "number_format": ".2e", "max_nodes": 50}
    for name in ("picture", "frames", "page"):
        assert calls[name].items() >= shared.items(), name
    for name in ("picture", "frames"):
        assert calls[name]["color_by_grad"] and calls[name]["show_local_grads"], name
    assert calls["picture"]["show_grad"] is False and calls["picture"]["highlight"].label == "x"
