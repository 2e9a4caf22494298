"""M1-M8: what a Module registers, the names and shapes of its parameters, its layers' forward maths and its printed form.

A module is described here as plain data (a *spec*), the same nested tuples the
probes build real modules from:

- ``("Linear", in_features, out_features, bias)``: weight (out, in), bias (out,)
- ``("ReLU",)``, ``("Flatten", start_dim, end_dim)``, ``("Softmax", dim)``
- ``("Sequential", (spec, spec, ...))``: children named ``"0"``, ``"1"``, ...
- ``("Module", class_name, ((attribute, value), ...))``: a user-defined subclass
  whose ``__init__`` assigns these attributes in this order; a value is a spec,
  ``("Parameter", shape)``, or ``("Tensor", shape)`` (a plain tensor).

The registration rule (PyTorch's ``Module.__setattr__``): a Parameter assigned
as an attribute is registered as a parameter, a Module as a child, in
assignment order; a plain tensor (even one that requires grad) registers nothing.
``named_parameters`` walks the modules in pre-order (a module's own parameters,
then each child's, in registration order) and joins names with dots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

Shape = tuple[int, ...]
Spec = tuple[Any, ...]

# --------------------------------------------------------------------------- registration (M1, M2, M3)


@dataclass(frozen=True)
class Layer:
    """A module as the registration rule sees it: class name, repr arguments, own parameters, children."""

    name: str
    extra_repr: str
    parameters: tuple[tuple[str, Shape], ...]
    children: tuple[tuple[str, "Layer"], ...]


def registered(assignments: Sequence[tuple[str, Spec]]) -> tuple[tuple[tuple[str, Shape], ...], tuple[tuple[str, Spec], ...]]:
    """What ``__init__``'s attribute assignments register: (parameters, children), each in assignment order (M1, M2).

    Parameters and Modules are registered; plain tensors and other values are not.
    Names are assumed distinct (reassigning a name keeps its first position in PyTorch).
    """
    parameters: list[tuple[str, Shape]] = []
    children: list[tuple[str, Spec]] = []
    for attribute, value in assignments:
        kind = value[0]
        if kind == "Parameter":
            parameters.append((attribute, tuple(value[1])))
        elif kind in LAYER_KINDS:
            children.append((attribute, value))
        # ("Tensor", shape) and anything else: an ordinary attribute, not registered
    return tuple(parameters), tuple(children)


def _linear(spec: Spec) -> Layer:
    """``Linear(in, out, bias)``: weight (out, in) then bias (out,) (M3, M4)."""
    _, n_in, n_out, bias = spec
    params = (("weight", (n_out, n_in)),) + ((("bias", (n_out,)),) if bias else ())
    return Layer("Linear", f"in_features={n_in}, out_features={n_out}, bias={bias}", params, ())


def _flatten(spec: Spec) -> Layer:
    """``Flatten(start_dim=1, end_dim=-1)``: no parameters (M4)."""
    start, end = (spec[1], spec[2]) if len(spec) > 1 else (1, -1)
    return Layer("Flatten", f"start_dim={start}, end_dim={end}", (), ())


def _sequential(spec: Spec) -> Layer:
    """``Sequential(*layers)``: children named 0, 1, 2, ... in order (M3, M4)."""
    return Layer("Sequential", "", (), tuple((str(i), build(child)) for i, child in enumerate(spec[1])))


def _module(spec: Spec) -> Layer:
    """A user-defined Module: what its attribute assignments register (M1, M2, M3)."""
    _, class_name, assignments = spec
    parameters, children = registered(assignments)
    return Layer(class_name, "", parameters, tuple((name, build(child)) for name, child in children))


LAYER_KINDS = {
    "Linear": _linear,
    "ReLU": lambda spec: Layer("ReLU", "", (), ()),
    "Flatten": _flatten,
    "Softmax": lambda spec: Layer("Softmax", f"dim={spec[1]}", (), ()),
    "Sequential": _sequential,
    "Module": _module,
}


def build(spec: Spec) -> Layer:
    """The Layer a spec describes (M3)."""
    return LAYER_KINDS[spec[0]](spec)


def named_parameters(layer: Layer, prefix: str = "") -> list[tuple[str, Shape]]:
    """``named_parameters()``: dotted names and shapes, own parameters first, then each child's (M3)."""
    dotted = prefix + "." if prefix else ""
    found = [(dotted + name, shape) for name, shape in layer.parameters]
    for child_name, child in layer.children:
        found += named_parameters(child, dotted + child_name)
    return found


def named_modules(layer: Layer, prefix: str = "") -> list[tuple[str, Layer]]:
    """``named_modules()``: the module itself (name ``""``), then every descendant in pre-order (M8)."""
    dotted = prefix + "." if prefix else ""
    found = [(prefix, layer)]
    for child_name, child in layer.children:
        found += named_modules(child, dotted + child_name)
    return found


# --------------------------------------------------------------------------- the documents' modules (M1-M4)


def myliner_spec(in_features: int, out_features: int, *, parameters: bool = True) -> Spec:
    """Document 000's ``MyLiner``: weights (in, out) and bias (out,) as Parameters, or as plain Tensors (M1, M2)."""
    kind = "Parameter" if parameters else "Tensor"
    return ("Module", "MyLiner", (("weights", (kind, (in_features, out_features))), ("bias", (kind, (out_features,)))))


#: Document 004's ``NeuralNetwork``: a Flatten, then Linear/ReLU x 3 in a Sequential (M3, M4).
DOCUMENT_NETWORK: Spec = (
    "Module",
    "NeuralNetwork",
    (
        ("flatten", ("Flatten", 1, -1)),
        (
            "linear_relu_stack",
            ("Sequential", (("Linear", 784, 512, True), ("ReLU",), ("Linear", 512, 512, True), ("ReLU",),
                            ("Linear", 512, 10, True), ("ReLU",))),
        ),
    ),
)

#: ``print(model)`` in document 004, as the page shows it (its line breaks and indentation collapsed to spaces).
PRINTED_MODEL = (
    "NeuralNetwork( (flatten): Flatten(start_dim=1, end_dim=-1) (linear_relu_stack): Sequential( "
    "(0): Linear(in_features=784, out_features=512, bias=True) (1): ReLU() "
    "(2): Linear(in_features=512, out_features=512, bias=True) (3): ReLU() "
    "(4): Linear(in_features=512, out_features=10, bias=True) (5): ReLU() ) )"
)

#: ``named_parameters()`` of the model, as document 004 prints each ``Layer: name | Size: torch.Size([...])`` (M3).
PRINTED_PARAMETERS: tuple[tuple[str, Shape], ...] = (
    ("linear_relu_stack.0.weight", (512, 784)),
    ("linear_relu_stack.0.bias", (512,)),
    ("linear_relu_stack.2.weight", (512, 512)),
    ("linear_relu_stack.2.bias", (512,)),
    ("linear_relu_stack.4.weight", (10, 512)),
    ("linear_relu_stack.4.bias", (10,)),
)

#: Shapes document 004 prints: ``flatten(rand(3,28,28))``, ``Linear(784, 20)`` of it, the Sequential's logits, softmax (M4).
PRINTED_SHAPES: dict[str, Shape] = {
    "input_image": (3, 28, 28),
    "flat_image": (3, 784),
    "hidden1": (3, 20),
    "logits": (3, 10),
    "pred_probab": (3, 10),
}

#: Document 000: ``MyLiner(7, 12)`` applied to ``randn(5, 7)`` gives shape (5, 12) (M1, M2).
PRINTED_MYLINER_OUTPUT: Shape = (5, 12)

#: Document 004's "Before ReLU" tensor, transcribed (M4).
PRINTED_BEFORE_RELU = np.array([
    [0.2826, -0.4782, -0.0358, -0.6311, 0.4889, -0.1665, 0.4779, -0.1052, 0.1502, 0.0660,
     0.3299, 0.6115, -0.2084, 0.5777, 0.0515, 0.0722, 0.6335, 0.0632, 0.4001, -0.4047],
    [0.3017, -0.1036, -0.2424, -0.7319, 0.1596, 0.1269, 0.4524, -0.1588, 0.0712, -0.0481,
     0.3125, 0.6833, -0.2455, 0.7615, 0.1625, -0.0434, 0.7479, 0.2325, 0.1314, -0.1276],
    [0.4567, -0.5776, -0.2184, -0.3951, 0.1225, -0.0140, 0.4541, -0.0516, -0.1272, -0.0818,
     0.3577, 0.7219, -0.2957, 0.5377, 0.0630, -0.1395, 0.9187, 0.3089, -0.1543, -0.1834],
])

#: Document 004's "After ReLU" tensor, transcribed (M4).
PRINTED_AFTER_RELU = np.array([
    [0.2826, 0.0000, 0.0000, 0.0000, 0.4889, 0.0000, 0.4779, 0.0000, 0.1502, 0.0660,
     0.3299, 0.6115, 0.0000, 0.5777, 0.0515, 0.0722, 0.6335, 0.0632, 0.4001, 0.0000],
    [0.3017, 0.0000, 0.0000, 0.0000, 0.1596, 0.1269, 0.4524, 0.0000, 0.0712, 0.0000,
     0.3125, 0.6833, 0.0000, 0.7615, 0.1625, 0.0000, 0.7479, 0.2325, 0.1314, 0.0000],
    [0.4567, 0.0000, 0.0000, 0.0000, 0.1225, 0.0000, 0.4541, 0.0000, 0.0000, 0.0000,
     0.3577, 0.7219, 0.0000, 0.5377, 0.0630, 0.0000, 0.9187, 0.3089, 0.0000, 0.0000],
])


# --------------------------------------------------------------------------- the printed form (M4)


def _add_indent(text: str, spaces: int) -> str:
    """PyTorch's ``_addindent``: indent every line but the first."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


def module_repr(layer: Layer) -> str:
    """``repr(module)`` by PyTorch's rules (M4).

    ``Name(extra)`` when a module has one line of extra repr and no children;
    otherwise ``Name(`` then each extra line and each ``(child): repr`` on its
    own line indented by two spaces (a child's own lines indented further), then ``)``.
    """
    extra_lines = layer.extra_repr.split("\n") if layer.extra_repr else []
    child_lines = [f"({name}): {_add_indent(module_repr(child), 2)}" for name, child in layer.children]
    lines = extra_lines + child_lines
    text = layer.name + "("
    if lines:
        if len(extra_lines) == 1 and not child_lines:
            text += extra_lines[0]
        else:
            text += "\n  " + "\n  ".join(lines) + "\n"
    return text + ")"


def collapse_whitespace(text: str) -> str:
    """A printed form with line breaks and indentation collapsed to single spaces, as a web page shows it (M4)."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- forward maths (M1, M4)


def myliner_forward(x: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Document 000's ``MyLiner.forward``: ``x @ weights + bias`` with weights (in, out) (M1)."""
    return x @ weights + bias


def linear_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """``Linear``: ``x @ W.T + b`` with W of shape (out, in) (M4)."""
    y = x @ weight.T
    return y if bias is None else y + bias


def relu_forward(x: np.ndarray) -> np.ndarray:
    """``ReLU``: ``f(x) = 0 if x < 0 else x`` (M4)."""
    return np.where(x < 0, np.zeros_like(x), x)


def _normalise_dim(dim: int, ndim: int) -> int:
    """A dim in [-ndim, ndim) made non-negative; IndexError otherwise."""
    if not -ndim <= dim < ndim:
        raise IndexError(f"dimension {dim} out of range for {ndim} dims")
    return dim % ndim


def flatten_shape(shape: Shape, start_dim: int = 1, end_dim: int = -1) -> Shape:
    """``Flatten(start_dim, end_dim)``: dims start..end (inclusive) merged into one (M4)."""
    start, end = _normalise_dim(start_dim, len(shape)), _normalise_dim(end_dim, len(shape))
    if start > end:
        raise ValueError("start_dim cannot come after end_dim")
    merged = int(np.prod(shape[start : end + 1], dtype=np.int64))
    return tuple(shape[:start]) + (merged,) + tuple(shape[end + 1 :])


def flatten_forward(x: np.ndarray, start_dim: int = 1, end_dim: int = -1) -> np.ndarray:
    """``Flatten``: the values in row-major order, in the flattened shape (M4)."""
    return np.reshape(x, flatten_shape(x.shape, start_dim, end_dim))


def softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    """``Softmax(dim)``: ``exp(x) / sum(exp(x))`` along dim, computed stably (M4)."""
    shifted = x - np.max(x, axis=dim, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=dim, keepdims=True)


def forward(spec: Spec, params: Mapping[str, np.ndarray], x: np.ndarray, prefix: str = "") -> np.ndarray:
    """What a spec'd module computes, given its parameters by dotted name (M4).

    A Sequential runs its children in order; so does a user-defined module here
    (document 004's ``NeuralNetwork.forward`` is ``flatten`` then ``linear_relu_stack``).
    """
    kind = spec[0]
    dotted = prefix + "." if prefix else ""
    if kind == "Linear":
        return linear_forward(x, params[dotted + "weight"], params.get(dotted + "bias") if spec[3] else None)
    if kind == "ReLU":
        return relu_forward(x)
    if kind == "Flatten":
        return flatten_forward(x, *(spec[1:3] if len(spec) > 1 else ()))
    if kind == "Softmax":
        return softmax_forward(x, spec[1])
    if kind == "Sequential":
        for i, child in enumerate(spec[1]):
            x = forward(child, params, x, dotted + str(i))
        return x
    if kind == "Module":
        _, children = registered(spec[2])
        for name, child in children:
            x = forward(child, params, x, dotted + name)
        return x
    raise ValueError(f"unknown layer kind {kind!r}")


# --------------------------------------------------------------------------- train / eval (M8)


def modes_after(module_names: Sequence[str], calls: Sequence[tuple[str, bool]]) -> dict[str, bool]:
    """The ``training`` flag of every module after ``train(mode)`` calls on some of them (M8).

    Modules start in training mode. ``m.train(mode)`` (and ``m.eval()``, which is
    ``m.train(False)``) sets the flag on m and every module below it; names are
    the dotted names of ``named_modules()``, ``""`` for the root.
    """
    modes = {name: True for name in module_names}
    for target, mode in calls:
        for name in module_names:
            if target == "" or name == target or name.startswith(target + "."):
                modes[name] = mode
    return modes


# --------------------------------------------------------------------------- requires_grad_ and state_dict (M6, M7)


def requires_grad_after(parameter_names: Sequence[str], calls: Sequence[tuple[str, bool]]) -> dict[str, bool]:
    """Every parameter's ``requires_grad`` after ``module.requires_grad_(flag)`` calls on named submodules (M6).

    Parameters start requiring grad. ``m.requires_grad_(flag)`` sets the flag on
    every parameter of m and of every module below it (``m.parameters()``);
    module names are those of ``named_modules()``, ``""`` for the root.
    """
    flags = {name: True for name in parameter_names}
    for target, flag in calls:
        for name in parameter_names:
            if target == "" or name.startswith(target + "."):
                flags[name] = flag
    return flags


def state_dict_keys(layer: Layer, buffers: Sequence[tuple[str, bool]] = ()) -> list[str]:
    """``state_dict()`` keys of a module holding ``layer`` as its child ``body`` and registering ``buffers`` (M7).

    ``buffers`` are ``(name, persistent)`` in registration order. PyTorch saves a
    module's own parameters, then its persistent buffers (non-persistent ones are
    left out), then each child's entries under the child's name.
    """
    own = [name for name, persistent in buffers if persistent]
    return own + ["body." + name for name, _ in named_parameters(layer)]
