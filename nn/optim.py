"""Optimisers: update parameters from their ``grad`` after ``backward()``.

Each is a small class: construct it with the parameters, then per batch call
``zero_grad()``, run forward and ``loss.backward()``, and ``step()``.  The learning rate is
the attribute ``lr`` and may be changed between steps (a schedule).

>>> from micrograd_like import Value
>>> p = Value(3.0)
>>> opt = SGD([p], lr=0.25)
>>> opt.zero_grad(); (p * p).backward(); opt.step()   # p ← p − η·2p
>>> p.data
1.5
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from micrograd_like import Value

__all__ = ["Optimizer", "SGD", "Adam"]


def _real(x: Any, what: str, low: float, high: float, *, open_low: bool = False) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__}: {x!r}")
    f = float(x)
    if not (low < f if open_low else low <= f) or not f < high:
        bracket = "(" if open_low else "["
        raise ValueError(f"{what} must be in {bracket}{low}, {high}), got {x!r}")
    return f


class Optimizer:
    """Holds the parameter list; subclasses implement :meth:`step`."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        ps = list(params)
        if not ps:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        seen: set[int] = set()
        for i, p in enumerate(ps):
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}: params[{i}] must be a Value, "
                                f"got {type(p).__name__}")
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: params[{i}] appears twice "
                                 "(it would be updated twice per step)")
            seen.add(id(p))
        self.params = ps
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate η (> 0)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _real(value, "lr", 0.0, math.inf, open_low=True)

    def zero_grad(self) -> None:
        """Set ``p.grad = 0`` for every parameter (gradients accumulate across backward)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent with optional (heavy-ball) momentum μ:

        v ← μ·v − η·∂C/∂p,    p ← p + v        (v starts at 0; μ = 0 is plain p ← p − η·∂C/∂p)

    Args:
        params: the Values to update, e.g. ``mlp.parameters()``.
        lr: learning rate η > 0.
        momentum: μ in [0, 1).
    """

    def __init__(self, params: Iterable[Value], lr: float = 0.1, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _real(momentum, "momentum", 0.0, 1.0)
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        """One update of every parameter from its current ``grad``."""
        lr, mu = self._lr, self.momentum
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * p.grad
            return
        v = self.velocity
        for i, p in enumerate(self.params):
            v[i] = mu * v[i] - lr * p.grad
            p.data += v[i]

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self._lr}, momentum={self.momentum})"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015).  With g = ∂C/∂p and t the step count (from 1):

        m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
        m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
        p ← p − η · m̂ / (√v̂ + ε)

    Args:
        params: the Values to update.
        lr: η > 0 (default 0.001).
        betas: (β₁, β₂), each in [0, 1).
        eps: ε > 0, keeps the division finite.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (β₁, β₂), got {betas!r}")
        self.beta1 = _real(betas[0], "Adam beta1", 0.0, 1.0)
        self.beta2 = _real(betas[1], "Adam beta2", 0.0, 1.0)
        self.eps = _real(eps, "Adam eps", 0.0, math.inf, open_low=True)
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        """One Adam update of every parameter from its current ``grad``."""
        self.t += 1
        b1, b2, eps, lr = self.beta1, self.beta2, self.eps, self._lr
        c1 = 1.0 - b1**self.t
        c2 = 1.0 - b2**self.t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= lr * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps)

    def __repr__(self) -> str:
        return (f"Adam({len(self.params)} parameters, lr={self._lr}, "
                f"betas=({self.beta1}, {self.beta2}), eps={self.eps})")
