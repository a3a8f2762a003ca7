"""Hidden checks of 3_3_transformer_impl_multi_head_attention.

Oracles: the reference (solutions/multi_head_attention.py) with the same weights; torch's
`nn.MultiheadAttention` with the same weights mapped onto its in_proj/out_proj and a causal mask;
the reference `AttentionHead` of 3.2, which one head must equal; causality; with `dropout` p > 0,
the reference without dropout in eval mode, and in training mode, on one token with o_proj the
identity, each head's output either 0 or v / (1 - p) (its one attention weight dropped or kept),
under torch.manual_seed in the student's kernel (graders/properties.py `manual_seed`).
The edge cases the parts probe are listed in `EDGES` and stated in the notebook; the ValueErrors (a
size not divisible into heads, no heads, a negative size) are graded apart, in `check_input_checks`
(graders/contract.py), and no computation part tries them.
Hands out: nothing of the judge's; tensors and state dicts cross by value.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from hypothesis import given
from hypothesis import strategies as st

from solutions import multi_head_attention as reference
from solutions import transformer_block as block_reference

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import assert_tensor_close, grading, manual_seed, run_property
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


_SHAPES = (Edge("batches of 1 to 3 sequences of 1 to 7 tokens, a single token (T = 1) included"),
           Edge("1 to 4 heads of sizes D = 1 to 5, a head size of 1 included"))
#: check -> the edge cases its properties draw (graders/contract.py); the notebook states each
EDGES = {
    "check_split_merge_heads": _SHAPES,
    "check_multi_head_attention": (*_SHAPES, Edge("a single head, which must equal 3.2's `AttentionHead`")),
}


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

    def make_dropout(problem, p, identity_output=False):
        """The student's MultiHeadAttention(E, H, dropout=p) with the reference's random weights
        (o_proj the identity when `identity_output`), and that reference, which has no dropout."""
        ref = randomize(reference.MultiHeadAttention(problem.E, problem.H), problem.seed)
        if identity_output:
            with torch.no_grad():
                ref.o_proj.weight.copy_(torch.eye(problem.E))
                ref.o_proj.bias.zero_()
        mha = twin(lambda: MultiHeadAttention(problem.E, problem.H, dropout=p), ref,
                   f"MultiHeadAttention({problem.E}, {problem.H}, dropout={p})")
        return ref, mha

    @grading(15)
    @given(problems(), st.sampled_from([0.3, 0.6]))
    def no_dropout_in_eval_mode(problem, p):
        ref, mha = make_dropout(problem, p)
        x = inputs(problem)
        assert_tensor_close(output(mha, x, "MultiHeadAttention"), ref(x).detach(),
                            what=f"MultiHeadAttention({problem.E}, {problem.H}, dropout={p}) in eval mode on x of shape "
                                 f"{tuple(x.shape)} vs the same weights without dropout: dropout must not act in eval mode")

    def dropout_on_the_attention_weights_while_training():
        # one token: its single attention weight per head is dropped (0) or kept (1 / (1 - p)), so
        # with o_proj the identity each head's D outputs are all 0 or all v_proj(x) / (1 - p)
        problem, p = Problem(B=8, T=1, H=4, D=3, seed=7), 0.5
        ref, mha = make_dropout(problem, p, identity_output=True)
        x = inputs(problem)
        with torch.no_grad():
            v = ref.v_proj(x).view(problem.B, problem.H, problem.D) / (1 - p)
        what = (f"MultiHeadAttention({problem.E}, {problem.H}, dropout={p}) in training mode, on one token "
                f"(x of shape {tuple(x.shape)}) with o_proj the identity")
        masks = []
        mha.train()
        for seed in (11, 12):
            manual_seed(seed)
            got = output(mha, x, "MultiHeadAttention").view(problem.B, problem.H, problem.D)
            tol = 1e-5 + 1e-4 * v.abs()
            kept = ((got - v).abs() <= tol).all(-1)
            dropped = (got.abs() <= 1e-6).all(-1)
            if not bool((kept | dropped).all()):
                b, h = (int(i) for i in (~(kept | dropped)).nonzero()[0])
                raise AssertionError(
                    f"{what}: head {h} of sequence {b} gave {got[b, h].tolist()}; dropout on the attention weights (dropout_p "
                    f"of F.scaled_dot_product_attention) makes it all 0 or v / (1 - p) = {v[b, h].tolist()}")
            if bool(kept.all()):
                raise AssertionError(f"{what}: no attention weight was dropped in {kept.numel()} heads; pass "
                                     "dropout_p=dropout to F.scaled_dot_product_attention while self.training")
            masks.append(kept)
        mha.eval()
        if bool((masks[0] == masks[1]).all()):
            raise AssertionError(f"{what}: two calls after different torch.manual_seed dropped the same heads: dropout must be random")

    run_property("MultiHeadAttention vs the reference and torch", matches_reference_and_torch)
    run_property("MultiHeadAttention with one head", one_head_is_an_attention_head)
    run_property("MultiHeadAttention must be causal", causal)
    run_property("MultiHeadAttention with dropout, in eval mode", no_dropout_in_eval_mode)
    run_property("MultiHeadAttention with dropout, in training mode", dropout_on_the_attention_weights_while_training)


_X = torch.arange(12, dtype=torch.float32).view(1, 2, 6)
#: the invalid calls Task 3 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`split_heads(x, 4)` with `x` of shape `(1, 2, 6)`: E = 6 is not divisible by 4, raises `ValueError`",
               lambda f: f["split_heads"](_X, 4)),
    InputCheck("`split_heads(x, 0)` with `x` of shape `(1, 2, 6)`: no heads, raises `ValueError`",
               lambda f: f["split_heads"](_X, 0)),
    InputCheck("`MultiHeadAttention(10, 4)`: 10 is not divisible by 4, raises `ValueError`",
               lambda f: f["MultiHeadAttention"](10, 4)),
    InputCheck("`MultiHeadAttention(8, 0)`: no heads, raises `ValueError`",
               lambda f: f["MultiHeadAttention"](8, 0)),
    InputCheck("`MultiHeadAttention(-4, 2)`: a negative `embedding_dim`, raises `ValueError`",
               lambda f: f["MultiHeadAttention"](-4, 2)),
)


@judged
def check_input_checks(split_heads, MultiHeadAttention) -> None:
    """Part 3: the ValueErrors of Tasks 1 and 2, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, split_heads=split_heads, MultiHeadAttention=MultiHeadAttention)
