"""Drawing hostile graphs: every cost is bounded up front or by a time limit, every text
that reaches the picture is well-formed, every number format is a safe one."""

from __future__ import annotations

import os
import time
import xml.etree.ElementTree as ET

import pytest

from micrograd_like import Value, pictures, viz
from micrograd_like.viz import (
    GraphvizTimeoutError,
    TooManyFramesError,
    backward_frames,
    check_number_format,
    draw_dot,
    render,
    render_frames,
    save_frames,
)


def shared_leaf_sum(k: int) -> Value:
    """x + x + ... + x with k ops, all using one leaf: the graph dot lays out slowly."""
    x = Value(1.0, label="x")
    y = x
    for _ in range(k):
        y = y + x
    y.backward()
    return y


def chain(n_ops: int) -> Value:
    y = Value(0.5, label="x")
    for _ in range(n_ops):
        y = y * 1.0
    y.backward()
    return y


# -- number formats ---------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["", ".4f", ".3g", "+.2e", " .1f", "08.3f", ",.2f", "_g",
                                  ".0%", "#.0f", ".17g", "99.1E", "G"])
def test_number_formats_of_the_safe_grammar_are_accepted(spec):
    assert check_number_format(spec) == spec
    assert draw_dot(chain(1), number_format=spec).source  # and draw


@pytest.mark.parametrize("spec, words", [
    (".100000000f", "not allowed"),  # minutes and gigabytes of digits
    (".18f", "precision 18 is more than 17"),
    ("|<9.2f", "not allowed"),  # a fill | would split the record box
    ("{<9.2f", "not allowed"),  # so would {
    ("<9.2f", "not allowed"),  # alignment is meaningless in a box
    ("100.1f", "not allowed"),
    ("d", "not allowed"),
    ("n", "not allowed"),  # locale-dependent
    ("s", "not allowed"),
    (".2f}", "not allowed"),
])
def test_other_number_formats_are_refused_quickly(spec, words):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=words):
        draw_dot(chain(1), number_format=spec)
    assert time.perf_counter() - start < 1.0


def test_a_number_format_that_is_not_a_str_is_a_type_error():
    with pytest.raises(TypeError, match="format spec str"):
        check_number_format(4)  # type: ignore[arg-type]


# -- control characters -----------------------------------------------------------------


CONTROL = "".join(map(chr, range(0x20))) + "\x7f\x85"


def hostile_graph() -> Value:
    x = Value(2.0, label="x\x1b[31mred" + CONTROL)
    y = Value(3.0, label="y")
    z = x * y
    z.op = "*\x1b"  # an op name from a user-defined op could hold anything
    z.label = "z\ud800"  # a lone surrogate cannot even be encoded as UTF-8
    z.backward()
    return z


def test_the_dot_source_holds_no_control_character_from_a_label_or_op():
    source = draw_dot(hostile_graph()).source
    assert not [c for c in source if (ord(c) < 0x20 and c not in "\t\n") or c == "\x7f"]
    assert "\\\\x1b[31mred" in source  # ESC drawn as the visible text \x1b
    source.encode("utf-8")  # the surrogate is escaped too


def test_a_label_or_op_with_control_characters_gives_well_formed_svg(graphviz_dot):
    svg = render(draw_dot(hostile_graph()), "svg")
    root = ET.fromstring(svg)  # raises on ill-formed XML
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "x\\x1b[31mred\\x00\\x01" in "".join(texts)
    assert "*\\x1b" in texts


def test_backward_frames_captions_escape_the_op_too(graphviz_dot):
    for frame in backward_frames(hostile_graph()):
        ET.fromstring(render(frame, "svg"))


# -- layout time ------------------------------------------------------------------------


def test_a_leaf_shared_by_many_ops_is_drawn_with_merged_edges():
    assert "concentrate=true" in draw_dot(shared_leaf_sum(124)).source
    assert "concentrate" not in draw_dot(shared_leaf_sum(5)).source  # small: as before


def test_a_leaf_shared_by_124_ops_is_laid_out_in_seconds_not_minutes(graphviz_dot):
    # before edges were merged this layout took more than 100 s; now a few seconds
    svg = render(draw_dot(shared_leaf_sum(124)), "svg", timeout=90)
    groups = [g.get("class") for g in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")]
    assert groups.count("node") == 1 + 2 * 124


def test_a_layout_past_the_timeout_is_killed_and_raises(slow_dot):
    start = time.perf_counter()
    with pytest.raises(GraphvizTimeoutError, match=r"did not finish within 0\.5 s"):
        render(draw_dot(chain(2)), "svg", timeout=0.5)
    assert time.perf_counter() - start < 10


def test_the_interactive_page_is_time_limited_too(slow_dot):
    from micrograd_like.explore_page import explore

    with pytest.raises(GraphvizTimeoutError):
        explore(chain(2), timeout=0.5)


def test_the_timeout_of_frames_is_for_all_of_them_and_nothing_is_written(slow_dot, tmp_path):
    start = time.perf_counter()
    with pytest.raises(GraphvizTimeoutError):
        save_frames(backward_frames(chain(5)), tmp_path / "frames", timeout=1.0)
    assert time.perf_counter() - start < 10
    assert list(tmp_path.iterdir()) == []


# -- frames -----------------------------------------------------------------------------


def test_too_many_frames_are_refused_before_any_is_drawn(monkeypatch):
    built = []
    monkeypatch.setattr(viz, "draw", lambda *a, **k: built.append(1))
    with pytest.raises(TooManyFramesError, match=r"250 frames .* more than max_frames=100"):
        backward_frames(chain(249))
    assert built == []


def test_max_frames_can_be_raised_and_must_be_a_positive_int():
    assert len(backward_frames(chain(4), max_frames=5)) == 5
    with pytest.raises(TooManyFramesError):
        backward_frames(chain(5), max_frames=5)
    with pytest.raises(ValueError, match="max_frames must be a positive int"):
        backward_frames(chain(1), max_frames=0)


def test_a_gif_that_would_need_too_much_memory_is_refused_before_decoding(
        graphviz_dot, tmp_path, monkeypatch):
    monkeypatch.setattr(pictures, "MAX_GIF_BYTES", 10_000)
    target = tmp_path / "b.gif"
    with pytest.raises(TooManyFramesError, match=r"3 frames of \d+x\d+ pixels .* MB"):
        save_frames(backward_frames(chain(2)), target)
    assert list(tmp_path.iterdir()) == []


def test_render_frames_writes_nothing_and_names_each_file(graphviz_dot, tmp_path):
    files = render_frames(backward_frames(chain(2)), tmp_path / "f", fmt="gv")
    assert [p.name for p, _ in files] == ["frame_000.gv", "frame_001.gv", "frame_002.gv"]
    assert all(data.startswith(b"digraph") for _, data in files)
    assert list(tmp_path.iterdir()) == []


def test_a_huge_timeout_means_no_limit_not_an_overflow(graphviz_dot):
    assert render(draw_dot(chain(1)), "svg", timeout=1e300).lstrip().startswith(b"<?xml")


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), True, "5"])
def test_a_timeout_must_be_a_positive_number(timeout):
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        render(draw_dot(chain(1)), "svg", timeout=timeout)


def test_a_dot_that_cannot_be_run_is_reported_as_graphviz_missing(tmp_path, monkeypatch):
    fake = tmp_path / "dot"
    fake.write_text("not a program")
    fake.chmod(0o644)  # no execute permission
    monkeypatch.setenv("PATH", str(tmp_path))
    if os.geteuid() == 0:  # root may run it anyway; give it a bad format instead
        fake.chmod(0o755)
        fake.write_bytes(b"\x7fELF broken")
    with pytest.raises(viz.GraphvizNotFoundError, match="could not run Graphviz's 'dot'"):
        render(draw_dot(chain(1)), "svg")


def test_a_gif_too_large_is_refused_after_one_layout_and_no_picture(graphviz_dot, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr(pictures, "MAX_GIF_BYTES", 10_000)
    runs = []
    real_pipe = pictures._pipe
    monkeypatch.setattr(pictures, "_pipe",
                        lambda g, fmt, *a: runs.append(fmt) or real_pipe(g, fmt, *a))
    with pytest.raises(TooManyFramesError):
        render_frames(backward_frames(chain(9)), tmp_path / "b.gif")
    assert runs == ["plain"]  # one layout of 10 frames, no PNG


@pytest.mark.parametrize("n_ops", [1, 8, 30])
def test_the_png_size_predicted_from_the_layout_is_within_two_pixels(graphviz_dot, n_ops):
    frame = backward_frames(chain(n_ops))[-1]
    (w, h) = pictures._png_size_of_layout(frame, None)
    (pw, ph) = pictures._png_size(render(frame, "png"))
    assert abs(w - pw) <= 2 and abs(h - ph) <= 2


def test_the_png_size_is_read_from_its_header(graphviz_dot):
    import io

    from PIL import Image

    png = render(draw_dot(chain(2)), "png")
    assert pictures._png_size(png) == Image.open(io.BytesIO(png)).size
