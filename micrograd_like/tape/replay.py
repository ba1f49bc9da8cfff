"""The Tape: a compiled graph's instructions replayed over a batch, forward and backward."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import numpy as np

from micrograd_like.engine import Value
from micrograd_like.tape.instructions import Adjoints, Buffers, Instruction, Step, all_finite, index


def _raising() -> Any:
    """numpy's error state while the tape runs: an overflow or an undefined value raises
    FloatingPointError where the eager engine raises (an underflow to 0 passes, as in float
    arithmetic)."""
    return np.errstate(over="raise", invalid="raise", divide="raise", under="ignore")


def _first_nonfinite(a: np.ndarray) -> int | None:
    """The flat index of the first inf or NaN in ``a``, or None."""
    if all_finite(a):
        return None
    return int(np.flatnonzero(~np.isfinite(a).ravel())[0])


def _check_finite(what: str, a: np.ndarray, axes: tuple[str, ...]) -> None:
    with _raising():  # a sum of huge finite values overflows: raised and caught, not warned
        k = _first_nonfinite(a)
    if k is not None:
        at = ", ".join(f"{name} {int(i)}" for name, i in zip(axes, np.unravel_index(k, a.shape)))
        raise ValueError(f"{what} must be finite, got {a.flat[k]!r} at {at}")


class Tape:
    """A compiled scalar graph, replayed over a batch.  Make one with :func:`compile`.

    One batch: :meth:`forward` then :meth:`backward` (or :meth:`value_and_grad`).  Many
    mini-batches of one data set (a training loop): :meth:`load` it once, then one
    :meth:`value_and_grad_rows` per step, updating :attr:`params_vector` in place.

    Attributes:
        inputs: the input leaves, in the order of the columns of ``forward``'s ``inputs``.
        params: the parameter leaves, in the order of the gradient vector.
        n_nodes: op nodes of the scalar graph that the tape computes.
        instructions: one per group of nodes run as one numpy call (or matrix product).
    """

    def __init__(self, root: Value, inputs: list[Value], params: list[Value],
                 instructions: list[Instruction], n_v: int, U: np.ndarray,
                 root_at: tuple[bool, int], where: dict[int, tuple[bool, int]],
                 n_nodes: int) -> None:
        self.root, self.inputs, self.params = root, inputs, params
        self.instructions = instructions
        self.n_nodes = n_nodes
        self._n_v = n_v
        self._U, self._DU = U, np.zeros_like(U)  # (n_u, 1): params, constants, the rest
        self._grad = self._DU[: len(params), 0].view()  # what value_and_grad_rows lends
        self._grad.flags.writeable = False
        self._root_at = root_at  # (varying?, slot)
        self._where = where  # id(Value) -> (varying?, slot)
        self._data: np.ndarray | None = None  # load()'s data set, one example per row
        self._ready = False
        self._bind(0)

    def _bind(self, batch: int) -> None:
        """Buffers for batches of ``batch`` examples, and the instructions bound to them: a
        step's forward and backward passes, made once per batch size."""
        self._V, self._DV = np.empty((self._n_v, batch)), np.zeros((self._n_v, batch))
        self._DU[:] = 0.0
        buffers = Buffers(self._V, self._U, self._DV, self._DU)
        adjoints = Adjoints(buffers)
        varying, r = self._root_at
        adjoints.claim(varying, [r])  # the seed ∂C/∂C writes the root's row first
        backward_order = self.instructions[::-1]  # bound in that order: see Adjoints
        steps = {id(ins): ins.bind(buffers, adjoints) for ins in backward_order}
        self._forward_steps = [(ins, steps[id(ins)][0]) for ins in self.instructions]
        self._backward_steps = [(ins, steps[id(ins)][1]) for ins in backward_order if ins.wanted]
        self._zeroed = adjoints.zeroed()  # adjoint rows added to before anyone writes them

    def __repr__(self) -> str:
        return (f"Tape({self.n_nodes} op nodes in {len(self.instructions)} instructions, "
                f"{len(self.inputs)} inputs, {len(self.params)} params)")

    @property
    def batch_size(self) -> int:
        """The number of examples of the last :meth:`forward`."""
        return self._V.shape[1]

    # -- parameters -------------------------------------------------------------------

    @property
    def params_vector(self) -> np.ndarray:
        """The parameters the tape replays with: a writable view, in ``self.params`` order.

        Writing into it (``tape.params_vector[:] = θ``, an optimiser's in-place step)
        changes the next :meth:`forward`; the Values are not touched until
        :meth:`push_params`.
        """
        return self._U[: len(self.params), 0]

    def param_values(self) -> np.ndarray:
        """The current ``.data`` of the parameter Values, as a vector (a copy)."""
        return np.array([p.data for p in self.params], dtype=np.float64)

    def pull_params(self) -> None:
        """Copy the parameter Values' ``.data`` into :attr:`params_vector`."""
        self.params_vector[:] = self.param_values()

    def push_params(self) -> None:
        """Write :attr:`params_vector` into the parameter Values' ``.data`` (θₖ → params[k])."""
        for p, v in zip(self.params, self.params_vector.tolist()):
            p.data = v

    # -- forward ----------------------------------------------------------------------

    def forward(self, inputs: Any, params: Any = None) -> np.ndarray:
        """The root's value for every example: ``Cₓ`` for each row ``x`` of ``inputs``.

        Args:
            inputs: array-like ``(batch, len(self.inputs))`` of finite numbers; column k
                feeds input k.
            params: a vector of ``len(self.params)`` finite values; ``None`` keeps the last
                ones (at first the ``.data`` of the parameter Values at compile time).  If
                this call raises, the tape keeps its previous parameters.

        Returns:
            float64 array of shape ``(batch,)``.

        Raises:
            ValueError: an input or a parameter is not finite, or a shape is wrong.
            FloatingPointError: an op overflowed or was undefined (``log`` of a number ≤ 0,
                ``exp(1000)``), even where a later op would hide it: the message names the
                op and the example, where the eager engine raises for the same example.
        """
        X = self._examples(inputs, "Tape.forward", "batch")
        previous = None
        if params is not None:
            theta = np.asarray(params, dtype=np.float64)
            if theta.shape != (len(self.params),):
                raise ValueError(f"Tape.forward: params must have shape ({len(self.params)},),"
                                 f" got {theta.shape}")
            _check_finite("Tape.forward: params", theta, ("param",))
            previous = self.params_vector.copy()
            self.params_vector[:] = theta
        try:
            self._set_batch(X)
            with _raising():
                self._run_forward()
        except BaseException:
            if previous is not None:
                self.params_vector[:] = previous
            raise
        return self._root_values()

    def load(self, inputs: Any) -> None:
        """Keep a data set for :meth:`forward_rows`, checked once (shape, finite) here,
        not on each of a training loop's thousands of mini-batches.

        Args:
            inputs: array-like ``(examples, len(self.inputs))`` of finite numbers (copied).
        """
        self._data = self._examples(inputs, "Tape.load", "examples")

    def forward_rows(self, rows: Any) -> np.ndarray:
        """:meth:`forward` on the examples ``rows`` (indices or a slice) of :meth:`load`'s data.

        >>> from micrograd_like import Value
        >>> from micrograd_like.tape import compile
        >>> x, w = Value(0.0), Value(3.0)
        >>> tape = compile(w * x, inputs=[x], params=[w])
        >>> tape.load([[1.0], [2.0], [5.0]])
        >>> tape.forward_rows([2, 0])       # w·x for examples 2 and 0
        array([15.,  3.])
        """
        self._take_rows(rows, "Tape.forward_rows")
        with _raising():
            self._run_forward()
        return self._root_values()

    def _examples(self, inputs: Any, what: str, rows: str) -> np.ndarray:
        X = np.array(inputs, dtype=np.float64)
        n_in = len(self.inputs)
        if X.ndim != 2 or X.shape[1] != n_in:
            raise ValueError(f"{what}: inputs must have shape ({rows}, {n_in}), got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError(f"{what}: inputs must hold at least one example, got {X.shape}")
        _check_finite(f"{what}: inputs", X, ("example", "input"))
        return X

    def _take_rows(self, rows: Any, what: str) -> None:
        if self._data is None:
            raise RuntimeError(f"{what}: call load(inputs) first")
        X = self._data[rows]  # whole rows: a gather of contiguous memory
        if X.ndim != 2:
            raise ValueError(f"{what}: rows must be a 1-D index or a slice, got {rows!r}")
        if X.shape[0] == 0:
            raise ValueError(f"{what}: rows must select at least one example, got {rows!r}")
        self._set_batch(X)

    def _set_batch(self, X: np.ndarray) -> None:
        """The examples (one per row, finite) become the inputs of the next replay."""
        self._ready = False
        if X.shape[0] != self._V.shape[1]:
            self._bind(X.shape[0])
        self._V[: len(self.inputs)] = X.T

    def _run_forward(self) -> None:
        for ins, forward in self._forward_steps:
            try:
                forward()
            except FloatingPointError:
                raise self._locate_nonfinite(ins, forward) from None
        self._ready = True

    def _root_values(self) -> np.ndarray:
        varying, r = self._root_at
        return self._V[r].copy() if varying else np.full(self.batch_size, self._U[r, 0])

    def _root_mean(self) -> float:
        varying, r = self._root_at
        return float(self._V[r].sum()) / self.batch_size if varying else float(
            self._U[r, 0])

    def _locate_nonfinite(self, failed: Instruction, forward: Step) -> FloatingPointError:
        """The error for an instruction that overflowed: which op, which example."""
        with np.errstate(all="ignore"), suppress(FloatingPointError):
            forward()  # again, letting infs and NaNs through
        block = (self._V if failed.varying else self._U)[failed.out]
        bad = np.argwhere(~np.isfinite(block))
        if len(bad):
            node, example = (int(i) for i in bad[0])
            where = f"example {example}" if failed.varying else "the parameters"
            return FloatingPointError(
                f"Tape.forward: op '{failed.op}' gave a non-finite value for {where} "
                f"(node {node} of a group of {failed.size}); the eager engine would raise here")
        return FloatingPointError(
            f"Tape.forward: op '{failed.op}' overflowed or was undefined in a group of "
            f"{failed.size} nodes; the eager engine would raise here")

    # -- backward ---------------------------------------------------------------------

    def backward(self) -> np.ndarray:
        """∂C/∂θ for the batch mean ``C = (1/B) Σₓ Cₓ`` of the last :meth:`forward`.

        Equal (to rounding) to running the eager engine on each example and averaging the
        parameters' ``.grad``; a new vector in the order of ``self.params``.

        >>> from micrograd_like import Value
        >>> from micrograd_like.tape import compile
        >>> x, w = Value(2.0), Value(3.0)
        >>> tape = compile(w * x, inputs=[x], params=[w])
        >>> _ = tape.forward([[2.0], [4.0]])
        >>> tape.backward()                 # mean of ∂(wx)/∂w = x: (2 + 4) / 2
        array([3.])

        Raises:
            FloatingPointError: a chain-rule product overflowed (the message names the op
                or the parameter).
        """
        if not self._ready:
            raise RuntimeError("Tape.backward: call forward() first (and let it succeed)")
        with _raising():
            self._run_backward()
            return self._gradient().copy()

    def _run_backward(self) -> None:
        for rows in self._zeroed:
            rows.fill(0.0)
        varying, r = self._root_at
        if varying:
            self._DV[r] = 1.0 / self.batch_size  # C is the batch mean: ∂C/∂Cₓ = 1/B
        else:
            self._DU[r] = 1.0
        for ins, backward in self._backward_steps:
            try:
                backward()
            except FloatingPointError as e:
                raise FloatingPointError(
                    f"Tape.backward: the chain rule overflowed or was undefined at op "
                    f"'{ins.op}' ({e}); the eager engine's backward would raise too") from None

    def _gradient(self) -> np.ndarray:
        """The tape's gradient buffer, read-only, once checked to be finite."""
        bad = _first_nonfinite(self._grad)
        if bad is not None:
            raise FloatingPointError(f"Tape.backward: gradient overflowed to "
                                     f"{self._grad[bad]!r} at param {bad} ({self.params[bad]!r})")
        return self._grad

    def value_and_grad(self, inputs: Any, params: Any = None) -> tuple[float, np.ndarray]:
        """``(C, ∂C/∂θ)`` with ``C`` the batch mean of the root: forward then backward."""
        loss = self.forward(inputs, params)
        return float(loss.mean()), self.backward()

    def value_and_grad_rows(self, rows: Any) -> tuple[float, np.ndarray]:
        """``(C, ∂C/∂θ)`` on the examples ``rows`` of :meth:`load`'s data: a training step.

        The gradient is the tape's own buffer, read-only and overwritten by the next step
        (a loop uses it at once; a copy of every parameter's gradient per step would take
        as much as a small matrix product).

        >>> from micrograd_like import Value
        >>> from micrograd_like.tape import compile
        >>> x, w = Value(0.0), Value(3.0)
        >>> tape = compile(w * x * x, inputs=[x], params=[w])
        >>> tape.load([[1.0], [2.0], [5.0]])
        >>> tape.value_and_grad_rows([0, 1])    # C = ½(3·1 + 3·4), ∂C/∂w = ½(1 + 4)
        (7.5, array([2.5]))
        """
        self._take_rows(rows, "Tape.value_and_grad_rows")
        with _raising():
            self._run_forward()
            mean = self._root_mean()
            self._run_backward()
            return mean, self._gradient()

    # -- reading nodes ------------------------------------------------------------------

    def value_of(self, node: Value) -> np.ndarray:
        """The batch of values of a node of the compiled graph, after :meth:`forward`.

        For example a model's outputs, to measure accuracy.  Nodes of a ``+`` chain that
        the tape folded into one sum have no slot of their own and raise KeyError.
        """
        if not self._ready:
            raise RuntimeError("Tape.value_of: call forward() first (and let it succeed)")
        try:
            varying, s = self._where[id(node)]
        except KeyError:
            raise KeyError(f"Tape.value_of: {node!r} has no slot in this tape (not in the "
                           f"graph, or folded into a sum)") from None
        if not varying:
            return np.full(self.batch_size, self._U[s, 0])
        return self._V[s].copy()

    def values_of(self, nodes: Sequence[Value]) -> np.ndarray:
        """:meth:`value_of` for several nodes at once: an array (batch, len(nodes))."""
        where = [self._where.get(id(v)) for v in nodes]
        if not self._ready or not all(w is not None and w[0] for w in where):
            return np.column_stack([self.value_of(v) for v in nodes])
        return self._V[index([w[1] for w in where if w is not None])].T.copy()

