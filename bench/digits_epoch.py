"""Seconds per training epoch on the 8×8 digits: compiled tape vs eager engine.

Run:  python bench/digits_epoch.py [--epochs 15] [--eager-epochs 1] [--seed 0]

Workload: ``nn.datasets.load_digits()`` split by ``train_test_split(test_fraction=360/1797,
seed)`` into 1,437 training and 360 test images; an MLP 64 → 32 tanh → 10 linear, softmax
cross-entropy, Adam (lr 0.01), minibatches of 32, shuffled each epoch.  One epoch = 45
steps (forward, loss, backward, update) covering all 1,437 training images.

Each epoch is timed separately by calling ``nn.fit(..., epochs=1)`` in a loop (the optimizer
and its state carry over, the shuffle seed changes per epoch); the median is reported.  Each
such call compiles the tape again, so for the tape the compile time is measured on its own
too, and the amortised figure of one ``fit(..., epochs=N)`` call is printed (compile once).
``--eager-epochs`` epochs of the eager engine are timed the same way on a fresh copy of the
initial weights (0 to skip; one eager epoch builds ~45 graphs of ~2,500 nodes per example).
Test accuracy is measured with ``nn.predict`` on the 360 held-out images after the
compiled run.

Baseline: karpathy's micrograd 0.1.0 has no ``exp``, ``log`` or ``tanh``, so it cannot run this
model.  ``--baseline-repeats`` times instead a stand-in it can run, for all three engines: the
same 64-32-10 shape with relu hidden units and the quadratic cost on one-hot targets, one
minibatch of 32 (forward, loss, backward, SGD step); the per-epoch figure is the median step
times 45 steps.  Nothing here is a unit test.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import nn
from nn.datasets import load_digits, train_test_split


def epoch_times(mlp: nn.MLP, X: np.ndarray, y: np.ndarray, epochs: int, seed: int,
                compile: bool) -> list[float]:  # noqa: A002
    """Train ``epochs`` epochs one at a time; return each epoch's wall-clock seconds."""
    opt = nn.Adam(mlp.parameters(), lr=0.01)
    times = []
    for e in range(epochs):
        t0 = time.perf_counter()
        nn.fit(mlp, X, y, loss="softmax_cross_entropy", optimizer=opt, epochs=1,
               batch_size=32, seed=seed + e, progress=False, compile=compile)
        times.append(time.perf_counter() - t0)
    return times


def compile_seconds(seed: int) -> float:
    """Wall-clock seconds to build one example's loss graph and compile it into a tape."""
    from micrograd_like import Value
    from micrograd_like import tape as _tape

    mlp = nn.MLP(64, [32, 10], activation="tanh", seed=seed)
    t0 = time.perf_counter()
    xs, ts = [Value(0.0) for _ in range(64)], [Value(0.0) for _ in range(10)]
    root = nn.losses.softmax_cross_entropy_term(mlp(xs), ts)
    _tape.compile(root, inputs=xs + ts, params=mlp.parameters())
    return time.perf_counter() - t0


def stand_in_epoch_seconds(X: np.ndarray, y: np.ndarray, repeats: int, seed: int) -> dict:
    """Seconds per 45-step epoch of the relu + quadratic stand-in, from median step times."""
    from micrograd import nn as micrograd_nn

    Xb, yb = X[:32], y[:32]
    onehot = np.eye(10)[yb]
    steps = -(-len(X) // 32)

    mg = micrograd_nn.MLP(64, [32, 10])
    rows = Xb.tolist()

    def micrograd_step() -> None:
        loss = sum(((o - t) ** 2 for r, ts in zip(rows, onehot.tolist())
                    for o, t in zip(mg(r), ts)), start=0.0) * (1 / 64)
        mg.zero_grad()
        loss.backward()
        for p in mg.parameters():
            p.data -= 0.1 * p.grad

    ours = nn.MLP(64, [32, 10], activation="relu", seed=seed)
    opt = nn.SGD(ours.parameters(), lr=0.1)

    def eager_step() -> None:
        nn.fit(ours, Xb, onehot, loss="quadratic", optimizer=opt, epochs=1, progress=False)

    taped = nn.MLP(64, [32, 10], activation="relu", seed=seed)
    topt = nn.SGD(taped.parameters(), lr=0.1)

    def tape_epoch() -> None:  # the whole epoch, compiling included
        nn.fit(taped, X, np.eye(10)[y], loss="quadratic", optimizer=topt, epochs=1,
               batch_size=32, progress=False, compile=True)

    samples: dict[str, list[float]] = {"micrograd": [], "eager (ours)": [], "tape (ours)": []}
    for _ in range(repeats):  # interleaved
        for name, fn, scale in (("micrograd", micrograd_step, steps),
                                ("eager (ours)", eager_step, steps),
                                ("tape (ours)", tape_epoch, 1)):
            t0 = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - t0) * scale)
    return {name: statistics.median(ts) for name, ts in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--eager-epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline-repeats", type=int, default=3,
                        help="repeats of the micrograd stand-in (0 to skip)")
    args = parser.parse_args(argv)

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=360 / 1797,
                                                        seed=args.seed)
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{len(X_train)} train / {len(X_test)} test images, MLP 64-32-10 tanh, batch 32")

    mlp = nn.MLP(64, [32, 10], activation="tanh", seed=args.seed)
    initial = mlp.to_matrices()
    taped = epoch_times(mlp, X_train, y_train, args.epochs, args.seed, compile=True)
    acc = float(np.mean(nn.predict(mlp, X_test).argmax(axis=1) == y_test))
    print(f"compiled tape: median {statistics.median(taped):.3f} s/epoch over {args.epochs} "
          f"epochs (each includes compiling the tape); test accuracy {acc:.4f}")
    print(f"  compiling one example's graph: {compile_seconds(args.seed):.3f} s")
    once = nn.MLP.from_matrices(*initial, activation="tanh")
    t0 = time.perf_counter()
    nn.fit(once, X_train, y_train, loss="softmax_cross_entropy",
           optimizer=nn.Adam(once.parameters(), lr=0.01), epochs=args.epochs, batch_size=32,
           seed=args.seed, progress=False, compile=True)
    total = time.perf_counter() - t0
    acc_once = float(np.mean(nn.predict(once, X_test).argmax(axis=1) == y_test))
    print(f"  one fit(epochs={args.epochs}) call: {total:.2f} s, {total / args.epochs:.3f} "
          f"s/epoch amortised; test accuracy {acc_once:.4f}")

    if args.eager_epochs > 0:
        eager_mlp = nn.MLP.from_matrices(*initial, activation="tanh")
        eager = epoch_times(eager_mlp, X_train, y_train, args.eager_epochs, args.seed,
                            compile=False)
        med = statistics.median(eager)
        print(f"eager engine:  median {med:.3f} s/epoch over {args.eager_epochs} epoch(s); "
              f"{med / statistics.median(taped):.0f}x the compiled tape")

    if args.baseline_repeats > 0:
        per_epoch = stand_in_epoch_seconds(X_train, y_train, args.baseline_repeats, args.seed)
        base = per_epoch["micrograd"]
        print("\nstand-in micrograd can run (64-32-10 relu, quadratic cost on one-hot targets), "
              f"s/epoch of 45 steps, median of {args.baseline_repeats}:")
        for name, t in per_epoch.items():
            print(f"  {name:13s} {t:8.3f} s/epoch  ({base / t:,.0f}x micrograd)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
