"""nn.fit: the training loop, its history, shuffling, GC handling and argument checks."""

from __future__ import annotations

import gc
import re

import numpy as np
import pytest

from micrograd_like import Value
from nn import MLP, SGD, Adam, History, fit, losses
from nn.datasets import make_moons, make_xor


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(60, noise=0.1, seed=0)
    return X, 2 * y - 1


def test_fit_reduces_the_hinge_loss_and_learns_the_moons(moons):
    X, y = moons
    mlp = MLP(2, [8, 8, 1], activation="relu", seed=0)
    h = fit(mlp, X, y, loss="hinge", lr=0.1, epochs=40, l2=1e-4, progress=False)
    assert len(h) == 40 and len(h.accuracy) == 40
    assert h.loss[-1] < 0.5 * h.loss[0]
    assert h.accuracy[-1] > 0.85


def test_fit_with_adam_and_minibatches_reduces_cross_entropy():
    X, y = make_xor(80, seed=1)
    mlp = MLP(2, [8, 1], activation="tanh", output_activation="sigmoid", seed=1)
    opt = Adam(mlp.parameters(), lr=0.05)
    h = fit(mlp, X, y, loss="cross_entropy", optimizer=opt, epochs=30, batch_size=16,
            progress=False)
    assert h.loss[-1] < 0.6 * h.loss[0]


def test_full_batch_fit_equals_the_loop_written_out(moons):
    X, y = moons
    a = MLP(2, [4, 1], activation="tanh", seed=3)
    b = MLP(2, [4, 1], activation="tanh", seed=3)
    h = fit(a, X, y, loss="hinge", lr=0.2, epochs=3, l2=1e-3, shuffle=False, progress=False)
    opt = SGD(b.parameters(), lr=0.2)
    manual = []
    for _ in range(3):
        outputs = [b(x) for x in X.tolist()]
        C = losses.hinge(outputs, y)
        manual.append(C.data)
        C = C + losses.l2(b.parameters(), 1e-3)
        opt.zero_grad()
        C.backward()
        opt.step()
    assert h.loss == manual
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_history_loss_is_the_example_weighted_mean_of_batch_losses():
    # two batches of 2 and 1 examples with shuffle off: mean = (2·C₁ + 1·C₂) / 3
    X = np.array([[0.1, 0.2], [0.3, -0.1], [-0.5, 0.4]])
    Y = np.array([0.5, -0.2, 0.1])
    mlp = MLP(2, [1], output_activation="linear", seed=0)
    ref = MLP(2, [1], output_activation="linear", seed=0)
    h = fit(mlp, X, Y, loss="quadratic", lr=0.1, epochs=1, batch_size=2, shuffle=False,
            progress=False)
    opt = SGD(ref.parameters(), lr=0.1)
    parts = []
    for idx in ([0, 1], [2]):
        C = losses.quadratic([ref(X[i]) for i in idx], Y[idx])
        parts.append(C.data * len(idx))
        opt.zero_grad()
        C.backward()
        opt.step()
    assert h.loss == [pytest.approx(sum(parts) / 3, rel=1e-15)]
    assert h.accuracy == [None]  # regression targets: no accuracy


def test_fit_is_reproducible_for_a_seed_and_shuffles_differently_for_another(moons):
    X, y = moons

    def run(seed):
        mlp = MLP(2, [4, 1], activation="relu", seed=0)
        return fit(mlp, X, y, loss="hinge", lr=0.1, epochs=3, batch_size=10, seed=seed,
                   progress=False).loss

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_fit_never_modifies_the_callers_data(moons):
    X, y = moons
    X0, y0 = X.copy(), y.copy()
    fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, batch_size=7, progress=False)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


@pytest.mark.parametrize("enabled", [True, False])
def test_fit_restores_the_garbage_collectors_state(moons, enabled):
    X, y = moons
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        fit(MLP(2, [3, 1], seed=0), X, y, loss="hinge", epochs=1, progress=False)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_gc_is_restored_when_a_step_raises():
    X = np.array([[0.0, 1.0]])
    was = gc.isenabled()
    gc.enable()
    try:
        with pytest.raises(ValueError):
            # a linear output of 1.5 is not a probability: cross_entropy raises mid-step
            mlp = MLP.from_matrices([[[0.0, 0.0]]], [[1.5]], output_activation="linear")
            fit(mlp, X, [0.5], loss="cross_entropy", epochs=1, progress=False)
        assert gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()


def test_pause_gc_off_gives_the_same_numbers(moons):
    X, y = moons
    a = fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, progress=False)
    b = fit(MLP(2, [4, 1], seed=0), X, y, loss="hinge", epochs=2, progress=False,
            pause_gc=False)
    assert a.loss == b.loss


def test_progress_false_prints_nothing(moons, capsys):
    X, y = moons
    fit(MLP(2, [3, 1], seed=0), X, y, loss="hinge", epochs=2, progress=False)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_compile_true_with_a_loss_function_of_ones_own_raises_a_clear_message(moons):
    X, y = moons
    with pytest.raises(NotImplementedError, match="compile=True"):
        fit(MLP(2, [3, 1], output_activation="sigmoid"), X, y,
            loss=lambda out, Y: losses.quadratic(out, Y), compile=True, progress=False)


@pytest.mark.parametrize(
    "loss, Y, outputs, want",
    [
        ("hinge", [1, -1, 1], [[0.3], [0.2], [-0.1]], 1 / 3),
        ("softmax_cross_entropy", [0, 1, 1], [[2.0, 1.0], [0.0, 1.0], [3.0, -1.0]], 2 / 3),
        ("cross_entropy", [[1.0], [0.0], [0.0]], [[0.7], [0.6], [0.1]], 2 / 3),
        ("quadratic", [[0, 1], [1, 0], [1, 0]], [[0.2, 0.9], [0.4, 0.3], [0.1, 0.5]], 2 / 3),
    ],
)
def test_auto_accuracy_for_each_loss(loss, Y, outputs, want):
    # expected fractions counted by hand from the rows above
    from nn.train import accuracy_for

    Y = np.asarray(Y)
    acc = accuracy_for(loss, Y, len(outputs[0]))
    assert acc(np.asarray(outputs), Y) == pytest.approx(want)


def test_custom_loss_and_accuracy_functions_are_used(moons):
    X, y = moons

    def half_quadratic(outputs, targets):
        return losses.quadratic(outputs, targets) * 0.5

    h = fit(MLP(2, [3, 1], seed=0), X, y.astype(float), loss=half_quadratic, epochs=1,
            accuracy=lambda a, t: 0.25, progress=False)
    assert h.accuracy == [0.25]


def test_history_repr():
    h = History([1.0, 0.5], [0.5, 0.75])
    assert repr(h) == "History(2 epochs, final loss 0.5, accuracy 0.750)"


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(epochs=0), ValueError, "epochs must be at least 1"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(batch_size=2.5), TypeError, "batch_size"),
        (dict(loss="l1"), ValueError, "unknown loss 'l1'"),
        (dict(optimizer="sgd"), TypeError, "optimizer"),
        (dict(X=np.ones(4)), ValueError, "X must be a 2-D array"),
        (dict(Y=np.ones(3)), ValueError, "X has 4 rows"),
        (dict(accuracy=3), TypeError, "accuracy"),
    ],
)
def test_bad_fit_arguments_raise_naming_them(kwargs, error, words):
    args = dict(X=np.ones((4, 2)), Y=np.ones(4), loss="quadratic", progress=False)
    args.update(kwargs)
    X, Y = args.pop("X"), args.pop("Y")
    with pytest.raises(error, match=re.escape(words)):
        fit(MLP(2, [1]), X, Y, **args)


def test_fit_accepts_nested_lists_and_value_free_data():
    h = fit(MLP(2, [1], seed=0), [[0.0, 1.0], [1.0, 0.0]], [[1.0], [0.0]], epochs=2,
            progress=False)
    assert len(h) == 2 and all(isinstance(v, float) for v in h.loss)
    assert not isinstance(h.loss[0], Value)


def test_callback_sees_each_epoch_with_its_history_so_far(moons):
    X, y = moons
    seen = []
    h = fit(MLP(2, [4, 1], activation="tanh", seed=0), X, y, loss="hinge", epochs=4,
            progress=False, callback=lambda e, hist: seen.append((e, list(hist.loss))))
    assert [e for e, _ in seen] == [1, 2, 3, 4]
    assert [losses_so_far for _, losses_so_far in seen] == [h.loss[:k] for k in range(1, 5)]


def test_an_exception_in_the_callback_stops_training(moons):
    X, y = moons
    mlp = MLP(2, [4, 1], activation="tanh", seed=0)

    class EnoughError(Exception):
        pass

    epochs_run = []

    def stop_after_two(epoch, history):
        epochs_run.append(epoch)
        if epoch == 2:
            raise EnoughError

    with pytest.raises(EnoughError):
        fit(mlp, X, y, loss="hinge", epochs=10, progress=False, callback=stop_after_two)
    assert epochs_run == [1, 2]


def test_callback_must_be_callable(moons):
    X, y = moons
    with pytest.raises(TypeError, match="callback must be callable"):
        fit(MLP(2, [1], seed=0), X, y, epochs=1, progress=False, callback="print")
