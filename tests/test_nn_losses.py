"""nn.losses: each cost and its gradient against a separate numpy formula."""

from __future__ import annotations

import re

import numpy as np
import pytest

from micrograd_like import Value, topological_order
from micrograd_like.annotation import annotation_of
from nn import losses

rng = np.random.default_rng(0)


def leaves(A):
    """A numpy matrix (examples, outputs) as rows of leaf Values."""
    return [[Value(v) for v in row] for row in np.asarray(A).tolist()]


def grads(rows):
    return np.array([[v.grad for v in row] for row in rows])


# --------------------------------------------------------------------------------------
# Values and gradients against numpy
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, m", [(1, 1), (4, 1), (3, 5)])
def test_quadratic_is_one_over_2n_sum_of_squares_with_gradient_a_minus_y_over_n(n, m):
    A, Y = rng.normal(size=(n, m)), rng.normal(size=(n, m))
    rows = leaves(A)
    C = losses.quadratic(rows, Y)
    C.backward()
    assert C.data == pytest.approx(np.sum((Y - A) ** 2) / (2 * n), rel=1e-14)
    np.testing.assert_allclose(grads(rows), (A - Y) / n, rtol=1e-14)


@pytest.mark.parametrize("n, m", [(1, 1), (5, 1), (3, 4)])
def test_cross_entropy_matches_numpy_and_its_gradient(n, m):
    A = rng.uniform(0.05, 0.95, size=(n, m))
    Y = rng.uniform(0.0, 1.0, size=(n, m))
    rows = leaves(A)
    C = losses.cross_entropy(rows, Y)
    C.backward()
    want = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / n
    assert C.data == pytest.approx(want, rel=1e-13)
    # d/da of −[y ln a + (1 − y) ln(1 − a)] = (a − y) / (a(1 − a)), divided by n
    np.testing.assert_allclose(grads(rows), (A - Y) / (A * (1 - A)) / n, rtol=1e-12)


def test_cross_entropy_of_a_saturated_sigmoid_is_written_from_z():
    # σ(40) rounds to 1.0, so ln(1 − a) is −inf; from z the term is softplus(z) − y·z:
    # with y = 0, C = ln(1 + e⁴⁰) (closed form), and ∂C/∂z = σ(z) − y
    z = Value(40.0)
    a = z.sigmoid()
    assert a.data == 1.0
    C = losses.cross_entropy([[a]], [0.0])
    assert C.data == pytest.approx(40.0 + np.log1p(np.exp(-40.0)), rel=1e-15)
    C.backward()
    assert z.grad == pytest.approx(1.0 / (1.0 + np.exp(-40.0)), rel=1e-15)


def test_cross_entropy_of_a_sigmoid_on_the_correct_side_of_saturation_is_tiny():
    z = Value(40.0)
    C = losses.cross_entropy([[z.sigmoid()]], [1.0])  # softplus(40) − 40 = ln(1 + e⁻⁴⁰)
    assert C.data == pytest.approx(np.log1p(np.exp(-40.0)), rel=1e-12)


def test_cross_entropy_of_an_output_that_is_not_a_sigmoid_must_lie_inside_zero_one():
    with pytest.raises(ValueError, match=r"output 0 = 1.0 must lie in \(0, 1\).*sigmoid node"):
        losses.cross_entropy([[Value(1.0)]], [1.0])


def np_log_softmax(A):
    m = A.max(axis=1, keepdims=True)
    return A - m - np.log(np.exp(A - m).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("n, k", [(1, 2), (4, 3), (6, 5)])
def test_softmax_cross_entropy_matches_numpy_and_gradient_softmax_minus_onehot(n, k):
    A = rng.normal(size=(n, k)) * 3
    labels = rng.integers(0, k, size=n)
    rows = leaves(A)
    C = losses.softmax_cross_entropy(rows, labels)
    C.backward()
    logp = np_log_softmax(A)
    assert C.data == pytest.approx(-logp[np.arange(n), labels].mean(), rel=1e-13)
    onehot = np.eye(k)[labels]
    np.testing.assert_allclose(grads(rows), (np.exp(logp) - onehot) / n, atol=1e-15, rtol=1e-12)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    # softmax(1000, 0) puts probability 1/(1 + e⁻¹⁰⁰⁰) on class 0, so C ≈ −ln 1 = 0 and for
    # class 1 C = 1000 + ln(1 + e⁻¹⁰⁰⁰) ≈ 1000 (hand calculation)
    assert losses.softmax_cross_entropy([[Value(1000.0), Value(0.0)]], [0]).data == 0.0
    assert losses.softmax_cross_entropy([[Value(1000.0), Value(0.0)]], [1]).data == 1000.0


def test_softmax_cross_entropy_of_logits_1500_and_0_for_class_1_is_1500_with_softmax_gradient():
    # ln(e¹⁵⁰⁰ + 1) − 0 = 1500 + ln(1 + e⁻¹⁵⁰⁰) = 1500 in floats; ∂C/∂a = softmax(a) − y
    row = [Value(1500.0), Value(0.0)]
    C = losses.softmax_cross_entropy([row], [1])
    assert C.data == 1500.0
    C.backward()
    assert [a.grad for a in row] == [1.0, -1.0]


def test_hinge_matches_numpy_and_its_gradient():
    a = rng.normal(size=8) * 2
    y = np.where(rng.random(8) < 0.5, -1, 1)
    rows = leaves(a[:, None])
    C = losses.hinge(rows, y)
    C.backward()
    assert C.data == pytest.approx(np.maximum(0, 1 - y * a).mean(), rel=1e-14)
    # d/da max(0, 1 − y a) = −y where the margin is violated, else 0; divided by n
    np.testing.assert_allclose(grads(rows)[:, 0], np.where(1 - y * a > 0, -y, 0) / 8)


def test_l2_is_alpha_sum_of_squares_with_gradient_two_alpha_p():
    p = rng.normal(size=6)
    ps = [Value(v) for v in p]
    C = losses.l2(ps, 1e-2)
    C.backward()
    assert C.data == pytest.approx(1e-2 * np.sum(p**2), rel=1e-14)
    np.testing.assert_allclose([v.grad for v in ps], 2e-2 * p, rtol=1e-14)


def test_losses_accept_one_dimensional_targets_for_one_output():
    rows = leaves([[0.5], [2.0]])
    assert losses.quadratic(rows, [1.0, 1.0]).data == losses.quadratic(rows, [[1.0], [1.0]]).data


def test_the_batch_loss_is_the_mean_of_the_per_example_terms():
    rows = leaves([[0.5, 1.0], [2.0, -1.0], [0.0, 3.0]])
    Y = [[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    for loss in (losses.quadratic, losses.softmax_cross_entropy):
        targets = Y if loss is losses.quadratic else [0, 1, 1]
        T = loss.target_rows(targets, 3, 2)
        terms = [loss.term(row, [Value(y) for y in t]).data for row, t in zip(rows, T)]
        assert loss(rows, targets).data == pytest.approx(sum(terms) / 3, rel=1e-15)


def test_quadratic_draws_the_sum_of_squares_as_one_dot_of_the_errors_with_themselves():
    (a,) = leaves([[0.5]])[0]
    C = losses.quadratic([[a]], [[2.0]])
    squares, half = C.parents
    d, d_again = squares.parents
    assert squares.op == "dot" and d is d_again and d.parents[0] is a  # Σ (a − y)·(a − y)
    assert half.data == 0.5 and squares.data == (0.5 - 2.0) ** 2


def test_every_loss_marks_its_result_as_a_cost():
    rows = leaves([[0.5], [-0.25]])
    for C in (losses.quadratic(rows, [1.0, 0.0]), losses.hinge(rows, [1, -1]),
              losses.softmax_cross_entropy(rows, [0, 0])):
        assert annotation_of(C).role == "cost"
    sig = leaves([[0.5], [0.25]])
    assert annotation_of(losses.cross_entropy(sig, [1.0, 0.0])).role == "cost"


def test_targets_and_constants_of_a_loss_are_annotated_as_not_learned():
    rows = leaves([[0.5]])
    C = losses.quadratic(rows, [[2.0]])
    leaves_of_C = [v for v in topological_order(C) if v.is_leaf]
    kinds = sorted(annotation_of(v).kind for v in leaves_of_C if annotation_of(v))
    assert kinds == ["constant", "constant"]  # ½ and y; the output a is the caller's


# --------------------------------------------------------------------------------------
# Names and errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, fn",
    [("quadratic", losses.quadratic), ("mse", losses.quadratic),
     ("cross_entropy", losses.cross_entropy), ("xent", losses.cross_entropy),
     ("softmax_cross_entropy", losses.softmax_cross_entropy),
     ("softmax_xent", losses.softmax_cross_entropy), ("hinge", losses.hinge)],
)
def test_get_resolves_names_and_aliases(name, fn):
    assert losses.get(name) is fn


def test_get_passes_a_function_through_and_rejects_an_unknown_name():
    assert losses.get(losses.hinge) is losses.hinge
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        losses.get("l1")


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: losses.quadratic([], []), ValueError, "outputs is empty"),
        (lambda: losses.quadratic(Value(1.0), [1.0]), TypeError, "outputs must be a list"),
        (lambda: losses.quadratic([[1.0]], [1.0]), TypeError, "outputs[0]"),
        (lambda: losses.quadratic([[Value(1.0)], [Value(1.0), Value(2.0)]], [[1], [1, 2]]),
         ValueError, "outputs[1] has 2 values"),
        (lambda: losses.quadratic([[Value(1.0)]], [[1.0], [2.0]]), ValueError, "shape (2, 1)"),
        (lambda: losses.quadratic([[Value(1.0)]], ["a"]), TypeError, "real numbers"),
        (lambda: losses.quadratic([[Value(1.0)]], [np.nan]), ValueError, "non-finite"),
        (lambda: losses.cross_entropy([[Value(0.5)]], [2.0]), ValueError, "[0, 1]"),
        (lambda: losses.softmax_cross_entropy([[Value(0.0), Value(1.0)]], [2]), ValueError,
         "labels[0] = 2 is not a class index"),
        (lambda: losses.softmax_cross_entropy([[Value(0.0), Value(1.0)]], [0.5]), ValueError,
         "integer"),
        (lambda: losses.softmax_cross_entropy([[Value(0.0), Value(1.0)]], [True]), TypeError,
         "integer"),
        (lambda: losses.softmax_cross_entropy([[Value(0.0)]], [0, 1]), ValueError,
         "2 labels for 1 examples"),
        (lambda: losses.hinge([[Value(0.0)]], [0]), ValueError, "-1 or +1"),
        (lambda: losses.hinge([[Value(0.0), Value(1.0)]], [1]), ValueError, "one output"),
        (lambda: losses.l2([Value(1.0)], -1.0), ValueError, ">= 0"),
        (lambda: losses.l2([1.0], 1.0), TypeError, "params[0]"),
        (lambda: losses.l2([Value(1.0)], "0.1"), TypeError, "alpha"),
    ],
)
def test_bad_loss_arguments_raise_naming_the_problem(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


@pytest.mark.torch
def test_softmax_and_binary_cross_entropy_agree_with_torch():
    torch = pytest.importorskip("torch", reason="torch not installed: cross-check skipped")
    A = rng.normal(size=(4, 3))
    labels = rng.integers(0, 3, size=4)
    rows = leaves(A)
    C = losses.softmax_cross_entropy(rows, labels)
    C.backward()
    t = torch.tensor(A, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(t, torch.tensor(labels))
    ref.backward()
    assert C.data == pytest.approx(ref.item(), rel=1e-13)
    np.testing.assert_allclose(grads(rows), t.grad.numpy(), atol=1e-15, rtol=1e-12)

    P, Y = rng.uniform(0.1, 0.9, size=(4, 2)), rng.uniform(0, 1, size=(4, 2))
    rows = leaves(P)
    C = losses.cross_entropy(rows, Y)
    C.backward()
    tp = torch.tensor(P, requires_grad=True)
    # torch averages over all n·m entries; ours sums over outputs and averages over n
    ref = torch.nn.functional.binary_cross_entropy(tp, torch.tensor(Y), reduction="sum") / 4
    ref.backward()
    assert C.data == pytest.approx(ref.item(), rel=1e-13)
    np.testing.assert_allclose(grads(rows), tp.grad.numpy(), rtol=1e-12)


def _texts(C):
    from micrograd_like.viz import describe_nodes

    C.backward()
    return {t.name: (v, t) for v, t in describe_nodes(C).items() if t.name}


def test_hinge_tail_is_named_and_its_labels_are_true():
    (a,) = leaves([[0.25]])[0]
    texts = _texts(losses.hinge([[a]], [1]))
    margin, t = texts["1 − y·a"]
    assert margin.data == 1 - 0.25 and t.grad_name == "∂C/∂(1 − y·a)"
    assert margin.grad == 1.0  # C = max(0, m) with m > 0: ∂C/∂m = 1
    assert texts["y"][1].is_constant and texts["y"][1].grad_name is None
    assert texts["C"][1].role == "cost"


def test_cross_entropy_tail_names_ln_a_and_ln_one_minus_a():
    (a,) = leaves([[0.8]])[0]
    texts = _texts(losses.cross_entropy([[a]], [[0.5]]))  # both terms present
    ln_a, _ = texts["ln a"]
    ln_1ma, _ = texts["ln(1 − a)"]
    assert ln_a.data == pytest.approx(np.log(0.8)) and ln_1ma.data == pytest.approx(np.log(0.2))
    assert ln_a.grad == pytest.approx(-0.5)  # C = −(y ln a + (1 − y) ln(1 − a)), y = ½
    assert texts["y"][1].is_constant and texts["y"][1].grad_name is None
