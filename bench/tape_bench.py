"""The compiled tape against karpathy's micrograd, our eager engine, numpy and PyTorch.

Run:  python bench/tape_bench.py [--repeats 7] [--seed 0]      (about 1-2 minutes)

Everything runs side by side in one process, with interleaved repeats and medians.

W1  micrograd's demo step (``bench/demo_step.py``): MLP 2-16-16-1 relu, 100 two-moons points,
    hinge loss + 1e-4·Σp², one full-batch SGD step with the demo's schedule.  Every engine
    starts from micrograd's initial weights, and the script first asserts that all of them
    produce the same loss trajectory (relative 1e-9) over 5 steps.  Engines:
      micrograd        karpathy's micrograd, its own API (the baseline)
      eager            micrograd_like + nn (one ``dot`` node per z), ``demo_step.eager_step``
      tape             micrograd_like.tape: the same scalar graph for ONE example, compiled
                       once, replayed over the 100 points; SGD on the parameter vector
      numpy (minimal)  matrix backprop written out here in ~15 lines: the floor for numpy
      nn.analytic      ``nn.analytic.batch_gradient_vectorised`` (+ L2 and SGD in numpy);
                       it validates its arguments and loops over examples for ∇ₐC
      torch batched    float64 tensors, autograd, one matmul per layer (when installed)
    The fast engines are timed over blocks of 50 steps per repeat (divided by 50).
W2  a chain x ← x·a + b of 10³ … 10⁶ nodes: build + backward (micrograd where its recursive
    topological sort allows).
W3  bytes per node of a 100,000-node chain: tracemalloc (Python allocations) and the growth
    of the resident set size (RSS, measured in a fresh subprocess).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import demo_step
import engine_bench
from demo_step import ALPHA, learning_rate, make_workload, micrograd_weights

from micrograd_like import Value
from micrograd_like.tape import compile
from nn import analytic, losses
from nn.losses import hinge_term

try:
    import torch

    torch.set_num_threads(1)  # its best setting for these tiny matrices on 2 shared cores
except ImportError:  # pragma: no cover - torch is optional
    torch = None

from micrograd.engine import Value as MicrogradValue

BLOCK = 50  # steps per timed block for the engines that take well under a millisecond


# --------------------------------------------------------------------------------------
# W1: one engine = a function step(k) -> loss before the step, on its own model copy
# --------------------------------------------------------------------------------------


def micrograd_engine(seed: int) -> Callable[[int], float]:
    w = make_workload(seed)
    return lambda k: demo_step.micrograd_step(w.micrograd_model, w.X, w.y, k)


def eager_engine(seed: int) -> Callable[[int], float]:
    w = make_workload(seed)
    return lambda k: demo_step.eager_step(w.mlp, w.X, w.y, k, optimizer=w.optimizer)


def tape_engine(seed: int) -> Callable[[int], float]:
    """The scalar graph of one example, compiled once; the step runs on a parameter vector."""
    w = make_workload(seed)
    mlp = w.mlp
    x0, x1, y = Value(0.0), Value(0.0), Value(1.0)
    root = hinge_term(mlp([x0, x1]), [y]) + losses.l2(mlp.parameters(), ALPHA)
    tape = compile(root, inputs=[x0, x1, y], params=mlp.parameters())
    rows = np.column_stack([np.asarray(w.X), np.asarray(w.y, dtype=np.float64)])
    theta = tape.param_values()

    def step(k: int) -> float:
        loss = tape.forward(rows, theta).mean()
        theta[:] -= learning_rate(k) * tape.backward()
        return float(loss)

    return step


def _initial_matrices(seed: int) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray,
                                          np.ndarray]:
    w = make_workload(seed)
    ws, bs = micrograd_weights(w.micrograd_model)
    return ([np.array(m, dtype=np.float64) for m in ws], [np.array(b, dtype=np.float64)
            for b in bs], np.asarray(w.X, dtype=np.float64), np.asarray(w.y, dtype=np.float64))


def numpy_engine(seed: int) -> Callable[[int], float]:
    """Minimal matrix backprop (rows are examples): BP1-BP4 for this one network and loss."""
    ws, bs, X, y = _initial_matrices(seed)
    n = len(X)

    def step(k: int) -> float:
        (W1, W2, W3), (b1, b2, b3) = ws, bs
        Z1 = X @ W1.T + b1
        A1 = np.maximum(Z1, 0.0)
        Z2 = A1 @ W2.T + b2
        A2 = np.maximum(Z2, 0.0)
        S = (A2 @ W3.T + b3)[:, 0]
        margin = 1.0 - y * S
        loss = np.maximum(margin, 0.0).mean() + ALPHA * sum((p * p).sum() for p in ws + bs)
        D3 = (-(y * (margin > 0.0)) / n)[:, None]  # δ³ = ∂C/∂S
        D2 = (D3 @ W3) * (Z2 > 0.0)  # BP2
        D1 = (D2 @ W2) * (Z1 > 0.0)
        eta = learning_rate(k)
        for W, b, D, A in ((W3, b3, D3, A2), (W2, b2, D2, A1), (W1, b1, D1, X)):
            W -= eta * (D.T @ A + 2 * ALPHA * W)  # BP4 + L2
            b -= eta * (D.sum(axis=0) + 2 * ALPHA * b)  # BP3 + L2
        return float(loss)

    return step


def analytic_engine(seed: int) -> Callable[[int], float]:
    """nn.analytic's batch matrix backprop, with the L2 term and SGD added in numpy."""
    ws, bs, X, y = _initial_matrices(seed)
    Y = y.astype(int).tolist()

    def step(k: int) -> float:
        nabla_b, nabla_w = analytic.batch_gradient_vectorised(
            ws, bs, X, Y, cost="hinge", activation="relu", output_activation="linear")
        scores = analytic.forward_batch(ws, bs, X, "relu", "linear")[1][-1][:, 0]
        loss = np.maximum(1.0 - y * scores, 0.0).mean()
        loss += ALPHA * sum((p * p).sum() for p in ws + bs)
        eta = learning_rate(k)
        for p, g in zip(ws + bs, nabla_w + nabla_b):
            p -= eta * (g + 2 * ALPHA * p)
        return float(loss)

    return step


def torch_engine(seed: int) -> Callable[[int], float]:
    """Batched PyTorch, float64: one matmul per layer, autograd, SGD under no_grad."""
    ws, bs, X, y = _initial_matrices(seed)
    params = [torch.tensor(p, requires_grad=True) for p in ws + bs]
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def step(k: int) -> float:
        W1, W2, W3, b1, b2, b3 = params
        A1 = torch.relu(Xt @ W1.T + b1)
        A2 = torch.relu(A1 @ W2.T + b2)
        S = (A2 @ W3.T + b3)[:, 0]
        loss = torch.relu(1.0 - yt * S).mean() + ALPHA * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        eta = learning_rate(k)
        with torch.no_grad():
            for p in params:
                p -= eta * p.grad
        return loss.item()

    return step


ENGINES: dict[str, tuple[Callable[[int], Callable[[int], float]], int]] = {
    # name: (make engine, steps per timed block)
    "micrograd": (micrograd_engine, 1),
    "eager (nn MLP)": (eager_engine, 1),
    "tape (compiled)": (tape_engine, BLOCK),
    "numpy (minimal)": (numpy_engine, BLOCK),
    "nn.analytic": (analytic_engine, BLOCK),
}
if torch is not None:
    ENGINES["torch batched"] = (torch_engine, BLOCK)


def check_trajectories(seed: int, steps: int = 5, tol: float = 1e-9) -> list[float]:
    """Every engine, from the same initial weights, gives micrograd's losses step by step."""
    runs = {name: make(seed) for name, (make, _) in ENGINES.items()}
    base = [runs["micrograd"](k) for k in range(steps)]
    for name, step in runs.items():
        if name == "micrograd":
            continue
        for k in range(steps):
            got = step(k)
            assert abs(got - base[k]) <= tol * max(1.0, abs(base[k])), (
                f"W1 step {k}: {name} loss {got!r} != micrograd {base[k]!r}")
    return base


def time_w1(seed: int, repeats: int) -> dict[str, float]:
    """Median seconds per step of each engine, repeats interleaved across engines."""
    runs = {name: (make(seed), block) for name, (make, block) in ENGINES.items()}
    samples: dict[str, list[float]] = {name: [] for name in runs}
    k = {name: 0 for name in runs}
    for _ in range(repeats):
        for name, (step, block) in runs.items():
            t0 = time.perf_counter()
            for _ in range(block):
                step(k[name] % 100)
                k[name] += 1
            samples[name].append((time.perf_counter() - t0) / block)
    return {name: statistics.median(ts) for name, ts in samples.items()}


# --------------------------------------------------------------------------------------
# W2 and W3: chains
# --------------------------------------------------------------------------------------


def micrograd_chain(steps: int):
    a, b, x = MicrogradValue(0.5), MicrogradValue(0.25), MicrogradValue(1.0)
    for _ in range(steps):
        x = x * a + b
    return x, 2 * steps + 3, (a, b)


def time_chain(build: Callable, steps: int) -> float | str:
    gc.collect()
    t0 = time.perf_counter()
    try:
        root, _, _ = build(steps)
        root.backward()
    except RecursionError:
        return "RecursionError"
    t = time.perf_counter() - t0
    del root
    gc.collect()
    return t


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


CHAINS = {"micrograd": micrograd_chain, "eager (ours)": engine_bench.build_chain}


def bytes_per_node(name: str, steps: int) -> tuple[float, float]:
    """(tracemalloc, RSS growth) per node; RSS in a fresh process, where no freed arena hides it."""
    gc.collect()
    tracemalloc.start()
    root, nodes, _ = CHAINS[name](steps)
    traced, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del root
    gc.collect()
    code = (f"import sys; sys.argv = ['x']; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"import tape_bench as t; r0 = t._rss(); g = t.CHAINS[{name!r}]({steps}); "
            f"print((t._rss() - r0) / g[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return traced / nodes, float(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repeats (median)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()

    losses_w1 = check_trajectories(args.seed)
    times = time_w1(args.seed, args.repeats)
    base, numpy_t = times["micrograd"], times["numpy (minimal)"]
    print(f"# tape benchmark, {datetime.date.today()}: Python {platform.python_version()}, "
          f"{os.cpu_count()} cores, {platform.machine()}, numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch is not None else ", torch absent"))
    print(f"# median of {args.repeats} interleaved repeats; fast engines timed over blocks of "
          f"{BLOCK} steps\n")
    print("## W1: micrograd demo step (MLP 2-16-16-1 relu, 100 moons, hinge + 1e-4 L2, SGD)\n")
    print("same loss trajectory from identical weights (rel. 1e-9), 5 steps: "
          + ", ".join(f"{v:.6f}" for v in losses_w1) + "\n")
    analytic_t = times["nn.analytic"]
    print("| engine | ms per step | speed-up vs micrograd | time / numpy (minimal) |"
          " time / nn.analytic |")
    print("|---|---:|---:|---:|---:|")
    for name, t in times.items():
        print(f"| {name} | {t * 1e3:.3f} | {base / t:,.0f}x | {t / numpy_t:.2f} |"
              f" {t / analytic_t:.2f} |")

    print("\n## W2: chain x ← x·a + b, build + backward (seconds, one run each)\n")
    print("| nodes | micrograd | eager (ours) | speed-up |")
    print("|---:|---:|---:|---:|")
    for exp in (3, 4, 5, 6):
        steps = 10**exp // 2
        ours = time_chain(engine_bench.build_chain, steps)
        theirs = time_chain(micrograd_chain, steps) if exp <= 5 else "not run (recursion)"
        ratio = f"{theirs / ours:.1f}x" if isinstance(theirs, float) else "n/a"
        shown = f"{theirs:.4f}" if isinstance(theirs, float) else theirs
        print(f"| 10^{exp} | {shown} | {ours:.4f} | {ratio} |")

    print("\n## W3: memory of a 100,000-node chain (bytes per node)\n")
    print("| engine | tracemalloc | RSS growth |")
    print("|---|---:|---:|")
    for name in CHAINS:
        traced, rss = bytes_per_node(name, 50_000)
        print(f"| {name} | {traced:.0f} | {rss:.0f} |")
    print(f"\n(total bench time {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
