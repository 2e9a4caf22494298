"""Autograd: the graph that operations record, and the engine that walks it backwards (A1-A9).

Every operation on tensors that require grad records a ``Node``: the backward
of that operation. Its class is named as PyTorch names it (``AddBackward0``,
``PowBackward0``, ... A5), it knows the node of each input
(``next_functions``, an ``AccumulateGrad`` for a leaf) and, for each input, a
function from the gradient of the output to the gradient of that input.

``backward`` (A1) orders the nodes reachable from the output so that a node runs
only after every node that feeds it a gradient (a topological order),
sums the gradients arriving at each node, and at the leaves *adds* into
``.grad`` (A6: gradients accumulate until zeroed). Gradients here are numpy
arrays: the engine works on values, never records a graph of its own.

Broadcasting (A2, A8): an input that was broadcast to the output's shape
receives the sum of the gradient over the broadcast dims; the engine applies
this (``sum_to``) to every input, so each operation's gradient formula is
written for the broadcast shape.
"""

from __future__ import annotations

import functools
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

GradFn = Callable[[np.ndarray], np.ndarray]

# --------------------------------------------------------------------------- grad mode (A7)

_mode = threading.local()


def is_grad_enabled() -> bool:
    """Whether operations are being recorded (False inside ``no_grad``) (A7)."""
    return getattr(_mode, "enabled", True)


def _set_enabled(enabled: bool) -> None:
    _mode.enabled = bool(enabled)


class _GradMode:
    """A context manager and decorator that sets grad mode and restores the previous one on exit."""

    enabled: bool = True

    def __enter__(self) -> None:
        self._previous = is_grad_enabled()
        _set_enabled(self.enabled)

    def __exit__(self, *exc: Any) -> None:
        _set_enabled(self._previous)

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):  # noqa: N801 (PyTorch's name)
    """``with no_grad():`` results are not recorded and do not require grad (A7)."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801
    """``with enable_grad():`` records again inside a ``no_grad`` block."""

    enabled = True


class inference_mode(no_grad):  # noqa: N801
    """Like ``no_grad`` (this backend has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        self.enabled = not mode


class set_grad_enabled(_GradMode):  # noqa: N801
    """``set_grad_enabled(False)`` as a call sets the mode; as a context manager it restores it after."""

    def __init__(self, mode: bool) -> None:
        self._previous = is_grad_enabled()
        self.enabled = bool(mode)
        _set_enabled(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _set_enabled(self._previous)


# --------------------------------------------------------------------------- the graph (A1, A4, A5)


class Node:
    """The backward of one operation: where its inputs' gradients go, and how to compute them."""

    def __init__(self, inputs: Sequence["Tensor | None"], grad_fns: Sequence[GradFn | None], saves_tensors: bool) -> None:
        self.next_functions: tuple[tuple[Node | None, int], ...] = tuple((_edge(t), 0) for t in inputs)
        self._grad_fns: Sequence[GradFn | None] | None = grad_fns
        self._shapes = tuple(None if t is None else (t._shape, t.dtype.numpy) for t in inputs)
        self._saves_tensors = saves_tensors
        self._retained: list[weakref.ref] = []  # tensors whose retain_grad() asked for this node's gradient (A4)

    def name(self) -> str:
        """The class name, as PyTorch prints it: ``AddBackward0`` (A5)."""
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    def apply(self, grad: np.ndarray) -> list[np.ndarray | None]:
        """The gradient of each input, given the gradient of the output (None where no input needs one)."""
        if self._grad_fns is None:
            raise RuntimeError("Trying to backward through the graph a second time (or directly access saved tensors "
                               "after they have already been freed). Specify retain_graph=True if you need to "
                               "backward through the graph a second time.")
        grads: list[np.ndarray | None] = []
        for (node, _), fn, meta in zip(self.next_functions, self._grad_fns, self._shapes):
            if node is None or fn is None or meta is None:
                grads.append(None)
                continue
            shape, np_dtype = meta
            g = sum_to(np.asarray(fn(grad)), shape)  # A2, A8: a broadcast input gets the summed gradient
            grads.append(g if g.dtype == np_dtype else g.astype(np_dtype))
        return grads

    def release(self) -> None:
        """Free what the backward formulas saved; a node that saved no tensor can run again, as in PyTorch."""
        if self._saves_tensors:
            self._grad_fns = None


class AccumulateGrad(Node):
    """The end of every path: adds the arriving gradient into a leaf's ``.grad`` (A1, A6)."""

    def __init__(self, variable: "Tensor") -> None:
        self.variable = variable
        self.next_functions = ()
        self._retained = []

    def accumulate(self, grad: np.ndarray, adoptable: bool) -> None:
        """``leaf.grad = grad`` the first time, ``leaf.grad += grad`` after: gradients add up until zeroed (A6)."""
        from .tensor import Tensor

        leaf = self.variable
        if leaf.grad is None:
            owned = adoptable and grad.flags.writeable and grad.flags.c_contiguous
            leaf.grad = Tensor._from_array(grad if owned else np.array(grad, copy=True, order="C"))
        else:
            leaf.grad._array += grad  # in place: the same .grad tensor, its values summed


@functools.lru_cache(maxsize=None)
def node_class(name: str) -> type[Node]:
    """The Node subclass named ``name`` (made once): ``type(y.grad_fn).__name__`` is PyTorch's name (A5)."""
    return type(name, (Node,), {"__module__": "torch.autograd.graph", "__doc__": f"The backward of one operation ({name})."})


def _edge(t: "Tensor | None") -> Node | None:
    """Where an input's gradient goes: its grad_fn, the AccumulateGrad of a leaf, or nowhere."""
    if t is None or not t.requires_grad:
        return None
    if t.grad_fn is not None:
        return t.grad_fn
    if t._accumulator is None:
        t._accumulator = AccumulateGrad(t)
    return t._accumulator


def record(name: str, result: "Tensor", inputs: Sequence[Any], grad_fns: Sequence[GradFn | None],
           saves_tensors: bool = True) -> "Tensor":
    """Attach a ``name`` node to ``result`` when grad mode is on and some tensor input requires grad (A1, A7).

    ``inputs`` may hold Python numbers; they are no part of the graph.
    ``grad_fns[i]`` maps the output's gradient to input i's (before ``sum_to``).
    """
    if not is_grad_enabled():
        return result
    tensors = [t if hasattr(t, "_array") else None for t in inputs]
    if any(t is not None and t.requires_grad for t in tensors):
        result._grad_fn = node_class(name)(tensors, grad_fns, saves_tensors)
        result._requires_grad = True
    return result


def sum_to(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the dims that broadcasting added or stretched, back to ``shape`` (A2, A8)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead > 0:
        grad = grad.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


# --------------------------------------------------------------------------- in-place writes through views


def _positions(t: "Tensor") -> np.ndarray:
    """Where each element of ``t`` sits in its storage: its layout applied to the storage's own indices."""
    from .storage import Storage, window

    return window(Storage(np.arange(t._storage.size())), t._offset, t._shape, t._stride)


def rebase_view(view: "Tensor", result: "Tensor") -> None:
    """After an in-place operation wrote ``result`` through ``view``, continue the *base's* history (A1).

    The base's new node, CopySlices, sends the base's gradient to its old
    history with the overwritten elements zeroed, and the part inside the view
    to ``result``'s history; the view itself becomes a window onto the new base
    (AsStridedBackward0), as in PyTorch.
    """
    base = view._base
    index_of = np.empty(base._storage.size(), dtype=np.int64)
    index_of[_positions(base).reshape(-1)] = np.arange(base.numel())
    inside = index_of[_positions(view)]  # the base's flat index of every element of the view

    def outside(g: np.ndarray) -> np.ndarray:
        kept = np.array(g, copy=True)
        kept.reshape(-1)[inside.reshape(-1)] = 0
        return kept

    base._grad_fn = node_class("CopySlices")([base, result], [outside, lambda g: g.reshape(-1)[inside]], False)
    base._requires_grad = True

    def scatter(g: np.ndarray) -> np.ndarray:
        full = np.zeros(base.numel(), dtype=g.dtype)
        np.add.at(full, inside.reshape(-1), g.reshape(-1))
        return full.reshape(base._shape)

    view._grad_fn = node_class("AsStridedBackward0")([base], [scatter], False)
    view._requires_grad = True


# --------------------------------------------------------------------------- the engine (A1, A4, A6)


def _topological_order(roots: Iterable[Node]) -> list[Node]:
    """Every node reachable from ``roots``, each before all the nodes it sends gradients to."""
    order: list[Node] = []
    seen: set[int] = set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack: list[tuple[Node, int]] = [(root, 0)]
        while stack:  # depth-first, iterative so that long chains need no recursion
            node, i = stack.pop()
            if i < len(node.next_functions):
                stack.append((node, i + 1))
                child = node.next_functions[i][0]
                if child is not None and id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, 0))
            else:
                order.append(node)  # post-order: after everything it feeds
    order.reverse()
    return order


def _retain(node: Node, grad: np.ndarray) -> None:
    """Give ``grad`` to the tensors that called ``retain_grad()`` on this node's output (A4)."""
    from .tensor import Tensor

    for ref in node._retained:
        t = ref()
        if t is None:
            continue
        summed = np.array(grad, copy=True) if t.grad is None else t.grad._array + grad
        t.grad = Tensor._from_array(summed)


def run_backward(tensors: Sequence["Tensor"], grads: Sequence[np.ndarray | None], retain_graph: bool = False,
                 inputs: Sequence["Tensor"] | None = None) -> None:
    """Backpropagate from ``tensors`` (seeded with ``grads``) into the leaves' ``.grad`` (A1, A6).

    A gradient the engine made itself may be adopted by a leaf as its ``.grad``
    without a copy; one that is the same array as, or a view of, the gradient a
    node received may also be on its way elsewhere, so a leaf copies it.
    """
    pending: dict[Node, tuple[np.ndarray, bool]] = {}  # node -> (summed gradient, adoptable)
    roots = []
    for t, g in zip(tensors, grads):
        if not t.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g, adoptable = np.ones(t._shape, dtype=t.dtype.numpy), True
        else:
            adoptable = False  # the caller's array: never adopt it
        node = _edge(t)
        _add_pending(pending, node, g, adoptable)
        roots.append(node)
    only = None if inputs is None else {id(_edge(t)) for t in inputs}
    for node in _topological_order(roots):
        if node not in pending:
            continue
        grad, adoptable = pending.pop(node)
        _retain(node, grad)
        if isinstance(node, AccumulateGrad):
            if only is None or id(node) in only:
                node.accumulate(grad, adoptable)
            continue
        grads = zip(node.next_functions, node.apply(grad))
        out = [(child, g) for (child, _), g in grads if child is not None and g is not None]
        shares = [np.may_share_memory(g, grad) for _, g in out]
        for (child, g), shared in zip(out, shares):
            # a view of the received gradient stays adoptable only if it goes to this one child alone
            _add_pending(pending, child, g, not shared or (adoptable and sum(shares) == 1))
        if not retain_graph:
            node.release()


def _add_pending(pending: dict[Node, tuple[np.ndarray, bool]], node: Node, grad: np.ndarray, adoptable: bool) -> None:
    """Sum gradients arriving at the same node from several paths (a new array: nothing is summed in place)."""
    if node in pending:
        pending[node] = (pending[node][0] + grad, True)
    else:
        pending[node] = (grad, adoptable)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Any = None) -> None:
    """``torch.autograd.backward``: backpropagate from one tensor or several (A1)."""
    if create_graph:
        raise NotImplementedError("create_graph=True: this backend computes gradients as values, not as a graph")
    tensors = [tensors] if hasattr(tensors, "_array") else list(tensors)
    if grad_tensors is None or hasattr(grad_tensors, "_array"):
        grad_tensors = [grad_tensors] * (1 if grad_tensors is not None else len(tensors))
    arrays = [None if g is None else g._array for g in grad_tensors]
    if inputs is not None and hasattr(inputs, "_array"):
        inputs = [inputs]
    run_backward(tensors, arrays, bool(retain_graph), inputs)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None) -> tuple["Tensor | None", ...]:
    """``torch.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``, leaving ``.grad`` alone."""
    inputs = [inputs] if hasattr(inputs, "_array") else list(inputs)
    saved = [(t, t.grad) for t in inputs]
    for t in inputs:
        t.grad = None
    try:
        for t in inputs:
            if t.grad_fn is not None:
                raise NotImplementedError("autograd.grad with respect to a non-leaf tensor")
        backward(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs)
        found = tuple(t.grad for t in inputs)
    finally:
        for t, g in saved:
            t.grad = g
    if not allow_unused and any(g is None for g in found):
        raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                           "Set allow_unused=True if this is the desired behavior.")
    return found


class Variable:
    """``torch.autograd.Variable(t)``: since PyTorch 0.4 it simply returns the tensor (document 000)."""

    def __new__(cls, data: "Tensor", requires_grad: bool = False) -> "Tensor":  # type: ignore[misc]
        return data.requires_grad_() if requires_grad else data
