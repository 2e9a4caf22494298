"""O1-O4: stochastic gradient descent as PyTorch documents it, step for step, in float64.

``torch.optim.SGD`` documents its update for a parameter θ with gradient g at
step t (``maximize=False``)::

    g ← g + λ·θ                      if weight_decay λ ≠ 0
    b ← g                            at the first step, if momentum μ ≠ 0
    b ← μ·b + (1 − τ)·g              at later steps (τ: dampening)
    g ← g + μ·b  (nesterov)  or  g ← b
    θ ← θ − γ·g                      (γ: lr)

A parameter whose gradient is None is skipped entirely (no decay, no buffer).
Document 002's gradient-descent loop on a cubic (the O1 trace) and a small
least-squares regression (O4) are the worked problems.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

# --------------------------------------------------------------------------- the update rule (O3)


@dataclass(frozen=True)
class SGDOptions:
    """SGD's hyperparameters, with PyTorch's defaults (O3)."""

    lr: float
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False

    def __post_init__(self) -> None:
        """PyTorch's own checks: nesterov needs momentum > 0 and zero dampening; no negative values."""
        if self.lr < 0 or self.momentum < 0 or self.weight_decay < 0:
            raise ValueError(f"invalid SGD options {self}")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def non_default(self) -> dict[str, float | bool]:
        """The keyword arguments a call ``SGD(params, lr=..., **these)`` needs to pass (defaults left out)."""
        defaults = SGDOptions(lr=self.lr)
        return {
            name: getattr(self, name)
            for name in ("momentum", "dampening", "weight_decay", "nesterov")
            if getattr(self, name) != getattr(defaults, name)
        }


@dataclass
class SGDState:
    """Per-parameter momentum buffers; None until a parameter's first step with momentum (O3)."""

    buffers: list[np.ndarray | None] = field(default_factory=list)


def sgd_step(
    params: Sequence[np.ndarray],
    grads: Sequence[np.ndarray | None],
    options: SGDOptions,
    state: SGDState | None = None,
) -> tuple[list[np.ndarray], SGDState]:
    """One ``optimizer.step()``: new parameters and state; parameters with a None grad are left alone (O3, M6)."""
    buffers = list(state.buffers) if state is not None else []
    buffers += [None] * (len(params) - len(buffers))
    new_params: list[np.ndarray] = []
    for i, (theta, grad) in enumerate(zip(params, grads)):
        theta = np.asarray(theta, dtype=np.float64)
        if grad is None:
            new_params.append(theta.copy())
            continue
        g = np.asarray(grad, dtype=np.float64)
        if options.weight_decay != 0:
            g = g + options.weight_decay * theta
        if options.momentum != 0:
            previous = buffers[i]
            buf = g.copy() if previous is None else options.momentum * previous + (1 - options.dampening) * g
            buffers[i] = buf
            g = g + options.momentum * buf if options.nesterov else buf
        new_params.append(theta - options.lr * g)
    return new_params, SGDState(buffers)


def sgd_trajectory(
    params: Sequence[np.ndarray], grads_per_step: Sequence[Sequence[np.ndarray | None]], options: SGDOptions
) -> list[list[np.ndarray]]:
    """The parameters after each of several steps, given every step's gradients up front (O3)."""
    state: SGDState | None = None
    current = [np.asarray(p, dtype=np.float64) for p in params]
    after: list[list[np.ndarray]] = []
    for grads in grads_per_step:
        current, state = sgd_step(current, grads, options, state)
        after.append(current)
    return after


# --------------------------------------------------------------------------- document 002's cubic (O1, O2)

#: The document's settings: ``learn_rate = 0.1``, ``max_iter = 100``, ``min_tol = 1e-6``, ``x_init = 12.``
LEARN_RATE = 0.1
MAX_ITER = 100
MIN_TOL = 1e-6
X_INIT = 12.0


def cubic(x: float | np.ndarray) -> float | np.ndarray:
    """``f(x) = 0.1x³ − 0.8x² − 1.5x + 5.4`` (O1, and A3 in document 002)."""
    return 0.1 * x**3 - 0.8 * x**2 - 1.5 * x + 5.4


def cubic_grad(x: float | np.ndarray) -> float | np.ndarray:
    """``f'(x) = 0.3x² − 1.6x − 1.5`` (O1)."""
    return 0.3 * x**2 - 1.6 * x - 1.5


def cubic_curvature(x: float | np.ndarray) -> float | np.ndarray:
    """``f''(x) = 0.6x − 1.6`` (O1: how fast gradient descent contracts near x)."""
    return 0.6 * x - 1.6


#: The local minimum of the cubic, where f'(x) = 0 and f'' > 0: (1.6 + √4.36) / 0.6 = 6.14677 (O1).
CUBIC_MINIMUM = (1.6 + math.sqrt(4.36)) / 0.6


@dataclass(frozen=True)
class TraceStep:
    """One printed line of the O1 loop: x before and after the step, f at both, and the gradient used."""

    iteration: int
    x_before: float
    x_after: float
    f_before: float
    f_after: float
    grad: float


def gradient_descent_trace(
    x0: float = X_INIT,
    lr: float = LEARN_RATE,
    max_iter: int = MAX_ITER,
    tol: float | None = MIN_TOL,
    *,
    zero_grad: bool = True,
    f: Callable[[float], float] = cubic,
    df: Callable[[float], float] = cubic_grad,
    dtype: type = np.float64,
) -> list[TraceStep]:
    """Document 002's loop (zero_grad, forward, backward, step) in ``dtype``, stopping when |x − x_prev| < tol (O1).

    With ``zero_grad=False`` the gradient accumulates across iterations, as
    ``.grad`` does when nobody clears it (O2).
    """
    x = dtype(x0)
    step = dtype(lr)
    accumulated = dtype(0)
    trace: list[TraceStep] = []
    for i in range(max_iter):
        g = dtype(df(x))
        accumulated = g if zero_grad else dtype(accumulated + g)
        x_new = dtype(x - step * accumulated)
        trace.append(TraceStep(i, float(x), float(x_new), float(dtype(f(x))), float(dtype(f(x_new))), float(accumulated)))
        done = tol is not None and abs(x_new - x) < tol
        x = x_new
        if done:
            break
    return trace


def printed_line(step: TraceStep) -> str:
    """The line document 002 prints for one iteration (O1)."""
    return (
        f"Iter: {step.iteration}, x = {step.x_before:.3f} to {step.x_after:.3f}, "
        f"f(x) = {step.f_before:.3f} to {step.f_after:.3f} (f'(x) = {step.grad:.3f})"
    )


#: The lines document 002 prints, transcribed: iterations 0-5, then (after "...") 45-50 (O1).
PRINTED_TRACE: dict[int, str] = {
    0: "Iter: 0, x = 12.000 to 9.750, f(x) = 45.000 to 7.411 (f'(x) = 22.500)",
    1: "Iter: 1, x = 9.750 to 8.608, f(x) = 7.411 to -3.006 (f'(x) = 11.419)",
    2: "Iter: 2, x = 8.608 to 7.912, f(x) = -3.006 to -7.017 (f'(x) = 6.957)",
    3: "Iter: 3, x = 7.912 to 7.450, f(x) = -7.017 to -8.827 (f'(x) = 4.622)",
    4: "Iter: 4, x = 7.450 to 7.127, f(x) = -8.827 to -9.725 (f'(x) = 3.231)",
    5: "Iter: 5, x = 7.127 to 6.894, f(x) = -9.725 to -10.198 (f'(x) = 2.335)",
    45: "Iter: 45, x = 6.147 to 6.147, f(x) = -10.822 to -10.822 (f'(x) = 0.000)",
    46: "Iter: 46, x = 6.147 to 6.147, f(x) = -10.822 to -10.822 (f'(x) = 0.000)",
    47: "Iter: 47, x = 6.147 to 6.147, f(x) = -10.822 to -10.822 (f'(x) = 0.000)",
    48: "Iter: 48, x = 6.147 to 6.147, f(x) = -10.822 to -10.822 (f'(x) = 0.000)",
    49: "Iter: 49, x = 6.147 to 6.147, f(x) = -10.822 to -10.822 (f'(x) = 0.000)",
    50: "Iter: 50, x = 6.147 to 6.147, f(x) = -10.822 to -10.822 (f'(x) = 0.000)",
}

#: The same figures as numbers: iteration -> (x before, x after, f before, f after, f'(x before)) (O1).
PRINTED_FIGURES: dict[int, tuple[float, float, float, float, float]] = {
    0: (12.000, 9.750, 45.000, 7.411, 22.500),
    1: (9.750, 8.608, 7.411, -3.006, 11.419),
    2: (8.608, 7.912, -3.006, -7.017, 6.957),
    3: (7.912, 7.450, -7.017, -8.827, 4.622),
    4: (7.450, 7.127, -8.827, -9.725, 3.231),
    5: (7.127, 6.894, -9.725, -10.198, 2.335),
    **{i: (6.147, 6.147, -10.822, -10.822, 0.000) for i in range(45, 51)},
}

#: Where the trace settles, as printed: x = 6.147, f(x) = -10.822 (O1).
PRINTED_SETTLED_X = 6.147
PRINTED_SETTLED_F = -10.822
#: Half a unit in the last printed place: a value prints as a 3-decimal figure when within this of it.
PRINTED_HALF_UNIT = 0.0005


@dataclass(frozen=True)
class TraceBounds:
    """How far a float32 run of the O1 loop may drift from the float64 reference (absolute)."""

    x: float
    f: float
    grad: float


def float32_trace_bounds(x0: float = X_INIT, lr: float = LEARN_RATE, x_low: float = CUBIC_MINIMUM) -> TraceBounds:
    """Error bounds for the O1 loop run in float32 against the exact (float64) trace, derived, not measured.

    Each step rounds the gradient (at most ``c·u·Σ|terms of f'|`` with u = 2⁻²⁴ and
    a few roundings c = 4) and the update of x (``u·|x|``). While x stays in
    ``[x_low, x0]`` the map ``x ↦ x − lr·f'(x)`` contracts by
    ``ρ = max |1 − lr·f''(x)| < 1``, so the errors of all steps add up to at most
    ``δ / (1 − ρ)``. f and f' then inherit that error through their slopes, plus
    their own rounding.
    """
    u = 2.0**-24
    c = 4.0
    xmax = max(abs(x0), abs(x_low))
    grad_terms = 0.3 * xmax**2 + 1.6 * xmax + 1.5
    f_terms = 0.1 * xmax**3 + 0.8 * xmax**2 + 1.5 * xmax + 5.4
    delta = lr * c * u * grad_terms + c * u * xmax
    rho = max(abs(1 - lr * cubic_curvature(x_low)), abs(1 - lr * cubic_curvature(x0)))
    if rho >= 1:
        raise ValueError(f"lr={lr} does not contract on [{x_low}, {x0}] (rho={rho})")
    x_error = delta / (1 - rho)
    max_slope = abs(cubic_grad(xmax))
    max_curvature = abs(cubic_curvature(xmax))
    return TraceBounds(
        x=x_error,
        f=max_slope * x_error + c * u * f_terms,
        grad=max_curvature * x_error + c * u * grad_terms,
    )


# --------------------------------------------------------------------------- the four-step loop on a regression (O4, M7)


def regression_problem(seed: int, n: int, d: int, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """A seeded regression: standardised features X (n, d) and targets y (n, 1) = X·w + b + noise (O4)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    w = rng.uniform(-2, 2, size=(d, 1))
    b = rng.uniform(-1, 1)
    y = x @ w + b + noise * rng.standard_normal((n, 1))
    return x, y


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The least-squares weight (out, in) and bias (out,) of ``y ≈ x·Wᵀ + b`` (O4)."""
    design = np.hstack([x, np.ones((x.shape[0], 1))])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    return solution[:-1].T.copy(), solution[-1].copy()


def mse(prediction: np.ndarray, target: np.ndarray) -> float:
    """``MSELoss()``: the mean of squared differences over every element (O4, M7)."""
    return float(np.mean((prediction - target) ** 2))


def linear_mse_gradients(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, bias: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Loss and gradients of ``mse(x·Wᵀ + b, y)`` with respect to W (out, in) and b (out,) (O4, M7)."""
    prediction = x @ weight.T + bias
    d_prediction = 2.0 * (prediction - y) / prediction.size
    return mse(prediction, y), d_prediction.T @ x, d_prediction.sum(axis=0)


def linear_regression_trajectory(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, bias: np.ndarray, options: SGDOptions, steps: int
) -> tuple[list[float], list[tuple[np.ndarray, np.ndarray]]]:
    """The four-step loop on ``Linear`` + ``MSELoss`` with SGD: each step's loss and the (W, b) after it (O4, M7)."""
    params = [np.asarray(weight, dtype=np.float64), np.asarray(bias, dtype=np.float64)]
    state: SGDState | None = None
    losses: list[float] = []
    after: list[tuple[np.ndarray, np.ndarray]] = []
    for _ in range(steps):
        loss, d_weight, d_bias = linear_mse_gradients(x, y, params[0], params[1])
        params, state = sgd_step(params, [d_weight, d_bias], options, state)
        losses.append(loss)
        after.append((params[0], params[1]))
    return losses, after
