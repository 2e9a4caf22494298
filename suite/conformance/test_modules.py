"""M1-M8: Parameters and Modules, layers, devices, freezing, saving and train/eval (documents 000, 003, 004).

Each behaviour is checked on the documents' own modules (``MyLiner(7, 12)``,
document 004's ``NeuralNetwork`` and its layer snippets) against the figures
they print, and as a property over sizes and nested ``Sequential`` stacks drawn
by hypothesis, against ``reference.modules`` (and ``reference.optim`` for the
SGD steps). Forward values are checked against numpy with the layer's own
weights read back, so a backend's random initialisation never matters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import modules as ref
from reference import optim as ref_optim
from suite.compare import assert_close, assert_equal, assert_on_device, assert_true, fail
from suite.probes import modules as probes
from suite.strategies import seeds

behaviour = pytest.mark.behaviour

Spec = tuple[Any, ...]

#: Attribute names a user-defined module may assign (none of them is a Module attribute already).
ATTRIBUTE_NAMES = ("weights", "bias", "scale", "encoder", "head", "offset", "gate", "mixer")


# --------------------------------------------------------------------------- strategies


@st.composite
def stacks(draw: st.DrawFn, width: int, depth: int = 2) -> tuple[Spec, int]:
    """A nested Sequential of Linear and ReLU layers taking ``width`` features, and its output width."""
    layers: list[Spec] = []
    kinds = ["Linear", "ReLU", "Sequential"] if depth > 0 else ["Linear", "ReLU"]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        if kind == "Linear":
            out = draw(st.integers(1, 5))
            layers.append(("Linear", width, out, draw(st.booleans())))
            width = out
        elif kind == "ReLU":
            layers.append(("ReLU",))
        else:
            child, width = draw(stacks(width, depth - 1))
            layers.append(child)
    return ("Sequential", tuple(layers)), width


@st.composite
def deep_stacks(draw: st.DrawFn, width: int, depth: int) -> tuple[Spec, int]:
    """A Sequential with a Sequential ``depth`` levels below it (each level beside drawn layers), and its output width."""
    if depth == 0:
        return draw(stacks(width, 0))
    front, width = draw(stacks(width, 0))
    inner, width = draw(deep_stacks(width, depth - 1))
    return ("Sequential", (*front[1], inner)), width


def any_stack(depth: int = 2) -> st.SearchStrategy[Spec]:
    """A nested Sequential stack of any input width."""
    return st.integers(1, 5).flatmap(lambda width: stacks(width, depth)).map(lambda pair: pair[0])


@st.composite
def user_modules(draw: st.DrawFn, with_children: bool = True) -> Spec:
    """A user-defined Module assigning Parameters, plain tensors (some requiring grad) and sub-stacks in a drawn order."""
    names = draw(st.lists(st.sampled_from(ATTRIBUTE_NAMES), min_size=1, max_size=6, unique=True))
    kinds = ["Parameter", "Tensor", "Stack"] if with_children else ["Tensor"]
    assignments = []
    for name in names:
        kind = draw(st.sampled_from(kinds))
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2)))
        if kind == "Parameter":
            assignments.append((name, ("Parameter", shape)))
        elif kind == "Tensor":
            assignments.append((name, ("Tensor", shape, draw(st.booleans()))))
        else:
            assignments.append((name, draw(any_stack(depth=1))))
    return ("Module", "Net", tuple(assignments))


def normal(seed: int, shape: tuple[int, ...], dtype: type = np.float32) -> np.ndarray:
    """Seeded standard-normal data of ``shape``."""
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def float32_affine_atol(x: np.ndarray, weights: np.ndarray, bias: np.ndarray | None) -> float:
    """Absolute tolerance for ``x @ weights + bias`` computed in float32: the default, or the summation bound if larger.

    A float32 sum of n products is off by at most about (n + 1)·u·Σ|xᵢ·wᵢ| (u = 2⁻²⁴),
    which cancellation can make larger than the default tolerance relative to the result.
    """
    magnitude = np.abs(x) @ np.abs(weights) + (0 if bias is None else np.abs(bias))
    return max(1e-5, (x.shape[-1] + 1) * 2.0**-24 * float(np.max(magnitude, initial=0.0)))


# --------------------------------------------------------------------------- M1, M2


def check_parameter_report(report: list[dict], expected: list[tuple[str, tuple[int, ...]]], what: str) -> None:
    """``parameters()`` yielded exactly the expected attributes (in any order), each a Tensor and Parameter requiring grad."""
    __tracebackhide__ = True
    got = sorted((p["attribute"] or "<not an attribute>", p["shape"]) for p in report)
    assert_equal(got, sorted(expected), f"{what}: (attribute, shape) of each tensor parameters() yields")
    for p in report:
        assert_equal(p["is_tensor"], True, f"{what}: isinstance({p['attribute']}, Tensor)")
        assert_equal(p["is_parameter"], True, f"{what}: isinstance({p['attribute']}, nn.Parameter)")
        assert_equal(p["requires_grad"], True, f"{what}: {p['attribute']}.requires_grad")


@behaviour("M1")
def test_myliner_document_example(run) -> None:
    """MyLiner(7, 12) maps (5, 7) to (5, 12); parameters() yields weights (7, 12) and bias (12,), Parameters requiring grad."""
    seen = run(probes.document_myliner, as_parameters=True)
    assert_equal(seen["output_shape"], ref.PRINTED_MYLINER_OUTPUT, "layer(x).shape for x of shape (5, 7)")
    check_parameter_report(seen["parameters"], ref.named_parameters(ref.build(ref.myliner_spec(7, 12))), "MyLiner(7, 12)")


@behaviour("M1")
@given(in_features=st.integers(1, 8), out_features=st.integers(1, 8), batch=st.integers(1, 6), seed=seeds())
def test_myliner_any_size(run, in_features: int, out_features: int, batch: int, seed: int) -> None:
    """MyLiner(in, out) registers both Parameters and computes x @ weights + bias with its own weights."""
    x = normal(seed, (batch, in_features))
    seen = run(probes.myliner, as_parameters=True, in_features=in_features, out_features=out_features, x=x)
    what = f"MyLiner({in_features}, {out_features})"
    check_parameter_report(seen["parameters"], ref.named_parameters(ref.build(ref.myliner_spec(in_features, out_features))), what)
    assert_close(seen["output"], ref.myliner_forward(x, seen["weights"], seen["bias"]), f"{what}(x) for x of shape {x.shape}",
                 atol=float32_affine_atol(x, seen["weights"], seen["bias"]))


#: Names a user's Parameter may have, "_" ones among them (a module's own state has such names too).
PARAMETER_NAMES = ("weights", "bias", "_scale", "_w", "w_2", "alpha", "kernel", "_gain")


@behaviour("M1")
@given(data=st.data())
def test_a_parameter_of_any_name_is_registered(run, data: st.DataObject) -> None:
    """Every Parameter a module assigns is registered under its name, in order: every example has a "_" name."""
    names = data.draw(st.lists(st.sampled_from(PARAMETER_NAMES), min_size=1, max_size=4, unique=True), label="names")
    if not any(name.startswith("_") for name in names):
        names.insert(data.draw(st.integers(0, len(names)), label="place"), data.draw(st.sampled_from(["_scale", "_w", "_gain"])))
    shapes_ = [tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=2), label=f"shape of {name}")) for name in names]
    spec = ("Module", "Net", tuple((name, ("Parameter", shape)) for name, shape in zip(names, shapes_)))
    expected = ref.named_parameters(ref.build(spec))
    assert_equal(run(probes.named_parameters, spec=spec), expected, f"named_parameters() of a module assigning {names}")


@behaviour("M2")
def test_plain_tensor_myliner_document_example(run) -> None:
    """With Tensor(...) attributes MyLiner(7, 12) still maps (5, 7) to (5, 12), but parameters() yields nothing."""
    seen = run(probes.document_myliner, as_parameters=False)
    assert_equal(seen["output_shape"], ref.PRINTED_MYLINER_OUTPUT, "layer(x).shape for x of shape (5, 7)")
    assert_equal(seen["parameters"], [], "what parameters() yields for plain-tensor attributes (the document: no output)")


@behaviour("M2")
@given(in_features=st.integers(1, 8), out_features=st.integers(1, 8), batch=st.integers(1, 6), seed=seeds())
def test_plain_tensors_register_nothing_any_size(run, in_features: int, out_features: int, batch: int, seed: int) -> None:
    """MyLiner(in, out) with plain tensors registers nothing, and its forward is unchanged."""
    x = normal(seed, (batch, in_features))
    seen = run(probes.myliner, as_parameters=False, in_features=in_features, out_features=out_features, x=x)
    assert_equal(seen["parameters"], [], f"parameters() of a plain-tensor MyLiner({in_features}, {out_features})")
    assert_close(seen["output"], ref.myliner_forward(x, seen["weights"], seen["bias"]), "its forward x @ weights + bias",
                 atol=float32_affine_atol(x, seen["weights"], seen["bias"]))


@behaviour("M2")
@given(spec=user_modules(with_children=False))
def test_plain_tensors_requiring_grad_register_nothing(run, spec: Spec) -> None:
    """Plain tensor attributes register nothing even when they require grad: registration is by type."""
    assert ref.named_parameters(ref.build(spec)) == []
    assert_equal(run(probes.named_parameters, spec=spec), [], f"named_parameters() of {spec}")


# --------------------------------------------------------------------------- M3


@behaviour("M3")
def test_document_named_parameters(run) -> None:
    """NeuralNetwork's named_parameters are the six names and sizes document 004 prints, in that order."""
    seen = run(probes.document_named_parameters)
    assert_equal(seen, list(ref.PRINTED_PARAMETERS), "(name, size) from model.named_parameters()")


@behaviour("M3")
@given(spec=any_stack())
def test_named_parameters_of_nested_stacks(run, spec: Spec) -> None:
    """Nested Sequential stacks name parameters by dotted child indices, in registration order."""
    expected = ref.named_parameters(ref.build(spec))
    assert_equal(run(probes.named_parameters, spec=spec), expected, f"named_parameters() of {spec}")


@behaviour("M3")
@given(spec=user_modules())
def test_named_parameters_follow_registration_order(run, spec: Spec) -> None:
    """A user-defined module yields its own Parameters in assignment order, then each child's; tensors never."""
    expected = ref.named_parameters(ref.build(spec))
    assert_equal(run(probes.named_parameters, spec=spec), expected, f"named_parameters() of {spec}")


# --------------------------------------------------------------------------- M4


@behaviour("M4")
def test_document_printed_model(run) -> None:
    """print(model) of document 004's NeuralNetwork is what the document prints, laid out by PyTorch's rules."""
    text = run(probes.document_model_repr)
    assert_equal(ref.collapse_whitespace(text), ref.PRINTED_MODEL, "print(model), whitespace collapsed as on the page")
    assert_equal(text, ref.module_repr(ref.build(ref.DOCUMENT_NETWORK)), "print(model), line by line")


@behaviour("M4")
@given(spec=any_stack(), flatten=st.booleans(), softmax_dim=st.none() | st.integers(-2, 1))
def test_printed_form_of_stacks(run, spec: Spec, flatten: bool, softmax_dim: int | None) -> None:
    """str() of a nested Sequential (with Flatten and Softmax) names children (0), (1), ... and indents each level."""
    layers = ((("Flatten", 1, -1),) if flatten else ()) + spec[1] + ((("Softmax", softmax_dim),) if softmax_dim is not None else ())
    spec = ("Sequential", layers)
    assert_equal(run(probes.module_repr, spec=spec), ref.module_repr(ref.build(spec)), f"str() of {spec}")


@behaviour("M4")
def test_document_flatten(run) -> None:
    """nn.Flatten() turns rand(3, 28, 28) into (3, 784), rows in row-major order."""
    seen = run(probes.document_flatten)
    assert_equal(seen["shape"], ref.PRINTED_SHAPES["flat_image"], "flatten(input_image).size()")
    assert_close(seen["values"], ref.flatten_forward(seen["input"]), "flatten(input_image)")


@behaviour("M4")
def test_document_linear(run) -> None:
    """nn.Linear(784, 20) maps (3, 784) to (3, 20) with weight (20, 784): x @ W.T + b."""
    seen = run(probes.document_linear)
    assert_equal(seen["shape"], ref.PRINTED_SHAPES["hidden1"], "layer1(flat_image).size()")
    assert_equal(seen["weight"].shape, (20, 784), "layer1.weight shape (out, in)")
    assert_close(seen["values"], ref.linear_forward(seen["input"], seen["weight"], seen["bias"]), "layer1(flat_image)")


@behaviour("M4")
def test_document_relu(run) -> None:
    """nn.ReLU() of the printed "Before ReLU" tensor is the printed "After ReLU" tensor."""
    after = run(probes.document_relu, before=ref.PRINTED_BEFORE_RELU.astype(np.float32))
    assert_close(after, ref.PRINTED_AFTER_RELU, "nn.ReLU()(hidden1) for the document's hidden1")


@behaviour("M4")
def test_document_sequential_and_softmax(run) -> None:
    """The document's Sequential gives logits (3, 10) as its layers compute them; Softmax(dim=1) rows sum to 1."""
    seen = run(probes.document_sequential_softmax)
    spec = ("Sequential", (("Flatten", 1, -1), ("Linear", 784, 20, True), ("ReLU",), ("Linear", 20, 10, True)))
    assert_equal(seen["logits_shape"], ref.PRINTED_SHAPES["logits"], "logits.shape")
    assert_equal(seen["probabilities_shape"], ref.PRINTED_SHAPES["pred_probab"], "pred_probab.shape")
    assert_close(seen["logits"], ref.forward(spec, seen["parameters"], seen["input"]), "seq_modules(input_image)")
    assert_close(seen["probabilities"], ref.softmax_forward(seen["logits"], 1), "nn.Softmax(dim=1)(logits)")
    assert_close(seen["probabilities"].sum(axis=1), np.ones(3), "row sums of pred_probab")


def check_forward(run, spec: Spec, x: np.ndarray) -> dict:
    """Run ``module(x)`` for a spec and compare with the reference forward using the module's own parameters."""
    __tracebackhide__ = True
    seen = run(probes.forward, spec=spec, x=x)
    expected = ref.forward(spec, seen["parameters"], x)
    assert_equal(seen["shape"], expected.shape, f"{spec}(x).shape for x of shape {x.shape}")
    assert_close(seen["values"], expected, f"{spec}(x) for x of shape {x.shape}")
    return seen


@behaviour("M4")
@given(in_features=st.integers(1, 8), out_features=st.integers(1, 8), bias=st.booleans(), batch=st.integers(1, 5), seed=seeds())
def test_linear_any_size(run, in_features: int, out_features: int, bias: bool, batch: int, seed: int) -> None:
    """Linear(in, out, bias) has weight (out, in) and computes x @ W.T (+ b)."""
    spec = ("Linear", in_features, out_features, bias)
    x = normal(seed, (batch, in_features))
    seen = run(probes.forward, spec=spec, x=x)
    shapes = dict(ref.named_parameters(ref.build(spec)))
    assert_equal({name: v.shape for name, v in seen["parameters"].items()}, shapes, f"{spec}'s parameter shapes")
    weight, b = seen["parameters"]["weight"], seen["parameters"].get("bias")
    expected = ref.linear_forward(x, weight, b)
    assert_equal(seen["shape"], expected.shape, f"{spec}(x).shape for x of shape {x.shape}")
    assert_close(seen["values"], expected, f"{spec}(x) for x of shape {x.shape}", atol=float32_affine_atol(x, weight.T, b))


@behaviour("M4")
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple), data=st.data(), seed=seeds())
def test_flatten_any_dims(run, shape: tuple[int, ...], data: st.DataObject, seed: int) -> None:
    """Flatten(start_dim, end_dim) merges the dims between them (inclusive, negative dims from the end)."""
    n = len(shape)
    start = data.draw(st.integers(-n, n - 1), label="start_dim")
    end = data.draw(st.integers(-n, n - 1).filter(lambda e: e % n >= start % n), label="end_dim")
    check_forward(run, ("Flatten", start, end), normal(seed, shape))


@behaviour("M4")
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple), seed=seeds())
def test_relu_any_values(run, shape: tuple[int, ...], seed: int) -> None:
    """ReLU zeroes the negatives and keeps the rest."""
    x = normal(seed, shape)
    x.flat[0] = 0.0
    check_forward(run, ("ReLU",), x)


@behaviour("M4")
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple), data=st.data(), seed=seeds())
def test_softmax_any_dim(run, shape: tuple[int, ...], data: st.DataObject, seed: int) -> None:
    """Softmax(dim) is exp(x) / sum(exp(x)) along dim, so it sums to 1 along dim."""
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    x = 5 * normal(seed, shape)
    seen = check_forward(run, ("Softmax", dim), x)
    assert_close(seen["values"].sum(axis=dim), np.ones(np.delete(shape, dim % len(shape))), f"sums along dim {dim}")


@behaviour("M4")
@given(shape=st.lists(st.integers(2, 5), min_size=1, max_size=3).map(tuple), data=st.data(), seed=seeds())
def test_softmax_of_large_logits(run, shape: tuple[int, ...], data: st.DataObject, seed: int) -> None:
    """Softmax(dim) of float32 logits in the hundreds is still exp(x) / sum(exp(x)), finite and summing to 1 along
    dim (exp alone overflows float32 past 88: a softmax must not compute it as it stands)."""
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    x = 300 * normal(seed, shape)
    x.flat[0] = 200.0  # one logit at least whose exp is past float32's range
    seen = check_forward(run, ("Softmax", dim), x)
    assert_close(seen["values"].sum(axis=dim), np.ones(np.delete(shape, dim % len(shape))), f"sums along dim {dim}")


@behaviour("M4")
@given(width=st.integers(1, 5), data=st.data(), batch=st.integers(1, 4), seed=seeds())
def test_sequential_any_stack(run, width: int, data: st.DataObject, batch: int, seed: int) -> None:
    """A nested Sequential runs its layers in order: the same as composing each layer's forward."""
    spec, _ = data.draw(stacks(width), label="spec")
    check_forward(run, spec, normal(seed, (batch, width)))


# --------------------------------------------------------------------------- M5


@behaviour("M5")
def test_to_device_moves_every_parameter(run) -> None:
    """model.to(device) returns the model with every parameter on the device, values unchanged; a tensor's device says where it is."""
    seen = run(probes.to_device)
    device = run.device
    assert_equal(seen["returns_itself"], True, f"model.to({device!r}) is model")
    devices = seen["parameter_devices"]
    assert_equal(len(devices), len(ref.PRINTED_PARAMETERS), "number of parameters")
    assert_on_device(devices, device, f"each parameter's device after model.to({device!r})")
    assert_on_device(seen["tensor_device"], device, f"rand(3, 28, 28).to({device!r}).device")
    for name, before in seen["values_before"].items():
        assert_close(seen["values_after"][name], before, f"{name} after .to({device!r})", rtol=0, atol=0)


# --------------------------------------------------------------------------- M6


def check_frozen_training(seen: dict, frozen_names: set[str], options: ref_optim.SGDOptions) -> None:
    """Frozen parameters never get a grad and never change; the others follow SGD with their own grads."""
    __tracebackhide__ = True
    current = seen["initial"]
    names = list(current)
    state: ref_optim.SGDState | None = None
    for step, record in enumerate(seen["steps"], start=1):
        grads = [record["grads"][name] for name in names]
        for name, grad in zip(names, grads):
            if name in frozen_names and grad is not None:
                fail(f"{name}.grad after step {step} (requires_grad=False)", None, grad)
            if name not in frozen_names and grad is None:
                fail(f"{name}.grad after step {step} (a trainable parameter)", "a gradient", None)
        expected, state = ref_optim.sgd_step([current[name] for name in names], grads, options, state)
        for name, want in zip(names, expected):
            note = "(frozen: must not change)" if name in frozen_names else "(SGD with its own grad)"
            assert_close(record["after"][name], want, f"{name} after step {step} {note}")
        current = record["after"]


@st.composite
def freezing_setups(draw: st.DrawFn) -> dict[str, Any]:
    """Layer sizes, which Linear layers are frozen (not all), SGD options with weight decay, data."""
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    frozen = draw(st.lists(st.booleans(), min_size=len(sizes) - 1, max_size=len(sizes) - 1).filter(lambda f: not all(f)))
    momentum = draw(st.sampled_from([0.0, 0.9]))
    options = ref_optim.SGDOptions(lr=0.1, momentum=momentum, weight_decay=draw(st.sampled_from([0.0, 0.1])))
    seed = draw(seeds())
    batch = draw(st.integers(1, 4))
    return {"sizes": sizes, "frozen": frozen, "options": options, "x": normal(seed, (batch, sizes[0])),
            "y": normal(seed + 1, (batch, sizes[-1])), "steps": draw(st.integers(1, 3))}


def run_freezing(run, setup: dict[str, Any]) -> None:
    """Run a freezing setup and check it."""
    __tracebackhide__ = True
    options: ref_optim.SGDOptions = setup["options"]
    seen = run(probes.frozen_training, sizes=setup["sizes"], frozen=setup["frozen"], x=setup["x"], y=setup["y"],
               lr=options.lr, options=options.non_default(), steps=setup["steps"])
    frozen_names = {f"{2 * i}.{p}" for i, is_frozen in enumerate(setup["frozen"]) if is_frozen for p in ("weight", "bias")}
    check_frozen_training(seen, frozen_names, options)


@behaviour("M6")
def test_frozen_backbone_with_trained_head(run) -> None:
    """Transfer learning as in 003: the first layers frozen, the head trained with momentum and weight decay."""
    setup = {"sizes": [4, 6, 5, 3], "frozen": [True, True, False], "x": normal(0, (4, 4)), "y": normal(1, (4, 3)),
             "options": ref_optim.SGDOptions(lr=0.1, momentum=0.9, weight_decay=0.1), "steps": 3}
    run_freezing(run, setup)


@behaviour("M6")
@given(setup=freezing_setups())
def test_frozen_parameters_any_layers(run, setup: dict[str, Any]) -> None:
    """Any choice of frozen Linear layers: their parameters get no grad and SGD leaves them alone."""
    run_freezing(run, setup)


def sized_stacks(depth: int = 3) -> st.SearchStrategy[tuple[int, Spec]]:
    """A nested Sequential stack and the number of input features it takes."""
    return st.integers(1, 5).flatmap(lambda width: stacks(width, depth).map(lambda pair: (width, pair[0])))


def check_requires_grad_calls(run, width: int, spec: Spec, calls: list[tuple[str, bool]]) -> None:
    """After requires_grad_ calls on submodules, every parameter's flag follows the reference, and so do its grads."""
    __tracebackhide__ = True
    layer = ref.build(spec)
    expected = ref.requires_grad_after([name for name, _ in ref.named_parameters(layer)], calls)
    seen = run(probes.module_requires_grad, spec=spec, calls=calls, x=normal(0, (2, width)))
    what = " then ".join(f"model{'.' if name else ''}{name}.requires_grad_({flag})" for name, flag in calls)
    assert_true(all(seen["returns_itself"]), what, "did not return the module itself")
    assert_equal(seen["requires_grad"], expected, f"every parameter's requires_grad after {what}")
    if seen["has_grad"] is not None:
        assert_equal(seen["has_grad"], expected, f"which parameters hold a grad after backward, after {what}")


#: Transfer learning's idiom on a backbone with a grandchild: freeze the backbone, or everything but the head.
BACKBONE = ("Sequential", (("Sequential", (("Linear", 4, 5, True), ("ReLU",), ("Sequential", (("Linear", 5, 3, True), ("ReLU",))))),
                           ("Linear", 3, 2, True)))


@behaviour("M6")
@pytest.mark.parametrize("calls", [[("0", False)], [("", False), ("1", True)], [("0.2", False)]],
                         ids=["backbone", "all-but-head", "grandchild"])
def test_requires_grad_freezes_a_backbone(run, calls: list[tuple[str, bool]]) -> None:
    """model[0].requires_grad_(False) freezes the backbone and its grandchild; the head still gets grads."""
    check_requires_grad_calls(run, 4, BACKBONE, calls)


@behaviour("M6")
@given(shaped=sized_stacks(depth=3), data=st.data())
def test_requires_grad_on_any_submodule(run, shaped: tuple[int, Spec], data: st.DataObject) -> None:
    """requires_grad_(flag) on any submodule sets it on every parameter below it, at any depth, and nothing else."""
    width, spec = shaped
    names = [name for name, _ in ref.named_modules(ref.build(spec))]
    calls = data.draw(st.lists(st.tuples(st.sampled_from(names), st.booleans()), min_size=1, max_size=4), label="calls")
    check_requires_grad_calls(run, width, spec, calls)


# --------------------------------------------------------------------------- M7


@behaviour("M7")
@given(spec=any_stack(), seed=seeds())
def test_state_dict_round_trip(run, spec: Spec, seed: int) -> None:
    """save(model.state_dict()) then load_state_dict(load(...)) into a fresh model restores every parameter exactly."""
    names = ref.named_parameters(ref.build(spec))
    values = {name: normal(seed + i, shape) for i, (name, shape) in enumerate(names)}
    seen = run(probes.state_dict_round_trip, spec=spec, values=values)
    assert_equal(seen["keys"], [name for name, _ in names], f"state_dict() keys of {spec}")
    for name, want in values.items():
        assert_close(seen["fresh_after"][name], want, f"{name} of a fresh model after load_state_dict", rtol=0, atol=0)


#: Buffers a module may register (shape, dtype), as BatchNorm1d(3) keeps its running statistics, and a scratch one.
BUFFERS: dict[str, tuple[tuple[int, ...], str]] = {
    "running_mean": ((3,), "float32"), "running_var": ((3,), "float32"), "num_batches_tracked": ((), "int64"),
    "scratch": ((2, 2), "float32"),
}


def check_buffers_round_trip(run, spec: Spec, buffers: list[tuple[str, bool]], seed: int) -> None:
    """save/load of state_dict() restores every parameter and persistent buffer; a non-persistent one is not saved."""
    __tracebackhide__ = True
    layer = ref.build(spec)
    values = {"body." + name: normal(seed + i, shape) for i, (name, shape) in enumerate(ref.named_parameters(layer))}
    rng = np.random.default_rng(seed)
    for name, _ in buffers:
        shape, dtype = BUFFERS[name]
        values[name] = (rng.integers(1, 1000, size=shape) if dtype == "int64" else rng.standard_normal(shape)).astype(dtype)
    seen = run(probes.buffers_round_trip, spec=spec, buffers=buffers, values=values)
    assert_equal(seen["keys"], ref.state_dict_keys(layer, buffers), f"state_dict() keys with buffers {buffers}")
    for name, want in values.items():
        if name.startswith("body."):
            got, what = seen["parameters"][name], f"parameter {name} of a fresh model after load_state_dict"
        elif dict(buffers)[name]:
            got, what = seen["buffers"][name], f"persistent buffer {name} of a fresh model after load_state_dict"
        else:
            got, want, what = seen["buffers"][name], np.zeros_like(want), f"non-persistent buffer {name} (never saved)"
        assert_close(got, want, what, rtol=0, atol=0)


@behaviour("M7")
def test_running_statistics_round_trip(run) -> None:
    """A Linear with BatchNorm-style running_mean, running_var and num_batches_tracked buffers comes back whole."""
    buffers = [("running_mean", True), ("running_var", True), ("num_batches_tracked", True), ("scratch", False)]
    check_buffers_round_trip(run, ("Sequential", (("Linear", 3, 3, True),)), buffers, seed=5)


@behaviour("M7")
@given(spec=any_stack(), buffers=st.lists(st.tuples(st.sampled_from(list(BUFFERS)), st.booleans()), min_size=1, max_size=4,
                                          unique_by=lambda b: b[0]), seed=seeds())
def test_state_dict_round_trip_with_buffers(run, spec: Spec, buffers: list[tuple[str, bool]], seed: int) -> None:
    """Any stack with any persistent and non-persistent buffers: state_dict() holds them all and load restores them."""
    check_buffers_round_trip(run, spec, buffers, seed)


def check_checkpoint(run, seed: int, shape: tuple[int, int, int], options: ref_optim.SGDOptions, before: int, after: int,
                     against_reference: bool) -> None:
    """Resuming from a checkpoint after ``before`` steps and training ``after`` more equals the uninterrupted run.

    With ``against_reference`` the uninterrupted run must also follow the reference
    trajectory; without it only the checkpoint's own promise is checked, so a wrong
    SGD rule (O3's business) does not show up here.
    """
    __tracebackhide__ = True
    batch, d_in, d_out = shape
    x, y = normal(seed, (batch, d_in)), normal(seed + 1, (batch, d_out))
    weight, bias = 0.5 * normal(seed + 2, (d_out, d_in)), 0.5 * normal(seed + 3, (d_out,))
    seen = run(probes.checkpoint_resume, x=x, y=y, weight=weight, bias=bias, lr=options.lr, options=options.non_default(),
               before=before, after=after)
    assert_equal(seen["epoch"], before, "checkpoint['epoch']")
    assert_equal(seen["loss"], seen["losses"][-1], "checkpoint['loss'] (the last loss before saving)")
    for name in ("weight", "bias"):
        assert_close(seen["resumed"][name], seen["uninterrupted"][name],
                     f"{name} after resuming from the checkpoint and {after} more steps (vs uninterrupted)", rtol=0, atol=0)
    if against_reference:
        losses, trajectory = ref_optim.linear_regression_trajectory(x, y, weight, bias, options, before + after)
        # the loss is a float32 mean of squares: its rounding grows with its size, hence rtol 1e-5
        assert_close(seen["losses"], np.array(losses[:before]), "losses before the checkpoint", rtol=1e-5)
        for name, want in zip(("weight", "bias"), trajectory[-1]):
            assert_close(seen["uninterrupted"][name], want, f"{name} after {before} + {after} uninterrupted steps")


@behaviour("M7")
def test_checkpoint_restores_training_document_example(run) -> None:
    """003's checkpoint {epoch, model_state_dict, optimizer_state_dict, loss} with SGD(momentum=0.9) resumes exactly."""
    check_checkpoint(run, seed=7, shape=(8, 3, 2), options=ref_optim.SGDOptions(lr=0.05, momentum=0.9), before=3, after=3,
                     against_reference=True)


@st.composite
def momentum_options(draw: st.DrawFn) -> ref_optim.SGDOptions:
    """SGD options whose state matters: momentum, with or without nesterov, dampening or weight decay."""
    nesterov = draw(st.booleans())
    dampening = 0.0 if nesterov else draw(st.sampled_from([0.0, 0.3]))
    return ref_optim.SGDOptions(lr=0.05, momentum=draw(st.floats(0.5, 0.95)), dampening=dampening,
                                weight_decay=draw(st.sampled_from([0.0, 0.01])), nesterov=nesterov)


@behaviour("M7")
@given(seed=seeds(), shape=st.tuples(st.integers(1, 6), st.integers(1, 4), st.integers(1, 3)), options=momentum_options(),
       before=st.integers(1, 3), after=st.integers(1, 3))
def test_checkpoint_restores_training_any(run, seed: int, shape: tuple[int, int, int], options: ref_optim.SGDOptions,
                                          before: int, after: int) -> None:
    """With any momentum, nesterov, dampening and weight decay, a resumed run continues exactly as the uninterrupted one."""
    check_checkpoint(run, seed, shape, options, before, after, against_reference=False)


# --------------------------------------------------------------------------- M8


@behaviour("M8")
def test_document_network_train_eval(run) -> None:
    """NeuralNetwork is built in training mode; eval() clears the flag on it and all children; train() sets it back."""
    seen = run(probes.document_network_modes)
    names = [name for name, _ in ref.named_modules(ref.build(ref.DOCUMENT_NETWORK))]
    for stage, mode in (("built", True), ("eval", False), ("train", True)):
        assert_equal(seen[stage], {name: mode for name in names}, f"every module's training flag, {stage}")


@behaviour("M8")
@given(spec=st.tuples(st.integers(1, 5), st.integers(2, 3)).flatmap(lambda pair: deep_stacks(*pair)).map(lambda p: p[0]))
def test_eval_and_train_reach_every_depth(run, spec: Spec) -> None:
    """eval() on a model clears the flag of every module in it, three levels down and more, and train() sets the
    deepest back: every example nests a layer in a stack in a stack in the model (document 004's go two levels)."""
    names = [name for name, _ in ref.named_modules(ref.build(spec))]
    deepest = max(names, key=lambda name: name.count("."))
    for calls in ([("", False)], [(deepest, False), ("", True)]):
        seen = run(probes.train_eval, spec=spec, calls=calls)
        assert_equal(seen["training"], ref.modes_after(names, calls), f"training flags after {calls}")


@behaviour("M8")
@given(spec=any_stack(depth=3), data=st.data())
def test_train_eval_on_any_submodule(run, spec: Spec, data: st.DataObject) -> None:
    """train()/eval() on any submodule set the flag on it and everything below it, nothing else, and return the module."""
    names = [name for name, _ in ref.named_modules(ref.build(spec))]
    calls = data.draw(st.lists(st.tuples(st.sampled_from(names), st.booleans()), min_size=1, max_size=4), label="calls")
    seen = run(probes.train_eval, spec=spec, calls=calls)
    assert_equal(seen["training"], ref.modes_after(names, calls), f"training flags after {calls}")
    assert_true(all(seen["returns_itself"]), f"train()/eval() in {calls}", "did not return the module itself")
