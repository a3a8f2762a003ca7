"""What every hidden check shares: the grading profile of hypothesis, and failures students can act on.

The grading profile makes a check a pure function of the submission: derandomized (examples come
from a seed derived from the check's own code), no example database, no deadline (a slow machine
must not fail a correct solution), a bounded number of examples, one failure reported.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import re
from typing import Callable

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, settings

from . import wire

GRADING_PROFILE = "llmt-grading"

settings.register_profile(
    GRADING_PROFILE,
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    report_multiple_bugs=False,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
GRADING = settings.get_profile(GRADING_PROFILE)


def grading(max_examples: int | None = None) -> settings:
    """The grading profile, optionally with another example budget, as a decorator."""
    return GRADING if max_examples is None else settings(GRADING, max_examples=max_examples)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def run_property(title: str, prop: Callable[[], None]) -> None:
    """Run one hypothesis property; turn any failure into an AssertionError a student can read.

    The message names the property, what went wrong (the student's exception, or expected vs got
    with the tolerance) and the smallest input hypothesis found.
    """
    __tracebackhide__ = True  # IPython and pytest leave this frame out of tracebacks
    try:
        with one_thread():
            prop()
    except Exception as exc:  # the student's code may raise anything
        notes = [n for n in getattr(exc, "__notes__", []) if n.strip()]
        what = str(exc) if isinstance(exc, AssertionError) else f"your code raised {type(exc).__name__}: {exc}"
        message = "\n".join([f"{title}: {what}", *notes])
        raise AssertionError(_ADDRESS.sub("", message)) from None


@contextlib.contextmanager
def one_thread():
    """Torch on one thread for the duration, then the setting as it was: here and, when judged,
    where the student's code runs.

    Checks run many tiny ops and tiny models: there threads only add overhead (on a busy machine a
    forward pass gets a hundred times slower), and one thread also makes training bit-reproducible.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with _student_side(_student_one_thread):
            yield
    finally:
        torch.set_num_threads(threads)


@contextlib.contextmanager
def _student_side(context):
    """context() when the student's code runs in another process (a judged check), else nothing:
    in this process the check's own setting already covers it."""
    if _session() is None:
        yield
    else:
        with context():
            yield


@contextlib.contextmanager
def _student_one_thread():
    threads = _student_function("torch", "get_num_threads")()
    _student_function("torch", "set_num_threads")(1)
    try:
        yield
    finally:
        _student_function("torch", "set_num_threads")(threads)


def on_one_thread(check):
    """Decorator: run a whole check under `one_thread()`."""
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True
        with one_thread():
            return check(*args, **kwargs)
    return wrapper


# ----------------------------------------------------------------- where the student's code runs
# Under grading, the student's objects live in the sandboxed kernel and a check holds proxies to
# them (graders/judge.py). These helpers do the right thing on both sides, so a check reads the
# same whether it is judged or called directly in a test.

def _session():
    from .judge import SESSION

    return SESSION.get()


def student_module(name: str):
    """The module `name` as the student's code sees it: imported in the kernel when judged (to
    build there, say, a model that the student's function changes in place), here otherwise."""
    conn = _session()
    return importlib.import_module(name) if conn is None else conn.request("import", name)


def shipped_module(name: str):
    """An earlier assignment's module that ships beside the notebook (manifest `ships`, e.g.
    "decoder"), as the student's code sees it: the shipped copy in the kernel when judged; the
    reference, solutions.<name>, when the student's side is this process (a test calls the check)."""
    try:
        return student_module(name)
    except ModuleNotFoundError:
        return student_module(f"solutions.{name}")


def kernel_toys():
    """graders/kernel_toys.py as the student's code sees it: the kernel's copy (`_llmt_judge.toys`)
    when judged, this module when the student's side is this process (a test calls the check)."""
    try:
        return student_module("_llmt_judge.toys")
    except ModuleNotFoundError:
        return student_module("graders.kernel_toys")


def inside_student_module(module: torch.nn.Module):
    """A copy of `module` (a reference part) that the check can place inside the student's module:
    it sits there as a module of the kernel's and computes here, in the judge. A copy, so that
    nothing the student's code does to it reaches the objects the check computes expected values with."""
    from .wire import Handout

    return _session().request("module", Handout(copy.deepcopy(module), ops={"call"}))


def student_isinstance(obj, name: str) -> bool:
    """isinstance(obj, C) for the class C that the dotted `name` names ("torch.optim.AdamW"), asked
    where obj lives: a proxy of the kernel's object is an instance of the kernel's classes, so the
    kernel answers; anything else (plain data that came by value, the check's own objects) is asked here."""
    from .wire import is_proxy

    module, _, attr = name.rpartition(".")
    if is_proxy(obj):
        return student_module("builtins").isinstance(obj, getattr(student_module(module), attr))
    return isinstance(obj, getattr(importlib.import_module(module), attr))


def type_name(x) -> str:
    """The name of x's class, for messages: for a proxy, the class of its object in the kernel."""
    from .wire import is_proxy

    return x._wire_type if is_proxy(x) else type(x).__qualname__


def manual_seed(seed: int) -> None:
    """torch.manual_seed here and, when judged, in the kernel where the student's code draws."""
    torch.manual_seed(seed)
    if _session() is not None:
        student_module("torch").manual_seed(seed)


def student_generator(seed: int):
    """A torch.Generator seeded with `seed`, made where the student's code runs (torch there takes
    no generator of the judge's): the same seed draws the same numbers on both sides."""
    return student_module("torch").Generator().manual_seed(seed)


def assert_tensor_close(got, expected: torch.Tensor, *, what: str, rtol: float | None = None,
                        atol: float | None = None) -> None:
    """`got` is a tensor of `expected`'s shape with the same values within tolerance.

    The tolerance follows the precision of `expected`; values are compared in float64 so that a
    solution computing in another floating dtype is judged on its values.
    """
    if not isinstance(got, torch.Tensor):
        raise AssertionError(f"{what}: expected a torch.Tensor, got {type(got).__name__}")
    if tuple(got.shape) != tuple(expected.shape):
        raise AssertionError(f"{what}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}")
    if rtol is None or atol is None:
        tight = expected.dtype == torch.float64
        rtol = rtol if rtol is not None else (1e-7 if tight else 1e-4)
        atol = atol if atol is not None else (1e-9 if tight else 1e-5)
    g = got.detach().to(torch.float64).cpu()
    e = expected.detach().to(torch.float64).cpu()
    bad = ~torch.isclose(g, e, rtol=rtol, atol=atol)
    if bad.any():
        diff = (g - e).abs().nan_to_num(float("inf")) * bad
        index = tuple(int(i) for i in torch.nonzero(diff == diff.max())[0])
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.numel()} values differ; at index {index} expected "
            f"{e[index].item():.6g}, got {g[index].item():.6g} (rtol={rtol:g}, atol={atol:g})"
        )


def _student_function(module: str, name: str):
    """`module.name` where the student's code runs, looked up once per judged connection."""
    conn = _session()
    if conn is None:
        return getattr(importlib.import_module(module), name)
    found = vars(conn).setdefault("llmt_student_functions", {})  # lives and dies with the connection
    if (module, name) not in found:
        found[module, name] = getattr(student_module(module), name)
    return found[module, name]


def student_copies(*values) -> list:
    """Copies of `values` (tensors, arrays, lists) made where the student's code runs (proxies there
    when judged), for a check that must see what the student's code does to its inputs in place:
    values passed by value arrive as copies whose changes nobody sees. Pass the copies to the
    student's code, then call `assert_left_unchanged`."""
    deepcopy = _student_function("copy", "deepcopy")
    if not wire.is_proxy(deepcopy):  # not judged: this process is where the student's code runs
        return [deepcopy(v) for v in values]
    return [wire.remote(deepcopy)(v).proxy for v in values]


def _same(a, b) -> bool:
    if isinstance(b, torch.Tensor):
        return isinstance(a, torch.Tensor) and torch.equal(a, b)
    if isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b))
    return a == b


def assert_left_unchanged(copies: list, originals: list, names: list[str]) -> None:
    """The student's code left `copies` (from `student_copies(*originals)`) equal to `originals`;
    their values come back in one call."""
    for before, after, name in zip(originals, _student_function("builtins", "list")(copies), names):
        if not _same(after, before):
            raise AssertionError(f"your function modified its input `{name}` in place; leave inputs unchanged")


def expect_value_error(call: Callable[[], object], what: str) -> None:
    """`call()` (the student's code on an invalid input, `what`) raises ValueError.

    Anything else fails, naming `what`: another exception (a guard of the check inside `call`
    included), or nothing raised at all.
    """
    __tracebackhide__ = True
    try:
        call()
    except ValueError:
        return
    except Exception as exc:  # the student's code may raise anything
        raise AssertionError(f"{what}: expected ValueError, got {type(exc).__name__}: {exc}") from None
    raise AssertionError(f"{what}: expected ValueError, nothing was raised")


def load_weights(module: torch.nn.Module, state: dict[str, torch.Tensor], what: str) -> None:
    """Copy `state` (a reference module's state_dict) into the student's `module` by parameter name.

    The names and shapes are the assignment's contract; extra entries of the student's module (a
    buffer of their own, say) are left alone.
    """
    __tracebackhide__ = True
    own = module.state_dict()
    missing = [k for k in state if k not in own]
    if missing:
        raise AssertionError(f"{what} has no parameter {missing[0]!r} (expected the names {sorted(state)})")
    for k, v in state.items():
        if tuple(own[k].shape) != tuple(v.shape):
            raise AssertionError(f"{what}: parameter {k!r} has shape {tuple(own[k].shape)}, expected {tuple(v.shape)}")
    module.load_state_dict(state, strict=False)


@contextlib.contextmanager
def quiet_libraries():
    """Keep library warnings (transformers' logging, Python warnings) out of the graded cell's output
    for the duration, here and, when judged, where the student's code runs: nbgrader gives no points
    to a grade cell that writes to stderr."""
    import warnings

    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        with warnings.catch_warnings(), _student_side(_student_quiet):
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(level)


@contextlib.contextmanager
def _student_quiet():
    hf_logging, warnings = student_module("transformers.utils.logging"), student_module("warnings")
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(level)
