"""The catalogue of documented behaviours: ids, families, titles and source documents.

Every id here is one entry of BEHAVIOURS.md, which ``python -m suite.catalogue
--write`` generates from it. Conformance tests name the id they check
(``@pytest.mark.behaviour("V4")``); reports group results by id and by family.
Source numbers are the five notes on PyTorch basics the behaviours come from
(000-004: modules and data; the autograd tutorial; tensors, views, linear
algebra, autograd and SGD; a summary of modules, data and checkpoints; layers,
parameters, autodiff and no_grad).
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

    @property
    def rule(self) -> str:
        """The behaviour in full: what a backend must do, with the figures the documents print."""
        return RULES[self.id]


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

#: Each behaviour in full, in this project's words, with the documents' printed figures (in backticks).
RULES: dict[str, str] = {
    "T1": "`tensor(np.random.rand(2, 3))` keeps numpy's `float64`; `type()` is `'torch.DoubleTensor'`; `ndim` and "
          "`dim()` are 2, `nelement()` is 6, `shape` and `size()` are (2, 3). `from_numpy` gives the same.",
    "T2": "`tensor([[1, 2, 3], [4, 5, 6]])` is `int64`, `type()` `'torch.LongTensor'`.",
    "T3": "`tensor([[1., 2., 3.], [4., 5., 6.]])` is `float32`, the default dtype, `type()` `'torch.FloatTensor'`.",
    "T4": "Inference from literals: `[1, 2.5]` gives float32, `[True, False]` bool, `[1, True]` int64, a Python complex "
          "complex64, a bare `3` a 0-dim int64; a numpy array keeps its dtype (int32 stays int32); after "
          "`set_default_dtype(float64)` float literals give float64.",
    "T5": "`from_numpy(x)` and `as_tensor(x)` share memory with `x` (after `x[-1, -1] = 86` the tensor's last row reads "
          "`[10, 18, 86]`); `tensor(x)` copies.",
    "T6": "`rand(3, 2)` is float32 in [0, 1); `zeros_like` and `ones_like` keep shape and dtype; `eye(3)` is the "
          "identity; `empty(3)` has shape (3,), whatever its values.",
    "T7": "In-place methods end in `_` (`zero_()`, `fill_()`, `add_()`, ...): they change the tensor itself, views "
          "included, and return it.",
    "T8": "`y[:, 1]` is a column; `y[0, 0]` is a 0-dim tensor; `.item()` gives a Python number of the matching kind "
          "and refuses a tensor of several elements.",
    "V1": "On `y` of shape (2, 2, 2) holding `[[[29, 3], [18, 10]], [[27, 10], [12, 5]]]`: `view(-1)` is "
          "`[29, 3, 18, 10, 27, 10, 12, 5]` (row-major), `view(1, -1)` is (1, 8), `view(2, -1)` is (2, 4); the -1 is "
          "inferred; two -1s, or a size that does not divide, raise.",
    "V2": "`reshape(2, -1, 1)` of 8 elements gives (2, 4, 1).",
    "V3": "A view shares storage with its base: a write through either shows in the other.",
    "V4": "On (2, 4, 1): `squeeze(2)` gives (2, 4), `squeeze(0)` and `squeeze(1)` change nothing; `squeeze()` drops "
          "every size-1 dim; negative dims count from the end.",
    "V5": "On (2, 4): `unsqueeze(0)` gives (1, 2, 4), `unsqueeze(1)` (2, 1, 4), `unsqueeze(2)` (2, 4, 1); a dim may be "
          "any of ndim+1 places, negative ones counted from the end.",
    "V6": "`transpose(1, 2)` of `y` swaps two dims without copying (`[[[29, 18], [3, 10]], [[27, 12], [10, 5]]]`) and is "
          "not contiguous; `contiguous()` copies to row-major, after which `is_contiguous()` is True; "
          "`transpose(0, 1)` gives `[[[29, 3], [27, 10]], [[18, 10], [12, 5]]]`.",
    "V7": "`view` of a non-contiguous tensor raises when its strides cannot express the new shape; `reshape` copies "
          "instead and succeeds.",
    "L1": "The line through (1, 4) and (4, 2): with `A = [[1, 1], [4, 1]]` and `b = [[4], [2]]`, `A.inverse().mm(b)` "
          "is `[[-0.6667], [4.6667]]`; `mm`, `@` and `matmul` agree with numpy on any operands, views included.",
    "A1": "`x = tensor(2., requires_grad=True)`, `y = 2*x**2 + 1`: `y` is 9 with a grad_fn, `x.grad` is None until "
          "`y.backward()` (which returns None), then 8; without requires_grad `y` has no grad_fn.",
    "A2": "`x = [[1, 2, 3], [4, 5, 6]]` requiring grad, `y = 2*x + 1`, `z = y**2`, `out = z.mean()`: `out` is "
          "`75.6667` and `x.grad` is `[[2.0000, 3.3333, 4.6667], [6.0000, 7.3333, 8.6667]]`.",
    "A3": "`y = 0.1*x**3 - 0.8*x**2 - 1.5*x + 5.4` at `x = [2.]`: `x.grad` is `[-3.5]`.",
    "A4": "`y = x**3`, `z = log(y)` at `x = 5`: no grads before backward, `x` a leaf and `y`, `z` not; after "
          "`y.retain_grad(); z.retain_grad(); z.backward()`: `x.grad` `0.6`, `y.grad` `0.008`, `z.grad` `1`, "
          "`retains_grad` True for y and z, False for x.",
    "A5": "grad_fn classes are named as PyTorch prints them: `AddBackward0`, `PowBackward0`, `MeanBackward0`, "
          "`LogBackward0`, `AddmmBackward0`, `ReluBackward0`, `SliceBackward0`.",
    "A6": "Gradients accumulate over backward calls until zeroed.",
    "A7": "Results made under `with no_grad():` do not require grad; `detach()` gives a tensor that does not require "
          "grad and shares data.",
    "A8": "`x = ones(5)`, `y = zeros(3)`, `w = randn(5, 3)` and `b = randn(3)` requiring grad, `z = x@w + b`, "
          "`binary_cross_entropy_with_logits(z, y)`: after backward each row of `w.grad` equals `b.grad` equals "
          "`sigmoid(z)/3`, at large logits too.",
    "A9": "The hand-written logistic-regression gradients (`dw = (1/m) x (yhat - y)^T`, `db = (1/m) sum(yhat - y)`) "
          "agree with autograd's for the same loss.",
    "M1": "A `Parameter` attribute of a `Module` is registered: `MyLiner(7, 12)` maps (5, 7) to (5, 12) and "
          "`parameters()` yields its weights and bias; a Parameter is a Tensor that requires grad.",
    "M2": "The same module with plain Tensor attributes registers nothing: `parameters()` yields nothing.",
    "M3": "`named_parameters()` gives dotted names in registration order: document 004's `NeuralNetwork` gives "
          "`linear_relu_stack.0.weight` (512, 784), `.0.bias` (512), `.2.weight` (512, 512), `.2.bias`, "
          "`.4.weight` (10, 512), `.4.bias` (10).",
    "M4": "`Flatten()` takes (3, 28, 28) to (3, 784); `Linear(784, 20)` gives (3, 20) with weight (out, in); `ReLU` "
          "zeroes negatives; `Sequential` runs in order, naming children 0, 1, 2...; `Softmax(dim=1)` rows sum to 1; "
          "`print(model)` lists the children as document 004 shows.",
    "M5": "`model.to(device)` returns the model with every parameter on the device, values unchanged; a tensor's "
          "`device` says where it is.",
    "M6": "Parameters with `requires_grad=False` (also after `requires_grad_(False)` on a container) get no grad and "
          "the optimiser leaves them alone.",
    "M7": "`state_dict()` round-trips through `save`/`load` into a fresh model, buffers included; a checkpoint of "
          "epoch, model, optimiser state and loss restores training exactly.",
    "M8": "`train()` and `eval()` set the mode flag on the module and every child.",
    "O1": "SGD with `lr=0.1` from `x = 12` on `f(x) = 0.1x^3 - 0.8x^2 - 1.5x + 5.4`: the trace begins "
          "`12.000 -> 9.750 (f'=22.500)`, `9.750 -> 8.608 (11.419)`, `8.608 -> 7.912 (6.957)` and settles at "
          "`x = 6.147`, `f(x) = -10.822` within 100 steps of the stop rule `|x - x_prev| < 1e-6`.",
    "O2": "`zero_grad()` clears gradients (None by default, or zeros), in every parameter group; without it they "
          "accumulate.",
    "O3": "SGD with momentum (0.9 in document 001), dampening, nesterov and weight_decay follows PyTorch's update rule "
          "step for step.",
    "O4": "The four-step loop (zero_grad, forward, backward, step) drives a small regression's loss down to the "
          "least-squares solution.",
    "D1": "`DataLoader(batch_size=B)` over N samples yields ceil(N/B) batches, the last of N mod B; `drop_last=True` "
          "gives floor(N/B); `len(loader)` says the same, for any sampler.",
    "D2": "`shuffle=False` keeps order; `shuffle=True` yields each index once per epoch, the same order under the "
          "same seeded generator, another order the next epoch.",
    "D3": "Default collation: tuples give a list of batched tensors, dicts a dict of them; Python ints an int64 "
          "tensor, floats a float64 tensor; numpy arrays tensors; strings a list of strings; namedtuples keep their "
          "type.",
    "D4": "A custom `collate_fn` receives the list of samples of each batch, in worker processes too.",
    "D5": "A custom `sampler` sets the order; `batch_sampler` yields lists of indices and excludes batch_size, "
          "shuffle, sampler and drop_last (an error).",
    "D6": "`num_workers > 0` gives the same batches in the same order as 0 workers; `worker_init_fn` runs once per "
          "worker; `persistent_workers`, `prefetch_factor`, `pin_memory` and `timeout` are accepted.",
}



def behaviour(behaviour_id: str) -> Behaviour:
    """Return the catalogue entry for ``behaviour_id``, or raise KeyError naming it."""
    try:
        return BEHAVIOURS[behaviour_id]
    except KeyError:
        raise KeyError(f"unknown behaviour id {behaviour_id!r}; ids are {', '.join(BEHAVIOURS)}") from None
