"""The micrograd demo training step, side by side with karpathy's micrograd in one process.

Run:  python bench/demo_step.py [--repeats 15] [--seed 0]

Workload (micrograd's demo notebook): an MLP 2 → 16 relu → 16 relu → 1 linear, 100 two-moons
points (``nn.datasets.make_moons(100, noise=0.1, seed)``, labels ±1), the max-margin loss
1/n Σ max(0, 1 − y·score) plus 1e-4 · Σ p², and one full-batch SGD update with the demo's
schedule η = 1.0 − 0.9·k/100 at step k.  A step = forward over all 100 points, loss,
zero_grad, backward, update.

micrograd's initial weights (drawn from a private copy of ``random`` seeded with ``seed``) are
copied into our MLP with ``MLP.from_matrices``, so both start identical; :func:`check_agreement`
asserts that their losses agree to 1e-9 over the first steps before anything is timed.

Timing: interleaved repeats (one micrograd step, then one of ours with the cyclic GC left
on, then one with it paused, as ``nn.fit`` does), medians.  micrograd always runs with the
GC on, as its users run it.  Nothing here is a unit test.

The functions are importable (``bench/tape_bench.py`` reuses them)::

    w = make_workload(seed=0)
    micrograd_step(w.micrograd_model, w.X, w.y, k=0)
    eager_step(w.mlp, w.X, w.y, k=0)
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nn import MLP, losses
from nn.datasets import make_moons
from nn.optim import SGD
from nn.train import paused_gc

try:
    from micrograd.engine import Value as MicrogradValue
    from micrograd.nn import MLP as MicrogradMLP  # noqa: N811
except ImportError:  # pragma: no cover - the baseline is required for a real run
    sys.exit("bench: karpathy's micrograd is the baseline; install it with: pip install micrograd")

ALPHA = 1e-4  # L2 strength of the demo
N_POINTS = 100
SIZES = (2, [16, 16, 1])


def learning_rate(k: int) -> float:
    """The demo's schedule: η = 1.0 − 0.9·k/100 at step k (k = 0, 1, ...)."""
    return 1.0 - 0.9 * k / 100


@dataclass
class Workload:
    """The data and the two identical models of one benchmark run."""

    X: list[list[float]]
    y: list[int]  # ±1
    micrograd_model: Any
    mlp: MLP
    optimizer: SGD


def micrograd_weights(model: Any) -> tuple[list[list[list[float]]], list[list[float]]]:
    """A micrograd MLP's parameters in Nielsen's layout (weights[l][j][k], biases[l][j])."""
    ws = [[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers]
    bs = [[n.b.data for n in layer.neurons] for layer in model.layers]
    return ws, bs


def make_workload(seed: int = 0) -> Workload:
    """Two-moons data and a micrograd MLP plus our MLP holding the same initial weights."""
    X, labels = make_moons(N_POINTS, noise=0.1, seed=seed)
    # micrograd draws its weights from the global ``random``; seed it, then put it back.
    saved = random.getstate()
    random.seed(seed)
    try:
        mg = MicrogradMLP(*SIZES)
    finally:
        random.setstate(saved)
    ws, bs = micrograd_weights(mg)
    mlp = MLP.from_matrices(ws, bs, activation="relu", output_activation="linear")
    return Workload(X.tolist(), (2 * labels - 1).tolist(), mg, mlp, SGD(mlp.parameters(), lr=1.0))


def micrograd_step(model: Any, X: list[list[float]], y: list[int], k: int,
                   alpha: float = ALPHA) -> float:
    """One demo step written with micrograd's own API; returns the total loss before it."""
    xs = [[MicrogradValue(v) for v in row] for row in X]
    scores = [model(x) for x in xs]
    hinge = [(1 + -label * score).relu() for label, score in zip(y, scores)]
    data_loss = sum(hinge) * (1.0 / len(hinge))
    total = data_loss + alpha * sum(p * p for p in model.parameters())
    model.zero_grad()
    total.backward()
    eta = learning_rate(k)
    for p in model.parameters():
        p.data -= eta * p.grad
    return total.data


def eager_step(mlp: MLP, X: list[list[float]], y: list[int], k: int, alpha: float = ALPHA,
               optimizer: SGD | None = None, pause_gc: bool = True) -> float:
    """The same step with micrograd_like + nn (one ``dot`` node per z); returns the loss."""
    opt = optimizer if optimizer is not None else SGD(mlp.parameters(), lr=1.0)
    with paused_gc() if pause_gc else contextlib.nullcontext():
        outputs = [mlp(x) for x in X]
        total = losses.hinge(outputs, y) + losses.l2(opt.params, alpha)
        opt.zero_grad()
        total.backward()
        opt.lr = learning_rate(k)
        opt.step()
    return total.data


def check_agreement(seed: int = 0, steps: int = 5, tol: float = 1e-9) -> list[tuple[float, float]]:
    """Run both from identical weights; assert every loss agrees to ``tol`` (relative)."""
    w = make_workload(seed)
    ours = [m.tolist() for m in w.mlp.to_matrices()[0]]
    assert ours == micrograd_weights(w.micrograd_model)[0], "initial weights differ"
    pairs = []
    for k in range(steps):
        a = micrograd_step(w.micrograd_model, w.X, w.y, k)
        b = eager_step(w.mlp, w.X, w.y, k, optimizer=w.optimizer)
        assert abs(a - b) <= tol * max(1.0, abs(a)), f"step {k}: micrograd {a!r} vs ours {b!r}"
        pairs.append((a, b))
    return pairs


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="interleaved repeats (median)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    pairs = check_agreement(args.seed)
    worst = max(abs(a - b) for a, b in pairs)
    print(f"# micrograd demo step: MLP 2-16-16-1 relu, {N_POINTS} moons, hinge + {ALPHA} L2, SGD")
    print(f"# Python {platform.python_version()} on {platform.machine()}; "
          f"median of {args.repeats} interleaved repeats")
    print(f"agreement over {len(pairs)} steps from identical weights: losses "
          f"{', '.join(f'{a:.6f}' for a, _ in pairs)}; worst |difference| {worst:.1e}\n")

    w = make_workload(args.seed)
    w_gc = make_workload(args.seed)
    times: dict[str, list[float]] = {"micrograd": [], "ours, GC on": [], "ours, GC paused": []}
    for k in range(args.repeats):
        times["micrograd"].append(_timed(
            lambda k=k: micrograd_step(w.micrograd_model, w.X, w.y, k)))
        times["ours, GC on"].append(_timed(
            lambda k=k: eager_step(w_gc.mlp, w.X, w.y, k, optimizer=w_gc.optimizer,
                                   pause_gc=False)))
        times["ours, GC paused"].append(_timed(
            lambda k=k: eager_step(w.mlp, w.X, w.y, k, optimizer=w.optimizer)))
    base = statistics.median(times["micrograd"])
    print("| engine | seconds per step (median) | speed-up vs micrograd |")
    print("|---|---:|---:|")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"| {name} | {m:.4f} | {base / m:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
