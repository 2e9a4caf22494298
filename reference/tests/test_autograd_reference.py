"""The autograd reference reproduces every figure documents 001, 002, 004 and 000 print, and its closed forms
and hand-written reverse mode agree with the finite-difference oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from reference import autograd as ref

#: The oracle's error is far below this (see test_oracle_agrees_with_reverse_mode); the suite allows 1e-7.
ORACLE_TOLERANCE = 1e-9


def close(actual: object, expected: object, tol: float) -> bool:
    """Relative-or-absolute closeness: |a − e| <= tol·(1 + |e|) everywhere."""
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return a.shape == e.shape and bool(np.all(np.abs(a - e) <= tol * (1 + np.abs(e))))


# --------------------------------------------------------------------------- printed figures


def test_a1_printed_value_and_gradient() -> None:
    """A1: y = 2·2² + 1 = 9 and dy/dx = 4·2 = 8, as 001 prints."""
    assert ref.a1_value(ref.DOC_A1_X) == ref.PRINTED_A1["y"] == 9.0
    assert ref.a1_grad(ref.DOC_A1_X) == ref.PRINTED_A1["x.grad"] == 8.0


def test_a2_printed_layers_mean_and_gradient() -> None:
    """A2: y, z print exactly; out 75.6667 and x.grad to 4 decimals; the exact gradient is 4(2x+1)/6."""
    seen = ref.a2_forward(ref.DOC_A2_X)
    np.testing.assert_array_equal(seen["y"], ref.PRINTED_A2["y"])
    np.testing.assert_array_equal(seen["z"], ref.PRINTED_A2["z"])
    assert abs(seen["out"] - ref.PRINTED_A2["out"]) <= ref.PRINTED_HALF_UNIT_4DP
    assert seen["out"] == pytest.approx(454 / 6, abs=1e-12)
    grad = ref.a2_grad(ref.DOC_A2_X)
    assert np.all(np.abs(grad - ref.PRINTED_A2["x.grad"]) <= ref.PRINTED_HALF_UNIT_4DP)
    np.testing.assert_allclose(grad, np.array([[6, 10, 14], [18, 22, 26]]) / 3, rtol=1e-15)


def test_a3_printed_gradient() -> None:
    """A3: the cubic's derivative at 2 is 0.3·4 − 1.6·2 − 1.5 = −3.5, as 002 prints."""
    grad = ref.a3_grad(ref.DOC_A3_X)
    np.testing.assert_allclose(grad, ref.PRINTED_A3_GRAD, rtol=0, atol=1e-12)


def test_a4_printed_values_and_gradients() -> None:
    """A4: y = 125, z = log 125 = 4.8283; grads 3/5, 1/125, 1 are the float32 values 002 prints in full."""
    values = ref.a4_forward(ref.DOC_A4_X)
    grads = ref.a4_grads(ref.DOC_A4_X)
    for name in ("x", "y", "z"):
        before, after = ref.PRINTED_A4_BEFORE[name], ref.PRINTED_A4_AFTER[name]
        assert abs(values[name] - before.value) <= ref.PRINTED_HALF_UNIT_4DP
        assert before.grad is None and before.requires_grad and after.requires_grad
        assert before.is_leaf == after.is_leaf == (name == "x")
        assert not before.retains_grad and after.retains_grad == (name != "x")
        # the document prints float(tensor.grad) of a float32 tensor: exactly the float32 nearest the true value
        assert after.grad == float(np.float32(grads[name]))


def test_a8_printed_gradients_have_the_documented_structure() -> None:
    """A8: 004's w.grad rows all equal b.grad, each entry is some σ(z)/3 in (0, 1/3), so z = logit(3g) exists."""
    for row in ref.PRINTED_A8_W_GRAD:
        np.testing.assert_array_equal(row, ref.PRINTED_A8_B_GRAD)
    assert np.all((ref.PRINTED_A8_B_GRAD > 0) & (ref.PRINTED_A8_B_GRAD < 1 / 3))
    z = np.log(3 * ref.PRINTED_A8_B_GRAD / (1 - 3 * ref.PRINTED_A8_B_GRAD))
    graph = ref.bce_graph(np.ones(5), np.zeros((5, 3)), z, np.zeros(3))
    np.testing.assert_allclose(graph.b_grad, ref.PRINTED_A8_B_GRAD, rtol=1e-12)
    np.testing.assert_allclose(graph.w_grad, ref.PRINTED_A8_W_GRAD, rtol=1e-12)


def test_a7_printed_flags() -> None:
    """A7: 004 prints True outside no_grad, False inside, False for detach()."""
    assert ref.PRINTED_A7 == {"z.requires_grad": True, "no_grad z.requires_grad": False, "z_det.requires_grad": False}


def test_a5_documented_names() -> None:
    """A5: the seven names 001, 002 and 004 print, each PyTorch's ``<Op>Backward0``."""
    names = set(ref.DOCUMENTED_GRAD_FN_NAMES.values())
    assert names == {"AddBackward0", "PowBackward0", "MeanBackward0", "LogBackward0", "AddmmBackward0",
                     "ReluBackward0", "SliceBackward0"}


# --------------------------------------------------------------------------- closed forms against the oracle


@given(x=st.floats(-50, 50))
def test_a1_closed_form_matches_oracle(x: float) -> None:
    """A1: 4x is the derivative of 2x² + 1."""
    (fd,) = ref.numerical_gradients(ref.a1_value, [np.asarray(x)])
    assert close(ref.a1_grad(x), fd, ORACLE_TOLERANCE)


@given(seed=st.integers(0, 2**32 - 1), shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple))
def test_a2_closed_form_matches_oracle(seed: int, shape: tuple[int, ...]) -> None:
    """A2: 4(2x+1)/n is the gradient of mean((2x+1)²) for any shape."""
    x = np.random.default_rng(seed).normal(size=shape)
    (fd,) = ref.numerical_gradients(lambda v: ref.a2_forward(v)["out"], [x])
    assert close(ref.a2_grad(x), fd, ORACLE_TOLERANCE)


@given(x=st.floats(-20, 20))
def test_a3_closed_form_matches_oracle(x: float) -> None:
    """A3: 0.3x² − 1.6x − 1.5 is the derivative of the cubic."""
    (fd,) = ref.numerical_gradients(ref.a3_value, [np.asarray(x)])
    assert close(ref.a3_grad(x), fd, ORACLE_TOLERANCE)


@given(x=st.floats(0.5, 50))
def test_a4_closed_form_matches_oracle(x: float) -> None:
    """A4: dz/dx = 3/x and dz/dy = 1/y for z = log(y), y = x³."""
    grads = ref.a4_grads(x)
    (dzdx,) = ref.numerical_gradients(lambda v: math.log(float(v) ** 3), [np.asarray(x)])
    (dzdy,) = ref.numerical_gradients(lambda v: math.log(float(v)), [np.asarray(x**3)])
    assert close(grads["x"], dzdx, ORACLE_TOLERANCE)
    assert close(grads["y"], dzdy, ORACLE_TOLERANCE)


@given(seed=st.integers(0, 2**32 - 1), n_in=st.integers(1, 6), n_out=st.integers(1, 4))
def test_a8_closed_form_matches_oracle(seed: int, n_in: int, n_out: int) -> None:
    """A8: w.grad = x ⊗ (σ(z) − y)/n and b.grad = (σ(z) − y)/n for BCE with logits, any x and y in [0, 1]."""
    rng = np.random.default_rng(seed)
    x, w, b, y = rng.normal(size=n_in), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out), rng.uniform(size=n_out)
    graph = ref.bce_graph(x, w, b, y)
    fd_w, fd_b = ref.numerical_gradients(lambda w_, b_: ref.bce_with_logits(x @ w_ + b_, y), [w, b])
    assert close(graph.w_grad, fd_w, ORACLE_TOLERANCE)
    assert close(graph.b_grad, fd_b, ORACLE_TOLERANCE)
    assert graph.loss == pytest.approx(float(np.mean(-y * np.log(ref.sigmoid(graph.z)) - (1 - y) * np.log(1 - ref.sigmoid(graph.z)))))


def test_a8_document_rows_are_sigmoid_over_three() -> None:
    """A8: with x = ones(5) and y = zeros(3) every row of w.grad is b.grad = σ(z)/3."""
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(5, 3)), rng.normal(size=3)
    graph = ref.bce_graph(np.ones(5), w, b, np.zeros(3))
    np.testing.assert_allclose(graph.b_grad, ref.sigmoid(w.sum(axis=0) + b) / 3, rtol=1e-15)
    for row in graph.w_grad:
        np.testing.assert_array_equal(row, graph.b_grad)


@given(seed=st.integers(0, 2**32 - 1), dim=st.integers(1, 5), m=st.integers(1, 6))
def test_a9_hand_written_gradients_match_oracle(seed: int, dim: int, m: int) -> None:
    """A9: document 000's dw = (1/m)·x(ŷ−y)ᵀ and db = (1/m)·Σ(ŷ−y) are the gradients of its log-loss."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(dim, m)), rng.integers(0, 2, size=(1, m)).astype(np.float64)
    w, b = rng.normal(scale=0.5, size=(dim, 1)), float(rng.normal(scale=0.5))
    lr = ref.logistic_regression(x, y, w, b)
    fd_w, fd_b = ref.numerical_gradients(lambda w_, b_: ref.logistic_regression(x, y, w_, float(b_)).loss, [w, np.asarray(b)])
    assert close(lr.dw, fd_w, ORACLE_TOLERANCE)
    assert close(lr.db, fd_b, ORACLE_TOLERANCE)


def test_sigmoid_is_stable_at_large_magnitudes() -> None:
    """σ is finite and exact to the last bits at ±800, where 1/(1+e^−z) would overflow."""
    np.testing.assert_array_equal(ref.sigmoid(np.array([-800.0, 0.0, 800.0])), np.array([0.0, 0.5, 1.0]))


# --------------------------------------------------------------------------- the oracle and the composition model


def test_central_difference_is_exact_for_quadratics_and_richardson_for_quartics() -> None:
    """Central differences have no error on a quadratic; Richardson's removes the h² term, exact for a quartic."""
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(ref.central_difference(lambda v: float(np.sum(3 * v**2 - v)), x, 1e-3), 6 * x - 1, rtol=1e-9)
    grad, error = ref.richardson_gradient(lambda v: float(np.sum(v**4)), x, 1e-2)
    np.testing.assert_allclose(grad, 4 * x**3, rtol=1e-9)
    assert np.all(error > 0)  # the plain h/2 estimate still carries its h² error, which the estimate reports


@given(seed=st.integers(0, 2**32 - 1))
def test_oracle_agrees_with_reverse_mode(seed: int) -> None:
    """On random safe compositions, finite differences and the hand-written chain rule agree to 1e-9."""
    rng = np.random.default_rng(seed)
    comp = ref.build_composition(ref.numpy_chooser(rng))
    inputs = ref.draw_inputs(comp, rng)
    fd = ref.finite_difference_gradients(comp, inputs)
    assume(fd.smooth)
    analytic = ref.analytic_gradients(comp, inputs)
    assert fd.value == ref.output(comp, inputs)
    for k, (a, n) in enumerate(zip(analytic, fd.grads)):
        assert (a is None) == (n is None), f"x{k} reached by one and not the other in {comp.describe()}"
        if a is not None:
            assert a.shape == comp.leaves[k].shape
            assert close(a, n, ORACLE_TOLERANCE), f"x{k}: {a} vs {n} in {comp.describe()}"


@pytest.mark.parametrize("name", list(ref.WORKED_EXAMPLES))
def test_worked_examples_agree_with_oracle(name: str) -> None:
    """Each hand-written chain-rule example: reverse mode equals finite differences at a fixed draw."""
    comp = ref.WORKED_EXAMPLES[name]
    inputs = ref.draw_inputs(comp, np.random.default_rng(1))
    fd = ref.finite_difference_gradients(comp, inputs)
    assert fd.smooth
    for a, n in zip(ref.analytic_gradients(comp, inputs), fd.grads):
        assert a is not None and close(a, n, ORACLE_TOLERANCE)


def test_worked_examples_use_every_operation_before_the_end() -> None:
    """Every operation of the model appears in some worked example where another step consumes its result."""
    inner = {step.op for comp in ref.WORKED_EXAMPLES.values() for step in comp.steps[:-1]}
    assert inner >= set(ref.UNARY_OPS + ref.BINARY_OPS) | {"sum_dim", "mean_dim"}


@given(seed=st.integers(0, 2**32 - 1))
def test_compositions_respect_their_safe_domains(seed: int) -> None:
    """Every value stays within ±CAP, log and fractional powers see only values >= 0.1, exp only <= 2.5; the output is a scalar."""
    rng = np.random.default_rng(seed)
    comp = ref.build_composition(ref.numpy_chooser(rng))
    values = ref.evaluate(comp, ref.draw_inputs(comp, rng))
    assert values[-1].shape == ()
    for step, value in zip(comp.steps, values[len(comp.leaves):]):
        assert np.all(np.abs(value) <= ref.CAP)
        arg = values[step.args[0]]
        if step.op == "log" or (step.op == "pow" and step.param not in ref.INTEGER_POWERS):
            assert np.all(arg >= ref.POSITIVE_FLOOR)
        if step.op == "exp":
            assert np.all(arg <= ref.EXP_CEILING)


@given(seed=st.integers(0, 2**32 - 1))
def test_plain_data_round_trips(seed: int) -> None:
    """A composition survives to_plain/from_plain unchanged (a probe replays exactly what the test checks)."""
    comp = ref.build_composition(ref.numpy_chooser(np.random.default_rng(seed)))
    assert ref.Composition.from_plain(comp.to_plain()) == comp


def test_unreached_leaves_have_no_gradient() -> None:
    """A leaf the output does not depend on gets None from both the oracle and reverse mode."""
    comp = ref.Composition(
        (ref.Leaf((2,), 0.5, 1.5), ref.Leaf((2,), 0.5, 1.5)), (ref.Step("log", (0,)), ref.Step("sum", (2,)))
    )
    inputs = ref.draw_inputs(comp, np.random.default_rng(0))
    assert ref.reachable_leaves(comp) == [True, False]
    assert ref.analytic_gradients(comp, inputs)[1] is None
    assert ref.finite_difference_gradients(comp, inputs).grads[1] is None


def test_relu_kink_is_reported() -> None:
    """The oracle marks a relu evaluated at 0 (x − x) as not smooth, so a test can skip that draw."""
    comp = ref.Composition((ref.Leaf((2,), 0.5, 1.5),), (ref.Step("sub", (0, 0)), ref.Step("relu", (1,)), ref.Step("sum", (2,))))
    assert not ref.finite_difference_gradients(comp, [np.array([0.7, 1.1])]).smooth
