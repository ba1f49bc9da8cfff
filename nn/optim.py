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
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

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
    """Holds the parameter list; subclasses implement :meth:`update`, the rule on vectors.

    :meth:`step` applies the rule to the Values (from their ``.grad``);
    :meth:`step_vector` applies the same rule to a parameter vector in place, which is how
    ``fit(compile=True)`` trains without touching a Value per step.  An update that would
    make a parameter non-finite (an overflow, or a non-finite gradient) raises
    FloatingPointError naming the parameter, and leaves the parameters and the optimiser's
    state as they were.  The update runs with numpy's overflow flags raising: from finite
    parameters and gradients that is the only way to a non-finite value, so no pass over the
    new values is needed to find one.
    """

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
        self._new = np.empty(0)  # SGD's new θ: reused, so a training step allocates nothing

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

    def step(self) -> None:
        """One update of every parameter Value from its current ``grad``."""
        theta = np.array([p.data for p in self.params], dtype=np.float64)
        grad = np.array([p.grad for p in self.params], dtype=np.float64)
        if not np.isfinite(grad).all():  # a .grad can be set by hand; backward leaves it finite
            with np.errstate(all="ignore"):
                raise self._refusal(theta, grad, self.update(theta, grad)[0])
        self.step_vector(theta, grad)
        for p, v in zip(self.params, theta.tolist()):
            p.data = v

    def step_vector(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """The same update on vectors, in place: ``theta[k]`` is ``params[k].data`` and
        ``grad[k]`` its ∂C/∂p, finite (as ``backward`` and the tape leave it).  Raises
        FloatingPointError (and changes nothing, the optimiser's state included) if a new
        value would not be finite."""
        try:  # from finite θ and ∂C/∂θ, a non-finite value comes only from a flagged overflow
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                new, commit = self.update(theta, grad)
        except FloatingPointError:
            with np.errstate(all="ignore"):
                raise self._refusal(theta, grad, self.update(theta, grad)[0]) from None
        commit()
        theta[:] = new

    def _refusal(self, theta: np.ndarray, grad: np.ndarray, new: np.ndarray
                 ) -> FloatingPointError:
        """The error for an update that would make a parameter non-finite: the first one."""
        k = int(np.flatnonzero(~np.isfinite(new))[0])
        g = float(grad[k])
        cause = ("its gradient ∂C/∂p is not finite" if not math.isfinite(g)
                 else "the step overflowed a float")
        return FloatingPointError(
            f"{type(self).__name__}.step: parameter {k} ({self.params[k].label or 'unnamed'}"
            f" = {float(theta[k])!r}, ∂C/∂p = {g!r}) would become {float(new[k])!r}: "
            f"{cause}; try a smaller learning rate than {self._lr:g}")

    def update(self, theta: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, Callable[[], None]]:
        """The rule: ``(new θ, commit)`` where ``commit()`` stores the new state (momentum,
        moments).  Nothing may be changed before ``commit``."""
        raise NotImplementedError  # pragma: no cover - abstract


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
        self.velocity = np.zeros(len(self.params))

    def update(self, theta: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, Callable[[], None]]:
        lr, mu = self._lr, self.momentum
        if mu == 0.0:
            if self._new.shape != theta.shape:
                self._new = np.empty_like(theta)
            new = np.multiply(grad, -lr, out=self._new)
            new += theta  # θ − η·g
            return new, _nothing
        v = self.velocity * mu
        v -= lr * grad

        def commit() -> None:
            self.velocity = v
        return theta + v, commit

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
        self.m = np.zeros(len(self.params))
        self.v = np.zeros(len(self.params))

    def update(self, theta: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, Callable[[], None]]:
        b1, b2, eps, lr = self.beta1, self.beta2, self.eps, self._lr
        t = self.t + 1
        m = b1 * self.m + (1.0 - b1) * grad
        v = b2 * self.v + (1.0 - b2) * grad * grad
        new = theta - lr * (m / (1.0 - b1**t)) / (np.sqrt(v / (1.0 - b2**t)) + eps)

        def commit() -> None:
            self.m, self.v, self.t = m, v, t
        return new, commit

    def __repr__(self) -> str:
        return (f"Adam({len(self.params)} parameters, lr={self._lr}, "
                f"betas=({self.beta1}, {self.beta2}), eps={self.eps})")


def _nothing() -> None:
    """The commit of a rule without state."""
