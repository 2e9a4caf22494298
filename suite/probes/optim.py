"""Probes for O1-O4: SGD, zero_grad and the four-step training loop (documents 000, 001, 002)."""

from __future__ import annotations

from typing import Any

import numpy as np

from suite.probes import dtype_name, read, tensor


def document_trace(
    T: Any, device: str, x_init: float, learn_rate: float, max_iter: int, min_tol: float, zero_grad: bool = True
) -> dict[str, Any]:
    """Document 002's gradient descent on ``f(x) = 0.1x³ − 0.8x² − 1.5x + 5.4`` with ``torch.optim.SGD([x], lr)``.

    One row per iteration, as the document prints it: x before and after the
    step, f at both, and ``x.grad``. With ``zero_grad=False`` the loop leaves out
    ``optimizer.zero_grad()`` (O2).
    """
    f = lambda x: 0.1 * x**3 - 0.8 * x**2 - 1.5 * x + 5.4  # noqa: E731 (the document's own lambda)
    x = tensor(T, device, x_init, requires_grad=True)
    optimizer = T.optim.SGD([x], lr=learn_rate)
    rows = []
    for i in range(max_iter):
        if zero_grad:
            optimizer.zero_grad()  # Reset gradient tracking
        y = f(x)  # Calculate the function (forward)
        y.backward()  # Calculate the gradient (backward)
        xp = x.clone().detach()
        optimizer.step()  # Update 'x'
        rows.append([float(read(v)) for v in (xp, x, f(xp), f(x), x.grad)])
        if abs(x - xp) < min_tol:  # Check the terminal condition
            break
    return {"dtype": dtype_name(T, x.dtype), "rows": np.array(rows, dtype=np.float64)}


def _loss(T: Any, device: str, params: list[Any], coefficients: list[np.ndarray | None]) -> Any:
    """``Σ (p · c).sum()``: a loss whose gradient with respect to each p is exactly its c (None: p takes no part)."""
    terms = [(p * tensor(T, device, c)).sum() for p, c in zip(params, coefficients) if c is not None]
    loss = terms[0]
    for term in terms[1:]:
        loss = loss + term
    return loss


def sgd_steps(
    T: Any, device: str, params: list[np.ndarray], grads: list[list[np.ndarray]], lr: float, options: dict[str, Any]
) -> list[list[np.ndarray]]:
    """``SGD(params, lr=lr, **options)`` over float64 Parameters; each step backpropagates the given gradients.

    Returns every parameter's value after each ``optimizer.step()``.
    """
    tensors = [T.nn.Parameter(tensor(T, device, p)) for p in params]
    optimizer = T.optim.SGD(tensors, lr=lr, **options)
    after = []
    for step_grads in grads:
        optimizer.zero_grad()
        _loss(T, device, tensors, step_grads).backward()
        optimizer.step()
        after.append([read(p) for p in tensors])
    return after


def zero_grad(T: Any, device: str, grads: list[np.ndarray], set_to_none: bool | None) -> dict[str, Any]:
    """Backpropagate several gradients into one Parameter, then ``optimizer.zero_grad()``, then one more.

    ``set_to_none`` None calls ``zero_grad()`` with no argument (PyTorch's default).
    """
    p = T.nn.Parameter(tensor(T, device, np.zeros_like(grads[0])))
    optimizer = T.optim.SGD([p], lr=0.1)
    accumulated = []
    for g in grads:
        _loss(T, device, [p], [g]).backward()
        accumulated.append(read(p.grad))
    if set_to_none is None:
        optimizer.zero_grad()
    else:
        optimizer.zero_grad(set_to_none=set_to_none)
    cleared = read(p.grad)
    _loss(T, device, [p], [grads[-1]]).backward()
    return {"accumulated": accumulated, "cleared": cleared, "after_one_more": read(p.grad)}


def zero_grad_groups(T: Any, device: str, groups: list[list[np.ndarray]], lrs: list[float], set_to_none: bool | None) -> dict[str, Any]:
    """SGD over several parameter groups (each its own lr); one backward, ``zero_grad()``, one more backward.

    ``groups[i]`` holds the gradient each of group i's Parameters receives. Returns,
    group by group, every parameter's grad after zero_grad and after the next backward.
    """
    params = [[T.nn.Parameter(tensor(T, device, np.zeros_like(g))) for g in grads] for grads in groups]
    optimizer = T.optim.SGD([{"params": ps, "lr": lr} for ps, lr in zip(params, lrs)], lr=0.1)
    flat_params = [p for ps in params for p in ps]
    flat_grads = [g for grads in groups for g in grads]
    _loss(T, device, flat_params, flat_grads).backward()
    if set_to_none is None:
        optimizer.zero_grad()
    else:
        optimizer.zero_grad(set_to_none=set_to_none)
    cleared = [[read(p.grad) for p in ps] for ps in params]
    _loss(T, device, flat_params, flat_grads).backward()
    return {"cleared": cleared, "after_one_more": [[read(p.grad) for p in ps] for ps in params]}


def regression_loop(T: Any, device: str, x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> dict[str, Any]:
    """Document 000's four steps (zero_grad, forward + loss, backward, step) for ``nn.Linear`` with ``nn.MSELoss``."""
    inputs, labels = tensor(T, device, x), tensor(T, device, y)
    model = T.nn.Linear(x.shape[1], y.shape[1])
    if device != "cpu":
        model = model.to(device)
    criterion = T.nn.MSELoss()
    optimizer = T.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()  # 1단계
        outputs = model(inputs)
        loss = criterion(outputs, labels)  # 2단계
        loss.backward()  # 3단계
        optimizer.step()  # 4단계
        losses.append(loss.item())
    return {"losses": losses, "weight": read(model.weight), "bias": read(model.bias)}
