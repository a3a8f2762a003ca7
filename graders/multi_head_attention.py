"""Hidden checks of 3_3_transformer_impl_multi_head_attention.

Oracles: the reference (solutions/multi_head_attention.py) with the same weights; torch's
`nn.MultiheadAttention` with the same weights mapped onto its in_proj/out_proj and a causal mask;
the reference `AttentionHead` of 3.2, which one head must equal; causality.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from hypothesis import given
from hypothesis import strategies as st

from solutions import multi_head_attention as reference
from solutions import transformer_block as block_reference

from .judge import judged
from .properties import assert_tensor_close, expect_value_error, grading, run_property
from .transformer_block import assert_causal, inputs, output, randomize, twin


class Problem(NamedTuple):
    """B sequences of T vectors of size E = H * D, split into H heads of size D."""

    B: int
    T: int
    H: int
    D: int
    seed: int

    @property
    def E(self) -> int:
        return self.H * self.D


def problems(max_heads: int = 4):
    return st.builds(Problem, B=st.integers(1, 3), T=st.integers(1, 7), H=st.integers(1, max_heads),
                     D=st.integers(1, 5), seed=st.integers(0, 2**16))


@judged
def check_split_merge_heads(split_heads, merge_heads) -> None:
    """Part 1: split_heads (B, T, E) -> (B, H, T, D) and merge_heads back."""
    __tracebackhide__ = True

    @grading(60)
    @given(problems())
    def matches_reference(problem):
        x = inputs(problem)
        where = f"x of shape {tuple(x.shape)}, num_heads={problem.H}"
        split = split_heads(x, problem.H)
        assert_tensor_close(split, reference.split_heads(x, problem.H), what=f"split_heads({where})")
        heads = reference.split_heads(x, problem.H)
        assert_tensor_close(merge_heads(heads), reference.merge_heads(heads), what=f"merge_heads of heads of shape {tuple(heads.shape)}")
        assert_tensor_close(merge_heads(split_heads(x, problem.H)), x, what=f"merge_heads(split_heads({where})) must give x back")

    run_property("split_heads and merge_heads vs the reference", matches_reference)
    expect_value_error(lambda: split_heads(torch.randn(1, 2, 6), 4), "split_heads of E=6 into 4 heads")


def _torch_mha(mha: torch.nn.Module, E: int, H: int) -> torch.nn.MultiheadAttention:
    """torch's nn.MultiheadAttention holding `mha`'s weights (q, k, v stacked into in_proj)."""
    t = torch.nn.MultiheadAttention(E, H, batch_first=True)
    with torch.no_grad():
        t.in_proj_weight.copy_(torch.cat([mha.q_proj.weight, mha.k_proj.weight, mha.v_proj.weight]))
        t.in_proj_bias.copy_(torch.cat([mha.q_proj.bias, mha.k_proj.bias, mha.v_proj.bias]))
        t.out_proj.weight.copy_(mha.o_proj.weight)
        t.out_proj.bias.copy_(mha.o_proj.bias)
    return t.eval()


@judged
def check_multi_head_attention(MultiHeadAttention) -> None:
    """Part 2: MultiHeadAttention(E, H) vs the reference, torch's nn.MultiheadAttention and AttentionHead."""
    __tracebackhide__ = True

    def make(problem):
        ref = randomize(reference.MultiHeadAttention(problem.E, problem.H), problem.seed)
        mha = twin(lambda: MultiHeadAttention(problem.E, problem.H), ref, f"MultiHeadAttention({problem.E}, {problem.H})")
        return ref, mha

    @grading(50)
    @given(problems())
    def matches_reference_and_torch(problem):
        ref, mha = make(problem)
        x = inputs(problem)
        got = output(mha, x, "MultiHeadAttention")
        what = f"MultiHeadAttention({problem.E}, {problem.H}) on x of shape {tuple(x.shape)}"
        assert_tensor_close(got, ref(x).detach(), what=what)
        causal_mask = torch.ones(problem.T, problem.T, dtype=torch.bool).triu(1)  # True = may not attend
        expected, _ = _torch_mha(ref, problem.E, problem.H)(x, x, x, attn_mask=causal_mask, need_weights=False)
        assert_tensor_close(got, expected.detach(), what=f"{what}, compared with torch's nn.MultiheadAttention")

    @grading(25)
    @given(problems(max_heads=1))
    def one_head_is_an_attention_head(problem):
        head = randomize(block_reference.AttentionHead(problem.E), problem.seed)
        mha = twin(lambda: MultiHeadAttention(problem.E, 1), head, f"MultiHeadAttention({problem.E}, 1)")
        x = inputs(problem)
        assert_tensor_close(output(mha, x, "MultiHeadAttention"), head(x).detach(),
                            what=f"MultiHeadAttention({problem.E}, 1) must equal AttentionHead({problem.E}) with the same weights")

    @grading(25)
    @given(problems(), st.data())
    def causal(problem, data):
        _, mha = make(problem)
        assert_causal(mha, problem, data, "MultiHeadAttention")

    run_property("MultiHeadAttention vs the reference and torch", matches_reference_and_torch)
    run_property("MultiHeadAttention with one head", one_head_is_an_attention_head)
    run_property("MultiHeadAttention must be causal", causal)
    expect_value_error(lambda: MultiHeadAttention(10, 4), "MultiHeadAttention(10, 4): 10 is not divisible by 4")
