"""The numbers of one student's instance of an exercise, drawn from a seed.

Every exercise takes ``seed`` (the notebooks' ``SEED``; a per-student pack sets it from the
student's id).  Seed 0 is the book's instance: the numbers the exercise texts and the
README quote (a = 2, b = −0.75, c = 1 in exercise 3, C(w) = (3w − 1.5)² in exercise 4, ...).
Any other seed draws fresh numbers, rounded to two decimals so that they print short, from a
random generator of its own for each exercise (so one exercise's numbers do not depend on
another's).

>>> numbers(1, "demo", 3, low=-1.0, high=1.0)
[0.3, 0.41, -0.19]
>>> numbers(1, "demo", 3, low=-1.0, high=1.0) == numbers(2, "demo", 3, low=-1.0, high=1.0)
False
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Sequence

import numpy as np

__all__ = ["generator", "numbers", "network"]


def generator(seed: int, exercise: str) -> np.random.Generator:
    """numpy's PCG64, seeded by ``seed`` and the exercise's name (stable across versions)."""
    return np.random.default_rng([int(seed), zlib.crc32(exercise.encode())])


def numbers(seed: int, exercise: str, n: int, low: float, high: float, least: float = 0.0,
            digits: int = 2) -> list[float]:
    """``n`` numbers uniform in [low, high], rounded to ``digits``, each at least ``least``
    away from 0 (so that nothing cancels by accident)."""
    r = generator(seed, exercise)
    out: list[float] = []
    while len(out) < n:
        x = round(float(r.uniform(low, high)), digits)
        if abs(x) >= least:
            out.append(x)
    return out


def network(seed: int, exercise: str, sizes: Sequence[int], weight: float = 1.5,
            bias: float = 0.5) -> tuple[list[np.ndarray], list[np.ndarray], list[float]]:
    """Weights in ±[0.2, ``weight``], biases in [−``bias``, ``bias``] and an input in
    ±[0.1, 1] for a network of ``sizes``, in Nielsen's layout (row j = neuron j)."""
    ws, bs = [], []
    for k, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        w = numbers(seed, f"{exercise} · w{k}", n_in * n_out, -weight, weight, least=0.2)
        ws.append(np.array(w).reshape(n_out, n_in))
        bs.append(np.array(numbers(seed, f"{exercise} · b{k}", n_out, -bias, bias)))
    return ws, bs, numbers(seed, f"{exercise} · x", sizes[0], -1.0, 1.0, least=0.1)
