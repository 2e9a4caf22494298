"""The catalogue of documented behaviours: ids, families, titles and source documents.

Every id here is one entry of BEHAVIOURS.md. Conformance tests name the id
they check (``@pytest.mark.behaviour("V4")``); reports group results by id and
by family. Source numbers are the documents in ``shared/seeds`` (000-004).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Behaviour:
    """One documented behaviour: its id, family, one-line title and sources."""

    id: str
    title: str
    sources: tuple[str, ...]

    @property
    def family(self) -> str:
        """The family name of this behaviour (``"views"`` for ``V4``)."""
        return FAMILIES[self.id[0]]


# One letter per family, as BEHAVIOURS.md groups them.
FAMILIES: dict[str, str] = {
    "T": "tensors",
    "V": "views",
    "L": "linalg",
    "A": "autograd",
    "M": "modules",
    "O": "optim",
    "D": "data",
}

_CATALOGUE: tuple[Behaviour, ...] = (
    Behaviour("T1", "tensor(numpy float64 array) is float64, DoubleTensor, ndim/nelement/shape", ("002",)),
    Behaviour("T2", "tensor(nested ints) is int64, LongTensor", ("002",)),
    Behaviour("T3", "tensor(nested floats) is float32 (the default dtype), FloatTensor", ("002",)),
    Behaviour("T4", "dtype inference of mixed literals, numpy inputs and the default dtype", ("002",)),
    Behaviour("T5", "from_numpy and as_tensor share memory; tensor copies", ("002",)),
    Behaviour("T6", "initialisers: rand, zeros_like, ones_like, eye, empty", ("002",)),
    Behaviour("T7", "in-place methods end in _, change the tensor and return it", ("002",)),
    Behaviour("T8", "indexing: slices, 0-dim results, item() gives a Python number", ("002",)),
    Behaviour("V1", "view(-1), view(1,-1), view(2,-1): row-major, -1 inferred, bad sizes raise", ("002",)),
    Behaviour("V2", "reshape(2,-1,1) gives (2,4,1)", ("002",)),
    Behaviour("V3", "a view shares storage with its base, both ways", ("002",)),
    Behaviour("V4", "squeeze drops size-1 dims only; squeeze() drops all; negative dims", ("002",)),
    Behaviour("V5", "unsqueeze inserts a size-1 dim at any of dim+1 places", ("002",)),
    Behaviour("V6", "transpose swaps dims without copying; contiguous() copies to row-major", ("002",)),
    Behaviour("V7", "view on an incompatible non-contiguous tensor raises; reshape copies", ("002",)),
    Behaviour("L1", "line through (1,4),(4,2): A.inverse().mm(b) = [[-0.6667],[4.6667]]", ("002",)),
    Behaviour("A1", "y = 2x^2+1 at x=2: y=9 with grad_fn, backward returns None, x.grad = 8", ("001",)),
    Behaviour("A2", "mean((2x+1)^2) over 2x3: 75.6667 and its gradient", ("001",)),
    Behaviour("A3", "0.1x^3-0.8x^2-1.5x+5.4 at x=2: grad -3.5", ("002",)),
    Behaviour("A4", "z = log(x^3) at 5: leaves, retain_grad, grads 0.6, 0.008, 1", ("002",)),
    Behaviour("A5", "grad_fn names as PyTorch prints them", ("001", "002", "004")),
    Behaviour("A6", "gradients accumulate across backward calls until zeroed", ("001", "000")),
    Behaviour("A7", "no_grad results and detach() do not require grad; detach shares data", ("004",)),
    Behaviour("A8", "binary cross-entropy graph: rows of w.grad equal b.grad equal sigmoid(z)/3", ("004",)),
    Behaviour("A9", "hand-written logistic-regression gradients agree with autograd", ("000",)),
    Behaviour("M1", "a Parameter attribute is registered; MyLiner(7,12) maps (5,7) to (5,12)", ("000", "003")),
    Behaviour("M2", "plain Tensor attributes register nothing", ("000",)),
    Behaviour("M3", "named_parameters gives dotted names in registration order", ("004",)),
    Behaviour("M4", "Flatten, Linear, ReLU, Sequential, Softmax and the printed model", ("004",)),
    Behaviour("M5", "model.to(device) moves every parameter", ("004",)),
    Behaviour("M6", "frozen parameters get no grad and are left alone by the optimiser", ("003",)),
    Behaviour("M7", "state_dict and checkpoints round-trip through save/load", ("003",)),
    Behaviour("M8", "train()/eval() set the mode flag on the module and all children", ("003", "004")),
    Behaviour("O1", "SGD lr=0.1 from x=12 on the cubic: the printed trace, 6.147 and -10.822", ("002",)),
    Behaviour("O2", "zero_grad clears gradients; without it they accumulate", ("000", "002")),
    Behaviour("O3", "SGD momentum, dampening, nesterov and weight_decay follow PyTorch's rule", ("001",)),
    Behaviour("O4", "the four-step loop drives a regression to the least-squares solution", ("000", "003")),
    Behaviour("D1", "DataLoader batch count, last batch size, drop_last and len()", ("000", "003")),
    Behaviour("D2", "shuffle=False keeps order; shuffle=True is a seeded permutation per epoch", ("000",)),
    Behaviour("D3", "default collation of tuples, dicts, ints, floats, arrays and strings", ("000", "003")),
    Behaviour("D4", "a custom collate_fn receives the list of samples", ("000",)),
    Behaviour("D5", "custom sampler order; batch_sampler and its exclusive options", ("000",)),
    Behaviour("D6", "num_workers > 0 gives the same batches; worker_init_fn; the full signature", ("000",)),
)

BEHAVIOURS: dict[str, Behaviour] = {b.id: b for b in _CATALOGUE}


def behaviour(behaviour_id: str) -> Behaviour:
    """Return the catalogue entry for ``behaviour_id``, or raise KeyError naming it."""
    try:
        return BEHAVIOURS[behaviour_id]
    except KeyError:
        raise KeyError(f"unknown behaviour id {behaviour_id!r}; ids are {', '.join(BEHAVIOURS)}") from None
