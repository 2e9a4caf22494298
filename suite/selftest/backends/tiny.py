"""tiny: a from-scratch, torch-shaped library, written with numpy only, for the suite's own tests.

It is not torch and was not written to pass the suite: it offers what a
first-term student's mini-torch offers (tensors over numpy arrays, a few
operators with reverse-mode autograd, ``nn.Module``/``Linear``/``ReLU``/
``Flatten``/``Sequential``, devices) and nothing more. Each backend in this
folder builds a ``Tiny`` namespace with different gaps (``suite/selftest/
test_own_backends.py`` says which outcome each gap must get). The
``accelerator`` backend offers a second device, ``acc``, that computes on the
cpu but keeps its tensors apart, so the suite's device paths run without a GPU.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Callable, Iterator

import numpy as np

__version__ = "tiny 0.1 (the suite's own test library)"


class DType:
    """An element type: ``tiny.float32``; compared by identity, as torch's."""

    def __init__(self, name: str, numpy_dtype: str, legacy: str) -> None:
        self.name, self.np, self.legacy = name, np.dtype(numpy_dtype), legacy

    def __repr__(self) -> str:
        return f"tiny.{self.name}"


DTYPES = {d.name: d for d in (
    DType("bool", "bool", "BoolTensor"), DType("uint8", "uint8", "ByteTensor"), DType("int8", "int8", "CharTensor"),
    DType("int16", "int16", "ShortTensor"), DType("int32", "int32", "IntTensor"), DType("int64", "int64", "LongTensor"),
    DType("float16", "float16", "HalfTensor"), DType("float32", "float32", "FloatTensor"),
    DType("float64", "float64", "DoubleTensor"),
)}


class Device:
    """Where a tensor lives: ``cpu``, or an accelerator ``acc:0``; ``str()`` is that name."""

    def __init__(self, spec: Any, label: str | None = None) -> None:
        kind, _, index = str(spec).partition(":")
        self.type, self.index = kind, (int(index) if index else (None if kind == "cpu" else 0))
        self.label = label  # how str() prints it, when a backend names its devices its own way

    def __str__(self) -> str:
        if self.label:
            return self.label
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    __hash__ = object.__hash__


class Node:
    """One step of the recorded graph: how to send a gradient back to the inputs."""

    def __init__(self, inputs: tuple["TensorBase", ...], backward: Callable[[np.ndarray], tuple[Any, ...]]) -> None:
        self.inputs, self.backward = inputs, backward


class TensorBase:
    """A tensor over a numpy array: shape, dtype, device, values and autograd, but no operators and no indexing."""

    lib: "Tiny"

    def __init__(self, array: np.ndarray, device: Device, requires_grad: bool = False, node: Node | None = None) -> None:
        self._a, self._device = array, device
        self.requires_grad, self.grad, self.grad_fn = requires_grad, None, node

    # --- what a tensor is
    @property
    def shape(self) -> tuple[int, ...]:
        """The sizes, a tuple."""
        return tuple(self._a.shape)

    @property
    def ndim(self) -> int:
        """The number of dims."""
        return self._a.ndim

    @property
    def dtype(self) -> DType:
        """The element type."""
        return next(d for d in DTYPES.values() if d.np == self._a.dtype)

    @property
    def device(self) -> Device:
        """A ``Device`` this namespace knows (cpu, or its accelerator)."""
        return self._device

    @property
    def is_leaf(self) -> bool:
        """True for a tensor no operation made."""
        return self.grad_fn is None

    def dim(self) -> int:
        """The number of dims."""
        return self._a.ndim

    def size(self, dim: int | None = None) -> Any:
        """The sizes, or one of them."""
        return self.shape if dim is None else self.shape[dim]

    def nelement(self) -> int:
        """The number of elements."""
        return int(self._a.size)

    numel = nelement

    def type(self) -> str:
        """torch's legacy type name (``torch.FloatTensor``, ``torch.acc.FloatTensor``)."""
        where = "" if self._device.type == "cpu" else f"{self._device.type}."
        return f"torch.{where}{self.dtype.legacy}"

    # --- reading values back
    def numpy(self) -> np.ndarray:
        """The values as a numpy array (cpu tensors that do not require grad only)."""
        if self._device.type != "cpu":
            raise TypeError(f"can't convert {self._device} tensor to numpy; use .cpu() first")
        if self.requires_grad:
            raise RuntimeError("numpy() of a tensor that requires grad: use .detach().numpy()")
        return self._a

    def tolist(self) -> Any:
        """Nested Python lists."""
        return self._a.tolist()

    def item(self) -> Any:
        """The one element, as a Python number."""
        if self._a.size != 1:
            raise RuntimeError(f"item() of a tensor with {self._a.size} elements")
        return self._a.reshape(()).item()

    def detach(self) -> "TensorBase":
        """The same values, out of the graph."""
        return self._new(self._a, self._device)

    def cpu(self) -> "TensorBase":
        """The tensor on the cpu (a copy from another device)."""
        return self.to("cpu")

    def to(self, *args: Any, **kwargs: Any) -> "TensorBase":
        """The tensor on another device or dtype (a copy), else self."""
        where, dtype = kwargs.get("device"), kwargs.get("dtype")
        for arg in args:
            if isinstance(arg, DType):
                dtype = arg
            else:
                where = arg
        target = self.lib.device(where) if where is not None else self._device
        if target == self._device and (dtype is None or dtype.np == self._a.dtype):
            return self
        array = self._a.astype(dtype.np if dtype else self._a.dtype, copy=True)  # another device: another copy
        return self._result(array, (self,), lambda g: (g,), device=target)

    def float(self) -> "TensorBase":
        """As float32."""
        return self.to(DTYPES["float32"])

    def double(self) -> "TensorBase":
        """As float64."""
        return self.to(DTYPES["float64"])

    def long(self) -> "TensorBase":
        """As int64."""
        return self.to(DTYPES["int64"])

    def clone(self) -> "TensorBase":
        """A copy, still in the graph."""
        return self._result(self._a.copy(), (self,), lambda g: (g,))

    # --- shapes (views share the numpy buffer)
    def view(self, *shape: Any) -> "TensorBase":
        """The same memory seen with another shape; a non-contiguous tensor refuses."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        if not self._a.flags["C_CONTIGUOUS"]:
            raise RuntimeError("view size is not compatible with input tensor's size and stride; use reshape")
        viewed = self._a.view()
        viewed.shape = shape  # numpy refuses a shape that does not fit, as view must
        return self._result(viewed, (self,), lambda g: (g.reshape(self.shape),))

    def reshape(self, *shape: Any) -> "TensorBase":
        """A tensor of another shape, a view where numpy can make one."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return self._result(self._a.reshape(shape), (self,), lambda g: (g.reshape(self.shape),))

    def transpose(self, dim0: int, dim1: int) -> "TensorBase":
        """Two dims swapped, sharing memory."""
        return self._result(np.swapaxes(self._a, dim0, dim1), (self,), lambda g: (np.swapaxes(g, dim0, dim1),))

    def t(self) -> "TensorBase":
        """The transpose of a 2-D tensor."""
        return self.transpose(0, 1) if self.ndim == 2 else self

    def contiguous(self) -> "TensorBase":
        """Self if row-major already, else a row-major copy."""
        return self if self.is_contiguous() else self._result(np.ascontiguousarray(self._a), (self,), lambda g: (g,))

    def is_contiguous(self) -> bool:
        """True when row-major."""
        return bool(self._a.flags["C_CONTIGUOUS"])

    def squeeze(self, dim: int | None = None) -> "TensorBase":
        """Size-1 dims dropped (all, or ``dim`` if it is size 1)."""
        if dim is None:
            array = self._a.squeeze()
        else:
            array = self._a.squeeze(dim) if self.shape[dim] == 1 else self._a
        return self._result(array, (self,), lambda g: (g.reshape(self.shape),))

    def unsqueeze(self, dim: int) -> "TensorBase":
        """A size-1 dim inserted at ``dim``."""
        dim = dim if dim >= 0 else dim + self.ndim + 1
        return self._result(np.expand_dims(self._a, dim), (self,), lambda g: (g.reshape(self.shape),))

    def flatten(self, start_dim: int = 0) -> "TensorBase":
        """Dims from ``start_dim`` on flattened into one."""
        return self.reshape(*self.shape[:start_dim], -1)

    # --- arithmetic, as methods
    def add(self, other: Any) -> "TensorBase":
        """``self + other``."""
        b = self._operand(other)
        return self._result(self._a + b, (self, other), lambda g: (g, g))

    def sub(self, other: Any) -> "TensorBase":
        """``self - other``."""
        b = self._operand(other)
        return self._result(self._a - b, (self, other), lambda g: (g, -g))

    def mul(self, other: Any) -> "TensorBase":
        """``self * other``."""
        b = self._operand(other)
        return self._result(self._a * b, (self, other), lambda g: (g * b, g * self._a))

    def div(self, other: Any) -> "TensorBase":
        """``self / other``."""
        b = self._operand(other)
        return self._result(self._a / b, (self, other), lambda g: (g / b, -g * self._a / b**2))

    def pow(self, exponent: float) -> "TensorBase":
        """``self ** exponent`` for a number."""
        return self._result(self._a ** exponent, (self,), lambda g: (g * exponent * self._a ** (exponent - 1),))

    def neg(self) -> "TensorBase":
        """``-self``."""
        return self._result(-self._a, (self,), lambda g: (-g,))

    def exp(self) -> "TensorBase":
        """``e ** self``."""
        out = np.exp(self._a)
        return self._result(out, (self,), lambda g: (g * out,))

    def log(self) -> "TensorBase":
        """The natural log."""
        return self._result(np.log(self._a), (self,), lambda g: (g / self._a,))

    def relu(self) -> "TensorBase":
        """``max(self, 0)``."""
        return self._result(np.maximum(self._a, 0), (self,), lambda g: (g * (self._a > 0),))

    def sum(self, dim: int | None = None) -> "TensorBase":
        """The sum, over all elements or one dim."""
        return self._result(np.asarray(self._a.sum(axis=dim)), (self,),
                            lambda g: (np.broadcast_to(np.expand_dims(g, dim) if dim is not None else g, self.shape),))

    def mean(self, dim: int | None = None) -> "TensorBase":
        """The mean, over all elements or one dim."""
        n = self._a.size if dim is None else self.shape[dim]
        return self.sum(dim).div(n)

    def mm(self, other: "TensorBase") -> "TensorBase":
        """The matrix product."""
        b = self._operand(other)
        return self._result(self._a @ b, (self, other), lambda g: (g @ b.swapaxes(-1, -2), self._a.swapaxes(-1, -2) @ g))

    matmul = mm

    # --- in place
    def zero_(self) -> "TensorBase":
        """Every element set to 0, in place."""
        self._a[...] = 0
        return self

    def fill_(self, value: Any) -> "TensorBase":
        """Every element set to ``value``, in place."""
        self._a[...] = value
        return self

    def add_(self, other: Any) -> "TensorBase":
        """``self += other`` in place."""
        self._a += self._operand(other)
        return self

    def mul_(self, other: Any) -> "TensorBase":
        """``self *= other`` in place."""
        self._a *= self._operand(other)
        return self

    def requires_grad_(self, flag: bool = True) -> "TensorBase":
        """Set ``requires_grad`` in place."""
        self.requires_grad = flag
        return self

    # --- autograd
    def backward(self, gradient: Any = None) -> None:
        """Reverse-mode: send gradients to every leaf that requires grad."""
        if not self.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        seed = np.ones_like(self._a) if gradient is None else self._operand(gradient)
        order: list[TensorBase] = []
        seen: set[int] = set()

        def visit(t: TensorBase) -> None:
            """Order the graph so each tensor comes after its inputs."""
            if id(t) in seen:
                return
            seen.add(id(t))
            for parent in (t.grad_fn.inputs if t.grad_fn else ()):
                if isinstance(parent, TensorBase) and parent.requires_grad:
                    visit(parent)
            order.append(t)

        visit(self)
        grads: dict[int, np.ndarray] = {id(self): seed}
        for t in reversed(order):
            g = grads.pop(id(t), None)
            if g is None:
                continue
            if t.grad_fn is None:
                self.lib.accumulate(t, g)
                continue
            for parent, pg in zip(t.grad_fn.inputs, t.grad_fn.backward(g)):
                if isinstance(parent, TensorBase) and parent.requires_grad:
                    pg = _unbroadcast(np.asarray(pg, dtype=parent._a.dtype), parent.shape)
                    grads[id(parent)] = grads[id(parent)] + pg if id(parent) in grads else pg

    # --- helpers
    def _operand(self, other: Any) -> Any:
        if isinstance(other, TensorBase):
            if other._device != self._device:
                raise RuntimeError(f"Expected all tensors to be on the same device, but found {self._device} and {other._device}")
            return other._a
        return other

    def _new(self, array: np.ndarray, device: Device, requires_grad: bool = False, node: Node | None = None) -> "TensorBase":
        return self.lib.Tensor(array, device, requires_grad, node)

    def _result(self, array: Any, inputs: tuple[Any, ...], backward: Callable[[np.ndarray], tuple[Any, ...]],
                device: Device | None = None) -> "TensorBase":
        array = np.asarray(array)
        if array.dtype == np.float64 and self._a.dtype != np.float64 and not any(
                isinstance(i, TensorBase) and i._a.dtype == np.float64 for i in inputs):
            array = array.astype(self._a.dtype if self._a.dtype.kind == "f" else self.lib.default.np)
        tracked = self.lib.grad_enabled and any(isinstance(i, TensorBase) and i.requires_grad for i in inputs)
        return self._new(array, device or self._device, tracked, Node(inputs, backward) if tracked else None)

    def __repr__(self) -> str:
        return f"tensor({self._a.tolist()}, device={self._device})"


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient back to the shape of the input it belongs to."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


class TensorOperators:
    """The operators and indexing a tensor class may offer on top of its methods."""

    def __add__(self, other: Any) -> Any: return self.add(other)  # noqa: E704
    def __radd__(self, other: Any) -> Any: return self.add(other)  # noqa: E704
    def __sub__(self, other: Any) -> Any: return self.sub(other)  # noqa: E704
    def __rsub__(self, other: Any) -> Any: return self.neg().add(other)  # noqa: E704
    def __mul__(self, other: Any) -> Any: return self.mul(other)  # noqa: E704
    def __rmul__(self, other: Any) -> Any: return self.mul(other)  # noqa: E704
    def __truediv__(self, other: Any) -> Any: return self.div(other)  # noqa: E704
    def __pow__(self, exponent: Any) -> Any: return self.pow(exponent)  # noqa: E704
    def __neg__(self) -> Any: return self.neg()  # noqa: E704
    def __matmul__(self, other: Any) -> Any: return self.mm(other)  # noqa: E704

    def __getitem__(self, key: Any) -> Any:
        key = key._a if isinstance(key, TensorBase) else key
        shape = self.shape

        def back(g: np.ndarray) -> tuple[np.ndarray]:
            """Scatter the gradient back into the indexed places."""
            full = np.zeros(shape, dtype=g.dtype)
            np.add.at(full, key, g)
            return (full,)

        return self._result(self._a[key], (self,), back)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._a[key] = self._operand(value)

    def __len__(self) -> int:
        return self.shape[0]


class Tiny:
    """A torch-shaped namespace: ``T = Tiny(); T.tensor([1.0])``. Its keyword arguments open gaps on purpose."""

    __version__ = __version__

    def __init__(self, operators: bool = True, accelerator: str | None = None, cpu_label: str | None = None,
                 autograd: bool = True) -> None:
        bases = (TensorBase, TensorOperators) if operators else (TensorBase,)
        self.Tensor = type("Tensor", bases, {"lib": self, "__module__": __name__})
        self.default = DTYPES["float32"]
        self.grad_enabled = True
        self._autograd = autograd  # False: backward() runs but never fills .grad
        self._cpu_label = cpu_label
        self.accelerator = accelerator
        self.synchronized = 0  # how often the accelerator was waited for (benchmarks must wait)
        for name, dtype in DTYPES.items():
            setattr(self, name, dtype)
        self.nn = _nn(self)
        self.cuda = _DeviceModule(self, "cuda", available=False)
        if accelerator:
            setattr(self, accelerator, _DeviceModule(self, accelerator, available=True))

    # --- creation
    def device(self, spec: Any) -> Device:
        """A ``Device`` this namespace knows (cpu, or its accelerator)."""
        if isinstance(spec, Device):
            return spec
        kind = str(spec).partition(":")[0]
        if kind != "cpu" and kind != self.accelerator:
            raise RuntimeError(f"this backend has no device {spec!r}")
        return Device(spec, self._cpu_label if kind == "cpu" else None)

    def tensor(self, data: Any, dtype: DType | None = None, device: Any = None, requires_grad: bool = False) -> Any:
        """A new tensor from data (a copy), float literals in the default dtype, ints as int64."""
        array = np.array(data._a if isinstance(data, TensorBase) else data, copy=True)
        if dtype is not None:
            array = array.astype(dtype.np)
        elif array.dtype.kind == "f" and not isinstance(data, np.ndarray):
            array = array.astype(self.default.np)
        elif array.dtype.kind in "iu" and not isinstance(data, np.ndarray):
            array = array.astype(np.int64)
        return self.Tensor(array, self.device(device or "cpu"), requires_grad)

    def from_numpy(self, array: np.ndarray) -> Any:
        """A cpu tensor sharing the array's memory."""
        return self.Tensor(array, self.device("cpu"))

    def zeros(self, *shape: int, dtype: DType | None = None, device: Any = None) -> Any:
        """A tensor of zeros."""
        return self.Tensor(np.zeros(shape, (dtype or self.default).np), self.device(device or "cpu"))

    def ones(self, *shape: int, dtype: DType | None = None, device: Any = None) -> Any:
        """A tensor of ones."""
        return self.Tensor(np.ones(shape, (dtype or self.default).np), self.device(device or "cpu"))

    def rand(self, *shape: int, device: Any = None) -> Any:
        """Uniform [0, 1) values (numpy's generator)."""
        return self.Tensor(np.random.default_rng().random(shape, dtype=self.default.np), self.device(device or "cpu"))

    def randn(self, *shape: int, device: Any = None) -> Any:
        """Standard normal values (numpy's generator)."""
        array = np.random.default_rng().standard_normal(shape).astype(self.default.np)
        return self.Tensor(array, self.device(device or "cpu"))

    def get_default_dtype(self) -> DType:
        """The dtype of float literals."""
        return self.default

    def set_default_dtype(self, dtype: DType) -> None:
        """Change the dtype of float literals."""
        self.default = dtype

    def manual_seed(self, seed: int) -> None:
        """Seed numpy's global generator."""
        np.random.seed(seed)

    def mm(self, a: Any, b: Any) -> Any:
        """The matrix product."""
        return a.mm(b)

    matmul = mm

    @contextlib.contextmanager
    def no_grad(self) -> Iterator[None]:
        """A context in which operations record no graph."""
        before, self.grad_enabled = self.grad_enabled, False
        try:
            yield
        finally:
            self.grad_enabled = before

    def accumulate(self, leaf: TensorBase, grad: np.ndarray) -> None:
        """Add a gradient into a leaf's ``.grad`` (a backend without autograd leaves it None)."""
        if not self._autograd:
            return
        if leaf.grad is None:
            leaf.grad = self.Tensor(np.array(grad, dtype=leaf._a.dtype), leaf._device)
        else:
            leaf.grad._a += grad


class _DeviceModule:
    """``T.cuda`` or ``T.acc``: is the device there, how many, wait for it."""

    def __init__(self, lib: Tiny, name: str, available: bool) -> None:
        self._lib, self._name, self._available = lib, name, available

    def is_available(self) -> bool:
        """Whether the device is there."""
        return self._available

    def device_count(self) -> int:
        """1 when the device is there, else 0."""
        return int(self._available)

    def synchronize(self, device: Any = None) -> None:
        """Wait for the device (nothing to wait for: counted)."""
        if not self._available:
            raise RuntimeError(f"no {self._name} device")
        self._lib.synchronized += 1


def _nn(lib: Tiny) -> Any:
    """``T.nn``: Module, Parameter, Linear, ReLU, Flatten, Sequential, for one namespace."""

    class Parameter(lib.Tensor):  # type: ignore[name-defined, misc]
        """``nn.Parameter(t)``: a tensor that requires grad and registers on a module."""
        def __init__(self, data: Any, requires_grad: bool = True) -> None:
            super().__init__(np.array(data._a, copy=True), data._device, requires_grad)

    class Module:
        """``nn.Module``: registers Parameter and Module attributes; ``model(x)`` calls ``forward``."""
        def __init__(self) -> None:
            object.__setattr__(self, "_parameters", {})
            object.__setattr__(self, "_modules", {})
            object.__setattr__(self, "training", True)

        def __setattr__(self, name: str, value: Any) -> None:
            if isinstance(value, Parameter):
                self._parameters[name] = value
            elif isinstance(value, Module):
                self._modules[name] = value
            object.__setattr__(self, name, value)

        def __call__(self, *args: Any) -> Any:
            return self.forward(*args)

        def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Any]]:
            """``(dotted name, parameter)`` pairs, own first, then each submodule's."""
            for name, p in self._parameters.items():
                yield prefix + name, p
            for name, m in self._modules.items():
                yield from m.named_parameters(prefix + name + ".")

        def parameters(self) -> Iterator[Any]:
            """Every parameter, as ``named_parameters`` orders them."""
            return (p for _, p in self.named_parameters())

        def children(self) -> Iterator["Module"]:
            """The direct submodules."""
            return iter(self._modules.values())

        def to(self, device: Any) -> "Module":
            """The tensor on another device or dtype (a copy), else self."""
            target = lib.device(device)
            for p in self.parameters():
                if p._device != target:
                    p._a, p._device = p._a.copy(), target  # moved in place: the module keeps its parameters
            return self

        def train(self, mode: bool = True) -> "Module":
            """Training mode (or not), recursively."""
            object.__setattr__(self, "training", mode)
            for m in self._modules.values():
                m.train(mode)
            return self

        def eval(self) -> "Module":
            """Evaluation mode, recursively."""
            return self.train(False)

    class Linear(Module):
        """``nn.Linear(in, out)``: ``x @ W.T + b``, uniformly initialised."""
        def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
            super().__init__()
            bound = 1 / math.sqrt(in_features)
            rng = np.random.default_rng()
            self.weight = Parameter(lib.tensor(rng.uniform(-bound, bound, (out_features, in_features)).astype(lib.default.np)))
            if bias:
                self.bias = Parameter(lib.tensor(rng.uniform(-bound, bound, out_features).astype(lib.default.np)))

        def forward(self, x: Any) -> Any:
            """What calling the module computes."""
            out = x.mm(self.weight.t())
            return out.add(self.bias) if hasattr(self, "bias") else out

    class ReLU(Module):
        """``nn.ReLU()``."""
        def forward(self, x: Any) -> Any:
            """What calling the module computes."""
            return x.relu()

    class Flatten(Module):
        """``nn.Flatten()``: keeps dim 0, flattens the rest."""
        def forward(self, x: Any) -> Any:
            """What calling the module computes."""
            return x.flatten(1)

    class Sequential(Module):
        """``nn.Sequential(*modules)``: applies them in order."""
        def __init__(self, *modules: Module) -> None:
            super().__init__()
            for i, m in enumerate(modules):
                setattr(self, str(i), m)

        def forward(self, x: Any) -> Any:
            """What calling the module computes."""
            for m in self._modules.values():
                x = m(x)
            return x

    class Namespace:
        """A bare object to hang ``nn``'s names on."""
        pass

    nn = Namespace()
    for cls in (Parameter, Module, Linear, ReLU, Flatten, Sequential):
        cls.__qualname__ = cls.__name__
        setattr(nn, cls.__name__, cls)
    return nn
