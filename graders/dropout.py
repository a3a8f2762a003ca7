"""Hidden checks of 4_2_pre_training_dropout (inverted dropout by hand, wired into the GPT of 3.4).

Oracles: the definition of inverted dropout (every value either 0 or x / (1 - p), about a fraction p
zeroed, independently, the mean kept), binomial bounds on the fractions; 3.3's MultiHeadAttention
and 3.4's GPT without dropout (solutions/) with the same weights, which the student's code must
equal whenever dropout is off. Where dropout sits in the GPT is seen from the outside by weights
chosen so that only one place can change the output (see `check_dropout_gpt_training`).

The student's code runs in its own process (graders/judge.py): the tensors, attention modules and
models it gets are built there (`student_module`, `shipped_module`), with weights copied from the
reference's, so that in-place changes and gradients are seen where they happen. `dropout` must not
call torch's dropout (graders/forbidden.py); attention may use SDPA's dropout_p, as the notebook says.

Every statistical bound below is at least 6 standard deviations wide: a correct solution fails one
with probability below 1e-8, and with the fixed seeds grading is deterministic.

The edge cases the parts probe are listed in `EDGES` and stated in the notebook's task text; the
ValueErrors (p outside [0, 1), in training mode or not; more tokens than the context window) are
graded apart, in `check_input_checks` (graders/contract.py), and no computation part tries them.
Hands out: nothing of the judge's; tensors and state dicts cross by value, and the attention modules
and GPT configurations the student's code gets are built where it runs.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from hypothesis import given
from hypothesis import strategies as st

from .contract import Edge, InputCheck, run_input_checks
from .judge import judged
from .properties import (assert_left_unchanged, assert_tensor_close, grading, manual_seed, run_property, shipped_module,
                         student_copies, student_module)
from .wire import remote

SIGMAS = 6

_GPT_LENGTHS = Edge("sequences from a single token up to the whole context window")
#: check -> the edge cases its properties draw or try (graders/contract.py); the notebook states each
EDGES = {
    "check_dropout": (
        Edge("tensors of 1 to 3 dimensions of sizes 1 to 6, a single value included"),
        Edge("float32 and float64 inputs, whose dtype the result keeps"),
        Edge("p from 0.1 to 0.9, in training mode and not"),
        Edge("`p = 0` in training mode (x comes back unchanged)"),
        Edge("the gradient with respect to x, which flows through the kept values only, scaled by 1 / (1 - p)"),
    ),
    "check_attention_with_dropout": (
        Edge("batches of 1 to 3 sequences of 1 to 8 tokens, a single token included"),
        Edge("1, 2 or 4 heads"),
        Edge("`p = 0` in training mode, which must equal `attn(x)`"),
    ),
    "check_dropout_gpt_eval": (_GPT_LENGTHS, Edge("`config.dropout` 0.1, 0.3 and 0.6")),
    "check_dropout_gpt_training": (
        _GPT_LENGTHS,
        Edge("`config.dropout = 0` in training mode, which must equal 3.4's GPT"),
        Edge("weights chosen so that only one of the three places of dropout can change the logits"),
    ),
}


def _fraction_near(count: int, n: int, p: float, what: str) -> None:
    bound = SIGMAS * math.sqrt(p * (1 - p) / n)
    if abs(count / n - p) > bound:
        raise AssertionError(f"{what}: expected a fraction of about {p:.3f} (within {bound:.3f}), got {count / n:.3f} "
                             f"({count} of {n})")


# ----------------------------------------------------------------------------------- dropout

class Drop(NamedTuple):
    shape: tuple[int, ...]
    p: float
    dtype: torch.dtype
    seed: int


def drops():
    return st.builds(Drop, shape=st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple),
                     p=st.sampled_from([0.1, 0.25, 0.5, 0.9]), dtype=st.sampled_from([torch.float32, torch.float64]),
                     seed=st.integers(0, 2**16))


def _call_dropout(dropout, x, p, training):
    """dropout(x, p, training) on a copy of x where the student's code runs; x must stay unchanged."""
    __tracebackhide__ = True
    mine = student_copies(x)[0]
    got = dropout(mine, p, training)
    assert_left_unchanged([mine], [x], ["x"])
    return got


@judged
def check_dropout(dropout) -> None:
    """Part 1: inverted dropout by hand: 0 or x / (1 - p), about p zeroed, mean kept, identity when
    not training or p = 0, reproducible under a seed."""
    __tracebackhide__ = True

    @grading(60)
    @given(drops(), st.booleans())
    def values(d, training):
        g = torch.Generator().manual_seed(d.seed)
        x = torch.randn(d.shape, generator=g, dtype=d.dtype) + 0.1
        what = f"dropout(x of shape {d.shape} {d.dtype}, p={d.p}, training={training})"
        manual_seed(d.seed)
        got = _call_dropout(dropout, x, d.p, training)
        if not isinstance(got, torch.Tensor) or got.shape != x.shape or got.dtype != x.dtype:
            raise AssertionError(f"{what}: expected a tensor of x's shape and dtype, got "
                                 f"{getattr(got, 'shape', type(got).__name__)} {getattr(got, 'dtype', '')}")
        if not training:
            assert_tensor_close(got, x, what=f"{what}: when not training, dropout must return x unchanged", rtol=0, atol=0)
            return
        kept = got != 0
        assert_tensor_close(got[kept], x[kept] / (1 - d.p),
                            what=f"{what}: every kept value must be x / (1 - p) (inverted dropout)")
        manual_seed(d.seed)
        again = _call_dropout(dropout, x, d.p, training)
        if not torch.equal(got, again):
            raise AssertionError(f"{what}: two calls after manual_seed({d.seed}) differ; draw the mask with "
                                 "torch's random functions (torch.rand, torch.bernoulli)")

    run_property("dropout values", values)

    x = torch.randn(4, 5)
    assert_tensor_close(_call_dropout(dropout, x, 0.0, True), x, what="dropout(x, p=0, training=True) must be x",
                        rtol=0, atol=0)

    n = 200_000
    for p in (0.1, 0.5, 0.8):
        x = remote(student_module("torch").ones)(n, dtype=torch.float64, requires_grad=True).proxy
        manual_seed(int(p * 100))
        out = remote(dropout)(x, p, True).proxy
        got = out.detach()
        zero = got == 0
        _fraction_near(int(zero.sum()), n, p, f"dropout(ones({n}), p={p}, training=True): the fraction of zeros")
        pairs = zero.view(-1, 2)
        _fraction_near(int(pairs.all(1).sum()), n // 2, p * p,
                       f"dropout(ones({n}), p={p}, training=True): neighbours both zeroed (each value must be dropped "
                       "independently, so p**2 of the pairs)")
        mean, bound = float(got.mean()), SIGMAS * math.sqrt(p / (1 - p) / n)
        if abs(mean - 1) > bound:
            raise AssertionError(f"dropout(ones({n}), p={p}, training=True): the mean must stay 1 (within {bound:.4f}), "
                                 f"got {mean:.4f}; scale the kept values by 1 / (1 - p)")
        if not out.requires_grad:
            raise AssertionError("dropout must let gradients through (no .detach(), no torch.no_grad())")
        (grad,) = student_module("torch").autograd.grad(remote(out).sum().proxy, x)
        assert_tensor_close(grad, (~zero).double() / (1 - p), what=f"gradient of dropout(x, p={p}) with respect to x")


# ----------------------------------------------------------------------------------- attention

def _attention(E=16, H=2, seed=0):
    from solutions.multi_head_attention import MultiHeadAttention

    manual_seed(seed)
    return MultiHeadAttention(E, H)


def _student_attention(reference):
    """3.3's MultiHeadAttention where the student's code runs, with the weights of `reference`."""
    attn = shipped_module("multi_head_attention").MultiHeadAttention(reference.q_proj.in_features, reference.num_heads)
    attn.load_state_dict(reference.state_dict())
    return attn.train(reference.training)


def _call_attention(fn, reference, x, p, training, seed=None):
    """fn(attn, x, p, training) with attn a copy of `reference` where the student's code runs, after
    manual_seed(seed) when a seed is given."""
    __tracebackhide__ = True
    attn, mine = _student_attention(reference), student_copies(x)[0]
    if seed is not None:
        manual_seed(seed)
    out = fn(attn, mine, p, training)
    assert_left_unchanged([mine], [x], ["x"])
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        raise AssertionError(f"attention_with_dropout must return a tensor of x's shape {tuple(x.shape)}, "
                             f"got {getattr(out, 'shape', type(out).__name__)}")
    return out.detach()


class AttentionProblem(NamedTuple):
    batch: int
    T: int
    heads: int
    p: float
    seed: int


@judged
def check_attention_with_dropout(attention_with_dropout) -> None:
    """Part 2: 3.3's attention with dropout on the attention weights, only while training."""
    __tracebackhide__ = True

    @grading(20)
    @given(st.builds(AttentionProblem, batch=st.integers(1, 3), T=st.integers(1, 8), heads=st.sampled_from([1, 2, 4]),
                     p=st.sampled_from([0.0, 0.2, 0.5]), seed=st.integers(0, 2**16)))
    def without_dropout(a):
        attn = _attention(16, a.heads, a.seed)
        x = torch.randn(a.batch, a.T, 16, generator=torch.Generator().manual_seed(a.seed))
        with torch.no_grad():
            expected = attn.eval()(x)
            got = _call_attention(attention_with_dropout, attn, x, a.p, False)
            assert_tensor_close(got, expected, what=f"attention_with_dropout(attn with {a.heads} heads, x {tuple(x.shape)}, "
                                f"p={a.p}, training=False) vs attn(x): no dropout when not training")
            got = _call_attention(attention_with_dropout, attn, x, 0.0, True)
            assert_tensor_close(got, expected, what=f"attention_with_dropout(attn with {a.heads} heads, x {tuple(x.shape)}, "
                                "p=0, training=True) vs attn(x)")

    run_property("attention_with_dropout without dropout", without_dropout)

    # one token: the only attention weight (1) is kept, scaled to 1 / (1 - p), or dropped; with o_proj the
    # identity and no bias, each head's features are all v_h / (1 - p) or all 0
    p, B, H, E = 0.3, 2000, 2, 16
    attn = _attention(E, H, 1)
    with torch.no_grad():
        attn.o_proj.weight.copy_(torch.eye(E))
        attn.o_proj.bias.zero_()
        x = torch.randn(B, 1, E, generator=torch.Generator().manual_seed(1))
        v = attn.v_proj(x)
        out = _call_attention(attention_with_dropout, attn, x, p, True, seed=5)
    what = f"attention_with_dropout on one token, p={p}, training=True"
    heads_out, heads_v = out.view(B, H, E // H), v.view(B, H, E // H)
    dropped = (heads_out == 0).all(-1)
    if not dropped.any():
        raise AssertionError(f"{what}: no attention weight was ever dropped; apply dropout to the attention weights "
                             "(softmax output) while training, e.g. F.scaled_dot_product_attention(..., dropout_p=p)")
    assert_tensor_close(heads_out[~dropped], heads_v[~dropped] / (1 - p),
                        what=f"{what}: a kept head must output v / (1 - p) (the weight 1 scaled by 1 / (1 - p))")
    _fraction_near(int(dropped.sum()), B * H, p, f"{what}: the fraction of heads whose weight was dropped")

    # inverted dropout keeps the expected output: the mean over many draws is the output without dropout
    p, copies, T = 0.5, 4000, 5
    attn = _attention(E, H, 2)
    with torch.no_grad():
        x = torch.randn(1, T, E, generator=torch.Generator().manual_seed(2))
        expected = attn.eval()(x)[0]
        out = _call_attention(attention_with_dropout, attn.train(), x.expand(copies, T, E).contiguous(), p, True, seed=6)
    mean, sem = out.mean(0), out.std(0) / math.sqrt(copies)
    worst = float(((mean - expected).abs() / (sem + 1e-6)).max())
    if worst > SIGMAS + 1:
        raise AssertionError(f"attention_with_dropout, p={p}, training=True: averaged over {copies} draws the output must "
                             f"equal the output without dropout (inverted dropout keeps the mean); it is off by "
                             f"{worst:.1f} standard errors")
    again = _call_attention(attention_with_dropout, attn, x, p, True, seed=7)
    if not torch.equal(again, _call_attention(attention_with_dropout, attn, x, p, True, seed=7)):
        raise AssertionError("attention_with_dropout: two calls after the same torch.manual_seed differ")


# ----------------------------------------------------------------------------------- DropoutGPT

GPT_SIZE = dict(vocab_size=64, context_window_size=16, embedding_dim=32, num_heads=2, num_layers=2)


class GPTProblem(NamedTuple):
    batch: int
    T: int
    p: float
    seed: int


def gpt_problems():
    return st.builds(GPTProblem, batch=st.integers(1, 3), T=st.integers(1, GPT_SIZE["context_window_size"]),
                     p=st.sampled_from([0.1, 0.3, 0.6]), seed=st.integers(0, 2**16))


def _models(DropoutGPT, p: float, seed: int, setup=None):
    """The student's DropoutGPT(dropout=p), built where the student's code runs, and 3.4's GPT without
    dropout, with the same random weights; `setup(reference)` changes them first."""
    __tracebackhide__ = True
    from solutions.decoder import GPT, GPTConfig

    manual_seed(seed)
    reference = GPT(GPTConfig(**GPT_SIZE, dropout=0.0))
    with torch.no_grad():  # make biases and LayerNorms matter
        for name, param in reference.named_parameters():
            if "bias" in name or "ln" in name:
                param.add_(torch.randn_like(param) * 0.2)
        if setup is not None:
            setup(reference)
    config = shipped_module("decoder").GPTConfig(**GPT_SIZE, dropout=p)
    try:
        model = DropoutGPT(config)
        model.load_state_dict(reference.state_dict())
    except Exception as exc:
        raise AssertionError(f"DropoutGPT(GPTConfig(..., dropout={p})) and load_state_dict of 3.4's GPT's weights: "
                             f"{type(exc).__name__}: {exc}") from None
    return model, reference.eval()


def _tokens(batch, T, seed):
    return torch.randint(GPT_SIZE["vocab_size"], (batch, T), generator=torch.Generator().manual_seed(seed))


def _forward(model, tokens):
    __tracebackhide__ = True
    return model(tokens).detach()


@judged
def check_dropout_gpt_eval(DropoutGPT) -> None:
    """Part 3: in eval mode DropoutGPT is 3.4's GPT without dropout, whatever config.dropout is."""
    __tracebackhide__ = True

    @grading(12)
    @given(gpt_problems())
    def eval_is_dropout_free(g):
        model, reference = _models(DropoutGPT, g.p, g.seed)
        tokens = _tokens(g.batch, g.T, g.seed)
        model.eval()
        assert_tensor_close(_forward(model, tokens), reference(tokens),
                            what=f"DropoutGPT(dropout={g.p}).eval() on tokens {tuple(tokens.shape)} vs 3.4's GPT with the "
                                 "same weights and no dropout (in eval mode dropout must do nothing)")

    run_property("DropoutGPT in eval mode", eval_is_dropout_free)


def _zero_state_setup(*zero, identity_attention=False):
    """A setup for `_models`: weights under which the embeddings of token 0 sum to zero at every
    position, so embedding dropout changes nothing; `zero` lists the sublayer outputs to switch off;
    identity_attention makes each o_proj the identity without bias."""
    def setup(model):
        model.wpe.weight.copy_(-model.wte.weight[0].expand_as(model.wpe.weight))
        for block in model.blocks:
            if "attn" in zero:
                block.attn.o_proj.weight.zero_()
                block.attn.o_proj.bias.zero_()
            if "attn_weights" in zero:   # the attention branch outputs its bias only
                block.attn.o_proj.weight.zero_()
            if "mlp" in zero:
                block.mlp.fc_out.weight.zero_()
                block.mlp.fc_out.bias.zero_()
            if identity_attention:
                block.attn.o_proj.weight.copy_(torch.eye(GPT_SIZE["embedding_dim"]))
                block.attn.o_proj.bias.zero_()
    return setup


def _sublayers_off(model):
    """A setup for `_models`: every sublayer outputs 0, only the embeddings reach the logits."""
    for block in model.blocks:
        for layer in (block.attn.o_proj, block.mlp.fc_out):
            layer.weight.zero_()
            layer.bias.zero_()


@judged
def check_dropout_gpt_training(DropoutGPT) -> None:
    """Part 4: in training mode, dropout where it belongs: random, reproducible under a seed, none at p = 0,
    and present on the embeddings, on each residual branch and on the attention weights."""
    __tracebackhide__ = True

    @grading(6)
    @given(gpt_problems())
    def random_and_reproducible(g):
        model, reference = _models(DropoutGPT, g.p, g.seed)
        tokens = _tokens(max(g.batch, 2), g.T, g.seed)
        model.train()
        what = f"DropoutGPT(dropout={g.p}).train() on tokens {tuple(tokens.shape)}"
        manual_seed(g.seed)
        a = _forward(model, tokens)
        manual_seed(g.seed)
        b = _forward(model, tokens)
        if not torch.equal(a, b):
            raise AssertionError(f"{what}: two forward passes after manual_seed({g.seed}) differ")
        if torch.allclose(a, reference(tokens), atol=1e-6):
            raise AssertionError(f"{what}: the logits equal those without dropout; apply dropout while training")
        if not model.training:
            raise AssertionError(f"{what}: the model left training mode")

        zero, _ = _models(DropoutGPT, 0.0, g.seed)
        zero.train()
        assert_tensor_close(_forward(zero, tokens), reference(tokens),
                            what=f"DropoutGPT(dropout=0).train() on tokens {tuple(tokens.shape)} vs 3.4's GPT")

    run_property("DropoutGPT in training mode", random_and_reproducible)

    tokens = torch.zeros(64, 8, dtype=torch.long)
    places = {
        "embeddings": (_sublayers_off,
                       "the sum of the token and position embeddings (every sublayer here outputs 0)"),
        "attention branch": (_zero_state_setup("attn_weights", "mlp"),
                             "the output of the attention branch before it is added to the residual stream"),
        "MLP branch": (_zero_state_setup("attn"),
                       "the output of the MLP branch before it is added to the residual stream"),
    }
    for place, (setup, text) in places.items():
        model, _ = _models(DropoutGPT, 0.3, 11, setup)
        model.eval()
        expected = _forward(model, tokens)
        model.train()
        manual_seed(12)
        if torch.allclose(_forward(model, tokens), expected, atol=1e-6):
            raise AssertionError(f"DropoutGPT(dropout=0.3) in training mode, with weights under which only dropout on "
                                 f"{text} can change the logits: they did not change. Apply dropout there")

    # one token whose embeddings sum to zero, the MLP switched off, o_proj the identity with no bias: the
    # residual stream stays exactly 0 (the logits are ln_f.bias @ wte^T) only when the single attention
    # weight of every head of every block is dropped: probability p**(heads * layers) (residual dropout
    # cannot zero all 32 features of a nonzero branch output: 0.5**32)
    p, n = 0.5, 2000
    model, reference = _models(DropoutGPT, p, 13, _zero_state_setup("mlp", identity_attention=True))
    with torch.no_grad():
        empty = reference.ln_f.bias @ reference.wte.weight.T
    model.train()
    manual_seed(14)
    logits = _forward(model, torch.zeros(n, 1, dtype=torch.long))[:, 0]
    stays_zero = torch.isclose(logits, empty.expand_as(logits), atol=1e-5).all(-1)
    heads = GPT_SIZE["num_heads"] * GPT_SIZE["num_layers"]
    _fraction_near(int(stays_zero.sum()), n, p ** heads,
                   f"DropoutGPT(dropout={p}) in training mode, one token, {GPT_SIZE['num_layers']} blocks of "
                   f"{GPT_SIZE['num_heads']} heads: the fraction of sequences where every attention weight was dropped "
                   f"(with dropout on the attention weights: p**{heads} of them)")


# ----------------------------------------------------------------------------------- input checks

def _dropout_gpt(DropoutGPT):
    """DropoutGPT(GPT_SIZE, dropout=0.2) in eval mode, built where the student's code runs; an error
    here is not the input check's answer."""
    try:
        return DropoutGPT(shipped_module("decoder").GPTConfig(**GPT_SIZE, dropout=0.2)).eval()
    except Exception as exc:  # the student's code may raise anything
        raise RuntimeError(f"DropoutGPT(GPTConfig(..., dropout=0.2)) raised {type(exc).__name__}: {exc}") from None


_ONES = torch.ones(3)
#: the invalid calls Task 4 lists, tried by check_input_checks
INPUT_CHECKS = (
    InputCheck("`dropout(x, -0.1, training=True)`: a negative p raises `ValueError`",
               lambda f: f["dropout"](_ONES, -0.1, True)),
    InputCheck("`dropout(x, 1.0, training=True)`: p = 1 raises `ValueError`",
               lambda f: f["dropout"](_ONES, 1.0, True)),
    InputCheck("`dropout(x, 1.5, training=False)`: p above 1 raises `ValueError`, in evaluation mode too",
               lambda f: f["dropout"](_ONES, 1.5, False)),
    InputCheck("`dropout(x, -1.0, training=False)`: a negative p raises `ValueError`, in evaluation mode too",
               lambda f: f["dropout"](_ONES, -1.0, False)),
    InputCheck(f"a `DropoutGPT` with `context_window_size = {GPT_SIZE['context_window_size']}` given "
               f"{GPT_SIZE['context_window_size'] + 1} tokens raises `ValueError`",
               lambda f: _dropout_gpt(f["DropoutGPT"])(_tokens(1, GPT_SIZE["context_window_size"] + 1, 0))),
)


@judged
def check_input_checks(dropout, DropoutGPT) -> None:
    """Part 5: the ValueErrors of Tasks 1 and 3, graded apart from the computations."""
    __tracebackhide__ = True
    run_input_checks(INPUT_CHECKS, dropout=dropout, DropoutGPT=DropoutGPT)
