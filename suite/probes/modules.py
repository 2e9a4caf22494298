"""Probes for M1-M8: Parameters and Modules, layers, devices, freezing, saving and train/eval (documents 000, 003, 004).

Modules are described as plain data (the specs of ``reference.modules``) and
built here from the backend's ``nn``: ``("Linear", in, out, bias)``, ``("ReLU",)``,
``("Flatten", start, end)``, ``("Softmax", dim)``, ``("Sequential", (spec, ...))``
and ``("Module", class_name, ((attribute, value), ...))`` for a user-defined
subclass whose ``__init__`` assigns those attributes, in that order.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from suite.probes import device_name, read, shape_of, tensor

Spec = tuple[Any, ...]


def _on(device: str, thing: Any) -> Any:
    """``thing.to(device)`` off the cpu; on the cpu the thing itself (no call at all)."""
    return thing if device == "cpu" else thing.to(device)


def _value(T: Any, value: Spec) -> Any:
    """An attribute value for a user-defined module: a Parameter, a plain tensor, or a built module."""
    if value[0] == "Parameter":
        return T.nn.Parameter(T.randn(*value[1]))
    if value[0] == "Tensor":
        plain = T.randn(*value[1])
        return plain.requires_grad_() if len(value) > 2 and value[2] else plain
    return build(T, value)


def build(T: Any, spec: Spec) -> Any:
    """The backend module a spec describes (see the module docstring)."""
    kind = spec[0]
    nn = T.nn
    if kind == "Linear":
        return nn.Linear(spec[1], spec[2]) if spec[3] else nn.Linear(spec[1], spec[2], bias=False)
    if kind == "ReLU":
        return nn.ReLU()
    if kind == "Flatten":
        return nn.Flatten() if len(spec) == 1 or tuple(spec[1:3]) == (1, -1) else nn.Flatten(spec[1], spec[2])
    if kind == "Softmax":
        return nn.Softmax(dim=spec[1])
    if kind == "Sequential":
        return nn.Sequential(*[build(T, child) for child in spec[1]])
    if kind == "Module":
        _, class_name, assignments = spec

        def __init__(self: Any) -> None:
            nn.Module.__init__(self)
            for attribute, value in assignments:
                setattr(self, attribute, _value(T, value))

        def forward(self: Any, x: Any) -> Any:
            for child in self.children():
                x = child(x)
            return x

        return type(class_name, (nn.Module,), {"__init__": __init__, "forward": forward})()
    raise ValueError(f"unknown layer kind {kind!r}")


def _named_values(model: Any) -> dict[str, np.ndarray]:
    """Every parameter's values by dotted name."""
    return {name: read(p) for name, p in model.named_parameters()}


def _my_liner_class(T: Any, as_parameters: bool, device: str) -> type:
    """Document 000's ``MyLiner``, with ``nn.Parameter`` attributes or with plain tensors."""
    nn = T.nn

    class MyLiner(nn.Module):
        def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
            super().__init__()
            self.in_features = in_features
            self.out_features = out_features
            if as_parameters:
                self.weights = nn.Parameter(T.randn(in_features, out_features))
                self.bias = nn.Parameter(T.randn(out_features))
            else:  # the document wraps them in Tensor(...): plain tensors, not Parameters
                self.weights = _on(device, T.Tensor(T.randn(in_features, out_features)))
                self.bias = _on(device, T.Tensor(T.randn(out_features)))

        def forward(self, x: Any) -> Any:
            return x @ self.weights + self.bias

    return MyLiner


def _parameter_report(T: Any, layer: Any) -> list[dict[str, Any]]:
    """For each tensor ``layer.parameters()`` yields: which attribute it is, its shape, kind and requires_grad."""
    names = {id(getattr(layer, attr, None)): attr for attr in ("weights", "bias")}
    return [
        {
            "attribute": names.get(id(p)),
            "shape": shape_of(p),
            "is_tensor": isinstance(p, T.Tensor),
            "is_parameter": isinstance(p, T.nn.Parameter),
            "requires_grad": bool(p.requires_grad),
        }
        for p in layer.parameters()
    ]


# --------------------------------------------------------------------------- M1, M2


def document_myliner(T: Any, device: str, as_parameters: bool) -> dict[str, Any]:
    """Document 000: ``layer = MyLiner(7, 12)``; ``layer(x).shape`` for x = randn(5, 7); ``layer.parameters()``."""
    x = _on(device, T.randn(5, 7))
    layer = _on(device, _my_liner_class(T, as_parameters, device)(7, 12))
    return {"output_shape": shape_of(layer(x)), "parameters": _parameter_report(T, layer)}


def myliner(T: Any, device: str, as_parameters: bool, in_features: int, out_features: int, x: np.ndarray) -> dict[str, Any]:
    """``MyLiner(in, out)(x)``, its weights and bias read back, and what ``parameters()`` yields."""
    layer = _on(device, _my_liner_class(T, as_parameters, device)(in_features, out_features))
    y = layer(tensor(T, device, x))
    return {
        "output": read(y),
        "weights": read(layer.weights),
        "bias": read(layer.bias),
        "parameters": _parameter_report(T, layer),
    }


# --------------------------------------------------------------------------- M3


def _neural_network_class(T: Any) -> type:
    """Document 004's ``NeuralNetwork`` (its forward's print left out)."""
    nn = T.nn

    class NeuralNetwork(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10),
                nn.ReLU(),
            )

        def forward(self, x: Any) -> Any:
            out_flatten = self.flatten(x)
            logits = self.linear_relu_stack(out_flatten)
            return logits

    return NeuralNetwork


def document_named_parameters(T: Any, device: str) -> list[tuple[str, tuple[int, ...]]]:
    """Document 004: ``for name, param in model.named_parameters()``: name and ``param.size()``."""
    model = _on(device, _neural_network_class(T)())
    return [(name, tuple(int(n) for n in param.size())) for name, param in model.named_parameters()]


def named_parameters(T: Any, device: str, spec: Spec) -> list[tuple[str, tuple[int, ...]]]:
    """``named_parameters()`` of the module a spec describes: names and shapes, in the order yielded."""
    return [(name, shape_of(param)) for name, param in build(T, spec).named_parameters()]


# --------------------------------------------------------------------------- M4


def document_model_repr(T: Any, device: str) -> str:
    """Document 004: ``print(model)`` for ``model = NeuralNetwork().to(device)``."""
    return str(_neural_network_class(T)().to(device))


def module_repr(T: Any, device: str, spec: Spec) -> str:
    """``str(module)`` of the module a spec describes."""
    return str(build(T, spec))


def document_flatten(T: Any, device: str) -> dict[str, Any]:
    """Document 004: ``flat_image = nn.Flatten()(input_image)`` for ``input_image = torch.rand(3, 28, 28)``."""
    input_image = _on(device, T.rand(3, 28, 28))
    flat_image = T.nn.Flatten()(input_image)
    return {"input": read(input_image), "shape": shape_of(flat_image), "values": read(flat_image)}


def document_linear(T: Any, device: str) -> dict[str, Any]:
    """Document 004: ``hidden1 = nn.Linear(in_features=28*28, out_features=20)(flat_image)``."""
    flat_image = _on(device, T.rand(3, 28 * 28))
    layer1 = _on(device, T.nn.Linear(in_features=28 * 28, out_features=20))
    hidden1 = layer1(flat_image)
    return {
        "input": read(flat_image),
        "weight": read(layer1.weight),
        "bias": read(layer1.bias),
        "shape": shape_of(hidden1),
        "values": read(hidden1),
    }


def document_relu(T: Any, device: str, before: np.ndarray) -> np.ndarray:
    """Document 004: ``nn.ReLU()(hidden1)`` for the printed "Before ReLU" tensor."""
    return read(T.nn.ReLU()(tensor(T, device, before)))


def document_sequential_softmax(T: Any, device: str) -> dict[str, Any]:
    """Document 004: ``seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(20, 10))``, then ``nn.Softmax(dim=1)``."""
    flatten = T.nn.Flatten()
    layer1 = T.nn.Linear(in_features=28 * 28, out_features=20)
    seq_modules = _on(device, T.nn.Sequential(flatten, layer1, T.nn.ReLU(), T.nn.Linear(20, 10)))
    input_image = _on(device, T.rand(3, 28, 28))
    logits = seq_modules(input_image)
    softmax = T.nn.Softmax(dim=1)
    pred_probab = softmax(logits)
    return {
        "input": read(input_image),
        "parameters": _named_values(seq_modules),
        "logits": read(logits),
        "logits_shape": shape_of(logits),
        "probabilities": read(pred_probab),
        "probabilities_shape": shape_of(pred_probab),
    }


def forward(T: Any, device: str, spec: Spec, x: np.ndarray) -> dict[str, Any]:
    """``module(x)`` for the module a spec describes, with its parameters read back by name."""
    model = _on(device, build(T, spec))
    y = model(tensor(T, device, x))
    return {"shape": shape_of(y), "values": read(y), "parameters": _named_values(model)}


# --------------------------------------------------------------------------- M5


def to_device(T: Any, device: str) -> dict[str, Any]:
    """Document 004: ``model = NeuralNetwork().to(device)``; where its parameters are, and a tensor moved the same way."""
    model = _neural_network_class(T)()
    before = _named_values(model)
    moved = model.to(device)
    x = T.rand(3, 28, 28).to(device)
    return {
        "returns_itself": moved is model,
        "parameter_devices": [device_name(p) for p in model.parameters()],
        "tensor_device": device_name(x),
        "values_before": before,
        "values_after": _named_values(model),
    }


# --------------------------------------------------------------------------- M6


def frozen_training(
    T: Any, device: str, sizes: list[int], frozen: list[bool], x: np.ndarray, y: np.ndarray,
    lr: float, options: dict[str, Any], steps: int,
) -> dict[str, Any]:
    """Linear layers (ReLU between) with some frozen (``requires_grad = False``), trained with SGD over every parameter.

    Returns the parameters before training and, for each step, every parameter's
    grad (None where there is none) and value after ``optimizer.step()``.
    """
    layers: list[Any] = []
    for i in range(len(sizes) - 1):
        layers += [T.nn.Linear(sizes[i], sizes[i + 1])] + ([T.nn.ReLU()] if i < len(sizes) - 2 else [])
    model = _on(device, T.nn.Sequential(*layers))
    for i, is_frozen in enumerate(frozen):
        if is_frozen:
            for param in model[2 * i].parameters():
                param.requires_grad = False
    optimizer = T.optim.SGD(model.parameters(), lr=lr, **options)
    criterion = T.nn.MSELoss()
    inputs, targets = tensor(T, device, x), tensor(T, device, y)
    initial = _named_values(model)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        grads = {name: read(p.grad) for name, p in model.named_parameters()}
        optimizer.step()
        history.append({"grads": grads, "after": _named_values(model)})
    return {"initial": initial, "steps": history}


def module_requires_grad(T: Any, device: str, spec: Spec, calls: list[tuple[str, bool]], x: np.ndarray) -> dict[str, Any]:
    """``module.requires_grad_(flag)`` on named submodules in turn; each parameter's flag; then one backward.

    After the calls: what each call returned, every parameter's ``requires_grad``,
    and (when some parameter still requires grad) which parameters hold a grad
    after ``model(x).sum().backward()``.
    """
    model = _on(device, build(T, spec))
    modules = dict(model.named_modules())
    returned_itself = [modules[name].requires_grad_(flag) is modules[name] for name, flag in calls]
    flags = {name: bool(p.requires_grad) for name, p in model.named_parameters()}
    has_grad = None
    if any(flags.values()):
        model(tensor(T, device, x)).sum().backward()
        has_grad = {name: p.grad is not None for name, p in model.named_parameters()}
    return {"returns_itself": returned_itself, "requires_grad": flags, "has_grad": has_grad}


# --------------------------------------------------------------------------- M7


def _set_values(T: Any, model: Any, values: dict[str, np.ndarray]) -> None:
    """Write known values into a model's parameters, in place, without recording it for autograd."""
    params = dict(model.named_parameters())
    with T.no_grad():
        for name, array in values.items():
            params[name].copy_(tensor(T, device_name(params[name]), array))


def state_dict_round_trip(T: Any, device: str, spec: Spec, values: dict[str, np.ndarray]) -> dict[str, Any]:
    """``torch.save(model.state_dict(), PATH)``, then ``fresh.load_state_dict(torch.load(PATH))`` in a temporary folder."""
    model = _on(device, build(T, spec))
    _set_values(T, model, values)
    fresh = _on(device, build(T, spec))
    fresh_before = _named_values(fresh)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pt")
        T.save(model.state_dict(), path)
        fresh.load_state_dict(T.load(path))
    return {"keys": list(model.state_dict().keys()), "fresh_before": fresh_before, "fresh_after": _named_values(fresh)}


def buffers_round_trip(T: Any, device: str, spec: Spec, buffers: list[tuple[str, bool]], values: dict[str, np.ndarray]) -> dict[str, Any]:
    """A module holding ``spec`` as ``body`` and registering buffers (name, persistent), saved and loaded into a fresh one.

    Buffers start as zeros of the shape of their values; the saved model's
    parameters and buffers are then set to ``values``. Returns the saved
    state_dict's keys and the fresh model's parameters and buffers after
    ``fresh.load_state_dict(torch.load(PATH))``.
    """

    class WithStatistics(T.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = build(T, spec)
            for name, persistent in buffers:
                self.register_buffer(name, T.zeros(tuple(values[name].shape), dtype=getattr(T, str(values[name].dtype))),
                                     persistent=persistent)

    model, fresh = _on(device, WithStatistics()), _on(device, WithStatistics())
    parameters, held = dict(model.named_parameters()), dict(model.named_buffers())
    with T.no_grad():
        for name, array in values.items():
            (parameters.get(name) if name in parameters else held[name]).copy_(tensor(T, device, array))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pt")
        T.save(model.state_dict(), path)
        fresh.load_state_dict(T.load(path))
    return {"keys": list(model.state_dict().keys()), "parameters": _named_values(fresh),
            "buffers": {name: read(b) for name, b in fresh.named_buffers()}}


def checkpoint_resume(
    T: Any, device: str, x: np.ndarray, y: np.ndarray, weight: np.ndarray, bias: np.ndarray,
    lr: float, options: dict[str, Any], before: int, after: int,
) -> dict[str, Any]:
    """Train a Linear layer ``before`` steps, save a checkpoint, train ``after`` more; then resume a fresh copy from the checkpoint.

    The checkpoint is document 003's: epoch, model and optimizer state, and loss.
    """
    inputs, targets = tensor(T, device, x), tensor(T, device, y)
    criterion = T.nn.MSELoss()

    def new_model() -> tuple[Any, Any]:
        model = _on(device, T.nn.Linear(weight.shape[1], weight.shape[0]))
        return model, T.optim.SGD(model.parameters(), lr=lr, **options)

    def train(model: Any, optimizer: Any, steps: int) -> list[float]:
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    model, optimizer = new_model()
    _set_values(T, model, {"weight": weight, "bias": bias})
    losses = train(model, optimizer, before)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        T.save({
            "epoch": before,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": losses[-1],
        }, path)
        train(model, optimizer, after)
        uninterrupted = _named_values(model)

        resumed_model, resumed_optimizer = new_model()
        checkpoint = T.load(path)
    resumed_model.load_state_dict(checkpoint["model_state_dict"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    epoch, loss = checkpoint["epoch"], checkpoint["loss"]
    train(resumed_model, resumed_optimizer, after)
    return {
        "epoch": epoch,
        "loss": loss,
        "losses": losses,
        "uninterrupted": uninterrupted,
        "resumed": _named_values(resumed_model),
    }


# --------------------------------------------------------------------------- M8


def train_eval(T: Any, device: str, spec: Spec, calls: list[tuple[str, bool]]) -> dict[str, Any]:
    """``module.train()`` / ``module.eval()`` on named submodules in turn; then every module's ``training`` flag."""
    model = _on(device, build(T, spec))
    modules = dict(model.named_modules())
    returned_itself = []
    for name, mode in calls:
        module = modules[name]
        returned = module.train() if mode else module.eval()
        returned_itself.append(returned is module)
    return {"training": {name: bool(m.training) for name, m in model.named_modules()}, "returns_itself": returned_itself}


def document_network_modes(T: Any, device: str) -> dict[str, dict[str, bool]]:
    """Document 004's NeuralNetwork: every module's ``training`` flag when built, after ``eval()``, after ``train()``."""
    model = _on(device, _neural_network_class(T)())

    def flags() -> dict[str, bool]:
        return {name: bool(m.training) for name, m in model.named_modules()}

    built = flags()
    model.eval()
    evaluated = flags()
    model.train()
    return {"built": built, "eval": evaluated, "train": flags()}
