"""T1-T8: making tensors and their dtypes, memory sharing, initialisers, in-place methods and indexing (document 002).

Each behaviour is checked on the document's own snippets against the figures it
prints, and as a property over shapes, dtypes and nested Python/numpy data
against ``reference.tensors``.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import tensors as ref
from reference import views as ref_views
from suite.compare import assert_close, assert_equal, assert_on_device, assert_true
from suite.probes import tensors as probes
from suite.strategies import matrix_views, shapes

behaviour = pytest.mark.behaviour

#: numpy dtypes every backend is expected to take from numpy and keep.
NUMPY_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128")
#: Python kinds that item() may return; a 0-dim tensor is none of them.
PYTHON_NUMBERS = ("bool", "int", "float", "complex")


# --- strategies for Python data --------------------------------------------------------------------

SMALL_FLOATS = st.floats(-100, 100, allow_nan=False)


def numpy_scalars() -> st.SearchStrategy[np.generic]:
    """A numpy scalar of a non-bool dtype holding a small value that fits it.

    numpy bools are left out: torch refuses ``[np.True_, 1]`` (it cannot write a
    numpy bool into an int64 tensor), a quirk no reference should canonise.
    """
    def of(dtype: str) -> st.SearchStrategy[np.generic]:
        kind = np.dtype(dtype).kind
        values = st.integers(0, 100) if kind in "iu" else SMALL_FLOATS
        return values.map(np.dtype(dtype).type)

    return st.sampled_from(NUMPY_DTYPES[1:]).flatmap(of)


#: Leaves of nested data, by kind: Python bool, int, float, complex, and numpy scalars.
LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "bool": st.booleans(),
    "int": st.integers(-100, 100),
    "float": SMALL_FLOATS,
    "complex": st.builds(complex, SMALL_FLOATS, SMALL_FLOATS),
    "numpy": numpy_scalars(),
}


def _nest(flat: list[Any], shape: tuple[int, ...], sequence: type) -> Any:
    """Nest a flat list into ``shape`` as lists or tuples (a scalar for shape ())."""
    if not shape:
        return flat[0]
    step = len(flat) // shape[0]
    return sequence(_nest(flat[i * step : (i + 1) * step], shape[1:], sequence) for i in range(shape[0]))


@st.composite
def nested_data(draw: st.DrawFn, kinds: tuple[str, ...] = tuple(LEAVES), required: str | None = None) -> Any:
    """Nested lists or tuples of leaves mixing one or two of ``kinds`` (a bare scalar for shape ()).

    A ``required`` kind joins the mix and fills at least one leaf.
    """
    shape = draw(shapes(max_dims=3, max_side=3), label="shape")
    palette = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=2, unique=True), label="kinds")
    leaf = st.one_of([LEAVES[kind] for kind in palette])
    flat = [draw(leaf) for _ in range(math.prod(shape))]
    if required is not None:
        flat[draw(st.integers(0, len(flat) - 1))] = draw(LEAVES[required])
    return _nest(flat, shape, draw(st.sampled_from([list, tuple])))


def mixed_data(required: tuple[str, ...] = tuple(LEAVES)) -> st.SearchStrategy[Any]:
    """Nested data holding at least one leaf of a kind drawn from ``required`` (so every kind is met early)."""
    return st.sampled_from(required).flatmap(lambda kind: nested_data(required=kind))


def check_made(seen: dict, expected: np.ndarray, dtype: str, what: str) -> None:
    """A probe's ``{"dtype", "shape", "values"}`` match the reference's dtype and values."""
    __tracebackhide__ = True
    assert_equal(seen["dtype"], dtype, f"{what} dtype")
    assert_equal(seen["shape"], tuple(expected.shape), f"{what} shape")
    assert_close(seen["values"], expected, f"{what} values", dtype=dtype)


def check_info(seen: dict, printed: dict, device: str, what: str) -> None:
    """ndim, dim(), nelement(), shape, size(), dtype and type() as document 002 prints them (type() per device)."""
    __tracebackhide__ = True
    for key, value in printed.items():
        expected = ref.type_string(printed["dtype"], device) if key == "type()" else value
        assert_equal(seen[key], expected, f"{what}.{key}")


# --- T1-T3 -----------------------------------------------------------------------------------------


@behaviour("T1")
def test_numpy_array_document_example(run) -> None:
    """tensor(np.random.rand(2, 3)) and from_numpy of it: float64, DoubleTensor, ndim 2, nelement 6, shape (2, 3)."""
    x = np.random.default_rng(2).random((2, 3))
    seen = run(probes.document_numpy_tensor, x=x)
    check_info(seen["tensor(x)"], ref.PRINTED_INFO["T1"], run.device, "tensor(x)")
    check_info(seen["from_numpy(x)"], ref.PRINTED_INFO["T1"], "cpu", "from_numpy(x)")  # from_numpy is always on the cpu
    for key in ("tensor(x)", "from_numpy(x)"):
        assert_equal(seen[key]["values"], x, f"{key} values")


@behaviour("T1")
@given(shape=shapes(max_dims=4))
def test_numpy_float64_array_any_shape(run, shape: tuple[int, ...]) -> None:
    """tensor(float64 array) is float64 with ndim, dim(), nelement(), shape and size() of the array."""
    x = np.linspace(-1, 1, math.prod(shape)).reshape(shape)
    info = {"ndim": len(shape), "dim()": len(shape), "nelement()": math.prod(shape), "shape": shape, "size()": shape,
            "dtype": "float64", "type()": "torch.DoubleTensor"}
    seen = run(probes.tensor_info, x=x)
    check_info(seen, info, run.device, f"tensor(float64 array of shape {shape})")
    assert_equal(seen["values"], x, "values")


@behaviour("T2")
def test_int_list_document_example(run) -> None:
    """tensor([[1, 2, 3], [4, 5, 6]]) is int64, LongTensor, shape (2, 3)."""
    seen = run(probes.tensor_info, x=ref.DOC_INT_LIST)
    check_info(seen, ref.PRINTED_INFO["T2"], run.device, "tensor([[1, 2, 3], [4, 5, 6]])")
    assert_equal(seen["values"], np.array(ref.DOC_INT_LIST), "values")


@behaviour("T2")
@given(data=nested_data(kinds=("int",)))
def test_int_lists_any_shape(run, data: Any) -> None:
    """Nested Python ints of any shape (and a bare int) give int64 LongTensors holding them."""
    seen = run(probes.tensor_info, x=data)
    assert_equal(seen["type()"], ref.type_string("int64", run.device), f"tensor({data!r}).type()")
    check_made(seen, ref.expected_values(data), "int64", f"tensor({data!r})")


@behaviour("T3")
def test_float_list_document_example(run) -> None:
    """tensor([[1., 2., 3.], [4., 5., 6.]]) is float32 (the default dtype), FloatTensor, shape (2, 3)."""
    seen = run(probes.tensor_info, x=ref.DOC_FLOAT_LIST)
    check_info(seen, ref.PRINTED_INFO["T3"], run.device, "tensor([[1., 2., 3.], [4., 5., 6.]])")
    assert_equal(seen["values"], np.array(ref.DOC_FLOAT_LIST, dtype=np.float32), "values")


@behaviour("T3")
@given(data=nested_data(kinds=("float",)))
def test_float_lists_any_shape(run, data: Any) -> None:
    """Nested Python floats of any shape (and a bare float) give float32 FloatTensors holding them."""
    seen = run(probes.tensor_info, x=data)
    assert_equal(seen["type()"], ref.type_string("float32", run.device), f"tensor({data!r}).type()")
    check_made(seen, ref.expected_values(data), "float32", f"tensor({data!r})")


# --- T4 --------------------------------------------------------------------------------------------

LITERALS = {
    "[1, 2.5]": [1, 2.5],
    "[True, False]": [True, False],
    "[1, True]": [1, True],
    "1+2j": 1 + 2j,
    "3": 3,
    "int32 array": np.array([[1, 2], [3, 4]], dtype=np.int32),
    "[]": [],
    "[np.float16(1), 2.5]": [np.float16(1), 2.5],
    "[np.int8(1), np.uint8(2)]": [np.int8(1), np.uint8(2)],
}


@behaviour("T4")
@pytest.mark.parametrize("literal", list(LITERALS))
def test_documented_literals(run, literal: str) -> None:
    """[1, 2.5] → float32, [True, False] → bool, [1, True] → int64, 1+2j → complex64, 3 → 0-dim int64, int32 kept."""
    data = LITERALS[literal]
    seen = run(probes.tensor_from_data, data=data)
    check_made(seen, ref.expected_values(data), ref.infer_dtype(data), f"tensor({literal})")


@behaviour("T4")
@given(data=mixed_data())
def test_mixed_nested_data(run, data: Any) -> None:
    """Nested mixes of Python bools, ints, floats, complexes and numpy scalars promote as PyTorch's rule says."""
    seen = run(probes.tensor_from_data, data=data)
    check_made(seen, ref.expected_values(data), ref.infer_dtype(data), f"tensor({data!r})")


@behaviour("T4")
@given(data=mixed_data(required=("float", "complex")))
def test_default_dtype_float64(run, data: Any) -> None:
    """With set_default_dtype(float64), float literals give float64 and complex ones complex128 (restored after)."""
    seen = run(probes.tensor_with_default_dtype, data=data, default="float64")
    assert_equal(seen["default_inside"], "float64", "get_default_dtype() after set_default_dtype(float64)")
    check_made(seen, ref.expected_values(data, "float64"), ref.infer_dtype(data, "float64"),
               f"tensor({data!r}) with the default dtype float64")


@behaviour("T4")
@given(shape=shapes(max_dims=3), dtype=st.sampled_from(NUMPY_DTYPES))
def test_numpy_arrays_keep_dtype(run, shape: tuple[int, ...], dtype: str) -> None:
    """tensor(array) keeps the array's dtype and shape, whatever the dtype."""
    x = (np.arange(math.prod(shape)) % 3).reshape(shape).astype(dtype)
    check_made(run(probes.tensor_from_data, data=x), x, dtype, f"tensor({dtype} array of shape {shape})")


# --- T5 --------------------------------------------------------------------------------------------


@behaviour("T5")
def test_as_tensor_document_example(run) -> None:
    """z = as_tensor(x); x[-1, -1] = 86 shows in z[-1] = [10, 18, 86]; y = tensor(x), made before, keeps its copy."""
    seen = run(probes.document_as_tensor, x=ref.DOC_X)
    assert_equal(seen["z[-1]"], np.array(ref.PRINTED_AS_TENSOR["z[-1]"]), "z[-1] after x[-1, -1] = 86")
    assert_equal(seen["y[-1]"], ref.DOC_X[-1], "y[-1] after x[-1, -1] = 86 (tensor(x) copies)")


@behaviour("T5")
@given(
    constructor=st.sampled_from(ref.CONSTRUCTORS),
    shape=shapes(min_dims=1, max_dims=3),
    dtype=st.sampled_from(("uint8", "int32", "int64", "float32", "float64")),
    requested=st.none() | st.sampled_from(("int64", "float32", "float64")),
)
def test_memory_sharing(run, constructor: str, shape: tuple[int, ...], dtype: str, requested: str | None) -> None:
    """from_numpy and as_tensor share memory both ways on the cpu; tensor(), a dtype change and cuda copy.

    On cuda nothing can share the host's numpy memory: as_tensor(x, device="cuda")
    and from_numpy(x).to("cuda") must be copies on cuda, while from_numpy(x)
    itself stays a cpu tensor sharing x (PyTorch's documentation of both).
    """
    if constructor.startswith("from_numpy"):
        requested = None  # from_numpy takes no dtype
    x = np.arange(math.prod(shape)).reshape(shape).astype(dtype)
    seen = run(probes.memory_sharing, constructor=constructor, x=x, dtype=requested)
    made_dtype = requested or dtype
    shares = ref.shares_memory(constructor, run.device, dtype_changes=made_dtype != dtype)
    what = f"{constructor} of a {dtype} array of shape {shape}" + (f" with dtype={requested}" if requested else "")
    assert_on_device(seen["device"], ref.result_device(constructor, run.device), f"{what}: device")
    made = x.astype(made_dtype)
    check_made(seen["made"], made, made_dtype, what)
    written = x.copy()
    written.reshape(-1)[-1] = 86
    note = "shares memory" if shares else "is a copy"
    assert_equal(seen["tensor_after_numpy_write"], ref.after_numpy_write(made, written.astype(made_dtype), shares),
                 f"{what} after writing 86 into the array (it {note})")
    assert_equal(seen["numpy_after_tensor_write"], np.full_like(x, 7) if shares else written,
                 f"the array after {what}.fill_(7) (it {note})")


# --- T6 --------------------------------------------------------------------------------------------


@behaviour("T6")
def test_initialisers_document_example(run) -> None:
    """p = rand(3, 2) is float32 in [0, 1); zeros_like, ones_like, eye(3), empty(3) as 002 prints them."""
    seen = run(probes.document_initialisers)
    printed = ref.PRINTED_INITIALISERS
    assert_equal(seen["p"]["dtype"], printed["p.dtype"], "rand(3, 2).dtype")
    assert_equal(seen["p"]["shape"], printed["q.shape"], "rand(3, 2).shape")
    assert_true(ref.in_unit_interval(seen["p"]["values"]), "rand(3, 2)", f"values outside [0, 1): {seen['p']['values']}")
    for key in ("zeros_like(p)", "ones_like(p)", "eye(3)"):
        check_made(seen[key], np.array(printed[key], dtype=np.float32), "float32", key)
    assert_equal(seen["empty(3)"]["shape"], printed["empty(3).shape"], "empty(3).shape")
    assert_equal(seen["empty(3)"]["dtype"], ref.rand_dtype(), "empty(3).dtype")


@behaviour("T6")
@given(shape=shapes(max_dims=4), dtype=st.sampled_from(("bool", "int32", "int64", "float32", "float64")),
       which=st.sampled_from(("zeros_like", "ones_like")))
def test_like_keeps_shape_and_dtype(run, shape: tuple[int, ...], dtype: str, which: str) -> None:
    """zeros_like / ones_like keep the shape, dtype and device of their input."""
    seen = run(probes.like, which=which, shape=shape, dtype=dtype)
    expected = ref.like(np.zeros(shape, dtype=dtype), 0 if which == "zeros_like" else 1)
    check_made(seen, expected, dtype, f"{which} of a {dtype} tensor of shape {shape}")
    assert_on_device(seen["device"], run.device, f"{which}(x).device")


@behaviour("T6")
@given(shape=shapes(min_dims=1, max_dims=3, max_side=6))
def test_rand_is_default_dtype_in_unit_interval(run, shape: tuple[int, ...]) -> None:
    """rand(*shape) has that shape, the default dtype float32, and values in [0, 1)."""
    seen = run(probes.rand, shape=shape)
    assert_equal(seen["dtype"], ref.rand_dtype(), f"rand{shape}.dtype")
    assert_equal(seen["shape"], shape, f"rand{shape}.shape")
    assert_true(ref.in_unit_interval(seen["values"]), f"rand{shape}", f"values outside [0, 1): {seen['values']}")


@behaviour("T6")
@given(n=st.integers(1, 5), m=st.none() | st.integers(1, 5))
def test_eye_is_the_identity(run, n: int, m: int | None) -> None:
    """eye(n) and eye(n, m): ones on the diagonal, zeros elsewhere, float32."""
    check_made(run(probes.eye, n=n, m=m), ref.eye(n, m), "float32", f"eye({n}{'' if m is None else f', {m}'})")


@behaviour("T6")
@given(shape=shapes(min_dims=1, max_dims=4))
def test_empty_has_shape(run, shape: tuple[int, ...]) -> None:
    """empty(*shape) has that shape and the default dtype, whatever its values."""
    seen = run(probes.empty, shape=shape)
    assert_equal(seen["shape"], shape, f"empty{shape}.shape")
    assert_equal(seen["dtype"], ref.rand_dtype(), f"empty{shape}.dtype")


# --- T7 --------------------------------------------------------------------------------------------


@st.composite
def inplace_calls(draw: st.DrawFn, dtype: str) -> list[tuple[str, tuple]]:
    """One to four in-place calls with scalar arguments exact in ``dtype`` (halves for floats, ints for ints)."""
    number = st.integers(-4, 4) if dtype.startswith("int") else st.integers(-8, 8).map(lambda v: v / 2)
    calls = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(list(ref.INPLACE_ARITY)))
        calls.append((name, tuple(draw(number) for _ in range(ref.INPLACE_ARITY[name]))))
    return calls


@behaviour("T7")
@given(shape=shapes(min_dims=1, max_dims=3), dtype=st.sampled_from(("float32", "float64", "int64")), data=st.data())
def test_inplace_methods_change_and_return_self(run, shape: tuple[int, ...], dtype: str, data: st.DataObject) -> None:
    """Each in-place method (zero_, fill_, add_, sub_, mul_, neg_, abs_, clamp_) changes x and returns x itself."""
    calls = data.draw(inplace_calls(dtype), label="calls")
    values = (np.arange(math.prod(shape)) - 3).reshape(shape).astype(dtype)
    seen = run(probes.inplace_chain, values=values, calls=calls)
    chain = "x" + "".join(f".{name}({', '.join(map(str, args))})" for name, args in calls)
    for (name, _), is_self in zip(calls, seen["returned_self"]):
        assert_true(is_self, f"{chain}: {name}", "returned a new tensor instead of x itself")
    expected = reduce(lambda v, call: ref.apply_inplace(call[0], v, call[1]), calls, values)
    check_made(seen, expected, dtype, f"x after {chain}")


#: Views an in-place method must write through: transposed, a column slice, every other row (none contiguous).
INPLACE_VIEWS = {"transposed": (0, 1, 0, 1, True), "cols-from-1": (0, 1, 1, 1, False), "every-other-row": (0, 2, 0, 1, False),
                 "every-other-col-transposed": (1, 1, 0, 2, True)}


def check_inplace_on_view(run, values: np.ndarray, view: tuple, calls: list[tuple[str, tuple]], where: str) -> None:
    """In-place calls on a view return the view and change it and, through it, exactly its elements of the base."""
    __tracebackhide__ = True
    seen = run(probes.inplace_chain_on_view, values=values, view=view, calls=calls)
    chain = "v" + "".join(f".{name}({', '.join(map(str, args))})" for name, args in calls)
    for (name, _), is_self in zip(calls, seen["returned_self"]):
        assert_true(is_self, f"{chain} on {where}: {name}", "returned a new tensor instead of v itself")
    base = np.array(values, copy=True)
    view_of_base = ref_views.matrix_view(base, view)  # a numpy view: writing it writes base
    view_of_base[...] = reduce(lambda v, call: ref.apply_inplace(call[0], v, call[1]), calls, view_of_base.copy())
    assert_equal(seen["view"], view_of_base, f"v after {chain}, v = {where}")
    assert_equal(seen["base"], base, f"base after {chain} on v = {where} (a view shares its storage)")


@behaviour("T7")
@pytest.mark.parametrize("view", list(INPLACE_VIEWS))
def test_inplace_methods_on_a_non_contiguous_view(run, view: str) -> None:
    """add_, mul_, fill_ and zero_ on a transposed or strided view write through it into the base and return it."""
    values, spec = np.arange(1.0, 21.0).reshape(4, 5), INPLACE_VIEWS[view]
    for calls in ([("add_", (1.5,)), ("mul_", (-2.0,))], [("fill_", (7.0,))], [("zero_", ())]):
        check_inplace_on_view(run, values, spec, calls, f"base{values.shape}{ref_views.describe_matrix_view(spec)}")


@behaviour("T7")
@given(dtype=st.sampled_from(("float32", "float64", "int64")), data=st.data())
def test_inplace_methods_on_any_view(run, dtype: str, data: st.DataObject) -> None:
    """Any chain of in-place methods on a view with any offset, steps and transpose changes the base where the view is."""
    view = data.draw(matrix_views(), label="view")
    rows, cols = data.draw(st.integers(1, 3), label="rows"), data.draw(st.integers(1, 3), label="cols")
    base_shape = ref_views.matrix_view_base_shape((rows, cols), view)
    values = (np.arange(math.prod(base_shape)) - 3).reshape(base_shape).astype(dtype)
    calls = data.draw(inplace_calls(dtype), label="calls")
    check_inplace_on_view(run, values, view, calls, f"base{base_shape}{ref_views.describe_matrix_view(view)}")


@behaviour("T7")
@pytest.mark.parametrize("name, args", [("add_", (2.5,)), ("sub_", (1.0,)), ("mul_", (-2.0,)), ("neg_", ()),
                                        ("abs_", ()), ("clamp_", (0.0,))], ids=lambda v: v if isinstance(v, str) else "")
def test_without_underscore_leaves_tensor_alone(run, name: str, args: tuple) -> None:
    """The same method without the trailing _ returns a new tensor and leaves x as it was."""
    values = np.array([[-1.5, 0.0], [2.0, 3.25]], dtype=np.float32)
    plain = ref.out_of_place_name(name)
    seen = run(probes.out_of_place, values=values, name=plain, args=args)
    assert_equal(seen["x"], values, f"x after x.{plain}{args}")
    assert_close(seen["result"], ref.apply_inplace(name, values, args), f"x.{plain}{args}")
    assert_true(not seen["is_x"], f"x.{plain}{args}", "returned x itself")


# --- T8 --------------------------------------------------------------------------------------------


@behaviour("T8")
def test_element_access_document_example(run) -> None:
    """y[:, 1] is tensor([29, 18]); y[0, 0] is tensor(3), a 0-dim tensor; y[0, 0].item() is the Python int 3."""
    seen = run(probes.document_elements, x=ref.DOC_X)
    printed = ref.PRINTED_ELEMENTS
    check_made(seen["y[:, 1]"], np.array(printed["y[:, 1]"]), "int64", "y[:, 1]")
    check_made(seen["y[0, 0]"], np.array(printed["y[0, 0]"]), "int64", "y[0, 0]")
    assert_true(seen["y[0, 0]"]["kind"] not in PYTHON_NUMBERS, "y[0, 0]", f"gave a Python {seen['y[0, 0]']['kind']}, not a 0-dim tensor")
    assert_equal(seen["y[0, 0].item()"]["value"], printed["y[0, 0].item()"], "y[0, 0].item()")
    assert_equal(seen["y[0, 0].item()"]["kind"], ref.item_kind("int64"), "type of y[0, 0].item()")


@st.composite
def index_specs(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple:
    """Basic indices as plain data: ints (negative too) and slices with positive steps for the leading dims,
    perhaps then an ellipsis followed by entries for the trailing dims."""

    def entry(size: int) -> Any:
        bound = st.none() | st.integers(-size - 1, size + 1)
        return draw(st.integers(-size, size - 1) | st.tuples(bound, bound, st.none() | st.integers(1, 3)))

    head = draw(st.integers(0, len(shape)))
    spec: list[Any] = [entry(size) for size in shape[:head]]
    if draw(st.booleans()):
        tail = draw(st.integers(0, len(shape) - head))
        spec += ["..."] + [entry(size) for size in shape[len(shape) - tail :]]
    return tuple(spec)


@behaviour("T8")
@given(shape=shapes(min_dims=1, max_dims=4), data=st.data())
def test_basic_indexing(run, shape: tuple[int, ...], data: st.DataObject) -> None:
    """x[key] with ints, slices and an ellipsis selects as numpy does; all-int keys give a 0-dim tensor."""
    spec = data.draw(index_specs(shape), label="index")
    seen = run(probes.index, shape=shape, spec=spec)
    what = f"x{ref.describe_index(spec)} of shape {shape}"
    expected = ref.index_values(np.arange(math.prod(shape)).reshape(shape), spec)
    assert_equal(seen["shape"], ref.index_shape(shape, spec), f"{what} shape")
    check_made(seen, expected, "int64", what)
    assert_true(seen["kind"] not in PYTHON_NUMBERS, what, f"gave a Python {seen['kind']}, not a tensor")


ITEM_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "bool": st.booleans(),
    "uint8": st.integers(0, 255),
    "int32": st.integers(-(2**31), 2**31 - 1),
    "int64": st.integers(-(2**63), 2**63 - 1),
    "float32": st.floats(-1e6, 1e6, width=32),
    "float64": st.floats(-1e12, 1e12),
    "complex64": st.builds(complex, st.floats(-1e3, 1e3, width=32), st.floats(-1e3, 1e3, width=32)),
}


@behaviour("T8")
@given(dtype=st.sampled_from(list(ITEM_VALUES)), shape=st.sampled_from([(), (1,), (1, 1), (1, 1, 1)]), data=st.data())
def test_item_gives_python_number_of_matching_kind(run, dtype: str, shape: tuple[int, ...], data: st.DataObject) -> None:
    """item() of a one-element tensor is a Python int, float, bool or complex as its dtype says, equal to the element."""
    value = data.draw(ITEM_VALUES[dtype], label="value")
    values = np.full(shape, value, dtype=dtype)
    seen = run(probes.item, values=values)
    what = f"tensor(np.full({shape}, {value!r}, {dtype})).item()"
    assert_equal(seen["kind"], ref.item_kind(dtype), f"type of {what}")
    assert_equal(seen["value"], ref.item(values), what)


@behaviour("T8")
@pytest.mark.parametrize("shape", [(2,), (2, 3), (0,)], ids=str)
def test_item_of_several_elements_raises(run, shape: tuple[int, ...]) -> None:
    """item() of a tensor without exactly one element raises."""
    with pytest.raises(ValueError):
        ref.item(np.zeros(shape))  # the reference agrees there is no single element
    error = run(probes.item_error, values=np.zeros(shape))
    assert_true(error is not None, f"tensor(np.zeros({shape})).item()", "returned instead of raising")
