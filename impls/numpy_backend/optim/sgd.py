"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay (O1-O4, M6, M7).

PyTorch's documented update, for each parameter p with gradient g, step t:

    g ← g + weight_decay · p                        (if weight_decay ≠ 0)
    b ← g                                           (t = 1)
    b ← momentum · b + (1 − dampening) · g          (t > 1)   (if momentum ≠ 0)
    g ← g + momentum · b  if nesterov, else  g ← b
    p ← p − lr · g

Parameters without a gradient (frozen, M6) are skipped entirely. Repeated
``zero_grad(); loss.backward(); step()`` is document 000's four-step loop (O4).
"""

from __future__ import annotations

from typing import Any, Callable

from ..autograd import enable_grad, no_grad
from .optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent, ``p ← p − lr · g``, with PyTorch's options (O1, O3)."""

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (O1, O3); returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
                weight_decay, nesterov = group["weight_decay"], group["nesterov"]
                for p in group["params"]:
                    if p.grad is None:
                        continue  # M6: a frozen parameter gets no gradient and is left alone
                    g = -p.grad if group["maximize"] else p.grad
                    if weight_decay != 0:
                        g = g.add(p, alpha=weight_decay)
                    if momentum != 0:
                        state = self.state[p]
                        buffer = state.get("momentum_buffer")
                        if buffer is None:
                            buffer = g.clone().detach()  # the first step starts the buffer at g, not at 0
                        else:
                            buffer.mul_(momentum).add_(g, alpha=1 - dampening)
                        state["momentum_buffer"] = buffer
                        g = g.add(buffer, alpha=momentum) if nesterov else buffer
                    p.add_(g, alpha=-lr)
        return loss
