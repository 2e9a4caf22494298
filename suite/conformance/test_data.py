"""D1-D6: Dataset and DataLoader — batching, shuffling, collation, samplers and workers (documents 000, 003, 004).

The documents print no batches, only DataLoader's signature (000) and what a
loader is for, so each behaviour is checked as a property over dataset sizes,
batch sizes, drop_last, seeds and generated sample structures against
``reference.data`` (PyTorch's documented rules, in numpy), plus the figures of
PyTorch's own test_dataloader (100 samples: 50 batches at bs=2, 34 at bs=3).
Tests that start worker processes keep to a few examples.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reference import data as ref
from suite.compare import assert_equal, assert_true, fail
from suite.probes import data as probes
from suite.strategies import seeds, shapes

behaviour = pytest.mark.behaviour

#: dtypes of generated numpy samples.
DTYPES = ("bool", "int32", "int64", "float32", "float64")
KEYS = ("X", "y", "label", "image", "id")

sizes = st.integers(0, 40)
batch_sizes = st.integers(1, 9)
#: Tests that start worker processes: a few examples, and no shrinking (each replay starts workers again).
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def few_workers(examples: int) -> settings:
    """Settings for a test that starts worker processes."""
    return settings(max_examples=examples, phases=NO_SHRINK)



# --------------------------------------------------------------------------- comparing described batches


def assert_described(actual: Any, expected: Any, where: str) -> None:
    """A described batch equals the reference's description: same structure, dtypes and values exactly."""
    __tracebackhide__ = True
    kind = expected[0]
    if not isinstance(actual, tuple) or not actual or actual[0] != kind:
        fail(f"{where}: kind", kind, actual[0] if isinstance(actual, tuple) and actual else actual,
             "(tensor, list, dict, namedtuple... as default collation makes them)")
    if kind == "tensor":
        assert_equal(actual[1], expected[1], f"{where}: dtype")
        assert_equal(actual[2], expected[2], f"{where}: values")
    elif kind == "dict":
        assert_equal([k for k, _ in actual[1]], [k for k, _ in expected[1]], f"{where}: keys")
        for (key, got), (_, want) in zip(actual[1], expected[1]):
            assert_described(got, want, f"{where}[{key!r}]")
    elif kind in ("list", "tuple", "namedtuple"):
        assert_equal(actual[1:-1], expected[1:-1], f"{where}: type")
        assert_equal(len(actual[-1]), len(expected[-1]), f"{where}: length")
        for i, (got, want) in enumerate(zip(actual[-1], expected[-1])):
            assert_described(got, want, f"{where}[{i}]")
    else:
        assert_equal(actual, expected, where)


def assert_index_batches(actual: list[np.ndarray], expected: list[list[int]], what: str) -> None:
    """Batches of index samples hold exactly the expected indices, batch by batch."""
    __tracebackhide__ = True
    assert_equal(len(actual), len(expected), f"{what}: number of batches")
    for i, (got, want) in enumerate(zip(actual, expected)):
        assert_equal(np.asarray(got), np.array(want, dtype=np.int64), f"{what}: batch {i}")


def flat(batches: list[np.ndarray]) -> list[int]:
    """The indices of an epoch, in the order the batches gave them."""
    return [int(i) for batch in batches for i in np.asarray(batch).reshape(-1)]


# --------------------------------------------------------------------------- strategies for samples


def leaf_templates() -> st.SearchStrategy[tuple]:
    """What one position of every sample holds: a Python int/float/bool/str, a numpy array or scalar."""
    return st.one_of(
        st.sampled_from([("int",), ("float",), ("bool",), ("str",)]),
        st.tuples(st.just("array"), st.sampled_from(DTYPES), shapes(max_dims=2, max_side=3)),
        st.tuples(st.just("scalar"), st.sampled_from(DTYPES)),
    )


def templates() -> st.SearchStrategy[tuple]:
    """Sample structures: leaves inside tuples, lists and dicts, nested up to a few leaves."""
    return st.recursive(
        leaf_templates(),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["tuple", "list"]), st.lists(inner, min_size=1, max_size=3).map(tuple)),
            st.tuples(st.just("dict"), st.dictionaries(st.sampled_from(KEYS), inner, min_size=1, max_size=3).map(lambda d: tuple(d.items()))),
        ),
        max_leaves=4,
    )


def _elements(dtype: str) -> st.SearchStrategy[Any]:
    """Values a numpy dtype holds exactly."""
    if dtype == "bool":
        return st.booleans()
    if dtype.startswith("int"):
        return st.integers(-1000, 1000)
    return st.floats(-1e3, 1e3, allow_nan=False, width=32 if dtype == "float32" else 64)


def instances(template: tuple) -> st.SearchStrategy[Any]:
    """A sample of a template's structure."""
    kind = template[0]
    if kind == "int":
        return st.integers(-10**6, 10**6)
    if kind == "float":
        return st.floats(-1e6, 1e6, allow_nan=False)
    if kind == "bool":
        return st.booleans()
    if kind == "str":
        return st.text("abcxyz", max_size=4)
    if kind == "array":
        return hnp.arrays(np.dtype(template[1]), template[2], elements=_elements(template[1]))
    if kind == "scalar":
        return _elements(template[1]).map(np.dtype(template[1]).type)
    if kind == "dict":
        return st.fixed_dictionaries({key: instances(child) for key, child in template[1]})
    parts = st.tuples(*[instances(child) for child in template[1]])
    return parts if kind == "tuple" else parts.map(list)


@st.composite
def sample_lists(draw: st.DrawFn, max_size: int = 8) -> list[Any]:
    """One to ``max_size`` samples sharing one generated structure."""
    template = draw(templates(), label="template")
    return draw(st.lists(instances(template), min_size=1, max_size=max_size), label="samples")


def indexed_samples(n: int) -> list[tuple]:
    """Samples that say where they came from: ``(i, [i, 2i, 3i] as int64, {"label": i % 3, "name": "s<i>"})``."""
    return [(i, np.array([i, 2 * i, 3 * i], dtype=np.int64), {"label": i % 3, "name": f"s{i}"}) for i in range(n)]


# --------------------------------------------------------------------------- D1: batch count, last batch, len


@behaviour("D1")
@pytest.mark.parametrize(("n", "batch_size", "drop_last"), list(ref.ANCHOR_LENGTHS), ids=lambda v: str(v))
def test_hundred_samples(run, n: int, batch_size: int, drop_last: bool) -> None:
    """100 samples: len 50 at bs=2, 34 at bs=3 (the last holding 1), 33 with drop_last — as test_dataloader checks."""
    seen = run(probes.batches, n=n, batch_size=batch_size, drop_last=drop_last)
    what = f"DataLoader({n} samples, batch_size={batch_size}, drop_last={drop_last})"
    assert_equal(seen["len"], ref.ANCHOR_LENGTHS[(n, batch_size, drop_last)], f"len({what})")
    assert_index_batches(seen["epochs"][0], ref.sequential_batches(n, batch_size, drop_last), what)


@behaviour("D1")
@given(n=sizes, batch_size=batch_sizes, drop_last=st.booleans())
def test_batches_of_any_size(run, n: int, batch_size: int, drop_last: bool) -> None:
    """ceil(N/B) batches, the last holding N mod B (floor(N/B) with drop_last); len(loader) agrees."""
    seen = run(probes.batches, n=n, batch_size=batch_size, drop_last=drop_last)
    what = f"DataLoader({n} samples, batch_size={batch_size}, drop_last={drop_last})"
    assert_equal(seen["len"], ref.batch_count(n, batch_size, drop_last), f"len({what})")
    assert_equal([len(b) for b in seen["epochs"][0]], ref.batch_sizes(ref.sequential_batches(n, batch_size, drop_last)), f"{what}: batch sizes")


@behaviour("D1")
@given(data=st.data(), n=st.integers(1, 30), batch_size=batch_sizes, drop_last=st.booleans())
def test_len_counts_the_sampler_not_the_dataset(run, data: st.DataObject, n: int, batch_size: int, drop_last: bool) -> None:
    """With a sampler of K indices (fewer or more than the N samples), len(loader) is ceil(K/B), floor with drop_last."""
    order = data.draw(st.lists(st.integers(0, n - 1), max_size=2 * n).filter(lambda o: len(o) != n), label="order")
    seen = run(probes.sampler_batches, n=n, order=order, batch_size=batch_size, drop_last=drop_last)
    what = f"DataLoader({n} samples, sampler of {len(order)} indices, batch_size={batch_size}, drop_last={drop_last})"
    assert_equal(seen["len"], ref.batch_count(len(order), batch_size, drop_last), f"len({what})")
    assert_equal(seen["len"], len(seen["batches"]), f"len({what}) against the batches it yields")


@behaviour("D1")
@pytest.mark.parametrize("index_batches", [[[0, 1, 2]], [[3], [1, 2], [0, 4], [4, 4, 4, 4]], []], ids=["one", "four", "none"])
def test_len_with_a_batch_sampler(run, index_batches: list[list[int]]) -> None:
    """With a batch_sampler, len(loader) is the batch sampler's length, whatever the dataset's (5 samples here)."""
    seen = run(probes.batch_sampler_batches, n=5, index_batches=index_batches)
    assert_equal(seen["len"], len(index_batches), f"len(loader) with a batch_sampler of {len(index_batches)} lists over 5 samples")


# --------------------------------------------------------------------------- D2: order and shuffling


@behaviour("D2")
@given(n=sizes, batch_size=batch_sizes, drop_last=st.booleans())
def test_no_shuffle_keeps_order(run, n: int, batch_size: int, drop_last: bool) -> None:
    """shuffle=False gives indices 0, 1, 2, ... in order, the same in every epoch."""
    seen = run(probes.batches, n=n, batch_size=batch_size, drop_last=drop_last, epochs=2)
    for epoch, batches in enumerate(seen["epochs"]):
        assert_index_batches(batches, ref.sequential_batches(n, batch_size, drop_last), f"shuffle=False, epoch {epoch}")


def check_shuffled_epoch(batches: list[np.ndarray], n: int, batch_size: int, drop_last: bool, what: str) -> None:
    """A shuffled epoch: the batch sizes of D1, and each index once (all of them unless drop_last)."""
    __tracebackhide__ = True
    assert_equal([len(b) for b in batches], ref.batch_sizes(ref.sequential_batches(n, batch_size, drop_last)), f"{what}: batch sizes")
    order = flat(batches)
    size = ref.batch_count(n, batch_size, drop_last) * batch_size if drop_last else n
    assert_true(ref.covers_distinct_subset(order, n, size), what, f"indices {order} are not {size} distinct indices of 0..{n - 1}")
    if not drop_last:
        assert_true(ref.is_permutation(order, n), what, f"{order} is not a permutation of 0..{n - 1}")


@behaviour("D2")
@given(n=st.integers(1, 40), batch_size=batch_sizes, drop_last=st.booleans(), seed=st.none() | seeds())
def test_shuffle_is_a_permutation_each_epoch(run, n: int, batch_size: int, drop_last: bool, seed: int | None) -> None:
    """shuffle=True (seeded or not) gives every index exactly once per epoch, in batches of the D1 sizes."""
    seen = run(probes.shuffled_epochs, n=n, batch_size=batch_size, drop_last=drop_last, seed=seed)
    for epoch, batches in enumerate(seen["first"]):
        check_shuffled_epoch(batches, n, batch_size, drop_last, f"shuffle=True over {n} samples, epoch {epoch}")


@behaviour("D2")
@given(n=st.integers(20, 60), batch_size=batch_sizes, seed=seeds())
def test_seeded_shuffle_reproducible_and_new_each_epoch(run, n: int, batch_size: int, seed: int) -> None:
    """Generator().manual_seed(s): the same seed gives the same epochs; the next epoch is a new order (N ≥ 20)."""
    seen = run(probes.shuffled_epochs, n=n, batch_size=batch_size, drop_last=False, seed=seed)
    first, again = [[flat(epoch) for epoch in series] for series in (seen["first"], seen["again"])]
    for epoch in (0, 1):
        assert_equal(again[epoch], first[epoch], f"epoch {epoch} of a second loader seeded {seed} (must repeat the first's)")
    assert_true(first[0] != first[1], f"shuffle=True over {n} samples, seed {seed}",
                f"epoch 1 repeats epoch 0 ({first[0]}); a repeat has probability 1/{n}! ≈ {1 / math.factorial(n):.1e}")


@behaviour("D2")
@few_workers(2)
@given(n=st.integers(20, 40), batch_size=batch_sizes, seed=seeds())
def test_seeded_shuffle_same_with_workers(run, n: int, batch_size: int, seed: int) -> None:
    """The same seed gives the same shuffled batches with num_workers=2 as with num_workers=0."""
    alone = run(probes.shuffled_epochs, n=n, batch_size=batch_size, drop_last=False, seed=seed)
    workers = run(probes.shuffled_epochs, n=n, batch_size=batch_size, drop_last=False, seed=seed, num_workers=2)
    for epoch in (0, 1):
        check_shuffled_epoch(workers["first"][epoch], n, batch_size, False, f"num_workers=2, epoch {epoch}")
        assert_equal(flat(workers["first"][epoch]), flat(alone["first"][epoch]), f"epoch {epoch} with 2 workers vs none, seed {seed}")


# --------------------------------------------------------------------------- D3: default collation


@behaviour("D3")
@given(samples=sample_lists(), batch_size=st.integers(1, 4))
def test_default_collation_of_any_structure(run, samples: list[Any], batch_size: int) -> None:
    """Tuples → list, dicts → dict, int → int64, float → float64, bool → bool, numpy keeps dtype, str → list."""
    seen = run(probes.collated, samples=samples, batch_size=batch_size)
    expected = ref.collate_batches(samples, ref.sequential_batches(len(samples), batch_size, False))
    assert_equal(len(seen), len(expected), "number of batches")
    for i, (got, want) in enumerate(zip(seen, expected)):
        assert_described(got, want, f"batch {i}")


@behaviour("D3")
def test_dict_samples_as_classification_datasets_return_them(run) -> None:
    """Document 003: classification datasets return dicts; {"X": float32 (3,), "y": int} → {"X": (B, 3) float32, "y": int64}."""
    samples = [{"X": np.full(3, i, dtype=np.float32), "y": i % 2} for i in range(5)]
    seen = run(probes.collated, samples=samples, batch_size=4)
    first = ("dict", (("X", ("tensor", "float32", np.repeat(np.arange(4, dtype=np.float32), 3).reshape(4, 3))),
                      ("y", ("tensor", "int64", np.array([0, 1, 0, 1])))))
    assert_equal(len(seen), 2, "number of batches of 5 samples at batch_size=4")
    assert_described(seen[0], first, "batch 0")
    assert_described(seen[1], ref.collate(samples[4:]), "batch 1")


@behaviour("D3")
@given(data=st.data(), n=st.integers(1, 10), batch_size=st.integers(1, 4))
def test_tensor_dataset_tuples_become_a_list(run, data: st.DataObject, n: int, batch_size: int) -> None:
    """TensorDataset samples (tuples of tensors) collate to a list of stacked tensors keeping each dtype."""
    columns = [data.draw(hnp.arrays(np.dtype(d), (n, *tail), elements=_elements(d)), label=f"column {d}")
               for d, tail in data.draw(st.lists(st.tuples(st.sampled_from(DTYPES), shapes(max_dims=2, max_side=3)), min_size=1, max_size=3), label="columns")]
    seen = run(probes.collated_tensors, columns=columns, batch_size=batch_size)
    for i, (got, batch) in enumerate(zip(seen, ref.sequential_batches(n, batch_size, False), strict=True)):
        expected = ("list", tuple(("tensor", c.dtype.name, c[batch]) for c in columns))
        assert_described(got, expected, f"batch {i}")


@behaviour("D3")
def test_namedtuples_keep_their_type(run) -> None:
    """Point(x=int, y=float) samples collate to Point(x=int64 tensor, y=float64 tensor)."""
    seen = run(probes.collated_namedtuples, n=5, batch_size=3)
    samples = [probes.Point(i, i / 2) for i in range(5)]
    for i, (got, batch) in enumerate(zip(seen, ref.sequential_batches(5, 3, False), strict=True)):
        assert_described(got, ref.collate([samples[j] for j in batch]), f"batch {i}")


@behaviour("D3")
@pytest.mark.parametrize(
    "samples",
    [[[1, 2], [3, 4, 5]], [(1, 2.0), (3,)], [np.zeros(2, np.float32), np.zeros(3, np.float32)], [{"X": [1, 2]}, {"X": [1]}]],
    ids=["ragged-lists", "ragged-tuples", "ragged-arrays", "ragged-in-dict"],
)
def test_ragged_samples_raise(run, samples: list[Any]) -> None:
    """Samples whose sequences or arrays differ in length cannot be collated: iterating raises."""
    with pytest.raises(ref.CollateError):
        ref.collate(samples)
    error = run(probes.collation_error, samples=samples)
    assert_true(error is not None, f"default collation of {samples!r}", "returned a batch instead of raising")


# --------------------------------------------------------------------------- D4: custom collate_fn


@behaviour("D4")
@given(n=st.integers(1, 30), batch_size=batch_sizes, drop_last=st.booleans())
def test_collate_fn_receives_the_list_of_samples(run, n: int, batch_size: int, drop_last: bool) -> None:
    """collate_fn is called once per batch with the list of that batch's samples, and its result is the batch."""
    check_custom_collate(run, n, batch_size, drop_last, num_workers=0)


@behaviour("D4")
@few_workers(4)
@given(n=st.integers(1, 20), batch_size=batch_sizes, drop_last=st.booleans(), num_workers=st.integers(1, 3))
def test_collate_fn_runs_in_worker_processes(run, n: int, batch_size: int, drop_last: bool, num_workers: int) -> None:
    """With num_workers > 0 each worker calls the same collate_fn on its batch's samples; the batches come in order."""
    check_custom_collate(run, n, batch_size, drop_last, num_workers)


def check_custom_collate(run, n: int, batch_size: int, drop_last: bool, num_workers: int) -> None:
    """Each batch is what collate_fn returned for the list of that batch's samples."""
    __tracebackhide__ = True
    samples = [(i, f"s{i}") for i in range(n)]
    seen = run(probes.custom_collate, samples=samples, batch_size=batch_size, drop_last=drop_last, num_workers=num_workers)
    expected = ref.sequential_batches(n, batch_size, drop_last)
    what = f"DataLoader({n} samples, batch_size={batch_size}, drop_last={drop_last}, num_workers={num_workers}, collate_fn=...)"
    assert_equal(len(seen), len(expected), f"{what}: number of collate_fn calls")
    for i, (got, batch) in enumerate(zip(seen, expected)):
        if not isinstance(got, dict):
            fail(f"{what}: batch {i}", "what collate_fn returned", got, "(collate_fn was not used for it)")
        assert_equal(got["type"], "list", f"{what}: batch {i}: type of what collate_fn received")
        assert_equal(got["samples"], [samples[j] for j in batch], f"{what}: batch {i}: samples collate_fn received")


# --------------------------------------------------------------------------- D5: samplers


@behaviour("D5")
@given(data=st.data(), n=st.integers(1, 30), batch_size=batch_sizes, drop_last=st.booleans())
def test_custom_sampler_sets_the_order(run, data: st.DataObject, n: int, batch_size: int, drop_last: bool) -> None:
    """A Sampler subclass's indices (any order, repeats allowed) are batched as it yields them, in every epoch (the
    loader iterates the sampler afresh each time; len(loader) is D1's)."""
    order = data.draw(st.permutations(range(n)) | st.lists(st.integers(0, n - 1), max_size=2 * n), label="order")
    seen = run(probes.sampler_batches, n=n, order=list(order), batch_size=batch_size, drop_last=drop_last)
    expected = ref.chunk(list(order), batch_size, drop_last)
    assert_index_batches(seen["batches"], expected, f"sampler yielding {list(order)}")
    assert_index_batches(seen["next epoch"], expected, f"sampler yielding {list(order)}, the next epoch")


@behaviour("D5")
@given(data=st.data(), n=st.integers(1, 30))
def test_batch_sampler_yields_index_lists(run, data: st.DataObject, n: int) -> None:
    """A batch_sampler's index lists, of any sizes, are the batches; len(loader) is its length."""
    index_batches = data.draw(st.lists(st.lists(st.integers(0, n - 1), min_size=1, max_size=5), max_size=6), label="index_batches")
    seen = run(probes.batch_sampler_batches, n=n, index_batches=index_batches)
    assert_equal(seen["len"], len(index_batches), "len(loader) with a batch_sampler")
    assert_index_batches(seen["batches"], index_batches, "batch_sampler batches")


@behaviour("D5")
@given(n=sizes, batch_size=batch_sizes, drop_last=st.booleans())
def test_builtin_batch_sampler(run, n: int, batch_size: int, drop_last: bool) -> None:
    """BatchSampler(SequentialSampler(range(n)), B, drop_last) yields D1's index lists, as a loader's batch_sampler too."""
    seen = run(probes.builtin_batch_sampler, n=n, batch_size=batch_size, drop_last=drop_last)
    expected = ref.sequential_batches(n, batch_size, drop_last)
    assert_equal(seen["lists"], expected, "BatchSampler's index lists")
    assert_index_batches(seen["batches"], expected, "loader given the BatchSampler")


@behaviour("D5")
@given(
    batch_size=st.sampled_from([1, 4, None]), shuffle=st.booleans(), sampler=st.booleans(),
    batch_sampler=st.booleans(), drop_last=st.booleans(),
)
def test_exclusive_options_raise(run, batch_size: int | None, shuffle: bool, sampler: bool, batch_sampler: bool, drop_last: bool) -> None:
    """batch_sampler excludes batch_size, shuffle, sampler and drop_last; sampler excludes shuffle; no batch_size excludes drop_last."""
    options = {"batch_size": batch_size, "shuffle": shuffle, "sampler": sampler, "batch_sampler": batch_sampler, "drop_last": drop_last}
    reason = ref.argument_error(**options)
    error = run(probes.argument_error, n=6, **options)
    what = f"DataLoader(dataset, {', '.join(f'{k}={v}' for k, v in options.items())})"
    if reason is None:
        assert_true(error is None, what, f"raised {error}, but these options are compatible")
    else:
        assert_equal(error, "ValueError", f"{what} ({reason})")


# --------------------------------------------------------------------------- D6: workers and the signature


@behaviour("D6")
@few_workers(3)
@given(n=st.integers(0, 25), batch_size=batch_sizes, drop_last=st.booleans(), num_workers=st.sampled_from([2, 3]))
def test_workers_give_the_same_batches(run, n: int, batch_size: int, drop_last: bool, num_workers: int) -> None:
    """num_workers=2 or 3 gives the same batches, in the same order, as num_workers=0 and the reference."""
    samples = indexed_samples(n)
    expected = ref.collate_batches(samples, ref.sequential_batches(n, batch_size, drop_last))
    for workers in (0, num_workers):
        epochs = run(probes.worker_epochs, samples=samples, batch_size=batch_size, num_workers=workers, drop_last=drop_last)
        for epoch, seen in enumerate(epochs):
            assert_equal(len(seen), len(expected), f"num_workers={workers}, epoch {epoch}: number of batches")
            for i, (got, want) in enumerate(zip(seen, expected)):
                assert_described(got, want, f"num_workers={workers}, epoch {epoch}, batch {i}")


@behaviour("D6")
@few_workers(2)
@given(n=st.integers(4, 20), batch_size=st.integers(1, 3), num_workers=st.integers(1, 2))
def test_worker_init_fn_runs_once_per_worker(run, n: int, batch_size: int, num_workers: int) -> None:
    """worker_init_fn(worker_id) runs once in each of num_workers processes, before that worker loads samples."""
    seen = run(probes.worker_init_calls, n=n, batch_size=batch_size, num_workers=num_workers)
    calls = [name.split("-") for name in seen["files"]]
    assert_equal(sorted(int(w) for w, _, _ in calls), list(range(num_workers)), "worker ids worker_init_fn was called with")
    assert_equal(len({pid for _, pid, _ in calls}), num_workers, "distinct processes worker_init_fn ran in")
    assert_equal(sorted(int(c) for _, _, c in calls), [1] * num_workers, "calls of worker_init_fn in each process")
    for indices, init_calls, worker_ids in seen["seen"]:
        assert_equal(init_calls, [1] * len(indices), f"samples {indices}: init calls their worker had made")
        assert_true(all(0 <= w < num_workers for w in worker_ids), f"samples {indices}", f"loaded in workers {worker_ids}")
    assert_equal([i for indices, _, _ in seen["seen"] for i in indices], list(range(n)), "indices loaded")


@behaviour("D6")
@pytest.mark.parametrize("num_workers", [0, 2], ids=lambda w: f"workers{w}")
def test_errors_in_workers_reach_the_main_process(run, num_workers: int) -> None:
    """A dataset's ValueError reaches the loop that iterates the loader, with or without workers."""
    assert_equal(run(probes.worker_error, n=8, bad=5, num_workers=num_workers), "ValueError", "exception from dataset[5]")


@behaviour("D6")
@pytest.mark.parametrize("option", [{"num_workers": -1}, {"timeout": -1}, {"timeout": -0.5}], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_negative_workers_or_timeout_raise(run, option: dict[str, Any]) -> None:
    """num_workers < 0 and timeout < 0 are ValueErrors at construction."""
    assert_true(ref.argument_error(**option) is not None, f"reference for {option}")
    assert_equal(run(probes.argument_error, n=4, **option), "ValueError", f"DataLoader(dataset, {option})")


def document_options(**changes: Any) -> dict[str, Any]:
    """Every keyword of document 000's signature (dataset aside) at its printed default, with ``changes``."""
    options = {name: default for name, default in ref.PRINTED_SIGNATURE if name != "dataset"}
    return {**options, **changes}


@behaviour("D6")
@pytest.mark.parametrize(
    "changes",
    [
        {"batch_size": 3, "num_workers": 2},
        {"batch_size": 3, "num_workers": 2, "persistent_workers": True, "timeout": 30, "prefetch_factor": 3, "drop_last": True},
        {"batch_size": 4, "num_workers": 0, "prefetch_factor": None},
    ],
    ids=["workers2", "persistent-timeout-prefetch3", "workers0"],
)
def test_full_signature_of_document_000(run, changes: dict[str, Any]) -> None:
    """DataLoader accepts every keyword 000 lists (persistent_workers, prefetch_factor, pin_memory, timeout...) and batches as usual.

    PyTorch ≥ 2.0 rejects prefetch_factor without workers (the document's default 2 predates that), so
    without workers the case passes prefetch_factor=None.
    """
    options = document_options(**changes)
    samples = indexed_samples(10)
    expected = ref.collate_batches(samples, ref.sequential_batches(10, options["batch_size"], options["drop_last"]))
    epochs = run(probes.full_signature, samples=samples, options=options)
    for epoch, seen in enumerate(epochs):
        assert_equal(len(seen), len(expected), f"epoch {epoch}: number of batches")
        for i, (got, want) in enumerate(zip(seen, expected)):
            assert_described(got, want, f"epoch {epoch}, batch {i}")


@behaviour("D6")
def test_pin_memory_on_cuda(run) -> None:
    """pin_memory=True gives the same batches, in page-locked memory (a cuda backend only)."""
    if run.device != "cuda":
        pytest.skip("pin_memory pins host memory for a cuda device: checked on the cuda device only")
    seen = run(probes.pinned_batches, n=7, batch_size=3)
    expected = ref.sequential_batches(7, 3, False)
    assert_index_batches(seen["values"], expected, "pin_memory=True batches")
    assert_equal(seen["pinned"], [True] * len(expected), "is_pinned() of each batch")
