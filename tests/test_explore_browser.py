"""The saved ``explore`` page in a real browser (headless Chromium driven by Selenium).

Each test opens a page written by :meth:`Explorer.save` from disk (``file://``), with the
network never needed, and reads what a student would see: the text of every box, the list
of chain-rule steps, the console, the network log, the pixels.  The expected numbers come
from the engine (``backward()`` and the local derivatives the graph stores), never from the
page's own data.  Without Chromium these tests skip, saying so; under CI=true they fail.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path

import pytest
from explore_graphs import mlp_cross_entropy_cost, neuron, shared, small_mlp_cost

import nn
from micrograd_like import Value, explore, topological_order
from micrograd_like.viz import describe_nodes

SHOWN_TEXTS = """
return Array.from(document.querySelectorAll('[data-%s-of]')).map(
  e => [+e.getAttribute('data-%s-of'), e.textContent]);
"""


GRAPHS = {"neuron": neuron, "shared": shared, "mlp_cost": small_mlp_cost,
          "cross_entropy": mlp_cross_entropy_cost}


def constant_indices(root: Value) -> set[int]:
    """Where the static drawing has constants (grey, no gradient), by topological index."""
    texts = describe_nodes(root)
    return {i for i, v in enumerate(topological_order(root)) if texts[v].is_constant}


def engine(root: Value) -> tuple[list[Value], list[float]]:
    """The graph in topological order and backward()'s gradient of each node (from zero)."""
    order = topological_order(root)
    root.zero_grad()
    root.backward()
    grads = [v.grad for v in order]
    root.zero_grad()
    return order, grads


def open_page(browser, tmp_path, root: Value, fragment: str = "", **options) -> None:
    path = explore(root, **options).save(tmp_path / "page.html")
    browser.get("about:blank")  # a new document each time, even for the same file
    browser.get(path.resolve().as_uri() + fragment)
    browser.execute_script("return 0")  # wait for the load
    assert browser.execute_script(
        "return document.querySelector('.mgl-explore').getAttribute('data-ready')"
    ), "the page's script did not finish"


def shown(browser, what: str) -> dict[int, str]:
    """The text each node's box shows for ``what`` ("grad" or "data"), by topological index."""
    return dict(browser.execute_script(SHOWN_TEXTS % (what, what)))


def number(text: str) -> str:
    m = re.search(r"-?\d+\.\d+$", text)
    return m.group(0) if m else ""


def visible_log(browser) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('.mgl-log li'))"
        ".filter(li => !li.hidden).map(li => li.textContent)"
    )


@pytest.mark.parametrize("name", GRAPHS)
def test_at_step_0_no_gradient_is_shown(browser, tmp_path, name):
    open_page(browser, tmp_path, GRAPHS[name](), "#step=0")
    grads = shown(browser, "grad")
    assert grads, "no grad field found"
    assert all(number(text) == "" for text in grads.values()), grads
    assert visible_log(browser) == []


@pytest.mark.parametrize("name", GRAPHS)
def test_at_step_end_every_box_shows_the_engines_gradient(browser, tmp_path, name):
    root = GRAPHS[name]()
    order, grads = engine(root)
    open_page(browser, tmp_path, root, "#step=end")
    texts = shown(browser, "grad")
    assert texts
    for i, text in texts.items():
        assert number(text) == format(grads[i], ".4f"), (order[i], text)
    datas = shown(browser, "data")
    for i, text in datas.items():
        assert number(text) == format(order[i].data, ".4f")


@pytest.mark.parametrize("name", ["mlp_cost", "cross_entropy"])
def test_after_the_last_step_no_constant_shows_a_gradient(browser, tmp_path, name):
    root = GRAPHS[name]()
    order, grads = engine(root)
    fixed = constant_indices(root)
    assert fixed  # targets, ½, 1 − y, ...
    open_page(browser, tmp_path, root, "#step=end")
    assert not set(shown(browser, "grad")) & fixed  # no grad field ...
    for i in fixed:  # ... nor a gradient anywhere in the box, its label or its details
        box = browser.execute_script(
            f"return document.querySelector('[data-data-of=\"{i}\"]').parentNode")
        texts = [t.text for t in box.find_elements("css selector", "text")]
        assert len(texts) == 2 and number(texts[1]) == format(order[i].data, ".4f"), texts
        assert format(grads[i], ".4f") not in " ".join(texts)
        label = box.get_attribute("aria-label")
        assert label.endswith(", a constant") and "grad" not in label, label
        browser.execute_script("arguments[0].focus()", box)
        detail = browser.find_element("css selector", ".mgl-detail").text
        assert "none shown: a constant" in detail and format(grads[i], ".4f") not in detail
    names = {describe_nodes(root)[order[i]].name for i in fixed}  # y, ½, 1 − y, ...
    starts = tuple(f"{n}.grad" for n in names) + tuple(f"({n}).grad" for n in names)
    log = visible_log(browser)
    assert log and not [line for line in log if line.startswith(starts)]


def test_a_shared_node_ends_with_the_sum_of_both_contributions(browser, tmp_path):
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    open_page(browser, tmp_path, y, "#step=end")
    index = topological_order(y).index(a)
    assert number(shown(browser, "grad")[index]) == "6.0000"  # d(a²)/da = 2a
    assert visible_log(browser)[-2:] == [
        "a.grad += 3.0000 × 1.0000 = 3.0000",
        "a.grad += 3.0000 × 1.0000 = 3.0000 → a.grad = 6.0000",
    ]


@pytest.mark.parametrize("k", [1, 2, 4])
def test_pressing_next_k_times_shows_exactly_the_first_k_steps(browser, tmp_path, k):
    root = shared()
    order, grads = engine(root)
    index = {v: i for i, v in enumerate(order)}
    # The chain-rule lines backward() implies, from the graph's own numbers.
    expected = ["y.grad = 1 (∂y/∂y)"]
    for v in [v for v in reversed(order) if v.parents][: k - 1]:
        g = grads[index[v]]
        for p, d in zip(v.parents, v.local_grads):
            expected.append(f"{p.label}.grad += {d:.4f} × {g:.4f} = {d * g:.4f}" if p.label
                            else f".grad += {d:.4f} × {g:.4f} = {d * g:.4f}")
    open_page(browser, tmp_path, root, "#step=0")
    button = browser.find_element("css selector", "[data-go=next]")
    for _ in range(k):
        button.click()
    log = [line.split(" →")[0] for line in visible_log(browser)]
    assert len(log) == len(expected)
    for shown_line, line in zip(log, expected):  # an unlabelled node is named by the page
        assert shown_line.endswith(line) if line.startswith(".") else shown_line == line
    status = browser.find_element("css selector", ".mgl-status").text
    assert f"step {k} of" in status


def test_arrow_keys_and_the_url_fragment_move_the_step(browser, tmp_path):
    open_page(browser, tmp_path, neuron(), "#step=2")
    body = browser.find_element("css selector", "body")
    assert browser.execute_script("return location.hash") == "#step=2"
    body.send_keys("\ue014")  # arrow right
    assert browser.execute_script("return location.hash") == "#step=3"
    body.send_keys("\ue012", "\ue012")  # arrow left twice
    assert browser.execute_script("return location.hash") == "#step=1"
    browser.execute_script("location.hash = '#step=end'")
    time.sleep(0.05)
    assert "step 4 of 4" in browser.find_element("css selector", ".mgl-status").text


def test_forward_mode_shows_each_value_as_it_is_computed(browser, tmp_path):
    root = neuron()
    order, _ = engine(root)
    open_page(browser, tmp_path, root, "#mode=forward&step=0")
    datas = shown(browser, "data")
    assert {i for i, t in datas.items() if number(t)} == {
        i for i, v in enumerate(order) if not v.parents}  # only the inputs are known
    assert all(number(t) == "" for t in shown(browser, "grad").values())
    browser.find_element("css selector", "[data-go=end]").click()
    assert all(number(t) == format(order[i].data, ".4f") for i, t in shown(browser, "data").items())


def test_focusing_a_box_shows_its_op_parents_and_local_derivatives(browser, tmp_path):
    open_page(browser, tmp_path, neuron(), "#step=end")
    last = len(topological_order(neuron())) - 1  # the output y = tanh(n)
    browser.execute_script(
        f"document.querySelector('[data-grad-of=\"{last}\"]').parentNode.focus()")
    detail = browser.find_element("css selector", ".mgl-detail").text
    assert "tanh" in detail
    assert "1 − tanh²(x·w + b)" in detail  # ops' formula, over the parent's name
    assert "0.5000" in detail  # ∂y/∂n = 1 − tanh²n = 1/2 here
    focused = browser.execute_script("return document.activeElement.getAttribute('class')")
    assert "node" in focused


def test_console_has_no_error_and_the_page_requests_nothing(browser, tmp_path):
    browser.get_log("browser")  # drop earlier messages
    browser.get_log("performance")
    open_page(browser, tmp_path, small_mlp_cost(), "#step=3")
    browser.find_element("css selector", "[data-go=next]").click()
    errors = [m for m in browser.get_log("browser") if m["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    requests = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    assert all(url.startswith(("file://", "about:")) for url in requests), requests
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


@pytest.mark.parametrize("collapse", [False, True])
def test_the_demo_network_at_one_point_opens_in_under_2_seconds(browser, tmp_path, collapse):
    mlp = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    t = mlp.trace([0.5, -0.3])
    loss = nn.hinge([t.outputs], [1])
    order = topological_order(loss)
    assert len(order) > 400  # the whole graph: 337 parameters, z and a of 33 neurons, ...
    open_page(browser, tmp_path, loss, "#step=end", collapse=collapse)
    ready_ms = float(browser.execute_script(
        "return document.querySelector('.mgl-explore').getAttribute('data-ready')"))
    print(f"demo network page ({len(order)} nodes, collapse={collapse}) ready {ready_ms:.0f} ms "
          "after navigation")
    assert ready_ms < 2000
    log = visible_log(browser)
    fixed = {order[i] for i in constant_indices(loss)}
    assert fixed  # the targets and the hinge's 1
    # every edge into a node that is not a constant, and the seed
    assert len(log) == sum(p not in fixed for v in order for p in v.parents) + 1


def test_at_200_percent_zoom_nothing_is_cut_off(browser, tmp_path):
    open_page(browser, tmp_path, small_mlp_cost(), "#step=end")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 640, "height": 450, "deviceScaleFactor": 2, "mobile": False})
    try:
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0  # the page reflows; only the picture scrolls, inside its box
        for sel in ("[data-go=prev]", "[data-go=next]", ".mgl-slider input"):
            right = browser.execute_script(
                f"return document.querySelector('{sel}').getBoundingClientRect().right")
            assert right <= 640, sel
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_screenshot_is_not_blank(browser, tmp_path):
    """Also makes the README's picture:
    ``EXPLORE_SCREENSHOT=docs/explore.png pytest tests/test_explore_browser.py -k screenshot``."""
    from PIL import Image

    root = neuron()
    open_page(browser, tmp_path, root, "#step=3",
              title="Backpropagation through y = tanh(x·w + b)")
    w = topological_order(root).index(root.parents[0].parents[0].parents[1])
    browser.execute_script(
        f"document.querySelector('[data-grad-of=\"{w}\"]').parentNode.focus()")
    page = browser.find_element("css selector", ".mgl-explore")
    png = page.screenshot_as_png
    image = Image.open(io.BytesIO(png)).convert("L")
    lo, hi = image.getextrema()
    assert hi - lo > 128  # dark text on white
    dark = sum(image.histogram()[:128]) / (image.width * image.height)
    assert 0.005 < dark < 0.5  # some ink, but not a black page
    if os.environ.get("EXPLORE_SCREENSHOT"):
        Path(os.environ["EXPLORE_SCREENSHOT"]).write_bytes(png)


CONTRAST = """
function lum(c) {
  var m = c.match(/[\\d.]+/g).map(Number);
  var ch = m.slice(0, 3).map(function (v) {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}
function background(el) {
  for (; el; el = el.parentElement) {
    var b = getComputedStyle(el).backgroundColor;
    if (b && !/rgba\\(.*, 0\\)$/.test(b) && b !== 'transparent') return b;
  }
  return 'rgb(255, 255, 255)';
}
return Array.from(document.querySelectorAll(arguments[0])).map(function (el) {
  var a = lum(getComputedStyle(el).color) + 0.05, b = lum(background(el)) + 0.05;
  return [el.textContent.slice(0, 30), Math.max(a, b) / Math.min(a, b)];
});
"""


def test_text_and_controls_have_a_contrast_of_at_least_4_5(browser, tmp_path):
    open_page(browser, tmp_path, shared(), "#step=3")
    selectors = (".mgl-title, .mgl-status, .mgl-now code, .mgl-log li, .mgl-detail p, "
                 "button, .mgl-modes label, .mgl-slider, .mgl-count")
    ratios = browser.execute_script(CONTRAST, selectors)
    assert len(ratios) > 10
    low = [(text, round(r, 2)) for text, r in ratios if r < 4.5]  # WCAG AA, normal text
    assert low == []


def test_keyboard_focus_is_visible_on_controls_and_on_boxes(browser, tmp_path):
    open_page(browser, tmp_path, neuron(), "#step=0")
    body = browser.find_element("css selector", "body")
    body.send_keys("\ue004")  # Tab
    for _ in range(10):  # Tab on to the first button
        if browser.execute_script("return document.activeElement.tagName") == "BUTTON":
            break
        browser.switch_to.active_element.send_keys("\ue004")
    style = browser.execute_script(
        "var s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]")
    assert style[0] != "none" and float(style[1].rstrip("px")) >= 2
    browser.execute_script("document.querySelector('g.node[tabindex]').focus()")
    shape = browser.execute_script(
        "var g = document.activeElement; var p = g.querySelector('polygon, ellipse');"
        "var s = getComputedStyle(p); return [g.getAttribute('aria-label'), s.strokeWidth,"
        " s.strokeDasharray]")
    assert shape[0]  # a text alternative: the node's name, data and grad
    assert float(shape[1].rstrip("px")) >= 3 and shape[2] != "none"


def test_every_control_and_box_has_a_text_alternative(browser, tmp_path):
    open_page(browser, tmp_path, shared(), "#step=end")
    unnamed = browser.execute_script(
        "return Array.from(document.querySelectorAll('button, input, g.node[tabindex]'))"
        ".filter(e => !(e.getAttribute('aria-label') || e.textContent.trim()"
        " || (e.closest('label') && e.closest('label').textContent.trim())))"
        ".map(e => e.outerHTML.slice(0, 80))")
    assert unnamed == []
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('g.node[tabindex]'))"
        ".map(g => g.getAttribute('aria-label'))")
    assert any(label.startswith("a, data 2.0000, grad ") for label in labels)


def test_two_inline_pages_in_one_document_step_independently(browser, tmp_path):
    # As a notebook shows them: two _repr_html_ fragments in one page, no fragment handling.
    first, second = explore(neuron()), explore(shared())
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
            + first._repr_html_() + second._repr_html_() + "</body></html>")
    path = tmp_path / "notebook.html"
    path.write_text(html, encoding="utf-8")
    browser.get("about:blank")
    browser.get(path.as_uri() + "#step=2")
    widgets = browser.find_elements("css selector", ".mgl-explore")
    assert len(widgets) == 2 and all(w.get_attribute("data-ready") for w in widgets)
    widgets[1].find_element("css selector", "[data-go=next]").click()
    widgets[1].find_element("css selector", "[data-go=next]").click()
    counts = [w.find_element("css selector", ".mgl-count").text for w in widgets]
    assert counts == ["0 / 4", "2 / 5"]  # inline, the URL fragment is the notebook's, not ours
    assert browser.execute_script("return location.hash") == "#step=2"
    widgets[0].find_element("css selector", "[data-go=end]").send_keys("\ue014")  # arrow right
    counts = [w.find_element("css selector", ".mgl-count").text for w in widgets]
    assert counts == ["1 / 4", "2 / 5"]  # a key moves the widget it was pressed in, only


def test_play_steps_on_by_itself_and_pause_stops_it(browser, tmp_path):
    open_page(browser, tmp_path, neuron(), "#step=0")
    play = browser.find_element("css selector", ".mgl-play")
    play.click()
    time.sleep(1.3)  # one step a second
    play.click()
    step = browser.execute_script("return location.hash")
    assert step in ("#step=1", "#step=2")
    time.sleep(1.1)
    assert browser.execute_script("return location.hash") == step  # paused


# The rules of JupyterLab 4's stylesheet that reach into an HTML output (its lists, tables,
# definition lists and pictures), for pages shown as a notebook shows them.
JUPYTERLAB_CSS = """
body { font: 14px system-ui, sans-serif; margin: 0; }
.jp-RenderedHTMLCommon { padding-right: 20px; width: 1033px; }
.jp-RenderedHTMLCommon ul:not(.list-inline), .jp-RenderedHTMLCommon ol:not(.list-inline) {
  padding-left: 2em; }
.jp-RenderedHTMLCommon table { border-collapse: collapse; table-layout: fixed;
  margin-left: auto; margin-right: auto; font-size: 13px; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { padding: 0.5em; white-space: normal;
  text-align: right; }
.jp-RenderedHTMLCommon img, .jp-RenderedHTMLCommon svg { max-width: 100%; height: auto; }
.jp-OutputArea-output { overflow: auto; }
.jp-OutputArea-output dl, .jp-OutputArea-output dt, .jp-OutputArea-output dd { display: block; }
.jp-OutputArea-output dl { width: 100%; overflow: hidden; padding: 0; margin: 0; }
.jp-OutputArea-output dt { font-weight: bold; float: left; width: 20%; padding: 0; margin: 0; }
.jp-OutputArea-output dd { float: left; width: 80%; padding: 0; margin: 0; }
"""


def open_inline(browser, tmp_path, root: Value, window: tuple[int, int] | None = None) -> object:
    """The page as a notebook shows it (its inline HTML, in an output styled as JupyterLab
    styles one); returns the widget's element."""
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><style>" + JUPYTERLAB_CSS
            + "</style></head><body><div class='jp-OutputArea-output jp-RenderedHTMLCommon'>"
            + explore(root)._repr_html_() + "</div></body></html>")
    path = tmp_path / "output.html"
    path.write_text(html, encoding="utf-8")
    browser.get("about:blank")
    if window:
        browser.set_window_size(*window)
    browser.get(path.as_uri())
    page = browser.find_element("css selector", ".mgl-explore")
    assert page.get_attribute("data-ready")
    return page


def neuron_of_notebook_02() -> Value:
    """o = tanh(x1·w1 + x2·w2 + b), named as notebook 02 names it."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o


def test_the_step_list_shows_item_numbers_from_10_on_in_full(browser, tmp_path):
    page = open_inline(browser, tmp_path, small_mlp_cost())
    page.find_element("css selector", "[data-go=end]").click()
    # Each item's number is drawn left of the item, inside the list's padding (outside it,
    # the list's scrolling box cuts it off): the padding must hold the widest number.
    room = browser.execute_script("""
        var ol = arguments[0].querySelector('.mgl-log'), items = ol.querySelectorAll('li');
        var canvas = document.createElement('canvas').getContext('2d');
        return [9, items.length - 1].map(function (k) {
          var li = items[k], style = getComputedStyle(li);
          canvas.font = style.fontSize + ' ' + style.fontFamily;
          var left = li.getBoundingClientRect().left - ol.getBoundingClientRect().left
            - ol.clientLeft;
          return [k + 1, left, canvas.measureText((k + 1) + '. ').width];
        });""", page)
    assert room[1][0] >= 10
    for number, left, needed in room:
        assert left >= needed, f"item {number}. needs {needed:.1f} px, has {left:.1f}"


def test_after_start_or_end_the_arrow_keys_go_on_without_a_click(browser, tmp_path):
    page = open_inline(browser, tmp_path, neuron())  # 4 steps
    count = page.find_element("css selector", ".mgl-count")
    page.find_element("css selector", "[data-go=end]").click()  # end » is now disabled
    assert count.text == "4 / 4"
    browser.switch_to.active_element.send_keys("\ue012")  # arrow left
    assert count.text == "3 / 4"
    page.find_element("css selector", "[data-go=start]").click()  # « start is now disabled
    assert count.text == "0 / 4"
    browser.switch_to.active_element.send_keys("\ue014", "\ue014")  # arrow right twice
    assert count.text == "2 / 4"


def test_the_node_panel_writes_the_gradients_name_on_one_line(browser, tmp_path):
    page = open_inline(browser, tmp_path, neuron_of_notebook_02(), window=(1500, 1000))
    page.find_element("css selector", "[data-go=end]").click()
    w1 = browser.execute_script(
        "return Array.from(arguments[0].querySelectorAll('g.node[tabindex]'))"
        ".find(g => (g.getAttribute('aria-label') || '').startsWith('w1,'))", page)
    browser.execute_script("arguments[0].focus()", w1)
    lines = browser.execute_script("""
        var dt = Array.from(arguments[0].querySelectorAll('.mgl-detail dt'))
          .find(function (e) { return e.textContent.indexOf('∂o/∂w1') >= 0; });
        var text = dt.firstChild, at = text.data.indexOf('∂o/∂w1'), range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + '∂o/∂w1'.length);
        return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
        """, page)
    assert lines == 1


def test_fit_to_width_keeps_the_node_text_readable_on_the_2_2_1_graph(browser, tmp_path):
    page = open_inline(browser, tmp_path, small_mlp_cost(), window=(1500, 1000))
    fit = page.find_element("css selector", ".mgl-fit")
    if fit.get_attribute("aria-pressed") != "true":
        fit.click()
    assert fit.get_attribute("aria-pressed") == "true"
    sizes = browser.execute_script("""
        var svg = arguments[0].querySelector('.mgl-graph svg');
        var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return Array.from(svg.querySelectorAll('g.node[tabindex] > text, g.node[tabindex] text'))
          .map(function (t) { return parseFloat(t.getAttribute('font-size')) * scale; });
        """, page)
    browser.set_window_size(1280, 900)  # as the other tests expect
    assert sizes and min(sizes) >= 10, f"smallest node text {min(sizes):.1f} px"
    boxes = [s for s in sizes if s >= 10.9]  # the boxes' 11 pt text, ops' is 10 pt
    assert boxes and min(boxes) >= 11
