"""nn.optim: SGD (with momentum) and Adam against their update rules, on a tiny quadratic."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from micrograd_like import Value
from nn.optim import SGD, Adam

TARGET = 3.0


def quadratic_step(opt, p):
    """One step on f(p) = (p − 3)², whose gradient is 2(p − 3)."""
    opt.zero_grad()
    ((p - TARGET) ** 2).backward()
    opt.step()


def test_sgd_step_is_p_minus_lr_times_gradient():
    p = Value(1.0)
    quadratic_step(SGD([p], lr=0.1), p)
    # p ← 1 − 0.1 · 2(1 − 3) = 1.4 (hand calculation)
    assert p.data == pytest.approx(1.4, abs=1e-15)


def test_sgd_with_momentum_follows_the_heavy_ball_rule():
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.5)
    # by hand: g₁ = 2(1 − 3) = −4, v₁ = −0.1·(−4) = 0.4, p₁ = 1.4;
    #          g₂ = 2(1.4 − 3) = −3.2, v₂ = 0.5·0.4 + 0.32 = 0.52, p₂ = 1.92
    quadratic_step(opt, p)
    assert p.data == pytest.approx(1.4, abs=1e-15)
    quadratic_step(opt, p)
    assert p.data == pytest.approx(1.92, abs=1e-15)


def test_sgd_learning_rate_can_change_between_steps():
    p = Value(1.0)
    opt = SGD([p], lr=0.1)
    opt.lr = 0.25
    quadratic_step(opt, p)
    assert p.data == pytest.approx(1.0 + 0.25 * 4, abs=1e-15)  # 1 − 0.25·(−4) = 2


def test_first_adam_step_moves_each_parameter_by_lr_against_the_gradient_sign():
    # after one step m̂ = g and v̂ = g², so the update is −lr·g/(|g| + ε) ≈ −lr·sign(g)
    ps = [Value(1.0), Value(5.0)]
    opt = Adam(ps, lr=0.01, eps=1e-8)
    opt.zero_grad()
    ((ps[0] - TARGET) ** 2 + (ps[1] - TARGET) ** 2).backward()
    opt.step()
    assert ps[0].data == pytest.approx(1.0 + 0.01 * 4 / (4 + 1e-8), abs=1e-15)
    assert ps[1].data == pytest.approx(5.0 - 0.01 * 4 / (4 + 1e-8), abs=1e-15)


def test_adam_matches_the_update_rule_written_out_in_numpy():
    p = Value(1.0)
    opt = Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-6)
    x, m, v = 1.0, 0.0, 0.0
    for t in range(1, 6):
        quadratic_step(opt, p)
        g = 2 * (x - TARGET)
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
        x -= 0.1 * (m / (1 - 0.8**t)) / (math.sqrt(v / (1 - 0.9**t)) + 1e-6)
        assert p.data == pytest.approx(x, abs=1e-14)


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)])
def test_optimisers_minimise_the_quadratic(make):
    p = Value(-2.0)
    opt = make([p])
    for _ in range(300):
        quadratic_step(opt, p)
    assert p.data == pytest.approx(TARGET, abs=1e-3)


def test_zero_grad_resets_every_parameter():
    ps = [Value(1.0), Value(2.0)]
    (ps[0] * ps[1]).backward()
    opt = SGD(ps)
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda: SGD([1.0]), TypeError, "params[0] must be a Value"),
        (lambda: SGD([Value(1.0)] * 2), ValueError, "params[1] appears twice"),
        (lambda: SGD([Value(1.0)], lr=0.0), ValueError, "lr"),
        (lambda: SGD([Value(1.0)], lr=float("nan")), ValueError, "lr"),
        (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "lr"),
        (lambda: SGD([Value(1.0)], momentum=1.0), ValueError, "momentum"),
        (lambda: Adam([Value(1.0)], betas=(0.9,)), TypeError, "betas"),
        (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "beta2"),
        (lambda: Adam([Value(1.0)], eps=0.0), ValueError, "eps"),
    ],
)
def test_bad_optimiser_arguments_raise_naming_the_problem(make, error, words):
    with pytest.raises(error, match=re.escape(words)):
        make()


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_optimisers_agree_with_torch_on_the_quadratic(kind):
    torch = pytest.importorskip("torch", reason="torch not installed: cross-check skipped")
    start = np.array([1.0, -2.0, 4.5])
    ps = [Value(v) for v in start]
    tp = torch.tensor(start, requires_grad=True)
    if kind == "adam":
        ours, ref = Adam(ps, lr=0.05), torch.optim.Adam([tp], lr=0.05)
    else:
        mu = 0.9 if kind == "momentum" else 0.0
        ours, ref = SGD(ps, lr=0.05, momentum=mu), torch.optim.SGD([tp], lr=0.05, momentum=mu)
    for _ in range(10):
        ours.zero_grad()
        sum((p - TARGET) ** 2 for p in ps).backward()
        ours.step()
        ref.zero_grad()
        ((tp - TARGET) ** 2).sum().backward()
        ref.step()
    np.testing.assert_allclose([p.data for p in ps], tp.detach().numpy(), rtol=1e-12)


def test_a_finite_step_to_a_value_whose_square_overflows_is_kept():
    theta, grad = np.array([1e200, 0.5]), np.array([-1e199, 1.0])
    SGD([Value(0.0), Value(0.0)], lr=1.0).step_vector(theta, grad)
    np.testing.assert_allclose(theta, [1.1e200, -0.5], rtol=1e-15)


def test_a_step_that_overflows_among_huge_values_names_the_parameter():
    theta, grad = np.array([1e200, 1.7e308]), np.array([1.0, -1.7e308])
    with pytest.raises(FloatingPointError, match=r"parameter 1 .* would become inf"):
        SGD([Value(0.0), Value(0.0)], lr=1.0).step_vector(theta, grad)
    np.testing.assert_array_equal(theta, [1e200, 1.7e308])


def test_a_gradient_set_by_hand_to_nan_is_refused_by_step_naming_the_parameter():
    ps = [Value(1.0, label="a"), Value(2.0, label="b")]
    ps[0].grad, ps[1].grad = 0.5, float("nan")
    with pytest.raises(FloatingPointError, match=r"parameter 1 \(b = 2.0, ∂C/∂p = nan\) .*"
                                                 r"its gradient ∂C/∂p is not finite"):
        SGD(ps, lr=0.1).step()
    assert [p.data for p in ps] == [1.0, 2.0]


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=1e308, momentum=0.5),
                                  lambda ps: Adam(ps, lr=1e308)], ids=["momentum", "adam"])
def test_an_overflowing_update_changes_neither_the_parameters_nor_the_state(make):
    theta, grad = np.array([1.7e308, 1.0]), np.array([-10.0, 1.0])
    opt = make([Value(0.0), Value(0.0)])
    state = {k: np.copy(v) for k, v in vars(opt).items() if isinstance(v, np.ndarray)}
    with pytest.raises(FloatingPointError, match=r"parameter 0 .* would become inf"):
        opt.step_vector(theta, grad)
    np.testing.assert_array_equal(theta, [1.7e308, 1.0])
    for k, v in state.items():
        np.testing.assert_array_equal(getattr(opt, k), v, err_msg=k)
