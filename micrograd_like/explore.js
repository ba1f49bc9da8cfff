// micrograd-like explore: step through a backward (or forward) pass on a Graphviz SVG.
// Every number shown was formatted in Python from the engine's own numbers; this script
// only decides which of them are visible at the current step.  No network, no libraries.
function mglExplore(root) {
  "use strict";
  if (!root || root.getAttribute("data-ready")) return;
  var started = performance.now();
  var D = JSON.parse(root.querySelector(".mgl-data").textContent);
  var $ = function (sel) { return root.querySelector(sel); };
  var svg = live();
  var n = D.nodes.length;
  var state = { mode: "backward", step: 0, selected: -1 };

  // -- the live page: controls, the picture as SVG, panels --------------------------------
  // The HTML shows a picture (an <img> of the SVG inline, the SVG itself in a saved page)
  // and one line saying how to make it step; everything that needs this script is made here,
  // so where scripts do not run (an untrusted notebook) nothing dead is shown.
  function live() {
    var still = $(".mgl-static"), holder = document.createElement("div"), mode = root.id + "-mode";
    holder.innerHTML =
      '<div class="mgl-controls" role="group" aria-label="Step through the pass">' +
      '<span class="mgl-modes" role="radiogroup" aria-label="Pass">' +
      '<label><input type="radio" name="' + mode + '" value="backward" checked> backward</label>' +
      '<label><input type="radio" name="' + mode + '" value="forward"> forward</label></span>' +
      '<button type="button" data-go="start" aria-label="First step (Home)">« start</button>' +
      '<button type="button" data-go="prev" aria-label="Previous step (left arrow)">◀ back</button>' +
      '<button type="button" data-go="next" aria-label="Next step (right arrow)">next ▶</button>' +
      '<button type="button" data-go="end" aria-label="Last step (End)">end »</button>' +
      '<button type="button" class="mgl-play" aria-pressed="false" ' +
      'aria-label="Play: one step a second (space)">play</button>' +
      '<label class="mgl-slider">step <input type="range" min="0" max="0" value="0" ' +
      'aria-label="Step"></label>' +
      '<output class="mgl-count" aria-hidden="true"></output>' +
      '<button type="button" class="mgl-fit" aria-pressed="true">fit to width</button></div>' +
      '<p class="mgl-status" role="status" aria-live="polite"></p>' +
      '<div class="mgl-now" aria-label="This step"></div>' +
      '<div class="mgl-graph mgl-fitted" role="group" ' +
      'aria-label="The computation graph: Tab visits its boxes"></div>' +
      '<div class="mgl-panels"><section class="mgl-detail" aria-label="Selected node" ' +
      'aria-live="polite"><p>Click or Tab to a box to see its op, data, grad, parents and ' +
      'local derivatives.</p></section><section class="mgl-log-box"><h3>All steps so far</h3>' +
      '<ol class="mgl-log"></ol></section></div>';
    var graph = holder.querySelector(".mgl-graph");
    var img = still.querySelector("img");
    if (img) {  // data:image/svg+xml;base64,… → the SVG element
      var bytes = atob(img.getAttribute("src").split(",")[1]);
      graph.innerHTML = new TextDecoder().decode(Uint8Array.from(bytes, function (c) { return c.charCodeAt(0); }));
    } else {
      graph.appendChild(still.querySelector("svg"));
    }
    var note = $(".mgl-nojs");
    while (holder.firstChild) root.insertBefore(holder.firstChild, still);
    root.removeChild(still);
    if (note) root.removeChild(note);
    return graph.querySelector("svg");
  }

  // -- find each node's picture: group, data text, grad text, and its edges --------------
  var groups = {}, edges = {};
  svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
    var t = g.querySelector("title");
    if (!t) return;
    if (g.getAttribute("class") === "node") groups[t.textContent] = g;
    else (edges[t.textContent] = edges[t.textContent] || []).push(g);  // a*a: two edges
    t.textContent = "";  // the ids (v3, v3op) mean nothing to a reader; labels come below
  });
  var whole = svg.querySelector("g.graph > title");
  if (whole) whole.textContent = "";  // not a tooltip saying "graph" all over the picture
  var pic = D.boxes.map(function (box, i) {
    var g = groups[box.svg], texts = g ? g.querySelectorAll("text") : [];
    var p = {
      g: g, op: box.op ? groups[box.op] : null,
      dataEl: box.dataAt === undefined ? null : texts[box.dataAt],
      gradEl: box.gradAt === undefined ? null : texts[box.gradAt],
      edges: [],
    };
    // named for readers of the page's DOM (and its tests): which node a text shows
    if (p.dataEl) p.dataEl.setAttribute("data-data-of", i);
    if (p.gradEl) p.gradEl.setAttribute("data-grad-of", i);
    var target = box.op || box.svg;
    var ends = D.nodes[i].parents.map(function (par) { return D.boxes[par.node].svg + "->" + target; });
    if (box.op) ends.push(box.op + "->" + box.svg);
    ends.forEach(function (end) {
      (edges[end] || []).forEach(function (e) { if (p.edges.indexOf(e) < 0) p.edges.push(e); });
    });
    return p;
  });
  // Which nodes a picture group stands for (several, for a collapsed cluster).
  var members = new Map();
  pic.forEach(function (p, i) {
    [p.g, p.op].forEach(function (g) {
      if (!g) return;
      if (!members.has(g)) members.set(g, []);
      members.get(g).push(i);
    });
  });

  // -- the log of lines, one list item per line, built once per mode ------------------------
  var log = $(".mgl-log"), items = { backward: [], forward: [] };
  function buildLog(mode) {
    log.textContent = "";
    if (!items[mode].length) {
      D[mode].forEach(function (step, k) {
        step.lines.forEach(function (line) {
          var li = document.createElement("li");
          li.textContent = line[0];
          li.setAttribute("data-step", k);
          items[mode].push(li);
        });
      });
    }
    var frag = document.createDocumentFragment();
    items[mode].forEach(function (li) { frag.appendChild(li); });
    log.appendChild(frag);
    // room for the widest item number ("677."), whatever a host page's CSS says of lists
    log.style.paddingLeft = (String(items[mode].length).length + 2.5) + "ch";
  }

  // -- what is known at (mode, step) ------------------------------------------------------
  function known() {
    var grad = new Array(n).fill(null), data = new Array(n).fill(null), i, k;
    if (state.mode === "backward") {
      for (i = 0; i < n; i++) data[i] = D.nodes[i].dataText;
      for (k = 0; k < state.step; k++) {
        D.backward[k].lines.forEach(function (line) { grad[line[1]] = line[2]; });
      }
    } else {
      for (i = 0; i < n; i++) if (!D.nodes[i].op) data[i] = D.nodes[i].dataText;
      for (k = 0; k < state.step; k++) data[D.forward[k].node] = D.nodes[D.forward[k].node].dataText;
    }
    return { grad: grad, data: data };
  }

  function setClass(el, name, on) { if (el) el.classList.toggle(name, on); }

  function render() {
    var steps = D[state.mode], last = steps.length, s = state.step;
    var now = known(), cur = s > 0 ? steps[s - 1] : null;
    pic.forEach(function (p, i) {
      var box = D.boxes[i];
      if (p.dataEl) p.dataEl.textContent = box.dataPrefix + (now.data[i] === null ? "" : now.data[i]);
      if (p.gradEl) {
        p.gradEl.textContent = box.gradPrefix + (now.grad[i] === null ? "" : now.grad[i]);
        setClass(p.gradEl, "mgl-partial", now.grad[i] !== null && D.done[i] >= s);
      }
    });
    // highlight: the node being processed, the edges it works along, the nodes it updates
    root.querySelectorAll(".mgl-current, .mgl-touched, .mgl-edge-now").forEach(function (el) {
      el.classList.remove("mgl-current", "mgl-touched", "mgl-edge-now");
    });
    var lines = cur ? cur.lines : [];
    if (cur) {
      var p = pic[cur.node];
      setClass(p.g, "mgl-current", true);
      setClass(p.op, "mgl-current", true);
      p.edges.forEach(function (e) { e.classList.add("mgl-edge-now"); });
      if (state.mode === "backward") {
        lines.forEach(function (line) {
          if (line[1] !== cur.node) setClass(pic[line[1]].g, "mgl-touched", true);
        });
      } else {
        D.nodes[cur.node].parents.forEach(function (par) { setClass(pic[par.node].g, "mgl-touched", true); });
      }
    }
    var what = state.mode === "backward" ? "Backward" : "Forward";
    var status = s === 0
      ? (state.mode === "backward"
        ? "Backward pass, step 0 of " + last + ": no gradient computed yet. Next seeds ∂" +
          D.nodes[D.root].name + "/∂" + D.nodes[D.root].name + " = 1."
        : "Forward pass, step 0 of " + last + ": only the inputs are known.")
      : what + " pass, step " + s + " of " + last + ": " + cur.title;
    $(".mgl-status").textContent = status;
    var box = $(".mgl-now");
    box.textContent = "";
    lines.forEach(function (line) {
      var code = document.createElement("code");
      code.textContent = line[0];
      box.appendChild(code);
    });
    items[state.mode].forEach(function (li) { li.hidden = +li.getAttribute("data-step") >= s; });
    var slider = $(".mgl-slider input");
    slider.max = last;
    slider.value = s;
    slider.setAttribute("aria-valuetext", "step " + s + " of " + last);
    $(".mgl-count").textContent = s + " / " + last;
    root.querySelectorAll("[data-go]").forEach(function (b) {
      var back = b.getAttribute("data-go") === "start" || b.getAttribute("data-go") === "prev";
      b.disabled = back ? s === 0 : s === last;
      // A disabled button loses the focus to the document, where the keys of an inline
      // page are not heard: keep the focus in the widget (« start, end » and the arrows).
      if (b.disabled && document.activeElement === b) root.focus({ preventScroll: true });
    });
    pic.forEach(function (p, i) { if (p.g && members.get(p.g)[0] === i) label(p.g, now); });
    if (state.selected >= 0) detail(state.selected, now);
    if (D.standalone) {
      var frag = (state.mode === "forward" ? "mode=forward&" : "") + "step=" + (s === last ? "end" : s);
      try { history.replaceState(null, "", "#" + frag); } catch (e) { /* e.g. a sandbox */ }
    }
  }

  function show(x) { return x === null ? "not computed yet" : x; }
  // A constant or target: the drawing shows no gradient for it, and neither does the page.
  var NO_GRAD = "none shown: a constant, which nothing learns";

  function label(g, now) {
    var text = members.get(g).map(function (i) {
      var v = D.nodes[i];
      return v.name + (v.op ? " = " + v.expr : "") + ", data " + show(now.data[i]) +
        (v.gradName === null ? ", a constant" : ", grad " + show(now.grad[i]));
    }).join("; ");
    g.setAttribute("aria-label", text);
    var t = g.querySelector("title");
    if (t) t.textContent = text;
  }

  // -- the detail panel for a node ----------------------------------------------------------
  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }

  function detail(i, now) {
    var v = D.nodes[i], panel = $(".mgl-detail");
    panel.textContent = "";
    panel.appendChild(el("h3", v.name));
    var dl = el("dl");
    function row(k, val) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", val)); }
    row("op", v.op ? v.op + ":  " + v.name + " = " + v.expr : "none: a leaf (an input, a parameter or a constant)");
    row("data", show(now.data[i]));
    var g = now.grad[i];
    if (v.gradName === null) row("grad", NO_GRAD);
    else row("grad ∂" + D.nodes[D.root].name + "/∂" + v.name,
      g === null ? "not computed yet" : g + (D.done[i] >= state.step ? " (partial: more contributions to come)" : ""));
    panel.appendChild(dl);
    if (v.parents.length) {
      panel.appendChild(el("h4", "Parents and local derivatives"));
      var table = el("table"), head = el("tr");
      ["parent", "data", "∂" + v.name + "/∂parent", "value"].forEach(function (h) { head.appendChild(el("th", h)); });
      table.appendChild(head);
      v.parents.forEach(function (par) {
        var tr = el("tr"), pv = D.nodes[par.node];
        [pv.name, pv.dataText, par.formula, par.localText].forEach(function (c) { tr.appendChild(el("td", c)); });
        table.appendChild(tr);
      });
      panel.appendChild(table);
    }
    if (state.mode === "backward") {
      var got = [];
      for (var k = 0; k < state.step; k++) {
        D.backward[k].lines.forEach(function (line) {
          if (line[1] === i) got.push("from " + D.nodes[D.backward[k].node].name + ": " + line[0]);
        });
      }
      if (got.length) {
        panel.appendChild(el("h4", "Gradient received so far"));
        var ul = el("ul");
        got.forEach(function (t) { ul.appendChild(el("li", t)); });
        panel.appendChild(ul);
      }
    }
    if (v.consumers.length) {
      panel.appendChild(el("p", "Used by: " + v.consumers.map(function (c) { return D.nodes[c].name; }).join(", ")));
    }
  }

  function select(g) {
    if (!members.has(g)) return;
    root.querySelectorAll(".mgl-selected").forEach(function (e) { e.classList.remove("mgl-selected"); });
    var list = members.get(g);
    state.selected = list[list.length - 1];
    setClass(pic[state.selected].g, "mgl-selected", true);
    detail(state.selected, known());
  }

  // -- controls -------------------------------------------------------------------------------
  function go(step) {
    state.step = Math.max(0, Math.min(D[state.mode].length, step));
    render();
  }
  function act(what) {
    var s = state.step;
    go(what === "start" ? 0 : what === "prev" ? s - 1 : what === "next" ? s + 1 : D[state.mode].length);
  }
  var play = $(".mgl-play"), timer = null;
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.setAttribute("aria-pressed", "false");
    play.textContent = "play";
  }
  function toggle() {
    if (timer !== null) return stop();
    if (state.step >= D[state.mode].length) go(0);
    play.setAttribute("aria-pressed", "true");
    play.textContent = "pause";
    timer = setInterval(function () {
      if (state.step >= D[state.mode].length) return stop();
      go(state.step + 1);
    }, 1000);
  }
  play.addEventListener("click", toggle);
  function setMode(mode) {
    if (mode !== "forward") mode = "backward";
    if (state.mode !== mode || !log.childNodes.length) {
      state.mode = mode;
      buildLog(mode);
      root.querySelectorAll('.mgl-modes input').forEach(function (r) { r.checked = r.value === mode; });
    }
  }
  root.querySelectorAll("[data-go]").forEach(function (b) {
    b.addEventListener("click", function () { stop(); act(b.getAttribute("data-go")); });
  });
  var fit = $(".mgl-fit");
  // Fit to width shrinks a wide picture to the width of the page, but never below
  // SMALLEST of its size: smaller text is unreadable (the boxes' 11 pt text stays >= 11 px),
  // so a wider graph scrolls inside its box.  A graph that would hit that floor starts at
  // its own size (the button toggles).
  var SMALLEST = 0.75;
  var natural = parseFloat(svg.getAttribute("width")) * 4 / 3;  // dot writes points
  function setFit(on) {
    fit.setAttribute("aria-pressed", on ? "true" : "false");
    setClass($(".mgl-graph"), "mgl-fitted", on);
    svg.style.minWidth = on && natural > 0 ? (natural * SMALLEST).toFixed(1) + "px" : "";
  }
  fit.addEventListener("click", function () { setFit(fit.getAttribute("aria-pressed") !== "true"); });
  setFit(!(natural > 0) || $(".mgl-graph").clientWidth / natural >= SMALLEST);
  $(".mgl-slider input").addEventListener("input", function (e) { stop(); go(+e.target.value); });
  root.querySelectorAll(".mgl-modes input").forEach(function (r) {
    r.addEventListener("change", function () { stop(); setMode(r.value); go(0); });
  });
  members.forEach(function (list, g) {
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.addEventListener("click", function () { select(g); });
    g.addEventListener("focus", function () { select(g); });
  });
  var keys = { ArrowRight: "next", ArrowLeft: "prev", Home: "start", End: "end", " ": "play" };
  (D.standalone ? document : root).addEventListener("keydown", function (e) {
    var t = e.target;
    if (!keys[e.key] || e.altKey || e.ctrlKey || e.metaKey) return;
    if (t && t.tagName === "INPUT") return;  // the slider and the radios use arrows themselves
    if (e.key === " " && t && t.tagName === "BUTTON") return;  // space presses a button
    if (keys[e.key] === "play") toggle();
    else { stop(); act(keys[e.key]); }
    e.preventDefault();
  });

  function fromHash() {
    var h = {}, s;
    (location.hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
      var p = kv.split("=");
      if (p.length === 2) h[p[0]] = decodeURIComponent(p[1]);
    });
    setMode(h.mode);
    s = h.step === "end" ? D[state.mode].length : parseInt(h.step, 10);
    go(isFinite(s) ? s : 0);
  }
  if (D.standalone) {
    fromHash();
    window.addEventListener("hashchange", fromHash);
  } else {
    setMode("backward");
    go(0);
  }
  // when the page became usable, in ms after navigation, and how long this script took
  root.setAttribute("data-ready", performance.now().toFixed(1));
  root.setAttribute("data-script-ms", (performance.now() - started).toFixed(1));
}
