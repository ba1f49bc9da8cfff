"""The usual training loop, ``fit``: forward over a batch, loss, backward, step.

>>> from nn import MLP
>>> from nn.datasets import make_moons
>>> X, y = make_moons(40, noise=0.1, seed=0)
>>> mlp = MLP(2, [8, 1], activation="relu", seed=0)
>>> h = fit(mlp, X, 2 * y - 1, loss="hinge", lr=0.1, epochs=20, progress=False)
>>> h.loss[-1] < h.loss[0]
True

Garbage collection: a graph of Values holds no reference cycles (nodes store numbers, not
closures), so reference counting frees it and Python's cyclic collector has nothing to find,
yet it still walks the young nodes each time enough of them have been allocated.  ``fit``
therefore pauses the cyclic collector during each step (``pause_gc=True``; the previous
state is restored afterwards, also on error).  On the micrograd demo step (MLP 2-16-16-1,
100 points, ~7,000 nodes per step) this cut the median step from 0.024 s to 0.020 s
(15-20%) on the development machine; ``python bench/demo_step.py`` measures it.
"""

from __future__ import annotations

import gc
import math
import numbers
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nn import losses as _losses
from nn.classify import to_classes
from nn.module import Module, input_annotation
from nn.optim import SGD, Optimizer
from nn.progress import bar as progress_bar

__all__ = ["fit", "predict", "History", "accuracy_for", "paused_gc"]

AccuracyFn = Callable[[np.ndarray, np.ndarray], float]


@dataclass
class History:
    """Per-epoch results of :func:`fit`.

    Attributes:
        loss: the data loss (without the L2 term), averaged over the epoch's examples, as
            evaluated during training (each batch before its step).
        accuracy: the fraction of examples classified correctly in the same forward passes,
            or ``None`` per epoch when there is no accuracy for this loss and these targets.
        val_loss, val_accuracy: the same on ``fit``'s ``validation`` data, measured after
            each epoch with that epoch's final weights (empty lists without validation data).
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(0 epochs)"
        acc = self.accuracy[-1]
        shown = "" if acc is None else f", accuracy {acc:.3f}"
        if self.val_accuracy and self.val_accuracy[-1] is not None:
            shown += f", validation accuracy {self.val_accuracy[-1]:.3f}"
        return f"History({len(self.loss)} epochs, final loss {self.loss[-1]:.6g}{shown})"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable Python's cyclic garbage collector inside the block, then restore its state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------------------
# Accuracy
# --------------------------------------------------------------------------------------


# The predicted class is nn.classify.to_classes's, as in predict_classes and the plots.


def _sign_accuracy(a: np.ndarray, y: np.ndarray) -> float:  # a score vs a label ±1
    return float(np.mean(to_classes(a, 0.0) == (y.reshape(-1) > 0.0)))


def _argmax_accuracy(a: np.ndarray, y: np.ndarray) -> float:  # k outputs vs a class index
    return float(np.mean(to_classes(a) == y.reshape(-1)))


def _threshold_accuracy(a: np.ndarray, y: np.ndarray) -> float:  # a probability vs 0/1
    return float(np.mean(to_classes(a, 0.5) == (y.reshape(-1) > 0.5)))


def _multilabel_accuracy(a: np.ndarray, y: np.ndarray) -> float:
    """Several independent 0/1 targets per example: right when every output is."""
    y = y.reshape(a.shape)
    return float(np.mean(np.all((a > 0.5) == (y > 0.5), axis=1)))


def _onehot_accuracy(a: np.ndarray, y: np.ndarray) -> float:  # k outputs vs a one-hot row
    return float(np.mean(to_classes(a) == np.argmax(y, axis=1)))


def accuracy_for(loss: Any, Y: np.ndarray, width: int) -> AccuracyFn | None:
    """The natural accuracy for a loss name and targets (``None`` if there is none).

    The predicted class is :func:`nn.classify.to_classes`'s:

    * hinge: the sign of the score matches the ±1 label;
    * softmax_cross_entropy: the largest output is the label (none for one output: there
      is only one class);
    * cross_entropy, and quadratic with 0/1 targets: the output is on the target's side of
      0.5 (one output), the largest output is the hot one (one-hot targets), or, for
      several independent 0/1 targets (cross_entropy), every output is on its target's side;
    * quadratic with other targets, or a custom loss: none.
    """
    name = loss if isinstance(loss, str) else None
    fn = _losses.LOSSES.get(name) if name else None
    if fn is _losses.hinge:
        return _sign_accuracy
    if fn is _losses.softmax_cross_entropy:
        return _argmax_accuracy if width > 1 else None
    if fn in (_losses.quadratic, _losses.cross_entropy):
        binary = np.all((Y == 0.0) | (Y == 1.0))
        if width > 1 and binary and Y.ndim == 2 and np.all(Y.sum(axis=1) == 1.0):
            return _onehot_accuracy
        if width == 1 and binary:
            return _threshold_accuracy
        if fn is _losses.cross_entropy:
            return _threshold_accuracy if width == 1 else _multilabel_accuracy
    return None


# --------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------


def _check_int(x: Any, what: str, least: int) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"fit: {what} must be an int, got {type(x).__name__}: {x!r}")
    if x < least:
        raise ValueError(f"fit: {what} must be at least {least}, got {x}")
    return int(x)


def fit(
    model: Module,
    X: Any,
    Y: Any,
    *,
    loss: str | Callable = "quadratic",
    optimizer: Optimizer | None = None,
    lr: float = 0.1,
    epochs: int = 10,
    batch_size: int | None = None,
    l2: float = 0.0,
    l2_on: str = "all",
    seed: int = 0,
    shuffle: bool = True,
    accuracy: str | AccuracyFn | None = "auto",
    progress: bool = True,
    pause_gc: bool = True,
    compile: bool = False,  # noqa: A002 - the public name of the option
    callback: Callable[[int, History], object] | None = None,
    validation: tuple[Any, Any] | None = None,
) -> History:
    """Train ``model`` on (X, Y) by minibatch gradient descent; return a :class:`History`.

    Per batch B: C = loss([model(x) for x in B], Y_B) + l2 · Σ p², then
    ``optimizer.zero_grad()``, ``C.backward()``, ``optimizer.step()``.

    Args:
        model: e.g. an :class:`~nn.MLP`; ``model(x)`` must return a list of Values.
        X: inputs, shape (n, features) (numpy array or nested lists; never modified).
        Y: targets as the loss expects them: (n, outputs) or (n,) numbers for "quadratic"
            and "cross_entropy", class ints for "softmax_cross_entropy", ±1 for "hinge".
        loss: a name from :data:`nn.losses.LOSSES` or a function ``(outputs, Y_B) -> Value``.
        optimizer: defaults to ``SGD(model.parameters(), lr=lr)``.
        lr: learning rate of the default optimizer (ignored when ``optimizer`` is given).
        epochs: passes over the data.
        batch_size: examples per step (default: all of them, full-batch gradient descent).
        l2: α of the L2 term α Σ p² added to the loss (0 to leave it out).  Nielsen's
            λ/2n Σ w² (n the size of the training set) is ``l2=λ / (2 * n), l2_on="weights"``;
            with SGD it shrinks each weight by the factor 1 − ηλ/n per step.
        l2_on: "all" (every parameter) or "weights" (``model.weights()``: no biases).
        seed: seeds the shuffling (a private ``numpy.random.Generator``, seeded with
            ``seed % 2**64``; X and Y are not touched).
        shuffle: visit the examples in a new random order each epoch.
        accuracy: "auto" (see :func:`accuracy_for`), a function (outputs (n, width) array,
            targets array) -> fraction, or None.
        progress: show a progress bar over epochs (where one can draw: a terminal or a
            notebook; never in piped output, see :mod:`nn.progress`).
        pause_gc: pause the cyclic garbage collector during each step (see module docstring).
        compile: run each step on the compiled tape (``micrograd_like.tape``): one example's
            graph compiled once, replayed over every batch (every loss of :data:`LOSSES`);
            the same gradients as the eager engine, far faster.  The parameters then live
            in the tape's vector while training, updated in place by the optimiser; the
            Values' ``.data`` are written from it before each ``callback`` and when ``fit``
            returns or raises, so reading a weight after (or inside a callback) is current.
        callback: called as ``callback(epoch, history)`` after each epoch (``epoch`` counts
            from 1; ``history`` already holds that epoch's loss and accuracy), e.g. to print
            progress or to record the weights.  An exception it raises stops training.
        validation: ``(X_val, Y_val)``, data held out of training: its loss and accuracy
            are recorded after each epoch in ``history.val_loss`` and ``val_accuracy``
            (learning curves on unseen data), by the same engine as training.

    Returns:
        History with one loss and one accuracy per epoch.

    Raises:
        FloatingPointError: a step would make a parameter non-finite (a learning rate too
            large); the parameters keep their last finite values.
        OverflowError: a value overflowed (the loss, the L2 term).
    """
    if callback is not None and not callable(callback):
        raise TypeError(f"fit: callback must be callable, got {type(callback).__name__}")
    if not isinstance(model, Module) and not callable(model):
        raise TypeError(f"fit: model must be a Module, got {type(model).__name__}")
    loss_fn = _losses.get(loss)
    epochs = _check_int(epochs, "epochs", 1)
    seed = _check_int(seed, "seed", -(2**63))
    Xa = np.asarray(X)
    if Xa.ndim != 2 or Xa.dtype == object or Xa.dtype.kind not in "iuf":
        raise ValueError(f"fit: X must be a 2-D array of numbers (examples, features), got "
                         f"shape {Xa.shape} and dtype {Xa.dtype}")
    Ya = np.array(Y)  # a copy
    if Ya.ndim == 0 or len(Ya) != len(Xa):
        raise ValueError(f"fit: X has {len(Xa)} rows but Y has shape {Ya.shape}")
    n = len(Xa)
    if n == 0:
        raise ValueError("fit: X is empty")
    size = n if batch_size is None else _check_int(batch_size, "batch_size", 1)
    params = model.parameters()
    opt = optimizer if optimizer is not None else SGD(params, lr=lr)
    if not isinstance(opt, Optimizer):
        raise TypeError(f"fit: optimizer must be an nn.optim Optimizer, got {type(opt).__name__}")
    l2_params = _l2_params(model, params, l2, l2_on)
    width = len(model(Xa[0].astype(np.float64).tolist()))
    acc_fn = accuracy_for(loss, Ya, width) if accuracy == "auto" else accuracy
    if acc_fn is not None and not callable(acc_fn):
        raise TypeError(f"fit: accuracy must be 'auto', a function or None, got {accuracy!r}")

    if compile:
        step: _TapeSteps | _EagerSteps = _TapeSteps(model, loss, Xa, Ya, width, params, opt,
                                                    l2, l2_params)
    else:
        rows = Xa.astype(np.float64).tolist()
        step = _EagerSteps(model, loss_fn, rows, Ya, params, opt, l2, l2_params, pause_gc)
    check = None if validation is None else _validation(validation, Xa.shape[1], step)
    val_targets: Any = None if validation is None else validation[1]
    rng = np.random.default_rng(seed % 2**64)  # numpy shuffles in C: Python's took ~1 ms
    history = History()
    bar = progress_bar(range(epochs), desc="fit", enabled=progress)
    try:
        for _ in bar:
            batches = rng.permutation(n) if shuffle else np.arange(n)  # sliced into views
            total, outs = 0.0, np.empty((n, width))
            for start in range(0, n, size):
                idx = batches[start:start + size]
                data_loss, out = step(idx, acc_fn is not None)  # outputs only to score
                if out is not None:
                    outs[start:start + len(idx)] = out
                total += data_loss * (len(idx) / n)  # exact for a single full batch
            history.loss.append(total)
            acc = None if acc_fn is None else float(acc_fn(outs, Ya[batches]))
            history.accuracy.append(acc)
            if check is not None:
                val_loss, val_out = check()
                history.val_loss.append(val_loss)
                history.val_accuracy.append(
                    None if acc_fn is None else float(acc_fn(val_out, val_targets)))
            if progress:
                bar.set_postfix(loss=f"{history.loss[-1]:.4g}",
                                **({} if acc is None else {"acc": f"{acc:.3f}"}))
            if callback is not None:
                step.sync()
                callback(len(history), history)
    finally:
        step.sync()
    return history


@contextmanager
def _nothing() -> Iterator[None]:
    yield


_L2_ON = ("all", "weights")


def _l2_params(model: Any, params: list, l2: Any, l2_on: Any) -> list:
    """The parameters the L2 term sums over (empty when l2 is 0), after checking l2."""
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real):
        raise TypeError(f"fit: l2 must be a real number, got {type(l2).__name__}")
    if not 0.0 <= float(l2) < float("inf"):
        raise ValueError(f"fit: l2 must be finite and >= 0, got {l2!r}")
    if not isinstance(l2_on, str) or l2_on not in _L2_ON:
        raise ValueError(f"fit: l2_on must be 'all' or 'weights', got {l2_on!r}")
    if not l2:
        return []
    chosen = params if l2_on == "all" else list(model.weights())
    if not chosen:
        what = "parameters" if l2_on == "all" else "weights"
        raise ValueError(f"fit: l2 > 0 but the model has no {what}")
    return chosen


def _check_l2(alpha: float, sum_of_squares: float) -> None:
    """The L2 term α·Σp² must be a float: the same error for the eager engine and the tape."""
    with np.errstate(over="ignore", invalid="ignore"):
        value = alpha * sum_of_squares
    if not math.isfinite(value):
        raise OverflowError(f"fit: the L2 term α·Σp² = {alpha!r} · {sum_of_squares!r} "
                            f"overflows a float; use a smaller l2")


def _validation(validation: Any, nin: int, step: Any) -> Callable[[], tuple[float, Any]]:
    """``evaluate() -> (loss, outputs)`` on the validation data, after checking its shape."""
    if not isinstance(validation, tuple) or len(validation) != 2:
        raise TypeError("fit: validation must be a pair (X_val, Y_val)")
    Xv, Yv = np.asarray(validation[0]), np.asarray(validation[1])
    if Xv.ndim != 2 or Xv.shape[1] != nin or Xv.dtype == object or Xv.dtype.kind not in "iuf":
        raise ValueError(f"fit: validation X must be a 2-D array of numbers with {nin} "
                         f"columns, got shape {Xv.shape} and dtype {Xv.dtype}")
    if len(Xv) == 0 or Yv.ndim == 0 or len(Yv) != len(Xv):
        raise ValueError(f"fit: validation X has {len(Xv)} rows but Y has shape {Yv.shape}")
    return step.evaluator(Xv.astype(np.float64), Yv)


class _EagerSteps:
    """One step on the eager engine: graphs of Values for the batch, backward, optimiser."""

    def __init__(self, model, loss_fn, rows, Ya, params, opt, l2, l2_params, pause_gc) -> None:
        self.model, self.loss_fn, self.rows, self.Ya = model, loss_fn, rows, Ya
        self.opt, self.l2, self.l2_params, self.pause_gc = opt, l2, l2_params, pause_gc

    def __call__(self, idx: np.ndarray, want_outputs: bool = True
                 ) -> tuple[float, list[list[float]] | None]:
        with paused_gc() if self.pause_gc else _nothing():
            outputs = [self.model(self.rows[i]) for i in idx]
            C = self.loss_fn(outputs, self.Ya[idx])
            data_loss = C.data
            if self.l2:
                _check_l2(self.l2, math.fsum(p.data * p.data for p in self.l2_params))
                C = C + _losses.l2(self.l2_params, self.l2)
            self.opt.zero_grad()
            C.backward()
            self.opt.step()
            return data_loss, ([[a.data for a in row] for row in outputs] if want_outputs
                               else None)

    def evaluator(self, Xv: np.ndarray, Yv: np.ndarray) -> Callable[[], tuple[float, Any]]:
        from micrograd_like import no_grad

        rows = Xv.tolist()

        def evaluate() -> tuple[float, np.ndarray]:
            with no_grad():
                outputs = [self.model(x) for x in rows]
                loss = self.loss_fn(outputs, Yv).data
            return loss, np.array([[a.data for a in row] for row in outputs])
        return evaluate

    def sync(self) -> None:
        """Nothing to do: the eager engine updates the Values themselves."""


class _TapeSteps:
    """One step on the compiled tape, the parameters kept in the tape's vector.

    The loss's per-example term (its targets as input leaves) is compiled once; each step
    replays it over the batch, adds the L2 gradient 2α·θ (on the chosen parameters), and
    lets the optimiser update the tape's parameter vector in place.  :meth:`sync` writes
    the parameters into the Values.
    """

    def __init__(self, model, loss, Xa, Ya, width, params, opt, l2, l2_params) -> None:
        from micrograd_like import Value
        from micrograd_like import tape as _tape

        fn = _losses.get(loss)
        if not isinstance(fn, _losses.Loss):
            raise NotImplementedError(
                f"fit(compile=True) compiles a loss's per-example term: give one of "
                f"{', '.join(_losses.LOSSES)} or an nn.losses.Loss, not {loss!r}; or use "
                f"compile=False")
        # every target checked once, as the eager loss checks a batch, then one input matrix
        self.fn = fn
        inputs = np.hstack([Xa.astype(np.float64), fn.target_rows(Ya, len(Ya), width)])
        if not np.isfinite(inputs).all():
            r, c = (int(i) for i in np.argwhere(~np.isfinite(inputs))[0])
            what = f"X[{r}, {c}]" if c < Xa.shape[1] else f"Y[{r}]"
            raise ValueError(f"fit: {what} = {inputs[r, c]!r} is not finite")
        # traced on the first example, so that a term that cannot be built raises as eagerly
        xs = [Value(v) for v in inputs[0].tolist()]
        self.out = model(xs[: Xa.shape[1]])
        self.tape = _tape.compile(fn.term(self.out, xs[Xa.shape[1]:]), inputs=xs,
                                  params=params, keep=self.out)
        self.tape.load(inputs)  # checked once; each step replays some of its rows
        self.opt = opt
        position = {id(p): k for k, p in enumerate(params)}
        missing = [p for p in opt.params if id(p) not in position]
        if missing:
            raise ValueError(f"fit: the optimizer updates {len(missing)} Values that are not "
                             f"parameters of the model, e.g. {missing[0]!r}")
        pos = np.array([position[id(p)] for p in opt.params], dtype=np.intp)
        self.pos = None if np.array_equal(pos, np.arange(len(params))) else pos
        self.l2 = l2
        if l2:  # 2α on the parameters the L2 term sums over, 0 on the others
            self.l2_chosen = np.array([position[id(p)] for p in l2_params], dtype=np.intp)
            self.l2_coef = np.zeros(len(params))
            self.l2_coef[self.l2_chosen] = 2.0 * l2

    def __call__(self, idx: np.ndarray, want_outputs: bool = True
                 ) -> tuple[float, np.ndarray | None]:
        batch_loss, grad = self.tape.value_and_grad_rows(idx)
        theta = self.tape.params_vector
        if self.l2:
            with np.errstate(over="ignore"):  # an overflow is _check_l2's to report
                _check_l2(self.l2, float(np.square(theta[self.l2_chosen]).sum()))
            with np.errstate(over="raise"):  # finite, as the optimiser requires
                grad = grad + self.l2_coef * theta
        if self.pos is None:
            self.opt.step_vector(theta, grad)
        else:  # the optimiser updates some of the parameters only
            part = theta[self.pos]
            self.opt.step_vector(part, grad[self.pos])
            theta[self.pos] = part
        return batch_loss, self.tape.values_of(self.out) if want_outputs else None

    def evaluator(self, Xv: np.ndarray, Yv: np.ndarray) -> Callable[[], tuple[float, Any]]:
        inputs = np.hstack([Xv, self.fn.target_rows(Yv, len(Yv), len(self.out))])

        def evaluate() -> tuple[float, np.ndarray]:
            loss = float(self.tape.forward(inputs).mean())
            return loss, self.tape.values_of(self.out)
        return evaluate

    def sync(self) -> None:
        """Write the tape's parameter vector into the Values' ``.data``."""
        self.tape.push_params()


# --------------------------------------------------------------------------------------
# Prediction
# --------------------------------------------------------------------------------------

_PREDICT_CHUNK = 4096  # rows per tape replay: bounds the tape's (nodes, batch) buffers


def _model_nin(model: Any) -> int | None:
    """The input width of an :class:`~nn.MLP` (or anything with ``layers[0].nin``), else None."""
    try:
        return int(model.layers[0].nin)
    except (AttributeError, IndexError, TypeError):
        return None


def _outputs_of(model: Any, x: Any) -> list:
    from micrograd_like import Value

    out = model(x)
    if isinstance(out, Value):
        out = [out]
    if not isinstance(out, (list, tuple)) or not out or not all(
            isinstance(a, Value) for a in out):
        raise TypeError(f"predict: model(x) must return a non-empty list of Values, got "
                        f"{type(out).__name__}")
    return list(out)


def predict(model: Module, X: Any, *, compile: bool = True) -> np.ndarray:  # noqa: A002
    """The model's outputs for every row of ``X``: an array of shape (n, outputs).

    Row i of the result is ``[a.data for a in model(X[i])]``, the output layer's activations
    aᴸ for input xᵢ (raw scores for a linear output layer).  The classes they predict are
    :func:`nn.classify.predict_classes`'s (or ``to_classes`` of this array).

    Args:
        model: e.g. an :class:`~nn.MLP`; ``model(x)`` must return a list of Values.
        X: inputs, a 2-D array-like (n, features) of finite real numbers (not modified).
            For one example use ``X[None, :]`` or ``[x]``.
        compile: ``True`` builds one example's graph with fresh input leaves, compiles it
            with :func:`micrograd_like.tape.compile` and replays that tape over all rows at
            once (batched numpy); ``False`` runs the eager engine row by row under
            :func:`micrograd_like.no_grad`.  Both give the same numbers (to rounding).
            Called inside ``no_grad()`` no graph can be built, so the eager path is used.

    Returns:
        float64 array (n, outputs); (0, outputs) for an empty ``X``.

    Raises:
        ValueError: ``X`` is not 2-D, has the wrong number of columns, or holds NaN/inf.
        TypeError: ``X`` is not numeric, or ``model`` does not return Values.

    >>> from nn import MLP
    >>> mlp = MLP(2, [4, 3], activation="tanh", seed=0)
    >>> P = predict(mlp, [[0.5, -1.0], [2.0, 0.0]])
    >>> P.shape
    (2, 3)
    >>> bool(np.allclose(P, predict(mlp, [[0.5, -1.0], [2.0, 0.0]], compile=False)))
    True
    """
    from micrograd_like import Value, is_grad_enabled, no_grad

    if not isinstance(model, Module) and not callable(model):
        raise TypeError(f"predict: model must be a Module, got {type(model).__name__}")
    try:
        Xa = np.asarray(X)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"predict: X must be a rectangular 2-D array of numbers: {exc}") from None
    if Xa.dtype == object or Xa.dtype.kind not in "iuf":
        raise TypeError(f"predict: X must hold real numbers (int or float), got dtype "
                        f"{Xa.dtype}")
    if Xa.ndim != 2:
        hint = " (for one example use X[None, :])" if Xa.ndim == 1 else ""
        raise ValueError(f"predict: X must be 2-D (examples, features), got shape "
                         f"{Xa.shape}{hint}")
    nin = _model_nin(model)
    if nin is not None and Xa.shape[1] != nin:
        raise ValueError(f"predict: the model takes {nin} inputs but X has {Xa.shape[1]} "
                         f"columns (shape {Xa.shape})")
    Xa = Xa.astype(np.float64)
    if not np.isfinite(Xa).all():
        r, c = (int(i) for i in np.argwhere(~np.isfinite(Xa))[0])
        raise ValueError(f"predict: X must be finite, got {Xa[r, c]!r} at row {r}, column {c}")
    n, nf = Xa.shape

    if not compile or not is_grad_enabled() or n == 0:
        with no_grad():
            if n == 0:
                return np.empty((0, len(_outputs_of(model, [0.0] * nf))))
            rows = [_outputs_of(model, row) for row in Xa.tolist()]
            return np.array([[a.data for a in row] for row in rows], dtype=np.float64)

    from micrograd_like import engine
    from micrograd_like import tape as _tape

    xs = [Value(float(v)) for v in Xa[0]]
    for k, x in enumerate(xs):
        x.tag = input_annotation(k)
    out = _outputs_of(model, xs)
    # One scalar root that reads every output without folding it into a sum: Σⱼ 1·aⱼ.
    root = engine.dot([Value(1.0) for _ in out], out)
    params = [p for p in model.parameters()] if isinstance(model, Module) else []
    tape = _tape.compile(root, inputs=xs, params=params)
    result = np.empty((n, len(out)))
    for start in range(0, n, _PREDICT_CHUNK):
        block = Xa[start:start + _PREDICT_CHUNK]
        tape.forward(block)
        for j, a in enumerate(out):
            result[start:start + len(block), j] = tape.value_of(a)
    return result
