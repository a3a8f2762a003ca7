"""Hidden checks of 3_1_transformer_impl_attention_qkv (scaled dot-product attention).

The oracle is torch's own `F.scaled_dot_product_attention`; the attention weights are torch's SDPA
applied to an identity matrix of values. The student's functions may not call torch's SDPA
(graders/forbidden.py).
Inputs: batch dims of any length (the same for query, key and value), L != S, head sizes E != Ev,
float32 and float64. Masks are boolean (True = attend) or float (added to the scores) and always
let at least one key through per row: a fully masked row is outside the contract. The shape checks
(ValueError) are graded apart, in `check_input_checks` (graders/contract.py).
Hands out: nothing of the judge's; inputs cross by value, copies are made where the student's code runs.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from solutions import attention as reference

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import assert_left_unchanged, assert_tensor_close, grading, run_property, student_copies


class Problem(NamedTuple):
    """A small attention problem; hypothesis prints it by field when a check fails."""

    batch: tuple[int, ...]
    L: int
    S: int
    E: int
    Ev: int
    dtype: torch.dtype
    seed: int


def problems(same_length: bool = False):
    """Attention problems drawn so that they shrink to the smallest failing shapes."""
    length = st.integers(1, 7)
    return st.builds(
        Problem,
        batch=st.lists(st.integers(1, 3), max_size=2).map(tuple),
        L=length,
        S=st.just(None) if same_length else length,
        E=st.integers(1, 9),
        Ev=st.integers(1, 9),
        dtype=st.sampled_from([torch.float32, torch.float64]),
        seed=st.integers(0, 2**16),
    ).map(lambda p: p._replace(S=p.L) if p.S is None else p)


_SHAPES = (Edge("a single query or key (L = 1 or S = 1) and E = 1"), Edge("no batch dimensions at all, or up to two"),
           Edge("float32 and float64"))
#: check -> the edge cases its properties draw (graders/contract.py); the notebook states each
EDGES = {
    "check_attention_weights": (*_SHAPES, Edge("scores as large as 10^4")),
    "check_scaled_dot_product_attention": (*_SHAPES, Edge("scores as large as 10^4")),
    "check_masks": (*_SHAPES, Edge("zeros, finite values and $-\\infty$ entries"),
                    Edge("`is_causal=True` with L different from S"),
                    Edge("Every row of a mask lets at least one key through: a fully masked row is never tried")),
}


def make_qkv(batch, L, S, E, Ev, dtype, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(*batch, L, E, generator=g, dtype=dtype) * scale
    k = torch.randn(*batch, S, E, generator=g, dtype=dtype) * scale
    v = torch.randn(*batch, S, Ev, generator=g, dtype=dtype)
    return q, k, v


def make_mask(batch, L, S, dtype, seed, kind: str, broadcast: bool):
    """A boolean or additive float mask of shape (*batch, L, S), or (L, S) when `broadcast`.

    Every row keeps at least one key. Float masks mix zeros, finite values and -inf, so treating
    one as boolean, or ignoring it, changes the result.
    """
    g = torch.Generator().manual_seed(seed + 1)
    shape = (L, S) if broadcast or not batch else (*batch, L, S)
    keep = torch.rand(shape, generator=g) < 0.6
    forced = torch.randint(0, S, shape[:-1], generator=g)
    keep.scatter_(-1, forced.unsqueeze(-1), True)
    if kind == "bool":
        return keep
    values = torch.randn(shape, generator=g, dtype=dtype) * 2
    values = torch.where(torch.rand(shape, generator=g) < 0.3, torch.zeros((), dtype=dtype), values)
    return values.masked_fill(~keep, float("-inf"))


def oracle_weights(q, k, attn_mask=None, is_causal=False):
    eye = torch.eye(k.size(-2), dtype=q.dtype).expand(*k.shape[:-1], k.size(-2))
    return F.scaled_dot_product_attention(q, k, eye, attn_mask=attn_mask, is_causal=is_causal)


def _agrees(fn, inputs: dict, expected: list, what: str, **options) -> None:
    """Call the student's `fn` on `inputs`, check it left them unchanged and returned `expected`."""
    there = student_copies(*inputs.values())  # where the student's code can change them, and we can look
    got = fn(*there, **options)
    assert_left_unchanged(there, list(inputs.values()), list(inputs))
    for e in expected:
        assert_tensor_close(got, e, what=what)
    return got


@judged
def check_attention_weights(attention_weights) -> None:
    """Part 1: softmax(Q K^T / sqrt(E)) without masks."""
    __tracebackhide__ = True  # a failure shows the student's cell and the message, not grader code

    @grading()
    @given(problems())
    def matches_torch(problem):
        q, k, _ = make_qkv(*problem)
        _agrees(attention_weights, {"query": q, "key": k}, [reference.attention_weights(q, k), oracle_weights(q, k)],
                what=f"weights for query {tuple(q.shape)}, key {tuple(k.shape)}")

    @grading(30)
    @given(problems(), st.sampled_from([1e2, 1e4]))
    def large_logits(problem, scale):
        q, k, _ = make_qkv(*problem, scale=scale)
        w = attention_weights(q, k)
        if not torch.isfinite(w).all():
            raise AssertionError(f"weights are not finite for scores of size {scale:g}: subtract the row max before exp (or use torch.softmax)")
        assert_tensor_close(w.sum(-1), torch.ones(w.shape[:-1], dtype=q.dtype), what="rows of the weights must sum to 1", atol=1e-4, rtol=0)

    run_property("attention_weights vs torch", matches_torch)
    run_property("attention_weights with large scores", large_logits)


@judged
def check_scaled_dot_product_attention(scaled_dot_product_attention) -> None:
    """Part 2: softmax(Q K^T / sqrt(E)) V without masks, torch's shapes."""
    __tracebackhide__ = True  # a failure shows the student's cell and the message, not grader code

    @grading()
    @given(problems())
    def matches_torch(problem):
        q, k, v = make_qkv(*problem)
        expected = [reference.scaled_dot_product_attention(q, k, v), F.scaled_dot_product_attention(q, k, v)]
        what = f"output for query {tuple(q.shape)}, key {tuple(k.shape)}, value {tuple(v.shape)}"
        got = _agrees(scaled_dot_product_attention, {"query": q, "key": k, "value": v}, expected, what=what)
        if got.dtype != q.dtype:  # torch's SDPA, whose semantics the notebook asks for, keeps its inputs' dtype
            raise AssertionError(f"{what}: inputs of dtype {q.dtype} must give an output of dtype {q.dtype} "
                                 f"(as F.scaled_dot_product_attention does), got {got.dtype}")

    @grading(30)
    @given(problems(), st.sampled_from([1e2, 1e4]))
    def large_logits(problem, scale):
        q, k, v = make_qkv(*problem, scale=scale)
        out = scaled_dot_product_attention(q, k, v)
        if not torch.isfinite(out).all():
            raise AssertionError(f"output is not finite for scores of size {scale:g}: subtract the row max before exp (or use torch.softmax)")
        low = v.min(dim=-2, keepdim=True).values - 1e-4
        high = v.max(dim=-2, keepdim=True).values + 1e-4
        if not ((out >= low) & (out <= high)).all():
            raise AssertionError("each output row must be a weighted average of the value rows (within their min and max)")

    run_property("scaled_dot_product_attention vs torch", matches_torch)
    run_property("scaled_dot_product_attention with large scores", large_logits)


@judged
def check_masks(scaled_dot_product_attention, attention_weights) -> None:
    """Part 3: boolean and float `attn_mask` (full or broadcast over the batch) and `is_causal`."""
    __tracebackhide__ = True  # a failure shows the student's cell and the message, not grader code

    @grading(150)
    @given(problems(), st.sampled_from(["bool", "float"]), st.booleans())
    def masked_matches_torch(problem, kind, broadcast):
        batch, L, S, E, Ev, dtype, seed = problem
        q, k, v = make_qkv(*problem)
        mask = make_mask(batch, L, S, dtype, seed, kind, broadcast)
        where = f"{kind} attn_mask {tuple(mask.shape)}, query {tuple(q.shape)}, key {tuple(k.shape)}"
        _agrees(scaled_dot_product_attention, {"query": q, "key": k, "value": v, "attn_mask": mask},
                [F.scaled_dot_product_attention(q, k, v, attn_mask=mask)], what=f"output with {where}")
        _agrees(attention_weights, {"query": q, "key": k, "attn_mask": mask},
                [oracle_weights(q, k, attn_mask=mask)], what=f"weights with {where}")

    @grading()
    @given(problems())
    def causal_matches_torch(problem):
        q, k, v = make_qkv(*problem)
        where = f"is_causal=True, query {tuple(q.shape)}, key {tuple(k.shape)}"
        _agrees(scaled_dot_product_attention, {"query": q, "key": k, "value": v},
                [F.scaled_dot_product_attention(q, k, v, is_causal=True)], what=f"output with {where}", is_causal=True)
        _agrees(attention_weights, {"query": q, "key": k}, [oracle_weights(q, k, is_causal=True)],
                what=f"weights with {where}", is_causal=True)

    @grading(50)
    @given(problems(same_length=True), st.data())
    def causal_ignores_the_future(problem, data):
        batch, L, S, E, Ev, dtype, seed = problem
        q, k, v = make_qkv(*problem)
        m = data.draw(st.integers(1, L), label="first changed position")
        k2, v2 = k.clone(), v.clone()
        k2[..., m:, :] += 3.0
        v2[..., m:, :] -= 3.0
        a = scaled_dot_product_attention(q, k, v, is_causal=True)
        b = scaled_dot_product_attention(q, k2, v2, is_causal=True)
        assert_tensor_close(b[..., :m, :], a[..., :m, :], what=f"with is_causal=True, changing keys and values from position {m} on changed outputs before {m}")

    run_property("attention with attn_mask", masked_matches_torch)
    run_property("attention with is_causal", causal_matches_torch)
    run_property("causal attention must not look ahead", causal_ignores_the_future)


_Q, _K, _V = (torch.ones(2, 4), torch.ones(3, 4), torch.ones(3, 5))
#: the invalid calls Task 4 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`attention_weights` with `query` and `key` of different sizes E raises `ValueError`",
               lambda f: f["attention_weights"](_Q, _K[:, :3])),
    InputCheck("`scaled_dot_product_attention` with `query` and `key` of different sizes E raises `ValueError`",
               lambda f: f["scaled_dot_product_attention"](_Q, _K[:, :3], _V)),
    InputCheck("`scaled_dot_product_attention` with `key` and `value` of different numbers of positions S raises `ValueError`",
               lambda f: f["scaled_dot_product_attention"](_Q, _K, _V[:2])),
)


@judged
def check_input_checks(attention_weights, scaled_dot_product_attention) -> None:
    """Part 4: the shape checks of Tasks 1 and 2 (ValueError), graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, attention_weights=attention_weights,
                     scaled_dot_product_attention=scaled_dot_product_attention)
