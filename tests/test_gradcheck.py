"""gradcheck: it passes correct gradients and catches wrong ones."""

from __future__ import annotations

import math

import pytest

from micrograd_like import Value, gradcheck


def bad_square(x: Value) -> Value:
    """x² with a wrong local derivative: the true slope is 2x, not 3x."""
    y = Value(x.data**2)
    y.op, y.parents, y.local_grads = "bad", (x,), (3.0 * x.data,)
    return y


def test_gradcheck_passes_a_correct_gradient_and_reports_each_input():
    report = gradcheck(lambda x, y: (x * y).sin() + x.exp(), [0.4, -1.3])
    assert report.ok
    assert [r.x for r in report.rows] == [0.4, -1.3]
    assert report.rows[0].analytic == pytest.approx(-1.3 * math.cos(0.4 * -1.3) + math.exp(0.4))
    assert report.max_error < 1e-8


def test_gradcheck_catches_a_wrong_local_derivative():
    report = gradcheck(bad_square, [1.5])
    assert not report.ok
    assert report.rows[0].numeric == pytest.approx(3.0, rel=1e-6)
    assert report.rows[0].analytic == 4.5
    assert "exceeds tolerance" in str(report)
    assert "FAILED" in str(report)


def test_gradcheck_rejects_a_function_that_does_not_return_a_value():
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        gradcheck(lambda x: 1.0, [0.0])


def test_gradcheck_rejects_bad_inputs_by_position():
    with pytest.raises(TypeError, match="gradcheck input 1 must be a real number, got str"):
        gradcheck(lambda x, y: x * y, [1.0, "2"])


def test_gradcheck_leaves_grad_mode_on():
    from micrograd_like import is_grad_enabled

    gradcheck(lambda x: x.tanh(), [0.2])
    assert is_grad_enabled()


def _wrong_report():
    return gradcheck(lambda x, y: bad_square(x) + y, [1.5, 2.0])


def test_report_repr_is_its_table_not_a_dataclass_dump():
    report = _wrong_report()
    assert repr(report) == str(report)
    assert "GradcheckRow(" not in repr(report) and "FAILED" in repr(report)


def test_report_html_is_a_table_with_each_input_and_the_failing_one_marked():
    report = _wrong_report()
    page = report._repr_html_()
    assert page.count("<tr") == 1 + 2  # header + one row per input
    bad, good = report.rows
    assert f"<td>{bad.analytic:.8g}</td><td>{bad.numeric:.8g}</td>" in page
    assert page.count("✗") == 1 and f"<td>{good.error:.2e}</td>" in page
    assert "FAILED" in page
