"""The hot paths the benchmarks time, one builder per benchmark, catalogued with their sizes and behaviour ids.

A builder ``build(T, device, size)`` makes the inputs once (from a seeded
numpy generator, so every backend times the same numbers) and returns a
``Workload`` whose ``run()`` is the hot path, as the documents write it with
torch. ``CATALOGUE`` lists every benchmark: its sizes (at least three,
spanning 100x or more, small enough that a plain ``pytest`` runs each body
once in a few seconds), what its size counts, and the behaviour ids
(BEHAVIOURS.md) whose code it exercises, so that ``grep '"L1"'`` here finds
the benchmarks of a behaviour.

Only the API the documented behaviours use appears here, so a backend that
passes those behaviours can be timed: no loss classes (the loss is the mean
squared error of A2's operations) and no functional helpers.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from suite.benchmarks.harness import Workload
from suite.probes import shape_of, tensor

#: Seed of the inputs: the same numbers on every backend and device.
SEED = 20240601
#: Batch size of the DataLoader and training benchmarks.
BATCH_SIZE = 64
#: Learning rate of the SGD and training benchmarks.
LEARNING_RATE = 0.01


def _rng() -> np.random.Generator:
    """A fresh generator: every build draws the same inputs."""
    return np.random.default_rng(SEED)


def _on(device: str, thing: Any) -> Any:
    """``thing.to(device)`` off the cpu; on the cpu the thing itself (no call at all)."""
    return thing if device == "cpu" else thing.to(device)


def expect_shape(shape: tuple[int, ...]) -> Callable[[Any], None]:
    """A check that the hot path's result has ``shape``."""

    def check(result: Any) -> None:
        assert shape_of(result) == shape, f"the hot path returned shape {shape_of(result)}, expected {shape}"

    return check


def expect_equal(expected: Any, what: str) -> Callable[[Any], None]:
    """A check that the hot path returned ``expected`` (a count: batches seen, say)."""

    def check(result: Any) -> None:
        assert result == expected, f"{what}: got {result!r}, expected {expected!r}"

    return check


def expect_finite_scalar(result: Any) -> None:
    """A check that a loss is a 0-dim tensor holding a finite number."""
    assert shape_of(result) == (), f"the loss has shape {shape_of(result)}, expected a 0-dim tensor"
    assert math.isfinite(float(result.item())), f"the loss is {result.item()}"


# --- T: tensor creation (002) ------------------------------------------------------------------


def tensor_from_list(T: Any, device: str, size: int) -> Workload:
    """T2/T3: ``tensor(nested_list)`` of ``size`` floats, as rows of ten."""
    data = _rng().random((size // 10, 10)).tolist()
    return Workload(run=lambda: tensor(T, device, data), work=size, unit="elements",
                    check=expect_shape((size // 10, 10)))


def tensor_from_numpy(T: Any, device: str, size: int) -> Workload:
    """T1/T5: ``tensor(ndarray)`` copies a float32 array of ``size`` elements."""
    array = _rng().random((size // 10, 10), dtype=np.float32)
    return Workload(run=lambda: tensor(T, device, array), work=size, unit="elements",
                    check=expect_shape((size // 10, 10)))


def from_numpy(T: Any, device: str, size: int) -> Workload:
    """T5: ``from_numpy(ndarray)`` shares the array's memory (then ``.to(device)`` off the cpu)."""
    array = _rng().random((size // 10, 10), dtype=np.float32)
    return Workload(run=lambda: _on(device, T.from_numpy(array)), work=size, unit="elements",
                    check=expect_shape((size // 10, 10)))


# --- V: views (002) ----------------------------------------------------------------------------


def _cube(T: Any, device: str, size: int) -> tuple[Any, int]:
    """A float32 tensor of shape (2, r, r) holding ``size`` = 2r² elements, and r."""
    side = math.isqrt(size // 2)
    if 2 * side * side != size:
        raise ValueError(f"view benchmarks take sizes 2r² (got {size})")
    return tensor(T, device, _rng().random((2, side, side), dtype=np.float32)), side


def view(T: Any, device: str, size: int) -> Workload:
    """V1: ``y.view(-1)`` of a contiguous (2, r, r) tensor: no copy, the -1 inferred."""
    y, _ = _cube(T, device, size)
    return Workload(run=lambda: y.view(-1), work=size, unit="elements", check=expect_shape((size,)))


def reshape(T: Any, device: str, size: int) -> Workload:
    """V2: ``y.reshape(2, -1, 1)`` of a contiguous (2, r, r) tensor (a view, no copy)."""
    y, _ = _cube(T, device, size)
    return Workload(run=lambda: y.reshape(2, -1, 1), work=size, unit="elements",
                    check=expect_shape((2, size // 2, 1)))


def transpose(T: Any, device: str, size: int) -> Workload:
    """V6: ``y.transpose(1, 2)`` swaps two dims without copying."""
    y, side = _cube(T, device, size)
    return Workload(run=lambda: y.transpose(1, 2), work=size, unit="elements", check=expect_shape((2, side, side)))


def contiguous(T: Any, device: str, size: int) -> Workload:
    """V6: ``y.transpose(1, 2).contiguous()``: the copy to row-major order."""
    y, side = _cube(T, device, size)
    swapped = y.transpose(1, 2)
    return Workload(run=lambda: swapped.contiguous(), work=size, unit="elements",
                    check=expect_shape((2, side, side)))


# --- L: linear algebra (002) -------------------------------------------------------------------


def _square(T: Any, device: str, n: int) -> Any:
    """A well-conditioned float32 n×n matrix: the identity plus small noise."""
    matrix = np.eye(n, dtype=np.float32) + 0.1 * _rng().standard_normal((n, n), dtype=np.float32) / math.sqrt(n)
    return tensor(T, device, matrix)


def mm(T: Any, device: str, size: int) -> Workload:
    """L1: ``a.mm(b)`` of two n×n float32 matrices (2n³ flop)."""
    a, b = _square(T, device, size), _square(T, device, size)
    return Workload(run=lambda: a.mm(b), work=2.0 * size**3, unit="flop", check=expect_shape((size, size)))


def inverse(T: Any, device: str, size: int) -> Workload:
    """L1: ``a.inverse()`` of an n×n float32 matrix (counted as 2n³ flop, LU factorisation and inversion)."""
    a = _square(T, device, size)
    return Workload(run=lambda: a.inverse(), work=2.0 * size**3, unit="flop", check=expect_shape((size, size)))


# --- A: autograd (001, 002, 004) ---------------------------------------------------------------


def a2_chain(T: Any, device: str, size: int) -> Workload:
    """A2: ``y = 2*x + 1; z = y**2; out = z.mean(); out.backward()`` on ``size`` elements (x.grad accumulates, A6)."""
    values = _rng().random((2, size // 2), dtype=np.float32)
    x = tensor(T, device, values, requires_grad=True)

    def forward_backward() -> Any:
        y = 2 * x + 1
        z = y**2
        out = z.mean()
        out.backward()
        return out

    return Workload(run=forward_backward, work=size, unit="elements", check=expect_finite_scalar)


def neural_network(T: Any) -> Any:
    """Document 004's ``NeuralNetwork`` (784-512-512-10, ReLU after every Linear), built from ``T.nn``."""
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

    return NeuralNetwork()


@functools.lru_cache(maxsize=16)
def _mnist_like(count: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` synthetic MNIST-shaped samples: float32 images (count, 28, 28) in [0, 1) and one-hot targets (count, 10).

    Drawn once per count and process, read-only (``T.tensor`` copies them): 60,000 took 0.3-0.5 s a draw,
    and the two DataLoader benchmarks draw them on every backend.
    """
    rng = _rng()
    images = rng.random((count, 28, 28), dtype=np.float32)
    targets = np.eye(10, dtype=np.float32)[rng.integers(0, 10, count)]
    images.setflags(write=False)
    targets.setflags(write=False)
    return images, targets


def mse(output: Any, target: Any) -> Any:
    """The mean squared error, written with A2's operations only."""
    return ((output - target) ** 2).mean()


def network_forward_backward(T: Any, device: str, size: int) -> Workload:
    """M4/A2: forward and backward of document 004's network on a batch of ``size`` 28×28 images."""
    model = _on(device, neural_network(T))
    images, targets = _mnist_like(size)
    x, y = tensor(T, device, images), tensor(T, device, targets)

    def forward_backward() -> Any:
        loss = mse(model(x), y)
        loss.backward()
        return loss

    return Workload(run=forward_backward, work=size, unit="samples", check=expect_finite_scalar)


# --- O: optimisation (000, 001, 002) -----------------------------------------------------------

#: Parameter tensors the SGD benchmarks split their ``size`` elements among.
SGD_TENSORS = 4


def _sgd(T: Any, device: str, size: int, momentum: float) -> Workload:
    """One ``optimizer.step()`` over ``size`` parameter elements in SGD_TENSORS tensors, gradients set by one backward."""
    rng = _rng()
    params = [T.nn.Parameter(tensor(T, device, rng.standard_normal(size // SGD_TENSORS, dtype=np.float32)))
              for _ in range(SGD_TENSORS)]
    for p in params:
        (p * p).mean().backward()
    optimizer = T.optim.SGD(params, lr=LEARNING_RATE, momentum=momentum) if momentum else T.optim.SGD(params, lr=LEARNING_RATE)

    def step() -> Any:
        optimizer.step()
        return params[-1]

    return Workload(run=step, work=size, unit="elements", check=expect_shape((size // SGD_TENSORS,)))


def sgd_step(T: Any, device: str, size: int) -> Workload:
    """O1/O3: ``SGD(params, lr=0.01).step()``."""
    return _sgd(T, device, size, momentum=0.0)


def sgd_momentum_step(T: Any, device: str, size: int) -> Workload:
    """O3: ``SGD(params, lr=0.01, momentum=0.9).step()`` (001's momentum)."""
    return _sgd(T, device, size, momentum=0.9)


# --- D: Dataset and DataLoader (000, 003, 004) -------------------------------------------------


class SyntheticMNIST:
    """A map-style dataset (000's ``__len__``/``__getitem__``) of MNIST-shaped backend tensors: (image, one-hot target)."""

    def __init__(self, T: Any, count: int) -> None:
        images, targets = _mnist_like(count)
        self.images = T.tensor(images)
        self.targets = T.tensor(targets)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self.images[index], self.targets[index]


def _loader_epoch(T: Any, device: str, size: int, workers: int) -> Workload:
    """D1/D6: iterate once over ``DataLoader(TensorDataset(images, targets), batch_size=64, num_workers=workers)``.

    The dataset is in memory (MNIST-shaped: ``size`` × 784 float32 images, one-hot targets); batches are moved to the device.
    """
    images, targets = _mnist_like(size)
    dataset = T.utils.data.TensorDataset(T.tensor(images), T.tensor(targets))
    loader = T.utils.data.DataLoader(dataset, batch_size=BATCH_SIZE, num_workers=workers)

    def epoch() -> int:
        batches = 0
        for images, targets in loader:
            images, targets = _on(device, images), _on(device, targets)
            batches += 1
        return batches

    return Workload(run=epoch, work=size, unit="samples",
                    check=expect_equal(math.ceil(size / BATCH_SIZE), "batches in one epoch"))


def dataloader_w0_epoch(T: Any, device: str, size: int) -> Workload:
    """D1: one epoch of a DataLoader with ``num_workers=0`` (batches made in this process)."""
    return _loader_epoch(T, device, size, workers=0)


def dataloader_w2_epoch(T: Any, device: str, size: int) -> Workload:
    """D6: one epoch of a DataLoader with ``num_workers=2`` (workers started for each epoch)."""
    return _loader_epoch(T, device, size, workers=2)


# --- Training: document 004's network, one epoch of 003's four-step loop -----------------------


def train_epoch(T: Any, device: str, size: int) -> Workload:
    """O4/M4/D1: one epoch over ``size`` synthetic MNIST samples: zero_grad, forward, backward, step per batch of 64."""
    model = _on(device, neural_network(T))
    optimizer = T.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loader = T.utils.data.DataLoader(SyntheticMNIST(T, size), batch_size=BATCH_SIZE)

    def epoch() -> int:
        batches = 0
        for images, targets in loader:
            images, targets = _on(device, images), _on(device, targets)
            optimizer.zero_grad()
            loss = mse(model(images), targets)
            loss.backward()
            optimizer.step()
            batches += 1
        return batches

    return Workload(run=epoch, work=size, unit="samples",
                    check=expect_equal(math.ceil(size / BATCH_SIZE), "batches in one epoch"))


# --- The catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One benchmark: its builder, sizes, what a size counts, and the behaviours it exercises."""

    build: Callable[[Any, str, int], Workload]
    sizes: tuple[int, ...]
    size_means: str
    exercises: tuple[str, ...]

    @property
    def span(self) -> float:
        """Largest size over smallest."""
        return max(self.sizes) / min(self.sizes)


#: 2r² for r = 8, 25, 80, 250, 800: (2, r, r) tensors from 128 to 1.28 M elements.
_VIEW_SIZES = tuple(2 * side * side for side in (8, 25, 80, 250, 800))

CATALOGUE: dict[str, Entry] = {
    "tensor_from_list": Entry(tensor_from_list, (100, 1_000, 10_000, 100_000), "elements", ("T2", "T3")),
    "tensor_from_numpy": Entry(tensor_from_numpy, (100, 10_000, 1_000_000), "elements", ("T1", "T5")),
    "from_numpy": Entry(from_numpy, (100, 10_000, 1_000_000), "elements", ("T5",)),
    "view": Entry(view, _VIEW_SIZES, "elements", ("V1",)),
    "reshape": Entry(reshape, _VIEW_SIZES, "elements", ("V2",)),
    "transpose": Entry(transpose, _VIEW_SIZES, "elements", ("V6",)),
    "contiguous": Entry(contiguous, _VIEW_SIZES, "elements", ("V6",)),
    "mm": Entry(mm, (10, 30, 100, 300, 1000), "n (n×n matrices)", ("L1",)),
    "inverse": Entry(inverse, (10, 30, 100, 300, 1000), "n (n×n matrices)", ("L1",)),
    "a2_chain_fwd_bwd": Entry(a2_chain, (100, 1_000, 10_000, 100_000, 1_000_000), "elements", ("A2", "A6")),
    # Batch 64 and an epoch of 60,000 samples are the sizes the numpy backend's targets are set at (README).
    "network_fwd_bwd": Entry(network_forward_backward, (1, 8, 64, 512), "batch size", ("A2", "M4")),
    "sgd_step": Entry(sgd_step, (1_000, 10_000, 100_000, 1_000_000), "parameter elements", ("O1", "O3")),
    "sgd_momentum_step": Entry(sgd_momentum_step, (1_000, 10_000, 100_000, 1_000_000), "parameter elements", ("O3",)),
    "dataloader_w0_epoch": Entry(dataloader_w0_epoch, (600, 6_000, 60_000), "samples", ("D1",)),
    "dataloader_w2_epoch": Entry(dataloader_w2_epoch, (600, 6_000, 60_000), "samples", ("D1", "D6")),
    "train_epoch": Entry(train_epoch, (32, 320, 3_200), "samples", ("D1", "M4", "O4")),
}


def sizes(name: str) -> tuple[int, ...]:
    """The sizes benchmark ``name`` runs at."""
    return CATALOGUE[name].sizes


def size_id(name: str) -> Callable[[int], str]:
    """Test-id maker for the sizes of ``name``: ``n1000``, ``elements12800``, ``batch100``..."""
    prefix = {"n (n×n matrices)": "n", "batch size": "batch", "parameter elements": "params"}.get(
        CATALOGUE[name].size_means, CATALOGUE[name].size_means)
    return lambda size: f"{prefix}{size}"
