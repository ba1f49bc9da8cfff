"""nn.progress: bars draw on a terminal or in a notebook, never into piped output, and
``import nn`` in a Jupyter kernel raises no warning."""

from __future__ import annotations

import io
import sys

import pytest

from nn import MLP, fit, progress
from nn.datasets import make_moons


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _train(progress_on: bool = True) -> None:
    X, y = make_moons(20, noise=0.1, seed=0)
    fit(MLP(2, [3, 1], seed=0), X, 2 * y - 1, loss="hinge", epochs=3, progress=progress_on)


def test_fit_writes_no_progress_frames_when_stderr_is_not_a_terminal(monkeypatch):
    piped = io.StringIO()  # isatty() is False, as for a file, a pipe or a CI log
    monkeypatch.setattr(sys, "stderr", piped)
    _train()
    assert piped.getvalue() == ""


def test_fit_draws_a_bar_on_a_terminal(monkeypatch):
    tty = _Terminal()
    monkeypatch.setattr(sys, "stderr", tty)
    _train()
    assert "fit" in tty.getvalue() and "\r" in tty.getvalue()  # redrawn in place


def test_progress_false_is_silent_even_on_a_terminal(monkeypatch):
    tty = _Terminal()
    monkeypatch.setattr(sys, "stderr", tty)
    _train(progress_on=False)
    assert tty.getvalue() == ""


def test_outside_a_kernel_we_are_not_in_a_notebook():
    assert progress.in_notebook() is False


def test_import_nn_and_fit_in_a_jupyter_kernel_raise_no_warning():
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed")
    code = (
        "import warnings\n"
        "warnings.simplefilter('error')\n"  # any warning becomes an error in this cell
        "import nn\n"
        "from nn.datasets import make_moons\n"
        "X, y = make_moons(20, noise=0.1, seed=0)\n"
        "h = nn.fit(nn.MLP(2, [3, 1], seed=0), X, 2 * y - 1, loss='hinge', epochs=2)\n"
        "print('ok', nn.progress.in_notebook())"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    texts = [o.get("text", "") for o in outputs if o.get("output_type") == "stream"]
    assert "ok True\n" in texts
    assert not [o for o in outputs if o.get("output_type") == "error"]
