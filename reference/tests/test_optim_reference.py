"""The optimisation reference reproduces document 002's SGD trace and PyTorch's documented SGD rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import optim as ref


def test_printed_trace_lines() -> None:
    """Every line document 002 prints (iterations 0-5 and 45-50) is what the float64 trace prints (O1)."""
    trace = ref.gradient_descent_trace()
    for iteration, line in ref.PRINTED_TRACE.items():
        assert ref.printed_line(trace[iteration]) == line


def test_printed_figures_match_printed_lines() -> None:
    """The numeric transcription of the trace says the same as the transcribed lines (O1)."""
    for iteration, (xb, xa, fb, fa, g) in ref.PRINTED_FIGURES.items():
        step = ref.TraceStep(iteration, xb, xa, fb, fa, g)
        assert ref.printed_line(step) == ref.PRINTED_TRACE[iteration]


def test_trace_settles_at_the_true_minimum() -> None:
    """The trace settles at 6.147 / -10.822, within the stop rule's reach of (1.6 + sqrt(4.36)) / 0.6 (O1)."""
    assert ref.CUBIC_MINIMUM == pytest.approx(6.14677, abs=5e-6)
    assert abs(ref.cubic_grad(ref.CUBIC_MINIMUM)) < 1e-12 and ref.cubic_curvature(ref.CUBIC_MINIMUM) > 0
    last = ref.gradient_descent_trace()[-1]
    assert f"{last.x_after:.3f}" == f"{ref.PRINTED_SETTLED_X:.3f}"
    assert f"{last.f_after:.3f}" == f"{ref.PRINTED_SETTLED_F:.3f}"
    # |x - x_prev| = lr·|f'(x_prev)| < 1e-6 and f'' >= f''(x*) there, so x is within 1e-6 / (lr·f''(x*)) of x*
    assert abs(last.x_after - ref.CUBIC_MINIMUM) < ref.MIN_TOL / (ref.LEARN_RATE * ref.cubic_curvature(ref.CUBIC_MINIMUM))


def test_stop_rule_fires_within_max_iter_after_the_printed_lines() -> None:
    """|x - x_prev| < 1e-6 first holds after iteration 50 (the document prints 50) and before 100 (O1)."""
    trace = ref.gradient_descent_trace()
    assert 50 < len(trace) < ref.MAX_ITER
    assert abs(trace[-1].x_after - trace[-1].x_before) < ref.MIN_TOL
    assert all(abs(s.x_after - s.x_before) >= ref.MIN_TOL for s in trace[:-1])


def test_trace_is_gradient_descent() -> None:
    """Each step is x <- x - lr f'(x), and the printed f' is the gradient at x before the step (O1)."""
    for step in ref.gradient_descent_trace():
        assert step.grad == pytest.approx(ref.cubic_grad(step.x_before))
        assert step.x_after == pytest.approx(step.x_before - ref.LEARN_RATE * step.grad)


def test_float32_trace_stays_within_the_derived_bounds() -> None:
    """A float32 evaluation of the loop (numpy) stays within float32_trace_bounds of the float64 trace (O1)."""
    exact = ref.gradient_descent_trace(tol=None, max_iter=80)
    single = ref.gradient_descent_trace(tol=None, max_iter=80, dtype=np.float32)
    bounds = ref.float32_trace_bounds()
    assert bounds.x < 1e-4 and bounds.f < 1e-3 and bounds.grad < 1e-3  # tight enough to see a wrong step
    for a, b in zip(exact, single):
        assert abs(a.x_after - b.x_after) <= bounds.x
        assert abs(a.f_after - b.f_after) <= bounds.f
        assert abs(a.grad - b.grad) <= bounds.grad


def test_trace_without_zero_grad_accumulates() -> None:
    """Without zero_grad the step uses the sum of all gradients so far (O2)."""
    trace = ref.gradient_descent_trace(max_iter=4, zero_grad=False, tol=None)
    assert trace[0].grad == pytest.approx(22.5)
    assert trace[1].grad == pytest.approx(22.5 + ref.cubic_grad(trace[0].x_after))
    assert trace[1].x_after == pytest.approx(trace[0].x_after - 0.1 * trace[1].grad)


def test_plain_sgd_step() -> None:
    """Without momentum or decay a step is theta - lr * g (O3)."""
    (after,), _ = ref.sgd_step([np.array([1.0, 2.0])], [np.array([0.5, -1.0])], ref.SGDOptions(lr=0.1))
    np.testing.assert_allclose(after, [0.95, 2.1])


def test_momentum_first_step_uses_gradient_as_buffer() -> None:
    """The first momentum step sets b = g, undamped; the second b = mu*b + (1 - tau)*g (O3)."""
    options = ref.SGDOptions(lr=1.0, momentum=0.9, dampening=0.5)
    params, state = ref.sgd_step([np.array([0.0])], [np.array([1.0])], options)
    np.testing.assert_allclose(state.buffers[0], [1.0])
    np.testing.assert_allclose(params[0], [-1.0])
    params, state = ref.sgd_step(params, [np.array([1.0])], options, state)
    np.testing.assert_allclose(state.buffers[0], [0.9 + 0.5])
    np.testing.assert_allclose(params[0], [-1.0 - 1.4])


def test_nesterov_and_weight_decay() -> None:
    """Nesterov steps along g + mu*b; weight decay adds lambda*theta to g first (O3)."""
    options = ref.SGDOptions(lr=0.1, momentum=0.5, weight_decay=0.2, nesterov=True)
    (after,), state = ref.sgd_step([np.array([2.0])], [np.array([1.0])], options)
    g = 1.0 + 0.2 * 2.0
    np.testing.assert_allclose(state.buffers[0], [g])
    np.testing.assert_allclose(after, [2.0 - 0.1 * (g + 0.5 * g)])


def test_none_gradient_is_skipped() -> None:
    """A parameter whose grad is None is left as it is, even with weight decay and momentum (O3, M6)."""
    options = ref.SGDOptions(lr=0.1, momentum=0.9, weight_decay=0.5)
    (a, b), state = ref.sgd_step([np.ones(2), np.ones(2)], [None, np.ones(2)], options)
    np.testing.assert_array_equal(a, np.ones(2))
    assert state.buffers[0] is None and state.buffers[1] is not None


@pytest.mark.parametrize("options", [dict(momentum=0.0, nesterov=True), dict(momentum=0.9, dampening=0.1, nesterov=True), dict(lr=-1.0)], ids=str)
def test_invalid_options_raise(options: dict) -> None:
    """Nesterov needs momentum and zero dampening; negative values are rejected (O3)."""
    with pytest.raises(ValueError):
        ref.SGDOptions(**{"lr": 0.1, **options})


def test_non_default_options() -> None:
    """Only hyperparameters that differ from PyTorch's defaults are passed on (O3)."""
    assert ref.SGDOptions(lr=0.1).non_default() == {}
    assert ref.SGDOptions(lr=0.1, momentum=0.9, nesterov=True).non_default() == {"momentum": 0.9, "nesterov": True}


@given(st.floats(0.0, 0.99), st.floats(0.0, 0.9), st.integers(2, 6))
def test_constant_gradient_momentum_limit(momentum: float, dampening: float, steps: int) -> None:
    """With a constant gradient g the buffer follows b_t = mu*b + (1-tau)*g from b_1 = g (O3)."""
    options = ref.SGDOptions(lr=0.0, momentum=momentum, dampening=dampening) if momentum else ref.SGDOptions(lr=0.0)
    state = None
    params = [np.zeros(1)]
    expected = 1.0
    for step in range(steps):
        params, state = ref.sgd_step(params, [np.ones(1)], options, state)
        if momentum and step:
            expected = momentum * expected + (1 - dampening)
        if momentum:
            assert state.buffers[0][0] == pytest.approx(expected)


@given(st.integers(0, 2**32 - 1), st.integers(20, 80), st.integers(1, 4))
def test_gradient_descent_reaches_least_squares(seed: int, n: int, d: int) -> None:
    """Full-batch SGD on Linear + MSE converges to np.linalg.lstsq's solution (O4)."""
    x, y = ref.regression_problem(seed, n, d)
    weight, bias = ref.least_squares(x, y)
    losses, after = ref.linear_regression_trajectory(x, y, np.zeros((1, d)), np.zeros(1), ref.SGDOptions(lr=0.2), 200)
    np.testing.assert_allclose(after[-1][0], weight, atol=1e-8)
    np.testing.assert_allclose(after[-1][1], bias, atol=1e-8)
    assert losses[-1] <= losses[0]
    _, d_weight, d_bias = ref.linear_mse_gradients(x, y, weight, bias)
    np.testing.assert_allclose(d_weight, 0.0, atol=1e-10)
    np.testing.assert_allclose(d_bias, 0.0, atol=1e-10)


def test_linear_mse_gradients_by_finite_differences() -> None:
    """linear_mse_gradients agrees with central differences of the loss (O4, M7)."""
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    w, b = rng.standard_normal((2, 3)), rng.standard_normal(2)
    _, dw, db = ref.linear_mse_gradients(x, y, w, b)
    eps = 1e-6
    for index in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[index] = eps
        numeric = (ref.mse(x @ (w + step).T + b, y) - ref.mse(x @ (w - step).T + b, y)) / (2 * eps)
        assert math.isclose(dw[index], numeric, rel_tol=1e-6, abs_tol=1e-8)
    for i in range(2):
        step = np.zeros(2)
        step[i] = eps
        numeric = (ref.mse(x @ w.T + b + step, y) - ref.mse(x @ w.T + b - step, y)) / (2 * eps)
        assert math.isclose(db[i], numeric, rel_tol=1e-6, abs_tol=1e-8)
