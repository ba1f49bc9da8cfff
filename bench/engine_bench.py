"""Engine benchmark: micrograd-like's Value against karpathy's micrograd, side by side.

Run:  python bench/engine_bench.py [--repeats 5]

Workloads (the same code builds both engines' graphs):

* wide: a layered graph of binary ops, 1,000 wide and 100 deep (100,000 op nodes over
  1,000 + 1,000 leaves), summed by a pairwise tree of ``+``.  Deep enough to be a real graph,
  shallow enough for micrograd's recursive topological sort.
* chain: a 1,000,000-node chain ``x = x * a + b`` (this engine only; micrograd's
  recursion fails past ~1,000 levels).

For each engine and workload it reports seconds per node for building the graph and for
``backward()``, as medians of interleaved repeats with Python's garbage collector left on
(as users run it), and bytes per node from tracemalloc.  Nothing here is a unit test.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from micrograd_like import Value

try:
    from micrograd.engine import Value as MicrogradValue
except ImportError:  # pragma: no cover - the baseline is required for a real run
    sys.exit("bench: karpathy's micrograd is the baseline; install it with: pip install micrograd")

WIDTH, DEPTH = 1_000, 50  # two op nodes (+ then *) per cell per layer: 100,000 op nodes
CHAIN_STEPS = 500_000  # two op nodes per step: 1,000,000 nodes


def build_wide(value_cls: Callable, seed: int = 0):
    """Layered binary-op graph; returns (root, number of nodes, leaves)."""
    rng = random.Random(seed)
    layer = [value_cls(rng.uniform(0.5, 1.5)) for _ in range(WIDTH)]
    halves = [value_cls(rng.uniform(0.45, 0.55)) for _ in range(WIDTH)]
    for _ in range(DEPTH):
        layer = [(layer[i] + layer[i - 1]) * halves[i] for i in range(WIDTH)]
    while len(layer) > 1:  # pairwise '+' tree (a chain would exceed micrograd's recursion)
        layer = [layer[i] + layer[i + 1] for i in range(0, len(layer) - 1, 2)] + (
            [layer[-1]] if len(layer) % 2 else []
        )
    root = layer[0]
    nodes = 2 * WIDTH + 2 * WIDTH * DEPTH + (WIDTH - 1)
    return root, nodes, halves


def build_chain(steps: int = CHAIN_STEPS):
    a, b = Value(0.5), Value(0.25)
    x = Value(1.0)
    for _ in range(steps):
        x = x * a + b
    return x, 2 * steps + 3, (a, b)


def time_once(build: Callable) -> tuple[float, float, int]:
    gc.collect()
    t0 = time.perf_counter()
    root, nodes, _ = build()
    t1 = time.perf_counter()
    root.backward()
    t2 = time.perf_counter()
    del root, _
    gc.collect()
    return t1 - t0, t2 - t1, nodes


def bytes_per_node(build: Callable) -> float:
    gc.collect()
    tracemalloc.start()
    root, nodes, _ = build()
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del root, _
    gc.collect()
    return current / nodes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats (median)")
    args = parser.parse_args(argv)

    engines = {
        "micrograd": lambda: build_wide(MicrogradValue),
        "micrograd-like": lambda: build_wide(Value),
    }
    samples: dict[str, list[tuple[float, float, int]]] = {k: [] for k in engines}
    for _ in range(args.repeats):
        for name, build in engines.items():
            samples[name].append(time_once(build))
    memory = {name: bytes_per_node(build) for name, build in engines.items()}

    print(f"# engine benchmark  (Python {platform.python_version()}, {platform.machine()},")
    print(f"#  median of {args.repeats} interleaved repeats, GC on)\n")
    print("| workload | engine | nodes | build µs/node | backward µs/node | total µs/node |"
          " bytes/node | speed-up vs micrograd |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    base_total = None
    for name in engines:
        build_s = statistics.median(s[0] for s in samples[name])
        back_s = statistics.median(s[1] for s in samples[name])
        nodes = samples[name][0][2]
        total = (build_s + back_s) / nodes
        base_total = base_total or total
        print(f"| wide 100k | {name} | {nodes:,} | {build_s / nodes * 1e6:.3f} |"
              f" {back_s / nodes * 1e6:.3f} | {total * 1e6:.3f} | {memory[name]:.0f} |"
              f" {base_total / total:.1f}x |")

    chain = [time_once(build_chain) for _ in range(max(1, args.repeats // 2))]
    build_s = statistics.median(c[0] for c in chain)
    back_s = statistics.median(c[1] for c in chain)
    nodes = chain[0][2]
    chain_mem = bytes_per_node(build_chain)
    print(f"| chain 1M | micrograd-like | {nodes:,} | {build_s / nodes * 1e6:.3f} |"
          f" {back_s / nodes * 1e6:.3f} | {(build_s + back_s) / nodes * 1e6:.3f} |"
          f" {chain_mem:.0f} | (micrograd: recursion limit) |")
    print(f"\nchain 1M: build {build_s:.2f} s + backward {back_s:.2f} s"
          f" = {build_s + back_s:.2f} s (goal < 5 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
