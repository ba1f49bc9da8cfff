"""``nn.fit(compile=True)`` trains on the tape exactly as ``fit`` does on the eager engine."""

from __future__ import annotations

import numpy as np
import pytest

from nn import MLP, fit
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


def test_fit_compiled_checks_hinge_labels():
    X, y = make_moons(10, noise=0.1, seed=1)
    with pytest.raises(ValueError, match="labels must be -1 or \\+1"):
        fit(MLP(2, [3, 1]), X, y, loss="hinge", compile=True, progress=False)
