"""One epoch of Nielsen's network on MNIST: the compiled tape against numpy and PyTorch.

Run:  python bench/mnist_epoch.py [--repeats 3] [--epochs 4] [--widths 10,30,100,300]

Workload (issue 12): ``nn.datasets.load_mnist()``'s 4,000 training images, an MLP
784 → H sigmoid → 10 sigmoid, the quadratic cost C = 1/2m Σₓ ‖y − a‖² on one-hot targets,
plain mini-batch SGD with η = 3.0, shuffled each epoch, from Nielsen's N(0, 1) start shared
by every engine.  Engines, side by side in one process:

* tape: ``nn.fit(mlp, ..., compile=True)`` exactly as a user calls it; one epoch's time is the
  gap between two ``callback`` calls (so compiling is not in it; what fit does per epoch for
  a callback, writing the weights into the Values, is).
* numpy: the same matrix equations written by hand (BP1–BP4 on a mini-batch: Z = W A + b,
  δᴸ = (aᴸ − y) ⊙ σ′(zᴸ), δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ σ′(zˡ), W ← W − η/m δ Aᵀ), the floor any
  Python engine pays.
* numpy with the tape's checks: the same code plus what the tape promises and the minimal
  code skips (the batch's loss, overflow raised, products checked for inf and NaN, a step that
  would make a weight non-finite refused with the weights unchanged).
* torch: PyTorch float64 on the CPU, ``nn.Sequential(Linear, Sigmoid, Linear, Sigmoid)``,
  ``loss.backward()``, ``torch.optim.SGD``.

Interleaved by epoch: fit's callback runs one epoch of every other engine between two tape
epochs, outside the tape's timed window, so each engine's epoch k runs right after the tape's
(this shared VM's speed drifts by up to 2x between minutes; engines timed one run after the
other disagreed by tens of percent).  A ratio is the median over the pairs of epochs run back
to back, with the spread (min–max); seconds are medians over all timed epochs.

Each configuration runs once with one thread and once with every engine's default threads:
``torch.set_num_threads`` for PyTorch, and for the tape and numpy the threads of numpy's BLAS
(OpenBLAS), limited with ``threadpoolctl`` when it is installed (scikit-learn brings it).  On a
busy machine with few cores, BLAS's threads can cost more than they save on these small
matrices.  ``--widths`` also times the tape and numpy for 784-H-10 at several H (batch 10).
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
from collections.abc import Callable
from contextlib import nullcontext
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


# -- engines ---------------------------------------------------------------------------------
# The tape is timed inside nn.fit exactly as a user calls it.  Every other engine is an
# ``epoch(batches)`` function holding its own weights; fit's callback runs one epoch of each
# between two tape epochs, outside the tape's timed window, so consecutive epochs of all
# engines meet the machine in the same state (this VM's speed drifts by up to 2x between
# minutes, which made runs timed one after the other disagree by tens of percent).


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


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


def numpy_engine(X, Y, sizes, seed, step) -> Callable[[list[np.ndarray]], None]:
    """An epoch of ``step`` (one call per mini-batch) from Nielsen's start, biases as columns."""
    ws, bs = initial(sizes, seed)
    bs = [b[:, None] for b in bs]

    def epoch(batches: list[np.ndarray]) -> None:
        for idx in batches:
            step(X, Y, ws, bs, idx)
    return epoch


def torch_engine(X, Y, sizes, seed) -> Callable[[list[np.ndarray]], None]:
    """PyTorch float64: Sequential(Linear, Sigmoid, ...), loss.backward(), optim.SGD."""
    import torch

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

    def epoch(batches: list[np.ndarray]) -> None:
        for idx in batches:
            i = torch.from_numpy(idx)
            out = model(Xt[i])
            loss = 0.5 * ((out - Yt[i]) ** 2).sum() / len(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return epoch


def interleaved(X, Y, sizes, size, epochs, seed, others) -> dict[str, list[float]]:
    """Seconds of each epoch of ``fit(compile=True)`` ("tape") and of each engine of
    ``others`` (name -> epoch function), one epoch of each in turn; the first epoch of every
    engine is a warm-up and is dropped.  The tape's epoch includes what fit does per epoch
    when given a callback (writing the weights into the Values)."""
    ws, bs = initial(sizes, seed)
    mlp = nn.MLP.from_matrices(ws, bs, activation="sigmoid", output_activation="sigmoid")
    order = batches(len(X), size, epochs + 1, seed)
    times: dict[str, list[float]] = {"tape": [], **{k: [] for k in others}}
    last: list[float] = []

    def between_tape_epochs(e: int, history) -> None:
        if last:
            times["tape"].append(time.perf_counter() - last[0])
        for name, epoch in others.items():
            t0 = time.perf_counter()
            epoch(order[e - 1])
            times[name].append(time.perf_counter() - t0)
        last[:] = [time.perf_counter()]

    nn.fit(mlp, X, Y, loss="quadratic", lr=LR, epochs=epochs + 1, batch_size=size, seed=seed,
           compile=True, progress=False, accuracy=None, callback=between_tape_epochs)
    return {k: v[1:] if k != "tape" else v for k, v in times.items()}


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
root = nn.losses.quadratic_term(mlp(xs[:784]), xs[784:])
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


def summary(samples: list[float]) -> str:
    med = statistics.median(samples)
    return f"{med:.4f} ({min(samples):.4f}–{max(samples):.4f})"


def ratio(num: list[float], den: list[float]) -> str:
    """The median of the per-epoch ratios (each of two epochs run back to back), min–max."""
    r = [a / b for a, b in zip(num, den)]
    return f"{statistics.median(r):.2f} ({min(r):.2f}–{max(r):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="fit runs per configuration")
    ap.add_argument("--epochs", type=int, default=4, help="timed epochs per run (plus one)")
    ap.add_argument("--widths", default="10,30,100,300")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--quick", action="store_true",
                    help="only the headline row: 784-30-10, batch 10, one thread")
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
          f"{platform.machine()}, {args.repeats} runs × {args.epochs} epochs per row\n")
    if threadpool_limits is None:
        print("(threadpoolctl is not installed: the 1-thread rows run numpy with BLAS's "
              "default threads)\n")

    def run(sizes, size, one_thread: bool) -> dict[str, list[float]]:
        """Every engine's epoch times over ``args.repeats`` interleaved fit runs."""
        out: dict[str, list[float]] = {}
        for r in range(args.repeats):
            seed = args.seed + r
            others = {"numpy": numpy_engine(X, Y, sizes, seed, numpy_step)}
            if one_thread:
                others["checked"] = numpy_engine(X, Y, sizes, seed, guarded_step)
            if have_torch:
                others["torch"] = torch_engine(X, Y, sizes, seed)
            before = torch.get_num_threads() if have_torch else None
            try:
                if one_thread and have_torch:
                    torch.set_num_threads(1)
                with (threadpool_limits(1) if one_thread and threadpool_limits is not None
                      else nullcontext()):
                    got = interleaved(X, Y, sizes, size, args.epochs, seed, others)
            finally:
                if have_torch:
                    torch.set_num_threads(before)
            for k, v in got.items():
                out.setdefault(k, []).extend(v)
        return out

    configs = [([784, 30, 10], 10), ([784, 30, 10], 100), ([784, 100, 10], 10),
               ([784, 100, 10], 100)]
    if args.quick:
        configs = configs[:1]

    def table(one_thread: bool) -> None:
        """One row per configuration; the checked numpy baseline only on one thread."""
        names = ["tape", "numpy by hand"] + (["numpy with the tape's checks"] if one_thread
                                             else []) + ["PyTorch"]
        ratios = ["tape / numpy"] + (["tape / numpy with checks"] if one_thread else []) + [
            "PyTorch / tape"]
        print("| network | batch | " + " | ".join(names + ratios) + " |")
        print("|---|---:|" + "---:|" * (len(names) + len(ratios)))
        for sizes, size in configs:
            t = run(sizes, size, one_thread)
            cells = [summary(t["tape"]), summary(t["numpy"])]
            cells += [summary(t["checked"])] if one_thread else []
            cells += [summary(t["torch"]) if have_torch else "n/a", ratio(t["tape"], t["numpy"])]
            cells += [ratio(t["tape"], t["checked"])] if one_thread else []
            cells += [ratio(t["torch"], t["tape"]) if have_torch else "n/a"]
            print(f"| {'-'.join(map(str, sizes))} | {size} | " + " | ".join(cells) + " |",
                  flush=True)

    print("## One epoch, 4,000 images, SGD η = 3.0, quadratic cost, 1 thread: seconds, "
          "median (min–max) over all timed epochs; ratios: median (min–max) of the ratios of "
          "epochs run back to back\n")
    table(one_thread=True)
    if args.quick:
        return
    print("\n## The same with every engine's default threads (BLAS's for the tape and numpy, "
          "torch.get_num_threads() for PyTorch): seconds\n")
    table(one_thread=False)

    print("\n## Time per epoch against the hidden width (784-H-10, batch 10, 1 thread): "
          "seconds\n")
    print("| H | parameters | tape | numpy | tape / numpy |")
    print("|---:|---:|---:|---:|---:|")
    for h in (int(w) for w in args.widths.split(",")):
        sizes = [784, h, 10]
        t_, n_ = [], []
        for r in range(max(1, args.repeats // 2)):
            with threadpool_limits(1) if threadpool_limits is not None else nullcontext():
                got = interleaved(X, Y, sizes, 10, max(2, args.epochs // 2), args.seed + r,
                                  {"numpy": numpy_engine(X, Y, sizes, args.seed + r,
                                                         numpy_step)})
            t_ += got["tape"]
            n_ += got["numpy"]
        p = 785 * h + (h + 1) * 10
        print(f"| {h} | {p:,} | {summary(t_)} | {summary(n_)} | {ratio(t_, n_)} |", flush=True)

    print("\n## Building and compiling the loss graph (fresh process each)\n")
    print("| network | build the graph (s) | compile (s) | total (s) | RSS growth (MB) |")
    print("|---|---:|---:|---:|---:|")
    for h in (30, 100):
        runs = [compile_cost(h) for _ in range(3)]
        b, c, mb = (statistics.median(col) for col in zip(*runs))
        print(f"| 784-{h}-10 | {b:.2f} | {c:.2f} | {b + c:.2f} | {mb:.0f} |", flush=True)


if __name__ == "__main__":
    main()
