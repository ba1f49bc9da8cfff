"""The command line's error contract: a user's mistake is one line and exit status 2; a bug
in the library, whatever its exception type, keeps its traceback; SIGTERM exits cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from micrograd_like import viz
from nn import cli
from nn.cli import main

ROOT = Path(__file__).resolve().parents[1]


def bug(*args, **kwargs):
    raise ValueError("an internal invariant failed")  # what a library bug looks like


@pytest.mark.parametrize("patch, argv", [
    ((nn, "compare_deltas"), ["deltas"]),
    ((viz, "draw_dot"), ["graph", "x", "--set", "x=1", "-o", "{tmp}/g.gv"]),
    ((nn, "fit"), ["train", "--epochs", "1", "--samples", "20", "--no-plots"]),
])
def test_a_library_bug_raising_value_error_is_not_hidden_as_a_user_error(
        monkeypatch, tmp_path, patch, argv):
    monkeypatch.setattr(*patch, bug)
    with pytest.raises(ValueError, match="an internal invariant failed"):
        main([a.format(tmp=tmp_path) for a in argv])


@pytest.mark.parametrize("error", [ZeroDivisionError("float division by zero"),
                                   OSError(5, "Input/output error"), KeyError("w")])
def test_other_library_bugs_are_not_hidden_either(monkeypatch, error):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(nn, "compare_deltas", broken)
    with pytest.raises(type(error)):
        main(["deltas"])


def test_a_library_bug_prints_its_traceback_from_the_console_script(tmp_path):
    # the real entry point, in a fresh process: the traceback reaches stderr
    script = ("import sys, nn\n"
              "def bug(*a, **k): raise ValueError('an internal invariant failed')\n"
              "nn.compare_deltas = bug\n"
              "from nn.cli import main\n"
              "sys.exit(main(['deltas']))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert done.stderr.rstrip().endswith("ValueError: an internal invariant failed")


@pytest.mark.parametrize("argv, words", [
    (["graph", "log(x)", "--set", "x=-1"], "log: undefined"),
    (["graph", "x", "--set", "x=1", "-o", "g.txt"], "unknown picture format 'txt'"),
    (["deltas", "--sizes", "2,0"], "between 1 and"),
    (["train", "--lr", "1e300", "--optimizer", "sgd", "--epochs", "2", "--samples", "20",
      "--no-plots"], "training diverged"),
])
def test_user_mistakes_are_still_one_line_and_exit_status_2(capsys, monkeypatch, tmp_path,
                                                           argv, words):
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    err = capsys.readouterr().err  # train's progress bar may come first, on the same line
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.splitlines()[-1].startswith("micrograd-like: error: ") and words in err


def test_user_errors_are_only_the_kinds_that_cannot_be_bugs():
    assert not any(issubclass(e, (ArithmeticError, OSError)) or e is ValueError
                   for e in cli.USER_ERRORS)


def test_sigterm_during_a_command_exits_143_with_one_line(capsys, monkeypatch):
    before = signal.getsignal(signal.SIGTERM)

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not stop the command")

    monkeypatch.setattr(nn, "compare_deltas", terminated)
    assert main(["deltas"]) == 143
    assert capsys.readouterr().err == "micrograd-like: terminated\n"
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is main's only


@pytest.mark.parametrize("argv, shown", [
    (["graph", "x\udcff", "--set", "x=1", "-o", "g.gv"], "x\\xff"),  # the expression
    (["graph", "x", "--set", "x\udcff=1", "-o", "g.gv"], "x\\xff=1"),  # a --set
    (["graph", "x", "--set", "x=1", "-o", "g\udcff.gv"], "g\\xff.gv"),  # a file name
])
def test_an_argument_that_is_not_utf8_is_one_line_and_nothing_is_written(tmp_path, argv, shown):
    # subprocess passes "\udcff" as the byte 0xff, as a shell passes $'\xff'; a strict
    # stdout (as in a UTF-8 locale) would fail on printing the file name after writing it
    done = subprocess.run([sys.executable, "-m", "nn", *argv], cwd=tmp_path, text=True,
                          capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"micrograd-like: error: the argument '{shown}' is not UTF-8 text (as every argument "
        "must be, file names too)"]
    assert list(tmp_path.iterdir()) == []


def test_dir_of_the_command_line_package_is_its_public_api():
    assert dir(cli) == sorted(cli.__all__)
