"""A1-A9: autograd, the chain rule, grad_fn names, accumulation, no_grad and detach (documents 001, 002, 004, 000).

Each worked example of the documents is run as written, in float32 (the
default dtype), against the figures it prints and against its closed form in
``reference.autograd``. The same code then runs as a property in float64 over
values and shapes drawn by hypothesis, and the chain rule in general is
checked on random compositions of the documents' operations against a
finite-difference oracle. Random tensors (w and b of document 004, the data of
000's logistic regression) come from a seeded numpy generator and are passed
to the probe, so the expected values never depend on the backend's RNG.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from reference import autograd as ref
from suite.compare import assert_close, assert_equal
from suite.probes import autograd as probes
from suite.strategies import float_dtypes, seeds, shapes

behaviour = pytest.mark.behaviour

#: Document figures printed to 4 decimals match within half a unit of the last place plus float32's own tolerance.
PRINTED_4DP = dict(rtol=1.3e-6, atol=ref.PRINTED_HALF_UNIT_4DP + 1e-5)

#: The chain rule against finite differences, in float64. The oracle (central differences at h = 3e-4 and
#: 1.5e-4, Richardson-extrapolated) has truncation error about h⁴·f⁽⁵⁾/480 and rounding error about
#: (5/3)·ε·|f|/(h/2); with every value within ±CAP = 50 and log and 1/x kept to values >= 0.1 (so
#: f⁽⁵⁾/f' <= 120/0.1⁴) both stay near 1e-9 at worst, and reference/tests hold the oracle to 1e-9 against
#: hand-written reverse mode (3000 random compositions: 2e-11 at most). A float64 backward is exact to
#: ~1e-14. So 1e-7 leaves a 100x margin over the oracle and still catches a backward that rounds through
#: float32 (errors of 1e-7 and up) or any wrong derivative (errors of order 1).
CHAIN_RULE_TOL = dict(rtol=1e-7, atol=1e-7)


def random_array(seed: int, shape: tuple[int, ...], scale: float = 1.0, dtype: type = np.float64) -> np.ndarray:
    """Normal values of ``shape`` from a seeded numpy generator (never the backend's RNG)."""
    return np.random.default_rng(seed).normal(scale=scale, size=shape).astype(dtype)


# --------------------------------------------------------------------------- A1


@behaviour("A1")
def test_scalar_document_example(run) -> None:
    """x = tensor(2., requires_grad=True), y = 2*x**2 + 1: y is 9 with a grad_fn; x.grad is None, then 8; backward() returns None."""
    seen = run(probes.document_scalar_grad)
    assert_equal(seen["dtype"], "float32", "dtype of y for tensor(2.0)")
    assert_close(seen["y"], ref.PRINTED_A1["y"], "y = 2*x**2 + 1 at x = 2 (001 prints tensor(9.))")
    assert_equal(seen["y.requires_grad"], True, "y.requires_grad")
    assert_equal(seen["y has a grad_fn"], True, "y.grad_fn is not None (001 prints grad_fn=<AddBackward0>)")
    assert_close(seen["x.grad before"], None, "x.grad before y.backward() (001: None)")
    assert_equal(seen["backward() returned"], "None", "what y.backward() returns (001: print(y.backward()) >> None)")
    assert_close(seen["x.grad"], ref.PRINTED_A1["x.grad"], "x.grad after y.backward() (001 prints tensor(8.))")


@behaviour("A1")
def test_scalar_without_requires_grad_has_no_grad_fn(run) -> None:
    """With requires_grad=False, y = 2*x**2 + 1 is tensor(9.) with no grad_fn and does not require grad."""
    seen = run(probes.document_scalar_without_grad)
    assert_close(seen["y"], ref.a1_value(ref.DOC_A1_X), "y at x = 2 without requires_grad")
    assert_equal(seen["y has a grad_fn"], False, "y.grad_fn is not None (001: y has no grad_fn)")
    assert_equal(seen["y.requires_grad"], False, "y.requires_grad")
    assert_close(seen["x.grad"], None, "x.grad of a tensor that does not require grad")


@behaviour("A1")
@given(x=st.floats(-100, 100, allow_subnormal=False), dtype=float_dtypes())
def test_scalar_quadratic_any_value(run, x: float, dtype: str) -> None:
    """y = 2x² + 1 and x.grad = 4x at any x, in float32 and float64."""
    if dtype == "float32":
        x = float(np.float32(x))  # the backend holds the float32 nearest x, so the reference starts there too
    seen = run(probes.quadratic_grad, x=x, dtype=dtype)
    assert_equal(seen["dtype"], dtype, "dtype of x.grad")
    assert_close(seen["y"], ref.a1_value(x), f"2*x**2 + 1 at x = {x!r} ({dtype})", dtype=dtype)
    assert_close(seen["x.grad"], ref.a1_grad(x), f"x.grad of 2*x**2 + 1 at x = {x!r} ({dtype})", dtype=dtype)


# --------------------------------------------------------------------------- A2


@behaviour("A2")
def test_mean_of_squares_document_example(run) -> None:
    """y = 2x+1, z = y**2, out = z.mean() on [[1,2,3],[4,5,6]]: 75.6667 and x.grad as 001 prints."""
    seen = run(probes.mean_of_squares, x=ref.DOC_A2_X.tolist())
    exact = ref.a2_forward(ref.DOC_A2_X)
    assert_equal(seen["dtype"], "float32", "dtype of x.grad for a list of floats")
    assert_close(seen["y"], ref.PRINTED_A2["y"], "y = 2*x + 1")
    assert_close(seen["z"], ref.PRINTED_A2["z"], "z = y**2")
    assert_close(seen["out"], ref.PRINTED_A2["out"], "out = z.mean(), printed 75.6667", **PRINTED_4DP)
    assert_close(seen["out"], exact["out"], "out = z.mean() = 454/6", dtype="float32")
    assert_close(seen["x.grad"], ref.PRINTED_A2["x.grad"], "x.grad as 001 prints it", **PRINTED_4DP)
    assert_close(seen["x.grad"], ref.a2_grad(ref.DOC_A2_X), "x.grad = 4(2x+1)/6", dtype="float32")


@behaviour("A2")
@given(shape=shapes(min_dims=0, max_dims=3), seed=seeds())
def test_mean_of_squares_any_shape(run, shape: tuple[int, ...], seed: int) -> None:
    """out = mean((2x+1)²) and x.grad = 4(2x+1)/n for float64 x of any shape."""
    x = random_array(seed, shape)
    seen = run(probes.mean_of_squares, x=x)
    what = f"mean((2x+1)**2) of shape {shape}"
    assert_equal(seen["dtype"], "float64", f"dtype of x.grad, {what}")
    assert_close(seen["out"], ref.a2_forward(x)["out"], what)
    assert_close(seen["x.grad"], ref.a2_grad(x), f"x.grad, {what}")


# --------------------------------------------------------------------------- A3


@behaviour("A3")
def test_cubic_document_example(run) -> None:
    """x = tensor([2.], requires_grad=True) through 0.1x³ − 0.8x² − 1.5x + 5.4: x.grad is tensor([-3.5000])."""
    seen = run(probes.cubic_grad, x=ref.DOC_A3_X.tolist())
    assert_equal(seen["dtype"], "float32", "dtype of x.grad for tensor([2.])")
    assert_close(seen["x.grad"], ref.PRINTED_A3_GRAD, "x.grad at x = [2.] (002 prints tensor([-3.5000]))", dtype="float32")
    assert_close(seen["y"], ref.a3_value(ref.DOC_A3_X), "y at x = [2.]", dtype="float32")


@behaviour("A3")
@given(x=st.floats(-20, 20, allow_subnormal=False))
def test_cubic_any_value(run, x: float) -> None:
    """x.grad = 0.3x² − 1.6x − 1.5 at any float64 x."""
    seen = run(probes.cubic_grad, x=np.array([x]))
    assert_close(seen["x.grad"], ref.a3_grad(np.array([x])), f"x.grad of the cubic at x = [{x!r}]")


# --------------------------------------------------------------------------- A4


def check_info(seen: dict, printed: ref.TensorInfo, what: str, dtype: str) -> None:
    """A tensor's requires_grad, is_leaf and retains_grad as printed; its grad None exactly when printed None."""
    __tracebackhide__ = True
    assert_equal(seen["requires_grad"], printed.requires_grad, f"{what}.requires_grad")
    assert_equal(seen["is_leaf"], printed.is_leaf, f"{what}.is_leaf")
    assert_equal(seen["retains_grad"], printed.retains_grad, f"{what}.retains_grad")
    if printed.grad is None:
        assert_close(seen["grad"], None, f"{what}.grad")
    else:
        assert_close(seen["grad"], printed.grad, f"{what}.grad as printed", dtype=dtype)


@behaviour("A4")
def test_chain_rule_document_example(run) -> None:
    """y = x ** 3, z = log(y) at x = 5: 002's get_tensor_info before and after retain_grad() and z.backward()."""
    seen = run(probes.chain_rule_log_of_cube, x=ref.DOC_A4_X)
    assert_equal(seen["dtype"], "float32", "dtype of z for tensor(5.)")
    values, grads = ref.a4_forward(ref.DOC_A4_X), ref.a4_grads(ref.DOC_A4_X)
    for stage, printed in (("before", ref.PRINTED_A4_BEFORE), ("after", ref.PRINTED_A4_AFTER)):
        for name in ("x", "y", "z"):
            what = f"{name} {stage} backward()"
            check_info(seen[stage][name], printed[name], what, "float32")
            assert_close(seen[stage][name]["value"], printed[name].value, f"{what}: value as printed", **PRINTED_4DP)
            assert_close(seen[stage][name]["value"], values[name], f"{what}: value", dtype="float32")
    for name in ("x", "y", "z"):
        assert_close(seen["after"][name]["grad"], grads[name], f"{name}.grad = dz/d{name}", dtype="float32")


@behaviour("A4")
@given(x=st.floats(0.5, 50, allow_subnormal=False))
def test_chain_rule_log_of_cube_any_value(run, x: float) -> None:
    """x.grad = 3/x, y.grad = 1/x³ and z.grad = 1 for z = log(x³) at any float64 x > 0; only x is a leaf."""
    seen = run(probes.chain_rule_log_of_cube, x=x, dtype="float64")
    grads = ref.a4_grads(x)
    for name in ("x", "y", "z"):
        after = seen["after"][name]
        assert_equal(after["is_leaf"], name == "x", f"{name}.is_leaf")
        assert_equal(after["retains_grad"], name != "x", f"{name}.retains_grad after {name}.retain_grad()")
        assert_close(after["grad"], grads[name], f"{name}.grad for z = log(x**3) at x = {x!r}")


def random_composition(seed: int) -> tuple[ref.Composition, list[np.ndarray]]:
    """The safe composition and float64 inputs that ``seed`` picks, through a seeded numpy chooser.

    Hypothesis draws the seed. Letting it draw every choice (``sampled_from``)
    crowds the 25 derandomised ``ci`` examples onto the first options; a seed
    spreads them over all the operations, and a failure names the seed and
    prints the whole program.
    """
    rng = np.random.default_rng(seed)
    comp = ref.build_composition(ref.numpy_chooser(rng))
    return comp, ref.draw_inputs(comp, rng)


def check_composition(seen: dict, oracle: ref.FiniteDifference, comp: ref.Composition) -> None:
    """The backend's output and every leaf's .grad against the finite-difference oracle (None where unreached)."""
    __tracebackhide__ = True
    program = comp.describe()
    assert_equal(seen["dtype"], "float64", f"dtype of the output of {program}")
    assert_close(seen["value"], oracle.value, f"the output of {program}")
    assert_equal(len(seen["grads"]), len(oracle.grads), "number of leaves read back")
    for k, (got, want) in enumerate(zip(seen["grads"], oracle.grads)):
        assert_close(got, want, f"x{k}.grad of {program} (finite differences)", **CHAIN_RULE_TOL)


@behaviour("A4")
@pytest.mark.parametrize("name", list(ref.WORKED_EXAMPLES))
def test_chain_rule_worked_examples(run, name: str) -> None:
    """Hand-written compositions in which every operation feeds another: gradients match finite differences."""
    comp = ref.WORKED_EXAMPLES[name]
    for seed in range(3):
        inputs = ref.draw_inputs(comp, np.random.default_rng(seed))
        oracle = ref.finite_difference_gradients(comp, inputs)
        if not oracle.smooth:  # a relu input within reach of 0: another draw
            continue
        check_composition(run(probes.composition_gradients, composition=comp.to_plain(), inputs=inputs), oracle, comp)


@behaviour("A4")
@given(seed=seeds())
def test_chain_rule_random_compositions(run, seed: int) -> None:
    """backward() of a random safe composition of add, sub, mul, matmul, pow, exp, log, sigmoid, relu, sum, mean
    gives every leaf the gradient finite differences give, and unreached leaves none."""
    comp, inputs = random_composition(seed)
    oracle = ref.finite_difference_gradients(comp, inputs)
    assume(oracle.smooth)  # no relu input crossed 0 while the oracle probed
    check_composition(run(probes.composition_gradients, composition=comp.to_plain(), inputs=inputs), oracle, comp)


# --------------------------------------------------------------------------- A5 (names, reported apart from numbers)


def check_name(name: str | None, key: str) -> None:
    """A grad_fn name equals the one PyTorch prints for the documented expression ``key``."""
    __tracebackhide__ = True
    assert_equal(name, ref.DOCUMENTED_GRAD_FN_NAMES[key], f"type(({key}).grad_fn).__name__")


@behaviour("A5")
def test_grad_fn_name_add(run) -> None:
    """y = 2*x**2 + 1 records AddBackward0 (001)."""
    check_name(run(probes.grad_fn_of_add), "2*x**2 + 1")


@behaviour("A5")
def test_grad_fn_name_pow(run) -> None:
    """z = y**2 records PowBackward0 (001, 002)."""
    check_name(run(probes.grad_fn_of_pow), "y**2")


@behaviour("A5")
def test_grad_fn_name_mean(run) -> None:
    """out = z.mean() records MeanBackward0 (001)."""
    check_name(run(probes.grad_fn_of_mean), "z.mean()")


@behaviour("A5")
def test_grad_fn_name_log(run) -> None:
    """z = torch.log(y) records LogBackward0 (002)."""
    check_name(run(probes.grad_fn_of_log), "torch.log(y)")


@behaviour("A5")
def test_grad_fn_name_linear(run) -> None:
    """nn.Linear on a 2-D batch records AddmmBackward0 (004's hidden1)."""
    check_name(run(probes.grad_fn_of_linear, x=random_array(0, (3, 7), dtype=np.float32)), "nn.Linear(x)")


@behaviour("A5")
def test_grad_fn_name_relu(run) -> None:
    """nn.ReLU()(hidden1) records ReluBackward0 (004)."""
    check_name(run(probes.grad_fn_of_relu, x=random_array(1, (3, 20), dtype=np.float32)), "nn.ReLU()(h)")


@behaviour("A5")
def test_grad_fn_name_slice(run) -> None:
    """param[:2] of every named parameter records SliceBackward0 (004's model parameters printout)."""
    names = run(probes.grad_fn_of_slice)
    assert_equal(len(names), 4, "number of named_parameters() of Sequential(Linear, ReLU, Linear)")
    for name in names:
        check_name(name, "param[:2]")


# --------------------------------------------------------------------------- A6


@behaviour("A6")
def test_accumulation_document_scalar(run) -> None:
    """Three backward() calls through 2*x**2 at x = 2 (A1's y without its constant; fresh graphs) leave 8, 16, 24; zero_() clears."""
    seen = run(probes.accumulated_grads, x=2.0, coefficients=[2.0, 2.0, 2.0])
    for k, got in enumerate(seen["after each backward"], start=1):
        assert_close(got, k * ref.a1_grad(ref.DOC_A1_X), f"x.grad after {k} backward() calls", dtype="float32")
    assert_close(seen["after zero_()"], 0.0, "x.grad after x.grad.zero_()", dtype="float32")
    assert_close(seen["after one more"], ref.a1_grad(ref.DOC_A1_X), "x.grad after zero_() and one more backward()", dtype="float32")


@behaviour("A6")
@given(
    shape=shapes(min_dims=0, max_dims=3),
    seed=seeds(),
    coefficients=st.lists(st.floats(-2, 2, allow_subnormal=False), min_size=1, max_size=5),
)
def test_accumulation_over_k_backward_calls(run, shape: tuple[int, ...], seed: int, coefficients: list[float]) -> None:
    """After k backward() calls of (c_i·x²).sum(), x.grad = 2x·(c_1 + … + c_k); zero_() clears it; the next starts afresh."""
    x = random_array(seed, shape)
    seen = run(probes.accumulated_grads, x=x, coefficients=coefficients)
    assert_equal(len(seen["after each backward"]), len(coefficients), "backward() calls recorded")
    for k, (got, total) in enumerate(zip(seen["after each backward"], np.cumsum(coefficients)), start=1):
        assert_close(got, 2 * x * total, f"x.grad after {k} backward() calls with c = {coefficients[:k]}")
    assert_close(seen["after zero_()"], np.zeros(shape), "x.grad after x.grad.zero_()")
    assert_close(seen["after one more"], 2 * x * coefficients[-1], "x.grad after zero_() and one more backward()")


# --------------------------------------------------------------------------- A7


def document_bce_data(seed: int, dtype: type = np.float32) -> dict[str, np.ndarray]:
    """004's x = ones(5), y = zeros(3), and w (5, 3), b (3,) drawn from a seeded numpy generator."""
    rng = np.random.default_rng(seed)
    return {
        "x": np.ones(ref.DOC_A8_INPUTS, dtype=dtype),
        "y": np.zeros(ref.DOC_A8_OUTPUTS, dtype=dtype),
        "w": rng.normal(size=(ref.DOC_A8_INPUTS, ref.DOC_A8_OUTPUTS)).astype(dtype),
        "b": rng.normal(size=ref.DOC_A8_OUTPUTS).astype(dtype),
    }


@behaviour("A7")
def test_no_grad_document_example(run) -> None:
    """z = matmul(x, w)+b requires grad; inside no_grad() it does not (no grad_fn, same values); after it, it does again."""
    data = document_bce_data(0)
    seen = run(probes.no_grad_tracking, x=data["x"], w=data["w"], b=data["b"])
    assert_equal(seen["z.requires_grad"], ref.PRINTED_A7["z.requires_grad"], "z.requires_grad (004 prints True)")
    assert_equal(seen["no_grad z.requires_grad"], ref.PRINTED_A7["no_grad z.requires_grad"],
                 "z.requires_grad inside no_grad() (004 prints False)")
    assert_equal(seen["no_grad z has a grad_fn"], False, "z.grad_fn is not None inside no_grad()")
    assert_close(seen["no_grad z"], data["x"] @ data["w"] + data["b"], "z computed inside no_grad()", dtype="float32")
    assert_equal(seen["after no_grad z.requires_grad"], True, "z.requires_grad after the no_grad() block")


@behaviour("A7")
def test_detach_document_example(run) -> None:
    """z.detach() does not require grad, has no grad_fn, holds z's values and shares its data."""
    data = document_bce_data(0)
    seen = run(probes.detach_tracking, x=data["x"], w=data["w"], b=data["b"])
    z = data["x"] @ data["w"] + data["b"]
    assert_equal(seen["z_det.requires_grad"], ref.PRINTED_A7["z_det.requires_grad"], "z_det.requires_grad (004 prints False)")
    assert_equal(seen["z_det has a grad_fn"], False, "z_det.grad_fn is not None")
    assert_equal(seen["z.requires_grad"], True, "z.requires_grad after z.detach()")
    assert_close(seen["z_det"], z, "z.detach() values", dtype="float32")
    assert_close(seen["z after z_det.add_(1)"], z + 1, "z after z_det.add_(1) (detach shares data)", dtype="float32")


@behaviour("A7")
@given(seed=seeds(), n_in=st.integers(1, 6), n_out=st.integers(1, 4))
def test_no_grad_and_detach_any_shape(run, seed: int, n_in: int, n_out: int) -> None:
    """For float64 x (n_in,), w (n_in, n_out), b (n_out,): no_grad() and detach() stop tracking and keep the values."""
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=n_in), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    z = x @ w + b
    under = run(probes.no_grad_tracking, x=x, w=w, b=b)
    assert_equal(under["no_grad z.requires_grad"], False, f"z.requires_grad inside no_grad(), w {w.shape}")
    assert_close(under["no_grad z"], z, f"z inside no_grad(), w {w.shape}")
    detached = run(probes.detach_tracking, x=x, w=w, b=b)
    assert_equal(detached["z_det.requires_grad"], False, f"z.detach().requires_grad, w {w.shape}")
    assert_close(detached["z after z_det.add_(1)"], z + 1, f"z after z_det.add_(1) (shared data), w {w.shape}")


@behaviour("A7")
@pytest.mark.parametrize("op", list(ref.NO_GRAD_OPS))
def test_no_grad_stops_tracking_each_operation(run, op: str) -> None:
    """Inside no_grad(), each operation on tensors requiring grad gives a result with no grad_fn and no requires_grad."""
    r, w = random_array(0, (3, 3)), random_array(1, (3, 3))
    check_no_grad_chain(run, r, w, [op])


@behaviour("A7")
@given(ops=st.lists(st.sampled_from(list(ref.NO_GRAD_OPS)), min_size=1, max_size=4), n=st.integers(1, 3), seed=seeds())
def test_no_grad_stops_tracking_any_chain(run, ops: list[str], n: int, seed: int) -> None:
    """Any chain of operations inside no_grad() records nothing at any step, and computes the same values."""
    check_no_grad_chain(run, random_array(seed, (n, n), scale=0.5), random_array(seed + 1, (n, n), scale=0.5), ops)


def check_no_grad_chain(run, r: np.ndarray, w: np.ndarray, ops: list[str]) -> None:
    """Every step of ``r = op(r, w)`` under no_grad() neither requires grad nor has a grad_fn; the values are right."""
    __tracebackhide__ = True
    seen = run(probes.no_grad_chain, r=r, w=w, ops=ops)
    chain = " then ".join(ops)
    for op, step in zip(ops, seen["steps"]):
        assert_equal(step["requires_grad"], False, f"({op}).requires_grad inside no_grad() ({chain})")
        assert_equal(step["has grad_fn"], False, f"({op}).grad_fn is not None inside no_grad() ({chain})")
    assert_close(seen["values"], ref.no_grad_chain(r, w, ops), f"values of {chain} inside no_grad()")


# --------------------------------------------------------------------------- A8


@behaviour("A8")
@given(seed=seeds())
def test_bce_graph_document_shape(run, seed: int) -> None:
    """004's graph in float32 with seeded w, b: every row of w.grad equals b.grad equals sigmoid(z)/3."""
    data = document_bce_data(seed)
    seen = run(probes.bce_with_logits_graph, **data)
    exact = ref.bce_graph(data["x"], data["w"], data["b"], data["y"])
    assert_equal(seen["dtype"], "float32", "dtype of w.grad")
    sigmoid_over_3 = ref.sigmoid(exact.z) / 3
    assert_close(seen["b.grad"], sigmoid_over_3, "b.grad = sigmoid(z)/3", dtype="float32")
    for i, row in enumerate(seen["w.grad"]):
        assert_close(row, seen["b.grad"], f"row {i} of w.grad against b.grad", dtype="float32")
        assert_close(row, sigmoid_over_3, f"row {i} of w.grad = sigmoid(z)/3", dtype="float32")
    assert_close(seen["loss"], exact.loss, "binary_cross_entropy_with_logits(z, y)", dtype="float32")


@behaviour("A8")
@given(seed=seeds(), n_in=st.integers(1, 6), n_out=st.integers(1, 4))
def test_bce_graph_any_inputs_and_targets(run, seed: int, n_in: int, n_out: int) -> None:
    """For float64 x, targets y in [0, 1], w, b: w.grad = x ⊗ (σ(z) − y)/n and b.grad = (σ(z) − y)/n."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n_in), rng.uniform(size=n_out)
    w, b = rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    seen = run(probes.bce_with_logits_graph, x=x, y=y, w=w, b=b)
    exact = ref.bce_graph(x, w, b, y)
    what = f"x {x.shape}, w {w.shape}"
    assert_close(seen["loss"], exact.loss, f"binary_cross_entropy_with_logits, {what}")
    assert_close(seen["w.grad"], exact.w_grad, f"w.grad, {what}")
    assert_close(seen["b.grad"], exact.b_grad, f"b.grad, {what}")


#: Logits far beyond where float32's sigmoid rounds to 0 or 1 (|z| > 17): the log-sum-exp form stays finite there.
LARGE_LOGITS = (-200.0, -100.0, -40.0, -20.0, 20.0, 40.0, 100.0, 200.0)


def check_bce_with_logits(run, z: np.ndarray, y: np.ndarray, dtype: str) -> None:
    """bce_with_logits(z, y) and its gradient are finite and equal the stable form's, in ``dtype``."""
    __tracebackhide__ = True
    seen = run(probes.bce_with_logits, z=z.astype(dtype), y=y.astype(dtype))
    what = f"binary_cross_entropy_with_logits(z, y), {dtype}, z = {z.tolist()}, y = {y.tolist()}"
    assert_close(seen["loss"], ref.bce_with_logits(z, y), what, dtype=dtype)
    assert_close(seen["z.grad"], ref.bce_with_logits_grad(z, y), f"z.grad of {what}", dtype=dtype)


@behaviour("A8")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("target", [0.0, 1.0])
def test_bce_with_large_logits_is_stable(run, target: float, dtype: str) -> None:
    """Large logits of either sign, as PyTorch documents the log-sum-exp form: finite loss, gradient (σ(z) − y)/n."""
    z = np.array(LARGE_LOGITS)
    check_bce_with_logits(run, z, np.full_like(z, target), dtype)


@behaviour("A8")
@given(dtype=float_dtypes(), n=st.integers(1, 6), data=st.data())
def test_bce_with_logits_of_any_magnitude(run, dtype: str, n: int, data: st.DataObject) -> None:
    """Logits of any magnitude up to 500 and targets in [0, 1]: the loss and gradient of the stable form."""
    z = np.array(data.draw(st.lists(st.floats(-500, 500, width=32), min_size=n, max_size=n), label="z"))
    y = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=n, max_size=n), label="y"))
    check_bce_with_logits(run, z, y, dtype)


# --------------------------------------------------------------------------- A9


@behaviour("A9")
@given(seed=seeds(), dim=st.integers(1, 5), m=st.integers(1, 6))
def test_hand_written_logistic_regression_matches_autograd(run, seed: int, dim: int, m: int) -> None:
    """000's LR: dw = (1/m)·x(ŷ−y)ᵀ and db = (1/m)·Σ(ŷ−y) by hand equal autograd's gradients of its loss."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(dim, m)), rng.integers(0, 2, size=(1, m)).astype(np.float64)
    w, b = rng.normal(scale=0.5, size=(dim, 1)), np.asarray(rng.normal(scale=0.5))
    seen = run(probes.logistic_regression, x=x, y=y, w=w, b=b)
    exact = ref.logistic_regression(x, y, w, float(b))
    what = f"x ({dim}, {m})"
    assert_equal(seen["dtype"], "float64", "dtype of w.grad")
    assert_close(seen["yhat"], exact.yhat, f"yhat = sigmoid(w.T x + b), {what}")
    assert_close(seen["loss"], exact.loss, f"the log-loss, {what}")
    assert_close(seen["hand dw"], exact.dw, f"the hand-written dw, {what}")
    assert_close(seen["hand db"], exact.db, f"the hand-written db, {what}")
    assert_close(seen["autograd dw"], exact.dw, f"w.grad from loss.backward(), {what}")
    assert_close(seen["autograd db"], exact.db, f"b.grad from loss.backward(), {what}")
    assert_close(seen["autograd dw"], seen["hand dw"], f"w.grad against the hand-written dw, {what}")
