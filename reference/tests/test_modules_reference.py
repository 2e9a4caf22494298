"""The modules reference reproduces documents 000 and 004: the printed model, its parameter names and sizes, the layers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import modules as ref


def test_printed_model_of_document_network() -> None:
    """repr of document 004's NeuralNetwork, whitespace collapsed, is exactly what the page prints (M4)."""
    assert ref.collapse_whitespace(ref.module_repr(ref.build(ref.DOCUMENT_NETWORK))) == ref.PRINTED_MODEL


def test_printed_model_line_by_line() -> None:
    """The uncollapsed repr follows PyTorch's layout: one child per line, two spaces per level (M4)."""
    text = ref.module_repr(ref.build(ref.DOCUMENT_NETWORK))
    lines = text.split("\n")
    assert lines[0] == "NeuralNetwork("
    assert lines[1] == "  (flatten): Flatten(start_dim=1, end_dim=-1)"
    assert lines[2] == "  (linear_relu_stack): Sequential("
    assert lines[3] == "    (0): Linear(in_features=784, out_features=512, bias=True)"
    assert lines[4] == "    (1): ReLU()"
    assert lines[-2] == "  )"
    assert lines[-1] == ")"
    assert len(lines) == 11


def test_printed_parameter_names_and_sizes() -> None:
    """named_parameters of the document's network: the six names and sizes 004 prints, in order (M3)."""
    assert tuple(ref.named_parameters(ref.build(ref.DOCUMENT_NETWORK))) == ref.PRINTED_PARAMETERS


def test_myliner_registers_parameters_not_tensors() -> None:
    """MyLiner(7, 12) registers weights (7, 12) and bias (12,); with plain Tensors nothing (M1, M2)."""
    assert ref.named_parameters(ref.build(ref.myliner_spec(7, 12))) == [("weights", (7, 12)), ("bias", (12,))]
    assert ref.named_parameters(ref.build(ref.myliner_spec(7, 12, parameters=False))) == []


def test_myliner_forward_shape() -> None:
    """x (5, 7) @ weights (7, 12) + bias (12,) has the printed shape (5, 12) (M1)."""
    rng = np.random.default_rng(0)
    y = ref.myliner_forward(rng.standard_normal((5, 7)), rng.standard_normal((7, 12)), rng.standard_normal(12))
    assert y.shape == ref.PRINTED_MYLINER_OUTPUT


def test_printed_relu() -> None:
    """ReLU of 004's "Before ReLU" tensor is its "After ReLU" tensor (M4)."""
    np.testing.assert_array_equal(ref.relu_forward(ref.PRINTED_BEFORE_RELU), ref.PRINTED_AFTER_RELU)


def test_printed_shapes_of_document_layers() -> None:
    """Flatten (3,28,28) -> (3,784), Linear(784,20) -> (3,20), the Sequential's logits and softmax -> (3,10) (M4)."""
    shapes = ref.PRINTED_SHAPES
    assert ref.flatten_shape(shapes["input_image"]) == shapes["flat_image"]
    rng = np.random.default_rng(1)
    image = rng.random(shapes["input_image"])
    seq = ("Sequential", (("Flatten", 1, -1), ("Linear", 784, 20, True), ("ReLU",), ("Linear", 20, 10, True)))
    params = {name: rng.standard_normal(shape) for name, shape in ref.named_parameters(ref.build(seq))}
    hidden = ref.linear_forward(ref.flatten_forward(image), params["1.weight"], params["1.bias"])
    assert hidden.shape == shapes["hidden1"]
    logits = ref.forward(seq, params, image)
    assert logits.shape == shapes["logits"]
    probabilities = ref.softmax_forward(logits, 1)
    assert probabilities.shape == shapes["pred_probab"]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_linear_weight_is_out_by_in() -> None:
    """Linear(in, out): weight (out, in), x @ W.T + b; bias=False leaves the bias out (M4)."""
    layer = ref.build(("Linear", 3, 5, False))
    assert layer.parameters == (("weight", (5, 3)),)
    assert ref.module_repr(layer) == "Linear(in_features=3, out_features=5, bias=False)"
    w = np.arange(15.0).reshape(5, 3)
    np.testing.assert_array_equal(ref.linear_forward(np.eye(3), w, None), w.T)


def test_own_parameters_come_before_childrens() -> None:
    """named_parameters walks modules in pre-order: a module's own parameters precede its children's (M3)."""
    spec = ("Module", "Net", (("body", ("Linear", 2, 2, True)), ("scale", ("Parameter", (2,))), ("t", ("Tensor", (2,)))))
    assert ref.named_parameters(ref.build(spec)) == [("scale", (2,)), ("body.weight", (2, 2)), ("body.bias", (2,))]


@pytest.mark.parametrize(
    ("shape", "start", "end", "expected"),
    [((3, 28, 28), 1, -1, (3, 784)), ((2, 3, 4, 5), 0, 1, (6, 4, 5)), ((2, 3, 4, 5), -2, -1, (2, 3, 20)), ((2, 3), 1, 1, (2, 3))],
    ids=str,
)
def test_flatten_shapes(shape: tuple[int, ...], start: int, end: int, expected: tuple[int, ...]) -> None:
    """Flatten merges dims start..end inclusive; negative dims count from the end (M4)."""
    assert ref.flatten_shape(shape, start, end) == expected


def test_flatten_rejects_start_after_end() -> None:
    """start_dim after end_dim is an error (M4)."""
    with pytest.raises(ValueError):
        ref.flatten_shape((2, 3, 4), 2, 1)


@given(st.lists(st.floats(-50, 50), min_size=2, max_size=6), st.integers(1, 4))
def test_softmax_rows_sum_to_one(values: list[float], rows: int) -> None:
    """Softmax(dim=1) rows are positive and sum to 1, even for large inputs (M4)."""
    x = np.tile(np.array(values), (rows, 1))
    p = ref.softmax_forward(x, 1)
    assert np.all(p > 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_modes_after_train_and_eval() -> None:
    """eval() on a child sets it and its descendants only; train() on the root resets all (M8)."""
    names = [name for name, _ in ref.named_modules(ref.build(ref.DOCUMENT_NETWORK))]
    assert names == ["", "flatten", "linear_relu_stack"] + [f"linear_relu_stack.{i}" for i in range(6)]
    modes = ref.modes_after(names, [("linear_relu_stack", False)])
    assert modes == {name: not name.startswith("linear_relu_stack") for name in names}
    assert all(ref.modes_after(names, [("", False), ("", True)]).values())
    assert not any(ref.modes_after(names, [("", False)]).values())


def test_modes_after_does_not_touch_name_prefixes() -> None:
    """A module named "1" is not below one named "10": only dotted descendants follow (M8)."""
    modes = ref.modes_after(["", "1", "1.0", "10"], [("1", False)])
    assert modes == {"": True, "1": False, "1.0": False, "10": True}
