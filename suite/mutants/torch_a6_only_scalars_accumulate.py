"""Mutant: backward() adds to a scalar leaf's .grad but replaces a tensor leaf's. Caught by A6 (subtle).

A port whose engine keeps a Python float for a 0-d leaf's gradient and adds
to it, but for any other leaf stores the incoming gradient array itself
(``leaf.grad = g``, an alias it never adds to): document 001's scalar x
accumulates 8, 16, 24 as printed, while a vector's .grad holds only the last
backward()'s gradient.
"""

from typing import Any

import torch

BREAKS = "A6"
SUBTLE = True

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


def _scalars_only_backward(self: torch.Tensor, gradient: Any = None, retain_graph: Any = None,
                           create_graph: bool = False, inputs: Any = None) -> None:
    """torch's backward after clearing the .grad of every leaf that is not 0-d, so only scalars accumulate."""
    for leaf in _leaves(self.grad_fn):
        if leaf.dim() > 0:
            leaf.grad = None
    return _backward(self, gradient, retain_graph, create_graph, inputs)


torch.Tensor.backward = _scalars_only_backward
