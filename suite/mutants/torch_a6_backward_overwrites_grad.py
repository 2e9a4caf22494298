"""Mutant: backward() assigns each leaf's gradient instead of adding it to .grad. Caught by A6.

A port whose engine ends with ``leaf.grad = g`` where PyTorch does
``leaf.grad += g``: one backward() gives the right gradient, but a second one
forgets the first instead of accumulating. Gradients of one backward() that
reach a leaf by several paths are still summed (the engine does that before
the leaf), so only accumulation across calls is wrong.
"""

from typing import Any

import torch

BREAKS = "A6"
SUBTLE = False

_backward = torch.Tensor.backward


def _leaves(fn: Any) -> list[torch.Tensor]:
    """The leaf tensors whose AccumulateGrad nodes the graph under ``fn`` reaches."""
    leaves, seen, stack = [], set(), [fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if hasattr(node, "variable"):  # an AccumulateGrad node: it writes variable.grad
            leaves.append(node.variable)
        stack.extend(child for child, _ in node.next_functions)
    return leaves


def _assigning_backward(self: torch.Tensor, gradient: Any = None, retain_graph: Any = None,
                        create_graph: bool = False, inputs: Any = None) -> None:
    """torch's backward after clearing every leaf's .grad, so the new gradient replaces the old."""
    for leaf in _leaves(self.grad_fn):
        leaf.grad = None
    return _backward(self, gradient, retain_graph, create_graph, inputs)


torch.Tensor.backward = _assigning_backward
