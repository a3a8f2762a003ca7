"""Hidden checks of 5_4_fine_tuning_gradient_clipping_and_lr_scheduler.

Oracles: `torch.nn.utils.clip_grad_norm_` for clipping (on copies of the same gradients), and
Hugging Face's `get_linear_schedule_with_warmup` / `get_cosine_schedule_with_warmup` stepped through
a dummy optimizer with learning rate 1 for the schedules. The student's functions may not call the
oracles (nor anything else of torch.nn.utils' clipping or transformers' schedules): graders/forbidden.py
lists them, and every call of the student's functions is watched for them.

The student's clip_grad_norm changes gradients in place, so the parameters it gets are built where
the student's code runs (`student_module("torch")`) and their gradients read back afterwards.

Gradients are drawn with entries of magnitude at least half their scale, so the 1e-6 that torch
adds to the norm changes the factor by far less than the tolerance.

The edge cases each part probes are listed in `EDGES` and stated in the notebook; the invalid
arguments (`max_norm <= 0`, a negative step or warmup, `total_steps < 1`, warmup longer than the run)
are graded apart, in `check_input_checks` (graders/contract.py), and no computation part tries them.
Hands out: parameters built where the student's code runs, with gradients copied there by value (and
read back); steps and counts by value; nothing of the judge's own.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import transformers.optimization as hf_optimization
from hypothesis import given
from hypothesis import strategies as st

from solutions import clipping_schedulers as reference

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import assert_tensor_close, grading, run_property, student_module
from .wire import remote


_SCHEDULE_EDGES = (Edge("`warmup_steps = 0`, `warmup_steps = total_steps` and `total_steps = 1`"),
                   Edge("every step from 0 to `total_steps`, both included"))
#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_clip_grad_norm": (
        Edge("parameters without a gradient, and no gradient at all (the result is `torch.tensor(0.0)`)"),
        Edge("0-dimensional parameters"),
        Edge("float32 and float64 gradients"),
        Edge("`norm_type` 1, 2 and `math.inf`"),
        Edge("`max_norm` from `1e-4` (almost everything clipped) to `1e6` (nothing clipped)"),
        Edge("a single tensor instead of an iterable, and an iterator that can be read only once"),
    ),
    "check_linear_warmup_lambda": _SCHEDULE_EDGES,
    "check_cosine_warmup_lambda": (*_SCHEDULE_EDGES, Edge("`num_cycles` of 0.25, 0.5 (also by default), 1.0 and 1.5")),
}


# ------------------------------------------------------------------------------------- clipping

class Gradients(NamedTuple):
    """Parameters of these shapes; None marks a parameter without a gradient."""

    shapes: tuple
    scale: float
    dtype: torch.dtype
    seed: int


def gradients():
    shape = st.lists(st.integers(1, 5), max_size=2).map(tuple)
    return st.builds(
        Gradients,
        shapes=st.lists(st.one_of(shape, st.none()), min_size=1, max_size=4).map(tuple),
        scale=st.sampled_from([0.5, 1.0, 30.0, 1e3]),
        dtype=st.sampled_from([torch.float32, torch.float64]),
        seed=st.integers(0, 2**16),
    )


def make_parameters(problem: Gradients) -> list[torch.nn.Parameter]:
    """Parameters (values and gradients drawn from the seed); a None shape gives a 3-vector without grad."""
    g = torch.Generator().manual_seed(problem.seed)
    params = []
    for shape in problem.shapes:
        p = torch.nn.Parameter(torch.randn(shape if shape is not None else (3,), generator=g, dtype=problem.dtype))
        if shape is not None:
            magnitude = 0.5 + torch.rand(shape, generator=g, dtype=problem.dtype)
            sign = torch.where(torch.rand(shape, generator=g) < 0.5, -1.0, 1.0).to(problem.dtype)
            p.grad = magnitude * sign * problem.scale
        params.append(p)
    return params


def _student_parameters(params):
    """Parameters with the values and gradients of `params`, built where the student's code runs
    (it clips their gradients in place there; read them back with `.grad`)."""
    make = remote(student_module("torch").nn.Parameter)
    out = []
    for p in params:
        q = make(p.detach()).proxy
        if p.grad is not None:
            q.grad = p.grad
        out.append(q)
    return out


def _one_pass(params):
    """An iterator over `params` where the student's code runs: it can be read only once."""
    return remote(student_module("builtins").iter)(params).proxy


MAX_NORMS = [1e-4, 0.1, 1.0, 7.5, 1e6]
NORM_TYPES = [2.0, math.inf, 1.0]


@judged
def check_clip_grad_norm(clip_grad_norm) -> None:
    """Part 1: clip_grad_norm against torch.nn.utils.clip_grad_norm_."""
    __tracebackhide__ = True

    @grading(80)
    @given(gradients(), st.sampled_from(MAX_NORMS), st.sampled_from(NORM_TYPES))
    def matches_torch(problem, max_norm, norm_type):
        expected = make_parameters(problem)
        params = _student_parameters(expected)
        values = [p.detach().clone() for p in expected]
        expected_norm = torch.nn.utils.clip_grad_norm_(expected, max_norm, norm_type=norm_type)
        where = f"max_norm={max_norm:g}, norm_type={norm_type}"
        # the gradient tensors themselves, where they live: clipping must change them in place
        originals = [remote(q).grad.proxy if e.grad is not None else None for q, e in zip(params, expected)]
        got = clip_grad_norm(_one_pass(params), max_norm, norm_type=norm_type)
        if not isinstance(got, torch.Tensor) or got.numel() != 1:
            raise AssertionError(f"{where}: return the total norm before clipping as a 0-dimensional tensor, got {got!r}")
        assert_tensor_close(got.reshape(()), expected_norm, what=f"total norm returned ({where}): it must be the norm BEFORE clipping")
        for i, (p, e, v) in enumerate(zip(params, expected, values)):
            grad = p.grad
            if e.grad is None:
                if grad is not None:
                    raise AssertionError(f"parameter {i} had no gradient: its grad must stay None, got a tensor")
                continue
            if grad is None:
                raise AssertionError(f"parameter {i}: its gradient disappeared (clip it in place)")
            assert_tensor_close(grad, e.grad, what=f"gradient of parameter {i} after clipping ({where})")
            try:
                assert_tensor_close(originals[i].detach(), e.grad, what="")
            except AssertionError:
                raise AssertionError(
                    f"parameter {i} ({where}): the tensor that was its .grad before the call still holds the unclipped "
                    "gradient; scale the gradients in place (p.grad.mul_(factor)) instead of assigning a new tensor "
                    "to p.grad") from None
            if not torch.equal(p.detach(), v):
                raise AssertionError(f"parameter {i}: clipping changed the parameter's values; change only its .grad")

    @grading(20)
    @given(gradients(), st.sampled_from(NORM_TYPES))
    def accepts_a_single_tensor(problem, norm_type):
        expected = [p for p in make_parameters(problem) if p.grad is not None][:1]
        if not expected:
            return
        params = _student_parameters(expected)
        expected_norm = torch.nn.utils.clip_grad_norm_(expected[0], 0.1, norm_type=norm_type)
        got = clip_grad_norm(params[0], 0.1, norm_type=norm_type)
        assert_tensor_close(torch.as_tensor(got).reshape(()), expected_norm, what="total norm for a single tensor")
        assert_tensor_close(params[0].grad, expected[0].grad, what="gradient of a single tensor after clipping")

    run_property("clip_grad_norm vs torch.nn.utils.clip_grad_norm_", matches_torch)
    run_property("clip_grad_norm given one tensor", accepts_a_single_tensor)

    nothing = _student_parameters([torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(2))])
    got = clip_grad_norm(_one_pass(nothing), 1.0)
    if not isinstance(got, torch.Tensor) or got.numel() != 1 or got.item() != 0.0:
        raise AssertionError(f"with no gradients at all, return torch.tensor(0.0), got {got!r}")


# ------------------------------------------------------------------------------------ schedules

def schedule_problems():
    """(warmup_steps, total_steps) with warmup <= total, including 0, 1 and warmup == total."""
    return st.integers(1, 60).flatmap(lambda total: st.tuples(st.integers(0, total), st.just(total)))


def oracle_factors(make_scheduler, total_steps: int) -> list[float]:
    """The factors a transformers scheduler gives at steps 0..total_steps (base learning rate 1)."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = make_scheduler(optimizer)
    factors = []
    for _ in range(total_steps + 1):
        factors.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return factors


def _number(got, what):
    try:
        return float(got)
    except Exception:
        raise AssertionError(f"{what}: expected a float, got {type(got).__name__} {got!r}") from None


def _agrees_at_every_step(fn, args_of, expected, reference_fn, what):
    __tracebackhide__ = True
    for step, e in enumerate(expected):
        args, kwargs = args_of(step)
        got = _number(fn(*args, **kwargs), f"{what} at step {step}")
        ref = reference_fn(*args, **kwargs)
        if not math.isclose(ref, e, rel_tol=1e-9, abs_tol=1e-12):  # the reference must agree too
            raise RuntimeError(f"reference disagrees with transformers at step {step}: {ref} vs {e}")
        if not math.isclose(got, e, rel_tol=1e-9, abs_tol=1e-9):
            raise AssertionError(f"{what}: at step {step} expected {e:.10g}, got {got:.10g}")


@judged
def check_linear_warmup_lambda(linear_warmup_lambda) -> None:
    """Part 2: linear warmup then linear decay, vs get_linear_schedule_with_warmup at every step."""
    __tracebackhide__ = True

    @grading(80)
    @given(schedule_problems())
    def matches_transformers(pair):
        warmup, total = pair
        expected = oracle_factors(lambda o: hf_optimization.get_linear_schedule_with_warmup(o, warmup, total), total)
        _agrees_at_every_step(linear_warmup_lambda, lambda s: ((s, warmup, total), {}), expected,
                              reference.linear_warmup_lambda, f"linear_warmup_lambda(step, warmup_steps={warmup}, total_steps={total})")

    run_property("linear_warmup_lambda vs transformers' get_linear_schedule_with_warmup", matches_transformers)


@judged
def check_cosine_warmup_lambda(cosine_warmup_lambda) -> None:
    """Part 3: linear warmup then cosine decay, vs get_cosine_schedule_with_warmup at every step."""
    __tracebackhide__ = True

    @grading(80)
    @given(schedule_problems(), st.sampled_from([0.5, 0.5, 0.25, 1.0, 1.5]))
    def matches_transformers(pair, num_cycles):
        warmup, total = pair
        expected = oracle_factors(
            lambda o: hf_optimization.get_cosine_schedule_with_warmup(o, warmup, total, num_cycles=num_cycles), total)
        if num_cycles == 0.5:  # also through the default argument
            args_of = lambda s: ((s, warmup, total), {})  # noqa: E731
        else:
            args_of = lambda s: ((s, warmup, total), {"num_cycles": num_cycles})  # noqa: E731
        _agrees_at_every_step(cosine_warmup_lambda, args_of, expected, reference.cosine_warmup_lambda,
                              f"cosine_warmup_lambda(step, warmup_steps={warmup}, total_steps={total}, num_cycles={num_cycles})")

    run_property("cosine_warmup_lambda vs transformers' get_cosine_schedule_with_warmup", matches_transformers)


# --------------------------------------------------------------------------------- input checks

def _with_gradient():
    """[a parameter of two ones whose gradient is two ones], built where the student's code runs."""
    p = torch.nn.Parameter(torch.ones(2))
    p.grad = torch.ones(2)
    return _student_parameters([p])


#: (arguments, what is wrong with them) of the schedules, tried on both
BAD_SCHEDULES = [((-1, 2, 6), "a negative `step`"), ((0, -1, 6), "a negative `warmup_steps`"),
                 ((0, 7, 6), "`warmup_steps > total_steps`"), ((0, 0, 0), "`total_steps < 1`")]

#: the invalid calls Task 4 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`clip_grad_norm(params, 0.0)`: `max_norm = 0` raises `ValueError`",
               lambda f: f["clip_grad_norm"](_with_gradient(), 0.0)),
    InputCheck("`clip_grad_norm(params, -1.0)`: a negative `max_norm` raises `ValueError`",
               lambda f: f["clip_grad_norm"](_with_gradient(), -1.0)),
    *(InputCheck(f"`{name}({', '.join(map(str, args))})`: {what} raises `ValueError`",
                 lambda f, name=name, args=args: f[name](*args))
      for name in ("linear_warmup_lambda", "cosine_warmup_lambda") for args, what in BAD_SCHEDULES),
)


@judged
def check_input_checks(clip_grad_norm, linear_warmup_lambda, cosine_warmup_lambda) -> None:
    """Part 4: the ValueErrors of Tasks 1 to 3, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, clip_grad_norm=clip_grad_norm, linear_warmup_lambda=linear_warmup_lambda,
                     cosine_warmup_lambda=cosine_warmup_lambda)
