"""Check ``backward()`` against central finite differences.

For each input xᵢ the numerical derivative is the central difference

    ∂f/∂xᵢ ≈ (f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / 2hᵢ,    hᵢ = eps · max(1, |xᵢ|),

whose error is O(h²).  The error reported for an input is the mixed absolute/relative
difference |g − n| / max(1, |g|, |n|), so a gradient near zero is judged by its absolute
error and a large gradient by its relative error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from micrograd_like.checks import finite_float
from micrograd_like.engine import Value, no_grad

__all__ = ["gradcheck", "GradcheckReport", "GradcheckRow"]


@dataclass(frozen=True)
class GradcheckRow:
    """One input: its value, backward's gradient, the finite difference, and their error."""

    index: int
    x: float
    analytic: float
    numeric: float
    error: float


@dataclass(frozen=True, repr=False)
class GradcheckReport:
    """The outcome of :func:`gradcheck`: one :class:`GradcheckRow` per input.

    ``print(report)`` and ``repr(report)`` give a table; in a notebook, a report that is a
    cell's last expression renders as an HTML table with failing rows marked.
    """

    rows: tuple[GradcheckRow, ...]
    tolerance: float

    @property
    def errors(self) -> list[float]:
        """The error of each input, in input order."""
        return [r.error for r in self.rows]

    @property
    def max_error(self) -> float:
        """The worst error over all inputs (0.0 for no inputs)."""
        return max(self.errors, default=0.0)

    @property
    def ok(self) -> bool:
        """True when every input's error is within the tolerance."""
        return self.max_error <= self.tolerance

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [f"{'input':>5}  {'x':>12}  {'backward':>14}  {'finite diff':>14}  {'error':>9}"]
        for r in self.rows:
            flag = "" if r.error <= self.tolerance else "  <-- exceeds tolerance"
            lines.append(
                f"{r.index:>5}  {r.x:>12.6g}  {r.analytic:>14.8g}  {r.numeric:>14.8g}"
                f"  {r.error:>9.2e}{flag}"
            )
        lines.append(self._verdict())
        return "\n".join(lines)

    __repr__ = __str__

    def _verdict(self) -> str:
        verdict = "ok" if self.ok else "FAILED"
        return f"worst error {self.max_error:.2e} (tolerance {self.tolerance:.0e}): {verdict}"

    def _repr_html_(self) -> str:
        rows = []
        for r in self.rows:
            bad = r.error > self.tolerance
            style = ' style="color:#b00020;font-weight:bold"' if bad else ""
            rows.append(
                f"<tr{style}><td>{r.index}</td><td>{r.x:.6g}</td><td>{r.analytic:.8g}</td>"
                f"<td>{r.numeric:.8g}</td><td>{r.error:.2e}{' ✗' if bad else ''}</td></tr>"
            )
        return (
            "<table><thead><tr><th>input</th><th>x</th><th>backward</th>"
            "<th>finite diff</th><th>error</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table><p>{self._verdict()}</p>"
        )


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    eps: float = 1e-6,
    tolerance: float = 1e-6,
) -> GradcheckReport:
    """Compare ``backward()``'s gradients of ``f`` with central finite differences.

    Args:
        f: called as ``f(*values)`` with one :class:`Value` per input; returns a Value.
        inputs: the point x at which to check, as plain numbers.
        eps: relative step size h (scaled by max(1, |xᵢ|)).
        tolerance: the largest error for which the report is ``ok``.

    Returns:
        A :class:`GradcheckReport`; ``report.ok`` says whether it passed and ``print(report)``
        shows a table.

    >>> report = gradcheck(lambda x, y: (x * y).tanh(), [0.3, -0.7])
    >>> report.ok
    True
    """
    xs = [finite_float(x, f"gradcheck input {i}") for i, x in enumerate(inputs)]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()
    rows = []
    for i, x in enumerate(xs):
        h = eps * max(1.0, abs(x))
        numeric = (_evaluate(f, xs, i, x + h) - _evaluate(f, xs, i, x - h)) / (2.0 * h)
        analytic = leaves[i].grad
        error = abs(analytic - numeric) / max(1.0, abs(analytic), abs(numeric))
        rows.append(GradcheckRow(i, x, analytic, numeric, error))
    return GradcheckReport(tuple(rows), tolerance)


def _evaluate(f: Callable[..., Value], xs: list[float], i: int, xi: float) -> float:
    """f at xs with the i-th input replaced by xi, without building a graph."""
    shifted = list(xs)
    shifted[i] = xi
    with no_grad():
        return f(*(Value(x) for x in shifted)).data
