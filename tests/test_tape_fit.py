"""``nn.fit(compile=True)`` trains on the tape exactly as ``fit`` does on the eager engine."""

from __future__ import annotations

import numpy as np
import pytest

from nn import MLP, SGD, Adam, fit, losses
from nn.datasets import make_moons

CASES = [
    # (loss, output width, output activation, targets from 0/1 labels y)
    ("hinge", 1, "linear", lambda y: 2 * y - 1),
    ("softmax_cross_entropy", 2, "linear", lambda y: y),
    ("quadratic", 1, "sigmoid", lambda y: y.astype(float)),
]


@pytest.mark.parametrize(("loss", "width", "out_act", "targets"), CASES)
def test_fit_compiled_follows_the_eager_history_and_weights(loss, width, out_act, targets):
    X, y = make_moons(60, noise=0.1, seed=1)
    runs = []
    for compiled in (False, True):
        mlp = MLP(2, [6, width], activation="tanh", output_activation=out_act, seed=2)
        h = fit(mlp, X, targets(y), loss=loss, lr=0.2, epochs=4, batch_size=16, l2=1e-3,
                progress=False, compile=compiled)
        runs.append((h, np.concatenate([w.ravel() for w in mlp.to_matrices()[0]])))
    (eager, w_eager), (taped, w_taped) = runs
    np.testing.assert_allclose(taped.loss, eager.loss, rtol=1e-12, atol=1e-12)
    assert taped.accuracy == eager.accuracy
    np.testing.assert_allclose(w_taped, w_eager, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("make_optimizer", [
    lambda ps: SGD(ps, lr=0.2, momentum=0.9),
    lambda ps: Adam(ps, lr=0.05),
], ids=["sgd-momentum", "adam"])
def test_an_optimizer_with_state_follows_the_eager_weights_on_the_tape(make_optimizer):
    # plain SGD writes straight into the tape's spare parameter buffer; these build their
    # result elsewhere and copy it there
    X, y = make_moons(40, noise=0.1, seed=5)
    weights = []
    for compiled in (False, True):
        mlp = MLP(2, [5, 1], activation="tanh", seed=6)
        fit(mlp, X, 2 * y - 1, loss="hinge", optimizer=make_optimizer(mlp.parameters()),
            epochs=3, batch_size=8, progress=False, compile=compiled)
        weights.append(weights_of(mlp))
    np.testing.assert_allclose(weights[1], weights[0], rtol=1e-11, atol=1e-12)


def test_fit_compiled_checks_hinge_labels():
    X, y = make_moons(10, noise=0.1, seed=1)
    with pytest.raises(ValueError, match=r"labels\[2\] = 0 must be -1 or \+1"):
        fit(MLP(2, [3, 1]), X, y, loss="hinge", compile=True, progress=False)


def weights_of(mlp: MLP) -> np.ndarray:
    return np.array([p.data for p in mlp.parameters()])


EVERY_LOSS = [*CASES, ("cross_entropy", 1, "sigmoid", lambda y: y.astype(float))]


@pytest.mark.parametrize(("loss", "width", "out_act", "targets"), EVERY_LOSS)
@pytest.mark.parametrize("l2_on", ["all", "weights"])
def test_every_loss_and_both_l2_forms_follow_the_eager_engine_on_the_tape(
        loss, width, out_act, targets, l2_on):
    X, y = make_moons(40, noise=0.1, seed=3)
    runs = []
    for compiled in (False, True):
        mlp = MLP(2, [5, width], activation="tanh", output_activation=out_act, seed=4)
        h = fit(mlp, X, targets(y), loss=loss, lr=0.3, epochs=3, batch_size=8, l2=0.01,
                l2_on=l2_on, progress=False, compile=compiled)
        runs.append((h.loss, weights_of(mlp)))
    (loss_e, w_e), (loss_t, w_t) = runs
    np.testing.assert_allclose(loss_t, loss_e, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w_t, w_e, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("compiled", [False, True])
def test_l2_on_weights_leaves_the_biases_to_the_data_gradient_alone(compiled):
    """Targets equal to the outputs make the data gradient 0, leaving the L2 term alone:
    each weight shrinks by the factor 1 − 2ηα, each (non-zero) bias stays as it was."""
    X = np.random.default_rng(0).normal(size=(4, 2))
    mlp = MLP(2, [3, 1], activation="tanh", output_activation="linear", seed=0)
    biases = [n.b for layer in mlp.layers for n in layer.neurons]
    for k, b in enumerate(biases):
        b.data = 0.25 * (k + 1)
    target = np.array([mlp(x)[0].data for x in X.tolist()])
    before_w = np.array([w.data for w in mlp.weights()])
    before_b = np.array([b.data for b in biases])
    fit(mlp, X, target, loss="quadratic", lr=0.5, epochs=1, l2=0.1, l2_on="weights",
        progress=False, compile=compiled)
    np.testing.assert_allclose([w.data for w in mlp.weights()], before_w * (1 - 2 * 0.5 * 0.1),
                               rtol=1e-13)
    np.testing.assert_allclose([b.data for b in biases], before_b, rtol=0, atol=1e-15)


@pytest.mark.parametrize("compiled", [False, True])
def test_a_learning_rate_that_overflows_stops_training_with_finite_weights(compiled):
    X, _ = make_moons(20, noise=0.1, seed=1)
    mlp = MLP(2, [4, 1], activation="tanh", seed=0)
    start = weights_of(mlp)
    # targets 100 make ∂C/∂b of the output about −100, so η·∂C/∂b ≈ −1e309 is not a float
    with pytest.raises(FloatingPointError, match=r"SGD.step: parameter \d+ \([wb]\[.*\] = "
                                                 r".*would become -?inf.*smaller learning rate"):
        fit(mlp, X, np.full(20, 100.0), loss="quadratic", lr=1e307, epochs=3,
            progress=False, compile=compiled)
    assert np.array_equal(weights_of(mlp), start)  # the step was refused as a whole


@pytest.mark.parametrize("compiled", [False, True])
def test_an_l2_term_that_overflows_stops_adam_with_the_same_error_and_finite_weights(compiled):
    X, y = make_moons(20, noise=0.1, seed=1)
    mlp = MLP(2, [4, 1], activation="tanh", seed=0)
    start = weights_of(mlp)
    with pytest.raises(OverflowError, match=r"fit: the L2 term α·Σp² = 1e\+308 · .* overflows"):
        fit(mlp, X, 2 * y - 1, loss="hinge", optimizer=Adam(mlp.parameters()), l2=1e308,
            epochs=2, progress=False, compile=compiled)
    assert np.array_equal(weights_of(mlp), start)  # refused before the first update


@pytest.mark.parametrize("compiled", [False, True])
def test_softmax_labels_that_are_not_integers_are_refused(compiled):
    X, _ = make_moons(4, noise=0.1, seed=1)
    with pytest.raises(ValueError, match=r"labels\[\d\] must be an integer, got 1.7"):
        fit(MLP(2, [3, 2]), X, [0, 1.7, 1, 0], loss="softmax_cross_entropy",
            compile=compiled, progress=False)


def test_weights_read_in_a_callback_are_those_of_the_eager_run_at_that_epoch():
    X, y = make_moons(30, noise=0.1, seed=2)
    seen = {}
    for compiled in (False, True):
        mlp = MLP(2, [4, 1], activation="tanh", seed=1)
        seen[compiled] = []
        fit(mlp, X, 2 * y - 1, loss="hinge", lr=0.1, epochs=3, batch_size=10,
            progress=False, compile=compiled,
            callback=lambda e, h, mlp=mlp, log=seen[compiled]: log.append(weights_of(mlp)))
    for w_eager, w_tape in zip(seen[False], seen[True], strict=True):
        np.testing.assert_allclose(w_tape, w_eager, rtol=1e-12, atol=1e-13)


def test_weights_after_an_error_are_the_last_finite_ones_not_stale_values():
    X, _y = make_moons(20, noise=0.1, seed=1)
    mlp = MLP(2, [4, 1], activation="tanh", seed=0)
    start = weights_of(mlp)
    with pytest.raises(FloatingPointError):  # the second step's gradient is about 1e306·…
        fit(mlp, X, np.full(20, 100.0), loss="quadratic", lr=1e305, epochs=3, batch_size=10,
            progress=False, compile=True)
    w = weights_of(mlp)
    assert np.isfinite(w).all() and not np.array_equal(w, start)  # trained, then stopped


def test_an_optimizer_over_some_parameters_trains_only_those_on_the_tape():
    X, y = make_moons(30, noise=0.1, seed=2)
    runs = []
    for compiled in (False, True):
        mlp = MLP(2, [4, 1], activation="tanh", seed=1)
        last = mlp.layers[-1].parameters()
        fit(mlp, X, 2 * y - 1, loss="hinge", optimizer=SGD(last, lr=0.1), epochs=2,
            batch_size=10, progress=False, compile=compiled)
        runs.append(weights_of(mlp))
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-12, atol=1e-13)
    first = MLP(2, [4, 1], activation="tanh", seed=1).layers[0].parameters()
    assert [p.data for p in first] == runs[1][: len(first)].tolist()  # untouched


@pytest.mark.parametrize("compiled", [False, True])
def test_validation_loss_and_accuracy_are_those_of_the_weights_after_each_epoch(compiled):
    X, y = make_moons(40, noise=0.1, seed=5)
    Xv, yv = make_moons(30, noise=0.1, seed=6)
    mlp = MLP(2, [6, 2], activation="tanh", seed=3)
    expected = []

    def measure(epoch, history):  # the eager engine on the weights of this epoch
        outs = [mlp(x) for x in Xv.tolist()]
        loss = losses.softmax_cross_entropy(outs, yv).data
        acc = np.mean(np.argmax([[a.data for a in o] for o in outs], axis=1) == yv)
        expected.append((loss, acc))

    h = fit(mlp, X, y, loss="softmax_cross_entropy", lr=0.5, epochs=3, batch_size=8,
            progress=False, compile=compiled, validation=(Xv, yv), callback=measure)
    np.testing.assert_allclose(h.val_loss, [e[0] for e in expected], rtol=1e-12)
    assert h.val_accuracy == [e[1] for e in expected]
    assert len(h.loss) == len(h.val_loss) == 3


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_every_loss_of_nn_losses_by_name_or_function_trains_on_the_tape(name):
    X, y = make_moons(12, noise=0.1, seed=1)
    fn = losses.LOSSES[name]
    width = 2 if fn is losses.softmax_cross_entropy else 1
    Y = {losses.hinge: 2 * y - 1, losses.softmax_cross_entropy: y}.get(fn, y.astype(float))
    for loss in (name, fn):
        mlp = MLP(2, [3, width], activation="tanh",
                  output_activation="sigmoid" if fn is losses.cross_entropy else "linear")
        h = fit(mlp, X, Y, loss=loss, lr=0.1, epochs=2, progress=False, compile=True)
        assert len(h.loss) == 2 and np.isfinite(h.loss).all()


# -- the edges where a loss written naively overflows: eager and compiled agree ----------------


def one_layer(bias, output_activation):
    """x ↦ act(0·x + b): every example's output is act(b), whatever x is."""
    return MLP.from_matrices([np.zeros((len(bias), 1))], [np.asarray(bias, dtype=float)],
                             output_activation=output_activation)


@pytest.mark.parametrize("compiled", [False, True])
def test_cross_entropy_of_a_sigmoid_saturated_at_one_with_target_zero_is_softplus_40(compiled):
    # z = 40: σ(z) rounds to 1.0, C = ln(1 + e⁴⁰) (closed form), ∂C/∂b = σ(40) − 0
    mlp = one_layer([40.0], "sigmoid")
    h = fit(mlp, np.zeros((1, 1)), [0.0], loss="cross_entropy", lr=0.5, epochs=1,
            progress=False, compile=compiled)
    assert h.loss[0] == pytest.approx(40.0 + np.log1p(np.exp(-40.0)), rel=1e-15)
    assert mlp.layers[0].neurons[0].b.data == 40.0 - 0.5 / (1.0 + np.exp(-40.0))


@pytest.mark.parametrize("compiled", [False, True])
def test_softmax_cross_entropy_of_logits_1500_and_0_for_class_1_is_1500(compiled):
    # C = ln(e¹⁵⁰⁰ + e⁰) − 0 = 1500 exactly in floats; ∂C/∂b = softmax − onehot = [1, −1]
    mlp = one_layer([1500.0, 0.0], "linear")
    h = fit(mlp, np.zeros((1, 1)), [1], loss="softmax_cross_entropy", lr=0.5, epochs=1,
            progress=False, compile=compiled)
    assert h.loss == [1500.0]
    assert [n.b.data for n in mlp.layers[0].neurons] == [1499.5, 0.5]


@pytest.mark.parametrize("compiled", [False, True])
def test_cross_entropy_of_an_output_that_is_not_a_sigmoid_at_1_names_the_fix(compiled):
    mlp = one_layer([1.0], "linear")
    with pytest.raises(ValueError, match=r"output 0 = 1.0 must lie in \(0, 1\).*sigmoid node"):
        fit(mlp, np.zeros((1, 1)), [1.0], loss="cross_entropy", epochs=1, progress=False,
            compile=compiled)
