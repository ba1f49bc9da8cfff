"""One epoch of Nielsen's network on MNIST: the compiled tape against numpy and PyTorch.

Run:  python bench/mnist_epoch.py [--repeats 5] [--epochs 3] [--widths 10,30,100,300]

Workload (issue 12): ``nn.datasets.load_mnist()``'s 4,000 training images, an MLP
784 → H sigmoid → 10 sigmoid, the quadratic cost C = 1/2m Σₓ ‖y − a‖² on one-hot targets,
plain mini-batch SGD with η = 3.0, shuffled each epoch.  Engines, side by side in one process,
each repeat running every engine once in turn (interleaved, so machine load hits all alike):

* tape: ``nn.fit(mlp, ..., compile=True)`` exactly as a user calls it, ``epochs`` epochs in one
  call; one epoch's time is the gap between two ``callback`` calls (epochs 2.., so compiling
  is not in it; the callback writes the weights back into the Values each epoch, included).
* numpy: the same matrix equations written by hand (BP1–BP4 on a mini-batch: Z = W A + b,
  δᴸ = (aᴸ − y) ⊙ σ′(zᴸ), δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ′(zˡ), W ← W − η/m δ Aᵀ), the floor any
  Python engine pays.
* numpy with the tape's checks: the same code plus what the tape promises and the minimal
  code skips (the batch's loss, overflow raised, products checked for inf and NaN, a step that
  would make a weight non-finite refused with the weights unchanged).
* torch: PyTorch float64 on the CPU, ``nn.Sequential(Linear, Sigmoid, Linear, Sigmoid)``,
  ``loss.backward()``, ``torch.optim.SGD``.

Each engine runs once with one thread and once with its default threads: ``torch.set_num_threads``
for PyTorch, and for the tape and numpy the threads of numpy's BLAS (OpenBLAS), limited with
``threadpoolctl`` when it is installed (it comes with scikit-learn).  On a busy machine with few
cores, BLAS's threads can cost more than they save on these small matrices.

Figures are medians over repeats (of the per-epoch medians), with the spread (min–max).
``--widths`` also times the tape and numpy for 784-H-10 at several H (batch 10), to show how
an epoch grows with the hidden width.
Compiling (Linux only): a fresh process builds the loss graph from Values and compiles it;
the growth of its resident memory (the graph and the tape both alive) is reported.
Nothing here is a unit test.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import nn  # noqa: E402
from nn.datasets import load_mnist  # noqa: E402

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # then BLAS keeps its default threads
    threadpool_limits = None

LR = 3.0


def initial(sizes: list[int], seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Nielsen's Gaussian start, N(0, 1) weights and biases, shared by every engine."""
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((m, n)) for n, m in itertools.pairwise(sizes)]
    bs = [rng.standard_normal(m) for m in sizes[1:]]
    return ws, bs


def batches(n: int, size: int, epochs: int, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(epochs):
        order = rng.permutation(n)
        out.append([order[k:k + size] for k in range(0, n, size)])
    return out


# -- engines: each returns the seconds of each epoch ----------------------------------------


def run_tape(X, Y, sizes, size, epochs, seed) -> list[float]:
    ws, bs = initial(sizes, seed)
    mlp = nn.MLP.from_matrices(ws, bs, activation="sigmoid", output_activation="sigmoid")
    stamps = []
    nn.fit(mlp, X, Y, loss="quadratic", lr=LR, epochs=epochs, batch_size=size, seed=seed,
           compile=True, progress=False, accuracy=None,
           callback=lambda e, h: stamps.append(time.perf_counter()))
    return [b - a for a, b in itertools.pairwise(stamps)]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def timed_epochs(X, Y, sizes, size, epochs, seed, step) -> list[float]:
    """Seconds of each epoch of ``step(X, Y, ws, bs, idx)``, one call per mini-batch, from
    Nielsen's start (each bias a column) over the mini-batches every engine shares."""
    ws, bs = initial(sizes, seed)
    bs = [b[:, None] for b in bs]
    times = []
    for epoch in batches(len(X), size, epochs, seed):
        t0 = time.perf_counter()
        for idx in epoch:
            step(X, Y, ws, bs, idx)
        times.append(time.perf_counter() - t0)
    return times


def numpy_step(X, Y, ws, bs, idx) -> None:
    """One SGD step on the mini-batch ``idx``, the matrix equations and nothing else."""
    a = X[idx].T  # (784, m): one column per example
    activations = [a]
    for w, b in zip(ws, bs):
        a = sigmoid(w @ a + b)
        activations.append(a)
    delta = (a - Y[idx].T) * a * (1.0 - a)  # BP1
    step = LR / len(idx)
    for layer in range(len(ws) - 1, -1, -1):
        nabla_w = delta @ activations[layer].T  # BP4, summed over the batch
        nabla_b = delta.sum(axis=1, keepdims=True)  # BP3
        if layer:
            s = activations[layer]
            delta = (ws[layer].T @ delta) * s * (1.0 - s)  # BP2
        ws[layer] -= step * nabla_w
        bs[layer] -= step * nabla_b


def guarded_step(X, Y, ws, bs, idx) -> None:
    """:func:`numpy_step` with what the tape guarantees and the minimal code skips: the
    batch's loss (``fit`` records it), overflow and invalid operations raised, a finiteness
    check after each matrix product (BLAS sets no flag), and a step refused, with the weights
    unchanged, when a new weight would not be finite.  The floor for an engine that keeps
    those promises."""
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        a = X[idx].T
        activations = [a]
        for w, b in zip(ws, bs):
            z = w @ a
            if not np.isfinite(z).all():
                raise FloatingPointError("product overflowed")
            z += b
            a = 1.0 / (1.0 + np.exp(-np.maximum(z, -709.0)))  # e⁻ᶻ capped below overflow
            activations.append(a)
        diff = a - Y[idx].T
        loss = 0.5 * float(np.square(diff).sum()) / len(idx)  # what fit records
        delta = diff * a * (1.0 - a)
        step = LR / len(idx)
        new_ws, new_bs = [], []
        for layer in range(len(ws) - 1, -1, -1):
            nabla_w = delta @ activations[layer].T
            nabla_b = delta.sum(axis=1, keepdims=True)
            if layer:
                s = activations[layer]
                delta = (ws[layer].T @ delta) * s * (1.0 - s)
            new_ws.append(ws[layer] - step * nabla_w)
            new_bs.append(bs[layer] - step * nabla_b)
    total = sum(float(np.add.reduce(v, axis=None)) for v in new_ws + new_bs)
    if not np.isfinite(total) or not np.isfinite(loss):
        raise FloatingPointError("a step would make a weight non-finite")
    for layer, (w, b) in enumerate(zip(reversed(new_ws), reversed(new_bs))):
        ws[layer][...] = w
        bs[layer][...] = b


def run_numpy(X, Y, sizes, size, epochs, seed) -> list[float]:
    return timed_epochs(X, Y, sizes, size, epochs, seed, numpy_step)


def run_numpy_guarded(X, Y, sizes, size, epochs, seed) -> list[float]:
    return timed_epochs(X, Y, sizes, size, epochs, seed, guarded_step)


def run_torch(X, Y, sizes, size, epochs, seed, threads: int | None) -> list[float]:
    import torch

    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        ws, bs = initial(sizes, seed)
        layers = []
        for w, b in zip(ws, bs):
            lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
            layers += [lin, torch.nn.Sigmoid()]
        model = torch.nn.Sequential(*layers)
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        times = []
        for epoch in batches(len(X), size, epochs, seed):
            t0 = time.perf_counter()
            for idx in epoch:
                i = torch.from_numpy(idx)
                out = model(Xt[i])
                loss = 0.5 * ((out - Yt[i]) ** 2).sum() / len(idx)
                opt.zero_grad()
                loss.backward()
                opt.step()
            times.append(time.perf_counter() - t0)
        return times
    finally:
        torch.set_num_threads(before)


_COMPILE = """
import sys, time
sys.path.insert(0, {root!r})
import nn
from micrograd_like import Value
from micrograd_like import tape

def rss_kb():  # current resident set (ru_maxrss would carry the parent's peak over exec)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

before = rss_kb()
t0 = time.perf_counter()
mlp = nn.MLP(784, [{hidden}, 10], activation="sigmoid", output_activation="sigmoid")
xs = [Value(0.0) for _ in range(784 + 10)]
root = tape.quadratic_term(mlp(xs[:784]), xs[784:])
t1 = time.perf_counter()
tp = tape.compile(root, inputs=xs, params=mlp.parameters())
t2 = time.perf_counter()
after = rss_kb()  # the graph and the tape are both still alive here
print(t1 - t0, t2 - t1, (after - before) / 1024)
"""


def compile_cost(hidden: int) -> tuple[float, float, float]:
    """(seconds to build the graph, seconds to compile it, MB of resident memory growth)."""
    out = subprocess.run([sys.executable, "-c", _COMPILE.format(root=str(ROOT), hidden=hidden)],
                         capture_output=True, text=True, check=True).stdout.split()
    build, comp, mb = (float(v) for v in out)
    return build, comp, mb


# -- reporting ----------------------------------------------------------------------------


def summary(per_repeat: list[float]) -> str:
    med = statistics.median(per_repeat)
    return f"{med:.4f} ({min(per_repeat):.4f}–{max(per_repeat):.4f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=3, help="epochs per run (tape: one more)")
    ap.add_argument("--widths", default="10,30,100,300")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()

    X, _, y, _ = load_mnist(seed=args.seed)
    Y = np.eye(10)[y]
    try:
        import torch
        have_torch = not args.no_torch
        torch_version = torch.__version__
    except ImportError:
        have_torch, torch_version = False, "not installed"
    print(f"# {platform.python_version()}, numpy {np.__version__}, torch {torch_version}, "
          f"{platform.machine()}, {args.repeats} repeats × {args.epochs} epochs\n")

    def blas(threads, run):
        """``run`` with numpy's BLAS limited to ``threads`` (None: its default)."""
        def limited(s, n):
            if threads is None or threadpool_limits is None:
                return run(s, n)
            with threadpool_limits(threads):
                return run(s, n)
        return limited

    def tape(s, n):
        return run_tape(X, Y, s, n, args.epochs + 1, args.seed)

    def numpy_(s, n):
        return run_numpy(X, Y, s, n, args.epochs, args.seed)

    def guarded(s, n):
        return run_numpy_guarded(X, Y, s, n, args.epochs, args.seed)

    engines = {
        "tape, 1 thread": blas(1, tape),
        "numpy by hand, 1 thread": blas(1, numpy_),
        "numpy with the tape's checks, 1 thread": blas(1, guarded),
    }
    if have_torch:
        engines["PyTorch, 1 thread"] = (
            lambda s, n: run_torch(X, Y, s, n, args.epochs, args.seed, 1))
    engines["tape, default threads"] = blas(None, tape)
    engines["numpy by hand, default threads"] = blas(None, numpy_)
    if have_torch:
        engines["PyTorch, default threads"] = (
            lambda s, n: run_torch(X, Y, s, n, args.epochs, args.seed, None))
    if threadpool_limits is None:
        print("(threadpoolctl is not installed: the tape and numpy run with BLAS's default "
              "threads in both columns)\n")

    print("## One epoch, 4,000 images, SGD η = 3.0, quadratic cost: seconds, median (min–max)\n")
    configs = [([784, 30, 10], 10), ([784, 30, 10], 100), ([784, 100, 10], 10),
               ([784, 100, 10], 100)]
    names = list(engines)
    print("| network | batch | " + " | ".join(names)
          + " | tape / numpy (1 thread) | tape / numpy with checks | PyTorch / tape (1 thread) |")
    print("|---|---:|" + "---:|" * len(names) + "---:|---:|---:|")
    for sizes, size in configs:
        results: dict[str, list[float]] = {k: [] for k in names}
        for _ in range(args.repeats):
            for name in names:
                results[name].append(statistics.median(engines[name](sizes, size)))
        med = {k: statistics.median(v) for k, v in results.items()}
        t1, n1 = med["tape, 1 thread"], med["numpy by hand, 1 thread"]
        g1 = med["numpy with the tape's checks, 1 thread"]
        torch1 = f"{med['PyTorch, 1 thread'] / t1:.1f}x" if have_torch else "n/a"
        print(f"| {'-'.join(map(str, sizes))} | {size} | "
              + " | ".join(summary(results[k]) for k in names)
              + f" | {t1 / n1:.2f} | {t1 / g1:.2f} | {torch1} |", flush=True)

    print("\n## Time per epoch against the hidden width (784-H-10, batch 10, 1 thread): "
          "seconds\n")
    print("| H | parameters | tape | numpy | tape / numpy |")
    print("|---:|---:|---:|---:|---:|")
    for h in (int(w) for w in args.widths.split(",")):
        sizes = [784, h, 10]
        t, n_ = [], []
        for _ in range(max(1, args.repeats // 2)):
            t.append(statistics.median(engines["tape, 1 thread"](sizes, 10)))
            n_.append(statistics.median(engines["numpy by hand, 1 thread"](sizes, 10)))
        p = 785 * h + (h + 1) * 10
        print(f"| {h} | {p:,} | {summary(t)} | {summary(n_)} | "
              f"{statistics.median(t) / statistics.median(n_):.2f} |", flush=True)

    print("\n## Building and compiling the loss graph (fresh process each)\n")
    print("| network | build the graph (s) | compile (s) | total (s) | RSS growth (MB) |")
    print("|---|---:|---:|---:|---:|")
    for h in (30, 100):
        runs = [compile_cost(h) for _ in range(3)]
        b, c, mb = (statistics.median(col) for col in zip(*runs))
        print(f"| 784-{h}-10 | {b:.2f} | {c:.2f} | {b + c:.2f} | {mb:.0f} |", flush=True)


if __name__ == "__main__":
    main()
