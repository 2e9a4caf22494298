"""A1-A9: what autograd must compute, in closed form, and a finite-difference oracle for anything else.

Three kinds of knowledge live here, all in float64 numpy:

* the documents' worked examples (001, 002, 004, 000): their printed figures,
  transcribed, and the closed-form values and derivatives that explain them;
* PyTorch's names for the nodes of the graph (``grad_fn``), A5;
* the chain rule in general: a small model of random compositions of the
  documents' operations (add, mul, pow, exp, log, sigmoid, relu, sum, mean,
  matmul, ...), evaluated in numpy, differentiated by hand (reverse mode) and
  by central finite differences, and written as plain data that a probe can
  replay on a backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

import numpy as np

from reference.optim import cubic, cubic_grad

Shape = tuple[int, ...]
Option = TypeVar("Option")

# =========================================================================== the documents' figures

#: Document 001, "1) 원소가 하나인 경우": ``x = torch.tensor(2.0, requires_grad=True)``, ``y = 2*x**2 + 1`` (A1).
DOC_A1_X = 2.0
#: ``print(y)`` → ``tensor(9., grad_fn=<AddBackward0>)``; ``print(x.grad)`` → ``tensor(8.)`` (A1).
PRINTED_A1 = {"y": 9.0, "x.grad": 8.0}

#: Document 001, "2) 원소가 여러개인 경우": the 2x3 input of ``y = 2*x + 1``, ``z = y**2``, ``out = z.mean()`` (A2).
DOC_A2_X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
#: What 001 prints for y, z, out and x.grad; out and x.grad to 4 decimals (A2).
PRINTED_A2 = {
    "y": np.array([[3.0, 5.0, 7.0], [9.0, 11.0, 13.0]]),
    "z": np.array([[9.0, 25.0, 49.0], [81.0, 121.0, 169.0]]),
    "out": 75.6667,
    "x.grad": np.array([[2.0000, 3.3333, 4.6667], [6.0000, 7.3333, 8.6667]]),
}
#: Half a unit in the last printed place of ``75.6667`` and the printed gradient (A2, A4).
PRINTED_HALF_UNIT_4DP = 0.5e-4

#: Document 002: ``x = torch.tensor([2.], requires_grad=True)``; the cubic's ``x.grad`` → ``tensor([-3.5000])`` (A3).
DOC_A3_X = np.array([2.0])
PRINTED_A3_GRAD = np.array([-3.5])


@dataclass(frozen=True)
class TensorInfo:
    """One line of document 002's ``get_tensor_info``: requires_grad, is_leaf, retains_grad, grad and value (A4)."""

    requires_grad: bool
    is_leaf: bool
    retains_grad: bool
    grad: float | None
    value: float


#: Document 002's chain-rule example at ``x = 5``: ``y = x ** 3``, ``z = torch.log(y)`` (A4).
DOC_A4_X = 5.0
#: Its printout before ``backward()`` (values as printed: ``tensor(4.8283, ...)``) (A4).
PRINTED_A4_BEFORE = {
    "x": TensorInfo(requires_grad=True, is_leaf=True, retains_grad=False, grad=None, value=5.0),
    "y": TensorInfo(requires_grad=True, is_leaf=False, retains_grad=False, grad=None, value=125.0),
    "z": TensorInfo(requires_grad=True, is_leaf=False, retains_grad=False, grad=None, value=4.8283),
}
#: ... and after ``y.retain_grad(); z.retain_grad(); z.backward()``; grads as float32 values printed in full (A4).
PRINTED_A4_AFTER = {
    "x": TensorInfo(requires_grad=True, is_leaf=True, retains_grad=False, grad=0.6000000238418579, value=5.0),
    "y": TensorInfo(requires_grad=True, is_leaf=False, retains_grad=True, grad=0.00800000037997961, value=125.0),
    "z": TensorInfo(requires_grad=True, is_leaf=False, retains_grad=True, grad=1.0, value=4.8283),
}

#: Document 004's BCE graph: ``x = torch.ones(5)``, ``y = torch.zeros(3)``, w (5, 3), b (3,) (A8).
DOC_A8_INPUTS, DOC_A8_OUTPUTS = 5, 3
#: What 004 prints for ``w.grad`` (five equal rows) and ``b.grad`` after ``loss.backward()`` (random w, b) (A8).
PRINTED_A8_W_GRAD = np.array([[0.3202, 0.0967, 0.0895]] * 5)
PRINTED_A8_B_GRAD = np.array([0.3202, 0.0967, 0.0895])

#: Document 004, "Disabling gradient tracking": z.requires_grad outside, inside ``no_grad``, and of ``z.detach()`` (A7).
PRINTED_A7 = {"z.requires_grad": True, "no_grad z.requires_grad": False, "z_det.requires_grad": False}

# =========================================================================== closed forms of the worked examples


def a1_value(x: float | np.ndarray) -> float | np.ndarray:
    """``y = 2x² + 1`` (A1)."""
    return 2 * np.square(x) + 1


def a1_grad(x: float | np.ndarray) -> float | np.ndarray:
    """``dy/dx = 4x`` (A1)."""
    return 4 * np.asarray(x)


def a2_forward(x: np.ndarray) -> dict[str, Any]:
    """``y = 2x + 1``, ``z = y²``, ``out = mean(z)`` (A2)."""
    y = 2 * x + 1
    z = y**2
    return {"y": y, "z": z, "out": float(z.mean())}


def a2_grad(x: np.ndarray) -> np.ndarray:
    """``d out/dx = 2y · 2 / n = 4(2x + 1) / n``: the chain through mean, square and 2x + 1 (A2)."""
    return 4 * (2 * x + 1) / x.size


def a3_value(x: float | np.ndarray) -> float | np.ndarray:
    """``y = 0.1x³ − 0.8x² − 1.5x + 5.4``, document 002's cubic (A3, the same function as O1)."""
    return cubic(x)


def a3_grad(x: float | np.ndarray) -> float | np.ndarray:
    """``dy/dx = 0.3x² − 1.6x − 1.5``; −3.5 at x = 2 (A3)."""
    return cubic_grad(x)


def a4_forward(x: float) -> dict[str, float]:
    """``y = x³``, ``z = log(y)`` (A4)."""
    return {"x": x, "y": x**3, "z": math.log(x**3)}


def a4_grads(x: float) -> dict[str, float]:
    """dz/dx = 3/x, dz/dy = 1/y = 1/x³, dz/dz = 1: what x, y and z hold in ``.grad`` after ``z.backward()`` (A4)."""
    return {"x": 3 / x, "y": 1 / x**3, "z": 1.0}


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """``1 / (1 + exp(−z))``, computed without overflow for large |z| (A8, A9)."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def bce_with_logits(z: np.ndarray, y: np.ndarray) -> float:
    """``binary_cross_entropy_with_logits(z, y)`` with mean reduction: mean(max(z, 0) − z·y + log(1 + e^−|z|)) (A8)."""
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def bce_with_logits_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d bce_with_logits(z, y) / dz = (σ(z) − y)/n: finite for every logit, however large (A8)."""
    z, y = np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return (sigmoid(z) - y) / z.size


@dataclass(frozen=True)
class BCEGraph:
    """Document 004's graph ``z = x @ w + b``, ``loss = bce_with_logits(z, y)``, and its gradients (A8)."""

    z: np.ndarray
    loss: float
    w_grad: np.ndarray
    b_grad: np.ndarray


def bce_graph(x: np.ndarray, w: np.ndarray, b: np.ndarray, y: np.ndarray) -> BCEGraph:
    """dloss/dz = (σ(z) − y)/n, so w.grad = x ⊗ dz and b.grad = dz; with x = 1 and y = 0 every row is σ(z)/3 (A8)."""
    x, w, b, y = (np.asarray(a, dtype=np.float64) for a in (x, w, b, y))
    z = x @ w + b
    dz = (sigmoid(z) - y) / z.size
    return BCEGraph(z=z, loss=bce_with_logits(z, y), w_grad=np.outer(x, dz), b_grad=dz)


#: Operations a ``no_grad()`` block must not record, as ``r = op(r, w)`` on square matrices (A7).
#: Products come in all three spellings, since a backend may wire each to its own function. Views are left
#: out: PyTorch lets a view made inside no_grad() keep its base's requires_grad (with no grad_fn).
NO_GRAD_OPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "r @ w": lambda r, w: r @ w,
    "matmul(r, w)": lambda r, w: r @ w,
    "r.mm(w)": lambda r, w: r @ w,
    "r + w": lambda r, w: r + w,
    "r - w": lambda r, w: r - w,
    "r * w": lambda r, w: r * w,
    "r * 2": lambda r, w: r * 2,
    "r ** 2": lambda r, w: r**2,
    "r.sum(0, keepdim=True) + r": lambda r, w: r.sum(0, keepdims=True) + r,
}


def no_grad_chain(r: np.ndarray, w: np.ndarray, ops: Sequence[str]) -> np.ndarray:
    """The values of ``r = op(r, w)`` for each op in turn (A7: the same inside ``no_grad()`` as outside)."""
    r, w = np.asarray(r, dtype=np.float64), np.asarray(w, dtype=np.float64)
    for op in ops:
        r = NO_GRAD_OPS[op](r, w)
    return r


@dataclass(frozen=True)
class LogisticRegression:
    """Document 000's hand-written ``LR``: ŷ, its loss, and the gradients its ``backward`` writes (A9)."""

    yhat: np.ndarray
    loss: float
    dw: np.ndarray
    db: float


def logistic_regression(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> LogisticRegression:
    """``ŷ = σ(wᵀx + b)``, ``loss = −(1/m)Σ(y log ŷ + (1−y) log(1−ŷ))``, ``dw = (1/m)·x(ŷ−y)ᵀ``, ``db = (1/m)Σ(ŷ−y)`` (A9).

    x is (dim, m) (one column per sample), y is (1, m), w is (dim, 1), b a scalar.
    """
    x, y, w = (np.asarray(a, dtype=np.float64) for a in (x, y, w))
    m = y.shape[1]
    yhat = sigmoid(w.T @ x + b)
    loss = -(1 / m) * float(np.sum(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)))
    return LogisticRegression(yhat=yhat, loss=loss, dw=(1 / m) * x @ (yhat - y).T, db=(1 / m) * float(np.sum(yhat - y)))


# =========================================================================== grad_fn names (A5)

#: The node PyTorch records for each operation the documents print a ``grad_fn`` for (A5).
DOCUMENTED_GRAD_FN_NAMES: dict[str, str] = {
    "2*x**2 + 1": "AddBackward0",  # 001: y = 2*x**2 + 1; y = 2*x + 1
    "y**2": "PowBackward0",  # 001: z = y**2; 002: y = x ** 3
    "z.mean()": "MeanBackward0",  # 001: out = z.mean()
    "torch.log(y)": "LogBackward0",  # 002: z = torch.log(y)
    "nn.Linear(x)": "AddmmBackward0",  # 004: hidden1 = layer1(flat_image), a 2-D input
    "nn.ReLU()(h)": "ReluBackward0",  # 004: hidden1 = nn.ReLU()(hidden1)
    "param[:2]": "SliceBackward0",  # 004: param[:2] of each named parameter
}

# =========================================================================== finite differences


def central_difference(f: Callable[[np.ndarray], float], x: np.ndarray, h: float) -> np.ndarray:
    """``(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`` for every element i of x: error h²·f'''/6 + rounding/h."""
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        up = f(x)
        x[i] = saved - h
        down = f(x)
        x[i] = saved
        grad[i] = (up - down) / (2 * h)
    return grad


def richardson_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 3e-4) -> tuple[np.ndarray, np.ndarray]:
    """Central differences at h and h/2 combined to cancel the h² term: (4·D(h/2) − D(h)) / 3.

    The leading error left is −h⁴·f⁽⁵⁾/480 plus rounding of about (5/3)·ε·|f|/(h/2).
    Returns the gradient and |R − D(h/2)|, the error of the plain h/2 estimate:
    a generous bound on the extrapolated one's.
    """
    coarse = central_difference(f, x, h)
    fine = central_difference(f, x, h / 2)
    extrapolated = (4 * fine - coarse) / 3
    return extrapolated, np.abs(extrapolated - fine)


def numerical_gradients(
    f: Callable[..., float], inputs: Sequence[np.ndarray], h: float = 3e-4
) -> list[np.ndarray]:
    """The gradient of a scalar function of several float64 arrays with respect to each, by ``richardson_gradient``."""
    inputs = [np.array(a, dtype=np.float64) for a in inputs]
    grads = []
    for k, a in enumerate(inputs):
        def along(v: np.ndarray, k: int = k) -> float:
            return float(f(*inputs[:k], v, *inputs[k + 1 :]))

        grads.append(richardson_gradient(along, a, h)[0])
    return grads


# =========================================================================== random compositions (the chain rule)
#
# A composition is a straight-line program: leaves x0, x1, ... (float64 arrays,
# each drawn uniformly from an interval), then steps, each one operation on
# earlier values, the last of which is a 0-dim scalar to call backward() on.
# The builder tracks every value's shape and an interval that contains it, and
# offers an operation only where it is safe: log and fractional powers only on
# values >= 0.1, exp only up to 2.5, nothing whose bound leaves [-CAP, CAP].
# relu has a kink at 0; the finite-difference oracle says when a probe crossed it.

#: The operations, as the plain data names them; every one is an operation the documents use.
UNARY_OPS = ("scale", "shift", "pow", "exp", "log", "sigmoid", "relu")
BINARY_OPS = ("add", "sub", "mul", "matmul")
REDUCTIONS = ("sum", "mean", "sum_dim", "mean_dim")
OPS = UNARY_OPS + BINARY_OPS + REDUCTIONS

#: Constants the builder may use: ``a * c``, ``a + c``, ``a ** p``.
SCALES = (-1.5, -0.5, 0.5, 2.0)
SHIFTS = (-1.0, 0.5, 1.0)
INTEGER_POWERS = (2, 3)
POSITIVE_POWERS = (-1.0, 0.5, 1.5)  # only for values >= POSITIVE_FLOOR
#: Leaves are drawn from one of these intervals.
LEAF_INTERVALS = ((0.5, 1.5), (-1.5, 1.5))
#: Smallest value log and fractional powers may see; largest argument of exp; bound on every value.
POSITIVE_FLOOR = 0.1
EXP_CEILING = 2.5
CAP = 50.0


@dataclass(frozen=True)
class Leaf:
    """An input of a composition: its shape and the interval its values are drawn from."""

    shape: Shape
    low: float
    high: float


@dataclass(frozen=True)
class Step:
    """One operation on earlier values (indices: leaves first, then steps); ``param`` is its constant or dim."""

    op: str
    args: tuple[int, ...]
    param: float | int | None = None


@dataclass(frozen=True)
class Composition:
    """A straight-line program of the documents' operations whose last step is a 0-dim scalar."""

    leaves: tuple[Leaf, ...]
    steps: tuple[Step, ...]

    def to_plain(self) -> dict[str, Any]:
        """The composition as plain data, for a probe to replay with a backend's operations."""
        return {
            "leaves": [{"shape": list(leaf.shape), "low": leaf.low, "high": leaf.high} for leaf in self.leaves],
            "steps": [{"op": s.op, "args": list(s.args), "param": s.param} for s in self.steps],
        }

    @classmethod
    def from_plain(cls, plain: dict[str, Any]) -> "Composition":
        """Invert ``to_plain``."""
        leaves = tuple(Leaf(tuple(d["shape"]), d["low"], d["high"]) for d in plain["leaves"])
        steps = tuple(Step(d["op"], tuple(d["args"]), d["param"]) for d in plain["steps"])
        return cls(leaves, steps)

    def describe(self) -> str:
        """The program as one line of Python-like text: ``x0 (2, 3); v1 = log(x0); out = v1.sum()``."""
        names = [f"x{i}" for i in range(len(self.leaves))]
        parts = [f"x{i} {leaf.shape} in [{leaf.low}, {leaf.high}]" for i, leaf in enumerate(self.leaves)]
        for k, step in enumerate(self.steps):
            name = "out" if k == len(self.steps) - 1 else f"v{len(names)}"
            parts.append(f"{name} = {_expression(step, [names[a] for a in step.args])}")
            names.append(name)
        return "; ".join(parts)


def _expression(step: Step, args: list[str]) -> str:
    """How a step reads in torch: ``a * 2.0``, ``log(a)``, ``a.sum(1)``."""
    a = args[0]
    p = step.param
    return {
        "scale": f"{a} * {p}", "shift": f"{a} + {p}", "pow": f"{a} ** {p}",
        "exp": f"exp({a})", "log": f"log({a})", "sigmoid": f"sigmoid({a})", "relu": f"relu({a})",
        "add": f"{a} + {args[-1]}", "sub": f"{a} - {args[-1]}", "mul": f"{a} * {args[-1]}",
        "matmul": f"matmul({a}, {args[-1]})", "sum": f"{a}.sum()", "mean": f"{a}.mean()",
        "sum_dim": f"{a}.sum({p})", "mean_dim": f"{a}.mean({p})",
    }[step.op]


# --------------------------------------------------------------------------- forward and backward of one op


def _unbroadcast(grad: np.ndarray, shape: Shape) -> np.ndarray:
    """Sum a broadcast gradient back down to ``shape``."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def apply_op(step: Step, args: Sequence[np.ndarray]) -> np.ndarray:
    """The value of one step, in float64 numpy."""
    a = args[0]
    b = args[-1]
    p = step.param
    if step.op == "scale":
        return a * p
    if step.op == "shift":
        return a + p
    if step.op == "pow":
        return np.power(a, p)
    if step.op == "exp":
        return np.exp(a)
    if step.op == "log":
        return np.log(a)
    if step.op == "sigmoid":
        return sigmoid(a)
    if step.op == "relu":
        return np.maximum(a, 0.0)
    if step.op == "add":
        return a + b
    if step.op == "sub":
        return a - b
    if step.op == "mul":
        return a * b
    if step.op == "matmul":
        return a @ b
    if step.op == "sum":
        return np.asarray(a.sum())
    if step.op == "mean":
        return np.asarray(a.mean())
    if step.op == "sum_dim":
        return a.sum(axis=p)
    if step.op == "mean_dim":
        return a.mean(axis=p)
    raise ValueError(f"unknown operation {step.op!r}")


def op_vjp(step: Step, args: Sequence[np.ndarray], out: np.ndarray, grad: np.ndarray) -> list[np.ndarray]:
    """The chain rule for one step: the gradient reaching each argument, given the gradient of its output."""
    a = args[0]
    b = args[-1]
    p = step.param
    op = step.op
    if op == "scale":
        return [grad * p]
    if op == "shift":
        return [grad]
    if op == "pow":
        return [grad * p * np.power(a, p - 1)]
    if op == "exp":
        return [grad * out]
    if op == "log":
        return [grad / a]
    if op == "sigmoid":
        return [grad * out * (1 - out)]
    if op == "relu":
        return [grad * (a > 0)]
    if op == "add":
        return [_unbroadcast(grad, a.shape), _unbroadcast(grad, b.shape)]
    if op == "sub":
        return [_unbroadcast(grad, a.shape), _unbroadcast(-grad, b.shape)]
    if op == "mul":
        return [_unbroadcast(grad * b, a.shape), _unbroadcast(grad * a, b.shape)]
    if op == "matmul":
        return [grad @ b.T, a.T @ grad]
    if op == "sum":
        return [np.broadcast_to(grad, a.shape).copy()]
    if op == "mean":
        return [np.broadcast_to(grad / a.size, a.shape).copy()]
    if op == "sum_dim":
        return [np.broadcast_to(np.expand_dims(grad, p), a.shape).copy()]
    if op == "mean_dim":
        return [np.broadcast_to(np.expand_dims(grad, p) / a.shape[p], a.shape).copy()]
    raise ValueError(f"unknown operation {op!r}")


# --------------------------------------------------------------------------- whole compositions


def evaluate(comp: Composition, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Every value of the program (leaves first, then one per step), in float64."""
    values = [np.asarray(x, dtype=np.float64) for x in inputs]
    for step in comp.steps:
        values.append(np.asarray(apply_op(step, [values[i] for i in step.args]), dtype=np.float64))
    return values


def output(comp: Composition, inputs: Sequence[np.ndarray]) -> float:
    """The scalar the program ends with."""
    return float(evaluate(comp, inputs)[-1])


def reachable_leaves(comp: Composition) -> list[bool]:
    """Which leaves the output depends on through the graph: only they get a ``.grad`` (others keep None)."""
    n = len(comp.leaves)
    needed = {n + len(comp.steps) - 1}
    for k in range(len(comp.steps) - 1, -1, -1):
        if n + k in needed:
            needed.update(comp.steps[k].args)
    return [i in needed for i in range(n)]


def analytic_gradients(comp: Composition, inputs: Sequence[np.ndarray]) -> list[np.ndarray | None]:
    """Reverse mode by hand: d output / d leaf for every leaf, None for leaves the output does not reach."""
    values = evaluate(comp, inputs)
    grads: list[np.ndarray | None] = [None] * len(values)
    grads[-1] = np.ones(())
    n = len(comp.leaves)
    for k in range(len(comp.steps) - 1, -1, -1):
        grad = grads[n + k]
        if grad is None:
            continue
        step = comp.steps[k]
        for arg, g in zip(step.args, op_vjp(step, [values[i] for i in step.args], values[n + k], grad)):
            grads[arg] = g if grads[arg] is None else grads[arg] + g  # a value used twice sums its paths
    reached = reachable_leaves(comp)
    return [grads[i] if reached[i] else None for i in range(n)]


@dataclass(frozen=True)
class FiniteDifference:
    """The oracle's answer: gradients (None where the output does not reach a leaf), and whether to trust them.

    ``smooth`` is False when some relu input changed sign (or was 0) while the
    oracle probed, so the function was not differentiable there; ``scale`` is
    the largest magnitude of any value, which sizes the rounding error.
    """

    value: float
    grads: list[np.ndarray | None]
    smooth: bool
    scale: float


def _relu_signs(comp: Composition, values: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The sign of every relu input in one evaluation."""
    return [np.sign(values[s.args[0]]) for s in comp.steps if s.op == "relu"]


def finite_difference_gradients(comp: Composition, inputs: Sequence[np.ndarray], h: float = 3e-4) -> FiniteDifference:
    """The float64 central-difference oracle (Richardson-extrapolated) for every reachable leaf of a composition."""
    inputs = [np.array(x, dtype=np.float64) for x in inputs]
    base = evaluate(comp, inputs)
    signs = _relu_signs(comp, base)
    smooth = all((s != 0).all() for s in signs)

    def f(*arrays: np.ndarray) -> float:
        nonlocal smooth
        values = evaluate(comp, arrays)
        if smooth and any((a != b).any() for a, b in zip(_relu_signs(comp, values), signs)):
            smooth = False
        return float(values[-1])

    reached = reachable_leaves(comp)
    grads: list[np.ndarray | None] = []
    for k, x in enumerate(inputs):
        if not reached[k]:
            grads.append(None)
            continue

        def along(v: np.ndarray, k: int = k) -> float:
            return f(*inputs[:k], v, *inputs[k + 1 :])

        grads.append(richardson_gradient(along, x, h)[0])
    scale = max(float(np.max(np.abs(v), initial=0.0)) for v in base)
    return FiniteDifference(value=float(base[-1]), grads=grads, smooth=smooth, scale=scale)


def draw_inputs(comp: Composition, rng: np.random.Generator) -> list[np.ndarray]:
    """Float64 values for the leaves, uniform in each leaf's interval."""
    return [rng.uniform(leaf.low, leaf.high, size=leaf.shape).astype(np.float64) for leaf in comp.leaves]


# --------------------------------------------------------------------------- building compositions safely


@dataclass(frozen=True)
class _Known:
    """What the builder knows of a value: its shape and an interval containing every element."""

    shape: Shape
    low: float
    high: float


def _interval_mul(a: _Known, b: _Known) -> tuple[float, float]:
    """The interval of a product."""
    products = [a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high]
    return min(products), max(products)


def _pow_interval(v: _Known, p: float) -> tuple[float, float] | None:
    """The interval of ``v ** p``, or None where the power is not safe (fractional/negative powers need v >= 0.1)."""
    if p in INTEGER_POWERS:
        ends = sorted([v.low**p, v.high**p])
        if p % 2 == 0 and v.low < 0 < v.high:
            return 0.0, max(ends)
        return ends[0], ends[1]
    if v.low < POSITIVE_FLOOR:
        return None
    ends = sorted([v.low**p, v.high**p])
    return ends[0], ends[1]


def _candidates(op: str, known: list[_Known]) -> list[tuple[Step, _Known]]:
    """Every safe way to apply ``op`` next: unary ops and reductions act on the latest value, binary ops pair it with any."""
    cur = len(known) - 1
    v = known[cur]
    out: list[tuple[Step, _Known]] = []

    def add(step: Step, shape: Shape, low: float, high: float) -> None:
        if -CAP <= low <= high <= CAP:
            out.append((step, _Known(shape, low, high)))

    if op == "scale":
        for c in SCALES:
            add(Step(op, (cur,), c), v.shape, *sorted([v.low * c, v.high * c]))
    elif op == "shift":
        for c in SHIFTS:
            add(Step(op, (cur,), c), v.shape, v.low + c, v.high + c)
    elif op == "pow":
        for p in INTEGER_POWERS + POSITIVE_POWERS:
            bounds = _pow_interval(v, p)
            if bounds is not None:
                add(Step(op, (cur,), p), v.shape, *bounds)
    elif op == "exp" and v.high <= EXP_CEILING:
        add(Step(op, (cur,)), v.shape, math.exp(v.low), math.exp(v.high))
    elif op == "log" and v.low >= POSITIVE_FLOOR:
        add(Step(op, (cur,)), v.shape, math.log(v.low), math.log(v.high))
    elif op == "sigmoid":
        add(Step(op, (cur,)), v.shape, float(sigmoid(v.low)), float(sigmoid(v.high)))
    elif op == "relu":
        add(Step(op, (cur,)), v.shape, max(v.low, 0.0), max(v.high, 0.0))
    elif op in ("add", "sub", "mul"):
        for j, other in enumerate(known):
            try:
                shape = tuple(np.broadcast_shapes(v.shape, other.shape))
            except ValueError:
                continue
            if len(shape) > 2:
                continue
            if op == "sub" and j == cur:
                continue  # v - v is 0 whatever v is: nothing to differentiate
            orders = [(cur, j), (j, cur)] if op == "sub" else [(cur, j)]  # add and mul commute
            for args in orders:
                first, second = known[args[0]], known[args[1]]
                if op == "add":
                    bounds = (first.low + second.low, first.high + second.high)
                elif op == "sub":
                    bounds = (first.low - second.high, first.high - second.low)
                else:
                    bounds = _interval_mul(first, second)
                add(Step(op, args), shape, *bounds)
    elif op == "matmul" and len(v.shape) == 2:
        for j, other in enumerate(known):
            if len(other.shape) != 2:
                continue
            for left, right, args in ((v, other, (cur, j)), (other, v, (j, cur))):
                if left.shape[1] == right.shape[0]:
                    low, high = _interval_mul(left, right)
                    add(Step(op, args), (left.shape[0], right.shape[1]), left.shape[1] * low, left.shape[1] * high)
    elif op in ("sum", "mean") and v.shape:
        n = math.prod(v.shape) if op == "sum" else 1
        add(Step(op, (cur,)), (), n * v.low, n * v.high)
    elif op in ("sum_dim", "mean_dim") and v.shape:
        for d in range(len(v.shape)):
            n = v.shape[d] if op == "sum_dim" else 1
            add(Step(op, (cur,), d), v.shape[:d] + v.shape[d + 1 :], n * v.low, n * v.high)
    return out


def build_composition(choose: Callable[[Sequence[Option], str], Option], max_steps: int = 6) -> Composition:
    """A random safe composition, every random decision made by ``choose(options, label)``.

    ``choose`` may be a seeded numpy generator's pick (``numpy_chooser``) or a
    hypothesis draw (``lambda options, label: data.draw(st.sampled_from(options))``).
    The last leaf is a matrix (r, c), where the program starts; the others are
    side inputs: a matrix (c, k) (for matmul), a row (c,) or a 0-dim scalar
    (for broadcasting), or another (r, c).
    """
    r, c, k = (choose((1, 2, 3), label) for label in ("rows", "cols", "inner"))
    n_leaves = choose((1, 2, 3), "leaves")
    shapes = [choose(((c, k), (c,), (), (r, c)), f"shape of x{i}") for i in range(n_leaves - 1)] + [(r, c)]
    leaves = tuple(Leaf(shape, *choose(LEAF_INTERVALS, f"interval of x{i}")) for i, shape in enumerate(shapes))
    known = [_Known(leaf.shape, leaf.low, leaf.high) for leaf in leaves]
    steps: list[Step] = []
    for i in range(choose(tuple(range(2, max_steps + 1)), "steps")):
        offered = {op: _candidates(op, known) for op in OPS}
        op = choose(tuple(name for name in OPS if offered[name]), f"op {i}")
        step, result = choose(tuple(offered[op]), f"{op} {i}")
        steps.append(step)
        known.append(result)
    if known[-1].shape:
        finals = tuple(_candidates("sum", known) + _candidates("mean", known))
        if not finals:  # the sum's bound would leave the cap: the mean never does
            raise AssertionError("no safe reduction")
        step, result = choose(finals, "reduction")
        steps.append(step)
        known.append(result)
    return Composition(leaves, tuple(steps))


def numpy_chooser(rng: np.random.Generator) -> Callable[[Sequence[Option], str], Option]:
    """A ``choose`` for ``build_composition`` driven by a seeded numpy generator."""

    def choose(options: Sequence[Option], label: str) -> Option:
        return options[int(rng.integers(len(options)))]

    return choose


# --------------------------------------------------------------------------- worked examples of the chain rule


def _example(shapes: Sequence[tuple[Shape, tuple[float, float]]], *steps: Step) -> Composition:
    """A composition written out by hand."""
    return Composition(tuple(Leaf(shape, low, high) for shape, (low, high) in shapes), tuple(steps))


_POS, _ANY = LEAF_INTERVALS

#: Hand-written compositions in which every operation feeds another (so its gradient is scaled by what
#: comes after it): the chain rule's worked examples, beside the random ones (A4).
WORKED_EXAMPLES: dict[str, Composition] = {
    # 002's example generalised: log(x**3), summed
    "log(x**3).sum()": _example([((2, 3), _POS)], Step("pow", (0,), 3), Step("log", (1,)), Step("sum", (2,))),
    # 001's layers with a log after the square
    "(2*log(x**2+1)).mean()": _example(
        [((2, 3), _ANY)], Step("pow", (0,), 2), Step("shift", (1,), 1.0), Step("log", (2,)),
        Step("scale", (3,), 2.0), Step("mean", (4,))),
    # 004's z = x @ w + b through a sigmoid, then 000's log-loss shape
    "log(sigmoid(x @ w + b)).sum()": _example(
        [((2, 3), _ANY), ((3, 2), _ANY), ((2,), _ANY)], Step("matmul", (0, 1)), Step("add", (3, 2)),
        Step("sigmoid", (4,)), Step("log", (5,)), Step("sum", (6,))),
    # 004's ReLU layer on a linear map, times a row sum of the same input (x reaches the output twice)
    "(relu(x @ w) * 0.5 * (x.sum(1) + 1)).mean()": _example(
        [((3, 2), _ANY), ((2, 3), _ANY)], Step("matmul", (0, 1)), Step("relu", (2,)), Step("scale", (3,), 0.5),
        Step("sum_dim", (0,), 1), Step("shift", (5,), 1.0), Step("mul", (4, 6)), Step("mean", (7,))),
    # exp and a fractional power, with a broadcast product and a mean over a dim
    "(exp(x * y) ** 0.5).mean(0).sum()": _example(
        [((2, 3), _ANY), ((3,), _POS)], Step("mul", (0, 1)), Step("exp", (2,)), Step("pow", (3,), 0.5),
        Step("mean_dim", (4,), 0), Step("sum", (5,))),
    # sub and a reciprocal
    "((x - y) ** 2 * x ** -1).sum()": _example(
        [((2, 2), _POS), ((2, 2), _ANY)], Step("sub", (0, 1)), Step("pow", (2,), 2), Step("pow", (0,), -1.0),
        Step("mul", (3, 4)), Step("sum", (5,))),
}
