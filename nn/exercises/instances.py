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

import zlib

import numpy as np

__all__ = ["generator", "numbers"]


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
