"""O1-O4: SGD, zero_grad and the four-step loop (documents 000, 001, 002).

O1 runs document 002's loop as written, in float32 (the default dtype), and
compares it with the exact float64 trace of ``reference.optim`` within bounds
derived from float32 rounding (``float32_trace_bounds``), and with the figures
the document prints at their printed precision. O3 runs SGD in float64 over
hyperparameters and gradients drawn by hypothesis, step for step against
PyTorch's documented update rule.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import optim as ref
from suite.compare import assert_close, assert_equal, assert_true, fail
from suite.probes import optim as probes
from suite.strategies import seeds

behaviour = pytest.mark.behaviour

#: Columns of a trace row, as the probe returns them and the document prints them.
COLUMNS = ("x before", "x after", "f(x) before", "f(x) after", "f'(x) = x.grad")


def trace_array(trace: list[ref.TraceStep]) -> np.ndarray:
    """A reference trace as rows of (x before, x after, f before, f after, grad)."""
    return np.array([[s.x_before, s.x_after, s.f_before, s.f_after, s.grad] for s in trace])


def bounds_row(bounds: ref.TraceBounds) -> np.ndarray:
    """The float32 bound of each trace column."""
    return np.array([bounds.x, bounds.x, bounds.f, bounds.f, bounds.grad])


def check_row(row: np.ndarray, expected: np.ndarray, atol: np.ndarray, what: str) -> None:
    """Each column of a trace row within its own absolute tolerance of the expected row."""
    __tracebackhide__ = True
    for column, got, want, tol in zip(COLUMNS, row, expected, atol):
        assert_close(got, want, f"{what}: {column}", rtol=0, atol=float(tol))


def document_run(run, **overrides: Any) -> dict[str, Any]:
    """Document 002's loop with its own settings (x_init 12, lr 0.1, max_iter 100, min_tol 1e-6), or overrides."""
    settings = dict(x_init=ref.X_INIT, learn_rate=ref.LEARN_RATE, max_iter=ref.MAX_ITER, min_tol=ref.MIN_TOL)
    return run(probes.document_trace, **{**settings, **overrides})


# --------------------------------------------------------------------------- O1


@behaviour("O1")
def test_document_trace_printed_figures(run) -> None:
    """The float32 trace prints as document 002 does: iterations 0-5 and 45-50, to 3 decimals."""
    seen = document_run(run)
    assert_equal(seen["dtype"], "float32", "dtype of torch.tensor(12., requires_grad=True)")
    rows = seen["rows"]
    assert_true(len(rows) > max(ref.PRINTED_FIGURES), f"the loop ran {len(rows)} iterations", "but the document prints iteration 50")
    slack = ref.PRINTED_HALF_UNIT + bounds_row(ref.float32_trace_bounds())
    for iteration, printed in ref.PRINTED_FIGURES.items():
        line = ref.PRINTED_TRACE[iteration]
        check_row(rows[iteration], np.array(printed), slack, f"iteration {iteration}, printed as {line!r}")


@behaviour("O1")
def test_document_trace_follows_reference(run) -> None:
    """Every float32 row lies within the derived float32 bounds of the exact float64 trace."""
    rows = document_run(run)["rows"]
    exact = trace_array(ref.gradient_descent_trace(max_iter=len(rows), tol=None))
    atol = bounds_row(ref.float32_trace_bounds())
    for i, row in enumerate(rows):
        check_row(row, exact[i], atol, f"iteration {i}")


@behaviour("O1")
def test_document_trace_settles_and_stops(run) -> None:
    """The trace settles at x = 6.147, f(x) = -10.822, near (1.6+sqrt(4.36))/0.6, stopping by |x - x_prev| < 1e-6 within 100 iterations."""
    rows = document_run(run)["rows"]
    bounds = ref.float32_trace_bounds()
    x_before, x_after, _, f_after, _ = rows[-1]
    assert_close(x_after, ref.PRINTED_SETTLED_X, "the settled x, to the printed 3 decimals", rtol=0, atol=ref.PRINTED_HALF_UNIT + bounds.x)
    assert_close(f_after, ref.PRINTED_SETTLED_F, "the settled f(x), to the printed 3 decimals", rtol=0, atol=ref.PRINTED_HALF_UNIT + bounds.f)
    # |x - x_prev| = lr·|f'| < 1e-6 at the stop, and f'' >= f''(x*) there: x is within 1e-6 / (lr·f''(x*)) of x*
    reach = ref.MIN_TOL / (ref.LEARN_RATE * ref.cubic_curvature(ref.CUBIC_MINIMUM)) + bounds.x
    assert_close(x_after, ref.CUBIC_MINIMUM, "the settled x against the true minimum (1.6+sqrt(4.36))/0.6", rtol=0, atol=reach)
    assert_true(len(rows) < ref.MAX_ITER, f"the loop ran all {ref.MAX_ITER} iterations", "the stop rule never fired")
    assert_true(abs(x_after - x_before) < ref.MIN_TOL, f"the last step moved x by {abs(x_after - x_before):.3g}", "the loop stopped before |x - x_prev| < 1e-6")
    moved = np.abs(rows[:-1, 1] - rows[:-1, 0])
    if (moved < ref.MIN_TOL).any():
        fail("the first iteration with |x - x_prev| < 1e-6", len(rows) - 1, int(np.argmax(moved < ref.MIN_TOL)), "the loop did not stop there")
    # float32 quantises |x - x_prev| near 6.15 to multiples of 4.8e-7 (about half the 1e-6 threshold) while the
    # exact step shrinks by 1 - lr·f''(x*) = 0.79 per iteration: the stop can move by log(2)/-log(0.79) ≈ 3 iterations
    exact_stop = len(ref.gradient_descent_trace()) - 1
    assert_true(abs((len(rows) - 1) - exact_stop) <= 3, f"stopped at iteration {len(rows) - 1}",
                f"the exact trace stops at {exact_stop}; float32 may differ by at most 3")


@behaviour("O1")
@given(x0=st.floats(3.0, 12.0), lr=st.floats(0.01, 0.15))
def test_gradient_descent_any_start_and_rate(run, x0: float, lr: float) -> None:
    """From any start in [3, 12] and lr in [0.01, 0.15], ten steps follow x <- x - lr f'(x) within float32 bounds."""
    x0 = float(np.float32(x0))  # the backend starts from the float32 nearest x0, so the reference does too
    rows = run(probes.document_trace, x_init=x0, learn_rate=lr, max_iter=10, min_tol=0.0)["rows"]
    exact = trace_array(ref.gradient_descent_trace(x0, lr, max_iter=10, tol=None))
    # lr is a float32 too: its rounding (relative u) moves each step by at most u·lr·|f'|, covered by the rounding term
    atol = bounds_row(ref.float32_trace_bounds(max(x0, ref.CUBIC_MINIMUM), lr, min(x0, ref.CUBIC_MINIMUM)))
    assert_equal(rows.shape, (10, 5), "iterations run with min_tol 0 (never stops)")
    for i, row in enumerate(rows):
        check_row(row, exact[i], atol, f"iteration {i} from x0={x0} with lr={lr}")


# --------------------------------------------------------------------------- O2


def grad_lists(max_steps: int = 4) -> st.SearchStrategy[list[np.ndarray]]:
    """1..max_steps seeded float64 gradients of one shared shape."""
    shapes = st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple)
    return st.tuples(shapes, st.integers(1, max_steps), seeds()).map(
        lambda t: [np.random.default_rng(t[2] + i).standard_normal(t[0]) for i in range(t[1])]
    )


@behaviour("O2")
@given(grads=grad_lists())
def test_gradients_accumulate_until_zero_grad(run, grads: list[np.ndarray]) -> None:
    """backward() adds into .grad; zero_grad() clears it (None by default since PyTorch 2.0, or zeros); the next backward starts afresh."""
    seen = run(probes.zero_grad, grads=grads, set_to_none=None)
    for k, got in enumerate(seen["accumulated"], start=1):
        assert_close(got, np.sum(grads[:k], axis=0), f".grad after {k} backward calls without zero_grad")
    cleared = seen["cleared"]
    if cleared is not None:
        assert_close(cleared, np.zeros_like(grads[0]), ".grad after zero_grad() (None or zeros)", rtol=0, atol=0)
    assert_close(seen["after_one_more"], grads[-1], ".grad after zero_grad() and one backward")


@behaviour("O2")
@pytest.mark.parametrize("set_to_none", [True, False], ids=lambda v: f"set_to_none={v}")
def test_zero_grad_set_to_none(run, set_to_none: bool) -> None:
    """zero_grad(set_to_none=True) leaves .grad None; set_to_none=False fills it with zeros; either way the next backward starts afresh."""
    grads = [np.array([1.0, -2.0, 0.5]), np.array([0.25, 4.0, -1.0])]
    seen = run(probes.zero_grad, grads=grads, set_to_none=set_to_none)
    expected = None if set_to_none else np.zeros(3)
    assert_close(seen["cleared"], expected, f".grad after zero_grad(set_to_none={set_to_none})", rtol=0, atol=0)
    assert_close(seen["after_one_more"], grads[-1], f".grad after zero_grad(set_to_none={set_to_none}) and one backward")


def check_zero_grad_groups(run, groups: list[list[np.ndarray]], set_to_none: bool | None) -> None:
    """zero_grad() clears the grads of every parameter of every group (None, or zeros where asked or allowed)."""
    __tracebackhide__ = True
    lrs = [0.1 / (i + 1) for i in range(len(groups))]
    seen = run(probes.zero_grad_groups, groups=groups, lrs=lrs, set_to_none=set_to_none)
    call = "zero_grad()" if set_to_none is None else f"zero_grad(set_to_none={set_to_none})"
    for i, grads in enumerate(groups):
        for j, grad in enumerate(grads):
            where = f"group {i} of {len(groups)}, parameter {j}"
            cleared = seen["cleared"][i][j]
            if set_to_none is False or (set_to_none is None and cleared is not None):
                allowed = "zeros" if set_to_none is False else "None or zeros"
                assert_close(cleared, np.zeros_like(grad), f".grad after {call}, {where} ({allowed})", rtol=0, atol=0)
            else:
                assert_close(cleared, None, f".grad after {call}, {where}", rtol=0, atol=0)
            assert_close(seen["after_one_more"][i][j], grad, f".grad after {call} and one more backward, {where}")


@behaviour("O2")
@pytest.mark.parametrize("set_to_none", [None, True, False], ids=lambda v: f"set_to_none={v}")
def test_zero_grad_clears_every_parameter_group(run, set_to_none: bool | None) -> None:
    """With three parameter groups (a backbone, a head, a bias group), zero_grad() clears all of them, not the first."""
    groups = [[np.array([1.0, -2.0]), np.array([[0.5]])], [np.array([3.0, 4.0, -1.0])], [np.array(2.5), np.array([-0.25])]]
    check_zero_grad_groups(run, groups, set_to_none)


@behaviour("O2")
@given(shapes=st.lists(st.lists(st.lists(st.integers(1, 3), max_size=2).map(tuple), min_size=1, max_size=2),
                       min_size=1, max_size=4), seed=seeds(), set_to_none=st.sampled_from([None, True, False]))
def test_zero_grad_any_parameter_groups(run, shapes: list[list[tuple[int, ...]]], seed: int, set_to_none: bool | None) -> None:
    """Any number of parameter groups of any shapes: zero_grad() clears every group's grads."""
    rng = np.random.default_rng(seed)
    check_zero_grad_groups(run, [[rng.standard_normal(shape) for shape in group] for group in shapes], set_to_none)


@behaviour("O2")
def test_document_loop_without_zero_grad_accumulates(run) -> None:
    """Document 002's loop with optimizer.zero_grad() left out steps along the sum of all gradients so far."""
    rows = document_run(run, max_iter=5, min_tol=0.0, zero_grad=False)["rows"]
    exact = trace_array(ref.gradient_descent_trace(max_iter=5, tol=None, zero_grad=False))
    # five float32 steps over values below 50, without contraction: 5 steps x 4 roundings x u x 50 x growth 10 < 1e-3
    for i, row in enumerate(rows):
        check_row(row, exact[i], np.full(5, 1e-3), f"iteration {i} without zero_grad")


# --------------------------------------------------------------------------- O3


@st.composite
def sgd_options(draw: st.DrawFn) -> ref.SGDOptions:
    """SGD hyperparameters as PyTorch allows them: nesterov only with momentum and no dampening."""
    lr = draw(st.floats(1e-3, 0.5))
    momentum = draw(st.sampled_from([0.0, 0.9]) | st.floats(0.0, 0.99))
    nesterov = momentum > 0 and draw(st.booleans())
    dampening = 0.0 if nesterov else draw(st.sampled_from([0.0, 0.5]) | st.floats(0.0, 0.9))
    weight_decay = draw(st.sampled_from([0.0, 1e-2]) | st.floats(0.0, 0.1))
    return ref.SGDOptions(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)


def check_sgd(run, params: list[np.ndarray], grads: list[list[np.ndarray]], options: ref.SGDOptions) -> None:
    """SGD on the backend (float64) matches the reference after every step."""
    __tracebackhide__ = True
    seen = run(probes.sgd_steps, params=params, grads=grads, lr=options.lr, options=options.non_default())
    expected = ref.sgd_trajectory(params, grads, options)
    assert_equal(len(seen), len(grads), "number of steps")
    for step, (got_params, want_params) in enumerate(zip(seen, expected), start=1):
        for i, (got, want) in enumerate(zip(got_params, want_params)):
            assert_close(got, want, f"parameter {i} after step {step} of SGD({options})")


def seeded_steps(seed: int, shapes: list[tuple[int, ...]], steps: int) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
    """Seeded float64 initial parameters of the given shapes and the gradients of every step."""
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(shape) for shape in shapes]
    grads = [[rng.standard_normal(shape) for shape in shapes] for _ in range(steps)]
    return params, grads


@behaviour("O3")
def test_document_momentum_example(run) -> None:
    """001's optimizer, SGD(lr=1e-2, momentum=0.9), follows the rule over five steps of two parameters."""
    params, grads = seeded_steps(1, [(3, 2), (2,)], 5)
    check_sgd(run, params, grads, ref.SGDOptions(lr=1e-2, momentum=0.9))


@behaviour("O3")
@pytest.mark.parametrize(
    "options",
    [
        ref.SGDOptions(lr=0.1),
        ref.SGDOptions(lr=0.1, momentum=0.9),
        ref.SGDOptions(lr=0.1, momentum=0.9, dampening=0.5),
        ref.SGDOptions(lr=0.1, momentum=0.9, nesterov=True),
        ref.SGDOptions(lr=0.1, weight_decay=0.1),
        ref.SGDOptions(lr=0.1, momentum=0.5, dampening=0.2, weight_decay=0.05),
        ref.SGDOptions(lr=0.1, momentum=0.8, weight_decay=0.05, nesterov=True),
    ],
    ids=["plain", "momentum", "dampening", "nesterov", "weight_decay", "momentum-dampening-decay", "nesterov-decay"],
)
def test_sgd_each_option(run, options: ref.SGDOptions) -> None:
    """Each of momentum, dampening, nesterov and weight_decay, alone and together, over four steps."""
    params, grads = seeded_steps(2, [(4,), (2, 3)], 4)
    check_sgd(run, params, grads, options)


@behaviour("O3")
@given(options=sgd_options(), shapes=st.lists(st.lists(st.integers(1, 3), max_size=2).map(tuple), min_size=1, max_size=2),
       steps=st.integers(1, 5), seed=seeds())
def test_sgd_any_hyperparameters(run, options: ref.SGDOptions, shapes: list[tuple[int, ...]], steps: int, seed: int) -> None:
    """SGD with any valid lr, momentum, dampening, nesterov and weight_decay follows the documented rule step for step."""
    params, grads = seeded_steps(seed, shapes, steps)
    check_sgd(run, params, grads, options)


# --------------------------------------------------------------------------- O4


def check_regression(run, seed: int, n: int, d: int) -> None:
    """The four-step loop (float32) on a seeded regression reaches the least-squares solution."""
    __tracebackhide__ = True
    x, y = ref.regression_problem(seed, n, d)
    design = np.hstack([x, np.ones((n, 1))])
    curvature = np.linalg.eigvalsh(2 * design.T @ design / n)  # the Hessian of the mean squared error
    lr = 1 / curvature[-1]  # below 2 / L: every step lowers the loss; the error shrinks by (1 - 1/κ) per step
    steps = min(400, math.ceil(math.log(1e-9) / math.log(1 - curvature[0] / curvature[-1])))
    seen = run(probes.regression_loop, x=x.astype(np.float32), y=y.astype(np.float32), lr=float(lr), steps=steps)
    weight, bias = ref.least_squares(x, y)
    minimum = ref.mse(x @ weight.T + bias, y)
    what = f"Linear({d}, 1) after {steps} steps of SGD(lr={lr:.3f}) on {n} samples"
    # float32 data and arithmetic: the least-squares solution of the rounded data moves by about κ·u·|w| (< 1e-5)
    assert_close(seen["weight"], weight, f"{what}: weight vs least squares", rtol=0, atol=1e-4)
    assert_close(seen["bias"], bias, f"{what}: bias vs least squares", rtol=0, atol=1e-4)
    losses = np.array(seen["losses"])
    assert_close(losses[-1], minimum, f"{what}: the last loss vs the least-squares loss", rtol=1e-4, atol=1e-6)
    rises = np.diff(losses) > 4 * 2.0**-24 * losses[:-1] + 1e-7
    if rises.any():
        k = int(np.argmax(rises))
        fail(f"{what}: loss at step {k + 1} (it must not rise with lr < 2/L)", f"<= {losses[k]}", losses[k + 1])


@behaviour("O4")
def test_regression_loop_document_example(run) -> None:
    """000's loop (zero_grad, forward + loss, backward, step) on 64 samples of 3 features reaches least squares."""
    check_regression(run, seed=0, n=64, d=3)


@behaviour("O4")
@given(seed=seeds(), n=st.integers(32, 64), d=st.integers(1, 3))
def test_regression_loop_any_problem(run, seed: int, n: int, d: int) -> None:
    """On any seeded regression problem, the four-step loop drives the loss down to the least-squares minimum."""
    check_regression(run, seed, n, d)
