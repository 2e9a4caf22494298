"""Probes for A1-A9: requires_grad, backward, .grad, grad_fn, no_grad, detach (documents 001, 002, 004, 000).

Each probe runs one of the documents' snippets (or the same code on data it is
given) and returns what the document prints: values, ``.grad`` (None before
backward), flags and grad_fn names. Random data always arrives as an argument
(drawn by the test from a seeded numpy generator), never from the backend's RNG.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from suite.probes import dtype_name, grad_fn_name, read, tensor

# --------------------------------------------------------------------------- A1 (001: one element)


def document_scalar_grad(T: Any, device: str) -> dict[str, Any]:
    """Document 001: ``x = torch.tensor(2.0, requires_grad=True)``, ``y = 2*x**2 + 1``, then ``y.backward()``."""
    x = tensor(T, device, 2.0, requires_grad=True)
    y = 2 * x**2 + 1
    seen = {"dtype": dtype_name(T, y.dtype), "y": read(y), "y.requires_grad": bool(y.requires_grad),
            "y has a grad_fn": y.grad_fn is not None, "x.grad before": read(x.grad)}
    returned = y.backward()  # print(y.backward()) >> None
    seen["backward() returned"] = "None" if returned is None else type(returned).__name__
    seen["x.grad"] = read(x.grad)
    return seen


def document_scalar_without_grad(T: Any, device: str) -> dict[str, Any]:
    """Document 001: the same with ``requires_grad=False``: ``print(y)`` shows no grad_fn."""
    x = tensor(T, device, 2.0, requires_grad=False)
    y = 2 * x**2 + 1
    return {"y": read(y), "y.requires_grad": bool(y.requires_grad), "y has a grad_fn": y.grad_fn is not None,
            "x.grad": read(x.grad)}


def quadratic_grad(T: Any, device: str, x: float, dtype: str) -> dict[str, Any]:
    """``y = 2*x**2 + 1`` at a scalar x of the given dtype, then ``y.backward()``."""
    x = tensor(T, device, x, dtype=getattr(T, dtype), requires_grad=True)
    y = 2 * x**2 + 1
    y.backward()
    return {"dtype": dtype_name(T, x.grad.dtype), "y": read(y), "x.grad": read(x.grad)}


# --------------------------------------------------------------------------- A2 (001: many elements)


def mean_of_squares(T: Any, device: str, x: Any) -> dict[str, Any]:
    """Document 001: ``y = 2*x + 1``, ``z = y**2``, ``out = z.mean()``, ``out.backward()``; x is its data."""
    x = tensor(T, device, x, requires_grad=True)
    y = 2 * x + 1
    z = y**2
    out = z.mean()
    out.backward()
    return {"dtype": dtype_name(T, x.grad.dtype), "y": read(y), "z": read(z), "out": read(out), "x.grad": read(x.grad)}


# --------------------------------------------------------------------------- A3 (002: the cubic)


def cubic_grad(T: Any, device: str, x: Any) -> dict[str, Any]:
    """Document 002: ``y = 0.1*x**3 - 0.8*x**2 - 1.5*x + 5.4``, ``y.backward()``, ``x.grad``; x is its data (``[2.]``)."""
    x = tensor(T, device, x, requires_grad=True)
    y = 0.1 * x**3 - 0.8 * x**2 - 1.5 * x + 5.4
    y.backward()
    return {"dtype": dtype_name(T, x.grad.dtype), "y": read(y), "x.grad": read(x.grad)}


# --------------------------------------------------------------------------- A4 (002: the chain rule, retain_grad)


def _tensor_info(t: Any) -> dict[str, Any]:
    """Document 002's ``get_tensor_info``: requires_grad, is_leaf, retains_grad, grad and the value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when .grad of a non-leaf is read, as the document does
        grad = read(t.grad)
    return {"requires_grad": bool(t.requires_grad), "is_leaf": bool(t.is_leaf),
            "retains_grad": bool(t.retains_grad), "grad": grad, "value": read(t)}


def chain_rule_log_of_cube(T: Any, device: str, x: float, dtype: str | None = None) -> dict[str, Any]:
    """Document 002: ``y = x ** 3``, ``z = torch.log(y)``; info before, then ``y.retain_grad(); z.retain_grad(); z.backward()``."""
    kwargs = {} if dtype is None else {"dtype": getattr(T, dtype)}
    x = tensor(T, device, x, requires_grad=True, **kwargs)
    y = x**3
    z = T.log(y)
    before = {"x": _tensor_info(x), "y": _tensor_info(y), "z": _tensor_info(z)}
    y.retain_grad()
    z.retain_grad()
    z.backward()
    after = {"x": _tensor_info(x), "y": _tensor_info(y), "z": _tensor_info(z)}
    return {"dtype": dtype_name(T, z.dtype), "before": before, "after": after}


# --------------------------------------------------------------------------- A5 (grad_fn names, one probe per node)


def grad_fn_of_add(T: Any, device: str) -> str | None:
    """Document 001: ``y = 2*x**2 + 1`` prints ``grad_fn=<AddBackward0>``."""
    x = tensor(T, device, 2.0, requires_grad=True)
    return grad_fn_name(2 * x**2 + 1)


def grad_fn_of_pow(T: Any, device: str) -> str | None:
    """Document 001: ``z = y**2`` prints ``grad_fn=<PowBackward0>``."""
    y = tensor(T, device, [[3.0, 5.0, 7.0], [9.0, 11.0, 13.0]], requires_grad=True)
    return grad_fn_name(y**2)


def grad_fn_of_mean(T: Any, device: str) -> str | None:
    """Document 001: ``out = z.mean()`` prints ``grad_fn=<MeanBackward0>``."""
    z = tensor(T, device, [[9.0, 25.0, 49.0], [81.0, 121.0, 169.0]], requires_grad=True)
    return grad_fn_name(z.mean())


def grad_fn_of_log(T: Any, device: str) -> str | None:
    """Document 002: ``z = torch.log(y)`` prints ``grad_fn=<LogBackward0>``."""
    y = tensor(T, device, 125.0, requires_grad=True)
    return grad_fn_name(T.log(y))


def grad_fn_of_linear(T: Any, device: str, x: Any) -> str | None:
    """Document 004: ``hidden1 = layer1(flat_image)`` for a 2-D batch prints ``grad_fn=<AddmmBackward0>``."""
    layer1 = T.nn.Linear(in_features=x.shape[1], out_features=4)
    if device != "cpu":
        layer1 = layer1.to(device)
    return grad_fn_name(layer1(tensor(T, device, x)))


def grad_fn_of_relu(T: Any, device: str, x: Any) -> str | None:
    """Document 004: ``hidden1 = nn.ReLU()(hidden1)`` prints ``grad_fn=<ReluBackward0>``."""
    hidden1 = tensor(T, device, x, requires_grad=True)
    return grad_fn_name(T.nn.ReLU()(hidden1))


def grad_fn_of_slice(T: Any, device: str) -> list[str | None]:
    """Document 004: ``param[:2]`` of each of a model's ``named_parameters()`` prints ``grad_fn=<SliceBackward0>``."""
    model = T.nn.Sequential(T.nn.Linear(6, 5), T.nn.ReLU(), T.nn.Linear(5, 3))
    if device != "cpu":
        model = model.to(device)
    return [grad_fn_name(param[:2]) for _, param in model.named_parameters()]


# --------------------------------------------------------------------------- A6 (accumulation)


def accumulated_grads(T: Any, device: str, x: Any, coefficients: list[float]) -> dict[str, Any]:
    """``y = (c * x**2).sum(); y.backward()`` once per c on fresh graphs, then ``x.grad.zero_()`` and one more."""
    x = tensor(T, device, x, requires_grad=True)
    after_each = []
    for c in coefficients:
        y = (c * x**2).sum()
        y.backward()
        after_each.append(read(x.grad))
    x.grad.zero_()
    zeroed = read(x.grad)
    (coefficients[-1] * x**2).sum().backward()
    return {"after each backward": after_each, "after zero_()": zeroed, "after one more": read(x.grad)}


# --------------------------------------------------------------------------- A7 (no_grad, detach)


def _document_bce_inputs(T: Any, device: str, x: Any, w: Any, b: Any) -> tuple[Any, Any, Any]:
    """Document 004's x (no grad), w and b (``requires_grad=True``) from the given data."""
    return (tensor(T, device, x), tensor(T, device, w, requires_grad=True), tensor(T, device, b, requires_grad=True))


def no_grad_tracking(T: Any, device: str, x: Any, w: Any, b: Any) -> dict[str, Any]:
    """Document 004: ``z = torch.matmul(x, w)+b`` outside, inside ``with torch.no_grad():``, and after it."""
    x, w, b = _document_bce_inputs(T, device, x, w, b)
    z = T.matmul(x, w) + b
    seen = {"z.requires_grad": bool(z.requires_grad)}
    with T.no_grad():
        z = T.matmul(x, w) + b
    seen.update({"no_grad z.requires_grad": bool(z.requires_grad), "no_grad z has a grad_fn": z.grad_fn is not None,
                 "no_grad z": read(z)})
    z = T.matmul(x, w) + b
    seen["after no_grad z.requires_grad"] = bool(z.requires_grad)
    return seen


#: The operations of ``reference.autograd.NO_GRAD_OPS``, on the backend (A7).
NO_GRAD_OPS = {
    "r @ w": lambda T, r, w: r @ w,
    "matmul(r, w)": lambda T, r, w: T.matmul(r, w),
    "r.mm(w)": lambda T, r, w: r.mm(w),
    "r + w": lambda T, r, w: r + w,
    "r - w": lambda T, r, w: r - w,
    "r * w": lambda T, r, w: r * w,
    "r * 2": lambda T, r, w: r * 2,
    "r ** 2": lambda T, r, w: r**2,
    "r.sum(0, keepdim=True) + r": lambda T, r, w: r.sum(0, keepdim=True) + r,
}


def no_grad_chain(T: Any, device: str, r: Any, w: Any, ops: list[str]) -> dict[str, Any]:
    """``with no_grad(): r = op(r, w)`` for each op, r and w leaves requiring grad: what each result tracks."""
    r, w = tensor(T, device, r, requires_grad=True), tensor(T, device, w, requires_grad=True)
    steps = []
    with T.no_grad():
        for op in ops:
            r = NO_GRAD_OPS[op](T, r, w)
            steps.append({"requires_grad": bool(r.requires_grad), "has grad_fn": r.grad_fn is not None})
    return {"steps": steps, "values": read(r)}


def detach_tracking(T: Any, device: str, x: Any, w: Any, b: Any) -> dict[str, Any]:
    """Document 004: ``z_det = z.detach()``; then a write through z_det, read back through z."""
    x, w, b = _document_bce_inputs(T, device, x, w, b)
    z = T.matmul(x, w) + b
    z_det = z.detach()
    seen = {"z_det.requires_grad": bool(z_det.requires_grad), "z_det has a grad_fn": z_det.grad_fn is not None,
            "z.requires_grad": bool(z.requires_grad), "z_det": read(z_det)}
    z_det.add_(1.0)
    seen["z after z_det.add_(1)"] = read(z)
    return seen


# --------------------------------------------------------------------------- A8 (004: the BCE graph)


def bce_with_logits_graph(T: Any, device: str, x: Any, y: Any, w: Any, b: Any) -> dict[str, Any]:
    """Document 004: ``z = torch.matmul(x, w)+b``, ``loss = binary_cross_entropy_with_logits(z, y)``, ``loss.backward()``."""
    x, w, b = _document_bce_inputs(T, device, x, w, b)
    y = tensor(T, device, y)
    z = T.matmul(x, w) + b
    loss = T.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    return {"dtype": dtype_name(T, w.grad.dtype), "z": read(z), "loss": read(loss), "w.grad": read(w.grad),
            "b.grad": read(b.grad)}


def bce_with_logits(T: Any, device: str, z: Any, y: Any) -> dict[str, Any]:
    """``loss = binary_cross_entropy_with_logits(z, y)`` for a leaf z of logits; ``loss.backward()``; loss and z.grad."""
    z, y = tensor(T, device, z, requires_grad=True), tensor(T, device, y)
    loss = T.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    return {"loss": read(loss), "z.grad": read(z.grad)}


# --------------------------------------------------------------------------- A9 (000: logistic regression by hand)


def logistic_regression(T: Any, device: str, x: Any, y: Any, w: Any, b: float) -> dict[str, Any]:
    """Document 000's ``LR`` (forward, sigmoid, hand-written backward) beside autograd's gradients of its ``loss``."""

    class LR(T.nn.Module):
        def __init__(self, w: Any, b: float) -> None:
            super().__init__()
            self.w = tensor(T, device, w)
            self.b = tensor(T, device, b)
            self.grads = {"dw": T.zeros_like(self.w), "db": T.zeros_like(self.b)}

        def forward(self, x: Any) -> Any:
            z = T.mm(self.w.T, x) + self.b
            return self.sigmoid(z)

        def sigmoid(self, z: Any) -> Any:
            return 1 / (1 + T.exp(-z))

        def backward(self, x: Any, yhat: Any, y: Any) -> None:
            self.grads["dw"] = (1 / x.shape[1]) * T.mm(x, (yhat - y).T)
            self.grads["db"] = (1 / x.shape[1]) * T.sum(yhat - y)

    def loss(yhat: Any, y: Any) -> Any:
        m = y.size()[1]
        return -(1 / m) * T.sum(y * T.log(yhat) + (1 - y) * T.log(1 - yhat))

    x, y = tensor(T, device, x), tensor(T, device, y)
    model = LR(w, b)
    yhat = model(x)
    model.backward(x, yhat, y)
    seen = {"yhat": read(yhat), "hand dw": read(model.grads["dw"]), "hand db": read(model.grads["db"])}
    # the same forward and loss with w and b as leaves, differentiated by autograd
    model.w.requires_grad_(True)
    model.b.requires_grad_(True)
    cost = loss(model(x), y)
    cost.backward()
    seen.update({"loss": read(cost), "autograd dw": read(model.w.grad), "autograd db": read(model.b.grad),
                 "dtype": dtype_name(T, model.w.grad.dtype)})
    return seen


# --------------------------------------------------------------------------- the chain rule over compositions (A4, A5)


def _replay(T: Any, composition: dict[str, Any], leaves: list[Any]) -> list[Any]:
    """Every value of a composition (``reference.autograd.Composition.to_plain()``) computed with T's operations."""
    values = list(leaves)
    for step in composition["steps"]:
        args = [values[i] for i in step["args"]]
        a, p, op = args[0], step["param"], step["op"]
        if op == "scale":
            value = a * p
        elif op == "shift":
            value = a + p
        elif op == "pow":
            value = a**p
        elif op == "exp":
            value = T.exp(a)
        elif op == "log":
            value = T.log(a)
        elif op == "sigmoid":
            value = T.sigmoid(a)
        elif op == "relu":
            value = T.nn.ReLU()(a)
        elif op == "add":
            value = a + args[1]
        elif op == "sub":
            value = a - args[1]
        elif op == "mul":
            value = a * args[1]
        elif op == "matmul":
            value = T.matmul(a, args[1])
        elif op == "sum":
            value = a.sum()
        elif op == "mean":
            value = a.mean()
        elif op == "sum_dim":
            value = a.sum(p)
        elif op == "mean_dim":
            value = a.mean(p)
        else:
            raise ValueError(f"the composition has an operation this probe does not know: {op!r}")
        values.append(value)
    return values


def composition_gradients(T: Any, device: str, composition: dict[str, Any], inputs: list[np.ndarray]) -> dict[str, Any]:
    """Replay a composition on float64 leaves (``requires_grad=True``), call ``backward()`` on its scalar, read every ``.grad``."""
    leaves = [tensor(T, device, x, requires_grad=True) for x in inputs]
    out = _replay(T, composition, leaves)[-1]
    out.backward()
    return {"dtype": dtype_name(T, out.dtype), "value": read(out), "grads": [read(leaf.grad) for leaf in leaves]}


def composition_grad_fn_names(T: Any, device: str, composition: dict[str, Any], inputs: list[np.ndarray]) -> list[str | None]:
    """The grad_fn name of every step of a replayed composition."""
    leaves = [tensor(T, device, x, requires_grad=True) for x in inputs]
    return [grad_fn_name(v) for v in _replay(T, composition, leaves)[len(leaves):]]
